// How the children import treats rows as departments' lists hold them
// (SPEC §3: reconcile by ID number, report conflicts, never silently
// overwrite a confirmed fact): an adult on a roster is skipped and
// reported, not registered and not an error; a guardian's different name,
// phone or work place is a conflict; what the import changes of the
// guardians is in the child's history as a PATCH records it; birth dates
// as lists write them (2016/3/5, 2016年3月5日, an Excel date cell); a row
// of an archived child is one error that shows nothing of the record; and
// the Chinese report says household registrations in words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory, make } from './lib/idnum.mjs';
import { bornYearsBefore, compact, csvLine, download, importFile, importReport, parseCsv, childByIdNumber } from './lib/registry.mjs';
import { excelSerial, makeXlsx } from './lib/xlsx.mjs';

const VILLAGE = '370831101201';
const OWN = '370831001001'; // director's village, township 370831001 (station)

describeEachDriver('import: rows as departments write them', (driver) => {
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
	const chineseReport = async (id, client = centre) => {
		const r = await client.get(`/api/v1/imports/${id}/report`);
		assert.equal(r.status, 200, r.text);
		return parseCsv(r.text.replace(/^\uFEFF/, '')).slice(1);
	};

	test('an adult on a roster is skipped and reported, not registered, and does not reject the file', async () => {
		const tag = uniqueName('名册');
		const minor = ids.next({ birth: '20150505' });
		const adult = make(compact(bornYearsBefore(19)), 21);
		const text =
			csvLine(['姓名', '身份证号', '性别', '出生日期', '村（社区）代码']) +
			csvLine([`${tag}少`, minor, '', '', VILLAGE]) +
			csvLine([`${tag}成`, adult, '', '', VILLAGE]) +
			csvLine([`${tag}无号`, '', '男', bornYearsBefore(20), VILLAGE]);
		for (const mode of ['all', 'rows']) {
			const { job } = await importFile(centre, text, { mode, fileName: `roster-${mode}.csv` });
			assert.equal(job.status, 'done', `${mode}: ${JSON.stringify(job)}`);
			assert.equal(job.errors, 0, mode);
			assert.equal(job.skipped, 2, mode);
			assert.equal(job.created, mode === 'all' ? 1 : 0, `${mode}: the minor (created by the first import)`);
			assert.deepEqual(
				job.issues.map((i) => [i.row, i.column, i.kind]),
				[
					[3, '身份证号', 'skipped'],
					[4, '出生日期', 'skipped'],
				],
				mode,
			);
			assert.match(job.issues[0].reason, /18 or older/);
		}
		assert.ok(await byNumber(minor), 'the minor is registered');
		assert.equal(await byNumber(adult), null, 'the adult is not');
		const q = await centre.get(`/api/v1/children?q=${encodeURIComponent(`${tag}无号`)}`);
		assert.equal(q.body.total, 0, 'nor the adult without an ID number');

		// the saved job and the report say the same; in Chinese, the kind and the reason in words
		const { job } = await importFile(centre, text, { fileName: 'roster-again.csv' });
		const saved = (await centre.get(`/api/v1/imports/${job.id}`)).body;
		assert.equal(saved.skipped, 2);
		const report = await importReport(centre, job.id);
		assert.deepEqual(
			report.map((i) => i.kind),
			['skipped', 'skipped'],
		);
		const zh = await chineseReport(job.id);
		assert.equal(zh[0][2], '跳过');
		assert.match(zh[0][3], /已满 18 周岁/);
		assert.doesNotMatch(zh[0][3], /[a-z]{3}/);
	});

	test("a guardian's different name, phone or work place is a conflict; the registry keeps its values", async () => {
		const num = ids.next({ birth: '20130303' });
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('监护'),
			id_number: num,
			village_code: VILLAGE,
			guardians: [
				{ relation: 'father', name: '周一', status: 'working_away', phone: '13800001111', work_place: '广东省东莞市' },
				{ relation: 'mother', name: '吴二', status: 'present' },
			],
		});
		assert.equal(r.status, 201, r.text);
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码', '父亲姓名', '父亲状况', '父亲电话', '父亲务工地', '母亲姓名', '母亲状况', '母亲电话']) +
			csvLine([r.body.name, num, VILLAGE, '周二', '外出务工', '13900002222', '浙江省义乌市', '吴二', '在家', '13700003333']);
		const { job } = await importFile(centre, text, { fileName: '妇联名单.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual(job.issues.map((i) => [i.column, i.kind]).sort(), [
			['父亲务工地', 'conflict'],
			['父亲姓名', 'conflict'],
			['父亲电话', 'conflict'],
		]);
		assert.equal(job.conflicts, 3);
		assert.equal(job.updated, 1, "the mother's empty phone is filled in");
		const phone = job.issues.find((i) => i.column === '父亲电话');
		assert.doesNotMatch(phone.reason, /13800001111|13900002222/, 'phones masked in the report');
		assert.match(phone.reason, /138\*+1111/);
		const now = await byNumber(num);
		const g = Object.fromEntries(now.guardians.map((x) => [x.relation, x]));
		assert.equal(g.father.name, '周一');
		assert.equal(g.father.phone, '13800001111');
		assert.equal(g.father.work_place, '广东省东莞市');
		assert.equal(g.mother.phone, '13700003333');

		// the same phone is no conflict
		const same =
			csvLine(['姓名', '身份证号', '村（社区）代码', '父亲状况', '父亲电话']) +
			csvLine([r.body.name, num, VILLAGE, '外出务工', '13800001111']);
		const j2 = (await importFile(centre, same)).job;
		assert.equal(j2.conflicts, 0, JSON.stringify(j2.issues));
		assert.equal(j2.unchanged, 1);
	});

	test('the guardians an import adds or fills in are in the history, as a PATCH records them', async () => {
		const num = ids.next({ birth: '20140404' });
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('历史'),
			id_number: num,
			village_code: VILLAGE,
			guardians: [{ relation: 'father', name: '郑三', status: 'working_away' }],
		});
		assert.equal(r.status, 201, r.text);
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码', '父亲姓名', '父亲状况', '父亲电话', '母亲姓名', '母亲状况']) +
			csvLine([r.body.name, num, VILLAGE, '郑三', '外出务工', '13600004444', '王四', '外出务工']);
		const { job } = await importFile(centre, text, { fileName: '民政名单.csv' });
		assert.equal(job.updated, 1, JSON.stringify(job));
		const h = (await centre.get(`/api/v1/children/${r.body.id}/history`)).body.items;
		const lines = h.filter((e) => e.field === 'guardians' || e.field === 'guardian').map((e) => [e.field, e.old, e.new]);
		assert.deepEqual(
			lines.find((l) => l[0] === 'guardians'),
			['guardians', 'father 郑三: working_away', 'father 郑三: working_away; mother 王四: working_away'],
			JSON.stringify(h),
		);
		const phone = lines.find((l) => l[0] === 'guardian');
		assert.ok(phone, JSON.stringify(h));
		assert.equal(phone[1], 'father 郑三:');
		assert.match(phone[2], /^father 郑三: phone=136\*+4444$/);
		assert.ok(h.some((e) => e.field === 'import' && e.new === '民政名单.csv'));

		// a PATCH of the same change writes the same lines
		const num2 = ids.next({ birth: '20140405' });
		const r2 = await centre.post('/api/v1/children', {
			name: uniqueName('历史'),
			id_number: num2,
			village_code: VILLAGE,
			guardians: [{ relation: 'father', name: '郑三', status: 'working_away' }],
		});
		const p = await centre.patch(`/api/v1/children/${r2.body.id}`, {
			version: r2.body.version,
			guardians: [
				{ relation: 'father', name: '郑三', status: 'working_away', phone: '13600004444' },
				{ relation: 'mother', name: '王四', status: 'working_away' },
			],
		});
		assert.equal(p.status, 200, p.text);
		const h2 = (await centre.get(`/api/v1/children/${r2.body.id}/history`)).body.items;
		assert.deepEqual(
			h2.filter((e) => e.field === 'guardians' || e.field === 'guardian').map((e) => [e.field, e.old, e.new]),
			lines,
		);
	});

	test('birth dates as lists write them, and Excel date cells, are read as the day; an impossible one is refused', async () => {
		const tag = uniqueName('日期');
		const forms = ['2016/3/5', '2016.03.05', '2016-3-5', '2016年3月5日'];
		const withId = ids.next({ birth: '20160305' });
		let text = csvLine(['姓名', '身份证号', '性别', '出生日期', '村（社区）代码']);
		forms.forEach((f, i) => (text += csvLine([`${tag}${i}`, '', '女', f, VILLAGE])));
		text += csvLine([`${tag}号`, withId, '', '2016/3/5', VILLAGE]);
		const { job } = await importFile(centre, text, { fileName: 'dates.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.created, 5, JSON.stringify(job.issues));
		for (let i = 0; i < forms.length; i++) {
			const c = (await centre.get(`/api/v1/children?q=${encodeURIComponent(`${tag}${i}`)}`)).body.items[0];
			assert.equal(c?.birth_date, '2016-03-05', forms[i]);
		}
		assert.equal((await byNumber(withId)).birth_date, '2016-03-05');

		// impossible or unreadable: refused, the column named
		for (const bad of ['2016/2/30', '2016年13月1日', '2016/03-05', '16/3/5', '42434']) {
			const t = csvLine(['姓名', '性别', '出生日期', '村（社区）代码']) + csvLine([uniqueName('坏'), '男', bad, VILLAGE]);
			const j = (await importFile(centre, t)).job;
			assert.equal(j.status, 'rejected', bad);
			assert.deepEqual(
				j.issues.map((i) => [i.row, i.column, i.kind]),
				[[2, '出生日期', 'error']],
				bad,
			);
		}
		// the API itself keeps to YYYY-MM-DD
		const api = await centre.post('/api/v1/children', { name: uniqueName('接口'), sex: 'F', birth_date: '2016/3/5', village_code: VILLAGE });
		assert.equal(api.status, 422, api.text);

		// an XLSX with date cells: a built-in date format, a workbook's own, and a plain number (not a date)
		const x = uniqueName('表格');
		const book = makeXlsx(
			[
				['姓名', '性别', '出生日期', '村（社区）代码'],
				[`${x}甲`, '男', { n: excelSerial('2015-07-09'), style: 1 }, VILLAGE],
				[`${x}乙`, '女', { n: excelSerial('2012-12-31'), style: 2 }, VILLAGE],
				[`${x}丙`, '女', { n: excelSerial('2012-12-31'), style: 3 }, VILLAGE],
			],
			{ formats: [14, 'yyyy"年"m"月"d"日";@', 0] },
		);
		const xj = (await importFile(centre, book, { fileName: 'dates.xlsx', mode: 'rows' })).job;
		assert.equal(xj.format, 'xlsx');
		assert.equal(xj.created, 2, JSON.stringify(xj));
		assert.deepEqual(
			xj.issues.map((i) => [i.row, i.column, i.kind]),
			[[4, '出生日期', 'error']],
			'a number without a date format is no date',
		);
		const got = async (name) => (await centre.get(`/api/v1/children?q=${encodeURIComponent(name)}`)).body.items[0]?.birth_date;
		assert.equal(await got(`${x}甲`), '2015-07-09');
		assert.equal(await got(`${x}乙`), '2012-12-31');
		// a workbook counting from 1904
		const b1904 = makeXlsx(
			[
				['姓名', '性别', '出生日期', '村（社区）代码'],
				[`${x}丁`, '男', { n: excelSerial('2014-02-28') - 1462, style: 1 }, VILLAGE],
			],
			{ formats: [14], date1904: true },
		);
		const j1904 = (await importFile(centre, b1904, { fileName: 'mac.xlsx' })).job;
		assert.equal(j1904.created, 1, JSON.stringify(j1904));
		assert.equal(await got(`${x}丁`), '2014-02-28');
	});

	test("a row of an archived child is one error that shows nothing of the archived record", async () => {
		const director = await srv.bearer('director');
		const station = await srv.bearer('station');
		const secret = uniqueName('已归档');
		const num = ids.next({ birth: '20150606' });
		const c = await director.post('/api/v1/children', { name: secret, id_number: num, village_code: OWN, hukou_type: 'rural' });
		assert.equal(c.status, 201, c.text);
		const a = await station.post(`/api/v1/children/${c.body.id}/archive`, { reason: 'moved_away' });
		assert.equal(a.status, 200, a.text);
		const text = csvLine(['姓名', '身份证号', '村（社区）代码', '户籍类型']) + csvLine([uniqueName('新名'), num, OWN, '非农业']);
		for (const [who, client] of [
			['director', director],
			['centre', centre],
		]) {
			for (const mode of ['all', 'rows']) {
				const { job } = await importFile(client, text, { mode });
				assert.equal(job.status, mode === 'all' ? 'rejected' : 'done', `${who} ${mode}: ${JSON.stringify(job)}`);
				assert.equal(job.created + job.updated + job.unchanged, 0);
				assert.deepEqual(
					job.issues.map((i) => [i.row, i.column, i.kind]),
					[[2, '身份证号', 'error']],
					`${who} ${mode}: one issue`,
				);
				assert.match(job.issues[0].reason, /archived/);
				assert.ok(!JSON.stringify(job).includes(secret), 'the archived name is not shown');
				assert.ok(!JSON.stringify(job).includes('rural'), 'nor its facts');
				if (mode === 'rows') {
					const zh = await chineseReport(job.id, client);
					assert.equal(zh.length, 1);
					assert.match(zh[0][3], /已归档/);
				}
			}
		}
		const back = await station.post(`/api/v1/children/${c.body.id}/restore`, {});
		assert.equal(back.status, 200, back.text);
		assert.equal((await byNumber(num)).name, secret, 'the record is as it was');
	});

	test('the Chinese report says a household registration conflict in words', async () => {
		const num = ids.next({ birth: '20120202' });
		const r = await centre.post('/api/v1/children', { name: uniqueName('户籍'), id_number: num, village_code: VILLAGE, hukou_type: 'rural', risk_level: 'medium' });
		assert.equal(r.status, 201, r.text);
		const text = csvLine(['姓名', '身份证号', '村（社区）代码', '户籍类型', '风险等级']) + csvLine([r.body.name, num, VILLAGE, '非农业', '高']);
		const { job } = await importFile(centre, text);
		assert.equal(job.conflicts, 2, JSON.stringify(job.issues));
		const zh = Object.fromEntries((await chineseReport(job.id)).map((row) => [row[1], row[3]]));
		assert.equal(zh['户籍类型'], '台账中户籍类型为“农业”，文件为“非农业”，保留台账信息');
		assert.equal(zh['风险等级'], '台账中风险等级为“中”，文件为“高”，保留台账信息');
		assert.equal((await byNumber(num)).hukou_type, 'rural');
	});

	test('a cell longer than the field POST /children takes, or with control characters, is refused, never cut', async () => {
		const tag = uniqueName('长度');
		const hz = (n) => '张'.repeat(n); // 3 bytes each
		const head = ['姓名', '身份证号', '村（社区）代码', '年级', '残疾类别', '重病', '备注', '父亲姓名', '父亲状况', '父亲务工地', '母亲姓名', '母亲状况', '母亲务工地'];
		const row = (over) => {
			const cells = { 姓名: '', 身份证号: '', '村（社区）代码': VILLAGE, 年级: '', 残疾类别: '', 重病: '', 备注: '', 父亲姓名: '', 父亲状况: '', 父亲务工地: '', 母亲姓名: '', 母亲状况: '', 母亲务工地: '', ...over };
			return csvLine(head.map((h) => cells[h]));
		};
		const n = Array.from({ length: 9 }, (_, i) => ids.next({ birth: `2014010${i + 1}` }));
		const text =
			csvLine(head) +
			// row 2: at every limit, a line break in the notes: taken whole
			row({ 姓名: `${tag}满`, 身份证号: n[0], 年级: hz(6) + '12', 重病: hz(30), 备注: `第一行\n${hz(330)}`, 父亲姓名: hz(20), 父亲状况: '外出务工', 父亲务工地: hz(40), 母亲姓名: hz(20), 母亲状况: '在家' }) +
			row({ 姓名: `${tag}父`, 身份证号: n[1], 父亲姓名: hz(21), 父亲状况: '外出务工' }) + // 3: 63 bytes
			row({ 姓名: `${tag}工`, 身份证号: n[2], 母亲姓名: '李四', 母亲状况: '外出务工', 母亲务工地: hz(41) }) + // 4: 123 bytes
			row({ 姓名: `${tag}控`, 身份证号: n[3], 父亲姓名: '王\u0001五', 父亲状况: '在家', 父亲务工地: '浙江\n义乌' }) + // 5
			row({ 姓名: `${tag}级`, 身份证号: n[4], 年级: hz(7) }) + // 6: 21 bytes
			row({ 姓名: `${tag}类`, 身份证号: n[5], 残疾类别: hz(7) }) + // 7: not a disability type
			row({ 姓名: `${tag}病`, 身份证号: n[6], 重病: hz(31) }) + // 8: 93 bytes
			row({ 姓名: `${tag}注`, 身份证号: n[7], 备注: hz(334) }) + // 9: 1002 bytes
			row({ 姓名: `${tag}${hz(31)}`, 身份证号: n[8], 年级: '一年\t级' }); // 10: 99 bytes, a tab (inside: one at an end is trimmed)
		const { job } = await importFile(centre, text, { mode: 'rows', fileName: 'long.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.created, 1, JSON.stringify(job.issues));
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.reason]),
			[
				// the rows a spreadsheet shows (as an XLSX file's are numbered): the line
				// breaks of rows 2 and 5 are inside quoted cells and start no row
				[3, '父亲姓名', 'too long: at most 60 bytes (20 Chinese characters)'],
				[4, '母亲务工地', 'too long: at most 120 bytes (40 Chinese characters)'],
				[5, '父亲姓名', 'name contains control or invisible characters or surrounding spaces'],
				[5, '父亲务工地', 'contains control characters'],
				[6, '年级', 'too long: at most 20 bytes (6 Chinese characters)'],
				[7, '残疾类别', 'disability type must be 视力残疾, 听力残疾, 言语残疾, 肢体残疾, 智力残疾, 精神残疾 or 多重残疾 (visual, hearing, speech, physical, intellectual, mental, multiple)'],
				[8, '重病', 'too long: at most 90 bytes (30 Chinese characters)'],
				[9, '备注', 'too long: at most 1000 bytes (333 Chinese characters)'],
				[10, '姓名', 'too long: at most 96 bytes (32 Chinese characters)'],
				[10, '年级', 'contains control characters'],
			],
		);
		const full = await byNumber(n[0]);
		const g = Object.fromEntries(full.guardians.map((x) => [x.relation, x]));
		assert.equal(g.father.name, hz(20));
		assert.equal(g.father.work_place, hz(40));
		assert.equal(g.mother.name, hz(20));
		assert.equal(full.grade, hz(6) + '12');
		assert.equal(full.serious_illness, hz(30));
		assert.equal(full.notes, `第一行\n${hz(330)}`);
		for (const k of n.slice(1)) assert.equal(await byNumber(k), null, 'a row in error is not registered');

		// the same limits as POST /children
		const api = await centre.post('/api/v1/children', {
			name: uniqueName('接口'),
			id_number: ids.next(),
			village_code: VILLAGE,
			guardians: [{ relation: 'father', name: hz(21), status: 'present' }],
		});
		assert.equal(api.status, 422, api.text);
		// and the Chinese report says the limit
		const zh = await chineseReport(job.id);
		assert.equal(zh[0][3], '内容过长：最多 60 字节（20 个汉字）');
		assert.match(zh[3][3], /控制字符/);

		// an existing child: a long work place is refused, not cut into the record
		const text2 = csvLine(['姓名', '身份证号', '村（社区）代码', '父亲姓名', '父亲状况', '父亲务工地']) + csvLine([full.name, n[0], VILLAGE, hz(20), '外出务工', hz(41)]);
		const j2 = (await importFile(centre, text2)).job;
		assert.equal(j2.status, 'rejected', JSON.stringify(j2));
		assert.equal(j2.message, '1 error in the file; nothing was imported');
		assert.equal((await byNumber(n[0])).guardians.length, 2);
	});

	test('rows after a line break inside a quoted cell are numbered as a spreadsheet shows them, as in XLSX', async () => {
		const tag = uniqueName('换行');
		const n = [ids.next({ birth: '20140601' }), ids.next({ birth: '20140602' })];
		const rows = [
			['姓名', '身份证号', '性别', '出生日期', '村（社区）代码', '备注'],
			[`${tag}一`, n[0], '', '', VILLAGE, '随祖父母生活\n父母在外务工'], // 2
			[`${tag}二`, n[1], '', '', VILLAGE, '第一行\r\n第二行\r\n第三行'], // 3
			[`${tag}三`, '', '男', '2016/2/30', VILLAGE, ''], // 4: no such day
			[`${tag}四`, n[0], '', '', VILLAGE, ''], // 5: row 2's number again
		];
		const want = [
			[4, '出生日期', 'error'],
			[5, '身份证号', 'error'],
		];
		const csv = (await importFile(centre, rows.map(csvLine).join(''), { fileName: 'lines.csv' })).job;
		assert.equal(csv.status, 'rejected', JSON.stringify(csv));
		assert.deepEqual(csv.issues.map((i) => [i.row, i.column, i.kind]), want, 'CSV: the rows a spreadsheet shows, not the lines of the file');
		assert.equal(csv.issues[1].reason, 'the same ID number is already on row 2 of this file');
		const report = await importReport(centre, csv.id);
		assert.deepEqual(report.map((i) => [i.row, i.column, i.kind]), want, 'the saved report too');
		const xlsx = (await importFile(centre, makeXlsx(rows), { fileName: 'lines.xlsx' })).job;
		assert.equal(xlsx.status, 'rejected', JSON.stringify(xlsx));
		assert.deepEqual(
			xlsx.issues.map((i) => [i.row, i.column, i.kind, i.reason]),
			csv.issues.map((i) => [i.row, i.column, i.kind, i.reason]),
			'the same rows in a workbook are reported on the same rows',
		);
		// a blank line is a row of the spreadsheet too (and no row of the list)
		const blank = csvLine(rows[0]) + csvLine(rows[1]) + '\r\n' + csvLine(rows[3]);
		const b = (await importFile(centre, blank, { fileName: 'blank.csv' })).job;
		assert.deepEqual(b.issues.map((i) => [i.row, i.column, i.kind]), [[4, '出生日期', 'error']]);
	});

	test('without an ID number the live child is matched, not an archived one; two live ones are ambiguous', async () => {
		const director = await srv.bearer('director');
		const station = await srv.bearer('station');
		const name = uniqueName('同名');
		const child = { name, sex: 'F', birth_date: '2015-09-09', village_code: OWN, duplicate_ok: true };
		const a = await director.post('/api/v1/children', child);
		assert.equal(a.status, 201, a.text);
		assert.equal((await station.post(`/api/v1/children/${a.body.id}/archive`, { reason: 'moved_away' })).status, 200);
		const b = await director.post('/api/v1/children', child);
		assert.equal(b.status, 201, b.text);
		assert.ok(b.body.id > a.body.id);

		// the village's own export read back changes nothing
		for (const format of ['csv', 'xlsx']) {
			const x = await download(centre, `/api/v1/children/export?area=${OWN}&format=${format}`);
			assert.equal(x.status, 200, x.bytes.toString());
			const { job } = await importFile(centre, x.bytes, { fileName: `village.${format}` });
			assert.equal(job.status, 'done', JSON.stringify(job));
			assert.equal(job.errors, 0, JSON.stringify(job.issues));
			assert.equal(job.created + job.updated, 0, JSON.stringify(job));
			assert.equal(job.unchanged, job.rows);
		}
		// a row fills in the live child
		const text = csvLine(['姓名', '性别', '出生日期', '村（社区）代码', '年级']) + csvLine([name, '女', '2015/9/9', OWN, '三年级']);
		const { job } = await importFile(director, text);
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.updated, 1, JSON.stringify(job));
		assert.equal((await centre.get(`/api/v1/children/${b.body.id}`)).body.grade, '三年级');
		assert.equal((await station.get(`/api/v1/children/${a.body.id}`)).body.grade ?? '', '', 'the archived one is left alone');

		// two live ones: which one is not guessed
		const c = await director.post('/api/v1/children', child);
		assert.equal(c.status, 201, c.text);
		const again = csvLine(['姓名', '性别', '出生日期', '村（社区）代码', '备注']) + csvLine([name, '女', '2015-09-09', OWN, '转学']);
		for (const mode of ['all', 'rows']) {
			const j = (await importFile(director, again, { mode })).job;
			assert.equal(j.status, mode === 'all' ? 'rejected' : 'done', JSON.stringify(j));
			assert.deepEqual(
				j.issues.map((i) => [i.row, i.column, i.kind, i.reason]),
				[[2, '姓名', 'error', 'ambiguous: 2 children of this name, birth date and village; give the ID number']],
				mode,
			);
			assert.equal(j.updated, 0);
			if (mode === 'rows') assert.match((await chineseReport(j.id, director))[0][3], /有 2 名儿童.*身份证号码/);
		}
		for (const id of [b.body.id, c.body.id]) assert.equal((await centre.get(`/api/v1/children/${id}`)).body.notes ?? '', '');
	});

	test('all or nothing: every archived or out-of-area row is reported in one pass', async () => {
		const director = await srv.bearer('director');
		const station = await srv.bearer('station');
		const n = [ids.next({ birth: '20130808' }), ids.next({ birth: '20130809' }), ids.next({ birth: '20130810' }), ids.next({ birth: '20130811' })];
		const made = [];
		for (const [k, village] of [
			[n[0], OWN],
			[n[1], VILLAGE],
			[n[2], OWN],
		]) {
			const r = await centre.post('/api/v1/children', { name: uniqueName('全部'), id_number: k, village_code: village });
			assert.equal(r.status, 201, r.text);
			made.push(r.body);
		}
		for (const i of [0, 2]) assert.equal((await station.post(`/api/v1/children/${made[i].id}/archive`, { reason: 'moved_away' })).status, 200);
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码']) +
			csvLine([uniqueName('新'), n[3], OWN]) + // 2: a new child
			csvLine([made[0].name, n[0], OWN]) + // 3: archived
			csvLine([made[1].name, n[1], OWN]) + // 4: registered outside the director's area
			csvLine([made[2].name, n[2], OWN]); // 5: archived
		for (const mode of ['all', 'rows']) {
			const { job } = await importFile(director, text, { mode });
			assert.deepEqual(
				job.issues.map((i) => [i.row, i.column, i.kind]),
				[
					[3, '身份证号', 'error'],
					[4, '身份证号', 'error'],
					[5, '身份证号', 'error'],
				],
				`${mode}: ${JSON.stringify(job)}`,
			);
			assert.match(job.issues[1].reason, /outside your area/);
			if (mode === 'all') {
				assert.equal(job.status, 'rejected');
				assert.equal(job.message, '3 errors in the file; nothing was imported');
				assert.equal(job.created, 0);
				assert.equal(await byNumber(n[3]), null, 'nothing was imported');
			} else {
				assert.equal(job.created, 1);
			}
		}
	});

	test('Excel number formats: General and scientific show numbers; date-time cells and CSV date-times give the day', async () => {
		const x = uniqueName('格式');
		const book = makeXlsx(
			[
				['姓名', '性别', '出生日期', '村（社区）代码', '残疾等级'],
				[`${x}甲`, '男', '2016-03-05', VILLAGE, { n: 2, style: 1 }], // 2: General, custom
				[`${x}乙`, '男', '2016-03-05', VILLAGE, { n: 2, style: 2 }], // 3: scientific
				[`${x}丙`, '女', { n: excelSerial('2016-03-05') + 0.5, style: 3 }, VILLAGE, ''], // 4: built-in 22
				[`${x}丁`, '女', { n: excelSerial('2016-03-05') + 0.25, style: 4 }, VILLAGE, ''], // 5: yyyy-m-d h:mm
				[`${x}戊`, '女', { n: excelSerial('2016-03-05'), style: 1 }, VILLAGE, ''], // 6: 42434 shown as General
			],
			{ formats: ['General', '0.0E+00', 22, 'yyyy-m-d h:mm'] },
		);
		const { job } = await importFile(centre, book, { fileName: 'formats.xlsx', mode: 'rows' });
		assert.equal(job.created, 4, JSON.stringify(job));
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.kind]),
			[[6, '出生日期', 'error']],
			'a number shown as General is no date',
		);
		const get = async (name) => (await centre.get(`/api/v1/children/${(await centre.get(`/api/v1/children?q=${encodeURIComponent(name)}`)).body.items[0].id}`)).body;
		assert.equal((await get(`${x}甲`)).disability_grade, 2);
		assert.equal((await get(`${x}乙`)).disability_grade, 2);
		assert.equal((await get(`${x}丙`)).birth_date, '2016-03-05');
		assert.equal((await get(`${x}丁`)).birth_date, '2016-03-05');

		// a spreadsheet's date and time in a CSV file: the day
		const t = uniqueName('时刻');
		const csv =
			csvLine(['姓名', '性别', '出生日期', '村（社区）代码']) +
			csvLine([`${t}1`, '男', '2016/3/5 0:00', VILLAGE]) +
			csvLine([`${t}2`, '男', '2016-03-05 00:00:00', VILLAGE]) +
			csvLine([`${t}3`, '男', '2016/3/5 25:00', VILLAGE]);
		const j2 = (await importFile(centre, csv, { mode: 'rows' })).job;
		assert.equal(j2.created, 2, JSON.stringify(j2));
		assert.deepEqual(
			j2.issues.map((i) => [i.row, i.column]),
			[[4, '出生日期']],
		);
		// the error says which forms are read, in both languages
		assert.match(j2.issues[0].reason, /2016-03-05, 2016-3-5, 2016\/3\/5, 2016\.03\.05 or 2016年3月5日/);
		assert.doesNotMatch(j2.issues[0].reason, /YYYY/);
		const zh = await chineseReport(j2.id);
		assert.match(zh[0][3], /2016\/3\/5.*2016年3月5日/);
		assert.doesNotMatch(zh[0][3], /YYYY/);
		assert.equal((await get(`${t}1`)).birth_date, '2016-03-05');
		assert.equal((await get(`${t}2`)).birth_date, '2016-03-05');
	});

	test("a grid worker's row without a grid code is in the own grid; another grid is the grid column's error", async () => {
		const grid = await srv.bearer('grid');
		const OWN_GRID = '370831001001001';
		const grids = (await centre.get(`/api/v1/areas?parent=${OWN}&limit=50`)).body.items.map((a) => a.code);
		const other = grids.find((g) => g !== OWN_GRID);
		assert.ok(other, `another grid of ${OWN}: ${grids}`);
		const n = [ids.next({ birth: '20150101' }), ids.next({ birth: '20150102' }), ids.next({ birth: '20150103' })];
		const without = csvLine(['姓名', '身份证号', '村（社区）代码']) + csvLine([uniqueName('网格员'), n[0], OWN]);
		const j1 = (await importFile(grid, without)).job;
		assert.equal(j1.status, 'done', JSON.stringify(j1));
		assert.equal(j1.created, 1);
		assert.equal((await byNumber(n[0], grid)).grid_code, OWN_GRID);

		const withGrid =
			csvLine(['姓名', '身份证号', '村（社区）代码', '网格代码']) +
			csvLine([uniqueName('网格员'), n[1], OWN, '']) + // 2: an empty cell: the own grid
			csvLine([uniqueName('网格员'), n[2], OWN, other]); // 3: another grid of the village
		const j2 = (await importFile(grid, withGrid, { mode: 'rows' })).job;
		assert.equal(j2.created, 1, JSON.stringify(j2));
		assert.deepEqual(
			j2.issues.map((i) => [i.row, i.column, i.reason]),
			[[3, '网格代码', 'the grid is outside your area']],
		);
		assert.equal((await byNumber(n[1], grid)).grid_code, OWN_GRID);
		assert.match((await chineseReport(j2.id, grid))[0][3], /网格不在您的管辖范围内/);
	});
});
