// The audit report's limit (GET /api/v1/audit/export): a filter matching
// more than 100,000 entries is refused with a clear error instead of a
// report cut short, and a narrower one is answered in full. The entries
// are written straight into a copy's log (a chain nobody verifies here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, demoDatabase, spawnServer, sql } from './lib/harness.mjs';

const BULK = 100001;

function bulkInsert(driver, action, n, first) {
	const cols = 'seq, county_code, at, user_id, username, role, action, object_type, object_id, outcome, prev_hash, hash';
	if (driver === 'sqlite')
		return `INSERT INTO audit_log (${cols}) WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ${n}) ` +
			`SELECT ${first} + x, '370831', 1790000000 + x, 1, 'bulk', 'center', '${action}', 'child', CAST(x AS TEXT), 'ok', 'p', 'h' FROM g`;
	return `INSERT INTO audit_log (${cols}) SELECT ${first} + x, '370831', 1790000000 + x, 1, 'bulk', 'center', '${action}', 'child', x::text, 'ok', 'p', 'h' FROM generate_series(1, ${n}) x`;
}

describeEachDriver('audit report limit', (driver) => {
	let db, srv;

	before(async () => {
		db = await demoDatabase(driver, { children: 20 });
		await sql(db, bulkInsert(driver, 'x.bulk', BULK, 10000000));
		await sql(db, bulkInsert(driver, 'x.few', 3, 20000000));
		srv = await spawnServer(db);
	});
	after(async () => {
		await srv?.stop({ keep: true });
		await db?.drop();
	});

	test('more than 100,000 matching entries: 422 naming the way out; fewer: all of them', async () => {
		const auditor = await srv.login('auditor');
		const wide = await auditor.get('/api/v1/audit/export?action=x.bulk', { timeout: 120000 });
		assert.equal(wide.status, 422, wide.text.slice(0, 200));
		assert.equal(wide.body.error.code, 'too_many_entries');
		assert.match(wide.body.error.message, /narrow/);

		const few = await auditor.get('/api/v1/audit/export?action=x.few&lang=en');
		assert.equal(few.status, 200, few.text);
		assert.equal(few.headers.get('x-export-rows'), '3');
		assert.equal(few.text.trimEnd().split('\r\n').length, 4);
	});
});
