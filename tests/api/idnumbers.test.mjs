// Resident ID numbers through POST /api/v1/children, as the centre (which
// sees whole numbers): check characters, dates, lower-case x, 15-digit
// legacy numbers and duplicates (SPEC §3, GB 11643).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, uniqueName } from './lib/harness.mjs';
import { IdFactory, make, legacyTo18, sexOf, birthOf, checkChar, chinaDate } from './lib/idnum.mjs';

const VILLAGE = '370831001001';

describeEachDriver('ID numbers', (driver) => {
	let srv, centre, ids;

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.login('center');
		ids = await IdFactory.fromServer(centre);
	});
	after(async () => {
		await srv?.stop();
	});

	const register = (id_number, extra = {}) =>
		centre.post('/api/v1/children', { name: uniqueName('编号'), id_number, village_code: VILLAGE, ...extra });

	const total = async () => {
		const r = await centre.get('/api/v1/children?limit=1');
		assert.equal(r.status, 200);
		return r.body.total;
	};

	const assertIdRejected = (r, what) => {
		assert.equal(r.status, 422, `${what}: ${r.text}`);
		assert.equal(r.body.error.field, 'id_number', what);
		assert.equal(r.body.error.code, 'invalid_id_number', what);
	};

	test('valid numbers are accepted; sex and birth date are derived from the number', async () => {
		const vectors = [
			ids.next({ birth: '20100101', sex: 'M' }),
			ids.next({ birth: '20121231', sex: 'F' }),
			ids.next({ birth: '20160229', sex: 'F' }), // leap day
			ids.next({ birth: '20200229', sex: 'M' }),
			ids.next({ birth: '20230615', check: '0' }),
			ids.next({ sex: 'F' }),
			ids.next({ sex: 'M' }),
		];
		for (const n of vectors) {
			const r = await register(n);
			assert.equal(r.status, 201, `${n}: ${r.text}`);
			assert.equal(r.body.id_number, n);
			assert.equal(r.body.id_number_masked, false);
			assert.equal(r.body.sex, sexOf(n), `sex of ${n}`);
			assert.equal(r.body.birth_date, birthOf(n), `birth date of ${n}`);
			assert.equal(r.headers.get('location'), `/api/v1/children/${r.body.id}`);

			const g = await centre.get(`/api/v1/children/${r.body.id}`);
			assert.equal(g.status, 200);
			assert.equal(g.body.id_number, n);
			assert.equal(g.body.sex, sexOf(n));
			assert.equal(g.body.birth_date, birthOf(n));

			const s = await centre.get(`/api/v1/children?id_number=${n}`);
			assert.equal(s.status, 200);
			assert.deepEqual(
				s.body.items.map((c) => c.id),
				[r.body.id],
				`lookup by ${n}`,
			);
		}
	});

	test('sex and birth_date sent with a number must agree with it', async () => {
		const n = ids.next({ sex: 'F' });
		let r = await register(n, { sex: 'M' });
		assert.equal(r.status, 422, r.text);
		assert.equal(r.body.error.field, 'sex');
		r = await register(n, { birth_date: '2001-01-01' });
		assert.equal(r.status, 422, r.text);
		assert.equal(r.body.error.field, 'birth_date');
		r = await register(n, { sex: 'F', birth_date: birthOf(n) });
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.id_number, n);
	});

	test('every wrong check character is refused with 422 on id_number, and nothing is stored', async () => {
		const n = ids.next();
		const right = n[17];
		const before = await total();
		const wrong = [...'0123456789X'].filter((c) => c !== right);
		if (right !== 'X') wrong.push('x');
		assert.equal(wrong.length >= 10, true);
		for (const c of wrong) {
			const r = await register(n.slice(0, 17) + c);
			assertIdRejected(r, `check character ${c} (right one is ${right})`);
		}
		assert.equal(await total(), before, 'no child was added by the refused numbers');
		const ok = await register(n);
		assert.equal(ok.status, 201, ok.text);
		assert.equal(await total(), before + 1);
	});

	test('numbers with impossible birth dates are refused even with a correct check character', async () => {
		const dates = {
			'30 February': '20160230',
			'29 February of a non-leap year': '20190229',
			'month 13': '20151301',
			'month 00': '20150015',
			'day 00': '20150100',
			'31 April': '20150431',
			'32 January': '20150132',
		};
		for (const [what, date] of Object.entries(dates)) {
			const n = make(date, 123);
			assert.equal(n[17], checkChar(n.slice(0, 17)));
			assertIdRejected(await register(n), what);
		}
	});

	test('future birth dates are refused; today is accepted', async () => {
		for (let attempt = 0; attempt < 2; attempt++) {
			const today = chinaDate();
			const tomorrow = chinaDate(1);
			const nextYear = `${today.y + 1}${today.compact.slice(4)}`.replace(/0229$/, '0228');
			const rTomorrow = await register(ids.next({ birth: tomorrow.compact }));
			const rNextYear = await register(ids.next({ birth: nextYear }));
			const nToday = ids.next({ birth: today.compact });
			const rToday = await register(nToday);
			const rBirthField = await centre.post('/api/v1/children', {
				name: uniqueName('未来'),
				sex: 'F',
				birth_date: tomorrow.iso,
				village_code: VILLAGE,
			});
			if (chinaDate().compact !== today.compact) continue; // the day turned during the test: again
			assertIdRejected(rTomorrow, 'born tomorrow');
			assertIdRejected(rNextYear, 'born next year');
			assert.equal(rToday.status, 201, `born today: ${rToday.text}`);
			assert.equal(rToday.body.birth_date, today.iso);
			assert.equal(rBirthField.status, 422, rBirthField.text);
			assert.equal(rBirthField.body.error.field, 'birth_date');
			return;
		}
		assert.fail('the date kept changing');
	});

	test('a lower-case x is accepted and stored upper case', async () => {
		const n = ids.next({ check: 'X' });
		assert.equal(n[17], 'X');
		const lower = n.slice(0, 17) + 'x';
		const r = await register(lower);
		assert.equal(r.status, 201, r.text);
		assert.equal(r.body.id_number, n);

		const g = await centre.get(`/api/v1/children/${r.body.id}`);
		assert.equal(g.body.id_number, n);
		for (const q of [n, lower]) {
			const s = await centre.get(`/api/v1/children?id_number=${q}`);
			assert.deepEqual(
				s.body.items.map((c) => c.id),
				[r.body.id],
				`lookup by ${q}`,
			);
		}
		const dup = await register(n);
		assert.equal(dup.status, 409, `the upper-case form is the same number: ${dup.text}`);
	});

	test('15-digit legacy numbers are converted (19 inserted, check computed) and sex/birth date derived', async () => {
		const cases = [
			{ n15: '370831990317123', birth: '1999-03-17', sex: 'M' },
			{ n15: '370831991224042', birth: '1999-12-24', sex: 'F' },
		];
		// A legacy number belongs to someone born before 2000, now grown up:
		// the registry takes them only within the archive's grace after 18,
		// which the county may set to up to ten years.
		const tooOld = await register(cases[0].n15);
		assert.equal(tooOld.status, 422, tooOld.text);
		assert.equal(tooOld.body.error.field, 'id_number');
		assert.match(tooOld.body.error.message, /18 or older/);
		const grace = await centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 3650 } });
		assert.equal(grace.status, 200, grace.text);
		try {
			await legacyCases(cases);
		} finally {
			await centre.request('PUT', '/api/v1/registry/archive-config', { json: { adult_grace_days: 90 } });
		}
		assertIdRejected(await register('370831990230123'), 'legacy number with 30 February');
	});

	const legacyCases = async (cases) => {
		for (const { n15, birth, sex } of cases) {
			const n18 = legacyTo18(n15);
			assert.equal(n18.length, 18);
			const r = await register(n15);
			assert.equal(r.status, 201, `${n15}: ${r.text}`);
			assert.equal(r.body.id_number, n18);
			assert.equal(r.body.birth_date, birth);
			assert.equal(r.body.sex, sex);
			const dup = await register(n18);
			assert.equal(dup.status, 409, `the converted number is the same person: ${dup.text}`);
		}
	};

	test('a duplicate ID number is refused with 409 and registered once', async () => {
		const n = ids.next();
		const first = await register(n);
		assert.equal(first.status, 201, first.text);
		const again = await register(n, { name: uniqueName('重复') });
		assert.equal(again.status, 409, again.text);
		assert.equal(again.body.error.code, 'duplicate_id_number');
		assert.equal(again.body.error.field, 'id_number');
		const s = await centre.get(`/api/v1/children?id_number=${n}`);
		assert.equal(s.body.total, 1);
		assert.equal(s.body.items[0].id, first.body.id);
	});

	test("changing a child's number to one registered to another child is 409 on id_number", async () => {
		const taken = await register(ids.next());
		const mine = await register(ids.next());
		assert.equal(taken.status, 201);
		assert.equal(mine.status, 201);
		const r = await centre.patch(`/api/v1/children/${mine.body.id}`, { id_number: taken.body.id_number, version: 1 });
		assert.equal(r.status, 409, r.text);
		assert.equal(r.body.error.code, 'duplicate_id_number');
		assert.equal(r.body.error.field, 'id_number');
		const g = await centre.get(`/api/v1/children/${mine.body.id}`);
		assert.equal(g.body.id_number, mine.body.id_number, 'unchanged');
		assert.equal(g.body.version, 1);
	});

	test('malformed numbers are refused with 422 on id_number', async () => {
		const n = ids.next();
		const bad = {
			'17 characters': n.slice(0, 17),
			'19 characters': n + '1',
			'a letter inside': n.slice(0, 8) + 'A' + n.slice(9),
			'X not last': n.slice(0, 16) + 'X' + n[17],
			'16 characters': n.slice(0, 16),
			'spaces': ` ${n}`,
			'empty': '',
		};
		for (const [what, v] of Object.entries(bad)) assertIdRejected(await register(v), what);
	});
});
