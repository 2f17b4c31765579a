// The children's registry in the browser: the full record with guardians,
// the left-behind category from suggestion to confirmation, review and end
// (director and station taking turns), the review list, an import with a
// bad row (all-or-nothing, then row by row), the export as a download, the
// reconciliation of another list (as cards at 360 px), an import row's
// ID-number reason in words, and the new field pages at 360 px.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  exportAs,
  hasHorizontalScroll,
  pickOption,
  makeIdNumber,
  shot,
  unexpectedErrors,
  settled,
  bornBefore,
  chinaToday,
  nextPage,
  discardTyped,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 800 }
const VILLAGE = '370831001001'
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 60 })
  browser = await launch({ viewport: PHONE })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

const thisYear = () => new Date(Date.now() + 8 * 3600e3).getUTCFullYear()

async function switchUser(user, path) {
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, user, { path: '/login?next=' + encodeURIComponent(path) })
}

// picks an option, then waits until the dropdown has gone (its fading copy
// would otherwise answer the next pick). A dropdown still open after 4 s (a
// click that landed while it was still moving into place) is closed with
// Escape and the pick tried again, at most three times; the select must
// show the option in the end.
const dropdownsClosed = (timeout) =>
  page
    .waitForFunction(() => [...document.querySelectorAll('.el-select__popper')].every((e) => getComputedStyle(e).display === 'none'), null, { timeout })
    .then(
      () => true,
      () => false,
    )
async function choose(select, text) {
  for (let attempt = 0; attempt < 3; attempt++) {
    await pickOption(page, select, text)
    if (await dropdownsClosed(4000)) return
    await page.keyboard.press('Escape')
    await dropdownsClosed(4000)
    if ((await select.textContent()).includes(text)) return
  }
  throw new Error(`could not choose ${text}`)
}

const card = (category) => page.locator(`.categories .cat-card[data-category=${category}]`).first()
const exact = (s) => new RegExp(`^\\s*${s}\\s*$`)

test('left-behind: suggested for a rural child whose parents work away, confirmed, reviewed when the father returns, ended', async () => {
  // the director registers the child with both parents working away
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  await page.getByLabel('姓名').waitFor()
  await page.getByLabel('姓名').fill('留守小华')
  await page.locator('label.el-radio', { hasText: '男' }).click()
  await page.getByLabel('出生日期').fill(bornBefore(10, 40))
  await page.locator('.hukou-type label.el-radio', { hasText: exact('农业') }).click()
  await page.getByRole('button', { name: '同居住地' }).click()
  assert.equal(await page.locator('.hukou-area input').inputValue(), VILLAGE)
  await page.getByRole('button', { name: /添加监护人/ }).click()
  await page.getByRole('button', { name: /添加监护人/ }).click()
  const rows = page.locator('.guardian-row')
  assert.equal(await rows.count(), 2)
  // father first, mother second, by default
  assert.match(await rows.nth(0).locator('.g-relation').textContent(), /父亲/)
  assert.match(await rows.nth(1).locator('.g-relation').textContent(), /母亲/)
  await rows.nth(0).locator('.g-name input').fill('张大山')
  await rows.nth(0).locator('.g-phone input').fill('13812345678')
  await choose(rows.nth(0).locator('.g-status'), '外出务工')
  await rows.nth(0).locator('.g-work input').fill('浙江宁波')
  await rows.nth(1).locator('.g-name input').fill('李小红')
  await choose(rows.nth(1).locator('.g-status'), '外出务工')
  assert.equal(await hasHorizontalScroll(page), false, 'form with guardians')
  await shot(page, 'child-form-guardians-360', { fullPage: true })
  // a mistyped year (26 years old): refused at the birth date, nothing lost
  await page.getByLabel('出生日期').fill(bornBefore(26, 40))
  await page.getByRole('button', { name: '保存' }).click()
  await page.getByText('台账只登记未成年人', { exact: false }).first().waitFor()
  assert.match(new URL(page.url()).pathname, /\/children\/new$/)
  assert.equal(await rows.nth(0).locator('.g-name input').inputValue(), '张大山')
  await page.getByLabel('出生日期').fill(bornBefore(10, 40))
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL(/\/children\/\d+$/)
  const childPath = new URL(page.url()).pathname
  const childId = Number(childPath.split('/').pop())

  // the child's page: record, guardians, and the suggestion (no actions for a director)
  await card('left_behind').waitFor()
  assert.match(await card('left_behind').locator('.cat-state').textContent(), /建议/)
  assert.match(await card('left_behind').locator('.cat-reason').textContent(), /父母双方外出务工/)
  assert.equal(await card('left_behind').locator('.cat-actions').count(), 0)
  assert.match(await page.locator('.child-hukou-type').textContent(), /农业/)
  const father = page.locator('.guardian[data-relation=father]')
  assert.match(await father.textContent(), /张大山/)
  assert.match(await father.locator('.g-status').textContent(), /外出务工/)
  assert.match(await father.locator('.g-phone').textContent(), /13812345678/)
  assert.match(await father.locator('.g-work').textContent(), /浙江宁波/)
  assert.equal(await hasHorizontalScroll(page), false, 'child page')
  assert.deepEqual(unexpectedErrors(page, [422]), [], 'the mistyped year was the only refusal')

  // the station confirms with evidence
  await switchUser('station', childPath)
  await card('left_behind').locator('.act-confirm').click()
  const dialog = page.getByRole('dialog', { name: /确认“农村留守儿童”/ })
  await dialog.waitFor()
  // evidence is required
  await dialog.getByRole('button', { name: '确认类别' }).click()
  await dialog.locator('.el-form-item__error', { hasText: '此项为必填项' }).first().waitFor()
  await choose(dialog.locator('.ev-type'), '入户核查记录')
  await dialog.getByLabel('材料编号或说明').fill('HF-2026-017')
  assert.equal(await hasHorizontalScroll(page), false, 'decision dialog')
  await dialog.getByRole('button', { name: '确认类别' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await card('left_behind').locator('.cat-state', { hasText: '已确认' }).waitFor()
  assert.match(await card('left_behind').locator('.cat-evidence').textContent(), /入户核查记录 · HF-2026-017/)
  await settled(page)
  await shot(page, 'child-guardians-categories-360', { fullPage: true })

  // the director records that the father came home
  await switchUser('director', childPath + '/edit')
  await page.locator('.guardian-row').first().waitFor()
  await choose(page.locator('.guardian-row').nth(0).locator('.g-status'), '在家')
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL((u) => u.pathname === childPath)
  await card('left_behind').locator('.cat-review', { hasText: '需复核' }).waitFor()
  assert.match(await card('left_behind').locator('.cat-state').textContent(), /已确认/)
  assert.match(await page.locator('.history').textContent(), /监护人/)
  // home: the day he came back is today, and he no longer has a place of work
  const home = page.locator('.guardian[data-relation=father]')
  assert.doesNotMatch(await home.textContent(), /浙江宁波/)
  const history = await page.locator('.history').textContent()
  assert.match(history, /监护人信息/)
  assert.match(history, new RegExp(`父亲 张大山：状况起始日期 ${chinaToday()}`))
  // and the station's confirmation, in words
  assert.match(history, /儿童类别/)
  assert.match(history, /农村留守儿童：已确认/)
  // who changed it, by the account's name, not a number
  const who = await page.locator('.history .h-by').first().textContent()
  assert.match(who, /^操作人：\S+/)
  assert.doesNotMatch(who, /#\d/)

  // the station's review list has it; the end reason is proposed
  await switchUser('station', '/review')
  const item = page.locator('.review-item', { hasText: '留守小华' })
  await item.waitFor()
  assert.match(await item.locator('.cat-review').textContent(), /需复核/)
  assert.match(await item.locator('.cat-review-reason').textContent(), /父母返乡/)
  assert.equal(await item.locator('.cat-child').getAttribute('href'), childPath)
  assert.equal(await hasHorizontalScroll(page), false, 'review list')
  await settled(page)
  await shot(page, 'review-list-360', { fullPage: true })
  await item.locator('.act-end').click()
  const endDialog = page.getByRole('dialog', { name: /终止“农村留守儿童”/ })
  await endDialog.waitFor()
  assert.match(await endDialog.locator('.end-reason').textContent(), /父母返乡/)
  await endDialog.getByRole('button', { name: '终止类别' }).click()
  await endDialog.waitFor({ state: 'hidden' })
  await item.locator('.cat-state', { hasText: '已终止' }).waitFor()
  assert.equal(await item.locator('.cat-actions').count(), 0)

  // the child's page and the API agree; the home page counts it
  await item.locator('.cat-child').click()
  await page.waitForURL((u) => u.pathname === childPath)
  await card('left_behind').locator('.cat-state', { hasText: '已终止' }).waitFor()
  assert.match(await card('left_behind').locator('.cat-end-reason').textContent(), /父母返乡/)
  const api = await apiSession(srv.base, 'station')
  const k = (await api.get('/children/' + childId)).body.categories.find((x) => x.category === 'left_behind')
  assert.equal(k.state, 'ended')
  assert.equal(k.end_reason, 'parent_returned')
  await page.goto(srv.base + '/')
  const ends = page.locator('.ends-card')
  await ends.waitFor()
  assert.match(await ends.locator('h2').textContent(), new RegExp(`${thisYear()} 年退出农村留守儿童`))
  assert.match(await ends.locator('.ends-total').textContent(), /1 人/)
  assert.match(await ends.locator('.ends-list').textContent(), /父母返乡\s*1/)
  assert.equal(await hasHorizontalScroll(page), false, 'home')

  // a suggestion the facts do not bear out is rejected with the reason why
  const dir = await apiSession(srv.base, 'director')
  const other = await dir.post('/children', {
    name: '留守小明',
    sex: 'M',
    birth_date: '2016-03-03',
    village_code: VILLAGE,
    hukou_type: 'rural',
    guardians: [
      { relation: 'father', name: '张父', status: 'working_away' },
      { relation: 'mother', name: '李母', status: 'working_away' },
    ],
  })
  assert.equal(other.status, 201, JSON.stringify(other.body))
  await page.goto(srv.base + '/review')
  const sugg = page.locator('.review-item', { hasText: '留守小明' })
  await sugg.waitFor()
  await sugg.locator('.act-reject').click()
  const rejectDialog = page.getByRole('dialog', { name: /否定“农村留守儿童”/ })
  await rejectDialog.waitFor()
  await rejectDialog.getByRole('button', { name: '否定建议' }).click()
  await rejectDialog.locator('.el-form-item__error', { hasText: '此项为必填项' }).waitFor()
  await rejectDialog.locator('.reject-note input').fill('核'.repeat(41))
  await rejectDialog.getByRole('button', { name: '否定建议' }).click()
  await rejectDialog.locator('.el-form-item__error', { hasText: '最多 40 个汉字' }).waitFor()
  await rejectDialog.locator('.reject-note input').fill('母亲实际在家照料，入户核实')
  await rejectDialog.getByRole('button', { name: '否定建议' }).click()
  await rejectDialog.waitFor({ state: 'hidden' })
  await sugg.locator('.cat-state', { hasText: '已否定' }).waitFor()
  assert.equal((await sugg.locator('.cat-reject-note').textContent()).trim(), '母亲实际在家照料，入户核实')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('the form\'s errors clear as the fields are corrected', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  await page.getByLabel('姓名').waitFor()
  await page.getByRole('button', { name: '保存' }).click()
  const errorOf = (label) => page.locator('.el-form-item', { has: page.getByLabel(label, { exact: true }) }).locator('.el-form-item__error')
  await errorOf('姓名').waitFor()
  assert.equal(await errorOf('出生日期').count(), 1, 'the birth date is asked for without an ID number')
  await page.getByLabel('姓名').fill('改正小明')
  await errorOf('姓名').waitFor({ state: 'detached' })
  // an ID number gives sex and birth date: what was said of them goes
  await page.getByLabel(/身份证号/).fill(makeIdNumber('370831', bornBefore(9, 10).replaceAll('-', ''), 321))
  await errorOf('出生日期').waitFor({ state: 'detached' })
  assert.match(new URL(page.url()).pathname, /\/children\/new$/, 'nothing was saved')
})

test('a second registration of the same name, birth date and village asks: open the registered child, or register another', async () => {
  const born = bornBefore(5, 100)
  const register = async () => {
    await page.goto(srv.base + '/children/new')
    await page.getByLabel('姓名').waitFor()
    await page.getByLabel('姓名').fill('重名小明')
    await page.locator('label.el-radio', { hasText: '男' }).click()
    await page.getByLabel('出生日期').fill(born)
    await page.getByRole('button', { name: '保存' }).click()
  }
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  await register()
  await page.waitForURL(/\/children\/\d+$/)
  const first = Number(new URL(page.url()).pathname.split('/').pop())
  // the same again: the dialog names the registered child and opens it
  await register()
  const box = page.locator('.el-message-box')
  await box.waitFor()
  assert.match(await box.textContent(), new RegExp(`编号 ${first}`))
  await box.getByRole('button', { name: '查看已登记的儿童' }).click()
  await page.waitForURL(new RegExp(`/children/${first}$`))
  // or it is another child after all
  await register()
  await box.waitFor()
  await box.getByRole('button', { name: '是另一名儿童，继续登记' }).click()
  await page.waitForURL((u) => /\/children\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${first}`))
  const second = Number(new URL(page.url()).pathname.split('/').pop())
  assert.notEqual(second, first)
  const api = await apiSession(srv.base, 'director')
  const same = (await api.get(`/children?q=${encodeURIComponent('重名小明')}`)).body.items
  assert.deepEqual(same.map((c) => c.id).sort((a, b) => a - b), [first, second], 'two children, registered knowingly')
  assert.deepEqual(unexpectedErrors(page, [409]), [], 'the asking refusals only')
})

test('import: one bad row rejects the whole file and is shown by row and column; row by row imports the rest', async () => {
  const id1 = makeIdNumber('370831', '20150304', 511)
  const csv =
    '\uFEFF姓名,身份证号,性别,出生日期,村（社区）代码,户籍类型,父亲姓名,父亲状况,母亲姓名,母亲状况,联系人\r\n' +
    `导入甲,${id1},,,${VILLAGE},农业,甲父,外出务工,甲母,外出务工,王老师\r\n` +
    `导入乙,,女,2016-13-45,${VILLAGE},非农业,,,,,\r\n` +
    `导入丙,,男,2014-01-01,${VILLAGE},农业,丙父,在家,丙母,在家,\r\n` +
    `导入丁,,女,2017-06-30,${VILLAGE},,,,,,\r\n`
  await loginAs(page, srv.base, 'station', { path: '/login?next=/imports' })
  await page.locator('.import-form').waitFor()
  await settled(page)
  await page.setInputFiles('#import-file', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  // the columns as they will be read: the unknown one is not imported
  const cols = page.locator('.col-item')
  await cols.first().waitFor()
  assert.equal(await cols.count(), 11)
  assert.match(await cols.nth(0).locator('.col-field').textContent(), /姓名/)
  assert.match(await cols.nth(1).locator('.col-field').textContent(), /身份证号码/)
  const unknown = page.locator('.col-item.unknown')
  assert.equal(await unknown.count(), 1)
  assert.match(await unknown.locator('.col-header').textContent(), /联系人/)
  assert.equal(await page.locator('.warn[role=status]').count(), 0, 'no required column is missing')

  // all or nothing (the default): rejected, the bad row named
  await page.getByRole('button', { name: '上传并导入' }).click()
  await page.locator('.import-status', { hasText: '未导入' }).waitFor()
  assert.equal((await page.locator('.c-created').textContent()).trim(), '0')
  assert.equal((await page.locator('.c-errors').textContent()).trim(), '1')
  // never compared with the registry: no count of conflicts, and why
  assert.equal((await page.locator('.c-conflicts').textContent()).trim(), '—')
  await page.locator('.not-compared', { hasText: '尚未与台账比对' }).waitFor()
  assert.equal((await page.locator('.c-rows').textContent()).trim(), '4')
  const issue = page.locator('.issues tbody tr').first()
  await issue.waitFor()
  const cells = await issue.locator('td').allTextContents()
  assert.equal(cells[0].trim(), '3')
  assert.equal(cells[1].trim(), '出生日期')
  assert.equal(cells[2].trim(), '错误')
  assert.ok(cells[3].trim().length > 0)
  assert.match(await page.locator('.import-summary').textContent(), /整个文件未导入/)

  // the whole report as a download
  const report = await exportAs(page, 'csv', page.locator('.import-report'))
  assert.match(report.suggestedFilename(), /^import-\d+-report\.csv$/)
  assert.match(readFileSync(await report.path(), 'utf8'), /出生日期/)
  const reportXlsx = await exportAs(page, 'xlsx', page.locator('.import-report'))
  assert.match(reportXlsx.suggestedFilename(), /^import-\d+-report\.xlsx$/)
  assert.equal(readFileSync(await reportXlsx.path()).subarray(0, 2).toString('latin1'), 'PK')

  // row by row: the three good rows are registered
  await page.locator('.mode-rows').click()
  await page.getByRole('button', { name: '上传并导入' }).click()
  await page.locator('.import-status', { hasText: '已完成' }).waitFor()
  assert.equal((await page.locator('.c-created').textContent()).trim(), '3')
  assert.equal((await page.locator('.c-errors').textContent()).trim(), '1')
  assert.match(await page.locator('.import-summary').textContent(), /新登记 3 名/)
  assert.equal(await page.locator('.issues tbody tr').count(), 1)
  assert.equal(await hasHorizontalScroll(page), false, 'import page')
  await settled(page)
  await shot(page, 'import-result-360', { fullPage: true })

  // the imported child with both parents away is suggested left-behind
  const api = await apiSession(srv.base, 'station')
  const found = (await api.get('/children?q=' + encodeURIComponent('导入甲'))).body.items
  assert.equal(found.length, 1)
  const child = (await api.get('/children/' + found[0].id)).body
  assert.ok(child.categories.some((x) => x.category === 'left_behind' && x.state === 'suggested'))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('registry desk: more filters, and the export downloads an XLSX and a CSV of the filter', async () => {
  await page.setViewportSize(DESKTOP)
  const center = await apiSession(srv.base, 'center')
  // a child that the filters find
  const r = await center.post('/children', {
    name: '筛选导出',
    sex: 'F',
    birth_date: bornBefore(12, 10),
    village_code: VILLAGE,
    hukou_type: 'rural',
    risk_level: 'high',
    guardians: [
      { relation: 'father', name: '筛父', status: 'imprisoned' },
      { relation: 'mother', name: '筛母', status: 'working_away' },
    ],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  await loginAs(page, srv.base, 'center', { path: '/login?next=/registry' })
  await page.locator('.reg-table tbody tr').first().waitFor()

  // the whole registry as XLSX
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('.export-xlsx').click()])
  assert.match(xlsx.suggestedFilename(), /^children-\d{8}\.xlsx$/)
  const xbytes = readFileSync(await xlsx.path())
  assert.ok(xbytes.length > 1000, 'the XLSX is not empty')
  assert.equal(xbytes.subarray(0, 2).toString(), 'PK')
  await page.locator('.el-message', { hasText: /已导出 \d+ 条记录/ }).waitFor()

  // category, risk, guardian status and age filters
  await choose(page.locator('.f-risk'), '高')
  await choose(page.locator('.f-gstatus'), '服刑')
  await page.locator('.f-age-min input').fill('11')
  await page.locator('.f-age-max input').fill('13')
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.waitForURL(/risk_level=high/)
  const want = (await center.get('/children?limit=1&risk_level=high&guardian_status=imprisoned&age_min=11&age_max=13')).body.total
  assert.ok(want >= 1)
  await page.locator('.reg-total', { hasText: `共 ${want} 条记录` }).waitFor()
  assert.ok((await page.locator('.reg-table tbody tr .reg-name').allTextContents()).includes('筛选导出'))
  await shot(page, 'registry-filters-desktop')

  // the CSV export follows the filter
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('.export-csv').click()])
  assert.match(csv.suggestedFilename(), /^children-\d{8}\.csv$/)
  assert.ok(statSync(await csv.path()).size > 0)
  const lines = readFileSync(await csv.path(), 'utf8').trim().split(/\r?\n/)
  assert.match(lines[0], /姓名/)
  assert.equal(lines.length, want + 1)
  assert.ok(lines.some((l) => l.includes('筛选导出')))

  // an impossible age range is refused before asking
  await page.locator('.f-age-min input').fill('14')
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.locator('.f-err', { hasText: '最小年龄不能大于最大年龄' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the category filter counts the confirmed children, as the overview does, or the suggestions awaiting a decision', async () => {
  await page.setViewportSize(DESKTOP)
  const center = await apiSession(srv.base, 'center')
  const away = (name) => ({ relation: 'father', name, status: 'working_away' })
  const made = []
  for (const name of ['确认留守', '建议留守']) {
    const r = await center.post('/children', {
      name,
      sex: 'F',
      birth_date: bornBefore(10, 0),
      village_code: VILLAGE,
      hukou_type: 'rural',
      guardians: [away('父'), { ...away('母'), relation: 'mother' }],
    })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    made.push(r.body)
  }
  const ok = await center.post(`/children/${made[0].id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'HS-E2E-1' })
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  const total = async (state) => (await center.get(`/children?limit=1&category=left_behind${state ? '&category_state=' + state : ''}`)).body.total
  const [confirmed, suggested, both] = [await total('confirmed'), await total('suggested'), await total('')]
  assert.equal(both, confirmed + suggested)

  await loginAs(page, srv.base, 'center', { path: '/login?next=' + encodeURIComponent('/registry?category=left_behind') })
  await page.locator('.reg-total', { hasText: `共 ${confirmed} 条记录` }).waitFor()
  const names = () => page.locator('.reg-table tbody tr .reg-name').allTextContents()
  assert.ok((await names()).includes('确认留守'))
  assert.ok(!(await names()).includes('建议留守'), 'a suggestion is not counted as confirmed')
  assert.match(await page.locator('.f-cstate').textContent(), /已确认/)
  await choose(page.locator('.f-cstate'), '待确认（系统建议）')
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.waitForURL(/category_state=suggested/)
  await page.locator('.reg-total', { hasText: `共 ${suggested} 条记录` }).waitFor()
  assert.ok((await names()).includes('建议留守'))
  assert.ok(!(await names()).includes('确认留守'))
  await choose(page.locator('.f-cstate'), '已确认和待确认')
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.waitForURL(/category_state=any/)
  await page.locator('.reg-total', { hasText: `共 ${both} 条记录` }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

const word = { M: '男', F: '女' }
const other = { M: '女', F: '男' }

// Opens the reconciliation as the centre and compares a list of three rows
// with the registry: one child as registered, one under another name and
// sex, one the registry does not have. Returns the two known children.
async function compareList(otherName) {
  const center = await apiSession(srv.base, 'center')
  const known = (await center.get('/children?limit=5')).body.items.filter((c) => c.id_number)
  assert.ok(known.length >= 2)
  const stranger = makeIdNumber('370831', '20130909', 733)
  const csv =
    '姓名,身份证号码,出生日期,性别\r\n' +
    `${known[0].name},${known[0].id_number},,${word[known[0].sex]}\r\n` +
    `${otherName},${known[1].id_number},,${other[known[1].sex]}\r\n` +
    `不在台账,${stranger},,\r\n`
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reconcile' })
  await page.locator('.recon-form').waitFor()
  await page.setInputFiles('#recon-file', { name: 'allowance.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  // no category: these children are in none (with one, each would be "not confirmed in this category")
  await page.getByRole('button', { name: '开始比对' }).click()
  await page.locator('.recon-rows', { hasText: '名单共 3 行' }).waitFor()
  return known
}

test('reconciliation: a list compared with the registry in four groups, and as a CSV', async () => {
  await page.setViewportSize(DESKTOP)
  const known = await compareList('另一个名字')
  const count = async (g) => Number((await page.locator(`.group.g-${g} .g-count`).textContent()).trim())
  assert.equal(await count('matched'), 1)
  assert.equal(await count('mismatched'), 1)
  assert.equal(await count('not_in_registry'), 1)
  assert.ok((await count('not_in_list')) >= 0)
  // the first group with something to look at is open: facts that differ
  assert.equal(await page.locator('.group.g-mismatched').getAttribute('aria-selected'), 'true')
  const row = page.locator('.recon-table tbody tr').first()
  assert.match(await row.textContent(), new RegExp(known[1].name))
  assert.match(await row.textContent(), new RegExp(`姓名：台账为“${known[1].name}”，名单为“另一个名字”`))
  // the sex too, in words
  assert.match(await row.textContent(), new RegExp(`性别：台账为“${word[known[1].sex]}”，名单为“${other[known[1].sex]}”`))
  await shot(page, 'reconciliation-desktop')
  await page.locator('.group.g-not_in_registry').click()
  await page.locator('.recon-table tbody tr', { hasText: '不在台账' }).waitFor()
  assert.match(await page.locator('.recon-table tbody tr').first().textContent(), /台账中（您的辖区内）没有该儿童/)
  const file = await exportAs(page, 'csv', page.locator('.recon-download'))
  assert.match(file.suggestedFilename(), /^reconciliation-\d{8}\.csv$/)
  const text = readFileSync(await file.path(), 'utf8')
  assert.match(text, /台账中没有/)
  assert.match(text, /信息不一致/)
  // the details in Chinese as on screen, not the API's English
  assert.match(text, new RegExp(`姓名：台账为“${known[1].name}”，名单为“另一个名字”；性别：台账为“${word[known[1].sex]}”`))
  assert.match(text, /台账中（您的辖区内）没有该儿童/)
  assert.doesNotMatch(text, /registry|list /)
  const xlsx = await exportAs(page, 'xlsx', page.locator('.recon-download'))
  assert.match(xlsx.suggestedFilename(), /^reconciliation-\d{8}\.xlsx$/)
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString('latin1'), 'PK')
  assert.deepEqual(unexpectedErrors(page), [])
})

// the page's width as painted, after the frame that follows a change
const pageWidth = () =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(document.documentElement.scrollWidth)))))

test('reconciliation at 360 px: no sideways scroll of the page or of a box in it; every row is a card', async () => {
  const known = await compareList('另一个名字也很长很长的名字')
  await settled(page)
  for (const g of ['mismatched', 'not_in_registry', 'matched']) {
    await page.locator(`.group.g-${g}`).click()
    await settled(page)
    const w = await pageWidth()
    assert.ok(w <= 360, `${g}: the page is ${w} px wide at a 360 px viewport`)
    // nor does anything in the result scroll sideways in its own box
    const sideways = await page.evaluate(() =>
      [...document.querySelectorAll('.recon-result *')]
        .filter((e) => e.getClientRects().length && getComputedStyle(e).overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1)
        .map((e) => `${e.tagName}.${e.className}`),
    )
    assert.deepEqual(sideways, [], `${g}: boxes that scroll sideways`)
    const card = page.locator('.recon-card').first()
    await card.waitFor()
    const box = await card.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= 360, `${g}: the card is on screen (${JSON.stringify(box)})`)
    assert.match(await card.textContent(), /名单第 \d+ 行/)
  }
  await page.locator('.group.g-mismatched').click()
  const mismatch = page.locator('.recon-card').first()
  assert.match(await mismatch.textContent(), new RegExp(known[1].id_number.slice(0, 6)))
  assert.match(await mismatch.textContent(), /姓名：台账为“.*”，名单为“另一个名字也很长很长的名字”/)
  assert.equal(await page.locator('.recon-table').isVisible(), false, 'no table at phone width')
  // a desktop still has the table
  await page.setViewportSize(DESKTOP)
  await page.locator('.recon-table').waitFor()
  assert.equal(await page.locator('.recon-card').first().isVisible(), false)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('an import row refused for its ID number shows the reason in words (the table the forms share)', async () => {
  const good = makeIdNumber('370831', '20150304', 512)
  const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1')
  const csv = '姓名,身份证号,村（社区）代码\r\n' + `校验甲,${bad},${VILLAGE}\r\n`
  await loginAs(page, srv.base, 'station', { path: '/login?next=/imports' })
  await page.locator('.import-form').waitFor()
  await settled(page)
  await page.setInputFiles('#import-file', { name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('.col-item').first().waitFor()
  await page.getByRole('button', { name: '上传并导入' }).click()
  await page.locator('.import-status', { hasText: '未导入' }).waitFor()
  const reason = page.locator('.issues tbody tr .i-reason').first()
  await reason.waitFor()
  assert.equal((await reason.textContent()).trim(), '身份证号码校验位错误，请核对')
  assert.ok((await pageWidth()) <= 360)
})

test('the new field pages fit 360 px, in Chinese and English, without console errors', async () => {
  const api = await apiSession(srv.base, 'station')
  const r = await api.post('/children', {
    name: '宽度检查一个名字很长很长很长很长很长很长的孩子',
    sex: 'M',
    birth_date: bornBefore(9, 3),
    village_code: VILLAGE,
    hukou_type: 'rural',
    disability_grade: 2,
    disability_type: 'physical',
    family_poverty: true,
    notes: '备注'.repeat(60),
    guardians: [
      { relation: 'father', name: '宽父', phone: '0537-12345678', status: 'deceased', status_since: '2020-02-02' },
      { relation: 'mother', name: '宽母', status: 'lost_contact', work_place: '某某省某某市某某区某某街道某某社区某某小区' },
    ],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const id = r.body.id
  await loginAs(page, srv.base, 'station')
  for (const lang of ['中文', 'English']) {
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    const paths = ['/review', '/imports', `/children/${id}`, `/children/${id}/edit`]
    for (const path of lang === '中文' ? ['/'].concat(paths) : paths) {
      await page.goto(srv.base + path)
      await page.locator('main h1').first().waitFor()
      await settled(page)
      assert.equal(await hasHorizontalScroll(page), false, `${path} (${lang})`)
    }
  }
  // the decision dialog at 360 px
  await page.goto(srv.base + `/children/${id}`)
  await page.locator('.categories .act-confirm').first().click()
  await page.getByRole('dialog').waitFor()
  assert.equal(await hasHorizontalScroll(page), false, 'dialog (English)')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('import: the columns the import did not read are named after the upload, in Chinese and English', async () => {
  const csv =
    '姓名,身份证号,村（社区）代码,备注2,身分证号\r\n' +
    `未读列甲,${makeIdNumber('370831', '20140506', 611)},${VILLAGE},随便写写,370831201405066110\r\n`
  await loginAs(page, srv.base, 'director', { path: '/login?next=/imports' })
  await page.locator('.import-form').waitFor()
  await settled(page)
  await page.setInputFiles('#import-file', { name: 'extra-columns.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('.col-item').first().waitFor()
  assert.equal(await page.locator('.ignored-columns').count(), 0, 'named before the server read the file')
  await page.getByRole('button', { name: '上传并导入' }).click()
  await page.locator('.import-status', { hasText: '已完成' }).waitFor()
  assert.equal((await page.locator('.c-created').textContent()).trim(), '1')
  const ignored = page.locator('.ignored-columns')
  assert.equal((await ignored.textContent()).trim(), '以下列未导入：备注2、身分证号')
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('.ignored-columns', { hasText: 'These columns' }).waitFor()
  assert.equal((await ignored.textContent()).trim(), 'These columns were not imported: 备注2, 身分证号')
  // another file: the warning belonged to the last one
  await page.getByRole('button', { name: 'Import another file' }).click()
  await ignored.waitFor({ state: 'detached' })
  assert.deepEqual(unexpectedErrors(page), [])
})

test("ending a category: only the age that ends it is offered (16 for left-behind), and an end by age before the child has it is refused on the reason, in words, in both languages", async () => {
  const api = await apiSession(srv.base, 'center')
  const r = await api.post('/children', {
    name: '年龄终止测试',
    sex: 'M',
    birth_date: bornBefore(10, 30),
    village_code: '370831001001',
    hukou_type: 'rural',
    guardians: [
      { relation: 'father', name: '钱在外', status: 'working_away' },
      { relation: 'mother', name: '孙在外', status: 'working_away' },
    ],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const id = r.body.id
  const c = await api.post(`/children/${id}/categories/left_behind`, { action: 'confirm', evidence_type: 'household_survey', evidence_ref: 'HS-AGE' })
  assert.equal(c.status, 200, JSON.stringify(c.body))
  await loginAs(page, srv.base, 'station', { path: `/login?next=/children/${id}` })
  const leftBehind = page.locator('.cat-card[data-category="left_behind"]')
  await leftBehind.waitFor()
  const dialog = page.locator('.decide-dialog')
  for (const [lang, turned16, turned18, want] of [
    ['中文', '年满 16 周岁', '年满 18 周岁', '该儿童在终止日期未满 16 周岁，不能以“年满 16 周岁”终止'],
    ['English', 'Turned 16', 'Turned 18', 'The child is not 16 on the end date: the category cannot end as "Turned 16"'],
  ]) {
    if (lang === 'English') await page.getByRole('button', { name: 'English' }).click()
    await leftBehind.locator('.act-end').click()
    await dialog.waitFor()
    await dialog.locator('.end-reason').click()
    const offered = page.locator('.el-select-dropdown__item:visible')
    await offered.first().waitFor()
    const names = (await offered.allTextContents()).map((s) => s.trim())
    assert.ok(names.includes(turned16), `${turned16} offered: ${names}`)
    assert.ok(!names.includes(turned18), `left-behind ends at 16, not 18: ${names}`)
    await offered.filter({ hasText: turned16 }).click()
    await dialog.locator('.decide-submit').click()
    await dialog.locator('.el-form-item.is-error .el-form-item__error', { hasText: want }).waitFor()
    assert.ok(await dialog.isVisible(), 'the dialog stays open')
    await page.keyboard.press('Escape')
    await discardTyped(page)
    await dialog.waitFor({ state: 'hidden' })
  }
  await page.getByRole('button', { name: '中文' }).click()
  const k = (await api.get('/children/' + id)).body.categories.find((x) => x.category === 'left_behind')
  assert.equal(k.state, 'confirmed', 'nothing ended')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})
