// Login fairness: an Argon2id check takes a core for about a tenth of a
// second and the checks at once are capped at the core count, so many
// logins at once from one address would make everyone else's wait. One
// address has one password check in progress at a time: the others it
// sends meanwhile are answered 429 login_busy at once, with Retry-After,
// without a check (and without an audit entry: nothing was tried). Another
// address logs in meanwhile. Addresses come from X-Forwarded-For through
// the trusted proxy (127.0.0.1), as in proxy.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, PASSWORD } from './lib/harness.mjs';

const N = 16;
const FLOOD = '203.0.113.7';

describeEachDriver('login fairness', (driver) => {
	let srv;

	before(async () => {
		srv = await startServer(driver, { args: ['--trusted-proxies', '127.0.0.1', '--login-rate', '1000', '--login-checks', '1'] });
	});
	after(async () => {
		await srv?.stop();
	});

	const login = (username, password, xff) =>
		srv.anon().request('POST', '/api/v1/login', { json: { username, password }, headers: { 'x-forwarded-for': xff }, auth: false });

	test(`${N} logins at once from one address: one check at a time, the rest 429; another address logs in meanwhile`, async () => {
		const prefix = `flood${driver}`;
		const flood = Array.from({ length: N }, (_, i) => login(`${prefix}${i}`, 'Wrong-Pass-2026', FLOOD));
		const other = await login('center', PASSWORD, '198.51.100.4');
		const answers = await Promise.all(flood);
		assert.equal(other.status, 200, other.text);

		const checked = answers.filter((r) => r.status === 401);
		const busy = answers.filter((r) => r.status === 429);
		assert.equal(checked.length + busy.length, N, answers.map((r) => `${r.status} ${r.text}`).join('\n'));
		assert.ok(busy.length >= 1, `some were refused while another was checked (401: ${checked.length}, 429: ${busy.length})`);
		assert.ok(checked.length >= 1, 'one at a time was checked');
		for (const r of checked) assert.equal(r.body.error.code, 'invalid_credentials');
		for (const r of busy) {
			assert.equal(r.body.error.code, 'login_busy');
			assert.match(r.headers.get('retry-after') || '', /^\d+$/);
		}

		// only the checked ones are in the audit log: the refused were never tried
		const auditor = await srv.login('auditor');
		const log = await auditor.get('/api/v1/audit?action=login&limit=200');
		assert.equal(log.status, 200, log.text);
		const tried = log.body.items.filter((e) => e.client_addr === FLOOD && (e.username || '').startsWith(prefix));
		assert.equal(tried.length, checked.length, JSON.stringify(tried.map((e) => e.username)));

		// one at a time from that address still works
		const after = await login('grid', PASSWORD, FLOOD);
		assert.equal(after.status, 200, after.text);
	});
});
