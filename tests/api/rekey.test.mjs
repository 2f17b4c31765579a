// `weibao rekey` against the real binary (docs/operations.md, "Keys"): a
// county whose key file may have leaked moves every stored secret to a new
// key. Afterwards, with the new key, the server starts, every ID number and
// phone number reads back as it was, lookup and the duplicate check by ID
// number still work, the counselling notes and the webhook's secret (its
// signature) too, the audit chain verifies and ends with key.rotate; the
// old key is refused and the old sessions are gone. A broken audit chain,
// a running server and an existing new key file are refused, changing
// nothing, and so does a value the old key cannot decrypt (rolled back).
// A server the first check did not see (PostgreSQL) refuses every change
// once the key has moved; one started during the rotation rolls it back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, spawnServer, cli, sql, sleep, uniqueName, Client, PASSWORD } from './lib/harness.mjs';
import { IdFactory, chinaDate } from './lib/idnum.mjs';
import { step } from './lib/loop.mjs';

const VILLAGE = '370831001001';
const day = (offset = 0) => chinaDate(offset).iso;

/** A webhook receiver that records whether each call carries secret's signature. */
async function receiver(secret) {
	const calls = [];
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const want = 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
			calls.push({ body: JSON.parse(raw.toString('utf8')), signed: req.headers['x-weibao-signature'] === want });
			res.writeHead(200, { 'content-type': 'text/plain' });
			res.end('ok');
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return { calls, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

async function waitFor(what, fn, ms = 15000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await sleep(100);
	}
}

const SERVER_ARGS = ['--webhook-backoff-ms', '100', '--deadline-scan-interval', '0'];

describeEachDriver('weibao rekey', (driver) => {
	const servers = [];
	const receivers = [];
	after(async () => {
		for (const s of servers) await s.stop();
		for (const r of receivers) await r.close();
	});

	test('every secret moves to the new key; the old key and the old sessions are refused', async () => {
		const srv = await startServer(driver, { children: 30, args: SERVER_ARGS });
		servers.push(srv);
		const db = srv.db;
		const [centre, director, school] = await Promise.all(['center', 'director', 'school'].map((u) => srv.login(u)));
		const api = await srv.bearer('center');
		const ids = await IdFactory.fromServer(centre);

		// children with ID numbers and guardians' phones
		const made = [];
		for (let i = 0; i < 3; i++) {
			const r = await centre.post('/api/v1/children', {
				name: uniqueName('换钥'),
				id_number: ids.next(),
				village_code: VILLAGE,
				guardians: [{ relation: 'father', name: '父亲', status: 'working_away', phone: `1381234567${i}` }],
			});
			assert.equal(r.status, 201, r.text);
			made.push(r.body);
		}
		// a caring mother's phone, a counselling session's notes
		const mother = await director.post('/api/v1/caring-mothers', { name: '王秀兰', phone: '13912345678', joined_on: day(-30) });
		assert.equal(mother.status, 201, mother.text);
		const schoolId = school.me.memberships[0].unit_id;
		const notes = '父母离异，情绪低落（换钥测试）';
		const talk = await school.post(`/api/v1/schools/${schoolId}/counselling`, { held_on: day(), mode: 'group', topic: 'safety', pupils: 5, notes });
		assert.equal(talk.status, 201, talk.text);
		// a webhook with its secret
		const secret = 'rekey-secret-0123456789abcdef';
		const hook = await receiver(secret);
		receivers.push(hook);
		assert.equal((await centre.post('/api/v1/webhooks', { area_code: '370831', url: hook.url, secret })).status, 201);

		// what a reader sees before: every child's ID number whole (the demo's too), the phones
		const before = new Map();
		for (const c of await centre.listAll('/api/v1/children')) {
			const one = await centre.get(`/api/v1/children/${c.id}`);
			assert.equal(one.status, 200, one.text);
			before.set(c.id, { id_number: one.body.id_number, masked: one.body.id_number_masked, phones: one.body.guardians.map((g) => g.phone) });
		}
		assert.ok(before.size >= 30);
		assert.ok([...before.values()].filter((v) => v.id_number && v.masked === false).length >= 3, 'whole ID numbers for the centre');

		// a further county (a province's database): its log gets the entry too
		const init = await cli(db, ['init', '--county', '370832', '--county-name', '另一县', '--admin', 'admin370832']);
		assert.equal(init.code, 0, init.stdout + init.stderr);

		// a running server is refused, nothing made
		const newKey = join(db.dir, 'new.key');
		const busy = await cli(db, ['rekey', '--new-key-file', newKey]);
		assert.equal(busy.code, 1, busy.stdout + busy.stderr);
		assert.match(busy.stderr, /in use by .*stop it|stop them first/);
		assert.equal(existsSync(newKey), false);

		await srv.stop({ keep: true });
		const oldKey = db.keyFile;
		const r = await cli(db, ['rekey', '--new-key-file', newKey]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /Key rotated\. Moved to the new key: \d+ children's ID numbers, \d+ phone numbers, 1 webhook secrets, 1 counselling notes; \d+ audit entries re-sealed/);
		assert.match(r.stdout, /everyone logs in again, and API clients need new bearer tokens/);
		assert.ok(r.stdout.includes(`The database's key is now the file ${newKey}`), r.stdout);
		assert.ok(r.stdout.includes(`Destroy the old key file ${oldKey}`), r.stdout);
		assert.match(r.stdout, /Backups made before now can be read only with the old key/);
		assert.equal(statSync(newKey).mode & 0o777, 0o600);
		assert.match(readFileSync(newKey, 'utf8'), /^[0-9a-f]{64}\n$/);
		assert.equal(await sql(db, 'SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1'), 'key.rotate');
		assert.equal(await sql(db, "SELECT county_code FROM audit_log WHERE action = 'key.rotate' ORDER BY county_code"), '370831\n370832');
		assert.equal(await sql(db, 'SELECT SUM(entries) FROM county_audit_counts'), await sql(db, 'SELECT COUNT(*) FROM audit_log'));
		assert.equal(await sql(db, 'SELECT COUNT(*) FROM sessions'), '0');

		// the old key is refused
		const oldVerify = await cli(db, ['verify-audit']);
		assert.equal(oldVerify.code, 2, oldVerify.stdout + oldVerify.stderr);
		assert.match(oldVerify.stderr, /wrong key/);
		await assert.rejects(spawnServer(db, { args: SERVER_ARGS }), /wrong key/);
		const again = await cli(db, ['rekey', '--new-key-file', join(db.dir, 'again.key')]);
		assert.equal(again.code, 1, again.stdout + again.stderr);
		assert.match(again.stderr, /wrong key/);
		assert.equal(existsSync(join(db.dir, 'again.key')), false);

		// the new key: the chain verifies, the server starts
		db.keyFile = newKey;
		const verify = await cli(db, ['verify-audit']);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /audit log intact/);
		const srv2 = await spawnServer(db, { args: SERVER_ARGS });
		srv2.ownsDb = true;
		servers.push(srv2);

		// the old session and the old bearer token are gone
		const stale = new Client(srv2.base);
		stale.token = api.token;
		assert.equal((await stale.get('/api/v1/me')).status, 401);
		const staleCookie = new Client(srv2.base);
		Object.assign(staleCookie, { cookie: centre.cookie, csrf: centre.csrf });
		assert.equal((await staleCookie.get('/api/v1/me')).status, 401);

		const centre2 = await srv2.login('center');
		for (const [id, want] of before) {
			const one = await centre2.get(`/api/v1/children/${id}`);
			assert.equal(one.status, 200, one.text);
			assert.equal(one.body.id_number, want.id_number, `child ${id}'s ID number`);
			assert.equal(one.body.id_number_masked, want.masked);
			assert.deepEqual(
				one.body.guardians.map((g) => g.phone),
				want.phones,
				`child ${id}'s guardians' phones`,
			);
		}
		for (const c of made) {
			const found = await centre2.get(`/api/v1/children?id_number=${c.id_number}`);
			assert.equal(found.status, 200, found.text);
			assert.deepEqual(
				found.body.items.map((x) => x.id),
				[c.id],
				'lookup by ID number finds the child',
			);
			const dup = await centre2.post('/api/v1/children', { name: uniqueName('重号'), id_number: c.id_number, village_code: VILLAGE });
			assert.equal(dup.status, 409, dup.text);
			assert.equal(dup.body.error.code, 'duplicate_id_number');
		}
		assert.equal((await (await srv2.login('director')).get(`/api/v1/caring-mothers/${mother.body.id}`)).body.phone, '13912345678');
		const school2 = await srv2.login('school');
		const talks = await school2.get(`/api/v1/schools/${schoolId}/counselling`);
		assert.equal(talks.body.items.find((s) => s.id === talk.body.id).notes, notes);

		// the webhook still signs with its secret
		const director2 = await srv2.login('director');
		const station2 = await srv2.login('station');
		const child = await director2.post('/api/v1/children', { name: uniqueName('钩子'), sex: 'M', birth_date: '2016-05-05', village_code: VILLAGE });
		const filed = await director2.post('/api/v1/requests', { child_id: child.body.id, kind: 'medical', narrative: '需要救助（换钥测试）' });
		assert.equal(filed.status, 201, filed.text);
		await step(station2, filed.body.id, 'review');
		await step(station2, filed.body.id, 'forward');
		const call = await waitFor('a webhook call', () => hook.calls.find((c) => c.body.event === 'request.forward'));
		assert.ok(call.signed, 'signed with the secret set before the rotation');

		// the auditor reads the rotation
		const auditor = await srv2.login('auditor');
		const entries = (await auditor.get('/api/v1/audit?action=key.rotate&limit=5')).body.items;
		assert.equal(entries.length, 1);
		const detail = JSON.parse(entries[0].detail);
		assert.ok(detail.id_numbers >= 3 && detail.phone_numbers >= 4, entries[0].detail);
		assert.equal(detail.webhook_secrets, 1);
		assert.equal(detail.counselling_notes, 1);
		assert.ok(detail.entries_resealed > 0, entries[0].detail);
		assert.ok(detail.sessions_ended >= 4, entries[0].detail);
		assert.equal(entries[0].username, 'cli');
	});

	// A server the rotation's first check cannot see: PostgreSQL tells its
	// connections apart by application name, and an operator may set one
	// for the server alone (PGAPPNAME here).
	test('a server the rotation did not see refuses every change afterwards, and the chain stays whole', { skip: driver !== 'pg' && 'a server on SQLite is always seen (its lock on the -shm file)' }, async () => {
		const srv = await startServer(driver, { children: 5, env: { PGAPPNAME: 'weibao-web' } });
		servers.push(srv);
		const db = srv.db;
		const centre = await srv.login('center');
		const child = (await centre.listAll('/api/v1/children'))[0];
		assert.equal((await centre.get(`/api/v1/children/${child.id}`)).status, 200);

		const newKey = join(db.dir, 'unseen.key');
		const r = await cli(db, ['rekey', '--new-key-file', newKey]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		const entries = await sql(db, 'SELECT COUNT(*) FROM audit_log');

		// the server still holds the old key: its sessions are gone (once its
		// cache of them, two seconds, has passed), and a login (a session and
		// an audit entry to write) is refused
		await waitFor('the old session ended', async () => (await centre.get('/api/v1/me')).status === 401);
		const login = await new Client(srv.base).post('/api/v1/login', { username: 'director', password: PASSWORD });
		assert.equal(login.status, 500, login.text);
		assert.match(srv.stderr(), /the database has moved to another key since this process opened it \(weibao rekey\)/);
		assert.equal(await sql(db, 'SELECT COUNT(*) FROM audit_log'), entries, 'nothing sealed with the old key');
		assert.equal(await sql(db, 'SELECT COUNT(*) FROM sessions'), '0');
		await srv.stop({ keep: true });

		db.keyFile = newKey;
		const verify = await cli(db, ['verify-audit']);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		const srv2 = await spawnServer(db);
		srv2.ownsDb = true;
		servers.push(srv2);
		const centre2 = await srv2.login('center');
		assert.equal((await centre2.get(`/api/v1/children/${child.id}`)).status, 200);
	});

	// Deterministic on PostgreSQL: another session holds the audit head's row
	// lock, so the rotation waits at its first write; a server starts then.
	test('a server started during the rotation rolls it back, and goes on with the old key', { skip: driver !== 'pg' && 'the rotation cannot be held half-way on SQLite without a second process holding the database, which it refuses at once' }, async () => {
		const srv = await startServer(driver, { children: 5 });
		servers.push(srv);
		const db = srv.db;
		const child = (await (await srv.login('center')).listAll('/api/v1/children'))[0];
		await srv.stop({ keep: true });

		const holder = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db.url], { stdio: ['pipe', 'pipe', 'pipe'] });
		let held = '';
		holder.stdout.setEncoding('utf8').on('data', (d) => (held += d));
		holder.stdin.write('BEGIN;\nSELECT 7 FROM audit_head WHERE id = 1 FOR UPDATE;\n');
		await waitFor('the head locked', () => held.includes('7'));

		const newKey = join(db.dir, 'during.key');
		const ours = (where = '') => sql(db, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'weibao'${where}`);
		const rotation = cli(db, ['rekey', '--new-key-file', newKey]);
		await waitFor('the rotation waiting for the head', async () => (await ours(" AND wait_event_type = 'Lock'")) === '1');
		// the server connects (its start then waits for the head too)
		const starting = spawnServer(db);
		await waitFor('the server connected', async () => Number(await ours()) >= 2);
		holder.stdin.end('COMMIT;\n');

		const r = await rotation;
		const srv2 = await starting;
		srv2.ownsDb = true;
		servers.push(srv2);
		assert.equal(r.code, 1, r.stdout + r.stderr);
		assert.match(r.stderr, /the database was opened during the rotation by \d+ other connection\(s\) of weibao .*Rolled back: nothing was changed/s);
		assert.equal(existsSync(newKey), false, 'the new key file was removed');
		assert.equal(await sql(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'key.rotate'"), '0');
		// the server goes on with the key it opened the database with
		const centre = await srv2.login('center');
		assert.equal((await centre.get(`/api/v1/children/${child.id}`)).status, 200);
		const verify = await cli(db, ['verify-audit']);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
	});

	test('a broken audit chain, or a new key file that exists, is refused and nothing changes', async () => {
		const srv = await startServer(driver, { children: 10 });
		servers.push(srv);
		const db = srv.db;
		const centre = await srv.login('center');
		const child = (await centre.listAll('/api/v1/children')).find((c) => c.id_number);
		const whole = (await centre.get(`/api/v1/children/${child.id}`)).body.id_number;
		await srv.stop({ keep: true });

		// a new key file that exists is left alone
		const existing = join(db.dir, 'exists.key');
		writeFileSync(existing, 'not to be overwritten\n');
		const exists = await cli(db, ['rekey', '--new-key-file', existing]);
		assert.equal(exists.code, 1, exists.stdout + exists.stderr);
		assert.match(exists.stderr, /--new-key-file .* already exists/);
		assert.equal(readFileSync(existing, 'utf8'), 'not to be overwritten\n');

		const snapshot = async () =>
			[
				await sql(db, 'SELECT id, id_enc, id_bidx FROM children ORDER BY id'),
				await sql(db, 'SELECT id, phone_enc FROM guardians ORDER BY id'),
				await sql(db, 'SELECT seq, hash FROM audit_log ORDER BY seq'),
				await sql(db, 'SELECT value FROM key_check'),
				await sql(db, 'SELECT COUNT(*) FROM sessions'),
			].join('\n');
		const newKey = join(db.dir, 'new.key');

		// a value the old key cannot read stops the rotation inside its
		// transaction: rolled back (the ID numbers moved before it too), the
		// new key file removed
		const [gid, phoneEnc] = (await sql(db, 'SELECT id, phone_enc FROM guardians WHERE phone_enc IS NOT NULL ORDER BY id DESC LIMIT 1')).split('|');
		await sql(db, `UPDATE guardians SET phone_enc = 'bm90IGEgY2lwaGVydGV4dCBhdCBhbGwsIG5vdCBhdCBhbGw=' WHERE id = ${gid}`);
		const unreadable = await snapshot();
		const stopped = await cli(db, ['rekey', '--new-key-file', newKey]);
		assert.equal(stopped.code, 1, stopped.stdout + stopped.stderr);
		assert.match(stopped.stderr, new RegExp(`guardians row ${gid} cannot be decrypted with the old key`));
		assert.match(stopped.stderr, /Rolled back: nothing was changed/);
		assert.equal(existsSync(newKey), false, 'the new key file was removed');
		assert.equal(await snapshot(), unreadable, 'nothing changed');
		await sql(db, `UPDATE guardians SET phone_enc = '${phoneEnc}' WHERE id = ${gid}`);

		// a broken audit chain is refused before anything is made
		await sql(db, "UPDATE audit_log SET detail = 'altered' WHERE seq = 2");
		const was = await snapshot();
		const r = await cli(db, ['rekey', '--new-key-file', newKey]);
		assert.equal(r.code, 1, r.stdout + r.stderr);
		assert.match(r.stderr, /audit log BROKEN at entry 2: entry content does not match its hash \(altered\)/);
		assert.match(r.stderr, /nothing was done/);
		assert.equal(existsSync(newKey), false, 'no new key file left behind');
		assert.equal(await snapshot(), was, 'nothing changed');

		// the old key still opens the database and reads the ID numbers
		const verify = await cli(db, ['verify-audit']);
		assert.equal(verify.code, 1, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /BROKEN at entry 2/);
		const srv2 = await spawnServer(db);
		srv2.ownsDb = true;
		servers.push(srv2);
		const c2 = await srv2.login('center');
		assert.equal((await c2.get(`/api/v1/children/${child.id}`)).body.id_number, whole);
	});
});
