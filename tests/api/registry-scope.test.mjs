// What a child director finds in the registry (SPEC §1, §9): the list paged
// with the cursor, name search, ID lookup and the export never hold a child
// of another village, even one with the same name; what is masked for whom
// (ID numbers whole for the centre only, guardians' phones whole for the
// field roles and the centre, masked for a school); every read audited
// with what it showed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory, masked } from './lib/idnum.mjs';
import { csvObjects, download, importFile } from './lib/registry.mjs';

const OWN = '370831001001'; // director's village (township 370831001)
const OWN_GRID = '370831001001001'; // grid worker's grid, inside OWN
const SIBLING = '370831001002'; // same township, another village
const OTHER = '370831101201'; // director2's village, another township
const MASKED_ID = /^370831\*{8}[0-9X]{4}$/;

describeEachDriver('registry: what a director finds, masking', (driver) => {
	let srv, centre, director, ids, shared;
	const kids = {};

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
		director = await srv.login('director');
		ids = await IdFactory.fromServer(centre);
		// the same name in three villages
		shared = uniqueName('同名');
		const make = async (key, village, extra = {}) => {
			const r = await centre.post('/api/v1/children', {
				name: shared,
				id_number: ids.next(),
				village_code: village,
				guardians: [
					{ relation: 'father', name: '王大山', status: 'working_away', phone: '13812345678', work_place: '宁波' },
					{ relation: 'mother', name: '李小花', status: 'present', phone: '13987654321' },
				],
				...extra,
			});
			assert.equal(r.status, 201, `${key}: ${r.text}`);
			kids[key] = r.body;
		};
		await make('own', OWN);
		await make('sibling', SIBLING);
		await make('other', OTHER);
		await make('ownGrid', OWN, { grid_code: OWN_GRID, name: uniqueName('网格') });
		// enough children in the village (and around it) for several pages
		for (let i = 0; i < 8; i++) {
			const r = await director.post('/api/v1/children', { name: uniqueName('本村'), sex: i % 2 ? 'M' : 'F', birth_date: '2013-06-0' + (i + 1), village_code: OWN });
			assert.equal(r.status, 201, r.text);
			for (const v of [SIBLING, OTHER]) {
				const o = await centre.post('/api/v1/children', { name: uniqueName('外村'), sex: 'F', birth_date: '2013-06-0' + (i + 1), village_code: v });
				assert.equal(o.status, 201, o.text);
			}
		}
	});
	after(async () => {
		await srv?.stop();
	});

	test("paging through a director's whole list with the cursor: every child of the own village, once, and nothing else", async () => {
		const first = await director.get('/api/v1/children?limit=3');
		assert.equal(first.status, 200, first.text);
		assert.equal(typeof first.body.total, 'number');
		assert.ok(first.body.total > 3, `several pages (total ${first.body.total})`);
		const seen = [];
		let cursor = null;
		let pages = 0;
		do {
			const r = await director.get(`/api/v1/children?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			assert.ok(r.body.items.length <= 3);
			if (cursor) assert.equal(r.body.total, undefined, 'the total comes with the first page only');
			seen.push(...r.body.items);
			cursor = r.body.next_cursor;
			pages++;
			assert.ok(pages < 1000, 'the cursor ends');
		} while (cursor !== null);
		assert.equal(seen.length, first.body.total, 'as many children as the total said');
		assert.equal(new Set(seen.map((c) => c.id)).size, seen.length, 'no child twice');
		for (const c of seen) assert.equal(c.village_code, OWN, `child ${c.id} is in ${c.village_code}`);
		const got = new Set(seen.map((c) => c.id));
		assert.ok(got.has(kids.own.id) && got.has(kids.ownGrid.id));
		assert.ok(!got.has(kids.sibling.id) && !got.has(kids.other.id));
		// exactly the village as the centre sees it
		const village = await centre.listAll(`/api/v1/children?area=${OWN}`);
		assert.deepEqual(
			[...got].sort((a, b) => a - b),
			village.map((c) => c.id).sort((a, b) => a - b),
		);
	});

	test('name search finds only the own village’s child, whole name or part of it', async () => {
		for (const q of [shared, shared.slice(2), shared.slice(0, -3)]) {
			const r = await director.get(`/api/v1/children?q=${encodeURIComponent(q)}`);
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(
				r.body.items.map((c) => c.id),
				[kids.own.id],
				`q=${q}`,
			);
			assert.equal(r.body.total, 1);
		}
		// a paged search stays in scope too
		const paged = await director.listAll(`/api/v1/children?q=${encodeURIComponent(shared)}`, { limit: 1 });
		assert.deepEqual(
			paged.map((c) => c.id),
			[kids.own.id],
		);
		// the station finds its township's two, the centre all three
		const st = await (await srv.login('station')).listAll(`/api/v1/children?q=${encodeURIComponent(shared)}`);
		assert.deepEqual(st.map((c) => c.id).sort((a, b) => a - b), [kids.own.id, kids.sibling.id].sort((a, b) => a - b));
		const all = await centre.listAll(`/api/v1/children?q=${encodeURIComponent(shared)}`);
		assert.equal(all.length, 3);
		// a search for the other village by area is empty
		const area = await director.get(`/api/v1/children?area=${OTHER}&q=${encodeURIComponent(shared)}`);
		assert.deepEqual(area.body.items, []);
	});

	test('ID lookup: another village’s number finds nothing, the own one finds the child', async () => {
		for (const key of ['sibling', 'other']) {
			const r = await director.get(`/api/v1/children?id_number=${kids[key].id_number}`);
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.body.items, [], key);
			assert.equal(r.body.total, 0);
			assert.ok(!r.text.includes(shared), 'nothing about the child');
		}
		const own = await director.get(`/api/v1/children?id_number=${kids.own.id_number}`);
		assert.deepEqual(
			own.body.items.map((c) => c.id),
			[kids.own.id],
		);
		assert.equal(own.body.items[0].id_number, masked(kids.own.id_number));
		// a lower-case check character is the same number
		const withX = ids.next({ check: 'X' });
		const x = await centre.post('/api/v1/children', { name: uniqueName('X'), id_number: withX, village_code: OWN });
		assert.equal(x.status, 201, x.text);
		const lower = await director.get(`/api/v1/children?id_number=${withX.toLowerCase()}`);
		assert.deepEqual(
			lower.body.items.map((c) => c.id),
			[x.body.id],
		);
	});

	test("the director's CSV export holds the own village only, masked, and is audited with its filter", async () => {
		const total = (await director.get('/api/v1/children?limit=1')).body.total;
		const r = await director.get('/api/v1/children/export?format=csv');
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /text\/csv/);
		assert.match(r.headers.get('content-disposition'), /attachment/);
		const rows = csvObjects(r.text);
		assert.equal(rows.length, total, 'as many rows as the list');
		assert.equal(Number(r.headers.get('x-export-rows')), rows.length);
		assert.ok(rows.length > 0 && rows.every((x) => '身份证号' in x), 'the export has the ID number column');
		assert.ok(rows.some((x) => x['身份证号']), 'some exported children have an ID number');
		for (const row of rows) {
			assert.equal(row['村（社区）代码'], OWN, `row ${row['编号']}`);
			if (row['身份证号']) assert.match(row['身份证号'], MASKED_ID, `row ${row['编号']}`);
		}
		const names = rows.map((x) => x['姓名']);
		assert.ok(names.includes(shared));
		assert.equal(names.filter((n) => n === shared).length, 1, 'the other villages’ namesakes are not there');
		const byId = new Set(rows.map((x) => Number(x['编号'])));
		assert.ok(byId.has(kids.own.id) && !byId.has(kids.sibling.id) && !byId.has(kids.other.id));
		for (const k of ['sibling', 'other']) assert.ok(!r.text.includes(masked(kids[k].id_number)), `${k}'s number is not in the file`);

		// filtered by name: one row
		const q = await director.get(`/api/v1/children/export?format=csv&lang=en&q=${encodeURIComponent(shared)}`);
		assert.equal(q.status, 200, q.text);
		const qrows = csvObjects(q.text);
		assert.deepEqual(
			qrows.map((x) => Number(x.ID)),
			[kids.own.id],
		);
		assert.equal(qrows[0]['Village code'], OWN);
		assert.equal(qrows[0]['ID number'], masked(kids.own.id_number));
		assert.equal(q.headers.get('x-export-rows'), '1');
		// by ID number of another village: an empty file with its header
		const none = await director.get(`/api/v1/children/export?format=csv&id_number=${kids.other.id_number}`);
		assert.equal(none.status, 200, none.text);
		assert.equal(csvObjects(none.text).length, 0);
		assert.equal(none.headers.get('x-export-rows'), '0');
		// an XLSX export answers with the same row count
		const x = await download(director, `/api/v1/children/export?format=xlsx&q=${encodeURIComponent(shared)}`);
		assert.equal(x.status, 200);
		assert.equal(x.bytes.subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
		assert.equal(x.headers.get('x-export-rows'), '1');

		const auditor = await srv.login('auditor');
		const a = await auditor.get('/api/v1/audit?action=child.export&limit=50');
		assert.equal(a.status, 200, a.text);
		const entry = a.body.items.find((e) => e.request_id === q.headers.get('x-request-id'));
		assert.ok(entry, 'the export is in the audit log');
		assert.equal(entry.username, 'director');
		const d = JSON.parse(entry.detail);
		assert.equal(d.format, 'csv');
		assert.equal(d.name_search, true, 'the filter is recorded');
		assert.equal(d.rows, 1);
		assert.ok(!entry.detail.includes(shared), 'not the searched name itself');
	});

	test('the grid worker’s export holds the own grid only; the centre’s holds whole numbers', async () => {
		const g = await (await srv.login('grid')).get('/api/v1/children/export?format=csv');
		assert.equal(g.status, 200, g.text);
		const rows = csvObjects(g.text);
		assert.ok(rows.some((x) => Number(x['编号']) === kids.ownGrid.id));
		for (const row of rows) assert.equal(row['网格代码'], OWN_GRID);
		const c = await centre.get(`/api/v1/children/export?format=csv&q=${encodeURIComponent(shared)}`);
		const crows = csvObjects(c.text);
		assert.equal(crows.length, 3);
		const nums = crows.map((x) => x['身份证号']).sort();
		assert.deepEqual(nums, [kids.own.id_number, kids.sibling.id_number, kids.other.id_number].sort());
		// roles without exports
		for (const user of ['school', 'department', 'auditor']) {
			const r = await (await srv.login(user)).get('/api/v1/children/export?format=csv');
			assert.equal(r.status, 403, `${user}: ${r.status}`);
		}
	});

	test('masking: the director sees a masked ID and whole phones, the centre everything, a school masked phones; both reads audited', async () => {
		// a pupil of the demo school account's school (school01, in the director's township)
		const school = await srv.login('school');
		const schoolId = school.me.memberships[0].unit_id;
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('遮蔽'),
			id_number: ids.next(),
			village_code: OWN,
			school_id: schoolId,
			guardians: [
				{ relation: 'father', name: '赵强', status: 'working_away', phone: '13812345678' },
				{ relation: 'grandmother', name: '钱梅', status: 'present', phone: '05376543210' },
			],
		});
		assert.equal(r.status, 201, r.text);
		const k = r.body;
		const phones = (c) => Object.fromEntries(c.guardians.map((g) => [g.relation, [g.phone, g.phone_masked]]));

		const d = await director.get(`/api/v1/children/${k.id}`);
		assert.equal(d.status, 200, d.text);
		assert.equal(d.body.id_number, masked(k.id_number));
		assert.equal(d.body.id_number_masked, true);
		assert.ok(!d.text.includes(k.id_number), 'the whole number is nowhere in the answer');
		assert.deepEqual(phones(d.body), { father: ['13812345678', false], grandmother: ['05376543210', false] }, 'a director phones guardians');

		const c = await centre.get(`/api/v1/children/${k.id}`);
		assert.equal(c.body.id_number, k.id_number);
		assert.equal(c.body.id_number_masked, false);
		assert.deepEqual(phones(c.body), { father: ['13812345678', false], grandmother: ['05376543210', false] });

		// the audit log has exactly these two reads of the child
		const auditor = await srv.login('auditor');
		const a = await auditor.get(`/api/v1/audit?action=child.read&object_id=${k.id}`);
		assert.equal(a.status, 200, a.text);
		assert.equal(a.body.items.length, 2, JSON.stringify(a.body.items));
		const byUser = Object.fromEntries(a.body.items.map((e) => [e.username, e]));
		assert.equal(byUser.director?.request_id, d.headers.get('x-request-id'));
		assert.equal(JSON.parse(byUser.director.detail).id_number, 'masked');
		assert.equal(byUser.center?.request_id, c.headers.get('x-request-id'));
		assert.equal(JSON.parse(byUser.center.detail).id_number, 'full');
		// and how the guardians' phones were shown: whole to both (a director phones guardians)
		assert.equal(JSON.parse(byUser.director.detail).phones, 'full');
		assert.equal(JSON.parse(byUser.center.detail).phones, 'full');
		assert.ok(!a.text.includes(k.id_number) && !a.text.includes('13812345678'), 'no whole number in the audit log');

		// the school sees its pupil with masked phones and a masked ID
		const s = await school.get(`/api/v1/children/${k.id}`);
		assert.equal(s.status, 200, s.text);
		assert.equal(s.body.id_number, masked(k.id_number));
		assert.deepEqual(phones(s.body), { father: ['138****5678', true], grandmother: ['053****3210', true] });
		assert.ok(!s.text.includes('13812345678') && !s.text.includes('05376543210'), 'no whole phone number for a school');
		const sread = (await auditor.get(`/api/v1/audit?action=child.read&object_id=${k.id}&limit=1`)).body.items[0];
		assert.equal(sread.username, 'school');
		assert.deepEqual(JSON.parse(sread.detail), { id_number: 'masked', phones: 'masked' });

		// the station and the grid worker (not this child's grid) as the role table says
		const st = await (await srv.login('station')).get(`/api/v1/children/${k.id}`);
		assert.equal(st.body.id_number, masked(k.id_number));
		assert.equal(st.body.guardians[0].phone, '13812345678');
		assert.equal((await (await srv.login('grid')).get(`/api/v1/children/${k.id}`)).status, 404, 'not in the grid');
	});
	test('the child director: chosen among the village\'s directors, named to the roles of the place; a child moved to another village loses the old one', async () => {
		const [station, supervisor, grid, school, department, director2] = await Promise.all(
			['station', 'supervisor', 'grid', 'school', 'department', 'director2'].map((u) => srv.login(u)),
		);
		const me = director.me.user.id;
		const mine = await director.get(`/api/v1/areas/${OWN}/directors`);
		assert.equal(mine.status, 200, mine.text);
		const d = mine.body.items.find((x) => x.id === me);
		assert.ok(d, 'the director is one of the village\'s');
		assert.equal(d.display_name, director.me.user.display_name);
		// the roles of the place read the same list; the others do not find the village
		for (const [who, c] of [['centre', centre], ['station', station], ['supervisor', supervisor], ['grid', grid]]) {
			const r = await c.get(`/api/v1/areas/${OWN}/directors`);
			assert.equal(r.status, 200, `${who}: ${r.text}`);
			assert.deepEqual(r.body.items.map((x) => x.id), mine.body.items.map((x) => x.id), who);
		}
		for (const [who, c, village] of [['director2', director2, OWN], ['grid', grid, SIBLING], ['school', school, OWN], ['department', department, OWN], ['director', director, SIBLING]]) {
			assert.equal((await c.get(`/api/v1/areas/${village}/directors`)).status, 404, `${who} ${village}`);
		}
		// assigned when registered; another village's director is refused on the field
		const made = await director.post('/api/v1/children', { name: uniqueName('主任'), sex: 'F', birth_date: '2016-03-03', village_code: OWN, director_id: me });
		assert.equal(made.status, 201, made.text);
		assert.equal(made.body.director_id, me);
		const wrong = await station.patch(`/api/v1/children/${made.body.id}`, { version: made.body.version, director_id: director2.me.user.id });
		assert.equal(wrong.status, 422, wrong.text);
		assert.equal(wrong.body.error.field, 'director_id');
		// moved to the sibling village: the director is not the sibling's, so the child has none
		const moved = await station.patch(`/api/v1/children/${made.body.id}`, { version: made.body.version, village_code: SIBLING });
		assert.equal(moved.status, 200, moved.text);
		assert.equal(moved.body.director_id, null);
		const h = await station.get(`/api/v1/children/${made.body.id}/history`);
		const change = h.body.items.find((x) => x.field === 'director_id');
		assert.deepEqual([change?.old, change?.new], [String(me), null], JSON.stringify(h.body.items));
		// cleared by hand too
		const again = await station.patch(`/api/v1/children/${moved.body.id}`, { version: moved.body.version, village_code: OWN, director_id: me });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.body.director_id, me);
		const none = await station.patch(`/api/v1/children/${again.body.id}`, { version: again.body.version, director_id: null });
		assert.equal(none.body.director_id, null);
	});
	test('an import that names children of other areas is refused for them, and the audit counts and names them', async () => {
		// a number tried is a number found: as a refused registration is
		// audited on its own, the import's entry says which children it hit
		const csv = `姓名,身份证号,村（社区）代码\n${uniqueName('外号')},${kids.other.id_number},${OWN}\n${uniqueName('本号')},${ids.next()},${OWN}\n`;
		const { job } = await importFile(director, csv, { mode: 'rows', fileName: 'outside.csv' });
		assert.equal(job.errors, 1, JSON.stringify(job));
		assert.equal(job.created, 1, JSON.stringify(job));
		const auditor = await srv.login('auditor');
		const r = await auditor.get(`/api/v1/audit?action=child.import&object_id=${job.id}&limit=5`);
		assert.equal(r.status, 200, r.text);
		const entry = r.body.items.find((e) => e.object_id === String(job.id));
		assert.ok(entry, r.text);
		const d = JSON.parse(entry.detail);
		assert.equal(d.outside_area, 1);
		assert.deepEqual(d.outside_ids, [kids.other.id]);
		assert.ok(!entry.detail.includes(kids.other.id_number), 'no ID number in the log');
	});
	test('probing a child of another area through its pages and writes answers 404 and leaves the trail a read of its file does', async () => {
		const id = kids.other.id;
		const probes = [
			['GET', `/api/v1/children/${id}/history`, null, 'child.history'],
			['GET', `/api/v1/children/${id}/visits`, null, 'child.visits'],
			['GET', `/api/v1/children/${id}/entitlements`, null, 'child.entitlements'],
			['POST', `/api/v1/children/${id}/visits`, { kind: 'home', visited_on: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10), findings: '探查' }, 'visit.create'],
			['PATCH', `/api/v1/children/${id}`, { version: 1, notes: '探查' }, 'child.update'],
		];
		for (const [method, path, body, action] of probes) {
			const r = await director.request(method, path, body ? { json: body } : {});
			assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
		}
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=child&object_id=${id}&limit=50`);
		assert.equal(log.status, 200, log.text);
		for (const [, path, , action] of probes) {
			assert.ok(
				log.body.items.some((e) => e.action === action && e.outcome === 'not_found' && e.username === 'director'),
				`${action} (${path}) is in the log: ${JSON.stringify(log.body.items.map((e) => [e.action, e.outcome, e.username]))}`,
			);
		}
	});
});
