// Supporting programmes (帮扶项目, SPEC §7): a township's station registers a
// returning-entrepreneur project (its form's errors, no level for an
// entrepreneur) and finds it listed with its figures, the totals being the
// API's; records that the father of a left-behind child came home to work
// in it — the child found by name, only a parent working away can be
// picked —, is told that the child's left-behind status ended, sees it in
// the returns, and the child's page shows the father at home and the
// category ended (父母返乡), and the home card counts the child. The centre narrows the county's list to a
// township, raises a partner from basic to growth and ends it, both in the
// log; a new partner is offered basic only, an ended one no other level.
// An edit of a programme changed meanwhile is refused, said above the form. The committee reads; a child director has no such page. English
// labels; no horizontal scrolling at 360 px. The dialog's counts above the
// server's limit (100,000) say the limit, in both languages.
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
  bornBefore,
  openNav,
  discardTyped,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001' // 花园社区, 泗河街道 (the station's township)
const TOWNSHIP2 = '370831002' // 济河街道
const CHILD = '返乡测试儿童'
const FATHER = '王返乡'
const MOTHER = '李外出'
const FARM = '花园社区返乡创业蔬菜大棚（测试）'
const PARTNER = '济河街道乡村振兴合伙人（测试）'
const STATION_NAME = '泗河街道工作站（演示）'
let srv, browser, page, center, station, child, farmId, partnerId

// Waits until the list has answered.
async function listed(p) {
  await settled(p)
  await p.locator('.pg-row, .pg-empty').first().waitFor()
}
// Waits until a programme's page shows it.
async function opened(p, name) {
  await p.locator('main h1', { hasText: name }).waitFor()
  await settled(p)
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
  station = await apiSession(srv.base, 'station')
  // a ten-year-old with a rural hukou whose parents both work away: a
  // left-behind child, confirmed
  const r = await center.post('/children', {
    name: CHILD,
    sex: 'M',
    birth_date: bornBefore(10, 30),
    village_code: VILLAGE,
    hukou_type: 'rural',
    guardians: [
      { relation: 'father', name: FATHER, status: 'working_away' },
      { relation: 'mother', name: MOTHER, status: 'working_away' },
      { relation: 'grandmother', name: '张奶奶', status: 'present' },
    ],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  child = r.body
  const c = await center.post(`/children/${child.id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'HS-1' })
  assert.equal(c.status, 200, JSON.stringify(c.body))
  assert.equal(c.body.state, 'confirmed')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('station: a returning-entrepreneur project registered, then listed with its figures', async () => {
  const before = (await station.get('/programmes')).body
  await loginAs(page, srv.base, 'station')
  await openNav(page, '帮扶项目')
  await page.waitForURL((u) => u.pathname === '/programmes')
  await page.locator('main h1', { hasText: '帮扶项目' }).waitFor()
  await listed(page)

  // the township's programmes and the API's totals; no township to pick
  assert.equal(await page.locator('.pg-row').count(), before.items.length)
  assert.equal(await text(page.locator('.tot[data-figure="programmes"] .tot-num')), String(before.totals.programmes))
  assert.equal(await text(page.locator('.tot[data-figure="jobs"] .tot-num')), String(before.totals.jobs))
  assert.equal(await text(page.locator('.tot[data-figure="returnees"] .tot-num')), String(before.totals.returnees))
  assert.equal(await text(page.locator('.pg-headline-num')), String(before.totals.left_behind_ended))
  assert.equal(await page.locator('.pg-township').count(), 0)
  assert.equal(await text(page.locator('.pg-place')), '泗河街道')

  // the form says what is missing; an entrepreneur has no level, a partner has
  await page.getByRole('button', { name: '新建项目' }).click()
  const dialog = page.getByRole('dialog', { name: '新建帮扶项目' })
  await dialog.waitFor()
  let posts = 0
  page.on('request', (q) => q.method() === 'POST' && new URL(q.url()).pathname === '/api/v1/programmes' && posts++)
  await dialog.getByRole('button', { name: '创建项目' }).click()
  await dialog.locator('.el-form-item.is-error', { hasText: '项目名称' }).locator('.el-form-item__error', { hasText: '此项为必填项' }).waitFor()
  await dialog.locator('.el-form-item.is-error', { hasText: '返乡创业者' }).waitFor()
  assert.equal(posts, 0, 'nothing sent')
  assert.equal(await dialog.locator('.pgd-level').count(), 0, 'no level for an entrepreneur')
  await dialog.locator('label.el-radio', { hasText: '乡村振兴合伙人' }).click()
  await dialog.locator('.pgd-level').waitFor()
  assert.ok(await dialog.locator('.el-form-item', { hasText: '合伙人' }).first().isVisible())
  // a new partner starts at basic: no other level is offered
  assert.equal(await dialog.locator('.pgd-level .el-radio').count(), 1)
  assert.equal(await text(dialog.locator('.pgd-level .el-radio')), '基础')
  await dialog.locator('label.el-radio', { hasText: '返乡创业' }).first().click()
  await dialog.locator('.pgd-level').waitFor({ state: 'detached' })

  await dialog.getByLabel('项目名称').fill(FARM)
  await dialog.getByLabel('返乡创业者').fill('赵创业')
  await dialog.getByLabel('产业').fill('蔬菜种植')
  await dialog.locator('#pgd-village option', { hasText: '花园社区' }).waitFor({ state: 'attached' })
  await dialog.getByLabel('村（社区）').selectOption({ label: '花园社区' })
  assert.equal(await dialog.getByLabel('开始日期').inputValue(), chinaToday())
  await dialog.getByLabel('开始日期').fill('2025-03-01')
  await dialog.getByLabel('带动就业').fill('12')
  await dialog.getByLabel('返乡人数').fill('3')
  await dialog.getByLabel('备注').fill('村集体提供大棚用地')
  await shot(page, 'programme-new')
  await dialog.getByRole('button', { name: '创建项目' }).click()
  await page.locator('.el-message', { hasText: `已创建帮扶项目“${FARM}”` }).waitFor()
  await page.waitForURL((u) => /^\/programmes\/\d+$/.test(u.pathname))
  farmId = Number(new URL(page.url()).pathname.split('/').pop())
  await opened(page, FARM)
  assert.equal(await text(page.locator('.pp-status')), '进行中')
  assert.equal(await text(page.locator('.pp-kind')), '返乡创业')
  assert.equal(await text(page.locator('.pp-area')), '泗河街道 花园社区')
  assert.equal(await text(page.locator('.pp-holder')), '赵创业')
  assert.equal(await text(page.locator('.pp-industry')), '蔬菜种植')
  assert.equal(await text(page.locator('.pp-started')), '2025-03-01')
  assert.equal(await text(page.locator('.pp-jobs')), '12 人')
  assert.equal(await text(page.locator('.pp-returnees')), '3 人')
  assert.equal(await text(page.locator('.pp-notes')), '村集体提供大棚用地')
  assert.equal(await page.locator('.pp-levels').count(), 0, 'no level for an entrepreneur')
  assert.equal(await text(page.locator('.pp-no-returns')), '还没有登记父母返乡')
  assert.equal(await text(page.locator('.pl-item .pl-move')), '登记项目')
  assert.equal(await text(page.locator('.pl-item .pl-by')), STATION_NAME)

  // the list shows it with its figures, and the totals grew by them
  await page.getByRole('link', { name: '返回帮扶项目' }).click()
  await page.waitForURL((u) => u.pathname === '/programmes')
  await listed(page)
  const row = page.locator(`.pg-row[data-id="${farmId}"]`)
  assert.equal(await text(row.locator('.pg-name')), FARM)
  assert.equal(await text(row.locator('.pg-kind-tag')), '返乡创业')
  assert.equal(await text(row.locator('.pg-area')), '泗河街道 花园社区')
  assert.equal(await text(row.locator('.pg-holder')), '赵创业')
  assert.equal(await text(row.locator('.pg-industry')), '蔬菜种植')
  assert.equal(await row.locator('.pg-level').count(), 0)
  assert.equal(await text(row.locator('.pg-jobs')), '12')
  assert.equal(await text(row.locator('.pg-returnees')), '3')
  assert.equal(await text(row.locator('.pg-returns')), '0 / 0')
  assert.equal(await text(row.locator('.pg-status')), '进行中')
  assert.equal(await text(page.locator('.tot[data-figure="programmes"] .tot-num')), String(before.totals.programmes + 1))
  assert.equal(await text(page.locator('.tot[data-figure="jobs"] .tot-num')), String(before.totals.jobs + 12))
  assert.equal(await text(page.locator('.tot[data-figure="returnees"] .tot-num')), String(before.totals.returnees + 3))

  // the kind narrows the list
  await pickOption(page, page.locator('.pg-kind'), '乡村振兴合伙人')
  await page.waitForURL((u) => u.searchParams.get('kind') === 'revitalisation_partner')
  await listed(page)
  const partners = (await station.get('/programmes?kind=revitalisation_partner')).body
  assert.equal(await page.locator('.pg-row').count(), partners.items.length)
  assert.equal(await page.locator(`.pg-row[data-id="${farmId}"]`).count(), 0)
  const tags = await page.locator('.pg-row .pg-kind-tag').allTextContents()
  assert.ok(tags.every((s) => s.trim() === '乡村振兴合伙人'), tags.join())
  await shot(page, 'programmes')
  assert.deepEqual(unexpectedErrors(page), [])
})

test("station: a left-behind child's father came home to work in it; the left-behind status ended, on the child's page too", async () => {
  assert.ok(farmId, 'the first test made the programme')
  await loginAs(page, srv.base, 'station', { path: `/login?next=/programmes/${farmId}` })
  await opened(page, FARM)
  await page.getByRole('button', { name: '登记父母返乡' }).click()
  const dialog = page.getByRole('dialog', { name: '登记父母返乡' })
  await dialog.waitFor()
  assert.equal(await dialog.getByLabel('返乡日期').inputValue(), chinaToday())
  let posts = 0
  page.on('request', (q) => q.method() === 'POST' && q.url().includes('/returns') && posts++)
  await dialog.getByRole('button', { name: '登记返乡' }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: '请先查找并选择一名儿童' }).waitFor()
  assert.equal(posts, 0, 'no child, nothing sent')

  // the child found by name; its parents with their status, the grandmother not offered
  await dialog.getByLabel('按姓名查找儿童').fill(CHILD)
  await dialog.getByRole('button', { name: '搜索' }).click()
  await dialog.locator(`.rd-found [data-child="${child.id}"]`).waitFor()
  const father = dialog.locator('.rd-option[data-relation="father"]')
  const mother = dialog.locator('.rd-option[data-relation="mother"]')
  await father.waitFor()
  assert.equal(await dialog.locator('.rd-option').count(), 2)
  assert.equal(await text(father.locator('.rd-name')), `父亲 · ${FATHER}`)
  assert.equal(await text(father.locator('.rd-status')), '外出务工')
  assert.equal(await text(mother.locator('.rd-status')), '外出务工')
  // two parents away: one must be chosen
  await dialog.getByRole('button', { name: '登记返乡' }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: '请选择返乡的父亲或母亲' }).waitFor()
  assert.equal(posts, 0)
  // not before the programme started
  await father.click()
  await dialog.getByLabel('返乡日期').fill('2025-02-01')
  await dialog.getByRole('button', { name: '登记返乡' }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: '返乡日期不能早于项目开始日期' }).waitFor()
  assert.equal(posts, 0)
  await dialog.getByLabel('返乡日期').fill(chinaToday())
  await shot(page, 'programme-return')
  await dialog.getByRole('button', { name: '登记返乡' }).click()

  // what happened, said clearly
  await page.locator('.el-message', { hasText: `${FATHER}已返乡，留守身份已结束` }).waitFor()
  const outcome = page.locator('.pp-outcome')
  await outcome.waitFor()
  assert.equal(await text(outcome.locator('.po-text')), `${FATHER}已返乡，留守身份已结束`)
  assert.match(await text(outcome.locator('.po-child')), new RegExp(`^${CHILD}的农村留守儿童身份已终止（父母返乡）。`))
  assert.equal(posts, 1)
  const item = page.locator(`.pr-item[data-child="${child.id}"]`)
  await item.waitFor()
  assert.equal(await item.locator('a.pr-child').getAttribute('href'), `/children/${child.id}`)
  assert.equal(await text(item.locator('.pr-child')), CHILD)
  assert.equal(await text(item.locator('.pr-village')), '花园社区')
  assert.equal(await text(item.locator('.pr-relation')), '父亲返乡')
  assert.equal(await text(item.locator('.pr-date')), chinaToday())
  assert.equal(await text(item.locator('.pr-ended')), '留守已结束')
  assert.equal(await text(item.locator('.pr-by')), `登记人：${STATION_NAME}`)
  assert.equal(await text(page.locator('main h2', { hasText: '父母返乡' })), '父母返乡（1）')
  assert.equal(await text(page.locator('.pp-ended')), '1 名儿童')
  // the API agrees
  const api = (await station.get(`/programmes/${farmId}`)).body
  assert.equal(api.returns, 1)
  assert.equal(api.left_behind_ended, 1)

  // the father is home now: he cannot come home twice; the mother still can
  await page.getByRole('button', { name: '登记父母返乡' }).click()
  await dialog.waitFor()
  await dialog.getByLabel('按姓名查找儿童').fill(CHILD)
  await dialog.getByRole('button', { name: '搜索' }).click()
  await father.waitFor()
  assert.equal(await text(father.locator('.rd-status')), '在家')
  assert.ok(await father.locator('input').isDisabled())
  assert.ok(await mother.locator('input').isChecked(), 'the only parent away is chosen')
  // a child picked: Esc asks before throwing the pick away
  await page.keyboard.press('Escape')
  await discardTyped(page)
  await dialog.waitFor({ state: 'hidden' })

  // the list: the headline and the row count the child
  await page.getByRole('link', { name: '返回帮扶项目' }).click()
  await listed(page)
  const all = (await station.get('/programmes')).body
  assert.ok(all.totals.left_behind_ended >= 1)
  assert.equal(await text(page.locator('.pg-headline-num')), String(all.totals.left_behind_ended))
  assert.equal(await text(page.locator('.pg-headline-text')), '名儿童因父母返乡到帮扶项目就业，结束了留守')
  assert.equal(await text(page.locator(`.pg-row[data-id="${farmId}"] .pg-returns`)), '1 / 1')

  // the child's page: the father at home, the left-behind category ended
  await page.goto(srv.base + `/children/${child.id}`)
  await page.locator('main h1', { hasText: CHILD }).waitFor()
  await settled(page)
  const g = page.locator('.guardian[data-relation="father"]')
  assert.equal(await text(g.locator('.g-status')), '在家')
  assert.equal(await text(page.locator('.guardian[data-relation="mother"] .g-status')), '外出务工')
  const card = page.locator('.cat-card[data-category="left_behind"]')
  await card.locator('.cat-state', { hasText: '已终止' }).waitFor()
  assert.equal(await text(card.locator('.cat-end-reason')), '父母返乡')

  // the home card counts the child, as the API does
  await openNav(page, '首页')
  const home = page.locator('.home-card.programmes-card')
  await home.locator('.programme-ended', { hasText: `${all.totals.left_behind_ended} 名儿童因父母返乡结束留守` }).waitFor()
  await home.getByRole('link', { name: '打开帮扶项目' }).click()
  await page.waitForURL((u) => u.pathname === '/programmes')
  await listed(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: the county narrowed to a township; a partner raised from basic to growth, then ended, in the log', async () => {
  const r = await center.post('/programmes', {
    kind: 'revitalisation_partner',
    area_code: TOWNSHIP2,
    name: PARTNER,
    holder: '钱合伙',
    industry: '电商',
    started_on: '2024-06-01',
    jobs: 8,
    returnees: 2,
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.level, 'basic')
  partnerId = r.body.id
  const all = (await center.get('/programmes')).body
  const town = (await center.get('/programmes?area=' + TOWNSHIP2)).body

  await loginAs(page, srv.base, 'center')
  await openNav(page, '帮扶项目')
  await listed(page)
  assert.equal(await page.locator('.pg-row').count(), all.items.length)
  assert.equal(await text(page.locator('.tot[data-figure="programmes"] .tot-num')), String(all.totals.programmes))
  assert.equal(await text(page.locator('.pg-headline-num')), String(all.totals.left_behind_ended))
  await pickOption(page, page.locator('.pg-township'), '济河街道')
  await page.waitForURL((u) => u.searchParams.get('township') === TOWNSHIP2)
  await listed(page)
  assert.equal(await page.locator('.pg-row').count(), town.items.length)
  assert.equal(await text(page.locator('.tot[data-figure="jobs"] .tot-num')), String(town.totals.jobs))
  assert.equal(await text(page.locator('.pg-place')), '济河街道')
  const areas = await page.locator('.pg-row .pg-area').allTextContents()
  assert.ok(areas.every((a) => a.trim().startsWith('济河街道')), areas.join())
  const row = page.locator(`.pg-row[data-id="${partnerId}"]`)
  assert.equal(await text(row.locator('.pg-level')), '基础')
  assert.equal(await text(row.locator('.pg-kind-tag')), '乡村振兴合伙人')

  await row.locator('.pg-name').click()
  await opened(page, PARTNER)
  assert.equal(await text(page.locator('.pp-step.on')), '基础')
  assert.equal(await text(page.locator('.pp-level-now')), '当前等级：基础')
  await page.getByRole('button', { name: '升为“成长”合伙人' }).click()
  await page.locator('.el-message', { hasText: '合伙人等级已升为“成长”' }).waitFor()
  await page.locator('.pp-step.on', { hasText: '成长' }).waitFor()
  assert.ok(await page.getByRole('button', { name: '升为“核心”合伙人' }).isVisible())
  const log = page.locator('.pl-item')
  assert.equal(await log.count(), 2)
  assert.equal(await text(log.nth(0).locator('.pl-move')), '合伙人等级：基础 → 成长')
  assert.equal(await text(log.nth(0).locator('.pl-by')), '县未成年人救助保护中心 1 号岗')
  assert.match(await text(log.nth(0).locator('.pl-at')), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  assert.equal(await text(log.nth(1).locator('.pl-move')), '登记为“基础”合伙人')
  assert.equal((await center.get(`/programmes/${partnerId}`)).body.level, 'growth')

  // the programme ends: no more level to raise, no returns, the log says so
  await page.getByRole('button', { name: '编辑' }).click()
  const edit = page.getByRole('dialog', { name: '编辑帮扶项目' })
  await edit.waitFor()
  assert.equal(await edit.getByLabel('项目名称').inputValue(), PARTNER)
  assert.equal(await edit.getByLabel('合伙人', { exact: true }).inputValue(), '钱合伙')
  assert.equal(await edit.locator('.pgd-level .el-radio').count(), 3, 'a running partner may change level')
  await edit.getByLabel('带动就业').fill('15')
  await edit.locator('label.el-radio', { hasText: '已结束' }).click()
  await edit.getByRole('button', { name: '保存' }).click()
  await page.locator('.el-message', { hasText: '项目信息已保存' }).waitFor()
  await page.locator('.pp-status', { hasText: '已结束' }).waitFor()
  assert.equal(await text(page.locator('.pp-jobs')), '15 人')
  assert.equal(await text(log.nth(0).locator('.pl-move')), '状态：进行中 → 已结束')
  assert.equal(await page.getByRole('button', { name: '登记父母返乡' }).count(), 0)
  assert.equal(await page.locator('.pp-raise').count(), 0)
  assert.equal(await text(page.locator('.pp-ended-note')), '项目已结束，不能再登记父母返乡。')
  // an ended programme's partner keeps her level: the form offers no other
  await page.getByRole('button', { name: '编辑' }).click()
  await edit.waitFor()
  assert.equal(await edit.locator('.pgd-level .el-radio').count(), 1)
  assert.equal(await text(edit.locator('.pgd-level .el-radio')), '成长')
  await edit.getByRole('button', { name: '取消' }).click()
  await edit.waitFor({ state: 'hidden' })
  await page.goto(srv.base + '/programmes?status=ended')
  await listed(page)
  assert.equal(await text(page.locator(`.pg-row[data-id="${partnerId}"] .pg-status`)), '已结束')
  assert.equal(await page.locator('.pg-row').count(), (await center.get('/programmes?status=ended')).body.items.length)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the committee reads, in English too; a child director has no such page', async () => {
  assert.ok(farmId && partnerId)
  const committee = await apiSession(srv.base, 'committee')
  const all = (await committee.get('/programmes')).body
  await loginAs(page, srv.base, 'committee', { path: '/login?next=/programmes' })
  await listed(page)
  assert.equal(await page.locator('.pg-row').count(), all.items.length)
  assert.equal(await page.getByRole('button', { name: '新建项目' }).count(), 0)
  await page.locator(`.pg-row[data-id="${farmId}"] .pg-name`).click()
  await opened(page, FARM)
  assert.equal(await page.locator('main button').count(), 0, 'nothing to do here')
  assert.equal(await text(page.locator('.pr-item .pr-ended')), '留守已结束')
  assert.equal(await text(page.locator('.pr-item .pr-child')), '不显示儿童姓名', 'the committee sees no child named')

  // English
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h2', { hasText: 'Parents returned (1)' }).waitFor()
  assert.equal(await text(page.locator('.pp-kind')), 'Returning entrepreneur')
  assert.equal(await text(page.locator('.pp-status')), 'Active')
  assert.equal(await text(page.locator('.pr-item .pr-ended')), 'Left-behind ended')
  assert.equal(await text(page.locator('.pr-item .pr-relation')), 'Father returned')
  await page.getByRole('link', { name: 'Back to supporting programmes' }).click()
  await listed(page)
  await page.locator('main h1', { hasText: 'Supporting programmes' }).waitFor()
  const heads = (await page.locator('.pg-table th').allTextContents()).map((s) => s.trim())
  assert.deepEqual(heads, ['Name', 'Kind', 'Area', 'Holder', 'Industry', 'Partner level', 'Jobs', 'Returnees', 'Parents returned / left-behind ended', 'Status'])
  assert.equal(await text(page.locator(`.pg-row[data-id="${partnerId}"] .pg-level`)), 'Growth')
  assert.equal(await text(page.locator(`.pg-row[data-id="${partnerId}"] .pg-status`)), 'Ended')
  assert.equal(await text(page.locator('.tot[data-figure="jobs"] .tot-lbl')), 'Jobs')
  assert.match(await text(page.locator('.pg-headline-text')), /no longer left behind/)
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '帮扶项目' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])

  // a child director: no menu entry; the address leads home
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('a[href="/programmes"]').count(), 0)
  await page.goto(srv.base + '/programmes')
  await page.waitForURL((u) => u.pathname === '/')
})

test('no horizontal scrolling at 360 px on the list, a programme and the return dialog, in both languages', async () => {
  assert.ok(farmId)
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/programmes' })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/programmes')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await listed(page)
    const box = await page.locator(`.pg-row[data-id="${farmId}"]`).boundingBox()
    assert.ok(box.width <= 360, `a row of ${box.width} px`)
    assert.equal(await hasHorizontalScroll(page), false, `/programmes (${lang})`)
    if (lang === 'zh') await shot(page, 'programmes-360', { fullPage: true })
    await page.goto(srv.base + `/programmes/${farmId}`)
    await page.locator('.pr-item').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/programmes/${farmId} (${lang})`)
    await page.locator('.pp-return').click()
    await page.locator('.return-dialog').waitFor()
    await page.locator('.return-dialog #rd-q').fill(CHILD)
    await page.locator('.return-dialog .rd-search').click()
    await page.locator('.return-dialog .rd-option').first().waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `the return dialog (${lang})`)
    await page.keyboard.press('Escape')
    await discardTyped(page)
    await page.locator('.return-dialog').waitFor({ state: 'hidden' })
    await page.locator('.pp-edit').click()
    await page.locator('.programme-dialog').waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `the edit dialog (${lang})`)
    await page.keyboard.press('Escape')
    await page.locator('.programme-dialog').waitFor({ state: 'hidden' })
  }
  assert.equal(await text(page.locator('.pp-return')), "Record a parent's return")
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the dialog’s counts above the server’s limit say the limit (100,000), in both languages; a number not whole says so', async () => {
  await loginAs(page, srv.base, 'station', { path: '/programmes' })
  await listed(page)
  let posts = 0
  page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/programmes' && posts++)
  const dialog = page.locator('.programme-dialog')
  const errOf = (id) => dialog.locator('.el-form-item', { has: page.locator(id) }).locator('.el-form-item__error')
  await page.locator('.pg-new').click()
  await dialog.waitFor()
  // six digits above the limit, and eight
  await dialog.locator('#pgd-jobs').fill('200000')
  await dialog.locator('#pgd-returnees').fill('99999999')
  await dialog.locator('.pgd-submit').click()
  await errOf('#pgd-jobs').waitFor()
  assert.equal(await text(errOf('#pgd-jobs')), '最多 100,000 人')
  assert.equal(await text(errOf('#pgd-returnees')), '最多 100,000 人')
  // the limit itself is taken; a number that is not whole still says so
  await dialog.locator('#pgd-jobs').fill('100000')
  await dialog.locator('#pgd-returnees').fill('2.5')
  await dialog.locator('.pgd-submit').click()
  await errOf('#pgd-returnees').filter({ hasText: '请输入 0 或正整数' }).waitFor()
  await errOf('#pgd-jobs').waitFor({ state: 'detached' })
  await page.keyboard.press('Escape')
  await discardTyped(page)
  await dialog.waitFor({ state: 'hidden' })

  // in English
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('.pg-new', { hasText: 'New programme' }).click()
  await dialog.waitFor()
  await dialog.locator('#pgd-returnees').fill('100001')
  await dialog.locator('.pgd-submit').click()
  await errOf('#pgd-returnees').waitFor()
  assert.equal(await text(errOf('#pgd-returnees')), 'At most 100,000 people')
  await page.keyboard.press('Escape')
  await discardTyped(page)
  await dialog.waitFor({ state: 'hidden' })
  await page.getByRole('button', { name: '中文' }).click()
  assert.equal(posts, 0, 'nothing sent')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('an edit of a programme changed meanwhile (a save from the other desk) is refused with the conflict said above the form; nothing is written over it', async () => {
  const r = await station.post('/programmes', { kind: 'returning_entrepreneur', name: '并发编辑测试项目（测试）', holder: '孙并发', started_on: '2025-03-01', jobs: 5, returnees: 1 })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const id = r.body.id
  await loginAs(page, srv.base, 'station', { path: `/programmes/${id}` })
  await opened(page, '并发编辑测试项目（测试）')
  await page.locator('.pp-edit').click()
  const edit = page.locator('.programme-dialog')
  await edit.waitFor()
  // the centre saves first, from the version the form opened on
  const other = await center.patch(`/programmes/${id}`, { jobs: 30, version: r.body.version })
  assert.equal(other.status, 200, JSON.stringify(other.body))
  await edit.locator('#pgd-jobs').fill('7')
  await edit.locator('.pgd-submit').click()
  await edit.locator('.dlg-alert', { hasText: '该记录已被他人修改，请重新加载后再试' }).waitFor()
  assert.ok(await edit.isVisible(), 'the dialog stays open')
  const now = (await center.get(`/programmes/${id}`)).body
  assert.equal(now.jobs, 30, 'the centre\'s save stands')
  assert.equal(now.version, r.body.version + 1)
  assert.deepEqual(unexpectedErrors(page, [409]), [])
})

test('a return dated before the parent went away is refused on the day, saying since when the parent works away, in both languages', async () => {
  const daysAgo = (n) => new Date(Date.now() + 8 * 3600e3 - n * 86400e3).toISOString().slice(0, 10)
  const awaySince = daysAgo(60)
  const r = await center.post('/children', {
    name: '外出日期测试儿童',
    sex: 'F',
    birth_date: bornBefore(9, 10),
    village_code: VILLAGE,
    hukou_type: 'rural',
    guardians: [{ relation: 'father', name: '赵外出', status: 'working_away', status_since: awaySince }],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const kid = r.body
  const p = await station.post('/programmes', { kind: 'returning_entrepreneur', name: '返乡日期测试项目（测试）', holder: '周返乡', started_on: '2025-03-01', jobs: 3, returnees: 1 })
  assert.equal(p.status, 201, JSON.stringify(p.body))
  await loginAs(page, srv.base, 'station', { path: `/programmes/${p.body.id}` })
  await opened(page, '返乡日期测试项目（测试）')
  const dialog = page.locator('.return-dialog')
  for (const [lang, want] of [
    ['中文', `该家长自 ${awaySince} 起外出务工，返乡日期不能早于该日`],
    ['English', `The parent has worked away since ${awaySince}: the day of return may not be before it`],
  ]) {
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    await page.locator('.pp-return').click()
    await dialog.waitFor()
    await dialog.locator('#rd-q').fill('外出日期测试儿童')
    await dialog.locator('.rd-search').click()
    await dialog.locator(`.rd-found [data-child="${kid.id}"]`).waitFor()
    await dialog.locator('.rd-option[data-relation="father"] input').waitFor()
    assert.ok(await dialog.locator('.rd-option[data-relation="father"] input').isChecked(), 'the only parent away is chosen')
    // after the programme started, but a month before the father went away
    await dialog.locator('#rd-date').fill(daysAgo(90))
    await dialog.locator('.rd-submit').click()
    await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: want }).waitFor()
    assert.ok(await dialog.isVisible(), 'the dialog stays open with what was typed')
    await page.keyboard.press('Escape')
    await discardTyped(page)
    await dialog.waitFor({ state: 'hidden' })
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.equal((await station.get(`/programmes/${p.body.id}`)).body.returns, 0, 'nothing recorded')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('an edit that counts fewer returnees than the returns recorded is refused on the figure, saying how many are recorded, in both languages', async () => {
  const r = await center.post('/children', {
    name: '返乡人数测试儿童',
    sex: 'M',
    birth_date: bornBefore(8, 3),
    village_code: VILLAGE,
    hukou_type: 'rural',
    guardians: [{ relation: 'mother', name: '吴回家', status: 'working_away' }],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const p = await station.post('/programmes', { kind: 'returning_entrepreneur', name: '返乡人数测试项目（测试）', holder: '郑返乡', started_on: '2025-03-01', jobs: 4, returnees: 1 })
  assert.equal(p.status, 201, JSON.stringify(p.body))
  const back = await station.post(`/programmes/${p.body.id}/returns`, { child_id: r.body.id, guardian_id: r.body.guardians[0].id, returned_on: chinaToday() })
  assert.equal(back.status, 201, JSON.stringify(back.body))
  await loginAs(page, srv.base, 'station', { path: `/programmes/${p.body.id}` })
  await opened(page, '返乡人数测试项目（测试）')
  const edit = page.locator('.programme-dialog')
  for (const [lang, want] of [
    ['中文', '已登记 1 名父母返乡，返乡人数不能少于 1'],
    ['English', '1 parent is recorded as come home: the returnees may not be fewer'],
  ]) {
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    await page.locator('.pp-edit').click()
    await edit.waitFor()
    // the holder meant to correct the figure: nobody else came home
    await edit.locator('#pgd-returnees').fill('0')
    await edit.locator('.pgd-submit').click()
    await edit.locator('.el-form-item.is-error .el-form-item__error', { hasText: want }).waitFor()
    assert.equal(await edit.locator('#pgd-returnees').inputValue(), '0', 'what was typed stays')
    await page.keyboard.press('Escape')
    await discardTyped(page)
    await edit.waitFor({ state: 'hidden' })
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.equal((await station.get(`/programmes/${p.body.id}`)).body.returnees, 1, 'nothing changed')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})
