// The API test harness: starts the real weibao binary against a fresh
// database (SQLite file or a new PostgreSQL database) on a free loopback
// port and drives it over HTTP.
//
// Environment (set by scripts/run-tests.sh):
//   WEIBAO_BIN      the binary (default: ../build/weibao from tests/)
//   WEIBAO_PG_BASE  postgresql://user@127.0.0.1:PORT/ of a throwaway cluster;
//                   without it the PostgreSQL variants are skipped visibly.
//
// Every child process and every request is bounded in time, servers listen
// on 127.0.0.1 only, and each test file stops what it started in after().
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, statSync, realpathSync, mkdirSync, writeFileSync, readFileSync, renameSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, createHash } from 'node:crypto';
import { describe } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));

export const ROOT = process.env.WEIBAO_ROOT || resolve(here, '../../..');
export const BIN = process.env.WEIBAO_BIN || resolve(ROOT, 'build/weibao');
export const PG_BASE = process.env.WEIBAO_PG_BASE || '';
export const PASSWORD = 'Test-Pass-2026';
export const COUNTY = '370831';

const REQUEST_TIMEOUT_MS = 15000;
const CLI_TIMEOUT_MS = 60000;
const LISTEN_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 20000;

/** The store drivers every API test runs against. */
export function drivers() {
	return ['sqlite', 'pg'];
}

/** Why a driver cannot run here (a string), or false. */
export function skipReason(driver) {
	if (!existsSync(BIN)) return `weibao binary not found at ${BIN} (set WEIBAO_BIN)`;
	if (driver === 'pg' && !PG_BASE) return 'WEIBAO_PG_BASE is not set (run scripts/run-tests.sh for PostgreSQL)';
	return false;
}

/**
 * describe() once per driver, skipping visibly where a driver is
 * unavailable: describeEachDriver(title, [options,] fn). With options
 * {concurrent: true} the drivers' suites and the tests inside each run at
 * the same time (for tests that mostly wait).
 */
export function describeEachDriver(title, options, fn) {
	if (typeof options === 'function') [options, fn] = [{}, options];
	const concurrency = options.concurrent ? true : undefined;
	const each = () => {
		for (const driver of drivers()) {
			const skip = skipReason(driver);
			describe(`${title} [${driver}]`, { skip, concurrency }, () => fn(driver));
		}
	};
	if (concurrency) describe(title, { concurrency }, each);
	else each();
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The environment for child processes: without WEIBAO_* settings (config
// file, database, session limits...) that a developer's shell may carry,
// so that every server runs with exactly the flags a test gives it.
function childEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('WEIBAO_')) env[k] = v;
	return { ...env, ...extra };
}

/**
 * Runs a program to completion, bounded in time. Resolves to
 * {code, signal, stdout, stderr}; never rejects on a non-zero exit.
 */
export function run(cmd, args, { timeout = CLI_TIMEOUT_MS, env, cwd } = {}) {
	return new Promise((resolveRun, reject) => {
		execFile(
			cmd,
			args,
			{ timeout, killSignal: 'SIGKILL', env: childEnv(env), cwd, maxBuffer: 16 << 20 },
			(err, stdout, stderr) => {
				if (err && typeof err.code !== 'number' && !err.killed && !err.signal) return reject(err);
				if (err && err.killed) return reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeout} ms`));
				resolveRun({ code: err ? err.code ?? null : 0, signal: err?.signal ?? null, stdout, stderr });
			},
		);
	});
}

/** Runs the weibao CLI with a database's --db and --key-file. */
export function cli(db, args, opts = {}) {
	return run(BIN, [...args, '--db', db.url, '--key-file', db.keyFile], { cwd: db.dir, ...opts });
}

/*
 * What each migration since 0028 made, undone, for a test that takes a
 * database back to an older schema to watch a migration act on rows written
 * before it (the runner applies the migrations above the highest one
 * recorded, so every later one must be undone too). A new migration that
 * creates a table, a column or an index adds its undo here.
 */
const UNDO = {
	44: [], // data only
	43: ['DROP INDEX child_changes_moves', 'DROP INDEX child_changes_archives'],
	42: ['DROP INDEX children_village', 'CREATE INDEX children_village ON children (county_code, village_code, id)'],
	41: ['ALTER TABLE programmes DROP COLUMN version'],
	40: ['ALTER TABLE child_changes DROP COLUMN visit_id'],
	39: ['DROP INDEX children_village', 'CREATE INDEX children_village ON children (county_code, village_code, id)'],
	38: ['ALTER TABLE inbox DROP COLUMN membership_id'],
	37: ['ALTER TABLE request_attachments DROP COLUMN unit_id'],
	36: ['ALTER TABLE request_steps DROP COLUMN rating'],
	35: [], // data only: the township of the hope rooms and 1 + N plans without one
	34: ['ALTER TABLE imports DROP COLUMN ignored_columns'],
	33: ['DROP TABLE county_audit_counts'],
	32: ['DROP TABLE key_check'],
	31: ['DROP INDEX children_name_key', 'ALTER TABLE children DROP COLUMN name_key'],
	30: [], // data only
	29: ['DROP TABLE child_numbers'],
	28: [], // data only
};

/** Takes db (the server stopped) back to schema `version` (27 or later). */
export async function backToSchema(db, version) {
	const top = Math.max(...Object.keys(UNDO).map(Number));
	const recorded = Number(await sql(db, 'SELECT MAX(version) FROM schema_migrations'));
	if (recorded > top) throw new Error(`schema ${recorded}: add the undo of the migrations above ${top} to UNDO in harness.mjs`);
	for (let v = recorded; v > version; v--) for (const s of UNDO[v]) await sql(db, s);
	await sql(db, `DELETE FROM schema_migrations WHERE version > ${version}`);
}

/**
 * Takes db (its server stopped) back to schema `version`, upgrades it with
 * `weibao migrate` and starts a server on it, which owns the database: a
 * test that watches a migration act on rows written before it.
 */
export async function migratedFrom(db, version) {
	await backToSchema(db, version);
	const m = await cli(db, ['migrate']);
	if (m.code !== 0) throw new Error(`weibao migrate failed: ${m.stdout}${m.stderr}`);
	const srv = await spawnServer(db);
	srv.ownsDb = true;
	return srv;
}

/** Runs one SQL statement directly on the database; resolves to stdout (rows as a|b lines). */
export async function sql(db, statement) {
	const r =
		db.driver === 'sqlite'
			? await run('sqlite3', ['-bail', db.file, statement])
			: await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', statement]);
	if (r.code !== 0) throw new Error(`SQL failed (${db.driver}): ${statement}\n${r.stderr}`);
	return r.stdout.trim();
}

let dbCounter = 0;

// Servers still running when this test process ends (a cancelled run, a
// crashed hook) are killed rather than left behind.
const running = new Set();
process.on('exit', () => {
	for (const p of running) p.kill('SIGKILL');
});

/**
 * A fresh, empty database for driver: {driver, url, keyFile, dir, file?, name?, drop()}.
 * template (PostgreSQL): made as a copy of that database instead.
 */
export async function createDatabase(driver, { template = null } = {}) {
	if (driver !== 'sqlite' && driver !== 'pg') throw new Error(`unknown driver ${driver}`);
	if (driver === 'pg' && !PG_BASE) throw new Error('WEIBAO_PG_BASE is not set');
	const dir = mkdtempSync(join(tmpdir(), 'weibao-api-'));
	const keyFile = join(dir, 'k.key');
	if (driver === 'sqlite') {
		const file = join(dir, 't.db');
		return {
			driver,
			dir,
			file,
			keyFile,
			url: `sqlite:${file}`,
			async drop() {
				rmSync(dir, { recursive: true, force: true });
			},
		};
	}
	const name = `wbt_${process.pid}_${++dbCounter}_${randomBytes(4).toString('hex')}`;
	const admin = `${PG_BASE}postgres`;
	const create = template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`;
	const r = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', admin, '-c', create]);
	if (r.code !== 0) {
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`cannot create database ${name}: ${r.stderr}`);
	}
	return {
		driver,
		dir,
		keyFile,
		name,
		url: `${PG_BASE}${name}`,
		async drop() {
			await run('psql', ['-X', '-q', '-d', admin, '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => {});
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * A fresh database for driver with the synthetic demo county (every
 * account's password is PASSWORD): with the demo cache a copy of the cached
 * county, else `weibao demo` run on it. To run the demo on top of what a
 * test has written, call runDemo.
 */
export async function demoDatabase(driver, { children = 300 } = {}) {
	let tpl = null;
	if (DEMO_CACHE) {
		try {
			tpl = await demoTemplate(driver, children);
		} catch (e) {
			// a cache that cannot be used (a directory on another file
			// system, say) costs time, not the test: the demo runs here
			process.emitWarning(`demo cache not used: ${e.message}`);
		}
	}
	const db = await createDatabase(driver, { template: tpl?.name });
	try {
		if (!tpl) await runDemo(db, { children });
		else {
			copyFileSync(tpl.keyFile, db.keyFile);
			if (driver === 'sqlite') copyFileSync(tpl.file, db.file);
		}
	} catch (e) {
		await db.drop();
		throw e;
	}
	return db;
}

/** Runs `weibao demo` on db as it is (every account's password is PASSWORD). */
export async function runDemo(db, { children = 300 } = {}) {
	const r = await cli(db, ['demo', '--password', PASSWORD, '--children', String(children)]);
	if (r.code !== 0) throw new Error(`weibao demo failed (${r.code}): ${r.stderr}`);
	return r;
}

/*
 * The demo county, made once per run and copied. `weibao demo` migrates an
 * empty database and generates the county (about 0.5 s on SQLite, 3 s on
 * PostgreSQL, more under the sanitizers); a copy of its result takes
 * milliseconds (a file) or a fraction of a second (CREATE DATABASE ...
 * TEMPLATE). scripts/run-tests.sh sets WEIBAO_DEMO_CACHE to a directory of
 * its own, removed at the end with the PostgreSQL cluster; without it every
 * test database runs `weibao demo` itself.
 *
 * A template is a directory <cache>/<binary>-<driver>-<children>-<hour>
 * holding the key file and either the SQLite file or, in meta.json, the
 * template database's name (null for SQLite). Test files run in parallel processes: each
 * builds in a directory of its own and renames it into place; a process
 * that loses the race drops what it built and uses the winner's. The hour
 * is in the name because the demo dates its records from today.
 */
const DEMO_CACHE = process.env.WEIBAO_DEMO_CACHE || '';

async function demoTemplate(driver, children) {
	const st = statSync(BIN);
	const stamp = createHash('sha1').update(`${realpathSync(BIN)}|${st.size}|${st.mtimeMs}`).digest('hex').slice(0, 12);
	// the hour, not the day: a day's end falls on a whole hour in any zone
	const hour = new Date().toISOString().slice(0, 13);
	const final = join(DEMO_CACHE, `${stamp}-${driver}-${children}-${hour}`);
	if (existsSync(join(final, 'meta.json'))) return readTemplate(final);
	mkdirSync(DEMO_CACHE, { recursive: true });
	const db = await createDatabase(driver);
	try {
		await runDemo(db, { children });
		writeFileSync(join(db.dir, 'meta.json'), JSON.stringify({ name: db.name || null }));
		renameSync(db.dir, final);
		return readTemplate(final);
	} catch (e) {
		await db.drop();
		if (existsSync(join(final, 'meta.json'))) return readTemplate(final);
		throw e;
	}
}

function readTemplate(dir) {
	const { name } = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
	return { name, dir, keyFile: join(dir, 'k.key'), file: join(dir, 't.db') };
}

/**
 * Starts `weibao serve` on db with a free loopback port. Resolves once it
 * prints "listening on http://127.0.0.1:PORT/". opts: {args, env, bin (the
 * binary: WEIBAO_BIN unless given)}.
 */
export function spawnServer(db, { args = [], env = {}, bin = BIN } = {}) {
	const proc = spawn(
		bin,
		['serve', '--db', db.url, '--key-file', db.keyFile, '--listen', '127.0.0.1', '--port', '0', '--access-log', '0', ...args],
		// the tests log in far more often from one address (127.0.0.1) than
		// an office does: the default login_rate (30 a minute) would refuse
		// them, and one password check at a time (login_checks) would make
		// a test's users log in one after another; the tests of the limits
		// pass --login-rate / --login-checks, which win
		{ env: childEnv({ WEIBAO_LOGIN_RATE: '600', WEIBAO_LOGIN_CHECKS: '8', ...env }), cwd: db.dir, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let stdout = '';
	let stderr = '';
	running.add(proc);
	const exited = new Promise((r) =>
		proc.once('exit', (code, signal) => {
			running.delete(proc);
			r({ code, signal });
		}),
	);
	proc.stdout.setEncoding('utf8');
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (d) => {
		stderr += d;
	});
	return new Promise((resolveStart, reject) => {
		const timer = setTimeout(() => {
			proc.kill('SIGKILL');
			reject(new Error(`server did not start within ${LISTEN_TIMEOUT_MS} ms:\n${stderr}`));
		}, LISTEN_TIMEOUT_MS);
		proc.once('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		exited.then(({ code, signal }) => {
			clearTimeout(timer);
			reject(new Error(`server exited early (code ${code}, signal ${signal}):\n${stderr}`));
		});
		proc.stdout.on('data', (d) => {
			stdout += d;
			const m = /listening on (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(stdout);
			if (!m) return;
			clearTimeout(timer);
			proc.stdout.removeAllListeners('data');
			proc.stdout.resume();
			resolveStart(new Server(db, proc, m[1].replace(/\/$/, ''), exited, () => stderr));
		});
	});
}

/**
 * A fresh database with the demo county and a server on it. opts: {args,
 * env, children, bin}. The returned Server's stop() also drops the database
 * unless {keep: true} is passed to stop().
 */
export async function startServer(driver, opts = {}) {
	const db = await demoDatabase(driver, opts);
	try {
		const srv = await spawnServer(db, opts);
		srv.ownsDb = true;
		return srv;
	} catch (e) {
		await db.drop();
		throw e;
	}
}

export class Server {
	constructor(db, proc, base, exited, stderr) {
		this.db = db;
		this.dbUrl = db.url;
		this.keyFile = db.keyFile;
		this.dir = db.dir;
		this.proc = proc;
		this.base = base; // http://127.0.0.1:PORT
		this.url = `${base}/`;
		this.exited = exited;
		this.stderr = stderr;
		this.exitStatus = null;
		exited.then((s) => {
			this.exitStatus = s;
		});
		this.ownsDb = false;
	}

	get pid() {
		return this.proc.pid;
	}

	/** Sends a signal (if still running). */
	kill(signal = 'SIGTERM') {
		if (this.exitStatus === null) this.proc.kill(signal);
	}

	/**
	 * Waits for the process to exit, at most ms; resolves to {code, signal}
	 * or null on timeout.
	 */
	async waitExit(ms = STOP_TIMEOUT_MS) {
		let timer;
		const t = new Promise((r) => {
			timer = setTimeout(() => r(null), ms);
		});
		const s = await Promise.race([this.exited, t]);
		clearTimeout(timer);
		return s;
	}

	/**
	 * SIGTERM, wait (SIGKILL after STOP_TIMEOUT_MS), then drop the database
	 * if this server created it (unless keep). Resolves to the exit status
	 * of the SIGTERM attempt ({code, signal}, or null if it had to be killed).
	 */
	async stop({ keep = false } = {}) {
		let status = this.exitStatus;
		if (status === null) {
			this.proc.kill('SIGTERM');
			status = await this.waitExit();
			if (status === null) {
				this.proc.kill('SIGKILL');
				await this.waitExit(5000);
			}
		}
		if (this.ownsDb && !keep) {
			this.ownsDb = false;
			await this.db.drop();
		}
		return status;
	}

	/** A client without credentials. */
	anon() {
		return new Client(this.base);
	}

	/** Logs in with a session cookie; returns the client (throws unless 200). */
	async login(username, password = PASSWORD, extra = {}) {
		const c = new Client(this.base);
		const r = await c.login(username, password, extra);
		if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
		return c;
	}

	/** Logs in for a bearer token; returns the client (throws unless 200). */
	async bearer(username, password = PASSWORD) {
		return this.login(username, password, { bearer: true });
	}
}

/**
 * Sends a login (send()) again while its answer is "busy" (429 login_busy:
 * the server checks one password at a time per client address, and the
 * tests log in from one address, often at once), after a short random
 * pause, at most tries times. busy(answer) may be async. Resolves to the
 * last answer. The browser suite's logins use it too.
 */
export async function whileLoginBusy(send, busy, tries = 200) {
	let r;
	for (let i = 0; i < tries; i++) {
		r = await send();
		if (!(await busy(r))) break;
		await sleep(20 + Math.floor(Math.random() * 80));
	}
	return r;
}

/**
 * An HTTP client for one user: keeps the session cookie and CSRF token (or
 * a bearer token) and sends them with every request.
 */
export class Client {
	constructor(base) {
		this.base = base;
		this.cookie = null;
		this.csrf = null;
		this.token = null;
	}

	/** POST /api/v1/login; on success remembers the credentials. */
	async login(username, password = PASSWORD, extra = {}) {
		const r = await whileLoginBusy(
			() => this.request('POST', '/api/v1/login', { json: { username, password, ...extra }, auth: false }),
			(a) => a.status === 429 && a.body?.error?.code === 'login_busy',
		);
		if (r.status === 200) {
			this.csrf = r.body.csrf_token;
			if (r.body.token) {
				this.token = r.body.token;
			} else {
				const m = /(wb_session=[^;]+)/.exec(r.headers.get('set-cookie') || '');
				this.cookie = m ? m[1] : null;
			}
			this.me = r.body;
		}
		return r;
	}

	/**
	 * One request. opts: json (sent as JSON), body (raw string/Buffer/stream),
	 * headers, csrf (default true: send the CSRF token for cookie sessions),
	 * auth (default true), timeout (ms).
	 * Resolves to {status, headers, text, body (parsed JSON or null)}.
	 */
	async request(method, path, opts = {}) {
		const { json, body, headers = {}, csrf = true, auth = true, timeout = REQUEST_TIMEOUT_MS } = opts;
		const h = { ...headers };
		let payload = body;
		if (json !== undefined) {
			payload = JSON.stringify(json);
			h['content-type'] ??= 'application/json';
		}
		if (auth && this.token) h.authorization ??= `Bearer ${this.token}`;
		if (auth && this.cookie) {
			h.cookie ??= this.cookie;
			if (csrf && this.csrf && method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] ??= this.csrf;
		}
		const init = { method, headers: h, signal: AbortSignal.timeout(timeout), redirect: 'manual' };
		if (payload !== undefined) {
			init.body = payload;
			if (typeof payload?.getReader === 'function' || typeof payload?.[Symbol.asyncIterator] === 'function') init.duplex = 'half';
		}
		const res = await fetch(this.base + path, init);
		const text = await res.text();
		let parsed = null;
		if ((res.headers.get('content-type') || '').includes('json') && text) {
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = null;
			}
		}
		return { status: res.status, headers: res.headers, text, body: parsed };
	}

	get(path, opts) {
		return this.request('GET', path, opts);
	}

	post(path, json, opts = {}) {
		return this.request('POST', path, { ...opts, json });
	}

	patch(path, json, opts = {}) {
		return this.request('PATCH', path, { ...opts, json });
	}

	put(path, json, opts = {}) {
		return this.request('PUT', path, { ...opts, json });
	}

	del(path, opts) {
		return this.request('DELETE', path, opts);
	}

	/** Every item of a cursor-paged list (bounded to maxPages). */
	async listAll(path, { limit = 200, maxPages = 1000 } = {}) {
		const items = [];
		let cursor = null;
		for (let page = 0; page < maxPages; page++) {
			const sep = path.includes('?') ? '&' : '?';
			const r = await this.get(`${path}${sep}limit=${limit}${cursor !== null ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
			if (r.status !== 200) throw new Error(`GET ${path} page ${page}: ${r.status} ${r.text}`);
			items.push(...r.body.items);
			if (r.body.next_cursor === null || r.body.next_cursor === undefined) return items;
			cursor = r.body.next_cursor;
		}
		throw new Error(`GET ${path}: more than ${maxPages} pages`);
	}
}

/** A name no other test uses (registry names are free text). */
export function uniqueName(prefix = '测试') {
	return `${prefix}${randomBytes(5).toString('hex')}`;
}
