// An import's report is downloadable as CSV and as XLSX (issue: "a report
// naming row, column and reason, downloadable as CSV/XLSX"), and it names
// the row and column of every problem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { importFile, importReport, download } from './lib/registry.mjs';

/** The text of one entry of a zip archive (local headers, no zip64). */
function zipEntry(bytes, name) {
	for (let at = 0; at + 30 <= bytes.length; ) {
		if (bytes.readUInt32LE(at) !== 0x04034b50) break;
		const method = bytes.readUInt16LE(at + 8);
		let size = bytes.readUInt32LE(at + 18);
		const nameLen = bytes.readUInt16LE(at + 26);
		const extraLen = bytes.readUInt16LE(at + 28);
		const entry = bytes.subarray(at + 30, at + 30 + nameLen).toString('utf8');
		const start = at + 30 + nameLen + extraLen;
		const flags = bytes.readUInt16LE(at + 6);
		if (flags & 8) {
			// sizes follow the data: find the next data descriptor signature
			let end = start;
			while (end + 4 <= bytes.length && bytes.readUInt32LE(end) !== 0x08074b50) end++;
			size = end - start;
		}
		const data = bytes.subarray(start, start + size);
		if (entry === name) return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
		at = start + size + (flags & 8 ? 16 : 0);
	}
	return null;
}

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
		const bad = await centre.get(`/api/v1/imports/${job.id}/report?format=pdf`);
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'format');
	});
});
