// Charity projects (公益项目, 社会参与): the centre registers a hope room for
// an organisation (its chips and totals are the API's), which waits for its
// child; adds the child found by name, starts building it, records a
// donation and a spending and sees the balance and the log; a change made
// meanwhile by someone else is said clearly (409) and the save succeeds
// after it; the child's page lists the project. The organisation sees only
// its own projects and the names of their children, never a link to a
// child's file, and keeps its project's money; the committee sees the
// figures and no name; a township's station removes a child with a reason
// (required), and the child's page says why. No horizontal scrolling at
// 360 px, in both languages.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer,
  launch,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaToday,
  openNav,
  exportAs,
  nextPage,
} from './helpers.mjs'
import { readFileSync } from 'node:fs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001' // 花园社区, 泗河街道 (the station's township)
const ORG = '希望小屋项目办公室' // the demo's org_hope_rooms
const ROOM = '希望小屋（测试）'
const CHILD_A = '项目测试儿童甲'
const CHILD_B = '项目测试儿童乙'
let srv, browser, page, center, childA, childB, roomId, serviceId

// fen as the UI shows it: "¥1,234.50"
const yuan = (c) => (c < 0 ? '-' : '') + '¥' + String(Math.floor(Math.abs(c) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + String(Math.abs(c) % 100).padStart(2, '0')

async function newChild(api, name) {
  const r = await api.post('/children', { name, sex: 'F', birth_date: '2016-03-04', village_code: VILLAGE })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

// Waits until the list has answered.
async function listed(p) {
  await settled(p)
  await p.locator('.pj-row, .pj-empty').first().waitFor()
}
// Waits until a project's page shows it.
async function opened(p, name) {
  await p.locator('main h1', { hasText: name }).waitFor()
  await settled(p)
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
  childA = await newChild(center, CHILD_A)
  childB = await newChild(center, CHILD_B)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('centre: a hope room for an organisation, its child, building it, its money, balance and log; a 409 said clearly', async () => {
  const all = (await center.get('/projects')).body
  await loginAs(page, srv.base, 'center')
  await openNav(page, '公益项目')
  await page.waitForURL((u) => u.pathname === '/projects')
  await page.locator('main h1', { hasText: '公益项目' }).waitFor()
  await listed(page)

  // the chips and the totals are the API's
  const n = Object.values(all.counts).reduce((a, b) => a + b, 0)
  assert.equal(await text(page.locator('.chip[data-status="all"] .chip-count')), String(n))
  for (const s of ['planned', 'active', 'done', 'cancelled']) assert.equal(await text(page.locator(`.chip[data-status="${s}"] .chip-count`)), String(all.counts[s]), s)
  assert.equal(await page.locator('.pj-row').count(), all.items.length)
  assert.equal(await text(page.locator('.tot[data-figure="donated"] .tot-num')), yuan(all.totals.donated_cents))
  assert.equal(await text(page.locator('.tot[data-figure="spent"] .tot-num')), yuan(all.totals.spent_cents))
  assert.equal(await text(page.locator('.tot[data-figure="balance"] .tot-num')), yuan(all.totals.donated_cents - all.totals.spent_cents))
  // each sum on one line, never broken inside the number
  for (const f of ['donated', 'spent', 'balance']) {
    const h = await page.locator(`.tot[data-figure="${f}"] .tot-num`).evaluate((e) => e.getBoundingClientRect().height)
    assert.ok(h < 36, `${f}: ${h} px high`)
  }
  assert.equal(await text(page.locator('.tot[data-figure="children"] .tot-num')), String(all.totals.children_served))
  // a hope room under way is 在建, a finished one 建成
  const building = all.items.find((p) => p.kind === 'hope_room' && p.status === 'active')
  assert.equal(await text(page.locator(`.pj-row[data-id="${building.id}"] .pr-status`)), '在建')
  // the status chips narrow the list; the kind too
  await page.locator('.chip[data-status="done"]').click()
  await page.waitForURL((u) => u.searchParams.get('status') === 'done')
  await listed(page)
  assert.equal(await page.locator('.pj-row').count(), all.counts.done)
  assert.ok((await page.locator('.pj-row .pr-status').allTextContents()).every((s) => ['已完成', '建成'].includes(s.trim())))
  await page.locator('.chip[data-status="all"]').click()
  await page.waitForURL((u) => !u.searchParams.has('status'))
  await listed(page)

  // a new hope room for the organisation, in 花园社区
  await page.getByRole('button', { name: '新建项目' }).click()
  const dialog = page.getByRole('dialog', { name: '新建项目' })
  await dialog.waitFor()
  await dialog.getByRole('button', { name: '创建项目' }).click()
  await dialog.locator('.el-form-item.is-error', { hasText: '社会组织' }).locator('.el-form-item__error', { hasText: '请选择组织' }).waitFor()
  await dialog.locator('.el-form-item.is-error', { hasText: '项目名称' }).waitFor()
  await dialog.getByLabel('社会组织').selectOption({ label: ORG })
  await dialog.getByLabel('项目类型').selectOption({ label: '希望小屋' })
  await dialog.locator('.hint', { hasText: '添加儿童后才能开始实施' }).waitFor()
  await dialog.getByLabel('项目名称').fill(ROOM)
  await dialog.getByLabel('预算（元）').fill('20000')
  await dialog.getByLabel('捐赠方').fill('测试捐赠人')
  // a hope room is for a child of one township, which adds it: the township is required
  await dialog.getByRole('button', { name: '创建项目' }).click()
  await dialog.locator('.el-form-item.is-error', { hasText: '乡镇（街道）' }).locator('.el-form-item__error', { hasText: '须选所在乡镇（街道）' }).waitFor()
  await dialog.getByLabel('乡镇（街道）').selectOption({ label: '泗河街道' })
  await dialog.locator('#pj-village option', { hasText: '花园社区' }).waitFor({ state: 'attached' })
  await dialog.getByLabel('村（社区）').selectOption({ label: '花园社区' })
  await shot(page, 'project-new')
  await dialog.getByRole('button', { name: '创建项目' }).click()
  await page.locator('.el-message', { hasText: `已创建项目“${ROOM}”` }).waitFor()
  await page.waitForURL((u) => /^\/projects\/\d+$/.test(u.pathname))
  roomId = Number(new URL(page.url()).pathname.split('/').pop())
  await opened(page, ROOM)
  assert.equal(await text(page.locator('.pp-status')), '计划')
  assert.equal(await text(page.locator('.pp-org')), ORG)
  assert.equal(await text(page.locator('.pp-kind')), '希望小屋')
  assert.equal(await text(page.locator('.pp-area')), '泗河街道 花园社区')
  assert.equal(await text(page.locator('.pp-budget')), '¥20,000.00')
  assert.equal(await text(page.locator('.pp-donor')), '测试捐赠人')

  // it waits for its child: the start is disabled and the page says why
  assert.ok(await page.getByRole('button', { name: '开工建设' }).isDisabled())
  assert.equal(await text(page.locator('.pp-wait')), '希望小屋只为一名儿童设立：添加儿童后才能开始实施。')
  assert.equal(await text(page.locator('.pp-no-children')), '还没有添加儿童')

  // the child, found by name among the centre's children
  await page.getByRole('button', { name: '添加儿童' }).click()
  const add = page.getByRole('dialog', { name: '添加儿童' })
  await add.waitFor()
  await add.getByRole('button', { name: '添加', exact: true }).click()
  await add.locator('.el-alert', { hasText: '请先查找并选择一名儿童' }).waitFor()
  await add.getByLabel('按姓名查找儿童').fill('项目测试儿童')
  await add.getByRole('button', { name: '搜索' }).click()
  await add.locator(`.sv-option[data-child="${childA.id}"]`).waitFor()
  assert.equal(await add.locator('.sv-option').count(), 2)
  assert.match(await text(add.locator(`.sv-option[data-child="${childA.id}"] .sv-line`)), /花园社区$/)
  await add.locator(`.sv-option[data-child="${childA.id}"]`).click()
  await add.getByLabel('帮扶内容').fill('书桌、床铺、衣柜')
  await add.getByRole('button', { name: '添加', exact: true }).click()
  await page.locator('.el-message', { hasText: `已添加：${CHILD_A}` }).waitFor()
  const served = page.locator(`.ps-item[data-child="${childA.id}"]`)
  await served.waitFor()
  assert.equal(await served.locator('a.ps-name').getAttribute('href'), `/children/${childA.id}`)
  assert.equal(await text(served.locator('.ps-village')), '花园社区')
  assert.equal(await text(served.locator('.ps-services')), '帮扶内容：书桌、床铺、衣柜')
  assert.equal(await text(page.locator('.pp-count')), '当前服务 1 名儿童')
  // one child: no second one
  assert.equal(await page.getByRole('button', { name: '添加儿童' }).count(), 0)
  assert.equal(await page.locator('.pp-wait').count(), 0)

  // building starts, with a note
  await page.getByRole('button', { name: '开工建设' }).click()
  const move = page.getByRole('dialog', { name: '开工建设' })
  await move.waitFor()
  assert.equal(await text(move.locator('.sd-move')), '计划 → 在建')
  assert.equal(await move.getByLabel('开始日期').inputValue(), chinaToday())
  await move.getByLabel('说明').fill('施工队进场')
  await move.getByRole('button', { name: '开工建设' }).click()
  await page.locator('.el-message', { hasText: '项目状态已改为“在建”' }).waitFor()
  await page.locator('.pp-status', { hasText: '在建' }).waitFor()
  assert.equal(await text(page.locator('.pp-started')), chinaToday())

  // the money: a donation and a spending; the balance
  await page.getByRole('button', { name: '登记捐赠' }).click()
  const don = page.getByRole('dialog', { name: '登记捐赠' })
  await don.waitFor()
  await don.getByRole('button', { name: '登记', exact: true }).click()
  await don.locator('.el-form-item.is-error', { hasText: '金额（元）' }).waitFor()
  await don.getByLabel('金额（元）').fill('20000')
  await don.getByLabel('捐赠方').fill('测试捐赠人')
  await don.getByRole('button', { name: '登记', exact: true }).click()
  await page.locator('.el-message', { hasText: '已登记捐赠' }).waitFor()
  await page.getByRole('button', { name: '登记支出' }).click()
  const sp = page.getByRole('dialog', { name: '登记支出' })
  await sp.waitFor()
  await sp.getByLabel('金额（元）').fill('8000.5')
  await sp.getByLabel('收款方或用途').fill('施工及家具采购')
  await sp.getByLabel('备注').fill('票据 0001')
  await sp.getByRole('button', { name: '登记', exact: true }).click()
  await page.locator('.el-message', { hasText: '已登记支出' }).waitFor()
  await page.locator('.pp-balance', { hasText: '¥11,999.50' }).waitFor()
  assert.equal(await text(page.locator('.pp-donated')), '¥20,000.00')
  assert.equal(await text(page.locator('.pp-spent')), '¥8,000.50')
  const lines = page.locator('.pf-item')
  assert.equal(await lines.count(), 2)
  const spending = page.locator('.pf-item[data-kind="spending"]')
  assert.equal(await text(spending.locator('.pf-amount')), '−¥8,000.50')
  assert.equal(await text(spending.locator('.pf-party')), '施工及家具采购')
  assert.equal(await text(spending.locator('.pf-note')), '票据 0001')
  assert.equal(await text(page.locator('.pf-item[data-kind="donation"] .pf-amount')), '+¥20,000.00')
  // the money lines and the children served download as files
  const fundsFile = await exportAs(page, 'csv', page.locator('.pp-export-funds'))
  assert.match(fundsFile.suggestedFilename(), new RegExp(`^project-${roomId}-funds-\\d{8}\\.csv$`))
  const fundsCsv = readFileSync(await fundsFile.path(), 'utf8')
  assert.match(fundsCsv, /施工及家具采购/)
  assert.match(fundsCsv, /8000\.50/)
  await page.locator('.export-menu').first().waitFor({ state: 'hidden' }) // the first menu gone
  const servedFile = await exportAs(page, 'xlsx', page.locator('.pp-export-served'))
  assert.match(servedFile.suggestedFilename(), new RegExp(`^project-${roomId}-children-\\d{8}\\.xlsx$`))

  // more than the balance is refused on the field; a line entered by mistake is reversed (冲正), and kept
  await page.getByRole('button', { name: '登记支出' }).click()
  await sp.waitFor()
  await sp.getByLabel('金额（元）').fill('12000')
  await sp.getByRole('button', { name: '登记', exact: true }).click()
  await sp.locator('.el-form-item.is-error', { hasText: '金额（元）' }).locator('.el-form-item__error', { hasText: '支出不能超过结余（¥11,999.50）' }).waitFor()
  await sp.getByLabel('金额（元）').fill('900')
  await sp.getByLabel('收款方或用途').fill('误录的支出')
  await sp.getByRole('button', { name: '登记', exact: true }).click()
  await page.locator('.el-message', { hasText: '已登记支出' }).last().waitFor()
  await page.locator('.pp-balance', { hasText: '¥11,099.50' }).waitFor()
  const typoId = (await center.get(`/projects/${roomId}`)).body.funds.find((f) => f.party === '误录的支出').id
  const typo = page.locator(`.pf-item[data-id="${typoId}"]`)
  assert.equal(await page.locator('.pf-item[data-kind="donation"] .pf-reverse').count(), 1, 'any line may be reversed')
  await typo.locator('.pf-reverse').click()
  const box = page.locator('.reverse-box')
  await box.waitFor()
  assert.match(await text(box), /冲正 \d{4}-\d{2}-\d{2} 的支出 ¥900\.00/)
  await box.locator('.pf-reverse-ok').click()
  await box.locator('.el-message-box__errormsg', { hasText: '请填写冲正原因' }).waitFor()
  await box.locator('input').fill('重复录入')
  await box.locator('.pf-reverse-ok').click()
  await page.locator('.el-message', { hasText: '已冲正' }).waitFor()
  await page.locator('.pp-balance', { hasText: '¥11,999.50' }).waitFor()
  assert.equal(await text(page.locator('.pp-spent')), '¥8,000.50')
  await page.locator(`.pf-item.pf-reversed[data-id="${typoId}"] .pf-mark`, { hasText: '已冲正' }).waitFor()
  const typoLine = (await center.get(`/projects/${roomId}`)).body.funds.find((f) => f.id === typoId)
  const reversal = page.locator('.pf-item', { has: page.locator('.pf-mark', { hasText: `冲正 ${typoLine.on_date} 的 ¥900.00` }) })
  assert.equal(await text(reversal.locator('.pf-kind')), '支出冲正')
  assert.equal(await text(reversal.locator('.pf-amount')), '+¥900.00')
  assert.equal(await text(reversal.locator('.pf-note')), '重复录入')
  assert.equal(await page.locator(`.pf-item[data-id="${typoId}"] .pf-reverse`).count(), 0, 'once')
  assert.equal(await reversal.locator('.pf-reverse').count(), 0, 'a reversal is not reversed')

  // the log: registered, then building with its note; newest first
  const log = page.locator('.pl-item')
  assert.equal(await log.count(), 2)
  assert.equal(await text(log.nth(0).locator('.pl-move')), '计划 → 在建')
  assert.equal(await text(log.nth(0).locator('.pl-note')), '施工队进场')
  assert.equal(await text(log.nth(1).locator('.pl-move')), '登记为“计划”')
  // the API agrees
  const api = (await center.get(`/projects/${roomId}`)).body
  assert.equal(api.balance_cents, 1199950)
  assert.equal(api.status, 'active')
  await shot(page, 'project', { fullPage: true })

  // someone else changes the project meanwhile: the save says so, then works
  const changed = await center.patch(`/projects/${roomId}`, { version: api.version, donor: '测试捐赠人（更正）' })
  assert.equal(changed.status, 200, JSON.stringify(changed.body))
  await page.getByRole('button', { name: '编辑' }).click()
  const edit = page.getByRole('dialog', { name: '编辑项目' })
  await edit.waitFor()
  await edit.getByLabel('项目名称').fill(ROOM + '一号')
  await edit.getByRole('button', { name: '保存' }).click()
  await edit.locator('.el-alert', { hasText: '该项目已被他人修改' }).waitFor()
  await page.locator('.pp-donor', { hasText: '测试捐赠人（更正）' }).waitFor()
  assert.equal(await edit.getByLabel('项目名称').inputValue(), ROOM + '一号', 'what was typed stays')
  await edit.getByRole('button', { name: '保存' }).click()
  await page.locator('.el-message', { hasText: '项目信息已保存' }).waitFor()
  await page.locator('main h1', { hasText: ROOM + '一号' }).waitFor()
  assert.equal(await text(page.locator('.pp-donor')), '测试捐赠人（更正）', 'the other change is kept')
  const renamed = await center.patch(`/projects/${roomId}`, { version: (await center.get(`/projects/${roomId}`)).body.version, name: ROOM })
  assert.equal(renamed.status, 200)

  // the child's page lists the project; its name opens it
  await page.goto(srv.base + `/children/${childA.id}`)
  const item = page.locator(`.child-projects .cp-item[data-project="${roomId}"]`)
  await item.waitFor()
  assert.equal(await text(item.locator('.cp-name')), ROOM)
  assert.equal(await text(item.locator('.cp-kind')), '希望小屋')
  assert.equal(await text(item.locator('.cp-status')), '在建')
  assert.equal(await text(item.locator('.cp-org')), ORG)
  assert.equal(await text(item.locator('.cp-services')), '帮扶内容：书桌、床铺、衣柜')
  await item.locator('a.cp-name').click()
  await page.waitForURL((u) => u.pathname === `/projects/${roomId}`)
  await opened(page, ROOM)
  assert.deepEqual(unexpectedErrors(page, [409, 422]), [])
})

test('organisation: only its own projects; names without a link to a file; keeps its money', async () => {
  assert.ok(roomId, 'the first test made the project')
  const org = await apiSession(srv.base, 'org_hope_rooms')
  const mine = (await org.get('/projects')).body
  assert.ok(mine.items.length >= 2 && mine.items.every((p) => p.org_name === ORG), JSON.stringify(mine.items.map((p) => p.org_name)))
  await loginAs(page, srv.base, 'org_hope_rooms')
  // its home card and menu lead to its projects
  const card = page.locator('.home-card.proj-card')
  await card.locator('.proj-active').waitFor()
  assert.equal(await text(card.locator('.proj-active')), `${mine.counts.active} 个项目实施中`)
  await card.getByRole('link', { name: '打开公益项目' }).click()
  await page.waitForURL((u) => u.pathname === '/projects')
  await listed(page)
  assert.equal(await page.locator('.pj-row').count(), mine.items.length)
  const orgs = await page.locator('.pj-row .pr-org').allTextContents()
  assert.ok(orgs.every((o) => o.trim() === ORG), orgs.join())
  assert.equal(await page.locator('.pick-org').count(), 0, 'no organisation to pick')
  assert.equal(await page.locator('.pick-township').count(), 0, 'no area to pick')
  assert.equal(await text(page.locator('.pj-place')), ORG)

  await page.locator(`.pj-row[data-id="${roomId}"] .pr-name`).click()
  await page.waitForURL((u) => u.pathname === `/projects/${roomId}`)
  await opened(page, ROOM)
  // the child's name, its village; no link, no button to choose children
  const served = page.locator(`.ps-item[data-child="${childA.id}"]`)
  assert.equal(await text(served.locator('.ps-name')), CHILD_A)
  assert.equal(await page.locator('.pp-served a').count(), 0)
  assert.equal(await page.locator('main a[href^="/children/"]').count(), 0)
  assert.equal(await page.getByRole('button', { name: '移出' }).count(), 0)
  assert.equal(await page.getByRole('button', { name: '添加儿童' }).count(), 0)
  // it keeps the money
  await page.getByRole('button', { name: '登记捐赠' }).click()
  const don = page.getByRole('dialog', { name: '登记捐赠' })
  await don.waitFor()
  await don.getByLabel('金额（元）').fill('500')
  await don.getByRole('button', { name: '登记', exact: true }).click()
  await page.locator('.el-message', { hasText: '已登记捐赠' }).waitFor()
  await page.locator('.pp-balance', { hasText: '¥12,499.50' }).waitFor()
  // another organisation's project is not its own
  const other = (await center.get('/projects?kind=fundraising')).body.items[0]
  await page.goto(srv.base + `/projects/${other.id}`)
  await page.locator('main .err', { hasText: '项目不存在或您无权查看' }).waitFor()
  assert.deepEqual(unexpectedErrors(page, [404]), [])
})

test('committee: the figures of the county, no child named', async () => {
  assert.ok(roomId)
  const committee = await apiSession(srv.base, 'committee')
  const all = (await committee.get('/projects')).body
  await loginAs(page, srv.base, 'committee', { path: '/login?next=/projects' })
  await listed(page)
  assert.equal(await page.locator('.pj-row').count(), all.items.length)
  assert.equal(await text(page.locator('.tot[data-figure="donated"] .tot-num')), yuan(all.totals.donated_cents))
  assert.equal(await page.getByRole('button', { name: '新建项目' }).count(), 0)
  await page.locator(`.pj-row[data-id="${roomId}"] .pr-name`).click()
  await opened(page, ROOM)
  assert.equal(await text(page.locator('.pp-count')), '当前服务 1 名儿童')
  assert.equal(await text(page.locator('.pp-no-names')), '不显示儿童姓名。')
  const body = await page.locator('main').innerText()
  assert.ok(!body.includes(CHILD_A), 'the child is not named')
  assert.equal(await page.locator('main button:not(.export-trigger)').count(), 0, 'nothing to do here but download the money lines')
  assert.equal(await text(page.locator('.pp-donated')), '¥20,500.00')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a spending the donations of its day do not cover is refused on its date, with the day and the shortfall', async () => {
  const orgs = (await center.get('/units?kind=org')).body.items
  const volunteers = orgs.find((u) => u.code === 'volunteers')
  const early = new Date(Date.parse(chinaToday()) - 5 * 86400e3).toISOString().slice(0, 10)
  const r = await center.post('/projects', { org_id: volunteers.id, kind: 'service', name: '假期托管（测试）', area_code: '370831001', started_on: early })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  // the money came today
  const gift = await center.post(`/projects/${r.body.id}/funds`, { kind: 'donation', amount_cents: 30000, on_date: chinaToday() })
  assert.equal(gift.status, 201, JSON.stringify(gift.body))
  await loginAs(page, srv.base, 'center')
  await page.goto(srv.base + `/projects/${r.body.id}`)
  await opened(page, '假期托管（测试）')
  await page.getByRole('button', { name: '登记支出' }).click()
  const sp = page.getByRole('dialog', { name: '登记支出' })
  await sp.waitFor()
  await sp.getByLabel('金额（元）').fill('100')
  await sp.getByLabel('支出日期').fill(early)
  await sp.getByRole('button', { name: '登记', exact: true }).click()
  await sp
    .locator('.el-form-item.is-error', { hasText: '支出日期' })
    .locator('.el-form-item__error', { hasText: `截至 ${early} 的捐赠不足以支付这笔支出（差 ¥100.00）` })
    .waitFor()
  await sp.getByLabel('支出日期').fill(chinaToday())
  await sp.getByRole('button', { name: '登记', exact: true }).click()
  await page.locator('.el-message', { hasText: '已登记支出' }).waitFor()
  await page.locator('.pp-balance', { hasText: '¥200.00' }).waitFor()
  assert.deepEqual(unexpectedErrors(page, [422]), [], 'the refusal only')
})

test("station: its township's projects; a child removed with a reason, and the child's page says why", async () => {
  const orgs = (await center.get('/units?kind=org')).body.items
  const volunteers = orgs.find((u) => u.code === 'volunteers')
  const r = await center.post('/projects', { org_id: volunteers.id, kind: 'service', name: '周末课业辅导（测试）', area_code: '370831001' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  serviceId = r.body.id
  assert.equal((await center.post(`/projects/${serviceId}/children`, { child_id: childB.id, services: '每周六课业辅导' })).status, 201)

  const station = await apiSession(srv.base, 'station')
  const own = (await station.get('/projects')).body
  assert.ok(own.items.some((p) => p.id === serviceId) && own.items.some((p) => p.id === roomId))
  await loginAs(page, srv.base, 'station')
  await openNav(page, '公益项目')
  await listed(page)
  assert.equal(await page.locator('.pj-row').count(), own.items.length)
  await page.locator(`.pj-row[data-id="${serviceId}"] .pr-name`).click()
  await opened(page, '周末课业辅导（测试）')
  // the station chooses children, and keeps no money or status
  assert.equal(await page.getByRole('button', { name: '登记捐赠' }).count(), 0)
  assert.equal(await page.getByRole('button', { name: '编辑' }).count(), 0)
  assert.ok(await page.getByRole('button', { name: '添加儿童' }).isVisible())
  const row = page.locator(`.ps-item[data-child="${childB.id}"]`)
  assert.equal(await row.locator('a.ps-name').getAttribute('href'), `/children/${childB.id}`)
  await row.getByRole('button', { name: '移出' }).click()
  const dialog = page.getByRole('dialog', { name: '移出项目' })
  await dialog.waitFor()
  assert.equal(await text(dialog.locator('.sv-child')), CHILD_B)
  let posts = 0
  page.on('request', (q) => q.method() === 'POST' && q.url().includes('/remove') && posts++)
  await dialog.getByRole('button', { name: '确认移出' }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: '请填写移出原因' }).waitFor()
  assert.equal(posts, 0, 'no reason, nothing sent')
  await dialog.getByLabel('移出原因').fill('已随父母迁出本县')
  await dialog.getByRole('button', { name: '确认移出' }).click()
  await page.locator('.el-message', { hasText: `已移出：${CHILD_B}` }).waitFor()
  await page.locator('.pp-count', { hasText: '当前服务 0 名儿童' }).waitFor()
  await page.locator('.pp-removed summary', { hasText: '已移出的儿童（1）' }).click()
  assert.equal(await text(page.locator('.pr-item .pr-reason')), '移出原因：已随父母迁出本县')

  await page.goto(srv.base + `/children/${childB.id}`)
  const item = page.locator(`.child-projects .cp-item[data-project="${serviceId}"]`)
  await item.waitFor()
  assert.equal(await text(item.locator('.cp-status')), '计划')
  assert.equal(await text(item.locator('.cp-removed')), `${chinaToday()} 移出：已随父母迁出本县`)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px on the list, a project and the child\'s projects, in both languages', async () => {
  assert.ok(roomId)
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/projects' })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/projects')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await listed(page)
    const row = page.locator(`.pj-row[data-id="${roomId}"]`)
    const box = await row.boundingBox()
    assert.ok(box.width <= 360, `a row of ${box.width} px`)
    assert.equal(await hasHorizontalScroll(page), false, `/projects (${lang})`)
    if (lang === 'zh') await shot(page, 'projects-360', { fullPage: true })
    await page.goto(srv.base + `/projects/${roomId}`)
    await page.locator('.pp-balance').waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/projects/${roomId} (${lang})`)
    // a dialog fits too
    await page.locator('.pp-spending').click()
    await page.locator('.fund-dialog').waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `the spending dialog (${lang})`)
    await page.keyboard.press('Escape')
    await page.locator('.fund-dialog').waitFor({ state: 'hidden' })
    await page.goto(srv.base + `/children/${childA.id}`)
    await page.locator('.child-projects .cp-item').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `the child's projects (${lang})`)
  }
  assert.equal(await text(page.locator('.child-projects h2')), 'Charity projects')
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})
