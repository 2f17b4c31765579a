// An import's report is downloadable as CSV and as XLSX (issue: "a report
// naming row, column and reason, downloadable as CSV/XLSX"), and it names
// the row and column of every problem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { importFile, importReport, download } from './lib/registry.mjs';
import { sheetRows, zipEntry } from './lib/xlsx.mjs';


describeEachDriver('import report downloads', (driver) => {
	let srv, centre;

	before(async () => {
		srv = await startServer(driver, { children: 50 });
		centre = await srv.bearer('center');
	});
	after(async () => {
		await srv?.stop();
	});

	test('a rejected import names row and column in the CSV and the XLSX report', async () => {
		const csv = '姓名,性别,出生日期,村（社区）代码\n甲一,男,2015-02-30,370831101201\n乙二,女,2016-01-01,370831101201\n';
		const { job } = await importFile(centre, csv, { fileName: 'bad.csv' });
		assert.equal(job.status, 'rejected');
		const rows = await importReport(centre, job.id);
		assert.deepEqual(
			rows.map((r) => [r.row, r.column, r.kind]),
			[[2, '出生日期', 'error']],
		);
		const x = await download(centre, `/api/v1/imports/${job.id}/report?format=xlsx`);
		assert.equal(x.status, 200);
		assert.match(x.headers.get('content-type'), /spreadsheetml/);
		assert.match(x.headers.get('content-disposition'), /report\.xlsx/);
		assert.equal(x.bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
		const sheet = zipEntry(x.bytes, 'xl/worksheets/sheet1.xml');
		assert.ok(sheet, 'the workbook has a first sheet');
		assert.match(sheet, /出生日期/);
		assert.match(sheet, /<v>2<\/v>/, 'row number 2 is in the sheet');
		const cells = sheetRows(x.bytes);
		assert.deepEqual(cells[0], ['行号', '列', '类型', '原因']);
		assert.deepEqual(cells[1].slice(0, 3), [2, '出生日期', '错误'], 'the kind in Chinese, as on screen');
		assert.equal(cells.length, 2);
		const bad = await centre.get(`/api/v1/imports/${job.id}/report?format=pdf`);
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'format');
	});
});
