// What a request tells whom (SPEC §4, docs/architecture.md "Referrals and
// the access grant"):
// - the confidential reporter of a mandatory report stays unknown through
//   every later step of theirs (a comment, a file), not only the filing,
//   to everyone but the centre, public security and the reporter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { PNG } from './lib/loop.mjs';

describeEachDriver('loop privacy', (driver) => {
	let srv, station, supervisor, centre, committee, police, school;

	before(async () => {
		srv = await startServer(driver);
		[station, supervisor, centre, committee, police, school] = await Promise.all(
			['station', 'supervisor', 'center', 'committee', 'dept_public_security', 'school'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	const upload = async (client, id, name, bytes = PNG) => {
		const r = await client.request('POST', `/api/v1/requests/${id}/attachments?name=${name}`, {
			body: bytes,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const comment = async (client, id, text) => {
		const r = await client.post(`/api/v1/requests/${id}/comments`, { text });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const read = async (client, id) => {
		const r = await client.get(`/api/v1/requests/${id}`);
		assert.equal(r.status, 200, `${client.me.user.username}: ${r.text}`);
		return r.body;
	};

	test('the reporter of a mandatory report is named by none of their later steps to those who may not know them', async () => {
		const kids = await school.get('/api/v1/children?limit=1');
		assert.equal(kids.status, 200, kids.text);
		const filed = await school.post('/api/v1/requests', {
			child_id: kids.body.items[0].id,
			kind: 'abuse_violence',
			urgency: 'urgent',
			narrative: '学生身上多处淤青，疑似家暴',
			mandatory: true,
		});
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		const me = school.me.user;
		await comment(school, id, '补充：孩子说是父亲打的');
		const file = await upload(school, id, 'photo.png');

		for (const c of [station, supervisor, committee]) {
			const v = await read(c, id);
			const who = c.me.user.username;
			assert.equal(v.reporter_hidden, true, who);
			assert.equal(v.reporter, null, who);
			const steps = v.timeline.steps;
			assert.equal(steps[0].action, 'file');
			assert.equal(steps[0].actor, null, `${who}: the filing hides who filed`);
			const said = steps.find((s) => s.action === 'comment');
			assert.ok(said, `${who} sees the comment`);
			assert.equal(said.actor, null, `${who}: the comment does not name the reporter`);
			assert.equal(said.actor_hidden, true, who);
			assert.equal(said.unit_id, null, `${who}: nor does the school's unit`);
			assert.ok(!steps.some((s) => s.actor && s.actor.user_id === me.id), who);
			assert.ok(!JSON.stringify(v).includes(me.display_name), `${who}: the school's name appears nowhere`);
			for (const a of v.attachments) assert.equal(a.uploaded_by, null, who);
			const list = (await c.listAll('/api/v1/requests')).find((q) => q.id === id);
			assert.ok(list, `${who} lists it`);
			assert.ok(!JSON.stringify(list).includes(me.display_name), who);
			assert.equal(list.reporter, null, who);
		}
		// the centre, public security and the reporter know who reported
		for (const c of [centre, police, school]) {
			const v = await read(c, id);
			const said = v.timeline.steps.find((s) => s.action === 'comment');
			assert.equal(said.actor.user_id, me.id, c.me.user.username);
			assert.equal(said.actor_hidden, false);
			assert.equal(v.attachments.find((a) => a.id === file.id).uploaded_by, me.id);
		}
		// the station's own comment keeps its name: only the reporter is hidden
		await comment(station, id, '已联系派出所');
		const st = (await read(supervisor, id)).timeline.steps.filter((s) => s.action === 'comment');
		assert.equal(st.length, 2);
		assert.equal(st[1].actor.user_id, station.me.user.id);
		assert.equal(st[1].actor_hidden, false);
	});
});
