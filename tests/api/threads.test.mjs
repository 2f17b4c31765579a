// How the server shares its threads (docs/architecture.md "Requests and
// threads"): a child's file is read on an event thread and its answer held
// until its audit entry is committed; every other request waits for one of
// the worker threads. With a single worker and a single event thread, many
// more requests than threads are all answered, each read is in the audit
// log when its answer arrives, and reads are answered while the one worker
// is busy with slow requests (password hashes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';

const VILLAGE = '370831001001';

describeEachDriver('threads: one worker, one event thread', (driver) => {
	let srv, centre, auditor;

	before(async () => {
		srv = await startServer(driver, { args: ['--workers', '1', '--event-threads', '1', '--login-rate', '0', '--trusted-proxies', '127.0.0.1'] });
		centre = await srv.login('center');
		auditor = await srv.login('auditor');
	});
	after(async () => {
		await srv?.stop();
	});

	test('40 writes and 40 reads sent at once are all answered, and every write can be read back', async () => {
		const names = Array.from({ length: 40 }, () => uniqueName('并发'));
		const existing = await centre.get('/api/v1/children?limit=40');
		assert.equal(existing.status, 200, existing.text);
		const ids = existing.body.items.map((c) => c.id);
		const [writes, reads] = await Promise.all([
			Promise.all(names.map((name) => centre.post('/api/v1/children', { name, sex: 'M', birth_date: '2016-06-06', village_code: VILLAGE }))),
			Promise.all(ids.map((id) => centre.get(`/api/v1/children/${id}`))),
		]);
		for (const w of writes) assert.equal(w.status, 201, w.text);
		reads.forEach((r, i) => {
			assert.equal(r.status, 200, r.text);
			assert.equal(r.body.id, ids[i], 'each answer is the file asked for');
		});
		const back = await Promise.all(writes.map((w) => centre.get(`/api/v1/children/${w.body.id}`)));
		back.forEach((r, i) => {
			assert.equal(r.status, 200, r.text);
			assert.equal(r.body.name, names[i]);
		});
	});

	test('a read is in the audit log as soon as its answer has arrived', async () => {
		const c = await centre.post('/api/v1/children', { name: uniqueName('审计'), sex: 'F', birth_date: '2015-05-05', village_code: VILLAGE });
		assert.equal(c.status, 201, c.text);
		for (let i = 0; i < 5; i++) {
			const r = await centre.get(`/api/v1/children/${c.body.id}`);
			assert.equal(r.status, 200, r.text);
			const log = await auditor.get(`/api/v1/audit?object_type=child&object_id=${c.body.id}&action=child.read&limit=50`);
			assert.equal(log.status, 200, log.text);
			assert.equal(log.body.items.length, i + 1, `read ${i + 1} is logged`);
			assert.equal(log.body.items[0].request_id, r.headers.get('x-request-id'), 'the newest entry is this read');
		}
	});

	test('reads are answered while the only worker hashes passwords', async () => {
		const child = (await centre.get('/api/v1/children?limit=1')).body.items[0];
		let loginsDone = 0;
		const anon = srv.anon();
		// Ten logins, each an Argon2id hash, queue on the single worker; the
		// read is sent once the first is answered, so nine are still queued.
		let firstDone;
		const first = new Promise((resolve) => {
			firstDone = resolve;
		});
		// (from ten addresses: one address has one login checked at a time)
		const logins = Array.from({ length: 10 }, (_, i) =>
			anon.post('/api/v1/login', { username: 'center', password: 'Test-Pass-2026', bearer: true }, { headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } }).then((r) => {
				loginsDone++;
				firstDone();
				return r;
			}),
		);
		await first;
		const r = await centre.get(`/api/v1/children/${child.id}`);
		const doneAtRead = loginsDone;
		assert.equal(r.status, 200, r.text);
		for (const l of await Promise.all(logins)) assert.equal(l.status, 200, l.text);
		assert.ok(doneAtRead < 10, `the read waited for none of the logins (${doneAtRead} of 10 were done)`);
	});
});
