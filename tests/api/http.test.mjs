// What every response carries (ARCHITECTURE "Errors are one shape"):
// security headers, a request id, the JSON error shape; /healthz.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { postExpecting } from './lib/loop.mjs';

describeEachDriver('HTTP basics', (driver) => {
	let srv, centre;
	const responses = []; // [label, response]

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
		const anon = srv.anon();
		const add = async (label, p) => responses.push([label, await p]);
		await add('healthz', anon.get('/healthz'));
		await add('web UI', anon.get('/'));
		await add('login ok', anon.post('/api/v1/login', { username: 'center', password: 'Test-Pass-2026', bearer: true }));
		await add('login 401', anon.post('/api/v1/login', { username: 'center', password: 'Wrong-Pass-2026' }));
		await add('me 401', anon.get('/api/v1/me'));
		await add('me 200', centre.get('/api/v1/me'));
		await add('children 200', centre.get('/api/v1/children?limit=2'));
		await add('child 404', centre.get('/api/v1/children/999999999'));
		await add('child bad id 404', centre.get('/api/v1/children/abc'));
		await add('unknown route 404', centre.get('/api/v1/nothing-here'));
		await add('405', centre.request('DELETE', '/api/v1/children'));
		await add('csrf 403', centre.post('/api/v1/children', { name: 'x' }, { csrf: false }));
		await add('audit 403', centre.get('/api/v1/audit'));
		await add('422', centre.post('/api/v1/children', { name: 'x', foo: 1 }));
		await add('400', centre.request('POST', '/api/v1/children', { body: '{', headers: { 'content-type': 'application/json' } }));
		// with Expect: 100-continue, so that the refusal before the body is
		// read arrives as an answer rather than as a reset mid-upload
		await add('413', postExpecting(centre, '/api/v1/children', 'x'.repeat((1 << 20) + 1), { 'content-type': 'application/json' }));
		await add('limit 422', centre.get('/api/v1/children?limit=100000'));
	});
	after(async () => {
		await srv?.stop();
	});

	test('GET /healthz answers 200 without a session', () => {
		const [, r] = responses.find(([l]) => l === 'healthz');
		assert.equal(r.status, 200);
		assert.equal(r.body.status, 'ok');
	});

	test('every response has the security headers', () => {
		for (const [label, r] of responses) {
			const csp = r.headers.get('content-security-policy') || '';
			assert.match(csp, /frame-ancestors 'none'/, label);
			assert.match(csp, /default-src 'self'/, label);
			assert.equal(r.headers.get('x-content-type-options'), 'nosniff', label);
			assert.equal(r.headers.get('referrer-policy'), 'no-referrer', label);
			assert.equal(r.headers.get('x-frame-options'), 'DENY', label);
		}
	});

	test('API answers are not cached', () => {
		for (const [label, r] of responses.filter(([l]) => l !== 'web UI')) assert.equal(r.headers.get('cache-control'), 'no-store', label);
	});

	test('every response has its own X-Request-Id', () => {
		const seen = new Set();
		for (const [label, r] of responses) {
			const id = r.headers.get('x-request-id');
			assert.match(id || '', /^[0-9a-f]{8,}$/, label);
			assert.ok(!seen.has(id), `${label}: request id ${id} repeated`);
			seen.add(id);
		}
	});

	test('every error is JSON of the shape {error:{code,message}} with the right status', () => {
		const expected = {
			'login 401': [401, 'invalid_credentials'],
			'me 401': [401, 'unauthenticated'],
			'child 404': [404, 'not_found'],
			'child bad id 404': [404, 'not_found'],
			'unknown route 404': [404, 'not_found'],
			405: [405, 'method_not_allowed'],
			'csrf 403': [403, 'csrf_failed'],
			'audit 403': [403, 'forbidden'],
			422: [422, 'unknown_field'],
			400: [400, 'malformed_json'],
			413: [413, 'body_too_large'],
			'limit 422': [422, 'validation_failed'],
		};
		for (const [label, [status, code]] of Object.entries(expected)) {
			const [, r] = responses.find(([l]) => l === label);
			assert.equal(r.status, status, `${label}: ${r.text}`);
			assert.match(r.headers.get('content-type') || '', /^application\/json/, label);
			assert.ok(r.body && typeof r.body.error === 'object', `${label}: ${r.text}`);
			assert.equal(r.body.error.code, code, label);
			assert.equal(typeof r.body.error.message, 'string', label);
			assert.ok(r.body.error.message.length > 0, label);
		}
		for (const [label, r] of responses.filter(([l]) => l !== 'web UI')) {
			if (r.status >= 400) assert.ok(r.body?.error?.code, `${label}: every error has the shape`);
		}
	});

	test('the server listens on the loopback address only', () => {
		assert.match(srv.base, /^http:\/\/127\.0\.0\.1:\d+$/);
	});
});
