// The closed loop's time and its reach outside (SPEC §4): an overdue
// township step raises exactly one alert to that township's supervisor
// (the scan runs with a fake clock: `weibao deadlines --at` against the
// real binary and database), and the outgoing webhooks: an HMAC-signed
// JSON POST to a local receiver, retried with backoff while it fails, with
// a delivery log, and nothing personal in the payload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describeEachDriver, startServer, cli, sleep } from './lib/harness.mjs';
import { csvObjects, download } from './lib/registry.mjs';
import { sheetRows } from './lib/xlsx.mjs';
import { VILLAGE, step, inbox, unitIds, birthForAge } from './lib/loop.mjs';

/**
 * A webhook receiver on 127.0.0.1: answers 500 to the first `failures`
 * calls, then 200; records every call with its raw body and whether the
 * signature was right.
 */
async function receiver(secret, failures) {
	const calls = [];
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const want = 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
			const got = req.headers['x-weibao-signature'] || '';
			const signed = got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
			calls.push({ at: Date.now(), headers: req.headers, raw: raw.toString('utf8'), body: JSON.parse(raw.toString('utf8')), signed });
			res.writeHead(calls.length <= failures ? 500 : 200, { 'content-type': 'text/plain' });
			res.end(calls.length <= failures ? 'not now' : 'ok');
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return {
		calls,
		url: `http://127.0.0.1:${server.address().port}/hook`,
		close: () => new Promise((r) => server.close(r)),
	};
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

describeEachDriver('closed loop: deadlines and webhooks', (driver) => {
	let srv, director, station, centre, supervisor, supervisorFar;
	const receivers = [];

	before(async () => {
		srv = await startServer(driver, {
			args: ['--webhook-backoff-ms', '100', '--webhook-max-attempts', '4', '--deadline-scan-interval', '0'],
		});
		[director, station, centre, supervisor, supervisorFar] = await Promise.all(
			['director', 'station', 'center', 'supervisor', 'supervisor03'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
		for (const r of receivers) await r.close();
	});

	test('an overdue township step alerts that township\'s supervisor exactly once (fake clock)', async () => {
		const filed = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'guardianship', narrative: '监护缺失' });
		assert.equal(filed.status, 201, filed.text);
		const q = await step(station, filed.body.id, 'review');
		assert.equal(q.state, 'township_review');
		const alerts = async (c) => (await inbox(c)).filter((m) => m.request_id === q.id && m.event === 'deadline.overdue');
		// before the deadline: nothing
		const early = new Date((q.due_at - 3600) * 1000).toISOString();
		let r = await cli(srv.db, ['deadlines', '--allow-future', '--at', early]);
		assert.equal(r.code, 0, r.stderr);
		assert.deepEqual(await alerts(supervisor), []);
		// a day after it: one alert, to the supervisor of this township
		const late = String(q.due_at + 86400 - 60);
		r = await cli(srv.db, ['deadlines', '--allow-future', '--at', late]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stdout, /overdue scan at \d+: [1-9]\d* alerts/);
		let got = await alerts(supervisor);
		assert.equal(got.length, 1, JSON.stringify(got));
		assert.equal(got[0].stage, 'township_review');
		assert.equal(got[0].due_at, q.due_at);
		assert.deepEqual(await alerts(supervisorFar), [], 'not another township\'s supervisor');
		assert.deepEqual(await alerts(station), [], 'the supervisor is the one alerted');
		// the same breach scanned again: no second alert
		r = await cli(srv.db, ['deadlines', '--allow-future', '--at', late]);
		assert.equal(r.code, 0, r.stderr);
		got = await alerts(supervisor);
		assert.equal(got.length, 1, 'once per breach');
		// the API answers with the real clock: not overdue yet
		const view = (await supervisor.get(`/api/v1/requests/${q.id}`)).body;
		assert.equal(view.overdue, false);
		// the scan is audited
		const auditor = await srv.login('auditor');
		const log = await auditor.listAll('/api/v1/audit?action=loop.deadline_scan');
		assert.ok(log.length >= 1);
	});

	test('webhooks: a signed JSON POST, retried with backoff while the receiver fails, then delivered', async () => {
		const secret = 'test-secret-0123456789abcdef';
		const hook = await receiver(secret, 2);
		receivers.push(hook);
		const set = await centre.post('/api/v1/webhooks', { area_code: '370831', url: hook.url, secret });
		assert.equal(set.status, 201, set.text);
		assert.equal(set.body.secret_set, true);
		assert.ok(!('secret' in set.body), 'a secret given is never shown back');
		assert.equal(set.body.owner.area_code, '370831');
		// the auditor sees where the messages go (without query or credentials)
		const moved = await centre.post('/api/v1/webhooks', { area_code: '370831', url: `http://gw:tok@127.0.0.1:9/hook?token=abc` });
		assert.ok([200, 201].includes(moved.status), moved.text);
		const entry = (await (await srv.login('auditor')).get('/api/v1/audit?action=webhook.set&limit=1')).body.items[0];
		assert.equal(JSON.parse(entry.detail).url, 'http://127.0.0.1:9/hook');
		assert.equal((await centre.post('/api/v1/webhooks', { area_code: '370831', url: hook.url, secret })).status, 200, 'back to the receiver');
		assert.equal((await director.post('/api/v1/webhooks', { area_code: '370831', url: hook.url })).status, 403);
		assert.equal((await centre.post('/api/v1/webhooks', { area_code: '370831', url: 'ftp://x/' })).status, 422);
		// a village is refused as a place, not as a long text
		const village = await centre.post('/api/v1/webhooks', { area_code: '370831001001', url: hook.url });
		assert.equal(village.status, 422, village.text);
		assert.equal(village.body.error.message, 'area_code must be your county or one of its townships');
		// a step that concerns the centre: the county's webhook gets it
		const child = await director.post('/api/v1/children', { name: '张小明', sex: 'M', birth_date: birthForAge(8), village_code: VILLAGE });
		const filed = await director.post('/api/v1/requests', { child_id: child.body.id, kind: 'medical', narrative: '白血病，需要救助' });
		await step(station, filed.body.id, 'review');
		await step(station, filed.body.id, 'forward');
		const ok = await waitFor('a delivered call', () => hook.calls.find((c, i) => i >= 2 && c.body.event === 'request.forward'));
		const attempts = hook.calls.filter((c) => c.body.id === ok.body.id);
		assert.equal(attempts.length, 3, 'failed twice, retried, delivered');
		assert.deepEqual(
			attempts.map((c) => c.body.attempt),
			[1, 2, 3],
		);
		for (const c of attempts) {
			assert.ok(c.signed, 'HMAC-SHA256 of the raw body with the secret');
			assert.equal(c.headers['content-type'], 'application/json');
			assert.equal(c.headers['x-weibao-event'], 'request.forward');
			assert.equal(c.headers['x-weibao-delivery'], String(c.body.id));
			assert.equal(c.headers['x-weibao-timestamp'], String(c.body.sent_at));
		}
		// exponential backoff: at least 100 ms, then 200 ms between the attempts
		const gap1 = attempts[1].at - attempts[0].at;
		const gap2 = attempts[2].at - attempts[1].at;
		assert.ok(gap1 >= 90, `first retry after ${gap1} ms`);
		assert.ok(gap2 >= 190, `second retry after ${gap2} ms`);
		const d = ok.body.data;
		assert.equal(d.request_id, filed.body.id);
		assert.equal(d.event, 'request.forward');
		assert.equal(d.state, 'forwarded');
		assert.equal(d.audience, 'center');
		assert.match(d.township_code, /^\d{9}$/, 'the centre is told the township');
		assert.ok(d.due_at > 0);
		// nothing personal: no child's name, no narrative, no ID number
		for (const c of hook.calls) {
			assert.ok(!c.raw.includes('张小明'));
			assert.ok(!c.raw.includes('白血病'));
			assert.ok(!/\d{17}[\dX]/.test(c.raw));
		}
		// the delivery log
		const log = await waitFor('the log to say delivered', async () => {
			const l = (await centre.get(`/api/v1/webhooks/deliveries?webhook_id=${set.body.id}`)).body.items;
			const e = l.find((x) => x.id === ok.body.id);
			return e && e.state === 'delivered' ? e : null;
		});
		assert.equal(log.attempts, 3);
		assert.equal(log.last_status, 200);
		assert.ok(log.delivered_at > 0);
		const list = (await centre.get('/api/v1/webhooks')).body.items;
		assert.ok(list.some((w) => w.id === set.body.id && w.url === hook.url && !('secret' in w)));
		assert.deepEqual(list.find((w) => w.id === set.body.id).owner, { kind: 'area', area_code: '370831', name: '泗水县' }, 'the owner by its name');
		// both tables download; the secret is never in a file
		const hooks = await centre.get('/api/v1/webhooks?format=csv');
		assert.equal(hooks.status, 200, hooks.text);
		assert.match(hooks.headers.get('content-disposition'), /filename="webhooks-\d{8}\.csv"/);
		const hrows = csvObjects(hooks.text.replace(/^\uFEFF/, ''));
		const mine = hrows.find((x) => x['编号'] === String(set.body.id));
		assert.equal(mine['接收方'], '泗水县');
		assert.equal(mine['地址'], hook.url);
		assert.equal(mine['已设密钥'], '是');
		assert.ok(!hooks.text.includes(secret));
		const book = await download(centre, `/api/v1/webhooks/deliveries?webhook_id=${set.body.id}&format=xlsx&lang=en`);
		assert.equal(book.status, 200);
		const [head, ...drows] = sheetRows(book.bytes);
		const all = (await centre.get(`/api/v1/webhooks/deliveries?webhook_id=${set.body.id}&limit=200`)).body.items;
		assert.equal(drows.length, all.length, 'the whole filtered log');
		const row = drows.find((x) => Number(x[0]) === ok.body.id);
		assert.equal(row[head.indexOf('State')], 'Delivered');
		assert.equal(Number(row[head.indexOf('Attempts')]), 3, 'a number in the workbook');
		assert.equal(Number(row[head.indexOf('Request ID')]), filed.body.id);
		assert.equal((await director.get('/api/v1/webhooks/deliveries?format=csv')).status, 403);
	});

	test('webhooks: a receiver that keeps failing is given up after the configured attempts; a unit\'s webhook', async () => {
		const units = await unitIds(centre);
		const secret = 'another-secret-0123456789';
		const hook = await receiver(secret, 1000);
		receivers.push(hook);
		const set = await centre.post('/api/v1/webhooks', { unit_id: units.medical_insurance, url: hook.url });
		assert.equal(set.status, 201, set.text);
		assert.ok(set.body.secret.length >= 32, 'a secret made by the server is shown once');
		const filed = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'medical', narrative: 'x' });
		await step(centre, filed.body.id, 'accept');
		await step(centre, filed.body.id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: '救助' }] });
		const failed = await waitFor('the delivery to fail', async () => {
			const l = (await centre.get(`/api/v1/webhooks/deliveries?webhook_id=${set.body.id}&state=failed`)).body.items;
			return l.length ? l[0] : null;
		});
		assert.equal(failed.attempts, 4);
		assert.equal(failed.last_status, 500);
		assert.equal(failed.last_error, 'HTTP 500');
		assert.equal(hook.calls.length, 4);
		for (const c of hook.calls) {
			assert.equal(c.body.event, 'request.refer');
			assert.equal(c.body.data.audience, 'unit');
			// what a unit may know of the place follows its referral's grant (through the API)
			assert.equal(c.body.data.township_code, null, 'a unit is not told the township');
			const want = 'sha256=' + createHmac('sha256', set.body.secret).update(c.raw).digest('hex');
			assert.equal(c.headers['x-weibao-signature'], want);
		}
		// disabling keeps the secret and stops the deliveries
		const off = await centre.post('/api/v1/webhooks', { unit_id: units.medical_insurance, url: hook.url, enabled: false });
		assert.equal(off.status, 200, off.text);
		assert.equal(off.body.enabled, false);
		assert.equal(off.body.secret_set, true);
		const before = hook.calls.length;
		const deliveries = async () => (await centre.get(`/api/v1/webhooks/deliveries?webhook_id=${set.body.id}`)).body.items.length;
		const logged = await deliveries();
		// a new referral to the unit: the event happens (each step is checked), nothing is sent
		const again = await director.post('/api/v1/requests', { village_code: VILLAGE, kind: 'medical', narrative: 'y' });
		assert.equal(again.status, 201, again.text);
		await step(centre, again.body.id, 'accept');
		await step(centre, again.body.id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: '再次' }] });
		await sleep(500);
		assert.equal(hook.calls.length, before, 'a disabled webhook gets nothing');
		assert.equal(await deliveries(), logged, 'and no delivery is queued for it');
	});
});
