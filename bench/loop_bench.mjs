// The closed loop's transition benchmark (bench/loop_bench.sh runs it):
// takes one step on every open request the centre can see — `accept`, a
// real transition with its version check, timeline row, inbox messages
// (filer and township station) and audit entry, all in one writer job —
// from N concurrent keep-alive connections on loopback, and reports the
// rate and the latency percentiles.
//
// usage: node bench/loop_bench.mjs BASE_URL USER PASSWORD [CONCURRENCY]
import http from 'node:http';

const [base, user, password, conc = '32'] = process.argv.slice(2);
const concurrency = Number(conc);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const u = new URL(base);

function call(method, path, token, body) {
	return new Promise((resolve, reject) => {
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const headers = { accept: 'application/json' };
		if (token) headers.authorization = `Bearer ${token}`;
		if (data) {
			headers['content-type'] = 'application/json';
			headers['content-length'] = data.length;
		}
		const req = http.request({ host: u.hostname, port: u.port, path, method, headers, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null });
			});
		});
		req.on('error', reject);
		if (data) req.write(data);
		req.end();
	});
}

const login = await call('POST', '/api/v1/login', null, { username: user, password, bearer: true });
if (login.status !== 200) throw new Error(`login: ${login.status}`);
const token = login.body.token;

// every request still reported, with its version
const todo = [];
for (let cursor = null; ; ) {
	const r = await call('GET', `/api/v1/requests?state=reported&limit=200${cursor ? `&cursor=${cursor}` : ''}`, token);
	if (r.status !== 200) throw new Error(`list: ${r.status}`);
	for (const q of r.body.items) todo.push([q.id, q.version]);
	if (!r.body.next_cursor) break;
	cursor = r.body.next_cursor;
}

const lat = [];
const statuses = {};
let next = 0;
const t0 = performance.now();
async function worker() {
	while (next < todo.length) {
		const [id, version] = todo[next++];
		const s = performance.now();
		const r = await call('POST', `/api/v1/requests/${id}/actions`, token, { action: 'accept', version });
		lat.push(performance.now() - s);
		statuses[r.status] = (statuses[r.status] || 0) + 1;
	}
}
await Promise.all(Array.from({ length: concurrency }, worker));
const secs = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)].toFixed(1);
console.log(
	JSON.stringify({
		transitions: todo.length,
		seconds: Number(secs.toFixed(2)),
		per_second: Math.round(todo.length / secs),
		concurrency,
		statuses,
		latency_ms: { p50: Number(pct(0.5)), p90: Number(pct(0.9)), p99: Number(pct(0.99)) },
	}),
);
agent.destroy();
