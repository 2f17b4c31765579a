// Changing a child's record (SPEC §3 "every change over time"): PATCH with
// the version read, the history of every change, optimistic concurrency
// (two writers on one version: exactly one wins), and Idempotency-Key
// replay of writes (ARCHITECTURE "every write is idempotent").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { IdFactory, masked, make, birthOf } from './lib/idnum.mjs';
import { bornYearsBefore, compact } from './lib/registry.mjs';

const VILLAGE = '370831001001';
const VILLAGE2 = '370831001002';

describeEachDriver('children: changes, history, concurrency, idempotency', (driver) => {
	let srv, centre, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const create = async (extra = {}) => {
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('变更'),
			sex: 'F',
			birth_date: '2014-03-03',
			village_code: VILLAGE,
			...extra,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};

	test('PATCH with the right version changes the record; the history shows field, old and new', async () => {
		const c = await create();
		assert.equal(c.version, 1);
		const newName = uniqueName('新名');
		const r = await centre.patch(`/api/v1/children/${c.id}`, { name: newName, village_code: VILLAGE2, version: 1 });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.name, newName);
		assert.equal(r.body.village_code, VILLAGE2);
		assert.equal(r.body.version, 2);
		assert.equal(r.body.sex, 'F', 'fields not sent are kept');
		assert.equal(r.body.birth_date, '2014-03-03');

		const g = await centre.get(`/api/v1/children/${c.id}`);
		assert.equal(g.body.name, newName);
		assert.equal(g.body.version, 2);

		const n = ids.next({ sex: 'M' });
		const r2 = await centre.patch(`/api/v1/children/${c.id}`, { id_number: n, version: 2 });
		assert.equal(r2.status, 200, r2.text);
		assert.equal(r2.body.id_number, n);
		assert.equal(r2.body.sex, 'M', 'sex follows the new ID number');

		const h = await centre.get(`/api/v1/children/${c.id}/history`);
		assert.equal(h.status, 200, h.text);
		const byField = Object.fromEntries(h.body.items.map((e) => [e.field, e]));
		assert.equal(byField.name.old, c.name);
		assert.equal(byField.name.new, newName);
		assert.equal(byField.village_code.old, VILLAGE);
		assert.equal(byField.village_code.new, VILLAGE2);
		assert.equal(byField.id_number.old, null);
		assert.equal(byField.id_number.new, masked(n), 'the history keeps ID numbers masked only');
		assert.equal(byField.sex.old, 'F');
		assert.equal(byField.sex.new, 'M');
		assert.ok(!h.text.includes(n), 'no whole ID number in the history');
		// who changed it, by name
		const me = (await centre.get('/api/v1/me')).body;
		assert.equal(byField.name.user_id, me.user.id);
		assert.equal(byField.name.by_name, me.user.display_name);
		assert.ok(byField.name.by_name.length > 0);
		for (const e of h.body.items) {
			assert.equal(e.user_id, centre.me.user.id);
			assert.equal(typeof e.at, 'number');
		}
		assert.ok(!h.body.items.some((e) => e.field === 'school_id'), 'unchanged fields are not in the history');
	});

	test('a corrected ID number is in the history even when its masked form did not change', async () => {
		// same area, sequence and check character, another birth date: equal masks
		const first = ids.next({ birth: '20150310' });
		const seq = Number(first.slice(14, 17));
		let second = null;
		for (let y = 2010; y <= 2023 && !second; y++) {
			for (let m = 1; m <= 12 && !second; m++) {
				for (let d = 1; d <= 28 && !second; d++) {
					const n = make(`${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`, seq);
					if (n !== first && n[17] === first[17] && !ids.used.has(n)) second = n;
				}
			}
		}
		assert.ok(second, 'a second number with the same mask exists');
		assert.equal(masked(second), masked(first));
		ids.take(second);
		const c = await create({ id_number: first, sex: undefined, birth_date: undefined });
		const r = await centre.patch(`/api/v1/children/${c.id}`, { id_number: second, version: 1 });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.birth_date, birthOf(second));
		const h = await centre.get(`/api/v1/children/${c.id}/history`);
		const fields = h.body.items.map((e) => e.field);
		assert.ok(fields.includes('id_number'), `history fields: ${fields}`);
		assert.ok(fields.includes('birth_date'));
	});

	test('PATCH with a stale version is 409 and changes nothing; without a version it is 422', async () => {
		const c = await create();
		const ok = await centre.patch(`/api/v1/children/${c.id}`, { name: uniqueName('一'), version: 1 });
		assert.equal(ok.status, 200);
		const stale = await centre.patch(`/api/v1/children/${c.id}`, { name: uniqueName('二'), version: 1 });
		assert.equal(stale.status, 409, stale.text);
		assert.equal(stale.body.error.code, 'version_conflict');
		const g = await centre.get(`/api/v1/children/${c.id}`);
		assert.equal(g.body.name, ok.body.name);
		assert.equal(g.body.version, 2);
		const none = await centre.patch(`/api/v1/children/${c.id}`, { name: uniqueName('三') });
		assert.equal(none.status, 422);
		assert.equal(none.body.error.field, 'version');
		const cleared = await centre.patch(`/api/v1/children/${c.id}`, { name: null, version: 2 });
		assert.equal(cleared.status, 422, 'a required field cannot be cleared');
		assert.equal(cleared.body.error.field, 'name');
		const h = await centre.get(`/api/v1/children/${c.id}/history`);
		assert.equal(h.body.items.length, 1, 'only the successful change is in the history');
	});

	test('two concurrent PATCHes with the same version: exactly one 200 and one 409', async () => {
		for (let round = 0; round < 5; round++) {
			const c = await create();
			const a = uniqueName('甲');
			const b = uniqueName('乙');
			const [ra, rb] = await Promise.all([
				centre.patch(`/api/v1/children/${c.id}`, { name: a, version: 1 }),
				centre.patch(`/api/v1/children/${c.id}`, { name: b, version: 1 }),
			]);
			const statuses = [ra.status, rb.status].sort();
			assert.deepEqual(statuses, [200, 409], `round ${round}: ${ra.text} / ${rb.text}`);
			const winner = ra.status === 200 ? a : b;
			const g = await centre.get(`/api/v1/children/${c.id}`);
			assert.equal(g.body.name, winner, 'the record holds the winner');
			assert.equal(g.body.version, 2);
			const h = await centre.get(`/api/v1/children/${c.id}/history`);
			assert.deepEqual(
				h.body.items.map((e) => [e.field, e.old, e.new]),
				[['name', c.name, winner]],
			);
		}
	});

	test('a renamed child is found by its new name and no longer by its old one; other changes keep its name findable', async () => {
		const oldName = uniqueName('旧名');
		const newName = uniqueName('新名');
		const c = await centre.post('/api/v1/children', { name: oldName, sex: 'F', birth_date: '2014-04-04', village_code: VILLAGE });
		assert.equal(c.status, 201, c.text);
		// the answer to a registration, a change and a read names the village
		const village = (await centre.get(`/api/v1/areas/${VILLAGE}`)).body;
		assert.ok(village.name, 'the village has a name');
		assert.equal(c.body.village_name, village.name);
		assert.equal((await centre.get(`/api/v1/children/${c.body.id}`)).body.village_name, village.name);
		const ids = async (q) => (await centre.listAll(`/api/v1/children?q=${encodeURIComponent(q)}`)).map((x) => x.id);
		assert.deepEqual(await ids(oldName), [c.body.id]);
		// a change that keeps the name keeps it findable
		const notes = await centre.patch(`/api/v1/children/${c.body.id}`, { notes: '改了备注', version: c.body.version });
		assert.equal(notes.status, 200, notes.text);
		assert.deepEqual(await ids(oldName), [c.body.id]);
		const renamed = await centre.patch(`/api/v1/children/${c.body.id}`, { name: newName, version: notes.body.version });
		assert.equal(renamed.status, 200, renamed.text);
		assert.equal(renamed.body.village_name, village.name);
		assert.deepEqual(await ids(newName), [c.body.id], 'found by the new name');
		assert.deepEqual(await ids(oldName), [], 'not by the old one');
		// and the name index holds the new name's rows only (a search checks
		// candidates against the name, so stale rows would only slow it down)
		const grams = async (g) => Number(await sql(srv.db, `SELECT count(*) FROM child_name_grams WHERE child_id = ${c.body.id} AND gram = '${g}'`));
		assert.equal(await grams('旧'), 0, 'the old name\'s rows are gone');
		assert.equal(await grams('旧名'), 0);
		assert.equal(await grams('新'), 1, 'the new name is indexed');
		assert.equal(await grams('新名'), 1);
		// two characters of the new name still find it (the bigram index)
		assert.ok((await ids(newName.slice(0, 2))).includes(c.body.id), 'found by the first two characters of the new name');
	});

	test('the same POST twice with one Idempotency-Key creates one child and replays the answer', async () => {
		const key = `k-${uniqueName('')}`;
		const body = { name: uniqueName('幂等'), sex: 'M', birth_date: '2013-07-07', village_code: VILLAGE };
		const first = await centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } });
		assert.equal(first.status, 201, first.text);
		assert.equal(first.headers.get('idempotent-replayed'), null);
		const second = await centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } });
		assert.equal(second.status, 201, second.text);
		assert.equal(second.headers.get('idempotent-replayed'), 'true');
		assert.deepEqual(second.body, first.body);
		const found = await centre.get(`/api/v1/children?q=${encodeURIComponent(body.name)}`);
		assert.equal(found.body.total, 1, 'one child was created');

		// the key belongs to that request: another path with it is refused
		const other = await centre.patch(`/api/v1/children/${first.body.id}`, { name: uniqueName('x'), version: 1 }, { headers: { 'idempotency-key': key } });
		assert.equal(other.status, 422, other.text);
		assert.equal(other.body.error.code, 'idempotency_key_reused');
		// and keys are per account: another user's same key is a new request
		const other2 = await srv.bearer('center02');
		const third = await other2.post('/api/v1/children', { ...body, name: uniqueName('幂等') }, { headers: { 'idempotency-key': key } });
		assert.equal(third.status, 201);
		assert.equal(third.headers.get('idempotent-replayed'), null);
		assert.notEqual(third.body.id, first.body.id);
	});

	test('a number registered to another child is refused, and the refusal is in the audit log', async () => {
		const idNumber = ids.next();
		const first = await centre.post('/api/v1/children', { name: uniqueName('重号'), id_number: idNumber, village_code: VILLAGE });
		assert.equal(first.status, 201, first.text);
		const again = await centre.post('/api/v1/children', { name: uniqueName('重号'), id_number: idNumber, village_code: VILLAGE });
		assert.equal(again.status, 409, again.text);
		assert.equal(again.body.error.code, 'duplicate_id_number');
		assert.equal(again.body.error.field, 'id_number');
		const other = await centre.post('/api/v1/children', { name: uniqueName('另号'), id_number: ids.next(), village_code: VILLAGE });
		const moved = await centre.patch(`/api/v1/children/${other.body.id}`, { version: other.body.version, id_number: idNumber });
		assert.equal(moved.status, 409, moved.text);
		assert.equal(moved.body.error.code, 'duplicate_id_number');
		const auditor = await srv.login('auditor');
		const recent = (await auditor.get('/api/v1/audit?limit=20')).body.items;
		const refusals = recent.filter((e) => e.outcome === 'duplicate_id_number');
		// one entry per refused request, named for what it was (not also a "conflict")
		assert.deepEqual(
			recent.filter((e) => ['conflict', 'duplicate_id_number'].includes(e.outcome)).map((e) => [e.action, e.outcome]),
			[['child.update', 'duplicate_id_number'], ['child.create', 'duplicate_id_number']],
		);
		assert.ok(refusals.some((e) => e.action === 'child.create' && e.username === 'center'), JSON.stringify(refusals));
		assert.ok(refusals.some((e) => e.action === 'child.update' && e.object_id === String(other.body.id)), JSON.stringify(refusals));
		assert.ok(!JSON.stringify(refusals).includes(idNumber), 'the number is not in the log');
	});

	test("a number held by an archived record is refused as registered, not as someone else's edit to reload", async () => {
		const idNumber = ids.next();
		const dup = await centre.post('/api/v1/children', { name: uniqueName('重复档'), id_number: idNumber, village_code: VILLAGE });
		assert.equal(dup.status, 201, dup.text);
		assert.equal((await centre.post(`/api/v1/children/${dup.body.id}/archive`, { reason: 'duplicate' })).status, 200);
		const kept = await centre.post('/api/v1/children', { name: uniqueName('保留档'), sex: 'F', birth_date: '2016-05-01', village_code: VILLAGE });
		assert.equal(kept.status, 201, kept.text);
		const r = await centre.patch(`/api/v1/children/${kept.body.id}`, { version: kept.body.version, id_number: idNumber });
		assert.equal(r.status, 409, r.text);
		assert.equal(r.body.error.code, 'duplicate_id_number', 'reloading would not help: the number is registered');
		assert.equal(r.body.error.field, 'id_number');
		const after = await centre.get(`/api/v1/children/${kept.body.id}`);
		assert.equal(after.body.version, kept.body.version, 'nothing changed');
	});

	test('without an ID number, a second registration of the same name, birth date and village asks first', async () => {
		const body = { name: uniqueName('无号'), sex: 'F', birth_date: bornYearsBefore(6), village_code: VILLAGE };
		const first = await centre.post('/api/v1/children', body);
		assert.equal(first.status, 201, first.text);
		const again = await centre.post('/api/v1/children', body);
		assert.equal(again.status, 409, again.text);
		assert.equal(again.body.error.code, 'possible_duplicate');
		assert.equal(again.body.error.field, 'name');
		assert.equal(again.body.error.existing_id, first.body.id, 'the one registered, which the centre may open');
		assert.equal((await centre.get(`/api/v1/children?q=${encodeURIComponent(body.name)}`)).body.items.length, 1, 'not registered twice');
		const other = await centre.post('/api/v1/children', { ...body, duplicate_ok: true });
		assert.equal(other.status, 201, other.text);
		assert.notEqual(other.body.id, first.body.id);
		// another village, or another birth date, is another child
		const elsewhere = await centre.post('/api/v1/children', { ...body, birth_date: bornYearsBefore(7) });
		assert.equal(elsewhere.status, 201, elsewhere.text);
		// sent six times at once (a double click, two staff): registered once
		const twin = { name: uniqueName('并发无号'), sex: 'M', birth_date: bornYearsBefore(9), village_code: VILLAGE };
		const all = await Promise.all(Array.from({ length: 6 }, () => centre.post('/api/v1/children', twin)));
		assert.deepEqual(
			all.map((x) => x.status).sort(),
			[201, 409, 409, 409, 409, 409],
			all.map((x) => x.text).join('\n'),
		);
		assert.ok(all.filter((x) => x.status === 409).every((x) => x.body.error.code === 'possible_duplicate'));
		assert.equal((await centre.get(`/api/v1/children?q=${encodeURIComponent(twin.name)}`)).body.items.length, 1);
	});

	test('someone the archive would take at once is not registered; a child who turned 18 within the grace is', async () => {
		// typed 2000 for 2010: 26 years old, past 18 and the 90 days of grace
		const typo = await centre.post('/api/v1/children', { name: uniqueName('成年'), sex: 'M', birth_date: bornYearsBefore(26), village_code: VILLAGE });
		assert.equal(typo.status, 422, typo.text);
		assert.equal(typo.body.error.field, 'birth_date');
		assert.match(typo.body.error.message, /18 or older/);
		const number = make(compact(bornYearsBefore(19)), 11);
		const byNumber = await centre.post('/api/v1/children', { name: uniqueName('成年'), id_number: number, village_code: VILLAGE });
		assert.equal(byNumber.status, 422, byNumber.text);
		assert.equal(byNumber.body.error.field, 'id_number');
		assert.equal((await centre.get(`/api/v1/children?id_number=${number}`)).body.total, 0, 'nothing was written');
		// 18 since ten days: still within the grace, as the archive counts it
		const born = bornYearsBefore(18, -10) ?? bornYearsBefore(18, -11);
		const recent = await create({ birth_date: born });
		assert.equal(recent.birth_date, born);
		// a record that grows up stays and may be corrected to any past date
		const c = await create();
		const older = await centre.patch(`/api/v1/children/${c.id}`, { version: c.version, birth_date: bornYearsBefore(26) });
		assert.equal(older.status, 200, older.text);
	});

	test('registrations sent at once, three of them with one number: one of the three and all the others are registered', async () => {
		// Registrations that arrive together are written in one transaction;
		// a refused one must not take the others down with it.
		const shared = ids.next();
		const bodies = [];
		for (let i = 0; i < 12; i++) {
			bodies.push({ name: uniqueName('同批'), id_number: i % 4 === 1 ? shared : ids.next(), village_code: VILLAGE });
		}
		const answers = await Promise.all(bodies.map((b) => centre.post('/api/v1/children', b)));
		const sharedAnswers = answers.filter((_, i) => i % 4 === 1);
		assert.deepEqual(sharedAnswers.map((r) => r.status).sort(), [201, 409, 409], sharedAnswers.map((r) => r.text).join('\n'));
		answers.forEach((r, i) => {
			if (i % 4 !== 1) assert.equal(r.status, 201, r.text);
		});
		// each registered child is there once, and found by its name
		for (let i = 0; i < bodies.length; i++) {
			if (answers[i].status !== 201) continue;
			const found = await centre.get(`/api/v1/children?q=${encodeURIComponent(bodies[i].name)}`);
			assert.deepEqual(found.body.items.map((x) => x.id), [answers[i].body.id], bodies[i].name);
		}
		const withShared = await centre.get(`/api/v1/children?id_number=${shared}`);
		assert.equal(withShared.status, 200, withShared.text);
		assert.equal(withShared.body.total, 1, withShared.text);
	});

	test('an answer kept for a replay is encrypted at rest and kept a day', async () => {
		const key = `k-${uniqueName('')}`;
		const idNumber = (await IdFactory.fromServer(centre)).next();
		const body = { name: uniqueName('加密'), id_number: idNumber, village_code: VILLAGE };
		const first = await centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } });
		assert.equal(first.status, 201, first.text);
		assert.equal(first.body.id_number, idNumber, 'the centre sees the whole number');
		const stored = await sql(srv.db, `SELECT body FROM idempotency_keys WHERE idem_key = '${key}'`);
		assert.ok(stored.length > 40, 'an answer is kept');
		assert.ok(!stored.includes(idNumber) && !stored.includes(body.name), 'neither the number nor the name in clear');
		const again = await centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } });
		assert.equal(again.headers.get('idempotent-replayed'), 'true');
		assert.equal(again.body.id_number, idNumber);
		// a day later the key is forgotten: the same request runs again (and
		// is refused as a duplicate number instead of replayed)
		await sql(srv.db, `UPDATE idempotency_keys SET created_at = created_at - 86401 WHERE idem_key = '${key}'`);
		const late = await centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } });
		assert.equal(late.status, 409, late.text);
		assert.equal(late.headers.get('idempotent-replayed'), null);
	});

	test('a failed write is not remembered under its Idempotency-Key: the corrected retry runs', async () => {
		const key = `k-${uniqueName('')}`;
		const body = { name: uniqueName('重试'), sex: 'M', village_code: VILLAGE };
		const bad = await centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } });
		assert.equal(bad.status, 422, bad.text);
		const good = await centre.post('/api/v1/children', { ...body, birth_date: '2012-02-02' }, { headers: { 'idempotency-key': key } });
		assert.equal(good.status, 201, good.text);
		assert.equal(good.headers.get('idempotent-replayed'), null);
	});

	test('concurrent retries with one Idempotency-Key create one child', async () => {
		for (let round = 0; round < 3; round++) {
			const key = `k-${uniqueName('')}`;
			const body = { name: uniqueName('并发幂等'), sex: 'F', birth_date: '2013-08-08', village_code: VILLAGE };
			const rs = await Promise.all(
				Array.from({ length: 8 }, () => centre.post('/api/v1/children', body, { headers: { 'idempotency-key': key } })),
			);
			const created = rs.filter((r) => r.status === 201);
			assert.equal(created.length, rs.length, rs.map((r) => `${r.status} ${r.text}`).join('\n'));
			assert.equal(new Set(created.map((r) => r.body.id)).size, 1, `round ${round}: every 201 names the same child`);
			assert.equal(rs.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, rs.length - 1, 'all but one are replays');
			const found = await centre.get(`/api/v1/children?q=${encodeURIComponent(body.name)}`);
			assert.equal(found.body.total, 1, `round ${round}: one child was created`);
		}
	});
});
