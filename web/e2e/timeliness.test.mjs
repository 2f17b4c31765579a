// Timeliness (办理时效, the overview's fourth tab; GET /api/v1/loop/metrics)
// in the browser. Help requests are filed and stepped through the API
// first: one resolved by the township and closed with feedback, one
// forwarded, accepted and referred to the demo's department (县民政局),
// which accepts and finishes it, one left waiting for the township, and
// one referred to another department that has not accepted it. Then the
// centre reaches the page from the overview's tabs; the totals (overdue in
// red when there are any, the share closed with feedback), each township's
// row and the time of every step — median and 90th percentile in minutes,
// hours or days, in the loop's order, a p90 past its step's deadline
// marked — and each department's row are the API's. A period picked asks
// the API for those days (the last day included); an old period has no
// step times; empty answers and a failing one say so. A township picked
// narrows the page (the server's ?township=). A station sees only its
// township, the committee the county; a child director has no tab and is
// led away from /reports/timeliness. The three tables download as XLSX and
// CSV with Chinese headers (English in English). No horizontal scrolling
// at 360 px in both languages; the export control works by keyboard; no
// console errors.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  exportAs as exportVia,
  hasHorizontalScroll,
  pickOption,
  settled,
  unexpectedErrors,
  text,
  chinaToday,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const TOWNSHIP = '370831001' // 泗河街道, the station's
const VILLAGE = '370831001001' // 花园社区, the director's
const RED = 'rgb(198, 40, 40)'
// the township steps always shown, in the loop's order, as the page names them
const BASE_STAGES = ['reported', 'township_review', 'resolved_locally', 'forwarded', 'accepted', 'referrals_done', 'result_sent', 'feedback_delivered']
const STAGE_ZH = {
  reported: '待乡镇审核',
  township_review: '乡镇审核中',
  resolved_locally: '乡镇已办结',
  forwarded: '已转报县中心',
  accepted: '县中心已受理',
  referred: '转办中',
  referrals_done: '转办已办结',
  result_sent: '结果已下达',
  feedback_delivered: '已反馈',
}
const LOOP_ORDER = ['reported', 'township_review', 'resolved_locally', 'forwarded', 'accepted', 'referred', 'referrals_done', 'result_sent', 'feedback_delivered']
let srv, browser, page, center, station, director, department, m, deptCode, otherCode, lateStage

// a duration as the page writes it (Chinese)
const dec = (x) => String(Math.round(x * 10) / 10)
const human = (s) => (s < 60 ? '不足 1 分钟' : s < 3600 ? `${Math.round(s / 60)} 分钟` : s < 86400 ? `${dec(s / 3600)} 小时` : `${dec(s / 86400)} 天`)
const humanEn = (s) => (s < 60 ? 'under a minute' : s < 3600 ? `${Math.round(s / 60)} min` : s < 86400 ? `${dec(s / 3600)} h` : `${dec(s / 86400)} d`)
const color = (l) => l.evaluate((e) => getComputedStyle(e).color)
const chinaDay = (sec) => new Date(sec * 1000 + 8 * 3600e3).toISOString().slice(0, 10)
function nextDay(iso) {
  const [y, mo, d] = iso.split('-').map(Number)
  return new Date(Date.UTC(y, mo - 1, d + 1)).toISOString().slice(0, 10)
}
const pct = (n, of) => Math.round((n / of) * 100) + '%'

// A step on a request with the version just read (must answer 200).
async function act(client, id, action, body = {}) {
  const cur = await client.get(`/requests/${id}`)
  assert.equal(cur.status, 200, JSON.stringify(cur.body))
  const r = await client.post(`/requests/${id}/actions`, { action, version: cur.body.version, ...body })
  assert.equal(r.status, 200, `${action} on ${id}: ${JSON.stringify(r.body)}`)
  return r.body
}
// A step on the caller's referral of a request.
async function refAct(client, requestId, action, body = {}) {
  const list = await client.get(`/referrals?request_id=${requestId}`)
  assert.equal(list.status, 200, JSON.stringify(list.body))
  const f = list.body.items[0]
  const r = await client.post(`/referrals/${f.id}/actions`, { action, version: f.version, ...body })
  assert.equal(r.status, 200, `${action} on referral ${f.id}: ${JSON.stringify(r.body)}`)
  return r.body
}
async function file(kind) {
  const r = await director.post('/requests', { village_code: VILLAGE, kind, narrative: '办理时效测试' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body.id
}

// Waits until the page shows the API's answer.
async function pageShown(p) {
  await p.locator('main h1', { hasText: /^(办理时效|Timeliness)$/ }).waitFor()
  await p.locator('.tl-totals').waitFor()
  await settled(p)
}
const totalOf = (p, f) => text(p.locator(`.tl-totals [data-figure="${f}"] .tot-num`))
const townCell = (p, code, f) => text(p.locator(`.tl-town[data-code="${code}"] [data-figure="${f}"]`))
const stepCell = (p, code, stage) => p.locator(`.tl-step-row[data-code="${code}"] .tl-step[data-stage="${stage}"]`)
const unitCell = (p, code, f) => text(p.locator(`.tl-unit[data-code="${code}"] [data-figure="${f}"]`))

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
  station = await apiSession(srv.base, 'station')
  director = await apiSession(srv.base, 'director')
  department = await apiSession(srv.base, 'department')
  const myUnit = (await department.get('/me')).body.membership.unit_id
  const depts = (await center.get('/units?kind=department')).body.items
  const dept = depts.find((u) => u.id === myUnit)
  const other = depts.find((u) => u.id !== myUnit)
  assert.ok(dept && other, 'the demo has departments')
  deptCode = dept.code
  otherCode = other.code

  // A: resolved by the township, the feedback delivered, closed
  const a = await file('schooling')
  await act(station, a, 'review')
  await act(station, a, 'resolve', { result: '已协调学校办理入学' })
  await act(director, a, 'deliver_feedback', { feedback: '孩子已入学', rating: 'satisfied' })
  await act(station, a, 'close')
  // B: forwarded, accepted, referred to the department, which accepts and finishes it
  const b = await file('medical')
  await act(station, b, 'review')
  await act(station, b, 'forward', { note: '需县级统筹' })
  await act(center, b, 'accept')
  await act(center, b, 'refer', { referrals: [{ unit_id: dept.id, ask: '临时救助' }] })
  await refAct(department, b, 'accept')
  await refAct(department, b, 'complete', { result: '已发放临时救助' })
  // C: waiting for the township
  await file('living_hardship')
  // D: referred to another department, not accepted yet
  const d = await file('guardianship')
  await act(station, d, 'review')
  await act(station, d, 'forward', { note: '需县级统筹' })
  await act(center, d, 'accept')
  await act(center, d, 'refer', { referrals: [{ unit_id: other.id, ask: '监护评估' }] })

  m = (await center.get('/loop/metrics')).body
  // a step of the demo's that took more than an hour: its deadline set
  // to an hour, its p90 is past it
  const long = m.townships.flatMap((t) => t.steps).find((s) => s.p90_s > 3600)
  assert.ok(long, 'the demo has a step that took more than an hour')
  lateStage = long.stage
  const put = await center.put('/loop/config', { deadlines: { [lateStage]: { normal: '1h', urgent: '1h' } } })
  assert.equal(put.status, 200, JSON.stringify(put.body))
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test("centre: the overview's fourth tab; totals, townships, the time of each step and the departments are the API's", async () => {
  const own = m.townships.find((t) => t.code === TOWNSHIP)
  assert.ok(own, 'the township of the requests')
  assert.ok(own.open_total >= 3 && own.closed >= 1 && own.closed_with_feedback >= 1, JSON.stringify(own))
  assert.ok(own.steps.some((s) => s.stage === 'township_review' && s.count >= 3), JSON.stringify(own.steps))
  const mine = m.departments.find((u) => u.code === deptCode)
  assert.ok(mine && mine.done >= 1, JSON.stringify(m.departments))
  assert.ok(mine.steps.some((s) => s.stage === 'referral_pending') && mine.steps.some((s) => s.stage === 'referral_accepted'))
  const waiting = m.departments.find((u) => u.code === otherCode)
  assert.ok(waiting && waiting.open.pending >= 1, JSON.stringify(m.departments))

  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports' })
  const tabs = page.locator('.ov-tabs')
  await tabs.getByRole('link', { name: '办理时效' }).waitFor()
  assert.deepEqual((await tabs.getByRole('link').allTextContents()).map((s) => s.trim()), ['全县概览', '月度报告', '趋势', '办理时效'])
  await tabs.getByRole('link', { name: '办理时效' }).click()
  await page.waitForURL((u) => u.pathname === '/reports/timeliness')
  await pageShown(page)
  assert.match(await page.title(), /^办理时效 · /)
  assert.equal(await page.locator('.ov-tabs .ot-timeliness').getAttribute('aria-current'), 'page')
  assert.equal(await text(page.locator('.tl-place')), '泗水县')
  assert.equal(await text(page.locator('.tl-period')), `· ${chinaDay(m.from)} 至 ${chinaToday()}`)
  assert.equal(await page.locator('.chip[data-preset="recent"]').getAttribute('aria-pressed'), 'true')
  assert.equal(await text(page.locator('.chip[data-preset="recent"]')), '近 12 个月')
  assert.ok(await page.locator('.tl-township').isVisible(), 'the centre picks a township')

  // the totals; overdue in red only when there are any; the share with feedback
  for (const f of ['open', 'overdue', 'closed', 'closed_with_feedback']) assert.equal(await totalOf(page, f), String(m.totals[f]), f)
  const overdue = page.locator('.tl-totals [data-figure="overdue"] .tot-num')
  if (m.totals.overdue > 0) assert.equal(await color(overdue), RED)
  else assert.notEqual(await color(overdue), RED)
  assert.equal(await text(page.locator('.tl-share')), `占已结案 ${pct(m.totals.closed_with_feedback, m.totals.closed)}`)

  // a row per township, the figures the API's, and the totals row
  assert.equal(await page.locator('.tl-town').count(), m.townships.length)
  for (const t of m.townships) {
    for (const f of ['open_total', 'overdue', 'closed', 'closed_with_feedback']) assert.equal(await townCell(page, t.code, f), String(t[f]), `${t.code} ${f}`)
    assert.equal(await townCell(page, t.code, 'fb_rate'), t.closed ? pct(t.closed_with_feedback, t.closed) : '—')
  }
  assert.equal(await text(page.locator(`.tl-town[data-code="${TOWNSHIP}"] th`)), '泗河街道')
  if (m.townships.length > 1) assert.equal(await text(page.locator('.tl-total [data-figure="open_total"]')), String(m.totals.open))

  // the steps: the loop's order (others the answer has in their place)
  const present = new Set(m.townships.flatMap((t) => t.steps.map((s) => s.stage)))
  const stages = LOOP_ORDER.filter((s) => BASE_STAGES.includes(s) || present.has(s))
  assert.deepEqual(
    (await page.locator('.tl-steps thead .tl-stage-h').allTextContents()).map((s) => s.trim()),
    stages.map((s) => STAGE_ZH[s]),
  )
  // every step time in human units: median, p90, how many ended, how many late
  for (const t of m.townships) {
    for (const s of t.steps) {
      const cell = stepCell(page, t.code, s.stage)
      assert.equal(await text(cell.locator('.tl-v')), human(s.median_s), `${t.code} ${s.stage} median`)
      assert.ok((await text(cell.locator('.tl-p90'))).startsWith(`P90 ${human(s.p90_s)}`), `${t.code} ${s.stage} p90`)
      assert.ok((await text(cell.locator('.tl-count'))).startsWith(`${s.count} 件`), `${t.code} ${s.stage} count`)
      if (s.overdue) assert.ok((await text(cell.locator('.tl-late-n'))).includes(String(s.overdue)))
    }
    for (const stage of stages.filter((x) => !t.steps.some((s) => s.stage === x))) {
      assert.equal(await text(stepCell(page, t.code, stage).locator('.tl-none')), '—', `${t.code} ${stage} none`)
    }
  }
  // the requests of the test took seconds at the township's review
  const review = own.steps.find((s) => s.stage === 'township_review')
  if (review.median_s < 60) assert.equal(await text(stepCell(page, TOWNSHIP, 'township_review').locator('.tl-v')), '不足 1 分钟')
  // the demo's steps of a day or more read in days
  const daySteps = m.townships.flatMap((t) => t.steps.filter((s) => s.median_s >= 86400).map((s) => [t.code, s]))
  assert.ok(daySteps.length >= 1, 'a step of a day or more')
  for (const [code, s] of daySteps) assert.match(await text(stepCell(page, code, s.stage).locator('.tl-v')), /^\d+(\.\d)? 天$/)
  // the requests at a step now
  assert.equal(await text(stepCell(page, TOWNSHIP, 'reported').locator('.tl-open-n')), `在办 ${own.open.reported}`)
  // a p90 past its step's deadline (an hour): marked, and says why
  const lateTowns = m.townships.filter((t) => t.steps.some((s) => s.stage === lateStage && s.p90_s > 3600))
  assert.ok(lateTowns.length >= 1)
  for (const t of lateTowns) {
    const cell = stepCell(page, t.code, lateStage)
    assert.match((await cell.getAttribute('class')) || '', /\blate\b/)
    assert.match((await cell.locator('.tl-p90').getAttribute('title')) || '', /超过办理时限（1 小时；按日历时间粗略比较/)
    assert.equal(await color(cell.locator('.tl-p90')), RED)
  }
  // the township's own quick steps are within their deadlines
  assert.doesNotMatch((await stepCell(page, TOWNSHIP, 'forwarded').getAttribute('class')) || '', /\blate\b/)

  // a row per department or organisation
  assert.equal(await page.locator('.tl-unit').count(), m.departments.length)
  const unitRow = page.locator(`.tl-unit[data-code="${deptCode}"]`)
  assert.ok((await text(unitRow.locator('th'))).startsWith(mine.name))
  assert.equal(await text(unitRow.locator('.tl-kind')), '职能部门')
  assert.equal(await unitCell(page, deptCode, 'pending'), String(mine.open.pending || 0))
  assert.equal(await unitCell(page, deptCode, 'accepted'), String(mine.open.accepted || 0))
  for (const f of ['overdue', 'done', 'declined', 'cancelled']) assert.equal(await unitCell(page, deptCode, f), String(mine[f]), f)
  for (const s of mine.steps) {
    const cell = unitRow.locator(`.tl-step[data-stage="${s.stage}"]`)
    assert.equal(await text(cell.locator('.tl-v')), human(s.median_s), s.stage)
    assert.ok((await text(cell.locator('.tl-p90'))).startsWith(`P90 ${human(s.p90_s)}`))
  }
  assert.deepEqual(
    (await page.locator('.tl-units thead .tl-stage-h').allTextContents()).map((s) => s.trim()),
    ['接收用时', '办理用时'],
  )
  assert.equal(await unitCell(page, otherCode, 'pending'), String(waiting.open.pending))
  assert.equal(await text(page.locator(`.tl-unit[data-code="${otherCode}"] .tl-step[data-stage="referral_pending"] .tl-none`)), '—')
  // each table has its export control
  for (const c of ['townships', 'steps', 'units']) assert.equal(await page.locator(`.tl-export-${c}`).getByRole('button', { name: /导出/ }).count(), 1, c)
  assert.equal(await hasHorizontalScroll(page), false)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a period: this month asks the API for its days; an old period has no step times; empty and failing answers say so', async () => {
  const today = chinaToday()
  const first = today.slice(0, 8) + '01'
  const month = (await center.get(`/loop/metrics?from=${first}&to=${nextDay(today)}`)).body
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports/timeliness' })
  await pageShown(page)
  await page.locator('.chip[data-preset="month"]').click()
  await page.waitForURL((u) => u.searchParams.get('from') === first && u.searchParams.get('to') === today)
  await page.locator('.tl-period', { hasText: `${first} 至 ${today}` }).waitFor()
  await settled(page)
  assert.equal(await page.locator('.chip[data-preset="month"]').getAttribute('aria-pressed'), 'true')
  for (const f of ['open', 'overdue', 'closed', 'closed_with_feedback']) assert.equal(await totalOf(page, f), String(month.totals[f]), f)
  assert.ok(month.totals.closed >= 1, 'the request closed today is in this month')
  const own = month.townships.find((t) => t.code === TOWNSHIP)
  const review = own.steps.find((s) => s.stage === 'township_review')
  assert.ok((await text(stepCell(page, TOWNSHIP, 'township_review').locator('.tl-count'))).startsWith(`${review.count} 件`))

  // two dates typed: the last one included
  const old = (await center.get('/loop/metrics?from=2020-01-01&to=2020-02-01')).body
  await page.locator('#tl-from').fill('2020-01-01')
  await page.locator('#tl-to').fill('2020-01-31')
  await page.locator('#tl-to').dispatchEvent('change')
  await page.waitForURL((u) => u.searchParams.get('from') === '2020-01-01' && u.searchParams.get('to') === '2020-01-31')
  await page.locator('.tl-period', { hasText: '2020-01-01 至 2020-01-31' }).waitFor()
  await settled(page)
  assert.equal(await totalOf(page, 'closed'), String(old.totals.closed))
  assert.equal(await totalOf(page, 'open'), String(old.totals.open), 'the open requests are today’s')
  assert.equal(await text(page.locator('.tl-empty-steps')), '所选时间段内没有结束的办理环节。')
  assert.equal(await page.locator('.tl-export-steps').count(), old.departments.length ? 1 : 0)
  // only the departments with referrals open today
  assert.equal(await page.locator('.tl-unit').count(), old.departments.length)
  assert.ok(old.departments.every((u) => u.done === 0))

  // back to the last year: no dates in the URL
  await page.locator('.chip[data-preset="recent"]').click()
  await page.waitForURL((u) => !u.searchParams.has('from') && !u.searchParams.has('to'))
  await page.locator('.tl-step-row').first().waitFor()
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])

  // an empty answer: a sentence for each table, no export controls
  const empty = { ...m, totals: { open: 0, overdue: 0, closed: 0, closed_with_feedback: 0 }, townships: [], departments: [] }
  await page.route('**/api/v1/loop/metrics*', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(empty) }))
  await page.reload()
  await pageShown(page)
  assert.equal(await text(page.locator('.tl-empty-towns')), '所选时间段内没有结案的求助，当前也没有办理中的求助。')
  assert.equal(await text(page.locator('.tl-empty-steps')), '所选时间段内没有结束的办理环节。')
  assert.equal(await text(page.locator('.tl-empty-units')), '所选时间段内没有转办到职能部门或社会组织的求助。')
  assert.equal(await page.locator('.export-button').count(), 0)
  assert.equal(await page.locator('.tl-share').count(), 0, 'no share of nothing')
  // a failing answer: the error, no figures
  await page.unroute('**/api/v1/loop/metrics*')
  await page.route('**/api/v1/loop/metrics*', (r) =>
    r.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'internal error' } }) }),
  )
  await page.reload()
  await page.locator('.tl-error').waitFor()
  assert.ok((await text(page.locator('.tl-error'))).length > 0)
  assert.equal(await page.locator('.tl-totals').count(), 0)
  await page.unroute('**/api/v1/loop/metrics*')
  assert.deepEqual(unexpectedErrors(page, [500]), [])
})

test('a township picked narrows the page to it (the server’s ?township=)', async () => {
  const one = await center.get(`/loop/metrics?township=${TOWNSHIP}`)
  assert.equal(one.status, 200, JSON.stringify(one.body))
  assert.equal(one.body.township, TOWNSHIP, 'the server narrows to a township')
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports/timeliness' })
  await pageShown(page)
  await pickOption(page, page.locator('.tl-township'), '泗河街道')
  await page.waitForURL((u) => u.searchParams.get('township') === TOWNSHIP)
  await page.locator('.tl-place', { hasText: '泗河街道' }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.tl-town').length === 1)
  await settled(page)
  for (const f of ['open', 'overdue', 'closed', 'closed_with_feedback']) assert.equal(await totalOf(page, f), String(one.body.totals[f]), f)
  assert.equal(await page.locator(`.tl-town[data-code="${TOWNSHIP}"]`).count(), 1)
  assert.equal(await page.locator('.tl-unit').count(), one.body.departments.length)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a station sees only its township, the committee the county; a child director has no tab and is led away', async () => {
  const s = (await station.get('/loop/metrics')).body
  assert.deepEqual(s.townships.map((t) => t.code), [TOWNSHIP])
  await loginAs(page, srv.base, 'station', { path: '/login?next=/overview' })
  await page.locator('.ov-tabs .ot-timeliness').click()
  await page.waitForURL((u) => u.pathname === '/reports/timeliness')
  await pageShown(page)
  assert.equal(await text(page.locator('.tl-place')), '泗河街道')
  assert.equal(await page.locator('.tl-township').count(), 0, 'no township to pick')
  assert.equal(await page.locator('.tl-town').count(), 1)
  for (const f of ['open_total', 'overdue', 'closed', 'closed_with_feedback']) assert.equal(await townCell(page, TOWNSHIP, f), String(s.townships[0][f]), f)
  assert.equal(await page.locator('.tl-total').count(), 0, 'no totals row under one township')
  assert.equal(await page.locator('.tl-step-row').count(), 1)
  assert.equal(await page.locator('.tl-unit').count(), s.departments.length)
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  const c = (await (await apiSession(srv.base, 'committee')).get('/loop/metrics')).body
  await loginAs(page, srv.base, 'committee', { path: '/login?next=/reports/timeliness' })
  await pageShown(page)
  assert.equal(await page.locator('.tl-town').count(), c.townships.length)
  assert.equal(await totalOf(page, 'open'), String(c.totals.open))
  assert.ok(await page.locator('.tl-township').isVisible())
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director')
  await page.locator('main h1', { hasText: '您好' }).waitFor()
  assert.equal(await page.locator('.ot-timeliness').count(), 0)
  await page.goto(srv.base + '/reports/timeliness')
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1', { hasText: '您好' }).waitFor()
  await settled(page)
  assert.ok(!page.failures.some((f) => f.includes('/loop/metrics')), page.failures.join())
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px in both languages; the export menu by keyboard', async () => {
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports/timeliness' })
  await pageShown(page)
  assert.equal(await hasHorizontalScroll(page), false, 'zh')
  // the tables scroll inside their own boxes, which take the focus
  const box = page.locator('.tl-wrap').nth(1)
  assert.ok(await box.evaluate((e) => e.scrollWidth > e.clientWidth), 'the steps scroll in their box')
  assert.equal(await box.getAttribute('tabindex'), '0')
  // the export menu opens with Enter and closes with Escape
  const trigger = page.locator('.tl-export-townships').getByRole('button')
  await trigger.focus()
  await page.keyboard.press('Enter')
  const menu = page.locator('.export-menu:visible')
  await menu.waitFor()
  assert.deepEqual((await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim()), ['Excel (XLSX)', 'CSV'])
  await page.locator('.export-menu:visible [role=menuitem]:focus').waitFor()
  await page.keyboard.press('Escape')
  await menu.waitFor({ state: 'hidden' })
  assert.equal(await trigger.evaluate((e) => e === document.activeElement), true, 'the focus back on the control')

  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'Timeliness' }).waitFor()
  await settled(page)
  assert.equal(await hasHorizontalScroll(page), false, 'en')
  assert.equal(await text(page.locator('.ov-tabs .ot-timeliness')), 'Timeliness')
  assert.equal(await text(page.locator('.chip[data-preset="recent"]')), 'Past 12 months')
  assert.equal(await text(page.locator('.tl-totals [data-figure="closed_with_feedback"] .tot-lbl')), 'Closed with feedback')
  const own = m.townships.find((t) => t.code === TOWNSHIP)
  const review = own.steps.find((s) => s.stage === 'township_review')
  // (the page's figures are of now; the review's median of the test's requests)
  assert.equal(await text(stepCell(page, TOWNSHIP, 'township_review').locator('.tl-v')), humanEn(review.median_s))
  assert.match(await page.title(), /^Timeliness · /)
  await page.setViewportSize(DESKTOP)
  assert.equal(await hasHorizontalScroll(page), false, 'en, desktop')
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '办理时效' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('downloads: each table as XLSX (a zip) and CSV (Chinese headers, a row per township or unit, English in English)', async () => {
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports/timeliness' })
  await pageShown(page)
  const stamp = '\\d{8}'
  // a download through a control, once the menu of the one before has gone
  const exportAs = async (p, format, control) => {
    await p.locator('.export-menu:visible').first().waitFor({ state: 'hidden' })
    return exportVia(p, format, control)
  }
  // townships: a row each and the totals
  const towns = page.locator('.tl-export-townships')
  const x = await exportAs(page, 'xlsx', towns)
  assert.match(x.suggestedFilename(), new RegExp(`^timeliness-${stamp}\\.xlsx$`))
  assert.equal(readFileSync(await x.path()).subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip')
  const csv = async (control) => {
    const f = await exportAs(page, 'csv', control)
    return { name: f.suggestedFilename(), lines: readFileSync(await f.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/) }
  }
  const t = await csv(towns)
  assert.match(t.name, new RegExp(`^timeliness-${stamp}\\.csv$`))
  assert.equal(t.lines[0], '乡镇（街道）代码,乡镇（街道）,办理中,超期,已结案,已反馈结案')
  assert.equal(t.lines.length, 1 + m.townships.length + 1, t.lines.join('\n'))
  const own = m.townships.find((x) => x.code === TOWNSHIP)
  assert.ok(t.lines.includes(`${TOWNSHIP},泗河街道,${own.open_total},${own.overdue},${own.closed},${own.closed_with_feedback}`), t.lines.join('\n'))
  assert.equal(t.lines[t.lines.length - 1], `,合计,${m.totals.open},${m.totals.overdue},${m.totals.closed},${m.totals.closed_with_feedback}`)

  // departments: a row per unit
  const units = page.locator('.tl-export-units')
  const ux = await exportAs(page, 'xlsx', units)
  assert.match(ux.suggestedFilename(), new RegExp(`^timeliness-units-${stamp}\\.xlsx$`))
  assert.equal(readFileSync(await ux.path()).subarray(0, 2).toString('latin1'), 'PK')
  const u = await csv(units)
  assert.match(u.name, new RegExp(`^timeliness-units-${stamp}\\.csv$`))
  assert.equal(u.lines[0], '单位代码,单位,类型,待接收,办理中,超期,已办结,已退回,已撤回')
  assert.equal(u.lines.length, 1 + m.departments.length, u.lines.join('\n'))
  const mine = m.departments.find((x) => x.code === deptCode)
  assert.ok(u.lines.includes(`${deptCode},${mine.name},职能部门,${mine.open.pending || 0},${mine.open.accepted || 0},${mine.overdue},${mine.done},${mine.declined},${mine.cancelled}`), u.lines.join('\n'))

  // steps: a row per township or unit and step
  const steps = page.locator('.tl-export-steps')
  const sx = await exportAs(page, 'xlsx', steps)
  assert.match(sx.suggestedFilename(), new RegExp(`^timeliness-steps-${stamp}\\.xlsx$`))
  assert.equal(readFileSync(await sx.path()).subarray(0, 2).toString('latin1'), 'PK')
  const s = await csv(steps)
  assert.match(s.name, new RegExp(`^timeliness-steps-${stamp}\\.csv$`))
  assert.equal(s.lines[0], '类型,代码,名称,环节,件数,用时中位数（小时）,90% 用时（小时）,超期')
  const n = m.townships.reduce((a, x) => a + x.steps.length, 0) + m.departments.reduce((a, x) => a + x.steps.length, 0)
  assert.equal(s.lines.length, 1 + n, s.lines.join('\n'))
  const review = own.steps.find((x) => x.stage === 'township_review')
  assert.ok(s.lines.some((l) => l.startsWith(`乡镇（街道）,${TOWNSHIP},泗河街道,${STAGE_ZH.township_review},${review.count},`)), s.lines.join('\n'))
  assert.ok(s.lines.some((l) => l.startsWith(`转办单位,${deptCode},${mine.name},待接收,`)), s.lines.join('\n'))
  // the file names the steps as the page does, in the loop's order
  const ownSteps = s.lines.filter((l) => l.startsWith(`乡镇（街道）,${TOWNSHIP},`)).map((l) => l.split(',')[3])
  assert.deepEqual(ownSteps, own.steps.map((x) => STAGE_ZH[x.stage] || x.stage))

  // in English: the headers too
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'Timeliness' }).waitFor()
  const en = await csv(page.locator('.tl-export-townships'))
  assert.equal(en.lines[0], 'Township code,Township,Open,Overdue,Closed,Closed with feedback')
  assert.match(en.lines[en.lines.length - 1], /^,Total,/)
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '办理时效' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})
