// A province: one database with the demo county 370831 and a second county
// 370832 made by `weibao init`, with its own areas, units and accounts.
// Each county's users see only their county's area tree (another county's
// codes answer 404), a child's household registration in another county is
// named by the child's own answer, a refusal of another county's place
// says so and names the field, the command line neither ignores a
// --county nor misreports an existing county, and the status card counts
// the county's own audit entries (the database's labelled as such).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, cli, sql, PASSWORD } from './lib/harness.mjs';

const A = '370831';
const B = '370832';
const A_TOWNSHIP = '370831001';
const A_VILLAGE = '370831001001';
const B_TOWNSHIP = '370832001';
const B_VILLAGE = '370832001001';
const B_GRID = '370832001001001';

describeEachDriver('a province of two counties', (driver) => {
	let srv, adminA, adminB, dirB, orgB, centerA;

	before(async () => {
		srv = await startServer(driver, { children: 20 });
		const init = await cli(srv.db, ['init', '--county', B, '--county-name', '金乡县', '--admin', 'admin370832', '--password', PASSWORD]);
		assert.equal(init.code, 0, init.stderr);
		const file = join(srv.db.dir, 'areas-b.csv');
		writeFileSync(file, `code,name\n${B_TOWNSHIP},金乡街道\n${B_VILLAGE},金乡社区\n${B_GRID},金乡一网格\n`);
		const areas = await cli(srv.db, ['import-areas', file, '--county', B]);
		assert.equal(areas.code, 0, areas.stderr);
		const dir = await cli(srv.db, ['user', 'add', 'dirB', '--role', 'director', '--area', B_VILLAGE, '--password', PASSWORD]);
		assert.equal(dir.code, 0, dir.stderr);
		adminA = await srv.login('admin');
		adminB = await srv.login('admin370832');
		const org = await adminB.post('/api/v1/units', { kind: 'org', code: 'charity_b', name: '金乡县慈善会' });
		assert.equal(org.status, 201, org.text);
		const orgUser = await cli(srv.db, ['user', 'add', 'orgB', '--role', 'org', '--unit', 'org:charity_b', '--county', B, '--password', PASSWORD]);
		assert.equal(orgUser.code, 0, orgUser.stderr);
		dirB = await srv.login('dirB');
		orgB = await srv.login('orgB');
		centerA = await srv.login('center');
	});
	after(async () => {
		await srv?.stop();
	});

	test("every role reads its own county's area tree only: another county's codes answer 404", async () => {
		for (const [who, c, own, other] of [
			['dirB', dirB, B, A],
			['orgB', orgB, B, A],
			['adminB', adminB, B, A],
			['center of A', centerA, A, B],
			['admin of A', adminA, A, B],
		]) {
			const roots = await c.get('/api/v1/areas');
			assert.equal(roots.status, 200, roots.text);
			assert.deepEqual(
				roots.body.items.map((x) => x.code),
				[own],
				`${who}: the roots are the own county`,
			);
			const ownTownships = await c.get(`/api/v1/areas?parent=${own}`);
			assert.equal(ownTownships.status, 200, ownTownships.text);
			assert.ok(ownTownships.body.items.length > 0, `${who}: its own townships`);
			const otherTownship = other === A ? A_TOWNSHIP : B_TOWNSHIP;
			const otherVillage = other === A ? A_VILLAGE : B_VILLAGE;
			for (const code of [other, otherTownship, otherVillage]) {
				assert.equal((await c.get(`/api/v1/areas?parent=${code}`)).status, 404, `${who}: list under ${code}`);
				const one = await c.get(`/api/v1/areas/${code}`);
				assert.equal(one.status, 404, `${who}: ${code}`);
				assert.doesNotMatch(one.text, /泗水|金乡/, 'no name revealed');
			}
			assert.equal((await c.get(`/api/v1/areas/${own}`)).status, 200, `${who}: its own county`);
		}
		assert.equal((await dirB.get(`/api/v1/areas/${B_GRID}`)).status, 200, 'a grid of the own county');
		assert.equal((await centerA.get(`/api/v1/areas/${B_GRID}`)).status, 404, "another county's grid");
		// the download says the same as before
		const csv = await dirB.get(`/api/v1/areas?parent=${A}&format=csv`);
		assert.equal(csv.status, 422);
		assert.equal(csv.body.error.field, 'parent');
	});

	test("a child's household registration in another county is named by the child's answer", async () => {
		const id = await sql(srv.db, `SELECT MIN(id) FROM children WHERE county_code = '${A}'`);
		await sql(srv.db, `UPDATE children SET hukou_area_code = '${B_VILLAGE}' WHERE id = ${id}`);
		const r = await centerA.get(`/api/v1/children/${id}`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.hukou_area_code, B_VILLAGE);
		assert.equal(r.body.hukou_area_name, '金乡社区');
		assert.equal((await centerA.get(`/api/v1/areas/${B_VILLAGE}`)).status, 404, 'not by a look-up of the area');
	});

	test("the session names the membership's county, also for a unit's role at no area", async () => {
		const me = await orgB.get('/api/v1/me');
		assert.equal(me.status, 200, me.text);
		assert.equal(me.body.membership.area_code, '');
		assert.equal(me.body.membership.county_code, B);
		assert.equal((await dirB.get('/api/v1/me')).body.membership.county_code, B);
		assert.equal((await centerA.get('/api/v1/me')).body.membership.county_code, A);
		// the townships the project form offers orgB: its county's
		const tw = await orgB.get(`/api/v1/areas?parent=${B}`);
		assert.deepEqual(
			tw.body.items.map((x) => x.code),
			[B_TOWNSHIP],
		);
	});

	test("another county's place is refused as not this county's, naming the field", async () => {
		const unitsA = (await adminA.get('/api/v1/units')).body.items;
		const deptA = unitsA.find((u) => u.kind === 'department');
		const schoolA = unitsA.find((u) => u.kind === 'school');
		assert.ok(deptA && schoolA, 'the demo county has a department and a school');
		const center = await adminB.post('/api/v1/users', { username: 'centerX', display_name: 'x', role: 'center', area_code: A });
		assert.equal(center.status, 422, center.text);
		assert.equal(center.body.error.field, 'area_code');
		assert.equal(center.body.error.message, 'area_code must be an area of this county');
		const dir = await adminB.post('/api/v1/users', { username: 'dirX', display_name: 'x', role: 'director', area_code: A_VILLAGE });
		assert.equal(dir.status, 422, dir.text);
		assert.equal(dir.body.error.message, 'area_code must be an area of this county');
		const dept = await adminB.post('/api/v1/users', { username: 'deptX', display_name: 'x', role: 'department', unit_id: deptA.id });
		assert.equal(dept.status, 422, dept.text);
		assert.equal(dept.body.error.field, 'unit_id');
		assert.equal(dept.body.error.message, 'unit_id must be a unit of this county');
		// the own county's wrong level still says what the role needs
		const level = await adminB.post('/api/v1/users', { username: 'centerY', display_name: 'x', role: 'center', area_code: B_TOWNSHIP });
		assert.equal(level.body.error.message, 'this role needs the code of a county');
		// an import row naming another county's school
		const imp = await adminB.request('POST', '/api/v1/users/import', {
			body: `username,display_name,role,place\nschoolX,老师,school,${schoolA.code}\n`,
			headers: { 'content-type': 'text/csv' },
		});
		assert.equal(imp.status, 422, imp.text);
		assert.match(imp.body.error.message, new RegExp(`column place: ${schoolA.code} is not a school code of this county`));
		assert.equal(Number(await sql(srv.db, "SELECT COUNT(*) FROM users WHERE username IN ('centerX', 'dirX', 'deptX', 'schoolX')")), 0);
	});

	test('the status card counts the county\'s own audit entries; the database\'s are labelled so', async () => {
		for (const [c, county] of [
			[adminB, B],
			[adminA, A],
		]) {
			const r = await c.get('/api/v1/system');
			assert.equal(r.status, 200, r.text);
			const own = Number(await sql(srv.db, `SELECT COUNT(*) FROM audit_log WHERE county_code = '${county}'`));
			const all = Number(await sql(srv.db, 'SELECT MAX(seq) FROM audit_log'));
			assert.equal(r.body.audit_entries, own, county);
			assert.equal(r.body.audit_entries_database, all);
			assert.ok(own < all, 'the other county has entries too');
		}
		const auditorA = await srv.login('auditor');
		const v = await auditorA.get('/api/v1/audit/verify');
		assert.equal(v.status, 200, v.text);
		assert.equal(v.body.ok, true);
		assert.equal(v.body.scope, 'database');
	});

	test('user add: a --county the area is not in is refused; without it the area names the county', async () => {
		const mix = await cli(srv.db, ['user', 'add', 'mixB', '--role', 'director', '--area', A_VILLAGE, '--county', B, '--password', PASSWORD]);
		assert.equal(mix.code, 2, mix.stdout + mix.stderr);
		assert.match(mix.stderr, /--area: area 370831001001 is in county 370831, not in county 370832/);
		assert.equal(Number(await sql(srv.db, "SELECT COUNT(*) FROM users WHERE username = 'mixB'")), 0);
		const ok = await cli(srv.db, ['user', 'add', 'dirA2', '--role', 'director', '--area', A_VILLAGE, '--password', PASSWORD]);
		assert.equal(ok.code, 0, ok.stderr);
		assert.equal(await sql(srv.db, "SELECT county_code FROM users WHERE username = 'dirA2'"), A);
		const same = await cli(srv.db, ['user', 'add', 'dirB2', '--role', 'director', '--area', B_VILLAGE, '--county', B, '--password', PASSWORD]);
		assert.equal(same.code, 0, same.stderr);
		assert.equal(await sql(srv.db, "SELECT county_code FROM users WHERE username = 'dirB2'"), B);
	});

	test('user list refuses an unknown county', async () => {
		const r = await cli(srv.db, ['user', 'list', '--county', '999999']);
		assert.equal(r.code, 2, r.stdout + r.stderr);
		assert.match(r.stderr, /--county: no county 999999/);
		const ok = await cli(srv.db, ['user', 'list', '--county', B]);
		assert.equal(ok.code, 0, ok.stderr);
		assert.match(ok.stdout, /admin370832/);
	});

	test('init: a name taken in another case is named (exit 2); an existing county is only migrated and said so', async () => {
		const centerB = await adminB.post('/api/v1/users', { username: 'centerB', display_name: '中心', role: 'center', area_code: B });
		assert.equal(centerB.status, 201, centerB.text);
		const taken = await cli(srv.db, ['init', '--county', '370883', '--county-name', '测试县', '--admin', 'CENTERB', '--password', PASSWORD]);
		assert.equal(taken.code, 2, taken.stdout + taken.stderr);
		assert.match(taken.stderr, /user name 'CENTERB' is taken by an account of county 370832 \('centerB'/);
		assert.equal(Number(await sql(srv.db, "SELECT COUNT(*) FROM areas WHERE code = '370883'")), 0);

		const users = Number(await sql(srv.db, 'SELECT COUNT(*) FROM users'));
		const again = await cli(srv.db, ['init', '--county', A, '--county-name', '别名县', '--admin', 'admin2', '--password', PASSWORD]);
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, /county 370831 泗水县 already exists, so nothing else was done/);
		assert.match(again.stdout, /--county-name 别名县 was not applied/);
		assert.doesNotMatch(again.stdout, /password/);
		assert.equal(await sql(srv.db, `SELECT name FROM areas WHERE code = '${A}'`), '泗水县');
		assert.equal(Number(await sql(srv.db, 'SELECT COUNT(*) FROM users')), users, 'no second administrator');

		const other = await cli(srv.db, ['init', '--county', B, '--admin', 'admin']);
		assert.equal(other.code, 0, other.stderr);
		assert.match(other.stdout, /county 370832 金乡县 already exists/);
		assert.doesNotMatch(other.stdout + other.stderr, /was not created/);
	});
});
