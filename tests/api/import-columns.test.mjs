// A column the import does not know is not read — and the clerk is told:
// the import's answer, its report (CSV, in Chinese and English) and the
// command line's output name every such column, and when a required column
// is missing while the file has a column the import does not know (a typo
// such as 身分证号 for 身份证号), the missing column's error names both.
// Area and unit lists, which refuse a header they do not know whole, name
// the column they do not know.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, uniqueName, cli } from './lib/harness.mjs';
import { importFile, importReport, parseCsv, startImport } from './lib/registry.mjs';
import { make } from './lib/idnum.mjs';

const VILLAGE = '370831101201';

describeEachDriver('import: columns it does not know', (driver) => {
	let srv, centre, admin;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		admin = await srv.login('admin');
	});
	after(async () => {
		await srv?.stop();
	});

	test('an unknown column is named in the answer, the report and after the import, and the rows are imported', async () => {
		const name = uniqueName('备注');
		const csv = `姓名,身份证号,村（社区）代码,备注2,联系 电话\n${name},${make('20160304', 41)},${VILLAGE},自己的备注,13800000000\n`;
		const started = await startImport(centre, csv, { fileName: 'extra.csv' });
		assert.equal(started.status, 202, started.text);
		assert.deepEqual(started.body.ignored_columns, ['备注2', '联系 电话'], 'the answer to the upload names them at once');
		const { job } = await importFile(centre, csv, { fileName: 'extra.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual(job.ignored_columns, ['备注2', '联系 电话']);
		assert.equal(job.errors, 0, 'an ignored column is not an error');
		const again = await centre.get(`/api/v1/imports/${started.body.id}`);
		assert.equal(again.status, 200);
		assert.deepEqual(again.body.ignored_columns, ['备注2', '联系 电话'], 'kept with the import');

		const en = await importReport(centre, job.id);
		assert.deepEqual(
			en.filter((r) => r.kind === 'ignored').map((r) => [r.row, r.column, r.reason]),
			[
				[1, '备注2', 'the import does not know this column; its cells were not read'],
				[1, '联系 电话', 'the import does not know this column; its cells were not read'],
			],
		);
		const zh = await centre.get(`/api/v1/imports/${job.id}/report`);
		const rows = parseCsv(zh.text.replace(/^\uFEFF/, ''));
		assert.deepEqual(rows[1], ['1', '备注2', '忽略', '导入不认识这一列，其内容未读取']);

		// a file whose every column is known: nothing named
		const plain = await importFile(centre, `姓名,身份证号,村（社区）代码\n${uniqueName('无')},${make('20160305', 42)},${VILLAGE}\n`);
		assert.deepEqual(plain.job.ignored_columns, []);
		assert.deepEqual((await importReport(centre, plain.job.id)).filter((r) => r.kind === 'ignored'), []);
	});

	test('a missing required column with a look-alike unknown one: the error names both', async () => {
		const csv = `姓名,身分证号,村（社区）代码\n${uniqueName('错列')},${make('20160306', 43)},${VILLAGE}\n`;
		const { job } = await importFile(centre, csv, { fileName: 'typo.csv' });
		assert.equal(job.status, 'rejected');
		assert.deepEqual(job.ignored_columns, ['身分证号']);
		const err = job.issues.find((i) => i.kind === 'error');
		assert.equal(err.column, '身份证号');
		assert.match(err.reason, /^the file needs an ID number column, or sex and birth date columns; the file has a column the import does not know, '身分证号': is it meant to be 身份证号\?$/);
		const zh = parseCsv((await centre.get(`/api/v1/imports/${job.id}/report`)).text.replace(/^\uFEFF/, ''));
		const line = zh.find((r) => r[2] === '错误');
		assert.equal(line[3], '文件需要身份证号码列，或性别和出生日期列；文件中有导入不认识的列“身分证号”，是否就是“身份证号”？');

		// of several unknown columns, the one that looks like the missing one
		const two = `姓名,备注2,村社区代码,出生日期,性别\n${uniqueName('二')},x,${VILLAGE},2016-03-07,女\n`;
		const r2 = (await importFile(centre, two, { fileName: 'two.csv' })).job;
		assert.equal(r2.status, 'rejected');
		const e2 = r2.issues.find((i) => i.column === '村（社区）代码');
		assert.match(e2.reason, /^the file has no village code column \(村（社区）代码\); the file has a column the import does not know, '村社区代码': is it meant to be 村（社区）代码\?$/);
		// none looks like it: every unknown column is named
		const none = `姓名,备注2,身份证号\n${uniqueName('三')},x,${make('20160308', 44)}\n`;
		const r3 = (await importFile(centre, none, { fileName: 'none.csv' })).job;
		const e3 = r3.issues.find((i) => i.column === '村（社区）代码');
		assert.match(e3.reason, /the file has a column the import does not know, '备注2': is it meant to be 村（社区）代码\?$/);
	});

	test('weibao import names the columns it did not read and the look-alike of a missing one', async () => {
		const file = join(srv.db.dir, 'cli-extra.csv');
		writeFileSync(file, `姓名,身份证号,村（社区）代码,备注2\n${uniqueName('命令')},${make('20160309', 45)},${VILLAGE},x\n`);
		const r = await cli(srv.db, ['import', file, '--report', join(srv.db.dir, 'cli-extra-report.csv')]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /columns not read \(the import does not know them\): "备注2"/);
		const { readFileSync } = await import('node:fs');
		const report = parseCsv(readFileSync(join(srv.db.dir, 'cli-extra-report.csv'), 'utf8').replace(/^\uFEFF/, ''));
		assert.deepEqual(report[1], ['1', '备注2', 'ignored', 'the import does not know this column; its cells were not read']);

		const typo = join(srv.db.dir, 'cli-typo.csv');
		writeFileSync(typo, `姓名,身分证号,村（社区）代码\n${uniqueName('命令')},${make('20160310', 46)},${VILLAGE}\n`);
		const bad = await cli(srv.db, ['import', typo]);
		assert.equal(bad.code, 1, bad.stdout);
		assert.match(bad.stdout, /REJECTED/);
		assert.match(bad.stdout, /'身分证号': is it meant to be 身份证号\?/);
	});

	test('weibao import --report keeps a column name with a comma or a quote in one cell', async () => {
		const { readFileSync } = await import('node:fs');
		const file = join(srv.db.dir, 'cli-quoted.csv');
		const reportFile = join(srv.db.dir, 'cli-quoted-report.csv');
		writeFileSync(file, `姓名,身份证号,村（社区）代码,"备注,甲","说""明"\n${uniqueName('引号')},${make('20160311', 47)},${VILLAGE},x,y\n`);
		const r = await cli(srv.db, ['import', file, '--report', reportFile]);
		assert.equal(r.code, 0, r.stderr);
		const report = parseCsv(readFileSync(reportFile, 'utf8').replace(/^\uFEFF/, ''));
		assert.deepEqual(report[0], ['row', 'column', 'kind', 'reason']);
		const reason = 'the import does not know this column; its cells were not read';
		assert.deepEqual(report.slice(1).filter((row) => row.some((c) => c !== '')), [
			['1', '备注,甲', 'ignored', reason],
			['1', '说"明', 'ignored', reason],
		]);
	});

	test('an area or unit list whose header has a column it does not know names that column', async () => {
		const post = (path, body) => admin.request('POST', path, { body, headers: { 'content-type': 'text/csv' } });
		const areas = await post('/api/v1/areas/import', '代码,名称,备注\n370831105398,某村,x\n');
		assert.equal(areas.status, 422, areas.text);
		assert.match(areas.body.error.message, /^row 1: a header names the columns code,name,kind .*; its column 3, '备注', is not one of them$/);
		const units = await post('/api/v1/units/import', '类型,代码,名称,所在区划,联系人\n学校,qa_col_school,某小学,370831001\n');
		assert.equal(units.status, 422, units.text);
		assert.match(units.body.error.message, /its column 5, '联系人', is not one of them$/);
	});
});
