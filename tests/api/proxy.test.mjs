// Behind a reverse proxy (docs/deployment.md): with `trusted_proxies` set,
// the audit log records the address X-Forwarded-For gives for the person's
// machine and the login rate limit counts per that address, so one county
// behind one nginx is not one client; without it the header is ignored,
// so nobody can write another address into the log. A bad entry in the
// setting stops the server with its name.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { demoDatabase, spawnServer, run, BIN, PASSWORD } from './lib/harness.mjs';

async function lastLogin(srv, username) {
	const auditor = await srv.login('auditor');
	const r = await auditor.get('/api/v1/audit?action=login&limit=50');
	assert.equal(r.status, 200, r.text);
	return r.body.items.find((e) => e.username === username);
}

const attempt = (srv, xff, password = 'Wrong-Pass-2026') =>
	srv.anon().request('POST', '/api/v1/login', {
		json: { username: 'grid', password },
		headers: xff ? { 'x-forwarded-for': xff } : {},
		auth: false,
	});

describe('reverse proxy', () => {
	let db;

	before(async () => {
		db = await demoDatabase('sqlite');
	});
	after(async () => {
		await db?.drop();
	});

	test('with the proxy trusted: the client address from X-Forwarded-For, in the log and the rate limit', async () => {
		const srv = await spawnServer(db, { args: ['--trusted-proxies', '127.0.0.1', '--login-rate', '3'] });
		try {
			// what the client wrote in front of the proxy's entry is not believed
			assert.equal((await attempt(srv, '6.6.6.6, 203.0.113.7')).status, 401);
			const e = await lastLogin(srv, 'grid');
			assert.equal(e.client_addr, '203.0.113.7');
			assert.equal(e.outcome, 'denied');

			// three a minute per client: the fourth from 203.0.113.7 waits, another address does not
			assert.equal((await attempt(srv, '203.0.113.7')).status, 401);
			assert.equal((await attempt(srv, '203.0.113.7')).status, 401);
			const limited = await attempt(srv, '203.0.113.7');
			assert.equal(limited.status, 429, limited.text);
			assert.equal(limited.body.error.code, 'too_many_logins');
			const other = await attempt(srv, '198.51.100.4', PASSWORD);
			assert.equal(other.status, 200, other.text);
			assert.equal((await lastLogin(srv, 'grid')).client_addr, '198.51.100.4');
		} finally {
			assert.equal((await srv.stop({ keep: true }))?.code, 0);
		}
	});

	test('without trusted proxies the header is ignored', async () => {
		const srv = await spawnServer(db);
		try {
			assert.equal((await attempt(srv, '203.0.113.99')).status, 401);
			assert.equal((await lastLogin(srv, 'grid')).client_addr, '127.0.0.1');
		} finally {
			assert.equal((await srv.stop({ keep: true }))?.code, 0);
		}
	});

	test('a bad entry stops the server and is named', async () => {
		const r = await run(BIN, ['serve', '--db', db.url, '--key-file', db.keyFile, '--port', '0', '--trusted-proxies', '127.0.0.1,nginx']);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /trusted_proxies: 'nginx' is not an IPv4 address/);
	});
});
