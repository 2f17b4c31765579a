// Helpers for the closed-loop suites (tests/api/loop*.test.mjs): steps on
// requests and referrals with the version just read, unit ids by code, and
// dates in China Standard Time.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';

export const VILLAGE = '370831001001'; // director's (township 370831001: station, supervisor)
export const TOWNSHIP = '370831001';
export const OTHER_VILLAGE = '370831101201'; // director2's (township 370831101: station03, supervisor03)

/** Takes a step on a request with the version the caller reads first. */
export async function act(client, id, action, body = {}) {
	const cur = await client.get(`/api/v1/requests/${id}`);
	assert.equal(cur.status, 200, `read request ${id} before ${action}: ${cur.text}`);
	return client.post(`/api/v1/requests/${id}/actions`, { action, version: cur.body.version, ...body });
}

/** act() that must answer 200; returns the body. */
export async function step(client, id, action, body = {}) {
	const r = await act(client, id, action, body);
	assert.equal(r.status, 200, `${action} on request ${id}: ${r.text}`);
	return r.body;
}

/** The caller's referral of request id (department/org: their own). */
export async function referralOf(client, requestId) {
	const r = await client.get(`/api/v1/referrals?request_id=${requestId}`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.body.items.length, 1, `one referral of request ${requestId} for this caller: ${r.text}`);
	return r.body.items[0];
}

/** Takes a step on the caller's referral of a request; returns the response. */
export async function refAct(client, requestId, action, body = {}) {
	const f = await referralOf(client, requestId);
	return client.post(`/api/v1/referrals/${f.id}/actions`, { action, version: f.version, ...body });
}

/** Unit ids by code, as the centre lists them. */
export async function unitIds(centre) {
	const r = await centre.get('/api/v1/units');
	assert.equal(r.status, 200, r.text);
	return Object.fromEntries(r.body.items.map((u) => [u.code, u.id]));
}

/** YYYY-MM-DD in China Standard Time, days from now. */
export function cstDate(daysFromNow = 0) {
	const t = new Date(Date.now() + 8 * 3600 * 1000 + daysFromNow * 86400 * 1000);
	return t.toISOString().slice(0, 10);
}

/** A birth date for a child of the given age in full years. */
export function birthForAge(age) {
	const [y, m, d] = cstDate(-40).split('-').map(Number);
	return `${y - age}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The inbox items of a client (every page). */
export async function inbox(client) {
	return client.listAll('/api/v1/inbox');
}

// Tiny valid files by their magic bytes.
export const PNG = Buffer.from(
	'89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
	'hex',
);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/**
 * POSTs bytes with "Expect: 100-continue": the body is sent only if the
 * server asks for it, so a refusal before the body (413 on Content-Length)
 * arrives cleanly instead of as a reset mid-upload. Resolves to {status,
 * text, body (parsed JSON or null), headers (a Headers object), continued
 * (whether the server asked for the body)}.
 */
export function postExpecting(client, path, bytes, extraHeaders = {}) {
	return new Promise((resolve, reject) => {
		const u = new URL(client.base + path);
		const headers = { ...extraHeaders, 'content-length': Buffer.byteLength(bytes), expect: '100-continue' };
		if (client.cookie) {
			headers.cookie = client.cookie;
			headers['x-csrf-token'] = client.csrf;
		}
		if (client.token) headers.authorization = `Bearer ${client.token}`;
		const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', headers });
		req.setTimeout(30000, () => req.destroy(new Error('timed out')));
		let continued = false; // the server asked for the body
		req.on('continue', () => {
			continued = true;
			req.end(bytes);
		});
		req.on('response', (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => (text += d));
			res.on('end', () => {
				req.destroy();
				let body = null;
				try {
					body = JSON.parse(text);
				} catch {
					body = null;
				}
				const h = new Headers();
				for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : String(v));
				resolve({ status: res.statusCode, text, body, headers: h, continued });
			});
		});
		req.on('error', reject);
	});
}
