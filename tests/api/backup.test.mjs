// `weibao backup` (docs/operations.md "Backup"): a checked copy of an
// SQLite database taken while the server runs and writes. The copy holds
// every child acknowledged before it, its audit chain verifies with the
// installation's key, a server started on it answers, the backup is in the
// audit log, and nothing is replaced or half-written by mistake. On
// PostgreSQL the command points to pg_dump and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, spawnServer, cli, sql, uniqueName } from './lib/harness.mjs';

const child = (name) => ({ name, sex: 'F', birth_date: '2016-06-06', village_code: '370831001001' });

describeEachDriver('backup', (driver) => {
	let srv, centre;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
	});
	after(async () => {
		await srv?.stop();
	});

	if (driver === 'pg') {
		test('on PostgreSQL it points to pg_dump and writes nothing', async () => {
			const to = join(srv.db.dir, 'copy.db');
			const r = await cli(srv.db, ['backup', '--to', to]);
			assert.equal(r.code, 2, r.stdout + r.stderr);
			assert.match(r.stderr, /pg_dump/);
			assert.equal(existsSync(to), false);
		});
		return;
	}

	test('a copy taken while the server writes holds the children, verifies, serves, and is audited', async () => {
		const name = uniqueName('备份');
		const c = await centre.post('/api/v1/children', child(name));
		assert.equal(c.status, 201, c.text);

		// registrations go on while the copy is taken
		const writing = (async () => {
			let ok = 0;
			for (let i = 0; i < 20; i++) if ((await centre.post('/api/v1/children', child(uniqueName('并发')))).status === 201) ok++;
			return ok;
		})();
		const to = join(srv.db.dir, 'copy.db');
		const r = await cli(srv.db, ['backup', '--to', to]);
		assert.equal(await writing, 20, 'the server kept answering writes');
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const entries = Number(/audit chain intact \((\d+) entries\)/.exec(r.stdout)?.[1]);
		assert.ok(entries > 3, r.stdout);
		assert.match(r.stdout, /key file .* is not in it/, 'the operator is told to keep the key apart');
		assert.deepEqual(
			readdirSync(srv.db.dir).filter((f) => f.includes('.part')),
			[],
			'no temporary file is left behind',
		);

		// the database, its key and the copy are their owner's alone, whatever the umask
		for (const f of [srv.db.file, srv.db.keyFile, to]) assert.equal(statSync(f).mode & 0o777, 0o600, f);

		// the copy verifies with the installation's key, on its own
		const copy = { ...srv.db, file: to, url: `sqlite:${to}` };
		const v = await cli(copy, ['verify-audit']);
		assert.equal(v.code, 0, v.stdout + v.stderr);
		assert.equal(Number(/(\d+) entries verified/.exec(v.stdout)?.[1]), entries);
		assert.match(v.stdout, /and the database file checked/);

		// a damaged copy (a page overwritten) is refused by verify-audit, whose chain alone may read intact
		const damaged = join(srv.db.dir, 'damaged.db');
		copyFileSync(to, damaged);
		const root = Number(await sql({ ...srv.db, file: damaged }, "SELECT rootpage FROM sqlite_schema WHERE name = 'children'"));
		const fd = openSync(damaged, 'r+');
		writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, 4096 * (root - 1)); // the children table's root page
		closeSync(fd);
		const d = await cli({ ...srv.db, file: damaged, url: `sqlite:${damaged}` }, ['verify-audit']);
		assert.equal(d.code, 1, d.stdout + d.stderr);
		assert.match(d.stdout, /database file DAMAGED/);

		// and a server on the copy shows the child registered before it
		const restored = await spawnServer(copy);
		try {
			const cc = await restored.login('center');
			const got = await cc.get(`/api/v1/children/${c.body.id}`);
			assert.equal(got.status, 200, got.text);
			assert.equal(got.body.name, name);
		} finally {
			assert.equal((await restored.stop())?.code, 0);
		}

		// the live log records the backup, with its size
		const auditor = await srv.login('auditor');
		const log = await auditor.get('/api/v1/audit?action=database.backup');
		assert.equal(log.status, 200, log.text);
		assert.equal(log.body.items.length, 1);
		assert.equal(log.body.items[0].outcome, 'ok');
		assert.equal(log.body.items[0].username, 'cli');
		assert.ok(JSON.parse(log.body.items[0].detail).bytes > 0);
	});

	test('an existing file is kept unless --force, the database and its key always; a missing --to or folder is named', async () => {
		const to = join(srv.db.dir, 'exists.db');
		writeFileSync(to, 'not a database');
		const r = await cli(srv.db, ['backup', '--to', to]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /exists already.*--force/);
		assert.equal(readFileSync(to, 'utf8'), 'not a database', 'left as it was');

		const none = await cli(srv.db, ['backup']);
		assert.equal(none.code, 2);
		assert.match(none.stderr, /--to FILE is required/);

		const missing = join(srv.db.dir, 'no-such-folder', 'copy.db');
		const bad = await cli(srv.db, ['backup', '--to', missing]);
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /no-such-folder/);
		assert.equal(existsSync(join(srv.db.dir, 'no-such-folder')), false);

		// never over the database or its key, even with --force; never into a folder's name
		for (const own of [srv.db.file, `${srv.db.file}-wal`, srv.db.keyFile]) {
			const r2 = await cli(srv.db, ['backup', '--to', own, '--force']);
			assert.equal(r2.code, 2, own);
			assert.match(r2.stderr, /is the database \(or its key\) itself/);
		}
		const dir = await cli(srv.db, ['backup', '--to', srv.db.dir, '--force']);
		assert.equal(dir.code, 2);
		assert.match(dir.stderr, /is a folder/);
		assert.equal((await centre.get('/api/v1/me')).status, 200, 'the server goes on, its database untouched');

		const forced = await cli(srv.db, ['backup', '--to', to, '--force']);
		assert.equal(forced.code, 0, forced.stdout + forced.stderr);
		assert.equal(readFileSync(to).subarray(0, 15).toString('latin1'), 'SQLite format 3');
	});

	test('a database of three counties records its backup in each county\'s log, or in the named one only', async () => {
		for (const [code, name] of [['370835', '备份县'], ['370836', '备份二县']]) {
			const added = await cli(srv.db, ['init', '--county', code, '--county-name', name, '--admin', `admin${code}`, '--password', 'Weibao-Test-2026!']);
			assert.equal(added.code, 0, added.stdout + added.stderr);
		}
		const backups = async () =>
			(await sql(srv.db, "SELECT county_code FROM audit_log WHERE action = 'database.backup' AND outcome = 'ok' ORDER BY seq")).split('\n').filter(Boolean);
		const before = await backups();

		const all = await cli(srv.db, ['backup', '--to', join(srv.db.dir, 'two-counties.db')]);
		assert.equal(all.code, 0, all.stdout + all.stderr);
		assert.deepEqual((await backups()).slice(before.length).sort(), ['370831', '370835', '370836'], 'the copy holds every county: every log says so');

		const one = await cli(srv.db, ['backup', '--to', join(srv.db.dir, 'named.db'), '--county', '370835']);
		assert.equal(one.code, 0, one.stdout + one.stderr);
		assert.deepEqual((await backups()).slice(before.length + 3), ['370835']);
	});
});
