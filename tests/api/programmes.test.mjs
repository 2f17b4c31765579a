// Supporting programmes (SPEC §7): returning-entrepreneur projects and
// rural-revitalisation partners (basic → growth → core). A parent of a
// registered child who comes home to work in one is recorded as a return:
// the parent becomes present and the child's left-behind category ends with
// the reason parent_returned, in one transaction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { bornYearsBefore, categoryMap } from './lib/registry.mjs';

const OWN = '370831001001'; // director's village, township 370831001 (station)
const OTHER = '370831101201'; // director2's village, township 370831101
const day = (offset = 0) => chinaDate(offset).iso;

describeEachDriver('supporting programmes', (driver) => {
	let srv, centre, committee, station, far, director, director2, auditor;

	const programme = async (client, body = {}) => {
		const r = await client.post('/api/v1/programmes', {
			kind: 'returning_entrepreneur',
			name: uniqueName('返乡创业'),
			holder: '张建国',
			industry: '食用菌种植',
			started_on: day(-300),
			jobs: 12,
			returnees: 3,
			...body,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	// an edit as the pages send it: with the version just read
	const edit = async (client, id, body) => {
		const now = await centre.get(`/api/v1/programmes/${id}`);
		assert.equal(now.status, 200, now.text);
		return client.patch(`/api/v1/programmes/${id}`, { ...body, version: now.body.version });
	};
	// a rural child of 10 whose parents both work away, its left-behind
	// category confirmed
	const leftBehind = async (client = director, village = OWN, fatherAwaySince = undefined) => {
		const r = await client.post('/api/v1/children', {
			name: uniqueName('留守'),
			sex: 'M',
			birth_date: bornYearsBefore(10),
			village_code: village,
			hukou_type: 'rural',
			guardians: [
				{ relation: 'father', name: '王强', status: 'working_away', work_place: '苏州', ...(fatherAwaySince ? { status_since: fatherAwaySince } : {}) },
				{ relation: 'mother', name: '李芳', status: 'working_away', work_place: '苏州' },
				{ relation: 'grandmother', name: '赵兰', status: 'present' },
			],
		});
		assert.equal(r.status, 201, r.text);
		const k = await centre.post(`/api/v1/children/${r.body.id}/categories/left_behind`, {
			action: 'confirm',
			evidence_type: 'household_survey',
			evidence_ref: 'HS-2026-101',
		});
		assert.equal(k.status, 200, k.text);
		return (await centre.get(`/api/v1/children/${r.body.id}`)).body;
	};
	const listOf = async (client, q = '') => {
		const r = await client.get(`/api/v1/programmes${q}`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};

	before(async () => {
		srv = await startServer(driver);
		[centre, committee, station, far, director, director2, auditor] = await Promise.all(
			['center', 'committee', 'station', 'station02', 'director', 'director2', 'auditor'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a township records a programme in its own area; the county sees it, another township not', async () => {
		const before = await listOf(centre);
		const p = await programme(station);
		assert.equal(p.area_code, '370831001', 'the station\'s township by default');
		assert.equal(p.level, 'basic');
		assert.equal(p.status, 'active');
		const after = await listOf(centre);
		assert.ok(after.items.some((x) => x.id === p.id));
		assert.equal(after.totals.programmes, before.totals.programmes + 1);
		assert.equal(after.totals.jobs, before.totals.jobs + 12);
		assert.equal(after.totals.returnees, before.totals.returnees + 3);
		assert.ok((await listOf(committee)).items.some((x) => x.id === p.id), 'the committee follows the county');
		assert.equal((await listOf(far)).items.some((x) => x.id === p.id), false);
		assert.equal((await far.get(`/api/v1/programmes/${p.id}`)).status, 404);
		assert.equal((await far.patch(`/api/v1/programmes/${p.id}`, { jobs: 1, version: 1 })).status, 404);
		assert.equal((await committee.patch(`/api/v1/programmes/${p.id}`, { jobs: 1, version: 1 })).status, 403);
		assert.equal((await committee.post('/api/v1/programmes', { kind: 'returning_entrepreneur', name: 'x', holder: 'y', started_on: day() })).status, 403);
		for (const client of [director, auditor]) assert.equal((await client.get('/api/v1/programmes')).status, 403);
		const page = await listOf(centre, '?limit=1');
		assert.equal(page.items.length, 1);
		assert.deepEqual(page.totals, after.totals, 'the totals count every programme, not the page');
		const kinds = await listOf(centre, '?kind=revitalisation_partner');
		assert.ok(kinds.items.every((x) => x.kind === 'revitalisation_partner'));
	});

	test('every wrong field is refused with its name and nothing is written', async () => {
		const before = (await listOf(centre)).totals.programmes;
		for (const [body, field] of [
			[{ kind: 'factory' }, 'kind'],
			[{ name: ' ' }, 'name'],
			[{ name: '名'.repeat(65) }, 'name'],
			[{ holder: '' }, 'holder'],
			[{ started_on: day(2) }, 'started_on'],
			[{ started_on: '1999-12-31' }, 'started_on'],
			[{ area_code: OTHER }, 'area_code'],
			[{ area_code: '370831' }, 'area_code'],
			[{ level: 'core' }, 'level'],
			[{ jobs: -1 }, 'jobs'],
			[{ status: 'ended' }, 'status'],
			[{ owner: 'x' }, 'owner'],
		]) {
			const r = await station.post('/api/v1/programmes', {
				kind: 'returning_entrepreneur',
				name: '测试',
				holder: '张三',
				started_on: day(-10),
				...body,
			});
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await listOf(centre)).totals.programmes, before, 'nothing was written');
	});

	test('a partner moves basic → growth → core; each move and the end are logged; an ended programme takes no returns', async () => {
		const p = await programme(centre, { kind: 'revitalisation_partner', area_code: OWN, name: uniqueName('合伙人') });
		const g = await edit(centre, p.id, { level: 'growth' });
		assert.equal(g.status, 200, g.text);
		const c = await edit(station, p.id, { level: 'core', jobs: 40 });
		assert.equal(c.status, 200, c.text);
		assert.equal(c.body.level, 'core');
		assert.equal(c.body.jobs, 40);
		assert.deepEqual(
			c.body.log.map((l) => [l.field, l.from, l.to]),
			[['level', null, 'basic'], ['level', 'basic', 'growth'], ['level', 'growth', 'core']],
		);
		const bad = await edit(centre, p.id, { level: 'gold' });
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'level');
		// a step at a time: core straight back to basic is refused, to growth is fine
		const jump = await edit(centre, p.id, { level: 'basic' });
		assert.equal(jump.status, 422, jump.text);
		assert.equal(jump.body.error.field, 'level');
		const fresh = await programme(centre, { kind: 'revitalisation_partner', area_code: OWN, name: uniqueName('合伙人') });
		assert.equal((await edit(centre, fresh.id, { level: 'core' })).status, 422, 'basic does not skip growth');
		const moved = await edit(centre, p.id, { area_code: OTHER });
		assert.equal(moved.body.error.field, 'area_code');
		const ent = await programme(centre, { area_code: OWN });
		const lv = await edit(centre, ent.id, { level: 'growth' });
		assert.equal(lv.status, 422, 'levels are for partners');
		const end = await edit(centre, p.id, { status: 'ended' });
		assert.equal(end.status, 200, end.text);
		assert.deepEqual(end.body.log.at(-1), { ...end.body.log.at(-1), field: 'status', from: 'active', to: 'ended' });
		const kid = await leftBehind();
		const father = kid.guardians.find((x) => x.relation === 'father');
		const r = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day() });
		assert.equal(r.status, 409, r.text);
	});

	test('a partner starts at basic, and an ended programme\'s partner keeps her level', async () => {
		const before = (await centre.get('/api/v1/programmes?kind=revitalisation_partner')).body.totals.programmes;
		for (const level of ['growth', 'core']) {
			const r = await station.post('/api/v1/programmes', {
				kind: 'revitalisation_partner',
				name: uniqueName('合伙人'),
				holder: '李振兴',
				started_on: day(-30),
				level,
			});
			assert.equal(r.status, 422, `${level}: ${r.text}`);
			assert.equal(r.body.error.field, 'level');
			assert.match(r.body.error.message, /starts at basic/);
		}
		assert.equal((await centre.get('/api/v1/programmes?kind=revitalisation_partner')).body.totals.programmes, before, 'nothing was written');
		const p = await programme(station, { kind: 'revitalisation_partner', name: uniqueName('合伙人'), level: 'basic' });
		assert.equal(p.level, 'basic');
		assert.equal((await edit(station, p.id, { level: 'growth' })).status, 200);
		const end = await edit(station, p.id, { status: 'ended' });
		assert.equal(end.status, 200, end.text);
		for (const body of [{ level: 'core' }, { level: 'basic' }, { level: 'core', status: 'active' }]) {
			const r = await edit(centre, p.id, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, 'level', JSON.stringify(body));
			assert.match(r.body.error.message, /has ended/);
		}
		const now = (await centre.get(`/api/v1/programmes/${p.id}`)).body;
		assert.equal(now.level, 'growth', 'she keeps the level she ended at');
		assert.equal(now.status, 'ended');
		assert.equal(now.version, end.body.version, 'nothing was written');
		// the rest of an ended programme's facts are still kept right
		const fix = await edit(centre, p.id, { level: 'growth', jobs: 20 });
		assert.equal(fix.status, 200, fix.text);
		assert.equal(fix.body.jobs, 20);
	});

	test('an edit saved from a stale read is refused (409 on version): it does not put a partner back nor undo the returnees a return raised', async () => {
		const p = await programme(centre, { kind: 'revitalisation_partner', area_code: OWN, name: uniqueName('合伙人'), returnees: 0 });
		assert.equal(p.version, 1);
		const read = (await station.get(`/api/v1/programmes/${p.id}`)).body; // the station's form opens on basic
		assert.equal(read.version, 1);
		const g = await centre.patch(`/api/v1/programmes/${p.id}`, { level: 'growth', version: read.version });
		assert.equal(g.status, 200, g.text);
		assert.equal(g.body.version, 2);
		assert.equal((await centre.get('/api/v1/programmes')).body.items.find((x) => x.id === p.id).version, 2, 'listed with its version');
		// the station saves what it read: basic
		const back = await station.patch(`/api/v1/programmes/${p.id}`, { level: 'basic', version: read.version });
		assert.equal(back.status, 409, back.text);
		assert.equal(back.body.error.code, 'version_conflict');
		assert.equal(back.body.error.field, 'version');
		// nor without a version: the server would only check its own read
		const blind = await station.patch(`/api/v1/programmes/${p.id}`, { level: 'basic' });
		assert.equal(blind.status, 422, blind.text);
		assert.equal(blind.body.error.code, 'required');
		assert.equal(blind.body.error.field, 'version');
		const now = (await centre.get(`/api/v1/programmes/${p.id}`)).body;
		assert.equal(now.level, 'growth', 'the partner stays where she grew');
		assert.equal(now.version, 2);
		assert.deepEqual(now.log.map((l) => [l.field, l.from, l.to]), [['level', null, 'basic'], ['level', 'basic', 'growth']], 'no line was written');

		// a return moves the programme on: an edit read before it does not undo its returnees
		const before = (await station.get(`/api/v1/programmes/${p.id}`)).body;
		const kid = await leftBehind();
		const r = await station.post(`/api/v1/programmes/${p.id}/returns`, {
			child_id: kid.id,
			guardian_id: kid.guardians.find((x) => x.relation === 'father').id,
			returned_on: day(-1),
		});
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.returnees, 1);
		assert.equal(r.body.version, before.version + 1);
		const undo = await station.patch(`/api/v1/programmes/${p.id}`, { jobs: 9, returnees: before.returnees, version: before.version });
		assert.equal(undo.status, 409, undo.text);
		assert.equal(undo.body.error.field, 'version');
		const after = (await centre.get(`/api/v1/programmes/${p.id}`)).body;
		assert.equal(after.returnees, 1);
		assert.equal(after.jobs, p.jobs);
		// with the version read after the return, the edit is saved
		const ok = await station.patch(`/api/v1/programmes/${p.id}`, { jobs: 9, version: after.version });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.body.jobs, 9);
		assert.equal(ok.body.version, after.version + 1);
		// a new programme's version is the server's
		const v = await station.post('/api/v1/programmes', { kind: 'returning_entrepreneur', name: '测试', holder: '张三', started_on: day(-10), version: 7 });
		assert.equal(v.status, 422, v.text);
		assert.equal(v.body.error.field, 'version');
	});

	test('a father comes home to work in a programme: he is present, the left-behind category ends with that reason', async () => {
		const p = await programme(station);
		const kid = await leftBehind();
		assert.equal(categoryMap(kid).left_behind.state, 'confirmed');
		const father = kid.guardians.find((x) => x.relation === 'father');
		const r = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day(-5) });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.return.left_behind_ended, true);
		assert.equal(r.body.returns, 1);
		assert.equal(r.body.left_behind_ended, 1);
		assert.equal(r.body.return_list[0].child.name, kid.name);
		assert.equal(r.body.return_list[0].relation, 'father');

		const now = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		const f = now.guardians.find((x) => x.relation === 'father');
		assert.equal(f.status, 'present');
		assert.equal(f.status_since, day(-5));
		assert.equal(now.guardians.find((x) => x.relation === 'mother').status, 'working_away', 'the mother is still away');
		const lb = categoryMap(now).left_behind;
		assert.equal(lb.state, 'ended');
		assert.equal(lb.end_reason, 'parent_returned');
		assert.equal(lb.end_date, lb.start_date > day(-5) ? lb.start_date : day(-5), 'on the return, not before the category began');
		assert.ok(lb.end_date >= lb.start_date);
		assert.equal(now.version, kid.version + 1, 'the record moved on');
		const h = await centre.get(`/api/v1/children/${kid.id}/history`);
		assert.ok(h.body.items.some((e) => e.field === 'guardians' && /father 王强: working_away/.test(e.old) && /father 王强: present/.test(e.new)), JSON.stringify(h.body.items));
		// and, as an edit of the guardians writes it, since when he is home and where he had worked
		assert.ok(
			h.body.items.some((e) => e.field === 'guardian' && /^father 王强:.*at=苏州/.test(e.old) && e.new === `father 王强: since=${day(-5)}`),
			JSON.stringify(h.body.items),
		);
		// the county's "why did left-behind end" counts it
		const ends = await centre.get(`/api/v1/stats/category-ends?category=left_behind&from=${day(-30)}&to=${day()}`);
		assert.equal(ends.status, 200, ends.text);
		assert.ok(JSON.stringify(ends.body.by_reason).includes('parent_returned'), JSON.stringify(ends.body));

		// the same father again: he is not away any more
		const again = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day() });
		assert.equal(again.status, 409);
		assert.equal(again.body.error.field, 'guardian_id');
		const totals = (await listOf(centre)).items.find((x) => x.id === p.id);
		assert.equal(totals.left_behind_ended, 1);

		// the returnees count at least the parents recorded as come home
		const few = await programme(station, { returnees: 0 });
		const kid2 = await leftBehind();
		const back = await station.post(`/api/v1/programmes/${few.id}/returns`, {
			child_id: kid2.id,
			guardian_id: kid2.guardians.find((x) => x.relation === 'father').id,
			returned_on: day(-1),
		});
		assert.equal(back.status, 201, back.text);
		assert.equal(back.body.returnees, 1, 'raised to the one father come home');
		const down = await edit(station, few.id, { returnees: 0 });
		assert.equal(down.status, 422, down.text);
		assert.equal(down.body.error.field, 'returnees');
		assert.equal((await centre.get(`/api/v1/programmes/${few.id}`)).body.returnees, 1);

		const log = await auditor.get(`/api/v1/audit?object_type=child&object_id=${kid.id}&limit=50`);
		assert.ok(log.body.items.some((e) => e.action === 'programme.return' && e.username === 'station'));
		await centre.get(`/api/v1/programmes/${p.id}`);
		const plog = await auditor.get(`/api/v1/audit?object_type=programme&object_id=${p.id}&limit=20`);
		assert.ok(plog.body.items.some((e) => e.action === 'programme.read' && e.username === 'center'), 'a read naming children');
	});

	test('a return whose child moved to another township is still listed, without the child\'s name, as the counts count it', async () => {
		const p = await programme(station);
		const kid = await leftBehind();
		const father = kid.guardians.find((x) => x.relation === 'father');
		const r = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day(-2) });
		assert.equal(r.status, 201, r.text);
		// the family moves to director2's village, in another township
		const cur = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		const moved = await centre.patch(`/api/v1/children/${kid.id}`, { version: cur.version, village_code: OTHER });
		assert.equal(moved.status, 200, moved.text);

		const reads = async () =>
			(await auditor.get(`/api/v1/audit?object_type=programme&object_id=${p.id}&limit=50`)).body.items.filter((e) => e.action === 'programme.read' && e.username === 'station').length;
		const readsBefore = await reads();
		const seen = await station.get(`/api/v1/programmes/${p.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.body.returns, 1);
		assert.equal(seen.body.left_behind_ended, 1);
		assert.equal(seen.body.return_list.length, seen.body.returns, 'the list agrees with the count');
		const row = seen.body.return_list[0];
		assert.equal(row.child, null, 'the child is not the township\'s to name any more');
		assert.equal(row.child_outside_scope, true);
		assert.equal(row.relation, 'father');
		assert.equal(row.returned_on, day(-2));
		assert.equal(row.left_behind_ended, true);
		// the centre names the child; the committee reads the row without one
		const byCentre = (await centre.get(`/api/v1/programmes/${p.id}`)).body.return_list[0];
		assert.equal(byCentre.child.id, kid.id);
		assert.equal(byCentre.child_outside_scope, undefined);
		const byCommittee = (await committee.get(`/api/v1/programmes/${p.id}`)).body.return_list;
		assert.equal(byCommittee.length, 1);
		assert.equal(byCommittee[0].child, null);
		// a read that names no child is not audited as one that does
		assert.equal(await reads(), readsBefore);
	});

	test('a parent comes home after he went away: a return dated before his status_since is refused, naming that day', async () => {
		const p = await programme(station);
		// the father has worked away since 20 days ago
		const kid = await leftBehind(director, OWN, day(-20));
		const father = kid.guardians.find((x) => x.relation === 'father');
		const was = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		assert.equal(was.guardians.find((x) => x.relation === 'father').status_since, day(-20));
		const early = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day(-30) });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.field, 'returned_on');
		assert.ok(early.body.error.message.includes(day(-20)), early.body.error.message);
		const still = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		assert.equal(still.version, was.version, 'the child was not touched');
		assert.equal(still.guardians.find((x) => x.relation === 'father').status, 'working_away');
		assert.equal(categoryMap(still).left_behind.state, 'confirmed');
		assert.equal((await centre.get(`/api/v1/programmes/${p.id}`)).body.returns, 0);
		// on the day he went away or after it, he comes home
		const back = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day(-20) });
		assert.equal(back.status, 201, back.text);
		const now = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		const lb = categoryMap(now).left_behind;
		assert.equal(lb.state, 'ended');
		assert.ok(lb.end_date >= lb.start_date, JSON.stringify(lb));
	});

	test('a return names a parent of a child of the caller\'s area, on a day not ahead; nothing is half-written', async () => {
		const p = await programme(station);
		const kid = await leftBehind();
		const gran = kid.guardians.find((x) => x.relation === 'grandmother');
		const father = kid.guardians.find((x) => x.relation === 'father');
		const otherKid = await leftBehind(director2, OTHER);
		const otherFather = otherKid.guardians.find((x) => x.relation === 'father');
		for (const [body, field, status] of [
			[{ guardian_id: gran.id }, 'guardian_id', 422],
			[{ guardian_id: otherFather.id }, 'guardian_id', 422],
			[{ child_id: otherKid.id, guardian_id: otherFather.id }, 'child_id', 422],
			[{ returned_on: day(1) }, 'returned_on', 422],
			[{ returned_on: day(-400) }, 'returned_on', 422],
			[{ reason: 'x' }, 'reason', 422],
		]) {
			const r = await station.post(`/api/v1/programmes/${p.id}/returns`, { child_id: kid.id, guardian_id: father.id, returned_on: day(), ...body });
			assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const still = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		assert.equal(still.version, kid.version, 'the child was not touched');
		assert.equal(categoryMap(still).left_behind.state, 'confirmed');
		assert.equal((await centre.get(`/api/v1/programmes/${p.id}`)).body.returns, 0);
	});
});
