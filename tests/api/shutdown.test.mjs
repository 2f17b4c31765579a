// SIGTERM under load (ARCHITECTURE "a 2xx answer means the change and its
// audit entry are both durable"): while 40 clients register children as
// fast as they can, the server gets SIGTERM. It must exit 0 in time, and
// every registration it acknowledged must be in the database with a
// child.create audit entry naming the child; the chain must verify.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, spawnServer, cli, sleep } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';

const CLIENTS = 40;
const SIGNAL_AFTER_MS = 1000;
const SIGNAL_LATEST_MS = 3000;
const LOAD_MAX_MS = 5000;
const EXIT_WITHIN_MS = 20000;
const LATE_MS = 2000; // a request sent this long after SIGTERM must not be served
const VILLAGES = ['370831001001', '370831001002', '370831101201', '370831105201'];

describeEachDriver('SIGTERM under load', (driver) => {
	const servers = [];
	after(async () => {
		for (const s of servers.reverse()) await s.stop();
	});

	test('every acknowledged registration survives the shutdown, with its audit entry', async (t) => {
		const srv = await startServer(driver);
		servers.push(srv);
		const centre = await srv.bearer('center');
		const ids = await IdFactory.fromServer(centre);

		const acked = []; // {id, name, id_number, sentAt}
		const statuses = new Map();
		let failures = 0;
		const refusedAt = []; // when each request that got no 2xx was sent
		let inflight = 0;
		let stopped = false;
		srv.exited.then(() => {
			stopped = true;
		});
		const t0 = performance.now();
		const worker = async (w) => {
			for (let i = 0; !stopped && performance.now() - t0 < LOAD_MAX_MS; i++) {
				const withId = i % 2 === 0;
				const body = {
					name: `停机${w}号${i}`,
					village_code: VILLAGES[(w + i) % VILLAGES.length],
					...(withId ? { id_number: ids.next() } : { sex: 'F', birth_date: '2016-01-01' }),
				};
				inflight++;
				const sentAt = performance.now();
				try {
					const r = await centre.post('/api/v1/children', body, { timeout: EXIT_WITHIN_MS });
					statuses.set(r.status, (statuses.get(r.status) || 0) + 1);
					if (r.status >= 200 && r.status < 300) acked.push({ id: r.body.id, name: body.name, id_number: body.id_number, sentAt });
					else refusedAt.push(sentAt);
				} catch {
					failures++; // refused or cut connection: not acknowledged
					refusedAt.push(sentAt);
					await sleep(5);
				} finally {
					inflight--;
				}
			}
		};
		const workers = Array.from({ length: CLIENTS }, (_, w) => worker(w));
		// about a second of load; on a slow machine a little longer, until
		// every client could have had an answer
		const early = () => performance.now() - t0 < SIGNAL_AFTER_MS;
		const starved = () => acked.length < CLIENTS && performance.now() - t0 < SIGNAL_LATEST_MS;
		while (early() || starved()) await sleep(20);
		const ackedBeforeSignal = acked.length;
		const inflightAtSignal = inflight;
		srv.kill('SIGTERM');
		const tSignal = performance.now();
		const exit = await srv.waitExit(EXIT_WITHIN_MS);
		const exitMs = performance.now() - tSignal;
		await Promise.all(workers);

		t.diagnostic(
			`${acked.length} acknowledged (${ackedBeforeSignal} before SIGTERM, ${inflightAtSignal} in flight at it), ` +
				`${failures} refused or cut, ` +
				`statuses ${JSON.stringify(Object.fromEntries(statuses))}, exit ${Math.round(exitMs)} ms after SIGTERM`,
		);
		assert.ok(ackedBeforeSignal > 0, 'registrations were acknowledged before SIGTERM');
		assert.ok(inflightAtSignal >= CLIENTS / 2, `requests were in flight at SIGTERM (${inflightAtSignal})`);
		assert.ok(exit, `the server exits within ${EXIT_WITHIN_MS / 1000} s of SIGTERM`);
		assert.deepEqual(exit, { code: 0, signal: null }, `exit status (after ${Math.round(exitMs)} ms)`);
		for (const [s, n] of statuses) assert.ok(s === 201 || s === 503, `unexpected status ${s} (${n} times)`);
		// in-flight requests finish: nothing sent well before the signal was
		// refused or cut (a request sent just before it may not have been read)
		const cutEarly = refusedAt.filter((at) => at < tSignal - 1000);
		assert.equal(cutEarly.length, 0, `${cutEarly.length} requests sent over 1 s before SIGTERM got no answer or a refusal`);
		// and requests in flight at the signal were answered after it
		const finishedAfter = acked.filter((a) => a.sentAt < tSignal).length - ackedBeforeSignal;
		assert.ok(finishedAfter > 0, `none of the ${inflightAtSignal} requests in flight at SIGTERM got a 2xx after it`);
		// once stopping, the server takes no new work, not even on kept-alive connections
		const late = acked.filter((a) => a.sentAt - tSignal > LATE_MS);
		assert.equal(late.length, 0, `${late.length} requests sent over ${LATE_MS} ms after SIGTERM were still served`);
		const tail = srv.stderr();
		assert.match(tail, /shutting down/);

		// the chain is intact after the shutdown
		const v = await cli(srv.db, ['verify-audit']);
		assert.equal(v.code, 0, v.stdout + v.stderr);

		// read everything back through a new server on the same database
		const srv2 = await spawnServer(srv.db);
		servers.push(srv2);
		const c2 = await srv2.bearer('center');
		const stored = new Map((await c2.listAll('/api/v1/children')).map((c) => [c.id, c]));
		const missing = acked.filter((a) => !stored.has(a.id));
		assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged children are missing`);
		for (const a of acked) {
			const c = stored.get(a.id);
			assert.equal(c.name, a.name, `child ${a.id}`);
			if (a.id_number) assert.equal(c.id_number, a.id_number, `child ${a.id}`);
		}

		const auditor = await srv2.bearer('auditor');
		const entries = await auditor.listAll('/api/v1/audit?action=child.create', { limit: 1000 });
		const audited = new Map();
		for (const e of entries) if (e.outcome === 'ok') audited.set(e.object_id, e);
		const unaudited = acked.filter((a) => !audited.has(String(a.id)));
		assert.deepEqual(
			unaudited.map((a) => a.id),
			[],
			`${unaudited.length} of ${acked.length} acknowledged children have no child.create entry`,
		);
		for (const a of acked) assert.equal(audited.get(String(a.id)).username, 'center');
		// and nothing was audited as created that is not stored
		for (const id of audited.keys()) assert.ok(stored.has(Number(id)), `audited child ${id} exists`);
	});
});
