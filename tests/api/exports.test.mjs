// Every table on screen can be exported to XLSX/CSV, and exports of
// personal data are audited and limited by role (SPEC §8). The lists that
// had no download now have one: help requests, talks, caring mothers,
// supporting programmes, charity projects, the archive and the trends. A
// file holds what the list holds for the same caller and filter (the same
// scope and masking), numbers are numbers in the workbook, and the file's
// download is in the audit log when it names people.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { csvObjects, download, bornYearsBefore } from './lib/registry.mjs';
import { sheetRows } from './lib/xlsx.mjs';
import { chinaDate } from './lib/idnum.mjs';
import { step, unitIds, cstDate } from './lib/loop.mjs';

const OWN_VILLAGE = '370831001001'; // director's village, in the station's township
const OWN_TOWN = '370831001';
const OTHER_TOWN = '370831101';

/** The rows of a workbook as objects keyed by its header row. */
function sheetObjects(bytes) {
	const [head, ...rows] = sheetRows(bytes);
	return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

describeEachDriver('exports of every list', (driver) => {
	let srv, centre, station, far, director, department, committee, auditor;

	const xlsx = async (client, path) => {
		const r = await download(client, path);
		assert.equal(r.status, 200, `${path}: ${r.bytes.toString('utf8').slice(0, 300)}`);
		assert.match(r.headers.get('content-type'), /spreadsheetml/);
		assert.equal(r.bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip archive');
		return { rows: sheetObjects(r.bytes), head: sheetRows(r.bytes)[0], disposition: r.headers.get('content-disposition'), headers: r.headers };
	};
	const csv = async (client, path) => {
		const r = await client.get(path);
		assert.equal(r.status, 200, r.text);
		assert.match(r.headers.get('content-type'), /^text\/csv/);
		return { rows: csvObjects(r.text.replace(/^\uFEFF/, '')), text: r.text, disposition: r.headers.get('content-disposition') };
	};
	const lastAudit = async (action) => {
		const r = await auditor.get(`/api/v1/audit?action=${action}&limit=1`);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.body.items.length, 1, `an ${action} entry`);
		return { ...r.body.items[0], detail: JSON.parse(r.body.items[0].detail) };
	};

	before(async () => {
		srv = await startServer(driver);
		[centre, station, far, director, department, committee, auditor] = await Promise.all(
			['center', 'station', 'station02', 'director', 'department', 'committee', 'auditor'].map((u) => srv.login(u)),
		);
	});
	after(async () => {
		await srv?.stop();
	});

	test('help requests: the whole filtered list as a workbook and as CSV, within the caller\'s scope, audited', async () => {
		// one more request in the director's village, so the director's file is not empty
		const child = await director.post('/api/v1/children', { name: uniqueName('求助'), sex: 'F', birth_date: bornYearsBefore(9), village_code: OWN_VILLAGE });
		assert.equal(child.status, 201, child.text);
		const filed = await director.post('/api/v1/requests', { child_id: child.body.id, kind: 'medical', urgency: 'urgent', narrative: '需要住院治疗，家庭无力承担费用' });
		assert.equal(filed.status, 201, filed.text);

		// and one with two departments
		const other = await director.post('/api/v1/requests', { child_id: child.body.id, kind: 'schooling', urgency: 'normal', narrative: '需要助学' });
		assert.equal(other.status, 201, other.text);
		await step(station, other.body.id, 'review');
		await step(station, other.body.id, 'forward', { note: '转县中心' });
		await step(centre, other.body.id, 'accept');
		const units = await unitIds(centre);
		await step(centre, other.body.id, 'refer', {
			referrals: [
				{ unit_id: units.county_charity, ask: '助学金', due_date: cstDate(20) },
				{ unit_id: units.medical_insurance, ask: '医疗', due_date: cstDate(25) },
			],
		});

		const listed = await centre.listAll('/api/v1/requests?state=all');
		const book = await xlsx(centre, '/api/v1/requests?state=all&format=xlsx');
		assert.match(book.disposition, /filename="requests-\d{8}\.xlsx"/);
		assert.deepEqual(book.head.slice(0, 4), ['编号', '提交时间', '类型', '紧急程度']);
		assert.equal(book.rows.length, listed.length, 'one row per request of the list, not a page');
		assert.deepEqual(book.rows.map((r) => r['编号']), listed.map((q) => q.id), 'numbers, newest first like the list');
		const mine = book.rows.find((r) => r['编号'] === filed.body.id);
		assert.equal(mine['类型'], '医疗');
		assert.equal(mine['紧急程度'], '紧急');
		assert.equal(mine['儿童姓名'], child.body.name);
		assert.equal(mine['村（社区）代码'], OWN_VILLAGE);
		assert.match(mine['提交时间'], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'China Standard Time, to the minute');
		assert.ok(!JSON.stringify(book.rows).includes('住院治疗'), 'the narrative stays out of the file');
		const entry = await lastAudit('request.export');
		assert.equal(entry.username, 'center');
		assert.equal(entry.detail.format, 'xlsx');
		assert.equal(entry.detail.rows, listed.length);

		// the director's file holds the director's village only, like the list
		const own = await csv(director, '/api/v1/requests?state=all&format=csv&lang=en');
		assert.ok(own.text.replace(/^\uFEFF/, '').startsWith('ID,Filed at,Kind,Urgency,'), own.text.slice(0, 80));
		assert.equal(own.rows.length, (await director.listAll('/api/v1/requests?state=all')).length);
		assert.ok(own.rows.length >= 1);
		assert.ok(own.rows.every((r) => r['Village code'] === OWN_VILLAGE), 'nothing of another village');
		assert.ok(own.rows.some((r) => r.ID === String(filed.body.id) && r.Kind === 'Medical'));

		// a request waiting on departments names them, with their deadline
		// and lateness, as the board shows it
		const referred = listed.filter((q) => q.holder?.tier === 'units')
		assert.ok(referred.some((q) => q.id === other.body.id), 'the request with departments is listed');
		for (const q of referred) {
			const row = book.rows.find((r) => r['编号'] === q.id);
			assert.equal(row['当前在'], '转办单位');
			const one = await centre.get(`/api/v1/requests/${q.id}`);
			assert.equal(row['办理方'], one.body.holder.units.map((u) => u.name).join('、'), `request ${q.id}`);
			assert.ok(row['本环节期限'], `request ${q.id}: the referrals' deadline`);
			assert.equal(row['超期'], q.referrals_overdue ? '是' : '否', `request ${q.id}`);
		}
		const local = book.rows.find((r) => r['当前在'] === '乡镇（街道）' || r['当前在'] === '村（社区）');
		assert.ok(local, 'the request filed above waits on its township');
		assert.ok(local['办理方'], 'a township or village holder is named');
		// and a township's file holds that township's requests
		const town = listed.find((q) => q.township_code)?.township_code;
		const townBook = await xlsx(centre, `/api/v1/requests?state=all&township=${town}&format=xlsx`);
		assert.equal(townBook.rows.length, listed.filter((q) => q.township_code === town).length);

		// a filter narrows the file as it narrows the list
		const medical = await xlsx(centre, '/api/v1/requests?state=all&kind=medical&format=xlsx');
		assert.equal(medical.rows.length, (await centre.listAll('/api/v1/requests?state=all&kind=medical')).length);
		assert.ok(medical.rows.every((r) => r['类型'] === '医疗'));

		const dep = await department.get('/api/v1/requests?format=xlsx');
		assert.equal(dep.status, 403, 'a department may not export lists of children');
		assert.equal(dep.body.error.field, 'format');
		const bad = await centre.get('/api/v1/requests?format=pdf');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'format');
	});

	test('talks: the period\'s talks, attendance as numbers; they name nobody and are not audited', async () => {
		const t = await station.post('/api/v1/talks', { held_on: chinaDate(-3).iso, kind: 'parent_school', topic: uniqueName('家长课堂'), children: 31, adults: 12 });
		assert.equal(t.status, 201, t.text);
		const list = await station.get('/api/v1/talks?limit=500');
		const book = await xlsx(station, '/api/v1/talks?format=xlsx');
		assert.match(book.disposition, /filename="talks-\d{8}\.xlsx"/);
		assert.equal(book.rows.length, list.body.totals.talks, 'every talk of the period');
		const row = book.rows.find((r) => r['主题'] === t.body.topic);
		assert.equal(row['活动类型'], '家长课堂');
		assert.equal(row['参加儿童'], 31);
		assert.equal(row['参加成人'], 12);
		assert.equal(book.rows.reduce((n, r) => n + r['参加儿童'], 0), list.body.totals.children);
		const en = await csv(station, '/api/v1/talks?format=csv&lang=en');
		assert.equal(en.rows.find((r) => r.Topic === t.body.topic).Kind, 'Parent school');
		const townOnly = await csv(far, '/api/v1/talks?format=csv');
		assert.ok(!townOnly.rows.some((r) => r['主题'] === t.body.topic), 'another township\'s file leaves it out');
	});

	test('caring mothers: an area filter for the list and the file; the file masks phones like the list and is audited', async () => {
		const mk = async (client, area) => {
			const body = { name: uniqueName('爱心妈妈'), phone: '13912345678', joined_on: chinaDate(-30).iso };
			if (area) body.area_code = area;
			const r = await client.post('/api/v1/caring-mothers', body);
			assert.equal(r.status, 201, r.text);
			return r.body;
		};
		const inVillage = await mk(centre, OWN_VILLAGE);
		const elsewhere = await mk(centre, `${OTHER_TOWN}201`);
		const all = await centre.get('/api/v1/caring-mothers');
		const town = await centre.get(`/api/v1/caring-mothers?area=${OWN_TOWN}`);
		assert.equal(town.status, 200, town.text);
		assert.ok(town.body.items.some((m) => m.id === inVillage.id));
		assert.ok(!town.body.items.some((m) => m.id === elsewhere.id), 'the filter leaves out another township');
		assert.ok(town.body.items.every((m) => m.area_code.startsWith(OWN_TOWN)));
		assert.ok(town.body.items.length < all.body.items.length);
		assert.ok(town.body.totals.mothers < all.body.totals.mothers, 'the totals follow the filter');
		const village = await centre.get(`/api/v1/caring-mothers?area=${OWN_VILLAGE}`);
		assert.ok(village.body.items.every((m) => m.area_code === OWN_VILLAGE));
		for (const [client, area] of [[station, `${OTHER_TOWN}201`], [centre, '370831'], [centre, 'abc']]) {
			const r = await client.get(`/api/v1/caring-mothers?area=${area}`);
			assert.equal(r.status, 422, `${area}: ${r.text}`);
			assert.equal(r.body.error.field, 'area');
		}

		const book = await xlsx(station, `/api/v1/caring-mothers?area=${OWN_VILLAGE}&format=xlsx`);
		const list = await station.get(`/api/v1/caring-mothers?area=${OWN_VILLAGE}`);
		assert.equal(book.rows.length, list.body.items.length);
		const row = book.rows.find((r) => r['编号'] === inVillage.id);
		assert.ok(row, 'the mother is in the file');
		const listed = list.body.items.find((m) => m.id === inVillage.id);
		assert.equal(row['电话'], listed.phone, 'the phone as the list shows it to this role');
		assert.equal(row['电话'], '13912345678', 'a township\'s desk sees whole numbers');
		assert.equal(row['在岗'], '是');
		// the area by its code and by its name, as the list shows it
		assert.equal(row['区划代码'], OWN_VILLAGE);
		assert.equal(row['所在区划'], (await station.get(`/api/v1/areas/${OWN_VILLAGE}`)).body.name);
		assert.notEqual(row['所在区划'], OWN_VILLAGE);
		const entry = await lastAudit('caring.export');
		assert.equal(entry.username, 'station');
		assert.equal(entry.detail.area, OWN_VILLAGE);
		assert.equal(entry.detail.rows, book.rows.length);
		assert.equal((await committee.get('/api/v1/caring-mothers?format=xlsx')).status, 403);
		// a school does not see whole numbers: its own mother's number is masked in its file as in its list
		const school = await srv.login('school');
		const own = await school.post('/api/v1/caring-mothers', { name: uniqueName('学校妈妈'), phone: '13812345678', joined_on: chinaDate(-5).iso });
		assert.equal(own.status, 201, own.text);
		const sbook = await xlsx(school, '/api/v1/caring-mothers?format=xlsx');
		const srow = sbook.rows.find((r) => r['编号'] === own.body.id);
		assert.equal(srow['电话'], own.body.phone, 'as the list shows it');
		assert.notEqual(srow['电话'], '13812345678', 'masked');
		assert.match(srow['电话'], /\*/);
	});

	test('programmes and projects: their figures and money as numbers a spreadsheet adds up', async () => {
		const p = await station.post('/api/v1/programmes', { kind: 'revitalisation_partner', name: uniqueName('合伙人'), holder: '孙立民', started_on: chinaDate(-100).iso, jobs: 17, returnees: 4 });
		assert.equal(p.status, 201, p.text);
		const list = await centre.get('/api/v1/programmes?limit=1000');
		const book = await xlsx(centre, '/api/v1/programmes?format=xlsx');
		assert.match(book.disposition, /filename="programmes-\d{8}\.xlsx"/);
		assert.equal(book.rows.length, list.body.totals.programmes);
		assert.equal(book.rows.reduce((n, r) => n + r['带动就业'], 0), list.body.totals.jobs, 'the jobs add up to the total');
		const row = book.rows.find((r) => r['编号'] === p.body.id);
		assert.equal(row['类型'], '乡村振兴合伙人');
		assert.equal(row['合伙人等级'], '基础');
		assert.equal(row['负责人'], '孙立民');
		assert.equal((await lastAudit('programme.export')).detail.rows, book.rows.length);
		const mineOnly = await csv(far, '/api/v1/programmes?format=csv');
		assert.ok(!mineOnly.rows.some((r) => r['编号'] === String(p.body.id)), 'another township\'s file leaves it out');

		const projects = await centre.get('/api/v1/projects');
		const pbook = await xlsx(centre, '/api/v1/projects?format=xlsx');
		assert.equal(pbook.rows.length, projects.body.items.length);
		const donated = pbook.rows.reduce((n, r) => n + r['募集（元）'], 0);
		assert.equal(Math.round(donated * 100), projects.body.totals.donated_cents, 'yuan with cents, as numbers');
		const pcsv = await csv(centre, '/api/v1/projects?format=csv');
		const first = projects.body.items[0];
		const line = pcsv.rows.find((r) => r['编号'] === String(first.id));
		assert.equal(line['募集（元）'], (first.donated_cents / 100).toFixed(2));
		// each status in the words of its page: a hope room is being built or built
		const words = { planned: '计划', active: '实施中', done: '已完成', cancelled: '已取消' };
		const hope = { ...words, active: '在建', done: '建成' };
		for (const it of projects.body.items) {
			const r = pcsv.rows.find((x) => x['编号'] === String(it.id));
			assert.equal(r['状态'], (it.kind === 'hope_room' ? hope : words)[it.status], `project ${it.id} (${it.kind}, ${it.status})`);
		}
		assert.ok(projects.body.items.some((it) => it.kind === 'hope_room' && it.status !== 'planned'), 'the demo has a hope room under way or built');
	});

	test('the archive: its children as a file for the township\'s desk only, audited', async () => {
		const c = await director.post('/api/v1/children', { name: uniqueName('归档'), sex: 'M', birth_date: bornYearsBefore(12), village_code: OWN_VILLAGE });
		assert.equal(c.status, 201, c.text);
		const a = await station.post(`/api/v1/children/${c.body.id}/archive`, { reason: 'moved_away', note: '随父母迁往外省' });
		assert.equal(a.status, 200, a.text);
		const listed = await station.listAll('/api/v1/children/archived');
		const book = await xlsx(station, '/api/v1/children/archived?format=xlsx');
		assert.match(book.disposition, /filename="archived-children-\d{8}\.xlsx"/);
		assert.equal(book.rows.length, listed.length);
		const row = book.rows.find((r) => r['编号'] === c.body.id);
		assert.equal(row['归档原因'], '迁出');
		assert.equal(row['说明'], '随父母迁往外省');
		assert.equal(row['性别'], '男');
		const entry = await lastAudit('child.export_archived');
		assert.equal(entry.username, 'station');
		assert.equal(entry.detail.rows, listed.length);
		const moved = await csv(station, '/api/v1/children/archived?format=csv&reason=moved_away&lang=en');
		assert.ok(moved.rows.length >= 1);
		assert.ok(moved.rows.every((r) => r.Reason === 'Moved away'));
		assert.equal((await director.get('/api/v1/children/archived?format=xlsx')).status, 403);
		const away = await csv(far, '/api/v1/children/archived?format=csv');
		assert.ok(!away.rows.some((r) => r['编号'] === String(c.body.id)), 'another township\'s desk does not get it');
	});

	test('trends: a month a row, every figure of the chart a column, equal to the JSON', async () => {
		const json = await committee.get('/api/v1/reports/trends?months=6');
		assert.equal(json.status, 200, json.text);
		const book = await xlsx(committee, '/api/v1/reports/trends?months=6&format=xlsx');
		assert.match(book.disposition, /filename="trends-\d{8}\.xlsx"/);
		assert.deepEqual(book.rows.map((r) => r['月份']), json.body.months);
		json.body.months.forEach((m, i) => {
			assert.equal(book.rows[i]['新登记儿童'], json.body.series.registered[i], m);
			assert.equal(book.rows[i]['走访次数'], json.body.series.visits[i], m);
			assert.equal(Math.round(book.rows[i]['福利保障发放金额（元）'] * 100), json.body.series.paid_cents[i], m);
		});
		const town = await csv(station, '/api/v1/reports/trends?format=csv&lang=en');
		assert.equal(town.rows.length, 12);
		assert.ok('Children registered' in town.rows[0]);
	});

	test('areas and units: downloaded in the columns their imports read, so the file goes back in unchanged', async () => {
		const admin = await srv.login('admin');
		const file = await csv(admin, '/api/v1/areas?format=csv');
		assert.match(file.disposition, /filename="areas-\d{8}\.csv"/);
		const lines = file.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
		assert.equal(lines[0], '代码,名称,类型');
		assert.ok(lines.some((l) => l.startsWith('370831101,泉林镇,')), 'the townships by their names');
		const codes = file.rows.map((r) => r['代码']);
		assert.equal(codes[0], '370831', 'the county first');
		assert.ok(codes.indexOf('370831001') < codes.indexOf('370831001001'), 'a township before its villages');
		assert.ok(codes.indexOf('370831001001') < codes.indexOf('370831002'), 'a township\'s villages before the next township');
		const towns = (await admin.get('/api/v1/areas?parent=370831')).body.items;
		assert.equal(codes.filter((c) => c.length === 9).length, towns.length);
		const back = await admin.request('POST', '/api/v1/areas/import', { body: file.text, headers: { 'content-type': 'text/csv' } });
		assert.equal(back.status, 200, back.text);
		assert.deepEqual(back.body, { imported: 0, renamed: 0, unchanged: codes.length }, 'the same tree, unchanged');
		// the workbook goes back in too, as it was downloaded
		const wb = await download(admin, '/api/v1/areas?format=xlsx&parent=370831101');
		assert.equal(Number(wb.headers.get('x-export-rows')), sheetRows(wb.bytes).length - 1, 'the rows are counted');
		const wback = await admin.request('POST', '/api/v1/areas/import', { body: wb.bytes, headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
		assert.equal(wback.status, 200, wback.text);
		assert.deepEqual(wback.body, { imported: 0, renamed: 0, unchanged: sheetRows(wb.bytes).length - 1 });
		const sub = await xlsx(admin, '/api/v1/areas?format=xlsx&parent=370831101');
		assert.equal(sub.rows[0]['代码'], '370831101');
		assert.ok(sub.rows.every((r) => r['代码'].startsWith('370831101')), 'one township\'s subtree');
		assert.equal((await admin.get('/api/v1/areas?format=csv&parent=110101')).status, 422);
		assert.equal((await admin.get('/api/v1/areas?format=csv&parent=370831999')).status, 404, 'no such township');

		const units = await csv(admin, '/api/v1/units?format=csv');
		assert.equal(units.rows.length, (await admin.get('/api/v1/units')).body.items.length);
		const uback = await admin.request('POST', '/api/v1/units/import', { body: units.text, headers: { 'content-type': 'text/csv' } });
		assert.equal(uback.status, 200, uback.text);
		assert.deepEqual(uback.body, { imported: 0, renamed: 0, unchanged: units.rows.length });
	});

	test('accounts: the administrator\'s list of accounts and their roles, audited; nobody else gets it', async () => {
		const admin = await srv.login('admin');
		const list = (await admin.get('/api/v1/users')).body.items;
		const book = await xlsx(admin, '/api/v1/users?format=xlsx');
		assert.match(book.disposition, /filename="users-\d{8}\.xlsx"/);
		assert.equal(book.rows.length, list.length);
		const dir = book.rows.find((r) => r['用户名'] === 'director');
		assert.match(dir['角色'], /^儿童主任（.+）/);
		assert.equal(dir['已锁定'], '否');
		assert.ok(!JSON.stringify(book.rows).includes('password_hash'));
		const en = await csv(admin, '/api/v1/users?format=csv&lang=en');
		assert.match(en.rows.find((r) => r.Username === 'director').Roles, /^Child director \(.+\)$/);
		assert.match(en.rows.find((r) => r.Username === 'admin').Roles, /^Administrator \(/);
		assert.ok(en.rows.every((r) => !/(^|; )(director|admin|center|station|grid|committee|auditor) \(/.test(r.Roles)), 'no role code');
		assert.equal((await lastAudit('user.export')).detail.rows, list.length);
		assert.equal((await centre.get('/api/v1/users?format=csv')).status, 403);
	});

	test('the overview: a township a row and the totals, as on screen', async () => {
		const json = await centre.get('/api/v1/overview');
		assert.equal(json.status, 200, json.text);
		const book = await xlsx(centre, '/api/v1/overview?format=xlsx');
		assert.match(book.disposition, /filename="overview-\d{8}\.xlsx"/);
		assert.equal(book.rows.length, json.body.townships.length + 1, 'the townships and a totals row');
		assert.equal(Number(book.headers.get('x-export-rows')), json.body.townships.length, 'the totals row is not a data row');
		const t = json.body.townships[0];
		const row = book.rows.find((r) => r['乡镇（街道）代码'] === t.code);
		assert.equal(row['在册未成年人'], t.children);
		assert.equal(row['农村留守儿童'], t.categories.left_behind);
		assert.equal(row['办理中求助'], t.requests.open);
		if (t.visits.coverage !== null) assert.equal(row['走访覆盖率（%）'], Math.round(t.visits.coverage * 1000) / 10);
		const total = book.rows.at(-1);
		assert.equal(total['乡镇（街道）'], '合计');
		assert.equal(total['在册未成年人'], json.body.totals.children);
		const own = await csv(station, '/api/v1/overview?format=csv');
		assert.equal(own.rows.length, 2, 'a township sees its own row and the totals');
		assert.equal(own.rows[0]['乡镇（街道）代码'], OWN_TOWN);
		assert.equal((await director.get('/api/v1/overview?format=csv')).status, 403);
	});

	test('counselling: the school\'s file has its notes, the centre\'s has none; both are audited', async () => {
		const school = await srv.login('school');
		const sid = school.me.memberships[0].unit_id;
		const s = await school.post(`/api/v1/schools/${sid}/counselling`, { held_on: chinaDate(-1).iso, mode: 'group', topic: 'emotion', pupils: 23, concern: 'watch', notes: '考试前焦虑，需持续关注' });
		assert.equal(s.status, 201, s.text);
		const own = await xlsx(school, `/api/v1/schools/${sid}/counselling?format=xlsx`);
		assert.match(own.disposition, /filename="counselling-\d{8}\.xlsx"/);
		const row = own.rows.find((r) => r['记录'] === '考试前焦虑，需持续关注');
		assert.ok(row, 'the school reads its notes in the file');
		assert.equal(row['辅导形式'], '团体辅导');
		assert.equal(row['主题'], '情绪');
		assert.equal(row['人数'], 23);
		assert.equal(row['关注程度'], '需关注');
		assert.equal((await lastAudit('counselling.export')).username, 'school');
		const seen = await xlsx(centre, `/api/v1/schools/${sid}/counselling?format=xlsx`);
		assert.ok(!seen.head.includes('记录'), 'no notes column for the centre');
		assert.ok(!JSON.stringify(seen.rows).includes('考试前焦虑'));
		assert.equal(seen.rows.length, own.rows.length, 'the same sessions');
		assert.equal((await lastAudit('counselling.export')).username, 'center');
	});

	test('the registry\'s export: each child\'s live categories, suggested ones marked, read a page at a time', async () => {
		const tag = uniqueName('导出类别');
		const mk = async (suffix, guardians) => {
			const r = await director.post('/api/v1/children', { name: `${tag}${suffix}`, sex: 'M', birth_date: bornYearsBefore(10), village_code: OWN_VILLAGE, hukou_type: 'rural', guardians });
			assert.equal(r.status, 201, r.text);
			return r.body;
		};
		const away = [
			{ relation: 'father', name: '王强', status: 'working_away', work_place: '苏州' },
			{ relation: 'mother', name: '李芳', status: 'working_away', work_place: '苏州' },
		];
		const a = await mk('甲', away);
		const b = await mk('乙', [{ relation: 'father', name: '王刚', status: 'present' }]);
		const c = await mk('丙', away);
		const k = await centre.post(`/api/v1/children/${c.id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'HS-2026-7' });
		assert.equal(k.status, 200, k.text);
		const file = await xlsx(centre, `/api/v1/children/export?format=xlsx&q=${encodeURIComponent(tag)}`);
		const by = Object.fromEntries(file.rows.map((r) => [r['编号'], r['类别']]));
		assert.equal(file.rows.length, 3);
		assert.equal(by[a.id], '农村留守儿童（建议）', 'a suggestion is marked');
		assert.equal(by[b.id], '', 'no category');
		assert.equal(by[c.id], '农村留守儿童', 'confirmed');
		// codes in words, the village by its name beside its code, as on screen
		const rowC = file.rows.find((r) => r['编号'] === c.id);
		assert.ok(['男', '女'].includes(rowC['性别']), rowC['性别']);
		assert.ok(['农业', '非农业', ''].includes(rowC['户籍类型']), rowC['户籍类型']);
		assert.ok(['低', '中', '高'].includes(rowC['风险等级']), rowC['风险等级']);
		assert.equal(rowC['村（社区）'], (await centre.get(`/api/v1/areas/${rowC['村（社区）代码']}`)).body.name);
		const en = await csv(centre, `/api/v1/children/export?format=csv&lang=en&q=${encodeURIComponent(tag)}`);
		const enBy = Object.fromEntries(en.rows.map((r) => [r.ID, r]));
		assert.equal(enBy[String(a.id)].Categories, 'rural left-behind (suggested)');
		assert.equal(enBy[String(c.id)].Categories, 'rural left-behind');
		assert.ok(enBy[String(c.id)].Village);
		// the whole county, every row with its own categories (pages of a thousand)
		const all = await csv(centre, '/api/v1/children/export?format=csv');
		const total = (await centre.get('/api/v1/children?limit=1')).body.total;
		assert.equal(all.rows.length, total);
		const row = all.rows.find((r) => r['编号'] === String(c.id));
		assert.equal(row['类别'], '农村留守儿童');
		// in the list's order when it is sorted: each child once, with its categories
		for (const sort of ['name', '-birth_date']) {
			const sorted = await csv(centre, `/api/v1/children/export?format=csv&sort=${sort}`);
			assert.equal(sorted.rows.length, total, sort);
			assert.equal(new Set(sorted.rows.map((r) => r['编号'])).size, total, `${sort}: each child once`);
			const page = (await centre.get(`/api/v1/children?sort=${sort}&limit=50`)).body.items.map((x) => String(x.id));
			assert.deepEqual(sorted.rows.slice(0, 50).map((r) => r['编号']), page, `${sort}: the list's order`);
			assert.equal(sorted.rows.find((r) => r['编号'] === String(c.id))['类别'], '农村留守儿童', `${sort}: categories kept`);
			assert.equal(sorted.rows.find((r) => r['编号'] === String(a.id))['类别'], '农村留守儿童（建议）');
		}
	});
});
