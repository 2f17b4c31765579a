// A request's linked child is shown as the caller may read the child
// (SPEC §1, §9): its filer sees a request always, but a grid worker whose
// request was linked to a child outside the own grid learns that a child
// was linked, not who. The filer's description of the child stays on the
// request after the link, so the township can check the link against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { VILLAGE, step, birthForAge } from './lib/loop.mjs';

describeEachDriver('request child', (driver) => {
	let srv, grid, director, station, committee;

	before(async () => {
		srv = await startServer(driver);
		[grid, director, station, committee] = await Promise.all(['grid', 'director', 'station', 'committee'].map((u) => srv.login(u)));
	});
	after(async () => {
		await srv?.stop();
	});

	test('a grid worker does not see who a filed request was linked to when the child is outside the grid; the description stays', async () => {
		const description = '约8岁男孩';
		const filed = await grid.post('/api/v1/requests', { kind: 'medical', narrative: '需要帮助', village_code: VILLAGE, child_description: description });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		// a girl of the village, in no grid: the director's, not the grid worker's
		const name = uniqueName('关联');
		const made = await director.post('/api/v1/children', { name, sex: 'F', birth_date: birthForAge(9), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		const child = made.body;
		assert.equal(child.grid_code, null);
		assert.equal((await grid.get(`/api/v1/children/${child.id}`)).status, 404, 'the child is outside the grid');
		const linked = await step(director, id, 'link_child', { child_id: child.id });
		assert.equal(linked.child.name, name, 'the director reads the child');
		assert.equal(linked.child_description, description, 'the description stays after the link');

		const seen = await grid.get(`/api/v1/requests/${id}`);
		assert.equal(seen.status, 200, 'the filer still sees the request');
		const shown = JSON.stringify(seen.body);
		assert.ok(!shown.includes(name), `the child's name is not given: ${shown}`);
		assert.ok(!shown.includes(child.birth_date), 'nor the birth date');
		assert.ok(seen.body.child, 'that a child was linked is said');
		assert.equal(seen.body.child.withheld, true);
		for (const f of ['name', 'sex', 'birth_date', 'age']) assert.equal(seen.body.child[f], undefined, f);
		assert.equal(seen.body.follow_ups, undefined, "no follow-up visits of a child one cannot read");
		assert.equal(seen.body.child_description, description, 'the own description is still there');

		// the lists say the same
		const list = await grid.get('/api/v1/requests?limit=200');
		assert.equal(list.status, 200, list.text);
		const row = list.body.items.find((q) => q.id === id);
		assert.ok(row, 'the own request is listed');
		assert.equal(row.child.withheld, true);
		assert.ok(!JSON.stringify(row).includes(name), 'the list does not name the child');

		// the township reads the child and the description, to check the link
		const st = (await station.get(`/api/v1/requests/${id}`)).body;
		assert.equal(st.child.name, name);
		assert.equal(st.child.sex, 'F');
		assert.equal(st.child.withheld, undefined);
		assert.equal(st.child_description, description);
		// the leaders see neither
		const cm = (await committee.get(`/api/v1/requests/${id}`)).body;
		assert.equal(cm.child.name, undefined);
		assert.equal(cm.child_description, null);
	});

	test('a grid worker reads the linked child of the own grid', async () => {
		const filed = await grid.post('/api/v1/requests', { kind: 'medical', narrative: '需要帮助', village_code: VILLAGE, child_description: '网格里的孩子' });
		assert.equal(filed.status, 201, filed.text);
		const name = uniqueName('网格');
		const made = await grid.post('/api/v1/children', { name, sex: 'M', birth_date: birthForAge(8), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		await step(director, filed.body.id, 'link_child', { child_id: made.body.id });
		const seen = (await grid.get(`/api/v1/requests/${filed.body.id}`)).body;
		assert.equal(seen.child.name, name);
		assert.equal(seen.child.age, 8);
		assert.equal(seen.child_description, '网格里的孩子');
	});
});
