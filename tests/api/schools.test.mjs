// Schools (SPEC §5): each school's activity station and counselling room,
// the counselling sessions it logs (confidential: only the school reads
// their notes), and the volunteer caring mothers (爱心妈妈) paired with
// children by the centre, townships, child directors and schools.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { bornYearsBefore } from './lib/registry.mjs';

const OWN = '370831001001'; // director's village, township 370831001 (station, school01)
const OTHER = '370831101201'; // director2's village, township 370831101
const day = (offset = 0) => chinaDate(offset).iso;

describeEachDriver('schools', (driver) => {
	let srv, centre, committee, station, director, director2, school, auditor, department, schoolId;

	const pupil = async (village = OWN, withSchool = true) => {
		const r = await centre.post('/api/v1/children', {
			name: uniqueName('学生'),
			sex: 'F',
			birth_date: bornYearsBefore(11),
			village_code: village,
			...(withSchool ? { school_id: schoolId } : {}),
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const schoolRow = async (client) => {
		const r = await client.get('/api/v1/schools');
		assert.equal(r.status, 200, r.text);
		return r.body.items.find((s) => s.id === schoolId);
	};
	const session = (body = {}) =>
		school.post(`/api/v1/schools/${schoolId}/counselling`, { held_on: day(), mode: 'group', topic: 'safety', pupils: 20, ...body });

	before(async () => {
		srv = await startServer(driver);
		[centre, committee, station, director, director2, school, auditor, department] = await Promise.all(
			['center', 'committee', 'station', 'director', 'director2', 'school', 'auditor', 'department'].map((u) => srv.login(u)),
		);
		schoolId = school.me.memberships[0].unit_id;
	});
	after(async () => {
		await srv?.stop();
	});

	test('a school keeps its rooms; the centre, the committee and its township see them, other roles not', async () => {
		const r = await school.put(`/api/v1/schools/${schoolId}/rooms`, {
			activity_station: true,
			counselling_room: true,
			counsellors: 2,
			opened_on: day(-400),
		});
		assert.equal(r.status, 200, r.text);
		for (const client of [centre, committee, station, school]) {
			const s = await schoolRow(client);
			assert.ok(s, 'the school is listed');
			assert.equal(s.rooms.activity_station, true);
			assert.equal(s.rooms.counselling_room, true);
			assert.equal(s.rooms.counsellors, 2);
			assert.equal(s.rooms.opened_on, day(-400));
		}
		const mine = (await school.get('/api/v1/schools')).body.items;
		assert.deepEqual(mine.map((s) => s.id), [schoolId], 'a school sees itself alone');
		const far = await srv.login('station02');
		assert.equal((await far.get('/api/v1/schools')).body.items.some((s) => s.id === schoolId), false, 'another township');
		assert.equal((await far.put(`/api/v1/schools/${schoolId}/rooms`, { activity_station: true, counselling_room: false })).status, 404);
		assert.equal((await station.put(`/api/v1/schools/${schoolId}/rooms`, { activity_station: true, counselling_room: false })).status, 403);
		for (const client of [director, department, auditor]) assert.equal((await client.get('/api/v1/schools')).status, 403);
		for (const [body, field] of [
			[{ activity_station: true, counselling_room: true, counsellors: -1 }, 'counsellors'],
			[{ activity_station: true, counselling_room: true, opened_on: day(3) }, 'opened_on'],
			[{ activity_station: true, counselling_room: true, opened_on: '1900-01-01' }, 'opened_on'], // a mistyped year
			[{ activity_station: 'yes', counselling_room: true }, 'activity_station'],
			[{ counselling_room: true }, 'activity_station'],
		]) {
			const x = await school.put(`/api/v1/schools/${schoolId}/rooms`, body);
			assert.equal(x.status, 422, `${JSON.stringify(body)}: ${x.text}`);
			assert.equal(x.body.error.field, field);
		}
		assert.equal((await schoolRow(centre)).rooms.counsellors, 2, 'nothing was changed');
		const csv = await centre.get('/api/v1/schools?format=csv');
		assert.equal(csv.status, 200);
		assert.match(csv.text, /学校代码/);
		assert.match(csv.text, /泗河街道第一小学/);
		// the area by code and by name, as other downloads give it
		const row = await schoolRow(centre);
		const areaName = (await centre.get(`/api/v1/areas/${row.area_code}`)).body.name;
		const lines = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
		assert.match(lines[0], /^学校代码,学校,区划代码,所在区划,儿童活动站,/);
		const cells = lines.find((l) => l.startsWith(`${row.code},`)).split(',');
		assert.deepEqual(cells.slice(2, 4), [row.area_code, areaName]);
		const en = await centre.get('/api/v1/schools?format=csv&lang=en');
		const enLines = en.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
		assert.match(enLines[0], /^School code,School,Area code,Area,Activity station,/);
		assert.deepEqual(enLines.find((l) => l.startsWith(`${row.code},`)).split(',').slice(2, 4), [row.area_code, areaName]);
	});

	test('counselling: the school logs group and individual sessions; only it reads the notes; the centre and the township see them', async () => {
		const kid = await pupil();
		const before = (await schoolRow(centre)).counselling;
		const g = await session({ pupils: 35, topic: 'bullying' });
		assert.equal(g.status, 201, g.text);
		assert.equal(g.body.child, null, 'a group names nobody');
		const one = await session({ mode: 'individual', child_id: kid.id, topic: 'family', concern: 'refer', notes: '父母离异，情绪低落' });
		assert.equal(one.status, 201, one.text);
		assert.equal(one.body.child.name, kid.name);
		assert.equal(one.body.pupils, 1);
		assert.equal(one.body.notes, '父母离异，情绪低落');
		const after = (await schoolRow(centre)).counselling;
		assert.equal(after.sessions, before.sessions + 2);
		assert.equal(after.individual, before.individual + 1);
		assert.equal(after.attended, before.attended + 36);
		assert.equal(after.referred, before.referred + 1);

		const own = await school.get(`/api/v1/schools/${schoolId}/counselling`);
		assert.equal(own.status, 200, own.text);
		// a page of one still counts the whole period
		const page = await school.get(`/api/v1/schools/${schoolId}/counselling?limit=1`);
		assert.equal(page.body.items.length, 1);
		assert.deepEqual(page.body.totals, own.body.totals, 'the totals are the period\'s, not the page\'s');
		assert.ok(own.body.totals.sessions >= 2);
		assert.equal(own.body.items.find((s) => s.id === one.body.id).notes, '父母离异，情绪低落');
		for (const client of [centre, station]) {
			const r = await client.get(`/api/v1/schools/${schoolId}/counselling?concern=refer`);
			assert.equal(r.status, 200, r.text);
			const s = r.body.items.find((x) => x.id === one.body.id);
			assert.equal(s.child.name, kid.name, 'the pupil lives in their area');
			assert.equal('notes' in s, false, 'the notes stay with the school');
			assert.ok(r.body.items.every((x) => x.concern === 'refer'));
		}
		// a pupil living in another township: the station sees the session, not the name
		const farKid = await pupil(OTHER);
		const far = await session({ mode: 'individual', child_id: farKid.id, topic: 'study' });
		assert.equal(far.status, 201, far.text);
		const seen = (await station.get(`/api/v1/schools/${schoolId}/counselling`)).body.items.find((x) => x.id === far.body.id);
		assert.equal(seen.child, null);
		assert.equal(seen.pupil_outside_scope, true);
		assert.equal((await committee.get(`/api/v1/schools/${schoolId}/counselling`)).status, 403);
		assert.equal((await (await srv.login('station02')).get(`/api/v1/schools/${schoolId}/counselling`)).status, 404);

		const log = await auditor.get(`/api/v1/audit?object_type=school&object_id=${schoolId}&limit=50`);
		assert.ok(log.body.items.some((e) => e.action === 'counselling.list' && e.username === 'center'), 'a list naming pupils is audited');
		const kidLog = await auditor.get(`/api/v1/audit?object_type=child&object_id=${kid.id}&limit=50`);
		assert.ok(kidLog.body.items.some((e) => e.action === 'counselling.create' && e.username === 'school'));
	});

	test('counselling: a session saved twice is voided with the reason, by the school or the centre; listed, marked, no longer counted', async () => {
		const before = (await schoolRow(centre)).counselling;
		const first = await session({ pupils: 12, topic: 'emotion' });
		const twice = await session({ pupils: 12, topic: 'emotion' });
		assert.equal(twice.status, 201, twice.text);
		assert.equal((await schoolRow(centre)).counselling.sessions, before.sessions + 2);
		const voidIt = (client, sid, body = { reason: '重复保存' }) => client.post(`/api/v1/schools/${schoolId}/counselling/${sid}/void`, body);
		for (const [body, field] of [[{}, 'reason'], [{ reason: '  ' }, 'reason']]) {
			const r = await voidIt(school, twice.body.id, body);
			assert.equal(r.status, 422, JSON.stringify(body));
			assert.equal(r.body.error.field, field);
		}
		assert.equal((await voidIt(station, twice.body.id)).status, 403);
		assert.equal((await voidIt(committee, twice.body.id)).status, 403);
		assert.equal((await voidIt(school, 999999)).status, 404);
		const ok = await voidIt(school, twice.body.id);
		assert.equal(ok.status, 200, ok.text);
		assert.equal((await voidIt(centre, twice.body.id)).status, 409, 'once');
		const after = (await schoolRow(centre)).counselling;
		assert.equal(after.sessions, before.sessions + 1, 'the voided one no longer counts');
		assert.equal(after.attended, before.attended + 12);
		const list = (await school.get(`/api/v1/schools/${schoolId}/counselling`)).body;
		const marked = list.items.find((x) => x.id === twice.body.id);
		assert.equal(marked.voided.reason, '重复保存');
		assert.ok(!list.items.find((x) => x.id === first.body.id).voided);
		const log = (await auditor.get(`/api/v1/audit?action=counselling.void&object_id=${schoolId}`)).body.items.filter((e) => e.outcome === 'ok');
		assert.equal(log.length, 1);
		assert.equal(JSON.parse(log[0].detail).reason, '重复保存', 'the auditor reads why');
		assert.equal(JSON.parse(log[0].detail).session, twice.body.id);
	});

	test('counselling: every wrong field is refused with its name and nothing is written', async () => {
		const notMine = await pupil(OWN, false);
		const before = (await schoolRow(school)).counselling.sessions;
		for (const [body, field] of [
			[{ mode: 'chat' }, 'mode'],
			[{ topic: 'money' }, 'topic'],
			[{ concern: 'urgent' }, 'concern'],
			[{ held_on: day(1) }, 'held_on'],
			[{ held_on: '2026-13-01' }, 'held_on'],
			[{ pupils: 1 }, 'pupils'],
			[{ child_id: notMine.id }, 'child_id'],
			[{ mode: 'individual' }, 'child_id'],
			[{ mode: 'individual', child_id: notMine.id }, 'child_id'],
			[{ notes: '记'.repeat(501) }, 'notes'],
			[{ room: 'A' }, 'room'],
		]) {
			const r = await session(body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		assert.equal((await schoolRow(school)).counselling.sessions, before, 'nothing was written');
		const r = await centre.post(`/api/v1/schools/${schoolId}/counselling`, { held_on: day(), mode: 'group', topic: 'safety', pupils: 20 });
		assert.equal(r.status, 403, 'the school that held it records it');
	});

	test('caring mothers: a director registers one in the own village and pairs her with a child; a child has one at a time', async () => {
		const kid = await pupil();
		const m = await director.post('/api/v1/caring-mothers', { name: '王秀兰', phone: '13912345678', notes: '村妇联推荐', joined_on: day(-30) });
		assert.equal(m.status, 201, m.text);
		assert.equal(m.body.area_code, OWN, 'the director\'s village by default');
		assert.equal(m.body.phone, '13912345678', 'a director sees whole phone numbers');
		const p = await director.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: kid.id, started_on: day(-3) });
		assert.equal(p.status, 201, p.text);
		assert.equal(p.body.open_pairs, 1);
		assert.equal(p.body.pairs[0].child.name, kid.name);

		const list = await station.get('/api/v1/caring-mothers');
		assert.ok(list.body.items.some((x) => x.id === m.body.id), 'the township sees the village\'s mothers');
		const one = await station.get('/api/v1/caring-mothers?limit=1');
		assert.equal(one.body.items.length, 1);
		assert.deepEqual(one.body.totals, list.body.totals, 'the totals count every mother, not the page');
		assert.equal((await director2.get(`/api/v1/caring-mothers/${m.body.id}`)).status, 404, 'another village');
		assert.equal((await director2.get('/api/v1/caring-mothers')).body.items.some((x) => x.id === m.body.id), false);
		const schoolView = (await school.get('/api/v1/caring-mothers')).body.items;
		assert.equal(schoolView.some((x) => x.id === m.body.id), false, 'a school keeps its own mothers');

		const m2 = await station.post('/api/v1/caring-mothers', { name: '李桂英', area_code: OWN });
		assert.equal(m2.status, 201, m2.text);
		const again = await station.post(`/api/v1/caring-mothers/${m2.body.id}/pairs`, { child_id: kid.id });
		assert.equal(again.status, 409, 'one caring mother at a time');
		const farKid = await pupil(OTHER, false);
		const far = await director.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: farKid.id });
		assert.equal(far.status, 422);
		assert.equal(far.body.error.field, 'child_id');

		// the child's care: the pairing for those who read the child's file
		const care = await director.get(`/api/v1/children/${kid.id}/care`);
		assert.equal(care.status, 200, care.text);
		assert.equal(care.body.caring[0].mother, '王秀兰');
		assert.equal(care.body.counselling, null, 'counselling is for the school and the centre');
		assert.equal((await director2.get(`/api/v1/children/${kid.id}/care`)).status, 404);
		assert.ok(Array.isArray((await centre.get(`/api/v1/children/${kid.id}/care`)).body.counselling));
		const kidLog = await auditor.get(`/api/v1/audit?object_type=child&object_id=${kid.id}&limit=50`);
		assert.ok(kidLog.body.items.some((e) => e.action === 'caring.pair' && e.username === 'director'));
		assert.ok(kidLog.body.items.some((e) => e.action === 'child.care' && e.username === 'center'));

		// she cannot leave while paired; the pairing ends, then she can
		const leave = await director.patch(`/api/v1/caring-mothers/${m.body.id}`, { active: false });
		assert.equal(leave.status, 409, leave.text);
		const pairId = p.body.pairs[0].id;
		assert.equal((await director2.post(`/api/v1/caring-pairs/${pairId}/end`, {})).status, 404);
		const early = await director.post(`/api/v1/caring-pairs/${pairId}/end`, { ended_on: day(-10) });
		assert.equal(early.status, 422);
		assert.equal(early.body.error.field, 'ended_on');
		const end = await director.post(`/api/v1/caring-pairs/${pairId}/end`, { note: '孩子随父母迁居' });
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.ended_on, day());
		assert.equal((await director.post(`/api/v1/caring-pairs/${pairId}/end`, {})).status, 409);
		const left = await director.patch(`/api/v1/caring-mothers/${m.body.id}`, { active: false, phone: '' });
		assert.equal(left.status, 200, left.text);
		assert.equal(left.body.active, false);
		assert.equal(left.body.phone, null);
		assert.equal((await director.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: kid.id })).status, 409, 'no longer active');
		// now the child is free for another mother
		assert.equal((await station.post(`/api/v1/caring-mothers/${m2.body.id}/pairs`, { child_id: kid.id })).status, 201);
	});

	test('caring mothers: wrong fields are refused with their name; roles without a place get 403', async () => {
		for (const [body, field] of [
			[{}, 'name'],
			[{ name: '  ' }, 'name'],
			[{ name: '\u3000\u3000' }, 'name'], // full-width blanks, as a Chinese input method types them
			[{ name: '\u200b\ufeff' }, 'name'], // invisible characters a copied text brings
			[{ name: '张'.repeat(31) }, 'name'],
			[{ name: '张兰', phone: 'call me' }, 'phone'],
			[{ name: '张兰', phone: '1381234' }, 'phone'], // a mobile number missing four digits
			[{ name: '张兰', phone: '6543210' }, 'phone'], // a landline without its area code
			[{ name: '张兰', area_code: OTHER }, 'area_code'],
			[{ name: '张兰', joined_on: day(2) }, 'joined_on'],
			[{ name: '张兰', joined_on: '1900-01-01' }, 'joined_on'], // a mistyped year
			[{ name: '张兰', notes: '记'.repeat(201) }, 'notes'],
			[{ name: '张兰', age: 40 }, 'age'],
		]) {
			const r = await director.post('/api/v1/caring-mothers', body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		for (const client of [committee, department, auditor]) {
			assert.equal((await client.get('/api/v1/caring-mothers')).status, 403);
			assert.equal((await client.post('/api/v1/caring-mothers', { name: '张兰' })).status, 403);
		}
		// a school's mother: phone masked for the school, whole for the centre
		const s = await school.post('/api/v1/caring-mothers', { name: '赵雪梅', phone: '13700001111' });
		assert.equal(s.status, 201, s.text);
		assert.equal(s.body.school_id, schoolId);
		assert.equal(s.body.phone_masked, true);
		assert.notEqual(s.body.phone, '13700001111');
		const c = await centre.get(`/api/v1/caring-mothers/${s.body.id}`);
		assert.equal(c.body.phone, '13700001111');
	});

	test('caring mothers: a school registers its mothers in its own place, not in another township\'s village whose station would pair them', async () => {
		const unit = (await centre.get('/api/v1/units')).body.items.find((u) => u.id === schoolId);
		assert.ok(unit?.area_code && OWN.startsWith(unit.area_code) && !OTHER.startsWith(unit.area_code), JSON.stringify(unit));
		const name = uniqueName('爱心妈妈');
		const far = await school.post('/api/v1/caring-mothers', { name, area_code: OTHER });
		assert.equal(far.status, 422, far.text);
		assert.equal(far.body.error.field, 'area_code');
		const county = await school.post('/api/v1/caring-mothers', { name, area_code: '370831' });
		assert.equal(county.status, 422, 'nor the whole county');
		assert.equal(county.body.error.field, 'area_code');
		const theirs = (await director2.get('/api/v1/caring-mothers?limit=1000')).body.items;
		assert.equal(theirs.some((x) => x.name === name), false, 'nothing on the other village\'s list');
		// its own township, or a village in it, is its place
		const own = await school.post('/api/v1/caring-mothers', { name });
		assert.equal(own.status, 201, own.text);
		assert.equal(own.body.area_code, unit.area_code, 'the school\'s area by default');
		const blank = await school.patch(`/api/v1/caring-mothers/${own.body.id}`, { name: '\u3000\u200b' });
		assert.equal(blank.status, 422, blank.text);
		assert.equal(blank.body.error.field, 'name');
		const trimmed = await school.patch(`/api/v1/caring-mothers/${own.body.id}`, { name: `\u3000${name}\u200b` });
		assert.equal(trimmed.status, 200, trimmed.text);
		assert.equal(trimmed.body.name, name, 'the blanks around a name are dropped');
		const near = await school.post('/api/v1/caring-mothers', { name: uniqueName('爱心妈妈'), area_code: OWN });
		assert.equal(near.status, 201, near.text);
		assert.equal(near.body.area_code, OWN);
		assert.equal(near.body.school_id, schoolId);
		// its list narrows to its own place; another township's village is refused, naming area
		const listed = await school.get(`/api/v1/caring-mothers?area=${OWN}&limit=1000`);
		assert.equal(listed.status, 200, listed.text);
		assert.ok(listed.body.items.some((x) => x.id === near.body.id));
		for (const q of [`area=${OTHER}`, 'area=110101001001']) {
			const r = await school.get(`/api/v1/caring-mothers?${q}`);
			assert.equal(r.status, 422, `${q}: ${r.text}`);
			assert.equal(r.body.error.field, 'area', q);
		}
		// and she does not move away afterwards
		const moved = await school.patch(`/api/v1/caring-mothers/${near.body.id}`, { area_code: OTHER });
		assert.equal(moved.status, 422, moved.text);
		assert.equal(moved.body.error.field, 'area_code');
		assert.equal((await school.get(`/api/v1/caring-mothers/${near.body.id}`)).body.area_code, OWN);
	});

	test('caring mothers: when her child moves to another township, her keeper still sees the pairing (child not named), ends it and lets her leave', async () => {
		const kid = await pupil(OWN, false);
		const m = await station.post('/api/v1/caring-mothers', { name: uniqueName('爱心妈妈'), area_code: OWN, joined_on: day(-60) });
		assert.equal(m.status, 201, m.text);
		const p = await station.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: kid.id, started_on: day(-20) });
		assert.equal(p.status, 201, p.text);
		const pairId = p.body.pairs[0].id;
		// the family moves to director2's village, in another township
		const cur = (await centre.get(`/api/v1/children/${kid.id}`)).body;
		const moved = await centre.patch(`/api/v1/children/${kid.id}`, { version: cur.version, village_code: OTHER });
		assert.equal(moved.status, 200, moved.text);

		const reads = async () =>
			(await auditor.get(`/api/v1/audit?object_type=caring_mother&object_id=${m.body.id}&limit=50`)).body.items.filter(
				(e) => e.action === 'caring.read' && e.username === 'station',
			).length;
		const readsBefore = await reads();
		const seen = await station.get(`/api/v1/caring-mothers/${m.body.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.body.open_pairs, 1);
		assert.equal(seen.body.pairs.length, 1, 'the pairing her count counts is listed');
		const row = seen.body.pairs[0];
		assert.equal(row.id, pairId);
		assert.equal(row.child, null, 'the child is not the township\'s to name any more');
		assert.equal(row.child_outside_scope, true);
		assert.equal(row.started_on, day(-20));
		assert.equal(row.ended_on, null);
		assert.ok(!seen.text.includes(kid.name) && !seen.text.includes(`"child_id"`), seen.text);
		assert.equal(await reads(), readsBefore, 'no child named, no read to audit');
		// the centre still names the child
		const byCentre = (await centre.get(`/api/v1/caring-mothers/${m.body.id}`)).body.pairs[0];
		assert.equal(byCentre.child.id, kid.id);
		assert.equal(byCentre.child_outside_scope, undefined);

		const leave = await station.patch(`/api/v1/caring-mothers/${m.body.id}`, { active: false });
		assert.equal(leave.status, 409, 'she leaves once her pairings have ended');
		assert.equal((await director2.post(`/api/v1/caring-pairs/${pairId}/end`, {})).status, 404, 'the child\'s new village does not keep her');
		const end = await station.post(`/api/v1/caring-pairs/${pairId}/end`, { note: '随父母迁居外乡镇' });
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.ended_on, day());
		assert.equal(end.body.child, null);
		assert.equal(end.body.child_outside_scope, true);
		assert.ok(!end.text.includes(kid.name), end.text);
		const kidLog = await auditor.get(`/api/v1/audit?object_type=child&object_id=${kid.id}&limit=50`);
		assert.ok(kidLog.body.items.some((e) => e.action === 'caring.unpair' && e.username === 'station'), 'the end is audited');
		const after = await station.get(`/api/v1/caring-mothers/${m.body.id}`);
		assert.equal(after.body.open_pairs, 0);
		assert.equal(after.body.pairs[0].ended_on, day());
		assert.equal(after.body.pairs[0].end_note, '随父母迁居外乡镇');
		const listed = (await station.get('/api/v1/caring-mothers?limit=1000')).body.items.find((x) => x.id === m.body.id);
		assert.equal(listed.open_pairs, 0);
		const left = await station.patch(`/api/v1/caring-mothers/${m.body.id}`, { active: false });
		assert.equal(left.status, 200, left.text);
		assert.equal(left.body.active, false);
		// the child is free for a mother of the new township
		const care = await director2.get(`/api/v1/children/${kid.id}/care`);
		assert.equal(care.status, 200, care.text);
		assert.equal(care.body.caring[0].ended_on, day());
	});

	test('caring mothers: a school keeps its mother paired by the township with a child who is not its pupil: sees, ends, lets her leave', async () => {
		const s = await school.post('/api/v1/caring-mothers', { name: uniqueName('爱心妈妈'), area_code: OWN });
		assert.equal(s.status, 201, s.text);
		const kid = await pupil(OWN, false);
		const p = await station.post(`/api/v1/caring-mothers/${s.body.id}/pairs`, { child_id: kid.id });
		assert.equal(p.status, 201, p.text);
		const seen = await school.get(`/api/v1/caring-mothers/${s.body.id}`);
		assert.equal(seen.status, 200, seen.text);
		assert.equal(seen.body.open_pairs, 1);
		assert.equal(seen.body.pairs.length, 1);
		assert.equal(seen.body.pairs[0].child, null);
		assert.equal(seen.body.pairs[0].child_outside_scope, true);
		assert.ok(!seen.text.includes(kid.name), seen.text);
		const end = await school.post(`/api/v1/caring-pairs/${seen.body.pairs[0].id}/end`, {});
		assert.equal(end.status, 200, end.text);
		assert.equal(end.body.child, null);
		const left = await school.patch(`/api/v1/caring-mothers/${s.body.id}`, { active: false });
		assert.equal(left.status, 200, left.text);
		assert.equal(left.body.open_pairs, 0);
		assert.equal(left.body.active, false);
		// the station, which reads the child, names it on the ended pairing
		const byStation = (await station.get(`/api/v1/caring-mothers/${s.body.id}`)).body.pairs[0];
		assert.equal(byStation.child.id, kid.id);
		assert.equal(byStation.ended_on, day());
	});

	test('archiving a child ends its caring mother\'s pairing', async () => {
		const kid = await pupil();
		const m = await station.post('/api/v1/caring-mothers', { name: '孙丽', area_code: OWN });
		assert.equal((await station.post(`/api/v1/caring-mothers/${m.body.id}/pairs`, { child_id: kid.id })).status, 201);
		const a = await station.post(`/api/v1/children/${kid.id}/archive`, { reason: 'moved_away', note: '迁往外省' });
		assert.equal(a.status, 200, a.text);
		const after = await station.get(`/api/v1/caring-mothers/${m.body.id}`);
		assert.equal(after.body.open_pairs, 0);
		assert.equal(after.body.pairs.length, 1, 'the ended pairing is listed');
		assert.equal(after.body.pairs[0].child, null, 'an archived child is not named');
		assert.equal(after.body.pairs[0].child_outside_scope, true);
		assert.equal(after.body.pairs[0].ended_on, day());
		const back = await station.post(`/api/v1/children/${kid.id}/restore`, { note: '已返回本县' });
		assert.equal(back.status, 200, back.text);
		const ended = (await station.get(`/api/v1/caring-mothers/${m.body.id}`)).body.pairs.find((x) => x.child?.id === kid.id);
		assert.equal(ended.end_note, '档案归档');
		assert.equal(ended.ended_on, day());
	});
});
