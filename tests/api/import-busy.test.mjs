// An import the server refuses because all its import slots are taken (16
// at once, not a setting) leaves nothing behind (SPEC §3: never half-apply
// a file): the 503 busy answer created no import that stays "running" for
// good in the imports table. One long import holds the writer while more
// uploads arrive than there are slots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { csvLine, startImport, waitImport } from './lib/registry.mjs';

const VILLAGE = '370831101201';
const SLOTS = 16; // JOBS_MAX of src/api/imports_api.c
const BIG_ROWS = 40000;

describeEachDriver('import: refused as busy', (driver) => {
	let srv, centre, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	test('an upload refused with 503 busy (every import slot running) leaves no import running', { timeout: 600000 }, async () => {
		const head = csvLine(['姓名', '身份证号', '村（社区）代码']);
		const tag = uniqueName('忙');
		let big = head;
		for (let i = 0; i < BIG_ROWS; i++) big += csvLine([`${tag}${i}`, ids.next(), VILLAGE]);
		const before = Number(await sql(srv.db, 'SELECT COUNT(*) FROM imports'));
		// the long one first: while the writer applies it, the others queue
		const first = await startImport(centre, big, { fileName: 'big.csv', timeout: 300000 });
		assert.equal(first.status, 202, first.text);
		const smalls = await Promise.all(
			Array.from({ length: SLOTS + 4 }, (_, i) => startImport(centre, head + csvLine([`${tag}小${i}`, ids.next(), VILLAGE]), { fileName: `small-${i}.csv`, timeout: 300000 })),
		);
		const accepted = [first, ...smalls.filter((r) => r.status === 202)];
		const refused = smalls.filter((r) => r.status !== 202);
		assert.ok(refused.length >= 1, `more uploads than slots: some are refused (${smalls.map((r) => r.status)})`);
		for (const r of refused) {
			assert.equal(r.status, 503, r.text);
			assert.equal(r.body.error.code, 'busy', r.text);
		}
		for (const r of accepted) {
			const job = await waitImport(centre, r.body.id, { timeoutMs: 300000 });
			assert.equal(job.status, 'done', JSON.stringify(job).slice(0, 300));
		}
		// every import the server took finished; the refused ones left no row, and none is running
		assert.equal(await sql(srv.db, "SELECT COUNT(*) FROM imports WHERE status = 'running'"), '0');
		assert.equal(Number(await sql(srv.db, 'SELECT COUNT(*) FROM imports')) - before, accepted.length);
		// and a slot is free again
		const again = await startImport(centre, head + csvLine([`${tag}再`, ids.next(), VILLAGE]), { fileName: 'again.csv' });
		assert.equal(again.status, 202, again.text);
		assert.equal((await waitImport(centre, again.body.id)).status, 'done');
	});
});
