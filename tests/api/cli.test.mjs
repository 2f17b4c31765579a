// The operator's command line against the real binary: a province's
// further county made by `weibao init` (its own administrator, its name
// required), the user commands audited as the API audits them (the
// account's id as the object, the same detail) and their messages, the
// refusals of an unknown county (recompute, import, import-areas, backup) and of a future --at
// (deadlines), the config file's blanks and comments, and the messages of
// a missing key file and a bad log level.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describeEachDriver, startServer, spawnServer, createDatabase, cli, run, sql, sleep, BIN, PASSWORD, COUNTY } from './lib/harness.mjs';

const TOWNSHIP = '370831001';

describeEachDriver('the command line', (driver) => {
	let srv, auditor;

	before(async () => {
		srv = await startServer(driver, { children: 20 });
		auditor = await srv.login('auditor');
	});
	after(async () => {
		await srv?.stop();
	});

	const count = async (q) => Number(await sql(srv.db, q));

	test('init of a further county: its own administrator, its name required, the user-name rule', async () => {
		// the default 'admin' is the demo county's: refused, naming --admin, nothing created
		const taken = await cli(srv.db, ['init', '--county', '370832', '--county-name', '另一县']);
		assert.equal(taken.code, 2, taken.stdout + taken.stderr);
		assert.match(taken.stderr, /user name 'admin' is taken by an account of county 370831/);
		assert.match(taken.stderr, /--admin NAME \(e\.g\. --admin admin370832\)/);
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code = '370832'"), 0);
		assert.equal(await count("SELECT COUNT(*) FROM units WHERE county_code = '370832'"), 0);

		// a new county needs its name (no county called "县")
		const nameless = await cli(srv.db, ['init', '--county', '370833', '--admin', 'admin370833']);
		assert.equal(nameless.code, 2, nameless.stdout + nameless.stderr);
		assert.match(nameless.stderr, /--county-name/);
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code = '370833'"), 0);
		assert.equal(await count("SELECT COUNT(*) FROM users WHERE username = 'admin370833'"), 0);

		// the county's name follows the rule of an area's name in the area import
		const ctl = await cli(srv.db, ['init', '--county', '370833', '--county-name', '外\u0001县', '--admin', 'admin370833']);
		assert.equal(ctl.code, 2, ctl.stdout + ctl.stderr);
		assert.match(ctl.stderr, /--county-name must be the county's name \(1 to \d+ bytes of UTF-8 text without control characters/);
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code = '370833'"), 0);

		// the administrator's name follows the rule of `weibao user add`
		const spaced = await cli(srv.db, ['init', '--county', '370832', '--county-name', '另一县', '--admin', 'a b']);
		assert.equal(spaced.code, 2);
		assert.match(spaced.stderr, /--admin: a user name has 3 to 63/);
		assert.equal(await count("SELECT COUNT(*) FROM users WHERE username = 'a b'"), 0);

		// with its own administrator: the county, its departments and the account
		const ok = await cli(srv.db, ['init', '--county', '370832', '--county-name', '另一县', '--admin', 'admin370832', '--password', PASSWORD]);
		assert.equal(ok.code, 0, ok.stderr);
		assert.match(ok.stdout, /county 370832 另一县 created/);
		assert.doesNotMatch(ok.stdout, new RegExp(PASSWORD), 'a password given is not echoed');
		assert.equal(await sql(srv.db, "SELECT name FROM areas WHERE code = '370832'"), '另一县');
		assert.ok((await count("SELECT COUNT(*) FROM units WHERE county_code = '370832' AND kind = 'department'")) >= 10);
		const admin2 = await srv.login('admin370832');
		assert.deepEqual((await admin2.get('/api/v1/users')).body.items.map((u) => u.username), ['admin370832']);
		// run again: nothing to do, exit 0
		const again = await cli(srv.db, ['init', '--county', '370832', '--admin', 'admin370832']);
		assert.equal(again.code, 0, again.stderr);
		assert.match(again.stdout, /already exists/);
	});

	test('user add, lock, unlock and passwd are audited as the API audits them: the account id, the same detail', async () => {
		const name = `cli${Date.now() % 1000000}`;
		const add = await cli(srv.db, ['user', 'add', name, '--role', 'station', '--area', TOWNSHIP, '--password', PASSWORD]);
		assert.equal(add.code, 0, add.stderr);
		assert.doesNotMatch(add.stdout, new RegExp(PASSWORD), 'a password given is not echoed');
		const id = await sql(srv.db, `SELECT id FROM users WHERE username = '${name}'`);
		for (const sub of ['lock', 'unlock']) {
			const r = await cli(srv.db, ['user', sub, name]);
			assert.equal(r.code, 0, r.stderr);
		}
		const pw = await cli(srv.db, ['user', 'passwd', name, '--password', 'Other-Pass-2026']);
		assert.equal(pw.code, 0, pw.stderr);
		assert.doesNotMatch(pw.stdout + pw.stderr, /Other-Pass-2026/, 'the password is not echoed');
		const gen = await cli(srv.db, ['user', 'passwd', name]);
		assert.match(gen.stdout, /password of \S+ set: \S{8,}/, 'a generated one is shown once');

		// the auditor's filter by account finds every one of them
		const r = await auditor.get(`/api/v1/audit?object_type=user&object_id=${id}`);
		assert.equal(r.status, 200, r.text);
		const actions = r.body.items.map((e) => e.action).sort();
		assert.deepEqual(actions, ['user.create', 'user.lock', 'user.password_reset', 'user.password_reset', 'user.unlock']);
		const created = r.body.items.find((e) => e.action === 'user.create');
		assert.equal(created.username, 'cli');
		assert.deepEqual(JSON.parse(created.detail), { role: 'station', area_code: TOWNSHIP, username: name });
		// init's administrator too (of the county init made above)
		const adminId = await sql(srv.db, "SELECT id FROM users WHERE username = 'admin370832'");
		assert.equal(
			await sql(srv.db, `SELECT county_code || '|' || detail FROM audit_log WHERE action = 'user.create' AND object_id = '${adminId}'`),
			'370832|{"role":"admin","area_code":"370832","username":"admin370832"}',
		);
		assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'user' AND object_id = '${name}'`), 0, 'no entry names the account by its user name');
	});

	test('user commands name what is wrong: an unknown unit, area or subcommand', async () => {
		const unit = await cli(srv.db, ['user', 'add', 'cli_nounit', '--role', 'department', '--unit', 'department:nonexist', '--county', COUNTY]);
		assert.equal(unit.code, 2);
		assert.match(unit.stderr, /--unit: county 370831 has no unit department:nonexist/);
		// with a further county in the database, a unit's county is asked for
		const further = await cli(srv.db, ['init', '--county', '370832', '--county-name', '另一县', '--admin', 'admin370832', '--password', PASSWORD]);
		assert.equal(further.code, 0, further.stdout + further.stderr);
		const which = await cli(srv.db, ['user', 'add', 'cli_nounit', '--role', 'department', '--unit', 'department:civil_affairs']);
		assert.equal(which.code, 2);
		assert.match(which.stderr, /this database holds 2 counties: name one with --county \(370831, 370832\)/);
		const area = await cli(srv.db, ['user', 'add', 'cli_noarea', '--role', 'director', '--area', '370831999999']);
		assert.equal(area.code, 2);
		assert.match(area.stderr, /--area: unknown area 370831999999/);
		const level = await cli(srv.db, ['user', 'add', 'cli_level', '--role', 'director', '--area', TOWNSHIP]);
		assert.equal(level.code, 2);
		assert.match(level.stderr, /--area: this role needs the code of a village or community/);
		const frob = await cli(srv.db, ['user', 'frob']);
		assert.equal(frob.code, 2);
		assert.match(frob.stderr, /unknown subcommand 'frob' \(add, passwd, lock, unlock or list\)/);
		// an option given last without its value is refused, not taken as absent
		const everyCounty = await cli(srv.db, ['user', 'list', '--county']);
		assert.equal(everyCounty.code, 2, everyCounty.stdout);
		assert.match(everyCounty.stderr, /weibao user: --county needs a value/);
		assert.doesNotMatch(everyCounty.stdout, /admin370832/, 'no county\'s accounts listed');
		const madeUp = await cli(srv.db, ['user', 'passwd', 'director', '--password']);
		assert.equal(madeUp.code, 2, madeUp.stdout);
		assert.match(madeUp.stderr, /--password needs a value/);
		assert.equal((await srv.login('director')).me.user.username, 'director', 'the password is unchanged');
		assert.equal(await count("SELECT COUNT(*) FROM users WHERE username IN ('cli_nounit', 'cli_noarea', 'cli_level')"), 0);
	});

	test('user add names a misspelt or missing role, not only the usage', async () => {
		const misspelt = await cli(srv.db, ['user', 'add', 'cli_role', '--role', 'centre', '--area', COUNTY]);
		assert.equal(misspelt.code, 2);
		assert.match(misspelt.stderr, /weibao user add: --role: unknown role 'centre'/);
		assert.match(misspelt.stderr, /roles: committee center/);
		const none = await cli(srv.db, ['user', 'add', 'cli_role', '--area', COUNTY]);
		assert.equal(none.code, 2);
		assert.match(none.stderr, /weibao user add: --role is required/);
		const nameless = await cli(srv.db, ['user', 'add', '--role', 'center', '--area', COUNTY]);
		assert.equal(nameless.code, 2);
		assert.match(nameless.stderr, /weibao user add: the user name is missing/);
		assert.equal(await count("SELECT COUNT(*) FROM users WHERE username = 'cli_role'"), 0);
	});

	test('user add refuses a --name the API would refuse; the accounts list and the login keep working', async () => {
		const admin = await srv.login('admin');
		const bad = {
			empty: '',
			'control characters': '张\u0001三',
			'a line break': '张\n三',
			'blanks at either end': ' 张三 ',
			// 180 bytes: was cut at 127, inside a character, which broke the
			// JSON of the administrator's list and of the account's login
			'longer than 120 bytes': '长'.repeat(60),
		};
		for (const [what, name] of Object.entries(bad)) {
			const r = await cli(srv.db, ['user', 'add', 'cli_badname', '--role', 'director', '--area', '370831001001', '--name', name, '--password', PASSWORD]);
			assert.equal(r.code, 2, `${what}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /--name: 1 to 120 bytes of UTF-8 text/, what);
			assert.equal(await count("SELECT COUNT(*) FROM users WHERE username = 'cli_badname'"), 0, what);
		}
		const list = await admin.get('/api/v1/users');
		assert.equal(list.status, 200, list.text);
		const ok = await cli(srv.db, ['user', 'add', 'cli_goodname', '--role', 'director', '--area', '370831001001', '--name', '长'.repeat(40), '--password', PASSWORD]);
		assert.equal(ok.code, 0, ok.stderr);
		const s = await srv.login('cli_goodname');
		assert.equal(s.me.user.display_name, '长'.repeat(40));
		assert.ok((await admin.get('/api/v1/users')).body.items.some((u) => u.username === 'cli_goodname'));
	});

	test('recompute, import, import-areas and backup refuse an unknown or malformed county; deadlines refuses a future --at', async () => {
		const before = await count('SELECT COUNT(*) FROM audit_log');
		for (const county of ['370899', 'abc', '370831001']) {
			const r = await cli(srv.db, ['recompute', '--county', county]);
			assert.equal(r.code, 2, `${county}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /--county/);
			assert.equal(r.stdout, '');
		}
		const ok = await cli(srv.db, ['recompute', '--county', COUNTY]);
		assert.equal(ok.code, 0, ok.stderr);
		// so does an import into a county the database does not have
		for (const county of ['370899', '37083']) {
			const r = await cli(srv.db, ['import', '/dev/null', '--county', county]);
			assert.equal(r.code, 2, `${county}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /--county/);
		}

		// and so do import-areas and backup: nothing imported, no copy, no entry
		const areasFile = join(srv.db.dir, 'areas-elsewhere.csv');
		writeFileSync(areasFile, 'code,name\n370899001,别县某镇\n');
		for (const county of ['370899', 'abc']) {
			const r = await cli(srv.db, ['import-areas', areasFile, '--county', county]);
			assert.equal(r.code, 2, `import-areas ${county}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /^weibao import-areas: --county: no county/);
			assert.equal(r.stdout, '');
		}
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code LIKE '370899%'"), 0, 'no area of the unknown county');
		const copy = join(srv.db.dir, 'elsewhere.db');
		for (const county of ['370899', 'abc']) {
			const r = await cli(srv.db, ['backup', '--to', copy, '--county', county]);
			assert.equal(r.code, 2, `backup ${county}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /^weibao backup: --county: no county/);
			assert.equal(existsSync(copy), false, 'no copy written');
		}
		assert.equal(await count("SELECT COUNT(*) FROM audit_log WHERE county_code IN ('370899', 'abc')"), 0, 'no entry under an unknown county');

		const future = new Date(Date.now() + 3 * 86400 * 1000).toISOString();
		const f = await cli(srv.db, ['deadlines', '--at', future]);
		assert.equal(f.code, 2, f.stdout + f.stderr);
		assert.match(f.stderr, /--at is \d+ s in the future/);
		const past = await cli(srv.db, ['deadlines', '--at', String(Math.floor(Date.now() / 1000) - 3600)]);
		assert.equal(past.code, 0, past.stderr);
		assert.ok((await count('SELECT COUNT(*) FROM audit_log')) > before);
		assert.equal(await count("SELECT COUNT(*) FROM audit_log WHERE object_id IN ('370899', 'abc', '370831001')"), 0, 'nothing done for them');
	});

	test('a missing key file and a bad log level are named', async () => {
		const missing = join(srv.db.dir, 'nowhere.key');
		const r = await run(BIN, ['verify-audit', '--db', srv.db.url, '--key-file', missing], { cwd: srv.db.dir });
		assert.equal(r.code, 2);
		assert.match(r.stderr, new RegExp(`the key file ${missing} is missing`));
		assert.match(r.stderr, /restored from a backup needs the key file/);
		assert.doesNotMatch(r.stderr, /run 'weibao init' first/);
		assert.equal(existsSync(missing), false);

		const level = await run(BIN, ['version'], { env: { WEIBAO_LOG_LEVEL: 'loud' } });
		assert.equal(level.code, 2);
		assert.match(level.stderr, /WEIBAO_LOG_LEVEL is 'loud'/);
	});

	test('another installation\'s key file is refused by every command before it does anything', async () => {
		const other = join(srv.db.dir, 'other.key');
		writeFileSync(other, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
		const withKey = (args, key = other) => run(BIN, [...args, '--db', srv.db.url, '--key-file', key], { cwd: srv.db.dir });
		const entries = await count('SELECT COUNT(*) FROM audit_log');
		const wrong = (r, what) => {
			assert.notEqual(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /wrong key/, what);
			assert.match(r.stderr, new RegExp(`the key file ${other} is not the key this database was written with`), what);
			assert.match(r.stderr, /Restore this database's own key file from its backup/, what);
			assert.doesNotMatch(r.stdout + r.stderr, /altered|BROKEN/, what);
		};

		// the server does not start (and so writes no entry keyed wrongly)
		wrong(await run(BIN, ['serve', '--db', srv.db.url, '--key-file', other, '--listen', '127.0.0.1', '--port', '0'], { cwd: srv.db.dir, timeout: 30000 }), 'serve');
		// verify-audit says the key is wrong, not that the log was altered
		const v = await withKey(['verify-audit']);
		assert.equal(v.code, 2);
		wrong(v, 'verify-audit');
		wrong(await withKey(['user', 'add', 'wrongkey1', '--role', 'station', '--area', TOWNSHIP, '--password', PASSWORD]), 'user add');
		wrong(await withKey(['init']), 'init');
		wrong(await withKey(['demo', '--password', PASSWORD]), 'demo');
		wrong(await withKey(['recompute']), 'recompute');
		if (driver === 'sqlite') wrong(await withKey(['backup', '--to', join(srv.db.dir, 'wrong-key-copy.db')]), 'backup');
		assert.equal(existsSync(join(srv.db.dir, 'wrong-key-copy.db')), false);
		assert.equal(await count("SELECT COUNT(*) FROM users WHERE username = 'wrongkey1'"), 0);
		assert.equal(await count('SELECT COUNT(*) FROM audit_log'), entries, 'no entry was written');
		const right = await cli(srv.db, ['verify-audit']);
		assert.equal(right.code, 0, right.stdout + right.stderr);
		assert.match(right.stdout, /audit log intact/);

		// a database made before the key check was kept: its audit chain tells
		await sql(srv.db, 'DELETE FROM key_check');
		wrong(await withKey(['verify-audit']), 'verify-audit of an older database');
		assert.equal(await count('SELECT COUNT(*) FROM key_check'), 0, 'a wrong key is not recorded as the right one');
		const older = await cli(srv.db, ['verify-audit']);
		assert.equal(older.code, 0, older.stdout + older.stderr);
		assert.equal(await count('SELECT COUNT(*) FROM key_check'), 1, 'the right key\'s check value is kept');
		wrong(await withKey(['verify-audit']), 'verify-audit after the check value was kept');
		const value = await sql(srv.db, 'SELECT value FROM key_check');
		assert.match(value, /^[0-9a-f]{64}$/);
		assert.ok(!readFileSync(srv.db.keyFile, 'utf8').includes(value), 'the check value is not the key');
	});

	test('--config given last without its file is refused, not run on the defaults', async () => {
		const cwd = join(srv.db.dir, 'no-config');
		mkdirSync(cwd, { recursive: true });
		for (const args of [['init', '--county', COUNTY, '--config'], ['user', 'list', '--config']]) {
			const r = await run(BIN, args, { cwd });
			assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /--config needs a value/);
			assert.deepEqual(readdirSync(cwd), [], 'no weibao.db nor key made in the current folder');
		}
	});

	test('a config file: trailing blanks do not count, a comment may follow a value', { skip: driver === 'pg' && 'a file path is the SQLite case' }, async () => {
		const dbFile = join(srv.db.dir, 'sp.db');
		const conf = join(srv.db.dir, 'weibao.conf');
		writeFileSync(
			conf,
			[
				'# a new installation',
				`db = sqlite:${dbFile}   `,
				`key_file = ${dbFile}.key\t# beside it`,
				'port = 18405  ',
				'log_level = warn # quiet',
				'',
			].join('\n'),
		);
		const r = await run(BIN, ['init', '--config', conf, '--password', PASSWORD], { cwd: srv.db.dir });
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.ok(existsSync(dbFile), 'the file named, without the blanks');
		assert.equal(existsSync(`${dbFile}   `), false);
		assert.ok(existsSync(`${dbFile}.key`));
		assert.doesNotMatch(r.stderr, /INFO/, 'log_level warn took effect');

		writeFileSync(conf, 'port = 18x05 # typo\n');
		const bad = await run(BIN, ['version', '--config', conf]);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /port must be a whole number from 0 to 65535, not '18x05'/);
	});

	test('a failed backup records why in its audit entry', { skip: driver === 'pg' && 'PostgreSQL is backed up with its own tools' }, async () => {
		// a copy whose audit chain does not verify is not kept
		const seq = await sql(srv.db, 'SELECT MIN(seq) FROM audit_log');
		const outcome = await sql(srv.db, `SELECT outcome FROM audit_log WHERE seq = ${seq}`);
		await sql(srv.db, `UPDATE audit_log SET outcome = 'forged' WHERE seq = ${seq}`);
		try {
			const to = join(srv.db.dir, 'broken-copy.db');
			const r = await cli(srv.db, ['backup', '--to', to]);
			assert.equal(r.code, 1, r.stdout + r.stderr);
			assert.equal(existsSync(to), false);
		} finally {
			await sql(srv.db, `UPDATE audit_log SET outcome = '${outcome}' WHERE seq = ${seq}`);
		}
		const detail = await sql(srv.db, "SELECT detail FROM audit_log WHERE action = 'database.backup' AND outcome = 'failed' ORDER BY seq DESC LIMIT 1");
		assert.deepEqual(JSON.parse(detail), { error: 'audit_chain_broken' });
	});
});

// A county set up from the README and docs/operations.md alone (370883
// 邹城市): no command assumes the demo county 370831 when --county is not
// given; a database of several counties asks for it.
describeEachDriver('a new county other than 370831', (driver) => {
	let db, srv;
	const ZC = '370883';
	const TOWN = '370883101';
	const VILLAGE = '370883101201';

	before(async () => {
		db = await createDatabase(driver);
		const r = await cli(db, ['init', '--county', ZC, '--county-name', '邹城市', '--admin', 'zcadmin', '--password', PASSWORD]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
	});
	after(async () => {
		await srv?.stop();
		await db?.drop();
	});

	const count = async (q) => Number(await sql(db, q));

	test('init again without --county only migrates and says so', async () => {
		const r = await cli(db, ['init']);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /database ready \(schema \d+\); it already holds county 370883, so nothing else was done/);
		assert.doesNotMatch(r.stdout, /created|password/);
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code = '370831'"), 0, 'no 泗水县');
		assert.equal(await count("SELECT COUNT(*) FROM users WHERE username = 'admin'"), 0, 'no second administrator');
		assert.equal(await count('SELECT COUNT(*) FROM users'), 1);
	});

	test('import-areas, import, recompute and user add work on the only county without --county', async () => {
		const areas = join(db.dir, 'areas.csv');
		writeFileSync(areas, `code,name\n${TOWN},钢山街道\n${VILLAGE},东关社区\n`);
		const a = await cli(db, ['import-areas', areas]);
		assert.equal(a.code, 0, a.stdout + a.stderr);
		assert.match(a.stdout, /imported 2 new areas/);
		assert.equal(await sql(db, `SELECT county_code FROM areas WHERE code = '${VILLAGE}'`), ZC);

		const kids = join(db.dir, 'kids.csv');
		writeFileSync(kids, '姓名,性别,出生日期,村（社区）代码\n邹一,女,2015-03-01,370883101201\n邹二,男,2016-05-02,370883101201\n');
		const i = await cli(db, ['import', kids]);
		assert.equal(i.code, 0, i.stdout + i.stderr);
		assert.match(i.stdout, /2 created, 0 updated, 0 unchanged, 0 errors/);
		assert.equal(await count(`SELECT COUNT(*) FROM children WHERE county_code = '${ZC}'`), 2);
		const help = await cli(db, ['import', '--help']);
		assert.match(help.stdout, /--county CODE/);

		const rc = await cli(db, ['recompute']);
		assert.equal(rc.code, 0, rc.stdout + rc.stderr);
		assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'category.recompute' AND county_code = '${ZC}'`), 1);

		const u = await cli(db, ['user', 'add', 'zcdept', '--role', 'department', '--unit', 'department:civil_affairs', '--password', PASSWORD]);
		assert.equal(u.code, 0, u.stdout + u.stderr);
		assert.equal(await sql(db, "SELECT county_code FROM users WHERE username = 'zcdept'"), ZC);
		for (const cmd of ['import', 'import-areas', 'recompute']) {
			const h = await cli(db, [cmd, '--help']);
			assert.match(h.stdout, /--county[\s\S]*only\s+county/, cmd);
		}
		// every command that opens a database says how to name it
		for (const cmd of ['init', 'serve', 'migrate', 'user', 'demo', 'verify-audit', 'import', 'import-areas', 'recompute', 'backup', 'rekey', 'deadlines', 'demo-requests']) {
			const h = await cli(db, [cmd, '--help']);
			assert.match(h.stdout + h.stderr, /--db URL/, cmd);
		}
	});

	test('options before the file are read as after it; a --report that cannot be written and a bad category setting stop the command before it does anything', async () => {
		const areas = join(db.dir, 'areas-first.csv');
		writeFileSync(areas, `code,name\n${TOWN}202,南关社区\n`);
		const a = await cli(db, ['import-areas', '--county', ZC, areas]);
		assert.equal(a.code, 0, a.stdout + a.stderr);
		assert.match(a.stdout, /imported 1 new areas/);
		const bare = await cli(db, ['import-areas', '--county', ZC]);
		assert.equal(bare.code, 2, 'no file: the usage, not "cannot read --county"');
		assert.match(bare.stderr, /usage: weibao import-areas/);

		const kids = join(db.dir, 'kids-report.csv');
		writeFileSync(kids, `姓名,性别,出生日期,村（社区）代码\n邹报告,女,2015-03-01,${VILLAGE}\n`);
		const before = await count('SELECT COUNT(*) FROM children');
		const lost = await cli(db, ['import', '--report', join(db.dir, 'no-such-folder', 'report.csv'), kids]);
		assert.equal(lost.code, 2, 'a nightly job must notice the report is missing');
		assert.match(lost.stderr, /--report: cannot write .*no-such-folder.*nothing imported/);
		assert.equal(await count('SELECT COUNT(*) FROM children'), before, 'nothing imported');
		const report = join(db.dir, 'report.csv');
		const ok = await cli(db, ['import', '--mode', 'rows', '--report', report, kids]);
		assert.equal(ok.code, 0, ok.stdout + ok.stderr);
		assert.equal(await count('SELECT COUNT(*) FROM children'), before + 1);
		assert.match(readFileSync(report, 'utf8'), /^\uFEFFrow,column,kind,reason/);

		// a misspelt category setting is a bad setting like any other: exit 2, whichever command
		for (const args of [['verify-audit', '--category-birthday', 'x'], ['import', kids, '--category-birthday', 'x']]) {
			const r = await cli(db, args);
			assert.equal(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /category_birthday must be on_day or day_after/);
		}
		const env = await run(BIN, ['recompute', '--db', db.url, '--key-file', db.keyFile], { cwd: db.dir, env: { WEIBAO_CATEGORY_INCAPACITY: 'deceased' } });
		assert.equal(env.code, 2, env.stdout + env.stderr);
		assert.match(env.stderr, /category_incapacity/);
		assert.equal(await count('SELECT COUNT(*) FROM children'), before + 1, 'nothing imported by the refused commands');
	});

	test('with several counties and no --county, the commands ask for it and name the counties', async () => {
		const add = await cli(db, ['init', '--county', '370832', '--county-name', '另一县', '--admin', 'admin370832', '--password', PASSWORD]);
		assert.equal(add.code, 0, add.stdout + add.stderr);
		assert.match(add.stdout, /county 370832 另一县 created/, 'a further county is still added with --county');
		const before = await count('SELECT COUNT(*) FROM audit_log');
		const areas = join(db.dir, 'areas2.csv');
		writeFileSync(areas, `code,name\n370883102,另一街道\n`);
		const kids = join(db.dir, 'kids.csv');
		for (const args of [['recompute'], ['import-areas', areas], ['import', kids], ['user', 'add', 'zcdept2', '--role', 'department', '--unit', 'department:civil_affairs']]) {
			const r = await cli(db, args);
			assert.equal(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /this database holds 2 counties: name one with --county \(370832, 370883\)/, args[0]);
		}
		assert.equal(await count('SELECT COUNT(*) FROM audit_log'), before, 'nothing done');
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code = '370883102'"), 0);
		const again = await cli(db, ['init']);
		assert.equal(again.code, 0, again.stdout + again.stderr);
		assert.match(again.stdout, /it already holds several counties, so nothing else was done/);
		assert.equal(await count("SELECT COUNT(*) FROM areas WHERE code = '370831'"), 0);
		const named = await cli(db, ['recompute', '--county', ZC]);
		assert.equal(named.code, 0, named.stdout + named.stderr);
	});

	test('the daily job files each county\'s sweeps under that county: its auditor sees them', async () => {
		for (const [name, area] of [['zcaud', ZC], ['aud370832', '370832']]) {
			const r = await cli(db, ['user', 'add', name, '--role', 'auditor', '--area', area, '--password', PASSWORD]);
			assert.equal(r.code, 0, r.stdout + r.stderr);
		}
		srv = await spawnServer(db);
		const actions = ['category.age_sweep', 'registry.archive_sweep', 'entitlement.gap_notice'];
		for (const [name, county] of [['zcaud', ZC], ['aud370832', '370832']]) {
			const auditor = await srv.login(name);
			let seen = [];
			// the notice runs on the daily thread once the server listens: wait for it
			for (let i = 0; i < 100; i++) {
				const r = await auditor.get('/api/v1/audit?limit=200');
				assert.equal(r.status, 200);
				seen = r.body.items.filter((x) => actions.includes(x.action));
				if (actions.every((a) => seen.some((x) => x.action === a))) break;
				await sleep(100);
			}
			for (const a of actions) {
				const mine = seen.filter((x) => x.action === a);
				assert.ok(mine.length >= 1, `${name} sees ${a}`);
				assert.ok(mine.every((x) => x.object_id === county), `${a} is about ${county}`);
			}
		}
		assert.equal(await count("SELECT COUNT(*) FROM audit_log WHERE county_code = '370831'"), 0, 'nothing is filed under a county the database does not hold');
	});
});

describeEachDriver('a database upgraded by a newer binary', (driver) => {
	let db;

	before(async () => {
		db = await createDatabase(driver);
		const r = await cli(db, ['init', '--password', PASSWORD]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		// as a newer weibao's migrate leaves it: a schema this binary does not know
		await sql(db, 'INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)');
	});
	after(async () => {
		await db?.drop();
	});

	test('is refused by every command with the right advice: a newer weibao, not this one\'s migrate', async () => {
		for (const args of [['user', 'list'], ['verify-audit'], ['recompute'], ['migrate'], ['init']]) {
			const r = await cli(db, args);
			assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
			assert.match(r.stderr, /schema \(version 9999\) is newer than this program knows/, args.join(' '));
			assert.doesNotMatch(r.stderr, /run 'weibao migrate'/, `${args.join(' ')} must not send the operator to a migrate that refuses`);
		}
		assert.equal(await sql(db, 'SELECT MAX(version) FROM schema_migrations'), '9999', 'nothing changed');
	});
});
