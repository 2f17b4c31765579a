// Talks (讲, SPEC §5): child directors, grid workers, townships, the centre
// and schools record the publicity and education sessions they hold, with
// their attendance; each sees the talks of its own place; the villages'
// scorecard and the monthly report count them. No child is named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';
import { chinaDate } from './lib/idnum.mjs';

const OWN = '370831001001'; // director's village
const OTHER = '370831101201'; // director2's village
const day = (offset = 0) => chinaDate(offset).iso;

describeEachDriver('talks', (driver) => {
	let srv, centre, committee, station, director, director2, school, department;
	const talk = (client, body = {}) =>
		client.post('/api/v1/talks', { held_on: day(), kind: 'education', topic: '防溺水安全教育', children: 30, adults: 4, ...body });
	const listOf = async (client, q = '') => {
		const r = await client.get(`/api/v1/talks?limit=500${q}`);
		assert.equal(r.status, 200, r.text);
		return r.body;
	};

	before(async () => {
		srv = await startServer(driver);
		[centre, committee, station, director, director2, school, department] = await Promise.all(
			['center', 'committee', 'station', 'director', 'director2', 'school', 'department'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('a director records a talk in the own village; the township and the county see it, another village not', async () => {
		const before = await listOf(station);
		const r = await talk(director, { notes: '村委会议室' });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.area_code, OWN, 'the director\'s village by default');
		assert.equal(r.body.children, 30);
		assert.ok(r.body.by);
		assert.ok((await listOf(director)).items.some((t) => t.id === r.body.id));
		const after = await listOf(station);
		assert.ok(after.items.some((t) => t.id === r.body.id));
		assert.equal(after.totals.talks, before.totals.talks + 1);
		assert.equal(after.totals.children, before.totals.children + 30);
		assert.equal(after.totals.adults, before.totals.adults + 4);
		assert.ok((await listOf(committee)).items.some((t) => t.id === r.body.id), 'the committee follows the county');
		assert.equal((await listOf(director2)).items.some((t) => t.id === r.body.id), false);
		const village = await listOf(station, `&area=${OWN}`);
		assert.ok(village.items.every((t) => t.area_code === OWN));
	});

	test('every wrong field is refused with its name; only those who hold talks record them', async () => {
		const before = (await listOf(director)).totals.talks;
		for (const [body, field] of [
			[{ kind: 'party' }, 'kind'],
			[{ topic: '  ' }, 'topic'],
			[{ topic: '\u3000\u3000' }, 'topic'], // full-width blanks, as a Chinese input method types them
			[{ topic: '\u200b \ufeff' }, 'topic'], // invisible characters a copied text brings
			[{ topic: '讲'.repeat(101) }, 'topic'],
			[{ held_on: day(1) }, 'held_on'],
			[{ held_on: day(-400) }, 'held_on'],
			[{ held_on: '2026-02-30' }, 'held_on'],
			[{ children: -1 }, 'children'],
			[{ children: 0, adults: 0 }, 'children'],
			[{ area_code: OTHER }, 'area_code'],
			[{ area_code: '110101001001' }, 'area_code'],
			[{ notes: '记'.repeat(501) }, 'notes'],
			[{ audience: 'all' }, 'audience'],
		]) {
			const r = await talk(director, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		// the limit of a number of people is named, so a typed 1000000 can be mended
		const many = await talk(director, { adults: 100001 });
		assert.equal(many.status, 422, many.text);
		assert.equal(many.body.error.field, 'adults');
		assert.match(many.body.error.message, /from 0 to 100000/);
		assert.equal((await listOf(director)).totals.talks, before, 'nothing was written');
		// a topic keeps what it says, without the blanks around it
		const t = await talk(director, { topic: '\u3000防溺水\u200b ' });
		assert.equal(t.status, 201, t.text);
		assert.equal(t.body.topic, '防溺水');
		assert.equal((await director.del(`/api/v1/talks/${t.body.id}`)).status, 200);
		assert.equal((await talk(committee)).status, 403);
		assert.equal((await talk(department)).status, 403);
		assert.equal((await department.get('/api/v1/talks')).status, 403);
		for (const [q, field] of [['from=yesterday', 'from'], [`from=${day()}&to=${day(-5)}`, 'to'], [`area=${OTHER}`, 'area']]) {
			const r = await director.get(`/api/v1/talks?${q}`);
			assert.equal(r.status, 422, q);
			assert.equal(r.body.error.field, field, q);
		}
	});

	test('a school records its own talks; the township may hold one in any of its villages', async () => {
		const s = await talk(school, { kind: 'education', topic: '心理健康主题班会', children: 240, adults: 0 });
		assert.equal(s.status, 201, s.text);
		assert.ok(s.body.school_id > 0);
		const mine = await listOf(school);
		assert.ok(mine.items.length >= 1 && mine.items.every((t) => t.school_id === s.body.school_id), 'a school sees its own');
		// it narrows them to its own place; another township's village (or a code of no area) is refused, naming area
		assert.ok((await listOf(school, `&area=${s.body.area_code}`)).items.some((x) => x.id === s.body.id));
		for (const q of [`area=${OTHER}`, 'area=110101001001']) {
			const r = await school.get(`/api/v1/talks?${q}`);
			assert.equal(r.status, 422, `${q}: ${r.text}`);
			assert.equal(r.body.error.field, 'area', q);
		}
		const t = await talk(station, { area_code: '370831001002', kind: 'parent_school', topic: '家长课堂' });
		assert.equal(t.status, 201, t.text);
		assert.equal(t.body.area_code, '370831001002');
		const c = await talk(centre, { kind: 'training', topic: '儿童主任培训', children: 0, adults: 120 });
		assert.equal(c.status, 201, c.text);
		assert.equal(c.body.area_code, '370831', 'the centre\'s own talks belong to the county');
	});

	test('a school holds its talks in its own place: not in another township\'s village, whose scorecard would count them', async () => {
		const schoolId = school.me.memberships[0].unit_id;
		const unit = (await centre.get('/api/v1/units')).body.items.find((u) => u.id === schoolId);
		assert.ok(unit?.area_code && OWN.startsWith(unit.area_code) && !OTHER.startsWith(unit.area_code), JSON.stringify(unit));
		const before = await listOf(director2);
		const far = await talk(school, { area_code: OTHER, topic: '家长课堂', children: 50, adults: 40 });
		assert.equal(far.status, 422, far.text);
		assert.equal(far.body.error.field, 'area_code');
		const county = await talk(school, { area_code: '370831' });
		assert.equal(county.status, 422, 'nor the whole county');
		assert.equal(county.body.error.field, 'area_code');
		assert.deepEqual((await listOf(director2)).totals, before.totals, 'nothing was counted in the other village');
		// a village of its own township is its place
		const near = await talk(school, { area_code: OWN, topic: '家长课堂' });
		assert.equal(near.status, 201, near.text);
		assert.equal(near.body.area_code, OWN);
		assert.equal(near.body.school_id, schoolId);
	});

	test('the villages\' scorecard and the monthly report count the talks', async () => {
		const score = async () => {
			const r = await station.get('/api/v1/visits/scorecard');
			assert.equal(r.status, 200, r.text);
			return r.body;
		};
		const before = await score();
		const row = (b) => b.villages.find((v) => v.village_code === OWN);
		const rep = async () => (await station.get(`/api/v1/reports/monthly?month=${day().slice(0, 7)}`)).body;
		const repBefore = await rep();
		const r = await talk(director, { children: 11, adults: 2 });
		assert.equal(r.status, 201, r.text);
		const after = await score();
		assert.equal(row(after).talks, row(before).talks + 1);
		assert.equal(row(after).talk_attendance, row(before).talk_attendance + 13);
		assert.equal(after.totals.talks, before.totals.talks + 1);
		const csv = await station.get('/api/v1/visits/scorecard?format=csv&lang=en');
		assert.match(csv.text.split('\r\n')[0], /,Talks,Talk attendance,Review$/);
		const repAfter = await rep();
		assert.equal(repAfter.totals.talks.talks, repBefore.totals.talks.talks + 1);
		assert.equal(repAfter.totals.talks.children, repBefore.totals.talks.children + 11);
	});

	test('a talk is corrected or removed by whom recorded it or the township\'s desk; the audit keeps what was removed', async () => {
		const t = (await talk(director, { topic: '防溺水', children: 20, adults: 2 })).body;
		const fix = await director.patch(`/api/v1/talks/${t.id}`, { children: 25, topic: '防溺水安全教育（更正）' });
		assert.equal(fix.status, 200, fix.text);
		assert.equal(fix.body.children, 25);
		assert.equal(fix.body.adults, 2, 'what is not sent stays');
		assert.equal(fix.body.topic, '防溺水安全教育（更正）');
		const listed = (await listOf(station)).items.find((x) => x.id === t.id);
		assert.equal(listed.children, 25);
		for (const [body, field] of [
			[{ children: 0, adults: 0 }, 'children'],
			[{ held_on: day(1) }, 'held_on'],
			[{ kind: 'party' }, 'kind'],
			[{ area_code: OTHER }, 'area_code'],
		]) {
			const r = await director.patch(`/api/v1/talks/${t.id}`, body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await director2.patch(`/api/v1/talks/${t.id}`, { children: 1 })).status, 404, 'another village');
		assert.equal((await committee.patch(`/api/v1/talks/${t.id}`, { children: 1 })).status, 403);
		const desk = await station.patch(`/api/v1/talks/${t.id}`, { adults: 3 });
		assert.equal(desk.status, 200, 'the township\'s desk corrects its villages\' talks');
		const before = (await listOf(station)).totals;
		assert.equal((await director2.del(`/api/v1/talks/${t.id}`)).status, 404);
		const del = await director.del(`/api/v1/talks/${t.id}`);
		assert.equal(del.status, 200, del.text);
		const after = (await listOf(station)).totals;
		assert.equal(after.talks, before.talks - 1);
		assert.equal(after.children, before.children - 25);
		assert.equal((await director.del(`/api/v1/talks/${t.id}`)).status, 404);
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=talk&object_id=${t.id}&limit=20`);
		const removed = log.body.items.find((e) => e.action === 'talk.delete');
		assert.ok(removed, JSON.stringify(log.body.items));
		assert.match(JSON.stringify(removed.detail), /防溺水安全教育（更正）/);
		assert.ok(log.body.items.some((e) => e.action === 'talk.update' && e.username === 'station'));
	});
});
