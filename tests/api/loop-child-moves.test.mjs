// A child who moves to another village takes its open help requests along
// (SPEC §1, §4: the village's director and the township answer for the
// children who live there): the new village's director is told and reads
// the request, the new township's desk takes the step it holds, the old
// township no longer does, a step sent from a page read before the move is
// stale, and the timeline says the child moved. A closed request stays
// where it was handled, but its follow-up visits go with the child: past
// their day they alert the new village's director and the new township's
// supervisor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, uniqueName, cli } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { VILLAGE, OTHER_VILLAGE, step, birthForAge, inbox, cstDate } from './lib/loop.mjs';

describeEachDriver('requests follow a moved child', (driver) => {
	let srv, director, station, supervisor, centre, director2, station03, supervisor03;

	before(async () => {
		srv = await startServer(driver);
		[director, station, supervisor, centre, director2, station03, supervisor03] = await Promise.all(
			['director', 'station', 'supervisor', 'center', 'director2', 'station03', 'supervisor03'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	const child = async () => {
		const made = await director.post('/api/v1/children', { name: uniqueName('迁居'), sex: 'M', birth_date: birthForAge(9), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		return made.body;
	};
	const move = async (c, village) => {
		const cur = await centre.get(`/api/v1/children/${c.id}`);
		assert.equal(cur.status, 200, cur.text);
		const r = await centre.patch(`/api/v1/children/${c.id}`, { village_code: village, version: cur.body.version });
		assert.equal(r.status, 200, r.text);
		return r.body;
	};
	const messages = async (client, id, event) => (await inbox(client)).filter((m) => m.request_id === id && m.event === event);

	test('an open request moves with the child: the new village and township read and act on it, the old township no longer', async () => {
		const c = await child();
		const filed = await director.post('/api/v1/requests', { child_id: c.id, kind: 'living_hardship', narrative: '父亲病重，家中无人照看' });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		const reviewed = await step(station, id, 'review'); // the township holds it
		assert.equal(reviewed.state, 'township_review');
		assert.equal((await director2.get(`/api/v1/requests/${id}`)).status, 404, 'not the other village\'s before the move');

		await move(c, OTHER_VILLAGE);

		const there = await director2.get(`/api/v1/requests/${id}`);
		assert.equal(there.status, 200, 'the new village\'s director reads it');
		assert.equal(there.body.village_code, OTHER_VILLAGE);
		assert.equal(there.body.township_code, OTHER_VILLAGE.slice(0, 9));
		assert.equal(there.body.state, 'township_review', 'where it stood');
		assert.ok(there.body.timeline.steps.some((s) => s.action === 'child_moved' && s.from_state === null), JSON.stringify(there.body.timeline.steps.map((s) => s.action)));
		assert.ok((await director2.listAll('/api/v1/requests')).some((q) => q.id === id), 'on the new village\'s list');
		// told: the new village's director, and the new township's desk, which holds the step
		for (const client of [director2, station03]) assert.equal((await messages(client, id, 'request.child_moved')).length, 1, client.username);
		assert.deepEqual(await messages(station, id, 'request.child_moved'), [], 'not the township it left');
		// the township it left no longer reads or acts on it; a step from a page read before the move is stale
		assert.equal((await station.get(`/api/v1/requests/${id}`)).status, 404);
		const stale = await station03.post(`/api/v1/requests/${id}/actions`, { action: 'forward', version: reviewed.version });
		assert.equal(stale.status, 409, stale.text);
		assert.equal(stale.body.error.code, 'version_conflict');
		const fwd = await step(station03, id, 'forward');
		assert.equal(fwd.state, 'forwarded');
		// the filer still reads their filing, without its village's steps
		const mine = await director.get(`/api/v1/requests/${id}`);
		assert.equal(mine.status, 200);
		assert.deepEqual(mine.body.allowed_actions, []);
		// the move is in the child's update's audit entry
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?action=child.update&object_id=${c.id}`);
		assert.equal(JSON.parse(log.body.items[0].detail).requests_moved, 1, log.text);
	});

	test('an overdue step already alerted in the township it left alerts the supervisor of the new township at the next scan, not at the repeat', async () => {
		const c = await child();
		const filed = await director.post('/api/v1/requests', { child_id: c.id, kind: 'medical', narrative: '孩子需要就医' });
		assert.equal(filed.status, 201, filed.text);
		const q = await step(station, filed.body.id, 'review');
		assert.equal(q.state, 'township_review');
		const scan = async (at) => {
			const r = await cli(srv.db, ['deadlines', '--allow-future', '--at', String(at)]);
			assert.equal(r.code, 0, r.stderr);
		};
		const alerts = async (client) => (await inbox(client)).filter((m) => m.request_id === q.id && m.event === 'deadline.overdue');
		await scan(q.due_at + 3600);
		assert.equal((await alerts(supervisor)).length, 1, 'the supervisor where the step fell late is told');

		await move(c, OTHER_VILLAGE);
		await scan(q.due_at + 7200); // an hour later: long before the repeat
		assert.equal((await alerts(supervisor03)).length, 1, 'the supervisor of the township that holds it now is told');
		assert.equal((await alerts(supervisor)).length, 1, 'the one it left is not told again');
		await scan(q.due_at + 10800);
		assert.equal((await alerts(supervisor03)).length, 1, 'once, until the repeat');
	});

	test('a grid filled in by an import sends the open request to that grid\'s worker, as an edit of the child does', async () => {
		const GRID = '370831001001001'; // the demo grid worker's, inside VILLAGE
		const id = (await IdFactory.fromServer(centre)).next({ birth: '20160411' });
		const name = uniqueName('网格');
		const made = await director.post('/api/v1/children', { name, id_number: id, village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		assert.equal(made.body.grid_code ?? '', '', 'registered without a grid');
		const filed = await director.post('/api/v1/requests', { child_id: made.body.id, kind: 'medical', narrative: '需要就医帮助' });
		assert.equal(filed.status, 201, filed.text);
		const grid = await srv.login('grid');
		assert.equal((await grid.get(`/api/v1/requests/${filed.body.id}`)).status, 404, 'not the grid\'s before');

		const file = join(srv.db.dir, `grid-fill-${driver}.csv`);
		writeFileSync(file, `姓名,身份证号,村（社区）代码,网格代码\n${name},${id},${VILLAGE},${GRID}\n`);
		const r = await cli(srv.db, ['import', file]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /1 updated/);

		const seen = await grid.get(`/api/v1/requests/${filed.body.id}`);
		assert.equal(seen.status, 200, 'the grid worker reads the request of a child of the grid');
		assert.equal(seen.body.grid_code, GRID);
		assert.equal(seen.body.village_code, VILLAGE, 'the same village');
		assert.ok((await grid.listAll('/api/v1/requests')).some((q) => q.id === filed.body.id), 'on the grid\'s list');
	});

	test('a closed request stays where it was handled; its follow-up visits go with the child and alert the new village and township', async () => {
		const c = await child();
		const filed = await director.post('/api/v1/requests', { child_id: c.id, kind: 'schooling', narrative: '需要助学帮扶' });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		await step(station, id, 'review');
		await step(station, id, 'resolve', { result: '已落实助学金' });
		await step(director, id, 'deliver_feedback', { feedback: '家长表示满意', rating: 'satisfied' });
		const closed = await step(station, id, 'close');
		assert.equal(closed.state, 'closed');
		const f = await director.post(`/api/v1/requests/${id}/follow-ups`, { due_on: cstDate(1), note: '看看开学情况' });
		assert.equal(f.status, 201, f.text);

		await move(c, OTHER_VILLAGE);
		assert.equal((await station.get(`/api/v1/requests/${id}`)).body.village_code, VILLAGE, 'the closed request stays where it was handled');
		const list = await director2.get('/api/v1/follow-ups');
		assert.ok(list.body.items.some((x) => x.id === f.body.id), 'on the new village\'s list of follow-ups');

		const r = await cli(srv.db, ['deadlines', '--allow-future', '--at', `${cstDate(3)}T09:00:00+08:00`]);
		assert.equal(r.code, 0, r.stderr);
		for (const client of [director2, supervisor03]) assert.equal((await messages(client, id, 'follow_up.overdue')).length, 1, `${client.username} is told`);
		for (const client of [director, supervisor]) assert.deepEqual(await messages(client, id, 'follow_up.overdue'), [], `${client.username} is not`);
	});
});
