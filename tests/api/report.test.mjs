// The monthly report (月度工作报告, SPEC §8): per township and for the county,
// what happened in a month — children registered, categories confirmed,
// visits, help requests filed, closed and answered, counselling, caring
// mothers paired, parents come home, benefits started and
// paid, the projects' money — for the committee and the centre (the county)
// and a township's staff (their own township); figures that follow what
// was written, as JSON and as CSV, without any child named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { act, step, unitIds } from './lib/loop.mjs';
import { bornYearsBefore, csvObjects } from './lib/registry.mjs';
import { chinaDate } from './lib/idnum.mjs';

const OWN = '370831001001'; // director's village
const TOWNSHIP = '370831001';
const month = () => chinaDate().iso.slice(0, 7);

describeEachDriver('the monthly report', (driver) => {
	let srv, committee, centre, station, director, hopeOrg, units;
	const townOf = (body, code = TOWNSHIP) => body.townships.find((t) => t.code === code);
	const report = async (client, q = '') => {
		const r = await client.get(`/api/v1/reports/monthly?month=${month()}${q}`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};

	before(async () => {
		srv = await startServer(driver);
		[committee, centre, station, director, hopeOrg] = await Promise.all(
			['committee', 'center', 'station', 'director', 'org_hope_rooms'].map((u) => srv.login(u)),
		);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	test('the county: every township, totals that add up, the month\'s days', async () => {
		const r = await report(committee);
		assert.equal(r.townships.length, 13);
		assert.equal(r.month, month());
		assert.equal(r.from, `${month()}-01`);
		assert.ok(r.to >= r.from && r.to.startsWith(month()));
		for (const [sec, name] of [['children', 'total'], ['visits', 'visits'], ['categories', 'confirmed'], ['entitlements', 'paid_cents']]) {
			assert.equal(r.totals[sec][name], r.townships.reduce((s, t) => s + t[sec][name], 0) + r.county_wide[sec][name], `${sec}.${name}`);
		}
		assert.ok(r.totals.children.total > 0);
		const ledger = await centre.get(`/api/v1/entitlements/ledger?month=${month()}`);
		assert.equal(r.totals.entitlements.paid_cents, ledger.body.total_cents, 'paid as the ledger pays');
		assert.equal(JSON.stringify(r).includes('"name":"泗河街道"'), true);
		assert.equal(/child_id|id_number/.test(JSON.stringify(r)), false, 'no child in it');
	});

	test('what is written this month shows in the township\'s figures', async () => {
		const { y, m } = chinaDate();
		const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
		const lastMonth = async () => {
			const r = await station.get(`/api/v1/reports/monthly?month=${prev}`);
			assert.equal(r.status, 200, r.text);
			return townOf(r.body);
		};
		const oldBefore = await lastMonth();
		const before = townOf(await report(station));
		const c = await director.post('/api/v1/children', {
			name: uniqueName('月报'),
			sex: 'M',
			birth_date: bornYearsBefore(5),
			village_code: OWN,
			disability_grade: 1,
			disability_type: 'physical',
		});
		assert.equal(c.status, 201, c.text);
		const v = await director.post(`/api/v1/children/${c.body.id}/visits`, { kind: 'home', visited_on: chinaDate().iso, findings: '入户走访，情况良好。' });
		assert.equal(v.status, 201, v.text);
		const q = await director.post('/api/v1/requests', { village_code: OWN, kind: 'medical', narrative: '需要康复帮助' });
		assert.equal(q.status, 201, q.text);
		const pol = (await centre.get('/api/v1/policies')).body.items.find((p) => p.code === 'rehab_aid');
		const rec = await station.post(`/api/v1/children/${c.body.id}/entitlements`, { policy_id: pol.id, from_month: month() });
		assert.equal(rec.status, 201, rec.text);
		const proj = await centre.post('/api/v1/projects', { org_id: units.hope_rooms, kind: 'service', name: uniqueName('月报项目'), area_code: OWN });
		assert.equal(proj.status, 201, proj.text);
		const gift = await hopeOrg.post(`/api/v1/projects/${proj.body.id}/funds`, { kind: 'donation', amount_cents: 123400, on_date: chinaDate().iso });
		assert.equal(gift.status, 201, gift.text);

		const after = townOf(await report(station));
		assert.equal(after.children.registered, before.children.registered + 1);
		assert.equal(after.children.total, before.children.total + 1);
		assert.equal(after.visits.visits, before.visits.visits + 1);
		assert.equal(after.visits.children, before.visits.children + 1);
		assert.equal(after.requests.filed, before.requests.filed + 1);
		assert.equal(after.entitlements.started, before.entitlements.started + 1);
		assert.equal(after.entitlements.paid_cents, before.entitlements.paid_cents + pol.current.amount_cents, 'rehabilitation aid counts once, this month');
		assert.equal(after.projects.donated_cents, before.projects.donated_cents + 123400);

		// the month before holds none of this month's: the demo county was
		// registered over the last years, this child today
		const old = await lastMonth();
		assert.ok(old.children.total > 0, 'the demo county had children last month');
		assert.deepEqual(old.children, oldBefore.children);
		assert.deepEqual(old.visits, oldBefore.visits);
		assert.deepEqual(old.requests, oldBefore.requests);
	});

	test('a reversal (冲正) corrects the month of the line it reverses: no month shows negative money', async () => {
		const town = '370831101';
		const earlier = chinaDate(-40).iso;
		const then = earlier.slice(0, 7);
		const monthly = async (m, q = '') => {
			const r = await centre.get(`/api/v1/reports/monthly?month=${m}${q}`);
			assert.equal(r.status, 200, r.text);
			return r.body;
		};
		const figures = async () => [townOf(await monthly(then), town).projects, townOf(await monthly(month()), town).projects];
		const [thenBefore, nowBefore] = await figures();
		const proj = await centre.post('/api/v1/projects', { org_id: units.hope_rooms, kind: 'service', name: uniqueName('冲正项目'), area_code: '370831101201', started_on: chinaDate(-50).iso });
		assert.equal(proj.status, 201, proj.text);
		const started = await centre.patch(`/api/v1/projects/${proj.body.id}`, { version: proj.body.version, status: 'active' });
		assert.equal(started.status, 200, started.text);
		const fund = (body) => hopeOrg.post(`/api/v1/projects/${proj.body.id}/funds`, { on_date: earlier, ...body });
		const gift = await fund({ kind: 'donation', amount_cents: 88800 });
		assert.equal(gift.status, 201, gift.text);
		const spend = await fund({ kind: 'spending', amount_cents: 76800 });
		assert.equal(spend.status, 201, spend.text);
		const [thenWith] = await figures();
		assert.equal(thenWith.donated_cents, thenBefore.donated_cents + 88800);
		assert.equal(thenWith.spent_cents, thenBefore.spent_cents + 76800);

		const line = (r, kind) => r.body.funds.find((f) => f.kind === kind && !f.reverses);
		const rs = await hopeOrg.post(`/api/v1/projects/${proj.body.id}/funds/${line(spend, 'spending').id}/reverse`, { reason: '录错' });
		assert.equal(rs.status, 201, rs.text);
		const rd = await hopeOrg.post(`/api/v1/projects/${proj.body.id}/funds/${line(spend, 'donation').id}/reverse`, { reason: '录错' });
		assert.equal(rd.status, 201, rd.text);
		const [thenAfter, nowAfter] = await figures();
		assert.deepEqual(thenAfter, thenBefore, 'the earlier month: the lines and their reversals net to nothing');
		assert.deepEqual(nowAfter, nowBefore, 'this month: the reversals do not show as negative money');
		for (const m of [then, month()]) {
			const r = await monthly(m);
			for (const t of [...r.townships, r.county_wide, r.totals]) {
				assert.ok(t.projects.donated_cents >= 0 && t.projects.spent_cents >= 0, `${m} ${t.code}: ${JSON.stringify(t.projects)}`);
			}
			const csv = await centre.get(`/api/v1/reports/monthly?month=${m}&format=csv&lang=en`);
			assert.equal(csv.status, 200);
			for (const row of csvObjects(csv.text.replace(/^\uFEFF/, ''))) {
				for (const k of ['Project donations (yuan)', 'Project spending (yuan)']) assert.ok(!String(row[k]).startsWith('-'), `${m} ${row.Township} ${k}: ${row[k]}`);
			}
		}
		// the project's page: its money is nil, the lines kept
		const page = (await centre.get(`/api/v1/projects/${proj.body.id}`)).body;
		assert.equal(page.donated_cents, 0);
		assert.equal(page.spent_cents, 0);
		assert.equal(page.funds.length, 4);
	});

	test('a township sees itself only; bad months and other roles are refused', async () => {
		const r = await report(station);
		assert.deepEqual(r.townships.map((t) => t.code), [TOWNSHIP]);
		assert.equal(r.township, TOWNSHIP);
		const other = await station.get('/api/v1/reports/monthly?township=370831101');
		assert.equal(other.status, 422);
		assert.equal(other.body.error.field, 'township');
		const one = await report(centre, `&township=${TOWNSHIP}`);
		assert.deepEqual(one.townships.map((t) => t.code), [TOWNSHIP]);
		for (const [q, field] of [['month=2026-13', 'month'], ['month=2999-01', 'month'], ['township=3708', 'township'], ['township=370831999', 'township'], ['format=pdf', 'format']]) {
			const x = await centre.get(`/api/v1/reports/monthly?${q}`);
			assert.equal(x.status, 422, `${q}: ${x.text}`);
			assert.equal(x.body.error.field, field, q);
		}
		for (const u of ['director', 'department', 'auditor', 'org']) {
			const client = await srv.login(u);
			assert.equal((await client.get('/api/v1/reports/monthly')).status, 403, u);
		}
	});

	test('as a spreadsheet: a row per township and the total, in the user\'s language', async () => {
		// a talk of the county's own, today: a county-wide line
		const talk = await centre.post('/api/v1/talks', { held_on: chinaDate().iso, kind: 'training', topic: '全县儿童主任培训', children: 0, adults: 40, area_code: '370831' });
		assert.equal(talk.status, 201, talk.text);
		const json = await report(centre);
		const r = await centre.get(`/api/v1/reports/monthly?month=${month()}&format=csv&lang=en`);
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-disposition'), /attachment; filename="monthly-report-\d{6}\.csv"/);
		const rows = csvObjects(r.text.replace(/^\uFEFF/, ''));
		const total = rows.find((x) => x.Township === 'Total');
		assert.ok(total);
		assert.equal(Number(total['Visits']), json.totals.visits.visits);
		assert.equal(Number(total['Paid (yuan)']) * 100, json.totals.entitlements.paid_cents);
		assert.equal(rows.filter((x) => x['Township code']).length, 13);
		assert.equal(Number(r.headers.get('x-export-rows')), rows.length - 1, 'every row but the totals');
		// the county's own projects and talks: their figures alone, the rest empty
		const county = rows.find((x) => x.Township === 'County-wide projects, talks and counselling');
		assert.ok(county, 'the demo county has projects and talks of its own');
		assert.equal(county['Visits'], '');
		assert.equal(county['Children under 18'], '');
		assert.equal(Number(county['Talks']), json.county_wide.talks.talks);
		const zh = await centre.get(`/api/v1/reports/monthly?month=${month()}&format=csv`);
		assert.match(zh.text, /乡镇（街道）,/);
		assert.match(zh.text, /合计/);
	});

	test('the trends: the last months figure by figure, agreeing with each month\'s report', async () => {
		const r = await committee.get('/api/v1/reports/trends');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.months.length, 12);
		assert.equal(r.body.months.at(-1), month());
		for (const [k, v] of Object.entries(r.body.series)) assert.equal(v.length, 12, k);
		const rep = await report(committee);
		assert.equal(r.body.series.visits.at(-1), rep.totals.visits.visits);
		assert.equal(r.body.series.children_visited.at(-1), rep.totals.visits.children);
		assert.equal(r.body.series.registered.at(-1), rep.totals.children.registered);
		assert.equal(r.body.series.requests_filed.at(-1), rep.totals.requests.filed);
		assert.equal(r.body.series.talks.at(-1), rep.totals.talks.talks);
		assert.equal(r.body.series.paid_cents.at(-1), rep.totals.entitlements.paid_cents);
		assert.equal(r.body.series.counselling.at(-1), rep.totals.schools.counselling);
		assert.equal(r.body.series.parents_returned.at(-1), rep.totals.programmes.returns);
		assert.equal(r.body.series.left_behind_ended.at(-1), rep.totals.programmes.left_behind_ended);
		const prev = r.body.months.at(-2);
		const old = await committee.get(`/api/v1/reports/monthly?month=${prev}`);
		assert.equal(r.body.series.visits.at(-2), old.body.totals.visits.visits, 'last month too');
		assert.equal(r.body.series.paid_cents.at(-2), old.body.totals.entitlements.paid_cents);
		assert.equal(r.body.series.counselling.at(-2), old.body.totals.schools.counselling);
		assert.equal(r.body.series.parents_returned.at(-2), old.body.totals.programmes.returns);

		const six = await station.get('/api/v1/reports/trends?months=6');
		assert.equal(six.status, 200, six.text);
		assert.equal(six.body.months.length, 6);
		assert.equal(six.body.township, TOWNSHIP);
		assert.equal(six.body.series.visits.at(-1), townOf(await report(station)).visits.visits);
		for (const q of ['months=1', 'months=19', 'months=x', 'township=370831101']) {
			const bad = await station.get(`/api/v1/reports/trends?${q}`);
			assert.equal(bad.status, 422, q);
		}
		assert.equal((await director.get('/api/v1/reports/trends')).status, 403);
	});

	test('a child who moves counts in its old township in the months before the move: last month\'s report and trends stay as they were', async () => {
		const FAR = '370831101201';
		const FAR_TOWN = '370831101';
		const { y, m } = chinaDate();
		const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
		const monthOf = async (mo) => {
			const r = await committee.get(`/api/v1/reports/monthly?month=${mo}`);
			assert.equal(r.status, 200, r.text);
			return r.body;
		};
		const trendOf = async (town) => {
			const r = await committee.get(`/api/v1/reports/trends?months=2&township=${town}`);
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.body.months, [prev, month()]);
			return r.body.series;
		};
		const c = await director.post('/api/v1/children', {
			name: uniqueName('迁居'),
			sex: 'F',
			birth_date: bornYearsBefore(7),
			village_code: OWN,
		});
		assert.equal(c.status, 201, c.text);
		// registered more than two months ago, visited last month
		await sql(srv.db, `UPDATE children SET created_at = created_at - 70 * 86400 WHERE id = ${c.body.id}`);
		const v = await director.post(`/api/v1/children/${c.body.id}/visits`, { kind: 'home', visited_on: `${prev}-15`, findings: '上月入户走访。' });
		assert.equal(v.status, 201, v.text);
		const last = await monthOf(prev);
		const now = await monthOf(month());
		const [trendOwn, trendFar] = [await trendOf(TOWNSHIP), await trendOf(FAR_TOWN)];
		assert.equal(trendOwn.visits[0], townOf(last).visits.visits, 'the township\'s trend agrees with last month\'s report');

		const cur = (await centre.get(`/api/v1/children/${c.body.id}`)).body;
		const moved = await centre.patch(`/api/v1/children/${c.body.id}`, { version: cur.version, village_code: FAR });
		assert.equal(moved.status, 200, moved.text);

		const lastAfter = await monthOf(prev);
		for (const town of [TOWNSHIP, FAR_TOWN]) {
			assert.deepEqual(townOf(lastAfter, town).children, townOf(last, town).children, `${town}: last month's children as they were`);
			assert.deepEqual(townOf(lastAfter, town).visits, townOf(last, town).visits, `${town}: last month's visits as they were`);
		}
		assert.deepEqual(lastAfter.totals, last.totals, 'the county\'s figures do not move');
		// this month the child lives in its new township
		const nowAfter = await monthOf(month());
		assert.equal(townOf(nowAfter, FAR_TOWN).children.total, townOf(now, FAR_TOWN).children.total + 1);
		assert.equal(townOf(nowAfter).children.total, townOf(now).children.total - 1);
		// the trends agree, month by month
		const [ownAfter, farAfter] = [await trendOf(TOWNSHIP), await trendOf(FAR_TOWN)];
		assert.equal(ownAfter.visits[0], trendOwn.visits[0], 'last month\'s visits stay in the old township');
		assert.equal(farAfter.visits[0], trendFar.visits[0]);
		assert.equal(ownAfter.registered[0], trendOwn.registered[0]);
		assert.equal(farAfter.visits[0], townOf(lastAfter, FAR_TOWN).visits.visits);
		assert.equal(ownAfter.visits[1], townOf(nowAfter).visits.visits);
	});

	test('a child archived last month and restored today stays out of last month\'s children in work', async () => {
		const { y, m } = chinaDate();
		const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
		const last = async () => {
			const r = await committee.get(`/api/v1/reports/monthly?month=${prev}`);
			assert.equal(r.status, 200, r.text);
			return r.body;
		};
		const c = await director.post('/api/v1/children', { name: uniqueName('恢复'), sex: 'M', birth_date: bornYearsBefore(9), village_code: OWN });
		assert.equal(c.status, 201, c.text);
		// registered more than two months ago, archived (moved away) 40 days ago: before this month
		await sql(srv.db, `UPDATE children SET created_at = created_at - 70 * 86400 WHERE id = ${c.body.id}`);
		const arch = await station.post(`/api/v1/children/${c.body.id}/archive`, { reason: 'moved_away' });
		assert.equal(arch.status, 200, arch.text);
		await sql(srv.db, `UPDATE children SET archived_at = archived_at - 40 * 86400 WHERE id = ${c.body.id}`);
		await sql(srv.db, `UPDATE child_changes SET at = at - 40 * 86400 WHERE child_id = ${c.body.id} AND field = 'archived'`);
		const before = await last();
		const back = await station.post(`/api/v1/children/${c.body.id}/restore`, { note: '误归档，实际未迁出' });
		assert.equal(back.status, 200, back.text);
		const after = await last();
		assert.equal(townOf(after).children.total, townOf(before).children.total, 'archived at last month\'s end: not counted then');
		assert.equal(after.totals.children.total, before.totals.children.total);
		// this month it is in work again
		const now = await report(committee);
		assert.ok(now.townships.find((t) => t.code === TOWNSHIP).children.total >= 1);
		const withIt = townOf(now).children.total;
		const arch2 = await station.post(`/api/v1/children/${c.body.id}/archive`, { reason: 'moved_away' });
		assert.equal(arch2.status, 200, arch2.text);
		assert.equal(townOf(await report(committee)).children.total, withIt - 1, 'archived again today: out of this month\'s');
		assert.equal(townOf(await last()).children.total, townOf(before).children.total, 'and last month as it was');
	});

	test('a request closed and answered this month stays counted when it is reopened; the family\'s rating stays in its timeline', async () => {
		const figures = async () => {
			const rep = townOf(await report(station));
			const trends = (await station.get('/api/v1/reports/trends?months=6')).body.series;
			const card = (await station.get(`/api/v1/visits/scorecard?from=${month()}-01&to=${chinaDate().iso}&area=${OWN}`)).body;
			// the timeliness page's closed of the last 365 days
			const metrics = (await station.get('/api/v1/loop/metrics')).body.townships[0].closed ?? 0;
			return { closed: rep.requests.closed, feedback: rep.requests.feedback, trend: trends.requests_closed.at(-1), delivered: card.villages[0].feedback_delivered, metrics };
		};
		const q = await director.post('/api/v1/requests', { village_code: OWN, kind: 'living_hardship', narrative: '冬季取暖困难' });
		assert.equal(q.status, 201, q.text);
		const id = q.body.id;
		await step(station, id, 'review');
		await step(station, id, 'resolve', { result: '已发放临时救助。' });
		await step(director, id, 'deliver_feedback', { feedback: '已当面告知，家庭满意。', rating: 'satisfied' });
		const before = await figures();
		const closed = await step(station, id, 'close');
		assert.equal(closed.state, 'closed');
		const done = await figures();
		assert.deepEqual(done, { ...before, closed: before.closed + 1, trend: before.trend + 1, metrics: before.metrics + 1 }, 'the closure counts in this month');

		const reopened = await step(station, id, 'reopen', { reason: '家长反映仍有困难' });
		assert.equal(reopened.state, 'township_review');
		assert.deepEqual(await figures(), done, 'what happened this month stays counted in it: closed, answered, the trend and the scorecard');
		// the feedback is asked again; the delivered one and its rating stay in the timeline
		const r = (await station.get(`/api/v1/requests/${id}`)).body;
		assert.equal(r.feedback, null);
		const delivered = r.timeline.steps.find((s) => s.action === 'deliver_feedback');
		assert.equal(delivered.note, '已当面告知，家庭满意。');
		assert.equal(delivered.rating, 'satisfied');
		assert.equal(r.timeline.steps.find((s) => s.action === 'close').rating, null);
		// the leaders read the loop without its texts: no rating either
		const led = (await committee.get(`/api/v1/requests/${id}`)).body;
		assert.equal(led.timeline.steps.find((s) => s.action === 'deliver_feedback').rating, null);
		// closed again after a second delivery: one request closed this month, two ratings in the timeline
		await step(station, id, 'resolve', { result: '追加发放取暖补助。' });
		await step(director, id, 'deliver_feedback', { feedback: '家庭基本满意。', rating: 'basically_satisfied' });
		await step(station, id, 'close');
		const again = await figures();
		assert.equal(again.closed, done.closed, 'closed twice in a month: one request closed');
		assert.equal(again.trend, done.trend);
		assert.equal(again.metrics, done.metrics);
		const ratings = (await station.get(`/api/v1/requests/${id}`)).body.timeline.steps.filter((s) => s.action === 'deliver_feedback').map((s) => s.rating);
		assert.deepEqual(ratings, ['satisfied', 'basically_satisfied']);
	});

	test('a withdrawn request is not closed (办结) in the monthly report or the trends', async () => {
		const before = townOf(await report(station)).requests;
		const trendBefore = (await station.get('/api/v1/reports/trends?months=6')).body.series.requests_closed.at(-1);
		const q = await director.post('/api/v1/requests', { village_code: OWN, kind: 'schooling', narrative: '孩子需要助学' });
		assert.equal(q.status, 201, q.text);
		const w = await act(director, q.body.id, 'withdraw', { reason: '家庭已自行解决' });
		assert.equal(w.status, 200, w.text);
		assert.equal(w.body.state, 'withdrawn');
		const after = townOf(await report(station)).requests;
		assert.equal(after.filed, before.filed + 1, 'filed this month');
		assert.equal(after.closed, before.closed, 'not closed');
		assert.equal((await station.get('/api/v1/reports/trends?months=6')).body.series.requests_closed.at(-1), trendBefore);
	});

	test('schools\' counselling, caring mothers paired and parents come home count in their township', async () => {
		const school = await srv.login('school');
		const schoolId = school.me.memberships[0].unit_id;
		const before = townOf(await report(station));
		const kid = await director.post('/api/v1/children', {
			name: uniqueName('月报留守'),
			sex: 'F',
			birth_date: bornYearsBefore(9),
			village_code: OWN,
			hukou_type: 'rural',
			school_id: schoolId,
			guardians: [
				{ relation: 'father', name: '周强', status: 'working_away' },
				{ relation: 'mother', name: '吴霞', status: 'working_away' },
			],
		});
		assert.equal(kid.status, 201, kid.text);
		const today = chinaDate().iso;
		const s = await school.post(`/api/v1/schools/${schoolId}/counselling`, { held_on: today, mode: 'group', topic: 'safety', pupils: 25 });
		assert.equal(s.status, 201, s.text);
		const m = await director.post('/api/v1/caring-mothers', { name: '郑慧' });
		assert.equal((await director.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: kid.body.id })).status, 201);
		await centre.post(`/api/v1/children/${kid.body.id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'R-1' });
		const prog = await station.post('/api/v1/programmes', { kind: 'returning_entrepreneur', name: uniqueName('月报项目'), holder: '周强', started_on: `${month()}-01` });
		assert.equal(prog.status, 201, prog.text);
		const father = kid.body.guardians.find((g) => g.relation === 'father');
		const ret = await station.post(`/api/v1/programmes/${prog.body.id}/returns`, { child_id: kid.body.id, guardian_id: father.id, returned_on: today });
		assert.equal(ret.status, 201, ret.text);
		const after = townOf(await report(station));
		assert.equal(after.schools.counselling, before.schools.counselling + 1);
		assert.equal(after.schools.pupils, before.schools.pupils + 25);
		assert.equal(after.schools.caring_pairs, before.schools.caring_pairs + 1);
		assert.equal(after.programmes.returns, before.programmes.returns + 1);
		assert.equal(after.programmes.left_behind_ended, before.programmes.left_behind_ended + 1);
		assert.equal(after.categories.ended, before.categories.ended + 1, 'the category ended this month');
		const csv = await station.get(`/api/v1/reports/monthly?month=${month()}&format=csv`);
		assert.match(csv.text, /本月心理辅导次数/);
		assert.match(csv.text, /因返乡结束留守/);
	});
	test('a suggestion rejected this month is no category confirmed (本月认定类别): only confirmations count', async () => {
		const leftBehind = () =>
			director.post('/api/v1/children', {
				name: uniqueName('月报类别'),
				sex: 'M',
				birth_date: bornYearsBefore(8),
				village_code: OWN,
				hukou_type: 'rural',
				guardians: [
					{ relation: 'father', name: '孙刚', status: 'working_away', work_place: '杭州' },
					{ relation: 'mother', name: '钱芳', status: 'working_away', work_place: '杭州' },
				],
			});
		const before = townOf(await report(station)).categories;
		const beforeCounty = (await report(centre)).totals.categories;
		const rejected = await leftBehind();
		assert.equal(rejected.status, 201, rejected.text);
		assert.equal(rejected.body.categories.find((k) => k.category === 'left_behind')?.state, 'suggested');
		const no = await station.post(`/api/v1/children/${rejected.body.id}/categories/left_behind`, { action: 'reject', note: '父母已返乡务工' });
		assert.equal(no.status, 200, no.text);
		assert.equal(no.body.state, 'rejected');
		assert.deepEqual(townOf(await report(station)).categories, before, 'a rejection confirms nothing');
		assert.deepEqual((await report(centre)).totals.categories, beforeCounty, 'nor in the county');

		const confirmed = await leftBehind();
		assert.equal(confirmed.status, 201, confirmed.text);
		const yes = await station.post(`/api/v1/children/${confirmed.body.id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'YB-2' });
		assert.equal(yes.status, 200, yes.text);
		const after = townOf(await report(station)).categories;
		assert.equal(after.confirmed, before.confirmed + 1, 'a confirmation counts');
		const csv = csvObjects((await station.get(`/api/v1/reports/monthly?month=${month()}&format=csv&lang=en`)).text.replace(/^\uFEFF/, ''));
		assert.equal(Number(csv.find((x) => x['Township code'] === TOWNSHIP)['Categories confirmed']), after.confirmed, 'the file as the page');
	});
	test('counselling at a school of the whole county (or of no area) counts in the county, as the trends count it', async () => {
		const admin = await srv.login('admin');
		const school = await srv.login('school');
		const schoolId = school.me.memberships[0].unit_id;
		const unit = (await centre.get('/api/v1/units?kind=school&limit=500')).body.items.find((u) => u.id === schoolId);
		assert.ok(unit?.area_code?.startsWith(TOWNSHIP), JSON.stringify(unit));
		const figures = async () => {
			const r = await report(centre);
			const trend = (await committee.get('/api/v1/reports/trends?months=2')).body.series.counselling.at(-1);
			return { county: r.totals.schools, wide: r.county_wide.schools, town: townOf(r).schools, trend };
		};
		try {
			for (const [place, pupils] of [['370831', 31], ['', 17]]) {
				const moved = await admin.patch(`/api/v1/units/${schoolId}`, { area_code: place });
				assert.equal(moved.status, 200, moved.text);
				const before = await figures();
				const s = await school.post(`/api/v1/schools/${schoolId}/counselling`, { held_on: chinaDate().iso, mode: 'group', topic: 'safety', pupils });
				assert.equal(s.status, 201, s.text);
				const after = await figures();
				assert.equal(after.county.counselling, before.county.counselling + 1, `${place || 'no area'}: the county counts it`);
				assert.equal(after.county.pupils, before.county.pupils + pupils);
				assert.equal(after.wide.counselling, before.wide.counselling + 1, 'on the county-wide line');
				assert.deepEqual(after.town, before.town, 'no township has it');
				assert.equal(after.trend, before.trend + 1);
				assert.equal(after.trend, after.county.counselling, 'the trends and the report agree');
				// the file: the county-wide line has it, the total as the page
				const rows = csvObjects((await centre.get(`/api/v1/reports/monthly?month=${month()}&format=csv&lang=en`)).text.replace(/^\uFEFF/, ''));
				const wide = rows.find((x) => x.Township.startsWith('County-wide'));
				assert.equal(Number(wide['Counselling sessions']), after.wide.counselling);
				assert.equal(Number(wide['Pupils counselled']), after.wide.pupils);
				assert.equal(Number(rows.find((x) => x.Township === 'Total')['Counselling sessions']), after.county.counselling);
			}
		} finally {
			const back = await admin.patch(`/api/v1/units/${schoolId}`, { area_code: unit.area_code });
			assert.equal(back.status, 200, back.text);
		}
	});
	test('this month\'s children under 18 are today\'s, as the overview counts them: one who comes of age later this month is a minor still', async () => {
		const same = async () => {
			const [rep, over] = await Promise.all([report(centre), centre.get('/api/v1/overview')]);
			assert.equal(over.status, 200, over.text);
			for (const t of over.body.townships) assert.equal(townOf(rep, t.code).children.total, t.children, t.code);
			assert.equal(rep.totals.children.total, over.body.totals.children);
			return townOf(rep).children.total;
		};
		const before = await same();
		// 17 today, 18 tomorrow — when tomorrow is still this month
		const turns18 = chinaDate(1).iso.startsWith(month()) ? bornYearsBefore(18, 1) : null;
		if (!turns18) return;
		const c = await director.post('/api/v1/children', { name: uniqueName('月报将满'), sex: 'F', birth_date: turns18, village_code: OWN });
		assert.equal(c.status, 201, c.text);
		assert.equal(await same(), before + 1, 'a minor today counts in this month');
	});
});
