// The registry desk at a county's scale (QA of the desk): a child with a
// long name is found by the whole of it, an ID number pasted with blanks
// around it is looked up as the number, and the audit
// entry of an export names every filter the export applied, and no other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { bornYearsBefore, compact } from './lib/registry.mjs';
import { IdFactory } from './lib/idnum.mjs';

const VILLAGE = '370831101201';

describeEachDriver('registry desk', (driver) => {
	let srv, centre, auditor, ids;

	before(async () => {
		srv = await startServer(driver);
		[centre, auditor] = await Promise.all(['center', 'auditor'].map((u) => srv.login(u)));
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const lastAudit = async (action) => {
		const r = await auditor.get(`/api/v1/audit?action=${action}&limit=1`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.items.length, 1, `an ${action} entry`);
		return JSON.parse(r.body.items[0].detail);
	};

	test('a child with a name of 24 characters is found by the whole name; a q longer than any name is refused naming q', async () => {
		const tag = String(Date.now() % 100000).padStart(5, '0');
		// 24 characters, 71 bytes (Chinese characters and a middle dot)
		const name = '阿卜杜热合曼·买买提艾力克木江' + '古丽娜扎尔' + tag.split('').map((d) => '零一二三四五六七八九'[d]).join('').slice(0, 4);
		assert.ok(Buffer.byteLength(name) > 64 && Buffer.byteLength(name) <= 96, `${Buffer.byteLength(name)} bytes`);
		const made = await centre.post('/api/v1/children', { name, sex: 'M', birth_date: bornYearsBefore(9), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		const found = await centre.get(`/api/v1/children?q=${encodeURIComponent(name)}`);
		assert.equal(found.status, 200, found.text);
		assert.deepEqual(
			found.body.items.map((c) => c.id),
			[made.body.id],
		);
		// the export finds it too
		const file = await centre.get(`/api/v1/children/export?format=csv&q=${encodeURIComponent(name)}`);
		assert.equal(file.status, 200, file.text);
		assert.ok(file.text.includes(name), 'the long name in the file');
		// 97 bytes is longer than any name can be
		const long = await centre.get(`/api/v1/children?q=${encodeURIComponent('测'.repeat(32) + 'a')}`);
		assert.equal(long.status, 422, long.text);
		assert.equal(long.body.error.field, 'q');
		// % and _ in a long query are still characters, not wildcards
		const escaped = await centre.get(`/api/v1/children?q=${encodeURIComponent('%_'.repeat(48))}`);
		assert.equal(escaped.status, 200, escaped.text);
		assert.equal(escaped.body.items.length, 0);
	});

	test('an ID number with blanks around it finds the child', async () => {
		const n = ids.next({ birth: compact(bornYearsBefore(7)) });
		const made = await centre.post('/api/v1/children', { name: '空格测试', id_number: n, birth_date: bornYearsBefore(7), sex: Number(n[16]) % 2 ? 'M' : 'F', village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		for (const q of [` ${n} `, `  ${n}`, `${n}\t`, `\u3000${n}`]) {
			const r = await centre.get(`/api/v1/children?id_number=${encodeURIComponent(q)}`);
			assert.equal(r.status, 200, `${JSON.stringify(q)}: ${r.text}`);
			assert.deepEqual(
				r.body.items.map((c) => c.id),
				[made.body.id],
				JSON.stringify(q),
			);
		}
		// a number cut short is still refused, naming the field
		const cut = await centre.get(`/api/v1/children?id_number=${encodeURIComponent(' ' + n.slice(0, 17))}`);
		assert.equal(cut.status, 422, cut.text);
		assert.equal(cut.body.error.field, 'id_number');
	});

	test("an export's audit entry names every filter it applied, and only those given", async () => {
		const query = 'format=csv&area=370831101&category=left_behind&risk_level=medium&guardian_status=working_away&age_min=6&age_max=12&school_id=3&director_id=7&sort=-birth_date&q=' + encodeURIComponent('李');
		const r = await centre.get(`/api/v1/children/export?${query}`);
		assert.equal(r.status, 200, r.text);
		const d = await lastAudit('child.export');
		assert.deepEqual(
			{ ...d, rows: undefined },
			{
				area: '370831101',
				category: 'left_behind',
				risk_level: 'medium',
				guardian_status: 'working_away',
				age_min: 6,
				age_max: 12,
				school_id: 3,
				director_id: 7,
				sort: '-birth_date',
				name_search: true,
				format: 'csv',
				rows: undefined,
			},
		);
		// no filter: nothing but the file's format and rows
		const all = await centre.get('/api/v1/children/export?format=csv');
		assert.equal(all.status, 200, all.text);
		const plain = await lastAudit('child.export');
		assert.deepEqual(Object.keys(plain).sort(), ['format', 'rows']);
		// an ID lookup says so, not the number
		const n = ids.next();
		await centre.get(`/api/v1/children/export?format=csv&id_number=${n}&age_min=0`);
		const lookup = await lastAudit('child.export');
		assert.deepEqual({ ...lookup, rows: undefined }, { id_lookup: true, age_min: 0, format: 'csv', rows: undefined });
	});
});
