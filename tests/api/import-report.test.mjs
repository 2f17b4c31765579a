// An import's report is downloadable as CSV and as XLSX (issue: "a report
// naming row, column and reason, downloadable as CSV/XLSX"), and it names
// the row and column of every problem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { importFile, importReport, download, parseCsv } from './lib/registry.mjs';
import { sheetRows, zipEntry } from './lib/xlsx.mjs';
import { make } from './lib/idnum.mjs';


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
		assert.equal(cells[1][3], '出生日期应为有效日期，写作 2016-03-05、2016-3-5、2016/3/5、2016.03.05 或 2016年3月5日（其后的时间不计）', 'the reason in Chinese, as on screen');
		assert.equal(cells.length, 2);
		const bad = await centre.get(`/api/v1/imports/${job.id}/report?format=pdf`);
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'format');
	});

	test('a file refused whole is audited as rejected with its reason, not as a failure of the server', async () => {
		const auditor = await srv.login('auditor');
		const entryOf = async (job) => {
			const log = await auditor.get('/api/v1/audit?action=child.import&limit=50');
			assert.equal(log.status, 200, log.text);
			const e = log.body.items.find((x) => x.object_id === String(job.id));
			assert.ok(e, `an entry for import ${job.id}`);
			return { outcome: e.outcome, detail: JSON.parse(e.detail) };
		};
		// rows in error, all or nothing
		const rows = await importFile(centre, '姓名,性别,出生日期,村（社区）代码\n甲,男,2015-02-30,370831101201\n乙,女,2015-02-31,370831101201\n');
		assert.equal(rows.job.status, 'rejected');
		const a = await entryOf(rows.job);
		assert.equal(a.outcome, 'rejected');
		assert.equal(a.detail.reason, '2 errors in the file; nothing was imported');
		assert.equal(a.detail.errors, 2);
		// a header without the name column
		const header = await importFile(centre, '名字,性别,出生日期,村（社区）代码\n甲,男,2015-02-01,370831101201\n');
		assert.equal(header.job.status, 'rejected');
		const b = await entryOf(header.job);
		assert.equal(b.outcome, 'rejected');
		assert.equal(b.detail.reason, '1 error in the file; nothing was imported');
		// an import that is done stays ok, without a reason
		const fine = await importFile(centre, `姓名,性别,出生日期,村（社区）代码\n${'审计' + Date.now()},男,2015-02-01,370831101201\n`);
		assert.equal(fine.job.status, 'done', JSON.stringify(fine.job));
		const c = await entryOf(fine.job);
		assert.equal(c.outcome, 'ok');
		assert.equal(c.detail.reason, undefined);
	});

	test('the Chinese report says every reason in Chinese: a missing column by its header, a row repeated, a bad word', async () => {
		const [n, n2, n3] = [make('20150101', 11), make('20150102', 12), make('20150103', 13)];
		const csv =
			'姓名,身份证号,村（社区）代码,父亲姓名,家庭困难\n' +
			`丙三,${n},370831101201,,是\n` +
			`丁四,${n},370831101201,,否\n` +
			`戊五,${n2},370831101201,王五,是\n` +
			`己六,${n3},370831101201,,也许\n`;
		const { job } = await importFile(centre, csv, { fileName: 'words.csv' });
		assert.equal(job.status, 'rejected');
		const english = await importReport(centre, job.id);
		const r = await centre.get(`/api/v1/imports/${job.id}/report`);
		assert.equal(r.status, 200, r.text);
		const rows = parseCsv(r.text.replace(/^\uFEFF/, ''));
		assert.deepEqual(rows[0], ['行号', '列', '类型', '原因']);
		assert.equal(rows.length - 1, english.length);
		for (const row of rows.slice(1)) {
			assert.doesNotMatch(row[3], /[a-z]{3}/, `a reason in English: ${row}`);
			assert.doesNotMatch(row[1], /^[a-z_]+$/, `a column by its code: ${row}`);
		}
		const text = rows.map((x) => x.join('|')).join('\n');
		assert.match(text, /父亲状况/, 'the missing status column, by its header');
		assert.match(text, /与本文件第 2 行的身份证号码重复/);
		assert.match(text, /应填“是”或“否”/);
	});
});
