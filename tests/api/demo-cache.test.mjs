// The demo cache (scripts/run-tests.sh sets WEIBAO_DEMO_CACHE) gives most
// tests a copy of one demo county made once per run instead of running
// `weibao demo` on each database. A copy must be the county a fresh demo
// makes, or every test that uses it tests something else: the same rows in
// every table, the same children and accounts, the same schema version.
// (The demo is seeded: two runs make the same county, bar the key and
// what is encrypted with it.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, createDatabase, demoDatabase, runDemo, sql } from './lib/harness.mjs';

const TABLES = [
	'areas',
	'units',
	'users',
	'memberships',
	'children',
	'guardians',
	'child_categories',
	'child_name_grams',
	'help_requests',
	'referrals',
	'visits',
	'follow_ups',
	'programmes',
	'projects',
	'policies',
	'entitlement_gaps',
	'audit_log',
];

async function county(db) {
	const out = {};
	for (const t of TABLES) out[t] = Number(await sql(db, `SELECT count(*) FROM ${t}`));
	out.children_names = await sql(db, 'SELECT name FROM children ORDER BY id');
	out.usernames = await sql(db, 'SELECT username FROM users ORDER BY id');
	out.schema = await sql(db, 'SELECT max(version) FROM schema_migrations');
	return out;
}

describeEachDriver('the demo cache', (driver) => {
	const dbs = [];
	after(async () => {
		for (const db of dbs) await db.drop();
	});

	test('a cached copy is the county a fresh `weibao demo` makes', { skip: !process.env.WEIBAO_DEMO_CACHE && 'no demo cache in this run (WEIBAO_DEMO_CACHE)' }, async () => {
		const copy = await demoDatabase(driver, { children: 20 });
		dbs.push(copy);
		const fresh = await createDatabase(driver);
		dbs.push(fresh);
		await runDemo(fresh, { children: 20 });

		const [a, b] = [await county(copy), await county(fresh)];
		assert.ok(a.children >= 20 && a.users > 0 && a.audit_log > 0, JSON.stringify(a));
		assert.deepEqual(a, b);
	});
});
