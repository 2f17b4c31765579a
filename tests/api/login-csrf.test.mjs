// Login CSRF: a page of another site must not be able to log a person's
// browser in (as someone else). A form can post text/plain, urlencoded or
// multipart bodies without asking first, never application/json: every
// JSON body must be sent as application/json (415 otherwise, naming the
// type). And a browser tells where a login comes from: Sec-Fetch-Site
// cross-site, or an Origin that is not this server, is refused with 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, PASSWORD } from './lib/harness.mjs';

describeEachDriver('login from another site', (driver) => {
	let srv, centre;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
	});
	after(async () => {
		await srv?.stop();
	});

	const login = (headers, body = JSON.stringify({ username: 'center', password: PASSWORD })) =>
		srv.anon().request('POST', '/api/v1/login', { body, headers, auth: false });

	test('a body that is not sent as application/json is 415 naming its type, and logs nobody in', async () => {
		const json = JSON.stringify({ username: 'center', password: PASSWORD });
		for (const [type, body] of [
			// what <form enctype="text/plain"> makes of name='{"username":"center","password":"' value='x"}'
			['text/plain', `{"username":"center","password":"${PASSWORD}","x":"="}`],
			['text/plain;charset=UTF-8', json],
			['application/x-www-form-urlencoded', json],
			['multipart/form-data; boundary=x', json],
			['application/jsonp', json],
		]) {
			const r = await login({ 'content-type': type }, body);
			assert.equal(r.status, 415, `${type}: ${r.text}`);
			assert.equal(r.body.error.code, 'unsupported_media_type');
			assert.ok(r.body.error.message.includes(type), `${type}: the message names it: ${r.body.error.message}`);
			assert.equal(r.headers.get('set-cookie'), null, `${type}: no session`);
		}
		const none = await srv.anon().request('POST', '/api/v1/login', { body: new TextEncoder().encode(json), auth: false });
		assert.equal(none.status, 415, none.text);
		assert.match(none.body.error.message, /application\/json/);

		for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
			const ok = await login({ 'content-type': type });
			assert.equal(ok.status, 200, `${type}: ${ok.text}`);
		}
	});

	test('every JSON route wants application/json', async () => {
		const body = JSON.stringify({ name: '表单', sex: 'F', birth_date: '2015-01-01', village_code: '370831001001' });
		const r = await centre.request('POST', '/api/v1/children', { body, headers: { 'content-type': 'text/plain' } });
		assert.equal(r.status, 415, r.text);
		assert.equal(r.body.error.code, 'unsupported_media_type');
		const p = await centre.request('POST', '/api/v1/me/password', { body: '{}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		assert.equal(p.status, 415, p.text);
	});

	test('a login from another site is 403; from this server or from a script it is not', async () => {
		const json = { 'content-type': 'application/json' };
		for (const headers of [
			{ 'sec-fetch-site': 'cross-site' },
			{ origin: 'https://evil.example' },
			{ origin: `${srv.base}.evil.example` },
			{ origin: 'null' },
			{ origin: srv.base.replace('127.0.0.1', 'localhost') },
		]) {
			const r = await login({ ...json, ...headers });
			assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
			assert.equal(r.body.error.code, 'cross_site_login');
			assert.equal(r.headers.get('set-cookie'), null, 'no session');
		}
		for (const headers of [{}, { origin: srv.base, 'sec-fetch-site': 'same-origin' }, { origin: srv.base }, { 'sec-fetch-site': 'none' }]) {
			const r = await login({ ...json, ...headers });
			assert.equal(r.status, 200, `${JSON.stringify(headers)}: ${r.text}`);
		}
	});
});
