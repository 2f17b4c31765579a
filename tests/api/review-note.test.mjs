// The township station's review with a note ("请补充：…") is the township
// asking the village back: the filer is told in the inbox, with the note on
// the request's timeline. A review without a note tells nobody, as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { VILLAGE, step, inbox } from './lib/loop.mjs';

describeEachDriver('review note', (driver) => {
	let srv, director, station, grid;

	before(async () => {
		srv = await startServer(driver, { children: 10 });
		[director, station, grid] = await Promise.all(['director', 'station', 'grid'].map((u) => srv.login(u)));
	});
	after(async () => {
		await srv?.stop();
	});

	const file = async (client) => {
		const r = await client.post('/api/v1/requests', { kind: 'living_hardship', narrative: '需要帮助', village_code: VILLAGE, child_description: '约8岁男孩' });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const told = async (client, id) => (await inbox(client)).filter((m) => m.request_id === id && m.event === 'request.review');

	test('the director who filed is told of a review with a note, once, and reads the note on the timeline', async () => {
		const q = await file(director);
		const note = '请补充：孩子父母在哪里务工？';
		await step(station, q.id, 'review', { note });
		const msgs = await told(director, q.id);
		assert.equal(msgs.length, 1, JSON.stringify(msgs));
		const seen = (await director.get(`/api/v1/requests/${q.id}`)).body;
		const rev = seen.timeline.steps.filter((s) => s.action === 'review');
		assert.equal(rev.length, 1);
		assert.equal(rev[0].note, note);
	});

	test('a grid worker who filed is told too; a review without a note tells nobody', async () => {
		const q = await file(grid);
		await step(station, q.id, 'review', { note: '请补充：孩子现在住在哪里？' });
		assert.equal((await told(grid, q.id)).length, 1);
		const quiet = await file(director);
		await step(station, quiet.id, 'review');
		assert.equal((await told(director, quiet.id)).length, 0, 'no note, no message');
		assert.equal((await told(station, quiet.id)).length, 0, 'nor to the station itself');
	});
});
