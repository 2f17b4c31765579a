// The archive (档案, SPEC §9) in the browser: a station archives a child
// who moved away from its page, after a confirmation that says what it
// means; the page then shows the banner (archived on, why), no editing, and
// 恢复; the child leaves the director's list and shows under 档案 with its
// reason; the station brings it back and it is in the director's list
// again. A grown-up may be archived as such and stays there; an erased
// record says that its personal data was erased. A director has no 归档
// and no 档案; the centre changes the archive's periods, a station does
// not. The audit log names the actions. The archive is searched by a part
// of the name and narrowed to a reason. No horizontal scrolling at 360 px,
// in both languages.
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
  chinaToday,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001' // 花园社区 of 泗河街道: the director's, in the station's township
const CHILD = '归档测试儿童'
const GROWN = '成年归档测试'
const TWICE = '查重归档测试乙'
let srv, browser, page, director, station, center, childId, grownId

// a birth date n years and d days before today (China's calendar)
function bornAgo(years, days = 0) {
  const d = new Date(Date.now() + 8 * 3600e3)
  d.setUTCFullYear(d.getUTCFullYear() - years)
  d.setUTCDate(d.getUTCDate() - days)
  return d.toISOString().slice(0, 10)
}

// Waits until a child's page shows the child.
async function childShown(p, name) {
  await p.locator('main h1.child-name', { hasText: name }).waitFor()
  await settled(p)
}

// The director's list, searched for a name: the names it shows.
async function directorFinds(p, name) {
  await p.goto(srv.base + '/children?q=' + encodeURIComponent(name))
  await p.locator('.child-card, .my-children .empty').first().waitFor()
  await settled(p)
  return (await p.locator('.child-card .cc-name').allTextContents()).map((s) => s.trim())
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  director = await apiSession(srv.base, 'director')
  station = await apiSession(srv.base, 'station')
  center = await apiSession(srv.base, 'center')
  const c = await director.post('/children', {
    name: CHILD,
    sex: 'F',
    birth_date: '2014-03-08',
    village_code: VILLAGE,
    hukou_type: 'rural',
    guardians: [
      { relation: 'father', name: '父', status: 'working_away' },
      { relation: 'mother', name: '母', status: 'working_away' },
    ],
  })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  childId = c.body.id
  // a left-behind child, confirmed: the archive ends the category, the restore gives it back
  const k = await station.post(`/children/${childId}/categories/left_behind`, { action: 'confirm', evidence_type: 'home_visit', evidence_ref: '入户核查' })
  assert.equal(k.status, 200, JSON.stringify(k.body))
  // 18 a month ago: still in active work (the daily job waits the grace days)
  const g = await director.post('/children', { name: GROWN, sex: 'M', birth_date: bornAgo(18, 30), village_code: VILLAGE })
  assert.equal(g.status, 201, JSON.stringify(g.body))
  grownId = g.body.id
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('station: archives a child who moved away, after the confirmation; the director no longer lists it; 档案 shows it with the reason; restored, it is back', async () => {
  await loginAs(page, srv.base, 'station', { path: `/login?next=/children/${childId}` })
  await childShown(page, CHILD)
  assert.ok(await page.locator('.edit-btn').isVisible())
  assert.equal(await page.locator('.archived-banner').count(), 0)

  // the confirmation says what archiving means; a child under 18 cannot be archived as grown up
  await page.locator('.archive-btn').click()
  const dlg = page.locator('.archive-dialog')
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.el-dialog__title')), '儿童归档')
  const explain = await text(dlg.locator('.ad-explain'))
  for (const part of ['不再出现在任何名单', '走访计划', '应享尽享核对', '本月底停发', '公益项目']) assert.ok(explain.includes(part), `${part}: ${explain}`)
  assert.deepEqual(
    (await dlg.locator('.ad-reasons .el-radio').allTextContents()).map((s) => s.trim()),
    ['迁出', '死亡', '重复登记', '其他'],
  )
  assert.equal(await text(dlg.locator('.ad-adult-hint')), '“已满18周岁”仅在儿童年满 18 周岁后可选。')
  // no reason: said on the field, nothing sent
  let asked = 0
  const count = (r) => r.url().includes(`/children/${childId}/archive`) && asked++
  page.on('request', count)
  await dlg.locator('.ad-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '请选择归档原因' }).waitFor()
  assert.equal(asked, 0)
  page.off('request', count)
  await dlg.locator('.ad-reason-moved_away').click()
  await dlg.locator('.ad-note textarea').fill('随父母迁往济宁市')
  assert.equal(await text(dlg.locator('.counter')), '8 / 200 字')
  await shot(page, 'archive-dialog')
  await dlg.locator('.ad-submit').click()

  // the banner: when and why; no editing, no archiving, no work sections; 恢复 offered
  const banner = page.locator('.archived-banner')
  await banner.waitFor()
  await page.locator('.el-message', { hasText: '已归档' }).waitFor()
  assert.equal(await text(banner.locator('.ab-tag')), '已归档')
  assert.equal(await text(banner.locator('.ab-when')), `归档于 ${chinaToday()}`)
  assert.equal(await text(banner.locator('.ab-reason')), '原因：迁出')
  assert.match(await text(banner.locator('.ab-text')), /不在任何名单、走访计划、应享尽享核对和统计中/)
  await settled(page)
  assert.equal(await page.locator('.edit-btn').count(), 0)
  assert.equal(await page.locator('.archive-btn').count(), 0)
  assert.equal(await page.locator('.child-visits, .child-ent, .child-projects, .child-requests').count(), 0)
  assert.ok(await banner.locator('.restore-btn').isVisible())
  // the note is kept and shown; the history has the archive's lines
  assert.equal(await text(banner.locator('.ab-note')), '随父母迁往济宁市')
  await page.locator('.history .h-field', { hasText: '归档说明' }).first().waitFor()
  assert.ok(await page.locator('.history .h-field', { hasText: /^归档$/ }).count() >= 1)
  // the category the archive ended says so in words
  await page.locator('.history .h-new', { hasText: '留守儿童' }).filter({ hasText: '随档案归档结束' }).first().waitFor()
  const archived = (await station.get(`/children/${childId}`)).body
  assert.equal(archived.archive_reason, 'moved_away')
  await shot(page, 'archive-child')
  assert.deepEqual(unexpectedErrors(page), [])

  // the director's list no longer has it, nor does its page open
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director')
  assert.deepEqual(await directorFinds(page, CHILD), [])
  assert.equal((await director.get(`/children/${childId}`)).status, 404)

  // 档案: a tab of the registry; the child with its reason and day, opening its page
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/registry' })
  await page.locator('.registry-tabs .rt-archive').click()
  await page.waitForURL((u) => u.pathname === '/archive')
  assert.match(await page.title(), /^归档儿童 · /)
  const card = page.locator(`.ar-item[data-id="${childId}"]`)
  await card.waitFor()
  await settled(page)
  assert.equal(await text(card.locator('.ar-name')), CHILD)
  assert.equal(await text(card.locator('.ar-reason')), '迁出')
  assert.equal(await text(card.locator('.ar-date')), chinaToday())
  assert.equal(await text(card.locator('.ar-village')), '泗河街道 花园社区')
  assert.equal(await page.locator('.ar-item').first().getAttribute('data-id'), String(childId), 'newest first')
  assert.equal(await page.locator('.archive-config').count(), 0, 'the periods are the centre’s')
  await shot(page, 'archive-list')
  await card.locator('a').click()
  await page.waitForURL((u) => u.pathname === `/children/${childId}`)
  await childShown(page, CHILD)

  // 恢复: back in active work
  await page.locator('.restore-btn').click()
  const rdlg = page.locator('.archive-dialog')
  await rdlg.waitFor()
  assert.equal(await text(rdlg.locator('.el-dialog__title')), '恢复到在册工作')
  assert.match(await text(rdlg.locator('.ad-explain')), /原因：迁出/)
  await rdlg.locator('.ad-note textarea').fill('全家返回本村')
  await rdlg.locator('.ad-submit').click()
  await page.locator('.el-message', { hasText: '已恢复到在册工作' }).waitFor()
  await page.locator('.edit-btn').waitFor()
  assert.equal(await page.locator('.archived-banner').count(), 0)
  await page.locator('.child-visits').waitFor()
  await settled(page)
  assert.equal((await station.get(`/children/${childId}`)).body.archived_at, undefined)
  assert.equal((await station.get('/children/archived')).body.items.some((c) => c.id === childId), false)
  assert.deepEqual(unexpectedErrors(page), [])

  // the director lists it again
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director')
  assert.deepEqual(await directorFinds(page, CHILD), [CHILD])
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a grown-up is archived as such and stays: no 恢复; an erased record says its personal data was erased', async () => {
  await loginAs(page, srv.base, 'station', { path: `/login?next=/children/${grownId}` })
  await childShown(page, GROWN)
  await page.locator('.archive-btn').click()
  const dlg = page.locator('.archive-dialog')
  await dlg.waitFor()
  assert.deepEqual(
    (await dlg.locator('.ad-reasons .el-radio').allTextContents()).map((s) => s.trim()),
    ['已满18周岁', '迁出', '死亡', '重复登记', '其他'],
  )
  assert.equal(await dlg.locator('.ad-adult-hint').count(), 0)
  await dlg.locator('.ad-reason-adult').click()
  await dlg.locator('.ad-submit').click()
  const banner = page.locator('.archived-banner')
  await banner.waitFor()
  assert.equal(await text(banner.locator('.ab-reason')), '原因：已满18周岁')
  assert.equal(await text(banner.locator('.ab-stays')), '已满 18 周岁的儿童保持归档，不能恢复。')
  assert.equal(await banner.locator('.restore-btn').count(), 0)
  // the server says so too
  const r = await station.post(`/children/${grownId}/restore`, {})
  assert.equal(r.status, 409)
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])

  // a record kept past its retention (as the server answers it once the
  // daily job has erased it): the personal data erased, nothing to restore
  const today = chinaToday()
  await page.route(`**/api/v1/children/${childId}`, async (route) => {
    const res = await route.fetch()
    const c = await res.json()
    const at = Math.floor(Date.now() / 1000)
    await route.fulfill({
      response: res,
      json: { ...c, name: '（已清除）', birth_date: null, archived_at: at - 86400, archive_reason: 'moved_away', erased_at: at },
    })
  })
  await station.post(`/children/${childId}/archive`, { reason: 'moved_away' })
  await page.goto(srv.base + `/children/${childId}`)
  await childShown(page, '（已清除）')
  assert.equal(await text(banner.locator('.ab-tag')), '已清除')
  assert.match(await text(banner.locator('.ab-erased')), new RegExp(`保存期满，该儿童的个人信息（姓名、身份证号码、出生日期、监护人、备注、走访记录、求助内容）已于 ${today} 清除，统计数字和审计日志保留。`))
  assert.equal(await banner.locator('.restore-btn').count(), 0)
  assert.equal(await banner.locator('.ab-stays').count(), 0)
  await page.unroute(`**/api/v1/children/${childId}`)
  await station.post(`/children/${childId}/restore`, {})
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a director has no 归档 and no 归档儿童', async () => {
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${childId}` })
  await childShown(page, CHILD)
  await page.locator('.edit-btn').waitFor()
  assert.equal(await page.locator('.archive-btn').count(), 0)
  assert.equal(await page.getByRole('button', { name: '归档' }).count(), 0)
  await page.getByRole('button', { name: '菜单' }).click()
  const entries = (await page.locator('#user-menu .nav-link').allTextContents()).map((s) => s.trim())
  assert.ok(!entries.includes('归档儿童'), entries.join())
  await page.goto(srv.base + '/archive')
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1', { hasText: '您好' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('.home-archive').count(), 0)
  assert.equal((await director.get('/children/archived')).status, 403)
  assert.ok(!page.failures.some((f) => f.includes('/archived')), page.failures.join())
  assert.deepEqual(unexpectedErrors(page), [])
})

test("the centre changes the archive's periods; a wrong number is said on its field", async () => {
  await loginAs(page, srv.base, 'center')
  await page.locator('.home-archive').click()
  await page.waitForURL((u) => u.pathname === '/archive')
  const cfg = page.locator('.archive-config')
  await cfg.locator('.ac-now', { hasText: '现行：满 18 周岁后保留 90 天，归档后保存 10 年' }).waitFor()
  await cfg.locator('summary').click()
  assert.match(await text(cfg.locator('.ac-intro')), /个人信息.*统计数字和审计日志保留/)
  assert.equal(await cfg.getByLabel('满18周岁后保留天数').inputValue(), '90')
  assert.equal(await cfg.getByLabel('归档后保存年限').inputValue(), '10')
  // out of range: nothing sent
  let asked = 0
  const count = (r) => r.url().includes('/registry/archive-config') && r.method() === 'PUT' && asked++
  page.on('request', count)
  await cfg.getByLabel('归档后保存年限').fill('0')
  await cfg.getByLabel('满18周岁后保留天数').fill('4000')
  await cfg.locator('.ac-save').click()
  await cfg.locator('.el-form-item__error', { hasText: '请填写 1 至 100 之间的年数' }).waitFor()
  await cfg.locator('.el-form-item__error', { hasText: '请填写 0 至 3650 之间的天数' }).waitFor()
  assert.equal(asked, 0)
  page.off('request', count)
  await cfg.getByLabel('满18周岁后保留天数').fill('120')
  await cfg.getByLabel('归档后保存年限').fill('15')
  await cfg.locator('.ac-save').click()
  await page.locator('.el-message', { hasText: '保存期限已更新' }).waitFor()
  await cfg.locator('.ac-now', { hasText: '现行：满 18 周岁后保留 120 天，归档后保存 15 年' }).waitFor()
  assert.deepEqual((await center.get('/registry/archive-config')).body, { adult_grace_days: 120, retention_years: 15 })
  await shot(page, 'archive-config')
  // the county's archive: every township's, the grown-ups the daily job archived too
  const list = (await center.get('/children/archived')).body.items
  assert.ok(list.length >= 1)
  await page.locator(`.ar-item[data-id="${list[0].id}"]`).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])

  // the auditor reads the actions in words
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'auditor', { path: '/login?next=/audit' })
  await page.locator('.audit-table tbody tr').first().waitFor()
  await settled(page)
  const ACTIONS = { 'child.archive': '儿童归档', 'child.restore': '恢复归档儿童', 'child.list_archived': '查看归档儿童名单', 'archive.config.update': '修改归档保存期限' }
  for (const [action, label] of Object.entries(ACTIONS)) {
    assert.equal(await text(page.locator(`#a-action option[value="${action}"]`)), label)
    await page.locator('#a-action').selectOption(action)
    await page.getByRole('button', { name: '搜索' }).click()
    await page.locator('.audit-table tbody tr td:nth-child(5) .a-code', { hasText: action }).first().waitFor()
    await settled(page)
    const labels = (await page.locator('.audit-table tbody tr td:nth-child(5) .a-label').allTextContents()).map((s) => s.trim())
    assert.ok(labels.length >= 1 && labels.every((l) => l === label), `${action}: ${labels.join()}`)
  }
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the archive searched by a part of the name: only that child; narrowed to another reason: not shown', async () => {
  const c = await director.post('/children', { name: TWICE, sex: 'M', birth_date: '2016-05-20', village_code: VILLAGE })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const a = await station.post(`/children/${c.body.id}/archive`, { reason: 'duplicate' })
  assert.equal(a.status, 200, JSON.stringify(a.body))
  const names = async () => (await page.locator('.ar-item .ar-name').allTextContents()).map((s) => s.trim())

  await loginAs(page, srv.base, 'station', { path: '/login?next=/archive' })
  await page.locator('.ar-item').first().waitFor()
  await settled(page)
  assert.ok((await page.locator('.ar-item').count()) >= 2, 'the archive has others too')
  // a part of the name, on Enter
  const search = page.getByRole('textbox', { name: '按姓名查找' })
  await search.fill('查重归档')
  await search.press('Enter')
  await page.waitForURL((u) => u.searchParams.get('name') === '查重归档')
  await page.waitForFunction(() => document.querySelectorAll('.ar-item').length === 1)
  await settled(page)
  assert.deepEqual(await names(), [TWICE])
  const card = page.locator(`.ar-item[data-id="${c.body.id}"]`)
  assert.equal(await text(card.locator('.ar-reason')), '重复登记')
  // another reason: not shown, and the page says nothing matches
  await pickOption(page, page.locator('.ar-reason-pick'), '迁出')
  await page.waitForURL((u) => u.searchParams.get('reason') === 'moved_away' && u.searchParams.get('name') === '查重归档')
  await page.locator('.ar-empty', { hasText: '没有符合条件的归档儿童' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('.ar-item').count(), 0)
  assert.deepEqual((await station.get(`/children/archived?name=${encodeURIComponent('查重归档')}&reason=moved_away`)).body.items, [])
  // its own reason: there again, and the filters survive a reload
  await pickOption(page, page.locator('.ar-reason-pick'), '重复登记')
  await page.waitForURL((u) => u.searchParams.get('reason') === 'duplicate')
  await card.waitFor()
  await page.reload()
  await card.waitFor()
  await settled(page)
  assert.deepEqual(await names(), [TWICE])
  assert.equal(await search.inputValue(), '查重归档')
  assert.equal(await text(page.locator('.ar-reason-pick .el-select__placeholder:not(.is-transparent)')), '重复登记')
  // cleared: the whole archive again
  await search.fill('')
  await search.press('Enter')
  await page.waitForURL((u) => !u.searchParams.has('name'))
  await page.waitForFunction(() => document.querySelectorAll('.ar-item').length > 0)
  await settled(page)
  assert.ok((await names()).every((n) => n), 'names shown')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px: the archive, an archived child and the dialog, in both languages', async () => {
  await station.post(`/children/${childId}/archive`, { reason: 'duplicate' })
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/archive' })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/archive')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await page.locator(`.ar-item[data-id="${childId}"]`).waitFor()
    await page.locator('.archive-config summary').click()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/archive (${lang})`)
    if (lang === 'zh') await shot(page, 'archive-360', { fullPage: true })
    await page.goto(srv.base + `/children/${childId}`)
    await childShown(page, CHILD)
    assert.equal(await hasHorizontalScroll(page), false, `archived child (${lang})`)
    await page.locator('.restore-btn').click()
    await page.locator('.archive-dialog').waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `restore dialog (${lang})`)
    await page.keyboard.press('Escape')
    await page.locator('.archive-dialog').waitFor({ state: 'hidden' })
  }
  assert.equal(await text(page.locator('.archived-banner .ab-reason')), 'Reason: Registered twice')
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})
