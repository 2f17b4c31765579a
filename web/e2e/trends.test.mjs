// Trends (趋势, SPEC §8 "trend charts") in the browser: the overview's third
// tab shows the last twelve months as small bar charts — registrations,
// visits and the children visited, talks and their attendance, help
// requests filed and closed, benefits paid, counselling sessions, parents
// come home through supporting programmes and the left-behind status ended
// by a return — each bar the API's figure, the
// last month's visits those of this month's report; a month picked shows
// its values under every chart and opens its report with the same figures;
// the committee and the centre narrow it to a township, a station sees its
// own; a director has none. No horizontal scrolling at 360 px, in both
// languages.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  pickOption,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaMonth,
  bornBefore,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const TOWNSHIP = '370831001' // 泗河街道, the station's
const SERIES = [
  'registered',
  'visits',
  'children_visited',
  'talks',
  'talk_attendance',
  'requests_filed',
  'requests_closed',
  'paid_cents',
  'counselling',
  'parents_returned',
  'left_behind_ended',
]
let srv, browser, page, center

const monthTitle = (m) => `${Number(m.slice(0, 4))} 年 ${Number(m.slice(5, 7))} 月`
const yuan = (c) => (c < 0 ? '-' : '') + '¥' + String(Math.floor(Math.abs(c) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + String(Math.abs(c) % 100).padStart(2, '0')

// Waits until the trends show and have settled.
async function trendsShown(p) {
  await p.locator('main h1', { hasText: '近 12 个月趋势' }).waitFor()
  await p.locator('.tc-bar').first().waitFor()
  await settled(p)
}
// The bars of a series: {month: value}.
async function bars(p, series) {
  const rows = await p.locator(`.tc-bar[data-series="${series}"]`).evaluateAll((els) => els.map((e) => [e.dataset.month, Number(e.dataset.value)]))
  return Object.fromEntries(rows)
}
const apiBars = (r, series) => Object.fromEntries(r.months.map((m, i) => [m, r.series[series][i]]))

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
  // a visit this month, so that the month's figure is not nothing
  const director = await apiSession(srv.base, 'director')
  const c = await director.post('/children', { name: '趋势测试儿童', sex: 'M', birth_date: '2015-02-03', village_code: TOWNSHIP + '001' })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  const v = await director.post(`/children/${c.body.id}/visits`, { kind: 'home', visited_on: today, findings: '家中情况良好' })
  assert.equal(v.status, 201, JSON.stringify(v.body))
  // a left-behind child whose father comes home this month to work in a
  // supporting programme: the left-behind status ends
  const lb = await center.post('/children', {
    name: '趋势返乡儿童',
    sex: 'F',
    birth_date: bornBefore(9, 20),
    village_code: TOWNSHIP + '001',
    hukou_type: 'rural',
    guardians: [
      { relation: 'father', name: '趋势父亲', status: 'working_away' },
      { relation: 'mother', name: '趋势母亲', status: 'working_away' },
    ],
  })
  assert.equal(lb.status, 201, JSON.stringify(lb.body))
  const cat = await center.post(`/children/${lb.body.id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'HS-T' })
  assert.equal(cat.status, 200, JSON.stringify(cat.body))
  const pg = await center.post('/programmes', {
    kind: 'returning_entrepreneur',
    area_code: TOWNSHIP + '001',
    name: '趋势测试返乡创业项目',
    holder: '趋势创业者',
    industry: '种植',
    started_on: '2025-01-01',
    jobs: 5,
    returnees: 1,
  })
  assert.equal(pg.status, 201, JSON.stringify(pg.body))
  const father = lb.body.guardians.find((g) => g.relation === 'father')
  const ret = await center.post(`/programmes/${pg.body.id}/returns`, { child_id: lb.body.id, guardian_id: father.id, returned_on: today })
  assert.equal(ret.status, 201, JSON.stringify(ret.body))
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test("centre: twelve months of the API's figures; the last month's visits are this month's report's; a month picked opens its report; a township", async () => {
  const r = (await center.get('/reports/trends')).body
  const report = (await center.get('/reports/monthly')).body
  assert.equal(r.months.length, 12)
  assert.equal(r.months[11], chinaMonth())
  assert.ok(report.totals.visits.visits >= 1)

  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports' })
  await page.locator('.ov-tabs').getByRole('link', { name: '趋势' }).click()
  await page.waitForURL((u) => u.pathname === '/reports/trends')
  await trendsShown(page)
  assert.match(await page.title(), /^趋势 · /)
  assert.equal(await page.locator('.ov-tabs .ot-trends').getAttribute('aria-current'), 'page')
  assert.equal(await text(page.locator('.tr-place')), '泗水县')
  assert.equal(await text(page.locator('.tr-range')), `· ${monthTitle(r.months[0])} 至 ${monthTitle(r.months[11])}`)
  // the charts, each bar the API's
  assert.deepEqual(
    (await page.locator('.trend-chart .tc-title').allTextContents()).map((s) => s.trim()),
    ['新登记儿童', '走访', '宣讲场次', '宣讲参加人次', '求助', '福利保障发放金额', '心理辅导', '帮扶项目带动父母返乡'],
  )
  // the new series: counselling, and the parents come home with the left-behind status ended by it
  const counselling = page.locator('.trend-chart[data-chart="counselling"]')
  assert.equal(await text(counselling.locator('.tc-label')), '心理辅导次数')
  assert.equal(await text(counselling.locator('.tc-num')), String(r.series.counselling[11]))
  assert.ok(r.series.counselling.some((n) => n > 0), 'the demo counsels')
  assert.ok(r.series.parents_returned[11] >= 1 && r.series.left_behind_ended[11] >= 1, 'the return of this month')
  const returns = page.locator('.trend-chart[data-chart="parents_returned,left_behind_ended"]')
  assert.deepEqual((await returns.locator('.tc-label').allTextContents()).map((s) => s.trim()), ['父母返乡', '因返乡结束留守'])
  assert.equal(await text(returns.locator('.tc-value[data-series="parents_returned"] .tc-num')), String(r.series.parents_returned[11]))
  assert.equal(await text(returns.locator('.tc-value[data-series="left_behind_ended"] .tc-num')), String(r.series.left_behind_ended[11]))
  for (const s of SERIES) assert.deepEqual(await bars(page, s), apiBars(r, s), s)
  // twelve months under the visits chart, the latest one picked
  const visits = page.locator('.trend-chart[data-chart="visits,children_visited"]')
  assert.equal(await visits.locator('.tc-bar[data-series="visits"]').count(), 12)
  assert.equal(await visits.locator('.tc-month').count(), 12)
  assert.equal(await text(visits.locator('.tc-month.on')), `${Number(chinaMonth().slice(5))}月`)
  // the last month's visits: this month's report's
  const last = visits.locator(`.tc-bar[data-series="visits"][data-month="${chinaMonth()}"]`)
  assert.equal(Number(await last.getAttribute('data-value')), report.totals.visits.visits)
  assert.equal(await text(visits.locator('.tc-values .tc-month-name')), monthTitle(chinaMonth()))
  assert.equal(await text(visits.locator('.tc-value[data-series="visits"] .tc-num')), String(report.totals.visits.visits))
  assert.equal(await text(visits.locator('.tc-value[data-series="children_visited"] .tc-num')), String(report.totals.visits.children))
  const talks = page.locator('.trend-chart[data-chart="talks"]')
  assert.equal(await text(talks.locator('.tc-value .tc-num')), String(report.totals.talks.talks))
  const paid = page.locator('.trend-chart[data-chart="paid_cents"]')
  assert.equal(await text(paid.locator('.tc-value .tc-num')), yuan(report.totals.entitlements.paid_cents))
  assert.equal(await hasHorizontalScroll(page), false)
  await shot(page, 'trends', { fullPage: true })

  // a month picked (a click on its bar): every chart says its values; its report has them
  const m = r.months[10]
  await visits.locator(`.tc-hit[data-month="${m}"]`).click()
  await page.locator('.tr-picked', { hasText: `所选月份：${monthTitle(m)}` }).waitFor()
  for (const chart of await page.locator('.trend-chart').all()) assert.equal(await text(chart.locator('.tc-month-name')), monthTitle(m))
  assert.equal(await text(visits.locator('.tc-value[data-series="visits"] .tc-num')), String(r.series.visits[10]))
  // the arrow keys move the month
  await visits.locator('svg').focus()
  await page.keyboard.press('ArrowRight')
  await page.locator('.tr-picked', { hasText: `所选月份：${monthTitle(r.months[11])}` }).waitFor()
  await page.keyboard.press('ArrowLeft')
  await page.locator('.tr-picked', { hasText: `所选月份：${monthTitle(m)}` }).waitFor()
  const rm = (await center.get(`/reports/monthly?month=${m}`)).body
  await page.locator('.tr-report').click()
  await page.waitForURL((u) => u.pathname === '/reports' && u.searchParams.get('month') === m)
  await page.locator('.rp-month', { hasText: monthTitle(m) }).waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.rp-tile[data-figure="visits.visits"] .rp-num')), String(rm.totals.visits.visits))
  assert.equal(String(rm.totals.visits.visits), String(r.series.visits[10]))
  await page.goBack()
  await trendsShown(page)

  // the figures as a table: a row per month
  await page.locator('.tr-data summary').click()
  assert.equal(await page.locator('.tr-row').count(), 12)
  const row = page.locator(`.tr-row[data-month="${chinaMonth()}"]`)
  assert.equal(await text(row.locator('[data-series="visits"]')), String(report.totals.visits.visits))
  assert.equal(await text(row.locator('[data-series="paid_cents"]')), yuan(r.series.paid_cents[11]))
  const heads = (await page.locator('.tr-table thead th').allTextContents()).map((s) => s.trim())
  assert.deepEqual(heads.slice(-3), ['心理辅导次数', '父母返乡', '因返乡结束留守'])
  for (const s of ['counselling', 'parents_returned', 'left_behind_ended']) {
    assert.equal(await text(row.locator(`[data-series="${s}"]`)), String(r.series[s][11]), s)
  }

  // one township
  const own = (await center.get(`/reports/trends?township=${TOWNSHIP}`)).body
  await pickOption(page, page.locator('.tr-township'), '泗河街道')
  await page.waitForURL((u) => u.searchParams.get('township') === TOWNSHIP)
  await page.locator('.tr-place', { hasText: '泗河街道' }).waitFor()
  await page.waitForFunction(
    ([m, v]) => document.querySelector(`.tc-bar[data-series="talks"][data-month="${m}"]`)?.dataset.value === String(v),
    [chinaMonth(), own.series.talks[11]],
  )
  await settled(page)
  for (const s of SERIES) assert.deepEqual(await bars(page, s), apiBars(own, s), s)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: its own township, no township to pick; the committee from its report; a director has no trends', async () => {
  const station = await apiSession(srv.base, 'station')
  const r = (await station.get('/reports/trends')).body
  assert.equal(r.township, TOWNSHIP)
  const report = (await station.get('/reports/monthly')).body
  await loginAs(page, srv.base, 'station', { path: '/login?next=/reports/trends' })
  await trendsShown(page)
  assert.equal(await text(page.locator('.tr-place')), '泗河街道')
  assert.equal(await page.locator('.tr-township').count(), 0)
  for (const s of SERIES) assert.deepEqual(await bars(page, s), apiBars(r, s), s)
  assert.equal(
    Number(await page.locator(`.tc-bar[data-series="visits"][data-month="${chinaMonth()}"]`).getAttribute('data-value')),
    report.totals.visits.visits,
  )
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  const committee = await apiSession(srv.base, 'committee')
  const rc = (await committee.get('/reports/trends')).body
  await loginAs(page, srv.base, 'committee')
  await page.locator('.home-card.report-card').getByRole('link', { name: '打开月度报告' }).click()
  await page.waitForURL((u) => u.pathname === '/reports')
  await page.locator('.ov-tabs .ot-trends').click()
  await trendsShown(page)
  assert.deepEqual(await bars(page, 'registered'), apiBars(rc, 'registered'))
  assert.ok(await page.locator('.tr-township').isVisible())
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director')
  await page.goto(srv.base + '/reports/trends')
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1', { hasText: '您好' }).waitFor()
  await settled(page)
  assert.ok(!page.failures.some((f) => f.includes('/trends')), page.failures.join())
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px: the charts fit, their months readable, in both languages', async () => {
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports/trends' })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/reports/trends')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await page.locator('.tc-bar').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/reports/trends (${lang})`)
    for (const chart of await page.locator('.trend-chart').all()) {
      const box = await chart.boundingBox()
      assert.ok(box.x >= 0 && box.x + box.width <= 360, `a chart of ${JSON.stringify(box)}`)
      const svg = await chart.locator('svg').boundingBox()
      assert.ok(svg.width <= box.width, 'the drawing fits its card')
    }
    // the month names: every other one on a phone, the latest always, none overlapping
    const names = (await page.locator('.trend-chart').first().locator('.tc-month').allTextContents()).filter((s) => s.trim())
    assert.equal(names.length, 6, names.join())
    const boxes = await page.locator('.trend-chart').first().locator('.tc-month').evaluateAll((els) =>
      els.filter((e) => e.textContent.trim()).map((e) => e.getBBox()).map((b) => [b.x, b.x + b.width]),
    )
    for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i][0] > boxes[i - 1][1], `month labels overlap: ${JSON.stringify(boxes)}`)
    if (lang === 'zh') await shot(page, 'trends-360', { fullPage: true })
  }
  assert.equal(await text(page.locator('main h1')), 'The last 12 months')
  const added = page.locator('.trend-chart[data-chart="counselling"], .trend-chart[data-chart="parents_returned,left_behind_ended"]')
  assert.deepEqual(
    (await added.locator('.tc-label').allTextContents()).map((s) => s.trim()),
    ['Counselling sessions', 'Parents who came home', 'Left-behind ended by a return'],
  )
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})
