// Imports as departments' lists arrive (SPEC §3): a GB18030 CSV from an
// older office system, the registry's own XLSX and CSV export read back
// (a round trip changes nothing), row-by-row mode (good rows in, bad rows
// reported) against all-or-nothing, reconciliation by ID number (a value
// that differs from the registry's is a conflict and the registry keeps
// its value; an empty fact is filled in), a director's area, and the
// report being complete once the job says it has finished.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory, make } from './lib/idnum.mjs';
import { makeXlsx } from './lib/xlsx.mjs';
import { csvLine, gb18030, importFile, importReport, startImport, childrenTotal, categoryMap, download, parseCsv, childByIdNumber } from './lib/registry.mjs';

const VILLAGE = '370831101201'; // a rural village (director2's)
const OWN = '370831001001'; // director's village

describeEachDriver('import: formats and reconciliation', (driver) => {
	let srv, centre, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const byNumber = (n, client = centre) => childByIdNumber(client, n);
	const issuesOf = (job) => job.issues.map((i) => [i.row, i.column, i.kind]);

	test('a GB18030 CSV imports with its Chinese names, words and guardians intact', async () => {
		const people = [
			{ name: '欧阳娜娜', n: ids.next({ birth: '20150304' }), father: '欧阳建国', mother: '龚䶮', fs: '外出务工', ms: '外出务工', work: '广东省东莞市' },
			{ name: '张𠮷', n: ids.next({ birth: '20120611' }), father: '张三', mother: '李四', fs: '在家', ms: '在家', work: '' },
			{ name: '褚卫蒋', n: ids.next({ birth: '20100101' }), father: '褚大', mother: '卫二', fs: '死亡', ms: '服刑', work: '' },
		];
		let text = csvLine(['姓名', '身份证号', '性别', '村（社区）代码', '户籍类型', '风险等级', '父亲姓名', '父亲状况', '父亲务工地', '母亲姓名', '母亲状况']);
		for (const p of people)
			text += csvLine([p.name, p.n, Number(p.n[16]) % 2 ? '男' : '女', VILLAGE, '农业', '中', p.father, p.fs, p.work, p.mother, p.ms]);
		const bytes = gb18030(text);
		assert.notDeepEqual(bytes, Buffer.from(text, 'utf8'), 'the file really is GB18030, not UTF-8');
		assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'not valid UTF-8');

		const { job } = await importFile(centre, bytes, { fileName: '民政名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.format, 'csv');
		assert.equal(job.created, 3);
		assert.equal(job.errors, 0);

		const a = await byNumber(people[0].n);
		assert.equal(a.name, '欧阳娜娜');
		assert.equal(a.hukou_type, 'rural');
		assert.equal(a.risk_level, 'medium');
		const g = Object.fromEntries(a.guardians.map((x) => [x.relation, x]));
		assert.equal(g.father.name, '欧阳建国');
		assert.equal(g.father.status, 'working_away');
		assert.equal(g.father.work_place, '广东省东莞市');
		assert.equal(g.mother.name, '龚䶮', 'a character outside GBK (CJK extension A)');
		assert.equal(g.mother.status, 'working_away');
		assert.equal(categoryMap(a).left_behind?.state, 'suggested', 'an imported child gets its category suggestions');

		const b = await byNumber(people[1].n);
		assert.equal(b.name, '张𠮷', 'a character outside the BMP (four bytes in GB18030)');
		assert.deepEqual(b.categories, []);
		const c = await byNumber(people[2].n);
		assert.equal(c.name, '褚卫蒋');
		assert.equal(categoryMap(c).de_facto_unsupported?.state, 'suggested', JSON.stringify(c.categories));

		// the names are searchable as text
		const q = await centre.get(`/api/v1/children?q=${encodeURIComponent('欧阳娜')}`);
		assert.ok(q.body.items.some((x) => x.id === a.id));
	});

	test("the registry's own export read back changes nothing: XLSX, and CSV with English headers", async () => {
		// a few records of every shape first: no ID number, a grid, a school, a disability, a high risk
		const made = [
			{ name: uniqueName('无证'), sex: 'M', birth_date: '2016-07-07', village_code: OWN },
			{ name: uniqueName('网格'), id_number: ids.next(), village_code: OWN, grid_code: '370831001001001', hukou_type: 'urban' },
			{ name: uniqueName('残疾'), id_number: ids.next(), village_code: VILLAGE, disability_grade: 2, disability_type: 'hearing', risk_level: 'high', grade: '小学3年级' },
		];
		for (const body of made) {
			const r = await centre.post('/api/v1/children', body);
			assert.equal(r.status, 201, r.text);
		}
		const total = await childrenTotal(centre);
		for (const q of ['format=xlsx', 'format=csv&lang=en']) {
			const x = await download(centre, `/api/v1/children/export?${q}`);
			assert.equal(x.status, 200, x.bytes.toString());
			assert.equal(Number(x.headers.get('x-export-rows')), total, q);
			const { job } = await importFile(centre, x.bytes, { fileName: `export.${q.slice(7, 11)}` });
			assert.equal(job.status, 'done', `${q}: ${JSON.stringify(job)}`);
			assert.equal(job.format, q.startsWith('format=xlsx') ? 'xlsx' : 'csv');
			assert.equal(job.rows, total, q);
			assert.equal(job.unchanged, total, `${q}: every row unchanged (${JSON.stringify(job.issues.slice(0, 5))})`);
			assert.equal(job.created, 0, q);
			assert.equal(job.updated, 0, q);
			assert.equal(job.conflicts, 0, q);
			assert.equal(job.errors, 0, q);
			assert.equal(await childrenTotal(centre), total, q);
		}
		// a director's export has masked numbers: it cannot be imported as if they were whole
		const masked = await download(await srv.bearer('director'), '/api/v1/children/export?format=xlsx');
		const { job } = await importFile(centre, masked.bytes, { fileName: 'masked.xlsx' });
		assert.equal(job.status, 'rejected', JSON.stringify(job));
		assert.equal(job.created + job.updated, 0);
		assert.ok(job.issues.some((i) => i.column === '身份证号' && /masked/.test(i.reason)), JSON.stringify(job.issues.slice(0, 3)));
	});

	// rows 2..9 of a file: good rows and every kind of bad row
	const mixedFile = (tag) => {
		const n = { a: ids.next(), b: ids.next(), c: ids.next() };
		const bad = make('20150101', 7);
		const wrongCheck = bad.slice(0, 17) + (bad[17] === '0' ? '1' : '0');
		const rows = [
			[`${tag}甲`, n.a, '', '', VILLAGE, '在家'], // 2 good
			[`${tag}乙`, '', '女', '2015-02-30', VILLAGE, ''], // 3 impossible date
			[`${tag}丙`, n.b, '', '', VILLAGE, ''], // 4 good
			[`${tag}丁`, wrongCheck, '', '', VILLAGE, ''], // 5 wrong check character
			[`${tag}戊`, n.a, '', '', VILLAGE, ''], // 6 the number of row 2 again
			[`${tag}己`, n.c, '', '', VILLAGE, '出差'], // 7 not a guardian status
			[`${tag}庚`, '', '男', '2014-05-05', VILLAGE, ''], // 8 good, no ID number
			[`${tag}辛`, '', 'X', '2014-05-05', VILLAGE, '出差'], // 9 sex, and not a guardian status: both reported
		];
		const text = csvLine(['姓名', '身份证号', '性别', '出生日期', '村（社区）代码', '父亲状况']) + rows.map(csvLine).join('');
		const expected = [
			[3, '出生日期', 'error'],
			[5, '身份证号', 'error'],
			[6, '身份证号', 'error'],
			[7, '父亲状况', 'error'],
			[9, '性别', 'error'],
			[9, '父亲状况', 'error'],
		];
		return { text, n, expected };
	};

	test('all or nothing: bad rows reject the whole file and the report names each row and column', async () => {
		const tag = uniqueName('全');
		const { text, n, expected } = mixedFile(tag);
		const before = await childrenTotal(centre);
		const { job } = await importFile(centre, text, { mode: 'all' });
		assert.equal(job.status, 'rejected', JSON.stringify(job));
		assert.equal(job.mode, 'all');
		assert.equal(job.rows, 8);
		assert.equal(job.created, 0);
		assert.equal(job.errors, 6, 'row 9 has two');
		assert.deepEqual(issuesOf(job), expected);
		assert.match(job.issues.find((i) => i.row === 6).reason, /row 2/, 'the duplicate names the first row');
		assert.equal(await childrenTotal(centre), before);
		assert.equal(await byNumber(n.a), null, 'the good rows are not imported either');
		assert.equal(await childrenTotal(centre, `q=${encodeURIComponent(tag)}`), 0);
	});

	test('row by row: the good rows are imported and the bad ones reported', async () => {
		const tag = uniqueName('逐');
		const { text, n, expected } = mixedFile(tag);
		const before = await childrenTotal(centre);
		const { job } = await importFile(centre, text, { mode: 'rows', fileName: 'mixed.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.mode, 'rows');
		assert.equal(job.created, 3);
		assert.equal(job.errors, 6);
		assert.equal(job.rows - job.created - job.updated - job.unchanged, 5, 'five rows skipped');
		assert.deepEqual(issuesOf(job), expected);
		let report = await importReport(centre, job.id);
		for (let i = 0; i < 20 && report.length === 0; i++) report = await importReport(centre, job.id);
		assert.deepEqual(
			report.map((i) => [i.row, i.column, i.kind]),
			expected,
		);
		assert.equal(await childrenTotal(centre), before + 3);
		const a = await byNumber(n.a);
		assert.equal(a.name, `${tag}甲`, 'row 2 (not row 6, which repeats its number)');
		assert.equal(a.guardians[0]?.status, 'present');
		assert.equal((await byNumber(n.b)).name, `${tag}丙`);
		assert.equal(await byNumber(n.c), null, 'row 7 was bad');
		const names = (await centre.listAll(`/api/v1/children?q=${encodeURIComponent(tag)}`)).map((c) => c.name).sort();
		assert.deepEqual(names, [`${tag}丙`, `${tag}庚`, `${tag}甲`].sort());
	});

	test('a value that differs from the registry is a conflict: the registry keeps its value; an empty fact is filled in', async () => {
		const num = ids.next({ birth: '20130909' });
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('冲突'),
			id_number: num,
			village_code: VILLAGE,
			hukou_type: 'rural',
			risk_level: 'medium',
			guardians: [
				{ relation: 'father', name: '周一', status: 'present' },
				{ relation: 'mother', name: '吴二', status: 'working_away' },
			],
		});
		assert.equal(r.status, 201, r.text);
		const c = r.body;
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码', '年级', '风险等级', '父亲姓名', '父亲状况', '母亲姓名', '母亲状况']) +
			csvLine([c.name, num, VILLAGE, '初中1年级', '高', '周一', '服刑', '吴二', '外出务工']);
		const { job } = await importFile(centre, text, { fileName: '教育局名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.created, 0);
		assert.equal(job.conflicts, 2, JSON.stringify(job.issues));
		assert.equal(job.updated, 1, 'the grade was empty: filled in');
		const byCol = Object.fromEntries(job.issues.map((i) => [i.column, i]));
		assert.equal(byCol['风险等级']?.kind, 'conflict');
		assert.equal(byCol['风险等级'].row, 2);
		assert.equal(byCol['父亲状况']?.kind, 'conflict');
		assert.match(byCol['父亲状况'].reason, /present/);

		const now = await byNumber(num);
		assert.equal(now.risk_level, 'medium', "the registry's risk level is kept");
		assert.equal(now.guardians.find((g) => g.relation === 'father').status, 'present', "the registry's guardian status is kept");
		assert.equal(now.grade, '初中1年级');
		assert.equal(now.name, c.name);
		assert.ok(!categoryMap(now).left_behind && !categoryMap(now).de_facto_unsupported, 'no category from the refused value');
		const h = await centre.get(`/api/v1/children/${c.id}/history`);
		assert.ok(h.body.items.some((e) => e.field === 'import' && e.new === '教育局名单.csv'), 'the history says which file changed it');
		// and what it changed, field by field (the grade it filled in), and nothing it kept
		assert.deepEqual(
			h.body.items.filter((e) => e.field !== 'import').map((e) => [e.field, e.old, e.new]),
			[['grade', null, '初中1年级']],
		);

		// only a conflict: nothing changes, not even the version
		const text2 =
			csvLine(['姓名', '身份证号', '村（社区）代码', '风险等级']) + csvLine([c.name, num, VILLAGE, '低']);
		const second = (await importFile(centre, text2)).job;
		assert.equal(second.status, 'done');
		assert.equal(second.conflicts, 1);
		assert.equal(second.updated, 0);
		assert.equal(second.unchanged, 1, 'a row of conflicts only leaves the record unchanged');
		assert.equal(second.created, 0);
		const after = await byNumber(num);
		assert.equal(after.version, now.version);
		assert.equal(after.risk_level, 'medium');

		// a risk level never assessed (low, the default) is filled in, and the history says so
		const num3 = ids.next({ birth: '20140303' });
		const fresh = await centre.post('/api/v1/children', { name: uniqueName('补全'), id_number: num3, village_code: VILLAGE });
		assert.equal(fresh.status, 201, fresh.text);
		const third = (await importFile(centre, csvLine(['姓名', '身份证号', '村（社区）代码', '风险等级']) + csvLine([fresh.body.name, num3, VILLAGE, '高']))).job;
		assert.equal(third.updated, 1, JSON.stringify(third));
		const h3 = (await centre.get(`/api/v1/children/${fresh.body.id}/history`)).body.items;
		assert.ok(h3.some((e) => e.field === 'risk_level' && e.old === 'low' && e.new === 'high'), JSON.stringify(h3));
	});

	test('a guardian the registry does not have yet is filled in from the file', async () => {
		const num = ids.next({ birth: '20140101' });
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('补充'),
			id_number: num,
			village_code: VILLAGE,
			hukou_type: 'rural',
			guardians: [{ relation: 'father', name: '郑三', status: 'working_away' }],
		});
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.body.categories, [], 'the mother is not recorded yet');
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码', '父亲姓名', '父亲状况', '母亲姓名', '母亲状况', '母亲电话', '母亲务工地']) +
			csvLine([r.body.name, num, VILLAGE, '郑三', '外出务工', '王四', '外出务工', '13800001111', '浙江省义乌市']);
		const { job } = await importFile(centre, text, { fileName: '妇联名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.conflicts, 0, JSON.stringify(job.issues));
		assert.equal(job.updated, 1, `the mother is an empty fact of the registry: filled in (${JSON.stringify(job)})`);
		const now = await byNumber(num);
		const mother = now.guardians.find((g) => g.relation === 'mother');
		assert.ok(mother, `the mother is recorded: ${JSON.stringify(now.guardians)}`);
		assert.equal(mother.name, '王四');
		assert.equal(mother.status, 'working_away');
		assert.equal(mother.phone, '13800001111');
		assert.equal(now.guardians.find((g) => g.relation === 'father').name, '郑三');
		assert.equal(categoryMap(now).left_behind?.state, 'suggested', 'both parents away now: left behind suggested');
	});

	test("a director imports into the own village only, and cannot touch another village's child", async () => {
		const director = await srv.bearer('director');
		const tag = uniqueName('村');
		const own = ids.next();
		const text = csvLine(['姓名', '身份证号', '村（社区）代码']) + csvLine([`${tag}1`, own, OWN]) + csvLine([`${tag}2`, ids.next(), VILLAGE]);
		const { job } = await importFile(director, text);
		assert.equal(job.status, 'rejected', JSON.stringify(job));
		assert.deepEqual(issuesOf(job), [[3, '村（社区）代码', 'error']]);
		assert.equal(await byNumber(own), null);

		// a child registered in another village, named by its number in the director's file
		const elsewhere = ids.next();
		assert.equal((await centre.post('/api/v1/children', { name: `${tag}外`, id_number: elsewhere, village_code: VILLAGE })).status, 201);
		const t2 = csvLine(['姓名', '身份证号', '村（社区）代码']) + csvLine([`${tag}外`, elsewhere, OWN]);
		const j2 = (await importFile(director, t2)).job;
		assert.equal(j2.status, 'rejected', JSON.stringify(j2));
		assert.equal(j2.created + j2.updated + j2.unchanged, 0);
		assert.deepEqual(issuesOf(j2), [[2, '身份证号', 'error']]);
		const j3 = (await importFile(director, t2, { mode: 'rows' })).job;
		assert.equal(j3.status, 'done', JSON.stringify(j3));
		assert.equal(j3.created + j3.updated + j3.unchanged, 0, 'row by row: the row is refused');
		assert.deepEqual(issuesOf(j3), [[2, '身份证号', 'error']]);
		assert.equal((await byNumber(elsewhere)).village_code, VILLAGE, 'not moved');

		// roles that do not register children cannot import
		const school = await srv.bearer('school');
		const r = await startImport(school, text);
		assert.equal(r.status, 403, r.text);
	});

	test('a file that is not a table is refused at once', async () => {
		for (const [body, why] of [
			[csvLine(['姓名', '身份证号', '村（社区）代码']), 'a header without rows'],
			[Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x00, 0x00, 0xd8]), 'neither UTF-8 nor GB18030'],
		]) {
			const r = await startImport(centre, body);
			assert.equal(r.status, 422, `${why}: ${r.status} ${r.text}`);
			assert.equal(r.body.error.field, 'file', why);
		}
		const noName = (await importFile(centre, csvLine(['身份证号', '村（社区）代码']) + csvLine([ids.next(), VILLAGE]))).job;
		assert.equal(noName.status, 'rejected');
		assert.ok(noName.issues.some((i) => i.row === 1 && i.column === '姓名'), JSON.stringify(noName.issues));
	});

	test('once the job says it has finished, its report is complete', async () => {
		// a user who sees "rejected" downloads the report at once; it must name the bad row
		let empty = 0;
		const rounds = 60;
		for (let i = 0; i < rounds; i++) {
			const text =
				csvLine(['姓名', '性别', '出生日期', '村（社区）代码']) +
				csvLine([uniqueName('报告'), '女', '2015-01-01', VILLAGE]) +
				csvLine([uniqueName('报告'), '女', '2015-13-01', VILLAGE]);
			const r = await startImport(centre, text);
			assert.equal(r.status, 202, r.text);
			let job;
			for (let k = 0; k < 2000; k++) {
				job = (await centre.get(`/api/v1/imports/${r.body.id}`)).body;
				if (job.status !== 'running') break;
			}
			assert.equal(job.status, 'rejected');
			assert.deepEqual(issuesOf(job), [[3, '出生日期', 'error']], 'the job lists the issue');
			const report = await importReport(centre, r.body.id);
			if (report.length !== 1) empty++;
		}
		assert.equal(empty, 0, `${empty} of ${rounds} reports fetched right after the final status were incomplete`);
	});
	test('a reconciliation reads dates and blanks as lists write them, matches a masked number by name and birth date, and never guesses between twins', async () => {
		const tag = uniqueName('对账');
		const reg = async (body) => {
			const r = await centre.post('/api/v1/children', { village_code: VILLAGE, ...body });
			assert.equal(r.status, 201, r.text);
			return r.body;
		};
		const num = ids.next({ birth: '20130104' });
		const a = await reg({ name: `${tag}甲`, id_number: num });
		const b = await reg({ name: `${tag}乙`, sex: 'F', birth_date: '2014-02-03' });
		await reg({ name: `${tag}丙`, sex: 'M', birth_date: '2015-06-07' });
		await reg({ name: `${tag}丙`, sex: 'M', birth_date: '2015-06-07', duplicate_ok: true });
		const masked = num.slice(0, 6) + '********' + num.slice(14);
		const list =
			csvLine(['姓名', '身份证号', '出生日期']) +
			csvLine([`${tag}甲 `, num, '2013/1/4']) + // a trailing blank and a slashed date: the same
			csvLine([`${tag}乙`, '', '2014年2月3日']) +
			csvLine([`${tag}甲`, masked, '2013.01.04']) + // masked: by name and birth date
			csvLine([`${tag}丁`, masked, '2013-01-04']) + // masked, and nobody of this name
			csvLine([`${tag}丙`, '', '2015-06-07']); // two children so named and born
		const r = await centre.request('POST', '/api/v1/reconciliations', { body: list, headers: { 'content-type': 'text/csv' } });
		assert.equal(r.status, 200, r.text);
		const rows = (g) => r.body[g].items.map((i) => [i.row, i.child_id ?? null, i.detail]);
		assert.deepEqual(rows('matched'), [
			[2, a.id, ''],
			[3, b.id, ''],
		]);
		// row 4 names child 甲 by name and birth date: found, and so named twice
		assert.deepEqual(rows('mismatched'), [[4, a.id, 'on the list again (first on row 2)']]);
		assert.deepEqual(rows('not_in_registry'), [
			[5, null, 'the ID number on the list is masked: give whole numbers'],
			[6, null, 'more than one child of this name and birth date: give the ID number'],
		]);
		// an orphans' allowance list: a child named twice, and one the registry has not confirmed as an orphan
		const orphans = csvLine(['姓名', '身份证号']) + csvLine([`${tag}甲`, num]) + csvLine([`${tag}甲`, num]);
		const o = await centre.request('POST', '/api/v1/reconciliations?category=orphan', { body: orphans, headers: { 'content-type': 'text/csv' } });
		assert.equal(o.status, 200, o.text);
		assert.deepEqual(
			o.body.mismatched.items.map((i) => [i.row, i.child_id, i.detail]),
			[
				[2, a.id, 'not confirmed in this category in the registry; '],
				[3, a.id, 'on the list again (first on row 2)'],
			],
		);
		const zh = await centre.request('POST', '/api/v1/reconciliations?category=orphan&format=csv', { body: orphans, headers: { 'content-type': 'text/csv' } });
		assert.match(zh.text, /台账中未确认为此类别/);
		assert.match(zh.text, /名单中重复（第 2 行已有该儿童）/);
		const en = await centre.request('POST', '/api/v1/reconciliations?category=orphan&format=csv&lang=en', { body: orphans, headers: { 'content-type': 'text/csv' } });
		assert.match(en.text, /not confirmed in this category in the registry\r?\n/, 'no separator left at the end of a detail');
	});

	test('a reconciliation names the rows a spreadsheet shows, after line breaks inside quoted cells too', async () => {
		const tag = uniqueName('对账行');
		const num = ids.next({ birth: '20130506' });
		const r0 = await centre.post('/api/v1/children', { village_code: VILLAGE, name: `${tag}甲`, id_number: num });
		assert.equal(r0.status, 201, r0.text);
		const list =
			csvLine(['姓名', '身份证号', '备注']) +
			csvLine([`${tag}甲`, num, '低保\n2024年起']) + // row 2, over two lines of the file
			csvLine([`${tag}乙`, ids.next(), '第一行\r\n第二行']) + // row 3: not in the registry
			csvLine([`${tag}甲`, num, '']); // row 4: named again
		const r = await centre.request('POST', '/api/v1/reconciliations', { body: list, headers: { 'content-type': 'text/csv' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.body.matched.items.map((i) => i.row), [2]);
		assert.deepEqual(r.body.not_in_registry.items.map((i) => i.row), [3]);
		assert.deepEqual(
			r.body.mismatched.items.map((i) => [i.row, i.detail]),
			[[4, 'on the list again (first on row 2)']],
		);
	});

	test('a reconciliation reads an ID number typed in full-width digits (and Ｘ/ｘ) as the number it shows, as the import does', async () => {
		const tag = uniqueName('全角对账');
		const wide = (n, x = 'Ｘ') => [...n].map((ch) => (ch === 'X' ? x : String.fromCharCode(0xff10 + Number(ch)))).join('');
		const numX = ids.next({ birth: '20130607', check: 'X' });
		const num = ids.next({ birth: '20140708' });
		const a = await centre.post('/api/v1/children', { village_code: VILLAGE, name: `${tag}甲`, id_number: numX });
		const b = await centre.post('/api/v1/children', { village_code: VILLAGE, name: `${tag}乙`, id_number: num });
		assert.equal(a.status, 201, a.text);
		assert.equal(b.status, 201, b.text);
		const list =
			csvLine(['姓名', '身份证号']) +
			csvLine([`${tag}甲`, wide(numX, 'ｘ')]) + // row 2: an input method's full-width mode, a lower-case ｘ
			csvLine([`${tag}乙`, ` ${wide(num)}\u3000`]) + // row 3: with blanks around it
			csvLine([`${tag}甲`, wide(numX)]); // row 4: the same child again
		for (const body of [list, makeXlsx(parseCsv(list))]) {
			const r = await centre.request('POST', '/api/v1/reconciliations', { body, headers: { 'content-type': 'application/octet-stream' } });
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.body.not_in_registry.items, [], JSON.stringify(r.body.not_in_registry.items));
			assert.deepEqual(
				r.body.matched.items.map((i) => [i.row, i.child_id]),
				[
					[2, a.body.id],
					[3, b.body.id],
				],
			);
			assert.deepEqual(
				r.body.mismatched.items.map((i) => [i.row, i.child_id, i.detail]),
				[[4, a.body.id, 'on the list again (first on row 2)']],
			);
		}
		// the same list in ASCII digits says the same
		const ascii = csvLine(['姓名', '身份证号']) + csvLine([`${tag}甲`, numX.toLowerCase()]) + csvLine([`${tag}乙`, num]);
		const r2 = await centre.request('POST', '/api/v1/reconciliations', { body: ascii, headers: { 'content-type': 'text/csv' } });
		assert.deepEqual(r2.body.matched.items.map((i) => [i.row, i.child_id]), [
			[2, a.body.id],
			[3, b.body.id],
		]);
	});

	test('a reconciliation reads an ID number masked with full-width asterisks (＊) as masked, matching by name and birth date', async () => {
		const tag = uniqueName('星号对账');
		const num = ids.next({ birth: '20140809' });
		const a = await centre.post('/api/v1/children', { village_code: VILLAGE, name: `${tag}甲`, id_number: num });
		assert.equal(a.status, 201, a.text);
		const masked = num.slice(0, 6) + '＊'.repeat(8) + num.slice(14);
		const list =
			csvLine(['姓名', '身份证号', '出生日期']) +
			csvLine([`${tag}甲`, masked, '2014-08-09']) + // row 2: found by name and birth date
			csvLine([`${tag}乙`, masked, '2014-08-09']); // row 3: nobody of that name
		const r = await centre.request('POST', '/api/v1/reconciliations', { body: list, headers: { 'content-type': 'text/csv' } });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.body.matched.items.map((i) => [i.row, i.child_id]), [[2, a.body.id]]);
		assert.deepEqual(
			r.body.not_in_registry.items.map((i) => [i.row, i.detail]),
			[[3, 'the ID number on the list is masked: give whole numbers']],
		);
	});

	test('a list that cannot be read names the row as a spreadsheet shows it (row, not line), in the import and the reconciliation', async () => {
		// the quoted cell of row 3 is never closed; row 2 spans two lines of the file
		const broken = '姓名,备注\n"甲\n乙",x\n"丙,y\n';
		const rec = await centre.request('POST', '/api/v1/reconciliations', { body: broken, headers: { 'content-type': 'text/csv' } });
		assert.equal(rec.status, 422, rec.text);
		assert.equal(rec.body.error.message, 'row 3: a quoted cell is not closed');
		const imp = await startImport(centre, broken);
		assert.equal(imp.status, 422, imp.text);
		assert.equal(imp.body.error.message, 'row 3: a quoted cell is not closed');
	});

	test('a reconciliation downloaded as CSV cannot carry a formula from the other department\'s list', async () => {
		const n = ids.next();
		const csv = `姓名,身份证号\n=HYPERLINK("http://x"),${n}\n-1+2,${ids.next()}\n+1+2,${ids.next()}\n@SUM(A1),${ids.next()}\n`;
		const r = await centre.request('POST', '/api/v1/reconciliations?format=csv', { body: csv, headers: { 'content-type': 'text/csv' } });
		assert.equal(r.status, 200, r.text);
		const cells = parseCsv(r.text).flat();
		assert.ok(cells.includes('\'=HYPERLINK("http://x")'), `the name is kept as text: ${r.text}`);
		assert.ok(cells.includes("'-1+2"), 'a leading minus too');
		assert.ok(cells.includes("'+1+2"), 'a leading plus');
		assert.ok(cells.includes("'@SUM(A1)"), 'a leading at sign');
		assert.ok(!cells.some((c) => /^[=+\-@]/.test(c)), 'no cell starts a formula');
	});
});
