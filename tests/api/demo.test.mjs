// The demo county's closed loop as a county's staff would read it: every
// step it made up has already happened (none after now), each request's
// deadline is the one the loop's configuration gives its step, and a
// charity's steps are taken by the charity's staff, not by a department.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, sql, startServer } from './lib/harness.mjs';

describeEachDriver('the demo county', (driver) => {
	let srv, centre, requests;

	before(async () => {
		// enough children for about a hundred requests, some through the centre
		srv = await startServer(driver, { children: 20000 });
		centre = await srv.login('center');
		requests = await centre.listAll('/api/v1/requests');
	});
	after(async () => {
		await srv?.stop();
	});

	test('nothing in the future: filed, each step, each referral and each state began before now', async () => {
		const now = Math.floor(Date.now() / 1000) + 5;
		assert.ok(requests.length >= 50, `${requests.length} requests`);
		assert.ok(requests.some((q) => q.state === 'referred'), 'some wait on referrals');
		assert.ok(requests.some((q) => q.state === 'township_review'), 'some in the township');
		for (const q of requests) {
			assert.ok(q.created_at <= now && q.state_since <= now, `request ${q.id}: ${q.created_at}, ${q.state_since}`);
			if (q.closed_at !== null) assert.ok(q.closed_at <= now, `request ${q.id} closed at ${q.closed_at}`);
		}
		for (const q of requests) {
			const d = (await centre.get(`/api/v1/requests/${q.id}`)).body;
			for (const s of d.timeline.steps) assert.ok(s.at <= now, `request ${q.id}: ${s.action} at ${s.at}`);
			for (const f of d.referrals) assert.ok(f.state_since <= now, `referral ${f.id}`);
		}
	});

	test("the township's open steps are due as the configuration says: the review three working days after it began", async () => {
		const review = requests.filter((q) => q.state === 'township_review');
		assert.ok(review.length > 0);
		for (const q of review) {
			assert.ok(q.due_at > q.state_since + 2 * 86400, `request ${q.id}: due ${q.due_at - q.state_since} s after`);
			// the end of a working day in Beijing time: 23:59:59 (15:59:59 UTC)
			assert.equal((q.due_at + 8 * 3600 + 1) % 86400, 0, `request ${q.id} due at ${new Date(q.due_at * 1000).toISOString()}`);
		}
	});

	test("the allowance of children in difficulty is not had with a basic living allowance: the demo's children paid both are to stop", async () => {
		const policies = (await centre.get('/api/v1/policies')).body.items;
		const byCode = Object.fromEntries(policies.map((p) => [p.code, p]));
		const rule = byCode.difficulty_allowance.current.rule;
		assert.deepEqual([...rule.excludes].sort(), ['orphan_allowance', 'unsupported_allowance']);
		const stop = (await centre.get(`/api/v1/entitlements?group=stop&policy=${byCode.difficulty_allowance.id}&limit=500`)).body;
		const excluded = stop.items.filter((it) => it.unmet.includes('excluded'));
		assert.ok(excluded.length > 0, 'some children receive both');
		const names = [byCode.orphan_allowance.name, byCode.unsupported_allowance.name];
		for (const it of excluded) assert.ok(names.includes(it.excluded_by), `child ${it.child_id}: ${it.excluded_by}`);
		// and nobody paid a basic living allowance is a gap of it
		const gaps = (await centre.get(`/api/v1/entitlements?group=gap&policy=${byCode.difficulty_allowance.id}&limit=500`)).body.items;
		const basic = (await centre.get('/api/v1/entitlements?group=receiving&limit=500')).body.items.filter((it) =>
			[byCode.orphan_allowance.id, byCode.unsupported_allowance.id].includes(it.policy_id),
		);
		for (const g of gaps) assert.ok(!basic.some((b) => b.child_id === g.child_id), `child ${g.child_id}`);
	});

	test("a charity's steps are taken by its own staff", async () => {
		let seen = 0;
		for (const q of requests.filter((x) => x.state === 'referred' || x.state === 'closed')) {
			const d = (await centre.get(`/api/v1/requests/${q.id}`)).body;
			for (const s of d.timeline.steps.filter((x) => x.action.startsWith('referral_') && x.unit_id)) {
				const f = d.referrals.find((x) => x.id === s.referral_id);
				assert.equal(s.actor.role, f.unit.kind === 'org' ? 'org' : 'department', `request ${q.id}: ${s.action}`);
				if (f.unit.kind === 'org') seen++;
			}
			if (seen >= 2) break;
		}
		assert.ok(seen > 0, 'a charity took a step');
	});

	test('every child is on the register before a benefit is paid for it or a category confirmed', async () => {
		// the month (YYYY-MM) of a time in Beijing time
		const monthOf = (t) => new Date((Number(t) + 8 * 3600) * 1000).toISOString().slice(0, 7);
		const rows = (await sql(srv.db, 'SELECT r.id, r.from_month, c.created_at FROM benefit_receipts r JOIN children c ON c.id = r.child_id')).split('\n').filter(Boolean);
		assert.ok(rows.length > 50, `${rows.length} receipts`);
		for (const row of rows) {
			const [id, from, registered] = row.split('|');
			assert.ok(from >= monthOf(registered), `receipt ${id} starts in ${from}, its child registered in ${monthOf(registered)}`);
		}
		const early = await sql(srv.db, 'SELECT COUNT(*) FROM child_categories k JOIN children c ON c.id = k.child_id WHERE k.confirmed_at < c.created_at');
		assert.equal(early, '0', 'no category confirmed before its child was registered');
		// as a leader reads it: a month that pays benefits has children on the register, in each township
		const first = rows.map((r) => r.split('|')[1]).sort()[0];
		for (const month of [first, '2025-07']) {
			const rep = (await centre.get(`/api/v1/reports/monthly?month=${month}`)).body;
			assert.ok(rep.totals.entitlements.paid_cents > 0, `${month}: paid`);
			for (const t of rep.townships) {
				if (t.entitlements.paid_cents > 0) assert.ok(t.children.total > 0, `${month} ${t.name}: paid ${t.entitlements.paid_cents} with no child on the register`);
			}
		}
	});
});
