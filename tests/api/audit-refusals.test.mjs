// A refused look at children's data is audited (SPEC §9: every read of a
// child's file is logged): a role probing the registry's history, visits,
// benefits or exports, answered 403, leaves an entry with outcome
// "denied" that the auditor finds, as a probe answered 404 does. A refused
// download of any list that names people (help requests, the visit plan,
// entitlements, caring mothers, projects, accounts, the audit report) is
// recorded under that download's own action, so "every export" finds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';

describeEachDriver('refusals of children data are audited', (driver) => {
	let srv, auditor, centre, dept, committee, child;

	before(async () => {
		srv = await startServer(driver);
		auditor = await srv.login('auditor');
		centre = await srv.login('center');
		dept = await srv.login('department');
		committee = await srv.login('committee');
		const c = await centre.post('/api/v1/children', { name: uniqueName('拒看'), sex: 'F', birth_date: '2016-05-05', village_code: '370831001001' });
		assert.equal(c.status, 201, c.text);
		child = c.body.id;
	});
	after(async () => {
		await srv?.stop();
	});

	async function denied(action, username) {
		const r = await auditor.get(`/api/v1/audit?action=${action}&limit=20`);
		assert.equal(r.status, 200, r.text);
		return r.body.items.filter((e) => e.username === username && e.outcome === 'denied');
	}

	test("a department refused a child's history, and the registry's export, is in the log", async () => {
		const h = await dept.get(`/api/v1/children/${child}/history`);
		assert.equal(h.status, 403, h.text);
		const hist = await denied('child.history', 'department');
		assert.equal(hist.length, 1, 'one entry for the refused history');
		assert.equal(hist[0].object_type, 'child');
		assert.equal(hist[0].object_id, String(child), 'the entry names the child asked for');

		const x = await dept.get('/api/v1/children/export?format=csv');
		assert.equal(x.status, 403, x.text);
		const ex = await denied('child.export', 'department');
		assert.equal(ex.length, 1, 'the refused export is logged');
		assert.equal(ex[0].object_id, '');
	});

	test('a refused download of a list naming people is in the log under that download\'s action; a refused list on screen is not a download', async () => {
		const school = await srv.login('school');
		const admin = await srv.login('admin');
		const tries = [
			// [client, username, path, action, record type]
			[committee, 'committee', '/api/v1/requests?format=csv', 'request.export', 'request'],
			[dept, 'department', '/api/v1/requests?format=xlsx&lang=en', 'request.export', 'request'],
			[school, 'school', '/api/v1/visits/plan?format=xlsx', 'visit.plan_export', 'child'],
			[dept, 'department', '/api/v1/entitlements?format=csv', 'entitlement.export', 'child'],
			[committee, 'committee', '/api/v1/entitlements/ledger?format=csv', 'entitlement.ledger_export', 'child'],
			[dept, 'department', '/api/v1/caring-mothers?format=csv', 'caring.export', 'caring_mother'],
			[dept, 'department', '/api/v1/programmes?format=csv', 'programme.export', 'programme'],
			[school, 'school', '/api/v1/projects?format=csv', 'project.export', 'project'],
			[centre, 'center', '/api/v1/users?format=csv', 'user.export', 'user'],
			[admin, 'admin', '/api/v1/audit/export', 'audit.export', 'audit_log'],
		];
		for (const [client, username, path, action, type] of tries) {
			const r = await client.get(path);
			assert.equal(r.status, 403, `${username} ${path}: ${r.text}`);
			const got = await denied(action, username);
			assert.equal(got.length, 1, `${username}'s refused ${path} is logged as ${action}`);
			assert.equal(got[0].object_type, type, path);
			assert.equal(got[0].object_id, '', path);
			// the file asked for, as the auditor reads a made download's detail
			const format = new URL(path, 'http://x').searchParams.get('format');
			if (format) assert.deepEqual(JSON.parse(got[0].detail), { format, path: path.split('?')[0] }, path);
		}
		// the same lists refused on screen (no file asked for) are not downloads
		const onScreen = await committee.get('/api/v1/visits/plan');
		assert.equal(onScreen.status, 403, onScreen.text);
		assert.equal((await denied('visit.plan_export', 'committee')).length, 0);
		// a download made is an export "ok", not a refusal
		const made = await centre.get('/api/v1/requests?format=csv');
		assert.equal(made.status, 200, made.text);
		assert.equal((await denied('request.export', 'center')).length, 0);
	});

	test("the committee refused a child's visits is in the log; the centre's allowed read is not a refusal", async () => {
		const v = await committee.get(`/api/v1/children/${child}/visits`);
		assert.equal(v.status, 403, v.text);
		const vis = await denied('child.visits', 'committee');
		assert.equal(vis.length, 1);
		assert.equal(vis[0].object_id, String(child));

		const ok = await centre.get(`/api/v1/children/${child}/visits`);
		assert.equal(ok.status, 200, ok.text);
		assert.equal((await denied('child.visits', 'center')).length, 0);
	});
});
