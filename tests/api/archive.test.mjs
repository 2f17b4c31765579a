// Archiving and retention (SPEC §9): a child who turned 18 (after the grace
// days) or who left the county's work (moved away, deceased, a duplicate)
// is archived — out of every list, search, plan, matching and count, its
// benefits and project places ended — while the registry's desk (centre,
// supervisors, stations) still lists and opens it and may bring it back;
// after the configured years an archived record's personal data is
// erased. The daily job (also `weibao recompute`) does both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql, cli } from './lib/harness.mjs';
import { bornYearsBefore } from './lib/registry.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { PNG, step, unitIds } from './lib/loop.mjs';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const OWN = '370831001001'; // director's village, township 370831001 (station)

describeEachDriver('archiving and retention', (driver) => {
	let srv, centre, station, director, auditor;

	const child = async (extra = {}) => {
		const r = await director.post('/api/v1/children', {
			name: uniqueName('归档'),
			sex: 'F',
			birth_date: bornYearsBefore(5),
			village_code: OWN,
			...extra,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const listed = async (client, c) => {
		const r = await client.get(`/api/v1/children?name=${encodeURIComponent(c.name)}`);
		assert.equal(r.status, 200, r.text);
		return r.body.items.some((x) => x.id === c.id);
	};
	const archived = async (client) => {
		const r = await client.get('/api/v1/children/archived?limit=200');
		assert.equal(r.status, 200, r.text);
		return r.body.items;
	};

	before(async () => {
		srv = await startServer(driver);
		[centre, station, director, auditor] = await Promise.all(['center', 'station', 'director', 'auditor'].map((u) => srv.login(u)));
	});
	after(async () => {
		await srv?.stop();
	});

	test('a child who moved away leaves active work: lists, search, plan and matching; the desk still opens it; restored it comes back', async () => {
		const c = await child({ disability_grade: 1, disability_type: 'physical', risk_level: 'high' });
		const pol = (await centre.get('/api/v1/policies')).body.items.find((p) => p.code === 'rehab_aid');
		const month = chinaDate().iso.slice(0, 7);
		const rec = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: pol.id, from_month: month });
		assert.equal(rec.status, 201, rec.text);
		// and one that starts next month: archived before it starts, it pays nothing
		const nextMonth = chinaDate(32 - Number(chinaDate().iso.slice(8, 10))).iso.slice(0, 7);
		const care = await centre.post('/api/v1/policies', {
			code: `arch_${Date.now().toString(36)}`,
			name: '归档测试护理补贴',
			department_id: pol.department_id,
			benefit: 'monthly_allowance',
			effective_from: `${month}-01`,
			amount_cents: 10000,
			rule: { disability_grades: [1, 2] },
		});
		assert.equal(care.status, 201, care.text);
		const soon = await station.post(`/api/v1/children/${c.id}/entitlements`, { policy_id: care.body.id, from_month: nextMonth });
		assert.equal(soon.status, 201, soon.text);
		assert.ok(await listed(director, c));
		assert.ok((await director.get('/api/v1/visits/plan?limit=500')).body.items.some((i) => i.child_id === c.id));

		const r = await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'moved_away', note: '随父母迁往外省' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.archive_reason, 'moved_away');
		assert.equal(r.body.archive_note, '随父母迁往外省', 'the note is kept with the record');
		assert.ok(r.body.archived_at > 0);
		assert.equal(r.body.erased_at, null);

		assert.equal(await listed(director, c), false, 'not in the director\'s list');
		assert.equal(await listed(centre, c), false, 'not in the centre\'s list either');
		assert.equal((await director.get('/api/v1/visits/plan?limit=500')).body.items.some((i) => i.child_id === c.id), false, 'off the visit plan');
		const m = await station.get(`/api/v1/entitlements?group=receiving&policy=${pol.id}&limit=500`);
		assert.equal(m.body.items.some((i) => i.child_id === c.id), false, 'out of the matching');
		assert.equal((await director.get(`/api/v1/children/${c.id}`)).status, 404, 'the director no longer opens it');
		const open = await station.get(`/api/v1/children/${c.id}`);
		assert.equal(open.status, 200, 'the township\'s desk opens the archived file');
		assert.equal(open.body.archive_reason, 'moved_away');
		assert.ok((await archived(station)).some((x) => x.id === c.id));
		assert.equal((await director.get('/api/v1/children/archived')).status, 403);

		// its open benefit ended with this month, with the reason
		const ents = await station.get(`/api/v1/children/${c.id}/entitlements`);
		assert.equal(ents.status, 404, 'benefits are read with active work');
		const ledger = await station.get(`/api/v1/entitlements/ledger?month=${month}`);
		assert.ok(ledger.body.items.some((i) => i.child_id === c.id), 'this month\'s payment stays in the ledger');
		const row = await sql(srv.db, `SELECT to_month || '|' || end_reason FROM benefit_receipts WHERE id = ${rec.body.id}`);
		assert.equal(row, `${month}|档案归档`);
		const never = await sql(srv.db, `SELECT to_month || '|' || from_month FROM benefit_receipts WHERE id = ${soon.body.id}`);
		assert.equal(never, `${month}|${nextMonth}`, 'ended before its first month');
		const next = await station.get(`/api/v1/entitlements/ledger?month=${nextMonth}`);
		assert.ok(!next.body.items.some((i) => i.child_id === c.id), 'nothing paid next month');
		const hist = await station.get(`/api/v1/children/${c.id}/history`);
		assert.equal(hist.status, 200, 'the desk reads the archived file\'s history');
		assert.ok(hist.body.items.some((x) => x.field === 'archived' && x.new === 'moved_away'), JSON.stringify(hist.body.items));
		assert.ok(hist.body.items.some((x) => x.field === 'archive_note' && x.new === '随父母迁往外省'));
		assert.equal((await director.get(`/api/v1/children/${c.id}/history`)).status, 404);

		const twice = await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'other' });
		assert.equal(twice.status, 409);

		const back = await station.post(`/api/v1/children/${c.id}/restore`, { note: '已返回本村' });
		assert.equal(back.status, 200, back.text);
		assert.equal(back.body.archived_at, undefined);
		assert.ok(await listed(director, c), 'back in the director\'s list');
		assert.equal((await station.post(`/api/v1/children/${c.id}/restore`, {})).status, 409, 'not archived');
		const h = await director.get(`/api/v1/children/${c.id}/history`);
		assert.ok(h.body.items.filter((x) => x.field === 'archived').length >= 2, JSON.stringify(h.body.items));
		assert.ok(h.body.items.some((x) => x.field === 'restore_note' && x.new === '已返回本村'));
		assert.equal((await director.get(`/api/v1/children/${c.id}`)).body.archive_note, undefined, 'restored: no archive note');

		const log = await auditor.get(`/api/v1/audit?object_type=child&object_id=${c.id}&limit=50`);
		const actions = log.body.items.map((e) => e.action);
		assert.ok(actions.includes('child.archive') && actions.includes('child.restore'), actions.join());
	});

	test('an archived child\'s categories end with the archive, with the history saying so; it is in no category figure, list, gap or plan; restored, the archive\'s ends come back and a person\'s end stays', async () => {
		const c = await child({
			hukou_type: 'rural',
			family_poverty: true,
			birth_date: bornYearsBefore(15),
			guardians: [
				{ relation: 'father', name: '父', status: 'working_away' },
				{ relation: 'mother', name: '母', status: 'working_away' },
			],
		});
		const confirm = async (k) => {
			const r = await station.post(`/api/v1/children/${c.id}/categories/${k}`, { action: 'confirm', evidence_type: 'home_visit', evidence_ref: '入户核查' });
			assert.equal(r.status, 200, r.text);
		};
		await confirm('left_behind');
		await confirm('in_difficulty');
		const categories = async () => (await station.get(`/api/v1/children/${c.id}`)).body.categories.map((k) => `${k.category} ${k.state}${k.end_reason ? ` ${k.end_reason}` : ''}`);
		const figures = async () => {
			const o = (await station.get('/api/v1/overview')).body.totals.categories;
			const listed = async (k) => (await station.get(`/api/v1/children?category=${k}&name=${encodeURIComponent(c.name)}`)).body.items.some((x) => x.id === c.id);
			const gaps = (await station.get('/api/v1/entitlements?group=gap&limit=500')).body.items.filter((i) => i.child_id === c.id).length;
			const plan = (await director.get('/api/v1/visits/plan?limit=500')).body.items.some((i) => i.child_id === c.id);
			return { left_behind: o.left_behind, in_difficulty: o.in_difficulty, listed: [await listed('left_behind'), await listed('in_difficulty')], gaps, plan };
		};
		const before = await figures();
		assert.deepEqual(before.listed, [true, true]);
		assert.ok(before.plan, 'a focus category asks for visits');

		assert.equal((await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'moved_away' })).status, 200);
		assert.deepEqual(await categories(), ['left_behind ended archived', 'in_difficulty ended archived'], 'the archived file holds no category as current');
		const hist = (await station.get(`/api/v1/children/${c.id}/history`)).body.items;
		for (const k of ['left_behind', 'in_difficulty'])
			assert.ok(hist.some((h) => h.field === 'category' && h.old === `${k}: confirmed` && h.new === `${k}: ended archived`), JSON.stringify(hist));
		const out = await figures();
		assert.deepEqual(out, { left_behind: before.left_behind - 1, in_difficulty: before.in_difficulty - 1, listed: [false, false], gaps: 0, plan: false });

		assert.equal((await station.post(`/api/v1/children/${c.id}/restore`, {})).status, 200);
		assert.deepEqual(await categories(), ['left_behind confirmed', 'in_difficulty confirmed'], 'restored: the categories the archive ended are back');
		const back = (await station.get(`/api/v1/children/${c.id}/history`)).body.items;
		assert.ok(back.some((h) => h.field === 'category' && h.old === 'left_behind: ended archived' && h.new === 'left_behind: confirmed'), JSON.stringify(back));
		assert.deepEqual(await figures(), before, 'and in the figures again');

		// a category a person ended stays ended through an archive and a restore
		const ended = await station.post(`/api/v1/children/${c.id}/categories/in_difficulty`, { action: 'end', end_reason: 'other' });
		assert.equal(ended.status, 200, ended.text);
		assert.equal((await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'other' })).status, 200);
		assert.deepEqual(await categories(), ['left_behind ended archived', 'in_difficulty ended other']);
		// turned 16 while archived: restored, left-behind ends for its age, as it would have; the
		// person's end stays (the rules, judging the child again, may suggest it anew: a person decides)
		await sql(srv.db, `UPDATE children SET birth_date = '${bornYearsBefore(16)}' WHERE id = ${c.id}`);
		assert.equal((await station.post(`/api/v1/children/${c.id}/restore`, {})).status, 200);
		const now = await categories();
		assert.deepEqual(now.slice(0, 2), ['left_behind ended turned_16', 'in_difficulty ended other'], JSON.stringify(now));
		assert.ok(!now.includes('in_difficulty confirmed') && !now.includes('left_behind confirmed'), JSON.stringify(now));
	});

	test('refusals name their field; only the desk archives', async () => {
		const c = await child();
		for (const [body, field] of [
			[{ reason: 'bored' }, 'reason'],
			[{ reason: 'adult' }, 'reason'], // five years old
			[{}, 'reason'],
			[{ reason: 'other', note: '长'.repeat(201) }, 'note'],
			[{ reason: 'other', colour: 'red' }, 'colour'],
		]) {
			const r = await station.post(`/api/v1/children/${c.id}/archive`, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await director.post(`/api/v1/children/${c.id}/archive`, { reason: 'other' })).status, 403);
		assert.equal((await auditor.post(`/api/v1/children/${c.id}/archive`, { reason: 'other' })).status, 403);
		const far = await srv.login('director2');
		const other = await far.post('/api/v1/children', { name: uniqueName('外乡'), sex: 'M', birth_date: bornYearsBefore(6), village_code: '370831101201' });
		assert.equal((await station.post(`/api/v1/children/${other.body.id}/archive`, { reason: 'other' })).status, 404, 'another township\'s child');
		assert.ok(await listed(director, c), 'nothing was archived');
	});

	test('the periods: 90 days after 18 and 10 years by default, set by the centre', async () => {
		const d = await station.get('/api/v1/registry/archive-config');
		assert.equal(d.status, 200, d.text);
		assert.deepEqual(d.body, { adult_grace_days: 90, retention_years: 10 });
		assert.equal((await station.request('PUT', '/api/v1/registry/archive-config', { json: { retention_years: 5 } })).status, 403);
		for (const [body, field] of [[{ retention_years: 0 }, 'retention_years'], [{ adult_grace_days: -1 }, 'adult_grace_days'], [{ years: 3 }, 'years']]) {
			const r = await centre.request('PUT', '/api/v1/registry/archive-config', { json: body });
			assert.equal(r.status, 422, r.text);
			assert.equal(r.body.error.field, field);
		}
		const ok = await centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 30 } });
		assert.equal(ok.status, 200, ok.text);
		assert.deepEqual(ok.body, { adult_grace_days: 30, retention_years: 10 });
		assert.equal((await director.get('/api/v1/registry/archive-config')).status, 403);
	});

	test('the daily job archives grown-ups after the grace days and erases records past their retention', async () => {
		const school = await srv.login('school');
		const schoolId = school.me.memberships[0].unit_id;
		const grown = await child({
			id_number: undefined,
			guardians: [{ relation: 'mother', name: '张某某', status: 'present', phone: '13900139000' }],
			notes: '仅工作人员可见',
			school_id: schoolId,
		});
		const young = await child();
		// a counselling session of the pupil: its notes are erased with the record
		const counsel = await school.post(`/api/v1/schools/${schoolId}/counselling`, {
			held_on: chinaDate().iso,
			mode: 'individual',
			child_id: grown.id,
			topic: 'family',
			notes: '谈心记录',
		});
		assert.equal(counsel.status, 201, counsel.text);
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM counselling_sessions WHERE child_id = ${grown.id} AND notes_enc IS NOT NULL`), '1');
		// a help request for the child with a photo: erased with the record
		const req = await director.post('/api/v1/requests', { child_id: grown.id, kind: 'medical', narrative: '需要帮助' });
		assert.equal(req.status, 201, req.text);
		const photo = await director.request('POST', `/api/v1/requests/${req.body.id}/attachments?name=x.png`, {
			body: PNG,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(photo.status, 201, photo.text);
		const filesDir = srv.dbUrl.startsWith('sqlite:') ? `${srv.dbUrl.slice(7)}.files` : join(srv.dir, 'weibao-files');
		const file = join(filesDir, photo.body.sha256);
		assert.ok(existsSync(file), `the photo is stored at ${file}`);
		// a follow-up visit with a note about the child: the note is erased with the record
		const fu = await director.post(`/api/v1/requests/${req.body.id}/follow-ups`, { due_on: chinaDate(7).iso, note: '看看母亲的病情' });
		assert.equal(fu.status, 201, fu.text);
		const grace = await centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 30 } });
		assert.equal(grace.status, 200, grace.text);
		// 18 years and 40 days ago: past the 30 days of grace
		const born = bornYearsBefore(18, -40) ?? bornYearsBefore(18, -41);
		await sql(srv.db, `UPDATE children SET birth_date = '${born}' WHERE id = ${grown.id}`);
		const run = await cli(srv.db, ['recompute']);
		assert.equal(run.code, 0, `${run.stdout} ${run.stderr}`);
		assert.match(run.stdout, /records archived: [1-9]/);
		const a = await station.get(`/api/v1/children/${grown.id}`);
		assert.equal(a.body.archive_reason, 'adult');
		assert.equal((await station.get(`/api/v1/children/${young.id}`)).body.archived_at, undefined, 'a child stays');
		const restore = await station.post(`/api/v1/children/${grown.id}/restore`, {});
		assert.equal(restore.status, 409, 'a grown-up stays in the archive');

		// eleven years later (moved back in time here), past the ten years kept
		const keyBefore = await sql(srv.db, `SELECT name_key FROM children WHERE id = ${grown.id}`);
		await sql(srv.db, `UPDATE children SET archived_at = archived_at - ${11 * 365 * 86400} WHERE id = ${grown.id}`);
		const again = await cli(srv.db, ['recompute']);
		assert.match(again.stdout, /erased after retention: [1-9]/);
		assert.match(again.stdout, /attachment files of erased records removed: 0/, 'a file gets an hour of grace');
		assert.ok(existsSync(file));
		const hourAgo = new Date(Date.now() - 2 * 3600 * 1000);
		utimesSync(file, hourAgo, hourAgo);
		const files = await cli(srv.db, ['recompute']);
		assert.match(files.stdout, /attachment files of erased records removed: 1/, files.stdout);
		assert.equal(existsSync(file), false, 'the photo is gone from the disk');
		assert.deepEqual((await centre.get(`/api/v1/requests/${req.body.id}`)).body.attachments, [], 'and from the request');
		const e = await centre.get(`/api/v1/children/${grown.id}`);
		assert.equal(e.status, 200, e.text);
		assert.ok(e.body.erased_at > 0);
		assert.equal(e.body.name, '（已清除）');
		assert.equal(e.body.birth_date, null);
		assert.equal(e.body.notes, null);
		assert.equal(e.body.id_number, null);
		assert.ok(e.body.guardians.every((g) => g.name === '' && !g.phone), JSON.stringify(e.body.guardians));
		assert.equal((await station.post(`/api/v1/children/${grown.id}/restore`, {})).status, 409, 'an erased record cannot come back');
		const byName = await centre.get(`/api/v1/children?name=${encodeURIComponent(grown.name)}&limit=5`);
		assert.equal(byName.body.items.some((x) => x.id === grown.id), false, 'the name is gone from the search');
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM child_name_grams WHERE child_id = ${grown.id}`), '0', 'and from its index');
		// nor does the name's sort key keep the erased name's place by pinyin
		const keyAfter = await sql(srv.db, `SELECT name_key FROM children WHERE id = ${grown.id}`);
		assert.ok(keyBefore && keyAfter, 'both keyed');
		assert.notEqual(keyAfter, keyBefore, 'the sort key is the erased text\'s');
		assert.equal(
			await sql(srv.db, `SELECT COUNT(*) FROM counselling_sessions WHERE child_id = ${grown.id} AND notes_enc IS NOT NULL`),
			'0',
			'the counselling notes are erased; the session is still counted',
		);
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM counselling_sessions WHERE child_id = ${grown.id}`), '1');
		assert.equal(await sql(srv.db, `SELECT note FROM follow_ups WHERE id = ${fu.body.id}`), '', 'the follow-up\'s note is erased');
		await centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 90 } });
	});

	test('erasure leaves no text about the child anywhere: category notes, voided visits, referrals, steps, pairs, checks', async () => {
		const units = await unitIds(centre);
		const c = await child({ hukou_type: 'rural', guardians: [{ relation: 'father', name: '父', status: 'working_away' }, { relation: 'mother', name: '母', status: 'working_away' }], family_poverty: true });
		const PRIVATE = '王小明家';
		// a rejected suggestion with why, a confirmation with its evidence
		const rej = await station.post(`/api/v1/children/${c.id}/categories/left_behind`, { action: 'reject', note: `${PRIVATE}母亲其实在家` });
		assert.equal(rej.status, 200, rej.text);
		const conf = await station.post(`/api/v1/children/${c.id}/categories/in_difficulty`, { action: 'confirm', evidence_type: 'low_income_cert', evidence_ref: `${PRIVATE}低保证` });
		assert.equal(conf.status, 200, conf.text);
		// a visit voided with a reason
		const v = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: chinaDate().iso, findings: '家中情况' });
		assert.equal(v.status, 201, v.text);
		assert.equal((await director.post(`/api/v1/children/${c.id}/visits/${v.body.id}/void`, { reason: `${PRIVATE}记错了` })).status, 200);
		// a request with a step's note, referred with an ask
		const req = await director.post('/api/v1/requests', { child_id: c.id, kind: 'medical', narrative: '需要医疗救助' });
		assert.equal(req.status, 201, req.text);
		await step(station, req.body.id, 'review');
		await step(station, req.body.id, 'forward', { note: `${PRIVATE}父亲病重` });
		await step(centre, req.body.id, 'accept');
		await step(centre, req.body.id, 'refer', { referrals: [{ unit_id: units.medical_insurance, ask: `${PRIVATE}医疗救助`, fields: ['health'] }] });
		// a caring mother's pairing, a check of an entitlement gap
		const m = await director.post('/api/v1/caring-mothers', { name: uniqueName('妈妈') });
		assert.equal(m.status, 201, m.text);
		const pair = await director.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: c.id });
		assert.equal(pair.status, 201, pair.text);
		assert.equal((await director.post(`/api/v1/caring-pairs/${pair.body.id}/end`, { note: `${PRIVATE}随父母迁居` })).status, 200);
		const pol = (await centre.get('/api/v1/policies')).body.items[0];
		await sql(srv.db, `INSERT INTO entitlement_gap_checks (county_code, child_id, policy_id, finding, note, created_at, created_by) VALUES ('370831', ${c.id}, ${pol.id}, 'other', '${PRIVATE}不愿申请', 1, ${station.me.user.id})`);
		assert.equal((await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'moved_away' })).status, 200);
		await sql(srv.db, `UPDATE children SET archived_at = archived_at - ${11 * 365 * 86400} WHERE id = ${c.id}`);
		const run = await cli(srv.db, ['recompute']);
		assert.match(run.stdout, /erased after retention: [1-9]/, run.stdout);
		assert.ok((await centre.get(`/api/v1/children/${c.id}`)).body.erased_at > 0);
		const left = {
			categories: `SELECT evidence_ref FROM child_categories WHERE child_id = ${c.id}`,
			visits: `SELECT void_reason FROM visits WHERE child_id = ${c.id}`,
			steps: `SELECT note FROM request_steps WHERE request_id = ${req.body.id}`,
			referrals: `SELECT ask FROM referrals WHERE request_id = ${req.body.id}`,
			pairs: `SELECT end_note FROM caring_pairs WHERE child_id = ${c.id}`,
			checks: `SELECT note FROM entitlement_gap_checks WHERE child_id = ${c.id}`,
		};
		const kept = [];
		for (const [what, q] of Object.entries(left)) {
			const got = await sql(srv.db, q);
			if (String(got ?? '').includes(PRIVATE)) kept.push(`${what}: ${got.replace(/\n/g, ' | ')}`);
		}
		assert.deepEqual(kept, [], 'what is left after the erasure');
		// the facts that are counted stay (the category, ended by the archive)
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM referrals WHERE request_id = ${req.body.id}`), '1');
		assert.equal(await sql(srv.db, `SELECT state || ' ' || end_reason FROM child_categories WHERE child_id = ${c.id} AND category = 'in_difficulty'`), 'ended archived');
	});

	test('erasure removes what could single the child out — sex, school, grid, household type, disability, family facts — and its guardians with their relation and status; its village and categories stay for the figures', async () => {
		const school = await srv.login('school');
		const schoolId = school.me.memberships[0].unit_id;
		const c = await child({
			sex: 'F',
			school_id: schoolId,
			grid_code: undefined,
			hukou_type: 'rural',
			disability_grade: 2,
			disability_type: 'physical',
			family_poverty: true,
			guardians: [
				{ relation: 'father', name: '父', status: 'imprisoned' },
				{ relation: 'mother', name: '母', status: 'working_away', work_place: '外省' },
			],
		});
		const k = await station.post(`/api/v1/children/${c.id}/categories/in_difficulty`, { action: 'confirm', evidence_type: 'home_visit', evidence_ref: '入户核查' });
		assert.equal(k.status, 200, k.text);
		const v = await director.post(`/api/v1/children/${c.id}/visits`, { kind: 'home', visited_on: chinaDate().iso, findings: '家中情况' });
		assert.equal(v.status, 201, v.text);
		assert.equal((await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'moved_away' })).status, 200);
		await sql(srv.db, `UPDATE children SET archived_at = archived_at - ${11 * 365 * 86400} WHERE id = ${c.id}`);
		const run = await cli(srv.db, ['recompute']);
		assert.match(run.stdout, /erased after retention: [1-9]/, run.stdout);
		const e = (await centre.get(`/api/v1/children/${c.id}`)).body;
		assert.ok(e.erased_at > 0);
		const gone = { sex: e.sex, school_id: e.school_id, hukou_type: e.hukou_type, disability_grade: e.disability_grade, family_poverty: e.family_poverty, guardians: e.guardians };
		assert.deepEqual(gone, { sex: null, school_id: null, hukou_type: null, disability_grade: 0, family_poverty: false, guardians: [] }, JSON.stringify(e));
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM guardians WHERE child_id = ${c.id}`), '0', 'no guardian\'s relation or status is left');
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM children WHERE id = ${c.id} AND (sex IS NOT NULL OR school_id IS NOT NULL OR grid_code IS NOT NULL OR disability_grade <> 0 OR family_poverty <> 0)`), '0');
		// what the figures count by stays: the village, the category with its reason, the visit
		assert.equal(e.village_code, OWN);
		assert.ok(e.categories.some((x) => x.category === 'in_difficulty' && x.reason === 'family_poverty'), JSON.stringify(e.categories));
		assert.equal(await sql(srv.db, `SELECT COUNT(*) FROM visits WHERE child_id = ${c.id}`), '1');
	});

	test('with no grace, the daily job archives on the 18th birthday, or the day after where a year counts from the day after', async (t) => {
		const today18 = bornYearsBefore(18, 0);
		if (!today18) return t.skip('the birthday falls on 29 February');
		assert.equal((await centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 0 } })).status, 200);
		t.after(() => centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 90 } }));
		const c = await child({ name: uniqueName('生日') });
		await sql(srv.db, `UPDATE children SET birth_date = '${today18}' WHERE id = ${c.id}`);
		// counted from the day after: 17 today, kept
		const dayAfter = await cli(srv.db, ['recompute'], { env: { WEIBAO_CATEGORY_BIRTHDAY: 'day_after' } });
		assert.equal(dayAfter.code, 0, `${dayAfter.stdout} ${dayAfter.stderr}`);
		assert.equal((await centre.get(`/api/v1/children/${c.id}`)).body.archived_at, undefined, 'still 17 under day_after');
		// counted on the day (the default): 18 today, archived
		const onDay = await cli(srv.db, ['recompute']);
		assert.equal(onDay.code, 0, `${onDay.stdout} ${onDay.stderr}`);
		assert.equal((await centre.get(`/api/v1/children/${c.id}`)).body.archive_reason, 'adult');
	});

	test('a record is erased on the day its retention ends in China time, not days early for leap years', async (t) => {
		const lastDay = bornYearsBefore(10, 0); // today ten years ago: erased today
		const nextDay = bornYearsBefore(10, 1); // tomorrow ten years ago: kept until tomorrow
		if (!lastDay || !nextDay) return t.skip('a boundary falls on 29 February');
		const ok = await centre.request('PUT', '/api/v1/registry/archive-config', { json: { retention_years: 10 } });
		assert.equal(ok.status, 200, ok.text);
		const dayStart = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 1000 - 8 * 3600;
		const kept = await child({ name: uniqueName('保留') });
		const gone = await child({ name: uniqueName('清除') });
		for (const c of [kept, gone]) assert.equal((await station.post(`/api/v1/children/${c.id}/archive`, { reason: 'moved_away' })).status, 200);
		// archived at the first second of the day after, and the last second of the day, ten years ago (China time)
		await sql(srv.db, `UPDATE children SET archived_at = ${dayStart(nextDay)} WHERE id = ${kept.id}`);
		await sql(srv.db, `UPDATE children SET archived_at = ${dayStart(lastDay) + 86399} WHERE id = ${gone.id}`);
		const run = await cli(srv.db, ['recompute']);
		assert.equal(run.code, 0, `${run.stdout} ${run.stderr}`);
		const k = await centre.get(`/api/v1/children/${kept.id}`);
		assert.ok(!k.body.erased_at, `archived ${nextDay}: kept until ten years later to the day`);
		assert.equal(k.body.name, kept.name);
		const g = await centre.get(`/api/v1/children/${gone.id}`);
		assert.ok(g.body.erased_at > 0, `archived ${lastDay}: erased today`);
		assert.equal(g.body.name, '（已清除）');
	});

	test('the archive list is searched by name and filtered by reason', async () => {
		const moved = await child({ name: uniqueName('搬迁') });
		const dup = await child({ name: uniqueName('重复') });
		assert.equal((await station.post(`/api/v1/children/${moved.id}/archive`, { reason: 'moved_away' })).status, 200);
		assert.equal((await station.post(`/api/v1/children/${dup.id}/archive`, { reason: 'duplicate' })).status, 200);
		const byName = await station.get(`/api/v1/children/archived?name=${encodeURIComponent(moved.name)}`);
		assert.equal(byName.status, 200, byName.text);
		assert.deepEqual(byName.body.items.map((x) => x.id), [moved.id]);
		const byReason = await station.get('/api/v1/children/archived?reason=duplicate&limit=200');
		assert.ok(byReason.body.items.some((x) => x.id === dup.id));
		assert.ok(byReason.body.items.every((x) => x.archive_reason === 'duplicate'), JSON.stringify(byReason.body.items.map((x) => x.archive_reason)));
		const none = await station.get(`/api/v1/children/archived?reason=duplicate&name=${encodeURIComponent(moved.name)}`);
		assert.deepEqual(none.body.items, []);
		const wild = await station.get('/api/v1/children/archived?name=%25');
		assert.deepEqual(wild.body.items, [], '% is a character, not a wildcard');
		const bad = await station.get('/api/v1/children/archived?reason=lost');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'reason');
	});
});
