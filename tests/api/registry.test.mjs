// The focus categories of SPEC §3 through the API: every rule branch with
// its age boundaries (the day before and the day of the 16th and 18th
// birthday, in China time like the server), the confirmation with evidence
// by the roles that may decide, a confirmed category the facts no longer
// support (flagged for review in the township, ended by a person, counted
// in the statistics by reason), and the end by age (`weibao recompute`,
// the server's own sweep at start, a corrected birth date).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, spawnServer, uniqueName, cli, sql } from './lib/harness.mjs';
import { IdFactory, chinaDate } from './lib/idnum.mjs';
import { bornYearsBefore, compact, categoryMap, liveCategories, todayChina, childrenTotal } from './lib/registry.mjs';

const VILLAGE = '370831001001'; // the director's village, township 370831001 (station, supervisor)
const OTHER_TOWNSHIP_STATION = 'station02'; // 370831002

/** A birth date `years` years and `days` days ago (not a boundary: moves off 29 February). */
function aged(years, days = 100) {
	for (let d = days; d < days + 3; d++) {
		const b = bornYearsBefore(years, -d);
		if (b) return b;
	}
	throw new Error('no date');
}

const guardians = (father, mother) => {
	const g = [];
	if (father) g.push({ relation: 'father', name: '父亲', status: father });
	if (mother) g.push({ relation: 'mother', name: '母亲', status: mother });
	return g;
};

describeEachDriver('registry: categories', (driver) => {
	let srv, centre, director, station, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
		director = await srv.login('director');
		station = await srv.login('station');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	/**
	 * Registers a child (as the centre unless `as` is given) and returns it
	 * as created. birth 'YYYY-MM-DD'; withId false registers sex and birth
	 * date instead of an ID number.
	 */
	const register = async ({ birth, hukou = 'rural', father, mother, withId = true, as, ...extra }) => {
		const body = { name: uniqueName('类别'), village_code: VILLAGE, ...extra };
		if (hukou) body.hukou_type = hukou;
		if (father || mother) body.guardians = guardians(father, mother);
		if (withId) body.id_number = ids.next({ birth: compact(birth) });
		else Object.assign(body, { sex: 'F', birth_date: birth });
		const r = await (as ?? centre).post('/api/v1/children', body);
		assert.equal(r.status, 201, `register ${JSON.stringify(body)}: ${r.text}`);
		assert.equal(r.body.birth_date, birth);
		return r.body;
	};
	const read = async (id, client = centre) => {
		const r = await client.get(`/api/v1/children/${id}`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};
	const decide = (client, id, category, body) => client.post(`/api/v1/children/${id}/categories/${category}`, body);
	const evidence = { evidence_type: 'household_survey', evidence_ref: 'HS-2026-001' };

	test("a guardian's phone, work place and status date: each change is a line of the child's history", async () => {
		const c = await register({
			birth: '2016-05-01',
			guardians: [
				{ relation: 'father', name: '父亲', status: 'working_away', status_since: '2026-03-01', work_place: '浙江杭州', phone: '13812341111' },
				{ relation: 'mother', name: '母亲', status: 'present' },
			],
		});
		const r = await centre.patch(`/api/v1/children/${c.id}`, {
			version: c.version,
			guardians: [
				{ relation: 'father', name: '父亲', status: 'working_away', status_since: '2026-03-01', work_place: '广东广州', phone: '13812342222' },
				{ relation: 'mother', name: '母亲', status: 'present' },
			],
		});
		assert.equal(r.status, 200, r.text);
		const items = (await centre.get(`/api/v1/children/${c.id}/history`)).body.items;
		assert.ok(!items.some((e) => e.field === 'guardians'), 'nobody came, went or changed status');
		const lines = items.filter((e) => e.field === 'guardian');
		assert.deepEqual(
			lines.map((e) => [e.old, e.new]),
			[['father 父亲: since=2026-03-01 | at=浙江杭州 | phone=138****1111', 'father 父亲: since=2026-03-01 | at=广东广州 | phone=138****2222']],
		);
		// the father comes home: the status is the guardians' line, the details his
		const home = await centre.patch(`/api/v1/children/${c.id}`, {
			version: r.body.version,
			guardians: [
				{ relation: 'father', name: '父亲', status: 'present', status_since: todayChina(), phone: '13812342222' },
				{ relation: 'mother', name: '母亲', status: 'present' },
			],
		});
		assert.equal(home.status, 200, home.text);
		const after = (await centre.get(`/api/v1/children/${c.id}/history`)).body.items;
		assert.ok(after.some((e) => e.field === 'guardians' && /father 父亲: working_away/.test(e.old) && /father 父亲: present/.test(e.new)));
		assert.ok(after.some((e) => e.field === 'guardian' && e.new === `father 父亲: since=${todayChina()} | phone=138****2222`));
		// an unchanged save adds nothing
		const same = await centre.patch(`/api/v1/children/${c.id}`, { version: home.body.version, guardians: home.body.guardians.map((g) => ({ relation: g.relation, name: g.name, status: g.status, ...(g.status_since ? { status_since: g.status_since } : {}), ...(g.phone ? { phone: g.phone } : {}) })) });
		assert.equal(same.status, 200, same.text);
		assert.equal((await centre.get(`/api/v1/children/${c.id}/history`)).body.items.length, after.length);
	});

	// ---- the rules ----

	test('orphan: both parents deceased or declared missing, under 18', async () => {
		for (const [f, m] of [
			['deceased', 'deceased'],
			['deceased', 'missing'],
			['missing', 'deceased'],
			['missing', 'missing'],
		]) {
			const c = await register({ birth: aged(9), father: f, mother: m });
			const k = categoryMap(c);
			assert.equal(k.orphan?.state, 'suggested', `father ${f}, mother ${m}: ${JSON.stringify(c.categories)}`);
			assert.equal(k.orphan.reason, 'both_parents_dead_or_missing');
			assert.equal(k.orphan.needs_review, false);
			assert.ok(!k.de_facto_unsupported, `an orphan is not also de facto unsupported (${f}/${m})`);
			assert.ok(!k.left_behind, `an orphan is not left behind (${f}/${m})`);
			// the same through a read
			assert.deepEqual(liveCategories(await read(c.id)), liveCategories(c));
		}
		// one parent alive: not an orphan
		for (const [f, m] of [
			['deceased', 'present'],
			['present', 'missing'],
		]) {
			const c = await register({ birth: aged(9), father: f, mother: m });
			assert.deepEqual(liveCategories(c), [], `father ${f}, mother ${m}: ${JSON.stringify(c.categories)}`);
		}
	});

	test('no orphan (and no de facto unsupported) when the child is adopted; the suggestion follows the fact at once', async () => {
		const c = await register({ birth: aged(7), father: 'deceased', mother: 'deceased', adopted: true });
		assert.deepEqual(liveCategories(c), [], JSON.stringify(c.categories));
		const p = await centre.patch(`/api/v1/children/${c.id}`, { adopted: false, version: c.version });
		assert.equal(p.status, 200, p.text);
		assert.equal(categoryMap(p.body).orphan?.state, 'suggested', 'not adopted any more: suggested');
		const q = await centre.patch(`/api/v1/children/${c.id}`, { adopted: true, version: p.body.version });
		assert.equal(q.status, 200, q.text);
		assert.deepEqual(liveCategories(q.body), [], 'adopted again: the suggestion is withdrawn');
		assert.deepEqual(liveCategories(await read(c.id)), []);
		// one parent deceased, the other imprisoned, adopted: not de facto unsupported either
		const d = await register({ birth: aged(7), father: 'deceased', mother: 'imprisoned', adopted: true });
		assert.ok(!categoryMap(d).de_facto_unsupported, JSON.stringify(d.categories));
	});

	test('orphan ends at 18: suggested the day before the 18th birthday, not on the day', async (t) => {
		const dayBefore = bornYearsBefore(18, 1); // 18th birthday tomorrow: 17 today
		const onTheDay = bornYearsBefore(18, 0); // 18th birthday today
		if (!dayBefore || !onTheDay) return t.skip('the boundary falls on 29 February');
		const young = await register({ birth: dayBefore, father: 'deceased', mother: 'deceased' });
		assert.equal(categoryMap(young).orphan?.state, 'suggested', `born ${dayBefore}: ${JSON.stringify(young.categories)}`);
		const adult = await register({ birth: onTheDay, father: 'deceased', mother: 'deceased' });
		assert.deepEqual(adult.categories, [], `born ${onTheDay}, 18 today: no suggestion at all`);
		// the same for a child registered without an ID number
		const noId = await register({ birth: onTheDay, father: 'deceased', mother: 'missing', withId: false });
		assert.deepEqual(noId.categories, [], 'without an ID number: 18 today, no suggestion');
	});

	test('de facto unsupported: one parent deceased and the other imprisoned, also in difficulty by guardianship failure', async () => {
		const c = await register({ birth: aged(11), father: 'deceased', mother: 'imprisoned' });
		const k = categoryMap(c);
		assert.equal(k.de_facto_unsupported?.state, 'suggested', JSON.stringify(c.categories));
		assert.equal(k.de_facto_unsupported.reason, 'one_dead_other_incapable');
		assert.equal(k.in_difficulty?.state, 'suggested', 'in difficulty as well');
		assert.equal(k.in_difficulty.reason, 'guardianship_failure');
		assert.ok(!k.orphan);
		assert.ok(!k.left_behind);
		// mirrored: mother declared missing, father in compulsory drug rehabilitation
		const m = await register({ birth: aged(11), father: 'drug_rehab', mother: 'missing' });
		assert.equal(categoryMap(m).de_facto_unsupported?.reason, 'one_dead_other_incapable', JSON.stringify(m.categories));
	});

	test('de facto unsupported: every status of the incapacity set counts, present and working away do not', async () => {
		const incapacity = [
			'lost_contact',
			'severe_disability',
			'serious_illness',
			'imprisoned',
			'drug_rehab',
			'detained',
			'guardianship_revoked',
			'deported',
		];
		for (const s of incapacity) {
			const c = await register({ birth: aged(6), hukou: 'urban', father: 'deceased', mother: s });
			assert.equal(categoryMap(c).de_facto_unsupported?.reason, 'one_dead_other_incapable', `mother ${s}: ${JSON.stringify(c.categories)}`);
		}
		// both parents without capacity
		const both = await register({ birth: aged(6), hukou: 'urban', father: 'lost_contact', mother: 'severe_disability' });
		const k = categoryMap(both);
		assert.equal(k.de_facto_unsupported?.reason, 'both_parents_incapable', JSON.stringify(both.categories));
		assert.equal(k.in_difficulty?.reason, 'guardianship_failure');
		for (const s of ['present', 'working_away']) {
			const c = await register({ birth: aged(6), hukou: 'urban', father: 'deceased', mother: s });
			assert.deepEqual(liveCategories(c), [], `mother ${s}: ${JSON.stringify(c.categories)}`);
		}
	});

	test('left-behind: both parents working away, rural, 15 — but not urban, and not with one parent at home', async () => {
		const lb = await register({ birth: aged(15), father: 'working_away', mother: 'working_away' });
		const k = categoryMap(lb);
		assert.equal(k.left_behind?.state, 'suggested', JSON.stringify(lb.categories));
		assert.equal(k.left_behind.reason, 'both_parents_away');
		assert.deepEqual(liveCategories(lb), ['left_behind'], 'nothing else');

		const urban = await register({ birth: aged(15), hukou: 'urban', father: 'working_away', mother: 'working_away' });
		assert.deepEqual(liveCategories(urban), [], `urban registration: ${JSON.stringify(urban.categories)}`);
		const unknownHukou = await register({ birth: aged(15), hukou: null, father: 'working_away', mother: 'working_away' });
		assert.deepEqual(liveCategories(unknownHukou), [], 'no household registration recorded: not rural');
		for (const [f, m] of [
			['working_away', 'present'],
			['present', 'working_away'],
		]) {
			const c = await register({ birth: aged(15), father: f, mother: m });
			assert.deepEqual(liveCategories(c), [], `father ${f}, mother ${m}: ${JSON.stringify(c.categories)}`);
		}
		// one away and the other without guardianship capacity
		const inc = await register({ birth: aged(12), father: 'working_away', mother: 'imprisoned' });
		const ki = categoryMap(inc);
		assert.equal(ki.left_behind?.reason, 'one_away_other_incapable', JSON.stringify(inc.categories));
		assert.ok(!ki.de_facto_unsupported, 'a parent working away is not without capacity');

		// the list filter by category finds the suggestion
		const list = await centre.get(`/api/v1/children?category=left_behind&q=${encodeURIComponent(lb.name)}`);
		assert.deepEqual(
			list.body.items.map((c) => c.id),
			[lb.id],
		);
		const none = await centre.get(`/api/v1/children?category=left_behind&q=${encodeURIComponent(urban.name)}`);
		assert.deepEqual(none.body.items, []);
		// confirmed only, as the overview counts them, or the suggestions only
		const byState = async (state) => {
			const r = await centre.get(`/api/v1/children?category=left_behind&category_state=${state}&q=${encodeURIComponent(lb.name)}`);
			assert.equal(r.status, 200, r.text);
			return r.body.items.map((c) => c.id);
		};
		assert.deepEqual(await byState('suggested'), [lb.id]);
		assert.deepEqual(await byState('confirmed'), [], 'a suggestion is not counted as confirmed');
		const ok = await decide(centre, lb.id, 'left_behind', { action: 'confirm', ...evidence });
		assert.equal(ok.status, 200, ok.text);
		assert.deepEqual(await byState('confirmed'), [lb.id]);
		assert.deepEqual(await byState('suggested'), []);
		for (const q of ['category=left_behind&category_state=maybe', 'category_state=confirmed']) {
			const r = await centre.get(`/api/v1/children?${q}`);
			assert.equal(r.status, 422, `${q}: ${r.text}`);
			assert.equal(r.body.error.field, 'category_state', q);
		}
	});

	test('left-behind ends at 16: suggested the day before the 16th birthday, not on the day', async (t) => {
		const dayBefore = bornYearsBefore(16, 1);
		const onTheDay = bornYearsBefore(16, 0);
		if (!dayBefore || !onTheDay) return t.skip('the boundary falls on 29 February');
		const young = await register({ birth: dayBefore, father: 'working_away', mother: 'working_away' });
		assert.equal(categoryMap(young).left_behind?.state, 'suggested', `born ${dayBefore}: ${JSON.stringify(young.categories)}`);
		const sixteen = await register({ birth: onTheDay, father: 'working_away', mother: 'working_away' });
		assert.deepEqual(sixteen.categories, [], `born ${onTheDay}, 16 today: no suggestion at all`);
		const noId = await register({ birth: onTheDay, father: 'working_away', mother: 'working_away', withId: false });
		assert.deepEqual(noId.categories, [], 'without an ID number: 16 today, no suggestion');

		// the age filters agree on the same boundary (full years)
		const ages = async (q) =>
			new Set(
				(await centre.listAll(`/api/v1/children?${q}`)).map((c) => c.id),
			);
		const upTo15 = await ages('age_max=15');
		assert.ok(upTo15.has(young.id), 'age_max=15 includes the child whose 16th birthday is tomorrow');
		assert.ok(!upTo15.has(sixteen.id), 'age_max=15 excludes the child who is 16 today');
		const from16 = await ages('age_min=16');
		assert.ok(from16.has(sixteen.id), 'age_min=16 includes the child who is 16 today');
		assert.ok(!from16.has(young.id), 'age_min=16 excludes the child whose 16th birthday is tomorrow');
	});

	test('in difficulty: family poverty, own disability, own serious illness', async () => {
		const cases = [
			[{ family_poverty: true }, 'family_poverty'],
			[{ disability_grade: 2, disability_type: 'physical' }, 'own_disability'],
			[{ disability_grade: 4, disability_type: 'hearing' }, 'own_disability'],
			[{ serious_illness: '白血病' }, 'own_serious_illness'],
		];
		for (const [facts, reason] of cases) {
			const c = await register({ birth: aged(10), hukou: 'urban', father: 'present', mother: 'present', ...facts });
			const k = categoryMap(c);
			assert.equal(k.in_difficulty?.state, 'suggested', `${JSON.stringify(facts)}: ${JSON.stringify(c.categories)}`);
			assert.equal(k.in_difficulty.reason, reason, JSON.stringify(facts));
			assert.deepEqual(liveCategories(c), ['in_difficulty'], JSON.stringify(facts));
		}
		const ordinary = await register({ birth: aged(10), hukou: 'urban', father: 'present', mother: 'present' });
		assert.deepEqual(ordinary.categories, [], 'an ordinary child has no category');
		// the fact goes away: so does the suggestion
		const poor = await register({ birth: aged(10), hukou: 'urban', father: 'present', mother: 'present', family_poverty: true });
		const p = await centre.patch(`/api/v1/children/${poor.id}`, { family_poverty: false, version: poor.version });
		assert.equal(p.status, 200, p.text);
		assert.deepEqual(liveCategories(p.body), [], JSON.stringify(p.body.categories));
	});

	test('suggestions follow a change of the guardians at once', async () => {
		const c = await register({ birth: aged(8), father: 'working_away', mother: 'present', as: director });
		assert.deepEqual(liveCategories(c), []);
		const p = await director.patch(`/api/v1/children/${c.id}`, {
			guardians: guardians('working_away', 'working_away'),
			version: c.version,
		});
		assert.equal(p.status, 200, p.text);
		assert.equal(categoryMap(p.body).left_behind?.state, 'suggested', 'the mother left too');
		const q = await director.patch(`/api/v1/children/${c.id}`, { guardians: guardians('present', 'working_away'), version: p.body.version });
		assert.equal(q.status, 200, q.text);
		assert.deepEqual(liveCategories(q.body), [], 'the father came home before anyone confirmed: the suggestion is gone');
	});

	test('a rejected suggestion stays rejected while the facts are the same', async () => {
		const c = await register({ birth: aged(9), father: 'working_away', mother: 'working_away' });
		const long = await decide(station, c.id, 'left_behind', { action: 'reject', note: '核'.repeat(41) });
		assert.equal(long.status, 422, long.text);
		assert.equal(long.body.error.field, 'note');
		const r = await decide(station, c.id, 'left_behind', { action: 'reject', note: '母亲已返乡照料，入户核实' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.state, 'rejected');
		// why, kept with it, and who decided
		assert.equal(r.body.evidence_ref, '母亲已返乡照料，入户核实');
		assert.equal(r.body.evidence_type, 'rejection');
		assert.equal(r.body.confirmed_by_name, station.me.user.display_name);
		// an unrelated change of the record (a note) must not bring the suggestion back
		const p = await centre.patch(`/api/v1/children/${c.id}`, { notes: '电话号码已更新', version: c.version });
		assert.equal(p.status, 200, p.text);
		const rows = p.body.categories.filter((k) => k.category === 'left_behind');
		assert.deepEqual(
			rows.map((k) => k.state),
			['rejected'],
			`after editing a note: ${JSON.stringify(p.body.categories)}`,
		);
	});

	test('a rejection holds for the facts it judged: a parent who came home and left again brings the suggestion back', async () => {
		const c = await register({ birth: aged(9), father: 'working_away', mother: 'working_away' });
		const r = await decide(station, c.id, 'left_behind', { action: 'reject', note: '母亲在家，登记有误' });
		assert.equal(r.status, 200, r.text);
		// the director corrects the record: the mother is at home
		const home = await director.patch(`/api/v1/children/${c.id}`, { guardians: guardians('working_away', 'present'), version: c.version });
		assert.equal(home.status, 200, home.text);
		assert.deepEqual(liveCategories(home.body), [], JSON.stringify(home.body.categories));
		// a year on she goes to work in the city: the child is left behind now
		const away = await director.patch(`/api/v1/children/${c.id}`, { guardians: guardians('working_away', 'working_away'), version: home.body.version });
		assert.equal(away.status, 200, away.text);
		const k = categoryMap(away.body).left_behind;
		assert.equal(k.state, 'suggested', `the township is asked again: ${JSON.stringify(away.body.categories)}`);
		assert.equal(k.reason, 'both_parents_away');
		// the earlier rejection stays in the file
		assert.deepEqual(away.body.categories.filter((x) => x.category === 'left_behind').map((x) => x.state).sort(), ['rejected', 'suggested']);
		// and an edit that changes nothing of the category asks nothing more
		const note = await director.patch(`/api/v1/children/${c.id}`, { notes: '学习用品已送到', version: away.body.version });
		assert.equal(note.status, 200, note.text);
		assert.equal(note.body.categories.filter((x) => x.category === 'left_behind').length, 2);
	});

	// ---- confirmation, review, end, statistics ----

	test('a date must be a real day written YYYY-MM-DD: the field is named, nothing is stored', async () => {
		const bad = ['2024-1x-01', '2024- 1-01', '0042-01-01', 'abcd-01-01', '2023-02-29', '2024-01-01 '];
		const before = await childrenTotal(centre);
		for (const since of bad) {
			const body = {
				name: uniqueName('日期'),
				village_code: VILLAGE,
				id_number: ids.next({ birth: compact(bornYearsBefore(8)) }),
				guardians: [{ relation: 'father', name: '父', status: 'working_away', status_since: since }],
			};
			const r = await centre.post('/api/v1/children', body);
			assert.equal(r.status, 422, `${since}: ${r.text}`);
			assert.equal(r.body.error.field, 'guardians[0].status_since', since);
		}
		assert.equal(await childrenTotal(centre), before, 'nothing registered');
		const child = await register({ birth: bornYearsBefore(8), father: 'working_away', mother: 'working_away' });
		for (const [field, value] of [
			['start_date', '2024-1x-01'],
			['end_date', '0042-01-01'],
		]) {
			const r = await decide(centre, child.id, 'left_behind', { action: 'confirm', ...evidence, [field]: value });
			assert.equal(r.status, 422, `${field} ${value}: ${r.text}`);
			assert.equal(r.body.error.field, field);
		}
		assert.equal(categoryMap(await read(child.id)).left_behind?.state, 'suggested', 'not confirmed by a refused request');
		for (const [q, field] of [
			['from=2026-1x-01&to=2026-12-31', 'from'],
			['from=2026-01-01&to=2026-02-30', 'to'],
			['from=2026-12-31&to=2026-01-01', 'to'], // reversed
		]) {
			const r = await station.get(`/api/v1/stats/category-ends?category=left_behind&${q}`);
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, field);
		}
	});

	test('dates must be within the child\'s life so far, an end not before its start; one father and one mother', async () => {
		const child = await register({ birth: bornYearsBefore(8), father: 'working_away', mother: 'working_away' });
		const born = (await read(child.id)).birth_date;
		const later = new Date(Date.now() + 40 * 86400e3).toISOString().slice(0, 10);
		const dayBefore = (d) => new Date(Date.parse(`${d}T00:00:00Z`) - 86400e3).toISOString().slice(0, 10);
		for (const [body, field] of [
			[{ action: 'confirm', ...evidence, start_date: later }, 'start_date'],
			[{ action: 'confirm', ...evidence, start_date: dayBefore(born) }, 'start_date'],
			[{ action: 'confirm', ...evidence, start_date: todayChina(), end_date: born }, 'end_date'], // an end goes with "end"
		]) {
			const r = await decide(centre, child.id, 'left_behind', body);
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, field);
		}
		const start = dayBefore(todayChina());
		const ok = await decide(centre, child.id, 'left_behind', { action: 'confirm', ...evidence, start_date: start });
		assert.equal(ok.status, 200, ok.text);
		const early = await decide(centre, child.id, 'left_behind', { action: 'end', end_reason: 'parent_returned', end_date: born });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.field, 'end_date');
		assert.match(early.body.error.message, new RegExp(start));
		assert.equal(categoryMap(await read(child.id)).left_behind?.state, 'confirmed', 'the refused end changed nothing');
		const future = await decide(centre, child.id, 'left_behind', { action: 'end', end_reason: 'parent_returned', end_date: later });
		assert.equal(future.status, 422, future.text);
		assert.equal(future.body.error.field, 'end_date');
		const c = await read(child.id);
		for (const [guardians, field] of [
			[[{ relation: 'father', name: '父', status: 'working_away', status_since: later }], 'guardians[0].status_since'],
			[
				[
					{ relation: 'father', name: '甲', status: 'deceased' },
					{ relation: 'father', name: '乙', status: 'deceased' },
				],
				'guardians[1].relation',
			],
		]) {
			const r = await centre.patch(`/api/v1/children/${child.id}`, { version: c.version, guardians });
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await read(child.id)).version, c.version, 'nothing written');
		// a child without an ID number: a corrected birth date may not come after a category's start
		const noId = await register({ birth: bornYearsBefore(8), father: 'working_away', mother: 'working_away', withId: false });
		const conf = await decide(centre, noId.id, 'left_behind', { action: 'confirm', ...evidence, start_date: start });
		assert.equal(conf.status, 200, conf.text);
		const v = (await read(noId.id)).version;
		const late = await centre.patch(`/api/v1/children/${noId.id}`, { version: v, birth_date: todayChina() });
		assert.equal(late.status, 422, late.text);
		assert.equal(late.body.error.field, 'birth_date');
		assert.match(late.body.error.message, new RegExp(`began on ${start}`));
		const fine = await centre.patch(`/api/v1/children/${noId.id}`, { version: v, birth_date: bornYearsBefore(9) });
		assert.equal(fine.status, 200, fine.text);
	});

	test('only the centre, station and supervisor decide; a confirmation needs evidence', async () => {
		const c = await register({ birth: aged(10), father: 'working_away', mother: 'working_away', as: director });
		assert.equal(categoryMap(c).left_behind?.state, 'suggested');

		const byDirector = await decide(director, c.id, 'left_behind', { action: 'confirm', ...evidence });
		assert.equal(byDirector.status, 403, byDirector.text);
		assert.equal(byDirector.body.error.code, 'forbidden');

		const noType = await decide(station, c.id, 'left_behind', { action: 'confirm', evidence_ref: 'X-1' });
		assert.equal(noType.status, 422, noType.text);
		assert.equal(noType.body.error.field, 'evidence_type');
		const noRef = await decide(station, c.id, 'left_behind', { action: 'confirm', evidence_type: 'household_survey' });
		assert.equal(noRef.status, 422, noRef.text);
		assert.equal(noRef.body.error.field, 'evidence_ref');
		const emptyRef = await decide(station, c.id, 'left_behind', { action: 'confirm', evidence_type: 'household_survey', evidence_ref: '' });
		assert.equal(emptyRef.status, 422, emptyRef.text);
		assert.equal(emptyRef.body.error.field, 'evidence_ref');
		assert.equal(categoryMap(await read(c.id)).left_behind.state, 'suggested', 'refused attempts change nothing');

		const ok = await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.body.state, 'confirmed');
		assert.equal(ok.body.evidence_type, evidence.evidence_type);
		assert.equal(ok.body.evidence_ref, evidence.evidence_ref);
		assert.equal(ok.body.start_date, todayChina());
		assert.equal(ok.body.confirmed_by, station.me.user.id);
		assert.equal(ok.body.confirmed_by_name, station.me.user.display_name, 'who confirmed it, by name');
		const k = categoryMap(await read(c.id, director)).left_behind;
		assert.equal(k.state, 'confirmed', 'the director sees the confirmation');
		assert.equal(k.confirmed_by_name, station.me.user.display_name);
		// the decision is a line of the child's history, by the station
		const hist = (await centre.get(`/api/v1/children/${c.id}/history`)).body.items.filter((e) => e.field === 'category');
		assert.deepEqual(hist.map((e) => [e.old, e.new, e.user_id]), [['left_behind: suggested', 'left_behind: confirmed', station.me.user.id]]);
		assert.equal(k.needs_review, false);

		const again = await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence });
		assert.equal(again.status, 409, 'a confirmed category cannot be confirmed twice');

		// the supervisor and the centre may decide too
		const c2 = await register({ birth: aged(10), father: 'deceased', mother: 'deceased' });
		const sup = await decide(await srv.login('supervisor'), c2.id, 'orphan', { action: 'confirm', evidence_type: 'death_certificate', evidence_ref: 'DC-7' });
		assert.equal(sup.status, 200, sup.text);
		assert.equal(sup.body.state, 'confirmed');
	});

	test('evidence of blanks alone, invisible or control characters is no evidence: refused naming the field, nothing changes', async () => {
		const c = await register({ birth: aged(10), father: 'working_away', mother: 'working_away' });
		const tries = [
			['evidence_ref', { evidence_type: 'household_survey', evidence_ref: '   ' }],
			['evidence_ref', { evidence_type: 'household_survey', evidence_ref: '\u3000\u3000' }],
			['evidence_ref', { evidence_type: 'household_survey', evidence_ref: '\u200b' }],
			['evidence_type', { evidence_type: '\u00a0', evidence_ref: 'HS-1' }],
			['evidence_ref', { evidence_type: 'household_survey', evidence_ref: 'HS-1\u0007' }],
		];
		for (const [field, body] of tries) {
			const r = await decide(station, c.id, 'left_behind', { action: 'confirm', ...body });
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, r.text);
		}
		const note = await decide(station, c.id, 'left_behind', { action: 'reject', note: '入户核实\u0001' });
		assert.equal(note.status, 422, note.text);
		assert.equal(note.body.error.field, 'note');
		assert.equal(categoryMap(await read(c.id)).left_behind.state, 'suggested', 'refused attempts change nothing');
		const ok = await decide(station, c.id, 'left_behind', { action: 'confirm', evidence_type: 'household_survey', evidence_ref: '  HS-2026-9 ' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.body.evidence_ref, 'HS-2026-9', 'blanks at either end are dropped');
	});

	test('a parent comes home: the confirmed left-behind is flagged for review in the township, ended by a person, counted by reason', async () => {
		const today = todayChina();
		const c = await register({ birth: aged(10), father: 'working_away', mother: 'working_away', as: director });
		const conf = await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence });
		assert.equal(conf.status, 200, conf.text);

		const statsPath = `/api/v1/stats/category-ends?category=left_behind&from=${today}&to=${today}`;
		const before = await station.get(statsPath);
		assert.equal(before.status, 200, before.text);
		const otherBefore = await (await srv.login(OTHER_TOWNSHIP_STATION)).get(statsPath);

		// the father returns
		const cur = await read(c.id, director);
		const p = await director.patch(`/api/v1/children/${c.id}`, {
			guardians: [
				{ relation: 'father', name: '父亲', status: 'present' },
				{ relation: 'mother', name: '母亲', status: 'working_away', work_place: '上海' },
			],
			version: cur.version,
		});
		assert.equal(p.status, 200, p.text);
		const k = categoryMap(await read(c.id)).left_behind;
		assert.equal(k.state, 'confirmed', 'a confirmed category is never ended silently');
		assert.equal(k.needs_review, true);
		assert.equal(k.end_reason, 'parent_returned');

		const review = await station.listAll('/api/v1/categories/review');
		const mine = review.filter((r) => r.child_id === c.id);
		assert.equal(mine.length, 1, `the station's review list has the child once: ${JSON.stringify(mine)}`);
		assert.equal(mine[0].category, 'left_behind');
		assert.equal(mine[0].state, 'confirmed');
		assert.equal(mine[0].needs_review, true);
		assert.equal(mine[0].end_reason, 'parent_returned');
		assert.equal(mine[0].village_code, VILLAGE);
		for (const r of review) assert.ok(r.village_code.startsWith('370831001'), `station review: ${r.village_code}`);
		// names and categories of children: the read is in the audit log
		const logged = await (await srv.login('auditor')).get('/api/v1/audit?action=category.review_list&limit=1');
		assert.equal(logged.status, 200, logged.text);
		assert.equal(logged.body.items[0]?.username, 'station', 'the review list read is audited');

		const other = await (await srv.login(OTHER_TOWNSHIP_STATION)).listAll('/api/v1/categories/review');
		assert.ok(!other.some((r) => r.child_id === c.id), "another township's station does not see it");
		for (const r of other) assert.ok(r.village_code.startsWith('370831002'), `station02 review: ${r.village_code}`);

		// ending it
		const end = await decide(station, c.id, 'left_behind', { action: 'end', end_reason: 'parent_returned' });
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.state, 'ended');
		assert.equal(end.body.end_reason, 'parent_returned');
		assert.equal(end.body.end_date, today);
		assert.equal(end.body.needs_review, false);
		const after = categoryMap(await read(c.id)).left_behind;
		assert.equal(after.state, 'ended');
		assert.equal(after.end_reason, 'parent_returned');
		assert.equal(after.evidence_ref, evidence.evidence_ref, 'the confirmation is kept with the end');
		assert.ok(!(await station.listAll('/api/v1/categories/review')).some((r) => r.child_id === c.id), 'off the review list');

		const stats = await station.get(statsPath);
		assert.equal(stats.status, 200, stats.text);
		assert.equal(stats.body.total, before.body.total + 1);
		assert.equal(stats.body.by_reason.parent_returned ?? 0, (before.body.by_reason.parent_returned ?? 0) + 1);
		const centreStats = await centre.get(statsPath);
		assert.ok((centreStats.body.by_reason.parent_returned ?? 0) >= 1, 'the county counts it too');
		const otherAfter = await (await srv.login(OTHER_TOWNSHIP_STATION)).get(statsPath);
		assert.deepEqual(otherAfter.body, otherBefore.body, "another township's statistics do not change");
	});

	test('an end by age only at that age and for the category it ends: the statistics count no 10-year-old as turned 16', async () => {
		const c = await register({ birth: aged(10), father: 'working_away', mother: 'working_away' });
		assert.equal((await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence })).status, 200);
		const o = await register({ birth: aged(12), father: 'deceased', mother: 'deceased' });
		assert.equal((await decide(station, o.id, 'orphan', { action: 'confirm', evidence_type: 'death_certificate', evidence_ref: 'DC-9' })).status, 200);
		const refused = [
			[c.id, 'left_behind', 'turned_16'], // the child is 10
			[c.id, 'left_behind', 'turned_18'], // left-behind ends at 16
			[o.id, 'orphan', 'turned_18'], // the child is 12
			[o.id, 'orphan', 'turned_16'], // an orphan is one until 18
		];
		for (const [id, category, end_reason] of refused) {
			const r = await decide(station, id, category, { action: 'end', end_reason });
			assert.equal(r.status, 422, `${category} ${end_reason}: ${r.text}`);
			assert.equal(r.body.error.field, 'end_reason', r.text);
		}
		assert.equal(categoryMap(await read(c.id)).left_behind.state, 'confirmed', 'refused ends change nothing');
		assert.equal(categoryMap(await read(o.id)).orphan.state, 'confirmed');
		const ok = await decide(station, c.id, 'left_behind', { action: 'end', end_reason: 'other' });
		assert.equal(ok.status, 200, ok.text);
		assert.equal(ok.body.end_reason, 'other');
	});

	test('a reviewer may keep a flagged category; the review proposal is used when no end_reason is given', async () => {
		const mk = async () => {
			const c = await register({ birth: aged(10), father: 'working_away', mother: 'working_away' });
			assert.equal((await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence })).status, 200);
			const p = await centre.patch(`/api/v1/children/${c.id}`, { guardians: guardians('working_away', 'present'), version: c.version });
			assert.equal(p.status, 200, p.text);
			assert.equal(categoryMap(p.body).left_behind.needs_review, true);
			return c;
		};
		const kept = await mk();
		const keep = await decide(station, kept.id, 'left_behind', { action: 'keep' });
		assert.equal(keep.status, 200, keep.text);
		assert.equal(keep.body.state, 'confirmed');
		assert.equal(keep.body.needs_review, false);
		assert.equal(keep.body.end_reason, null);

		const ended = await mk();
		const end = await decide(station, ended.id, 'left_behind', { action: 'end' });
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.state, 'ended');
		assert.equal(end.body.end_reason, 'parent_returned', 'the reason the review proposed');

		// the mother leaves again before anyone reviewed: the flag goes by itself
		const back = await mk();
		const cur = await read(back.id);
		const p = await centre.patch(`/api/v1/children/${back.id}`, { guardians: guardians('working_away', 'working_away'), version: cur.version });
		assert.equal(p.status, 200, p.text);
		const kb = categoryMap(p.body).left_behind;
		assert.equal(kb.state, 'confirmed');
		assert.equal(kb.needs_review, false, JSON.stringify(kb));
		assert.equal(kb.end_reason, null);
		assert.ok(!(await station.listAll('/api/v1/categories/review')).some((r) => r.child_id === back.id), 'off the review list');

		const unflagged = await register({ birth: aged(10), father: 'working_away', mother: 'working_away' });
		assert.equal((await decide(station, unflagged.id, 'left_behind', { action: 'confirm', ...evidence })).status, 200);
		const noReason = await decide(station, unflagged.id, 'left_behind', { action: 'end' });
		assert.equal(noReason.status, 422, noReason.text);
		assert.equal(noReason.body.error.field, 'end_reason');
	});

	test('an edit of other facts (a note, the grade) leaves the review as it stands: the flag keeps its reason, a kept category stays kept', async () => {
		const flagged = async () => {
			const c = await register({ birth: aged(10), father: 'working_away', mother: 'working_away' });
			assert.equal((await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence })).status, 200);
			const p = await director.patch(`/api/v1/children/${c.id}`, { guardians: guardians('present', 'working_away'), version: c.version });
			assert.equal(p.status, 200, p.text);
			const k = categoryMap(p.body).left_behind;
			assert.equal(k.needs_review, true);
			assert.equal(k.end_reason, 'parent_returned');
			return p.body;
		};
		// flagged because the father came home; the director then writes a note
		const a = await flagged();
		const note = await director.patch(`/api/v1/children/${a.id}`, { notes: '父亲在家务农', version: a.version });
		assert.equal(note.status, 200, note.text);
		const ka = categoryMap(note.body).left_behind;
		assert.equal(ka.needs_review, true);
		assert.equal(ka.end_reason, 'parent_returned', `the reason the flag was raised for: ${JSON.stringify(ka)}`);
		const listed = (await station.listAll('/api/v1/categories/review')).find((r) => r.child_id === a.id);
		assert.equal(listed?.end_reason, 'parent_returned', JSON.stringify(listed));
		const end = await decide(station, a.id, 'left_behind', { action: 'end' });
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.end_reason, 'parent_returned', 'counted as a parent who came home, not as other');

		// flagged, kept by the station (he is home for a few weeks only); then the grade is corrected
		const b = await flagged();
		assert.equal((await decide(station, b.id, 'left_behind', { action: 'keep' })).status, 200);
		const grade = await director.patch(`/api/v1/children/${b.id}`, { grade: '四年级', version: b.version });
		assert.equal(grade.status, 200, grade.text);
		const kb = categoryMap(grade.body).left_behind;
		assert.equal(kb.state, 'confirmed');
		assert.equal(kb.needs_review, false, `kept stays kept: ${JSON.stringify(kb)}`);
		assert.ok(!(await station.listAll('/api/v1/categories/review')).some((r) => r.child_id === b.id), 'not back on the review list');
		// a change of the facts themselves is reviewed again: the mother comes home too
		const home = await director.patch(`/api/v1/children/${b.id}`, { guardians: guardians('present', 'present'), version: grade.body.version });
		assert.equal(home.status, 200, home.text);
		assert.equal(categoryMap(home.body).left_behind.needs_review, true);
		assert.equal(categoryMap(home.body).left_behind.end_reason, 'parent_returned');
	});

	// ---- the end by age ----

	test('`weibao recompute` ends confirmed categories whose age limit passed, and only those', async (t) => {
		const sixteenToday = bornYearsBefore(16, 0);
		const sixteenTomorrow = bornYearsBefore(16, 1);
		const eighteenToday = bornYearsBefore(18, 0);
		if (!sixteenToday || !sixteenTomorrow || !eighteenToday) return t.skip('a boundary falls on 29 February');
		const today = todayChina();
		// registered young (no ID number, so the birth date can be corrected in the database)
		const lb = await register({ birth: aged(15), father: 'working_away', mother: 'working_away', withId: false });
		const lbTomorrow = await register({ birth: sixteenTomorrow, father: 'working_away', mother: 'working_away', withId: false });
		const orphan = await register({ birth: aged(17), father: 'deceased', mother: 'deceased', withId: false });
		const unconfirmed = await register({ birth: aged(15), father: 'working_away', mother: 'working_away', withId: false });
		for (const [c, cat] of [
			[lb, 'left_behind'],
			[lbTomorrow, 'left_behind'],
			[orphan, 'orphan'],
		]) {
			const r = await decide(station, c.id, cat, { action: 'confirm', ...evidence });
			assert.equal(r.status, 200, r.text);
		}
		const statsBefore = (await centre.get(`/api/v1/stats/category-ends?category=left_behind&from=${today}&to=${today}`)).body;
		const orphanStatsBefore = (await centre.get(`/api/v1/stats/category-ends?category=orphan&from=${today}&to=${today}`)).body;

		// time passes: the records now say 16 and 18 today
		await sql(srv.db, `UPDATE children SET birth_date = '${sixteenToday}' WHERE id IN (${lb.id}, ${unconfirmed.id})`);
		await sql(srv.db, `UPDATE children SET birth_date = '${eighteenToday}' WHERE id = ${orphan.id}`);

		const r = await cli(srv.db, ['recompute']);
		assert.equal(r.code, 0, r.stderr);
		const m = /categories ended or withdrawn by age: (\d+)/.exec(r.stdout);
		assert.ok(m, r.stdout);
		assert.ok(Number(m[1]) >= 3, `ended or withdrawn: ${m[1]}`);

		const k = categoryMap(await read(lb.id)).left_behind;
		assert.equal(k.state, 'ended', JSON.stringify(k));
		assert.equal(k.end_reason, 'turned_16');
		assert.equal(k.end_date, today);
		assert.equal(k.needs_review, false);
		const o = categoryMap(await read(orphan.id)).orphan;
		assert.equal(o.state, 'ended', JSON.stringify(o));
		assert.equal(o.end_reason, 'turned_18');
		assert.equal(o.end_date, today);
		const u = await read(unconfirmed.id);
		assert.deepEqual(liveCategories(u), [], `an unconfirmed suggestion is withdrawn: ${JSON.stringify(u.categories)}`);
		assert.ok(!u.categories.some((x) => x.state === 'ended'), 'a suggestion does not count as an ended category');
		const stay = categoryMap(await read(lbTomorrow.id)).left_behind;
		assert.equal(stay.state, 'confirmed', '16 tomorrow: still left behind');
		assert.equal(stay.needs_review, false);

		const stats = (await centre.get(`/api/v1/stats/category-ends?category=left_behind&from=${today}&to=${today}`)).body;
		assert.equal(stats.by_reason.turned_16 ?? 0, (statsBefore.by_reason.turned_16 ?? 0) + 1, JSON.stringify(stats));
		const ostats = (await centre.get(`/api/v1/stats/category-ends?category=orphan&from=${today}&to=${today}`)).body;
		assert.equal(ostats.by_reason.turned_18 ?? 0, (orphanStatsBefore.by_reason.turned_18 ?? 0) + 1, JSON.stringify(ostats));

		// running it again changes nothing more
		const again = await cli(srv.db, ['recompute']);
		assert.equal(again.code, 0, again.stderr);
		assert.equal(categoryMap(await read(lb.id)).left_behind.end_date, today);
		assert.equal(categoryMap(await read(lbTomorrow.id)).left_behind.state, 'confirmed');
	});

	test('a corrected birth date that makes the child 16 ends the confirmed left-behind at once', async (t) => {
		const sixteenToday = bornYearsBefore(16, 0);
		if (!sixteenToday) return t.skip('the boundary falls on 29 February');
		const c = await register({ birth: aged(14), father: 'working_away', mother: 'working_away', withId: false });
		assert.equal((await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence })).status, 200);
		const p = await centre.patch(`/api/v1/children/${c.id}`, { birth_date: sixteenToday, version: c.version });
		assert.equal(p.status, 200, p.text);
		const k = categoryMap(p.body).left_behind;
		assert.equal(k.state, 'ended', JSON.stringify(p.body.categories));
		assert.equal(k.end_reason, 'turned_16');
		assert.equal(k.end_date, todayChina());
	});

	// the history of an end by age: when (the birthday, not the day the
	// check ran) and why, as a person's end is recorded
	const ageEndLine = async (id, category) => {
		const h = await centre.get(`/api/v1/children/${id}/history`);
		assert.equal(h.status, 200, h.text);
		return h.body.items.filter((e) => e.field === 'category' && e.old === `${category}: confirmed` && /: ended /.test(e.new ?? ''));
	};
	const chinaDay = (at) => new Date((at + 8 * 3600) * 1000).toISOString().slice(0, 10);

	test('an end by age found days late ends on the birthday (on_day / day_after) and is a line of the history', async (t) => {
		const lbBirth = bornYearsBefore(16, -3); // 16 three days ago
		const orBirth = bornYearsBefore(18, -3); // 18 three days ago
		if (!lbBirth || !orBirth) return t.skip('a boundary falls on 29 February');
		const birthday = chinaDate(-3).iso;
		const dayAfter = chinaDate(-2).iso;
		const yearAgo = chinaDate(-365).iso;
		const lb = await register({ birth: aged(15), father: 'working_away', mother: 'working_away', withId: false });
		const orphan = await register({ birth: aged(17), father: 'deceased', mother: 'deceased', withId: false });
		for (const [c, cat] of [
			[lb, 'left_behind'],
			[orphan, 'orphan'],
		]) {
			const r = await decide(station, c.id, cat, { action: 'confirm', start_date: yearAgo, ...evidence });
			assert.equal(r.status, 200, r.text);
		}
		// time passes: the birthdays were three days ago and the daily check did not run since
		await sql(srv.db, `UPDATE children SET birth_date = '${lbBirth}' WHERE id = ${lb.id}`);

		const r = await cli(srv.db, ['recompute']);
		assert.equal(r.code, 0, r.stderr);
		const k = categoryMap(await read(lb.id)).left_behind;
		assert.equal(k.state, 'ended', JSON.stringify(k));
		assert.equal(k.end_reason, 'turned_16');
		assert.equal(k.end_date, birthday, 'ended on the 16th birthday, not the day the check ran');
		const lines = await ageEndLine(lb.id, 'left_behind');
		assert.equal(lines.length, 1, 'one line of history says the category ended');
		assert.equal(lines[0].new, 'left_behind: ended turned_16');
		assert.equal(chinaDay(lines[0].at), birthday, 'dated the birthday');

		// a county that counts a year of age on the day after the birthday
		await sql(srv.db, `UPDATE children SET birth_date = '${orBirth}' WHERE id = ${orphan.id}`);
		const r2 = await cli(srv.db, ['recompute'], { env: { WEIBAO_CATEGORY_BIRTHDAY: 'day_after' } });
		assert.equal(r2.code, 0, r2.stderr);
		const o = categoryMap(await read(orphan.id)).orphan;
		assert.equal(o.state, 'ended', JSON.stringify(o));
		assert.equal(o.end_reason, 'turned_18');
		assert.equal(o.end_date, dayAfter, 'day_after: 18 on the day after the birthday');
		const ol = await ageEndLine(orphan.id, 'orphan');
		assert.equal(ol.length, 1);
		assert.equal(ol[0].new, 'orphan: ended turned_18');
		assert.equal(chinaDay(ol[0].at), dayAfter);

		// the check again: no second line
		assert.equal((await cli(srv.db, ['recompute'])).code, 0);
		assert.equal((await ageEndLine(lb.id, 'left_behind')).length, 1);
	});

	test('a suggestion nobody decided, lapsed by age, is withdrawn with a line of the history dated the birthday', async (t) => {
		const lbBirth = bornYearsBefore(16, -3); // 16 three days ago
		if (!lbBirth) return t.skip('the boundary falls on 29 February');
		const birthday = chinaDate(-3).iso;
		const c = await register({ birth: aged(15), father: 'working_away', mother: 'working_away', withId: false });
		assert.equal(categoryMap(await read(c.id)).left_behind?.state, 'suggested', 'suggested, not confirmed');
		// time passes: the 16th birthday was three days ago and the daily check did not run since
		await sql(srv.db, `UPDATE children SET birth_date = '${lbBirth}' WHERE id = ${c.id}`);
		const r = await cli(srv.db, ['recompute']);
		assert.equal(r.code, 0, r.stderr);
		const u = await read(c.id);
		assert.deepEqual(liveCategories(u), [], `withdrawn: ${JSON.stringify(u.categories)}`);
		assert.ok(!u.categories.some((x) => x.state === 'ended'), 'a suggestion does not count as an ended category');
		const lines = async () => {
			const h = await centre.get(`/api/v1/children/${c.id}/history`);
			assert.equal(h.status, 200, h.text);
			return h.body.items.filter((e) => e.field === 'category' && e.old === 'left_behind: suggested');
		};
		const l = await lines();
		assert.equal(l.length, 1, 'one line of history says the suggestion was withdrawn');
		assert.equal(l[0].new, 'left_behind: withdrawn turned_16');
		assert.equal(chinaDay(l[0].at), birthday, 'dated the birthday, not the day the check ran');
		assert.equal(l[0].user_id, 0, 'by the rule, not an account');
		// the check again: no second line
		assert.equal((await cli(srv.db, ['recompute'])).code, 0);
		assert.equal((await lines()).length, 1);
	});

	test('a corrected birth date past 16 ends the category on the 16th birthday, with a line of history', async (t) => {
		const birth = bornYearsBefore(16, -40); // 16 forty days ago
		if (!birth) return t.skip('the boundary falls on 29 February');
		const c = await register({ birth: aged(14), father: 'working_away', mother: 'working_away', withId: false });
		const conf = await decide(station, c.id, 'left_behind', { action: 'confirm', start_date: chinaDate(-365).iso, ...evidence });
		assert.equal(conf.status, 200, conf.text);
		const p = await centre.patch(`/api/v1/children/${c.id}`, { birth_date: birth, version: c.version });
		assert.equal(p.status, 200, p.text);
		const k = categoryMap(p.body).left_behind;
		assert.equal(k.state, 'ended', JSON.stringify(p.body.categories));
		assert.equal(k.end_reason, 'turned_16');
		assert.equal(k.end_date, chinaDate(-40).iso, 'the 16th birthday');
		const lines = await ageEndLine(c.id, 'left_behind');
		assert.equal(lines.length, 1, 'the end is a line of the history');
		assert.equal(lines[0].new, 'left_behind: ended turned_16');
		assert.equal(chinaDay(lines[0].at), chinaDate(-40).iso, 'dated the birthday');
		assert.equal(lines[0].user_id, 0, 'by the rule, not an account');

		// a category confirmed to begin after that birthday ends the day it began
		const late = await register({ birth: aged(14), father: 'working_away', mother: 'working_away', withId: false });
		const lc = await decide(station, late.id, 'left_behind', { action: 'confirm', start_date: chinaDate(-10).iso, ...evidence });
		assert.equal(lc.status, 200, lc.text);
		const lp = await centre.patch(`/api/v1/children/${late.id}`, { birth_date: birth, version: late.version });
		assert.equal(lp.status, 200, lp.text);
		assert.equal(categoryMap(lp.body).left_behind.end_date, chinaDate(-10).iso);
	});

	test('a corrected birth date past 16 withdraws a suggestion with the line of history the daily check writes', async (t) => {
		const birth = bornYearsBefore(16, -40); // 16 forty days ago
		if (!birth) return t.skip('the boundary falls on 29 February');
		const c = await register({ birth: aged(14), father: 'working_away', mother: 'working_away', withId: false });
		assert.equal(categoryMap(await read(c.id)).left_behind?.state, 'suggested', 'suggested, not confirmed');
		const p = await centre.patch(`/api/v1/children/${c.id}`, { birth_date: birth, version: c.version });
		assert.equal(p.status, 200, p.text);
		assert.deepEqual(liveCategories(p.body), [], `withdrawn: ${JSON.stringify(p.body.categories)}`);
		assert.ok(!p.body.categories.some((x) => x.state === 'ended'), 'a suggestion does not count as an ended category');
		const h = await centre.get(`/api/v1/children/${c.id}/history`);
		assert.equal(h.status, 200, h.text);
		const l = h.body.items.filter((e) => e.field === 'category' && e.old === 'left_behind: suggested');
		assert.equal(l.length, 1, `one line says the suggestion was withdrawn: ${JSON.stringify(h.body.items)}`);
		assert.equal(l[0].new, 'left_behind: withdrawn turned_16');
		assert.equal(chinaDay(l[0].at), chinaDate(-40).iso, 'dated the 16th birthday');
		assert.equal(l[0].user_id, 0, 'by the rule, not an account');

		// a suggestion whose ground goes otherwise (a parent came home) leaves no such line
		const back = await register({ birth: aged(14), father: 'working_away', mother: 'working_away', withId: false });
		const bp = await centre.patch(`/api/v1/children/${back.id}`, { guardians: guardians('present', 'present'), version: back.version });
		assert.equal(bp.status, 200, bp.text);
		assert.deepEqual(liveCategories(bp.body), []);
		const bh = await centre.get(`/api/v1/children/${back.id}/history`);
		assert.equal(bh.status, 200, bh.text);
		assert.ok(!bh.body.items.some((e) => e.field === 'category' && /turned_1[68]/.test(e.new ?? '')), JSON.stringify(bh.body.items));
	});

	// last: restarts the server
	test('the server ends categories by age when it starts', async (t) => {
		const sixteenToday = bornYearsBefore(16, 0);
		if (!sixteenToday) return t.skip('the boundary falls on 29 February');
		const c = await register({ birth: aged(15), father: 'working_away', mother: 'working_away', withId: false });
		assert.equal((await decide(station, c.id, 'left_behind', { action: 'confirm', ...evidence })).status, 200);
		await sql(srv.db, `UPDATE children SET birth_date = '${sixteenToday}' WHERE id = ${c.id}`);
		const status = await srv.stop({ keep: true });
		assert.equal(status?.code, 0, 'the server stopped cleanly');
		srv = await spawnServer(srv.db);
		srv.ownsDb = true;
		centre = await srv.login('center');
		const k = categoryMap(await read(c.id)).left_behind;
		assert.equal(k.state, 'ended', JSON.stringify(k));
		assert.equal(k.end_reason, 'turned_16');
		assert.equal(k.end_date, todayChina());
	});
});
