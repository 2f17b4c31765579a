// Who sees which child (SPEC §1, §9 least privilege): a village's director
// sees and changes only children of the village; the township station its
// township; a grid worker its grid; departments (without a referral), the
// administrator, the auditor and the committee no child at all. Records
// outside the scope are "not found", never "forbidden". ID numbers are
// masked for everyone but the centre, and every read is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory, masked } from './lib/idnum.mjs';

const OWN_VILLAGE = '370831001001'; // director's
const OWN_GRID = '370831001001001'; // grid's (inside OWN_VILLAGE)
const OTHER_VILLAGE = '370831101201'; // director2's
const FAR_VILLAGE = '370831105201'; // in another township

describeEachDriver('scope', (driver) => {
	let srv, centre, director, ids;
	const kids = {}; // name -> created child (as the centre sees it)

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
		director = await srv.login('director');
		ids = await IdFactory.fromServer(centre);
		const make = async (key, client, village, extra = {}) => {
			const name = uniqueName(`范围${key}`);
			const r = await client.post('/api/v1/children', { name, id_number: ids.next(), village_code: village, ...extra });
			assert.equal(r.status, 201, `${key}: ${r.text}`);
			const full = await centre.get(`/api/v1/children/${r.body.id}`);
			kids[key] = full.body;
		};
		await make('own', director, OWN_VILLAGE);
		await make('ownGrid', centre, OWN_VILLAGE, { grid_code: OWN_GRID });
		await make('own3', director, OWN_VILLAGE);
		await make('other', await srv.login('director2'), OTHER_VILLAGE);
		await make('far', centre, FAR_VILLAGE);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a director lists only children of the own village, on every page', async () => {
		const first = await director.get('/api/v1/children?limit=2');
		assert.equal(first.status, 200);
		assert.ok(first.body.total >= 3, 'the village has the three children made for this test');
		assert.equal(first.body.items.length, 2);
		assert.notEqual(first.body.next_cursor, null, 'more than one page');
		const items = await director.listAll('/api/v1/children', { limit: 2 });
		assert.equal(items.length, first.body.total, 'paging returns as many as the total says');
		assert.equal(new Set(items.map((c) => c.id)).size, items.length, 'no child twice across pages');
		for (const c of items) assert.equal(c.village_code, OWN_VILLAGE, `child ${c.id}`);
		const seen = new Set(items.map((c) => c.id));
		assert.ok(seen.has(kids.own.id));
		assert.ok(seen.has(kids.ownGrid.id));
		assert.ok(!seen.has(kids.other.id));
		assert.ok(!seen.has(kids.far.id));
		// the centre's list shows the same village's children: the director misses none
		const all = await centre.listAll('/api/v1/children');
		const inVillage = all.filter((c) => c.village_code === OWN_VILLAGE).map((c) => c.id);
		assert.deepEqual([...seen].sort((a, b) => a - b), inVillage.sort((a, b) => a - b));
		assert.ok(all.some((c) => c.village_code !== OWN_VILLAGE), 'the county has children elsewhere');
	});

	test('the centre filters by area: a township, a village, a grid', async () => {
		const cases = [
			['370831001', (c) => c.village_code.startsWith('370831001'), [kids.own, kids.ownGrid], [kids.other, kids.far]],
			[OTHER_VILLAGE, (c) => c.village_code === OTHER_VILLAGE, [kids.other], [kids.own, kids.far]],
			[OWN_GRID, (c) => c.grid_code === OWN_GRID, [kids.ownGrid], [kids.own]],
		];
		for (const [area, inside, wanted, unwanted] of cases) {
			const items = await centre.listAll(`/api/v1/children?area=${area}`);
			for (const c of items) assert.ok(inside(c), `area ${area}: child ${c.id} in ${c.village_code}`);
			const got = new Set(items.map((c) => c.id));
			for (const k of wanted) assert.ok(got.has(k.id), `area ${area} includes child ${k.id}`);
			for (const k of unwanted) assert.ok(!got.has(k.id), `area ${area} excludes child ${k.id}`);
		}
	});

	test('a director cannot read, search for, or change a child of another village', async () => {
		for (const key of ['other', 'far']) {
			const k = kids[key];
			const get = await director.get(`/api/v1/children/${k.id}`);
			assert.equal(get.status, 404, `${key}: ${get.text}`);
			assert.equal(get.body.error.code, 'not_found');
			assert.equal((await director.get(`/api/v1/children/${k.id}/history`)).status, 404);

			const byName = await director.get(`/api/v1/children?q=${encodeURIComponent(k.name)}`);
			assert.equal(byName.status, 200);
			assert.deepEqual(byName.body.items, [], `search by name for ${key}`);
			assert.equal(byName.body.total, 0);
			const byId = await director.get(`/api/v1/children?id_number=${k.id_number}`);
			assert.equal(byId.status, 200);
			assert.deepEqual(byId.body.items, [], `search by ID number for ${key}`);
			const inArea = await director.get(`/api/v1/children?area=${k.village_code}`);
			assert.deepEqual(inArea.body.items, [], `filter by the other village (${key})`);

			const patch = await director.patch(`/api/v1/children/${k.id}`, { name: uniqueName('改'), version: k.version });
			assert.equal(patch.status, 404, `${key}: ${patch.text}`);
			const after = await centre.get(`/api/v1/children/${k.id}`);
			assert.equal(after.body.name, k.name, 'unchanged');
			assert.equal(after.body.version, k.version, 'unchanged');
		}
		// the same searches do find the director's own child
		const own = kids.own;
		const byName = await director.get(`/api/v1/children?q=${encodeURIComponent(own.name)}`);
		assert.deepEqual(
			byName.body.items.map((c) => c.id),
			[own.id],
		);
		const byId = await director.get(`/api/v1/children?id_number=${own.id_number}`);
		assert.deepEqual(
			byId.body.items.map((c) => c.id),
			[own.id],
		);
	});

	test('a director cannot register a child in another village or move one out', async () => {
		const r = await director.post('/api/v1/children', {
			name: uniqueName('越界'),
			sex: 'F',
			birth_date: '2014-04-04',
			village_code: OTHER_VILLAGE,
		});
		assert.equal(r.status, 403, r.text);
		assert.equal(r.body.error.field, 'village_code');
		const mine = await director.get(`/api/v1/children/${kids.own.id}`);
		const move = await director.patch(`/api/v1/children/${kids.own.id}`, {
			village_code: OTHER_VILLAGE,
			version: mine.body.version,
		});
		assert.equal(move.status, 403, move.text);
		const still = await centre.get(`/api/v1/children/${kids.own.id}`);
		assert.equal(still.body.village_code, OWN_VILLAGE);
	});

	test('the township station sees its township only; a grid worker its grid only', async () => {
		const station = await srv.login('station');
		const s = await station.listAll('/api/v1/children');
		assert.ok(s.length > 0);
		for (const c of s) assert.ok(c.village_code.startsWith('370831001'), `station sees ${c.village_code}`);
		const sIds = new Set(s.map((c) => c.id));
		assert.ok(sIds.has(kids.own.id));
		assert.ok(!sIds.has(kids.other.id));
		assert.equal((await station.get(`/api/v1/children/${kids.far.id}`)).status, 404);

		const grid = await srv.login('grid');
		const g = await grid.listAll('/api/v1/children');
		for (const c of g) assert.equal(c.grid_code, OWN_GRID, `grid sees child ${c.id}`);
		assert.ok(g.some((c) => c.id === kids.ownGrid.id));
		assert.equal((await grid.get(`/api/v1/children/${kids.own.id}`)).status, 404, 'same village, not in the grid');
	});

	test('a grid worker registers into the own grid and cannot move a child out of it; a move to another village leaves the old grid', async () => {
		const grid = await srv.login('grid');
		const r = await grid.post('/api/v1/children', { name: uniqueName('网格'), id_number: ids.next(), village_code: OWN_VILLAGE });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.grid_code, OWN_GRID, 'the own grid, not given');
		const away = await grid.patch(`/api/v1/children/${r.body.id}`, { version: r.body.version, village_code: FAR_VILLAGE });
		assert.equal(away.status, 403, away.text);
		assert.equal(away.body.error.field, 'village_code');
		const still = (await centre.get(`/api/v1/children/${r.body.id}`)).body;
		assert.equal(still.village_code, OWN_VILLAGE, 'not moved');
		// the station moves it to another village of the township: the grid goes with the old village
		const station = await srv.login('station');
		const moved = await station.patch(`/api/v1/children/${r.body.id}`, { version: still.version, village_code: '370831001002' });
		assert.equal(moved.status, 200, moved.text);
		assert.equal(moved.body.grid_code, null);
		assert.equal((await grid.get(`/api/v1/children/${r.body.id}`)).status, 404, 'the old grid no longer sees it');
	});

	test('a grid worker giving another grid of the own village is told the grid is outside the area, not the village', async () => {
		const grid = await srv.login('grid');
		const otherGrid = `${OWN_VILLAGE}002`;
		const known = await centre.get(`/api/v1/areas/${otherGrid}`);
		assert.equal(known.status, 200, `the demo has grid ${otherGrid}: ${known.text}`);
		const r = await grid.post('/api/v1/children', { name: uniqueName('网格'), id_number: ids.next(), village_code: OWN_VILLAGE });
		assert.equal(r.status, 201, r.text);
		const moved = await grid.patch(`/api/v1/children/${r.body.id}`, { version: r.body.version, grid_code: otherGrid });
		assert.equal(moved.status, 403, moved.text);
		assert.equal(moved.body.error.code, 'outside_scope');
		assert.equal(moved.body.error.field, 'grid_code');
		assert.match(moved.body.error.message, /grid is outside your area/);
		const made = await grid.post('/api/v1/children', { name: uniqueName('网格'), id_number: ids.next(), village_code: OWN_VILLAGE, grid_code: otherGrid });
		assert.equal(made.status, 403, made.text);
		assert.equal(made.body.error.field, 'grid_code');
		// another village is still the village's fault
		const far = await grid.post('/api/v1/children', { name: uniqueName('网格'), id_number: ids.next(), village_code: FAR_VILLAGE });
		assert.equal(far.status, 403, far.text);
		assert.equal(far.body.error.field, 'village_code');
		assert.equal((await centre.get(`/api/v1/children/${r.body.id}`)).body.grid_code, OWN_GRID, 'not moved');
	});

	for (const user of ['department', 'admin', 'auditor', 'committee', 'org']) {
		test(`${user} sees no child's file`, async () => {
			const c = await srv.login(user);
			const list = await c.get('/api/v1/children');
			assert.equal(list.status, 200, list.text);
			assert.deepEqual(list.body.items, []);
			assert.equal(list.body.total, 0);
			for (const k of Object.values(kids)) {
				const g = await c.get(`/api/v1/children/${k.id}`);
				assert.equal(g.status, 404, `${user} reading child ${k.id}`);
				const s = await c.get(`/api/v1/children?id_number=${k.id_number}`);
				if (user === 'department' || user === 'org') {
					// refused outright for a referral's holder: among its
					// referred children it would confirm a number it may not see
					assert.equal(s.status, 403, s.text);
					assert.equal(s.body.error.field, 'id_number');
				} else {
					assert.deepEqual(s.body.items, []);
				}
			}
			const q = await c.get(`/api/v1/children?q=${encodeURIComponent(kids.own.name)}`);
			assert.deepEqual(q.body.items, []);
			const w = await c.post('/api/v1/children', { name: uniqueName('无权'), sex: 'M', birth_date: '2015-01-01', village_code: OWN_VILLAGE });
			assert.equal(w.status, 403, `${user} registering a child: ${w.text}`);
		});
	}

	test('ID numbers are masked for the director and whole for the centre; both reads are audited', async () => {
		const k = kids.own;
		const d = await director.get(`/api/v1/children/${k.id}`);
		assert.equal(d.status, 200);
		assert.equal(d.body.id_number, masked(k.id_number));
		assert.match(d.body.id_number, /^370831\*{8}[0-9X]{4}$/);
		assert.equal(d.body.id_number_masked, true);
		assert.ok(!d.text.includes(k.id_number.slice(6, 14)), 'the birth digits are nowhere in the answer');
		const list = await director.get(`/api/v1/children?q=${encodeURIComponent(k.name)}`);
		assert.equal(list.body.items[0].id_number, masked(k.id_number), 'masked in lists too');
		assert.equal(list.body.items[0].id_number_masked, true);

		const c = await centre.get(`/api/v1/children/${k.id}`);
		assert.equal(c.body.id_number, k.id_number);
		assert.equal(c.body.id_number_masked, false);

		const auditor = await srv.login('auditor');
		const a = await auditor.get(`/api/v1/audit?action=child.read&object_id=${k.id}`);
		assert.equal(a.status, 200, a.text);
		for (const e of a.body.items) {
			assert.equal(e.action, 'child.read');
			assert.equal(e.object_id, String(k.id));
		}
		const dirRead = a.body.items.find((e) => e.username === 'director' && e.request_id === d.headers.get('x-request-id'));
		const cenRead = a.body.items.find((e) => e.username === 'center' && e.request_id === c.headers.get('x-request-id'));
		assert.ok(dirRead, "the director's read is in the audit log");
		assert.ok(cenRead, "the centre's read is in the audit log");
		assert.equal(dirRead.outcome, 'ok');
		assert.equal(dirRead.role, 'director');
		assert.match(dirRead.detail, /masked/);
		assert.equal(cenRead.outcome, 'ok');
		assert.match(cenRead.detail, /full/);
		assert.ok(!JSON.stringify(a.body).includes(k.id_number), 'the audit log holds no whole ID number');

		// a refused read is audited as well
		const denied = await director.get(`/api/v1/children/${kids.other.id}`);
		const b = await auditor.get(`/api/v1/audit?action=child.read&object_id=${kids.other.id}`);
		const miss = b.body.items.find((e) => e.request_id === denied.headers.get('x-request-id'));
		assert.ok(miss, 'the refused read is in the audit log');
		assert.equal(miss.username, 'director');
		assert.equal(miss.outcome, 'not_found');
	});
});
