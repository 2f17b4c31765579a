// Entitlements (应享尽享): the centre finds the children entitled and not
// receiving (the home page counts them), records that one receives a
// policy and sees it move to the receiving group and onto the child's page;
// a child no longer eligible is on the "to stop" list and is stopped with a
// reason; the centre creates a policy and adds a version (history is never
// edited); the monthly ledger shows the API's total, by month; a child
// director sees only the own village, and nothing to write, download or
// keep a ledger of; no horizontal scrolling at 360 px, in both languages.
// The receipt dialog offers no month before the policy's first or the
// child's birth, and a refusal of one shows on the field. A gap of a
// policy that may not be had with another says on the child's page under
// which policy it counts.
//
// Its own policy (disability grade 1 or 2) makes the test independent of
// the demo's policies: two children of the demo director's village with
// that grade are entitled to it.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  startServer,
  launch,
  loginAs,
  apiSession,
  exportAs,
  hasHorizontalScroll,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaMonth,
  BIN,
  nextPage,
  discardTyped,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001'
const VILLAGE_NAME = '花园社区'
let srv, browser, page, center, policy, childA, childB, month

// this month in China ("YYYY-MM"), and n months after it
function addMonths(m, n) {
  const [y, mm] = m.split('-').map(Number)
  return new Date(Date.UTC(y, mm - 1 + n, 1)).toISOString().slice(0, 7)
}
// fen as the UI shows it: "¥1,234.50"
const yuan = (c) => '¥' + String(Math.floor(c / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + String(c % 100).padStart(2, '0')

// a birth date n years ago
function yearsAgo(n) {
  const d = new Date(Date.now() + 8 * 3600e3)
  d.setUTCFullYear(d.getUTCFullYear() - n)
  return d.toISOString().slice(0, 10)
}

async function newChild(api, extra) {
  const r = await api.post('/children', { sex: 'M', birth_date: yearsAgo(8), village_code: VILLAGE, ...extra })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

// Waits until the list has answered.
async function listed(p) {
  await settled(p)
  await p.locator('.ent-shown, .ent-empty').first().waitFor()
}
async function chipCount(p, group) {
  return Number(await text(p.locator(`.chip[data-group="${group}"] .chip-count`)))
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  month = chinaMonth()
  center = await apiSession(srv.base, 'center')
  const depts = (await center.get('/units?kind=department')).body.items
  const r = await center.post('/policies', {
    code: 'e2e_disability',
    name: '重度残疾儿童护理补贴（测试）',
    department_id: depts[0].id,
    benefit: 'monthly_allowance',
    effective_from: month + '-01',
    amount_cents: 25050,
    rule: { disability_grades: [1, 2] },
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  policy = r.body
  childA = await newChild(center, { name: '护理补贴甲', disability_grade: 1, disability_type: 'physical' })
  childB = await newChild(center, { name: '护理补贴乙', disability_grade: 2, disability_type: 'hearing' })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('centre: the home page counts the gaps; the gap list shows rows; recording receiving moves the child to receiving and onto its page', async () => {
  const gap = (await center.get('/entitlements?group=gap&limit=50')).body
  assert.ok(gap.counts.gap >= 2, JSON.stringify(gap.counts))

  await loginAs(page, srv.base, 'center')
  const card = page.locator('.home-card.ent-card')
  await card.locator('.ent-gap').waitFor()
  assert.equal(await text(card.locator('.ent-gap')), `应享未享 ${gap.counts.gap} 项`, 'a child with two gaps is two items')
  await card.getByRole('link', { name: '打开应享尽享' }).click()
  await page.waitForURL((u) => u.pathname === '/entitlements')
  await page.locator('main h1', { hasText: '应享尽享' }).waitFor()
  await listed(page)

  // the gap group is the default: its chip, its rows in the API's order
  assert.equal(await page.locator('.chip[data-group="gap"]').getAttribute('aria-pressed'), 'true')
  for (const g of ['gap', 'stop', 'receiving']) assert.equal(await chipCount(page, g), gap.counts[g], g)
  const rows = page.locator('.ent-row')
  assert.equal(await rows.count(), gap.items.length)
  const first = rows.first()
  assert.equal(await text(first.locator('.er-name')), gap.items[0].name)
  assert.equal(await text(first.locator('.er-policy')), gap.items[0].policy_name)
  assert.equal(await text(page.locator('.ent-shown')), `已显示 ${gap.items.length} / ${gap.total} 条`)
  await shot(page, 'entitlements-gap')

  // the summary per policy: the test's policy, its figures; its gaps
  const sum = page.locator(`.sum-row[data-policy="${policy.id}"]`)
  assert.equal(await text(sum.locator('.sum-name')), policy.name)
  const mine = gap.policies.find((p) => p.policy_id === policy.id)
  assert.equal(await text(sum.locator('[data-group="gap"] .sum-n')), String(mine.gap))
  // the summary downloads as its own file
  const sumFile = await exportAs(page, 'csv', page.locator('.ent-export-policy'))
  assert.match(sumFile.suggestedFilename(), /^entitlements-by-policy-\d{8}\.csv$/)
  assert.match(readFileSync(await sumFile.path(), 'utf8'), new RegExp(policy.name.replace(/[()（）]/g, '.')))
  await page.locator('.export-menu').first().waitFor({ state: 'hidden' })
  await sum.locator('[data-group="gap"] .sum-n').click()
  await page.waitForURL((u) => u.searchParams.get('policy') === String(policy.id))
  await listed(page)
  assert.equal(await page.locator('.ent-row').count(), mine.gap)
  assert.equal(await chipCount(page, 'gap'), mine.gap)

  // child A: entitled, not receiving; the amount in yuan, a month
  const row = page.locator(`.ent-row[data-child="${childA.id}"]`)
  assert.equal(await text(row.locator('.er-name')), '护理补贴甲')
  assert.equal(await text(row.locator('.er-village')), VILLAGE_NAME)
  assert.equal(await text(row.locator('.er-amount')), '¥250.50/月')
  assert.equal(await text(row.locator('.er-benefit')), '月度补贴')
  await row.getByRole('button', { name: '登记享受' }).click()
  const dialog = page.getByRole('dialog', { name: '登记享受' })
  await dialog.waitFor()
  assert.equal(await text(dialog.locator('.rd-child')), '护理补贴甲')
  assert.equal(await text(dialog.locator('.rd-policy')), policy.name)
  assert.equal(await dialog.getByLabel('起始月份').inputValue(), month, 'this month by default')
  await dialog.getByRole('button', { name: '登记', exact: true }).click()
  await page.locator('.el-message', { hasText: `已登记：护理补贴甲自 ${month} 起享受` }).waitFor()
  await dialog.waitFor({ state: 'hidden' })
  await listed(page)
  assert.equal(await page.locator(`.ent-row[data-child="${childA.id}"]`).count(), 0, 'no longer a gap')
  assert.equal(await chipCount(page, 'gap'), mine.gap - 1)
  assert.equal(await chipCount(page, 'receiving'), mine.receiving + 1)

  // on the receiving chip, with its first month; no button there
  await page.locator('.chip[data-group="receiving"]').click()
  await page.waitForURL(/group=receiving/)
  await listed(page)
  const got = page.locator(`.ent-row[data-child="${childA.id}"]`)
  assert.equal(await text(got.locator('.er-since')), `自 ${month} 起享受`)
  assert.equal(await got.locator('button').count(), 0)

  // the child's page: receiving, and the receipt
  await got.locator('.er-name').click()
  await page.waitForURL((u) => u.pathname === `/children/${childA.id}`)
  const section = page.locator('.child-ent')
  const item = section.locator(`.ce-item[data-policy="${policy.id}"]`)
  await item.waitFor()
  assert.equal(await text(item.locator('.ce-state')), '享受中')
  assert.equal(await text(item.locator('.ce-since')), `自 ${month} 起享受`)
  assert.equal(await text(section.locator('.ce-receipt').first().locator('.cr-policy')), policy.name)
  assert.equal(await text(section.locator('.ce-receipt').first().locator('.cr-period')), `${month} 起`)
  // back to the list it came from, with its filters
  await page.locator('.back').click()
  await page.waitForURL((u) => u.pathname === '/entitlements' && u.searchParams.get('group') === 'receiving')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: a gap checked — what it found shows on the gap, and the gap stays a gap', async () => {
  const station = await apiSession(srv.base, 'station')
  const gaps = (await station.get(`/entitlements?group=gap&policy=${policy.id}&limit=50`)).body.items
  const it = gaps.find((x) => !x.check)
  assert.ok(it, 'a gap of the test policy in the township')
  await loginAs(page, srv.base, 'station', { path: `/login?next=${encodeURIComponent(`/entitlements?policy=${policy.id}`)}` })
  await listed(page)
  const row = page.locator(`.ent-row[data-child="${it.child_id}"][data-policy="${policy.id}"]`)
  await row.locator('.er-check-btn').click()
  const dialog = page.getByRole('dialog', { name: '记录核实情况' })
  await dialog.waitFor()
  await dialog.locator('#gc-finding').selectOption('other')
  await dialog.getByRole('button', { name: '保存' }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: '“其他”需说明情况' }).waitFor()
  await dialog.locator('#gc-finding').selectOption('applied')
  await dialog.locator('#gc-note').fill('已递交材料，民政局审批中')
  await dialog.getByRole('button', { name: '保存' }).click()
  await page.locator('.el-message', { hasText: '已记录核实情况' }).waitFor()
  assert.equal(await text(row.locator('.er-finding')), '已申请，待审批')
  assert.equal(await text(row.locator('.er-check-note')), '已递交材料，民政局审批中')
  // the next reading of the list agrees, and it is still a gap
  await page.reload()
  await listed(page)
  await row.locator('.er-finding', { hasText: '已申请，待审批' }).waitFor()
  // the township's queue: the gaps by what was found, each with its number
  const counted = (await station.get(`/entitlements?group=gap&policy=${policy.id}`)).body.counts.checks
  assert.ok(counted.applied >= 1)
  await page.locator('.pick-check').click()
  const options = page.locator('.el-select-dropdown__item:visible')
  await options.first().waitFor()
  assert.ok((await options.allInnerTexts()).includes(`未核实（${counted.none}）`), (await options.allInnerTexts()).join(' | '))
  await options.filter({ hasText: `已申请，待审批（${counted.applied}）` }).click()
  await page.waitForURL((u) => u.searchParams.get('check') === 'applied')
  await listed(page)
  await row.waitFor()
  assert.equal(await page.locator('.ent-row').count(), counted.applied)
  assert.equal(await page.locator('.ent-row .er-finding', { hasText: '已申请，待审批' }).count(), counted.applied)
  // found otherwise now, the gap leaves the list of those applied for
  await row.locator('.er-check-btn').click()
  await dialog.waitFor()
  await dialog.locator('#gc-finding').selectOption('declined')
  await dialog.getByRole('button', { name: '保存' }).click()
  await row.waitFor({ state: 'detached' })
  assert.equal(await page.locator('.ent-row').count(), counted.applied - 1)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a child no longer eligible is to stop; stopping needs a reason and ends the receipt', async () => {
  // child B receives the policy, then its disability is no longer recorded
  assert.equal((await center.post(`/children/${childB.id}/entitlements`, { policy_id: policy.id, from_month: month })).status, 201)
  const c = (await center.get(`/children/${childB.id}`)).body
  const r = await center.patch(`/children/${childB.id}`, { version: c.version, disability_grade: 0, disability_type: null })
  assert.equal(r.status, 200, JSON.stringify(r.body))

  await loginAs(page, srv.base, 'center', { path: `/login?next=/entitlements?group=stop%26policy=${policy.id}` })
  await listed(page)
  const row = page.locator(`.ent-row[data-child="${childB.id}"]`)
  assert.equal(await text(row.locator('.er-unmet')), '已不符合：残疾等级不符')
  assert.equal(await text(row.locator('.er-since')), `自 ${month} 起享受`)
  await row.getByRole('button', { name: '停发' }).click()
  const dialog = page.getByRole('dialog', { name: '停发' })
  await dialog.waitFor()
  assert.equal(await dialog.getByLabel('最后发放月份').inputValue(), month)
  let posts = 0
  page.on('request', (q) => q.method() === 'POST' && q.url().includes('/end') && posts++)
  await dialog.getByRole('button', { name: '确认停发' }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: '请填写停发原因' }).waitFor()
  assert.equal(posts, 0, 'no reason, nothing sent')
  await dialog.getByLabel('停发原因').fill('残疾评定已撤销')
  await dialog.getByRole('button', { name: '确认停发' }).click()
  await page.locator('.el-message', { hasText: `已停发：护理补贴乙最后发放月份 ${month}` }).waitFor()
  await listed(page)
  assert.equal(await page.locator(`.ent-row[data-child="${childB.id}"]`).count(), 0)

  // the child's page: not eligible, the ended receipt with its reason
  await page.goto(srv.base + `/children/${childB.id}`)
  const section = page.locator('.child-ent')
  const receipt = section.locator('.ce-receipt').first()
  await receipt.waitFor()
  assert.equal(await text(receipt.locator('.cr-period')), `${month} 至 ${month}`)
  assert.equal(await text(receipt.locator('.cr-reason')), '停发原因：残疾评定已撤销')
  await section.locator('.ce-others summary').click()
  assert.equal(await text(section.locator(`.ce-other[data-policy="${policy.id}"] .co-unmet`)), '不符合：残疾等级不符')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a receipt that has not started is cancelled, not stopped: it pays nothing, and says so', async () => {
  const c = await newChild(center, { name: '护理补贴丙', disability_grade: 1, disability_type: 'physical' })
  const next = addMonths(month, 1)
  const r = await center.post(`/children/${c.id}/entitlements`, { policy_id: policy.id, from_month: next })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  await loginAs(page, srv.base, 'center', { path: `/login?next=/children/${c.id}` })
  const item = page.locator(`.child-ent .ce-item[data-policy="${policy.id}"]`)
  await item.locator('.ce-end').click()
  const dialog = page.getByRole('dialog', { name: '撤销登记' })
  await dialog.waitFor()
  assert.equal(await dialog.locator('#rd-month option:checked').textContent(), '撤销登记（不发放）')
  assert.match(await text(dialog.locator('.field-hint')), /撤销后不发放任何月份/)
  await dialog.getByLabel('停发原因').fill('登记有误')
  await dialog.getByRole('button', { name: '确认撤销' }).click()
  await page.locator('.el-message', { hasText: `已撤销：护理补贴丙自 ${next} 起的登记，未发放` }).waitFor()
  const receipt = page.locator('.child-ent .ce-receipt').first()
  await receipt.locator('.cr-period', { hasText: `${next} 起（已撤销，未发放）` }).waitFor()
  assert.equal(await text(receipt.locator('.cr-reason')), '撤销原因：登记有误')
  const ledger = (await center.get(`/entitlements/ledger?month=${next}`)).body
  assert.ok(!ledger.items.some((i) => i.child_id === c.id), 'nothing paid')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a yearly benefit paid this month is not recorded again within 12 months, and the dialog says from when', async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const p = await center.post('/policies', {
    code: 'e2e_insurance',
    name: '参保资助（测试）',
    department_id: depts[0].id,
    benefit: 'insurance_subsidy',
    effective_from: month + '-01',
    amount_cents: 40000,
    rule: { disability_grades: [1, 2] },
  })
  assert.equal(p.status, 201, JSON.stringify(p.body))
  const c = await newChild(center, { name: '参保资助丁', disability_grade: 1, disability_type: 'physical' })
  const r = await center.post(`/children/${c.id}/entitlements`, { policy_id: p.body.id, from_month: month })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const end = await center.post(`/entitlements/${r.body.id}/end`, { last_month: month, reason: '家庭迁出' })
  assert.equal(end.status, 200, JSON.stringify(end.body))
  await loginAs(page, srv.base, 'center', { path: `/login?next=/children/${c.id}` })
  const item = page.locator(`.child-ent .ce-item[data-policy="${p.body.id}"]`)
  await item.locator('.ce-record').click()
  const dialog = page.getByRole('dialog', { name: '登记享受' })
  await dialog.waitFor()
  // next month: the subsidy paid this month covers it
  await dialog.locator('#rd-month').selectOption(addMonths(month, 1))
  await dialog.getByRole('button', { name: '登记', exact: true }).click()
  await dialog
    .locator('.el-form-item.is-error .el-form-item__error', { hasText: `该儿童已于 ${month} 领取，每 12 个月发放一次，起始月份须为 ${addMonths(month, 12)} 或以后` })
    .waitFor()
  const receipts = (await center.get(`/children/${c.id}/entitlements`)).body.receipts.filter((x) => x.policy_id === p.body.id)
  assert.equal(receipts.length, 1, 'nothing recorded')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('centre: a new policy with its rule in words, then a new version from next month (history is kept)', async () => {
  const dept = (await center.get('/units?kind=department')).body.items[1]
  await loginAs(page, srv.base, 'center', { path: '/login?next=/entitlements/policies' })
  await page.locator('main h1', { hasText: '政策' }).waitFor()
  await settled(page)
  await page.getByRole('button', { name: '新建政策' }).click()
  const dialog = page.getByRole('dialog', { name: '新建政策' })
  await dialog.waitFor()
  assert.match(await text(dialog.locator('.pd-history')), /历史不会被修改/)

  // a wrong code and no amount are said on their fields
  await dialog.getByLabel('政策名称').fill('孤儿助学金（测试）')
  await dialog.getByLabel('政策代码').fill('Bad Code')
  await dialog.getByLabel('发放部门').selectOption({ label: dept.name })
  await dialog.getByLabel('待遇类型').selectOption({ label: '月度补贴' })
  await dialog.getByRole('button', { name: '创建政策' }).click()
  await dialog.locator('.el-form-item.is-error', { hasText: '政策代码' }).locator('.el-form-item__error', { hasText: '小写字母' }).waitFor()
  await dialog.locator('.el-form-item.is-error', { hasText: '每月标准' }).waitFor()
  // a code in use: the server's refusal, on the field
  await dialog.getByLabel('政策代码').fill('e2e_disability')
  // typed with a Chinese input method: full-width digits are an amount too
  await dialog.getByLabel('每月标准（元）').fill('３００')
  await dialog.getByRole('button', { name: '创建政策' }).click()
  await dialog.locator('.el-form-item.is-error', { hasText: '政策代码' }).locator('.el-form-item__error', { hasText: '已有使用这个代码的政策' }).waitFor()
  await dialog.getByLabel('政策代码').fill('e2e_orphan_study')
  assert.equal(await dialog.getByLabel('执行月份').inputValue(), month)
  // the rule: orphans aged 0 to 17
  await dialog.locator('label.el-checkbox', { hasText: '孤儿' }).click()
  await dialog.getByLabel('最小年龄（周岁）').fill('0')
  await dialog.getByLabel('最大年龄（周岁）').fill('17')
  await dialog.getByLabel('最大年龄（周岁）').blur()
  await dialog.locator('.re-text', { hasText: '孤儿；0–17周岁' }).waitFor()
  await shot(page, 'policy-new')
  await dialog.getByRole('button', { name: '创建政策' }).click()
  await page.locator('.el-message', { hasText: '已创建政策“孤儿助学金（测试）”' }).waitFor()
  await dialog.waitFor({ state: 'hidden' })

  const card = page.locator('.policy-card[data-code="e2e_orphan_study"]')
  await card.waitFor()
  assert.equal(await text(card.locator('.pc-name')), '孤儿助学金（测试）')
  assert.equal(await text(card.locator('.pc-dept')), dept.name)
  assert.equal(await text(card.locator('.pc-amount')), '¥300.00/月')
  assert.equal(await text(card.locator('.pc-rule')), '孤儿；0–17周岁')
  assert.equal(await text(card.locator('.pc-benefit')), '月度补贴')

  // a new version: this month is refused (the first one starts then), next month is taken
  await card.getByRole('button', { name: '新增版本' }).click()
  const vd = page.getByRole('dialog', { name: '新增版本' })
  await vd.waitFor()
  assert.equal(await vd.getByLabel('执行月份').inputValue(), addMonths(month, 1))
  assert.equal(await vd.getByLabel('每月标准（元）').inputValue(), '300.00')
  assert.match(await text(vd.locator('.re-text')), /^孤儿；0–17周岁$/)
  await vd.getByLabel('执行月份').fill(month)
  await vd.getByLabel('每月标准（元）').fill('330')
  await vd.getByRole('button', { name: '保存新版本' }).click()
  await vd.locator('.el-form-item.is-error', { hasText: '执行月份' }).locator('.el-form-item__error', { hasText: `新版本最早自 ${addMonths(month, 1)} 起执行` }).waitFor()
  // nor more than two years ahead (a typo of 2099 would block every real version)
  await vd.getByLabel('执行月份').fill(addMonths(month, 25))
  await vd.getByRole('button', { name: '保存新版本' }).click()
  await vd.locator('.el-form-item.is-error', { hasText: '执行月份' }).locator('.el-form-item__error', { hasText: `最晚可设到 ${addMonths(month, 24)}` }).waitFor()
  await vd.getByLabel('执行月份').fill(addMonths(month, 1))
  // not together with another policy: said in the rule's words
  await vd.locator('.re-excludes').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: policy.name }).click()
  await vd.locator('.re-text', { hasText: `不与${policy.name}同时享受` }).waitFor()
  await vd.getByLabel('说明').fill('标准提高 10%')
  await vd.getByRole('button', { name: '保存新版本' }).click()
  await page.locator('.el-message', { hasText: `“孤儿助学金（测试）”的新版本已保存，${addMonths(month, 1)}-01 起执行` }).waitFor()

  // today's standard is still the first; the history lists both, the new one coming
  assert.equal(await text(card.locator('.pc-amount')), '¥300.00/月')
  await card.locator('.pc-versions summary', { hasText: '版本记录（2）' }).click()
  const versions = card.locator('.v-item')
  assert.equal(await versions.count(), 2)
  assert.equal(await text(versions.nth(0).locator('.v-from')), `${addMonths(month, 1)}-01 起`)
  assert.equal(await text(versions.nth(0).locator('.v-amount')), '¥330.00/月')
  assert.equal(await text(versions.nth(0).locator('.v-state')), '待执行')
  assert.equal(await text(versions.nth(0).locator('.v-note')), '标准提高 10%')
  assert.equal(await text(versions.nth(1).locator('.v-from')), `${month}-01 起`)
  assert.equal(await text(versions.nth(1).locator('.v-state')), '现行')

  // the coming version called off: withdrawn after a confirmation; the one in force has no such button
  assert.equal(await versions.nth(1).locator('.v-withdraw').count(), 0)
  await versions.nth(0).locator('.v-withdraw').click()
  const box = page.locator('.el-message-box', { hasText: '撤回尚未执行的版本' })
  await box.waitFor()
  assert.match(await text(box), new RegExp(`${addMonths(month, 1)}-01 起的版本（¥330.00/月）`))
  await box.locator('.v-withdraw-ok').click()
  await page.locator('.el-message', { hasText: `已撤回“孤儿助学金（测试）”自 ${addMonths(month, 1)}-01 起的版本` }).waitFor()
  await card.locator('.pc-versions summary', { hasText: '版本记录（1）' }).waitFor()
  const left = (await center.get('/policies')).body.items.find((p) => p.code === 'e2e_orphan_study')
  assert.deepEqual(left.versions.map((v) => v.effective_from), [`${month}-01`])

  // the policy stops from next month: a reason is needed; the card says when; no new version after it
  await card.getByRole('button', { name: '停止执行' }).click()
  const ed = page.getByRole('dialog', { name: '政策停止执行' })
  await ed.waitFor()
  assert.equal(await ed.getByLabel('停止执行月份').inputValue(), addMonths(month, 1))
  assert.match(await text(ed.locator('.field-hint')), new RegExp(`最后发放月份为 ${month}`))
  await ed.getByRole('button', { name: '确认停止执行' }).click()
  await ed.locator('.el-form-item.is-error .el-form-item__error', { hasText: '请填写停止原因' }).waitFor()
  await ed.getByLabel('停止原因').fill('试点到期')
  await ed.getByRole('button', { name: '确认停止执行' }).click()
  await page.locator('.el-message', { hasText: `孤儿助学金（测试） 将于 ${addMonths(month, 1)} 起停止执行` }).waitFor()
  await card.locator('.pc-ends', { hasText: `将于 ${addMonths(month, 1)} 起停止执行` }).waitFor()
  assert.equal(await text(card.locator('.pc-amount')), '¥300.00/月', 'it pays as before until then')
  assert.equal(await card.getByRole('button', { name: '新增版本' }).count(), 0)
  await card.locator('.pc-versions summary', { hasText: '版本记录（2）' }).waitFor()
  await card.locator('.pc-versions').evaluate((d) => (d.open = true)) // (still open from above)
  const ends = card.locator('.v-item').nth(0)
  assert.equal(await text(ends.locator('.v-amount')), '停止执行')
  assert.equal(await text(ends.locator('.v-state')), '将停止执行')
  assert.equal(await text(ends.locator('.v-note')), '试点到期')
  const stopped = (await center.get('/policies')).body.items.find((p) => p.code === 'e2e_orphan_study')
  assert.equal(stopped.ends_from, addMonths(month, 1))
  // called off before it is in force
  await ends.locator('.v-withdraw').click()
  const eb = page.locator('.el-message-box', { hasText: '撤回' })
  await eb.waitFor()
  assert.match(await text(eb), new RegExp(`自 ${addMonths(month, 1)} 起停止执行的决定`))
  await eb.locator('.v-withdraw-ok').click()
  await card.locator('.pc-versions summary', { hasText: '版本记录（1）' }).waitFor()
  assert.equal(await card.locator('.pc-ends').count(), 0)
  await card.getByRole('button', { name: '新增版本' }).waitFor()
  assert.deepEqual(unexpectedErrors(page, [409, 422]), [])
})

test("centre: the monthly ledger shows the API's total, by policy and township, for this month and the one before", async () => {
  const now = (await center.get('/entitlements/ledger')).body
  const before_ = (await center.get(`/entitlements/ledger?month=${addMonths(month, -1)}`)).body
  assert.ok(now.total_cents > 0, 'the receipts of the tests pay this month')
  await loginAs(page, srv.base, 'center', { path: '/login?next=/entitlements' })
  await page.locator('.ent-tabs').getByRole('link', { name: '月度台账' }).click()
  await page.waitForURL((u) => u.pathname === '/entitlements/ledger')
  await page.locator('main h1', { hasText: '月度发放台账' }).waitFor()
  await page.locator('.lg-total').waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.lg-total')), yuan(now.total_cents))
  assert.equal(await text(page.locator('.lg-count')), String(now.count))
  assert.equal(await text(page.locator('.lg-children')), String(new Set(now.items.map((i) => i.child_id)).size))
  const town = now.by_township[0]
  assert.equal(await text(page.locator(`.by-township tr[data-code="${town.code}"] .bt-children`)), String(town.children))
  assert.equal(await text(page.locator(`.by-township tr[data-code="${town.code}"] .bt-payments`)), String(town.payments))
  assert.equal(await page.locator('.by-policy tbody tr').count(), now.by_policy.length)
  assert.equal(await page.locator('.by-township tbody tr').count(), now.by_township.length)
  const mine = now.by_policy.find((p) => p.policy_id === policy.id)
  assert.equal(await text(page.locator(`.by-policy tr[data-policy="${policy.id}"] .lg-amount`)), yuan(mine.amount_cents))
  assert.equal(await page.locator('.lg-row').count(), Math.min(now.items.length, 100))
  // child A receives the policy this month: its row, at the standard
  const row = page.locator('.lg-row', { hasText: '护理补贴甲' })
  assert.equal(await text(row.locator('.li-amount')), '¥250.50')
  await shot(page, 'ledger')

  await page.locator('.lg-prev').click()
  await page.waitForURL((u) => u.searchParams.get('month') === addMonths(month, -1))
  await page.locator('.lg-total', { hasText: yuan(before_.total_cents) }).waitFor()
  assert.equal(await text(page.locator('.lg-count')), String(before_.count))
  assert.equal(await page.getByLabel('月份', { exact: true }).inputValue(), addMonths(month, -1))

  // the CSV of the month, every row
  const file = await exportAs(page, 'csv', page.locator('.page-head .export-button'))
  assert.match(file.suggestedFilename(), /\.csv$/)
  // and the totals by policy and by township, each its own file
  await page.locator('.export-menu').first().waitFor({ state: 'hidden' })
  const byTown = await exportAs(page, 'csv', page.locator('.lg-export-township'))
  assert.match(byTown.suggestedFilename(), /^ledger-by-township-\d{8}\.csv$/)
  assert.match(readFileSync(await byTown.path(), 'utf8'), /乡镇（街道）/)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('department: the policies it pays, and their month\'s totals by policy and township, nobody named', async () => {
  const dept = await apiSession(srv.base, 'department')
  const sums = (await dept.get('/entitlements/ledger')).body
  assert.deepEqual(sums.items, [])
  await loginAs(page, srv.base, 'department', { path: '/login?next=/entitlements/policies' })
  await page.locator('main h1', { hasText: '政策' }).waitFor()
  await page.locator('.dept-ledger', { hasText: '本部门发放汇总' }).click()
  await page.waitForURL((u) => u.pathname === '/entitlements/ledger')
  await page.locator('.lg-total').waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.lg-total')), yuan(sums.total_cents))
  assert.equal(await text(page.locator('.lg-count')), String(sums.count))
  assert.equal(await page.locator('.by-policy tbody tr').count(), sums.by_policy.length)
  assert.equal(await page.locator('.by-township tbody tr').count(), sums.by_township.length)
  assert.match(await text(page.locator('.lg-dept-note')), /只列本部门发放的政策/)
  assert.equal(await page.locator('.lg-row').count(), 0, 'no names')
  assert.equal(await page.locator('.lg-items, .ent-tabs').count(), 0)
  assert.equal(await page.locator('.page-head .export-button').count(), 0, 'no file of names to download')
  assert.equal(await page.locator('.lg-export-policy, .lg-export-township').count(), 2, 'its totals download')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('director: only the own village, nothing to record, stop, download or keep a ledger of', async () => {
  const director = await apiSession(srv.base, 'director')
  const mine = (await director.get('/entitlements?group=gap&limit=50')).body
  await loginAs(page, srv.base, 'director', { path: '/login?next=/entitlements' })
  await page.locator('main h1', { hasText: '应享尽享' }).waitFor()
  await listed(page)
  assert.equal(await text(page.locator('.ent-place')), VILLAGE_NAME)
  assert.equal(await chipCount(page, 'gap'), mine.counts.gap)
  assert.equal(await page.locator('.pick-township, .pick-village').count(), 0, 'no area to pick')
  assert.equal(await page.locator('.export-button').count(), 0)
  assert.equal(await page.locator('.et-ledger').count(), 0)
  for (const g of ['gap', 'stop', 'receiving']) {
    await page.locator(`.chip[data-group="${g}"]`).click()
    await listed(page)
    const villages = await page.locator('.ent-row .er-village').allTextContents()
    assert.ok(villages.every((v) => v.trim() === VILLAGE_NAME), `${g}: ${villages.join()}`)
    if (g === 'receiving') assert.ok(villages.length >= 1, 'child A receives')
    assert.equal(await page.locator('.ent-row button').count(), 0, `${g}: no buttons`)
  }
  // the policies: read, not written
  await page.locator('.ent-tabs').getByRole('link', { name: '政策' }).click()
  await page.locator('.policy-card[data-code="e2e_disability"]').waitFor()
  assert.equal(await page.getByRole('button', { name: '新建政策' }).count(), 0)
  assert.equal(await page.getByRole('button', { name: '新增版本' }).count(), 0)
  // the child's page: where it stands, no button
  await page.goto(srv.base + `/children/${childA.id}`)
  await page.locator(`.child-ent .ce-item[data-policy="${policy.id}"]`).waitFor()
  assert.equal(await page.locator('.child-ent button').count(), 0)
  // the ledger is not the director's
  await page.goto(srv.base + '/entitlements/ledger')
  await page.waitForURL((u) => u.pathname === '/')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: the daily notice of new gaps is in the inbox with its number and leads to the gap list', async () => {
  const station = await apiSession(srv.base, 'station')
  // a child newly entitled, then the daily job's notice (run now)
  await newChild(center, { name: '通知测试儿童', disability_grade: 1, disability_type: 'physical' })
  execFileSync(BIN, ['recompute', '--db', srv.db, '--key-file', srv.dir + '/k.key'], { stdio: ['ignore', 'ignore', 'pipe'] })
  const msgs = (await station.get('/inbox?limit=50')).body.items.filter((m) => m.event === 'entitlement.gaps')
  assert.ok(msgs.length >= 1 && msgs[0].items >= 1, JSON.stringify(msgs))
  await loginAs(page, srv.base, 'station', { path: '/login?next=/inbox' })
  const msg = page.locator('.msg[data-event="entitlement.gaps"]').first()
  await msg.waitFor()
  assert.equal(await text(msg.locator('.m-event')), '应享未享提醒')
  assert.equal(await text(msg.locator('.m-gaps')), `新发现应享未享 ${msgs[0].items} 项：儿童符合政策条件而未享受，请核实办理`)
  assert.ok(!(await text(msg)).includes('通知测试儿童'), 'numbers only, never a child')
  await page.getByRole('button', { name: 'English' }).click()
  await msg.locator('.m-event', { hasText: 'Entitlement gaps' }).waitFor()
  assert.match(await text(msg.locator('.m-gaps')), new RegExp(`^${msgs[0].items} new gaps: `))
  await page.getByRole('button', { name: '中文' }).click()
  await msg.locator('.m-event', { hasText: '应享未享提醒' }).waitFor()
  // it leads to the gaps, and is read
  await msg.locator('.m-gaps').click()
  await page.waitForURL((u) => u.pathname === '/entitlements')
  await listed(page)
  assert.ok((await chipCount(page, 'gap')) >= 1)
  const after = (await station.get('/inbox?limit=50')).body.items.find((m) => m.id === msgs[0].id)
  assert.equal(after.read, true)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px on the list, the policies and the ledger, in both languages', async () => {
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'station', { path: `/login?next=/entitlements?group=receiving` })
  for (const lang of ['zh', 'en']) {
    await page.goto(srv.base + '/entitlements?group=receiving')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await listed(page)
    const row = page.locator(`.ent-row[data-child="${childA.id}"]`)
    await row.waitFor()
    const box = await row.boundingBox()
    assert.ok(box.width <= 360, `a row of ${box.width} px`)
    assert.ok(await page.locator('.chip[data-group="gap"]').isVisible())
    assert.equal(await hasHorizontalScroll(page), false, `/entitlements (${lang})`)
    if (lang === 'zh') await shot(page, 'entitlements-360', { fullPage: true })
    await page.goto(srv.base + '/entitlements/policies')
    await page.locator('.policy-card').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/entitlements/policies (${lang})`)
    await page.goto(srv.base + '/entitlements/ledger')
    await page.locator('.lg-total').waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `/entitlements/ledger (${lang})`)
    await page.goto(srv.base + `/children/${childA.id}`)
    await page.locator('.child-ent .ce-item').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, `child's welfare (${lang})`)
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station, in English: a benefit to stop because another cannot be received with it says so in English', async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const make = async (code, name, rule) => {
    const r = await center.post('/policies', { code, name, department_id: depts[0].id, benefit: 'monthly_allowance', effective_from: month + '-01', amount_cents: 10000, rule })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const a = await make('e2e_excl_a', '事实无人抚养儿童基本生活补贴（测试）', { disability_grades: [1, 2] })
  const b = await make('e2e_excl_b', '互斥补贴（测试）', { disability_grades: [1, 2], excludes: [a.code] })
  const kid = await newChild(center, { name: '互斥补贴丙', disability_grade: 1, disability_type: 'physical' })
  assert.equal((await center.post(`/children/${kid.id}/entitlements`, { policy_id: b.id, from_month: month })).status, 201)
  // receiving both (recorded before the rule said so: a receipt of either is refused while the child receives the other)
  const db = srv.db.replace(/^sqlite:/, '')
  execFileSync('sqlite3', [db, `INSERT INTO benefit_receipts (county_code, child_id, policy_id, from_month, created_at, created_by) SELECT county_code, child_id, ${a.id}, from_month, created_at, created_by FROM benefit_receipts WHERE child_id = ${kid.id} AND policy_id = ${b.id}`])
  await loginAs(page, srv.base, 'station', { path: `/login?next=/entitlements?group=stop%26policy=${b.id}` })
  await page.getByRole('button', { name: 'English' }).click()
  await listed(page)
  const unmet = page.locator(`.ent-row[data-child="${kid.id}"] .er-unmet`)
  await unmet.waitFor()
  assert.equal(await text(unmet), `No longer meets: receives "${a.name}", which cannot be combined with this one`)
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})

test("centre: the receipt dialog offers no month before the policy's first, nor before the child's birth; the server's refusal shows on the field", async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const r = await center.post('/policies', {
    code: 'e2e_first_month',
    name: '起始月份补贴（测试）',
    department_id: depts[0].id,
    benefit: 'monthly_allowance',
    effective_from: month + '-01',
    amount_cents: 12000,
    rule: { disability_grades: [1, 2] },
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const p = r.body
  const db = srv.db.replace(/^sqlite:/, '')
  const firstFrom = (m) => execFileSync('sqlite3', [db, `UPDATE policy_versions SET effective_from = '${m}-01' WHERE policy_id = ${p.id}`])
  // in force three months already
  firstFrom(addMonths(month, -3))
  const c = await newChild(center, { name: '起始月份戊', disability_grade: 1, disability_type: 'physical' })
  const options = (dialog) => dialog.locator('#rd-month option').evaluateAll((os) => os.map((o) => o.value))

  await loginAs(page, srv.base, 'center', { path: `/login?next=/children/${c.id}` })
  const item = page.locator(`.child-ent .ce-item[data-policy="${p.id}"]`)
  await item.locator('.ce-record').click()
  const dialog = page.getByRole('dialog', { name: '登记享受' })
  await dialog.waitFor()
  assert.deepEqual(await options(dialog), [1, 0, -1, -2, -3].map((n) => addMonths(month, n)), 'from the policy\'s first month, not 12 back')
  assert.equal(await text(dialog.locator('.rd-bound')), `该政策自 ${addMonths(month, -3)} 起执行，起始月份不能早于该月。`)
  assert.equal(await dialog.getByLabel('起始月份').inputValue(), month, 'this month by default')
  await dialog.locator('#rd-month').selectOption(addMonths(month, -3))
  // meanwhile the policy is found to be in force from this month only: the server refuses, on the field
  firstFrom(month)
  await dialog.getByRole('button', { name: '登记', exact: true }).click()
  await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: `该政策自 ${month} 起执行，起始月份不能早于该月` }).waitFor()
  assert.equal((await center.get(`/children/${c.id}/entitlements`)).body.receipts.length, 0, 'nothing recorded')
  await dialog.getByRole('button', { name: '取消' }).click()
  await discardTyped(page) // a month was chosen
  await dialog.waitFor({ state: 'hidden' })

  // the gap list's dialog too: the policy is in force from this month
  await page.goto(`${srv.base}/entitlements?policy=${p.id}`)
  await listed(page)
  await page.locator(`.ent-row[data-child="${c.id}"]`).getByRole('button', { name: '登记享受' }).click()
  await dialog.waitFor()
  assert.deepEqual(await options(dialog), [addMonths(month, 1), month])
  await dialog.getByRole('button', { name: '取消' }).click()
  await dialog.waitFor({ state: 'hidden' })

  // a child born last month: from its birth month, not before
  firstFrom(addMonths(month, -12))
  const baby = await newChild(center, { name: '起始月份己', birth_date: addMonths(month, -1) + '-01', disability_grade: 1, disability_type: 'physical' })
  await page.goto(`${srv.base}/children/${baby.id}`)
  await page.locator(`.child-ent .ce-item[data-policy="${p.id}"] .ce-record`).click()
  await dialog.waitFor()
  assert.deepEqual(await options(dialog), [1, 0, -1].map((n) => addMonths(month, n)))
  assert.equal(await text(dialog.locator('.rd-bound')), `儿童生于 ${addMonths(month, -1)}，起始月份不能早于出生月份。`)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("station: a child entitled to two policies that may not be had together, receiving neither: the child's page says under which the gap counts, in both languages", async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const make = async (code, name, rule) => {
    const r = await center.post('/policies', { code, name, department_id: depts[0].id, benefit: 'monthly_allowance', effective_from: month + '-01', amount_cents: 20000, rule })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const kept = await make('e2e_pair_kept', '孤儿基本生活费（测试）', { disability_grades: [1, 2] })
  const other = await make('e2e_pair_other', '残疾儿童生活补贴（测试）', { disability_grades: [1, 2], excludes: [kept.code] })
  const kid = await newChild(center, { name: '不得同时庚', disability_grade: 2, disability_type: 'physical' })
  const page0 = (await center.get(`/children/${kid.id}/entitlements`)).body.items
  assert.equal(page0.find((i) => i.policy_id === other.id).counted_under, kept.name)

  await loginAs(page, srv.base, 'station', { path: `/login?next=/children/${kid.id}` })
  const section = page.locator('.child-ent')
  const row = (p) => section.locator(`.ce-item[data-policy="${p.id}"]`)
  await row(other).waitFor()
  // both are gaps, either may be recorded; the one that gives way says where the gap counts
  for (const p of [kept, other]) {
    assert.equal(await row(p).getAttribute('data-group'), 'gap')
    assert.equal(await row(p).locator('.ce-record').count(), 1)
  }
  assert.equal(await text(row(other).locator('.ce-counted')), `与“${kept.name}”不得同时享受，应享未享名单中计入“${kept.name}”`)
  assert.equal(await row(kept).locator('.ce-counted').count(), 0)
  await page.getByRole('button', { name: 'English' }).click()
  await row(other).locator('.ce-counted', { hasText: 'Cannot be combined' }).waitFor()
  assert.equal(await text(row(other).locator('.ce-counted')), `Cannot be combined with "${kept.name}": the lists count the gap under that policy`)
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})

test("station: a receipt refused because the other of a pair was recorded meanwhile says which policy the child receives, in both languages", async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const make = async (code, name, rule) => {
    const r = await center.post('/policies', { code, name, department_id: depts[0].id, benefit: 'monthly_allowance', effective_from: month + '-01', amount_cents: 16000, rule })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const kept = await make('e2e_race_kept', '同时登记甲补贴（测试）', { disability_grades: [1, 2] })
  const other = await make('e2e_race_other', '同时登记乙补贴（测试）', { disability_grades: [1, 2], excludes: [kept.code] })
  await loginAs(page, srv.base, 'station', { path: '/' })
  const dialog = page.locator('.receipt-dialog')
  for (const [lang, want] of [
    ['中文', (n) => `该儿童目前不符合这项政策的条件：已享受“${n}”，不得同时享受`],
    ['English', (n) => `The child does not meet this policy's conditions today: receives "${n}", which cannot be combined with this one`],
  ]) {
    const kid = await newChild(center, { name: `同时登记${lang === '中文' ? '壬' : '癸'}`, disability_grade: 2, disability_type: 'physical' })
    await page.goto(`${srv.base}/children/${kid.id}`)
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    // the page offers the kept one; meanwhile another user records the one that gives way
    await page.locator(`.child-ent .ce-item[data-policy="${kept.id}"] .ce-record`).click()
    await dialog.waitFor()
    assert.equal((await center.post(`/children/${kid.id}/entitlements`, { policy_id: other.id, from_month: month })).status, 201)
    await dialog.locator('.rd-submit').click()
    await dialog.locator('.el-alert', { hasText: want(other.name) }).waitFor()
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    const receipts = (await center.get(`/children/${kid.id}/entitlements`)).body.receipts
    assert.deepEqual(receipts.map((r) => r.policy_id), [other.id], 'the kept one is not recorded')
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("centre: a receipt back-dated over months the child received a policy it may not be had with is refused on the month, saying which month and policy, and from when it may start, in both languages", async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const make = async (code, name, rule) => {
    const r = await center.post('/policies', { code, name, department_id: depts[0].id, benefit: 'monthly_allowance', effective_from: month + '-01', amount_cents: 15000, rule })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const y = await make('e2e_past_y', '往月已领补贴（测试）', { disability_grades: [1, 2] })
  const x = await make('e2e_past_x', '往月互斥补贴（测试）', { disability_grades: [1, 2], excludes: [y.code] })
  // both in force four months already
  const db = srv.db.replace(/^sqlite:/, '')
  execFileSync('sqlite3', [db, `UPDATE policy_versions SET effective_from = '${addMonths(month, -4)}-01' WHERE policy_id IN (${y.id}, ${x.id})`])
  const c = await newChild(center, { name: '往月互斥辛', disability_grade: 2, disability_type: 'physical' })
  // the child received Y from four months back until two months back
  const ry = await center.post(`/children/${c.id}/entitlements`, { policy_id: y.id, from_month: addMonths(month, -4) })
  assert.equal(ry.status, 201, JSON.stringify(ry.body))
  const end = await center.post(`/entitlements/${ry.body.id}/end`, { reason: '改领其他政策', last_month: addMonths(month, -2) })
  assert.equal(end.status, 200, JSON.stringify(end.body))

  await loginAs(page, srv.base, 'center', { path: `/login?next=/children/${c.id}` })
  const dialog = page.locator('.receipt-dialog')
  const [paid, next] = [addMonths(month, -2), addMonths(month, -1)]
  for (const [lang, want] of [
    ['中文', `该儿童 ${paid} 领取了“${y.name}”，按当时执行的版本不得与本政策同时享受，起始月份须为 ${next} 或以后`],
    ['English', `In ${paid} the child received "${y.name}", which this policy (as in force then) may not be combined with: the first month must be ${next} or later`],
  ]) {
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    await page.locator(`.child-ent .ce-item[data-policy="${x.id}"] .ce-record`).click()
    await dialog.waitFor()
    // X from three months back: Y was paid then, and X said not with Y
    await dialog.locator('#rd-month').selectOption(addMonths(month, -3))
    await dialog.locator('.rd-submit').click()
    await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: want }).waitFor()
    assert.equal(await dialog.locator('#rd-month').inputValue(), addMonths(month, -3), 'the month picked stays')
    await page.keyboard.press('Escape')
    await discardTyped(page)
    await dialog.waitFor({ state: 'hidden' })
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.equal((await center.get(`/children/${c.id}/entitlements`)).body.receipts.filter((r) => r.policy_id === x.id).length, 0, 'nothing recorded')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('centre: a new version naming a policy that already excludes this one is refused on the exclusions, naming that policy and saying to name it on one side only, in both languages', async () => {
  const depts = (await center.get('/units?kind=department')).body.items
  const make = async (code, name, rule) => {
    const r = await center.post('/policies', { code, name, department_id: depts[0].id, benefit: 'monthly_allowance', effective_from: month + '-01', amount_cents: 10000, rule })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const a = await make('e2e_side_a', '单方互斥甲补贴（测试）', { disability_grades: [1, 2] })
  const b = await make('e2e_side_b', '单方互斥乙补贴（测试）', { disability_grades: [1, 2], excludes: [a.code] })
  await loginAs(page, srv.base, 'center', { path: '/login?next=/entitlements/policies' })
  await settled(page)
  const card = page.locator(`.policy-card[data-code="${a.code}"]`)
  const vd = page.locator('.policy-dialog')
  for (const [lang, want] of [
    ['中文', `“${b.name}”（或其排除的政策）已写明不与本政策同时享受，只需在一方写明`],
    ['English', `"${b.name}" (or a policy it excludes) already says it cannot be combined with this policy: say it on one side only`],
  ]) {
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    await card.locator('.version-new').click()
    await vd.waitFor()
    // the centre says it on this side too
    await vd.locator('.re-excludes').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: b.name }).click()
    await vd.locator('.re-text', { hasText: b.name }).click() // the options close, the dialog stays
    await vd.locator('.pd-submit').click()
    await vd.locator('.el-form-item.is-error .el-form-item__error', { hasText: want }).waitFor()
    assert.ok(await vd.isVisible(), 'the dialog stays open with what was chosen')
    await vd.locator('.form-actions .el-button').first().click() // cancel
    await discardTyped(page)
    await vd.waitFor({ state: 'hidden' })
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.equal((await center.get(`/policies/${a.id}`)).body.versions.length, 1, 'no version added')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})
