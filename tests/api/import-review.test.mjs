// The children import as a county's staff meet it (SPEC §3): a conflict
// on a long value of mixed widths (a note or a work place with digits and
// Chinese) is reported in whole characters, so the job's answer lists it
// and the report is saved on both drivers; an ID number typed with
// full-width digits (an input method's full-width mode) is the number it
// shows, and the same list in ASCII digits later finds that child; a list
// without ID numbers (a school's roster) finds the children registered
// with one by name, birth date and village instead of registering them
// again, and reports a different sex rather than taking it; an explicit
// 否 or 0 against the registry's 是 or grade is a conflict it reports, as
// for any other fact (a review thought it was read as empty: it is not).
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

	test('an ID number in full-width digits (and Ｘ) is read as the number it shows', async () => {
		const num = ids.next({ birth: '20150302', check: 'X' });
		const wide = (n) => [...n].map((ch) => (ch === 'X' ? 'ｘ' : String.fromCharCode(0xff10 + Number(ch)))).join('');
		const name = uniqueName('全角');
		const head = ['姓名', '身份证号', '村（社区）代码', '年级'];
		// with a BOM, CRLF and a cleared row at the end, as Excel saves a list
		const { job } = await importFile(centre, '\ufeff' + csvLine(head) + csvLine([name, wide(num), VILLAGE, '']) + ',,,\r\n');
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.created, 1, JSON.stringify(job.issues));
		const child = await byNumber(num);
		assert.equal(child?.name, name);
		assert.equal(child.id_number, num);
		assert.equal(child.birth_date, '2015-03-02');
		// the same child in ASCII digits: found, filled in, not registered again
		const again = (await importFile(centre, csvLine(head) + csvLine([name, num, VILLAGE, '三年级']))).job;
		assert.deepEqual([again.created, again.updated, again.errors], [0, 1, 0], JSON.stringify(again));
		// a full-width number of a wrong check character is still that error
		const wrong = wide(num.slice(0, 17)) + (num[17] === '0' ? '１' : '０');
		const bad = (await importFile(centre, csvLine(head) + csvLine([uniqueName('全角'), wrong, VILLAGE, '']))).job;
		assert.deepEqual(
			bad.issues.map((i) => [i.row, i.column, i.reason]),
			[[2, '身份证号', 'ID number check character is wrong']],
		);
	});

	test('an ID number masked with full-width asterisks (＊, a Chinese input method) is a masked number, as one masked with *', async () => {
		const num = ids.next({ birth: '20150306' });
		const head = ['姓名', '身份证号', '村（社区）代码'];
		const masked = (star) => num.slice(0, 6) + star.repeat(8) + num.slice(14);
		const { job } = await importFile(
			centre,
			csvLine(head) + csvLine([uniqueName('星号'), masked('*'), VILLAGE]) + csvLine([uniqueName('星号'), masked('＊'), VILLAGE]),
		);
		assert.equal(job.status, 'rejected', JSON.stringify(job));
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.reason]),
			[
				[2, '身份证号', 'the ID number is masked; import from a file with whole numbers'],
				[3, '身份证号', 'the ID number is masked; import from a file with whole numbers'],
			],
		);
	});

	test('a list without ID numbers finds the children registered with one, and registers none of them again', async () => {
		const num = ids.next({ birth: '20140505', sex: 'M' });
		const name = uniqueName('无号');
		const r = await centre.post('/api/v1/children', { name, id_number: num, village_code: VILLAGE });
		assert.equal(r.status, 201, r.text);
		const head = ['姓名', '性别', '出生日期', '村（社区）代码', '年级'];
		const roster = csvLine(head) + csvLine([name, '男', '2014/5/5', VILLAGE, '四年级']);
		const { job } = await importFile(centre, roster, { fileName: '学籍名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual([job.created, job.updated, job.errors], [0, 1, 0], JSON.stringify(job));
		const named = await centre.get(`/api/v1/children?q=${encodeURIComponent(name)}`);
		assert.equal(named.body.total, 1, 'one child of that name');
		const child = await byNumber(num);
		assert.equal(child.grade, '四年级');
		// the same roster again changes nothing
		const again = (await importFile(centre, roster)).job;
		assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 1], JSON.stringify(again));
		// a sex the ID number contradicts is a conflict, the registry keeps its own
		const girl = (await importFile(centre, csvLine(head) + csvLine([name, '女', '2014-05-05', VILLAGE, '四年级']))).job;
		assert.deepEqual(
			girl.issues.map((i) => [i.row, i.column, i.kind]),
			[[2, '性别', 'conflict']],
		);
		assert.equal(girl.created, 0);
		assert.equal((await byNumber(num)).sex, 'M');

		// in one file: a row with the number, then the same child without it
		const other = ids.next({ birth: '20130707', sex: 'F' });
		const name2 = uniqueName('同表');
		const both =
			csvLine(['姓名', '身份证号', '性别', '出生日期', '村（社区）代码', '年级']) +
			csvLine([name2, other, '', '', VILLAGE, '']) +
			csvLine([name2, '', '女', '2013-07-07', VILLAGE, '五年级']);
		const j3 = (await importFile(centre, both)).job;
		assert.equal(j3.status, 'done', JSON.stringify(j3));
		assert.deepEqual([j3.created, j3.updated, j3.errors], [1, 1, 0], JSON.stringify(j3));
		assert.equal((await byNumber(other)).grade, '五年级');
		assert.equal((await centre.get(`/api/v1/children?q=${encodeURIComponent(name2)}`)).body.total, 1);
	});

	test('a list with ID numbers finds the child registered without one (a newborn) and fills the number in, never registering it twice', async () => {
		const named = async (name) => (await centre.get(`/api/v1/children?q=${encodeURIComponent(name)}`)).body;
		const name = uniqueName('无号新生');
		const r = await centre.post('/api/v1/children', { name, sex: 'M', birth_date: '2016-06-01', village_code: VILLAGE });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.id_number, null);
		const num = ids.next({ birth: '20160601', sex: 'M' });
		const head = ['姓名', '身份证号', '村（社区）代码', '年级'];
		const { job } = await importFile(centre, csvLine(head) + csvLine([name, num, VILLAGE, '三年级']), { fileName: '户籍名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual([job.created, job.updated, job.errors, job.conflicts], [0, 1, 0, 0], JSON.stringify(job));
		assert.equal((await named(name)).total, 1, 'one child of that name');
		const child = await byNumber(num);
		assert.equal(child?.id, r.body.id, 'the registered child has the number now');
		assert.equal(child.id_number, num);
		assert.equal(child.grade, '三年级');
		// the number filled in is a change of the child's history, beside the file's name
		const h = (await centre.get(`/api/v1/children/${r.body.id}/history`)).body.items;
		const idLine = h.find((e) => e.field === 'id_number');
		assert.ok(idLine, JSON.stringify(h));
		assert.equal(idLine.old, null);
		assert.equal(idLine.new, num.slice(0, 6) + '********' + num.slice(14));
		assert.ok(h.some((e) => e.field === 'import' && e.new === '户籍名单.csv'), JSON.stringify(h));
		// the same list again changes nothing
		const again = (await importFile(centre, csvLine(head) + csvLine([name, num, VILLAGE, '三年级']))).job;
		assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 1], JSON.stringify(again));

		// two children without a number of that name, birth date and village: which one is not guessed
		const twin = uniqueName('无号同名');
		for (const dup of [false, true]) {
			const t = await centre.post('/api/v1/children', { name: twin, sex: 'F', birth_date: '2016-07-02', village_code: VILLAGE, ...(dup ? { duplicate_ok: true } : {}) });
			assert.equal(t.status, 201, t.text);
		}
		const twinNum = ids.next({ birth: '20160702', sex: 'F' });
		const amb = (await importFile(centre, csvLine(head) + csvLine([twin, twinNum, VILLAGE, '']))).job;
		assert.equal(amb.status, 'rejected', JSON.stringify(amb));
		assert.deepEqual(
			amb.issues.map((i) => [i.row, i.column, i.kind, i.reason]),
			[[2, '身份证号', 'error', 'ambiguous: 2 children without an ID number have this name, birth date and village; add the number on the right child\'s page']],
		);
		assert.equal((await named(twin)).total, 2, 'no third child');
		assert.equal(await byNumber(twinNum), null);
		const ambZh = await centre.get(`/api/v1/imports/${amb.id}/report`);
		assert.match(ambZh.text, /有 2 名未登记身份证号码的儿童姓名、出生日期和村（社区）都相同/);
		// row by row: the row is in error, the rest of the file is applied, still no third child
		const rows = (await importFile(centre, csvLine(head) + csvLine([twin, twinNum, VILLAGE, '']) + csvLine([uniqueName('另一'), ids.next(), VILLAGE, '']), { mode: 'rows' })).job;
		assert.deepEqual([rows.created, rows.errors], [1, 1], JSON.stringify(rows));
		assert.equal((await named(twin)).total, 2, 'no third child');

		// a child of that name, birth date and village of the other sex: not taken for this number, reported
		const girl = uniqueName('无号异性');
		const g = await centre.post('/api/v1/children', { name: girl, sex: 'F', birth_date: '2016-08-03', village_code: VILLAGE });
		assert.equal(g.status, 201, g.text);
		const boyNum = ids.next({ birth: '20160803', sex: 'M' });
		const other = (await importFile(centre, csvLine(head) + csvLine([girl, boyNum, VILLAGE, '一年级']))).job;
		assert.deepEqual(
			other.issues.map((i) => [i.row, i.column, i.kind, i.reason]),
			[[2, '身份证号', 'conflict', 'sex does not match the ID number']],
		);
		assert.deepEqual([other.created, other.updated], [0, 0], JSON.stringify(other));
		assert.equal((await named(girl)).total, 1, 'not registered again');
		assert.equal(await byNumber(boyNum), null);
		assert.equal((await centre.get(`/api/v1/children/${g.body.id}`)).body.grade ?? '', '', 'nothing of the row was taken');

		// in one file: the child without the number, then with it
		const both = uniqueName('同表补号');
		const bothNum = ids.next({ birth: '20160904', sex: 'F' });
		const j4 = (
			await importFile(
				centre,
				csvLine(['姓名', '身份证号', '性别', '出生日期', '村（社区）代码', '年级']) +
					csvLine([both, '', '女', '2016-09-04', VILLAGE, '']) +
					csvLine([both, bothNum, '', '', VILLAGE, '一年级']),
			)
		).job;
		assert.deepEqual([j4.created, j4.updated, j4.errors], [1, 1, 0], JSON.stringify(j4));
		assert.equal((await named(both)).total, 1);
		assert.equal((await byNumber(bothNum))?.grade, '一年级');
	});

	test('an explicit 否 or 0 that contradicts the registry is a reported conflict, never taken and never silent', async () => {
		const num = ids.next({ birth: '20150404' });
		const r = await centre.post('/api/v1/children', { name: uniqueName('否认'), id_number: num, village_code: VILLAGE, family_poverty: true, adopted: true, disability_grade: 2 });
		assert.equal(r.status, 201, r.text);
		const head = ['姓名', '身份证号', '村（社区）代码', '家庭经济困难', '已被收养', '残疾等级'];
		const { job } = await importFile(centre, csvLine(head) + csvLine([r.body.name, num, VILLAGE, '否', '无', '0']));
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.kind]).sort(),
			[
				[2, '残疾等级', 'conflict'],
				[2, '家庭经济困难', 'conflict'],
				[2, '已被收养', 'conflict'],
			].sort(),
		);
		// a yes-or-no fact's values as words (yes, no; 是, 否 in the report), not 1 and 0
		const reasons = Object.fromEntries(job.issues.map((i) => [i.column, i.reason]));
		assert.equal(reasons['家庭经济困难'], "the registry has family poverty 'yes', the file has 'no'; kept the registry's");
		assert.equal(reasons['已被收养'], "the registry has adopted 'yes', the file has 'no'; kept the registry's");
		const zh = await centre.get(`/api/v1/imports/${job.id}/report`);
		assert.equal(zh.status, 200);
		assert.match(zh.text, /台账中家庭经济困难为“是”，文件为“否”，保留台账信息/);
		assert.match(zh.text, /台账中已被收养为“是”，文件为“否”，保留台账信息/);
		assert.doesNotMatch(zh.text, /(家庭经济困难|已被收养),冲突,台账中为“[01]”/);
		const now = await byNumber(num);
		assert.deepEqual([now.family_poverty, now.adopted, now.disability_grade], [true, true, 2]);
		// on a child with nothing recorded (the registry's no), 否 is no change and no conflict
		const plain = ids.next({ birth: '20150405' });
		const p = await centre.post('/api/v1/children', { name: uniqueName('否认'), id_number: plain, village_code: VILLAGE });
		const j2 = (await importFile(centre, csvLine(head) + csvLine([p.body.name, plain, VILLAGE, '否', '否', '0']))).job;
		assert.deepEqual([j2.conflicts, j2.unchanged, j2.errors], [0, 1, 0], JSON.stringify(j2.issues));
	});
});
