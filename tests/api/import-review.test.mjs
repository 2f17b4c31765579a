// The children import as a county's staff meet it (SPEC §3): a conflict
// on a long value of mixed widths (a note or a work place with digits and
// Chinese) is reported in whole characters, so the job's answer lists it
// and the report is saved on both drivers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, importFile, importReport, childByIdNumber } from './lib/registry.mjs';

const VILLAGE = '370831101201';

describeEachDriver('import: as the staff use it', (driver) => {
	let srv, centre, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const byNumber = (n) => childByIdNumber(centre, n);

	test('a conflict on a long value of mixed widths is reported in whole characters, listed and saved', async () => {
		const num = ids.next({ birth: '20150301' });
		const name = uniqueName('长注');
		const head = ['姓名', '身份证号', '村（社区）代码', '备注', '父亲姓名', '父亲状况', '父亲务工地'];
		// one byte, then characters of three: the 60th byte is inside one
		const note = `2023年${'随母亲外出'.repeat(6)}`;
		const work = `浙江省义乌市1号${'路'.repeat(30)}`;
		const first = await importFile(centre, csvLine(head) + csvLine([name, num, VILLAGE, note, '王五', '外出务工', work]));
		assert.equal(first.job.created, 1, JSON.stringify(first.job));
		const other = csvLine(head) + csvLine([name, num, VILLAGE, `2024年${'回家'.repeat(20)}`, '王五', '外出务工', `江苏省苏州市2号${'街'.repeat(30)}`]);
		const { job } = await importFile(centre, other, { fileName: '妇联名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.conflicts, 2);
		// every conflict is in the answer (a reason that was no UTF-8 left it)
		assert.deepEqual(job.issues.map((i) => [i.row, i.column, i.kind]).sort(), [
			[2, '备注', 'conflict'],
			[2, '父亲务工地', 'conflict'],
		]);
		const noteIssue = job.issues.find((i) => i.column === '备注');
		assert.ok(noteIssue.reason.startsWith(`the registry has '2023年随母亲外出`), noteIssue.reason);
		assert.match(noteIssue.reason, /…', the file has '2024年回家/);
		assert.doesNotMatch(noteIssue.reason, /\ufffd/);
		// the report is saved whole (PostgreSQL refused it, and the import stayed "running")
		assert.equal(await sql(srv.db, `SELECT status || ' ' || conflicts FROM imports WHERE id = ${job.id}`), 'done 2');
		const report = await importReport(centre, job.id);
		assert.deepEqual(
			report.map((i) => [i.row, i.column, i.kind, i.reason]).sort(),
			job.issues.map((i) => [i.row, i.column, i.kind, i.reason]).sort(),
		);
		const zh = await centre.get(`/api/v1/imports/${job.id}/report`);
		assert.equal(zh.status, 200);
		assert.match(zh.text, /台账中为“浙江省义乌市1号路+…”，文件为“江苏省苏州市2号街+…”，保留台账信息/);
		// the registry kept its values
		const now = await byNumber(num);
		assert.equal(now.notes, note);
		assert.equal(now.guardians.find((g) => g.relation === 'father').work_place, work);
	});
});
