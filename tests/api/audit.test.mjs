// The audit log (SPEC §9 "append-only, hash-chained audit log that an
// auditor can verify"): only the auditor reads and verifies it, no route
// writes it, `weibao verify-audit` passes on an honest log and names the
// entry where someone altered or removed rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, spawnServer, cli, sql, uniqueName } from './lib/harness.mjs';
import { csvObjects, download } from './lib/registry.mjs';
import { sheetRows } from './lib/xlsx.mjs';

describeEachDriver('audit log', (driver) => {
	let srv, auditor, centre;

	before(async () => {
		srv = await startServer(driver);
		auditor = await srv.login('auditor');
		centre = await srv.login('center');
		// some activity: a failed login, a registration, a read
		await srv.anon().post('/api/v1/login', { username: 'center', password: 'Wrong-Pass-2026' });
		await srv.anon().post('/api/v1/login', { username: 'no-such-account', password: 'Wrong-Pass-2026' });
		const c = await centre.post('/api/v1/children', { name: uniqueName('审计'), sex: 'F', birth_date: '2015-09-09', village_code: '370831001001' });
		assert.equal(c.status, 201, c.text);
		await centre.get(`/api/v1/children/${c.body.id}`);
	});
	after(async () => {
		await srv?.stop();
	});

	test('the auditor reads the log, newest first, with who, what and the outcome', async () => {
		const r = await auditor.get('/api/v1/audit?limit=50');
		assert.equal(r.status, 200, r.text);
		const items = r.body.items;
		assert.ok(items.length > 5);
		for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].seq > items[i].seq, 'ordered by seq, newest first');
		for (const e of items) {
			for (const k of ['seq', 'at', 'action', 'outcome', 'username', 'hash']) assert.ok(k in e, `entry has ${k}`);
		}
		const failed = items.find((e) => e.action === 'login' && e.username === 'center' && e.outcome === 'denied');
		assert.ok(failed, 'the failed login is logged');
		const stranger = items.find((e) => e.action === 'login' && e.username === 'no-such-account');
		assert.ok(stranger, 'a login under a name no account has is logged and shown');
		assert.equal(stranger.outcome, 'denied');
		assert.equal(stranger.user_id, 0);
		const created = items.find((e) => e.action === 'child.create' && e.username === 'center');
		assert.ok(created, 'the registration is logged');
		assert.equal(created.outcome, 'ok');
		assert.match(created.object_id, /^\d+$/, 'the entry names the new child');

		// paging with the cursor goes further back without overlap
		const page1 = await auditor.get('/api/v1/audit?limit=3');
		assert.equal(page1.body.items.length, 3);
		const page2 = await auditor.get(`/api/v1/audit?limit=3&cursor=${page1.body.next_cursor}`);
		assert.ok(page2.body.items[0].seq < page1.body.items[2].seq);
	});

	test("each read of the log is itself in the log (audit.read: the filter and the page, no entry's content), and the auditor's paging stays stable", async () => {
		// three pages, following the cursor: each read adds an entry, newer
		// than what it read, so the pages after the first do not move
		const pages = [];
		let cursor = null;
		for (let i = 0; i < 3; i++) {
			const r = await auditor.get(`/api/v1/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.body.items.length, 4);
			pages.push(r.body);
			cursor = r.body.next_cursor;
		}
		const seqs = pages.flatMap((pg) => pg.items.map((e) => e.seq));
		assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] - i), 'the pages follow on without a gap or an overlap');
		for (const pg of pages) assert.ok(!pg.items.some((e) => e.action === 'audit.read' && e.seq > seqs[0]), 'a read is not on its own page');

		// was: the auditor's reading left no trace
		const reads = (await auditor.get('/api/v1/audit?action=audit.read&limit=4')).body.items;
		assert.equal(reads.length, 4);
		// newest first: this read's own entry is not yet there; the three pages are
		const [p3, p2, p1] = reads;
		for (const e of [p1, p2, p3]) {
			assert.ok(e.seq > seqs[0], 'written after the entries it read');
			assert.deepEqual([e.username, e.role, e.object_type, e.object_id, e.outcome], ['auditor', 'auditor', 'audit_log', '', 'ok']);
		}
		assert.ok(p1.seq < p2.seq && p2.seq < p3.seq);
		const d1 = JSON.parse(p1.detail);
		assert.deepEqual(d1, { action: null, object_type: null, object_id: null, user_id: null, username: null, from: null, to: null, cursor: null, limit: 4, rows: 4 });
		assert.equal(JSON.parse(p2.detail).cursor, Number(pages[0].next_cursor), 'the page it began at');
		assert.equal(JSON.parse(p3.detail).cursor, Number(pages[1].next_cursor));

		// a filtered read names its filter, and no entry it showed
		const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
		const f = await auditor.get(`/api/v1/audit?action=child.read&object_type=child&username=center&from=${day}&to=${day}&limit=2`);
		assert.equal(f.status, 200, f.text);
		const [fe] = (await auditor.get('/api/v1/audit?action=audit.read&limit=1')).body.items;
		const fd = JSON.parse(fe.detail);
		assert.deepEqual(
			[fd.action, fd.object_type, fd.object_id, fd.username, fd.from, fd.to, fd.limit, fd.rows],
			['child.read', 'child', null, 'center', day, day, 2, f.body.items.length],
		);
		assert.ok(typeof fd.user_id === 'number' && fd.user_id > 0, 'the account the name is');
		for (const e of f.body.items) assert.ok(!fe.detail.includes(e.hash) && !fe.detail.includes(e.request_id), 'nothing of the entries shown');

		// a refused read is in the log too
		const admin = await srv.login('admin');
		assert.equal((await admin.get('/api/v1/audit?action=login')).status, 403);
		const [refused] = (await auditor.get('/api/v1/audit?action=audit.read&username=admin&limit=1')).body.items;
		assert.ok(refused, 'the refusal is logged');
		assert.deepEqual([refused.object_type, refused.outcome], ['audit_log', 'denied']);
	});

	test("one child's history: every read and change of that child, newest first, paged without gaps", async () => {
		const c = await centre.post('/api/v1/children', { name: uniqueName('历史'), sex: 'M', birth_date: '2014-03-03', village_code: '370831001001' });
		assert.equal(c.status, 201, c.text);
		const other = await centre.post('/api/v1/children', { name: uniqueName('旁人'), sex: 'F', birth_date: '2014-04-04', village_code: '370831001001' });
		assert.equal(other.status, 201, other.text);
		for (let i = 0; i < 3; i++) {
			assert.equal((await centre.get(`/api/v1/children/${c.body.id}`)).status, 200);
			assert.equal((await centre.get(`/api/v1/children/${other.body.id}`)).status, 200);
		}
		const p = await centre.patch(`/api/v1/children/${c.body.id}`, { name: uniqueName('历史'), version: 1 });
		assert.equal(p.status, 200, p.text);
		assert.equal((await centre.get(`/api/v1/children/${c.body.id}`)).status, 200);

		// two entries a page, following the cursor to the end
		const seen = [];
		let cursor = null;
		for (let pages = 0; pages < 10; pages++) {
			const r = await auditor.get(`/api/v1/audit?object_type=child&object_id=${c.body.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
			assert.equal(r.status, 200, r.text);
			seen.push(...r.body.items);
			cursor = r.body.next_cursor;
			if (!cursor) break;
		}
		assert.deepEqual(
			seen.map((e) => e.action),
			['child.read', 'child.update', 'child.read', 'child.read', 'child.read', 'child.create'],
			'the child\'s six entries, newest first, none of the other child\'s',
		);
		for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].seq > seen[i].seq, 'strictly newest first');
		for (const e of seen) {
			assert.equal(e.object_id, String(c.body.id));
			assert.equal(e.username, 'center');
			assert.equal(e.outcome, 'ok');
		}
	});

	test('the audit report: the filtered log as CSV, newest first, in China Standard Time, itself audited', async () => {
		const r = await auditor.get('/api/v1/audit/export?action=child.read&lang=en');
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /^text\/csv/);
		assert.match(r.headers.get('content-disposition'), /^attachment; filename="audit-\d{8}\.csv"$/);
		const lines = r.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
		assert.equal(
			lines[0],
			'No.,Time (Beijing time),User name,User ID,Role,Action,Record type,Record ID,Outcome,Client address,Request ID,Detail,Hash',
		);
		const listed = await auditor.listAll('/api/v1/audit?action=child.read');
		assert.ok(listed.length >= 1);
		assert.equal(lines.length - 1, listed.length, 'one line per entry the list shows');
		assert.equal(Number(r.headers.get('x-export-rows')), listed.length);
		const [seq, at, username] = lines[1].split(',');
		assert.equal(seq, String(listed[0].seq), 'newest first');
		assert.equal(username, listed[0].username);
		const cst = new Date((listed[0].at + 8 * 3600) * 1000).toISOString().replace('T', ' ').slice(0, 19);
		assert.equal(at, cst);

		// the report is itself in the log, with its filter and size
		const ex = await auditor.get('/api/v1/audit?action=audit.export&limit=1');
		assert.equal(ex.body.items[0].username, 'auditor');
		const d = JSON.parse(ex.body.items[0].detail);
		assert.equal(d.action, 'child.read');
		assert.equal(d.rows, listed.length);
		assert.equal(d.user_id, null, 'no account filter is not account 0');
		// a period and a name are kept too
		const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
		const named = await auditor.get(`/api/v1/audit/export?from=${day}&to=${day}&username=ghost.user`);
		assert.equal(named.status, 200, named.text);
		const d2 = JSON.parse((await auditor.get('/api/v1/audit?action=audit.export&limit=1')).body.items[0].detail);
		assert.deepEqual([d2.from, d2.to, d2.username], [day, day, 'ghost.user']);

		// Chinese headers by default; a format other than CSV is named
		const zh = await auditor.get('/api/v1/audit/export?object_type=child');
		assert.equal(zh.status, 200);
		assert.match(zh.text.replace(/^\uFEFF/, ''), /^序号,时间 \(北京时间\),用户,/);
		const bad = await auditor.get('/api/v1/audit/export?format=pdf');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'format');

		// the same report as a workbook: the same rows, the same header
		const x = await download(auditor, '/api/v1/audit/export?action=child.read&format=xlsx');
		assert.equal(x.status, 200);
		assert.match(x.headers.get('content-type'), /spreadsheetml/);
		assert.match(x.headers.get('content-disposition'), /^attachment; filename="audit-\d{8}\.xlsx"$/);
		const rows = sheetRows(x.bytes);
		assert.equal(rows[0][0], '序号');
		assert.equal(rows.length - 1, listed.length);
		assert.equal(rows[1][0], String(listed[0].seq));
		const ex2 = await auditor.get('/api/v1/audit?action=audit.export&limit=1');
		assert.equal(JSON.parse(ex2.body.items[0].detail).format, 'xlsx', 'the workbook is audited as such');
	});

	test('failed logins under a long name in Chinese are in the log, the name cut at a character, and no entry is left out of the list', async () => {
		// 64 bytes, the longest name a login takes: the entry holds 63
		const name = 'a' + '张'.repeat(21);
		const r = await srv.anon().post('/api/v1/login', { username: name, password: 'Wrong-Pass-2026' });
		assert.equal(r.status, 401, r.text);
		const [e] = (await auditor.get('/api/v1/audit?action=login&limit=1')).body.items;
		assert.equal(e.outcome, 'denied');
		assert.equal(e.username, 'a' + '张'.repeat(20), 'the name as far as whole characters fit');
		// the whole log pages without a gap: every entry the chain holds is listed
		const all = await auditor.listAll('/api/v1/audit', { limit: 7 });
		const seqs = all.map((x) => x.seq);
		assert.equal(seqs[seqs.length - 1], 1);
		assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] - i), 'no entry left out');
		const v = await auditor.get('/api/v1/audit/verify');
		assert.equal(v.body.ok, true, v.text);
		assert.ok(v.body.entries >= seqs[0], 'the chain holds what the list shows');
	});

	test('a report asked with a filter longer than an entry holds: downloaded, in the list and in the next report, its filter cut short at a character and its rows kept', async () => {
		const report = async (query) => {
			const r = await auditor.get(`/api/v1/audit/export?${query}`);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.headers.get('x-export-rows'), '0');
			const [e] = (await auditor.get('/api/v1/audit?action=audit.export&limit=1')).body.items;
			assert.ok(e, 'the report is in the auditor\'s list');
			assert.ok(Buffer.byteLength(e.detail) <= 511, 'it fits in the entry');
			const d = JSON.parse(e.detail);
			assert.equal(d.rows, 0, 'the number of rows survives');
			assert.equal(d.format, 'csv');
			return [e, d];
		};
		// a record id pasted with a long Chinese note
		const [, d1] = await report(`object_id=${encodeURIComponent('张'.repeat(200))}`);
		assert.match(d1.object_id, /^张+…$/, 'cut short at a character');
		// and with an action typed at length before it
		const [e, d] = await report(`object_id=${encodeURIComponent('张'.repeat(150))}&action=child.read${'x'.repeat(300)}`);
		assert.ok(d.object_id.startsWith('张张张') && d.object_id.endsWith('…'), d.object_id);
		assert.ok(d.action.startsWith('child.readxxx'), d.action);
		// it is one entry of the chain like any other: the next report lists it
		const next = await auditor.get('/api/v1/audit/export?action=audit.export&lang=en');
		assert.equal(next.status, 200, next.text);
		assert.ok(next.text.includes(e.hash), 'the next report holds the entry');
		const v = await auditor.get('/api/v1/audit/verify');
		assert.equal(v.body.ok, true, v.text);
	});

	test('the report says the role, action, record type and outcome in words of its language, as the audit page does', async () => {
		const listed = await auditor.listAll('/api/v1/audit?action=child.read');
		const seq = String(listed[0].seq);
		const en = await auditor.get('/api/v1/audit/export?action=child.read&lang=en');
		assert.equal(en.status, 200, en.text);
		const e = csvObjects(en.text.replace(/^\uFEFF/, '')).find((x) => x['No.'] === seq);
		assert.deepEqual([e.Role, e.Action, e['Record type'], e.Outcome], ['County centre', "Child's file read", 'Child', 'Succeeded']);
		const zh = await auditor.get('/api/v1/audit/export?action=child.read');
		const z = csvObjects(zh.text.replace(/^\uFEFF/, '')).find((x) => x['序号'] === seq);
		assert.deepEqual([z['角色'], z['操作'], z['对象类型'], z['结果']], ['县未保中心', '查看儿童档案', '儿童', '成功']);
		// the refused login: its outcome in words; an entry without a role has an empty cell
		const logins = csvObjects((await auditor.get('/api/v1/audit/export?action=login&lang=en')).text.replace(/^\uFEFF/, ''));
		const refused = logins.find((x) => x['User name'] === 'center' && x.Outcome !== 'Succeeded');
		assert.ok(refused, JSON.stringify(logins.slice(0, 3)));
		assert.equal(refused.Action, 'Logged in');
		assert.equal(refused.Outcome, 'Denied');
		assert.ok(!logins.some((x) => ['ok', 'denied', 'login'].includes(x.Outcome) || x.Action === 'login'), 'no codes left');
		// the workbook says the same
		const x = await download(auditor, '/api/v1/audit/export?action=child.read&format=xlsx&lang=en');
		const rows = sheetRows(x.bytes);
		const head = rows[0];
		const row = rows.find((r) => r[0] === seq);
		assert.equal(row[head.indexOf('Role')], 'County centre');
		assert.equal(row[head.indexOf('Action')], "Child's file read");
		assert.equal(row[head.indexOf('Outcome')], 'Succeeded');
		// a step of the closed loop by the step's own word
		const filed = await centre.post('/api/v1/requests', { kind: 'medical', narrative: '审计报告用词', village_code: '370831001001' });
		assert.equal(filed.status, 201, filed.text);
		const steps = csvObjects((await auditor.get('/api/v1/audit/export?action=request.file&lang=en')).text.replace(/^\uFEFF/, ''));
		assert.equal(steps.find((r) => r['Record ID'] === String(filed.body.id)).Action, 'Help request filed');
		const stepsZh = csvObjects((await auditor.get('/api/v1/audit/export?action=request.file')).text.replace(/^\uFEFF/, ''));
		const fz = stepsZh.find((r) => r['对象'] === String(filed.body.id));
		assert.deepEqual([fz['操作'], fz['对象类型']], ['提交求助', '求助']);
	});

	test('the days from and to (China Standard Time, both included) narrow the list and the report', async () => {
		const chinaDay = (at) => new Date((at + 8 * 3600) * 1000).toISOString().slice(0, 10);
		const shift = (day, n) => new Date(Date.parse(day + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
		const all = await auditor.listAll('/api/v1/audit');
		const today = chinaDay(all[0].at);
		const ofToday = all.filter((e) => chinaDay(e.at) === today).map((e) => e.seq);
		assert.ok(ofToday.length > 5);
		// each read of the log adds an entry (audit.read) after what it read:
		// the entries up to the newest one listed above
		const top = all[0].seq;
		const upTo = (xs) => xs.map((e) => e.seq).filter((q) => q <= top);
		const days = await auditor.listAll(`/api/v1/audit?from=${today}&to=${today}`, { limit: 7 });
		assert.deepEqual(upTo(days), ofToday, 'every entry of the day, newest first, paged');
		assert.deepEqual(upTo(await auditor.listAll(`/api/v1/audit?from=${today}`)), ofToday);
		assert.deepEqual((await auditor.get(`/api/v1/audit?from=${shift(today, 1)}`)).body.items, []);
		const before = all.filter((e) => chinaDay(e.at) < today).map((e) => e.seq);
		assert.deepEqual((await auditor.listAll(`/api/v1/audit?to=${shift(today, -1)}`)).map((e) => e.seq), before);
		// with another filter
		const logins = all.filter((e) => e.action === 'login' && chinaDay(e.at) === today).map((e) => e.seq);
		assert.deepEqual((await auditor.listAll(`/api/v1/audit?action=login&from=${today}&to=${today}`)).map((e) => e.seq), logins);
		// the report of the same days
		const csv = await auditor.get(`/api/v1/audit/export?from=${today}&to=${today}`);
		assert.equal(csv.status, 200, csv.text);
		const rows = csvObjects(csv.text.replace(/^\uFEFF/, '')).map((x) => Number(x['序号']));
		assert.equal(Number(csv.headers.get('x-export-rows')), rows.length);
		assert.deepEqual(rows.filter((q) => q <= top), ofToday, 'the entries of the day (the report\'s own comes after it)');
		assert.ok(rows.every((q, i) => i === 0 || rows[i - 1] > q), 'newest first');
		// a clear error naming the field
		for (const [q, field] of [
			['from=2026-13-01', 'from'],
			['to=yesterday', 'to'],
			[`from=${today}&to=${shift(today, -1)}`, 'to'],
		]) {
			const r = await auditor.get(`/api/v1/audit?${q}`);
			assert.equal(r.status, 422, q);
			assert.equal(r.body.error.field, field, q);
		}
	});

	test("an account by its user name: every entry of that account, the same as by its id", async () => {
		const all = await auditor.listAll('/api/v1/audit');
		const mine = all.filter((e) => e.username === 'center' && e.user_id);
		assert.ok(mine.length > 3, 'the centre has logged in, registered and read');
		const byName = await auditor.listAll('/api/v1/audit?username=center', { limit: 4 });
		assert.deepEqual(byName.map((e) => e.seq), mine.map((e) => e.seq), "every entry of the centre's account, newest first, paged");
		const byId = await auditor.listAll(`/api/v1/audit?user_id=${mine[0].user_id}`);
		assert.deepEqual(byId.map((e) => e.seq), byName.map((e) => e.seq));
		// with the action
		const reads = await auditor.listAll('/api/v1/audit?username=center&action=child.read');
		assert.ok(reads.length > 0);
		assert.ok(reads.every((e) => e.username === 'center' && e.action === 'child.read'));
		// the report of the same account
		const csv = await auditor.get('/api/v1/audit/export?username=center');
		assert.equal(csv.status, 200, csv.text);
		assert.ok(Number(csv.headers.get('x-export-rows')) >= mine.length);
		// a name no account has: the attempts to log in under it
		const tried = await auditor.listAll('/api/v1/audit?username=no-such-account');
		assert.ok(tried.length >= 1);
		assert.ok(tried.every((e) => e.username === 'no-such-account' && e.user_id === 0 && e.action === 'login'));
		assert.deepEqual((await auditor.get('/api/v1/audit?username=nobody-tried-this')).body.items, []);
		// a clear error naming the field
		for (const q of [`username=center&user_id=${mine[0].user_id}`, `username=${'x'.repeat(64)}`]) {
			const r = await auditor.get(`/api/v1/audit?${q}`);
			assert.equal(r.status, 422, q);
			assert.equal(r.body.error.field, 'username', q);
		}
	});

	test('a home page\'s figures (limit=0): the counts alone, nobody named, and no read in the log; a page of rows is logged', async () => {
		const station = await srv.login('station');
		const newest = async () => (await auditor.get('/api/v1/audit?limit=1')).body.items[0].seq;
		const counted = {};
		const before = await newest();
		for (const path of ['/children', '/visits/plan?state=never,overdue', '/entitlements', '/follow-ups?state=overdue', '/requests?state=open']) {
			const r = await station.get(`/api/v1${path}${path.includes('?') ? '&' : '?'}limit=0`);
			assert.equal(r.status, 200, `${path}: ${r.text}`);
			assert.deepEqual(r.body.items, [], path);
			counted[path] = r.body;
		}
		assert.equal(counted['/children'].next_cursor, null);
		const logged = async (since) => (await auditor.get('/api/v1/audit?limit=50&username=station')).body.items.filter((e) => e.seq > since);
		assert.deepEqual(await logged(before), [], 'figures alone are no read');
		// the same figures as a page of rows, which is a read
		const mid = await newest();
		const page = await station.get('/api/v1/children?limit=5');
		assert.equal(counted['/children'].total, page.body.total);
		const plan = await station.get('/api/v1/visits/plan?state=never,overdue&limit=5');
		assert.equal(counted['/visits/plan?state=never,overdue'].total, plan.body.total);
		assert.deepEqual(counted['/visits/plan?state=never,overdue'].counts, plan.body.counts);
		const ent = await station.get('/api/v1/entitlements?limit=5');
		assert.deepEqual(counted['/entitlements'].counts, ent.body.counts);
		assert.equal(counted['/entitlements'].total, ent.body.total);
		const fu = await station.get('/api/v1/follow-ups?state=overdue&limit=5');
		assert.deepEqual(counted['/follow-ups?state=overdue'].counts, fu.body.counts);
		const reqs = await station.get('/api/v1/requests?state=open&limit=200');
		assert.equal(counted['/requests?state=open'].total, reqs.body.items.length);
		assert.deepEqual((await logged(mid)).map((e) => e.action).sort(), ['child.list', 'entitlement.list', 'follow_up.list', 'request.list', 'visit.plan']);
		assert.equal((await station.get('/api/v1/children?limit=-1')).status, 422);
		// the refusal says that 0 is a limit too
		const bad = await station.get('/api/v1/visits/plan?limit=x');
		assert.equal(bad.status, 422, bad.text);
		assert.equal(bad.body.error.field, 'limit');
		assert.match(bad.body.error.message, /^limit must be 0 \(the figures alone\) or a whole number from 1 to \d+$/);
	});

	test('only the auditor may read or verify the log', async () => {
		for (const user of ['center', 'admin', 'committee', 'director', 'department']) {
			const c = await srv.bearer(user);
			for (const path of ['/api/v1/audit', '/api/v1/audit/verify', '/api/v1/audit/export']) {
				const r = await c.get(path);
				assert.equal(r.status, 403, `${user} ${path}`);
				assert.equal(r.body.error.code, 'forbidden');
			}
		}
		assert.equal((await srv.anon().get('/api/v1/audit')).status, 401);
	});

	test('no route writes, changes or deletes the log', async () => {
		const before = await auditor.get('/api/v1/audit/verify');
		const first = (await auditor.get('/api/v1/audit?limit=1')).body.items[0];
		for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
			for (const path of ['/api/v1/audit', `/api/v1/audit/${first.seq}`, '/api/v1/audit/verify', '/api/v1/audit/export']) {
				const r = await auditor.request(method, path, { json: { action: 'forged', outcome: 'ok' } });
				assert.ok([404, 405].includes(r.status), `${method} ${path}: ${r.status}`);
				assert.equal(typeof r.body.error.code, 'string');
			}
		}
		const again = await auditor.get('/api/v1/audit?action=forged');
		assert.deepEqual(again.body.items, []);
		const v = await auditor.get('/api/v1/audit/verify');
		assert.equal(v.body.ok, true);
		assert.ok(v.body.entries >= before.body.entries);
	});

	test('GET /api/v1/audit/verify reports an intact chain', async () => {
		const r = await auditor.get('/api/v1/audit/verify');
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.ok, true);
		const rows = Number(await sql(srv.db, 'SELECT COUNT(*) FROM audit_log'));
		assert.equal(r.body.entries, rows, 'every entry was checked');
	});

	test('verify-audit passes, then finds an altered entry and a removed newest entry', async () => {
		const status = await srv.stop({ keep: true });
		assert.deepEqual(status, { code: 0, signal: null }, 'the server stops cleanly');
		const db = srv.db;

		const ok = await cli(db, ['verify-audit']);
		assert.equal(ok.code, 0, ok.stdout + ok.stderr);
		const count = Number(/(\d+) entries verified/.exec(ok.stdout)?.[1]);
		assert.ok(count >= 6, ok.stdout);
		assert.equal(Number(await sql(db, 'SELECT MAX(seq) FROM audit_log')), count);

		// alter one entry's outcome
		const outcome = await sql(db, 'SELECT outcome FROM audit_log WHERE seq = 3');
		const forged = outcome === 'ok' ? 'denied' : 'ok';
		await sql(db, `UPDATE audit_log SET outcome = '${forged}' WHERE seq = 3`);
		assert.equal(await sql(db, 'SELECT outcome FROM audit_log WHERE seq = 3'), forged);
		const bad = await cli(db, ['verify-audit']);
		assert.notEqual(bad.code, 0, 'an altered entry fails verification');
		assert.match(bad.stdout + bad.stderr, /entry 3\b/, 'and is named');

		// the auditor sees the same through the API
		const srv2 = await spawnServer(db);
		try {
			const a = await srv2.login('auditor');
			const v = await a.get('/api/v1/audit/verify');
			assert.equal(v.status, 200);
			assert.equal(v.body.ok, false);
			assert.equal(v.body.first_bad_seq, 3);
		} finally {
			assert.equal((await srv2.stop())?.code, 0);
		}

		// put it back: the chain verifies again (the server kept appending to it)
		await sql(db, `UPDATE audit_log SET outcome = '${outcome}' WHERE seq = 3`);
		const fixed = await cli(db, ['verify-audit']);
		assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
		const count2 = Number(/(\d+) entries verified/.exec(fixed.stdout)?.[1]);
		assert.ok(count2 > count, 'the second server appended entries (login, verify)');

		// reorder two entries (swap their sequence numbers), then put them back
		const swap = async () => {
			await sql(db, 'UPDATE audit_log SET seq = -3 WHERE seq = 3');
			await sql(db, 'UPDATE audit_log SET seq = 3 WHERE seq = 4');
			await sql(db, 'UPDATE audit_log SET seq = 4 WHERE seq = -3');
		};
		const hash3 = await sql(db, 'SELECT hash FROM audit_log WHERE seq = 3');
		await swap();
		assert.notEqual(await sql(db, 'SELECT hash FROM audit_log WHERE seq = 3'), hash3, 'the entries were swapped');
		const reordered = await cli(db, ['verify-audit']);
		assert.notEqual(reordered.code, 0, 'reordered entries fail verification');
		assert.match(reordered.stdout + reordered.stderr, /entry 3\b/, 'the first entry out of place is named');
		await swap();
		assert.equal((await cli(db, ['verify-audit'])).code, 0, 'back in order, the chain verifies');

		// the chain head's record removed: broken, and no entry is named (there
		// is none at fault, and no "entry N+1" of an N-entry log)
		const entries = Number(await sql(db, 'SELECT COUNT(*) FROM audit_log'));
		const head = (await sql(db, 'SELECT seq, hash FROM audit_head WHERE id = 1')).split('|');
		await sql(db, 'DELETE FROM audit_head');
		const headless = await cli(db, ['verify-audit']);
		assert.equal(headless.code, 1, headless.stdout + headless.stderr);
		assert.match(headless.stdout, new RegExp(`BROKEN: the chain head's record \\(audit_head\\) is missing \\(${entries} entries verified`));
		assert.doesNotMatch(headless.stdout, /at entry/);
		await sql(db, `INSERT INTO audit_head (id, seq, hash) VALUES (1, ${head[0]}, '${head[1]}')`);
		assert.equal((await cli(db, ['verify-audit'])).code, 0, 'the head back, the chain verifies');

		// the limit docs/operations.md states: the newest entry removed AND the
		// head rewound to the one before is not detected; only the count tells
		const last = Number(head[0]);
		const prevHash = await sql(db, `SELECT hash FROM audit_log WHERE seq = ${last - 1}`);
		const lastRow = await sql(db, `SELECT COUNT(*) FROM audit_log WHERE seq = ${last}`);
		assert.equal(lastRow, '1');
		await sql(db, `DELETE FROM audit_log WHERE seq = ${last}`);
		await sql(db, `UPDATE audit_head SET seq = ${last - 1}, hash = '${prevHash}' WHERE id = 1`);
		const rewound = await cli(db, ['verify-audit']);
		assert.equal(rewound.code, 0, 'not detectable by the chain');
		assert.equal(Number(/(\d+) entries verified/.exec(rewound.stdout)?.[1]), entries - 1, 'but the count printed is one less');
		// the head rewound further than the log: the first entry past it is named
		await sql(db, `UPDATE audit_head SET seq = ${last - 3}, hash = (SELECT hash FROM audit_log WHERE seq = ${last - 3}) WHERE id = 1`);
		const behind = await cli(db, ['verify-audit']);
		assert.equal(behind.code, 1);
		assert.match(behind.stdout, new RegExp(`BROKEN at entry ${last - 2}: entries after the chain head`));
		await sql(db, `UPDATE audit_head SET seq = ${last - 1}, hash = '${prevHash}' WHERE id = 1`);

		// remove the newest entry
		const newest = Number(await sql(db, 'SELECT MAX(seq) FROM audit_log'));
		await sql(db, `DELETE FROM audit_log WHERE seq = ${newest}`);
		const cut = await cli(db, ['verify-audit']);
		assert.notEqual(cut.code, 0, 'removing the newest entry fails verification');
		assert.match(cut.stdout + cut.stderr, new RegExp(`entry ${newest}\\b`), 'and names the missing entry');

		// remove one in the middle as well
		await sql(db, 'DELETE FROM audit_log WHERE seq = 5');
		const gap = await cli(db, ['verify-audit']);
		assert.notEqual(gap.code, 0);
		assert.match(gap.stdout + gap.stderr, /entry 6\b/, 'the entry after the gap is named');
	});
});
