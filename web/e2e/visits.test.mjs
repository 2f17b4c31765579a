// Visits (走访) and the visit plan on a 360 px phone: a child director finds
// a child never visited on the plan, records a home visit with a risk flag
// and a risk assessment on the child's page, and the child leaves the list
// with its next due day; the visit form's errors show on their field (the
// client's and the server's); the centre's visit frequencies persist; no
// horizontal scrolling; a role without visits gets neither the menu entry
// nor the page.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer,
  launch,
  openPage,
  resetSession,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  pickOption,
  settled,
  shot,
  unexpectedErrors,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
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
  if (page) await page.close()
  await resetSession(browser.context, srv.base)
  page = await openPage(browser.context, { viewport: PHONE })
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
