// The registry's fields read alike whichever way a child comes in: the
// import takes the disability types POST /children takes (the codes, or
// the form's Chinese words for them) and refuses other text as an error of
// its column; a free text (name, grade, serious illness, notes, guardian's
// name and work place) that the form refuses the import refuses, and the
// reverse (one check, field_check_text).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { migratedFrom, describeEachDriver, sql, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, importFile, childByIdNumber } from './lib/registry.mjs';

const VILLAGE = '370831101201';

describeEachDriver('registry fields: the import and the API agree', (driver) => {
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

	test('an imported disability type is one the API takes; other text is an error of the column', async () => {
		const words = ids.next();
		const code = ids.next();
		const short = ids.next();
		const free = ids.next();
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码', '残疾等级', '残疾类别']) +
			csvLine([uniqueName('残词'), words, VILLAGE, '2', '视力残疾']) +
			csvLine([uniqueName('残码'), code, VILLAGE, '3', 'physical']) +
			csvLine([uniqueName('残短'), short, VILLAGE, '1', '肢体']) +
			csvLine([uniqueName('残自'), free, VILLAGE, '2', '腿脚不便']);
		const { job } = await importFile(centre, text, { mode: 'rows', fileName: 'disability.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.created, 3, JSON.stringify(job.issues));
		assert.deepEqual(
			job.issues.map((i) => [i.row, i.column, i.kind]),
			[[5, '残疾类别', 'error']],
		);
		assert.match(job.issues[0].reason, /disability type must be/);
		assert.equal((await byNumber(words)).disability_type, 'visual');
		assert.equal((await byNumber(code)).disability_type, 'physical');
		assert.equal((await byNumber(short)).disability_type, 'physical');
		assert.equal(await byNumber(free), null, 'the free text is not registered');

		// the API refuses the same text, and takes the code it was stored as
		const refused = await centre.post('/api/v1/children', {
			name: uniqueName('残'),
			id_number: ids.next(),
			village_code: VILLAGE,
			disability_grade: 2,
			disability_type: '腿脚不便',
		});
		assert.equal(refused.status, 422, refused.text);
		assert.equal(refused.body.error.field, 'disability_type');
	});

	test('a disability type an earlier import stored in words becomes its code after weibao migrate', async () => {
		const body = (name) => ({ name, id_number: ids.next(), village_code: VILLAGE, disability_grade: 2, disability_type: 'hearing' });
		const words = await centre.post('/api/v1/children', body(uniqueName('旧词')));
		const free = await centre.post('/api/v1/children', body(uniqueName('旧自')));
		assert.equal(words.status, 201, words.text);
		await srv.stop({ keep: true });
		// as an earlier import wrote them; back to schema 29
		await sql(srv.db, `UPDATE children SET disability_type = '听力残疾' WHERE id = ${words.body.id}`);
		await sql(srv.db, `UPDATE children SET disability_type = '耳背' WHERE id = ${free.body.id}`);
		srv = await migratedFrom(srv.db, 29);
		centre = await srv.bearer('center');
		const now = (await centre.get(`/api/v1/children/${words.body.id}`)).body;
		assert.equal(now.disability_type, 'hearing');
		assert.equal((await centre.get(`/api/v1/children/${free.body.id}`)).body.disability_type, '耳背', 'other text is left');
		// and the form saves the record again
		const saved = await centre.patch(`/api/v1/children/${now.id}`, { version: now.version, notes: '复核' });
		assert.equal(saved.status, 200, saved.text);
	});

	// [what, form field, import column, value, taken?]
	const cases = [
		['a tab in the grade', 'grade', '年级', '三\t年级', false],
		['a DEL in the serious illness', 'serious_illness', '重大疾病', '白血\u007f病', false],
		['a C1 control in the name', 'name', '姓名', '阿\u0085娜', false],
		['spaces around the name (dropped)', 'name', '姓名', ' 阿娜\u3000', true, '阿娜'],
		['line breaks in the notes', 'notes', '备注', '第一行\n第二行\t完', true],
		["a space after the guardian's name (dropped)", 'father_name', '父亲姓名', '周一 ', true, '周一'],
		['a name of blanks only', 'name', '姓名', ' \u3000 ', false],
		["a C1 control in the guardian's work place", 'father_work', '父亲务工地', '广东\u0085东莞', false],
		['a plain grade', 'grade', '年级', '三年级', true],
		['no-break and zero-width spaces around the name, as a copied text brings them (dropped)', 'name', '姓名', '\u00a0\u200b阿娜\ufeff\u00a0', true, '阿娜'],
		['a name of zero-width spaces only', 'name', '姓名', '\u200b\u200b', false],
		['a name of a no-break space only', 'name', '姓名', '\u00a0', false],
		['a zero-width space inside the name (not found by a search for what it shows)', 'name', '姓名', '阿\u200b娜', false],
		["a direction mark inside the guardian's name", 'father_name', '父亲姓名', '周\u202e一', false],
	];

	const formBody = (field, value) => {
		const body = { name: uniqueName('字段'), id_number: ids.next(), village_code: VILLAGE };
		const father = { relation: 'father', name: '周一', status: 'working_away' };
		if (field === 'father_name') father.name = value;
		else if (field === 'father_work') father.work_place = value;
		else body[field] = value;
		if (field.startsWith('father')) body.guardians = [father];
		return body;
	};
	const formField = (field) =>
		field === 'father_name' ? 'guardians[0].name' : field === 'father_work' ? 'guardians[0].work_place' : field;

	for (const [what, field, column, value, taken, stored = value] of cases) {
		test(`${what}: the form and the import both ${taken ? 'take' : 'refuse'} it`, async () => {
			const r = await centre.post('/api/v1/children', formBody(field, value));
			if (taken) assert.equal(r.status, 201, r.text);
			else {
				assert.equal(r.status, 422, r.text);
				assert.equal(r.body.error.field, formField(field));
			}

			const num = ids.next();
			const head = ['姓名', '身份证号', '村（社区）代码'];
			const row = [field === 'name' ? value : uniqueName('导字'), num, VILLAGE];
			if (field.startsWith('father')) head.push('父亲状况'), row.push('外出务工');
			if (field !== 'name') head.push(column), row.push(value);
			const { job } = await importFile(centre, csvLine(head) + csvLine(row), { mode: 'rows', fileName: 'fields.csv' });
			assert.equal(job.status, 'done', JSON.stringify(job));
			if (taken) {
				assert.equal(job.created, 1, JSON.stringify(job.issues));
				assert.equal(job.issues.length, 0, JSON.stringify(job.issues));
				const child = await byNumber(num);
				assert.equal(field === 'father_name' ? child.guardians?.[0]?.name : child[field], stored, 'stored as given, without blanks at either end');
			} else {
				assert.equal(job.created, 0);
				assert.deepEqual(
					job.issues.map((i) => [i.column, i.kind]),
					[[column, 'error']],
				);
			}
		});
	}
});
