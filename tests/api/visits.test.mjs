// Visits (走访, SPEC §5): a child director records home, school and phone
// visits of the children of the own village with what they found, the risk
// flags they raise and their assessment of the child's risk (which then
// changes on the child, with its history); the visit plan lists the
// children whose risk or confirmed categories ask for visits, most urgent
// first, by the centre's configured intervals; everything within the
// caller's scope, every refusal changes nothing, every read audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backToSchema, cli, describeEachDriver, spawnServer, startServer, sql, uniqueName } from './lib/harness.mjs';
import { step } from './lib/loop.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { bornYearsBefore, csvObjects } from './lib/registry.mjs';

const OWN = '370831001001'; // director's village
const OTHER = '370831101201'; // director2's village, another township
const day = (offset) => chinaDate(offset).iso;

describeEachDriver('visits and the visit plan', (driver) => {
	let srv, centre, director, director2, station, department, admin, auditor;

	const child = async (client, extra = {}) => {
		const r = await client.post('/api/v1/children', {
			name: uniqueName('走访'),
			sex: 'F',
			birth_date: '2015-04-02',
			village_code: OWN,
			...extra,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const visit = (client, id, body) =>
		client.post(`/api/v1/children/${id}/visits`, { kind: 'home', visited_on: day(0), findings: '孩子在家，奶奶照看，学习正常。', ...body });
	const planOf = async (client, id, query = '') => {
		const r = await client.get(`/api/v1/visits/plan?limit=500${query}`);
		assert.equal(r.status, 200, r.text);
		return r.body.items.find((i) => i.child_id === id);
	};
	const putConfig = (client, body) => client.request('PUT', '/api/v1/visits/config', { json: body });

	before(async () => {
		srv = await startServer(driver);
		[centre, director, director2, station, department, admin, auditor] = await Promise.all(
			['center', 'director', 'director2', 'station', 'department', 'admin', 'auditor'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a director records a home visit with flags and a risk assessment: the child is high risk from then on, with its history', async () => {
		const c = await child(director);
		assert.equal(c.risk_level, 'low');
		const r = await visit(director, c.id, { flags: ['schooling', 'safety'], risk_level: 'high' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.kind, 'home');
		assert.equal(r.body.visited_on, day(0));
		assert.deepEqual(r.body.flags, ['safety', 'schooling'], 'flags in the vocabulary order');
		assert.equal(r.body.risk_level, 'high');
		assert.equal(r.body.risk_changed_from, 'low');
		assert.equal(r.body.plan.interval_days, 14, 'high risk: every two weeks by default');
		assert.equal(r.body.plan.last_visit_on, day(0));
		assert.equal(r.body.plan.due_on, day(14));
		assert.equal(r.body.plan.state, 'ok');

		const after = await director.get(`/api/v1/children/${c.id}`);
		assert.equal(after.body.risk_level, 'high');
		assert.equal(after.body.version, c.version + 1);
		const hist = await director.get(`/api/v1/children/${c.id}/history`);
		assert.ok(
			hist.body.items.some((h) => h.field === 'risk_level' && h.old === 'low' && h.new === 'high'),
			JSON.stringify(hist.body.items),
		);

		const list = await director.get(`/api/v1/children/${c.id}/visits`);
		assert.equal(list.status, 200, list.text);
		assert.equal(list.body.items.length, 1);
		assert.equal(list.body.items[0].findings, '孩子在家，奶奶照看，学习正常。');
		assert.ok(list.body.items[0].visitor, 'the visitor is named');
		assert.equal(list.body.plan.state, 'ok');
	});

	test("a visit that finds a problem tells the township's station (and supervisor): an inbox message naming the child by id only", async () => {
		const supervisor = await srv.login('supervisor');
		const concerns = async (client) =>
			(await client.get('/api/v1/inbox?limit=200')).body.items.filter((m) => m.event === 'visit.concern');
		const before = { station: (await concerns(station)).length, supervisor: (await concerns(supervisor)).length, director: (await concerns(director)).length };
		const calm = await child(director);
		assert.equal((await visit(director, calm.id, {})).status, 201);
		assert.equal((await visit(director, calm.id, { risk_level: 'medium' })).status, 201);
		assert.equal((await concerns(station)).length, before.station, 'nothing found: nothing told');
		const flagged = await child(director);
		assert.equal((await visit(director, flagged.id, { flags: ['guardianship'] })).status, 201);
		const high = await child(director);
		assert.equal((await visit(director, high.id, { risk_level: 'high' })).status, 201);
		for (const [client, who] of [[station, 'station'], [supervisor, 'supervisor']]) {
			const got = await concerns(client);
			assert.equal(got.length, before[who] + 2, who);
			assert.deepEqual(got.slice(0, 2).map((m) => m.child_id).sort(), [flagged.id, high.id].sort(), who);
			assert.ok(got.every((m) => m.read === false && m.request_id === null), who);
			// the message names nobody: the file is opened (and audited) from it
			const raw = JSON.stringify(got);
			assert.ok(!raw.includes(flagged.name) && !raw.includes(high.name), who);
		}
		assert.equal((await concerns(director)).length, before.director, 'the visitor is not told of their own visit');
		// another township's station hears nothing of it
		const far = await srv.login('station02');
		assert.ok(!(await concerns(far)).some((m) => m.child_id === flagged.id));
	});

	test('the inbox page (?names=true) names the child of a visit concern, its village and what was found, while the reader may see the child; audited', async () => {
		const auditor = await srv.login('auditor');
		const named = async () =>
			(await station.get('/api/v1/inbox?limit=200&names=true')).body.items.filter((m) => m.event === 'visit.concern');
		const flagged = await child(director);
		assert.equal((await visit(director, flagged.id, { flags: ['guardianship', 'safety'] })).status, 201);
		const high = await child(director);
		assert.equal((await visit(director, high.id, { risk_level: 'high' })).status, 201);
		const file = (await station.get(`/api/v1/children/${flagged.id}`)).body;
		const village = (await station.get(`/api/v1/areas/${file.village_code}`)).body.name;
		let got = await named();
		const f = got.find((m) => m.child_id === flagged.id);
		assert.deepEqual({ ...f.child, flags: [...f.child.flags].sort() }, { name: flagged.name, village_name: village, flags: ['guardianship', 'safety'], risk_level: null });
		assert.deepEqual(got.find((m) => m.child_id === high.id).child, { name: high.name, village_name: village, flags: [], risk_level: 'high' });
		const entry = (await auditor.get('/api/v1/audit?action=inbox.list&limit=1')).body.items[0];
		assert.equal(entry.username, 'station');
		assert.ok(JSON.parse(entry.detail).children_named >= 2);
		// the bell's count names nobody
		const plain = (await station.get('/api/v1/inbox?limit=200')).body.items.filter((m) => m.event === 'visit.concern');
		assert.ok(plain.every((m) => !('child' in m)) && !JSON.stringify(plain).includes(flagged.name));
		// archived, the child leaves the station's work: its message is a number again
		const ar = await station.post(`/api/v1/children/${high.id}/archive`, { reason: 'moved_away' });
		assert.equal(ar.status, 200, ar.text);
		got = await named();
		assert.equal(got.find((m) => m.child_id === high.id).child, undefined);
		assert.ok(!JSON.stringify(got).includes(high.name));
		assert.equal(got.find((m) => m.child_id === flagged.id).child.name, flagged.name);
	});

	test('a concern told to the township by a visit voided since says the visit was voided', async () => {
		const supervisor = await srv.login('supervisor');
		const named = async (client) =>
			(await client.get('/api/v1/inbox?limit=200&names=true')).body.items.filter((m) => m.event === 'visit.concern');
		// recorded for the wrong child: a safety concern that is not so
		const wrong = await child(director);
		const v = await visit(director, wrong.id, { flags: ['safety'], risk_level: 'high' });
		assert.equal(v.status, 201, v.text);
		const stands = await child(director);
		assert.equal((await visit(director, stands.id, { flags: ['living'] })).status, 201);
		assert.equal((await named(station)).find((m) => m.child_id === wrong.id).child.voided, undefined);
		const done = await director.post(`/api/v1/children/${wrong.id}/visits/${v.body.id}/void`, { reason: '记错了儿童' });
		assert.equal(done.status, 200, done.text);
		for (const client of [station, supervisor]) {
			const got = await named(client);
			const m = got.find((x) => x.child_id === wrong.id);
			assert.equal(m.child.voided, true, `${client.username}: ${JSON.stringify(m)}`);
			assert.equal(got.find((x) => x.child_id === stands.id).child.voided, undefined, 'a visit that stands is not marked');
		}
	});

	test('a visit recorded by mistake is voided with the reason: listed and marked, it counts no more; by its visitor, the township or the centre', async () => {
		const c = await child(director);
		const older = await visit(director, c.id, { visited_on: day(-20) });
		assert.equal(older.status, 201, older.text);
		const wrong = await visit(director, c.id, { visited_on: day(-1) });
		assert.equal(wrong.status, 201, wrong.text);
		const voidIt = (client, vid, body = { reason: '记错了儿童，实际走访的是邻居家孩子' }) =>
			client.post(`/api/v1/children/${c.id}/visits/${vid}/void`, body);
		for (const [body, field] of [[{}, 'reason'], [{ reason: ' \u3000' }, 'reason'], [{ reason: 'x', colour: 'red' }, 'colour']]) {
			const r = await voidIt(director, wrong.body.id, body);
			assert.equal(r.status, 422, JSON.stringify(body));
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await voidIt(director2, wrong.body.id)).status, 404, 'another village: no such child');
		assert.equal((await voidIt(department, wrong.body.id)).status, 403);
		assert.equal((await voidIt(director, 999999)).status, 404);
		const done = await voidIt(director, wrong.body.id);
		assert.equal(done.status, 200, done.text);
		assert.equal((await voidIt(director, wrong.body.id)).status, 409, 'once');
		// listed, marked; the plan goes back to the visit before
		const list = (await director.get(`/api/v1/children/${c.id}/visits`)).body;
		const marked = list.items.find((v) => v.id === wrong.body.id);
		assert.equal(marked.voided.reason, '记错了儿童，实际走访的是邻居家孩子');
		assert.ok(marked.voided.by.length > 0);
		assert.ok(!list.items.find((v) => v.id === older.body.id).voided);
		assert.equal(list.plan.last_visit_on, day(-20));
		// the township voids any visit of its area
		const third = await visit(director, c.id, { visited_on: day(0) });
		assert.equal((await voidIt(station, third.body.id, { reason: '重复录入' })).status, 200);
		assert.equal((await director.get(`/api/v1/children/${c.id}/visits`)).body.plan.last_visit_on, day(-20));
		const all = (await auditor.get(`/api/v1/audit?action=visit.void&object_id=${c.id}`)).body.items;
		assert.ok(all.some((e) => e.outcome !== 'ok'), 'the refused attempts are logged too');
		const log = all.filter((e) => e.outcome === 'ok');
		assert.equal(log.length, 2);
		assert.deepEqual(log.map((e) => JSON.parse(e.detail).visit).sort(), [wrong.body.id, third.body.id].sort());
	});

	test('the auditor reads why a visit was voided in its audit entry (a long reason cut short, the detail still whole)', async () => {
		const c = await child(director);
		const a = await visit(director, c.id, { visited_on: day(-3) });
		const b = await visit(director, c.id, { visited_on: day(-2) });
		const reason = '记错了儿童，实际走访的是邻居家孩子';
		assert.equal((await director.post(`/api/v1/children/${c.id}/visits/${a.body.id}/void`, { reason })).status, 200);
		const long = '走访日期填错'.repeat(33) + '了'; // 199 characters, some 600 bytes
		assert.equal((await director.post(`/api/v1/children/${c.id}/visits/${b.body.id}/void`, { reason: long })).status, 200);
		const log = (await auditor.get(`/api/v1/audit?action=visit.void&object_id=${c.id}`)).body.items.filter((e) => e.outcome === 'ok');
		const byVisit = Object.fromEntries(log.map((e) => [JSON.parse(e.detail).visit, JSON.parse(e.detail)]));
		assert.equal(byVisit[a.body.id].reason, reason);
		const cut = byVisit[b.body.id].reason;
		assert.ok(cut.length > 100 && cut.endsWith('\u2026') && long.startsWith(cut.slice(0, -1)), cut);
	});

	test('voiding a visit undoes the risk level it set, unless the level was changed again since', async () => {
		const reason = { reason: '记错了儿童' };
		const c = await child(director);
		const v = await visit(director, c.id, { risk_level: 'high' });
		assert.equal(v.status, 201, v.text);
		assert.equal((await director.get(`/api/v1/children/${c.id}`)).body.risk_level, 'high');
		const done = await director.post(`/api/v1/children/${c.id}/visits/${v.body.id}/void`, reason);
		assert.equal(done.status, 200, done.text);
		assert.equal(done.body.risk_restored, 'low');
		const back = (await director.get(`/api/v1/children/${c.id}`)).body;
		assert.equal(back.risk_level, 'low');
		assert.equal(back.version, c.version + 2, 'the visit, then the void: a version each');
		const hist = (await director.get(`/api/v1/children/${c.id}/history`)).body.items.filter((h) => h.field === 'risk_level');
		assert.deepEqual(
			hist.map((h) => [h.old, h.new]),
			[
				['low', 'high'],
				['high', 'low'],
			],
		);
		assert.equal((await planOf(director, c.id)), undefined, 'low risk, no category: off the plan again');

		// edited since: the edit stands
		const d = await child(director);
		const w = await visit(director, d.id, { risk_level: 'high' });
		const edited = await director.patch(`/api/v1/children/${d.id}`, { risk_level: 'medium', version: d.version + 1 });
		assert.equal(edited.status, 200, edited.text);
		const kept = await director.post(`/api/v1/children/${d.id}/visits/${w.body.id}/void`, reason);
		assert.equal(kept.status, 200, kept.text);
		assert.equal(kept.body.risk_restored, null);
		assert.equal((await director.get(`/api/v1/children/${d.id}`)).body.risk_level, 'medium');

		// a later visit assessed again: voiding the earlier one keeps the later assessment; the township voids the later one
		const e = await child(director, { risk_level: 'medium' });
		const first = await visit(director, e.id, { visited_on: day(-2), risk_level: 'high' });
		const second = await visit(director, e.id, { visited_on: day(-1), risk_level: 'low' });
		assert.equal(second.status, 201, second.text);
		const early = await director.post(`/api/v1/children/${e.id}/visits/${first.body.id}/void`, reason);
		assert.equal(early.status, 200, early.text);
		assert.equal(early.body.risk_restored, null);
		assert.equal((await director.get(`/api/v1/children/${e.id}`)).body.risk_level, 'low');
		const late = await station.post(`/api/v1/children/${e.id}/visits/${second.body.id}/void`, reason);
		assert.equal(late.status, 200, late.text);
		assert.equal(late.body.risk_restored, 'medium', 'the level from before both visits: the earlier one was voided too');
		assert.equal((await director.get(`/api/v1/children/${e.id}`)).body.risk_level, 'medium');
		// a visit without an assessment restores nothing
		const plain = await visit(director, e.id, {});
		const p2 = await director.post(`/api/v1/children/${e.id}/visits/${plain.body.id}/void`, reason);
		assert.equal(p2.body.risk_restored, null);
	});

	test('voiding two visits that each assessed the child brings back the level from before both, in either order', async () => {
		const reason = { reason: '走访记录录错了儿童' };
		for (const order of ['later first', 'earlier first']) {
			const c = await child(director, { risk_level: 'low' });
			const a = await visit(director, c.id, { visited_on: day(-3), risk_level: 'medium' });
			const b = await visit(director, c.id, { visited_on: day(-2), risk_level: 'high' });
			assert.equal(b.status, 201, b.text);
			const [x, y] = order === 'later first' ? [b, a] : [a, b];
			const one = await director.post(`/api/v1/children/${c.id}/visits/${x.body.id}/void`, reason);
			assert.equal(one.status, 200, one.text);
			assert.equal(one.body.risk_restored, order === 'later first' ? 'medium' : null, order);
			assert.equal((await director.get(`/api/v1/children/${c.id}`)).body.risk_level, order === 'later first' ? 'medium' : 'high', order);
			const two = await director.post(`/api/v1/children/${c.id}/visits/${y.body.id}/void`, reason);
			assert.equal(two.status, 200, two.text);
			assert.equal(two.body.risk_restored, 'low', order);
			const back = (await director.get(`/api/v1/children/${c.id}`)).body;
			assert.equal(back.risk_level, 'low', order);
			const hist = (await director.get(`/api/v1/children/${c.id}/history`)).body.items.filter((h) => h.field === 'risk_level');
			assert.deepEqual(hist.at(-1) && [hist.at(-1).old, hist.at(-1).new], [order === 'later first' ? 'medium' : 'high', 'low'], order);
		}
		// an edit between the voided visits stands
		const d = await child(director, { risk_level: 'low' });
		const a = await visit(director, d.id, { visited_on: day(-3), risk_level: 'medium' });
		const now = (await director.get(`/api/v1/children/${d.id}`)).body;
		assert.equal((await director.patch(`/api/v1/children/${d.id}`, { risk_level: 'high', version: now.version })).status, 200);
		const b = await visit(director, d.id, { visited_on: day(-2), risk_level: 'medium' });
		assert.equal((await director.post(`/api/v1/children/${d.id}/visits/${a.body.id}/void`, reason)).body.risk_restored, null);
		const last = await director.post(`/api/v1/children/${d.id}/visits/${b.body.id}/void`, reason);
		assert.equal(last.body.risk_restored, 'high', 'the edit stands');
		assert.equal((await director.get(`/api/v1/children/${d.id}`)).body.risk_level, 'high');
	});

	test('a visit that keeps the risk level changes nothing on the child', async () => {
		const c = await child(director, { risk_level: 'medium' });
		const r = await visit(director, c.id, { kind: 'phone', risk_level: 'medium' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.risk_changed_from, undefined);
		const after = await director.get(`/api/v1/children/${c.id}`);
		assert.equal(after.body.version, c.version, 'no new version');
	});

	test('a visit entered late, made before a visit that assessed the child, does not overrule the newer assessment', async () => {
		// the director visited three weeks ago (high risk) and yesterday (low), and enters the older one last
		const c = await child(director, { risk_level: 'medium' });
		const recent = await visit(director, c.id, { visited_on: day(-1), risk_level: 'low' });
		assert.equal(recent.status, 201, recent.text);
		assert.equal(recent.body.risk_changed_from, 'medium');
		const v1 = (await director.get(`/api/v1/children/${c.id}`)).body.version;
		const old = await visit(director, c.id, { visited_on: day(-21), risk_level: 'high', findings: '补录：三周前入户，当时家中无人照看。' });
		assert.equal(old.status, 201, old.text);
		assert.equal(old.body.risk_level, 'high', 'the visit keeps its own assessment');
		assert.equal(old.body.risk_changed_from, undefined, 'the child\'s level did not change');
		assert.equal(old.body.plan.interval_days, 0, 'the plan of a low-risk child: none');
		const now = (await director.get(`/api/v1/children/${c.id}`)).body;
		assert.equal(now.risk_level, 'low', 'the newer assessment stands');
		assert.equal(now.version, v1, 'no new version');
		const hist = (await director.get(`/api/v1/children/${c.id}/history`)).body.items.filter((h) => h.field === 'risk_level');
		assert.deepEqual(hist.map((h) => [h.old, h.new]), [['medium', 'low']]);
		assert.equal(await planOf(director, c.id), undefined, 'low risk, no category: not on the plan');
		// a newer visit without an assessment does not hold one back; one of the same day entered after it counts
		const d = await child(director, { risk_level: 'low' });
		assert.equal((await visit(director, d.id, { visited_on: day(-1) })).status, 201);
		const back = await visit(director, d.id, { visited_on: day(-5), risk_level: 'medium' });
		assert.equal(back.body.risk_changed_from, 'low', back.text);
		const same = await visit(director, d.id, { visited_on: day(-5), risk_level: 'high' });
		assert.equal(same.body.risk_changed_from, 'medium', same.text);
		assert.equal((await director.get(`/api/v1/children/${d.id}`)).body.risk_level, 'high');
		// a voided newer visit counts no more: the older assessment changes the level
		const e = await child(director, { risk_level: 'medium' });
		const wrong = await visit(director, e.id, { visited_on: day(-1), risk_level: 'low' });
		assert.equal((await director.post(`/api/v1/children/${e.id}/visits/${wrong.body.id}/void`, { reason: '记错了儿童' })).status, 200);
		const earlier = await visit(director, e.id, { visited_on: day(-3), risk_level: 'high' });
		assert.equal(earlier.body.risk_changed_from, 'medium', earlier.text);
		assert.equal((await director.get(`/api/v1/children/${e.id}`)).body.risk_level, 'high');
	});

	test('voiding the newer visit brings back the assessment of a visit entered late that it held back', async () => {
		const reason = { reason: '走访记录录错了儿童' };
		// yesterday's visit (low) holds back the one of three weeks ago entered after it (high); yesterday's was the wrong child
		const c = await child(director, { risk_level: 'medium' });
		const recent = await visit(director, c.id, { visited_on: day(-1), risk_level: 'low' });
		assert.equal(recent.status, 201, recent.text);
		const old = await visit(director, c.id, { visited_on: day(-21), risk_level: 'high', findings: '补录：三周前入户，当时家中无人照看。' });
		assert.equal(old.status, 201, old.text);
		assert.equal((await director.get(`/api/v1/children/${c.id}`)).body.risk_level, 'low');
		const v = await director.post(`/api/v1/children/${c.id}/visits/${recent.body.id}/void`, reason);
		assert.equal(v.status, 200, v.text);
		assert.equal(v.body.risk_restored, 'high', 'the latest assessment that counts: the visit entered late');
		assert.equal((await director.get(`/api/v1/children/${c.id}`)).body.risk_level, 'high');
		assert.equal((await planOf(director, c.id)).interval_days, 14, 'high risk: on the plan');
		const hist = (await director.get(`/api/v1/children/${c.id}/history`)).body.items.filter((h) => h.field === 'risk_level');
		assert.deepEqual(hist.map((h) => [h.old, h.new]), [['medium', 'low'], ['low', 'high']]);
		// one entered late that agreed with the voided visit keeps the level
		const d = await child(director, { risk_level: 'low' });
		const wrong = await visit(director, d.id, { visited_on: day(-1), risk_level: 'high' });
		assert.equal((await visit(director, d.id, { visited_on: day(-6), risk_level: 'high' })).status, 201);
		const w = await director.post(`/api/v1/children/${d.id}/visits/${wrong.body.id}/void`, reason);
		assert.equal(w.status, 200, w.text);
		assert.equal(w.body.risk_restored, null, 'the other visit assessed high too');
		assert.equal((await director.get(`/api/v1/children/${d.id}`)).body.risk_level, 'high');
		// one recorded before the voided visit does not come back over the level before it
		const e = await child(director, { risk_level: 'low' });
		assert.equal((await visit(director, e.id, { visited_on: day(-8), risk_level: 'medium' })).status, 201);
		const edited = (await director.get(`/api/v1/children/${e.id}`)).body;
		assert.equal((await director.patch(`/api/v1/children/${e.id}`, { risk_level: 'low', version: edited.version })).status, 200);
		const later = await visit(director, e.id, { visited_on: day(-1), risk_level: 'high' });
		const x = await director.post(`/api/v1/children/${e.id}/visits/${later.body.id}/void`, reason);
		assert.equal(x.body.risk_restored, 'low', 'the edit made after the older visit stands');
	});

	test('every wrong field is refused with its name, and nothing is written', async () => {
		const c = await child(director, { birth_date: bornYearsBefore(1) });
		const cases = [
			[{ kind: 'letter' }, 'kind'],
			[{ visited_on: '2026-02-30' }, 'visited_on'],
			[{ visited_on: day(1) }, 'visited_on'],
			[{ visited_on: day(-400) }, 'visited_on'],
			[{ visited_on: bornYearsBefore(1, -1) }, 'visited_on'], // the day before the birth
			[{ findings: '   ' }, 'findings'],
			[{ findings: 'x'.repeat(2001) }, 'findings'],
			[{ findings: '情'.repeat(2001) }, 'findings'],
			[{ flags: ['safety', 'weather'] }, 'flags[1]'],
			[{ flags: ['health', 'health'] }, 'flags[1]'],
			[{ flags: 'safety' }, 'flags'],
			[{ risk_level: 'extreme' }, 'risk_level'],
			[{ colour: 'red' }, 'colour'],
		];
		for (const [body, field] of cases) {
			const r = await visit(director, c.id, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		// 2000 Chinese characters (6000 bytes) are within the limit
		const long = await visit(director, c.id, { findings: '情'.repeat(2000) });
		assert.equal(long.status, 201, long.text);
		assert.equal(long.body.findings.length, 2000);
		const missing = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: day(0) });
		assert.equal(missing.status, 422);
		assert.equal(missing.body.error.field, 'findings');
		const list = await director.get(`/api/v1/children/${c.id}/visits`);
		assert.equal(list.body.items.length, 1, 'no refused visit was written');
	});

	test('findings of nothing but blanks a phone leaves (full-width spaces, zero-width characters) are refused; blanks around a text are dropped', async () => {
		const c = await child(director);
		for (const findings of ['\u3000\u3000', '\u200b', ' \u00a0\n\t', '\ufeff\u3000\u200c']) {
			const r = await visit(director, c.id, { findings });
			assert.equal(r.status, 422, `${JSON.stringify(findings)}: ${r.text}`);
			assert.equal(r.body.error.field, 'findings');
		}
		assert.equal((await director.get(`/api/v1/children/${c.id}/visits`)).body.items.length, 0, 'nothing was written');
		const ok = await visit(director, c.id, { findings: '\u3000\u3000孩子在家，奶奶照看。\u200b\n' });
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.body.findings, '孩子在家，奶奶照看。');
		// 2000 characters with blanks around them are within the limit
		const long = await visit(director, c.id, { findings: `\u3000${'情'.repeat(2000)}\u3000` });
		assert.equal(long.status, 201, long.text);
		assert.equal(long.body.findings.length, 2000);
	});

	test('outside the scope: another village\'s director is answered 404, a department, the administrator and the auditor 403', async () => {
		const c = await child(director);
		assert.equal((await visit(director, c.id, {})).status, 201);
		for (const [client, status] of [
			[director2, 404],
			[department, 403],
			[admin, 403],
			[auditor, 403],
		]) {
			const w = await visit(client, c.id, {});
			assert.equal(w.status, status, w.text);
			const r = await client.get(`/api/v1/children/${c.id}/visits`);
			assert.equal(r.status, status, r.text);
		}
		// a child of director2's village on the plan: director2 sees it, and nothing of OWN
		const far = await child(centre, { village_code: OTHER, risk_level: 'high' });
		const plan2 = await director2.get('/api/v1/visits/plan?limit=500');
		assert.equal(plan2.status, 200);
		assert.ok(plan2.body.items.some((i) => i.child_id === far.id), 'the own village\'s child is listed');
		assert.ok(plan2.body.items.every((i) => i.village_code === OTHER), 'director2 sees the own village only');
		assert.ok(!plan2.body.items.some((i) => i.child_id === c.id));
		assert.equal((await department.get('/api/v1/visits/plan')).status, 403);
		const list = await director.get(`/api/v1/children/${c.id}/visits`);
		assert.equal(list.body.items.length, 1, 'the refused visits were not written');
	});

	test('visits come newest first by the day of the visit and page with the cursor', async () => {
		const c = await child(director);
		for (const d of [-20, -3, -11]) assert.equal((await visit(director, c.id, { visited_on: day(d) })).status, 201);
		const first = await director.get(`/api/v1/children/${c.id}/visits?limit=2`);
		assert.deepEqual(first.body.items.map((v) => v.visited_on), [day(-3), day(-11)]);
		assert.ok(first.body.next_cursor);
		const second = await director.get(`/api/v1/children/${c.id}/visits?limit=2&cursor=${first.body.next_cursor}`);
		assert.deepEqual(second.body.items.map((v) => v.visited_on), [day(-20)]);
		assert.equal(second.body.next_cursor, null);
		assert.equal(first.body.plan.last_visit_on, day(-3));
	});

	test('the plan: never visited, overdue, due soon and fine, by the configured intervals; grown-ups and low risk without a category leave it', async () => {
		const never = await child(director, { risk_level: 'medium' });
		const late = await child(director, { risk_level: 'medium' });
		assert.equal((await visit(director, late.id, { visited_on: day(-40) })).status, 201);
		const fine = await child(director, { risk_level: 'high' });
		assert.equal((await visit(director, fine.id, { visited_on: day(-1) })).status, 201);
		const low = await child(director);
		const grown = await child(centre, { risk_level: 'high', birth_date: bornYearsBefore(18) });

		assert.equal((await planOf(director, never.id)).state, 'never');
		const l = await planOf(director, late.id);
		assert.equal(l.state, 'overdue');
		assert.equal(l.interval_days, 30);
		assert.equal(l.due_on, day(-10));
		assert.equal(l.days_overdue, 10);
		assert.equal(l.last_visit_on, day(-40));
		assert.equal(l.village_code, OWN);
		assert.ok(l.village_name, 'the village is named');
		assert.equal((await planOf(director, fine.id)).state, 'ok');
		assert.equal(await planOf(director, low.id), undefined, 'low risk without a category: no plan');
		assert.equal(await planOf(centre, grown.id), undefined, 'eighteen: out of the plan');

		const urgent = await director.get('/api/v1/visits/plan?state=never,overdue&limit=500');
		assert.equal(urgent.status, 200, urgent.text);
		assert.ok(urgent.body.items.every((i) => i.state === 'never' || i.state === 'overdue'));
		const states = urgent.body.items.map((i) => i.state);
		assert.ok(states.lastIndexOf('never') < states.indexOf('overdue') || !states.includes('overdue'), 'never visited first');
		assert.ok(urgent.body.counts.never >= 1 && urgent.body.counts.overdue >= 1, JSON.stringify(urgent.body.counts));
		assert.equal(urgent.body.today, day(0));

		// the township sees the village's children too, the centre the county's
		assert.ok(await planOf(station, late.id));
		assert.ok(await planOf(centre, late.id, `&area=${OWN}`));
		assert.equal(await planOf(centre, late.id, '&area=370831101'), undefined, 'another township filtered out');

		// medium risk every 45 days: due in 5 days, within the 7 of "due soon"
		const set = await putConfig(centre, { risk: { medium: 45 } });
		assert.equal(set.status, 200, set.text);
		assert.equal(set.body.risk.medium, 45);
		assert.equal(set.body.risk.high, 14, 'the other settings stay');
		const soon = await planOf(director, late.id);
		assert.equal(soon.state, 'due_soon');
		assert.equal(soon.due_on, day(5));
		// off: medium risk alone asks for no visits
		assert.equal((await putConfig(centre, { risk: { medium: 0 } })).status, 200);
		assert.equal(await planOf(director, late.id), undefined);
		assert.equal((await putConfig(centre, { risk: { medium: 30 } })).status, 200);
		assert.equal((await planOf(director, late.id)).state, 'overdue');

		const bad = await director.get('/api/v1/visits/plan?state=late');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'state');
	});

	test('a confirmed category puts a child on the plan at the category\'s interval', async () => {
		const c = await child(director, { risk_level: 'low' });
		assert.equal(await planOf(director, c.id), undefined);
		// a left-behind child: rural, both parents working away, under 16
		const upd = await director.patch(`/api/v1/children/${c.id}`, {
			version: c.version,
			hukou_type: 'rural',
			guardians: [
				{ relation: 'father', name: '张大', status: 'working_away', work_place: '宁波' },
				{ relation: 'mother', name: '李二', status: 'working_away', work_place: '苏州' },
			],
		});
		assert.equal(upd.status, 200, upd.text);
		const ok = await station.post(`/api/v1/children/${c.id}/categories/left_behind`, {
			action: 'confirm',
			evidence_type: 'household_survey',
			evidence_ref: 'ZF-2026-1',
		});
		assert.equal(ok.status, 200, ok.text);
		assert.equal((await putConfig(centre, { categories: { left_behind: 60 } })).status, 200);
		const p = await planOf(director, c.id);
		assert.equal(p.state, 'never');
		assert.equal(p.interval_days, 60);
		assert.deepEqual(p.categories, ['left_behind']);
		assert.equal((await putConfig(centre, { categories: { left_behind: 30 } })).status, 200);
	});

	test('the plan as a spreadsheet: every child of the filter, in the user\'s language, audited; not for a school', async () => {
		const c = await child(director, { risk_level: 'high' });
		const json = await director.get('/api/v1/visits/plan?state=never&limit=500');
		const r = await director.get('/api/v1/visits/plan?state=never&format=csv');
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /text\/csv/);
		assert.match(r.headers.get('content-disposition'), /attachment; filename="visit-plan-\d{8}\.csv"/);
		assert.ok(r.text.startsWith('\uFEFF') || r.text.startsWith('儿童编号'), 'a BOM for Excel');
		const rows = csvObjects(r.text.replace(/^\uFEFF/, ''));
		assert.equal(rows.length, json.body.total, 'every child of the filter, not a page');
		const mine = rows.find((x) => x['儿童编号'] === String(c.id));
		assert.equal(mine['姓名'], c.name);
		assert.equal(mine['状态'], '从未走访');
		assert.equal(mine['风险等级'], '高');
		assert.equal(mine['走访频次（天）'], '14');
		const en = csvObjects((await director.get('/api/v1/visits/plan?state=never&format=csv&lang=en')).text.replace(/^\uFEFF/, ''));
		assert.equal(en.find((x) => x['Child ID'] === String(c.id)).State, 'never visited');
		// a school lists its pupils on the plan but exports no list of children
		const school = await srv.login('school');
		const refused = await school.get('/api/v1/visits/plan?format=csv');
		assert.equal(refused.status, 403, refused.text);
		assert.equal((await school.get('/api/v1/visits/plan')).status, 200, 'the list itself is the school\'s');
		const bad = await director.get('/api/v1/visits/plan?format=pdf');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'format');
		const log = await auditor.get('/api/v1/audit?action=visit.plan_export&limit=5');
		assert.ok(log.body.items.some((e) => e.username === 'director' && JSON.parse(e.detail).format === 'csv'), 'the download is audited as an export');
		const reads = (await auditor.get('/api/v1/audit?action=visit.plan&limit=50')).body.items;
		assert.ok(!reads.some((e) => JSON.parse(e.detail ?? '{}').format !== 'json'), 'and not as a read of the plan');
	});

	test('the plan is set by the centre, every wrong value refused with its field', async () => {
		for (const client of [director, station, admin]) {
			const r = await putConfig(client, { risk: { high: 7 } });
			assert.equal(r.status, 403, r.text);
		}
		for (const [body, field] of [
			[{ risk: { high: 400 } }, 'risk.high'],
			[{ risk: { high: -1 } }, 'risk.high'],
			[{ risk: { extreme: 7 } }, 'risk.extreme'],
			[{ categories: { orphan: '30' } }, 'categories.orphan'],
			[{ categories: { famous: 30 } }, 'categories.famous'],
			[{ due_soon_days: 61 }, 'due_soon_days'],
			[{ risk: 14 }, 'risk'],
			[{ weekly: true }, 'weekly'],
		]) {
			const r = await putConfig(centre, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		// a level or category that does not exist is said as such, not as a wrong number of days
		const famous = await putConfig(centre, { categories: { famous: 30 } });
		assert.equal(famous.body.error.message, 'categories.famous: unknown category');
		const extreme = await putConfig(centre, { risk: { extreme: 7 } });
		assert.match(extreme.body.error.message, /^risk\.extreme: unknown risk level/);
		assert.match((await putConfig(centre, { risk: { high: 400 } })).body.error.message, /risk\.high must be a whole number of days from 0 to \d+/);
		const cfg = await director.get('/api/v1/visits/config');
		assert.equal(cfg.status, 200);
		assert.equal(cfg.body.risk.high, 14, 'unchanged by the refusals');
		assert.equal(cfg.body.due_soon_days, 7);
	});

	test('the auditor finds every visit written and every read of visits and of the plan', async () => {
		const c = await child(director);
		assert.equal((await visit(director, c.id, { flags: ['health'] })).status, 201);
		assert.equal((await director.get(`/api/v1/children/${c.id}/visits`)).status, 200);
		assert.equal((await director.get('/api/v1/visits/plan')).status, 200);
		const log = await auditor.get(`/api/v1/audit?object_type=child&object_id=${c.id}&limit=50`);
		assert.equal(log.status, 200, log.text);
		const actions = log.body.items.map((e) => e.action);
		assert.ok(actions.includes('visit.create'), actions.join());
		assert.ok(actions.includes('child.visits'), actions.join());
		const plan = await auditor.get('/api/v1/audit?action=visit.plan&limit=1');
		assert.equal(plan.body.items.length, 1);
		assert.equal(plan.body.items[0].username, 'director');
	});
});

describeEachDriver('the villages\' scorecard (考核)', (driver) => {
	let srv, centre, director, director2, station, department, grid, supervisor, supervisorFar, auditor;
	const TOWNSHIP = '370831001';
	const villageOf = (body, code) => body.villages.find((v) => v.village_code === code);

	before(async () => {
		srv = await startServer(driver);
		[centre, director, director2, station, department, grid, supervisor, supervisorFar, auditor] = await Promise.all(
			['center', 'director', 'director2', 'station', 'department', 'grid', 'supervisor', 'supervisor03', 'auditor'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('per village: the plan now, the visits and requests of the period, the directors; the township sees its villages only', async () => {
		const before = (await station.get(`/api/v1/visits/scorecard?area=${OWN}`)).body;
		const b = villageOf(before, OWN);
		assert.ok(b.directors.some((d) => d.name), 'the village names its directors');
		// a child never visited, one visited today (in the period), one 40 days ago
		const mk = async (extra) => {
			const r = await director.post('/api/v1/children', { name: uniqueName('考核'), sex: 'M', birth_date: '2016-05-05', village_code: OWN, risk_level: 'medium', ...extra });
			assert.equal(r.status, 201, r.text);
			return r.body;
		};
		const never = await mk();
		const fresh = await mk();
		const late = await mk();
		assert.equal(never.village_code, OWN);
		for (const [c, d] of [[fresh, 0], [fresh, 0], [late, -40]]) {
			const v = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: day(d), findings: '考核测试' });
			assert.equal(v.status, 201, v.text);
		}
		const filed = await director.post('/api/v1/requests', { child_id: fresh.id, kind: 'schooling', narrative: '需要助学' });
		assert.equal(filed.status, 201, filed.text);

		const period = `from=${day(-5)}&to=${day(0)}`;
		const now = (await station.get(`/api/v1/visits/scorecard?${period}`)).body;
		const v = villageOf(now, OWN);
		const was = villageOf((await station.get(`/api/v1/visits/scorecard?${period}&area=${OWN}`)).body, OWN);
		assert.deepEqual(v, was, 'the same village figures with or without the area');
		assert.equal(v.in_plan, b.in_plan + 3);
		assert.equal(v.never, b.never + 1);
		assert.equal(v.overdue, b.overdue + 1);
		assert.ok(v.visits >= 2 && v.children_visited >= 1, JSON.stringify(v));
		assert.ok(v.requests_filed >= 1, JSON.stringify(v));
		// each director's own work: what this director recorded and filed; a co-director's is apart
		const me = v.directors.find((d) => d.user_id === director.me.user.id);
		assert.ok(me, JSON.stringify(v.directors));
		assert.ok(me.visits >= 2 && me.requests_filed >= 1, JSON.stringify(me));
		assert.ok(v.directors.reduce((n, d) => n + d.visits, 0) <= v.visits);
		const others = v.directors.filter((x) => x.user_id !== director.me.user.id);
		assert.ok(others.length > 0, 'the village has a co-director');
		for (const d of others) assert.deepEqual([d.visits, d.requests_filed], [0, 0], `${d.name} recorded nothing`);
		// the village's own reports only: the station's filing about a child there is not the director's
		const byStation = await station.post('/api/v1/requests', { child_id: fresh.id, kind: 'medical', narrative: '乡镇工作站直接受理' });
		assert.equal(byStation.status, 201, byStation.text);
		assert.equal(villageOf((await station.get(`/api/v1/visits/scorecard?${period}`)).body, OWN).requests_filed, v.requests_filed);
		// a mandatory report (强制报告) is not counted: its reporter stays unknown to the scorecard's readers
		const report = await director.post('/api/v1/requests', {
			village_code: OWN,
			child_description: '疑似受到伤害的孩子',
			kind: 'abuse_violence',
			urgency: 'urgent',
			mandatory: true,
			narrative: '发现疑似家庭暴力',
		});
		assert.equal(report.status, 201, report.text);
		const after = villageOf((await station.get(`/api/v1/visits/scorecard?${period}`)).body, OWN);
		assert.equal(after.requests_filed, v.requests_filed);
		assert.equal(after.directors.find((d) => d.user_id === director.me.user.id).requests_filed, me.requests_filed);
		assert.ok(v.coverage > 0 && v.coverage < 1);
		assert.equal(v.coverage, v.on_schedule / v.in_plan);
		// a visit 40 days ago is outside a five-day period
		const older = villageOf((await station.get(`/api/v1/visits/scorecard?from=${day(-45)}&to=${day(-35)}&area=${OWN}`)).body, OWN);
		assert.ok(older.visits >= 1, JSON.stringify(older));
		assert.equal(older.requests_filed, 0, 'the request was filed today');
		// totals add up; every village is the township's
		const sum = (k) => now.villages.reduce((s, x) => s + x[k], 0);
		for (const k of ['in_plan', 'overdue', 'never', 'visits', 'requests_filed']) assert.equal(now.totals[k], sum(k), k);
		assert.ok(now.villages.length > 1);
		assert.ok(now.villages.every((x) => x.village_code.startsWith(TOWNSHIP)));
		// the director sees the own village, the centre every village of the county
		const own = (await director.get('/api/v1/visits/scorecard')).body;
		assert.deepEqual(own.villages.map((x) => x.village_code), [OWN]);
		const county = (await centre.get('/api/v1/visits/scorecard')).body;
		assert.ok(county.villages.length > now.villages.length);
		assert.ok(county.villages.some((x) => !x.village_code.startsWith(TOWNSHIP)));
	});

	test('the timeliness of the village\'s own step: a result delivered to the child after its deadline counts as late', async () => {
		const period = `from=${day(-1)}&to=${day(0)}&area=${OWN}`;
		const before = villageOf((await station.get(`/api/v1/visits/scorecard?${period}`)).body, OWN);
		const deliver = async (late) => {
			const q = await director.post('/api/v1/requests', { village_code: OWN, kind: 'living_hardship', narrative: '家中困难' });
			assert.equal(q.status, 201, q.text);
			await step(station, q.body.id, 'review');
			await step(station, q.body.id, 'resolve', { result: '已发放临时救助。' });
			// the director's step was due an hour ago
			if (late) await sql(srv.db, `UPDATE help_requests SET step_due_at = ${Math.floor(Date.now() / 1000) - 3600} WHERE id = ${q.body.id}`);
			await step(director, q.body.id, 'deliver_feedback', { feedback: '已当面告知。', rating: 'satisfied' });
		};
		await deliver(false);
		await deliver(true);
		const v = villageOf((await station.get(`/api/v1/visits/scorecard?${period}`)).body, OWN);
		assert.equal(v.feedback_delivered, before.feedback_delivered + 2);
		assert.equal(v.feedback_late, before.feedback_late + 1, JSON.stringify(v));
		assert.equal(v.feedback_on_time, (v.feedback_delivered - v.feedback_late) / v.feedback_delivered);
		const file = csvObjects((await station.get(`/api/v1/visits/scorecard?${period}&format=csv`)).text.replace(/^\uFEFF/, ''));
		assert.equal(Number(file.find((x) => x['村（社区）代码'] === OWN)['反馈逾期']), v.feedback_late);
	});

	test('visits really made stay counted when their child is archived since: the village row, its director\'s row and the totals', async () => {
		const period = `from=${day(-3)}&to=${day(0)}`;
		const me = director.me.user.id;
		const card = async () => (await supervisor.get(`/api/v1/visits/scorecard?${period}`)).body;
		const c = await director.post('/api/v1/children', { name: uniqueName('归档走访'), sex: 'F', birth_date: '2014-03-03', village_code: OWN });
		assert.equal(c.status, 201, c.text);
		for (const d of [-2, -1]) {
			const v = await director.post(`/api/v1/children/${c.body.id}/visits`, { kind: 'home', visited_on: day(d), findings: '归档前的走访' });
			assert.equal(v.status, 201, v.text);
		}
		const before = await card();
		const b = villageOf(before, OWN);
		assert.ok(b.visits >= 2 && b.children_visited >= 1, JSON.stringify(b));
		const monthOf = day(-1).slice(0, 7);
		const reportBefore = (await station.get(`/api/v1/reports/monthly?month=${monthOf}`)).body;

		const ar = await station.post(`/api/v1/children/${c.body.id}/archive`, { reason: 'moved_away', note: '随父母迁走' });
		assert.equal(ar.status, 200, ar.text);

		const after = await card();
		const a = villageOf(after, OWN);
		assert.equal(a.visits, b.visits, 'the village\'s visits of the period stay');
		assert.equal(a.children_visited, b.children_visited, 'and the children it visited');
		assert.equal(after.totals.visits, before.totals.visits, 'the totals stay');
		assert.equal(
			a.directors.find((d) => d.user_id === me).visits,
			b.directors.find((d) => d.user_id === me).visits,
			'the director\'s row agrees with the village\'s',
		);
		assert.ok(a.directors.reduce((n, d) => n + d.visits, 0) <= a.visits, JSON.stringify(a));
		// the monthly report of the month agrees
		const reportAfter = (await station.get(`/api/v1/reports/monthly?month=${monthOf}`)).body;
		assert.equal(reportAfter.totals.visits.visits, reportBefore.totals.visits.visits);
		// a current figure leaves the archived child out: no longer in the village's plan
		assert.ok(a.in_plan <= b.in_plan);
	});

	test('a child who moves to another village takes no visits with it: each village keeps those its directors made, the new one counts those made there', async () => {
		const FAR = '370831101201'; // another township's village (director2's)
		const period = `from=${day(-3)}&to=${day(0)}`;
		const card = async () => (await centre.get(`/api/v1/visits/scorecard?${period}`)).body;
		const c = await director.post('/api/v1/children', { name: uniqueName('迁走'), sex: 'M', birth_date: '2013-06-06', village_code: OWN });
		assert.equal(c.status, 201, c.text);
		for (const d of [-2, -1]) {
			const v = await director.post(`/api/v1/children/${c.body.id}/visits`, { kind: 'home', visited_on: day(d), findings: '迁出前的走访' });
			assert.equal(v.status, 201, v.text);
		}
		const before = await card();
		const [own, far] = [villageOf(before, OWN), villageOf(before, FAR)];
		const township = (await supervisor.get(`/api/v1/visits/scorecard?${period}`)).body;

		const cur = (await centre.get(`/api/v1/children/${c.body.id}`)).body;
		const moved = await centre.patch(`/api/v1/children/${c.body.id}`, { version: cur.version, village_code: FAR });
		assert.equal(moved.status, 200, moved.text);

		const after = await card();
		const [own2, far2] = [villageOf(after, OWN), villageOf(after, FAR)];
		assert.deepEqual([own2.visits, own2.children_visited], [own.visits, own.children_visited], 'the old village keeps the visits its director made');
		assert.deepEqual([far2.visits, far2.children_visited], [far.visits, far.children_visited], 'the new village is not given them');
		assert.equal(after.totals.visits, before.totals.visits);
		const me = own2.directors.find((d) => d.user_id === director.me.user.id);
		assert.ok(own2.directors.reduce((n, d) => n + d.visits, 0) <= own2.visits, `the directors' visits within the village's: ${JSON.stringify(own2)}`);
		assert.ok(me.visits >= 2, JSON.stringify(me));
		// the township's own card (its supervisor's) keeps them too
		const township2 = (await supervisor.get(`/api/v1/visits/scorecard?${period}`)).body;
		assert.equal(township2.totals.visits, township.totals.visits);
		assert.equal(villageOf(township2, OWN).visits, villageOf(township, OWN).visits);
		// a visit made where the child lives now counts there (times are in whole seconds: a second after the move)
		await new Promise((resolve) => setTimeout(resolve, 1100));
		const there = await director2.post(`/api/v1/children/${c.body.id}/visits`, { kind: 'home', visited_on: day(0), findings: '迁入后的首次走访' });
		assert.equal(there.status, 201, there.text);
		const last = await card();
		assert.equal(villageOf(last, FAR).visits, far.visits + 1);
		assert.equal(villageOf(last, FAR).children_visited, far.children_visited + 1);
		assert.equal(villageOf(last, OWN).visits, own.visits);
		assert.equal(villageOf((await centre.get(`/api/v1/visits/scorecard?${period}&area=${FAR}`)).body, FAR).visits, far.visits + 1, 'the same with ?area=');
	});

	test('a director of two villages: each village\'s row shows the visits and reports made there, not all of them twice; the totals count each visit once', async () => {
		const SECOND = '370831001002'; // another village of the same township
		const period = `from=${day(-3)}&to=${day(0)}`;
		const admin = await srv.login('admin');
		const made = await admin.post('/api/v1/users', { username: `twov_${Date.now() % 1e8}`, display_name: '两村儿童主任', role: 'director', area_code: OWN });
		assert.equal(made.status, 201, made.text);
		const added = await admin.post(`/api/v1/users/${made.body.id}/memberships`, { role: 'director', area_code: SECOND });
		assert.equal(added.status, 201, added.text);
		const [here, there] = added.body.memberships;
		assert.deepEqual([here.area_code, there.area_code], [OWN, SECOND]);
		let two = await srv.login(made.body.username, made.body.password);
		assert.equal((await two.post('/api/v1/me/password', { old_password: made.body.password, new_password: 'Changed-Pass-2026' })).status, 200);
		two = await srv.login(made.body.username, 'Changed-Pass-2026');
		assert.equal(two.me.membership_id, here.id);
		const before = (await station.get(`/api/v1/visits/scorecard?${period}`)).body;
		const work = async (village, visits) => {
			const c = await two.post('/api/v1/children', { name: uniqueName('两村'), sex: 'F', birth_date: '2015-02-02', village_code: village });
			assert.equal(c.status, 201, c.text);
			for (let i = 0; i < visits; i++) {
				const v = await two.post(`/api/v1/children/${c.body.id}/visits`, { kind: 'home', visited_on: day(-i), findings: '两村走访' });
				assert.equal(v.status, 201, v.text);
			}
			return c.body;
		};
		// one visit and one report in the first village, two visits in the second
		const first = await work(OWN, 1);
		const filed = await two.post('/api/v1/requests', { child_id: first.id, kind: 'schooling', narrative: '需要助学' });
		assert.equal(filed.status, 201, filed.text);
		assert.equal((await two.post('/api/v1/me/membership', { membership_id: there.id })).status, 200);
		await work(SECOND, 2);

		const got = await station.get(`/api/v1/visits/scorecard?${period}`);
		assert.equal(got.status, 200, got.text);
		const now = got.body;
		const rowOf = (body, village) => villageOf(body, village).directors.find((d) => d.user_id === made.body.id);
		assert.deepEqual([rowOf(now, OWN).visits, rowOf(now, OWN).requests_filed], [1, 1], `the first village's own: ${JSON.stringify(rowOf(now, OWN))}`);
		assert.deepEqual([rowOf(now, SECOND).visits, rowOf(now, SECOND).requests_filed], [2, 0], `the second village's own: ${JSON.stringify(rowOf(now, SECOND))}`);
		for (const code of [OWN, SECOND]) {
			const [v, b] = [villageOf(now, code), villageOf(before, code)];
			assert.equal(v.visits, b.visits + (code === OWN ? 1 : 2), code);
			assert.ok(v.directors.reduce((n, d) => n + d.visits, 0) <= v.visits, `the directors' visits within the village's: ${JSON.stringify(v)}`);
			assert.ok(v.directors.reduce((n, d) => n + d.requests_filed, 0) <= v.requests_filed, `and their reports: ${JSON.stringify(v)}`);
		}
		// the township's and the county's totals count each of the three visits once
		assert.equal(now.totals.visits, before.totals.visits + 3);
		assert.equal(now.totals.visits, now.villages.reduce((n, v) => n + v.visits, 0));
		const county = (await centre.get(`/api/v1/visits/scorecard?${period}`)).body;
		assert.equal(county.totals.visits, county.villages.reduce((n, v) => n + v.visits, 0));
		assert.deepEqual([rowOf(county, OWN).visits, rowOf(county, SECOND).visits], [1, 2], 'the same on the county\'s card');
		// narrowed to one village, the same
		assert.equal(rowOf((await station.get(`/api/v1/visits/scorecard?${period}&area=${SECOND}`)).body, SECOND).visits, 2);
		// the director's own card in the second village
		const own = (await two.get(`/api/v1/visits/scorecard?${period}`)).body;
		assert.deepEqual(own.villages.map((x) => x.village_code), [SECOND]);
		assert.equal(rowOf(own, SECOND).visits, 2);
	});

	test('the supervisor reviews each director for a year or a quarter; the scorecard shows the review, the director sees it', async () => {
		const me = director.me.user.id;
		const today = day(0);
		const quarter = `${today.slice(0, 4)}-Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
		const put = (client, period, body, id = me) => client.request('PUT', `/api/v1/directors/${id}/reviews/${period}`, { json: body });
		const r = await put(supervisor, quarter, { rating: 'competent', comment: '走访及时，台账清楚。' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.rating, 'competent');
		assert.equal(r.body.village_code, OWN);
		assert.equal(r.body.by, supervisor.me.user.display_name);
		// changed in place: one review per director and period, first written when it was
		await sql(srv.db, `UPDATE director_reviews SET created_at = 1000 WHERE director_id = ${me}`);
		// blanks around a comment are dropped (the ideographic space too); a comment of blanks is none
		const blank = await put(supervisor, quarter, { rating: 'competent', comment: ' \u3000 \n' });
		assert.equal(blank.status, 200, blank.text);
		assert.equal(blank.body.comment, '');
		const again = await put(supervisor, quarter, { rating: 'excellent', comment: '\u3000走访及时，反馈到位。 ' });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.body.created_at, 1000, 'a change keeps when it was first written');
		assert.ok(again.body.updated_at >= r.body.updated_at);
		const card = (await station.get(`/api/v1/visits/scorecard?area=${OWN}`)).body;
		assert.equal(card.review_period, quarter, 'by default the quarter of the period\'s end');
		const mine = villageOf(card, OWN).directors.find((d) => d.user_id === me);
		assert.equal(mine.review.rating, 'excellent');
		assert.equal(mine.review.comment, '走访及时，反馈到位。');
		// the director sees the own review; another period has none
		const own = (await director.get('/api/v1/visits/scorecard')).body;
		assert.equal(villageOf(own, OWN).directors.find((d) => d.user_id === me).review.rating, 'excellent');
		const year = (await station.get(`/api/v1/visits/scorecard?area=${OWN}&review_period=2000`)).body;
		assert.equal(villageOf(year, OWN).directors.find((d) => d.user_id === me).review, null);
		// the download names the rating in words
		const file = csvObjects((await station.get(`/api/v1/visits/scorecard?area=${OWN}&format=csv`)).text.replace(/^\uFEFF/, ''));
		assert.match(file.find((x) => x['村（社区）代码'] === OWN)['考核评价'], /：优秀/);
		// who may, and every wrong field by name with nothing written
		assert.equal((await put(station, quarter, { rating: 'basic' })).status, 403, 'the supervisor reviews');
		assert.equal((await put(centre, quarter, { rating: 'basic' })).status, 403);
		assert.equal((await put(supervisorFar, quarter, { rating: 'basic' })).status, 404, 'not another township\'s director');
		assert.equal((await put(supervisor, quarter, { rating: 'basic' }, station.me.user.id)).status, 404, 'only directors');
		for (const [period, body, field] of [
			[`${Number(today.slice(0, 4)) + 1}`, { rating: 'basic' }, 'period'],
			['2026-Q5', { rating: 'basic' }, 'period'],
			['26', { rating: 'basic' }, 'period'],
			[quarter, { rating: 'good' }, 'rating'],
			[quarter, {}, 'rating'],
			[quarter, { rating: 'basic', comment: '评'.repeat(501) }, 'comment'],
			[quarter, { rating: 'basic', score: 90 }, 'score'],
		]) {
			const x = await put(supervisor, period, body);
			assert.equal(x.status, 422, `${period} ${JSON.stringify(body)}: ${x.text}`);
			assert.equal(x.body.error.field, field);
		}
		assert.equal((await station.get(`/api/v1/visits/scorecard?review_period=2026-Q9`)).body.error.field, 'review_period');
		const after = (await station.get(`/api/v1/visits/scorecard?area=${OWN}`)).body;
		assert.equal(villageOf(after, OWN).directors.find((d) => d.user_id === me).review.rating, 'excellent', 'nothing written by a refusal');
		const log = await auditor.get(`/api/v1/audit?action=director.review&object_id=${me}`);
		assert.equal(log.body.items.length, 3, 'each review is audited');
		assert.equal(JSON.parse(log.body.items[0].detail).rating, 'excellent');
	});

	test('the scorecard as a spreadsheet: a row per village and the totals', async () => {
		const json = (await station.get(`/api/v1/visits/scorecard?from=${day(-30)}&to=${day(0)}`)).body;
		const r = await station.get(`/api/v1/visits/scorecard?from=${day(-30)}&to=${day(0)}&format=csv`);
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-disposition'), /scorecard-\d{8}\.csv/);
		const rows = csvObjects(r.text.replace(/^\uFEFF/, ''));
		assert.equal(rows.length, json.villages.length + 1);
		assert.equal(Number(r.headers.get('x-export-rows')), json.villages.length, 'the totals row is not counted');
		const v = json.villages.find((x) => x.in_plan > 0);
		const row = rows.find((x) => x['村（社区）代码'] === v.village_code);
		assert.equal(row['村（社区）'], v.village_name);
		assert.equal(Number(row['纳入计划']), v.in_plan);
		assert.equal(Number(row['逾期']), v.overdue);
		assert.equal(row['覆盖率（%）'], (v.coverage * 100).toFixed(1));
		assert.equal(row['儿童主任'], v.directors.map((d) => d.name).join(';'));
		const total = rows[rows.length - 1];
		assert.equal(total['村（社区）'], '合计');
		assert.equal(Number(total['走访次数']), json.totals.visits);
		const en = csvObjects((await station.get('/api/v1/visits/scorecard?format=csv&lang=en')).text.replace(/^\uFEFF/, ''));
		assert.equal(en[en.length - 1].Village, 'Total');
	});

	test('who may read it, and every wrong parameter named', async () => {
		assert.equal((await department.get('/api/v1/visits/scorecard')).status, 403);
		assert.equal((await grid.get('/api/v1/visits/scorecard')).status, 403);
		for (const [q, field] of [
			['from=2026-13-01', 'from'],
			['to=yesterday', 'to'],
			[`from=${day(0)}&to=${day(-1)}`, 'to'],
			[`from=${day(-400)}&to=${day(0)}`, 'to'],
			['area=370831001001001', 'area'],
			['area=12', 'area'],
		]) {
			const r = await station.get(`/api/v1/visits/scorecard?${q}`);
			assert.equal(r.status, 422, `${q}: ${r.text}`);
			assert.equal(r.body.error.field, field, q);
		}
		// an area outside the caller's own is refused on its field, as the talks do, not answered empty
		for (const path of ['/api/v1/visits/scorecard?area=370831101', '/api/v1/visits/scorecard?area=370831101201', '/api/v1/visits/plan?area=370831101201']) {
			const far = await station.get(path);
			assert.equal(far.status, 422, `${path}: ${far.text}`);
			assert.equal(far.body.error.field, 'area');
		}
		// one's own township, and a village in it, are fine
		assert.equal((await station.get(`/api/v1/visits/plan?area=${OWN}`)).status, 200);
		assert.equal((await station.get(`/api/v1/visits/scorecard?area=${OWN.slice(0, 9)}`)).status, 200);
	});
});

describeEachDriver('visits: risk changes written before they named their visit (migration 0040)', (driver) => {
	let srv;

	after(async () => {
		await srv?.stop();
	});

	test('after weibao migrate, voiding the second of two assessing visits (the first voided before) brings back the level from before both', async () => {
		srv = await startServer(driver);
		const director = await srv.login('director');
		const c = await director.post('/api/v1/children', { name: uniqueName('走访'), sex: 'M', birth_date: '2014-06-01', village_code: OWN });
		assert.equal(c.status, 201, c.text);
		const id = c.body.id;
		const visit = (on, risk_level) =>
			director.post(`/api/v1/children/${id}/visits`, { kind: 'home', visited_on: day(on), findings: '家中无人，电话联系监护人。', risk_level });
		const a = await visit(-3, 'medium');
		const b = await visit(-2, 'high');
		assert.equal(b.status, 201, b.text);
		const reason = { reason: '记错了儿童' };
		const first = await director.post(`/api/v1/children/${id}/visits/${b.body.id}/void`, reason);
		assert.equal(first.body.risk_restored, 'medium');

		await srv.stop({ keep: true });
		await backToSchema(srv.db, 39);
		const m = await cli(srv.db, ['migrate']);
		assert.equal(m.code, 0, m.stderr);
		const named = await sql(srv.db, `SELECT COUNT(visit_id) FROM child_changes WHERE child_id = ${id} AND field = 'risk_level'`);
		assert.equal(named, '3', 'both visits\' changes and the void\'s name their visit again');
		const db = srv.db;
		srv = await spawnServer(db);
		srv.ownsDb = true;
		const director2 = await srv.login('director');
		const second = await director2.post(`/api/v1/children/${id}/visits/${a.body.id}/void`, reason);
		assert.equal(second.status, 200, second.text);
		assert.equal(second.body.risk_restored, 'low');
		assert.equal((await director2.get(`/api/v1/children/${id}`)).body.risk_level, 'low');
	});
});
