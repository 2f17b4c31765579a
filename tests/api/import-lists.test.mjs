// The reference lists a new county imports (areas, units, accounts) as a
// clerk writes them: a first row that is not a header is data and checked
// as the rest (all rows or none), rows Excel leaves behind when a row is
// cleared (",,," or formatted empty cells) are no rows, a cell's
// surrounding spaces are not part of it, and a role the account list does
// not know is answered with the names it does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, uniqueName, cli } from './lib/harness.mjs';
import { makeXlsx } from './lib/xlsx.mjs';

describeEachDriver('import: reference lists', (driver) => {
	let srv, admin;

	before(async () => {
		srv = await startServer(driver);
		admin = await srv.login('admin');
	});
	after(async () => {
		await srv?.stop();
	});

	const post = (path, body) =>
		admin.request('POST', path, { body, headers: { 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'text/csv' } });
	const area = (code) => admin.get(`/api/v1/areas/${code}`);
	const unitCodes = async () => (await admin.get('/api/v1/units')).body.items.map((u) => u.code);

	test('an area file whose first row is bad is refused whole, naming row 1', async () => {
		const r = await post('/api/v1/areas/import', '3708311053,太平镇某村\n370831105391,太平镇新村\n');
		assert.equal(r.status, 422, r.text);
		assert.match(r.body.error.message, /^row 1: column code: not a 6\/9\/12\/15-digit area code/);
		assert.equal((await area('370831105391')).status, 404, 'the good second row was not added');

		const only = await post('/api/v1/areas/import', '3708311053,太平镇某村\n');
		assert.equal(only.status, 422, only.text);
		assert.match(only.body.error.message, /^row 1: column code/, 'the bad row, not "no rows"');

		// a header is still a header, in either language, the download's among them
		for (const [head, code] of [
			['code,name', '370831105392'],
			['代码,名称,类型', '370831105393'],
			['Code,Name,Kind', '370831105394'],
		]) {
			const ok = await post('/api/v1/areas/import', `${head}\n${code},${uniqueName('村')}\n`);
			assert.equal(ok.status, 200, `${head}: ${ok.text}`);
			assert.equal(ok.body.imported, 1, head);
		}
		// a header that names a column wrongly is said so, not taken for data
		const wrong = await post('/api/v1/areas/import', '代码,村名\n370831105399,某村\n');
		assert.equal(wrong.status, 422, wrong.text);
		assert.match(wrong.body.error.message, /^row 1: a header names the columns code,name,kind/);
	});

	test('weibao import-areas refuses a bad first row too', async () => {
		const file = join(srv.db.dir, 'first-row.csv');
		writeFileSync(file, '3708311063,某村\n370831106391,新村\n');
		const bad = await cli(srv.db, ['import-areas', file]);
		assert.equal(bad.code, 1, bad.stdout);
		assert.match(bad.stderr, /row 1: column code: not a 6\/9\/12\/15-digit area code \(nothing imported\)/);
		assert.equal((await area('370831106391')).status, 404);
	});

	test('a unit file whose first row is bad is refused whole, naming row 1', async () => {
		const r = await post('/api/v1/units/import', '小学,qa_school03,钢山街道第三小学,370831001\n学校,qa_school04,钢山街道第四小学,370831001\n');
		assert.equal(r.status, 422, r.text);
		assert.match(r.body.error.message, /^row 1: column kind: department, org or school/);
		const codes = await unitCodes();
		assert.ok(!codes.includes('qa_school03') && !codes.includes('qa_school04'), 'nothing of the file was added');

		const only = await post('/api/v1/units/import', '小学,qa_school03,钢山街道第三小学\n');
		assert.equal(only.status, 422, only.text);
		assert.match(only.body.error.message, /^row 1: column kind/);

		const ok = await post('/api/v1/units/import', 'Kind,Code,Name,Area_Code\n学校,qa_school05,钢山街道第五小学,370831001\n');
		assert.equal(ok.status, 200, ok.text);
		assert.deepEqual(ok.body, { imported: 1, renamed: 0, unchanged: 0 });
	});

	test('rows a spreadsheet leaves when a row is cleared are no rows, and cells are trimmed', async () => {
		const a = await post('/api/v1/areas/import', `code,name\n,,\n 370831107391 , ${'清'}一村 \n , \n370831107392,清二村\n,\n`);
		assert.equal(a.status, 200, a.text);
		assert.equal(a.body.imported, 2);
		assert.equal((await area('370831107391')).body.name, '清一村');

		const u = await post('/api/v1/units/import', '类型,代码,名称,所在区划\n,,,\n 学校 , qa_school06 ,第六小学, 370831001 \n,,,\n');
		assert.equal(u.status, 200, u.text);
		assert.deepEqual(u.body, { imported: 1, renamed: 0, unchanged: 0 });
		const six = (await admin.get('/api/v1/units?kind=school')).body.items.find((x) => x.code === 'qa_school06');
		assert.equal(six?.area_code, '370831001');

		const name = `zc${Date.now().toString(36)}`;
		const users = await post('/api/v1/users/import', `username,display_name,role,place\n,,,\n${name} ,清理行,儿童主任, 370831101201\n,,,\n`);
		assert.equal(users.status, 201, users.text);
		assert.deepEqual(users.body.accounts.map((x) => x.username), [name]);

		// an XLSX row of formatted empty cells (a cleared row keeps its style)
		const rows = [['code', 'name'], ['370831107393', '清三村'], [{ style: 1 }, { style: 1 }], ['370831107394', '清四村'], [' ', { style: 1 }]];
		const x = await post('/api/v1/areas/import', makeXlsx(rows, { formats: [14] }));
		assert.equal(x.status, 200, x.text);
		assert.equal(x.body.imported, 2);
	});

	test('an unknown role is answered with the roles the list takes; role codes are taken too', async () => {
		const name = `zcc${Date.now().toString(36)}`;
		const r = await post('/api/v1/users/import', `${name},中心值班,中心,370831\n`);
		assert.equal(r.status, 422, r.text);
		assert.match(r.body.error.message, /^row 1: column role: no such role/);
		for (const w of ['县未保中心', '乡镇工作站', '儿童主任', '网格员', '学校', '系统管理员', 'center', 'station', 'director', 'admin']) {
			assert.ok(r.body.error.message.includes(w), `the message names ${w}: ${r.body.error.message}`);
		}
		const ok = await post('/api/v1/users/import', `${name},中心值班,center,370831\n${name}s,泗河街道工作站,station,370831001\n`);
		assert.equal(ok.status, 201, ok.text);
		assert.deepEqual(ok.body.accounts.map((x) => x.role), ['center', 'station']);
	});
});
