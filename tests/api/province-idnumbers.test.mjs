// A province: one database with the demo county 370831 and a second county
// 370832. An ID number is unique within a county, not across the province:
// an import matching a listed ID number to a child registered without one
// finds the county's own child, not another county's child of that number,
// and changes nothing of the other county; a number typed on a child's page
// is not refused as a duplicate of another county's child.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, cli, sql, uniqueName, PASSWORD } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, importFile, childByIdNumber } from './lib/registry.mjs';

const B = '370832';
const A_VILLAGE = '370831101201';
const B_TOWNSHIP = '370832001';
const B_VILLAGE = '370832001001';

describeEachDriver('a province: ID numbers are matched within the county', (driver) => {
	let srv, centerA, centerB, ids;

	before(async () => {
		srv = await startServer(driver, { children: 20 });
		const init = await cli(srv.db, ['init', '--county', B, '--county-name', '金乡县', '--admin', 'admin370832', '--password', PASSWORD]);
		assert.equal(init.code, 0, init.stderr);
		const file = join(srv.db.dir, 'areas-b.csv');
		writeFileSync(file, `code,name\n${B_TOWNSHIP},金乡街道\n${B_VILLAGE},金乡社区\n`);
		const areas = await cli(srv.db, ['import-areas', file, '--county', B]);
		assert.equal(areas.code, 0, areas.stderr);
		const u = await cli(srv.db, ['user', 'add', 'centerB', '--role', 'center', '--area', B, '--password', PASSWORD]);
		assert.equal(u.code, 0, u.stderr);
		centerA = await srv.login('center');
		centerB = await srv.login('centerB');
		ids = await IdFactory.fromServer(centerA);
	});
	after(async () => {
		await srv?.stop();
	});

	test("an import matches a listed ID number to the county's own child registered without one, whatever another county holds", async () => {
		const name = uniqueName('两县同名');
		const num = ids.next({ birth: '20150505', sex: 'M' });
		// county B has a child of that name, birth date and number
		const b = await centerB.post('/api/v1/children', { name, sex: 'M', birth_date: '2015-05-05', village_code: B_VILLAGE, id_number: num });
		assert.equal(b.status, 201, b.text);
		// county A registered its child without a number
		const a = await centerA.post('/api/v1/children', { name, sex: 'M', birth_date: '2015-05-05', village_code: A_VILLAGE });
		assert.equal(a.status, 201, a.text);
		assert.equal(a.body.id_number, null);
		const head = ['姓名', '身份证号', '村（社区）代码', '年级'];
		const { job } = await importFile(centerA, csvLine(head) + csvLine([name, num, A_VILLAGE, '四年级']));
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual([job.created, job.updated, job.errors, job.conflicts], [0, 1, 0, 0], JSON.stringify(job));
		const inA = await childByIdNumber(centerA, num);
		assert.equal(inA?.id, a.body.id, "county A's child has the number now");
		assert.equal(inA.grade, '四年级');
		const inB = await childByIdNumber(centerB, num);
		assert.equal(inB?.id, b.body.id, "county B's child keeps it");
		assert.equal(inB.grade ?? '', b.body.grade ?? '', "county B's child is not touched");
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM children WHERE name = '${name}'`), '2', 'no third child');
		// the same in the other direction: B's list finds B's child, A's untouched
		const { job: jb } = await importFile(centerB, csvLine(head) + csvLine([name, num, B_VILLAGE, '五年级']));
		assert.deepEqual([jb.created, jb.updated, jb.errors], [0, 1, 0], JSON.stringify(jb));
		assert.equal((await childByIdNumber(centerA, num)).grade, '四年级');
		assert.equal((await childByIdNumber(centerB, num)).grade, '五年级');
		// and a number edited on a child's page in A is not a duplicate of B's
		const num2 = ids.next({ birth: '20150606', sex: 'F' });
		const b2 = await centerB.post('/api/v1/children', { name: uniqueName('乙'), sex: 'F', birth_date: '2015-06-06', village_code: B_VILLAGE, id_number: num2 });
		assert.equal(b2.status, 201, b2.text);
		const a2 = await centerA.post('/api/v1/children', { name: uniqueName('甲'), sex: 'F', birth_date: '2015-06-06', village_code: A_VILLAGE });
		assert.equal(a2.status, 201, a2.text);
		const p = await centerA.patch(`/api/v1/children/${a2.body.id}`, { id_number: num2, version: a2.body.version });
		assert.equal(p.status, 200, p.text);
	});
});
