// Hope rooms and 1 + N plans saved before a township was required have
// none, and no township saw them (a township sees the projects of its area
// and those serving a child living there, and adds the child). Migration
// 0035 fills the township where it follows unambiguously — where the
// project's children live, when that is one township; for a project with
// no child yet, the township of the organisation running it — and leaves
// the rest for the centre, who finds them by ?area=none (area_missing) and
// sets the township, after which the township sees the project.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { migratedFrom, describeEachDriver, sql, startServer, uniqueName } from './lib/harness.mjs';
import { bornYearsBefore } from './lib/registry.mjs';

const T1 = '370831001'; // station's township
const V1 = '370831001001'; // director's village in it
const T2 = '370831101'; // station03's township
const V2 = '370831101201'; // director2's village in it

describeEachDriver('projects without a township', (driver) => {
	let srv, admin, centre, director, director2;

	before(async () => {
		srv = await startServer(driver);
		[admin, centre, director, director2] = await Promise.all(['admin', 'center', 'director', 'director2'].map((u) => srv.login(u)));
	});
	after(async () => {
		await srv?.stop();
	});

	const child = async (client, village) => {
		const r = await client.post('/api/v1/children', { name: uniqueName('小屋'), sex: 'F', birth_date: bornYearsBefore(9), village_code: village });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const org = async (area) => {
		const r = await admin.post('/api/v1/units', { kind: 'org', code: `org_${Math.random().toString(36).slice(2, 10)}`, name: uniqueName('公益组织'), ...(area ? { area_code: area } : {}) });
		assert.equal(r.status, 201, r.text);
		return r.body.id;
	};
	const project = async (orgId, kind, area) => {
		const r = await centre.post('/api/v1/projects', { org_id: orgId, kind, name: uniqueName('项目'), area_code: area });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};
	const serve = async (p, c) => {
		const r = await centre.post(`/api/v1/projects/${p.id}/children`, { child_id: c.id, services: '学习桌椅' });
		assert.equal(r.status, 201, r.text);
		return r.body;
	};

	test('the upgrade sets the township from the children or the organisation; the centre finds and sets the rest', async () => {
		const countyOrg = await org(null);
		const townOrg = await org(`${T2}`);
		// a hope room serving a child of T1, run by a county organisation: T1
		const byChild = await project(countyOrg, 'hope_room', V2);
		await serve(byChild, await child(director, V1));
		// a 1 + N plan with no child yet, run by an organisation of T2: T2
		const byOrg = await project(townOrg, 'one_plus_n', V1);
		// a hope room with no child, run by a county organisation: nothing says where
		const unknown = await project(countyOrg, 'hope_room', V1);
		// a hope room whose child was taken off and another of another township added: two townships
		const twoTowns = await project(countyOrg, 'hope_room', V1);
		const first = await child(director, V1);
		await serve(twoTowns, first);
		const off = await centre.post(`/api/v1/projects/${twoTowns.id}/children/${first.id}/remove`, { reason: '迁出' });
		assert.equal(off.status, 200, off.text);
		await serve(twoTowns, await child(director2, V2));
		// a service programme without an area needs none
		const service = await project(countyOrg, 'service', undefined);

		// as saved before a township was required
		await srv.stop({ keep: true });
		const ids = [byChild, byOrg, unknown, twoTowns].map((p) => p.id).join(', ');
		await sql(srv.db, `UPDATE projects SET area_code = NULL WHERE id IN (${ids})`);
		srv = await migratedFrom(srv.db, 34);
		const [centre2, station, station03] = await Promise.all(['center', 'station', 'station03'].map((u) => srv.login(u)));
		const read = async (p) => (await centre2.get(`/api/v1/projects/${p.id}`)).body;

		assert.equal((await read(byChild)).area_code, T1, 'where its child lives');
		assert.equal((await read(byChild)).area_missing, false);
		assert.equal((await read(byOrg)).area_code, T2, 'where its organisation is');
		assert.equal((await read(unknown)).area_code, null);
		assert.equal((await read(unknown)).area_missing, true, 'marked for the centre');
		assert.equal((await read(twoTowns)).area_code, null, 'two townships: not guessed');
		assert.equal((await read(service)).area_missing, false, 'a service programme needs no township');

		// the townships see what is theirs now
		const ofT1 = (await station.get('/api/v1/projects')).body.items.map((p) => p.id);
		assert.ok(ofT1.includes(byChild.id));
		assert.ok(!ofT1.includes(unknown.id), 'nobody knows whose it is yet');
		assert.ok((await station03.get('/api/v1/projects')).body.items.some((p) => p.id === byOrg.id));

		// the centre's list of those without a township
		const none = await centre2.get('/api/v1/projects?area=none');
		assert.equal(none.status, 200, none.text);
		const noneIds = none.body.items.map((p) => p.id);
		assert.ok(noneIds.includes(unknown.id) && noneIds.includes(twoTowns.id), JSON.stringify(noneIds));
		assert.ok(!noneIds.includes(byChild.id) && !noneIds.includes(byOrg.id) && !noneIds.includes(service.id));
		assert.ok(none.body.items.every((p) => p.area_missing));
		const bad = await centre2.get('/api/v1/projects?area=nowhere');
		assert.equal(bad.status, 422);
		assert.equal(bad.body.error.field, 'area');

		// set, it leaves the list and the township sees it
		const cur = await read(unknown);
		const set = await centre2.patch(`/api/v1/projects/${unknown.id}`, { version: cur.version, area_code: T1 });
		assert.equal(set.status, 200, set.text);
		assert.equal(set.body.area_missing, false);
		assert.ok(!(await centre2.get('/api/v1/projects?area=none')).body.items.some((p) => p.id === unknown.id));
		assert.ok((await station.get('/api/v1/projects')).body.items.some((p) => p.id === unknown.id));
	});
});
