// Helpers for the registry and import suites: dates relative to today in
// China, category rows of a child, CSV reading and writing, imports
// (upload, wait, report) and GB18030 encoding through iconv.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chinaDate } from './idnum.mjs';
import { sleep } from './harness.mjs';

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** Today in China (UTC+8), 'YYYY-MM-DD' (the server's calendar). */
export function todayChina() {
	return chinaDate().iso;
}

/**
 * The date `years` years before (China today + offsetDays), 'YYYY-MM-DD':
 * the birth date of someone whose `years`-th birthday is on that day. null
 * when that date does not exist (29 February of a common year).
 */
export function bornYearsBefore(years, offsetDays = 0) {
	const { y, m, d } = chinaDate(offsetDays);
	const by = y - years;
	const t = new Date(Date.UTC(by, m - 1, d));
	if (t.getUTCMonth() !== m - 1) return null;
	return `${pad(by, 4)}-${pad(m)}-${pad(d)}`;
}

/** 'YYYYMMDD' from 'YYYY-MM-DD'. */
export const compact = (iso) => iso.replaceAll('-', '');

/**
 * The category rows of a child (GET /api/v1/children/{id} body) by
 * category: the live row (suggested or confirmed) if there is one, else
 * the newest other row.
 */
export function categoryMap(child) {
	const out = {};
	for (const k of child.categories ?? []) {
		const cur = out[k.category];
		const live = (r) => r && (r.state === 'suggested' || r.state === 'confirmed');
		if (!cur || live(k) || (!live(cur) && k.id > cur.id)) out[k.category] = k;
	}
	return out;
}

/** The categories a child has as live rows (suggested or confirmed), sorted. */
export function liveCategories(child) {
	return (child.categories ?? [])
		.filter((k) => k.state === 'suggested' || k.state === 'confirmed')
		.map((k) => k.category)
		.sort();
}

/** One CSV line (RFC 4180 quoting), CRLF-terminated. */
export function csvLine(cells) {
	return (
		cells
			.map((c) => {
				const s = c === null || c === undefined ? '' : String(c);
				return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
			})
			.join(',') + '\r\n'
	);
}

/** A CSV text (a leading BOM is dropped) as an array of rows of cells. */
export function parseCsv(text) {
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	const rows = [];
	let row = [];
	let cell = '';
	let i = 0;
	let quoted = false;
	let any = false;
	while (i < text.length) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"') {
				if (text[i + 1] === '"') {
					cell += '"';
					i += 2;
					continue;
				}
				quoted = false;
				i++;
				continue;
			}
			cell += ch;
			i++;
			continue;
		}
		if (ch === '"') {
			quoted = true;
			any = true;
			i++;
		} else if (ch === ',') {
			row.push(cell);
			cell = '';
			any = true;
			i++;
		} else if (ch === '\r' || ch === '\n') {
			if (any || cell !== '' || row.length) {
				row.push(cell);
				rows.push(row);
			}
			row = [];
			cell = '';
			any = false;
			i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
		} else {
			cell += ch;
			any = true;
			i++;
		}
	}
	if (any || cell !== '' || row.length) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
}

/** Rows of a CSV as objects keyed by the header row. */
export function csvObjects(text) {
	const [head, ...rows] = parseCsv(text);
	return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

/** Encodes a JavaScript string as GB18030 bytes with iconv. */
export function gb18030(text) {
	const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8'), maxBuffer: 1 << 28 });
	if (r.status !== 0) throw new Error(`iconv failed: ${r.stderr}`);
	return r.stdout;
}

/**
 * POST /api/v1/imports with the file's bytes; resolves to the response
 * (202 with the job, or an error).
 */
export function startImport(client, body, { mode = 'all', fileName = 'test.csv', timeout = 120000 } = {}) {
	const q = new URLSearchParams({ mode, file_name: fileName });
	return client.request('POST', `/api/v1/imports?${q}`, { body, headers: { 'content-type': 'application/octet-stream' }, timeout });
}

/**
 * Polls GET /api/v1/imports/{id} until the job is no longer running (at
 * most timeoutMs); resolves to the final job. Throws on a timeout.
 */
export async function waitImport(client, id, { timeoutMs = 120000, intervalMs = 100 } = {}) {
	const until = Date.now() + timeoutMs;
	let last;
	while (Date.now() < until) {
		const r = await client.get(`/api/v1/imports/${id}`, { timeout: Math.max(1000, until - Date.now()) });
		if (r.status !== 200) throw new Error(`GET /api/v1/imports/${id}: ${r.status} ${r.text}`);
		last = r.body;
		if (last.status !== 'running') return last;
		await sleep(intervalMs);
	}
	throw new Error(`import ${id} still running after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** Uploads and waits: resolves to {job (final), ms (upload to finish)}. */
export async function importFile(client, body, opts = {}) {
	const t0 = Date.now();
	const r = await startImport(client, body, opts);
	if (r.status !== 202) throw new Error(`POST /api/v1/imports: ${r.status} ${r.text}`);
	const job = await waitImport(client, r.body.id, opts);
	return { job, ms: Date.now() - t0, started: r.body };
}

/** GET /api/v1/imports/{id}/report parsed: [{row, column, kind, reason}]. */
export async function importReport(client, id) {
	// in English, whose kinds read as their codes (error, conflict)
	const r = await client.get(`/api/v1/imports/${id}/report?lang=en`);
	if (r.status !== 200) throw new Error(`report of import ${id}: ${r.status} ${r.text}`);
	const [head, ...rows] = parseCsv(r.text);
	if (head.length !== 4) throw new Error(`unexpected report header: ${head}`);
	return rows.map(([row, column, kind, reason]) => ({ row: Number(row), column, kind, reason }));
}

/** The first page's total of GET /api/v1/children with a query. */
/** The whole file of the child registered with ID number n, as client reads it; null when there is none. */
export async function childByIdNumber(client, n) {
	const r = await client.get(`/api/v1/children?id_number=${n}`);
	assert.equal(r.status, 200, r.text);
	if (r.body.items.length === 0) return null;
	assert.equal(r.body.items.length, 1, 'an ID number is one child\'s');
	const full = await client.get(`/api/v1/children/${r.body.items[0].id}`);
	assert.equal(full.status, 200, full.text);
	return full.body;
}

export async function childrenTotal(client, query = '') {
	const r = await client.get(`/api/v1/children?limit=1${query ? `&${query}` : ''}`);
	if (r.status !== 200) throw new Error(`GET /api/v1/children: ${r.status} ${r.text}`);
	return r.body.total;
}

/** The village codes under a township (GET /api/v1/areas?parent=...). */
export async function villagesOf(client, township) {
	const out = [];
	let cursor = null;
	for (let i = 0; i < 50; i++) {
		const r = await client.get(`/api/v1/areas?parent=${township}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
		if (r.status !== 200) throw new Error(`GET /api/v1/areas: ${r.status} ${r.text}`);
		for (const a of r.body.items) if (a.level === 'village') out.push(a.code);
		if (!r.body.next_cursor) break;
		cursor = r.body.next_cursor;
	}
	return out;
}

/**
 * A GET whose answer is binary (an XLSX export): the client's credentials,
 * resolves to {status, headers, bytes (Buffer)}.
 */
export async function download(client, path, { timeout = 60000 } = {}) {
	const headers = {};
	if (client.token) headers.authorization = `Bearer ${client.token}`;
	if (client.cookie) headers.cookie = client.cookie;
	const res = await fetch(client.base + path, { headers, signal: AbortSignal.timeout(timeout), redirect: 'manual' });
	return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
