// Entitlements (应享尽享, SPEC §6): the centre keeps the county's benefit
// policies, each with versions in force from a month (a raised standard is
// a new version, never an edit); every child of the caller's scope is
// matched against every policy in force whenever it is asked — entitled
// but not receiving (gap), receiving and entitled, receiving but no longer
// entitled (to stop); townships record that a child receives a benefit and
// end it; the monthly ledger pays each receipt at the version in force in
// that month. Every refusal names its field and writes nothing; every list
// of children is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, cli, sql } from './lib/harness.mjs';
import { unitIds } from './lib/loop.mjs';
import { bornYearsBefore, csvObjects, download } from './lib/registry.mjs';
import { sheetRows } from './lib/xlsx.mjs';
import { chinaDate } from './lib/idnum.mjs';

const OWN = '370831001001'; // director's village
const OTHER = '370831101201'; // director2's village, another township
const pad = (n) => String(n).padStart(2, '0');
// the month n months from this one in China, 'YYYY-MM'
const month = (n = 0) => {
	const { y, m } = chinaDate();
	const i = y * 12 + (m - 1) + n;
	return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
};
let codes = 0;
const code = () => `t${Date.now().toString(36)}_${++codes}`;

describeEachDriver('entitlements', (driver) => {
	let srv, centre, station, director, director2, department, auditor, units;

	const child = async (extra = {}) => {
		const r = await director.post('/api/v1/children', {
			name: uniqueName('享受'),
			sex: 'M',
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
			amount_cents: 80000,
			rule: { disability_grades: [1, 2], age_max: 6 },
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
	// a policy in force for a year already: the API starts none in the past,
	// and a receipt starts no earlier than its policy
	const inForceSince = (p, n = -12) => sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(n)}-01' WHERE policy_id = ${p.id}`);
	const mine = async (client, id) => {
		const r = await client.get(`/api/v1/children/${id}/entitlements`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};

	before(async () => {
		srv = await startServer(driver);
		[centre, station, director, director2, department, auditor] = await Promise.all(
			['center', 'station', 'director', 'director2', 'department', 'auditor'].map((u) => srv.login(u)),
		);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	test('the demo county has its usual policies, and every role may read them', async () => {
		for (const client of [centre, director, department, auditor]) {
			const r = await client.get('/api/v1/policies');
			assert.equal(r.status, 200, r.text);
			const orphan = r.body.items.find((p) => p.code === 'orphan_allowance');
			assert.ok(orphan, 'the orphans\' basic living allowance');
			assert.equal(orphan.benefit, 'monthly_allowance');
			assert.equal(orphan.versions.length, 2, 'the 2026 raise is a second version');
			assert.equal(orphan.current.amount_cents, 165000);
			assert.equal(orphan.versions[1].amount_cents, 150000, 'the old standard is kept');
			assert.deepEqual(orphan.current.rule, { categories: ['orphan'] });
		}
	});

	test('a policy and its versions: a new standard starts from a coming month, history is never edited', async () => {
		const p = await policy({ rule: { categories: ['orphan', 'in_difficulty'], age_min: 6, age_max: 15, hukou_type: 'rural' }, note: '县级标准' });
		assert.equal(p.department_name.includes('民政'), true, p.department_name);
		assert.equal(p.current.effective_from, `${month(0)}-01`);
		assert.deepEqual(p.current.rule, { categories: ['orphan', 'in_difficulty'], age_min: 6, age_max: 15, hukou_type: 'rural' });
		assert.equal(p.current.note, '县级标准');

		const v2 = await centre.post(`/api/v1/policies/${p.id}/versions`, {
			effective_from: `${month(1)}-01`,
			amount_cents: 88000,
			rule: { categories: ['orphan', 'in_difficulty'], age_min: 6, age_max: 17 },
			note: '标准提高10%',
		});
		assert.equal(v2.status, 201, v2.text);
		assert.equal(v2.body.versions.length, 2);
		assert.equal(v2.body.versions[0].amount_cents, 88000, 'newest first');
		assert.equal(v2.body.current.amount_cents, 80000, 'this month the first version is in force');

		const refusals = [
			[{ effective_from: `${month(1)}-01` }, 'effective_from'], // not later than the newest
			[{ effective_from: `${month(-1)}-01` }, 'effective_from'], // a month gone by
			[{ effective_from: `${month(2)}-15` }, 'effective_from'], // not the first of a month
			[{ amount_cents: -1 }, 'amount_cents'],
			[{ rule: { age_min: 20 } }, 'rule.age_min'],
			[{ rule: { age_min: 10, age_max: 3 } }, 'rule.age_max'],
			[{ rule: { categories: ['orphan', 'poor'] } }, 'rule.categories[1]'],
			[{ rule: { categories: [] } }, 'rule.categories'], // not "anyone": say nothing instead
			[{ rule: { disability_grades: [0] } }, 'rule.disability_grades[0]'],
			[{ rule: { hukou_type: 'foreign' } }, 'rule.hukou_type'],
			[{ rule: { family_poverty: 'yes' } }, 'rule.family_poverty'],
			[{ rule: { income: 100 } }, 'rule.income'],
			[{ colour: 'red' }, 'colour'],
		];
		for (const [body, field] of refusals) {
			const r = await centre.post(`/api/v1/policies/${p.id}/versions`, {
				effective_from: `${month(2)}-01`,
				amount_cents: 90000,
				rule: {},
				...body,
			});
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const again = await centre.get(`/api/v1/policies/${p.id}`);
		assert.equal(again.body.versions.length, 2, 'no refusal wrote a version');

		// only the centre sets policies
		for (const client of [station, director, department]) {
			const r = await client.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${month(2)}-01`, amount_cents: 1, rule: {} });
			assert.equal(r.status, 403, r.text);
		}
		const dup = await centre.post('/api/v1/policies', {
			code: p.code,
			name: '重复',
			department_id: units.civil_affairs,
			benefit: 'one_off_aid',
			effective_from: `${month(0)}-01`,
			amount_cents: 1,
			rule: {},
		});
		assert.equal(dup.status, 409, dup.text);
		assert.equal(dup.body.error.field, 'code');
		const newOnes = [
			[{ code: 'Bad Code' }, 'code'],
			[{ name: '' }, 'name'],
			[{ department_id: units.county_charity ?? 999999 }, 'department_id'],
			[{ benefit: 'cash' }, 'benefit'],
			[{ effective_from: 'soon' }, 'effective_from'],
		];
		for (const [body, field] of newOnes) {
			const r = await centre.post('/api/v1/policies', {
				code: code(),
				name: '新政策',
				department_id: units.civil_affairs,
				benefit: 'one_off_aid',
				effective_from: `${month(0)}-01`,
				amount_cents: 1,
				rule: {},
				...body,
			});
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await centre.get('/api/v1/policies/999999')).status, 404);
	});

	test('a child entitled but not receiving is a gap; once recorded it is received; when its facts change it is to stop; ended it leaves the lists', async () => {
		const p = await policy();
		const c = await child({ disability_grade: 2, disability_type: 'physical' });
		const other = await child({ disability_grade: 0 });

		let gap = await list(station, `group=gap&policy=${p.id}`);
		assert.ok(rowOf(gap, c.id), 'a disabled child of four is entitled');
		assert.equal(rowOf(gap, other.id), undefined, 'a child without disability is not');
		const row = rowOf(gap, c.id);
		assert.equal(row.policy_id, p.id);
		assert.equal(row.amount_cents, 80000);
		assert.equal(row.receipt_id, null);
		assert.equal(row.village_code, OWN);
		assert.ok(row.village_name);
		assert.equal(gap.counts.gap, gap.total);
		assert.ok(gap.policies.some((x) => x.policy_id === p.id && x.gap >= 1));

		// the child director sees the gap of the own village, director2 not
		assert.ok(rowOf(await list(director, `group=gap&policy=${p.id}`), c.id));
		assert.equal(rowOf(await list(director2, `group=gap&policy=${p.id}`), c.id), undefined);
		let own = await mine(director, c.id);
		const item = own.items.find((i) => i.policy_id === p.id);
		assert.equal(item.group, 'gap');
		assert.equal(item.eligible, true);

		// the township records that the child receives it
		const rec = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);
		assert.equal(rec.body.from_month, month(0));
		assert.equal(rec.body.to_month, null);
		gap = await list(station, `group=gap&policy=${p.id}`);
		assert.equal(rowOf(gap, c.id), undefined, 'no longer a gap');
		const receiving = await list(station, `group=receiving&policy=${p.id}`);
		assert.equal(rowOf(receiving, c.id).receipt_id, rec.body.id);
		assert.equal(rowOf(receiving, c.id).from_month, month(0));

		// the child's facts change: the next matching says to stop, and why
		const before = await director.get(`/api/v1/children/${c.id}`);
		const upd = await director.patch(`/api/v1/children/${c.id}`, { version: before.body.version, disability_grade: 0 });
		assert.equal(upd.status, 200, upd.text);
		const stop = await list(station, `group=stop&policy=${p.id}`);
		assert.deepEqual(rowOf(stop, c.id).unmet, ['disability']);
		own = await mine(station, c.id);
		assert.equal(own.items.find((i) => i.policy_id === p.id).group, 'stop');
		assert.deepEqual(own.items.find((i) => i.policy_id === p.id).unmet, ['disability']);

		// ended from this month, with the reason
		const noReason = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: ' ' });
		assert.equal(noReason.status, 422);
		assert.equal(noReason.body.error.field, 'reason');
		const early = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '残疾等级复核', last_month: month(-1) });
		assert.equal(early.status, 422);
		assert.equal(early.body.error.field, 'last_month');
		const end = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '残疾等级复核后不再符合' });
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.to_month, month(0));
		assert.equal(end.body.end_reason, '残疾等级复核后不再符合');
		const ended = (await auditor.get(`/api/v1/audit?action=entitlement.end&object_id=${c.id}`)).body.items.filter((e) => e.outcome === 'ok');
		assert.equal(ended.length, 1);
		assert.equal(JSON.parse(ended[0].detail).reason, '残疾等级复核后不再符合', 'the auditor reads why');
		const twice = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '再次' });
		assert.equal(twice.status, 409);
		assert.equal(rowOf(await list(station, `group=stop&policy=${p.id}`), c.id), undefined);
		own = await mine(station, c.id);
		assert.equal(own.items.find((i) => i.policy_id === p.id).group, 'none');
		assert.equal(own.receipts.find((x) => x.id === rec.body.id).to_month, month(0), 'the history keeps the receipt');
	});

	test('a month is never paid twice; a stop takes effect from the next month; a version not yet in force is withdrawn, one in force never', async () => {
		const p = await policy();
		await inForceSince(p);
		const c = await child({ disability_grade: 2, disability_type: 'physical' });
		const rec = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(-3) });
		assert.equal(rec.status, 201, rec.text);
		// the last month paid is this one at the latest
		const late = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '家庭迁出', last_month: month(1) });
		assert.equal(late.status, 422, late.text);
		assert.equal(late.body.error.field, 'last_month');
		const end = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '家庭迁出', last_month: month(-1) });
		assert.equal(end.status, 200, end.text);
		// recorded again: not from a month the ended receipt paid
		for (const from of [month(-2), month(-1)]) {
			const again = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: from });
			assert.equal(again.status, 422, `${from}: ${again.text}`);
			assert.equal(again.body.error.field, 'from_month');
			assert.match(again.body.error.message, new RegExp(month(-1)));
		}
		const again = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(again.status, 201, again.text);
		const receipts = (await centre.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts.filter((x) => x.policy_id === p.id);
		assert.equal(receipts.length, 2, 'the refusals wrote nothing');

		// a new version starts in a coming month, at most 24 months ahead
		for (const from of [month(0), month(25)]) {
			const r = await centre.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${from}-01`, amount_cents: 88000, rule: {} });
			assert.equal(r.status, 422, `${from}: ${r.text}`);
			assert.equal(r.body.error.field, 'effective_from');
		}
		const typo = await centre.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${month(24)}-01`, amount_cents: 8800, rule: {} });
		assert.equal(typo.status, 201, typo.text);
		const vid = typo.body.versions[0].id;
		assert.equal(typo.body.versions[0].effective_from, `${month(24)}-01`);
		// withdrawn by the centre only; the one in force stays
		assert.equal((await station.del(`/api/v1/policies/${p.id}/versions/${vid}`)).status, 403);
		const inForce = await centre.del(`/api/v1/policies/${p.id}/versions/${p.current.id}`);
		assert.equal(inForce.status, 409, inForce.text);
		const gone = await centre.del(`/api/v1/policies/${p.id}/versions/${vid}`);
		assert.equal(gone.status, 200, gone.text);
		assert.deepEqual(gone.body.versions.map((v) => v.id), [p.current.id]);
		assert.equal((await centre.del(`/api/v1/policies/${p.id}/versions/${vid}`)).status, 404);
		const raise = await centre.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 88000, rule: {} });
		assert.equal(raise.status, 201, 'the real raise goes in once the typo is gone');
		// a policy keeps one version
		const later = await policy({ effective_from: `${month(1)}-01` });
		const only = await centre.del(`/api/v1/policies/${later.id}/versions/${later.versions[0].id}`);
		assert.equal(only.status, 409, only.text);
		const logged = (await auditor.get('/api/v1/audit?action=policy.version_withdraw&limit=1')).body.items[0];
		assert.equal(logged.object_id, p.code);
		assert.equal(JSON.parse(logged.detail).effective_from, `${month(24)}-01`);
	});

	test('a policy stops (停止执行) from a coming month: then it pays nothing, entitles nobody, and whoever still receives it is to stop; the end is withdrawn until it is in force', async () => {
		const p = await policy();
		const a = await child({ disability_grade: 2, disability_type: 'physical' });
		const b = await child({ disability_grade: 1, disability_type: 'physical' });
		const rec = await station.post(`/api/v1/children/${a.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);
		const stop = (body) => centre.post(`/api/v1/policies/${p.id}/end`, body);
		// refused: the wrong role, no reason, a month in force or malformed, an unknown field
		assert.equal((await station.post(`/api/v1/policies/${p.id}/end`, { from_month: month(1), reason: '到期' })).status, 403);
		for (const [body, field] of [
			[{ from_month: month(1) }, 'reason'],
			[{ from_month: month(1), reason: '   ' }, 'reason'],
			[{ from_month: month(0), reason: '到期' }, 'from_month'],
			[{ from_month: month(25), reason: '到期' }, 'from_month'],
			[{ from_month: '2027-13', reason: '到期' }, 'from_month'],
			[{ from_month: month(1), reason: '到期', amount_cents: 0 }, 'amount_cents'],
		]) {
			const r = await stop(body);
			assert.equal(r.status, 422, JSON.stringify(body));
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await centre.get(`/api/v1/policies/${p.id}`)).body.versions.length, 1, 'the refusals wrote nothing');

		const end = await stop({ from_month: month(1), reason: '政策到期，由新政策替代' });
		assert.equal(end.status, 201, end.text);
		assert.equal(end.body.ends_from, month(1));
		assert.equal(end.body.ended, false, 'not yet in force');
		assert.equal(end.body.versions[0].ends, true);
		assert.equal(end.body.versions[0].note, '政策到期，由新政策替代');
		assert.equal(end.body.current.amount_cents, 80000, 'it pays as before this month');
		// nothing after an end: no version, no second end, no receipt from that month
		const ver = await centre.post(`/api/v1/policies/${p.id}/versions`, { effective_from: `${month(2)}-01`, amount_cents: 9000, rule: {} });
		assert.equal(ver.status, 409, ver.text);
		assert.equal(ver.body.error.code, 'policy_ended');
		assert.equal((await stop({ from_month: month(2), reason: '再次' })).status, 409);
		const late = await station.post(`/api/v1/children/${b.id}/entitlements`, { policy_id: p.id, from_month: month(1) });
		assert.equal(late.status, 422, late.text);
		assert.equal(late.body.error.field, 'from_month');
		assert.match(late.body.error.message, new RegExp(`stops from ${month(1)}`));
		// this month it still entitles and pays
		assert.equal(rowOf(await list(station, `group=receiving&policy=${p.id}`), a.id)?.child_id, a.id);
		assert.ok(rowOf(await list(station, `group=gap&policy=${p.id}`), b.id));
		// withdrawn while it is coming, then decided again
		const gone = await centre.del(`/api/v1/policies/${p.id}/versions/${end.body.versions[0].id}`);
		assert.equal(gone.status, 200, gone.text);
		assert.equal(gone.body.ends_from, null);
		const again = await stop({ from_month: month(1), reason: '政策到期' });
		assert.equal(again.status, 201, again.text);
		const logged = (await auditor.get(`/api/v1/audit?action=policy.end&object_id=${p.code}`)).body.items;
		assert.equal(logged.length, 2);
		assert.equal(JSON.parse(logged[0].detail).effective_from, `${month(1)}-01`);

		// the end comes into force (moved to this month, the policy to two months back)
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(-2)}-01' WHERE policy_id = ${p.id} AND ends = 0`);
		await sql(srv.db, `UPDATE policy_versions SET effective_from = '${month(0)}-01' WHERE policy_id = ${p.id} AND ends = 1`);
		await sql(srv.db, `UPDATE benefit_receipts SET from_month = '${month(-1)}' WHERE id = ${rec.body.id}`);
		const now = (await centre.get(`/api/v1/policies/${p.id}`)).body;
		assert.equal(now.ended, true);
		assert.equal(now.ends_from, month(0));
		assert.equal(now.current.amount_cents, 80000, 'the standard it last paid');
		const toStop = rowOf(await list(station, `group=stop&policy=${p.id}`), a.id);
		assert.ok(toStop, 'still receiving: to stop');
		assert.deepEqual(toStop.unmet, ['ended']);
		const all = await list(station, `group=gap&policy=${p.id}`);
		assert.equal(all.counts.gap, 0, 'nobody is entitled any more');
		assert.equal(all.counts.receiving, 0);
		assert.equal(all.policies.find((x) => x.policy_id === p.id).ended, true);
		const aPage = (await mine(station, a.id)).items.find((i) => i.policy_id === p.id);
		assert.equal(aPage.group, 'stop');
		assert.equal((await mine(station, b.id)).items.find((i) => i.policy_id === p.id), undefined, 'a stopped policy is not offered');
		const refused = await station.post(`/api/v1/children/${b.id}/entitlements`, { policy_id: p.id, from_month: month(-1) });
		assert.equal(refused.status, 422, refused.text);
		// the ledger: last month paid, this month and the next not
		const paid = async (m) => (await centre.get(`/api/v1/entitlements/ledger?month=${m}&policy=${p.id}`)).body.items.filter((i) => i.child_id === a.id).length;
		assert.equal(await paid(month(-1)), 1);
		assert.equal(await paid(month(0)), 0);
		assert.equal(await paid(month(1)), 0);
		// the end in force is history: not withdrawn
		assert.equal((await centre.del(`/api/v1/policies/${p.id}/versions/${now.versions[0].id}`)).status, 409);
		// stopping the receipt clears the list
		const ended = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '政策停止执行', last_month: month(-1) });
		assert.equal(ended.status, 200, ended.text);
		assert.equal(rowOf(await list(station, `group=stop&policy=${p.id}`), a.id), undefined);
	});

	test('a benefit for a category is not back-dated to before the child was in it', async () => {
		const p = await policy({ rule: { categories: ['left_behind'] } });
		await inForceSince(p);
		const c = await child({ hukou_type: 'rural', guardians: [{ relation: 'father', name: '父', status: 'working_away' }, { relation: 'mother', name: '母', status: 'working_away' }] });
		const confirm = await station.post(`/api/v1/children/${c.id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'HS-1', start_date: `${month(-2)}-15` });
		assert.equal(confirm.status, 200, confirm.text);
		const early = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(-3) });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.field, 'from_month');
		assert.match(early.body.error.message, new RegExp(`may not be before ${month(-2)}`));
		const ok = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(-2) });
		assert.equal(ok.status, 201, ok.text);
	});

	test('an orphan adopted (the category awaits review with a proposed end) is no longer entitled: no gap, a receipt is to stop, a new one is refused; kept, it counts again', async () => {
		const p = await policy({ rule: { categories: ['orphan'] } });
		const orphan = async () => {
			const c = await child({ guardians: [{ relation: 'father', name: '父', status: 'deceased' }, { relation: 'mother', name: '母', status: 'deceased' }] });
			const r = await station.post(`/api/v1/children/${c.id}/categories/orphan`, { action: 'confirm', evidence_type: 'death_certificate', evidence_ref: 'DC-1', start_date: `${month(-2)}-01` });
			assert.equal(r.status, 200, r.text);
			return c;
		};
		const adopt = async (c) => {
			const cur = await director.get(`/api/v1/children/${c.id}`);
			const r = await director.patch(`/api/v1/children/${c.id}`, { version: cur.body.version, adopted: true });
			assert.equal(r.status, 200, r.text);
			const k = r.body.categories.find((x) => x.category === 'orphan' && x.state === 'confirmed');
			assert.equal(k.needs_review, true, JSON.stringify(r.body.categories));
			assert.equal(k.end_reason, 'adopted');
		};
		const a = await orphan();
		const b = await orphan();
		assert.ok(rowOf(await list(station, `group=gap&policy=${p.id}`), a.id), 'an orphan is entitled');
		const rec = await station.post(`/api/v1/children/${b.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);

		await adopt(a);
		await adopt(b);
		assert.equal(rowOf(await list(station, `group=gap&policy=${p.id}`), a.id), undefined, 'adopted: no longer a gap');
		let own = (await mine(station, a.id)).items.find((i) => i.policy_id === p.id);
		assert.equal(own.eligible, false);
		assert.deepEqual(own.unmet, ['category']);
		const stop = rowOf(await list(station, `group=stop&policy=${p.id}`), b.id);
		assert.ok(stop, 'receiving but no longer entitled: to stop');
		assert.deepEqual(stop.unmet, ['category']);
		assert.equal((await mine(station, b.id)).items.find((i) => i.policy_id === p.id).group, 'stop');

		const refused = await station.post(`/api/v1/children/${a.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(refused.status, 422, refused.text);
		assert.equal(refused.body.error.field, 'policy_id');
		assert.match(refused.body.error.message, /orphan category awaits review.*adopted/);
		const none = await station.get(`/api/v1/children/${a.id}/entitlements`);
		assert.equal(none.body.receipts.length, 0, 'nothing written');

		// the reviewer keeps the category (the adoption was recorded in error): it counts again
		const keep = await station.post(`/api/v1/children/${a.id}/categories/orphan`, { action: 'keep' });
		assert.equal(keep.status, 200, keep.text);
		assert.ok(rowOf(await list(station, `group=gap&policy=${p.id}`), a.id), 'kept: entitled again');
		own = (await mine(station, a.id)).items.find((i) => i.policy_id === p.id);
		assert.equal(own.eligible, true);
	});

	test('a policy that may not be had with another (不得同时享受): a child receiving that one is not entitled to it, and receiving both is to stop it', async () => {
		const a = await policy();
		const b = await policy({ rule: { disability_grades: [1, 2], age_max: 6, excludes: [a.code] } });
		assert.deepEqual(b.current.rule.excludes, [a.code]);
		// refused: an unknown policy, itself, and the other side of the same pair
		const unknown = await centre.post('/api/v1/policies', { code: code(), name: uniqueName('政策'), department_id: units.civil_affairs, benefit: 'monthly_allowance', effective_from: `${month(0)}-01`, amount_cents: 100, rule: { excludes: ['no_such_policy'] } });
		assert.equal(unknown.status, 422, unknown.text);
		assert.equal(unknown.body.error.field, 'rule.excludes[0]');
		const self = await centre.post(`/api/v1/policies/${b.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 100, rule: { excludes: [b.code] } });
		assert.equal(self.status, 422, self.text);
		assert.equal(self.body.error.field, 'rule.excludes[0]');
		const mutual = await centre.post(`/api/v1/policies/${a.id}/versions`, { effective_from: `${month(1)}-01`, amount_cents: 100, rule: { excludes: [b.code] } });
		assert.equal(mutual.status, 422, mutual.text);
		assert.match(mutual.body.error.message, /one side only/);

		const both = await child({ disability_grade: 2, disability_type: 'physical' });
		const onlyB = await child({ disability_grade: 1, disability_type: 'physical' });
		// entitled to both while receiving neither: one gap, under the one B gives way to
		assert.ok(rowOf(await list(station, `group=gap&policy=${a.id}`), both.id));
		assert.equal(rowOf(await list(station, `group=gap&policy=${b.id}`), both.id), undefined);
		const ra = await station.post(`/api/v1/children/${both.id}/entitlements`, { policy_id: a.id, from_month: month(0) });
		assert.equal(ra.status, 201, ra.text);
		// receiving A: B is no gap any more, and cannot be recorded
		assert.equal(rowOf(await list(station, `group=gap&policy=${b.id}`), both.id), undefined);
		assert.ok(rowOf(await list(station, `group=gap&policy=${a.id}`), onlyB.id), 'another child is still entitled (to either: its gap is under A)');
		const page = (await mine(station, both.id)).items.find((i) => i.policy_id === b.id);
		assert.equal(page.eligible, false);
		assert.deepEqual(page.unmet, ['excluded']);
		assert.equal(page.excluded_by, a.name, 'the policy it is received with is named');
		const rb = await station.post(`/api/v1/children/${both.id}/entitlements`, { policy_id: b.id, from_month: month(0) });
		assert.equal(rb.status, 422, rb.text);
		assert.match(rb.body.error.message, /unmet: excluded/);
		// receiving B first: A is no gap and cannot be recorded either (the pair holds both ways)
		const c3 = await child({ disability_grade: 1, disability_type: 'physical' });
		assert.equal((await station.post(`/api/v1/children/${c3.id}/entitlements`, { policy_id: b.id, from_month: month(0) })).status, 201);
		const ra3 = await station.post(`/api/v1/children/${c3.id}/entitlements`, { policy_id: a.id, from_month: month(0) });
		assert.equal(ra3.status, 422, ra3.text);
		assert.equal(ra3.body.error.field, 'policy_id');
		assert.ok(ra3.body.error.message.includes(b.name), ra3.text);
		assert.equal(rowOf(await list(station, `group=gap&policy=${a.id}`), c3.id), undefined);
		// receiving both (recorded before the rule said so): B, whose rule names A, is to stop, A stays
		await sql(srv.db, `INSERT INTO benefit_receipts (county_code, child_id, policy_id, from_month, created_at, created_by) SELECT county_code, child_id, ${a.id}, from_month, created_at, created_by FROM benefit_receipts WHERE child_id = ${c3.id} AND policy_id = ${b.id}`);
		const stop = rowOf(await list(station, `group=stop&policy=${b.id}`), c3.id);
		assert.ok(stop, 'the one that gives way is to stop');
		assert.deepEqual(stop.unmet, ['excluded']);
		assert.equal(stop.excluded_by, a.name);
		assert.ok(rowOf(await list(station, `group=receiving&policy=${a.id}`), c3.id));
	});

	test('a gap checked by the township: what it found is kept with the day and who, and shows on the gap list; the gap stays a gap', async () => {
		const p = await policy();
		const c = await child({ disability_grade: 2, disability_type: 'physical' });
		const check = (client, body, pid = p.id, cid = c.id) => client.post(`/api/v1/children/${cid}/entitlements/${pid}/checks`, body);
		for (const [body, field] of [
			[{ finding: 'maybe' }, 'finding'],
			[{ finding: 'other' }, 'note'],
			[{ finding: 'other', note: '  ' }, 'note'],
			[{ finding: 'applied', note: '长'.repeat(201) }, 'note'],
			[{ finding: 'applied', colour: 'red' }, 'colour'],
		]) {
			const r = await check(station, body);
			assert.equal(r.status, 422, JSON.stringify(body));
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await check(director, { finding: 'applied' })).status, 403, 'the township checks, not the village');
		assert.equal((await check(station, { finding: 'applied' }, 999999)).status, 404);
		const ok = await check(station, { finding: 'applied', note: '已递交材料，民政局审批中' });
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.body.finding, 'applied');
		const gap = await list(station, `group=gap&policy=${p.id}`);
		const row = rowOf(gap, c.id);
		assert.ok(row, 'still a gap');
		assert.equal(row.check.finding, 'applied');
		assert.equal(row.check.note, '已递交材料，民政局审批中');
		assert.ok(row.check.by.length > 0 && row.check.at > 0);
		// a later check replaces what the list shows
		assert.equal((await check(centre, { finding: 'declined', note: '监护人表示暂不申请' })).status, 201);
		assert.equal(rowOf(await list(station, `group=gap&policy=${p.id}`), c.id).check.finding, 'declined');
		// recorded as received, it is no gap to check
		const rec = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);
		assert.equal((await check(station, { finding: 'applied' })).status, 409);
		const logged = (await auditor.get(`/api/v1/audit?action=entitlement.check&object_id=${c.id}`)).body.items;
		assert.equal(logged.filter((e) => e.outcome === 'ok').length, 2);
		// the village's refused try is in the log too
		assert.deepEqual(logged.filter((e) => e.outcome === 'denied').map((e) => e.username), ['director']);

		// a long page: every checked gap carries its own newest check (the checks are read 40 children a query)
		const wide = await policy({ rule: { age_max: 17 } });
		const page = (await list(centre, `group=gap&policy=${wide.id}`)).items.slice(0, 45);
		assert.equal(page.length, 45, 'enough gaps for two rounds of reading');
		for (const [i, it] of page.entries()) {
			const r = await check(centre, { finding: i % 2 ? 'elsewhere' : 'other', note: `核实 ${i}` }, wide.id, it.child_id);
			assert.equal(r.status, 201, r.text);
		}
		const after = await list(centre, `group=gap&policy=${wide.id}`);
		for (const [i, it] of page.entries()) {
			const row = rowOf(after, it.child_id);
			assert.equal(row.check?.note, `核实 ${i}`, `child ${it.child_id}`);
			assert.equal(row.check.finding, i % 2 ? 'elsewhere' : 'other');
		}
		assert.ok(after.items.some((it) => it.check === null), 'a gap never checked says so');

		// the gaps told by what was found: the township's queue is those never checked
		const checks = after.counts.checks;
		assert.equal(checks.elsewhere, 22);
		assert.equal(checks.other, 23);
		assert.equal(checks.applied + checks.declined, 0);
		assert.equal(checks.none, after.counts.gap - 45, 'every gap is counted once');
		const elsewhere = await list(centre, `group=gap&policy=${wide.id}&check=elsewhere`);
		assert.equal(elsewhere.check, 'elsewhere');
		assert.equal(elsewhere.total, 22);
		assert.deepEqual(
			elsewhere.items.map((it) => it.child_id).sort(),
			page.filter((_, i) => i % 2).map((it) => it.child_id).sort(),
		);
		assert.equal(elsewhere.counts.gap, after.counts.gap, 'the chips still count every gap');
		const unchecked = await list(centre, `group=gap&policy=${wide.id}&check=none`);
		assert.equal(unchecked.total, checks.none);
		assert.ok(unchecked.items.length > 0 && unchecked.items.every((it) => it.check === null));
		assert.ok(!unchecked.items.some((it) => page.some((pg) => pg.child_id === it.child_id)));
		// the station sees its own township's part of the same counts
		const town = await list(station, `group=gap&policy=${wide.id}`);
		const sum = Object.values(town.counts.checks).reduce((s, n) => s + n, 0);
		assert.equal(sum, town.counts.gap);
		// the file says what was found
		const csv = await centre.get(`/api/v1/entitlements?group=gap&policy=${wide.id}&check=elsewhere&format=csv&lang=en`);
		assert.equal(csv.status, 200, csv.text);
		const rows = csvObjects(csv.text.replace(/^\uFEFF/, ''));
		assert.equal(rows.length, 22);
		assert.ok(rows.every((r) => r.Checked === 'Received elsewhere'), csv.text.slice(0, 400));
		// with what the township noted, the newest check's
		for (const [i, it] of page.entries()) {
			const row = rows.find((r) => r['Child ID'] === String(it.child_id));
			if (i % 2) assert.equal(row?.['Check note'], `核实 ${i}`, `child ${it.child_id}`);
		}
		// and when and by whom, as the list says it
		for (const it of elsewhere.items) {
			const row = rows.find((r) => r['Child ID'] === String(it.child_id));
			assert.ok(it.check.by, 'the list names who checked');
			assert.equal(row['Checked by'], it.check.by);
			assert.equal(row['Checked on'], new Date((it.check.at + 8 * 3600) * 1000).toISOString().slice(0, 10));
		}
		const unRows = csvObjects((await centre.get(`/api/v1/entitlements?group=gap&policy=${wide.id}&check=none&format=csv&lang=en`)).text.replace(/^\uFEFF/, ''));
		assert.ok(unRows.length > 0 && unRows.every((r) => r['Checked on'] === '' && r['Checked by'] === ''), 'never checked: no day, nobody');
		for (const [q, why] of [
			['group=gap&check=maybe', 'an unknown finding'],
			['group=stop&check=none', 'a finding of a list that is no gap'],
		]) {
			const r = await centre.get(`/api/v1/entitlements?${q}`);
			assert.equal(r.status, 422, why);
			assert.equal(r.body.error.field, 'check', why);
		}
	});

	test('the daily notice: each township\'s station and supervisor learn how many gaps are new, once; a gap closed and opened again is new again', async () => {
		const supervisor = await srv.login('supervisor');
		const station2 = await srv.login('station02');
		// the recompute command runs the daily job's notice now
		const notice = async () => {
			const r = await cli(srv.db, ['recompute']);
			assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
			const m = r.stdout.match(/entitlement gaps: (\d+) open, (\d+) new \(told to (\d+) townships\), (\d+) closed/);
			assert.ok(m, r.stdout);
			return { open: Number(m[1]), added: Number(m[2]), townships: Number(m[3]), closed: Number(m[4]) };
		};
		const notices = async (client) => {
			const r = await client.get('/api/v1/inbox?limit=200');
			assert.equal(r.status, 200, r.text);
			return r.body.items.filter((m) => m.event === 'entitlement.gaps');
		};
		// the server's daily thread tells the gaps once it has started: wait for its run
		for (let i = 0; ; i++) {
			const runs = await auditor.get('/api/v1/audit?action=entitlement.gap_notice');
			if (runs.body.items.some((x) => x.username === 'system')) break;
			assert.ok(i < 100, 'the server\'s daily thread ran the notice');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await notice(); // whatever the server's start left
		const before = { station: (await notices(station)).length, supervisor: (await notices(supervisor)).length, station2: (await notices(station2)).length };

		// a new policy: its gaps in the township are new
		const p = await policy({ rule: { disability_grades: [1], age_max: 5 } });
		const c = await child({ disability_grade: 1, disability_type: 'physical' });
		const inTown = (await list(station, `group=gap&policy=${p.id}`)).counts.gap;
		const county = (await list(centre, `group=gap&policy=${p.id}`)).counts.gap;
		assert.ok(inTown >= 1);
		// (the new child may be entitled under the county's other policies too;
		// a gap of two policies not had together counts once)
		const others = (await mine(station, c.id)).items.filter((i) => i.group === 'gap' && !i.counted_under && i.policy_id !== p.id).length;
		const first = await notice();
		assert.equal(first.added, county + others, 'every gap of the new policy is new, and the new child\'s');
		assert.equal(first.closed, 0);
		const msgs = await notices(station);
		assert.equal(msgs.length, before.station + 1, 'one message per run, not one per child');
		assert.equal(msgs[0].items, inTown + others, 'the number of the township\'s new gaps');
		assert.equal(msgs[0].request_id, null);
		assert.equal(msgs[0].read, false);
		const sup = await notices(supervisor);
		assert.equal(sup.length, before.supervisor + 1);
		assert.equal(sup[0].items, inTown + others);
		// another township's station hears only of its own
		const town2 = (await list(station2, `group=gap&policy=${p.id}`)).counts.gap;
		assert.equal((await notices(station2)).length, before.station2 + (town2 ? 1 : 0));
		// the message names numbers only, never a child
		assert.ok(!JSON.stringify(msgs[0]).includes(c.name));

		// the next run has nothing new to tell
		const second = await notice();
		assert.equal(second.added, 0);
		assert.equal(second.open, first.open);
		assert.equal((await notices(station)).length, before.station + 1);

		// recorded: the gap is closed and forgotten
		const rec = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(rec.status, 201, rec.text);
		const third = await notice();
		assert.deepEqual([third.added, third.closed, third.open], [0, 1, first.open - 1]);
		// ended while the child is still entitled: a gap again, told again
		const end = await station.post(`/api/v1/entitlements/${rec.body.id}/end`, { reason: '监护人申请暂停' });
		assert.equal(end.status, 200, end.text);
		const fourth = await notice();
		assert.deepEqual([fourth.added, fourth.townships], [1, 1]);
		const again = await notices(station);
		assert.equal(again.length, before.station + 2);
		assert.equal(again[0].items, 1);
		// the run is audited
		const log = await auditor.get('/api/v1/audit?action=entitlement.gap_notice');
		assert.ok(log.body.items.length >= 4, 'each run is in the audit log');
	});

	test('a rule of age alone covers every child of that age, not only the focus children', async () => {
		const p = await policy({ rule: { age_max: 1 }, benefit: 'in_kind', amount_cents: 20000 });
		const baby = await child({ birth_date: bornYearsBefore(1, 30) }); // 11 months old
		const older = await child({ birth_date: bornYearsBefore(3) });
		const gap = await list(station, `group=gap&policy=${p.id}`);
		assert.ok(rowOf(gap, baby.id), 'a baby without any category or special fact is entitled');
		assert.equal(rowOf(gap, older.id), undefined);
		const own = await mine(director, older.id);
		assert.deepEqual(own.items.find((i) => i.policy_id === p.id).unmet, ['age']);
	});

	test('recording a receipt: refused with the field for a child not entitled, twice, a bad month; by role and scope', async () => {
		const p = await policy();
		await inForceSince(p);
		const c = await child({ disability_grade: 1 });
		const no = await child({ disability_grade: 0 });
		const notEntitled = await station.post(`/api/v1/children/${no.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(notEntitled.status, 422, notEntitled.text);
		assert.equal(notEntitled.body.error.field, 'policy_id');
		assert.match(notEntitled.body.error.message, /disability/);
		for (const [body, field] of [
			[{ from_month: '2026-13' }, 'from_month'],
			[{ from_month: month(-13) }, 'from_month'],
			[{ from_month: month(2) }, 'from_month'],
			[{ policy_id: 999999 }, 'policy_id'],
			[{ colour: 'red' }, 'colour'],
		]) {
			const r = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0), ...body });
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await director.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) })).status, 403);
		assert.equal((await department.get('/api/v1/entitlements')).status, 403, 'a department sees no child by default');
		assert.equal((await auditor.get(`/api/v1/children/${c.id}/entitlements`)).status, 403);
		assert.equal((await director2.get(`/api/v1/children/${c.id}/entitlements`)).status, 404, 'another village\'s child does not exist');
		assert.equal((await mine(centre, c.id)).receipts.length, 0, 'no refusal wrote a receipt');

		// a receipt from next month ended before it starts is cancelled: by
		// default its last month is the one before its first, and it pays
		// nothing, so the right months may be recorded after it
		const soon = await centre.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(1) });
		assert.equal(soon.status, 201, soon.text);
		const undo = await centre.post(`/api/v1/entitlements/${soon.body.id}/end`, { reason: '登记有误' });
		assert.equal(undo.status, 200, undo.text);
		assert.equal(undo.body.to_month, month(0));
		const ok = await centre.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(-2) });
		assert.equal(ok.status, 201, ok.text);
		const dup = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
		assert.equal(dup.status, 409, dup.text);
		assert.equal((await director2.post(`/api/v1/entitlements/${ok.body.id}/end`, { reason: 'x' })).status, 403);
		// another township's station does not see the receipt
		const otherTownship = await srv.login('station02');
		assert.equal((await otherTownship.post(`/api/v1/entitlements/${ok.body.id}/end`, { reason: 'x' })).status, 404);
		assert.equal((await mine(centre, c.id)).receipts.length, 2);
	});

	test('the monthly ledger pays each receipt at the version in force that month; one-off benefits once, yearly ones each year', async () => {
		const monthly = await policy({ amount_cents: 100000 });
		const once = await policy({ benefit: 'one_off_aid', amount_cents: 300000 });
		const yearly = await policy({ benefit: 'insurance_subsidy', amount_cents: 38000 });
		const c = await child({ disability_grade: 2 });
		for (const p of [monthly, once, yearly]) {
			const r = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
			assert.equal(r.status, 201, r.text);
		}
		const raise = await centre.post(`/api/v1/policies/${monthly.id}/versions`, {
			effective_from: `${month(1)}-01`,
			amount_cents: 110000,
			rule: { disability_grades: [1, 2], age_max: 6 },
		});
		assert.equal(raise.status, 201, raise.text);

		const now = await station.get(`/api/v1/entitlements/ledger?month=${month(0)}`);
		assert.equal(now.status, 200, now.text);
		const lines = now.body.items.filter((i) => i.child_id === c.id);
		assert.deepEqual(lines.map((l) => l.amount_cents).sort(), [100000, 300000, 38000]);
		assert.equal(now.body.by_policy.find((b) => b.policy_id === monthly.id).amount_cents, 100000);
		assert.equal(now.body.total_cents, now.body.items.reduce((s, i) => s + i.amount_cents, 0));
		assert.ok(now.body.by_township.some((t) => t.code === OWN.slice(0, 9)));
		// a child paid by two policies is one child and two payments
		const ids = (items) => new Set(items.map((i) => i.child_id)).size;
		assert.equal(now.body.children, ids(now.body.items));
		assert.ok(now.body.children < now.body.count, 'this child has two payments');
		for (const t of now.body.by_township) {
			const its = now.body.items.filter((i) => i.village_code.startsWith(t.code));
			assert.equal(t.payments, its.length, t.code);
			assert.equal(t.children, ids(its), t.code);
		}

		// the paying department (civil affairs) reads the totals of its own policies, nobody named
		const dept = await department.get(`/api/v1/entitlements/ledger?month=${month(0)}`);
		assert.equal(dept.status, 200, dept.text);
		assert.deepEqual(dept.body.items, []);
		assert.equal(dept.body.totals_only, true);
		const county = (await centre.get(`/api/v1/entitlements/ledger?month=${month(0)}`)).body;
		const paysOwn = (await centre.get('/api/v1/policies')).body.items.filter((x) => x.department_id === units.civil_affairs).map((x) => x.id);
		const own = county.by_policy.filter((b) => paysOwn.includes(b.policy_id));
		assert.deepEqual(dept.body.by_policy, own, 'its policies, the same sums as the centre\'s');
		assert.equal(dept.body.total_cents, own.reduce((n, b) => n + b.amount_cents, 0));
		assert.ok(dept.body.by_policy.some((b) => b.policy_id === monthly.id));
		assert.ok(!dept.text.includes(c.name), 'no child named');
		assert.equal((await department.get(`/api/v1/entitlements/ledger?format=csv`)).status, 403);

		const next = await station.get(`/api/v1/entitlements/ledger?month=${month(1)}`);
		const nextLines = next.body.items.filter((i) => i.child_id === c.id);
		assert.deepEqual(nextLines.map((l) => l.amount_cents), [110000], 'the raised standard; the one-off aid only once, the insurance subsidy not before next year');
		// the insurance subsidy comes again a year after its first month (and
		// not in the months between), the one-off aid never again
		for (const [n, want] of [[11, [110000]], [12, [110000, 38000]], [13, [110000]], [24, [110000, 38000]]]) {
			const l = await station.get(`/api/v1/entitlements/ledger?month=${month(n)}`);
			assert.equal(l.status, 200, l.text);
			assert.deepEqual(
				l.body.items.filter((i) => i.child_id === c.id).map((i) => i.amount_cents).sort((a, b) => b - a),
				want,
				`month ${n}`,
			);
		}
		const past = await station.get(`/api/v1/entitlements/ledger?month=${month(-1)}`);
		assert.equal(past.body.items.filter((i) => i.child_id === c.id).length, 0, 'nothing before the first month');

		const csv = await station.get(`/api/v1/entitlements/ledger?month=${month(0)}&format=csv&lang=en`);
		assert.equal(csv.status, 200);
		assert.match(csv.headers.get('content-disposition'), /attachment; filename="ledger-\d{6}\.csv"/);
		const rows = csvObjects(csv.text.replace(/^\uFEFF/, ''));
		const mineRows = rows.filter((r) => r['Child ID'] === String(c.id));
		assert.deepEqual(mineRows.map((r) => r['Amount (yuan)']).sort(), ['1000.00', '3000.00', '380.00']);
		assert.equal(rows.length, now.body.count);

		assert.equal((await director.get('/api/v1/entitlements/ledger')).status, 403);
		const bad = await station.get('/api/v1/entitlements/ledger?month=2026-13');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'month');
		// another township's station does not see this township's lines
		const far = await srv.login('station02');
		const r = await far.get(`/api/v1/entitlements/ledger?month=${month(0)}`);
		assert.equal(r.status, 200);
		assert.equal(r.body.items.filter((i) => i.child_id === c.id).length, 0);
	});

	test('a yearly or one-off benefit ended and started again is not paid twice within 12 months: refused with the month it may start from', async () => {
		const c = await child({ disability_grade: 2 });
		for (const benefit of ['insurance_subsidy', 'one_off_aid']) {
			const p = await policy({ benefit, amount_cents: 40000 });
			const first = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
			assert.equal(first.status, 201, first.text);
			const end = await station.post(`/api/v1/entitlements/${first.body.id}/end`, { reason: '家庭迁出', last_month: month(0) });
			assert.equal(end.status, 200, end.text);
			const again = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(1) });
			assert.equal(again.status, 422, `${benefit}: ${again.text}`);
			assert.equal(again.body.error.field, 'from_month');
			assert.match(again.body.error.message, new RegExp(`in ${month(0)}.*${month(12)} or later`), 'says from when it may start');
			// the ledger of the next month pays it no second time
			const next = await station.get(`/api/v1/entitlements/ledger?month=${month(1)}`);
			assert.equal(next.body.items.filter((i) => i.child_id === c.id && i.policy_id === p.id).length, 0, benefit);
			const receipts = (await centre.get(`/api/v1/children/${c.id}/entitlements`)).body.receipts.filter((x) => x.policy_id === p.id);
			assert.equal(receipts.length, 1, 'the refusal wrote nothing');
			// paid 12 months ago: a new start this month is the next year's
			await sql(srv.db, `UPDATE benefit_receipts SET from_month = '${month(-12)}', to_month = '${month(-12)}' WHERE id = ${first.body.id}`);
			const year = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: p.id, from_month: month(0) });
			assert.equal(year.status, 201, `${benefit}: ${year.text}`);
		}
	});

	test('the gap list as a spreadsheet, with filters; every list and every child\'s page is audited', async () => {
		const p = await policy();
		const c = await child({ disability_grade: 1 });
		const csv = await station.get(`/api/v1/entitlements?group=gap&policy=${p.id}&format=csv`);
		assert.equal(csv.status, 200, csv.text);
		assert.match(csv.headers.get('content-type'), /text\/csv/);
		const rows = csvObjects(csv.text.replace(/^\uFEFF/, ''));
		const row = rows.find((r) => r['儿童编号'] === String(c.id));
		assert.ok(row, 'the child is in the file');
		assert.equal(row['状态'], '应享未享');
		assert.equal(row['标准（元）'], '800.00');
		// the same list as a workbook, the amount a number a spreadsheet can add up
		const x = await download(station, `/api/v1/entitlements?group=gap&policy=${p.id}&format=xlsx`);
		assert.equal(x.status, 200);
		assert.match(x.headers.get('content-disposition'), /filename="gap-\d{8}\.xlsx"/);
		const sheet = sheetRows(x.bytes);
		const head = sheet[0];
		const xrow = sheet.find((r) => r[head.indexOf('儿童编号')] === c.id);
		assert.ok(xrow, 'the child is in the workbook');
		assert.equal(xrow[head.indexOf('状态')], '应享未享');
		assert.equal(xrow[head.indexOf('标准（元）')], 800);
		assert.equal(sheet.length, rows.length + 1, 'the workbook has the rows of the CSV');

		const area = await list(centre, `group=gap&policy=${p.id}&area=${OTHER.slice(0, 9)}`);
		assert.equal(rowOf(area, c.id), undefined, 'another township\'s filter leaves the child out');
		for (const [q, field] of [
			['group=all', 'group'],
			['area=12', 'area'],
			[`area=${OTHER.slice(0, 9)}`, 'area'], // another township: not "no gaps there"
			['policy=abc', 'policy'],
			['offset=-1', 'offset'],
			['format=pdf', 'format'],
		]) {
			const r = await station.get(`/api/v1/entitlements?${q}`);
			assert.equal(r.status, 422, `${q}: ${r.text}`);
			assert.equal(r.body.error.field, field, q);
		}
		const ledger = await station.get(`/api/v1/entitlements/ledger?area=${OTHER.slice(0, 9)}`);
		assert.equal(ledger.status, 422, ledger.text);
		assert.equal(ledger.body.error.field, 'area');
		await mine(director, c.id);
		const log = await auditor.get('/api/v1/audit?action=entitlement.export&limit=5');
		assert.equal(log.status, 200, log.text);
		assert.ok(log.body.items.some((e) => e.username === 'station' && /"format":"csv"/.test(e.detail ?? '')), JSON.stringify(log.body.items));
		const trail = await auditor.get(`/api/v1/audit?object_type=child&object_id=${c.id}&limit=20`);
		assert.ok(trail.body.items.some((e) => e.action === 'child.entitlements' && e.username === 'director'));
	});

	test('paging: offset and limit walk the whole group without repeats', async () => {
		const first = await station.get('/api/v1/entitlements?group=receiving&limit=7');
		assert.equal(first.status, 200);
		const total = first.body.total;
		const seen = new Set();
		for (let off = 0; off < total; off += 7) {
			const r = await station.get(`/api/v1/entitlements?group=receiving&limit=7&offset=${off}`);
			for (const i of r.body.items) {
				const key = `${i.child_id}/${i.policy_id}`;
				assert.ok(!seen.has(key), `repeated ${key}`);
				seen.add(key);
			}
		}
		assert.equal(seen.size, total);
	});
	test('the summary tables download too: the ledger by policy and by township, the list by policy; counts only, audited', async () => {
		const m = month(0);
		const csvOf = async (client, path) => {
			const r = await client.get(path);
			assert.equal(r.status, 200, `${path}: ${r.text}`);
			assert.match(r.headers.get('content-type'), /^text\/csv/);
			return csvObjects(r.text.replace(/^\uFEFF/, ''));
		};
		const county = (await centre.get(`/api/v1/entitlements/ledger?month=${m}`)).body;
		const byPolicy = await csvOf(centre, `/api/v1/entitlements/ledger?month=${m}&format=csv&table=by_policy`);
		assert.deepEqual(byPolicy.map((r) => r['政策']), county.by_policy.map((x) => x.name));
		assert.deepEqual(byPolicy.map((r) => Number(r['儿童数'])), county.by_policy.map((x) => x.children));
		assert.equal(Math.round(byPolicy.reduce((n, r) => n + Number(r['金额（元）']), 0) * 100), county.total_cents, 'the file adds up to the month\'s total');
		const byTown = await csvOf(centre, `/api/v1/entitlements/ledger?month=${m}&format=csv&table=by_township&lang=en`);
		assert.deepEqual(byTown.map((r) => r.Township), county.by_township.map((x) => x.name));
		assert.deepEqual(byTown.map((r) => Number(r.Payments)), county.by_township.map((x) => x.payments));
		const book = await download(centre, `/api/v1/entitlements/ledger?month=${m}&format=xlsx&table=by_township`);
		assert.equal(book.status, 200);
		assert.equal(sheetRows(book.bytes).length, county.by_township.length + 1);
		// the department: its totals as files, still no file of names
		const dept = (await department.get(`/api/v1/entitlements/ledger?month=${m}`)).body;
		const deptRows = await csvOf(department, `/api/v1/entitlements/ledger?month=${m}&format=csv&table=by_policy`);
		assert.deepEqual(deptRows.map((r) => r['政策']), dept.by_policy.map((x) => x.name));
		assert.equal((await department.get(`/api/v1/entitlements/ledger?month=${m}&format=csv`)).status, 403);
		for (const path of [`/api/v1/entitlements/ledger?format=csv&table=children`, `/api/v1/entitlements?format=csv&table=by_township`]) {
			const r = await centre.get(path);
			assert.equal(r.status, 422, path);
			assert.equal(r.body.error.field, 'table');
		}

		// the entitlements page's table by policy, for the township
		const page = await list(station, 'group=gap');
		const sums = await csvOf(station, '/api/v1/entitlements?format=csv&table=by_policy');
		const shown = page.policies;
		assert.deepEqual(sums.map((r) => r['政策']), shown.map((x) => x.name));
		for (const k of [['应享未享（人）', 'gap'], ['应停发（人）', 'stop'], ['正在享受（人）', 'receiving']]) {
			assert.deepEqual(sums.map((r) => Number(r[k[0]])), shown.map((x) => x[k[1]]), k[1]);
		}
		assert.ok(!/child_id|儿童姓名/.test(JSON.stringify(sums)), 'no child in it');
		const audited = (await auditor.get('/api/v1/audit?action=entitlement.ledger_export&limit=5')).body.items.map((e) => JSON.parse(e.detail));
		assert.ok(audited.some((d) => d.table === 'by_township' && d.format === 'xlsx'), JSON.stringify(audited));
	});
});
