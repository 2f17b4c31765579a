// Entitlements (应享尽享, SPEC §6), the rules a township meets at the edges:
// a receipt starts no earlier than the policy it records was in force;
// a child entitled to two policies that may not be had together is one
// gap, not two, and a child receiving either of them is no gap of the
// other, whichever names it (two receipts of such a pair recorded at once:
// one is written); a child who moves to another township with a gap open is
// that township's news in the daily notice; a receipt starts no earlier
// than the child's birth; where a year of age counts from the day after
// the birthday, a child is still matched on its 18th birthday; exclusions
// through a chain count each gap once and close no circle, in whichever
// version is in force; a receipt from a past month follows the exclusions
// of that month's version, whichever of the two names the other; a gap open again after a receipt, or
// after the child was no longer entitled for a while, is not checked yet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { migratedFrom, describeEachDriver, startServer, uniqueName, cli, sql } from './lib/harness.mjs';
import { unitIds } from './lib/loop.mjs';
import { bornYearsBefore } from './lib/registry.mjs';
import { chinaDate } from './lib/idnum.mjs';

const OWN = '370831001001'; // director's village (township 370831001: station, supervisor)
const FAR = '370831101201'; // director2's village (township 370831101: station03)
const pad = (n) => String(n).padStart(2, '0');
// the month n months from this one in China, 'YYYY-MM'
const month = (n = 0) => {
	const { y, m } = chinaDate();
	const i = y * 12 + (m - 1) + n;
	return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
};
let codes = 0;
const code = () => `r${Date.now().toString(36)}_${++codes}`;

describeEachDriver('entitlements rules', (driver) => {
	let srv, centre, station, director, units;

	const child = async (extra = {}) => {
		const r = await director.post('/api/v1/children', {
			name: uniqueName('规则'),
			sex: 'F',
			birth_date: bornYearsBefore(4),
			village_code: OWN,
			...extra,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const policy = async (extra = {}) => {
		const r = await centre.post('/api/v1/policies', {
			code: code(),
			name: uniqueName('政策'),
			department_id: units.civil_affairs,
			benefit: 'monthly_allowance',
			effective_from: `${month(0)}-01`,
			amount_cents: 50000,
			rule: { disability_grades: [3], age_max: 5 },
			...extra,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const list = async (client, query) => {
		const r = await client.get(`/api/v1/entitlements?limit=500&${query}`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};
	const rowOf = (body, childId) => body.items.find((i) => i.child_id === childId);

	before(async () => {
		srv = await startServer(driver);
		[centre, station, director] = await Promise.all(['center', 'station', 'director'].map((u) => srv.login(u)));
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a receipt does not start before the policy is in force: the months before it would be recorded and never paid', async () => {
		const c = await child({ disability_grade: 3, disability_type: 'physical' });
		for (const benefit of ['one_off_aid', 'monthly_allowance']) {
			const p = await policy({ benefit, amount_cents: 200000 });
			const early = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(-1) });
			assert.equal(early.status, 422, `${benefit}: ${early.text}`);
			assert.equal(early.body.error.field, 'from_month');
			assert.match(early.body.error.message, new RegExp(`in force from ${month(0)}`));
			const none = (await centre.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts.filter((x) => x.policy_id === p.id);
			assert.equal(none.length, 0, 'the refusal wrote nothing');
			// from its first month it is recorded, and the ledger pays it then
			// the child's page and the gap list say from which month it may start
			const item = (await station.get(`/api/v1/children/${c.id}/entitlements`)).body.items.find((i) => i.policy_id === p.id);
			assert.equal(item.first_month, month(0));
			assert.equal((await list(station, 'group=gap')).policies.find((x) => x.policy_id === p.id).first_month, month(0));
			const ok = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
			assert.equal(ok.status, 201, ok.text);
			const paid = (await station.get(`/api/v1/entitlements/ledger?month=${month(0)}&policy=${p.id}`)).body.items;
			assert.deepEqual(paid.filter((i) => i.child_id === c.id).map((i) => i.amount_cents), [200000], benefit);
		}
	});

	test('a child entitled to two policies that may not be had together is one gap, under the one the other gives way to', async () => {
		const kept = await policy();
		const givesWay = await policy({ amount_cents: 30000, rule: { disability_grades: [3], excludes: [kept.code] } });
		const both = await child({ disability_grade: 3, disability_type: 'physical' });
		// a child of seven is outside the kept policy's age range: the other one is its gap
		const only = await child({ disability_grade: 3, disability_type: 'physical', birth_date: bornYearsBefore(7) });

		const gaps = await list(station, 'group=gap');
		const pair = (body, id) => body.items.filter((i) => i.child_id === id && [kept.id, givesWay.id].includes(i.policy_id)).map((i) => i.policy_id);
		assert.deepEqual(pair(gaps, both.id), [kept.id], 'one gap, under the policy that is kept');
		assert.deepEqual(pair(gaps, only.id), [givesWay.id], 'entitled to the other alone: its gap');
		// the counts by policy are the rows
		for (const x of [kept, givesWay]) {
			const rows = gaps.items.filter((i) => i.policy_id === x.id).length;
			assert.equal(gaps.policies.find((y) => y.policy_id === x.id).gap, rows, x.code);
		}
		const narrowed = await list(station, `group=gap&policy=${givesWay.id}`);
		assert.equal(rowOf(narrowed, both.id), undefined);
		assert.ok(rowOf(narrowed, only.id));
		assert.equal(narrowed.counts.gap, narrowed.total);

		// the child's page offers either (the family may choose), and says under which the gap counts
		const page = (await station.get(`/api/v1/children/${both.id}/entitlements`)).body.items;
		const of = (id) => page.find((i) => i.policy_id === id);
		assert.deepEqual([of(kept.id).group, of(givesWay.id).group], ['gap', 'gap']);
		assert.equal(of(givesWay.id).counted_under, kept.name);
		assert.equal(of(kept.id).counted_under, null);

		// a check of the gap goes to the kept one; the other is no gap to check
		const wrong = await station.post(`/api/v1/children/${both.id}/entitlements/${givesWay.id}/checks`, { finding: 'applied' });
		assert.equal(wrong.status, 409, wrong.text);
		const right = await station.post(`/api/v1/children/${both.id}/entitlements/${kept.id}/checks`, { finding: 'applied' });
		assert.equal(right.status, 201, right.text);

		// the family may still choose the one that gives way: then neither is a gap (the child has one of the two)
		const rec = await station.post(`/api/v1/children/${both.id}/entitlements`, { policy_id: givesWay.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);
		const after = (await list(station, 'group=gap')).items.filter((i) => i.child_id === both.id && [kept.id, givesWay.id].includes(i.policy_id));
		assert.deepEqual(after.map((i) => i.policy_id), [], 'receiving the one that gives way, the kept one is no gap');
		assert.ok(rowOf(await list(station, `group=receiving&policy=${givesWay.id}`), both.id));
	});

	test('a pair that may not be had together holds both ways: a child receiving either is no gap of the other, whichever rule names it', async () => {
		const kept = await policy();
		const givesWay = await policy({ amount_cents: 30000, rule: { disability_grades: [3], excludes: [kept.code] } });
		const onGivesWay = await child({ disability_grade: 3, disability_type: 'physical' });
		const onKept = await child({ disability_grade: 3, disability_type: 'physical' });
		const record = (c, p) => station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal((await record(onGivesWay, givesWay)).status, 201);
		assert.equal((await record(onKept, kept)).status, 201);

		const gaps = await list(station, 'group=gap');
		const pair = (id) => gaps.items.filter((i) => i.child_id === id && [kept.id, givesWay.id].includes(i.policy_id));
		assert.deepEqual(pair(onGivesWay.id), [], 'receiving the one that gives way: the kept one is no gap');
		assert.deepEqual(pair(onKept.id), [], 'receiving the kept one: the one that gives way is no gap');
		assert.equal(rowOf(await list(station, `group=gap&policy=${kept.id}`), onGivesWay.id), undefined);
		for (const x of [kept, givesWay]) {
			const rows = gaps.items.filter((i) => i.policy_id === x.id).length;
			assert.equal(gaps.policies.find((y) => y.policy_id === x.id).gap, rows, `${x.code}: the counts are the rows`);
		}
		// the child's page says why, naming the policy received
		const item = async (c, p) => (await station.get(`/api/v1/children/${c.id}/entitlements`)).body.items.find((i) => i.policy_id === p.id);
		const k = await item(onGivesWay, kept);
		assert.equal(k.group, 'none');
		assert.equal(k.eligible, false);
		assert.deepEqual(k.unmet, ['excluded']);
		assert.equal(k.excluded_by, givesWay.name);
		const g = await item(onKept, givesWay);
		assert.equal(g.group, 'none');
		assert.equal(g.excluded_by, kept.name);
		// no gap to check, nor a receipt to record over the other (the ledger would pay both)
		const check = await station.post(`/api/v1/children/${onGivesWay.id}/entitlements/${kept.id}/checks`, { finding: 'applied' });
		assert.equal(check.status, 409, check.text);
		const again = await record(onGivesWay, kept);
		assert.equal(again.status, 422, again.text);
		assert.equal(again.body.error.field, 'policy_id');
		// (in the words the receipt dialog reads: the policy received named after the unmet conditions)
		assert.equal(again.body.error.message, `the child is not eligible for this policy today; unmet: excluded (the child receives ${givesWay.name}, which this policy may not be had with)`);
		const receipts = (await station.get(`/api/v1/children/${onGivesWay.id}/entitlements`)).body.receipts;
		assert.deepEqual(receipts.map((r) => r.policy_id), [givesWay.id], 'nothing written');
		// once the one that gives way has ended, the kept one is a gap again
		const end = await station.post(`/api/v1/entitlements/${receipts[0].id}/end`, { reason: '改领其他政策', last_month: month(0) });
		assert.equal(end.status, 200, end.text);
		assert.ok(rowOf(await list(station, `group=gap&policy=${kept.id}`), onGivesWay.id));
	});

	test('a receipt from a past month of the policy another names is refused over the months the child received that other: the ledger would pay both', async () => {
		const kept = await policy();
		const givesWay = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [kept.code] } });
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(-4)}-01' WHERE policy_id IN (${kept.id}, ${givesWay.id})`);
		const c = await child({ disability_grade: 3, disability_type: 'physical' });
		const rg = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: givesWay.id, from_month: month(-4) });
		assert.equal(rg.status, 201, rg.text);
		const end = await station.post(`/api/v1/entitlements/${rg.body.id}/end`, { reason: '改领其他政策', last_month: month(-2) });
		assert.equal(end.status, 200, end.text);

		// the kept one from month -3: the other was paid in months -3 and -2
		const early = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: kept.id, from_month: month(-3) });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.field, 'from_month');
		assert.equal(early.body.error.message, `in ${month(-2)} the child received ${givesWay.name}, which this policy (its version in force then) may not be had with: from_month must be ${month(-1)} or later`);
		const mine = async () => (await station.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts;
		assert.equal((await mine()).filter((r) => r.policy_id === kept.id).length, 0, 'nothing written');
		const paid = (await station.get(`/api/v1/entitlements/ledger?month=${month(-2)}`)).body.items.filter((i) => i.child_id === c.id);
		assert.deepEqual(paid.map((i) => i.policy_id), [givesWay.id], 'month -2 paid the one alone');
		// from month -1 on the months do not meet
		const ok = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: kept.id, from_month: month(-1) });
		assert.equal(ok.status, 201, ok.text);
	});

	test('two receipts of a pair recorded at once: one is written, the other refused naming it', async () => {
		const kept = await policy();
		const givesWay = await policy({ amount_cents: 30000, rule: { disability_grades: [3], excludes: [kept.code] } });
		for (let i = 0; i < 8; i++) {
			const c = await child({ disability_grade: 3, disability_type: 'physical' });
			const pols = i % 2 ? [kept, givesWay] : [givesWay, kept];
			const rs = await Promise.all(pols.map((p) => station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) })));
			const texts = rs.map((r) => `${r.status} ${r.text}`).join(' | ');
			const ok = rs.filter((r) => r.status === 201);
			const refused = rs.filter((r) => r.status !== 201);
			assert.equal(ok.length, 1, `run ${i}: ${texts}`);
			assert.ok([409, 422].includes(refused[0].status), texts);
			assert.equal(refused[0].body.error.field, 'policy_id', texts);
			const written = pols.find((p) => p.id === ok[0].body.policy_id);
			assert.ok(refused[0].body.error.message.includes(written.name), `the refusal names ${written.name}: ${texts}`);
			const receipts = (await station.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts;
			assert.deepEqual(receipts.map((r) => r.policy_id), [written.id], `run ${i}: one receipt`);
		}
	});

	test('the daily notice: a child with an open gap who moves to another township is that township\'s new gap', async () => {
		const station03 = await srv.login('station03');
		const notice = async () => {
			const r = await cli(srv.db, ['recompute']);
			assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
			const m = r.stdout.match(/entitlement gaps: (\d+) open, (\d+) new \(told to (\d+) townships\), (\d+) closed/);
			assert.ok(m, r.stdout);
			return { open: Number(m[1]), added: Number(m[2]), townships: Number(m[3]), closed: Number(m[4]) };
		};
		const told = async (client) => {
			const r = await client.get('/api/v1/inbox?limit=200');
			assert.equal(r.status, 200, r.text);
			return r.body.items.filter((m) => m.event === 'entitlement.gaps');
		};
		await policy({ rule: { disability_grades: [4], age_max: 5 } });
		const c = await child({ disability_grade: 4, disability_type: 'physical' });
		await notice();
		const before = (await told(station03)).length;
		assert.equal((await notice()).added, 0, 'nothing new');

		const cur = await centre.get(`/api/v1/children/${c.id}`);
		const moved = await centre.patch(`/api/v1/children/${c.id}`, { version: cur.body.version, village_code: FAR });
		assert.equal(moved.status, 200, moved.text);
		const gaps = (await list(station03, 'group=gap')).items.filter((i) => i.child_id === c.id).length;
		assert.ok(gaps >= 1, 'the new township sees the gaps on its list');
		const run = await notice();
		assert.equal(run.added, gaps, 'new to the township that has the child now');
		assert.equal(run.townships, 1);
		const msgs = await told(station03);
		assert.equal(msgs.length, before + 1, 'the new township is told');
		assert.equal(msgs[0].items, gaps);
		assert.equal((await notice()).added, 0, 'and only once');
	});

	test('a receipt does not start before the child was born: a newborn\'s aid is not back-dated', async () => {
		const p = await policy({ benefit: 'one_off_aid' });
		// the policy in force for a year: only the birth stands in the way
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(-12)}-01' WHERE policy_id = ${p.id}`);
		const born = `${month(-1)}-01`;
		const c = await child({ birth_date: born, disability_grade: 3, disability_type: 'physical' });
		for (const m of [month(-2), month(-12)]) {
			const early = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: m });
			assert.equal(early.status, 422, `${m}: ${early.text}`);
			assert.equal(early.body.error.field, 'from_month');
			assert.match(early.body.error.message, new RegExp(`born in ${month(-1)}: from_month may not be before the birth month`));
		}
		const none = (await centre.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts;
		assert.equal(none.length, 0, 'the refusal wrote nothing');
		// from the month of its birth it is recorded
		const ok = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(-1) });
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.body.from_month, month(-1));
	});

	test('a year of age counted from the day after the birthday: on its 18th birthday a child is 17, matched and not archived as grown up', async (t) => {
		const birth = bornYearsBefore(18);
		if (!birth) return t.skip('the 18th birthday falls on 29 February');
		const p = await policy({ rule: { disability_grades: [4] } }); // no age range: every child under 18
		const c = await child({ disability_grade: 4, disability_type: 'physical' });
		await sql(srv.db, `UPDATE children SET birth_date = '${birth}' WHERE id = ${c.id}`);
		const stand = async (client) => {
			const page = await client.get(`/api/v1/children/${c.id}/entitlements`);
			assert.equal(page.status, 200, page.text);
			const gaps = await client.get('/api/v1/entitlements?limit=500&group=gap');
			assert.equal(gaps.status, 200, gaps.text);
			return {
				page: page.body.items.find((i) => i.policy_id === p.id).group,
				listed: gaps.body.items.some((i) => i.child_id === c.id && i.policy_id === p.id),
			};
		};
		// a year on the day (the default): 18 today, no longer entitled, nowhere a gap
		assert.deepEqual(await stand(station), { page: 'none', listed: false });

		const after = await startServer(driver, { env: { WEIBAO_CATEGORY_BIRTHDAY: 'day_after' } });
		t.after(() => after.stop());
		// the same county's rows, read by a server counting a year from the day after
		const pol = await (await after.login('center')).post('/api/v1/policies', {
			code: code(),
			name: uniqueName('政策'),
			department_id: units.civil_affairs,
			benefit: 'monthly_allowance',
			effective_from: `${month(0)}-01`,
			amount_cents: 50000,
			rule: { disability_grades: [4] },
		});
		assert.equal(pol.status, 201, pol.text);
		const dir = await after.login('director');
		const reg = await dir.post('/api/v1/children', {
			name: uniqueName('规则'),
			sex: 'F',
			birth_date: bornYearsBefore(4),
			village_code: OWN,
			disability_grade: 4,
			disability_type: 'physical',
		});
		assert.equal(reg.status, 201, reg.text);
		await sql(after.db, `UPDATE children SET birth_date = '${birth}' WHERE id = ${reg.body.id}`);
		const st = await after.login('station');
		const page = await st.get(`/api/v1/children/${reg.body.id}/entitlements`);
		assert.equal(page.body.items.find((i) => i.policy_id === pol.body.id).group, 'gap', 'the child\'s page: 17 today');
		const gaps = await st.get('/api/v1/entitlements?limit=500&group=gap');
		assert.ok(gaps.body.items.some((i) => i.child_id === reg.body.id && i.policy_id === pol.body.id), 'the gap list agrees: still a gap on the birthday');
		const rows = gaps.body.items.filter((i) => i.policy_id === pol.body.id).length;
		assert.equal(gaps.body.policies.find((x) => x.policy_id === pol.body.id).gap, rows, 'and its count');
		// the visit plan too: a high-risk child of 17 is still visited
		await sql(after.db, `UPDATE children SET risk_level = 'high' WHERE id = ${reg.body.id}`);
		const plan = await st.get('/api/v1/visits/plan?limit=500');
		assert.equal(plan.status, 200, plan.text);
		assert.ok(plan.body.items.some((i) => i.child_id === reg.body.id), 'the visit plan agrees: 17 on the birthday');
		// and the archive agrees: not 18 yet
		const arch = await (await after.login('center')).post(`/api/v1/children/${reg.body.id}/archive`, { reason: 'adult' });
		assert.equal(arch.status, 422, arch.text);
		assert.match(arch.body.error.message, /not 18 yet/);
	});

	test('exclusions in a chain (A gives way to B, B to C; A and C may be had together): the gaps are the policies the child is to end with, each once', async () => {
		const c = await policy();
		const b = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [c.code] } });
		const a = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [b.code] } });
		const ids = [a.id, b.id, c.id];
		const gapsOf = async (childId) =>
			(await list(station, 'group=gap')).items
				.filter((i) => i.child_id === childId && ids.includes(i.policy_id))
				.map((i) => i.policy_id)
				.sort((x, y) => x - y);
		const pageOf = async (childId) => {
			const items = (await station.get(`/api/v1/children/${childId}/entitlements`)).body.items;
			return Object.fromEntries(ids.map((id) => [id, items.find((i) => i.policy_id === id)]));
		};
		const record = async (childId, pid) => {
			const r = await station.post(`/api/v1/children/${childId}/entitlements`, { policy_id: pid, from_month: month(0) });
			assert.equal(r.status, 201, r.text);
		};
		const none = await child({ disability_grade: 3, disability_type: 'physical' });
		const onlyB = await child({ disability_grade: 3, disability_type: 'physical' });
		const onlyA = await child({ disability_grade: 3, disability_type: 'physical' });
		await record(onlyB.id, b.id);
		await record(onlyA.id, a.id);

		// receiving nothing: C (B gives way to it) and A (it gives way to B alone, which the child is not to get)
		assert.deepEqual(await gapsOf(none.id), [a.id, c.id].sort((x, y) => x - y), 'two gaps: C and A, which may be had with C');
		let page = await pageOf(none.id);
		assert.deepEqual([page[a.id].group, page[b.id].group, page[c.id].group], ['gap', 'gap', 'gap']);
		assert.equal(page[b.id].counted_under, c.name, 'B is counted under C');
		assert.equal(page[a.id].counted_under, null, 'A is not counted under B, which is itself counted under C');
		assert.equal(page[c.id].counted_under, null);
		// the counts by policy are the rows
		const gaps = await list(station, 'group=gap');
		for (const x of [a, b, c]) assert.equal(gaps.policies.find((y) => y.policy_id === x.id).gap, gaps.items.filter((i) => i.policy_id === x.id).length, x.code);
		// A's gap is checked on A, B's goes to C
		assert.equal((await station.post(`/api/v1/children/${none.id}/entitlements/${a.id}/checks`, { finding: 'applied' })).status, 201);
		const wrong = await station.post(`/api/v1/children/${none.id}/entitlements/${b.id}/checks`, { finding: 'applied' });
		assert.equal(wrong.status, 409, wrong.text);
		assert.match(wrong.body.error.message, new RegExp(c.name));
		// recording C leaves A, counted already: no gap appears or vanishes but the one recorded
		await record(none.id, c.id);
		assert.deepEqual(await gapsOf(none.id), [a.id], 'A, as before');
		page = await pageOf(none.id);
		assert.deepEqual(page[b.id].unmet, ['excluded'], 'B gives way to C, received');

		// receiving B: neither A (which gives way to it) nor C (to which it gives way) is a gap: a pair holds both ways
		assert.deepEqual(await gapsOf(onlyB.id), []);
		page = await pageOf(onlyB.id);
		assert.deepEqual(page[a.id].unmet, ['excluded']);
		assert.deepEqual(page[c.id].unmet, ['excluded']);
		assert.equal(page[c.id].excluded_by, b.name);
		// receiving A: B is not to be had with it, and C may be had with A
		assert.deepEqual(await gapsOf(onlyA.id), [c.id]);
		page = await pageOf(onlyA.id);
		assert.deepEqual(page[b.id].unmet, ['excluded']);
		assert.equal(page[b.id].excluded_by, a.name);
	});

	test('exclusions say one side only through a chain too: a version that closes a circle is refused', async () => {
		const c = await policy();
		const b = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [c.code] } });
		const a = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [b.code] } });
		const circle = await centre.post(`/api/v1/policies/${c.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 100, rule: { disability_grades: [3], excludes: [a.code] } });
		assert.equal(circle.status, 422, circle.text);
		assert.equal(circle.body.error.field, 'rule.excludes[0]');
		assert.match(circle.body.error.message, /already excludes this one/);
		// a circle closed through versions to come: refused as well
		const d = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [a.code] } });
		const c2 = await centre.post(`/api/v1/policies/${c.id}/versions`, { effective_from: `${month(2)}-01`, amount_cents: 100, rule: { disability_grades: [3], excludes: [d.code] } });
		assert.equal(c2.status, 422, c2.text);
		// a chain that closes no circle is fine
		const e = await policy();
		assert.equal((await centre.post(`/api/v1/policies/${c.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 100, rule: { disability_grades: [3], excludes: [e.code] } })).status, 201);
	});

	test('exclusions say one side only in every month: the version in force then counts, not the newest', async () => {
		// P names Q today; from month 2 on its new version does not: Q may not name P in month 1,
		// when the version in force still names Q, and may from month 2
		const q = await policy();
		const p = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [q.code] } });
		const later = await centre.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${month(2)}-01`, amount_cents: 100, rule: { disability_grades: [3] } });
		assert.equal(later.status, 201, later.text);
		const early = await centre.post(`/api/v1/policies/${q.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 100, rule: { disability_grades: [3], excludes: [p.code] } });
		assert.equal(early.status, 422, `P's version in force in ${month(1)} names Q: ${early.text}`);
		assert.match(early.body.error.message, /already excludes this one/);
		const fine = await centre.post(`/api/v1/policies/${q.id}/versions`, { effective_from: `${month(2)}-01`, amount_cents: 100, rule: { disability_grades: [3], excludes: [p.code] } });
		assert.equal(fine.status, 201, fine.text);
		// and the other way: P may not name Q again from month 3 (Q names P then)
		const back = await centre.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${month(3)}-01`, amount_cents: 100, rule: { disability_grades: [3], excludes: [q.code] } });
		assert.equal(back.status, 422, back.text);
	});

	test('a gap checked, closed by a receipt and open again is a new gap: the old check does not stand for it', async () => {
		const p = await policy();
		const c = await child({ disability_grade: 3, disability_type: 'physical' });
		const row = async (query = '') => rowOf(await list(station, `group=gap&policy=${p.id}${query}`), c.id);
		const checked = await station.post(`/api/v1/children/${c.id}/entitlements/${p.id}/checks`, { finding: 'applied', note: '已申请' });
		assert.equal(checked.status, 201, checked.text);
		assert.equal((await row()).check.finding, 'applied');
		// checked a day before the township recorded the receipt
		await sql(srv.db, `UPDATE entitlement_gap_checks SET created_at = created_at - 86400 WHERE id = ${checked.body.id}`);
		const rec = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);
		assert.equal(await row(), undefined, 'received: no gap');
		const end = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '登记有误' });
		assert.equal(end.status, 200, end.text);

		// the gap is open again, and not checked yet: the township's queue has it
		const again = await row();
		assert.ok(again, 'a gap again');
		assert.equal(again.check, null, 'the check of the gap the receipt closed is not this one\'s');
		assert.ok(await row('&check=none'), 'in the queue of gaps not checked');
		assert.equal(await row('&check=applied'), undefined);
		const counts = (await list(station, `group=gap&policy=${p.id}`)).counts;
		assert.equal(counts.checks.applied, 0);
		assert.equal(counts.checks.none, counts.gap);
		const sheet = await centre.get(`/api/v1/entitlements?group=gap&policy=${p.id}&format=csv`);
		assert.equal(sheet.status, 200);
		assert.doesNotMatch(sheet.text, /已申请/, 'nor in the file');
		// a check of the new gap counts
		assert.equal((await station.post(`/api/v1/children/${c.id}/entitlements/${p.id}/checks`, { finding: 'declined' })).status, 201);
		assert.equal((await row()).check.finding, 'declined');
	});

	test('a gap checked, closed because the child is no longer entitled and open again is a new gap: the old check does not stand for it', async () => {
		const p = await policy();
		const c = await child({ disability_grade: 3, disability_type: 'physical' });
		const row = async (query = '') => rowOf(await list(station, `group=gap&policy=${p.id}${query}`), c.id);
		const sweep = async () => {
			const r = await cli(srv.db, ['recompute']);
			assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
		};
		const grade = async (disability_grade) => {
			const cur = await director.get(`/api/v1/children/${c.id}`);
			const r = await director.patch(`/api/v1/children/${c.id}`, { version: cur.body.version, disability_grade, disability_type: disability_grade ? 'physical' : null });
			assert.equal(r.status, 200, r.text);
		};
		const checked = await station.post(`/api/v1/children/${c.id}/entitlements/${p.id}/checks`, { finding: 'applied', note: '已申请' });
		assert.equal(checked.status, 201, checked.text);
		assert.equal((await row()).check.finding, 'applied');
		// checked a day before what follows (times are in seconds): the gap recorded as told from then
		await sql(srv.db, `UPDATE entitlement_gap_checks SET created_at = created_at - 86400 WHERE id = ${checked.body.id}`);
		await sql(srv.db, `UPDATE entitlement_gaps SET found_at = found_at - 86400 WHERE child_id = ${c.id} AND policy_id = ${p.id}`);
		assert.equal((await row()).check.finding, 'applied');
		// the daily matching, run after the check, keeps the check of a gap still open
		await sweep();
		assert.equal((await row()).check.finding, 'applied', 'checked before the daily matching first told it: still its check');

		// the child's grade is corrected: no longer entitled, the gap closes (the daily matching finds it closed)
		await grade(0);
		assert.equal(await row(), undefined, 'no longer entitled: no gap');
		await sweep();
		// reassessed: entitled again, the gap is open again and not checked yet
		await grade(3);
		for (const when of ['before the daily matching', 'after it']) {
			const again = await row();
			assert.ok(again, `a gap again (${when})`);
			assert.equal(again.check, null, `the check of the gap that closed is not this one's (${when})`);
			assert.ok(await row('&check=none'), `in the queue of gaps not checked (${when})`);
			assert.equal(await row('&check=applied'), undefined);
			const sheet = await centre.get(`/api/v1/entitlements?group=gap&policy=${p.id}&format=csv`);
			assert.equal(sheet.status, 200);
			assert.doesNotMatch(sheet.text, /已申请/, `nor in the file (${when})`);
			await sweep();
		}
		// a check of the new gap counts, and stays through the daily matching
		assert.equal((await station.post(`/api/v1/children/${c.id}/entitlements/${p.id}/checks`, { finding: 'declined' })).status, 201);
		assert.equal((await row()).check.finding, 'declined');
		await sweep();
		assert.equal((await row()).check.finding, 'declined');
	});

	test('a receipt from a past month follows the exclusions of the version in force then: not over months the child received a policy it then excluded', async () => {
		const y = await policy();
		const x = await policy({ rule: { disability_grades: [3], age_max: 5, excludes: [y.code] } });
		const v2 = await centre.post(`/api/v1/policies/${x.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 50000, rule: { disability_grades: [3], age_max: 5 } });
		assert.equal(v2.status, 201, v2.text);
		// history: Y in force since 4 months; X since 4 months naming Y, and from this month a version that does not
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(-4)}-01' WHERE policy_id = ${y.id}`);
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(-4)}-01' WHERE id = ${x.current.id}`);
		// (the answer is the policy: its coming version is found among its versions)
		const v2id = v2.body.versions.find((v) => v.effective_from === `${month(1)}-01`).id;
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(0)}-01' WHERE id = ${v2id}`);
		const c = await child({ disability_grade: 3, disability_type: 'physical' });
		const ry = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: y.id, from_month: month(-4) });
		assert.equal(ry.status, 201, ry.text);
		const end = await station.post(`/api/v1/entitlements/${ry.body.id}/end`, { reason: '改领其他政策', last_month: month(-2) });
		assert.equal(end.status, 200, end.text);

		// X from month -3: Y was paid in months -3 and -2, when X's version said not with Y
		const early = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: x.id, from_month: month(-3) });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.field, 'from_month');
		assert.match(early.body.error.message, new RegExp(`${month(-2)}.*${y.name}.*${month(-1)}`));
		assert.equal((await station.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts.filter((r) => r.policy_id === x.id).length, 0, 'nothing written');
		// from month -1 on the months do not meet; today's version does not exclude Y at all
		const ok = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: x.id, from_month: month(-1) });
		assert.equal(ok.status, 201, ok.text);
		// the other way: Y again from month -1 (X's version then named Y; today's does not)
		const again = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: y.id, from_month: month(0) });
		assert.equal(again.status, 201, `today's version of X does not name Y: ${again.text}`);
	});

	// (last: it restarts the server on the upgraded database)
	test('checks made before the upgrade to schema 44 still read as the checks of their open gaps', async () => {
		const p = await policy();
		const [a, b] = [await child({ disability_grade: 3, disability_type: 'physical' }), await child({ disability_grade: 3, disability_type: 'physical' })];
		for (const [c, finding] of [[a, 'applied'], [b, 'declined']]) {
			const r = await station.post(`/api/v1/children/${c.id}/entitlements/${p.id}/checks`, { finding });
			assert.equal(r.status, 201, r.text);
		}
		// as an older version left them: a gap told by the daily matching after its check, a gap checked and not told yet
		await sql(srv.db, `UPDATE entitlement_gaps SET found_at = found_at + 3600 WHERE child_id = ${a.id} AND policy_id = ${p.id}`);
		await sql(srv.db, `DELETE FROM entitlement_gaps WHERE child_id = ${b.id} AND policy_id = ${p.id}`);
		const checks = async (client) => {
			const body = await list(client, `group=gap&policy=${p.id}`);
			return [a, b].map((c) => rowOf(body, c.id)?.check?.finding ?? null);
		};
		assert.deepEqual(await checks(station), [null, null], 'unread without the upgrade');

		await srv.stop({ keep: true });
		srv = await migratedFrom(srv.db, 43);
		station = await srv.login('station');
		assert.deepEqual(await checks(station), ['applied', 'declined'], 'each check reads as before the upgrade');
		// and the daily matching keeps them: the gaps are open
		const r = await cli(srv.db, ['recompute']);
		assert.equal(r.code, 0, r.stderr);
		assert.deepEqual(await checks(station), ['applied', 'declined']);
	});
});
