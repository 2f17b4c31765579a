// The children import reads cells as a clerk's spreadsheet holds them: a
// cleared row is no row, spaces around a value are not part of it, phone
// numbers come with separators, disability grades in words (二级), an ID
// number a spreadsheet kept as a number is said to have lost its digits,
// and a file that only adds a registered guardian's phone keeps that
// guardian's status (only a new guardian needs one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, importFile, childByIdNumber } from './lib/registry.mjs';
import { makeXlsx } from './lib/xlsx.mjs';

const VILLAGE = '370831101201';

describeEachDriver('import: cells as spreadsheets hold them', (driver) => {
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
	const guardians = (child) => Object.fromEntries(child.guardians.map((g) => [g.relation, g]));
	const HEAD = ['姓名', '身份证号', '性别', '出生日期', '村（社区）代码', '残疾等级', '父亲状况', '父亲电话'];

	test('家庭经济困难 and 已被收养 are read under the names the form uses, and yes/no as spreadsheets write it', async () => {
		const tag = uniqueName('收养');
		const [a, b, c] = [ids.next({ birth: '20150201' }), ids.next({ birth: '20150202' }), ids.next({ birth: '20150203' })];
		const head = ['姓名', '身份证号', '村（社区）代码', '家庭经济困难', '已被收养'];
		const csv = csvLine(head) + csvLine([`${tag}甲`, a, VILLAGE, '是', 'TRUE']) + csvLine([`${tag}乙`, b, VILLAGE, 'No', '否']);
		const { job } = await importFile(centre, csv, { fileName: 'facts.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.errors, 0, JSON.stringify(job.issues));
		const first = await byNumber(a);
		assert.equal(first.family_poverty, true);
		assert.equal(first.adopted, true);
		const second = await byNumber(b);
		assert.equal(second.family_poverty, false);
		assert.equal(second.adopted, false);
		// the English template's columns take yes, and refuse what is neither
		const en = csvLine(['name', 'id_number', 'village_code', 'family_poverty', 'adopted']) + csvLine([`${tag}丙`, c, VILLAGE, 'yes', 'maybe']);
		const bad = (await importFile(centre, en, { fileName: 'facts-en.csv' })).job;
		assert.deepEqual(
			bad.issues.map((i) => [i.column, i.kind]),
			[['adopted', 'error']],
			JSON.stringify(bad.issues),
		);
		// the template names the columns as the form does
		const tpl = await centre.get('/api/v1/imports/template?format=csv');
		assert.equal(tpl.status, 200);
		assert.match(tpl.text, /家庭经济困难/);
		assert.match(tpl.text, /已被收养/);
	});

	test('blank rows (",,,," or formatted empty XLSX cells) are skipped, not errors', async () => {
		const tag = uniqueName('空行');
		const [a, b] = [ids.next({ birth: '20150101' }), ids.next({ birth: '20150102' })];
		const csv = csvLine(HEAD) + csvLine([`${tag}甲`, a, '', '', VILLAGE, '', '', '']) + ',,,,,,,,,\n' + ' , ,,\t,,,,\n' + csvLine([`${tag}乙`, b, '', '', VILLAGE, '', '', '']);
		const { job } = await importFile(centre, csv, { fileName: 'blank.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.errors, 0, JSON.stringify(job.issues));
		assert.equal(job.created, 2);
		assert.equal(job.rows, 2, 'the blank rows are no rows');

		const c = ids.next({ birth: '20150103' });
		const empty = HEAD.map(() => ({ style: 1 }));
		const book = makeXlsx([HEAD, empty, [`${tag}丙`, c, '', '', VILLAGE], empty], { formats: [49] });
		const x = (await importFile(centre, book, { fileName: 'blank.xlsx' })).job;
		assert.equal(x.status, 'done', JSON.stringify(x));
		assert.equal(x.errors, 0, JSON.stringify(x.issues));
		assert.equal(x.created, 1);
	});

	test('spaces around a cell are not part of it; phones with separators, grades in words', async () => {
		const tag = uniqueName('空格');
		const n = ids.next({ birth: '20150404' });
		const csv =
			csvLine(HEAD) +
			csvLine([` ${tag}甲 `, ` ${n} `, '', ' 2015-04-04', `${VILLAGE} `, '二级', ' 外出务工', '138-0013-8001']) +
			csvLine([`${tag}乙`, '', '女', ' 2016-05-05 ', ` ${VILLAGE}`, '3级', '在家', '138 0013 8002']);
		const { job } = await importFile(centre, csv, { fileName: 'spaces.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.deepEqual(job.issues, []);
		assert.equal(job.created, 2);
		const a = await byNumber(n);
		assert.equal(a.name, `${tag}甲`);
		assert.equal(a.birth_date, '2015-04-04');
		assert.equal(a.disability_grade, 2);
		assert.equal(guardians(a).father.phone, '13800138001', 'the digits alone');
		assert.equal(guardians(a).father.status, 'working_away');
		const q = await centre.get(`/api/v1/children?q=${encodeURIComponent(`${tag}乙`)}`);
		const b = (await centre.get(`/api/v1/children/${q.body.items[0].id}`)).body;
		assert.equal(b.disability_grade, 3);
		assert.equal(guardians(b).father.phone, '13800138002');

		// a grade in no known form is refused with the forms it may take
		const bad = csvLine(HEAD) + csvLine([`${tag}丙`, ids.next({ birth: '20150406' }), '', '', VILLAGE, '五级', '', '']);
		const j2 = (await importFile(centre, bad, { fileName: 'grade.csv' })).job;
		assert.equal(j2.errors, 1);
		assert.equal(j2.issues[0].column, '残疾等级');
		assert.equal(j2.issues[0].reason, 'disability grade must be 0 to 4, 一级 to 四级 or 1级 to 4级');

		// the API takes the same phone forms, and stores the digits alone
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('接口'),
			id_number: ids.next({ birth: '20150407' }),
			village_code: VILLAGE,
			guardians: [{ relation: 'mother', name: '钱五', status: 'present', phone: '139 0013-8003' }],
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(guardians(r.body).mother.phone, '13900138003');
		const wrong = await centre.post('/api/v1/children', {
			name: uniqueName('接口'),
			id_number: ids.next({ birth: '20150408' }),
			village_code: VILLAGE,
			guardians: [{ relation: 'mother', name: '钱五', status: 'present', phone: '139-0013-800' }],
		});
		assert.equal(wrong.status, 422, wrong.text);
		assert.equal(wrong.body.error.field, 'guardians[0].phone');
	});

	test('an ID number a spreadsheet kept as a number is said to have lost its digits', async () => {
		const n = ids.next({ birth: '20150505' });
		const tag = uniqueName('数字');
		const rows = [
			['姓名', '身份证号', '村（社区）代码'],
			[`${tag}甲`, { n: `${n.slice(0, 15)}000`, style: 0 }, VILLAGE],
			[`${tag}乙`, { n: Number(n.slice(0, 17)).toPrecision(15).replace('e+', 'E+'), style: 0 }, VILLAGE],
		];
		const { job } = await importFile(centre, makeXlsx(rows), { fileName: 'numbers.xlsx' });
		assert.equal(job.status, 'rejected', JSON.stringify(job));
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.reason]),
			[
				[2, '身份证号', 'the ID number was stored as a number in the spreadsheet and lost digits; format the column as text'],
				[3, '身份证号', 'the ID number was stored as a number in the spreadsheet and lost digits; format the column as text'],
			],
		);
		// the same number as text is read whole
		const ok = (await importFile(centre, makeXlsx([rows[0], [`${tag}甲`, n, VILLAGE]]), { fileName: 'text.xlsx' })).job;
		assert.equal(ok.created, 1, JSON.stringify(ok.issues));
	});

	test("a file that only adds a registered guardian's phone keeps the guardian's status", async () => {
		const num = ids.next({ birth: '20130606' });
		const other = ids.next({ birth: '20130607' });
		for (const [n, phone] of [
			[num, undefined],
			[other, '13700001111'],
		]) {
			const r = await centre.post('/api/v1/children', {
				name: uniqueName('只填电话'),
				id_number: n,
				village_code: VILLAGE,
				guardians: [{ relation: 'father', name: '孙六', status: 'working_away', ...(phone ? { phone } : {}) }],
			});
			assert.equal(r.status, 201, r.text);
		}
		const name = async (n) => (await byNumber(n)).name;
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码', '父亲电话']) +
			csvLine([await name(num), num, VILLAGE, '138-0013-8009']) +
			csvLine([await name(other), other, VILLAGE, '13700002222']);
		const { job } = await importFile(centre, text, { fileName: 'phones.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.errors, 0, JSON.stringify(job.issues));
		assert.equal(job.updated, 1);
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.kind]),
			[[3, '父亲电话', 'conflict']],
			'a different recorded phone is a conflict',
		);
		const f = guardians(await byNumber(num)).father;
		assert.equal(f.status, 'working_away', 'the status is kept');
		assert.equal(f.phone, '13800138009');
		assert.equal(guardians(await byNumber(other)).father.phone, '13700001111', "the registry's phone is kept");

		// a guardian the registry does not have still needs a status: on a
		// registered child (the mother) and on a new one
		const fresh = ids.next({ birth: '20130608' });
		const text2 =
			csvLine(['姓名', '身份证号', '村（社区）代码', '父亲电话', '母亲电话']) +
			csvLine([await name(num), num, VILLAGE, '', '13900009999']) +
			csvLine([uniqueName('新童'), fresh, VILLAGE, '13900008888', '']);
		const j2 = (await importFile(centre, text2, { fileName: 'new-guardians.csv' })).job;
		assert.equal(j2.status, 'rejected', JSON.stringify(j2));
		assert.deepEqual(
			j2.issues.map((i) => [i.row, i.column, i.reason]),
			[
				[2, '母亲状况', 'a guardian needs a status'],
				[3, '父亲状况', 'a guardian needs a status'],
			],
		);
		assert.equal(await byNumber(fresh), null, 'nothing of the file was imported');
		assert.equal(guardians(await byNumber(num)).mother, undefined);
	});
});
