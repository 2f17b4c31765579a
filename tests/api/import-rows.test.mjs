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
import { bornYearsBefore, compact, csvLine, importFile, importReport, parseCsv } from './lib/registry.mjs';
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

	const byNumber = async (n, client = centre) => {
		const r = await client.get(`/api/v1/children?id_number=${n}`);
		assert.equal(r.status, 200, r.text);
		if (r.body.items.length === 0) return null;
		const full = await client.get(`/api/v1/children/${r.body.items[0].id}`);
		assert.equal(full.status, 200, full.text);
		return full.body;
	};
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
});
