// The inbox of staff who hold two jobs (SPEC §1: "a person with two jobs
// has two memberships"; §4: a step past its deadline alerts the township's
// supervisor, or the centre and the committee): one event is one message
// to a person, whichever of their memberships it reaches, so an overdue
// step or a visit's concern is not counted twice in their unread figure.
// The scan runs with a fake clock (`weibao deadlines --at --allow-future`).
// Read marks that add up: "mark all read" marks what the page showed (and
// older), not a message that came in meanwhile, and a message read twice
// is marked once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, cli } from './lib/harness.mjs';
import { VILLAGE, TOWNSHIP, step, inbox, birthForAge, cstDate } from './lib/loop.mjs';

describeEachDriver('inbox: one message a person', (driver) => {
	let srv, admin, director, station;

	before(async () => {
		srv = await startServer(driver, { args: ['--deadline-scan-interval', '0'] });
		[admin, director, station] = await Promise.all(['admin', 'director', 'station'].map((u) => srv.login(u)));
	});
	after(async () => {
		await srv?.stop();
	});

	/** A new account holding the first (role, area) and then the others. */
	async function twoJobs(first, ...more) {
		const made = await admin.post('/api/v1/users', { username: `two_${first.role}_${Date.now()}`, display_name: '身兼两职', ...first });
		assert.equal(made.status, 201, made.text);
		for (const m of more) {
			const added = await admin.post(`/api/v1/users/${made.body.id}/memberships`, m);
			assert.equal(added.status, 201, added.text);
		}
		let c = await srv.login(made.body.username, made.body.password);
		assert.equal((await c.post('/api/v1/me/password', { old_password: made.body.password, new_password: 'Changed-Pass-2026' })).status, 200);
		c = await srv.login(made.body.username, 'Changed-Pass-2026');
		return c;
	}

	test('a township\'s station worker who is also its supervisor gets one message of a visit\'s concern', async () => {
		const both = await twoJobs({ role: 'station', area_code: TOWNSHIP }, { role: 'supervisor', area_code: TOWNSHIP });
		const child = await director.post('/api/v1/children', { name: '李小花', sex: 'F', birth_date: birthForAge(9), village_code: VILLAGE });
		assert.equal(child.status, 201, child.text);
		const before = (await both.get('/api/v1/inbox')).body.unread;
		const v = await director.post(`/api/v1/children/${child.body.id}/visits`, { kind: 'home', visited_on: cstDate(), findings: '家中无人照看', flags: ['safety'] });
		assert.equal(v.status, 201, v.text);
		const got = (await inbox(both)).filter((m) => m.event === 'visit.concern' && m.child_id === child.body.id);
		assert.equal(got.length, 1, `one message, not one a membership: ${JSON.stringify(got)}`);
		assert.equal(got[0].membership_id, both.me.membership_id, 'addressed to the first role told (the station)');
		assert.equal((await both.get('/api/v1/inbox')).body.unread, before + 1, 'the bell counts it once');
		// one who holds one of the roles is told as before
		assert.equal((await inbox(station)).filter((m) => m.event === 'visit.concern' && m.child_id === child.body.id).length, 1);
	});

	test('a centre leader who sits on the committee is alerted once of an overdue centre step', async () => {
		const both = await twoJobs({ role: 'center', area_code: '370831' }, { role: 'committee', area_code: '370831' });
		const centre = await srv.login('center');
		const committee = await srv.login('committee');
		const filed = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'living_hardship', narrative: '生活困难' });
		assert.equal(filed.status, 201, filed.text);
		await step(station, filed.body.id, 'review');
		const q = await step(station, filed.body.id, 'forward');
		assert.equal(q.state, 'forwarded');
		const r = await cli(srv.db, ['deadlines', '--allow-future', '--at', String(q.due_at + 3600)]);
		assert.equal(r.code, 0, r.stderr);
		const alerts = async (c) => (await inbox(c)).filter((m) => m.request_id === q.id && m.event === 'deadline.overdue');
		const got = await alerts(both);
		assert.equal(got.length, 1, `one alert for one lateness: ${JSON.stringify(got)}`);
		assert.equal(got[0].stage, 'forwarded');
		assert.equal(got[0].membership_id, both.me.membership_id, 'addressed to the centre membership');
		// the others of the centre and of the committee are each told once
		assert.equal((await alerts(centre)).length, 1);
		assert.equal((await alerts(committee)).length, 1);
		// the forward itself told the centre: one message to them too
		assert.equal((await inbox(both)).filter((m) => m.request_id === q.id && m.event === 'request.forward').length, 1);
	});

	test('"mark all read" leaves a message that came in after the page was loaded unread; marking one twice counts it once', async () => {
		const sup = await srv.login('supervisor');
		const a = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'medical', narrative: '先到的' });
		assert.equal(a.status, 201, a.text);
		const page = (await station.get('/api/v1/inbox?names=true')).body;
		const shown = page.items.find((m) => m.request_id === a.body.id && m.event === 'request.file');
		assert.ok(shown && !shown.read, JSON.stringify(page.items.slice(0, 3)));
		// another filing while the station reads the page
		const b = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'schooling', narrative: '后到的' });
		assert.equal(b.status, 201, b.text);
		const all = await station.post(`/api/v1/inbox/read-all?up_to=${page.items[0].id}`);
		assert.equal(all.status, 200, all.text);
		assert.equal(all.body.marked, page.unread, 'the unread messages the page was loaded with');
		assert.equal(all.body.unread, 1, 'the newer message is left');
		const now = (await inbox(station)).filter((m) => !m.read);
		assert.deepEqual(
			now.map((m) => [m.request_id, m.event]),
			[[b.body.id, 'request.file']],
			'unseen, so still unread',
		);
		assert.equal((await station.post('/api/v1/inbox/read-all?up_to=x')).body.error.field, 'up_to');
		// one message: marked once, then nothing more to mark
		const msg = now[0];
		const first = await station.post(`/api/v1/inbox/${msg.id}/read`);
		assert.deepEqual(first.body, { marked: 1, unread: 0 });
		const again = await station.post(`/api/v1/inbox/${msg.id}/read`);
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(again.body, { marked: 0, unread: 0 }, 'read already: nothing marked');
		assert.equal((await sup.post(`/api/v1/inbox/${msg.id}/read`)).status, 404, 'not the caller\'s');
		// without up_to every unread message is marked, as before
		await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'legal', narrative: '再来一个' });
		const rest = await station.post('/api/v1/inbox/read-all');
		assert.deepEqual(rest.body, { marked: 1, unread: 0 });
	});
});
