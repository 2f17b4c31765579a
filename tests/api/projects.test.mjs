// Charity projects (社会参与, SPEC §7): an organisation's hope rooms (希望小屋,
// one child each, planned → building → built), "1 + N" plans, service
// programmes and fundraising drives, with the children they serve, their
// donations and spending, and a log of every change of status. The centre
// and the organisation running a project keep it; townships choose the
// children of their own area; the committee follows the figures without
// names; every read that names children is audited.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { unitIds } from './lib/loop.mjs';
import { bornYearsBefore } from './lib/registry.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { csvObjects, download } from './lib/registry.mjs';
import { sheetRows } from './lib/xlsx.mjs';

const OWN = '370831001001'; // director's village, township 370831001 (station)
const OTHER = '370831101201'; // director2's village, township 370831101
const day = (offset = 0) => chinaDate(offset).iso;

describeEachDriver('charity projects', (driver) => {
	let srv, centre, committee, station, director, director2, org, hopeOrg, auditor, units;

	const child = async (client = director, village = OWN) => {
		const r = await client.post('/api/v1/children', {
			name: uniqueName('项目'),
			sex: 'F',
			birth_date: bornYearsBefore(9),
			village_code: village,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const create = async (client, body) => {
		const r = await client.post('/api/v1/projects', {
			org_id: units.hope_rooms,
			kind: 'hope_room',
			name: uniqueName('希望小屋'),
			budget_cents: 2500000,
			donor: '测试爱心企业',
			area_code: OWN,
			...body,
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const patch = (client, p, body) => client.patch(`/api/v1/projects/${p.id}`, { version: p.version, ...body });

	before(async () => {
		srv = await startServer(driver);
		[centre, committee, station, director, director2, org, hopeOrg, auditor] = await Promise.all(
			['center', 'committee', 'station', 'director', 'director2', 'org', 'org_hope_rooms', 'auditor'].map((u) => srv.login(u)),
		);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	test('the demo county\'s projects: the centre and the committee see all, an organisation its own, a township its own', async () => {
		const all = await centre.get('/api/v1/projects');
		assert.equal(all.status, 200, all.text);
		assert.ok(all.body.items.length >= 4, 'hope rooms, a 1 + N plan, a summer programme and a fundraising drive');
		const kinds = new Set(all.body.items.map((p) => p.kind));
		for (const k of ['hope_room', 'one_plus_n', 'service', 'fundraising']) assert.ok(kinds.has(k), k);
		assert.equal(all.body.counts.done + all.body.counts.active + all.body.counts.planned + all.body.counts.cancelled, all.body.items.length);
		assert.equal(all.body.totals.donated_cents, all.body.items.reduce((s, p) => s + p.donated_cents, 0));
		const built = all.body.items.find((p) => p.kind === 'hope_room' && p.status === 'done');
		assert.equal(built.balance_cents, built.donated_cents - built.spent_cents);

		const byCommittee = await committee.get('/api/v1/projects');
		assert.equal(byCommittee.body.items.length, all.body.items.length);
		const d = await committee.get(`/api/v1/projects/${built.id}`);
		assert.equal(d.status, 200, d.text);
		assert.equal(d.body.children, 1);
		assert.deepEqual(d.body.served, [], 'the committee is told how many, not who');
		const named = await centre.get(`/api/v1/projects/${built.id}`);
		assert.equal(named.body.served.length, 1);
		assert.ok(named.body.served[0].name);
		assert.deepEqual(named.body.log.map((l) => l.status_to), ['planned', 'active', 'done']);

		const own = await org.get('/api/v1/projects');
		assert.ok(own.body.items.length >= 1);
		assert.ok(own.body.items.every((p) => p.org_id === units.county_charity), 'the charity federation\'s own');
		const other = await org.get(`/api/v1/projects/${built.id}`);
		assert.equal(other.status, 404, 'another organisation\'s project does not exist for it');

		const town = await station.get('/api/v1/projects');
		for (const p of town.body.items) {
			const full = await centre.get(`/api/v1/projects/${p.id}`);
			const inTown = (full.body.area_code ?? '').startsWith('370831001') || full.body.served.some((s) => s.village_code.startsWith('370831001'));
			assert.ok(inTown, `project ${p.id} belongs to the township`);
		}
		for (const client of [director, auditor]) assert.equal((await client.get('/api/v1/projects')).status, 403);
	});

	test('a hope room: one child chosen by the township, planned → building → built, its money and its log', async () => {
		const kid = await child();
		const p = await create(centre, {});
		assert.equal(p.status, 'planned');
		assert.equal(p.org_name.length > 0, true);
		assert.equal(p.children, 0);

		const early = await patch(centre, p, { status: 'active' });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.field, 'status', 'a hope room starts with its child');
		const skip = await patch(centre, p, { status: 'done' });
		assert.equal(skip.status, 422);

		const add = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: kid.id, services: '书桌、床、衣柜' });
		assert.equal(add.status, 201, add.text);
		assert.equal(add.body.children, 1);
		assert.equal(add.body.served[0].child_id, kid.id);
		const second = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: (await child()).id });
		assert.equal(second.status, 409, 'a hope room is for one child');
		const again = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: kid.id });
		assert.equal(again.status, 409);

		const fresh = (await centre.get(`/api/v1/projects/${p.id}`)).body;
		const start = await patch(centre, fresh, { status: 'active', note: '开工' });
		assert.equal(start.status, 200, start.text);
		assert.equal(start.body.status, 'active');
		assert.equal(start.body.started_on, day(0));
		const stale = await patch(centre, fresh, { name: '旧版本' });
		assert.equal(stale.status, 409, 'a change on an old version is refused');
		assert.equal(stale.body.error.field, 'version');

		const gift = await hopeOrg.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 2500000, on_date: day(-3), party: '测试爱心企业' });
		assert.equal(gift.status, 201, gift.text);
		// raised before the start, but not spent before it
		const beforeStart = await hopeOrg.post(`/api/v1/projects/${p.id}/funds`, { kind: 'spending', amount_cents: 1000, on_date: day(-1), party: '家具采购' });
		assert.equal(beforeStart.status, 422, beforeStart.text);
		assert.equal(beforeStart.body.error.field, 'on_date');
		assert.match(beforeStart.body.error.message, new RegExp(day(0)));
		const spend = await hopeOrg.post(`/api/v1/projects/${p.id}/funds`, { kind: 'spending', amount_cents: 2300000, on_date: day(0), party: '家具采购' });
		assert.equal(spend.status, 201, spend.text);
		const logged = (await centre.get(`/api/v1/projects/${p.id}`)).body.funds.filter((f) => f.kind === 'spending');
		assert.equal(logged.length, 1, 'the refused one wrote nothing');
		assert.equal(spend.body.donated_cents, 2500000);
		assert.equal(spend.body.spent_cents, 2300000);
		assert.equal(spend.body.balance_cents, 200000);
		assert.equal(spend.body.funds.length, 2);

		const done = await patch(hopeOrg, spend.body, { status: 'done', note: '验收合格' });
		assert.equal(done.status, 200, done.text);
		assert.equal(done.body.finished_on, day(0));
		assert.deepEqual(done.body.log.map((l) => [l.status_from, l.status_to]), [[null, 'planned'], ['planned', 'active'], ['active', 'done']]);
		assert.equal(done.body.log[2].note, '验收合格');
		const reopen = await patch(centre, done.body, { status: 'active' });
		assert.equal(reopen.status, 422, 'a built room is final');
		const late = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: (await child()).id });
		assert.equal(late.status, 409, 'an ended project takes no child');
		const off = await station.post(`/api/v1/projects/${p.id}/children/${kid.id}/remove`, { reason: '迁出' });
		assert.equal(off.status, 409, 'nor loses the one it served');
		assert.equal((await centre.get(`/api/v1/projects/${p.id}`)).body.children, 1);

		// the child's page lists it
		const mine = await director.get(`/api/v1/children/${kid.id}/projects`);
		assert.equal(mine.status, 200, mine.text);
		assert.equal(mine.body.items[0].project_id, p.id);
		assert.equal(mine.body.items[0].kind, 'hope_room');
		assert.equal(mine.body.items[0].status, 'done');
		assert.equal((await director2.get(`/api/v1/children/${kid.id}/projects`)).status, 404);
	});

	test('money: a spending beyond the balance is refused; a line entered by mistake is reversed once, dated today, and counts against it', async () => {
		const p = await create(hopeOrg, { kind: 'fundraising', name: uniqueName('助学募捐') });
		const fund = (body) => hopeOrg.post(`/api/v1/projects/${p.id}/funds`, { on_date: day(-1), ...body });
		assert.equal((await fund({ kind: 'donation', amount_cents: 5000000, party: '爱心企业' })).status, 201);
		const over = await fund({ kind: 'spending', amount_cents: 6000000, party: '助学金发放' });
		assert.equal(over.status, 422, over.text);
		assert.equal(over.body.error.field, 'amount_cents');
		assert.equal(over.body.error.code, 'over_balance');
		assert.match(over.body.error.message, /5000000 fen/);
		// a typo: 60,000 yuan meant as 600, within the balance
		const typo = await fund({ kind: 'spending', amount_cents: 4800000, party: '助学金发放' });
		assert.equal(typo.status, 201, typo.text);
		const wrong = typo.body.funds.find((f) => f.kind === 'spending');
		assert.equal(typo.body.balance_cents, 200000);
		const reverse = (fid, body = { reason: '金额录入错误，应为 600 元' }) => hopeOrg.post(`/api/v1/projects/${p.id}/funds/${fid}/reverse`, body);
		for (const [body, field] of [[{ reason: ' ' }, 'reason'], [{}, 'reason'], [{ reason: 'x', colour: 'red' }, 'colour']]) {
			const r = await reverse(wrong.id, body);
			assert.equal(r.status, 422, JSON.stringify(body));
			assert.equal(r.body.error.field, field);
		}
		const fixed = await reverse(wrong.id);
		assert.equal(fixed.status, 201, fixed.text);
		assert.equal(fixed.body.spent_cents, 0, 'the reversal counts against the line');
		assert.equal(fixed.body.balance_cents, 5000000);
		const line = fixed.body.funds.find((f) => f.reverses === wrong.id);
		assert.equal(line.kind, 'spending');
		assert.equal(line.amount_cents, 4800000);
		assert.equal(line.on_date, day(0));
		assert.equal(line.note, '金额录入错误，应为 600 元');
		assert.equal(fixed.body.funds.find((f) => f.id === wrong.id).reversed_by, line.id, 'the line is kept, marked');
		assert.equal((await reverse(wrong.id)).status, 409, 'once');
		assert.equal((await reverse(line.id)).status, 409, 'a reversal is not reversed');
		assert.equal((await reverse(999999)).status, 404);
		assert.equal((await station.post(`/api/v1/projects/${p.id}/funds/${wrong.id}/reverse`, { reason: 'x' })).status, 403);
		const right = await fund({ kind: 'spending', amount_cents: 60000, party: '助学金发放' });
		assert.equal(right.status, 201);
		// a donation whose money was spent is reversed only after the spending
		const small = await create(hopeOrg, { kind: 'fundraising', name: uniqueName('小额募捐') });
		const g = await hopeOrg.post(`/api/v1/projects/${small.id}/funds`, { kind: 'donation', amount_cents: 1000, on_date: day() });
		const sp = await hopeOrg.post(`/api/v1/projects/${small.id}/funds`, { kind: 'spending', amount_cents: 800, on_date: day() });
		assert.equal(sp.status, 201, sp.text);
		const gLine = g.body.funds[0];
		const blocked = await hopeOrg.post(`/api/v1/projects/${small.id}/funds/${gLine.id}/reverse`, { reason: '重复登记' });
		assert.equal(blocked.status, 409, blocked.text);
		assert.equal(blocked.body.error.code, 'over_balance');
		const audited = (await auditor.get(`/api/v1/audit?action=project.fund_reverse&object_id=${p.id}`)).body.items;
		assert.equal(audited.length, 1);
		assert.equal(JSON.parse(audited[0].detail).fund, wrong.id);
		assert.equal(JSON.parse(audited[0].detail).reason, '金额录入错误，应为 600 元', 'the auditor reads why');
	});

	test('money by date: a spending is covered by the donations dated on or before it; a donation an earlier spending needed is not reversed', async () => {
		// fixed days of this year's March (the clock is real: within the ten years a line may go back)
		const p = await create(hopeOrg, { kind: 'fundraising', name: uniqueName('按日募捐') });
		const fund = (project, body) => hopeOrg.post(`/api/v1/projects/${project.id}/funds`, body);
		const read = async (project) => {
			const r = await centre.get(`/api/v1/projects/${project.id}`);
			assert.equal(r.status, 200, r.text);
			return { balance: r.body.balance_cents, donated: r.body.donated_cents, spent: r.body.spent_cents, funds: r.body.funds };
		};
		assert.equal((await fund(p, { kind: 'donation', amount_cents: 100000, on_date: '2026-03-10', party: '爱心企业' })).status, 201);
		const before = await read(p);
		// the whole balance is there, but not yet on the 1st
		const early = await fund(p, { kind: 'spending', amount_cents: 50000, on_date: '2026-03-01', party: '助学金发放' });
		assert.equal(early.status, 422, early.text);
		assert.equal(early.body.error.code, 'over_balance');
		assert.equal(early.body.error.field, 'on_date');
		assert.match(early.body.error.message, /2026-03-01/);
		assert.match(early.body.error.message, /50000 fen short/);
		assert.deepEqual(await read(p), before, 'the balance and the lines are unchanged');
		// the same day as the donation: covered
		const sameDay = await fund(p, { kind: 'spending', amount_cents: 50000, on_date: '2026-03-10', party: '助学金发放' });
		assert.equal(sameDay.status, 201, sameDay.text);
		assert.equal(sameDay.body.balance_cents, 50000);

		// a spending of the 5th was paid from the donation of the 1st; the
		// donation of the 10th came after it
		const q = await create(hopeOrg, { kind: 'fundraising', name: uniqueName('按日冲正') });
		const first = await fund(q, { kind: 'donation', amount_cents: 100000, on_date: '2026-03-01' });
		assert.equal(first.status, 201, first.text);
		assert.equal((await fund(q, { kind: 'spending', amount_cents: 80000, on_date: '2026-03-05' })).status, 201);
		const later = await fund(q, { kind: 'donation', amount_cents: 100000, on_date: '2026-03-10' });
		assert.equal(later.status, 201, later.text);
		// a spending dated between them that the 1st's donation no longer covers
		const between = await fund(q, { kind: 'spending', amount_cents: 30000, on_date: '2026-03-03' });
		assert.equal(between.status, 422, between.text);
		assert.equal(between.body.error.field, 'on_date');
		assert.match(between.body.error.message, /on 2026-03-05 the project would be 10000 fen short/, 'the first day short');
		const kept = await read(q);
		assert.equal(kept.balance, 120000);
		const reverse = (fid) => hopeOrg.post(`/api/v1/projects/${q.id}/funds/${fid}/reverse`, { reason: '重复登记' });
		const blocked = await reverse(first.body.funds.find((f) => f.on_date === '2026-03-01').id);
		assert.equal(blocked.status, 409, blocked.text);
		assert.equal(blocked.body.error.code, 'over_balance');
		assert.match(blocked.body.error.message, /on 2026-03-05 it would be 80000 fen short/);
		assert.deepEqual(await read(q), kept, 'the balance and the lines are unchanged');
		// the donation of the 10th paid for nothing before it: reversed
		const ok = await reverse(later.body.funds.find((f) => f.on_date === '2026-03-10').id);
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.body.balance_cents, 20000);
	});

	test('who may do what: an organisation keeps its own, townships choose children of their own area only', async () => {
		const mineOnly = await org.post('/api/v1/projects', { kind: 'service', name: '课后辅导', org_id: units.hope_rooms });
		assert.equal(mineOnly.status, 422, 'an organisation registers its own projects only');
		assert.equal(mineOnly.body.error.field, 'org_id');
		const p = await create(org, { kind: 'service', name: uniqueName('课后辅导'), org_id: undefined, area_code: undefined });
		assert.equal(p.org_id, units.county_charity);
		assert.equal((await org.post(`/api/v1/projects/${p.id}/children`, { child_id: 1 })).status, 403, 'an organisation does not pick children from the registry');
		assert.equal((await hopeOrg.get(`/api/v1/projects/${p.id}`)).status, 404);
		assert.equal((await station.patch(`/api/v1/projects/${p.id}`, { version: p.version, name: 'x' })).status, 404, 'not the township\'s project (yet)');

		const far = await child(director2, OTHER);
		const refused = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: far.id });
		assert.equal(refused.status, 404, 'the township does not see the project');
		const viaCentre = await centre.post(`/api/v1/projects/${p.id}/children`, { child_id: far.id, services: '辅导' });
		assert.equal(viaCentre.status, 201, viaCentre.text);
		const kid = await child();
		const own = await centre.post(`/api/v1/projects/${p.id}/children`, { child_id: kid.id });
		assert.equal(own.status, 201);

		// the township now sees the project, with its own child only
		const seen = await station.get(`/api/v1/projects/${p.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.deepEqual(seen.body.served.map((s) => s.child_id), [kid.id]);
		assert.equal(seen.body.served[0].village_name, '花园社区');
		assert.equal(seen.body.children, 2);
		const notMine = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: far.id });
		assert.equal(notMine.status, 422);
		assert.equal(notMine.body.error.field, 'child_id');
		assert.equal((await station.patch(`/api/v1/projects/${p.id}`, { version: seen.body.version, name: 'x' })).status, 403, 'a township does not change the project');
		assert.equal((await station.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 1, on_date: day() })).status, 403);

		// the organisation running it sees both children by name, not their files
		const byOrg = await org.get(`/api/v1/projects/${p.id}`);
		assert.equal(byOrg.body.served.length, 2);
		assert.ok(byOrg.body.served.every((s) => s.name && s.id_number === undefined));
		assert.equal((await org.get(`/api/v1/children/${kid.id}`)).status, 404, 'no child\'s file through a project');

		// removing a child: the reason is required; the history stays
		const noReason = await station.post(`/api/v1/projects/${p.id}/children/${kid.id}/remove`, { reason: '   ' });
		assert.equal(noReason.status, 422);
		assert.equal(noReason.body.error.field, 'reason');
		const rm = await station.post(`/api/v1/projects/${p.id}/children/${kid.id}/remove`, { reason: '已随父母迁出' });
		assert.equal(rm.status, 200, rm.text);
		assert.equal(rm.body.children, 1);
		const twice = await station.post(`/api/v1/projects/${p.id}/children/${kid.id}/remove`, { reason: '再次' });
		assert.equal(twice.status, 404);
		const hist = await director.get(`/api/v1/children/${kid.id}/projects`);
		assert.equal(hist.body.items[0].removed_reason, '已随父母迁出');
	});

	test('a hope room whose child was taken off is not marked built', async () => {
		const kid = await child();
		const p = await create(centre, {});
		assert.equal((await station.post(`/api/v1/projects/${p.id}/children`, { child_id: kid.id })).status, 201);
		const started = await patch(centre, (await centre.get(`/api/v1/projects/${p.id}`)).body, { status: 'active' });
		assert.equal(started.status, 200, started.text);
		const rm = await station.post(`/api/v1/projects/${p.id}/children/${kid.id}/remove`, { reason: '已随父母迁出' });
		assert.equal(rm.status, 200, rm.text);
		const done = await patch(centre, (await centre.get(`/api/v1/projects/${p.id}`)).body, { status: 'done' });
		assert.equal(done.status, 422, done.text);
		assert.equal(done.body.error.field, 'status');
		assert.match(done.body.error.message, /not finished without its child/);
		assert.equal((await centre.get(`/api/v1/projects/${p.id}`)).body.status, 'active', 'unchanged');
		const cancelled = await patch(centre, (await centre.get(`/api/v1/projects/${p.id}`)).body, { status: 'cancelled', note: '儿童迁出' });
		assert.equal(cancelled.status, 200, 'it can be cancelled');
	});

	test('every wrong field is refused with its name, and nothing is written', async () => {
		const before = (await centre.get('/api/v1/projects')).body.items.length;
		for (const [body, field] of [
			[{ kind: 'party' }, 'kind'],
			[{ name: '' }, 'name'],
			[{ name: '长'.repeat(65) }, 'name'],
			[{ org_id: units.civil_affairs }, 'org_id'],
			[{ area_code: '37083' }, 'area_code'],
			[{ area_code: '110101001' }, 'area_code'],
			[{ budget_cents: -5 }, 'budget_cents'],
			[{ started_on: '2026-02-30' }, 'started_on'],
			[{ colour: 'red' }, 'colour'],
		]) {
			const r = await centre.post('/api/v1/projects', { org_id: units.hope_rooms, kind: 'service', name: '测试', ...body });
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await centre.get('/api/v1/projects')).body.items.length, before);
		const p = await create(centre, { kind: 'fundraising', name: uniqueName('募捐') });
		for (const [body, field] of [
			[{ kind: 'loan' }, 'kind'],
			[{ amount_cents: 0 }, 'amount_cents'],
			[{ on_date: day(1) }, 'on_date'],
			[{ on_date: 'yesterday' }, 'on_date'],
			[{ party: '名'.repeat(65) }, 'party'],
		]) {
			const r = await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 100, on_date: day(), ...body });
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await centre.get(`/api/v1/projects/${p.id}`)).body.funds.length, 0);
		const longNote = await patch(centre, p, { status: 'cancelled', note: '注'.repeat(201) });
		assert.equal(longNote.status, 422);
		assert.equal(longNote.body.error.field, 'note');
		const cancel = await patch(centre, p, { status: 'cancelled', note: '募捐方案调整' });
		assert.equal(cancel.status, 200, cancel.text);
		const late = await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 100, on_date: day() });
		assert.equal(late.status, 409, 'a cancelled project takes no more money');
		const plan = await create(centre, { kind: 'one_plus_n', name: uniqueName('1+N') });
		const blank = await centre.post(`/api/v1/projects/${plan.id}/children`, { child_id: (await child()).id, services: '  ' });
		assert.equal(blank.status, 422, 'services of spaces say nothing');
		const noServices = await centre.post(`/api/v1/projects/${plan.id}/children`, { child_id: (await child()).id });
		assert.equal(noServices.status, 422, 'a 1 + N plan names its services');
		assert.equal(noServices.body.error.field, 'services');
		for (const [q, field] of [['status=open', 'status'], ['kind=x', 'kind'], ['area=3708', 'area']]) {
			const r = await centre.get(`/api/v1/projects?${q}`);
			assert.equal(r.status, 422, q);
			assert.equal(r.body.error.field, field);
		}
		const outside = await station.get('/api/v1/projects?area=370831101');
		assert.equal(outside.status, 422, 'a township filters inside itself');
	});

	test('reads that name children are audited; the committee\'s are not needed', async () => {
		const kid = await child();
		const p = await create(centre, { kind: 'service', name: uniqueName('审计') });
		await centre.post(`/api/v1/projects/${p.id}/children`, { child_id: kid.id });
		await org.get('/api/v1/projects'); // no names in lists
		await hopeOrg.get(`/api/v1/projects/${p.id}`);
		const log = await auditor.get(`/api/v1/audit?object_type=project&object_id=${p.id}&limit=20`);
		assert.equal(log.status, 200, log.text);
		assert.ok(log.body.items.some((e) => e.action === 'project.read' && e.username === 'org_hope_rooms'), JSON.stringify(log.body.items));
		const kidLog = await auditor.get(`/api/v1/audit?object_type=child&object_id=${kid.id}&limit=20`);
		assert.ok(kidLog.body.items.some((e) => e.action === 'project.child_add' && e.username === 'center'));
		const filtered = await centre.get(`/api/v1/projects?kind=service&status=planned`);
		assert.ok(filtered.body.items.some((x) => x.id === p.id));
		assert.ok(filtered.body.items.every((x) => x.kind === 'service' && x.status === 'planned'));
		// the counts cover every status of the kind, whatever status is listed
		const allOfKind = await centre.get('/api/v1/projects?kind=service');
		assert.deepEqual(filtered.body.counts, allOfKind.body.counts);
		assert.equal(filtered.body.counts.planned, filtered.body.items.length);
	});
	test('a project\'s dates: the start not ahead nor before 2000, the finish only on a finished project and never before the start or a money line', async () => {
		const service = (body = {}) => ({ org_id: units.hope_rooms, kind: 'service', name: uniqueName('日期'), ...body });
		for (const started_on of [day(1), '2030-01-01', '1900-01-01', '1999-12-31']) {
			const r = await centre.post('/api/v1/projects', service({ started_on }));
			assert.equal(r.status, 422, `${started_on}: ${r.text}`);
			assert.equal(r.body.error.field, 'started_on');
			assert.match(r.body.error.message, /2000-01-01/, 'the bound is named');
		}
		const ok = await centre.post('/api/v1/projects', service({ started_on: '2000-01-01' }));
		assert.equal(ok.status, 201, ok.text);

		// under way: the start is not moved ahead, nor after its first spending, nor dropped
		const p = await create(centre, { kind: 'service', started_on: day(-20) });
		const started = await patch(centre, p, { status: 'active' });
		assert.equal(started.status, 200, started.text);
		assert.equal(started.body.started_on, day(-20));
		for (const body of [{ started_on: '2099-12-31' }, { started_on: day(1) }, { started_on: '' }]) {
			const r = await patch(centre, started.body, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, 'started_on');
		}
		const early = await patch(centre, started.body, { finished_on: day(0) });
		assert.equal(early.status, 422, 'no finish on a project under way');
		assert.equal(early.body.error.field, 'finished_on');
		await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 50000, on_date: day(-20) });
		const spent = await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'spending', amount_cents: 10000, on_date: day(-10) });
		assert.equal(spent.status, 201, spent.text);
		const later = await patch(centre, spent.body, { started_on: day(-5) });
		assert.equal(later.status, 422, later.text);
		assert.equal(later.body.error.field, 'started_on');
		assert.match(later.body.error.message, new RegExp(day(-10)), 'the spending is named by its date');
		const earlier = await patch(centre, spent.body, { started_on: day(-30) });
		assert.equal(earlier.status, 200, earlier.text);
		assert.equal(earlier.body.started_on, day(-30));

		// finished: not before the start, nor before its last line; no line after the finish
		const notBefore = await patch(centre, earlier.body, { status: 'done', finished_on: day(-40) });
		assert.equal(notBefore.status, 422, notBefore.text);
		assert.equal(notBefore.body.error.field, 'finished_on');
		const beforeLine = await patch(centre, earlier.body, { status: 'done', finished_on: day(-15) });
		assert.equal(beforeLine.status, 422, beforeLine.text);
		assert.equal(beforeLine.body.error.field, 'finished_on');
		assert.match(beforeLine.body.error.message, new RegExp(day(-10)));
		assert.equal((await centre.get(`/api/v1/projects/${p.id}`)).body.status, 'active', 'nothing written');
		const done = await patch(centre, earlier.body, { status: 'done', finished_on: day(-8) });
		assert.equal(done.status, 200, done.text);
		assert.equal(done.body.finished_on, day(-8));
		const afterFinish = await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'spending', amount_cents: 100, on_date: day(-2) });
		assert.equal(afterFinish.status, 422, afterFinish.text);
		assert.equal(afterFinish.body.error.field, 'on_date');
		assert.match(afterFinish.body.error.message, new RegExp(day(-8)));
		const dropFinish = await patch(centre, done.body, { finished_on: '' });
		assert.equal(dropFinish.status, 422, 'a finished project keeps its finish');
		assert.equal(dropFinish.body.error.field, 'finished_on');
	});

	test('a project under way written with a finish by an older version can still be edited, and the finish cleared', async () => {
		const p = await create(centre, { kind: 'service', started_on: day(-9) });
		const started = await patch(centre, p, { status: 'active' });
		assert.equal(started.status, 200, started.text);
		await sql(srv.db, `UPDATE projects SET finished_on = '${day(-1)}' WHERE id = ${p.id}`);
		const renamed = await patch(centre, started.body, { name: uniqueName('改名') });
		assert.equal(renamed.status, 200, renamed.text);
		const cleared = await patch(centre, renamed.body, { finished_on: '' });
		assert.equal(cleared.status, 200, cleared.text);
		assert.equal(cleared.body.finished_on, null);
	});

	test('a planned project\'s spending dated before it started: the start is that spending\'s day', async () => {
		const p = await create(centre, { kind: 'service' });
		assert.equal(p.started_on, null);
		await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 50000, on_date: day(-30) });
		const spent = await centre.post(`/api/v1/projects/${p.id}/funds`, { kind: 'spending', amount_cents: 10000, on_date: day(-12) });
		assert.equal(spent.status, 201, spent.text);
		const started = await patch(centre, spent.body, { status: 'active' });
		assert.equal(started.status, 200, started.text);
		assert.equal(started.body.started_on, day(-12), 'started when its money was first spent, not today');
		// a start given with the move may not come after that spending either
		const q = await create(centre, { kind: 'service' });
		await centre.post(`/api/v1/projects/${q.id}/funds`, { kind: 'donation', amount_cents: 50000, on_date: day(-30) });
		const qs = await centre.post(`/api/v1/projects/${q.id}/funds`, { kind: 'spending', amount_cents: 10000, on_date: day(-12) });
		const refused = await patch(centre, qs.body, { status: 'active', started_on: day(-3) });
		assert.equal(refused.status, 422, refused.text);
		assert.equal(refused.body.error.field, 'started_on');
		assert.equal((await centre.get(`/api/v1/projects/${q.id}`)).body.status, 'planned');
	});

	test('a hope room or a 1 + N plan is registered with its township, so the township can give it its child', async () => {
		for (const kind of ['hope_room', 'one_plus_n']) {
			for (const area_code of [undefined, '']) {
				const r = await org.post('/api/v1/projects', { kind, name: uniqueName('UI 测试项目'), area_code });
				assert.equal(r.status, 422, `${kind} ${area_code}: ${r.text}`);
				assert.equal(r.body.error.field, 'area_code');
			}
		}
		const p = await create(org, { org_id: undefined, area_code: '370831001' });
		const seen = await station.get(`/api/v1/projects/${p.id}`);
		assert.equal(seen.status, 200, 'the township sees the hope room of its area');
		const add = await station.post(`/api/v1/projects/${p.id}/children`, { child_id: (await child()).id });
		assert.equal(add.status, 201, add.text);
		const drop = await patch(org, add.body, { area_code: '' });
		assert.equal(drop.status, 422, 'nor is its area taken away');
		assert.equal(drop.body.error.field, 'area_code');
		// a service programme may still be the whole county's
		const county = await org.post('/api/v1/projects', { kind: 'service', name: uniqueName('全县服务') });
		assert.equal(county.status, 201, county.text);
	});

	test('the audit entry of a new project names it', async () => {
		const p = await create(org, { org_id: undefined, kind: 'service', name: uniqueName('审计新建') });
		const log = await auditor.get(`/api/v1/audit?action=project.create&object_id=${p.id}`);
		assert.equal(log.status, 200, log.text);
		assert.equal(log.body.items.length, 1, JSON.stringify(log.body.items));
		assert.equal(log.body.items[0].object_type, 'project');
		assert.equal(JSON.parse(log.body.items[0].detail).name, p.name);
	});
	test('a project\'s money lines and children served download as CSV or XLSX, as the page shows them, audited', async () => {
		const p = await create(centre, { kind: 'service', started_on: day(-5) });
		const kid = await child();
		const far = await child(director2, OTHER);
		assert.equal((await centre.post(`/api/v1/projects/${p.id}/children`, { child_id: kid.id, services: '课业辅导' })).status, 201);
		assert.equal((await centre.post(`/api/v1/projects/${p.id}/children`, { child_id: far.id })).status, 201);
		await patch(centre, (await centre.get(`/api/v1/projects/${p.id}`)).body, { status: 'active' });
		await hopeOrg.post(`/api/v1/projects/${p.id}/funds`, { kind: 'donation', amount_cents: 100050, on_date: day(-4), party: '爱心企业' });
		const sp = await hopeOrg.post(`/api/v1/projects/${p.id}/funds`, { kind: 'spending', amount_cents: 30000, on_date: day(-3), party: '文具' });
		const wrong = sp.body.funds.find((f) => f.kind === 'spending');
		await hopeOrg.post(`/api/v1/projects/${p.id}/funds/${wrong.id}/reverse`, { reason: '录错' });
		const page = (await centre.get(`/api/v1/projects/${p.id}`)).body;

		const csv = await centre.get(`/api/v1/projects/${p.id}?format=csv&table=funds`);
		assert.equal(csv.status, 200, csv.text);
		assert.match(csv.headers.get('content-type'), /^text\/csv/);
		assert.match(csv.headers.get('content-disposition'), new RegExp(`filename="project-${p.id}-funds-\\d{8}\\.csv"`));
		const rows = csvObjects(csv.text.replace(/^\uFEFF/, ''));
		assert.equal(rows.length, 3, 'every line, the reversal too');
		const sum = (k) => Math.round(rows.reduce((n, r) => n + Number(r[k] || 0), 0) * 100);
		assert.equal(sum('捐赠（元）'), page.donated_cents, 'the columns add up to the page\'s totals');
		assert.equal(sum('支出（元）'), page.spent_cents);
		assert.equal(rows.find((r) => r['编号'] === String(wrong.id))['被冲正（冲正行）'], String(page.funds.find((f) => f.reverses === wrong.id).id));

		const book = await download(centre, `/api/v1/projects/${p.id}?format=xlsx&table=served&lang=en`);
		assert.equal(book.status, 200);
		const [head, ...served] = sheetRows(book.bytes);
		assert.equal(head[0], 'Child');
		assert.equal(served.length, 2);
		// a township: its own child only, as on the page
		const town = await station.get(`/api/v1/projects/${p.id}?format=csv&table=served`);
		assert.equal(town.status, 200, town.text);
		const townRows = csvObjects(town.text.replace(/^\uFEFF/, ''));
		assert.deepEqual(townRows.map((r) => r['儿童姓名']), [kid.name]);
		assert.equal(townRows[0]['帮扶内容'], '课业辅导');
		const byCommittee = csvObjects((await committee.get(`/api/v1/projects/${p.id}?format=csv&table=served`)).text.replace(/^\uFEFF/, ''));
		assert.equal(byCommittee.length, 0, 'the committee is told how many, not who');
		assert.equal((await org.get(`/api/v1/projects/${p.id}?format=csv&table=funds`)).status, 404, 'not its project');

		for (const q of ['format=csv', 'format=csv&table=log', 'format=pdf&table=funds']) {
			const r = await centre.get(`/api/v1/projects/${p.id}?${q}`);
			assert.equal(r.status, 422, q);
			assert.equal(r.body.error.field, q.startsWith('format=pdf') ? 'format' : 'table', q);
		}
		const audited = (await auditor.get('/api/v1/audit?action=project.export&limit=5')).body.items.map((e) => JSON.parse(e.detail));
		assert.ok(audited.some((d) => d.project === p.id && d.table === 'served' && d.rows === 1), JSON.stringify(audited));
	});
});
