// Units: the departments, social organisations and schools that accounts
// belong to and help requests are referred to. A county created by
// `weibao init` starts with the departments of SPEC §1 (public security
// first: mandatory reports go there); the administrator adds organisations
// and schools and renames units. Codes stay: the closed loop finds public
// security by its code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, createDatabase, spawnServer, cli, runDemo, PASSWORD } from './lib/harness.mjs';

const DEPARTMENTS = [
	'public_security', 'procuratorate', 'court', 'civil_affairs', 'education', 'health',
	'medical_insurance', 'hrss', 'youth_league', 'womens_federation', 'guangongwei',
];

describeEachDriver('units', (driver) => {
	let srv, admin;

	before(async () => {
		srv = await startServer(driver);
		admin = await srv.login('admin');
	});
	after(async () => {
		await srv?.stop();
	});

	test('init prints a generated password once, and the first login must replace it', async () => {
		const db = await createDatabase(driver);
		const init = await cli(db, ['init', '--county', '370831', '--county-name', '泗水县']);
		assert.equal(init.code, 0, init.stderr);
		const m = /password: (\S+)\s+\(shown once; the first login asks for a new one\)/.exec(init.stdout);
		assert.ok(m, init.stdout);
		const fresh = await spawnServer(db);
		try {
			const r = await fresh.anon().post('/api/v1/login', { username: 'admin', password: m[1], bearer: true });
			assert.equal(r.status, 200, r.text);
			assert.equal(r.body.user.must_change_password, true, r.text);
		} finally {
			await fresh.stop();
		}
	});

	test('a new county starts with its departments, named after it; the demo can follow', async () => {
		const db = await createDatabase(driver);
		let fresh;
		try {
			const init = await cli(db, ['init', '--county', '370831', '--county-name', '泗水县', '--password', PASSWORD]);
			assert.equal(init.code, 0, init.stderr);
			fresh = await spawnServer(db);
			const a = await fresh.login('admin');
			const r = await a.get('/api/v1/units?kind=department');
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(
				r.body.items.map((u) => u.code),
				[...DEPARTMENTS].sort(),
			);
			const name = Object.fromEntries(r.body.items.map((u) => [u.code, u.name]));
			assert.equal(name.public_security, '泗水县公安局');
			assert.equal(name.youth_league, '共青团泗水县委');
			assert.equal(name.guangongwei, '泗水县关心下一代工作委员会');
			// a police account can be created at once
			const u = await a.post('/api/v1/users', { username: 'police01', display_name: '民警', role: 'department', unit_id: r.body.items.find((x) => x.code === 'public_security').id });
			assert.equal(u.status, 201, u.text);
			await fresh.stop();
			fresh = null;
			// the demo on top keeps these departments and adds its accounts to them
			await runDemo(db, { children: 50 });
			fresh = await spawnServer(db);
			const again = (await (await fresh.login('admin')).get('/api/v1/units?kind=department')).body.items;
			assert.deepEqual(
				again.map((x) => x.code),
				[...DEPARTMENTS].sort(),
			);
			await fresh.login('dept_public_security');
		} finally {
			await fresh?.stop();
			await db.drop();
		}
	});

	test('the administrator adds an organisation and a school', async () => {
		const org = await admin.post('/api/v1/units', { kind: 'org', code: 'red_cross', name: '县红十字会' });
		assert.equal(org.status, 201, org.text);
		assert.equal(org.body.kind, 'org');
		assert.equal(org.body.code, 'red_cross');
		assert.equal(org.body.name, '县红十字会');
		const school = await admin.post('/api/v1/units', { kind: 'school', code: 'school93', name: '泉林镇新区小学', area_code: '370831101' });
		assert.equal(school.status, 201, school.text);
		assert.equal(school.body.area_code, '370831101');
		const list = (await admin.get('/api/v1/units?kind=org')).body.items;
		assert.ok(list.some((u) => u.id === org.body.id));
		// usable at once: an account at the new school
		const acct = await admin.post('/api/v1/users', { username: 'school93_t', display_name: '辅导老师', role: 'school', unit_id: school.body.id });
		assert.equal(acct.status, 201, acct.text);
		assert.equal(acct.body.memberships[0].place_name, '泉林镇新区小学');

		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=unit&object_id=${org.body.id}`);
		assert.equal(log.body.items[0].action, 'unit.create');
		assert.deepEqual(JSON.parse(log.body.items[0].detail), { kind: 'org', code: 'red_cross', name: '县红十字会' });
	});

	test('bad input names the field; a code is unique within its kind', async () => {
		const cases = [
			[{ kind: 'club', code: 'x1', name: 'x' }, 'kind'],
			[{ kind: 'org', code: 'Bad Code', name: 'x' }, 'code'],
			[{ kind: 'org', code: 'x', name: 'x' }, 'code'],
			[{ kind: 'org', code: 'ok_code', name: '' }, 'name'],
			[{ kind: 'org', code: 'ok_code', name: 'x', area_code: '370832101' }, 'area_code'],
			[{ kind: 'org', code: 'ok_code', name: 'x', id: 5 }, 'id'],
		];
		for (const [body, field] of cases) {
			const r = await admin.post('/api/v1/units', body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const dup = await admin.post('/api/v1/units', { kind: 'department', code: 'civil_affairs', name: '又一个民政局' });
		assert.equal(dup.status, 409);
		assert.equal(dup.body.error.code, 'unit_code_taken');
		assert.equal(dup.body.error.field, 'code');
		assert.ok(!(await admin.get('/api/v1/units')).body.items.some((u) => u.code === 'ok_code'), 'nothing was added');
	});

	test('a rename shows everywhere at once; kind and code stay', async () => {
		const units = (await admin.get('/api/v1/units?kind=department')).body.items;
		const civil = units.find((u) => u.code === 'civil_affairs');
		// the account list names the unit (read through the cache first)
		const before = (await admin.get('/api/v1/users')).body.items.find((u) => u.username === 'department');
		assert.equal(before.memberships[0].place_name, civil.name);

		const r = await admin.patch(`/api/v1/units/${civil.id}`, { name: '泗水县民政局' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.name, '泗水县民政局');
		assert.equal(r.body.code, 'civil_affairs');
		const after = (await admin.get('/api/v1/users')).body.items.find((u) => u.username === 'department');
		assert.equal(after.memberships[0].place_name, '泗水县民政局');
		const dept = await srv.login('department');
		assert.equal((await dept.get('/api/v1/me')).body.membership.unit_name, '泗水县民政局');

		for (const body of [{ code: 'welfare' }, { kind: 'org' }, { name: '' }]) {
			const bad = await admin.patch(`/api/v1/units/${civil.id}`, body);
			assert.equal(bad.status, 422, JSON.stringify(body));
		}
		assert.equal((await admin.patch('/api/v1/units/999999', { name: 'x' })).status, 404);
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=unit&object_id=${civil.id}`);
		assert.equal(log.body.items[0].action, 'unit.update');
	});

	test('a unit moved to another place, or left without one, is audited with its place', async () => {
		const school = await admin.post('/api/v1/units', { kind: 'school', code: 'school94', name: '星村镇中心小学', area_code: '370831101' });
		assert.equal(school.status, 201, school.text);
		const moved = await admin.patch(`/api/v1/units/${school.body.id}`, { area_code: '370831102' });
		assert.equal(moved.status, 200, moved.text);
		assert.equal(moved.body.area_code, '370831102');
		const cleared = await admin.patch(`/api/v1/units/${school.body.id}`, { area_code: '' });
		assert.equal(cleared.status, 200, cleared.text);
		assert.equal(cleared.body.area_code, null);
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=unit&object_id=${school.body.id}`);
		assert.deepEqual(
			log.body.items.map((e) => [e.action, JSON.parse(e.detail).area_code]),
			[
				['unit.update', ''],
				['unit.update', '370831102'],
				['unit.create', '370831101'],
			],
		);
	});

	test('a rename and a move of one unit at once (two administrators) both hold', async () => {
		const school = await admin.post('/api/v1/units', { kind: 'school', code: 'school95', name: '柘沟镇中学', area_code: '370831103' });
		assert.equal(school.status, 201, school.text);
		const id = school.body.id;
		const places = ['370831101', '370831102', '370831104', '370831105', '370831106', '370831107'];
		for (const [i, area] of places.entries()) {
			const name = `柘沟镇中学${i}`;
			const [a, b] = await Promise.all([
				admin.patch(`/api/v1/units/${id}`, { name }),
				admin.patch(`/api/v1/units/${id}`, { area_code: area }),
			]);
			assert.equal(a.status, 200, a.text);
			assert.equal(b.status, 200, b.text);
			const now = (await admin.get('/api/v1/units?kind=school')).body.items.find((u) => u.id === id);
			assert.deepEqual([now.name, now.area_code], [name, area], `round ${i}: neither change is lost`);
			// each answer and audit entry is the unit as its write left it
			assert.equal(a.body.name, name);
			assert.equal(b.body.area_code, area);
		}
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=unit&object_id=${id}&limit=1`);
		assert.deepEqual(JSON.parse(log.body.items[0].detail), {
			kind: 'school',
			code: 'school95',
			name: `柘沟镇中学${places.length - 1}`,
			area_code: places[places.length - 1],
		});
	});

	test('a list of units imports whole or not at all, and again without harm', async () => {
		const post = (c, csv) => c.request('POST', '/api/v1/units/import', { body: csv, headers: { 'content-type': 'text/csv' } });
		const csv =
			'类型,代码,名称,所在地区\n' +
			'学校,school_list_1,泗河街道实验小学,370831001\n' +
			'org,legal_aid,县法律援助中心,\n' +
			'department,hrss,泗水县人力资源和社会保障局,\n';
		const r = await post(admin, csv);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.body, { imported: 2, renamed: 1, unchanged: 0 });
		const units = (await admin.get('/api/v1/units')).body.items;
		const by = Object.fromEntries(units.map((u) => [`${u.kind}:${u.code}`, u]));
		assert.equal(by['school:school_list_1'].name, '泗河街道实验小学');
		assert.equal(by['school:school_list_1'].area_code, '370831001');
		assert.equal(by['org:legal_aid'].name, '县法律援助中心');
		assert.equal(by['department:hrss'].name, '泗水县人力资源和社会保障局');
		assert.equal(by['department:hrss'].area_code, '370831', 'a known unit keeps its area');

		const again = await post(admin, csv);
		assert.deepEqual(again.body, { imported: 0, renamed: 0, unchanged: 3 });

		const bad = 'kind,code,name\norg,fine_org,好组织\nclub,x_club,俱乐部\n';
		const b = await post(admin, bad);
		assert.equal(b.status, 422, b.text);
		assert.equal(b.body.error.code, 'invalid_csv');
		assert.match(b.body.error.message, /^row 3: column kind/);
		const others = {
			'a bad code': 'org,Bad Code,x\n',
			'an empty name': 'org,empty_name,\n',
			'an area of another county': 'org,far_org,x,370832101\n',
			'a duplicate row': 'org,twice,x\norg,twice,y\n',
			'too many columns': 'org,cols,x,370831,extra\n',
			// as POST /units refuses them: were stored as given
			'a control character in a name': 'org,ctl_org,坏\u0001名\n',
			'a line break in a name': 'org,ctl_org,"坏\n名"\n',
		};
		for (const [what, body] of Object.entries(others)) {
			const o = await post(admin, body);
			assert.equal(o.status, 422, `${what}: ${o.text}`);
			assert.match(o.body.error.message, /^row \d+: /, what);
		}
		const now = (await admin.get('/api/v1/units')).body.items;
		assert.ok(!now.some((u) => ['fine_org', 'twice', 'cols', 'ctl_org'].includes(u.code)), 'nothing of a bad file was added');
		const ctl = await post(admin, others['a control character in a name']);
		assert.match(ctl.body.error.message, /^row 1: column name: control or invisible characters/);
		assert.equal((await post(await srv.bearer('center'), csv)).status, 403);

		const auditor = await srv.login('auditor');
		const log = await auditor.get('/api/v1/audit?action=unit.import&limit=5');
		const ok = log.body.items.filter((e) => e.outcome === 'ok');
		// which unit the file renamed is named, as an area import names its codes
		assert.deepEqual(JSON.parse(ok[1].detail), { added: 2, renamed: 1, unchanged: 0, renamed_codes: ['department:hrss'] });
		assert.deepEqual(JSON.parse(ok[0].detail), { added: 0, renamed: 0, unchanged: 3, renamed_codes: [] });
		const refused = log.body.items.filter((e) => e.outcome === 'denied');
		assert.deepEqual(
			refused.map((e) => [e.username, e.object_type]),
			[['center', 'unit']],
			'the centre\'s refused import is in the log',
		);
	});

	test('only the administrator of the county changes units', async () => {
		const civil = (await admin.get('/api/v1/units?kind=department')).body.items[0];
		for (const user of ['center', 'department', 'auditor']) {
			const c = await srv.bearer(user);
			assert.equal((await c.post('/api/v1/units', { kind: 'org', code: 'nope', name: 'x' })).status, 403, user);
			assert.equal((await c.patch(`/api/v1/units/${civil.id}`, { name: 'x' })).status, 403, user);
		}
		// each refusal is in the log, the change of a unit naming the unit
		const auditor = await srv.login('auditor');
		for (const [action, id] of [
			['unit.create', ''],
			['unit.update', String(civil.id)],
		]) {
			const log = (await auditor.get(`/api/v1/audit?action=${action}&limit=20`)).body.items.filter((e) => e.outcome === 'denied');
			assert.deepEqual(
				log.map((e) => [e.username, e.object_type, e.object_id]).sort(),
				['auditor', 'center', 'department'].map((u) => [u, 'unit', id]),
				action,
			);
		}
		const init = await cli(srv.db, ['init', '--county', '370832', '--county-name', '外县', '--admin', 'admin_wx', '--password', PASSWORD]);
		assert.equal(init.code, 0, init.stderr);
		const other = await srv.login('admin_wx');
		assert.equal((await other.patch(`/api/v1/units/${civil.id}`, { name: '外县改名' })).status, 404);
		const theirs = (await other.get('/api/v1/units?kind=department')).body.items;
		assert.equal(theirs.length, DEPARTMENTS.length, 'the new county got its own departments');
		assert.ok(theirs.every((u) => u.name.startsWith('外县') || u.name === '共青团外县委'));
		assert.ok(!theirs.some((u) => u.id === civil.id));
	});
});
