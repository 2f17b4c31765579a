// Area scopes and filters compare codes as byte-ordered ranges ('370831001'
// up to '370831001:'). A PostgreSQL database created with a language-aware
// collation orders ':' before the digits, so those ranges would silently
// hold no child: weibao refuses such a database with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PG_BASE, run, sql } from './lib/harness.mjs';

test('a PostgreSQL database that does not compare text in byte order is refused [pg]', { skip: !PG_BASE && 'WEIBAO_PG_BASE is not set' }, async () => {
	const name = `wbt_icu_${process.pid}`;
	const admin = `${PG_BASE}postgres`;
	const dir = mkdtempSync(join(tmpdir(), 'weibao-collation-'));
	// CREATE and DROP DATABASE go to the server's admin database; their outcome is checked here
	const psql = (db, statement) => run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', statement]);
	const created = await psql(
		admin,
		`CREATE DATABASE ${name} LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C.UTF-8' TEMPLATE template0`,
	);
	try {
		assert.equal(created.code, 0, created.stderr);
		const db = { driver: 'pg', url: `${PG_BASE}${name}` };
		assert.equal(await sql(db, `SELECT '370831001001' < '370831001:'`), 'f', 'the ICU root collation sorts ":" before digits');
		for (const cmd of [['init'], ['migrate']]) {
			const r = await run(BIN, [...cmd, '--db', `${PG_BASE}${name}`, '--key-file', join(dir, 'k.key')]);
			assert.notEqual(r.code, 0, `weibao ${cmd[0]} must refuse`);
			assert.match(r.stderr, /compares text by language rules/);
			assert.match(r.stderr, /--locale=C/);
		}
		const tables = await sql(db, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`);
		assert.equal(tables, '0', 'nothing was created in the refused database');
	} finally {
		await psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
		rmSync(dir, { recursive: true, force: true });
	}
});
