// The importer writes new children in batches (multi-row INSERTs of the
// children, their name index and their guardians; ids matched back from
// RETURNING). A file of 700 rows spans three batches; every child must come
// out as if the rows had been applied one by one: found by name search
// (one and two characters) and by ID number, with its guardians and the
// category suggestions their facts imply — `weibao recompute --all` then
// changes nothing — and a row without an ID number that repeats an earlier
// row of the same batch reconciles with the child that row created. A
// later file whose two rows change the same registered child sees the
// first row's change when it applies the second (the importer reads the
// matched children a window at a time and must not answer from a stale
// copy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDriver, startServer, cli, uniqueName } from './lib/harness.mjs';
import { IdFactory } from './lib/idnum.mjs';
import { bornYearsBefore, compact, csvLine, importFile, childrenTotal, categoryMap } from './lib/registry.mjs';

const N = 700;
const VILLAGE = '370831101201'; // a rural village
const CHARS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬梅兰竹菊松柏桃李杏梨枣栗桑榆'; // 40, not in demo names
const HEADER = ['姓名', '身份证号', '性别', '出生日期', '村（社区）代码', '户籍类型', '年级', '父亲姓名', '父亲状况', '母亲姓名', '母亲状况'];
const DUP = 300; // row DUP + 1 repeats row DUP (no ID number), in the second batch

describeEachDriver('import: batches of new children', (driver) => {
	let srv, centre, prefix, rows, job;
	const birth = bornYearsBefore(10, -30) ?? bornYearsBefore(10, -31);

	before(async () => {
		srv = await startServer(driver);
		centre = await srv.bearer('center');
		const ids = await IdFactory.fromServer(centre);
		prefix = uniqueName('批').slice(0, 3); // a rare first character and a random one
		rows = [];
		for (let i = 0; i < N; i++) {
			const noId = i % 7 === 3 || i === DUP;
			const kind = i % 3 === 0 ? 'left_behind' : i % 5 === 1 ? 'de_facto' : 'none';
			const r = {
				name: `${prefix}${CHARS[i % 40]}${CHARS[Math.floor(i / 40) % 40]}`,
				n: noId ? '' : ids.next({ birth: compact(birth), sex: i % 2 ? 'M' : 'F' }),
				sex: i % 2 ? '男' : '女',
				kind,
			};
			rows.push(r);
		}
		rows[DUP + 1] = { ...rows[DUP], grade: '小学4年级' }; // same child, one more fact
		let text = csvLine(HEADER);
		for (const r of rows) {
			const [f, fs, m, ms] =
				r.kind === 'left_behind' ? ['父', '外出务工', '母', '外出务工'] : r.kind === 'de_facto' ? ['父', '死亡', '母', '服刑'] : ['', '', '', ''];
			text += csvLine([r.name, r.n, r.sex, birth, VILLAGE, '农业', r.grade ?? '', f, fs, m, ms]);
		}
		({ job } = await importFile(centre, Buffer.from(text, 'utf8'), { fileName: 'batch.csv', timeoutMs: 120000 }));
	});
	after(async () => {
		await srv?.stop();
	});

	test('every row is applied: one child per row, the repeated row fills in the first one', async () => {
		assert.equal(job.status, 'done', JSON.stringify({ ...job, issues: job.issues.slice(0, 3) }));
		assert.deepEqual(
			[job.created, job.updated, job.unchanged, job.errors, job.conflicts],
			[N - 1, 1, 0, 0, 0],
		);
		assert.equal(await childrenTotal(centre, `q=${encodeURIComponent(prefix)}`), N - 1);
		const dup = await centre.get(`/api/v1/children?q=${encodeURIComponent(rows[DUP].name)}`);
		assert.equal(dup.body.items.length, 1, JSON.stringify(dup.body.items));
		const full = await centre.get(`/api/v1/children/${dup.body.items[0].id}`);
		assert.equal(full.body.grade, '小学4年级');
	});

	test('name search finds the children of every batch by one and by two characters', async () => {
		// the first character after the prefix: 1/40 of the file (one of them the repeated row)
		const c = CHARS[DUP % 40];
		const expected = new Set(rows.filter((r) => r.name[3] === c).map((r) => r.name)).size;
		assert.equal(await childrenTotal(centre, `q=${encodeURIComponent(prefix + c)}`), expected);
		// one character and two (CHARS are in no demo name): every child of the file that has them
		const having = (q) => new Set(rows.filter((r) => r.name.includes(q)).map((r) => r.name)).size;
		const pair = CHARS[DUP % 40] + CHARS[Math.floor(DUP / 40) % 40];
		for (const q of [c, CHARS[7], pair]) {
			assert.ok(having(q) > 0, q);
			assert.equal(await childrenTotal(centre, `q=${encodeURIComponent(q)}`), having(q), `q=${q}`);
		}
		for (const i of [0, 255, 256, 511, 512, N - 1]) {
			const r = await centre.get(`/api/v1/children?q=${encodeURIComponent(rows[i].name)}`);
			assert.deepEqual(
				r.body.items.map((x) => x.name),
				[rows[i].name],
				`row ${i + 2}`,
			);
			if (rows[i].n) {
				const byId = await centre.get(`/api/v1/children?id_number=${rows[i].n}`);
				assert.equal(byId.body.items[0]?.id, r.body.items[0].id, `row ${i + 2} by ID number`);
			}
		}
	});

	test('guardians and categories as the facts say, for every kind of row', async () => {
		for (const i of [0, 1, 2, 255, 256, 257, 510, 511, N - 2, N - 1]) {
			const r = await centre.get(`/api/v1/children?q=${encodeURIComponent(rows[i].name)}`);
			const full = (await centre.get(`/api/v1/children/${r.body.items[0].id}`)).body;
			const k = categoryMap(full);
			if (rows[i].kind === 'none') {
				assert.deepEqual(full.guardians, [], `row ${i + 2}`);
				assert.deepEqual(full.categories, [], `row ${i + 2}`);
			} else {
				const [fs, ms] = rows[i].kind === 'left_behind' ? ['working_away', 'working_away'] : ['deceased', 'imprisoned'];
				assert.deepEqual(
					full.guardians.map((g) => [g.relation, g.name, g.status]).sort(),
					[
						['father', '父', fs],
						['mother', '母', ms],
					],
					`row ${i + 2}`,
				);
				if (rows[i].kind === 'left_behind') assert.equal(k.left_behind?.state, 'suggested', `row ${i + 2}: ${JSON.stringify(full.categories)}`);
				else assert.equal(k.de_facto_unsupported?.state, 'suggested', `row ${i + 2}: ${JSON.stringify(full.categories)}`);
			}
		}
		const leftBehind = rows.filter((r, i) => r.kind === 'left_behind' && i !== DUP + 1).length;
		assert.equal(await childrenTotal(centre, `category=left_behind&q=${encodeURIComponent(prefix)}`), leftBehind);
		const deFacto = rows.filter((r, i) => r.kind === 'de_facto' && i !== DUP + 1).length;
		assert.equal(await childrenTotal(centre, `category=de_facto_unsupported&q=${encodeURIComponent(prefix)}`), deFacto);
		// the category engine over the whole registry agrees with what the import derived
		const rc = await cli(srv.db, ['recompute', '--all']);
		assert.equal(rc.code, 0, rc.stderr + rc.stdout);
		assert.match(rc.stdout, /category rows changed: 0$/m);
	});

	test('two rows of a later file for the same registered child: the second sees what the first wrote', async () => {
		// row 10 of the first file: no ID number, no guardians, no grade
		const i = 10;
		assert.ok(!rows[i].n && rows[i].kind === 'none' && !rows[i].grade && !rows[i + 7].n);
		const found = await centre.get(`/api/v1/children?q=${encodeURIComponent(rows[i].name)}`);
		assert.equal(found.body.items.length, 1);
		const id = found.body.items[0].id;
		const before = (await centre.get(`/api/v1/children/${id}`)).body;
		assert.equal(before.grade ?? '', '');
		const text =
			csvLine(['姓名', '性别', '出生日期', '村（社区）代码', '年级']) +
			csvLine([rows[i].name, rows[i].sex, birth, VILLAGE, '小学2年级']) + // fills the empty grade
			csvLine([rows[i + 7].name, rows[i + 7].sex, birth, VILLAGE, '']) + // another child without an ID number between them
			csvLine([rows[i].name, rows[i].sex, birth, VILLAGE, '小学3年级']); // differs from what row 2 wrote
		const { job: again } = await importFile(centre, Buffer.from(text, 'utf8'), { fileName: 'twice.csv' });
		assert.equal(again.status, 'done', JSON.stringify(again));
		assert.deepEqual([again.created, again.updated, again.conflicts, again.errors], [0, 1, 1, 0], JSON.stringify(again.issues));
		assert.deepEqual(
			again.issues.map((x) => [x.row, x.column, x.kind]),
			[[4, '年级', 'conflict']],
		);
		const after = (await centre.get(`/api/v1/children/${id}`)).body;
		assert.equal(after.grade, '小学2年级', 'the first row wrote it; the second is a conflict, not an overwrite');
		assert.equal(after.version, before.version + 1);
	});
});
