// What a request tells whom (SPEC §4, docs/architecture.md "Referrals and
// the access grant"):
// - the confidential reporter of a mandatory report stays unknown through
//   every later step of theirs (a comment, a file), not only the filing,
//   to everyone but the centre, public security and the reporter;
// - a referred unit reads its own referral, comments and files, and the
//   centre's; another unit's comments and files are for the loop's staff
//   and that unit (the list, the timeline and the download alike: 404,
//   audited as a refused read); a file is the unit's its uploader acted
//   for, as a comment is, when the uploader works for two of them;
// - a unit without the `address` grant is not told where the child lives:
//   no township, village or grid of the request, and its filer by role
//   only (a director is named after the village).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { migratedFrom, describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { VILLAGE, TOWNSHIP, step, unitIds, birthForAge, PNG, PDF } from './lib/loop.mjs';

describeEachDriver('loop privacy', (driver) => {
	let srv, director, station, supervisor, centre, committee, police, school, civil, medical, auditor, units;

	before(async () => {
		srv = await startServer(driver);
		[director, station, supervisor, centre, committee, police, school, civil, medical, auditor] = await Promise.all(
			[
				'director',
				'station',
				'supervisor',
				'center',
				'committee',
				'dept_public_security',
				'school',
				'department',
				'dept_medical_insurance',
				'auditor',
			].map((u) => srv.login(u)),
		);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const upload = async (client, id, name, bytes = PNG) => {
		const r = await client.request('POST', `/api/v1/requests/${id}/attachments?name=${name}`, {
			body: bytes,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const comment = async (client, id, text) => {
		const r = await client.post(`/api/v1/requests/${id}/comments`, { text });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const read = async (client, id) => {
		const r = await client.get(`/api/v1/requests/${id}`);
		assert.equal(r.status, 200, `${client.me.user.username}: ${r.text}`);
		return r.body;
	};

	test('the reporter of a mandatory report is named by none of their later steps to those who may not know them', async () => {
		const kids = await school.get('/api/v1/children?limit=1');
		assert.equal(kids.status, 200, kids.text);
		const filed = await school.post('/api/v1/requests', {
			child_id: kids.body.items[0].id,
			kind: 'abuse_violence',
			urgency: 'urgent',
			narrative: '学生身上多处淤青，疑似家暴',
			mandatory: true,
		});
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		const me = school.me.user;
		await comment(school, id, '补充：孩子说是父亲打的');
		const file = await upload(school, id, 'photo.png');

		for (const c of [station, supervisor, committee]) {
			const v = await read(c, id);
			const who = c.me.user.username;
			assert.equal(v.reporter_hidden, true, who);
			assert.equal(v.reporter, null, who);
			const steps = v.timeline.steps;
			assert.equal(steps[0].action, 'file');
			assert.equal(steps[0].actor, null, `${who}: the filing hides who filed`);
			const said = steps.find((s) => s.action === 'comment');
			assert.ok(said, `${who} sees the comment`);
			assert.equal(said.actor, null, `${who}: the comment does not name the reporter`);
			assert.equal(said.actor_hidden, true, who);
			assert.equal(said.unit_id, null, `${who}: nor does the school's unit`);
			assert.ok(!steps.some((s) => s.actor && s.actor.user_id === me.id), who);
			assert.ok(!JSON.stringify(v).includes(me.display_name), `${who}: the school's name appears nowhere`);
			for (const a of v.attachments) assert.equal(a.uploaded_by, null, who);
			const list = (await c.listAll('/api/v1/requests')).find((q) => q.id === id);
			assert.ok(list, `${who} lists it`);
			assert.ok(!JSON.stringify(list).includes(me.display_name), who);
			assert.equal(list.reporter, null, who);
		}
		// the centre, public security and the reporter know who reported
		for (const c of [centre, police, school]) {
			const v = await read(c, id);
			const said = v.timeline.steps.find((s) => s.action === 'comment');
			assert.equal(said.actor.user_id, me.id, c.me.user.username);
			assert.equal(said.actor_hidden, false);
			assert.equal(v.attachments.find((a) => a.id === file.id).uploaded_by, me.id);
		}
		// the station's own comment keeps its name: only the reporter is hidden
		await comment(station, id, '已联系派出所');
		const st = (await read(supervisor, id)).timeline.steps.filter((s) => s.action === 'comment');
		assert.equal(st.length, 2);
		assert.equal(st[1].actor.user_id, station.me.user.id);
		assert.equal(st[1].actor_hidden, false);
	});

	// filed by the director, referred by the centre to two units
	const referred = async (referrals) => {
		const made = await director.post('/api/v1/children', { name: uniqueName('转办'), sex: 'F', birth_date: birthForAge(9), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		const filed = await director.post('/api/v1/requests', { child_id: made.body.id, kind: 'medical', narrative: '孩子患病，家庭困难' });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		await step(station, id, 'review');
		await step(station, id, 'forward');
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', { referrals });
		return id;
	};

	test('a referred unit reads neither the comments nor the files of another unit; the centre, the township and that unit do', async () => {
		const id = await referred([
			{ unit_id: units.medical_insurance, ask: '医保报销', fields: ['health'] },
			{ unit_id: units.civil_affairs, ask: '临时救助', fields: ['guardians', 'family'] },
		]);
		const diagnosis = '诊断：急性淋巴细胞白血病，需化疗';
		await comment(medical, id, diagnosis);
		const file = await upload(medical, id, 'diagnosis.pdf', PDF);
		const instruction = '请各单位本周内反馈办理进展';
		await comment(centre, id, instruction);
		const civilSays = '已核实低保资格';
		await comment(civil, id, civilSays);
		const civilFile = await upload(civil, id, 'dibao.png');

		// civil affairs: its own referral, its own words and file, the centre's instruction
		const asCivil = await read(civil, id);
		const text = JSON.stringify(asCivil);
		assert.ok(!text.includes(diagnosis), 'the other unit\'s comment (a diagnosis) is not in the request');
		assert.ok(!asCivil.timeline.steps.some((s) => s.unit_id === units.medical_insurance), 'no step of the other unit');
		assert.deepEqual(
			asCivil.attachments.map((a) => a.id),
			[civilFile.id],
			'only its own file is listed',
		);
		assert.deepEqual(
			asCivil.referrals.map((f) => f.unit.id),
			[units.civil_affairs],
		);
		const notes = asCivil.timeline.steps.filter((s) => s.action === 'comment').map((s) => s.note);
		assert.deepEqual(notes, [instruction, civilSays], 'the centre\'s instruction and its own comment');
		const got = await civil.get(`/api/v1/requests/${id}/attachments/${file.id}`);
		assert.equal(got.status, 404, got.text);
		assert.equal((await civil.get(`/api/v1/requests/${id}/attachments/${civilFile.id}`)).status, 200);

		// medical insurance: the same from its side
		const asMedical = await read(medical, id);
		assert.ok(!JSON.stringify(asMedical).includes(civilSays));
		assert.deepEqual(
			asMedical.attachments.map((a) => a.id),
			[file.id],
		);
		assert.equal((await medical.get(`/api/v1/requests/${id}/attachments/${civilFile.id}`)).status, 404);
		assert.equal((await medical.get(`/api/v1/requests/${id}/attachments/${file.id}`)).status, 200);

		// the centre and the township read everything
		for (const c of [centre, station]) {
			const v = await read(c, id);
			const said = v.timeline.steps.filter((s) => s.action === 'comment').map((s) => s.note);
			assert.deepEqual(said, [diagnosis, instruction, civilSays], c.me.user.username);
			assert.deepEqual(
				v.attachments.map((a) => a.id).sort((a, b) => a - b),
				[file.id, civilFile.id].sort((a, b) => a - b),
			);
			assert.equal((await c.get(`/api/v1/requests/${id}/attachments/${file.id}`)).status, 200);
		}

		// the refused download is audited as such
		const log = await auditor.listAll(`/api/v1/audit?action=request.attachment.read&object_id=${id}`);
		const denied = log.filter((e) => e.outcome === 'denied');
		assert.equal(denied.length, 2, JSON.stringify(log.map((e) => e.outcome)));
	});

	test('a file is the unit its uploader acted for: one who works for two referred units is not refused their own', async () => {
		// an account of both units, acting for the one of the higher id
		const admin = await srv.login('admin');
		const [low, high] = [units.civil_affairs, units.medical_insurance].sort((a, b) => a - b);
		const username = `two${uniqueName('').slice(0, 8)}`;
		const made = await admin.post('/api/v1/users', { username, display_name: '两单位经办人', role: 'department', unit_id: low });
		assert.equal(made.status, 201, made.text);
		const added = await admin.post(`/api/v1/users/${made.body.id}/memberships`, { role: 'department', unit_id: high });
		assert.equal(added.status, 201, added.text);
		const acting = added.body.memberships.find((m) => m.unit_id === high);
		const both = await srv.login(username, made.body.password, { membership_id: acting.id });
		const NEW = 'Changed-Pass-2026';
		assert.equal((await both.post('/api/v1/me/password', { old_password: made.body.password, new_password: NEW })).status, 200);
		const asHigh = await srv.login(username, NEW, { membership_id: acting.id });
		assert.equal((await asHigh.get('/api/v1/me')).body.membership.unit_id, high);

		const id = await referred([
			{ unit_id: units.civil_affairs, ask: '临时救助', fields: ['guardians', 'family'] },
			{ unit_id: units.medical_insurance, ask: '医保报销', fields: ['health'] },
		]);
		const said = '已受理，正在核对材料';
		await comment(asHigh, id, said);
		const file = await upload(asHigh, id, 'receipt.pdf', PDF);
		const [highColleague, lowColleague] = high === units.medical_insurance ? [medical, civil] : [civil, medical];

		// the uploader and the unit they acted for read it
		for (const c of [asHigh, highColleague]) {
			const v = await read(c, id);
			assert.deepEqual(
				v.attachments.map((a) => a.id),
				[file.id],
				`${c.me.user.username} lists it`,
			);
			assert.equal((await c.get(`/api/v1/requests/${id}/attachments/${file.id}`)).status, 200, c.me.user.username);
			assert.ok(v.timeline.steps.some((s) => s.action === 'comment' && s.note === said), c.me.user.username);
		}
		// the other unit reads neither, whatever the uploader's other role
		const v = await read(lowColleague, id);
		assert.deepEqual(v.attachments, []);
		assert.ok(!JSON.stringify(v).includes(said));
		assert.equal((await lowColleague.get(`/api/v1/requests/${id}/attachments/${file.id}`)).status, 404);
		// acting for the other unit, the same account sees what that unit sees (one membership at a time)
		const asLow = await srv.login(username, NEW, { membership_id: added.body.memberships.find((m) => m.unit_id === low).id });
		assert.equal((await asLow.get(`/api/v1/requests/${id}/attachments/${file.id}`)).status, 404);
		assert.deepEqual((await read(asLow, id)).attachments, []);
	});

	test('a unit without the address grant is told neither the township, the village nor the grid, and the filer by role only', async () => {
		const id = await referred([
			{ unit_id: units.civil_affairs, ask: '临时救助', fields: ['guardians', 'family'] },
			{ unit_id: units.medical_insurance, ask: '医保报销', fields: ['health', 'address'] },
		]);
		const filer = director.me.user.display_name;
		const villageName = filer.replace(/儿童主任.*$/, '');
		assert.ok(villageName.length > 0);

		const asCivil = await read(civil, id);
		assert.equal(asCivil.township_code, null);
		assert.equal(asCivil.village_code, null);
		assert.equal(asCivil.grid_code, null);
		assert.equal(asCivil.reporter.role, 'director', 'the filer by role');
		assert.equal(asCivil.reporter.name, null, 'not by a name that says the village');
		const fileStep = asCivil.timeline.steps.find((s) => s.action === 'file');
		assert.equal(fileStep.actor.role, 'director');
		assert.equal(fileStep.actor.name, null);
		const text = JSON.stringify(asCivil);
		assert.ok(!text.includes(TOWNSHIP), 'no code of the township or the village anywhere');
		assert.ok(!text.includes(villageName), 'nor its name');
		assert.ok(!text.includes(station.me.user.display_name), 'nor the township station\'s name');
		const row = (await civil.listAll('/api/v1/requests')).find((q) => q.id === id);
		assert.ok(row);
		assert.equal(row.township_code, null);
		assert.equal(row.village_code, null);
		assert.equal(row.grid_code, null);
		assert.ok(!JSON.stringify(row).includes(TOWNSHIP));
		// nor does a filter by place tell it
		for (const [key, code] of [
			['village', VILLAGE],
			['township', TOWNSHIP],
		]) {
			const probe = await civil.get(`/api/v1/requests?${key}=${code}`);
			assert.equal(probe.status, 422, probe.text);
			assert.equal(probe.body.error.field, key);
		}

		// granted the address, a unit is told where; so is the centre
		for (const c of [medical, centre]) {
			const v = await read(c, id);
			assert.equal(v.village_code, VILLAGE, c.me.user.username);
			assert.equal(v.township_code, TOWNSHIP);
			assert.equal(v.reporter.name, filer);
			assert.equal(v.timeline.steps.find((s) => s.action === 'file').actor.name, filer);
			const r = (await c.listAll('/api/v1/requests')).find((q) => q.id === id);
			assert.equal(r.village_code, VILLAGE);
		}
	});

	test('one page of a unit\'s list cuts each row by that row\'s own grant', async () => {
		// four requests referred to civil affairs, two with the address
		// grant and two without, interleaved so one page holds them all
		const grants = [['guardians'], ['family', 'address'], ['family'], ['address']];
		const ids = [];
		for (const fields of grants)
			ids.push(await referred([{ unit_id: units.civil_affairs, ask: '临时救助', fields }]));
		const page = await civil.get('/api/v1/requests?limit=50');
		assert.equal(page.status, 200, page.text);
		ids.forEach((id, i) => {
			const row = page.body.items.find((q) => q.id === id);
			assert.ok(row, `request ${id} is on the first page`);
			const told = grants[i].includes('address');
			assert.equal(row.township_code, told ? TOWNSHIP : null, `request ${id}, granted ${grants[i]}`);
			assert.equal(row.village_code, told ? VILLAGE : null, `request ${id}, granted ${grants[i]}`);
			assert.equal(row.reporter.role, 'director');
			assert.ok(row.child.name, `request ${id}: the referred child is named`);
			assert.equal(row.child.withheld, undefined);
			assert.equal(JSON.stringify(row).includes(TOWNSHIP), told, `request ${id}: the place only with the grant`);
		});
		// the home page's figure counts the same rows
		const counted = await civil.get('/api/v1/requests?limit=0');
		assert.equal(counted.status, 200, counted.text);
		assert.equal(counted.body.total, page.body.items.length);
	});

	test('a school\'s steps tell a unit without the `school` grant neither its name nor its unit', async () => {
		const org = await srv.login('org');
		const kids = await school.get('/api/v1/children?limit=1');
		assert.equal(kids.status, 200, kids.text);
		const filed = await school.post('/api/v1/requests', { child_id: kids.body.items[0].id, kind: 'schooling', narrative: '学生家庭困难，学费难以负担' });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		await step(station, id, 'review');
		await step(station, id, 'forward');
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', {
			referrals: [
				{ unit_id: units.civil_affairs, ask: '助学救助', fields: ['guardians'] },
				{ unit_id: units.county_charity, ask: '助学金', fields: ['school'] },
			],
		});
		await comment(school, id, '学生已申请学费减免');
		const schoolUnit = school.me.memberships[0].unit_id;
		const schoolName = (await centre.get('/api/v1/units')).body.items.find((u) => u.id === schoolUnit).name;

		// civil affairs: the school by role alone, on the request and on its steps
		const asCivil = await read(civil, id);
		assert.equal(asCivil.reporter.unit_id, null);
		const said = asCivil.timeline.steps.find((s) => s.action === 'comment');
		assert.equal(said.actor.role, 'school');
		assert.equal(said.actor.name, null);
		assert.equal(said.unit_id, null, 'the unit would name the school (GET /api/v1/units)');
		assert.ok(!asCivil.timeline.steps.some((s) => s.unit_id === schoolUnit));
		assert.ok(!JSON.stringify(asCivil).includes(schoolName));
		// granted the school, the charity is told it
		const asOrg = await read(org, id);
		assert.equal(asOrg.reporter.unit_id, schoolUnit);
		const told = asOrg.timeline.steps.find((s) => s.action === 'comment');
		assert.equal(told.unit_id, schoolUnit);
		assert.equal(told.actor.name, school.me.user.display_name);
	});
});

describeEachDriver('loop privacy: files uploaded before their unit was recorded (migration 0037)', (driver) => {
	let srv;

	after(async () => {
		await srv?.stop();
	});

	test('a file uploaded before 0037 stays its uploader\'s referred unit\'s; the loop\'s staff\'s stays everyone\'s', async () => {
		srv = await startServer(driver);
		const [director, station, centre, medical] = await Promise.all(
			['director', 'station', 'center', 'dept_medical_insurance'].map((u) => srv.login(u)),
		);
		const units = await unitIds(centre);
		const made = await director.post('/api/v1/children', { name: uniqueName('转办'), sex: 'M', birth_date: birthForAge(10), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		const filed = await director.post('/api/v1/requests', { child_id: made.body.id, kind: 'medical', narrative: '孩子患病，家庭困难' });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		await step(station, id, 'review');
		await step(station, id, 'forward');
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', {
			referrals: [
				{ unit_id: units.medical_insurance, ask: '医保报销', fields: ['health'] },
				{ unit_id: units.civil_affairs, ask: '临时救助', fields: ['family'] },
			],
		});
		const upload = async (client, name, bytes) => {
			const r = await client.request('POST', `/api/v1/requests/${id}/attachments?name=${name}`, {
				body: bytes,
				headers: { 'content-type': 'application/octet-stream' },
			});
			assert.equal(r.status, 201, r.text);
			return r.body;
		};
		const diagnosis = await upload(medical, 'diagnosis.pdf', PDF);
		const photo = await upload(director, 'home.png', PNG);

		await srv.stop({ keep: true });
		srv = await migratedFrom(srv.db, 36);
		const [medical2, civil2] = await Promise.all(['dept_medical_insurance', 'department'].map((u) => srv.login(u)));
		const files = async (c) => (await c.get(`/api/v1/requests/${id}`)).body.attachments.map((a) => a.id).sort((a, b) => a - b);
		assert.deepEqual(await files(medical2), [diagnosis.id, photo.id].sort((a, b) => a - b));
		assert.deepEqual(await files(civil2), [photo.id], 'the other unit\'s file stays the other unit\'s');
		assert.equal((await civil2.get(`/api/v1/requests/${id}/attachments/${diagnosis.id}`)).status, 404);
		assert.equal((await civil2.get(`/api/v1/requests/${id}/attachments/${photo.id}`)).status, 200);
	});
});
