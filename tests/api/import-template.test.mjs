// The import template (GET /api/v1/imports/template): the header row of
// every column the children import reads, in its order, named as it reads
// them, as XLSX (every column text, so an ID number keeps its digits) or
// CSV; filled with one row it imports, guardians' statuses included, and
// the left-behind category follows from them (with the household
// registration, also a column of the template).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, download, importFile, parseCsv } from './lib/registry.mjs';
import { makeXlsx, sheetRows, zipEntry } from './lib/xlsx.mjs';

const VILLAGE = '370831001001'; // the director's

describeEachDriver('import: the template', (driver) => {
	let srv, director, centre, ids, fields;

	before(async () => {
		srv = await startServer(driver);
		director = await srv.bearer('director');
		centre = await srv.bearer('center');
		ids = await IdFactory.fromServer(centre);
		fields = (await centre.get('/api/v1/imports/fields')).body.fields;
	});
	after(async () => {
		await srv?.stop();
	});

	test('the template names every column the import reads, in its order, as it reads them', async () => {
		const x = await download(director, '/api/v1/imports/template');
		assert.equal(x.status, 200);
		assert.match(x.headers.get('content-disposition'), /filename="children-import-template\.xlsx"/);
		const rows = sheetRows(x.bytes);
		assert.equal(rows.length, 1, 'the header alone: no example row to import by mistake');
		assert.deepEqual(
			rows[0],
			fields.map((f) => f.headers[0]),
		);
		for (const h of ['姓名', '身份证号', '村（社区）代码', '父亲状况', '父亲电话', '母亲状况', '母亲电话']) assert.ok(rows[0].includes(h), h);
		// every column is text: what is typed in stays as typed
		const styles = zipEntry(x.bytes, 'xl/styles.xml');
		assert.match(styles, /numFmtId="49"/, 'a text (@) cell format');
		assert.match(zipEntry(x.bytes, 'xl/worksheets/sheet1.xml'), new RegExp(`<col min="1" max="${fields.length}"[^>]*style="\\d+"`));

		const c = await download(director, '/api/v1/imports/template?format=csv');
		assert.equal(c.status, 200);
		assert.match(c.headers.get('content-disposition'), /filename="children-import-template\.csv"/);
		const lines = parseCsv(c.bytes.toString('utf8').replace(/^\uFEFF/, ''));
		assert.deepEqual(lines, [rows[0]]);
		const en = await download(director, '/api/v1/imports/template?format=csv&lang=en');
		assert.deepEqual(
			parseCsv(en.bytes.toString('utf8').replace(/^\uFEFF/, '')),
			[fields.map((f) => f.field)],
		);
		assert.equal((await download(director, '/api/v1/imports/template?format=pdf')).status, 422);
		assert.equal((await download(srv.anon(), '/api/v1/imports/template')).status, 401);
	});

	test('the template filled with one row imports it, with the left-behind category its guardians make', async () => {
		const head = sheetRows((await download(director, '/api/v1/imports/template')).bytes)[0];
		const n = ids.next({ birth: '20160707' });
		const name = uniqueName('模板');
		const values = { 姓名: name, 身份证号: n, '村（社区）代码': VILLAGE, 户籍类型: '农业', 父亲姓名: '周七', 父亲状况: '外出务工', 父亲电话: '138-0013-8007', 母亲姓名: '吴八', 母亲状况: '外出务工' };
		const row = head.map((h) => values[h] ?? '');
		for (const [file, body] of [
			['template.csv', csvLine(head) + csvLine(row)],
			['template.xlsx', makeXlsx([head, row.map((v) => v)])],
		]) {
			const { job } = await importFile(director, body, { fileName: file });
			assert.equal(job.status, 'done', `${file}: ${JSON.stringify(job)}`);
			assert.deepEqual(job.issues, [], file);
			assert.equal(job.created + job.unchanged, 1, file);
		}
		const list = await centre.get(`/api/v1/children?id_number=${n}`);
		const child = (await centre.get(`/api/v1/children/${list.body.items[0].id}`)).body;
		assert.equal(child.name, name);
		const g = Object.fromEntries(child.guardians.map((x) => [x.relation, x]));
		assert.equal(g.father.status, 'working_away');
		assert.equal(g.father.phone, '13800138007');
		assert.ok(
			child.categories.some((c) => c.category === 'left_behind'),
			`left behind: ${JSON.stringify(child.categories)}`,
		);
	});
});
