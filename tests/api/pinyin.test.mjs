// Children's names sort by pinyin, as Chinese office software sorts them
// (阿明 < 李四 < 欧阳娜 < 王五 < 张三), Latin names after them by their
// letters: the registry's sort=name, its pages (cursor) and the export in
// its order, also after a rename; children of before the sort key (or keyed
// by another collator version) get their keys at `weibao migrate`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeEachDriver, demoDatabase, spawnServer, sql, cli } from './lib/harness.mjs';
import { csvObjects, bornYearsBefore } from './lib/registry.mjs';

const VILLAGE = '370831001001';

describeEachDriver('names sort by pinyin', (driver) => {
	let db, srv, centre;
	const tag = randomBytes(4).toString('hex'); // the names of this test end with it
	const given = ['张三', '阿明', '李四', '王五', '欧阳娜', 'Anna'];
	const ids = {};

	// the names of this test's children as the registry lists them: the
	// village's whole list by name, in pages of 3 (the cursor carries the order)
	const listed = async () => {
		const names = [];
		let cursor = null;
		for (let page = 0; page < 100; page++) {
			const r = await centre.get(`/api/v1/children?area=${VILLAGE}&sort=name&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
			assert.equal(r.status, 200, r.text);
			names.push(...r.body.items.map((c) => c.name));
			cursor = r.body.next_cursor;
			if (!cursor) break;
		}
		return names.filter((n) => n.endsWith(tag)).map((n) => n.slice(0, -tag.length));
	};
	const searched = async () => {
		const r = await centre.get(`/api/v1/children?q=${tag}&sort=name`);
		assert.equal(r.status, 200, r.text);
		return r.body.items.map((c) => c.name.slice(0, -tag.length));
	};
	const exported = async () => {
		const r = await centre.get(`/api/v1/children/export?format=csv&sort=name&area=${VILLAGE}`);
		assert.equal(r.status, 200, r.text);
		return csvObjects(r.text.replace(/^\uFEFF/, ''))
			.map((row) => row['姓名'])
			.filter((n) => n.endsWith(tag))
			.map((n) => n.slice(0, -tag.length));
	};

	before(async () => {
		db = await demoDatabase(driver, { children: 20 });
		srv = await spawnServer(db);
		centre = await srv.login('center');
		for (const name of given) {
			const r = await centre.post('/api/v1/children', { name: `${name}${tag}`, sex: 'F', birth_date: bornYearsBefore(8), village_code: VILLAGE });
			assert.equal(r.status, 201, r.text);
			ids[name] = r.body.id;
		}
	});
	after(async () => {
		await srv?.stop({ keep: true });
		await db?.drop();
	});

	const PINYIN = ['阿明', '李四', '欧阳娜', '王五', '张三', 'Anna'];

	test('sort=name lists by pinyin, page after page, and the export follows', async () => {
		assert.deepEqual(await listed(), PINYIN);
		assert.deepEqual(await searched(), PINYIN, 'a name search sorted by name');
		assert.deepEqual(await exported(), PINYIN, 'the export in the list\'s order');
	});

	test('a renamed child moves to its new name\'s place', async () => {
		const r = await centre.patch(`/api/v1/children/${ids['王五']}`, { name: `白五${tag}`, version: 1 });
		assert.equal(r.status, 200, r.text);
		const want = ['阿明', '白五', '李四', '欧阳娜', '张三', 'Anna'];
		assert.deepEqual(await listed(), want);
		assert.deepEqual(await exported(), want);
	});

	test('weibao migrate keys the children that have no key, and all of them for another collator version', async () => {
		const want = ['阿明', '白五', '李四', '欧阳娜', '张三', 'Anna'];
		assert.deepEqual((await srv.stop({ keep: true })), { code: 0, signal: null });
		srv = null;
		const version = await sql(db, "SELECT value FROM settings WHERE county_code = '' AND name = 'name_key_collator'");
		assert.match(version, /^zh \d+\.\d+\.\d+\.\d+ surnames-\d+$/, 'the collator version (and the surnames table) is recorded');
		const keyed = async () => Number(await sql(db, `SELECT COUNT(*) FROM children WHERE name LIKE '%${tag}' AND name_key IS NOT NULL`));

		// children of before schema 0031 have no key
		await sql(db, `UPDATE children SET name_key = NULL WHERE name LIKE '%${tag}'`);
		assert.equal(await keyed(), 0);
		let m = await cli(db, ['migrate']);
		assert.equal(m.code, 0, m.stderr);
		assert.equal(await keyed(), given.length);
		const missingRun = Number(await sql(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'migrate.name_keys'"));
		assert.equal(missingRun, 1, 'the keying is in the audit log');

		// keys of another ICU version: every one is made again
		await sql(db, "UPDATE settings SET value = 'zh 0.0.0.0' WHERE county_code = '' AND name = 'name_key_collator'");
		await sql(db, "UPDATE children SET name_key = 'zzz'");
		m = await cli(db, ['migrate']);
		assert.equal(m.code, 0, m.stderr);
		assert.equal(Number(await sql(db, "SELECT COUNT(*) FROM children WHERE name_key = 'zzz' OR name_key IS NULL")), 0);
		assert.equal(await sql(db, "SELECT value FROM settings WHERE county_code = '' AND name = 'name_key_collator'"), version);
		// nothing left to do: no further entry
		m = await cli(db, ['migrate']);
		assert.equal(m.code, 0, m.stderr);
		assert.equal(Number(await sql(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'migrate.name_keys'")), 2);

		srv = await spawnServer(db);
		centre = await srv.login('center');
		assert.deepEqual(await listed(), want);
		assert.deepEqual(await exported(), want);
	});
});
