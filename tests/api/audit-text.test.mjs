// An entry of the audit log is shown to the auditor whatever its stored
// text holds. An earlier version could store an entry cut inside a
// character (a failed login under a long name in Chinese, on SQLite), and
// someone with access to the database file can write any bytes into one:
// the auditor's list left such an entry out (and its page came back one
// short, which ended the paging there), so the very entry that verify
// names as altered could not be read. Now the bytes that are not UTF-8
// are shown as U+FFFD (one for each such byte), in the list and in the
// report. (PostgreSQL does not store such bytes: there the altered entry
// is simply listed.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, spawnServer, sql } from './lib/harness.mjs';

describeEachDriver('audit entries with broken text', (driver) => {
	let srv, srv2, auditor;

	before(async () => {
		srv = await startServer(driver);
		const a = await srv.login('auditor');
		await a.get('/api/v1/audit?limit=1');
		await srv.anon().post('/api/v1/login', { username: 'no-such-account', password: 'Wrong-Pass-2026' });
		await srv.stop({ keep: true });
		// seq 3: its detail altered, on SQLite into bytes that are not UTF-8
		// (a Chinese character cut after its second byte)
		await sql(
			srv.db,
			driver === 'sqlite'
				? `UPDATE audit_log SET detail = CAST(X'7B2278223A22E5BC' AS TEXT) || '"}' WHERE seq = 3`
				: `UPDATE audit_log SET detail = '{"x":"altered"}' WHERE seq = 3`,
		);
		srv2 = await spawnServer(srv.db);
		auditor = await srv2.login('auditor');
	});
	after(async () => {
		await srv2?.stop();
		await srv?.db.drop();
	});

	test('the altered entry is in the list, paging goes on past it, the report holds it, and verify names it', async () => {
		const all = await auditor.listAll('/api/v1/audit', { limit: 2 });
		const seqs = all.map((e) => e.seq);
		assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] - i), 'no entry left out');
		assert.equal(seqs[seqs.length - 1], 1);
		const three = all.find((e) => e.seq === 3);
		assert.ok(three, 'entry 3 is listed');
		assert.equal(three.detail, driver === 'sqlite' ? '{"x":"\uFFFD\uFFFD"}' : '{"x":"altered"}');

		const csv = await auditor.get('/api/v1/audit/export?lang=en');
		assert.equal(csv.status, 200, csv.text);
		const line = csv.text.split('\r\n').find((l) => l.startsWith('3,'));
		assert.ok(line, 'the report holds entry 3');
		assert.ok(line.includes(driver === 'sqlite' ? '{""x"":""\uFFFD\uFFFD""}' : '{""x"":""altered""}'), line);

		const v = await auditor.get('/api/v1/audit/verify');
		assert.equal(v.body.ok, false);
		assert.equal(v.body.first_bad_seq, 3);
	});
});
