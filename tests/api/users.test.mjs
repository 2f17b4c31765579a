// The administrator manages the county's accounts through the API: lists
// them with their roles, creates one (a generated password, answered once,
// to be changed at the first login), locks and unlocks, resets a password,
// adds and removes roles. Each change is audited and ends the sessions it
// invalidates; accounts of another county stay out of reach.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDriver, startServer, cli, run, sql, BIN, PASSWORD, COUNTY, uniqueName } from './lib/harness.mjs';

const VILLAGE = '370831001001'; // the demo director's community
const OTHER_VILLAGE = '370831101201'; // director2's village, another township
const TOWNSHIP = '370831001';
const NEW_PASSWORD = 'Changed-Pass-2026';

function newName(prefix) {
	return `${prefix}${uniqueName('').slice(0, 8)}`;
}

describeEachDriver('accounts (administrator)', (driver) => {
	let srv, admin, units;

	before(async () => {
		srv = await startServer(driver);
		admin = await srv.login('admin');
		const r = await admin.get('/api/v1/units');
		assert.equal(r.status, 200, r.text);
		units = r.body.items;
	});
	after(async () => {
		await srv?.stop();
	});

	const unit = (kind) => units.find((u) => u.kind === kind);

	async function create(body) {
		const r = await admin.post('/api/v1/users', body);
		assert.equal(r.status, 201, r.text);
		return r.body;
	}

	test('the list shows the county\'s accounts with their roles and places', async () => {
		const r = await admin.get('/api/v1/users');
		assert.equal(r.status, 200, r.text);
		const by = Object.fromEntries(r.body.items.map((u) => [u.username, u]));
		assert.deepEqual(
			by.director.memberships.map((m) => [m.role, m.area_code]),
			[['director', VILLAGE]],
		);
		assert.ok(by.director.memberships[0].place_name, 'the village is named');
		const dept = by.department.memberships[0];
		assert.equal(dept.role, 'department');
		assert.ok(dept.unit_id > 0 && dept.place_name, 'the department is named');
		assert.equal(by.director.locked, false);
		assert.equal(by.director.must_change_password, false);
		assert.ok(!('password_hash' in by.director) && !r.text.includes('$argon2'), 'no password hash is shown');
	});

	test('a new account gets a one-time password and must change it before anything else', async () => {
		const username = newName('dir');
		const u = await create({ username, display_name: '新任儿童主任', role: 'director', area_code: VILLAGE });
		assert.equal(u.username, username);
		assert.equal(u.must_change_password, true);
		assert.equal(u.last_login_at, null, 'never logged in');
		assert.match(u.password, /^.{12,}$/);
		assert.deepEqual(
			u.memberships.map((m) => [m.role, m.area_code]),
			[['director', VILLAGE]],
		);

		const c = await srv.login(username, u.password);
		assert.equal(c.me.user.must_change_password, true);
		const seen = (await admin.get('/api/v1/users')).body.items.find((x) => x.id === u.id);
		assert.ok(Math.abs(seen.last_login_at - Date.now() / 1000) < 60, `last login ${seen.last_login_at}`);
		const blocked = await c.get('/api/v1/children?limit=5');
		assert.equal(blocked.status, 403, blocked.text);
		assert.equal(blocked.body.error.code, 'password_change_required');
		assert.equal((await c.get('/api/v1/me')).status, 200);
		// an API client (bearer token) is held the same way, and may log out
		const api = await srv.bearer(username, u.password);
		const held = await api.get('/api/v1/areas?limit=1');
		assert.equal(held.status, 403);
		assert.equal(held.body.error.code, 'password_change_required');
		assert.equal((await api.post('/api/v1/logout', {})).status, 200);
		// the password handed out cannot be "changed" to itself
		const same = await c.post('/api/v1/me/password', { old_password: u.password, new_password: u.password });
		assert.equal(same.status, 422, same.text);
		assert.equal(same.body.error.field, 'new_password');
		assert.equal((await c.get('/api/v1/children?limit=5')).status, 403, 'still held');
		const ch = await c.post('/api/v1/me/password', { old_password: u.password, new_password: NEW_PASSWORD });
		assert.equal(ch.status, 200, ch.text);
		// and then works as a director of the village, and of it only
		const own = await c.post('/api/v1/children', { name: uniqueName('新主任登记'), village_code: VILLAGE, sex: 'F', birth_date: '2016-05-04' });
		assert.equal(own.status, 201, own.text);
		const centre = await srv.login('center');
		const far = await centre.post('/api/v1/children', { name: uniqueName('别村'), village_code: OTHER_VILLAGE, sex: 'M', birth_date: '2015-03-02' });
		assert.equal(far.status, 201, far.text);
		const list = await c.get('/api/v1/children?limit=200');
		assert.equal(list.status, 200, list.text);
		assert.ok(list.body.items.some((k) => k.id === own.body.id), 'the own registration is listed');
		assert.ok(list.body.items.every((k) => k.village_code === VILLAGE), 'only the own village');
		assert.equal((await c.get(`/api/v1/children/${far.body.id}`)).status, 404, 'another village\'s child');

		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=user&object_id=${u.id}`);
		const entry = log.body.items.find((e) => e.action === 'user.create');
		assert.ok(entry, 'user.create is audited');
		assert.equal(entry.username, 'admin');
		assert.equal(entry.outcome, 'ok');
		assert.deepEqual(JSON.parse(entry.detail), { role: 'director', area_code: VILLAGE, username });
		assert.ok(!log.text.includes(u.password), 'the password is not in the log');
	});

	test('bad input names the field and creates nothing', async () => {
		const before = (await admin.get('/api/v1/users')).body.items.length;
		const school = unit('school');
		const cases = [
			[{ username: 'a', display_name: 'x', role: 'director', area_code: VILLAGE }, 'username'],
			[{ username: 'bad name!', display_name: 'x', role: 'director', area_code: VILLAGE }, 'username'],
			[{ username: newName('r'), display_name: 'x', role: 'chief', area_code: VILLAGE }, 'role'],
			[{ username: newName('r'), display_name: 'x', role: 'director', area_code: TOWNSHIP }, 'area_code'],
			[{ username: newName('r'), display_name: 'x', role: 'director' }, 'area_code'],
			[{ username: newName('r'), display_name: 'x', role: 'station', area_code: '370832001' }, 'area_code'],
			[{ username: newName('r'), display_name: 'x', role: 'department' }, 'unit_id'],
			[{ username: newName('r'), display_name: 'x', role: 'department', unit_id: school.id }, 'unit_id'],
			[{ username: newName('r'), display_name: 'x', role: 'school', unit_id: school.id, area_code: VILLAGE }, 'area_code'],
			[{ username: newName('r'), display_name: 'x', role: 'director', area_code: VILLAGE, admin: true }, 'admin'],
			[{ username: newName('r'), role: 'director', area_code: VILLAGE }, 'display_name'],
		];
		for (const [body, field] of cases) {
			const r = await admin.post('/api/v1/users', body);
			assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
			assert.equal(r.body.error.field, field, JSON.stringify(body));
		}
		const taken = await admin.post('/api/v1/users', { username: 'director', display_name: 'x', role: 'director', area_code: VILLAGE });
		assert.equal(taken.status, 409);
		assert.equal(taken.body.error.code, 'username_taken');
		assert.equal(taken.body.error.field, 'username');
		assert.equal((await admin.get('/api/v1/users')).body.items.length, before, 'nothing was created');
	});

	test('a unit role is created at its unit', async () => {
		const school = unit('school');
		const u = await create({ username: newName('sch'), display_name: '心理辅导老师', role: 'school', unit_id: school.id });
		assert.deepEqual(
			u.memberships.map((m) => [m.role, m.unit_id, m.place_name]),
			[['school', school.id, school.name]],
		);
	});

	test('lock ends the sessions and refuses logins; unlock lets the account in again', async () => {
		const username = newName('grd');
		const u = await create({ username, display_name: '网格员', role: 'grid', area_code: `${VILLAGE}001` });
		const c = await srv.login(username, u.password);
		await c.post('/api/v1/me/password', { old_password: u.password, new_password: NEW_PASSWORD });
		assert.equal((await c.get('/api/v1/me')).status, 200);

		const l = await admin.post(`/api/v1/users/${u.id}/lock`, {});
		assert.equal(l.status, 200, l.text);
		assert.equal(l.body.locked, true);
		assert.equal((await c.get('/api/v1/me')).status, 401, 'the open session ended');
		const refused = await srv.anon().post('/api/v1/login', { username, password: NEW_PASSWORD });
		assert.equal(refused.status, 401);
		assert.equal(refused.body.error.code, 'account_locked');

		const ul = await admin.post(`/api/v1/users/${u.id}/unlock`, {});
		assert.equal(ul.status, 200, ul.text);
		assert.equal(ul.body.locked, false);
		assert.equal((await c.get('/api/v1/me')).status, 401, 'the ended session does not come back');
		await srv.login(username, NEW_PASSWORD);

		const auditor = await srv.login('auditor');
		const actions = (await auditor.get(`/api/v1/audit?object_type=user&object_id=${u.id}`)).body.items.map((e) => e.action);
		assert.ok(actions.includes('user.lock') && actions.includes('user.unlock'), actions.join(','));
	});

	test('an account locked by failed logins loses its sessions; the administrator unlocks it and the user logs in again', async () => {
		const username = newName('sta');
		const u = await create({ username, display_name: '工作站', role: 'station', area_code: TOWNSHIP });
		// the real user's sessions, open while someone guesses the password
		const cookie = await srv.login(username, u.password);
		const token = await srv.bearer(username, u.password);
		assert.equal((await cookie.get('/api/v1/me')).status, 200);
		assert.equal((await token.get('/api/v1/me')).status, 200);
		for (let i = 0; i < 5; i++) await srv.anon().post('/api/v1/login', { username, password: 'Wrong-Pass-0000' });
		const listed = (await admin.get('/api/v1/users')).body.items.find((x) => x.id === u.id);
		assert.equal(listed.locked, true, 'shown locked in the list');
		for (const s of [cookie, token]) {
			const r = await s.get('/api/v1/me');
			assert.equal(r.status, 401, 'the automatic lock ended the session');
			assert.equal(r.body.error.code, 'unauthenticated');
		}
		assert.equal((await admin.post(`/api/v1/users/${u.id}/unlock`, {})).status, 200);
		// was: both sessions worked again after the unlock
		for (const s of [cookie, token]) assert.equal((await s.get('/api/v1/me')).status, 401, 'no session comes back at the unlock');
		const ok = await srv.anon().post('/api/v1/login', { username, password: u.password });
		assert.equal(ok.status, 200, ok.text);
	});

	test('a session that outlived a lock (kept by an earlier version) is refused while locked and ends at the unlock', async () => {
		const username = newName('grd');
		const u = await create({ username, display_name: '网格员', role: 'grid', area_code: `${VILLAGE}001` });
		const c = await srv.login(username, u.password);
		assert.equal((await c.get('/api/v1/me')).status, 200);
		// the lock as an earlier version left it: the account locked, its session kept
		await sql(srv.db, `UPDATE users SET locked = 1 WHERE id = ${u.id}`);
		let r = { status: 200 };
		for (let i = 0; i < 40 && r.status === 200; i++) {
			r = await c.get('/api/v1/me'); // the server keeps a checked session for up to 2 s
			if (r.status === 200) await new Promise((f) => setTimeout(f, 100));
		}
		assert.equal(r.status, 401, 'refused while locked');
		assert.equal(r.body.error.code, 'account_locked');
		assert.equal((await admin.post(`/api/v1/users/${u.id}/unlock`, {})).status, 200);
		const after = await c.get('/api/v1/me');
		assert.equal(after.status, 401, 'the session does not come back at the unlock');
		assert.equal(after.body.error.code, 'unauthenticated');
		assert.equal((await srv.login(username, u.password)).me.user.id, u.id, 'the user logs in again');
	});

	test('a password reset ends the sessions and gives a new one-time password', async () => {
		const username = newName('sup');
		const u = await create({ username, display_name: '督导员', role: 'supervisor', area_code: TOWNSHIP });
		const c = await srv.login(username, u.password);
		await c.post('/api/v1/me/password', { old_password: u.password, new_password: NEW_PASSWORD });

		const r = await admin.post(`/api/v1/users/${u.id}/password`, {});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.must_change_password, true);
		assert.ok(r.body.password && r.body.password !== NEW_PASSWORD);
		assert.equal((await c.get('/api/v1/me')).status, 401, 'the open session ended');
		assert.equal((await srv.anon().post('/api/v1/login', { username, password: NEW_PASSWORD })).status, 401);
		const again = await srv.login(username, r.body.password);
		assert.equal(again.me.user.must_change_password, true);

		const replay = await admin.post(`/api/v1/users/${u.id}/password`, {}, { headers: { 'idempotency-key': 'reset-1' } });
		assert.equal(replay.status, 422, 'a one-time password is never stored for replay');
		assert.equal(replay.body.error.field, 'Idempotency-Key');
	});

	test('roles are added and removed; the last one stays', async () => {
		const username = newName('two');
		const u = await create({ username, display_name: '两个岗位', role: 'director', area_code: VILLAGE });
		const add = await admin.post(`/api/v1/users/${u.id}/memberships`, { role: 'director', area_code: OTHER_VILLAGE });
		assert.equal(add.status, 201, add.text);
		assert.deepEqual(
			add.body.memberships.map((m) => m.area_code),
			[VILLAGE, OTHER_VILLAGE],
		);
		const dup = await admin.post(`/api/v1/users/${u.id}/memberships`, { role: 'director', area_code: OTHER_VILLAGE });
		assert.equal(dup.status, 409);
		assert.equal(dup.body.error.code, 'duplicate_membership');
		const bad = await admin.post(`/api/v1/users/${u.id}/memberships`, { role: 'grid', area_code: VILLAGE });
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'area_code');

		// a session acting in the second role ends when that role is removed
		const [first, second] = add.body.memberships;
		const c = await srv.login(username, u.password, { membership_id: second.id });
		await c.post('/api/v1/me/password', { old_password: u.password, new_password: NEW_PASSWORD });
		assert.equal((await c.get('/api/v1/me')).body.membership.area_code, OTHER_VILLAGE);
		const rm = await admin.del(`/api/v1/users/${u.id}/memberships/${second.id}`);
		assert.equal(rm.status, 200, rm.text);
		assert.deepEqual(
			rm.body.memberships.map((m) => m.id),
			[first.id],
		);
		assert.equal((await c.get('/api/v1/me')).status, 401, 'the session in the removed role ended');

		const last = await admin.del(`/api/v1/users/${u.id}/memberships/${first.id}`);
		assert.equal(last.status, 409);
		assert.equal(last.body.error.code, 'last_membership');
		const other = (await admin.get('/api/v1/users')).body.items.find((x) => x.username === 'director');
		const foreign = await admin.del(`/api/v1/users/${u.id}/memberships/${other.memberships[0].id}`);
		assert.equal(foreign.status, 404, 'another account\'s membership is not this account\'s');

		const auditor = await srv.login('auditor');
		const actions = (await auditor.get(`/api/v1/audit?object_type=user&object_id=${u.id}`)).body.items.map((e) => e.action);
		assert.ok(actions.includes('membership.add') && actions.includes('membership.remove'), actions.join(','));
	});

	test('the display name changes; the user name stays', async () => {
		const username = newName('ren');
		const u = await create({ username, display_name: '旧名称', role: 'director', area_code: VILLAGE });
		const c = await srv.login(username, u.password);
		await c.post('/api/v1/me/password', { old_password: u.password, new_password: NEW_PASSWORD });
		const r = await admin.patch(`/api/v1/users/${u.id}`, { display_name: '花园社区儿童主任（新）' });
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.display_name, '花园社区儿童主任（新）');
		assert.equal(r.body.username, username);
		assert.equal((await c.get('/api/v1/me')).body.user.display_name, '花园社区儿童主任（新）', 'the open session shows it at once');
		for (const body of [{ display_name: '' }, { username: 'other' }, {}]) {
			const bad = await admin.patch(`/api/v1/users/${u.id}`, body);
			assert.equal(bad.status, 422, JSON.stringify(body));
		}
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=user&object_id=${u.id}&limit=1`);
		assert.equal(log.body.items[0].action, 'user.update');
	});

	test('a list of accounts is created whole or not at all, each with its one-time password', async () => {
		const post = (csv, headers = {}) => admin.request('POST', '/api/v1/users/import', { body: csv, headers: { 'content-type': 'text/csv', ...headers } });
		const [a, b, c] = [newName('lst'), newName('lst'), newName('lst')];
		const csv = `用户名,名称,角色,地点\n${a},花园社区儿童主任（二）,儿童主任,${VILLAGE}\n${b},民政局经办人,department,civil_affairs\n${c},中心值班,center,\n`;
		const r = await post(csv);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.created, 3);
		assert.deepEqual(
			r.body.accounts.map((x) => [x.username, x.role]),
			[[a, 'director'], [b, 'department'], [c, 'center']],
		);
		assert.ok(r.body.accounts.every((x) => x.password && x.password.length >= 12 && x.place_name), 'passwords and places');
		for (const x of r.body.accounts) {
			const s2 = await srv.login(x.username, x.password);
			assert.equal(s2.me.user.must_change_password, true, x.username);
		}
		const listed = (await admin.get('/api/v1/users')).body.items.find((x) => x.username === b);
		assert.equal(listed.memberships[0].role, 'department');
		assert.ok(listed.memberships[0].unit_id > 0);

		const auditor = await srv.login('auditor');
		const log = await auditor.get('/api/v1/audit?action=user.import&limit=1');
		const d = JSON.parse(log.body.items[0].detail);
		assert.equal(d.count, 3);
		assert.equal(d.first_id, r.body.accounts[0].id);
		assert.equal(d.last_id, r.body.accounts[2].id);
		assert.ok(!log.text.includes(r.body.accounts[0].password), 'no password in the log');

		// a header in English, capitalised as a spreadsheet writes it, is a header
		for (const header of ['Username,Display name,Role,Place', 'USER NAME,Name,Role,Place']) {
			const d2 = newName('hdr');
			const h = await post(`${header}\n${d2},花园社区儿童主任（三）,director,${VILLAGE}\n`);
			assert.equal(h.status, 201, `${header}: ${h.text}`);
			assert.deepEqual(h.body.accounts.map((x) => x.username), [d2]);
		}

		// one bad row refuses the file, naming it
		const d1 = newName('bad');
		const bad = await post(`${d1},某人,儿童主任,${VILLAGE}\n${newName('bad')},某人,村长,${VILLAGE}\n`);
		assert.equal(bad.status, 422, bad.text);
		assert.match(bad.body.error.message, /^row 2: column role/);
		assert.ok(!(await admin.get('/api/v1/users')).body.items.some((x) => x.username === d1), 'nothing was created');
		const others = {
			'a taken user name': `director,某人,儿童主任,${VILLAGE}\n`,
			'a name twice': `${d1},甲,儿童主任,${VILLAGE}\n${d1},乙,儿童主任,${VILLAGE}\n`,
			// user names are one whatever the case: was 409 "taken meanwhile", without the line
			'a name twice in two cases': `${d1},甲,儿童主任,${VILLAGE}\n${d1.toUpperCase()},乙,儿童主任,${VILLAGE}\n`,
			'a place of the wrong level': `${d1},甲,儿童主任,${TOWNSHIP}\n`,
			'an unknown unit': `${d1},甲,department,no_such_dept\n`,
			'no display name': `${d1},,儿童主任,${VILLAGE}\n`,
			'too many rows': Array.from({ length: 101 }, (_, i) => `${d1}${i},甲,儿童主任,${VILLAGE}`).join('\n'),
		};
		for (const [what, body] of Object.entries(others)) {
			const o = await post(body);
			assert.equal(o.status, 422, `${what}: ${o.text}`);
			assert.equal(o.body.error.code, 'invalid_csv', what);
			assert.equal(o.body.error.field, 'line', what);
		}
		const twice = await post(`${d1},甲,儿童主任,${VILLAGE}\n${d1.toUpperCase()},乙,儿童主任,${VILLAGE}\n`);
		assert.match(twice.body.error.message, /^row 2: column username: duplicate in file/);
		// a file far too long is named by the first row past the limit, not "row 0"
		const long = await post(Array.from({ length: 150 }, (_, i) => `${d1}${i},甲,儿童主任,${VILLAGE}`).join('\n'));
		assert.equal(long.status, 422, long.text);
		assert.match(long.body.error.message, /^row 102: too many rows: at most 100/);
		const replay = await post(csv, { 'idempotency-key': 'list-1' });
		assert.equal(replay.status, 422, 'one-time passwords are never stored for replay');
		assert.equal((await (await srv.bearer('center')).request('POST', '/api/v1/users/import', { body: csv })).status, 403);
	});

	test('two removals at once leave the account one role', async () => {
		const u = await create({ username: newName('rac'), display_name: '并发', role: 'director', area_code: VILLAGE });
		const add = await admin.post(`/api/v1/users/${u.id}/memberships`, { role: 'station', area_code: TOWNSHIP });
		assert.equal(add.status, 201, add.text);
		const [a, b] = add.body.memberships;
		const answers = await Promise.all([a, b].map((m) => admin.del(`/api/v1/users/${u.id}/memberships/${m.id}`)));
		assert.deepEqual(
			answers.map((r) => r.status).sort(),
			[200, 409],
		);
		const left = (await admin.get('/api/v1/users')).body.items.find((x) => x.id === u.id);
		assert.equal(left.memberships.length, 1);
	});

	test('one role added twice at once (a double click, two administrators) is given once', async () => {
		const u = await create({ username: newName('dup'), display_name: '重复', role: 'director', area_code: VILLAGE });
		const answers = await Promise.all(
			Array.from({ length: 24 }, () =>
				admin.post(`/api/v1/users/${u.id}/memberships`, { role: 'station', area_code: TOWNSHIP }),
			),
		);
		const statuses = answers.map((r) => r.status).sort();
		assert.deepEqual(statuses, [201, ...Array(23).fill(409)], answers.map((r) => r.text).join('\n'));
		for (const r of answers.filter((x) => x.status === 409)) {
			assert.equal(r.body.error.code, 'duplicate_membership');
			assert.equal(r.body.error.field, 'role');
		}
		const left = (await admin.get('/api/v1/users')).body.items.find((x) => x.id === u.id);
		assert.deepEqual(
			left.memberships.map((m) => [m.role, m.area_code]),
			[
				['director', VILLAGE],
				['station', TOWNSHIP],
			],
		);
		const auditor = await srv.login('auditor');
		const log = await auditor.get(`/api/v1/audit?object_type=user&object_id=${u.id}`);
		assert.equal(log.status, 200, log.text);
		assert.equal(
			log.body.items.filter((e) => e.action === 'membership.add' && e.outcome === 'ok').length,
			1,
			'one role given, one entry',
		);
	});

	test('the administrator\'s own account and other counties are out of reach', async () => {
		const me = admin.me.user.id;
		const own = await admin.post(`/api/v1/users/${me}/lock`, {});
		assert.equal(own.status, 403);
		assert.equal(own.body.error.code, 'own_account');

		// a misspelt option is refused, and nothing is created
		const typo = await cli(srv.db, ['user', 'add', 'typo_user', '--role', 'director', '--area', '370831001001', '--nmae', '张三']);
		assert.equal(typo.code, 2, typo.stdout + typo.stderr);
		assert.match(typo.stderr, /unknown option '--nmae'/);
		assert.equal(await sql(srv.db, "SELECT COUNT(*) FROM users WHERE username = 'typo_user'"), '0');

		// a lost key file is not replaced by a new one: the data was written with the old
		const lost = join(srv.db.dir, 'lost.key');
		const noKey = await run(BIN, ['init', '--db', srv.db.url, '--key-file', lost], { cwd: srv.db.dir });
		assert.equal(noKey.code, 1, noKey.stdout + noKey.stderr);
		assert.match(noKey.stderr, /was missing, but this database already holds data written with a key/);
		assert.equal(existsSync(lost), false, 'no new key is kept');

		// a second county in the same deployment, with its own administrator
		const init = await cli(srv.db, ['init', '--county', '370832', '--county-name', '外县', '--admin', 'admin2', '--password', PASSWORD]);
		assert.equal(init.code, 0, init.stderr);
		const admin2 = await srv.login('admin2');
		const theirs = (await admin2.get('/api/v1/users')).body.items;
		assert.deepEqual(
			theirs.map((u) => u.username),
			['admin2'],
		);
		const ours = (await admin.get('/api/v1/users')).body.items;
		assert.ok(!ours.some((u) => u.username === 'admin2'), 'another county\'s accounts are not listed');
		// the command line adds an account to that county's own department
		const police = await cli(srv.db, ['user', 'add', 'police_wx', '--role', 'department', '--unit', 'department:public_security', '--county', '370832', '--password', PASSWORD]);
		assert.equal(police.code, 0, police.stderr);
		assert.ok((await admin2.get('/api/v1/users')).body.items.some((u) => u.username === 'police_wx'), 'in the other county');
		assert.ok(!(await admin.get('/api/v1/users')).body.items.some((u) => u.username === 'police_wx'), 'not in this one');
		const id2 = theirs[0].id;
		for (const path of [`/api/v1/users/${id2}/lock`, `/api/v1/users/${id2}/password`, `/api/v1/users/${id2}/unlock`]) {
			const r = await admin.post(path, {});
			assert.equal(r.status, 404, path);
		}
		const dir = ours.find((u) => u.username === 'director');
		assert.equal((await admin2.post(`/api/v1/users/${dir.id}/lock`, {})).status, 404);
		const cross = await admin2.post('/api/v1/users', { username: newName('x'), display_name: 'x', role: 'director', area_code: VILLAGE });
		assert.equal(cross.status, 422, 'a place in another county');
		assert.equal(cross.body.error.field, 'area_code');
		assert.equal(Number(await sql(srv.db, `SELECT COUNT(*) FROM users WHERE county_code = '${COUNTY}' AND locked = 1 AND username = 'director'`)), 0);
	});

	test('only the administrator manages accounts', async () => {
		for (const user of ['center', 'auditor', 'director']) {
			const c = await srv.bearer(user);
			for (const [method, path] of [
				['GET', '/api/v1/users'],
				['POST', '/api/v1/users'],
				['POST', '/api/v1/users/1/lock'],
				['PATCH', '/api/v1/users/1'],
				['POST', '/api/v1/users/1/password'],
				['DELETE', '/api/v1/users/1/memberships/1'],
			]) {
				const r = await c.request(method, path, method === 'GET' || method === 'DELETE' ? {} : { json: {} });
				assert.equal(r.status, 403, `${user} ${method} ${path}`);
			}
		}
	});

	test('a refused change of accounts is audited: who tried what, on which account', async () => {
		const auditor = await srv.login('auditor');
		const denied = async (action, username) => {
			const r = await auditor.get(`/api/v1/audit?action=${action}&limit=100`);
			assert.equal(r.status, 200, r.text);
			return r.body.items.filter((e) => e.username === username && e.outcome === 'denied');
		};
		const seen = {};
		for (const [action, who] of [['membership.add', 'director'], ['user.create', 'director'], ['user.import', 'director'], ['user.password_reset', 'admin']])
			seen[action] = (await denied(action, who)).length;

		// a director trying to give themselves the centre's role (was refused unseen)
		const dir = await srv.bearer('director');
		const self = dir.me.user.id;
		const raise = await dir.post(`/api/v1/users/${self}/memberships`, { role: 'center', area_code: COUNTY });
		assert.equal(raise.status, 403, raise.text);
		const made = await dir.post('/api/v1/users', { username: newName('own'), display_name: '自建', role: 'center', area_code: COUNTY });
		assert.equal(made.status, 403, made.text);
		const list = await dir.request('POST', '/api/v1/users/import', { body: `${newName('own')},自建,center,\n`, headers: { 'content-type': 'text/csv' } });
		assert.equal(list.status, 403, list.text);
		// the administrator's own account
		const own = await admin.post(`/api/v1/users/${admin.me.user.id}/password`, {});
		assert.equal(own.status, 403, own.text);
		assert.equal(own.body.error.code, 'own_account');

		const added = await denied('membership.add', 'director');
		assert.equal(added.length, seen['membership.add'] + 1, 'the refused role is in the log');
		assert.equal(added[0].object_type, 'user');
		assert.equal(added[0].object_id, String(self), 'naming the account');
		assert.equal((await denied('user.create', 'director')).length, seen['user.create'] + 1);
		assert.equal((await denied('user.import', 'director')).length, seen['user.import'] + 1);
		const reset = await denied('user.password_reset', 'admin');
		assert.equal(reset.length, seen['user.password_reset'] + 1);
		assert.equal(reset[0].object_id, String(admin.me.user.id));
	});

	test('weibao user add checks its role\'s place and the user name', async () => {
		const bad = await cli(srv.db, ['user', 'add', newName('cli'), '--role', 'director', '--area', TOWNSHIP]);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /--area: this role needs the code of a village or community/);
		const name = await cli(srv.db, ['user', 'add', 'x!', '--role', 'director', '--area', VILLAGE]);
		assert.equal(name.code, 2);
		assert.match(name.stderr, /user name/);
		const dept = await cli(srv.db, ['user', 'add', newName('cli'), '--role', 'department', '--unit', 'department:nope', '--county', COUNTY]);
		assert.equal(dept.code, 2);
		assert.match(dept.stderr, /--unit: county 370831 has no unit department:nope/);
		const username = newName('cli');
		const ok = await cli(srv.db, ['user', 'add', username, '--role', 'station', '--area', TOWNSHIP, '--password', NEW_PASSWORD]);
		assert.equal(ok.code, 0, ok.stderr);
		const c = await srv.login(username, NEW_PASSWORD);
		assert.equal(c.me.user.must_change_password, false, 'the operator set the password');

		// weibao user list: a county's accounts with status and roles
		const list = await cli(srv.db, ['user', 'list', '--county', COUNTY]);
		assert.equal(list.code, 0, list.stderr);
		assert.match(list.stdout, /^director\s+370831\s+active\s+director@370831001001\s/m);
		assert.match(list.stdout, new RegExp(`^${username}\\s+370831\\s+active\\s+station@${TOWNSHIP}\\s`, 'm'));
		const none = await cli(srv.db, ['user', 'list', '--county', '370899']);
		assert.equal(none.stdout.trim(), '', 'no accounts in a county that has none');
	});
});
