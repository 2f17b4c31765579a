// The county's overview (SPEC §8): by township (or one township by
// village), the children under 18, the
// focus children by confirmed category, the visit plan's children by state
// and the help requests open, overdue and recently closed — for the
// committee and the centre (the county) and a township's staff (the
// township); the entitlements' gaps, benefits to stop, benefits received and
// this month's payments; counts that follow what was written, and no child
// named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { bornYearsBefore } from './lib/registry.mjs';
import { step } from './lib/loop.mjs';

const OWN = '370831001001'; // director's village, township 370831001
const TOWNSHIP = '370831001';

describeEachDriver('the county overview', (driver) => {
	let srv, committee, centre, station, director, department, admin;
	const township = (body, code = TOWNSHIP) => body.townships.find((t) => t.code === code);

	before(async () => {
		srv = await startServer(driver);
		[committee, centre, station, director, department, admin] = await Promise.all(
			['committee', 'center', 'station', 'director', 'department', 'admin'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('the committee sees every township and totals that add up, without any child named', async () => {
		const r = await committee.get('/api/v1/overview');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.townships.length, 13, 'the demo county has 13 townships');
		assert.equal(township(r.body).name, '泗河街道');
		for (const k of ['children']) assert.equal(r.body.totals[k], r.body.townships.reduce((s, t) => s + t[k], 0));
		for (const k of ['orphan', 'de_facto_unsupported', 'left_behind', 'in_difficulty'])
			assert.equal(r.body.totals.categories[k], r.body.townships.reduce((s, t) => s + t.categories[k], 0), k);
		for (const k of ['in_plan', 'overdue', 'never'])
			assert.equal(r.body.totals.visits[k], r.body.townships.reduce((s, t) => s + t.visits[k], 0), k);
		// the registry's own count of minors in the county
		const all = await centre.get('/api/v1/children?limit=1');
		assert.ok(r.body.totals.children <= all.body.total && r.body.totals.children > 0);
		const names = (await centre.get('/api/v1/children?limit=20')).body.items.map((c) => c.name);
		for (const n of names) assert.ok(!r.text.includes(n), 'no child named');
		const c = await centre.get('/api/v1/overview');
		assert.deepEqual(c.body.totals, r.body.totals, 'the centre sees the same county');
	});

	test('what is written shows: a child, a confirmed category, a visit plan, a help request overdue', async () => {
		const before = township((await station.get('/api/v1/overview')).body);
		const child = await director.post('/api/v1/children', {
			name: uniqueName('概览'),
			sex: 'F',
			birth_date: '2016-03-03',
			village_code: OWN,
			risk_level: 'high',
			hukou_type: 'rural',
			guardians: [
				{ relation: 'father', name: '张大', status: 'working_away', work_place: '宁波' },
				{ relation: 'mother', name: '李二', status: 'working_away', work_place: '苏州' },
			],
		});
		assert.equal(child.status, 201, child.text);
		const grown = await director.post('/api/v1/children', { name: uniqueName('成年'), sex: 'M', birth_date: bornYearsBefore(18), village_code: OWN });
		assert.equal(grown.status, 201, grown.text);
		const ok = await station.post(`/api/v1/children/${child.body.id}/categories/left_behind`, {
			action: 'confirm',
			evidence_type: 'household_survey',
			evidence_ref: 'GL-1',
		});
		assert.equal(ok.status, 200, ok.text);
		const q = await director.post('/api/v1/requests', { child_id: child.body.id, kind: 'schooling', narrative: '需要助学' });
		assert.equal(q.status, 201, q.text);
		// its step is past its deadline
		await sql(srv.db, `UPDATE help_requests SET step_due_at = 1000 WHERE id = ${q.body.id}`);

		const now = township((await station.get('/api/v1/overview')).body);
		assert.equal(now.children, before.children + 1, 'an eighteen-year-old is not counted');
		assert.equal(now.categories.left_behind, before.categories.left_behind + 1);
		assert.equal(now.visits.in_plan, before.visits.in_plan + 1);
		assert.equal(now.visits.never, before.visits.never + 1);
		assert.equal(now.requests.open, before.requests.open + 1);
		assert.equal(now.requests.overdue, before.requests.overdue + 1);
		assert.equal(now.visits.coverage, now.visits.on_schedule / now.visits.in_plan);
	});

	test('a focus child who turns 18 leaves the categories with the children, before the daily job ends the category', async (t) => {
		const today18 = bornYearsBefore(18, 0);
		if (!today18) return t.skip('the 18th birthday falls on 29 February');
		const child = await director.post('/api/v1/children', {
			name: uniqueName('满十八'),
			sex: 'M',
			birth_date: '2012-05-05',
			village_code: OWN,
			hukou_type: 'rural',
			guardians: [
				{ relation: 'father', name: '王大', status: 'working_away', work_place: '青岛' },
				{ relation: 'mother', name: '赵二', status: 'working_away', work_place: '济南' },
			],
		});
		assert.equal(child.status, 201, child.text);
		const ok = await station.post(`/api/v1/children/${child.body.id}/categories/left_behind`, {
			action: 'confirm',
			evidence_type: 'household_survey',
			evidence_ref: 'GL-18',
		});
		assert.equal(ok.status, 200, ok.text);
		const before = township((await station.get('/api/v1/overview')).body);
		// the 18th birthday is today; the daily job has not run yet, so the
		// category is still confirmed and the child not archived
		await sql(srv.db, `UPDATE children SET birth_date = '${today18}' WHERE id = ${child.body.id}`);
		const now = township((await station.get('/api/v1/overview')).body);
		assert.equal(now.children, before.children - 1, 'no longer counted among the children under 18');
		assert.equal(now.categories.left_behind, before.categories.left_behind - 1, 'nor among the left-behind children');
		const county = (await committee.get('/api/v1/overview')).body;
		assert.equal(county.totals.categories.left_behind, county.townships.reduce((s, x) => s + x.categories.left_behind, 0));
	});

	test('children with a child director: a director of the village, not locked, counts; a locked one, one who left the village, or none does not', async () => {
		// the township's row and the village's, as the county and the township show them
		const figures = async () => {
			const [county, town] = await Promise.all([centre.get('/api/v1/overview'), centre.get(`/api/v1/overview?township=${TOWNSHIP}`)]);
			assert.equal(county.status, 200, county.text);
			assert.equal(town.status, 200, town.text);
			return { county: county.body, township: township(county.body), village: town.body.villages.find((v) => v.code === OWN), town: town.body };
		};
		const before = await figures();
		for (const x of [before.township, before.village, before.county.totals]) {
			assert.ok(Number.isInteger(x.directors.with_director), JSON.stringify(x));
			assert.ok(x.directors.with_director <= x.children);
		}
		// three more directors of the village: one to be locked, one to leave the village
		const newDirector = async (tag) => {
			const u = await admin.post('/api/v1/users', { username: `ovd_${tag}_${Date.now() % 1e8}`, display_name: `主任${tag}`, role: 'director', area_code: OWN });
			assert.equal(u.status, 201, u.text);
			return u.body;
		};
		const [locked, leaving] = [await newDirector('locked'), await newDirector('leaving')];
		const elsewhere = await admin.post(`/api/v1/users/${leaving.id}/memberships`, { role: 'director', area_code: '370831001002' });
		assert.equal(elsewhere.status, 201, elsewhere.text);
		const own = director.me.user.id;
		const add = async (director_id, birth_date = bornYearsBefore(9)) => {
			const c = await director.post('/api/v1/children', { name: uniqueName('主任'), sex: 'M', birth_date, village_code: OWN, director_id });
			assert.equal(c.status, 201, c.text);
			assert.equal(c.body.director_id, director_id, c.text);
			return c.body;
		};
		await add(own); // counts
		await add(locked.id);
		await add(leaving.id);
		await add(null); // no director
		await add(own, bornYearsBefore(18)); // grown up: not in the children, not with a director
		let now = await figures();
		for (const k of ['township', 'village']) {
			assert.equal(now[k].children, before[k].children + 4, k);
			assert.equal(now[k].directors.with_director, before[k].directors.with_director + 3, `${k}: every director still serves`);
		}
		// one locked, one gone from the village (a director of another one): theirs no longer count
		assert.equal((await admin.post(`/api/v1/users/${locked.id}/lock`, {})).status, 200);
		const ownMembership = elsewhere.body.memberships.find((m) => m.area_code === OWN);
		const gone = await admin.del(`/api/v1/users/${leaving.id}/memberships/${ownMembership.id}`);
		assert.equal(gone.status, 200, gone.text);
		now = await figures();
		for (const k of ['township', 'village']) {
			assert.equal(now[k].children, before[k].children + 4, k);
			assert.equal(now[k].directors.with_director, before[k].directors.with_director + 1, `${k}: only the child of a serving director`);
			assert.equal(now[k].directors.coverage, now[k].directors.with_director / now[k].children, k);
		}
		// the county is its townships, the township its villages
		const sum = (xs) => xs.reduce((s, x) => s + x.directors.with_director, 0);
		assert.equal(now.county.totals.directors.with_director, sum(now.county.townships));
		assert.equal(now.county.totals.directors.coverage, now.county.totals.directors.with_director / now.county.totals.children);
		assert.equal(now.town.totals.directors.with_director, sum(now.town.villages));
		assert.deepEqual(now.town.totals.directors, now.township.directors);
		for (const x of [...now.county.townships, ...now.town.villages]) {
			assert.ok(x.directors.with_director <= x.children, x.code);
			if (!x.children) assert.equal(x.directors.coverage, null, x.code);
		}
		// the demo assigns each child its village's director: most children have one
		assert.ok(now.county.totals.directors.with_director > now.county.totals.children / 2, JSON.stringify(now.county.totals));

		// the downloads have the figure, a township's and the county's
		const parse = (text) => {
			const lines = text.replace(/^\uFEFF/, '').trim().split(/\r?\n/).map((l) => l.split(','));
			return lines.slice(1).map((l) => Object.fromEntries(lines[0].map((h, i) => [h, l[i]])));
		};
		const csv = await centre.get('/api/v1/overview?format=csv');
		assert.equal(csv.status, 200, csv.text);
		const rows = parse(csv.text);
		const row = rows.find((r) => r['乡镇（街道）代码'] === TOWNSHIP);
		assert.equal(Number(row['有儿童主任的儿童']), now.township.directors.with_director);
		assert.equal(Number(row['儿童主任覆盖率（%）']), Math.round(now.township.directors.coverage * 1000) / 10);
		assert.equal(Number(rows.at(-1)['有儿童主任的儿童']), now.county.totals.directors.with_director, 'the totals row');
		const byVillage = parse((await centre.get(`/api/v1/overview?township=${TOWNSHIP}&format=csv`)).text);
		assert.equal(Number(byVillage.find((r) => r['村（社区）代码'] === OWN)['有儿童主任的儿童']), now.village.directors.with_director);
		const en = await centre.get('/api/v1/overview?format=csv&lang=en');
		assert.match(en.text.split(/\r?\n/)[0], /,Children with a child director,Director coverage \(%\),/);
	});

	test('a township by village: its villages add up to its own row; the desk opens any, a township only its own', async () => {
		const county = await centre.get('/api/v1/overview');
		const own = township(county.body);
		const r = await centre.get(`/api/v1/overview?township=${TOWNSHIP}`);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.body.township, { code: TOWNSHIP, name: '泗河街道' });
		assert.equal(r.body.townships, undefined);
		// every village and community of the township, by the areas' own list
		const areas = await centre.get(`/api/v1/areas?parent=${TOWNSHIP}&limit=500`);
		assert.equal(areas.status, 200, areas.text);
		assert.deepEqual(r.body.villages.map((v) => v.code), areas.body.items.map((a) => a.code));
		assert.ok(r.body.villages.every((v) => v.code.startsWith(TOWNSHIP) && v.code.length === 12 && v.name));
		// the villages add up to the township's row of the county, which is the totals here
		const { code, name, ...ownFigures } = own;
		assert.deepEqual(r.body.totals, ownFigures);
		const sum = (f) => r.body.villages.reduce((s, v) => s + f(v), 0);
		assert.equal(sum((v) => v.children), own.children);
		assert.equal(sum((v) => v.categories.left_behind), own.categories.left_behind);
		assert.equal(sum((v) => v.visits.in_plan), own.visits.in_plan);
		assert.equal(sum((v) => v.requests.open), own.requests.open);
		assert.equal(sum((v) => v.requests.overdue), own.requests.overdue);
		assert.equal(sum((v) => v.entitlements.gap), own.entitlements.gap);
		// the director's village has the children the registry lists there
		const listed = await centre.get(`/api/v1/children?area=${OWN}&limit=1`);
		const village = r.body.villages.find((v) => v.code === OWN);
		assert.ok(village.children > 0 && village.children <= listed.body.total);

		// the station: its own township by village, the same figures; another township refused
		const s = await station.get(`/api/v1/overview?township=${TOWNSHIP}`);
		assert.equal(s.status, 200, s.text);
		assert.deepEqual(s.body.villages, r.body.villages);
		const other = await station.get('/api/v1/overview?township=370831101');
		assert.equal(other.status, 422);
		assert.equal(other.body.error.field, 'township');
		for (const bad of ['370831', '37083100x', '370831999', '110101001'])
			assert.equal((await centre.get(`/api/v1/overview?township=${bad}`)).body.error.field, 'township', bad);
		assert.equal((await director.get(`/api/v1/overview?township=${TOWNSHIP}`)).status, 403);

		// as a download: a row per village, then the totals
		const csv = await centre.get(`/api/v1/overview?township=${TOWNSHIP}&format=csv`);
		assert.equal(csv.status, 200, csv.text);
		const lines = csv.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
		assert.match(lines[0], /^村（社区）代码,村（社区）,在册未成年人,/);
		assert.match(csv.headers.get('content-disposition'), new RegExp(`filename="overview-${TOWNSHIP}-\\d{8}\\.csv"`));
		assert.equal(lines.length, 1 + r.body.villages.length + 1, 'heading, villages, totals');
		assert.match(lines[1], new RegExp(`^${r.body.villages[0].code},`));
	});

	test('a township sees itself only; other roles are refused', async () => {
		const r = await station.get('/api/v1/overview');
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.body.townships.map((t) => t.code), [TOWNSHIP]);
		assert.deepEqual(r.body.totals, (({ code, name, ...rest }) => rest)(r.body.townships[0]));
		for (const client of [director, department, admin]) {
			const x = await client.get('/api/v1/overview');
			assert.equal(x.status, 403, x.text);
		}
	});

	test('the entitlements: gaps, benefits to stop and received as the matching counts them, and this month\'s payments as the ledger', async () => {
		const over = await committee.get('/api/v1/overview');
		assert.equal(over.status, 200, over.text);
		const m = await centre.get('/api/v1/entitlements?limit=1');
		assert.equal(m.status, 200, m.text);
		assert.deepEqual(
			{ gap: over.body.totals.entitlements.gap, stop: over.body.totals.entitlements.stop, receiving: over.body.totals.entitlements.receiving },
			{ gap: m.body.counts.gap, stop: m.body.counts.stop, receiving: m.body.counts.receiving },
		);
		assert.ok(m.body.counts.receiving > 0, 'the demo county pays benefits');
		const ledger = await centre.get('/api/v1/entitlements/ledger');
		assert.equal(over.body.totals.entitlements.paid_this_month_cents, ledger.body.total_cents);
		for (const k of ['gap', 'stop', 'receiving', 'paid_this_month_cents'])
			assert.equal(over.body.totals.entitlements[k], over.body.townships.reduce((s, t) => s + t.entitlements[k], 0), k);
		// a new gap in the township shows at once
		const before = township((await station.get('/api/v1/overview')).body).entitlements.gap;
		const c = await director.post('/api/v1/children', {
			name: uniqueName('概览'),
			sex: 'F',
			birth_date: bornYearsBefore(3),
			village_code: OWN,
			disability_grade: 1,
			disability_type: 'physical',
		});
		assert.equal(c.status, 201, c.text);
		const after = township((await station.get('/api/v1/overview')).body).entitlements.gap;
		assert.equal(after, before + 1, 'the demo\'s rehabilitation aid covers a disabled child under 7');
	});

	test('a request closed in the last 30 days stays counted when it is reopened, once however often it was closed', async () => {
		const closed = async () => township((await station.get('/api/v1/overview')).body).requests.closed_30d;
		const q = await director.post('/api/v1/requests', { village_code: OWN, kind: 'living_hardship', narrative: '冬季取暖困难' });
		assert.equal(q.status, 201, q.text);
		const id = q.body.id;
		await step(station, id, 'review');
		await step(station, id, 'resolve', { result: '已发放临时救助。' });
		await step(director, id, 'deliver_feedback', { feedback: '已当面告知，家庭满意。', rating: 'satisfied' });
		const before = await closed();
		assert.equal((await step(station, id, 'close')).state, 'closed');
		assert.equal(await closed(), before + 1, 'the closure counts');
		const reopened = await step(station, id, 'reopen', { reason: '家长反映仍有困难' });
		assert.equal(reopened.state, 'township_review');
		assert.equal(await closed(), before + 1, 'reopened: it was still closed in the last 30 days');
		// closed a second time: one request
		await step(station, id, 'resolve', { result: '追加发放取暖补助。' });
		await step(director, id, 'deliver_feedback', { feedback: '家庭基本满意。', rating: 'basically_satisfied' });
		await step(station, id, 'close');
		assert.equal(await closed(), before + 1, 'closed twice: one request');
		// closures older than 30 days are not counted
		await sql(srv.db, `UPDATE request_steps SET at = at - 31 * 86400 WHERE request_id = ${id} AND action = 'close'`);
		assert.equal(await closed(), before, 'closed 31 days ago: out of the window');
		const county = await committee.get('/api/v1/overview');
		assert.equal(county.body.totals.requests.closed_30d, county.body.townships.reduce((s, t) => s + t.requests.closed_30d, 0));
	});
});
