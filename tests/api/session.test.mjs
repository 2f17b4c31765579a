// Session idle expiry (SPEC §9 "sessions expire"): a server started with
// --session-idle 2 refuses a session left unused for 3 s with 401
// session_expired, and keeps one that is in use.
//
// Timing: the server keeps last_seen in whole seconds, set to the start
// time of the latest request. A request is certainly within the limit only
// if less than 1 s passed from the start of the previous request (or the
// login) to the end of this one; the checks that need a live session only
// judge requests that were that quick, so a stalled machine cannot make
// them fail. Waiting longer only makes expiry more certain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, sleep, uniqueName } from './lib/harness.mjs';

const IDLE_S = 2;
const child = () => ({ name: uniqueName('过期'), sex: 'F', birth_date: '2016-06-06', village_code: '370831001001' });

/** GET /api/v1/me; asserts 200 when the session was certainly fresh. Returns whether it was judged. */
async function meIfQuick(client, since, label) {
	const r = await client.get('/api/v1/me');
	const quick = performance.now() - since < 1000;
	if (quick) assert.equal(r.status, 200, `${label}: ${r.text}`);
	return quick;
}

/** Logs in (again, after a stall) until the session was seen alive by a quick request. */
async function liveSession(login, label) {
	for (let attempt = 0; attempt < 10; attempt++) {
		const t = performance.now();
		const c = await login();
		const r = await c.get('/api/v1/me');
		if (performance.now() - t < 1000) {
			assert.equal(r.status, 200, `${label}: ${r.text}`);
			return c;
		}
	}
	throw new Error(`${label}: the machine was too slow to see a session alive`);
}

describeEachDriver('session idle expiry', { concurrent: true }, (driver) => {
	let srv;

	before(async () => {
		srv = await startServer(driver, { args: ['--session-idle', String(IDLE_S)] });
	});
	after(async () => {
		await srv?.stop();
	});

	test('a session unused for longer than --session-idle is refused with 401 session_expired', async () => {
		const cookie = await liveSession(() => srv.login('center'), 'cookie session right after login');
		const bearer = await liveSession(() => srv.bearer('director'), 'bearer session right after login');

		await sleep((IDLE_S + 1) * 1000 + 200);
		for (const [label, c] of [
			['cookie', cookie],
			['bearer', bearer],
		]) {
			const r = await c.get('/api/v1/me');
			assert.equal(r.status, 401, `${label}: ${r.text}`);
			assert.equal(r.body.error.code, 'session_expired', label);
		}
		const w = await cookie.post('/api/v1/children', child());
		assert.equal(w.status, 401, 'an expired session cannot write either');
		await liveSession(() => srv.login('center'), 'logging in again works');
	});

	test('a session in use stays alive past the idle limit', async () => {
		// a chain of requests 0.4 s apart must stay alive for more than
		// IDLE_S + 1 s; a stall breaks the chain and a new one starts
		const deadline = performance.now() + 20000;
		while (performance.now() < deadline) {
			const chainStart = performance.now();
			const c = await srv.bearer('center');
			let prevStart = chainStart;
			for (;;) {
				await sleep(400);
				const start = performance.now();
				if (!(await meIfQuick(c, prevStart, `${Math.round(start - chainStart)} ms into the session`))) break;
				prevStart = start;
				if (performance.now() - chainStart > (IDLE_S + 1.5) * 1000) return;
			}
		}
		assert.fail('the machine was too slow to keep requests less than 1 s apart');
	});

	// The web UI polls the inbox every 30 s with X-Weibao-Background: 1; an
	// open tab nobody uses must still sign out when idle.
	const BG = { headers: { 'X-Weibao-Background': '1' } };

	test('background requests alone (X-Weibao-Background: 1) do not keep a session alive', async () => {
		for (const [label, login] of [
			['cookie', () => srv.login('center')],
			['bearer', () => srv.bearer('director')],
		]) {
			const c = await liveSession(login, `${label} session right after login`);
			const start = performance.now();
			let last;
			// polled 0.4 s apart, the session would stay alive were a poll use
			while (performance.now() - start < (IDLE_S + 2) * 1000) {
				await sleep(400);
				last = await c.get('/api/v1/inbox?limit=1', BG);
				if (last.status !== 200) break;
			}
			assert.equal(last.status, 401, `${label}: polls kept the session alive: ${last.text}`);
			assert.equal(last.body.error.code, 'session_expired', label);
		}
	});

	test('a background request is answered as any other; a normal request among them keeps the session alive', async () => {
		const deadline = performance.now() + 20000;
		while (performance.now() < deadline) {
			const chainStart = performance.now();
			const c = await srv.bearer('center');
			let prevStart = chainStart;
			for (let i = 0; ; i++) {
				await sleep(400);
				const start = performance.now();
				// every other request is a poll; the normal ones refresh the session
				const r = await c.get('/api/v1/inbox?limit=1', i % 2 ? BG : {});
				if (performance.now() - prevStart >= 1000) break;
				assert.equal(r.status, 200, `${Math.round(start - chainStart)} ms into the session: ${r.text}`);
				assert.equal(typeof r.body.unread, 'number');
				prevStart = i % 2 ? prevStart : start;
				if (performance.now() - chainStart > (IDLE_S + 1.5) * 1000) return;
			}
		}
		assert.fail('the machine was too slow to keep requests less than 1 s apart');
	});
});

describeEachDriver('session absolute expiry', { concurrent: true }, (driver) => {
	const ABSOLUTE_S = 3;
	let srv;

	before(async () => {
		srv = await startServer(driver, { args: ['--session-idle', '60', '--session-absolute', String(ABSOLUTE_S)] });
	});
	after(async () => {
		await srv?.stop();
	});

	test('a session in use ends after --session-absolute with 401 session_expired', async () => {
		const t0 = performance.now();
		const cookie = await srv.login('center');
		const bearer = await srv.bearer('director');
		// keep both busy; they must end once the absolute limit has passed
		const ended = {};
		while (Object.keys(ended).length < 2 && performance.now() - t0 < (ABSOLUTE_S + 5) * 1000) {
			for (const [label, c] of [
				['cookie', cookie],
				['bearer', bearer],
			]) {
				if (ended[label]) continue;
				const r = await c.get('/api/v1/me');
				if (r.status === 401) {
					assert.equal(r.body.error.code, 'session_expired', label);
					ended[label] = performance.now() - t0;
				} else {
					assert.equal(r.status, 200, `${label}: ${r.text}`);
				}
			}
			await sleep(400);
		}
		for (const label of ['cookie', 'bearer']) {
			assert.ok(ended[label], `${label}: the session in use ended within ${ABSOLUTE_S + 5} s`);
			assert.ok(ended[label] >= (ABSOLUTE_S - 1) * 1000, `${label}: not before the limit (${Math.round(ended[label])} ms)`);
		}
		assert.equal((await (await srv.bearer('director')).get('/api/v1/me')).status, 200, 'logging in again works');
	});
});
