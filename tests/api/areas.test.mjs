// The area tree (SPEC §2): browsing counties, townships and one area, and
// the administrator's CSV import, which checks the whole file before it
// writes anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, uniqueName, cli } from './lib/harness.mjs';

const TOWNSHIPS = [
	['370831001', '泗河街道'],
	['370831002', '济河街道'],
	['370831101', '泉林镇'],
	['370831102', '星村镇'],
	['370831103', '柘沟镇'],
	['370831104', '金庄镇'],
	['370831105', '苗馆镇'],
	['370831106', '中册镇'],
	['370831107', '杨柳镇'],
	['370831108', '泗张镇'],
	['370831109', '圣水峪镇'],
	['370831110', '高峪镇'],
	['370831111', '华村镇'],
];

describeEachDriver('areas', (driver) => {
	let srv, admin, director;

	before(async () => {
		srv = await startServer(driver);
		admin = await srv.login('admin');
		director = await srv.login('director');
	});
	after(async () => {
		await srv?.stop();
	});

	const importCsv = (client, csv) => client.request('POST', '/api/v1/areas/import', { body: csv, headers: { 'content-type': 'text/csv' } });

	test('GET /api/v1/areas lists the counties', async () => {
		const r = await director.get('/api/v1/areas');
		assert.equal(r.status, 200, r.text);
		const county = r.body.items.find((a) => a.code === '370831');
		assert.ok(county, r.text);
		assert.equal(county.name, '泗水县');
		assert.equal(county.level, 'county');
		for (const a of r.body.items) assert.equal(a.level, 'county');
		assert.equal((await srv.anon().get('/api/v1/areas')).status, 401, 'only for signed-in users');
	});

	test('?parent=370831 gives the 13 townships in code order', async () => {
		const r = await director.get('/api/v1/areas?parent=370831');
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(
			r.body.items.map((a) => [a.code, a.name]),
			TOWNSHIPS,
		);
		for (const a of r.body.items) {
			assert.equal(a.level, 'township');
			assert.equal(a.parent_code, '370831');
			assert.equal(a.kind, a.code.slice(6) < '100' ? 'subdistrict' : 'town', a.code);
			assert.ok(a.children > 0, `${a.name} has villages`);
		}
		assert.equal(r.body.next_cursor, null);
	});

	test('the township list pages with a cursor', async () => {
		const p1 = await director.get('/api/v1/areas?parent=370831&limit=5');
		assert.equal(p1.body.items.length, 5);
		assert.equal(p1.body.next_cursor, TOWNSHIPS[4][0], 'the cursor is the last code of the page');
		const p2 = await director.get(`/api/v1/areas?parent=370831&limit=5&cursor=${p1.body.next_cursor}`);
		assert.deepEqual(
			p2.body.items.map((a) => a.code),
			TOWNSHIPS.slice(5, 10).map(([c]) => c),
		);
	});

	test('GET /api/v1/areas/370831101 is 泉林镇 with its villages', async () => {
		const r = await director.get('/api/v1/areas/370831101');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.code, '370831101');
		assert.equal(r.body.name, '泉林镇');
		assert.equal(r.body.level, 'township');
		assert.equal(r.body.parent_code, '370831');
		const villages = await director.listAll('/api/v1/areas?parent=370831101', { limit: 1000 });
		assert.equal(r.body.children, villages.length);
		assert.ok(villages.some((v) => v.code === '370831101201'));
		for (const v of villages) assert.equal(v.level, 'village');
		for (const bad of ['370831999', '37083', 'abc', '370831101201999999']) {
			const g = await director.get(`/api/v1/areas/${bad}`);
			assert.equal(g.status, 404, bad);
		}
	});

	test('the administrator imports villages from CSV', async () => {
		const before = (await admin.get('/api/v1/areas/370831101')).body.children;
		const n1 = uniqueName('新村');
		const n2 = uniqueName('新村');
		const csv = `code,name\n370831101301,${n1}\n"370831101302","${n2}"\n`;
		const r = await importCsv(admin, csv);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.imported, 2);
		const a = await director.get('/api/v1/areas/370831101301');
		assert.equal(a.status, 200);
		assert.equal(a.body.name, n1);
		assert.equal(a.body.level, 'village');
		assert.equal(a.body.parent_code, '370831101');
		assert.equal((await director.get('/api/v1/areas/370831101302')).body.name, n2);
		assert.equal((await admin.get('/api/v1/areas/370831101')).body.children, before + 2);

		// the new village is usable at once
		const centre = await srv.bearer('center');
		const c = await centre.post('/api/v1/children', { name: uniqueName('新村儿童'), sex: 'M', birth_date: '2017-07-17', village_code: '370831101301' });
		assert.equal(c.status, 201, c.text);

		// the same file again changes nothing
		const again = await importCsv(admin, csv);
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(again.body, { imported: 0, renamed: 0, unchanged: 2 });
		assert.equal((await admin.get('/api/v1/areas/370831101')).body.children, before + 2);

		// the statistics bureau's next list renames a village and adds one:
		// the village keeps its code, and its children are shown under the new name
		const n3 = uniqueName('更名村');
		const next = await importCsv(admin, `code,name\n370831101301,${n3}\n370831101302,${n2}\n370831101303,${uniqueName('又一村')}\n`);
		assert.equal(next.status, 200, next.text);
		assert.deepEqual(next.body, { imported: 1, renamed: 1, unchanged: 1 });
		assert.equal((await director.get('/api/v1/areas/370831101301')).body.name, n3);
		const child = await centre.get(`/api/v1/children/${c.body.id}`);
		assert.equal(child.body.village_code, '370831101301');
		assert.equal(child.body.village_name, n3);
		const auditor = await srv.login('auditor');
		const log = await auditor.get('/api/v1/audit?action=area.import&limit=1');
		assert.deepEqual(JSON.parse(log.body.items[0].detail), { added: 1, renamed: 1, unchanged: 1, renamed_codes: ['370831101301'] });
	});

	test('a bad row refuses the whole file with 422 naming the row, and nothing is added', async () => {
		const csv = 'code,name\n370831102301,好村\n3708311023,坏村\n370831102302,另一个村\n';
		const r = await importCsv(admin, csv);
		assert.equal(r.status, 422, r.text);
		assert.match(r.body.error.message, /^row 3: /);
		for (const code of ['370831102301', '370831102302']) {
			const g = await admin.get(`/api/v1/areas/${code}`);
			assert.equal(g.status, 404, `${code} was not added`);
		}
		const others = {
			'a village of an unknown township': 'code,name\n370831999201,无乡村\n',
			'a code outside the county': 'code,name\n370832101201,外县村\n',
			'an empty name': 'code,name\n370831102303,\n',
			'a duplicate row': 'code,name\n370831102304,甲村\n370831102304,甲村\n',
			'an unknown kind': 'code,name,kind\n370831102305,乙村,village\n370831102306,城堡,castle\n',
			'a kind of another level': 'code,name,kind\n370831102307,丙村,town\n',
			// the rule of every name the API takes: were stored as given
			'a control character in a name': 'code,name\n370831102309,戊\u0001村\n',
			'a line break in a name': 'code,name\n370831102309,"戊\n村"\n',
			'a zero-width space in a name': 'code,name\n370831102309,戊\u200b村\n',
		};
		for (const [what, body] of Object.entries(others)) {
			const b = await importCsv(admin, body);
			assert.equal(b.status, 422, `${what}: ${b.text}`);
			assert.match(b.body.error.message, /^row \d+: /, what);
		}
		assert.equal((await admin.get('/api/v1/areas/370831102304')).status, 404);
		assert.equal((await admin.get('/api/v1/areas/370831102309')).status, 404);
		const ctl = await importCsv(admin, others['a control character in a name']);
		assert.match(ctl.body.error.message, /^row 2: column name: control or invisible characters/);
		// nor does a rename bring one in
		const rename = await importCsv(admin, 'code,name\n370831001001,\u0007花园社区\n');
		assert.equal(rename.status, 422, rename.text);
		assert.doesNotMatch((await admin.get('/api/v1/areas/370831001001')).body.name, /\u0007/);
		const castle = await importCsv(admin, others['an unknown kind']);
		assert.match(castle.body.error.message, /^row 3: column kind: a village is one of village, community/);
		assert.equal((await admin.get('/api/v1/areas/370831102305')).status, 404, 'the good row before it was not added');
		const kinds = await importCsv(admin, 'code,name,kind\n370831102308,丁社区,community\n');
		assert.equal(kinds.status, 200, kinds.text);
		assert.equal((await admin.get('/api/v1/areas/370831102308')).body.kind, 'community');
	});

	test('a new area\'s number is one of SPEC §2\'s, whatever kind the file gives it', async () => {
		const bad = [
			['code,name,kind\n370831000,零号街道,subdistrict\n', '370831000', /^row 2: column code: a township's number is 001 to 399/],
			['code,name,kind\n370831450,开发区,town\n', '370831450', /^row 2: column code: a township's number is 001 to 399/],
			['code,name\n370831450,开发区\n', '370831450', /^row 2: column code: a township's number is 001 to 399/],
			['code,name,kind\n370831102000,零号村,village\n', '370831102000', /^row 2: column code: a village's number is 001 to 999, not 000/],
		];
		for (const [csv, code, message] of bad) {
			const r = await importCsv(admin, csv);
			assert.equal(r.status, 422, `${csv}: ${r.text}`);
			assert.equal(r.body.error.field, 'line');
			assert.match(r.body.error.message, message);
			assert.equal((await admin.get(`/api/v1/areas/${code}`)).status, 404, `${code} was not added`);
		}
		const townships = (await admin.get('/api/v1/areas?parent=370831')).body.items.map((a) => a.code);
		assert.deepEqual(townships, TOWNSHIPS.map(([c]) => c));
		// the edge of the range, with its village, is added
		const ok = await importCsv(admin, 'code,name,kind\n370831399,新乡,township\n370831399201,新乡一村,village\n');
		assert.equal(ok.status, 200, ok.text);
		assert.equal((await admin.get('/api/v1/areas/370831399')).body.kind, 'township');
	});

	test('weibao import-areas adds, renames and says so', async () => {
		const file = join(srv.db.dir, 'areas.csv');
		const name = uniqueName('命令行村');
		writeFileSync(file, `code,name\n370831104301,${name}\n`);
		const first = await cli(srv.db, ['import-areas', file]);
		assert.equal(first.code, 0, first.stderr);
		assert.match(first.stdout, /imported 1 new areas, renamed 0, 0 unchanged/);
		writeFileSync(file, `code,name\n370831104301,${name}二\n`);
		const second = await cli(srv.db, ['import-areas', file]);
		assert.equal(second.code, 0, second.stderr);
		assert.match(second.stdout, /imported 0 new areas, renamed 1, 0 unchanged/);
		writeFileSync(file, `code,name\n370831104301,${name}二\n370831104302,\n`);
		const bad = await cli(srv.db, ['import-areas', file]);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /row 3: column name: empty \(nothing imported\)/);
		assert.equal((await admin.get('/api/v1/areas/370831104302')).status, 404);
	});

	test('only the administrator may import areas', async () => {
		for (const user of ['center', 'director', 'auditor']) {
			const c = await srv.bearer(user);
			const r = await importCsv(c, 'code,name\n370831103301,无权村\n');
			assert.equal(r.status, 403, `${user}: ${r.text}`);
		}
		assert.equal((await admin.get('/api/v1/areas/370831103301')).status, 404);
		const auditor = await srv.login('auditor');
		const log = (await auditor.get('/api/v1/audit?action=area.import&limit=20')).body.items.filter((e) => e.outcome === 'denied');
		assert.deepEqual(
			log.map((e) => [e.username, e.object_type]).sort(),
			[
				['auditor', 'area'],
				['center', 'area'],
				['director', 'area'],
			],
			'every refused import is in the log',
		);
	});
});
