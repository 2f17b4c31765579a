// Comments on a request (POST /api/v1/requests/{id}/comments): the township
// asks the village back and the village answers, without a step of the
// state machine. A comment is on the request's timeline, audited without
// its text, and told to the other side of the loop through the inbox; the
// committee (no texts), the auditor and anyone who cannot read the request
// cannot comment; a unit comments while its referral is active.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { VILLAGE, step, inbox, PNG } from './lib/loop.mjs';

describeEachDriver('request comments', (driver) => {
	let srv, director, station, centre, committee, auditor, director2, grid;

	before(async () => {
		srv = await startServer(driver, { children: 10 });
		[director, station, centre, committee, auditor, director2, grid] = await Promise.all(
			['director', 'station', 'center', 'committee', 'auditor', 'director2', 'grid'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	const file = async (client) => {
		const r = await client.post('/api/v1/requests', { kind: 'living_hardship', narrative: '需要帮助', village_code: VILLAGE, child_description: '约8岁男孩' });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const comments = (q) => q.timeline.steps.filter((s) => s.action === 'comment');
	const told = async (client, id) => (await inbox(client)).filter((m) => m.request_id === id && m.event === 'request.comment');

	test('the station asks, the director answers: both on the timeline, each told in the inbox, the state unchanged', async () => {
		const q = await file(director);
		await step(station, q.id, 'review');
		const asked = await station.post(`/api/v1/requests/${q.id}/comments`, { text: '请补充：孩子父母在哪里务工？' });
		assert.equal(asked.status, 201, asked.text);
		assert.equal(asked.body.state, 'township_review', 'not a step of the state machine');
		assert.equal(comments(asked.body).length, 1);
		assert.equal(comments(asked.body)[0].note, '请补充：孩子父母在哪里务工？');
		assert.equal(comments(asked.body)[0].actor.role, 'station');
		assert.equal((await told(director, q.id)).length, 1, 'the director who filed is told once');
		assert.equal((await told(station, q.id)).length, 0, 'not the one who wrote it');

		const answered = await director.post(`/api/v1/requests/${q.id}/comments`, { text: '父母在上海务工' });
		assert.equal(answered.status, 201, answered.text);
		const seen = (await station.get(`/api/v1/requests/${q.id}`)).body;
		assert.deepEqual(comments(seen).map((s) => s.note), ['请补充：孩子父母在哪里务工？', '父母在上海务工']);
		assert.equal(seen.version, q.version + 1, 'only the review moved the version');
		assert.equal((await told(station, q.id)).length, 1, 'the station is told of the answer');
		// the step still works with the version read before the comments
		await step(station, q.id, 'resolve', { result: '已协调' });
	});

	test('audited as request.comment without the text', async () => {
		const q = await file(director);
		const r = await station.post(`/api/v1/requests/${q.id}/comments`, { text: '请补充：监护人电话' });
		assert.equal(r.status, 201, r.text);
		const log = await auditor.get(`/api/v1/audit?action=request.comment&limit=50`);
		assert.equal(log.status, 200, log.text);
		const e = log.body.items.find((x) => x.object_id === String(q.id));
		assert.ok(e, JSON.stringify(log.body.items.slice(0, 3)));
		assert.equal(e.outcome, 'ok');
		assert.ok(!JSON.stringify(e).includes('监护人电话'), 'the text is not in the audit log');
	});

	test('a comment needs text; outsiders, the committee and the auditor cannot comment', async () => {
		const q = await file(director);
		for (const body of [{}, { text: '   ' }]) {
			const r = await station.post(`/api/v1/requests/${q.id}/comments`, body);
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, 'text');
		}
		assert.equal((await station.post(`/api/v1/requests/${q.id}/comments`, { text: 'x'.repeat(5000) })).status, 422);
		assert.equal((await director2.post(`/api/v1/requests/${q.id}/comments`, { text: '别村' })).status, 404, 'another village');
		assert.equal((await auditor.post(`/api/v1/requests/${q.id}/comments`, { text: '审计' })).status, 404);
		const cm = await committee.post(`/api/v1/requests/${q.id}/comments`, { text: '领导' });
		assert.equal(cm.status, 403, cm.text);
		assert.equal((await centre.post(`/api/v1/requests/${q.id}/comments`, { text: '中心' })).status, 201, 'the centre can');
		const seen = (await director.get(`/api/v1/requests/${q.id}`)).body;
		assert.deepEqual(comments(seen).map((s) => s.actor.role), ['center']);
		assert.equal((await told(director, q.id)).length, 1, 'the centre tells the filer');
	});

	test('a file attached is told to the other side as a comment is', async () => {
		const q = await file(director);
		const up = await director.request('POST', `/api/v1/requests/${q.id}/attachments`, { body: PNG });
		assert.equal(up.status, 201, up.text);
		const msgs = (await inbox(station)).filter((m) => m.request_id === q.id && m.event === 'request.attachment');
		assert.equal(msgs.length, 1, 'the station is told of the new file');
		assert.equal((await inbox(director)).filter((m) => m.request_id === q.id && m.event === 'request.attachment').length, 0, 'not the one who added it');
		const back = await station.request('POST', `/api/v1/requests/${q.id}/attachments`, { body: PNG });
		assert.equal(back.status, 201, back.text);
		assert.equal((await inbox(director)).filter((m) => m.request_id === q.id && m.event === 'request.attachment').length, 1, 'and the filer of the station\'s');
	});

	test('a grid worker who filed comments and the station hears of it', async () => {
		const q = await file(grid);
		const r = await grid.post(`/api/v1/requests/${q.id}/comments`, { text: '孩子今天在奶奶家' });
		assert.equal(r.status, 201, r.text);
		assert.equal((await told(station, q.id)).length, 1);
	});
});
