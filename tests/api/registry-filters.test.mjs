// The registry's filters as staff type them: a name with blanks around it
// (a pasted name, the ideographic space of a Chinese input method) finds
// the child in the list and in the export; an age range whose least is
// more than its most is refused naming age_max instead of answering an
// empty list; and ages count under the county's birthday rule, as the
// categories do (with day_after, a child on its 16th birthday is 15). A
// count (limit=0) of a name or an ID number is a read of that child and is
// in the audit log; the figures alone (a home page's) name nobody and are not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { bornYearsBefore, compact, csvObjects } from './lib/registry.mjs';
import { make } from './lib/idnum.mjs';

const VILLAGE = '370831001001';

const register = async (client, name, birth) => {
	const r = await client.post('/api/v1/children', { name, sex: 'M', birth_date: birth, village_code: VILLAGE });
	assert.equal(r.status, 201, r.text);
	return r.body.id;
};

const listed = async (client, query) => {
	const r = await client.get(`/api/v1/children?${query}`);
	assert.equal(r.status, 200, r.text);
	return r.body;
};

const exported = async (client, query) => {
	const r = await client.get(`/api/v1/children/export?format=csv&${query}`);
	assert.equal(r.status, 200, r.text);
	return csvObjects(r.text.replace(/^\uFEFF/, '')).map((row) => Number(row['编号']));
};

describeEachDriver('registry filters: blanks around a name, the age range', (driver) => {
	let srv, centre, director, name, id;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		director = await srv.bearer('director');
		name = uniqueName('滕');
		id = await register(centre, name, bornYearsBefore(9));
	});
	after(async () => {
		await srv?.stop();
	});

	test('a name with blanks around it is found, in the list and in the export', async () => {
		for (const q of [` ${name} `, `${name}\u3000`, `\u3000${name.slice(0, 3)}`, `\t${name}`]) {
			const query = `q=${encodeURIComponent(q)}`;
			const page = await listed(director, query);
			assert.deepEqual(page.items.map((c) => c.id), [id], JSON.stringify(q));
			assert.equal(page.total, 1, JSON.stringify(q));
			assert.deepEqual(await exported(director, query), [id], JSON.stringify(q));
		}
		// only blanks is no name: the whole list, as without q
		const all = (await listed(director, 'limit=0')).total;
		assert.equal((await listed(director, `limit=0&q=${encodeURIComponent(' \u3000 ')}`)).total, all);
	});

	test('a count of an ID number or a name is a read in the audit log, the figures alone are not', async () => {
		const number = make(compact(bornYearsBefore(10)), 100 + Math.floor(Math.random() * 800), '370832');
		const r = await centre.post('/api/v1/children', { name: uniqueName('滕'), id_number: number, village_code: VILLAGE });
		assert.equal(r.status, 201, r.text);
		const auditor = await srv.bearer('auditor');
		const logged = async (res) => {
			const a = await auditor.get('/api/v1/audit?action=child.list&username=director&limit=50');
			assert.equal(a.status, 200, a.text);
			return a.body.items.find((e) => e.request_id === res.headers.get('x-request-id'));
		};
		// "is this child left behind": the answer is about one named child
		const byId = await director.get(`/api/v1/children?limit=0&id_number=${number}&category=left_behind`);
		assert.equal(byId.status, 200, byId.text);
		const entry = await logged(byId);
		assert.ok(entry, 'the count of an ID number is in the audit log');
		const d = JSON.parse(entry.detail);
		assert.equal(d.id_lookup, true);
		assert.equal(d.total, byId.body.total);
		assert.ok(!entry.detail.includes(number), 'not the number itself');
		const byName = await director.get(`/api/v1/children?limit=0&q=${encodeURIComponent(name)}`);
		assert.equal(byName.body.total, 1);
		assert.equal(JSON.parse((await logged(byName)).detail).name_search, true);
		// a home page's figures: nobody named, no read
		const figures = await director.get('/api/v1/children?limit=0&category=left_behind');
		assert.equal(figures.status, 200, figures.text);
		assert.equal(await logged(figures), undefined);
	});

	test('an age range upside down is refused naming age_max, in the list and the export', async () => {
		for (const path of ['/api/v1/children?age_min=10&age_max=5', '/api/v1/children/export?format=csv&age_min=10&age_max=5']) {
			const r = await director.get(path);
			assert.equal(r.status, 422, `${path}: ${r.text}`);
			assert.equal(r.body.error.field, 'age_max');
			assert.match(r.body.error.message, /age_max may not be less than age_min/);
		}
		// one year is a range: the children of that age
		const page = await listed(centre, `q=${encodeURIComponent(name)}&age_min=9&age_max=9`);
		assert.deepEqual(page.items.map((c) => c.id), [id]);
	});
});

describeEachDriver('registry filters: ages under the birthday rule', (driver) => {
	let onDay, dayAfter, name;
	const ids = {};

	before(async () => {
		onDay = await startServer(driver);
		dayAfter = await startServer(driver, { env: { WEIBAO_CATEGORY_BIRTHDAY: 'day_after' } });
		name = uniqueName('滕');
		for (const s of [onDay, dayAfter]) {
			const centre = await s.bearer('center');
			// 16 today, 16 yesterday, 16 tomorrow (under on_day)
			ids[s === onDay ? 'on' : 'after'] = {
				today: await register(centre, `${name}甲`, bornYearsBefore(16)),
				yesterday: await register(centre, `${name}乙`, bornYearsBefore(16, -1)),
				tomorrow: await register(centre, `${name}丙`, bornYearsBefore(16, 1)),
			};
			s.centre = centre;
		}
	});
	after(async () => {
		await onDay?.stop();
		await dayAfter?.stop();
	});

	const found = async (s, ages) => {
		const q = `q=${encodeURIComponent(name)}&sort=id&${ages}`;
		const page = await listed(s.centre, q);
		assert.equal(page.total, page.items.length);
		assert.deepEqual(await exported(s.centre, q), page.items.map((c) => c.id), 'the export as the list');
		return page.items.map((c) => c.id);
	};

	test('on_day: a child is 16 on its birthday', async () => {
		const k = ids.on;
		assert.deepEqual(await found(onDay, 'age_min=16'), [k.today, k.yesterday]);
		assert.deepEqual(await found(onDay, 'age_max=15'), [k.tomorrow]);
	});

	test('day_after: a child is 16 the day after its birthday, as its categories count', async () => {
		const k = ids.after;
		assert.deepEqual(await found(dayAfter, 'age_min=16'), [k.yesterday]);
		assert.deepEqual(await found(dayAfter, 'age_max=15'), [k.today, k.tomorrow]);
		assert.deepEqual(await found(dayAfter, 'age_min=15&age_max=15'), [k.today, k.tomorrow]);
	});
});
