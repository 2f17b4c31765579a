// The monthly report (月度工作报告) and the overview's entitlements (SPEC
// §8 oversight) in the browser: the centre opens the report as the
// overview's second tab; its tiles, each township's row, the county-wide
// projects and the totals are the API's, for this month and the one before
// (never one ahead) — the schools' counselling and caring mothers and the
// supporting programmes' returns among them; a township picked narrows it;
// the CSV downloads with
// the same totals; printing hides the menu and the buttons and lays the
// report on A4. The committee opens it from its home page, and reads the
// policies. A township's station sees only its township, and another
// township's report is refused. The overview shows the entitlement figures
// of the API, the children entitled and not receiving in red and opening
// 应享尽享 for the centre, not for the committee. No horizontal scrolling at
// 360 px, in both languages.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  exportAs,
  hasHorizontalScroll,
  pickOption,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaToday,
  chinaMonth,
  openNav,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const TOWNSHIP = '370831001' // 泗河街道, the station's
const RED = 'rgb(198, 40, 40)'
let srv, browser, page, center, month

function addMonths(m, n) {
  const [y, mm] = m.split('-').map(Number)
  return new Date(Date.UTC(y, mm - 1 + n, 1)).toISOString().slice(0, 7)
}
const yuan = (c) => (c < 0 ? '-' : '') + '¥' + String(Math.floor(Math.abs(c) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + String(Math.abs(c) % 100).padStart(2, '0')
const color = (l) => l.evaluate((e) => getComputedStyle(e).color)

// the report's figures, as the page shows them: "group.figure" → text
const FIGURES = {
  children: ['total', 'registered'],
  categories: ['confirmed', 'ended'],
  visits: ['visits', 'children'],
  talks: ['talks', 'children', 'adults'],
  schools: ['counselling', 'pupils', 'caring_pairs'],
  programmes: ['returns', 'left_behind_ended'],
  requests: ['filed', 'closed', 'feedback'],
  entitlements: ['started', 'ended', 'paid_cents'],
  projects: ['donated_cents', 'spent_cents', 'finished'],
}
// a count as the page writes it: thousands grouped by commas
const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
function expected(x) {
  const out = {}
  for (const [g, figs] of Object.entries(FIGURES)) for (const f of figs) out[`${g}.${f}`] = f.endsWith('_cents') ? yuan(x[g][f]) : grouped(x[g][f])
  return out
}
async function shown(row) {
  const out = {}
  for (const [g, figs] of Object.entries(FIGURES)) for (const f of figs) out[`${g}.${f}`] = await text(row.locator(`[data-figure="${g}.${f}"]`))
  return out
}
async function tiles(p) {
  const out = {}
  for (const [g, figs] of Object.entries(FIGURES)) for (const f of figs) out[`${g}.${f}`] = await text(p.locator(`.rp-tile[data-figure="${g}.${f}"] .rp-num`))
  return out
}
const monthTitle = (m) => `${Number(m.slice(0, 4))} 年 ${Number(m.slice(5, 7))} 月`

// Waits until the report shows a month.
async function reportShown(p, m) {
  await p.locator('main h1', { hasText: '月度工作报告' }).waitFor()
  await p.locator('.rp-month', { hasText: monthTitle(m) }).waitFor()
  await p.locator('.rp-table').waitFor()
  await settled(p)
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  month = chinaMonth()
  center = await apiSession(srv.base, 'center')
  // this month: a donation to the county-wide fundraising drive (a line of
  // its own), and a child of 泗河街道 entitled to a policy it does not receive
  const drive = (await center.get('/projects?kind=fundraising')).body.items.find((p) => !p.area_code)
  assert.ok(drive, 'the demo has a county-wide fundraising drive')
  const f = await center.post(`/projects/${drive.id}/funds`, { kind: 'donation', amount_cents: 123456, on_date: chinaToday(), party: '报告测试' })
  assert.equal(f.status, 201, JSON.stringify(f.body))
  const depts = (await center.get('/units?kind=department')).body.items
  const pol = await center.post('/policies', {
    code: 'e2e_report',
    name: '重度残疾儿童补贴（报告测试）',
    department_id: depts[0].id,
    benefit: 'monthly_allowance',
    effective_from: month + '-01',
    amount_cents: 10000,
    rule: { disability_grades: [1] },
  })
  assert.equal(pol.status, 201, JSON.stringify(pol.body))
  // a group counselling session of the demo's school this month
  const school = await apiSession(srv.base, 'school')
  const schoolId = (await school.get('/me')).body.membership.unit_id
  const k = await school.post(`/schools/${schoolId}/counselling`, { held_on: chinaToday(), mode: 'group', topic: 'safety', pupils: 36 })
  assert.equal(k.status, 201, JSON.stringify(k.body))
  const c = await center.post('/children', { name: '报告测试儿童', sex: 'M', birth_date: '2014-06-01', village_code: TOWNSHIP + '001', disability_grade: 1, disability_type: 'physical' })
  assert.equal(c.status, 201, JSON.stringify(c.body))
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test("centre: the month's report is the API's, by township and in total; the month before; a township; CSV; print on A4", async () => {
  const r = (await center.get('/reports/monthly')).body
  assert.equal(r.month, month)
  assert.equal(r.townships.length, 13)
  assert.equal(r.county_wide.projects.donated_cents, 123456)
  assert.ok(r.totals.schools.counselling >= 1 && r.totals.schools.pupils >= 36, JSON.stringify(r.totals.schools))

  // the overview's second tab
  await loginAs(page, srv.base, 'center')
  await openNav(page, '全县概览')
  await page.locator('.ov-tabs').getByRole('link', { name: '月度报告' }).click()
  await page.waitForURL((u) => u.pathname === '/reports')
  await reportShown(page, month)
  assert.match(await page.title(), /^月度报告 · /)
  assert.equal(await page.locator('.ov-tabs .ot-report').getAttribute('aria-current'), 'page')
  assert.equal(await text(page.locator('.rp-place')), '泗水县')
  assert.equal(await text(page.locator('.rp-range')), `· ${r.from} 至 ${r.to}`)
  // the tiles are the totals; each township's row, the county-wide line and the totals row are the API's
  assert.deepEqual(await tiles(page), expected(r.totals))
  assert.deepEqual(
    await page.locator('.rp-row:not(.rp-county)').evaluateAll((trs) => trs.map((tr) => tr.dataset.code)),
    r.townships.map((x) => x.code),
  )
  for (const x of r.townships) assert.deepEqual(await shown(page.locator(`.rp-row[data-code="${x.code}"]`)), expected(x), x.name)
  assert.equal(await text(page.locator(`.rp-row[data-code="${TOWNSHIP}"] .rp-name`)), '泗河街道')
  const county = page.locator('.rp-county')
  assert.equal(await text(county.locator('.rp-name')), '全县性项目、宣讲和心理辅导')
  assert.equal(await text(county.locator('[data-figure="talks.talks"]')), grouped(r.county_wide.talks.talks))
  assert.equal(await text(county.locator('[data-figure="projects.donated_cents"]')), yuan(r.county_wide.projects.donated_cents))
  assert.equal(await text(county.locator('[data-figure="visits.visits"]')), '—')
  // the counselling of the county's own schools is on its line, as in the file
  assert.equal(await text(county.locator('[data-figure="schools.counselling"]')), grouped(r.county_wide.schools.counselling))
  assert.equal(await text(county.locator('[data-figure="schools.caring_pairs"]')), '—')
  assert.equal(await text(page.locator('.rp-total th')), '合计')
  assert.deepEqual(await shown(page.locator('.rp-total')), expected(r.totals))
  // the groups over their figures
  assert.deepEqual(
    (await page.locator('.rp-group-h').allTextContents()).map((s) => s.trim()),
    ['儿童', '类别', '走访', '宣讲', '学校关爱', '帮扶项目', '求助', '福利保障', '公益项目'],
  )
  // the schools' counselling: its column, its tile, its total
  const heads = (await page.locator('.rp-table thead tr:nth-child(2) th').allTextContents()).map((s) => s.trim())
  for (const h of ['心理辅导次数', '辅导学生人次', '新结对爱心妈妈', '父母返乡', '因返乡结束留守']) assert.ok(heads.includes(h), heads.join())
  assert.ok(await page.locator('.rp-table th', { hasText: '心理辅导次数' }).isVisible())
  assert.equal(await text(page.locator('.rp-total [data-figure="schools.counselling"]')), grouped(r.totals.schools.counselling))
  assert.equal(await text(page.locator('.rp-tile[data-figure="schools.counselling"] dt')), '本月心理辅导次数')
  assert.equal(await text(page.locator('.rp-tile[data-figure="schools.counselling"] .rp-num')), grouped(r.totals.schools.counselling))
  assert.equal(await text(page.locator('.rp-group[data-group="programmes"] h2')), '帮扶项目')
  // no month ahead
  assert.ok(await page.locator('.rp-next').isDisabled())
  assert.equal(await hasHorizontalScroll(page), false)
  await shot(page, 'report', { fullPage: true })

  // the month before
  const prev = addMonths(month, -1)
  const rp = (await center.get(`/reports/monthly?month=${prev}`)).body
  await page.locator('.rp-prev').click()
  await page.waitForURL((u) => u.searchParams.get('month') === prev)
  await reportShown(page, prev)
  assert.deepEqual(await shown(page.locator('.rp-total')), expected(rp.totals))
  assert.equal(await page.getByLabel('月份', { exact: true }).inputValue(), prev)
  assert.ok(!(await page.locator('.rp-next').isDisabled()))
  await page.locator('.rp-this').click()
  await page.waitForURL((u) => !u.searchParams.has('month'))
  await reportShown(page, month)

  // one township
  const own = (await center.get(`/reports/monthly?township=${TOWNSHIP}`)).body
  await pickOption(page, page.locator('.rp-township'), '泗河街道')
  await page.waitForURL((u) => u.searchParams.get('township') === TOWNSHIP)
  await page.locator('.rp-place', { hasText: '泗河街道' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('.rp-row:not(.rp-county)').count(), 1)
  assert.deepEqual(await shown(page.locator(`.rp-row[data-code="${TOWNSHIP}"]`)), expected(own.townships[0]))
  assert.deepEqual(await tiles(page), expected(own.totals))

  // the CSV of the county: a row per township, the county-wide line and the totals
  await page.goto(srv.base + '/reports')
  await reportShown(page, month)
  const file = await exportAs(page, 'csv')
  assert.match(file.suggestedFilename(), /\.csv$/)
  const lines = readFileSync(await file.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.match(lines[0], /^乡镇（街道）代码,乡镇（街道）,/)
  assert.equal(lines.length, 1 + 13 + 1 + 1, lines.join('\n'))
  const head = lines[0].split(',')
  const total = lines[lines.length - 1].split(',')
  const cell = (name) => total[head.indexOf(name)]
  assert.equal(total[1], '合计')
  assert.equal(cell('在册儿童（未满18周岁）'), String(r.totals.children.total))
  assert.equal(cell('本月走访次数'), String(r.totals.visits.visits))
  assert.equal(cell('本月宣讲场次'), String(r.totals.talks.talks))
  assert.equal(cell('本月心理辅导次数'), String(r.totals.schools.counselling))
  assert.equal(cell('本月项目捐赠（元）'), (r.totals.projects.donated_cents / 100).toFixed(2))
  assert.equal(cell('本月发放金额（元）'), (r.totals.entitlements.paid_cents / 100).toFixed(2))
  assert.ok(lines.some((l) => l.startsWith(`${TOWNSHIP},泗河街道,`)))

  // printing: no menu bar, no buttons or pickers; the table whole, on A4 landscape
  await page.emulateMedia({ media: 'print' })
  assert.equal(await page.locator('.topbar').isVisible(), false)
  assert.equal(await page.locator('.rp-buttons').isVisible(), false)
  assert.equal(await page.locator('.rp-controls').isVisible(), false)
  assert.ok(await page.locator('.rp-table').isVisible())
  assert.ok(await page.locator('.rp-total').isVisible())
  assert.ok(await page.locator('.rp-table th', { hasText: '心理辅导次数' }).isVisible())
  assert.ok(await page.locator('.rp-table th', { hasText: '因返乡结束留守' }).isVisible())
  // the nine groups fit across the page (A4 landscape between the margins: 273 mm, ~1032 px)
  await page.setViewportSize({ width: 1032, height: 900 })
  const wide = await page.locator('.rp-table').evaluate((e) => e.scrollWidth)
  assert.ok(wide <= 1032, `the table is ${wide} px wide`)
  await page.setViewportSize(DESKTOP)
  assert.match(await text(page.locator('.rp-printed')), /^统计时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  await page.emulateMedia({ media: null }) // the PDF is made with the print media
  const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1')
  const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])])
  assert.ok(boxes.length >= 1, 'a page')
  for (const [w, h] of boxes) assert.ok(Math.abs(w - 841.9) < 2 && Math.abs(h - 595.3) < 2, `an A4 landscape page, not ${w} × ${h}`)
  assert.ok(boxes.length <= 2, `${boxes.length} pages`)
  // the print button is there
  assert.ok(await page.getByRole('button', { name: '打印' }).isEnabled())
  assert.deepEqual(unexpectedErrors(page), [])
})

test('committee: the report from its home page; the policies read-only', async () => {
  const committee = await apiSession(srv.base, 'committee')
  const r = (await committee.get('/reports/monthly')).body
  await loginAs(page, srv.base, 'committee')
  const card = page.locator('.home-card.report-card')
  await card.getByRole('link', { name: '打开月度报告' }).click()
  await page.waitForURL((u) => u.pathname === '/reports')
  await reportShown(page, month)
  assert.deepEqual(await shown(page.locator('.rp-total')), expected(r.totals))
  assert.equal(await page.locator('.rp-row:not(.rp-county)').count(), 13)
  assert.ok(await page.locator('.rp-township').isVisible(), 'the committee narrows it to a township')
  // the policies behind the benefits, read-only, from the menu
  await openNav(page, '政策')
  await page.waitForURL((u) => u.pathname === '/entitlements/policies')
  await page.locator('.policy-card[data-code="e2e_report"]').waitFor()
  assert.equal(await page.getByRole('button', { name: '新建政策' }).count(), 0)
  assert.equal(await page.getByRole('button', { name: '新增版本' }).count(), 0)
  assert.equal(await page.locator('.ent-tabs').count(), 0, 'no tabs to pages it does not have')
  assert.deepEqual(unexpectedErrors(page), [])
})

test("station: its own township only; another township's report is refused", async () => {
  const station = await apiSession(srv.base, 'station')
  const r = (await station.get('/reports/monthly')).body
  assert.deepEqual(r.townships.map((x) => x.code), [TOWNSHIP])
  await loginAs(page, srv.base, 'station')
  await openNav(page, '乡镇概览')
  await page.locator('.ov-tabs').getByRole('link', { name: '月度报告' }).click()
  await page.waitForURL((u) => u.pathname === '/reports')
  await reportShown(page, month)
  assert.equal(await text(page.locator('.rp-place')), '泗河街道')
  assert.equal(await page.locator('.rp-township').count(), 0, 'no township to pick')
  assert.deepEqual(await page.locator('.rp-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.code)), [TOWNSHIP])
  assert.deepEqual(await shown(page.locator('.rp-row')), expected(r.townships[0]))
  assert.deepEqual(await tiles(page), expected(r.totals))
  assert.equal(await page.locator('.rp-total').count(), 0, 'one township: no totals row')
  // someone else's township, typed into the address
  await page.goto(srv.base + '/reports?township=370831002')
  await page.locator('main .err', { hasText: '只能查看本乡镇（街道）的报告' }).waitFor()
  assert.equal(await page.locator('.rp-table').count(), 0)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("overview: the entitlements are the API's; the children entitled and not receiving open 应享尽享 for the centre, not for the committee", async () => {
  const ov = (await center.get('/overview')).body
  const own = ov.townships.find((x) => x.code === TOWNSHIP)
  assert.ok(own.entitlements.gap >= 1, JSON.stringify(own.entitlements))
  await loginAs(page, srv.base, 'center', { path: '/login?next=/overview' })
  await page.locator('.ov-row').first().waitFor()
  await settled(page)
  const e = ov.totals.entitlements
  const tile = (f) => page.locator(`.ent-tile[data-figure="entitlements.${f}"] .ent-num`)
  assert.equal(await text(tile('gap')), String(e.gap))
  assert.equal(await text(tile('stop')), String(e.stop))
  assert.equal(await text(tile('receiving')), String(e.receiving))
  assert.equal(await text(tile('paid')), yuan(e.paid_this_month_cents))
  assert.equal(await color(tile('gap')), RED)
  assert.equal(await text(page.locator('.ov-g-ent h2')), '应享尽享')
  for (const x of ov.townships) {
    const row = page.locator(`.ov-row[data-code="${x.code}"]`)
    const got = {}
    for (const f of ['gap', 'stop', 'receiving', 'paid']) got[f] = await text(row.locator(`[data-figure="entitlements.${f}"] .ov-num`))
    const want = { gap: String(x.entitlements.gap), stop: String(x.entitlements.stop), receiving: String(x.entitlements.receiving), paid: yuan(x.entitlements.paid_this_month_cents) }
    assert.deepEqual(got, want, x.name)
  }
  assert.equal(await text(page.locator('.ov-total td').nth(-4)), String(e.gap))
  // the township's gap opens its list of 应享未享, with the same count
  const gap = page.locator(`.ov-row[data-code="${TOWNSHIP}"] [data-figure="entitlements.gap"] a`)
  assert.equal(await color(gap), RED)
  await gap.click()
  await page.waitForURL((u) => u.pathname === '/entitlements' && u.searchParams.get('area') === TOWNSHIP)
  await page.locator('.ent-shown, .ent-empty').first().waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.chip[data-group="gap"] .chip-count')), String(own.entitlements.gap))
  // the page names the township opened, not the county
  const townName = ov.townships.find((x) => x.code === TOWNSHIP).name
  assert.equal(await text(page.locator('.ent-place')), townName)
  // the county's 应停未停 opens the list of benefits to stop
  await page.goBack()
  await page.locator('.ent-tile[data-figure="entitlements.stop"] a.ent-open-stop').click()
  await page.waitForURL((u) => u.pathname === '/entitlements' && u.searchParams.get('group') === 'stop')
  await page.locator('.chip[data-group="stop"][aria-pressed="true"]').waitFor()
  assert.equal(await text(page.locator('.chip[data-group="stop"] .chip-count')), String(e.stop))
  assert.deepEqual(unexpectedErrors(page), [])

  // the committee: the same figures, nothing to open
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'committee', { path: '/login?next=/overview' })
  await page.locator('.ov-row').first().waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.ent-tile[data-figure="entitlements.gap"] .ent-num')), String(e.gap))
  assert.equal(await page.locator('a.ent-open, a.ent-open-stop').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px: the report (its table scrolls in its own box) and the overview, in both languages', async () => {
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports' })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/reports')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await page.locator('.rp-table').waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/reports (${lang})`)
    const box = await page.locator('.rp-wrap').evaluate((e) => ({ client: e.clientWidth, scroll: e.scrollWidth }))
    assert.ok(box.client <= 360 && box.scroll > box.client, `the table scrolls in its box: ${JSON.stringify(box)}`)
    if (lang === 'zh') await shot(page, 'report-360', { fullPage: true })
    await page.goto(srv.base + '/overview')
    await page.locator('.ov-row').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/overview (${lang})`)
    assert.ok(await page.locator(`.ov-row[data-code="${TOWNSHIP}"] [data-figure="entitlements.gap"] .ov-lbl`).isVisible())
  }
  assert.equal(await text(page.locator('.ov-g-ent h2')), 'Entitlements')
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})
