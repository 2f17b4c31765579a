// Input at its edges: an attachment's name is a safe file name ending in
// the extension of what its bytes are (never .html, no right-to-left
// override), CSV cells a spreadsheet would run are defused (= + - @ tab CR
// LF) and never cut, an exported list imports back unchanged (the ' the
// defuser adds is taken off again), an id in the path is digits alone, and
// a JSON text with \u0000 is refused in words the caller understands.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName, sql } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { PNG, PDF } from './lib/loop.mjs';
import { csvLine, download, importFile, parseCsv } from './lib/registry.mjs';

const VILLAGE = '370831001001'; // director's
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

describeEachDriver('input edges', (driver) => {
	let srv, director, centre, admin, auditor, ids, request;

	before(async () => {
		srv = await startServer(driver);
		director = await srv.login('director');
		centre = await srv.bearer('center');
		admin = await srv.login('admin');
		auditor = await srv.login('auditor');
		ids = await IdFactory.fromServer(centre);
		const r = await director.post('/api/v1/requests', { kind: 'medical', narrative: '需要帮助', village_code: VILLAGE });
		assert.equal(r.status, 201, r.text);
		request = r.body;
	});
	after(async () => {
		await srv?.stop();
	});

	const attach = async (bytes, name) => {
		const r = await director.request('POST', `/api/v1/requests/${request.id}/attachments?name=${encodeURIComponent(name)}`, {
			body: bytes,
			headers: { 'content-type': 'application/octet-stream' },
		});
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	// the name a browser saves the download under (filename* first)
	const savedAs = async (id) => {
		const res = await download(director, `/api/v1/requests/${request.id}/attachments/${id}`);
		assert.equal(res.status, 200);
		const h = res.headers.get('content-disposition');
		const star = /filename\*=UTF-8''([^;]+)/.exec(h);
		assert.ok(star, h);
		return decodeURIComponent(star[1]);
	};
	const shown = async (id) => (await director.get(`/api/v1/requests/${request.id}`)).body.attachments.find((a) => a.id === id).file_name;

	test("an attachment's name ends in its type's extension, without control or direction-changing characters", async () => {
		const cases = [
			[PNG, '诊断证明.html', '诊断证明.png'],
			[PNG, '病历\u202Egnp.html', '病历gnp.png'], // shown as 病历lmth.png before
			[PNG, '\u200B检\u2066查\u0085单\uFEFF\u200F.svg\u202C', '检查单.png'],
			[JPEG, '照片.JPEG', '照片.jpg'],
			[JPEG, 'photo', 'photo.jpg'],
			[PDF, '报告.pdf.exe', '报告.pdf.pdf'],
			[PDF, '证明.PDF', '证明.pdf'],
			[PNG, 'scan.png', 'scan.png'],
			[PNG, ' 体检.html. ', '体检.png'],
		];
		for (const [bytes, name, want] of cases) {
			const up = await attach(bytes, name);
			assert.equal(up.file_name, want, JSON.stringify(name));
			assert.equal(await shown(up.id), want, JSON.stringify(name));
			assert.equal(await savedAs(up.id), want, JSON.stringify(name));
		}
		// a long name is cut on a character, its extension kept
		const long = await attach(PNG, '字'.repeat(200) + '.html');
		assert.ok(Buffer.byteLength(long.file_name) <= 100, long.file_name);
		assert.match(long.file_name, /^字+\.png$/);
		assert.equal(await savedAs(long.id), long.file_name);
		// nothing left of a name: none, and the download's own
		const none = await attach(PNG, '\u202E\u200B. ');
		assert.equal(none.file_name, null);
		const res = await download(director, `/api/v1/requests/${request.id}/attachments/${none.id}`);
		assert.equal(res.headers.get('content-disposition'), 'attachment; filename="attachment.png"');
	});

	test('a name stored before the rule is shown and saved with its type\'s extension', async () => {
		const up = await attach(PNG, 'old.png');
		await sql(srv.db, `UPDATE request_attachments SET file_name = '诊断证明.html' WHERE id = ${up.id}`);
		assert.equal(await shown(up.id), '诊断证明.png');
		assert.equal(await savedAs(up.id), '诊断证明.png');
	});

	test("an import's file name is kept without direction-changing characters", async () => {
		const n = ids.next();
		const csv = csvLine(['姓名', '身份证号', '村（社区）代码']) + csvLine([uniqueName('名单'), n, VILLAGE]);
		const { job } = await importFile(centre, Buffer.from(csv), { fileName: '名单\u202Evsc.exe' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.file_name, '名单vsc.exe');
	});

	test('CSV cells beginning with = + - @, a tab, CR or LF are defused, and no cell is cut', async () => {
		const day = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
		const topics = [uniqueName('@SUM(A1)'), uniqueName('\t=1+2'), uniqueName('\r=1+2'), uniqueName('\n=1+2')];
		const long = '-' + '字'.repeat(499);
		for (const topic of topics) {
			const r = await director.post('/api/v1/talks', { held_on: day, kind: 'education', topic, children: 3, adults: 1, notes: long });
			assert.equal(r.status, 201, r.text);
		}
		// a topic loses the blanks around it on input; notes keep them: a cell starting with a tab, CR or LF
		const blankLed = [uniqueName('\t=1+2'), uniqueName('\r=1+2'), uniqueName('\n=1+2')];
		for (const notes of blankLed) {
			const r = await director.post('/api/v1/talks', { held_on: day, kind: 'education', topic: '防溺水', children: 3, adults: 1, notes });
			assert.equal(r.status, 201, r.text);
		}
		const x = await download(director, '/api/v1/talks?format=csv&lang=en');
		assert.equal(x.status, 200);
		const rows = parseCsv(x.bytes.toString('utf8'));
		const head = rows[0];
		const topic = head.indexOf('Topic'), notes = head.indexOf('Notes');
		for (const t of topics) {
			const row = rows.find((r) => r[topic] === `'${t.trim()}`);
			assert.ok(row, `${JSON.stringify(t)} defused: ${JSON.stringify(rows.map((r) => r[topic]))}`);
			assert.equal(row[notes], `'${long}`, 'the whole 500 characters, after the defusing \'');
		}
		for (const n of blankLed)
			assert.ok(rows.some((r) => r[notes] === `'${n}`), `${JSON.stringify(n)} defused: ${JSON.stringify(rows.map((r) => r[notes]).slice(0, 8))}`);
	});

	test("a failed login's user name reaches the audit report defused", async () => {
		const name = '\t=1+2';
		const r = await srv.anon().post('/api/v1/login', { username: name, password: 'Wrong-Pass-2026' });
		assert.equal(r.status, 401);
		const x = await download(auditor, '/api/v1/audit/export?action=login&lang=en');
		assert.equal(x.status, 200, x.bytes.toString());
		const rows = parseCsv(x.bytes.toString('utf8'));
		const user = rows[0].indexOf('User name');
		const cells = rows.slice(1).map((row) => row[user]);
		assert.ok(cells.includes(`'${name}`), JSON.stringify(cells.slice(0, 5)));
		assert.ok(!cells.some((c) => /^[=+\-@\t\r\n]/.test(c)), 'no cell a spreadsheet would run');
	});

	test('the area list exported and imported again is unchanged', async () => {
		const csv = `code,name\n370831101311,=${uniqueName('村')}\n370831101312,-${uniqueName('村')}\n370831101313,@${uniqueName('村')}\n`;
		const imp = (body) => admin.request('POST', '/api/v1/areas/import', { body, headers: { 'content-type': 'text/csv' } });
		const first = await imp(csv);
		assert.equal(first.status, 200, first.text);
		assert.equal(first.body.imported, 3);
		const before = Object.fromEntries((await admin.listAll('/api/v1/areas?parent=370831101', { limit: 1000 })).map((a) => [a.code, a.name]));
		const x = await download(admin, '/api/v1/areas?parent=370831101&format=csv');
		assert.equal(x.status, 200);
		assert.match(x.bytes.toString('utf8'), /370831101311,'=/, 'the export is defused');
		for (let round = 0; round < 2; round++) {
			const again = await imp(x.bytes);
			assert.equal(again.status, 200, again.text);
			assert.equal(again.body.renamed, 0, JSON.stringify(again.body));
			assert.equal(again.body.imported, 0, JSON.stringify(again.body));
		}
		const after = Object.fromEntries((await admin.listAll('/api/v1/areas?parent=370831101', { limit: 1000 })).map((a) => [a.code, a.name]));
		assert.deepEqual(after, before);
		assert.ok(after['370831101311'].startsWith('='), after['370831101311']);
	});

	test('the unit list exported and imported again is unchanged', async () => {
		const name = `=${uniqueName('援助中心')}`;
		const r = await admin.request('POST', '/api/v1/units/import', { body: `kind,code,name\norg,formula_org,${name}\n`, headers: { 'content-type': 'text/csv' } });
		assert.equal(r.status, 200, r.text);
		const x = await download(admin, '/api/v1/units?format=csv&lang=en');
		assert.equal(x.status, 200);
		assert.match(x.bytes.toString('utf8'), new RegExp(`formula_org,'${name}`), 'the export is defused');
		const again = await admin.request('POST', '/api/v1/units/import', { body: x.bytes, headers: { 'content-type': 'text/csv' } });
		assert.equal(again.status, 200, again.text);
		assert.equal(again.body.renamed, 0, JSON.stringify(again.body));
		assert.equal(again.body.imported, 0, JSON.stringify(again.body));
		const unit = (await admin.get('/api/v1/units?kind=org')).body.items.find((u) => u.code === 'formula_org');
		assert.equal(unit.name, name);
	});

	test("a child's export imported again is unchanged, a grade of -2+3 included", async () => {
		const name = uniqueName('公式');
		const c = await centre.post('/api/v1/children', { name, id_number: ids.next(), village_code: VILLAGE, grade: '-2+3', notes: '=备注' });
		assert.equal(c.status, 201, c.text);
		const x = await download(centre, `/api/v1/children/export?format=csv&lang=en&q=${encodeURIComponent(name)}`);
		assert.equal(x.status, 200);
		assert.equal(x.headers.get('x-export-rows'), '1');
		assert.match(x.bytes.toString('utf8'), /'-2\+3/, 'the export is defused');
		const { job } = await importFile(centre, x.bytes, { fileName: 'export.csv' });
		assert.equal(job.status, 'done', JSON.stringify(job));
		assert.equal(job.unchanged, 1, JSON.stringify(job.issues));
		assert.equal(job.conflicts, 0, JSON.stringify(job.issues));
		assert.equal((await centre.get(`/api/v1/children/${c.body.id}`)).body.grade, '-2+3');
	});

	test('an id in the path is digits alone: a NUL, a blank or anything after it is not found', async () => {
		const c = await centre.post('/api/v1/children', { name: uniqueName('路径'), sex: 'F', birth_date: '2016-06-06', village_code: VILLAGE });
		assert.equal(c.status, 201, c.text);
		const id = c.body.id;
		assert.equal((await centre.get(`/api/v1/children/${id}`)).status, 200);
		for (const bad of [`${id}%00`, `%20${id}`, `${id}%20`, `+${id}`, `%2B${id}`, `${id}%00x`, `0${id}x`]) {
			const r = await centre.get(`/api/v1/children/${bad}`);
			assert.equal(r.status, 404, `${bad}: ${r.text}`);
			assert.equal(r.body.error.code, 'not_found');
		}
		const up = await attach(PNG, 'a.png');
		assert.equal((await director.get(`/api/v1/requests/${request.id}%00x`)).status, 404);
		assert.equal((await director.get(`/api/v1/requests/${request.id}/attachments/${up.id}%00.html`)).status, 404);
		assert.equal((await director.get(`/api/v1/requests/${request.id}/attachments/${up.id}`)).status, 200);
		// a query's id as well: 422 naming it
		const q = await centre.get(`/api/v1/children?school_id=%201`);
		assert.equal(q.status, 422, q.text);
		assert.equal(q.body.error.field, 'school_id');
	});

	test('a JSON text with \\u0000 is refused, naming where it is', async () => {
		const body = '{"name": "a\\u0000b", "sex": "M", "birth_date": "2016-06-06", "village_code": "370831001001"}';
		const r = await centre.request('POST', '/api/v1/children', { body, headers: { 'content-type': 'application/json' } });
		assert.equal(r.status, 400, r.text);
		assert.equal(r.body.error.code, 'malformed_json');
		assert.match(r.body.error.message, /^malformed JSON at line 1, column \d+: text must not contain the NUL character \(\\u0000\)$/);
		assert.doesNotMatch(r.body.error.message, /JSON_ALLOW_NUL/);
		const key = await centre.request('POST', '/api/v1/children', { body: '{"na\\u0000me": 1}', headers: { 'content-type': 'application/json' } });
		assert.equal(key.status, 400, key.text);
		assert.match(key.body.error.message, /NUL character/);
		// the NUL byte itself, not escaped: where it is, not "near end of file"
		for (const [raw, where] of [
			['{"name": "a\u0000b"}', 'line 1, column 12'],
			['{\n  "name":\u0000 "a"}', 'line 2, column 10'],
		]) {
			const r = await centre.request('POST', '/api/v1/children', { body: Buffer.from(raw), headers: { 'content-type': 'application/json' } });
			assert.equal(r.status, 400, r.text);
			assert.equal(r.body.error.message, `malformed JSON at ${where}: text must not contain the NUL character`);
		}
	});
});
