// Request bodies (SPEC §9 "every input is validated with a clear error and
// nothing half-written"): the 1 MiB cap, malformed JSON with line and
// column, unknown and mistyped fields, duplicate keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { childrenTotal } from './lib/registry.mjs';
import { postExpecting } from './lib/loop.mjs';

const MiB = 1024 * 1024;
const VILLAGE = '370831001001';

describeEachDriver('request bodies', (driver) => {
	let srv, centre;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
	});
	after(async () => {
		await srv?.stop();
	});

	const total = async () => (await centre.get('/api/v1/children?limit=1')).body.total;
	const raw = (body, headers = {}) =>
		centre.request('POST', '/api/v1/children', { body, headers: { 'content-type': 'application/json', ...headers } });
	// a JSON object of exactly n bytes
	const sized = (n) => {
		const head = '{"name":"';
		const tail = `","sex":"F","birth_date":"2015-01-01","village_code":"${VILLAGE}"}`;
		return head + 'a'.repeat(n - head.length - tail.length) + tail;
	};

	test('a body of 1 MiB + 1 byte is refused with 413; 1 MiB exactly is read', async () => {
		const before = await total();
		const over = sized(MiB + 1);
		assert.equal(Buffer.byteLength(over), MiB + 1);
		// Expect: 100-continue: the refusal comes before the body is sent,
		// not as a reset in the middle of the upload
		const r = await postExpecting(centre, '/api/v1/children', over, { 'content-type': 'application/json' });
		assert.equal(r.status, 413, r.text);
		assert.equal(r.continued, false, 'refused on its Content-Length, before the body was asked for');
		assert.equal(r.body.error.code, 'body_too_large');
		assert.equal(typeof r.body.error.message, 'string');

		const exact = sized(MiB);
		assert.equal(Buffer.byteLength(exact), MiB);
		const e = await raw(exact);
		assert.equal(e.status, 422, 'read and validated (the name is too long), not refused for size');
		assert.equal(e.body.error.field, 'name');
		assert.equal(await total(), before);
	});

	test('an oversized body without Content-Length (chunked) is refused with 413 too', async () => {
		const data = new TextEncoder().encode(sized(MiB + 1));
		const stream = new ReadableStream({
			start(ctl) {
				for (let i = 0; i < data.length; i += 64 * 1024) ctl.enqueue(data.subarray(i, i + 64 * 1024));
				ctl.close();
			},
		});
		const r = await raw(stream);
		assert.equal(r.status, 413, r.text);
		assert.equal(r.body.error.code, 'body_too_large');
	});

	test('malformed JSON is 400 with a message naming line and column', async () => {
		const body = '{\n  "name": "x",\n  "village_code": }';
		const r = await raw(body);
		assert.equal(r.status, 400, r.text);
		assert.equal(r.body.error.code, 'malformed_json');
		assert.match(r.body.error.message, /line 3\b/);
		assert.match(r.body.error.message, /column 19\b/, 'the stray } is the 19th character of line 3');

		for (const bad of ['{"name": "x",', "{'name': 'x'}", '{"name": "x"} trailing', 'not json']) {
			const b = await raw(bad);
			assert.equal(b.status, 400, `${bad}: ${b.text}`);
			assert.equal(b.body.error.code, 'malformed_json');
			assert.match(b.body.error.message, /line \d+, column \d+/);
		}
	});

	test('a body that is not a JSON object, or is empty, is 400', async () => {
		for (const bad of ['[]', '"text"', '42', 'null', '']) {
			const r = await raw(bad);
			assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
			assert.equal(r.body.error.code, 'malformed_json');
		}
	});

	test('an unknown field is 422 naming that field', async () => {
		const name = uniqueName('未知');
		const r = await centre.post('/api/v1/children', { name, sex: 'M', birth_date: '2015-01-01', village_code: VILLAGE, nickname: '小明' });
		assert.equal(r.status, 422, r.text);
		assert.equal(r.body.error.code, 'unknown_field');
		assert.equal(r.body.error.field, 'nickname');
		assert.match(r.body.error.message, /nickname/);
		const found = await centre.get(`/api/v1/children?q=${name}`);
		assert.equal(found.body.total, 0, 'nothing was stored');
	});

	test('a mistyped field is 422 naming that field', async () => {
		const good = { name: uniqueName('类型'), sex: 'M', birth_date: '2015-01-01', village_code: VILLAGE };
		const cases = [
			['name', 5],
			['name', ['a']],
			['village_code', 370831001001],
			['school_id', '1'],
			['sex', true],
			['birth_date', { y: 2015 }],
		];
		for (const [field, value] of cases) {
			const r = await centre.post('/api/v1/children', { ...good, [field]: value });
			assert.equal(r.status, 422, `${field}=${JSON.stringify(value)}: ${r.text}`);
			assert.equal(r.body.error.code, 'invalid_type');
			assert.equal(r.body.error.field, field);
		}
		const found = await centre.get(`/api/v1/children?q=${good.name}`);
		assert.equal(found.body.total, 0, 'nothing was stored');
		const ok = await centre.post('/api/v1/children', good);
		assert.equal(ok.status, 201, ok.text);
	});

	test('a missing required field is 422 naming it', async () => {
		const r = await centre.post('/api/v1/children', { sex: 'M', birth_date: '2015-01-01', village_code: VILLAGE });
		assert.equal(r.status, 422, r.text);
		assert.equal(r.body.error.field, 'name');
		// a name of blanks (the ideographic space too) is refused on the name
		for (const name of [' ', '\u3000', ' \u3000 ']) {
			const b = await centre.post('/api/v1/children', { name, sex: 'M', birth_date: '2015-01-01', village_code: VILLAGE });
			assert.equal(b.status, 422, `${JSON.stringify(name)}: ${b.text}`);
			assert.equal(b.body.error.field, 'name');
		}
		// blanks at either end are dropped, as the form and the import drop them
		for (const given of [`\u3000${uniqueName('空')}`, `${uniqueName('空')}\u3000`, ` ${uniqueName('空')} `]) {
			const b = await centre.post('/api/v1/children', { name: given, sex: 'M', birth_date: '2015-01-01', village_code: VILLAGE });
			assert.equal(b.status, 201, `${JSON.stringify(given)}: ${b.text}`);
			assert.equal(b.body.name, given.trim(), 'stored without the blanks');
		}
		const v = await centre.post('/api/v1/children', { name: uniqueName('缺'), sex: 'M', birth_date: '2015-01-01' });
		assert.equal(v.status, 422, v.text);
		assert.equal(v.body.error.field, 'village_code');
	});

	test('inside a guardian, the 422 names the guardian and the field', async () => {
		const g = { relation: 'father', name: '父', status: 'present' };
		const base = { name: uniqueName('监护'), sex: 'M', birth_date: '2015-01-01', village_code: VILLAGE };
		for (const [guardian, code, field] of [
			[{ ...g, colour: 'red' }, 'unknown_field', 'guardians[1].colour'],
			[{ ...g, phone: 13800000000 }, 'invalid_type', 'guardians[1].phone'],
			[{ ...g, phone: '1381234' }, 'validation_failed', 'guardians[1].phone'],
			[{ ...g, status_since: '2024-01-01T00:00' }, 'too_long', 'guardians[1].status_since'],
			[{ relation: 'father', status: 'present' }, 'required', 'guardians[1].name'],
		]) {
			const r = await centre.post('/api/v1/children', { ...base, guardians: [{ ...g, relation: 'mother' }, guardian] });
			assert.equal(r.status, 422, r.text);
			assert.deepEqual([r.body.error.code, r.body.error.field], [code, field], r.text);
		}
		assert.equal(await childrenTotal(centre, `q=${encodeURIComponent(base.name)}`), 0, 'nothing was stored');
	});

	test('duplicate JSON keys are 400 duplicate_key, on any route', async () => {
		const name = uniqueName('重键');
		const r = await raw(`{"name":"${name}","sex":"M","birth_date":"2015-01-01","village_code":"${VILLAGE}","name":"${name}2"}`);
		assert.equal(r.status, 400, r.text);
		assert.equal(r.body.error.code, 'duplicate_key');
		assert.match(r.body.error.message, /name/);
		const found = await centre.get(`/api/v1/children?q=${name}`);
		assert.equal(found.body.total, 0, 'nothing was stored');

		const login = await srv.anon().request('POST', '/api/v1/login', {
			body: '{"username":"director","password":"x","username":"center"}',
			headers: { 'content-type': 'application/json' },
		});
		assert.equal(login.status, 400, login.text);
		assert.equal(login.body.error.code, 'duplicate_key');
	});
});
