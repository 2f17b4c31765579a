// Lists sort by name (by pinyin) or birth date with keyset paging: every
// child of the scope comes exactly once, in order, across pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer } from './lib/harness.mjs';

describeEachDriver('sorted lists', (driver) => {
	let srv, station;

	before(async () => {
		srv = await startServer(driver, { children: 400 });
		station = await srv.bearer('station');
	});
	after(async () => {
		await srv?.stop();
	});

	for (const [sort, key, desc] of [
		['name', 'name', false],
		['birth_date', 'birth_date', false],
		['-birth_date', 'birth_date', true],
	]) {
		test(`sort=${sort} pages through the whole scope in order`, async () => {
			const seen = [];
			let cursor = null;
			for (let page = 0; page < 100; page++) {
				const q = `/api/v1/children?limit=7&sort=${sort}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
				const r = await station.get(q);
				assert.equal(r.status, 200, r.text);
				seen.push(...r.body.items.map((c) => [c[key] ?? '', c.id]));
				cursor = r.body.next_cursor;
				if (!cursor) break;
			}
			const total = (await station.get('/api/v1/children?limit=1')).body.total;
			assert.equal(seen.length, total, 'every child once');
			assert.equal(new Set(seen.map(([, id]) => id)).size, total, 'no child twice');
			// names by pinyin (ICU's "zh" order, as the server's keys), dates as text
			// with the server's surnames of their own reading (曾 zēng, 单 shàn …:
			// src/domain/namekey.c) sorted as a character of that reading
			const zh = new Intl.Collator('zh');
			const AS = { 曾: '增', 单: '善', 解: '谢', 仇: '求', 区: '欧', 查: '渣', 朴: '瓢', 翟: '宅', 乐: '岳', 覃: '秦', 盖: '葛', 缪: '妙', 种: '崇', 员: '运', 折: '舌' };
			const read = (s) => ([...s].length >= 2 && AS[s[0]] ? AS[s[0]] + s.slice(1) : s);
			const byValue = (x, y) => (key === 'name' ? zh.compare(read(x), read(y)) : x < y ? -1 : x > y ? 1 : 0);
			const cmp = (a, b) => byValue(a[0], b[0]) || a[1] - b[1];
			const want = [...seen].sort((a, b) => (desc ? cmp([b[0], a[1]], [a[0], b[1]]) : cmp(a, b)));
			assert.deepEqual(seen, want);
		});
	}

	test('the first page carries the total of the filtered set; later pages do not', async () => {
		const centre = await srv.bearer('center');
		const filters = [
			'',
			'&area=370831101',
			'&area=370831101&category=left_behind',
			'&category=left_behind',
			'&area=370831001&category=in_difficulty',
			'&q=%E5%BC%A0',
			'&area=370831&risk_level=low',
		];
		let paged = 0; // filters whose items span pages: the "later pages" check ran
		for (const who of [centre, station]) {
			for (const filter of filters) {
				const totals = [];
				for (const sort of ['id', 'name', 'birth_date', '-birth_date']) {
					let cursor = null;
					let n = 0;
					let total = null;
					for (let page = 0; page < 200; page++) {
						const q = `/api/v1/children?limit=9&sort=${sort}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
						const r = await who.get(q);
						assert.equal(r.status, 200, r.text);
						if (page === 0) total = r.body.total;
						else assert.equal(r.body.total, undefined, `${q}: no total after the first page`);
						n += r.body.items.length;
						cursor = r.body.next_cursor;
						if (!cursor) break;
					}
					assert.equal(total, n, `sort=${sort}${filter}: the total is the number of items of all pages`);
					totals.push(total);
				}
				assert.equal(new Set(totals).size, 1, `${filter}: one total whatever the order`);
				if (totals[0] > 9) paged++;
				if (who === station && filter.startsWith('&area=370831101')) assert.equal(totals[0], 0, `${filter}: another township`);
			}
		}
		assert.ok(paged >= 6, `${paged} filter(s) spanned pages`);
	});

	test('a bad sort or a cursor of the wrong shape is 422', async () => {
		assert.equal((await station.get('/api/v1/children?sort=age')).body.error.field, 'sort');
		assert.equal((await station.get('/api/v1/children?sort=name&cursor=12')).body.error.field, 'cursor');
		assert.equal((await station.get('/api/v1/children?cursor=12:abc')).body.error.field, 'cursor');
	});
});
