// A child's record number (its id, 编号) has no gaps left by refused
// registrations, on both drivers: staff read a gap as a deleted record.
// A registration refused inside the write (a duplicate ID number; a
// possible duplicate) takes no number, and neither do the registrations
// that shared its batch of the writer (the batch is run again).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, importFile } from './lib/registry.mjs';

const VILLAGE = '370831101201';

describeEachDriver('record numbers: no gaps after refused registrations', (driver) => {
	let srv, centre, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const register = (body) => centre.post('/api/v1/children', { village_code: VILLAGE, ...body });

	test("register A, a duplicate of A is refused, register B: B's number is A's + 1", async () => {
		const num = ids.next();
		const a = await register({ name: uniqueName('甲'), id_number: num });
		assert.equal(a.status, 201, a.text);
		const dup = await register({ name: uniqueName('甲重'), id_number: num });
		assert.equal(dup.status, 409, dup.text);
		assert.equal(dup.body.error.code, 'duplicate_id_number');
		const b = await register({ name: uniqueName('乙'), id_number: ids.next() });
		assert.equal(b.status, 201, b.text);
		assert.equal(b.body.id, a.body.id + 1);

		// a possible duplicate (same name, birth date and village, no ID number) too
		const person = { name: uniqueName('丙'), sex: 'M', birth_date: '2015-06-06' };
		const c = await register(person);
		assert.equal(c.status, 201, c.text);
		assert.equal(c.body.id, b.body.id + 1);
		const same = await register(person);
		assert.equal(same.status, 409, same.text);
		assert.equal(same.body.error.code, 'possible_duplicate');
		const d = await register({ name: uniqueName('丁'), id_number: ids.next() });
		assert.equal(d.body.id, c.body.id + 1);
	});

	test('registrations sent at once with refused ones among them get consecutive numbers', async () => {
		const taken = ids.next();
		const first = await register({ name: uniqueName('先'), id_number: taken });
		assert.equal(first.status, 201, first.text);
		const bodies = [];
		for (let i = 0; i < 24; i++)
			bodies.push(i % 4 === 1 ? { name: uniqueName('重'), id_number: taken } : { name: uniqueName('并'), id_number: ids.next() });
		const answers = await Promise.all(bodies.map((b) => register(b)));
		const created = answers.filter((r) => r.status === 201).map((r) => r.body.id);
		assert.equal(created.length, 18, answers.map((r) => r.status).join(','));
		assert.equal(answers.filter((r) => r.status === 409).length, 6);
		created.sort((x, y) => x - y);
		assert.deepEqual(
			created,
			created.map((_, i) => first.body.id + 1 + i),
			'the numbers follow one another from the last one given',
		);
		const next = await register({ name: uniqueName('后'), id_number: ids.next() });
		assert.equal(next.body.id, created.at(-1) + 1);
	});

	test('an import refused as a whole takes no numbers; the next registration follows the last', async () => {
		const before = await register({ name: uniqueName('前'), id_number: ids.next() });
		assert.equal(before.status, 201, before.text);
		const text =
			csvLine(['姓名', '身份证号', '村（社区）代码']) +
			csvLine([uniqueName('导'), ids.next(), VILLAGE]) +
			csvLine([uniqueName('导'), ids.next(), '370831999999']); // not a village: the file is refused
		const { job } = await importFile(centre, text, { fileName: 'refused.csv' });
		assert.equal(job.status, 'rejected', JSON.stringify(job));
		const after = await register({ name: uniqueName('后'), id_number: ids.next() });
		assert.equal(after.body.id, before.body.id + 1);
		// and an import that is taken numbers its children next
		const ok =
			csvLine(['姓名', '身份证号', '村（社区）代码']) +
			csvLine([uniqueName('导'), ids.next(), VILLAGE]) +
			csvLine([uniqueName('导'), ids.next(), VILLAGE]);
		const taken = await importFile(centre, ok, { fileName: 'taken.csv' });
		assert.equal(taken.job.created, 2, JSON.stringify(taken.job));
		const last = await register({ name: uniqueName('末'), id_number: ids.next() });
		assert.equal(last.body.id, after.body.id + 3);
	});
});
