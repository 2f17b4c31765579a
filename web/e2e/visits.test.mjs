// Visits (走访) and the visit plan on a 360 px phone: a child director finds
// a child never visited on the plan, records a home visit with a risk flag
// and a risk assessment on the child's page, and the child leaves the list
// with its next due day; the visit form's errors show on their field (the
// client's and the server's); the centre's visit frequencies persist; no
// horizontal scrolling; a role without visits gets neither the menu entry
// nor the page. The villages' scorecard (儿童主任考核): a station sees its
// township's villages with the API's figures, for this month and for last
// month; a village opens its plan; no horizontal scrolling at 360 px; a
// child director sees the own village's, a department none.
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
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001'
let srv, browser, page, today

// "YYYY-MM-DD" n days after the given day
function addDays(iso, n) {
  const d = new Date(iso + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

// Waits until the plan list has answered, then loads every further page.
async function loadWholePlan(p) {
  await settled(p)
  await p.locator('.plan-shown, .plan-empty').first().waitFor()
  while (await p.locator('.plan-next').isVisible()) {
    await p.locator('.plan-next').click()
    await settled(p)
  }
}

// The number a state chip shows.
async function chipCount(p, filter) {
  return Number((await p.locator(`.chip[data-filter="${filter}"] .chip-count`).textContent()).trim())
}

// The first and the last day of the month before the given day's.
function lastMonth(iso) {
  const [y, m] = iso.split('-').map(Number)
  const day = (d) => d.toISOString().slice(0, 10)
  return { from: day(new Date(Date.UTC(y, m - 2, 1))), to: day(new Date(Date.UTC(y, m - 1, 0))) }
}

// A coverage as the scorecard shows it: a percentage with one decimal.
const pct = (c) => (c === null ? '—' : (Math.round(c * 1000) / 10).toFixed(1) + '%')
const FIGURES = ['in_plan', 'on_schedule', 'overdue', 'never', 'visits', 'children_visited', 'requests_filed', 'feedback_delivered']

// What the scorecard shows of a village (a table row or a card).
async function villageFigures(row) {
  const out = {}
  for (const f of [...FIGURES, 'coverage']) out[f] = (await row.locator(`[data-figure="${f}"] .sc-num`).textContent()).trim()
  return out
}
const expectedFigures = (v) => ({ ...Object.fromEntries(FIGURES.map((f) => [f, String(v[f])])), coverage: pct(v.coverage) })

// Waits until the scorecard shows the period and has settled.
async function scorecardFor(p, from, to) {
  await p.locator('.sc-period', { hasText: `${from} 至 ${to}` }).waitFor()
  await settled(p)
}

async function newChild(api, extra) {
  const r = await api.post('/children', { sex: 'F', birth_date: '2015-04-02', village_code: VILLAGE, ...extra })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: PHONE })
  const api = await apiSession(srv.base, 'director')
  today = (await api.get('/visits/plan?limit=1')).body.today
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

test('director: a child never visited is on the plan; a home visit with a flag and a risk assessment takes it off', async () => {
  const api = await apiSession(srv.base, 'director')
  const c = await newChild(api, { name: '走访计划测试', risk_level: 'medium' })

  // the home page counts the children never visited or overdue and leads to the plan
  await loginAs(page, srv.base, 'director')
  const card = page.locator('.home-card', { hasText: '走访计划' })
  await card.locator('.visits-due').waitFor()
  const counts = (await api.get('/visits/plan?limit=1')).body.counts
  assert.equal((await card.locator('.visits-due').textContent()).trim(), `${counts.never + counts.overdue} 名儿童逾期或从未走访`)
  await card.getByRole('link', { name: '打开走访计划' }).click()
  await page.waitForURL((u) => u.pathname === '/visits')
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()

  // "需要走访" is the filter in use; the new child is there, never visited
  assert.equal(await page.locator('.chip[data-filter="need"]').getAttribute('aria-pressed'), 'true')
  await loadWholePlan(page)
  const never = await chipCount(page, 'never')
  assert.equal(never, counts.never)
  assert.equal(await chipCount(page, 'need'), counts.never + counts.overdue + counts.due_soon)
  const row = page.locator('.plan-card', { hasText: '走访计划测试' })
  assert.equal((await row.locator('.pc-state').textContent()).trim(), '从未走访')
  assert.equal((await row.locator('.pc-risk').textContent()).trim(), '中风险')
  assert.equal((await row.locator('.pc-last').textContent()).trim(), '从未走访')
  assert.equal((await row.locator('.pc-every').textContent()).trim(), '每30天走访一次')
  assert.equal(await hasHorizontalScroll(page), false)
  await shot(page, 'visit-plan-360', { fullPage: true })

  // the child's page: the plan line says never visited
  await row.click()
  await page.waitForURL((u) => u.pathname === `/children/${c.id}`)
  const section = page.locator('.child-visits')
  await section.locator('.plan-line').waitFor()
  assert.match(await section.locator('.plan-line').textContent(), /每30天走访一次 · 尚未走访/)
  assert.equal((await section.locator('.pl-state').textContent()).trim(), '从未走访')
  await section.locator('.cv-empty', { hasText: '暂无走访记录' }).waitFor()

  // record a home visit: a flag, the risk assessed high (the child is medium)
  await section.getByRole('button', { name: '记录走访' }).click()
  const dialog = page.getByRole('dialog', { name: '记录走访' })
  await dialog.waitFor()
  assert.equal(await dialog.getByLabel('走访日期').inputValue(), today, 'the day of the visit is today by default')
  await dialog.locator('label.el-radio', { hasText: '入户走访' }).click()
  await dialog.getByLabel('发现情况').fill('孩子在家，奶奶照看。家中电线老化，已提醒更换。')
  await dialog.locator('.counter', { hasText: '23 / 2000 字' }).waitFor()
  await dialog.locator('label.el-checkbox', { hasText: '安全隐患' }).click()
  await pickOption(page, dialog.locator('.visit-risk'), '高')
  assert.match(await dialog.locator('.visit-risk-hint').textContent(), /儿童当前风险等级：中/)
  await shot(page, 'visit-form-360')
  // the risk's dropdown is closed before saving (a click during its closing transition can be lost)
  await page.waitForFunction(() => [...document.querySelectorAll('.el-select__popper')].every((e) => getComputedStyle(e).display === 'none'))
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await page.locator('.el-message', { hasText: '走访已记录；儿童的风险等级已由“中”调整为“高”' }).waitFor()
  await dialog.waitFor({ state: 'hidden' })

  // the visit is listed, newest first, with the flag and the assessment
  const v = section.locator('.visit-item').first()
  await v.waitFor()
  assert.equal((await v.locator('.v-date').textContent()).trim(), today)
  assert.equal((await v.locator('.v-kind').textContent()).trim(), '入户走访')
  assert.deepEqual(await v.locator('.v-flag').allTextContents(), ['安全隐患'])
  assert.equal((await v.locator('.v-risk').textContent()).trim(), '风险评估：高')
  assert.equal((await v.locator('.v-findings').textContent()).trim(), '孩子在家，奶奶照看。家中电线老化，已提醒更换。')
  assert.equal((await v.locator('.v-by').textContent()).trim(), '花园社区儿童主任（演示）')
  // the child is high risk now (reloaded), with the change in its history;
  // high risk is visited every 14 days, the next one due in 14 days
  await page.locator('.child-risk', { hasText: '高' }).waitFor()
  const h = page.locator('.history li').first()
  await h.locator('.h-field', { hasText: '风险等级' }).waitFor()
  assert.equal(await h.locator('.h-old').textContent(), '中')
  assert.equal(await h.locator('.h-new').textContent(), '高')
  await section.locator('.plan-line', { hasText: '每14天走访一次' }).waitFor()
  assert.ok(
    (await section.locator('.plan-line').textContent()).startsWith(`每14天走访一次 · 上次 ${today} · 下次应在 ${addDays(today, 14)} 前`),
    await section.locator('.plan-line').textContent(),
  )
  assert.equal((await section.locator('.pl-state').textContent()).trim(), '按期')
  assert.equal(await hasHorizontalScroll(page), false)
  // the problem found offers a help request for the child, filled in with it
  const offer = section.locator('.cv-concern')
  assert.match(await offer.textContent(), /本次走访发现问题（安全隐患）/)
  const childPath = new URL(page.url()).pathname
  await offer.locator('.cv-help').click()
  await page.waitForURL((u) => u.pathname === '/requests/new' && u.searchParams.get('child') === childPath.split('/').pop())
  // and the township is told: the station's inbox opens the child's file
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/inbox' })
  const told = page.locator('.msg[data-event="visit.concern"]').first()
  await told.locator('.m-event', { hasText: '走访发现问题' }).waitFor()
  // it names the child, the village and what was found, not a number
  assert.match(((await told.locator('.m-child').textContent()) || '').trim(), /^走访.+的.+时发现问题：安全隐患，点击查看儿童档案$/)
  await told.locator('.m-child').click()
  await page.waitForURL((u) => u.pathname === childPath)
  await page.locator('.child-risk', { hasText: '高' }).waitFor()
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director', { path: '/login?next=' + encodeURIComponent(childPath) })
  await page.waitForURL((u) => u.pathname === childPath)

  // back on the plan: one child fewer never visited, and this one is not
  // among those needing a visit; it is on time until its due day
  await page.goto(srv.base + '/visits')
  await loadWholePlan(page)
  assert.equal(await chipCount(page, 'never'), never - 1)
  assert.equal(await page.locator('.plan-card', { hasText: '走访计划测试' }).count(), 0)
  await page.locator('.chip[data-filter="ok"]').click()
  await page.waitForURL(/state=ok/)
  await loadWholePlan(page)
  const ok = page.locator('.plan-card', { hasText: '走访计划测试' })
  assert.equal((await ok.locator('.pc-state').textContent()).trim(), '按期')
  assert.equal((await ok.locator('.pc-last').textContent()).trim(), today)
  assert.equal((await ok.locator('.pc-due').textContent()).trim(), addDays(today, 14))
  assert.equal((await ok.locator('.pc-risk').textContent()).trim(), '高风险')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: a concern told by a visit voided since is marked 已作废 in the inbox', async () => {
  const api = await apiSession(srv.base, 'director')
  const c = await newChild(api, { name: '录错走访测试' })
  const v = await api.post(`/children/${c.id}/visits`, { kind: 'home', visited_on: today, findings: '记到了别的孩子名下', flags: ['safety'] })
  assert.equal(v.status, 201, JSON.stringify(v.body))
  const ok = await newChild(api, { name: '属实走访测试' })
  assert.equal((await api.post(`/children/${ok.id}/visits`, { kind: 'home', visited_on: today, findings: '家中无人照看', flags: ['living'] })).status, 201)
  assert.equal((await api.post(`/children/${c.id}/visits/${v.body.id}/void`, { reason: '记错了儿童' })).status, 200)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/inbox' })
  const voided = page.locator('.msg[data-event="visit.concern"]', { hasText: '录错走访测试' }).first()
  await voided.locator('.m-voided', { hasText: '已作废' }).waitFor()
  const stands = page.locator('.msg[data-event="visit.concern"]', { hasText: '属实走访测试' }).first()
  await stands.waitFor()
  assert.equal(await stands.locator('.m-voided').count(), 0, 'a visit that stands is not marked')
  assert.equal(await hasHorizontalScroll(page), false)
})

test('visit form: empty findings are stopped on the field; the server\'s refusal of a day before the birth shows on the date', async () => {
  const api = await apiSession(srv.base, 'director')
  const born = addDays(today, -10)
  const c = await newChild(api, { name: '新生儿走访', birth_date: born, risk_level: 'high' })
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${c.id}` })
  await page.locator('.child-visits .plan-line').waitFor()
  await page.getByRole('button', { name: '记录走访' }).click()
  const dialog = page.getByRole('dialog', { name: '记录走访' })
  await dialog.waitFor()

  // nothing written: the form says what is missing, under the field
  let posts = 0
  page.on('request', (r) => r.method() === 'POST' && r.url().endsWith(`/children/${c.id}/visits`) && posts++)
  await dialog.getByLabel('发现情况').fill('   ')
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await dialog
    .locator('.el-form-item.is-error', { hasText: '发现情况' })
    .locator('.el-form-item__error', { hasText: '请填写发现情况' })
    .waitFor()
  assert.equal(posts, 0, 'blank findings are not sent')

  // at most 2000 characters, Chinese or not
  await dialog.getByLabel('发现情况').fill('情'.repeat(2001))
  await dialog.locator('.counter.over', { hasText: '2001 / 2000 字' }).waitFor()
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await dialog
    .locator('.el-form-item.is-error', { hasText: '发现情况' })
    .locator('.el-form-item__error', { hasText: '发现情况过长' })
    .waitFor()
  assert.equal(posts, 0, 'too long findings are not sent')

  // a day before the child's birth: the server refuses it, named on the date
  await dialog.getByLabel('发现情况').fill('电话联系监护人，了解近况。')
  await dialog.locator('label.el-radio', { hasText: '电话回访' }).click()
  await dialog.getByLabel('走访日期').fill(addDays(born, -1))
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await dialog
    .locator('.el-form-item.is-error', { hasText: '走访日期' })
    .locator('.el-form-item__error', { hasText: '走访日期不能早于儿童的出生日期' })
    .waitFor()
  assert.equal(posts, 1)
  assert.equal(await dialog.locator('.el-form-item.is-error', { hasText: '发现情况' }).count(), 0, 'the findings are fine now')

  // corrected, it is saved; no assessment keeps the child's risk level
  await dialog.getByLabel('走访日期').fill(born)
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await page.locator('.el-message', { hasText: '走访已记录' }).waitFor()
  const v = page.locator('.child-visits .visit-item').first()
  await v.waitFor()
  assert.equal((await v.locator('.v-date').textContent()).trim(), born)
  assert.equal((await v.locator('.v-kind').textContent()).trim(), '电话回访')
  assert.equal(await v.locator('.v-risk').count(), 0)
  assert.equal(await v.locator('.v-flag').count(), 0)
  // visited 10 days ago at high risk (every 14 days): due in 4 days, within the 7 of "due soon"
  await page.locator('.child-visits .pl-state', { hasText: '即将到期' }).waitFor()
  assert.match(await page.locator('.child-visits .plan-line').textContent(), new RegExp(`下次应在 ${addDays(born, 14)} 前`))
  assert.equal((await page.locator('.child-risk').textContent()).trim(), '高')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("a child's visits come newest first, ten at a time, with more on request", async () => {
  const api = await apiSession(srv.base, 'director')
  const c = await newChild(api, { name: '多次走访', risk_level: 'medium' })
  for (let i = 11; i >= 1; i--) {
    const r = await api.post(`/children/${c.id}/visits`, { kind: 'phone', visited_on: addDays(today, -i * 3), findings: `第${12 - i}次回访` })
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${c.id}` })
  const items = page.locator('.child-visits .visit-item')
  await items.nth(9).waitFor()
  assert.equal(await items.count(), 10)
  assert.equal((await items.first().locator('.v-findings').textContent()).trim(), '第11次回访')
  assert.equal((await items.first().locator('.v-date').textContent()).trim(), addDays(today, -3))
  await page.locator('.child-visits').getByRole('button', { name: '加载更多' }).click()
  await items.nth(10).waitFor()
  assert.equal((await items.nth(10).locator('.v-findings').textContent()).trim(), '第1次回访')
  assert.equal(await page.locator('.visits-more').count(), 0, 'no more after the last page')

  // the newest turns out a mistake: voided with the reason, kept and marked; the plan goes back to the one before
  const newest = items.first()
  await newest.locator('.v-void').click()
  const box = page.locator('.void-box')
  await box.waitFor()
  assert.match(await box.textContent(), new RegExp(`作废 ${addDays(today, -3)} 的电话回访记录`))
  await box.locator('.v-void-ok').click()
  await box.locator('.el-message-box__errormsg', { hasText: '请填写作废原因' }).waitFor()
  await box.locator('input').fill('重复录入')
  await box.locator('.v-void-ok').click()
  await page.locator('.el-message', { hasText: '走访记录已作废' }).waitFor()
  await page.locator('.child-visits .visit-item.v-voided .v-void-tag', { hasText: '已作废' }).waitFor()
  assert.match(await page.locator('.child-visits .v-voided .v-void-why').textContent(), /作废：重复录入/)
  assert.equal(await page.locator('.child-visits .v-voided .v-void').count(), 0, 'once')
  await page.locator('.child-visits .plan-line', { hasText: addDays(today, -6) }).waitFor()
  const plan = (await api.get(`/children/${c.id}/visits`)).body.plan
  assert.equal(plan.last_visit_on, addDays(today, -6))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a visit frequency changed in the settings persists after a reload', async () => {
  await loginAs(page, srv.base, 'center', { path: '/login?next=/visits' })
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()
  const settings = page.locator('.visit-config')
  await settings.locator('summary', { hasText: '走访频次设置' }).click()
  const high = settings.getByLabel('高风险')
  await page.waitForFunction(() => document.querySelector('.visit-config input[name="risk.high"]')?.value === '14')
  assert.equal(await settings.getByLabel('中风险').inputValue(), '30')
  assert.equal(await settings.getByLabel('低风险').inputValue(), '0')
  assert.equal(await settings.getByLabel('农村留守儿童').inputValue(), '30')
  assert.equal(await settings.getByLabel('提前提醒天数').inputValue(), '7')
  assert.equal(await hasHorizontalScroll(page), false)

  // out of range: said on the field, nothing saved
  await high.fill('10')
  await settings.getByLabel('提前提醒天数').fill('90')
  await settings.getByRole('button', { name: '保存' }).click()
  await settings
    .locator('.el-form-item.is-error', { hasText: '提前提醒天数' })
    .locator('.el-form-item__error', { hasText: '请输入 0 至 60 之间的整数' })
    .waitFor()
  const center = await apiSession(srv.base, 'center')
  assert.equal((await center.get('/visits/config')).body.risk.high, 14)

  await settings.getByLabel('提前提醒天数').fill('7')
  await settings.getByRole('button', { name: '保存' }).click()
  await page.locator('.el-message', { hasText: '走访频次已保存' }).waitFor()
  assert.equal((await center.get('/visits/config')).body.risk.high, 10)

  await page.reload()
  await page.locator('.visit-config summary').click()
  await page.waitForFunction(() => document.querySelector('.visit-config input[name="risk.high"]')?.value !== '')
  assert.equal(await page.locator('.visit-config').getByLabel('高风险').inputValue(), '10')
  assert.equal(await page.locator('.visit-config').getByLabel('提前提醒天数').inputValue(), '7')
  assert.deepEqual(unexpectedErrors(page), [])
  // back to the default for the other tests
  assert.equal((await center.put('/visits/config', { risk: { high: 14 } })).status, 200)
})

test('no horizontal scrolling at 360 px on the visit plan, the visits and the visit form, in both languages', async () => {
  const api = await apiSession(srv.base, 'director')
  const c = await newChild(api, { name: '一个名字相当长的儿童用于检查窄屏换行效果', risk_level: 'high' })
  const long = '很长的发现情况'.repeat(40)
  assert.equal((await api.post(`/children/${c.id}/visits`, { kind: 'school', visited_on: addDays(today, -40), findings: long, flags: ['safety', 'health', 'schooling', 'guardianship', 'psychological', 'living'], risk_level: 'high' })).status, 201)
  await loginAs(page, srv.base, 'director', { path: '/login?next=/visits' })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/visits')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await loadWholePlan(page)
    await page.locator('.plan-card', { hasText: c.name }).waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `/visits (${lang})`)
    await page.goto(srv.base + `/children/${c.id}`)
    await page.locator('.child-visits .visit-item').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `child's visits (${lang})`)
    await page.locator('.record-visit').click()
    await page.locator('.visit-dialog').waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `visit form (${lang})`)
  }
  // the English words
  await page.locator('.visit-dialog .el-dialog__title', { hasText: 'Record a visit' }).waitFor()
  assert.match(await page.locator('.child-visits .plan-line').textContent(), /Every 14 days/)
  assert.equal((await page.locator('.child-visits .pl-state').textContent()).trim(), '26 days overdue')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a department has no visit plan: no menu entry, and /visits leads home', async () => {
  await loginAs(page, srv.base, 'department')
  await page.locator('main h1').waitFor()
  await page.getByRole('button', { name: '菜单' }).click()
  const menu = page.locator('#user-menu')
  await menu.waitFor()
  const entries = await menu.locator('.nav-stack .nav-link').allTextContents()
  assert.ok(entries.includes('我的转办'), entries.join())
  assert.ok(!entries.includes('走访计划'), entries.join())
  assert.equal(await page.locator('.home-card', { hasText: '走访计划' }).count(), 0)
  await page.goto(srv.base + '/visits')
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1', { hasText: '您好' }).waitFor()
  assert.equal(await page.locator('.plan-card').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: the scorecard shows its township\'s villages with the API\'s figures, this month and last month', async () => {
  const director = await apiSession(srv.base, 'director')
  const station = await apiSession(srv.base, 'station')
  const admin = await apiSession(srv.base, 'admin')
  const lm = lastMonth(today)
  // in 花园社区: a child never visited, and a high-risk one visited on the
  // first day of last month (every 14 days: overdue now)
  await newChild(director, { name: '考核从未走访', risk_level: 'medium' })
  const late = await newChild(director, { name: '考核逾期', risk_level: 'high' })
  assert.equal((await director.post(`/children/${late.id}/visits`, { kind: 'home', visited_on: lm.from, findings: '上月入户走访。' })).status, 201)
  // 文化社区: a child visited today (all on schedule: before the villages
  // with nobody in the plan, after 花园社区, when the lowest come first)
  const culture = await newChild(station, { name: '考核按期', risk_level: 'medium', village_code: '370831001003' })
  assert.equal((await station.post(`/children/${culture.id}/visits`, { kind: 'phone', visited_on: today, findings: '电话回访。' })).status, 201)
  // 泉城社区 without a child director: its director's account is locked
  const before = (await station.get('/visits/scorecard')).body
  const second = before.villages.find((v) => v.village_code === '370831001002')
  assert.ok(second.directors.length > 0)
  for (const d of second.directors) assert.equal((await admin.post(`/users/${d.user_id}/lock`, {})).status, 200)
  try {
    const card = (await station.get('/visits/scorecard')).body
    assert.equal(card.area, '370831001')

    // the entry: a tab of the visit plan
    await page.setViewportSize(DESKTOP)
    await loginAs(page, srv.base, 'station', { path: '/login?next=/visits' })
    await page.locator('main h1', { hasText: '走访计划' }).waitFor()
    await page.locator('.visit-tabs').getByRole('link', { name: '儿童主任考核' }).click()
    await page.waitForURL((u) => u.pathname === '/visits/scorecard')
    await page.locator('main h1', { hasText: '儿童主任考核' }).waitFor()
    await scorecardFor(page, card.from, card.to)
    assert.equal(card.from, today.slice(0, 8) + '01', 'this month by default')
    assert.equal(await page.locator('.chip[data-preset="month"]').getAttribute('aria-pressed'), 'true')
    assert.equal(await page.locator('#sc-from').inputValue(), card.from)
    assert.equal(await page.locator('#sc-to').inputValue(), card.to)
    assert.equal((await page.locator('.sc-count').textContent()).trim(), `· ${card.villages.length} 个村（社区）`)

    // the township's villages only, those of the API, lowest coverage first
    const rows = page.locator('.sc-row')
    assert.equal(await rows.count(), card.villages.length)
    const codes = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.code))
    assert.ok(codes.every((c) => c.startsWith('370831001')), codes.join())
    assert.deepEqual([...codes].sort(), card.villages.map((v) => v.village_code))
    const cov = (v) => (v.coverage === null ? 2 : v.coverage)
    const lowest = [...card.villages].sort((a, b) => cov(a) - cov(b) || (a.village_code < b.village_code ? -1 : 1))
    assert.deepEqual(codes, lowest.map((v) => v.village_code))
    assert.deepEqual(codes.slice(0, 3), [VILLAGE, '370831001003', '370831001002'])
    // or in the villages' order
    await pickOption(page, page.locator('.sc-sort'), '按村（社区）顺序')
    await page.waitForURL((u) => u.searchParams.get('sort') === 'code')
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.code)), card.villages.map((v) => v.village_code))
    await pickOption(page, page.locator('.sc-sort'), '覆盖率从低到高')
    await page.waitForURL((u) => !u.searchParams.has('sort'))
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.code)), codes)
    assert.deepEqual(
      (await page.locator('.sc-row .sc-open').allTextContents()).map((x) => x.trim()),
      lowest.map((v) => v.village_name),
    )

    // the totals are the API's
    for (const f of FIGURES) {
      assert.equal((await page.locator(`.tot[data-figure="${f}"] .tot-num`).textContent()).trim(), String(card.totals[f]), f)
    }
    assert.equal((await page.locator('.tot[data-figure="coverage"] .tot-num').textContent()).trim(), pct(card.totals.coverage))

    // 花园社区: its children overdue and never visited, its directors
    const garden = card.villages.find((v) => v.village_code === VILLAGE)
    assert.ok(garden.overdue >= 1 && garden.never >= 1, JSON.stringify(garden))
    const row = page.locator(`.sc-row[data-code="${VILLAGE}"]`)
    assert.deepEqual(await villageFigures(row), expectedFigures(garden))
    assert.deepEqual((await row.locator('.sc-dir-name').allTextContents()).map((x) => x.trim()), garden.directors.map((d) => d.name))
    // each director's own work, as the API counts it
    assert.deepEqual(
      (await row.locator('.sc-dir-work').allTextContents()).map((x) => x.trim()),
      garden.directors.map((d) => `本人：走访 ${d.visits} 次，上报 ${d.requests_filed} 件`),
    )
    const red = 'rgb(198, 40, 40)'
    const color = (l) => l.evaluate((e) => getComputedStyle(e).color)
    assert.equal(await color(row.locator('[data-figure="overdue"] .sc-num')), red, 'overdue children in red')
    assert.equal(await color(row.locator('[data-figure="coverage"] .sc-num')) === red, garden.coverage < 0.6, 'red below 60 %')
    // every village below 60 % is in red, the others are not
    for (const v of card.villages.filter((x) => x.coverage !== null)) {
      const c = await color(page.locator(`.sc-row[data-code="${v.village_code}"] [data-figure="coverage"] .sc-num`))
      assert.equal(c === red, v.coverage < 0.6, `${v.village_name} ${v.coverage}`)
    }
    // 泉城社区 has no child director, said in red
    const none = page.locator('.sc-row[data-code="370831001002"]')
    assert.equal((await none.locator('.sc-dirs').textContent()).trim(), '无儿童主任')
    assert.equal(await color(none.locator('.sc-nodir')), red)
    assert.deepEqual(await villageFigures(none), expectedFigures(card.villages.find((v) => v.village_code === '370831001002')))
    await shot(page, 'visit-scorecard')

    // last month: the period's figures change to the API's for it; the plan's stay (they are today's)
    const prev = (await station.get(`/visits/scorecard?from=${lm.from}&to=${lm.to}`)).body
    const gardenPrev = prev.villages.find((v) => v.village_code === VILLAGE)
    assert.ok(gardenPrev.visits >= 1, 'the visit of last month counts')
    await page.locator('.chip[data-preset="last_month"]').click()
    await page.waitForURL((u) => u.searchParams.get('from') === lm.from && u.searchParams.get('to') === lm.to)
    await scorecardFor(page, lm.from, lm.to)
    assert.equal(await page.locator('.chip[data-preset="last_month"]').getAttribute('aria-pressed'), 'true')
    assert.equal(await page.locator('.chip[data-preset="month"]').getAttribute('aria-pressed'), 'false')
    assert.equal(await page.locator('#sc-from').inputValue(), lm.from)
    assert.equal(await page.locator('#sc-to').inputValue(), lm.to)
    assert.equal((await page.locator('.tot[data-figure="visits"] .tot-num').textContent()).trim(), String(prev.totals.visits))
    assert.equal((await page.locator('.tot[data-figure="children_visited"] .tot-num').textContent()).trim(), String(prev.totals.children_visited))
    assert.deepEqual(await villageFigures(row), expectedFigures(gardenPrev))
    assert.equal(gardenPrev.overdue, garden.overdue)
    assert.equal(gardenPrev.never, garden.never)

    // dates typed: an end before the start is said on the field, and not asked
    let asked = 0
    page.on('request', (r) => r.url().includes('/visits/scorecard') && asked++)
    await page.locator('#sc-to').fill(addDays(lm.from, -1))
    await page.locator('.sc-to-err', { hasText: '结束日期不能早于开始日期' }).waitFor()
    assert.equal(asked, 0)
    // a period of one day: the day of last month's visit
    await page.locator('#sc-to').fill(lm.from)
    await scorecardFor(page, lm.from, lm.from)
    assert.equal(await page.locator('.sc-to-err').count(), 0)
    const day = (await station.get(`/visits/scorecard?from=${lm.from}&to=${lm.from}`)).body
    assert.equal((await page.locator('.tot[data-figure="visits"] .tot-num').textContent()).trim(), String(day.totals.visits))
    assert.equal(await page.locator('.chips .chip[aria-pressed="true"]').count(), 0, 'no quick period is this one')
    assert.equal(await hasHorizontalScroll(page), false)
    assert.deepEqual(unexpectedErrors(page), [])
  } finally {
    for (const d of second.directors) await admin.post(`/users/${d.user_id}/unlock`, {})
  }
})

test('a village of the scorecard opens its visit plan', async () => {
  const station = await apiSession(srv.base, 'station')
  // one child of the village gets its director, so that a card can name one
  const first = (await station.get(`/visits/plan?area=${VILLAGE}&limit=1`)).body.items[0]
  const dir = await apiSession(srv.base, 'director')
  const file = (await station.get(`/children/${first.child_id}`)).body
  const me = (await dir.get('/me')).body.user
  const assigned = await station.patch(`/children/${first.child_id}`, { version: file.version, director_id: me.id })
  assert.equal(assigned.status, 200, JSON.stringify(assigned.body))
  const card = (await station.get('/visits/scorecard')).body
  const garden = card.villages.find((v) => v.village_code === VILLAGE)
  await page.setViewportSize(DESKTOP)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/visits/scorecard' })
  await scorecardFor(page, card.from, card.to)
  await page.locator(`.sc-row[data-code="${VILLAGE}"] .sc-open`).click()
  await page.waitForURL((u) => u.pathname === '/visits' && u.searchParams.get('area') === VILLAGE)
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()
  assert.equal(await page.locator('.visit-tabs .vt-plan').getAttribute('aria-current'), 'page')
  await loadWholePlan(page)
  // the village picked; its children only; the counts those of the scorecard
  await page.locator('.pick-village .el-select__selected-item', { hasText: garden.village_name }).waitFor()
  assert.equal(await chipCount(page, 'never'), garden.never)
  assert.equal(await chipCount(page, 'overdue'), garden.overdue)
  assert.equal(await chipCount(page, 'need'), garden.never + garden.overdue + garden.due_soon)
  const villages = await page.locator('.plan-card .pc-village').allTextContents()
  assert.equal(villages.length, garden.never + garden.overdue + garden.due_soon)
  assert.ok(villages.every((v) => v.trim() === garden.village_name), villages.join())
  // each card names the child's director, as the plan's API does: whom to chase
  const plan = (await station.get(`/visits/plan?area=${VILLAGE}&limit=500`)).body.items
  const shown = await page.locator('.plan-card').evaluateAll((cards) =>
    cards.map((c) => [c.getAttribute('href').split('/').pop(), c.querySelector('.pc-director').textContent.trim()]),
  )
  assert.ok(shown.length > 0)
  for (const [id, who] of shown) {
    const it = plan.find((x) => String(x.child_id) === id)
    assert.equal(who, it.director_name ? `儿童主任：${it.director_name}` : '未指定儿童主任', id)
  }
  assert.ok(plan.some((x) => x.director_name), 'some child has a director')
  // and back: the scorecard of that village
  await page.locator('.visit-tabs').getByRole('link', { name: '儿童主任考核' }).click()
  await page.waitForURL((u) => u.pathname === '/visits/scorecard' && u.searchParams.get('area') === VILLAGE)
  await scorecardFor(page, card.from, card.to)
  assert.deepEqual(await page.locator('.sc-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.code)), [VILLAGE])
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the plan and the scorecard download as spreadsheets with what the page shows; a school has no download', async () => {
  const station = await apiSession(srv.base, 'station')
  const plan = (await station.get('/visits/plan?state=never,overdue,due_soon&limit=500')).body
  const card = (await station.get('/visits/scorecard')).body
  await page.setViewportSize(DESKTOP)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/visits' })
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()
  const planFile = await exportAs(page, 'csv')
  assert.match(planFile.suggestedFilename(), /^visit-plan-\d{8}\.csv$/)
  const planLines = readFileSync(await planFile.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/)
  assert.match(planLines[0], /^儿童编号,姓名,/)
  assert.equal(planLines.length - 1, plan.total, 'the children needing a visit, all of them')
  await page.locator('.visit-tabs').getByRole('link', { name: '儿童主任考核' }).click()
  await scorecardFor(page, card.from, card.to)
  const cardFile = await exportAs(page, 'csv')
  const cardLines = readFileSync(await cardFile.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/)
  assert.match(cardLines[0], /^村（社区）代码,村（社区）,儿童主任,/)
  assert.equal(cardLines.length - 2, card.villages.length, 'a line per village, and the totals')
  assert.match(cardLines[cardLines.length - 1], /^,合计,/)
  // a school keeps visits of its pupils but exports no list of children
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'school', { path: '/login?next=/visits' })
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()
  assert.equal(await page.locator('.export-button').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px on the scorecard, in both languages; the centre narrows it to a township', async () => {
  const station = await apiSession(srv.base, 'station')
  const card = (await station.get('/visits/scorecard')).body
  const garden = card.villages.find((v) => v.village_code === VILLAGE)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/visits/scorecard' })
  await scorecardFor(page, card.from, card.to)
  assert.equal(await hasHorizontalScroll(page), false)
  // a card per village, its figures labelled
  const row = page.locator(`.sc-row[data-code="${VILLAGE}"]`)
  assert.deepEqual(await villageFigures(row), expectedFigures(garden))
  assert.equal((await row.locator('[data-figure="overdue"] .sc-lbl').textContent()).trim(), '逾期')
  assert.ok(await row.locator('[data-figure="overdue"] .sc-lbl').isVisible())
  assert.equal(await page.locator('.sc-table thead').isVisible(), false)
  const box = await row.boundingBox()
  assert.ok(box.width <= 360, `a card of ${box.width} px`)
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: "Child directors' scorecard" }).waitFor()
  assert.equal((await row.locator('[data-figure="never"] .sc-lbl').textContent()).trim(), 'Never visited')
  assert.equal(await hasHorizontalScroll(page), false, 'English')
  await page.locator('.chip[data-preset="quarter"]', { hasText: 'This quarter' }).click()
  await page.waitForURL(/from=/)
  await settled(page)
  assert.equal(await hasHorizontalScroll(page), false, 'this quarter')
  await page.getByRole('button', { name: '中文' }).click()

  // the centre, the whole county, then one township
  await resetSession(browser.context, srv.base, page)
  const center = await apiSession(srv.base, 'center')
  const county = (await center.get('/visits/scorecard')).body
  await loginAs(page, srv.base, 'center', { path: '/login?next=/visits/scorecard' })
  await scorecardFor(page, county.from, county.to)
  assert.equal(await page.locator('.sc-row').count(), county.villages.length)
  assert.equal((await page.locator('.tot[data-figure="in_plan"] .tot-num').textContent()).trim(), String(county.totals.in_plan))
  assert.equal(await hasHorizontalScroll(page), false, 'the county')
  await pickOption(page, page.locator('.sc-township'), '泗河街道')
  await page.waitForURL((u) => u.searchParams.get('area') === '370831001')
  await settled(page)
  assert.equal(await page.locator('.sc-row').count(), card.villages.length)
  assert.equal((await page.locator('.tot[data-figure="in_plan"] .tot-num').textContent()).trim(), String(card.totals.in_plan))
  assert.equal((await page.locator('.sc-place').textContent()).trim(), '泗河街道')
  assert.equal(await hasHorizontalScroll(page), false, 'a township')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a child director sees the own village\'s scorecard, not others\', and writes no review; a department has no scorecard', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/visits' })
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()
  await settled(page)
  await page.getByRole('link', { name: '儿童主任考核' }).click()
  await page.waitForURL((u) => u.pathname === '/visits/scorecard')
  const own = (await (await apiSession(srv.base, 'director')).get('/visits/scorecard')).body
  assert.equal(own.villages.length, 1)
  await page.locator('.sc-row').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('.sc-row').count(), 1, 'the own village only')
  assert.equal(await page.locator('.sc-township').count(), 0, 'no township to pick')
  assert.equal(await page.getByRole('button', { name: /^评价|^修改评价/ }).count(), 0, 'the supervisor reviews')
  assert.equal(await hasHorizontalScroll(page), false)
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'department')
  await page.locator('main h1').waitFor()
  await page.getByRole('button', { name: '菜单' }).click()
  const entries = await page.locator('#user-menu .nav-stack .nav-link').allTextContents()
  assert.ok(!entries.includes('儿童主任考核') && !entries.includes('走访计划'), entries.join())
  await page.goto(srv.base + '/visits/scorecard')
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1', { hasText: '您好' }).waitFor()
  assert.equal(await page.locator('.sc-row').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})
