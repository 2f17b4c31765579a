// Who a mandatory report (强制报告) names, and to whom (SPEC §4, §9;
// docs/architecture.md "The closed loop", "Filing"): its reporter stays
// unknown to everyone but the centre, public security and the reporter —
// through every later act of theirs, and through their school: a school's
// accounts see only their own school's filings, so a colleague's comment or
// file on the report would name the school that reported.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { VILLAGE, step, unitIds, cstDate, birthForAge, PNG } from './lib/loop.mjs';

describeEachDriver('mandatory report privacy', (driver) => {
	let srv, school, colleague, director, station, supervisor, centre, committee, police, civil, org, units;

	before(async () => {
		srv = await startServer(driver);
		[school, colleague, director, station, supervisor, centre, committee, police, civil, org] = await Promise.all(
			['school', 'school01', 'director', 'station', 'supervisor', 'center', 'committee', 'dept_public_security', 'department', 'org'].map(
				(u) => srv.login(u),
			),
		);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const read = async (client, id) => {
		const r = await client.get(`/api/v1/requests/${id}`);
		assert.equal(r.status, 200, `${client.me.user.username}: ${r.text}`);
		return r.body;
	};
	const comment = async (client, id, text) => {
		const r = await client.post(`/api/v1/requests/${id}/comments`, { text });
		assert.equal(r.status, 201, r.text);
	};
	const upload = async (client, id, name) => {
		const r = await client.request('POST', `/api/v1/requests/${id}/attachments?name=${name}`, {
			body: PNG,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};

	test("a colleague's comment or file on their school's mandatory report does not name the school", async () => {
		const schoolUnit = school.me.memberships[0].unit_id;
		assert.equal(colleague.me.memberships[0].unit_id, schoolUnit, 'school01 works at the demo school');
		const kids = await school.get('/api/v1/children?limit=1');
		assert.equal(kids.status, 200, kids.text);
		const filed = await school.post('/api/v1/requests', {
			child_id: kids.body.items[0].id,
			kind: 'abuse_violence',
			urgency: 'urgent',
			narrative: '学生自述被继父殴打',
			mandatory: true,
		});
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', {
			referrals: [
				{ unit_id: units.civil_affairs, ask: '临时监护', fields: ['guardians'] },
				{ unit_id: units.county_charity, ask: '心理疏导', fields: ['address', 'school'] },
			],
		});
		// the school's other account sees its school's filing, and acts on it
		const listed = (await colleague.listAll('/api/v1/requests')).find((q) => q.id === id);
		assert.ok(listed, 'the colleague lists the school\'s report');
		await comment(colleague, id, '班主任已与孩子谈话');
		const file = await upload(colleague, id, 'talk.png');
		const schoolName = (await centre.get('/api/v1/units')).body.items.find((u) => u.id === schoolUnit).name;
		const mine = colleague.me.user.id;

		for (const c of [station, supervisor, committee, civil, org]) {
			const who = c.me.user.username;
			const v = await read(c, id);
			assert.equal(v.reporter_hidden, true, who);
			const said = v.timeline.steps.filter((s) => s.action === 'comment');
			assert.equal(said.length, 1, `${who} sees the colleague's comment`);
			assert.equal(said[0].actor, null, `${who}: the comment does not name the school`);
			assert.equal(said[0].actor_hidden, true, who);
			assert.equal(said[0].unit_id, null, `${who}: nor its unit`);
			assert.ok(!v.timeline.steps.some((s) => s.actor?.role === 'school' || s.unit_id === schoolUnit), who);
			for (const a of v.attachments) assert.equal(a.uploaded_by, null, `${who}: the file names no uploader`);
			assert.ok(!JSON.stringify(v).includes(schoolName), `${who}: the school's name appears nowhere`);
		}
		// the centre, public security and the reporter know who reported
		for (const c of [centre, police, school]) {
			const v = await read(c, id);
			const said = v.timeline.steps.find((s) => s.action === 'comment');
			assert.equal(said.actor.user_id, mine, c.me.user.username);
			assert.equal(said.actor_hidden, false);
			assert.equal(v.attachments.find((a) => a.id === file.id).uploaded_by, mine);
		}
		// the colleague reads their own comment and file, not who reported
		const own = await read(colleague, id);
		assert.equal(own.reporter_hidden, true);
		const steps = own.timeline.steps;
		assert.equal(steps.find((s) => s.action === 'file').actor, null);
		assert.equal(steps.find((s) => s.action === 'comment').actor.user_id, mine);
		assert.equal(own.attachments.find((a) => a.id === file.id).uploaded_by, mine);
	});

	test('a follow-up visit the reporter scheduled does not name them on the request', async () => {
		const made = await director.post('/api/v1/children', { name: uniqueName('回访'), sex: 'M', birth_date: birthForAge(7), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		const filed = await director.post('/api/v1/requests', {
			child_id: made.body.id,
			kind: 'abuse_violence',
			narrative: '邻居反映孩子常被关在门外',
			mandatory: true,
		});
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		const theirs = await director.post(`/api/v1/requests/${id}/follow-ups`, { due_on: cstDate(10), note: '看孩子是否安全' });
		assert.equal(theirs.status, 201, theirs.text);
		const stations = await station.post(`/api/v1/requests/${id}/follow-ups`, { due_on: cstDate(20) });
		assert.equal(stations.status, 201, stations.text);
		const name = director.me.user.display_name;

		for (const c of [station, supervisor]) {
			const who = c.me.user.username;
			const v = await read(c, id);
			assert.equal(v.reporter_hidden, true, who);
			const fu = v.follow_ups.find((f) => f.id === theirs.body.id);
			assert.equal(fu.by, null, `${who}: the reporter's follow-up names no one`);
			assert.equal(fu.created_by, null, who);
			assert.equal(fu.by_hidden, true, who);
			const own = v.follow_ups.find((f) => f.id === stations.body.id);
			assert.equal(own.by, station.me.user.display_name, `${who}: the station's keeps its name`);
			assert.equal(own.by_hidden, false);
			assert.ok(!JSON.stringify(v).includes(name), `${who}: the director's name appears nowhere`);
		}
		// the centre and the reporter know who scheduled it
		for (const c of [centre, director]) {
			const fu = (await read(c, id)).follow_ups.find((f) => f.id === theirs.body.id);
			assert.equal(fu.by, name, c.me.user.username);
			assert.equal(fu.created_by, director.me.user.id);
			assert.equal(fu.by_hidden, false);
		}
		// nor on the list of follow-ups due (GET /follow-ups), which names the request
		const listed = async (c) => {
			const r = await c.get('/api/v1/follow-ups?state=all&limit=500');
			assert.equal(r.status, 200, r.text);
			return r.body.items.find((f) => f.id === theirs.body.id);
		};
		for (const c of [station, supervisor]) {
			const fu = await listed(c);
			assert.equal(fu.request_id, id);
			assert.equal(fu.by, null, `${c.me.user.username}: the list names no one either`);
			assert.equal(fu.created_by, null);
			assert.equal(fu.by_hidden, true);
			assert.equal((await listed(c)).note, '看孩子是否安全', 'the note stays');
		}
		for (const c of [centre, director]) {
			const fu = await listed(c);
			assert.equal(fu.by, name, c.me.user.username);
			assert.equal(fu.by_hidden, false);
		}
		const theStations = (await station.get('/api/v1/follow-ups?state=all&limit=500')).body.items.find((f) => f.id === stations.body.id);
		assert.equal(theStations.by, station.me.user.display_name, 'the station\'s own keeps its name');
	});
});
