// The linked child of a request is named only to whoever may read the
// child (SPEC §1, §9), in every list that names it as in the request
// itself: a department or organisation with an active referral reads the
// child while the grant lasts, but once the child has left active work
// (archived: moved away) the unit still holds its referral and learns that
// a child was linked, not who — from the request, the request list and
// the referral list and a referral step's answer alike. The centre still
// names the child.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { csvObjects } from './lib/registry.mjs';
import { VILLAGE, step, referralOf, unitIds, birthForAge } from './lib/loop.mjs';

describeEachDriver('linked child in lists', (driver) => {
	let srv, director, station, centre, medical, charity, units;

	before(async () => {
		srv = await startServer(driver);
		[director, station, centre, medical, charity] = await Promise.all(
			['director', 'station', 'center', 'dept_medical_insurance', 'org'].map((u) => srv.login(u)),
		);
		units = await unitIds(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const referredRequest = async (name) => {
		const made = await director.post('/api/v1/children', { name, sex: 'F', birth_date: birthForAge(10), village_code: VILLAGE });
		assert.equal(made.status, 201, made.text);
		const filed = await director.post('/api/v1/requests', { child_id: made.body.id, kind: 'medical', narrative: '需要医疗救助' });
		assert.equal(filed.status, 201, filed.text);
		const id = filed.body.id;
		await step(station, id, 'review');
		await step(station, id, 'forward');
		await step(centre, id, 'accept');
		await step(centre, id, 'refer', {
			referrals: [
				{ unit_id: units.medical_insurance, ask: '医疗救助', fields: ['health'] },
				{ unit_id: units.county_charity, ask: '慈善救助', fields: ['health'] },
			],
		});
		return { child: made.body, id };
	};

	const referralRow = async (client, id) => {
		const r = await client.get('/api/v1/referrals?limit=200');
		assert.equal(r.status, 200, r.text);
		const row = r.body.items.find((f) => f.request_id === id);
		assert.ok(row, `the referral of request ${id} is listed`);
		return { row, text: r.text };
	};

	test('units with an active referral read the child in every list while they may read the child', async () => {
		const name = uniqueName('转办可见');
		const { child, id } = await referredRequest(name);
		for (const unit of [medical, charity]) {
			const { row } = await referralRow(unit, id);
			assert.equal(row.child.name, name, 'the referral list names the child');
			assert.equal(row.child.withheld, undefined);
			const list = (await unit.get('/api/v1/requests?limit=200')).body.items.find((q) => q.id === id);
			assert.equal(list.child.name, name, 'the request list names the child');
			assert.equal((await unit.get(`/api/v1/requests/${id}`)).body.child.name, name);
			assert.equal((await unit.get(`/api/v1/children/${child.id}`)).status, 200);
		}
	});

	test('once the child is archived, a unit still holding its referral is not told the name by any list; the centre is', async () => {
		const name = uniqueName('转办归档');
		const { child, id } = await referredRequest(name);
		const accepted = await medical.post(`/api/v1/referrals/${(await referralOf(medical, id)).id}/actions`, {
			action: 'accept',
			version: (await referralOf(medical, id)).version,
		});
		assert.equal(accepted.status, 200, accepted.text);
		assert.equal(accepted.body.child.name, name, 'the step answer names the child while it may be read');

		const archived = await station.post(`/api/v1/children/${child.id}/archive`, { reason: 'moved_away', note: '随父母迁往外省' });
		assert.equal(archived.status, 200, archived.text);

		for (const unit of [medical, charity]) {
			assert.equal((await unit.get(`/api/v1/children/${child.id}`)).status, 404, 'the child is no longer the unit\'s to read');
			const one = await unit.get(`/api/v1/requests/${id}`);
			assert.equal(one.status, 200, 'the unit still holds the request');
			assert.equal(one.body.child.withheld, true);
			assert.ok(!one.text.includes(name), 'the request does not name the child');

			const { row, text } = await referralRow(unit, id);
			assert.equal(row.state === 'pending' || row.state === 'accepted', true, 'the referral is still active');
			assert.equal(row.child.id, child.id, 'that a child is linked is said');
			assert.equal(row.child.withheld, true);
			assert.equal(row.child.name, undefined);
			assert.ok(!text.includes(name), 'the referral list does not name the child');
			assert.ok(!JSON.stringify(row).includes(child.birth_date), 'nor the birth date');

			const requests = await unit.get('/api/v1/requests?limit=200');
			assert.equal(requests.body.items.find((q) => q.id === id).child.withheld, true);
			assert.ok(!requests.text.includes(name), 'the request list does not name the child');
			for (const format of ['csv', 'xlsx']) {
				const file = await unit.get(`/api/v1/requests?format=${format}`);
				assert.equal(file.status, 403, 'nor does a download: a unit exports no list of children');
			}
		}
		// a step's answer carries the referral with its request: no name either
		const f = await referralOf(medical, id);
		const progress = await medical.post(`/api/v1/referrals/${f.id}/actions`, { action: 'progress', note: '已联系家属', version: f.version });
		assert.equal(progress.status, 200, progress.text);
		assert.equal(progress.body.child.withheld, true);
		assert.ok(!progress.text.includes(name), 'the step answer does not name the child');

		// the centre still names the child, in its lists and its download
		const { row } = await referralRow(centre, id);
		assert.equal(row.child.name, name);
		const csv = await centre.get('/api/v1/requests?format=csv&state=all');
		assert.equal(csv.status, 200, csv.text);
		const line = csvObjects(csv.text).find((x) => x['编号'] === String(id));
		assert.equal(line['儿童姓名'], name);
	});
});
