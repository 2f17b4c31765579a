// The county overview (全县概览, SPEC §8 oversight) in the browser: the
// committee opens it from its home page; its tiles are the API's totals, its
// table the county's 13 townships in their order with the API's figures,
// and no child is named anywhere on it; the headers sort it; the committee
// cannot open a township's scorecard, the centre can; both open a township
// by village and come back. A station sees its own township by village
// (乡镇概览), whose figures add up to the totals. The children with a
// child director (儿童主任覆盖率) beside the visit coverage: a tile, a
// column, the totals row and a card's figure, in both languages. No horizontal
// scrolling at 360 px, in Chinese and in English. A director and a
// department have neither the menu entry nor the page.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  settled,
  shot,
  unexpectedErrors,
  text,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001'
const TOWNSHIP = '370831001' // 泗河街道, the station's
const CHILD = '概览测试儿童'
const RED = 'rgb(198, 40, 40)'
const CATEGORIES = { orphan: '孤儿', de_facto_unsupported: '事实无人抚养儿童', left_behind: '农村留守儿童', in_difficulty: '困境儿童' }
let srv, browser, page

// A coverage as the page shows it: a percentage with one decimal.
const pct = (c) => (c === null ? '—' : (Math.round(c * 1000) / 10).toFixed(1) + '%')
const color = (l) => l.evaluate((e) => getComputedStyle(e).color)
const grouped = (n) => n.toLocaleString('en-US')

// The tiles as the page shows them, and as the API's totals say them.
const TILES = ['children', ...Object.keys(CATEGORIES), 'coverage', 'directors.coverage', 'visits.overdue', 'visits.never', 'follow_ups.overdue', 'requests.open', 'requests.overdue', 'requests.closed_30d']
async function tiles(p) {
  const out = {}
  for (const f of TILES) out[f] = await text(p.locator(`.ov-tile[data-figure="${f}"] .ov-num`))
  return out
}
function expectedTiles(x) {
  return {
    children: String(x.children),
    ...Object.fromEntries(Object.keys(CATEGORIES).map((c) => [c, String(x.categories[c])])),
    coverage: pct(x.visits.coverage),
    'directors.coverage': pct(x.directors.coverage),
    'visits.overdue': String(x.visits.overdue),
    'visits.never': String(x.visits.never),
    'follow_ups.overdue': String(x.follow_ups.overdue),
    'requests.open': String(x.requests.open),
    'requests.overdue': String(x.requests.overdue),
    'requests.closed_30d': String(x.requests.closed_30d),
  }
}

// A township's row (a table row or a card), and the API's township.
const ROW = ['children', ...Object.keys(CATEGORIES), 'coverage', 'directors', 'behind', 'requests.open', 'requests.overdue']
async function rowFigures(row) {
  const out = {}
  for (const f of ROW) out[f] = await text(row.locator(`[data-figure="${f}"] .ov-num`))
  return out
}
function expectedRow(x) {
  return {
    children: String(x.children),
    ...Object.fromEntries(Object.keys(CATEGORIES).map((c) => [c, String(x.categories[c])])),
    coverage: pct(x.visits.coverage),
    directors: pct(x.directors.coverage),
    behind: String(x.visits.overdue + x.visits.never),
    'requests.open': String(x.requests.open),
    'requests.overdue': String(x.requests.overdue),
  }
}
const rowCodes = (p) => p.locator('.ov-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.code))

// Waits until the overview shows the API's answer and has settled.
async function overviewShown(p, h1) {
  await p.locator('main h1', { hasText: h1 }).waitFor()
  await p.locator('.ov-row').first().waitFor()
  await settled(p)
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  // in 泗河街道: a child never visited (in the visit plan, medium risk), and
  // a help request for it whose step is past its deadline
  const director = await apiSession(srv.base, 'director')
  const c = await director.post('/children', { name: CHILD, sex: 'F', birth_date: '2015-04-02', village_code: VILLAGE, risk_level: 'medium' })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const q = await director.post('/requests', { child_id: c.body.id, kind: 'schooling', narrative: '需要助学' })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  const past = Math.floor(Date.now() / 1000) - 2 * 86400
  execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), `UPDATE help_requests SET step_due_at = ${past} WHERE id = ${q.body.id}`])
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('committee: the overview from the home page; the tiles and the townships are the API\'s; no child named', async () => {
  const committee = await apiSession(srv.base, 'committee')
  const ov = (await committee.get('/overview')).body
  assert.equal(ov.townships.length, 13, 'the demo county has 13 townships')
  const own = ov.townships.find((x) => x.code === TOWNSHIP)
  assert.ok(own.visits.never >= 1 && own.requests.overdue >= 1, JSON.stringify(own))

  // the home page: the overview is the first card, with the coverage and
  // the requests overdue (in red)
  await loginAs(page, srv.base, 'committee')
  const card = page.locator('.home-grid > .home-card').first()
  assert.equal(await text(card.locator('h2')), '全县概览')
  await card.locator('.overview-figures').waitFor()
  assert.equal(await text(card.locator('.ov-cov')), `走访覆盖率 ${pct(ov.totals.visits.coverage)}`)
  assert.equal(await text(card.locator('.ov-late')), `超时求助 ${ov.totals.requests.overdue} 件`)
  assert.equal(await color(card.locator('.ov-late')), RED)
  await card.getByRole('link', { name: '打开概览' }).click()
  await page.waitForURL((u) => u.pathname === '/overview')
  await overviewShown(page, '全县概览')
  assert.match(await page.title(), /^全县概览 · /)
  assert.equal(await text(page.locator('.ov-place')), '泗水县')
  assert.equal(await text(page.locator('.ov-today')), `· 截至 ${ov.today}`)
  assert.equal(await text(page.locator('.ov-count')), '· 13 个乡镇（街道）')

  // the tiles: the API's totals, with their labels; the requests overdue in red,
  // the coverage in red only below 60 %
  assert.deepEqual(await tiles(page), expectedTiles(ov.totals))
  assert.deepEqual(
    (await page.locator('.ov-tile .ov-lbl').allTextContents()).map((x) => x.trim()),
    ['在册未成年人', ...Object.values(CATEGORIES), '走访覆盖率', '儿童主任覆盖率', '逾期未走访', '从未走访', '回访逾期', '在办求助', '超时求助', '近30天办结'],
  )
  assert.equal(await text(page.locator('.ov-tile[data-figure="follow_ups.overdue"] .ov-sub')), `待回访 ${ov.totals.follow_ups.open} 项`)
  assert.equal(await color(page.locator('.ov-tile[data-figure="requests.overdue"] .ov-num')), RED)
  assert.equal(
    (await color(page.locator('.ov-tile[data-figure="coverage"] .ov-num'))) === RED,
    ov.totals.visits.coverage !== null && ov.totals.visits.coverage < 0.6,
  )
  assert.equal(await text(page.locator('.ov-tile[data-figure="coverage"] .ov-sub')), `纳入计划 ${ov.totals.visits.in_plan} 人`)
  // the children with a child director, beside the visit coverage: the share and how many
  assert.ok(ov.totals.directors.with_director > 0 && ov.totals.directors.with_director <= ov.totals.children, JSON.stringify(ov.totals))
  assert.equal(
    await text(page.locator('.ov-tile[data-figure="directors.coverage"] .ov-sub')),
    `有儿童主任的儿童 ${grouped(ov.totals.directors.with_director)} 人`,
  )
  // the note: as of today, what each figure is
  const note = await text(page.locator('.ov-note'))
  assert.ok(note.startsWith(`以上数字截至今天（${ov.today}），只统计数字，不列出儿童。`), note)
  assert.match(note, /超时求助：当前环节或其转办已超过办理时限的在办求助/)
  assert.ok(note.endsWith('点击“各村（社区）”查看该乡镇（街道）各村（社区）的数字。'), note)
  assert.doesNotMatch(note, /儿童主任考核/, 'the committee has no scorecard to open')

  // the table: the 13 townships in their order, each with the API's figures
  assert.deepEqual(await rowCodes(page), ov.townships.map((x) => x.code))
  assert.deepEqual((await page.locator('.ov-row .ov-name .break').allTextContents()).map((x) => x.trim()), ov.townships.map((x) => x.name))
  for (const x of ov.townships) assert.deepEqual(await rowFigures(page.locator(`.ov-row[data-code="${x.code}"]`)), expectedRow(x), x.name)
  const row = page.locator(`.ov-row[data-code="${TOWNSHIP}"]`)
  assert.equal(await text(row.locator('.ov-name .break')), '泗河街道')
  assert.equal(await text(row.locator('[data-figure="behind"] .ov-split')), `逾期 ${own.visits.overdue} · 从未走访 ${own.visits.never}`)
  assert.equal(await text(row.locator('.ov-dir-n')), `有儿童主任的儿童 ${grouped(own.directors.with_director)} 人`)
  assert.equal(await text(page.locator('thead th.ov-dir-h')), '儿童主任覆盖率')
  assert.equal(await text(page.locator('.ov-total .ov-dir-total')), pct(ov.totals.directors.coverage))
  assert.equal(await color(row.locator('[data-figure="requests.overdue"] .ov-num')), RED)
  // the coverage bar: as wide as the coverage (none without a plan)
  for (const x of ov.townships) {
    const fill = page.locator(`.ov-row[data-code="${x.code}"] .ov-bar-fill`)
    if (x.visits.coverage === null) {
      assert.equal(await fill.count(), 0, x.name)
      continue
    }
    const share = await fill.evaluate((e) => e.getBoundingClientRect().width / e.parentElement.getBoundingClientRect().width)
    assert.ok(Math.abs(share - x.visits.coverage) < 0.02, `${x.name}: a bar of ${share} for ${x.visits.coverage}`)
  }
  // the totals row under the table
  assert.equal(await text(page.locator('.ov-total th')), '合计')
  // the committee cannot open a township's scorecard: no link but the way to its villages
  assert.equal(await page.locator('.ov-row a.ov-open').count(), 0)
  assert.equal(await page.locator('.ov-row a.ov-drill').count(), 13)

  // no child is named: neither the centre's children nor the one filed for
  const centre = await apiSession(srv.base, 'center')
  const names = (await centre.get('/children?limit=50')).body.items.map((c) => c.name).filter(Boolean)
  assert.ok(names.length >= 20, names.join())
  const shown = await page.locator('body').innerText()
  for (const n of [CHILD, ...names]) assert.ok(!shown.includes(n), `${n} is on the page`)

  // the headers sort: the lowest coverage first (nobody in the plan last),
  // then back to the townships' order
  await page.locator('th .ov-th-sort', { hasText: '走访覆盖率' }).click()
  await page.waitForURL((u) => u.searchParams.get('sort') === 'coverage')
  const cov = (x) => (x.visits.coverage === null ? 2 : x.visits.coverage)
  const lowest = [...ov.townships].sort((a, b) => cov(a) - cov(b) || (a.code < b.code ? -1 : 1))
  assert.deepEqual(await rowCodes(page), lowest.map((x) => x.code))
  assert.equal(await text(page.locator('th[aria-sort="ascending"]')), '走访覆盖率')
  await page.locator('th .ov-th-sort', { hasText: '超时求助' }).click()
  await page.waitForURL((u) => u.searchParams.get('sort') === 'requests')
  assert.equal((await rowCodes(page))[0], TOWNSHIP, 'the township with a request overdue first')
  await page.locator('th .ov-th-sort', { hasText: '乡镇（街道）' }).click()
  await page.waitForURL((u) => !u.searchParams.has('sort'))
  assert.deepEqual(await rowCodes(page), ov.townships.map((x) => x.code))

  assert.equal(await hasHorizontalScroll(page), false)
  await shot(page, 'overview', { fullPage: true })
  assert.deepEqual(unexpectedErrors(page), [])
})

test("the centre's township opens its scorecard", async () => {
  await loginAs(page, srv.base, 'center', { path: '/login?next=/overview' })
  await overviewShown(page, '全县概览')
  assert.equal(await page.locator('.ov-row a.ov-open').count(), 13)
  assert.match(await text(page.locator('.ov-note')), /点击乡镇（街道）查看其儿童主任考核。点击“各村（社区）”/)
  await page.locator(`.ov-row[data-code="${TOWNSHIP}"] .ov-open`).click()
  await page.waitForURL((u) => u.pathname === '/visits/scorecard' && u.searchParams.get('area') === TOWNSHIP)
  await page.locator('main h1', { hasText: '儿童主任考核' }).waitFor()
  await page.locator('.sc-place', { hasText: '泗河街道' }).waitFor()
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the centre: a township\'s visits behind open the visit plan, its open and overdue requests the board, each showing that many', async () => {
  const centre = await apiSession(srv.base, 'center')
  const ov = (await centre.get('/overview')).body
  const row = ov.townships.find((x) => x.code === TOWNSHIP)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/overview' })
  await overviewShown(page, '全县概览')
  const behind = row.visits.overdue + row.visits.never
  assert.ok(behind > 0, 'the demo township has children behind on visits')
  await page.locator(`.ov-row[data-code="${TOWNSHIP}"] a.ov-open-behind`).click()
  await page.waitForURL((u) => u.pathname === '/visits' && u.searchParams.get('area') === TOWNSHIP && u.searchParams.get('state') === 'behind')
  await page.locator('.plan-shown', { hasText: ` / ${behind} 名` }).waitFor()
  // the list's filter is a chip of its own, on, with the overview's figure
  const chip = page.locator('.chip.chip-behind.on')
  await chip.locator('.chip-label', { hasText: '逾期或从未走访' }).waitFor()
  assert.equal(await text(chip.locator('.chip-count')), String(behind))
  await page.goBack()
  await overviewShown(page, '全县概览')
  assert.ok(row.requests.open > 0, 'the demo township has open requests')
  await page.locator(`.ov-row[data-code="${TOWNSHIP}"] a.ov-open-requests`).click()
  await page.waitForURL((u) => u.pathname === '/board' && u.searchParams.get('township') === TOWNSHIP)
  await page.locator('.board-township', { hasText: '仅显示：泗河街道' }).waitFor()
  await page.waitForFunction((n) => document.querySelectorAll('.board-table tbody tr[data-id]').length === n, row.requests.open)
  assert.equal(await text(page.locator('.tab[data-tab=all] .count')), String(row.requests.open))
  // all townships again
  await page.locator('.board-all').click()
  await page.waitForURL((u) => !u.searchParams.has('township'))
  await page.waitForFunction((n) => document.querySelectorAll('.board-table tbody tr[data-id]').length === n, ov.totals.requests.open)
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the centre opens a township by village and comes back to the county', async () => {
  const centre = await apiSession(srv.base, 'center')
  const ov = (await centre.get(`/overview?township=${TOWNSHIP}`)).body
  await loginAs(page, srv.base, 'center', { path: '/login?next=/overview' })
  await overviewShown(page, '全县概览')
  const drill = page.locator(`.ov-row[data-code="${TOWNSHIP}"] .ov-drill`)
  assert.equal(await text(drill), '各村（社区）')
  await drill.click()
  await page.waitForURL((u) => u.pathname === '/overview' && u.searchParams.get('township') === TOWNSHIP)
  await page.locator(`.ov-row[data-code="${VILLAGE}"]`).waitFor()
  assert.equal(await text(page.locator('.ov-place')), '泗河街道')
  // titled by the township, not the county: on screen, in the tab and on paper
  await page.locator('main h1', { hasText: '泗河街道概览' }).waitFor()
  await page.waitForFunction(() => document.title.startsWith('泗河街道概览 · '))
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.locator('main h1').isVisible(), true)
  assert.equal(await text(page.locator('main h1')), '泗河街道概览')
  assert.equal(await page.locator('.ov-back').isVisible(), false, 'no way back on paper')
  await page.emulateMedia({ media: 'screen' })
  assert.equal(await text(page.locator('.ov-count')), `· ${ov.villages.length} 个村（社区）`)
  assert.deepEqual(await rowCodes(page), ov.villages.map((x) => x.code))
  assert.equal(await text(page.locator('.ov-table thead th').first()), '村（社区）')
  assert.deepEqual(await tiles(page), expectedTiles(ov.totals))
  assert.deepEqual(await rowFigures(page.locator(`.ov-row[data-code="${VILLAGE}"]`)), expectedRow(ov.villages.find((x) => x.code === VILLAGE)))
  // a village opens its scorecard; no way further down
  assert.equal(await page.locator(`.ov-row[data-code="${VILLAGE}"] a.ov-open`).getAttribute('href'), `/visits/scorecard?area=${VILLAGE}`)
  assert.equal(await page.locator('.ov-drill').count(), 0)
  await shot(page, 'overview-villages', { fullPage: true })
  // back to the county's 13 townships
  await page.locator('.ov-back').click()
  await page.waitForURL((u) => u.pathname === '/overview' && !u.searchParams.has('township'))
  await page.locator('.ov-row[data-code="370831101"]').waitFor()
  assert.equal(await page.locator('.ov-row').count(), 13)
  assert.equal(await text(page.locator('main h1')), '全县概览')
  await page.waitForFunction(() => document.title.startsWith('全县概览 · '))
  // opened by its address, and in English
  await page.goto(`${srv.base}/overview?township=${TOWNSHIP}`)
  await page.locator('main h1', { hasText: '泗河街道概览' }).waitFor()
  await page.waitForFunction(() => document.title.startsWith('泗河街道概览 · '))
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: '泗河街道 overview' }).waitFor()
  await page.waitForFunction(() => document.title.startsWith('泗河街道 overview · '))
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: its own township by village, whose figures add up to the totals', async () => {
  const station = await apiSession(srv.base, 'station')
  const own = (await station.get('/overview')).body
  assert.deepEqual(own.townships.map((x) => x.code), [TOWNSHIP])
  const ov = (await station.get(`/overview?township=${TOWNSHIP}`)).body
  assert.deepEqual(ov.totals, own.totals)

  await loginAs(page, srv.base, 'station')
  await page.locator('.home-grid > .home-card').first().locator('h2', { hasText: '乡镇概览' }).waitFor()
  // the registry's count beside the overview's minors: the rest have turned 18 and wait for the archive
  const all = (await station.get('/children?limit=1')).body.total
  await page.locator('.home-count').first().waitFor()
  if (all !== own.totals.children) {
    await page.locator('.home-minors').waitFor()
    assert.equal(await text(page.locator('.home-minors')), `其中未满 18 周岁 ${own.totals.children} 人；另有 ${all - own.totals.children} 人已满 18 周岁、待归档。`)
  } else {
    await settled(page)
    assert.equal(await page.locator('.home-minors').count(), 0)
  }
  // from the menu bar, or from the menu when the station's entries do not fit in it
  const inline = page.locator('.nav-inline').getByRole('link', { name: '乡镇概览' })
  if (await inline.isVisible()) await inline.click()
  else {
    await page.getByRole('button', { name: '菜单' }).click()
    await page.locator('#user-menu').getByRole('link', { name: '乡镇概览' }).click()
  }
  await page.waitForURL((u) => u.pathname === '/overview')
  await overviewShown(page, '乡镇概览')
  assert.match(await page.title(), /^乡镇概览 · /)
  assert.equal(await text(page.locator('.ov-place')), '泗河街道')
  assert.equal(await page.locator('.ov-back').count(), 0, 'a township has no county to go back to')

  // a row per village, in code order; the tiles are the township's totals
  assert.deepEqual(await rowCodes(page), ov.villages.map((x) => x.code))
  assert.deepEqual(await tiles(page), expectedTiles(ov.totals))
  const row = page.locator(`.ov-row[data-code="${VILLAGE}"]`)
  assert.deepEqual(await rowFigures(row), expectedRow(ov.villages.find((x) => x.code === VILLAGE)))
  // the villages add up: the totals row under them
  const total = page.locator('.ov-total')
  assert.equal(await text(total.locator('td').first()), String(ov.totals.children))
  assert.equal(
    ov.villages.reduce((n, v) => n + v.children, 0),
    ov.totals.children,
  )
  // sorted by the villages' order by default; a village opens its scorecard
  assert.equal(await text(page.locator('.ov-sort-chips .chip[data-sort="code"]')), '按村（社区）顺序')
  assert.equal(await row.locator('a.ov-open').getAttribute('href'), `/visits/scorecard?area=${VILLAGE}`)
  assert.equal(await page.locator('.ov-drill').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px, in Chinese and in English: a card per township', async () => {
  const committee = await apiSession(srv.base, 'committee')
  const ov = (await committee.get('/overview')).body
  const own = ov.townships.find((x) => x.code === TOWNSHIP)
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'committee')
  await page.getByRole('button', { name: '菜单' }).click()
  await page.locator('#user-menu').getByRole('link', { name: '全县概览' }).click()
  await page.waitForURL((u) => u.pathname === '/overview')
  await overviewShown(page, '全县概览')
  assert.equal(await hasHorizontalScroll(page), false, 'Chinese')
  // a card per township, its figures labelled; the header row hidden
  const row = page.locator(`.ov-row[data-code="${TOWNSHIP}"]`)
  assert.equal(await page.locator('.ov-table thead').isVisible(), false)
  assert.ok(await row.locator('[data-figure="requests.overdue"] .ov-lbl').isVisible())
  assert.equal(await text(row.locator('[data-figure="requests.overdue"] .ov-lbl')), '超时求助')
  assert.deepEqual(await rowFigures(row), expectedRow(own))
  const box = await row.boundingBox()
  assert.ok(box.width <= 360, `a card of ${box.width} px`)
  // the chips sort on a phone
  await page.locator('.ov-sort-chips .chip', { hasText: '超时求助最多' }).click()
  await page.waitForURL((u) => u.searchParams.get('sort') === 'requests')
  assert.equal(await page.locator('.ov-sort-chips .chip[data-sort="requests"]').getAttribute('aria-pressed'), 'true')
  assert.equal((await rowCodes(page))[0], TOWNSHIP)
  assert.equal(await hasHorizontalScroll(page), false, 'sorted')

  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'County overview' }).waitFor()
  assert.equal(await text(row.locator('[data-figure="behind"] .ov-lbl')), 'Overdue or never visited')
  assert.equal(await text(page.locator('.ov-tile[data-figure="requests.closed_30d"] .ov-lbl')), 'Closed in 30 days')
  assert.equal(await text(page.locator('.ov-tile[data-figure="directors.coverage"] .ov-lbl')), 'Child director coverage')
  assert.equal(await text(row.locator('[data-figure="directors"] .ov-lbl')), 'Child director coverage')
  const enNote = await text(page.locator('.ov-note'))
  assert.match(enNote, /^The figures are as of today \(\d{4}-\d{2}-\d{2}\)/)
  assert.doesNotMatch(enNote, /\.[A-Z]/, 'a space between sentences')
  assert.match(enNote, /in yuan\. Open "By village"/)
  assert.equal(await hasHorizontalScroll(page), false, 'English')

  // a station's township, in Chinese and in English
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/overview' })
  await overviewShown(page, '乡镇概览')
  assert.ok((await page.locator('.ov-row').count()) > 1, 'a card per village')
  assert.equal(await hasHorizontalScroll(page), false, 'a township, Chinese')
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'Township overview' }).waitFor()
  assert.equal(await hasHorizontalScroll(page), false, 'a township, English')
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '乡镇概览' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a director and a department have no overview: no menu entry, no home card, and /overview leads home', async () => {
  for (const user of ['director', 'department']) {
    await resetSession(browser.context, srv.base, page)
    await page.setViewportSize(PHONE)
    await loginAs(page, srv.base, user)
    await page.locator('main h1', { hasText: '您好' }).waitFor()
    await page.getByRole('button', { name: '菜单' }).click()
    const entries = (await page.locator('#user-menu .nav-stack .nav-link').allTextContents()).map((x) => x.trim())
    assert.ok(entries.length >= 2, entries.join())
    assert.ok(!entries.includes('全县概览') && !entries.includes('乡镇概览'), `${user}: ${entries.join()}`)
    assert.equal(await page.locator('.overview-card').count(), 0, user)
    await page.goto(srv.base + '/overview')
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator('main h1', { hasText: '您好' }).waitFor()
    await settled(page)
    assert.equal(await page.locator('.ov-row, .ov-tile').count(), 0, user)
    assert.ok(!page.failures.some((f) => f.includes('/overview')), `${user} asked for the overview: ${page.failures.join()}`)
    assert.deepEqual(unexpectedErrors(page), [])
  }
})
