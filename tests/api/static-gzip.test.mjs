// The embedded web UI is sent gzip-compressed to a client that accepts it
// (a phone's first load is most of a megabyte otherwise): Content-Encoding:
// gzip with Vary: Accept-Encoding, bytes that decompress to exactly the
// identity bytes, an ETag of its own; q=0 refuses gzip. Raw bytes are read
// with node:http (fetch would decompress them unasked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describeEachDriver, startServer } from './lib/harness.mjs';

function raw(base, path, headers = {}, method = 'GET') {
	return new Promise((resolve, reject) => {
		const req = request(`${base}${path}`, { method, headers }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
		});
		req.on('error', reject);
		req.end();
	});
}

describeEachDriver('static gzip', (driver) => {
	let srv, base, script;

	before(async () => {
		srv = await startServer(driver, { children: 10 });
		base = srv.base;
		const index = await raw(base, '/login');
		const m = /src="(\/assets\/[^"]+\.js)"/.exec(index.body.toString('utf8'));
		assert.ok(m, 'the index names its script');
		script = m[1];
	});
	after(async () => {
		await srv?.stop();
	});

	for (const [what, path] of [
		['the index', '/'],
		['a client route (the index)', '/login'],
		['the main script', null],
	]) {
		test(`${what} is sent gzipped when accepted, identical once decompressed`, async () => {
			const p = path || script;
			const plain = await raw(base, p);
			const gz = await raw(base, p, { 'Accept-Encoding': 'gzip, deflate, br' });
			assert.equal(plain.status, 200);
			assert.equal(gz.status, 200);
			assert.equal(plain.headers['content-encoding'], undefined, 'not compressed unasked');
			assert.equal(gz.headers['content-encoding'], 'gzip');
			assert.match(plain.headers.vary || '', /Accept-Encoding/i);
			assert.match(gz.headers.vary || '', /Accept-Encoding/i);
			assert.equal(gz.headers['content-type'], plain.headers['content-type']);
			assert.equal(Number(gz.headers['content-length']), gz.body.length);
			assert.ok(gz.body.length < plain.body.length, `smaller: ${gz.body.length} < ${plain.body.length}`);
			assert.ok(gunzipSync(gz.body).equals(plain.body), 'the same bytes once decompressed');
			assert.ok(plain.headers.etag && gz.headers.etag, 'both have an ETag');
			assert.notEqual(gz.headers.etag, plain.headers.etag, 'a different ETag for each');
		});
	}

	test('the main script gzips to well under half', async () => {
		const plain = await raw(base, script);
		const gz = await raw(base, script, { 'Accept-Encoding': 'gzip' });
		assert.ok(gz.body.length * 2 < plain.body.length, `${gz.body.length} of ${plain.body.length}`);
		assert.match(gz.headers['cache-control'], /immutable/, 'still cached for good');
	});

	test('Accept-Encoding is parsed: q=0 refuses, a star accepts, names are case-insensitive', async () => {
		const cases = [
			['gzip;q=0', false],
			['gzip; q=0.000, deflate', false],
			['deflate, br', false],
			['identity', false],
			['*', true],
			['*;q=0.5', true],
			['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
			['GZIP', true],
			['x-gzip', true],
			['gzip;q=0, *', false],
			['*;q=0', false],
			['', false],
		];
		for (const [ae, want] of cases) {
			const r = await raw(base, '/', { 'Accept-Encoding': ae });
			assert.equal(r.status, 200);
			assert.equal(r.headers['content-encoding'], want ? 'gzip' : undefined, `Accept-Encoding: ${ae}`);
			assert.equal(r.body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])), want, `body of ${ae}`);
		}
	});

	test('If-None-Match answers 304 for the representation the client holds, not the other', async () => {
		const gz = await raw(base, '/', { 'Accept-Encoding': 'gzip' });
		const same = await raw(base, '/', { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag });
		assert.equal(same.status, 304);
		assert.equal(same.body.length, 0);
		assert.equal(same.headers.etag, gz.headers.etag);
		// a client without gzip holding the gzip ETag gets the identity bytes
		const other = await raw(base, '/', { 'If-None-Match': gz.headers.etag });
		assert.equal(other.status, 200);
		assert.equal(other.headers['content-encoding'], undefined);
		assert.ok(other.body.length > 0);
	});

	test('HEAD says the length of what GET would send', async () => {
		const get = await raw(base, script, { 'Accept-Encoding': 'gzip' });
		const head = await raw(base, script, { 'Accept-Encoding': 'gzip' }, 'HEAD');
		assert.equal(head.status, 200);
		assert.equal(head.headers['content-encoding'], 'gzip');
		assert.equal(Number(head.headers['content-length']), get.body.length);
	});
});
