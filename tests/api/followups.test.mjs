// Follow-up visits (回访) of help requests (SPEC §4: "follow-up visits can
// be scheduled"): a request's child is to be visited again by a day. The
// first visit to the child in its window — after the day it was scheduled,
// from a week before its day (or any later day) — completes it; open ones
// past their day are overdue on the lists of the
// village and the township; only those who may visit the child schedule
// one, and every read and change is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, sql, cli, uniqueName } from './lib/harness.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { bornYearsBefore } from './lib/registry.mjs';
import { step, inbox } from './lib/loop.mjs';

const VILLAGE = '370831001001'; // director's village, township 370831001 (station)
const day = (offset = 0) => chinaDate(offset).iso;

describeEachDriver('follow-up visits', (driver) => {
	let srv, centre, station, far, director, director2, department, committee, auditor, supervisor, supervisorFar;

	const child = async () => {
		const r = await director.post('/api/v1/children', { name: uniqueName('回访'), sex: 'F', birth_date: bornYearsBefore(8), village_code: VILLAGE });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const request = async (body) => {
		const r = await director.post('/api/v1/requests', { kind: 'living_hardship', narrative: '家中困难，需要帮助', ...body });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const schedule = (client, id, body = {}) => client.post(`/api/v1/requests/${id}/follow-ups`, { due_on: day(7), note: '看看孩子的学习和生活', ...body });
	const listOf = async (client, q = '') => {
		const r = await client.get(`/api/v1/follow-ups${q}`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};

	before(async () => {
		srv = await startServer(driver);
		[centre, station, far, director, director2, department, committee, auditor, supervisor, supervisorFar] = await Promise.all(
			['center', 'station', 'station02', 'director', 'director2', 'department', 'committee', 'auditor', 'supervisor', 'supervisor03'].map((u) =>
				srv.login(u),
			),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a director schedules a follow-up; it shows on the request and on the lists of the village, the township and the county', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const r = await schedule(director, q.id);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.state, 'open');
		assert.equal(r.body.due_on, day(7));
		assert.equal(r.body.child.id, c.id);
		assert.equal(r.body.child.name, c.name);
		assert.equal(r.body.note, '看看孩子的学习和生活');
		assert.equal(r.body.created_by, director.me.user.id, 'the account that scheduled it');

		const detail = await director.get(`/api/v1/requests/${q.id}`);
		assert.deepEqual(detail.body.follow_ups.map((f) => [f.id, f.state]), [[r.body.id, 'open']]);
		for (const client of [director, station, centre]) {
			const l = await listOf(client);
			assert.ok(l.items.some((f) => f.id === r.body.id), `${client.username} sees it`);
			assert.equal(l.items.find((f) => f.id === r.body.id).request_kind, 'living_hardship', 'named by its request\'s kind');
			assert.ok(l.counts.open >= 1);
		}
		for (const client of [far, director2]) assert.ok(!(await listOf(client)).items.some((f) => f.id === r.body.id), 'not another township\'s or village\'s');
		const byArea = await listOf(centre, `?area=${VILLAGE}`);
		assert.ok(byArea.items.every((f) => f.child.village_code === VILLAGE));
		const county = await centre.get('/api/v1/follow-ups?area=370831');
		assert.equal(county.status, 200, 'the own county is an area too');
		for (const path of ['/api/v1/follow-ups?area=370831999', '/api/v1/visits/plan?area=370831999', '/api/v1/entitlements?area=370831999']) {
			const none = await centre.get(path);
			assert.equal(none.status, 422, `${path}: a township no county has is a typing error, not "nothing there"`);
			assert.equal(none.body.error.field, 'area');
		}
		// the committee reads the request without the child: no follow-ups
		const meta = await committee.get(`/api/v1/requests/${q.id}`);
		assert.equal(meta.status, 200, meta.text);
		assert.equal(meta.body.follow_ups, undefined);

		const log = await auditor.get(`/api/v1/audit?action=follow_up.create&object_id=${q.id}`);
		assert.equal(log.body.items.length, 1);
		assert.equal(JSON.parse(log.body.items[0].detail).due_on, day(7));
		assert.ok((await auditor.get('/api/v1/audit?action=follow_up.list&limit=1')).body.items.length === 1, 'the list is audited');
	});

	test('a visit on the day a follow-up is scheduled does not complete it, even in the week before its day', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const f = (await schedule(director, q.id, { due_on: day(4) })).body;
		const routine = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: day(0), findings: '例行走访' });
		assert.equal(routine.status, 201, routine.text);
		assert.equal(routine.body.follow_ups_done, 0, 'the routine visit of the day it was asked for is not the follow-up');
		const now = (await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups[0];
		assert.equal(now.state, 'open');
		assert.equal(now.visit_id, null);
		assert.ok((await listOf(director)).items.some((x) => x.id === f.id), 'still on the open list');
	});

	test('a visit completes a follow-up in its window: after the day it was scheduled, from a week before its day; earlier ones do not', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const f = (await schedule(director, q.id)).body;
		// time passes: it was scheduled 30 days ago for yesterday
		await sql(srv.db, `UPDATE follow_ups SET created_on = '${day(-30)}', due_on = '${day(-1)}' WHERE id = ${f.id}`);
		const visit = (on, findings, kind = 'home') => director.post(`/api/v1/children/${c.id}/visits`, { kind, visited_on: on, findings });
		const stateOf = async () => (await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups[0];
		for (const [on, why] of [
			[day(-31), 'a visit before the follow-up was asked for is not the follow-up'],
			[day(-30), 'nor one on the day it was asked for'],
			[day(-9), 'nor one eight days before its day'],
		]) {
			const r = await visit(on, '走访');
			assert.equal(r.status, 201, r.text);
			assert.equal(r.body.follow_ups_done, 0, why);
			assert.equal((await stateOf()).state, 'overdue', why);
		}

		const v = await visit(day(-8), '孩子生活有改善，学习正常。'); // seven days before its day
		assert.equal(v.status, 201, v.text);
		assert.equal(v.body.follow_ups_done, 1);
		const done = await stateOf();
		assert.equal(done.state, 'done');
		assert.equal(done.done_on, day(-8));
		assert.equal(done.visit_id, v.body.id);
		assert.ok(!(await listOf(director)).items.some((x) => x.id === f.id), 'gone from the open list');
		assert.ok((await listOf(director, '?state=done')).items.some((x) => x.id === f.id));
		assert.ok((await listOf(director)).counts.done_30d >= 1);
		const again = await visit(day(0), '电话回访', 'phone');
		assert.equal(again.body.follow_ups_done, 0, 'done once');
		// the visit that completed it turns out a mistake: voided, the later phone call (overdue by then) completes it
		const voided = await director.post(`/api/v1/children/${c.id}/visits/${v.body.id}/void`, { reason: '记错了日期，当天没有去' });
		assert.equal(voided.status, 200, voided.text);
		assert.equal(voided.body.follow_ups_reopened, 0);
		const moved = await stateOf();
		assert.equal(moved.state, 'done');
		assert.equal(moved.visit_id, again.body.id);
		// that one voided too: the latest visit left was too early for it, so it is due again
		const both = await director.post(`/api/v1/children/${c.id}/visits/${again.body.id}/void`, { reason: '重复录入' });
		assert.equal(both.status, 200, both.text);
		assert.equal(both.body.follow_ups_reopened, 1);
		const reopened = await stateOf();
		assert.equal(reopened.state, 'overdue');
		assert.equal(reopened.visit_id, null);
		assert.ok((await listOf(director)).items.some((x) => x.id === f.id), 'on the open list again');
	});

	test('voiding the visit that did a follow-up reopens it, even if a visit of the same day was recorded before it was asked for', async () => {
		const c = await child();
		const before = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: day(0), findings: '上门走访，情况一般' });
		assert.equal(before.status, 201, before.text);
		await new Promise((res) => setTimeout(res, 1100)); // times are kept to the second: the follow-up is asked for a second later
		const q = await request({ child_id: c.id });
		const f = (await schedule(director, q.id)).body;
		// scheduled some days ago (the day's visits are in its window), asked for after the visit was recorded
		await sql(srv.db, `UPDATE follow_ups SET created_on = '${day(-10)}', due_on = '${day(3)}' WHERE id = ${f.id}`);
		assert.equal((await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups[0].state, 'open', 'the visit before it does not do it');
		const call = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'phone', visited_on: day(0), findings: '电话回访' });
		assert.equal(call.body.follow_ups_done, 1);
		const voided = await director.post(`/api/v1/children/${c.id}/visits/${call.body.id}/void`, { reason: '录错了孩子' });
		assert.equal(voided.status, 200, voided.text);
		assert.equal(voided.body.follow_ups_reopened, 1);
		const now = (await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups.find((x) => x.id === f.id);
		assert.equal(now.state, 'open', JSON.stringify(now));
		assert.equal(now.visit_id, null, 'not handed to the visit recorded before it was asked for');
	});

	test('voiding the visit that did a follow-up hands it to another visit in its window, though a later visit is not', async () => {
		const c = await child();
		const visit = (on, findings, kind = 'home') => director.post(`/api/v1/children/${c.id}/visits`, { kind, visited_on: on, findings });
		// the child's latest visit (today) was recorded before the follow-up was asked for: not its
		const latest = await visit(day(0), '上门走访，情况一般');
		assert.equal(latest.status, 201, latest.text);
		await new Promise((res) => setTimeout(res, 1100)); // times are kept to the second
		const q = await request({ child_id: c.id });
		const f = (await schedule(director, q.id)).body;
		// scheduled 30 days ago for yesterday: the last week's visits are in its window
		await sql(srv.db, `UPDATE follow_ups SET created_on = '${day(-30)}', due_on = '${day(-1)}' WHERE id = ${f.id}`);
		const stateOf = async () => (await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups.find((x) => x.id === f.id);
		const wrong = await visit(day(-5), '电话回访', 'phone');
		assert.equal(wrong.body.follow_ups_done, 1);
		const real = await visit(day(-8), '孩子生活有改善'); // seven days before its day, recorded after it was asked for
		assert.equal(real.status, 201, real.text);
		assert.equal(real.body.follow_ups_done, 0, 'done already');
		assert.equal((await stateOf()).visit_id, wrong.body.id);

		const voided = await director.post(`/api/v1/children/${c.id}/visits/${wrong.body.id}/void`, { reason: '录错了孩子' });
		assert.equal(voided.status, 200, voided.text);
		assert.equal(voided.body.follow_ups_reopened, 0, 'another visit in its window does it');
		const now = await stateOf();
		assert.equal(now.state, 'done', JSON.stringify(now));
		assert.equal(now.visit_id, real.body.id, 'the visit in its window, not the latest one');
		assert.equal(now.done_on, day(-8));

		// that one voided too: only the visit recorded before it was asked for is left, so it is due again
		const again = await director.post(`/api/v1/children/${c.id}/visits/${real.body.id}/void`, { reason: '重复录入' });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.body.follow_ups_reopened, 1);
		const open = await stateOf();
		assert.equal(open.state, 'overdue');
		assert.equal(open.visit_id, null);
	});

	test('past its day an open follow-up is overdue, first on the list', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const f = (await schedule(station, q.id, { due_on: day(1) })).body;
		assert.equal(f.state, 'open', 'due tomorrow is not overdue yet');
		// time passes: the day was yesterday
		await sql(srv.db, `UPDATE follow_ups SET due_on = '${day(-1)}', created_on = '${day(-10)}' WHERE id = ${f.id}`);
		const over = await listOf(station, '?state=overdue');
		assert.equal(over.items[0].due_on <= day(-1), true);
		assert.ok(over.items.some((x) => x.id === f.id && x.state === 'overdue'));
		assert.ok(over.counts.overdue >= 1);
		assert.ok(over.items.every((x) => x.state === 'overdue'));
		// the overview counts it for the township, and the counts agree with the list
		const ov = await station.get('/api/v1/overview');
		assert.equal(ov.status, 200, ov.text);
		assert.equal(ov.body.townships[0].follow_ups.overdue, over.counts.overdue);
		assert.equal(ov.body.townships[0].follow_ups.open, over.counts.open);
		const county = await centre.get('/api/v1/overview');
		assert.ok(county.body.totals.follow_ups.overdue >= over.counts.overdue);
		// the centre narrowed to the township counts what the township does
		const narrowed = await listOf(centre, '?state=overdue&area=370831001');
		assert.deepEqual(narrowed.counts, over.counts);
		assert.equal(narrowed.items.length, Math.min(over.counts.overdue, narrowed.items.length));
	});

	test('past its day an open follow-up alerts the village\'s child director and the township\'s supervisor, once a day until done (fake clock)', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const f = (await schedule(station, q.id, { due_on: day(1) })).body;
		// another child's follow-up, visited in time: no alert
		const c2 = await child();
		const q2 = await request({ child_id: c2.id });
		const f2 = (await schedule(director, q2.id, { due_on: day(1) })).body;
		await sql(srv.db, `UPDATE follow_ups SET created_on = '${day(-5)}' WHERE id = ${f2.id}`); // scheduled days ago
		const v = await director.post(`/api/v1/children/${c2.id}/visits`, { kind: 'home', visited_on: day(0), findings: '按时回访' });
		assert.equal(v.body.follow_ups_done, 1, v.text);

		const scan = async (at) => {
			const r = await cli(srv.db, ['deadlines', '--allow-future', '--at', at]);
			assert.equal(r.code, 0, r.stderr);
			return r.stdout;
		};
		const alerts = async (client, id = q.id) => (await inbox(client)).filter((m) => m.request_id === id && m.event === 'follow_up.overdue');
		// on its day it is not late yet
		await scan(`${day(1)}T23:00:00+08:00`);
		assert.deepEqual(await alerts(director), []);
		// the morning after: one message each to the village's director and the township's supervisor
		const out = await scan(`${day(2)}T09:00:00+08:00`);
		assert.match(out, /[1-9]\d* follow-up visits/);
		for (const client of [director, supervisor]) {
			const got = await alerts(client);
			assert.equal(got.length, 1, `${client.username}: ${JSON.stringify(got)}`);
			assert.equal(got[0].stage, 'follow_up');
			assert.equal(got[0].due_at, Date.parse(`${day(2)}T00:00:00+08:00`) / 1000, 'the end of the follow-up\'s day');
			assert.equal(got[0].read, false);
		}
		for (const client of [station, director2, supervisorFar]) assert.deepEqual(await alerts(client), [], `not ${client.username}`);
		assert.deepEqual(await alerts(director, q2.id), [], 'a follow-up done in time does not alert');
		// scanned again the same morning: nothing more; a day later: once again
		await scan(`${day(2)}T10:00:00+08:00`);
		assert.equal((await alerts(supervisor)).length, 1, 'once per day');
		await scan(`${day(3)}T09:30:00+08:00`);
		assert.equal((await alerts(supervisor)).length, 2, 'repeated after the county\'s interval while still open');
		assert.equal((await alerts(director)).length, 2);
		// cancelled: no more
		assert.equal((await station.post(`/api/v1/follow-ups/${f.id}/cancel`, {})).status, 200);
		await scan(`${day(5)}T09:00:00+08:00`);
		assert.equal((await alerts(supervisor)).length, 2, 'a cancelled follow-up does not alert');
		// the scan is audited with its count of follow-up alerts
		const log = await auditor.get('/api/v1/audit?action=loop.deadline_scan&limit=50');
		assert.ok(log.body.items.some((e) => JSON.parse(e.detail).follow_ups >= 1), log.text);
	});

	test('cancelling: by whoever scheduled it, the township or the centre, once', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const f = (await schedule(director, q.id, { due_on: day(3) })).body;
		await sql(srv.db, `UPDATE follow_ups SET created_on = '${day(-5)}' WHERE id = ${f.id}`); // a visit today would do it
		assert.equal((await far.post(`/api/v1/follow-ups/${f.id}/cancel`, {})).status, 404, 'not in another township');
		const x = await station.post(`/api/v1/follow-ups/${f.id}/cancel`, {});
		assert.equal(x.status, 200, x.text);
		assert.equal(x.body.state, 'cancelled');
		assert.equal((await director.post(`/api/v1/follow-ups/${f.id}/cancel`, {})).status, 409);
		assert.ok(!(await listOf(director)).items.some((y) => y.id === f.id));
		const v = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: day(0), findings: '走访' });
		assert.equal(v.body.follow_ups_done, 0, 'a cancelled follow-up is not completed');
		const log = await auditor.get(`/api/v1/audit?action=follow_up.cancel&object_id=${q.id}`);
		assert.equal(log.body.items[0].username, 'station');
	});

	test('a follow-up is due tomorrow at the earliest: one due today could only be completed once overdue', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		for (const due of [day(0), day(-1)]) {
			const r = await schedule(director, q.id, { due_on: due });
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, 'due_on');
			assert.match(r.body.error.message, /tomorrow at the earliest/);
		}
		assert.deepEqual((await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups, [], 'nothing scheduled');
		// tomorrow is accepted
		const f = await schedule(director, q.id, { due_on: day(1) });
		assert.equal(f.status, 201, f.text);
		assert.equal(f.body.due_on, day(1));
		assert.equal(f.body.state, 'open');
	});

	test('who may schedule, and every wrong field is refused by name with nothing written', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		for (const client of [department, committee, auditor]) {
			const r = await schedule(client, q.id);
			assert.equal(r.status, 403, `${client.username}: ${r.text}`);
		}
		assert.equal((await schedule(director2, q.id)).status, 404, 'another village does not see the request');
		assert.equal((await director2.get('/api/v1/follow-ups')).status, 200);
		for (const [body, field] of [
			[{ due_on: day(-1) }, 'due_on'],
			[{ due_on: day(0) }, 'due_on'],
			[{ due_on: day(400) }, 'due_on'],
			[{ due_on: '2026-02-30' }, 'due_on'],
			[{ due_on: undefined }, 'due_on'],
			[{ note: '注'.repeat(201) }, 'note'],
			[{ when: day(1) }, 'when'],
		]) {
			const r = await schedule(director, q.id, body);
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.deepEqual((await director.get(`/api/v1/requests/${q.id}`)).body.follow_ups, []);

		// a request about a child nobody has registered yet
		const anon = await request({ village_code: VILLAGE, child_description: '约10岁男孩，未登记' });
		const n = await schedule(director, anon.id);
		assert.equal(n.status, 409);
		assert.equal(n.body.error.code, 'no_child');
		// a withdrawn request
		const w = await request({ child_id: c.id, kind: 'bullying' });
		await step(director, w.id, 'withdraw', { reason: '已由学校处理' });
		const wr = await schedule(director, w.id);
		assert.equal(wr.status, 409);
		assert.equal(wr.body.error.code, 'withdrawn');
		for (const [q2, field] of [['?state=late', 'state'], ['?area=12', 'area'], ['?area=370831101', 'area'], ['?area=370831001999', 'area']]) {
			const r = await director.get(`/api/v1/follow-ups${q2}`);
			assert.equal(r.status, 422);
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await department.get('/api/v1/follow-ups')).status, 403);
	});

	const scanAt = async (at) => {
		const r = await cli(srv.db, ['deadlines', '--allow-future', '--at', at]);
		assert.equal(r.code, 0, r.stderr);
	};
	const overdueAlerts = async (client, id) => (await inbox(client)).filter((m) => m.request_id === id && m.event === 'follow_up.overdue');

	test('withdrawing a request cancels its open follow-ups in the same step: off the lists, no overdue alerts; the child\'s other requests keep theirs', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const other = await request({ child_id: c.id, kind: 'schooling' });
		const f = (await schedule(director, q.id, { due_on: day(1) })).body;
		const kept = (await schedule(director, other.id, { due_on: day(1) })).body;
		const withdrawn = await step(director, q.id, 'withdraw', { reason: '家长已自行解决' });
		assert.equal(withdrawn.state, 'withdrawn');
		const detail = await director.get(`/api/v1/requests/${q.id}`);
		assert.deepEqual(detail.body.follow_ups.map((x) => [x.id, x.state]), [[f.id, 'cancelled']], 'cancelled with the withdrawal');
		const open = await listOf(director);
		assert.ok(!open.items.some((x) => x.id === f.id), 'off the open list');
		assert.ok(open.items.some((x) => x.id === kept.id), 'the other request\'s follow-up stays');
		assert.equal((await station.post(`/api/v1/follow-ups/${f.id}/cancel`, {})).status, 409, 'not open any more');
		// the withdrawal's audit entry says how many it cancelled
		const log = await auditor.get(`/api/v1/audit?action=request.withdraw&object_id=${q.id}`);
		assert.equal(log.body.items.length, 1, log.text);
		assert.equal(JSON.parse(log.body.items[0].detail).follow_ups_cancelled, 1);
		// past its day: no alert for the withdrawn request's follow-up, one for the other's
		await scanAt(`${day(3)}T09:00:00+08:00`);
		for (const client of [director, supervisor]) {
			assert.deepEqual(await overdueAlerts(client, q.id), [], `${client.username}: no alert for a withdrawn request`);
			assert.equal((await overdueAlerts(client, other.id)).length, 1, `${client.username}: the open one alerts`);
		}
	});

	test('archiving a child cancels the open follow-ups of its requests; restored, the child does not get them back and they do not alert', async () => {
		const c = await child();
		const q = await request({ child_id: c.id });
		const f = (await schedule(director, q.id, { due_on: day(1) })).body;
		const archived = await centre.post(`/api/v1/children/${c.id}/archive`, { reason: 'moved_away', note: '随父母迁往外省' });
		assert.equal(archived.status, 200, archived.text);
		// archived by mistake: back in active work, without the follow-up
		const restored = await centre.post(`/api/v1/children/${c.id}/restore`, { note: '误归档' });
		assert.equal(restored.status, 200, restored.text);
		const detail = await director.get(`/api/v1/requests/${q.id}`);
		assert.equal(detail.status, 200, detail.text);
		assert.deepEqual(detail.body.follow_ups.map((x) => [x.id, x.state]), [[f.id, 'cancelled']], 'cancelled by the archiving');
		assert.ok(!(await listOf(director)).items.some((x) => x.id === f.id), 'not on the open list');
		assert.ok(!(await listOf(station, '?state=all')).items.some((x) => x.id === f.id && x.state !== 'cancelled'));
		await scanAt(`${day(4)}T09:00:00+08:00`);
		for (const client of [director, supervisor]) assert.deepEqual(await overdueAlerts(client, q.id), [], `${client.username}: no alert`);
		// a new follow-up can be scheduled for the restored child
		const again = await schedule(director, q.id, { due_on: day(2) });
		assert.equal(again.status, 201, again.text);
	});
});
