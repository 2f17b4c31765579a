// Desktop pages: the centre's registry (filters with the township -> village
// cascade, name search, ID-number lookup, total, cursor paging both ways,
// row -> child page), the station's registry limited to its township, the
// auditor's log and the administrator's user list, with no console errors.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, launch, resetSession, loginAs, uiLogin, apiSession, exportAs, pickOption, shot, unexpectedErrors, settled, inputValueWhen, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 800 }
let srv, browser, page, center

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

const rowNames = () => page.locator('.reg-table tbody tr .reg-name').allTextContents()

test('centre registry: total, paging forward and back, row opens the child', async () => {
  const total = (await center.get('/children?limit=1')).body.total
  await loginAs(page, srv.base, 'center', { path: '/login?next=/registry' })
  await page.locator('.reg-total', { hasText: `共 ${total} 条记录` }).waitFor()
  await page.locator('.reg-table tbody tr').nth(19).waitFor()
  assert.equal(await page.locator('.reg-table tbody tr').count(), 20)
  await settled(page)
  await shot(page, 'center-registry-desktop')
  // full ID numbers for the centre
  const ids = await page.locator('.reg-table tbody tr td:nth-child(5)').allTextContents()
  assert.ok(ids.some((x) => /^\d{17}[\dX]$/.test(x.trim())), 'the centre sees whole ID numbers')

  const page1 = await rowNames()
  assert.equal((await page.locator('.prev-page').isDisabled()), true)
  await page.getByRole('button', { name: /下一页/ }).click()
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor()
  await page.waitForFunction((first) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent !== first, page1[0])
  const page2 = await rowNames()
  assert.notDeepEqual(page2, page1)
  await page.getByRole('button', { name: /下一页/ }).click()
  await page.locator('.page-no', { hasText: '第 3 页' }).waitFor()
  await page.getByRole('button', { name: /上一页/ }).click()
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor()
  await page.waitForFunction((first) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent === first, page2[0])
  assert.deepEqual(await rowNames(), page2)
  await page.getByRole('button', { name: /上一页/ }).click()
  await page.locator('.page-no', { hasText: '第 1 页' }).waitFor()
  await page.waitForFunction((first) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent === first, page1[0])
  assert.deepEqual(await rowNames(), page1)
  // the total stays on later pages (the API gives it with the first page only)
  assert.match(await page.locator('.reg-total').textContent(), new RegExp(`共 ${total} 条记录`))

  // a row opens the child's page
  await page.locator('.reg-table tbody tr').nth(3).locator('td').nth(2).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('h1', { hasText: page1[3] }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre registry: township -> village cascade, name search and ID lookup', async () => {
  const township = (await center.get('/areas?parent=370831')).body.items[0]
  const villages = (await center.get('/areas?parent=' + township.code)).body.items
  // the village with the most children in the demo data, for a meaningful filter
  let best = villages[0]
  let bestTotal = -1
  for (const v of villages.slice(0, 8)) {
    const n = (await center.get('/children?limit=1&area=' + v.code)).body.total
    if (n > bestTotal) [best, bestTotal] = [v, n]
  }
  await loginAs(page, srv.base, 'center', { path: '/login?next=/registry' })
  await page.locator('.reg-table tbody tr').first().waitFor()
  assert.equal(await page.locator('#f-village').isDisabled(), true)
  await pickOption(page, page.locator('.filters .el-select').first(), township.name)
  await pickOption(page, page.locator('.filters .el-select').nth(1), best.name)
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.waitForURL(/village=/)
  await page.locator('.reg-total', { hasText: `共 ${bestTotal} 条记录` }).waitFor()
  const shown = await page.locator('.reg-table tbody tr .reg-village').allTextContents()
  assert.equal(shown.length, Math.min(bestTotal, 20))
  for (const v of shown) assert.equal(v.trim(), best.name)

  // name search within the filter
  const some = (await center.get('/children?limit=1&area=' + best.code)).body.items[0]
  await page.getByLabel('姓名').fill(some.name)
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.waitForURL(/q=/)
  // the rows are replaced when the answer comes: wait until every row matches
  await page.waitForFunction((name) => {
    const rows = [...document.querySelectorAll('.reg-table tbody tr .reg-name')]
    return rows.length > 0 && rows.every((r) => r.textContent.includes(name))
  }, some.name)
  const expected = (await center.get('/children?limit=1&area=' + best.code + '&q=' + encodeURIComponent(some.name))).body.total
  await page.locator('.reg-total', { hasText: `共 ${expected} 条记录` }).waitFor()

  // ID-number lookup finds exactly that child, wherever it lives
  await page.getByRole('button', { name: '重置' }).click()
  await page.waitForURL((u) => !u.search)
  const withId = (await center.get('/children?limit=50')).body.items.find((c) => c.id_number)
  await page.getByLabel('身份证号码').fill(withId.id_number)
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.locator('.reg-total', { hasText: '共 1 条记录' }).waitFor()
  assert.deepEqual(await rowNames(), [withId.name])
  // an invalid number is explained next to the field
  await page.getByLabel('身份证号码').fill('12345')
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.locator('.f-err', { hasText: '身份证号码应为 18 位' }).waitFor()
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('station registry is limited to its township', async () => {
  await loginAs(page, srv.base, 'station', { path: '/login?next=/registry' })
  await page.locator('.reg-table tbody tr').first().waitFor()
  assert.equal(await inputValueWhen(page, '#f-township', '泗河街道'), '泗河街道')
  const towns = await page.locator('.reg-table tbody tr td:nth-child(6)').allTextContents()
  for (const t of towns) assert.equal(t.trim(), '泗河街道')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre registry: the export and the next page follow the applied filter, not what is typed and not searched', async () => {
  const all = (await center.get('/children?limit=1')).body.total
  const wang = (await center.get('/children?limit=1&q=' + encodeURIComponent('王'))).body.total
  assert.ok(all > 20, 'more than one page of children')
  assert.ok(wang >= 1 && wang < all, 'some of them, not all, are called 王')
  const csvLines = async (download) => readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/).length - 1

  await loginAs(page, srv.base, 'center', { path: '/login?next=/registry' })
  await page.locator('.reg-total', { hasText: `共 ${all} 条记录` }).waitFor()
  await page.locator('.reg-table tbody tr').nth(19).waitFor()
  await settled(page)
  // 王 typed, 搜索 not pressed: the list still shows everybody, and so does the export
  await page.getByLabel('姓名').fill('王')
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('.export-csv').click()])
  assert.equal(await csvLines(csv), all, 'the export is the list on screen')
  await page.locator('.el-message', { hasText: `已导出 ${all} 条记录` }).waitFor()
  // the next page is the next page of the same list
  const [next] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/api/v1/children?') && r.url().includes('cursor=')),
    page.getByRole('button', { name: /下一页/ }).click(),
  ])
  const url = new URL(next.url())
  assert.equal(url.searchParams.get('q'), null, 'no name filter on the next page: ' + url.search)
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor()
  await settled(page)
  assert.match(await page.locator('.reg-total').textContent(), new RegExp(`共 ${all} 条记录`))
  // once searched, the list, its total and the export are the 王 children
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.waitForURL(/q=/)
  await page.locator('.reg-total', { hasText: `共 ${wang} 条记录` }).waitFor()
  await settled(page)
  const [csv2] = await Promise.all([page.waitForEvent('download'), page.locator('.export-csv').click()])
  assert.equal(await csvLines(csv2), wang)
  // the box cleared but not searched: the export stays the 王 children
  await page.getByLabel('姓名').fill('')
  const [csv3] = await Promise.all([page.waitForEvent('download'), page.locator('.export-csv').click()])
  assert.equal(await csvLines(csv3), wang)
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('auditor: the audit log shows entries and verifies the chain', async () => {
  // someone tries a name no account has
  const tried = await fetch(srv.base + '/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'zhang-guess', password: 'Guess-Pass-2026' }),
  })
  assert.equal(tried.status, 401)
  await loginAs(page, srv.base, 'auditor')
  await page.locator('.nav-inline .nav-link').first().waitFor() // allTextContents does not wait for the menu
  assert.deepEqual(await page.locator('.nav-inline .nav-link').allTextContents(), ['首页', '审计日志'])
  await page.getByRole('link', { name: '审计日志' }).first().click()
  await page.locator('.audit-table tbody tr').first().waitFor()
  // actions are named in the user's language, with the code beside
  const labels = await page.locator('.audit-table tbody tr td:nth-child(5) .a-label').allTextContents()
  const codes = await page.locator('.audit-table tbody tr td:nth-child(5) .a-code').allTextContents()
  assert.ok(codes.some((a, i) => a.trim() === 'login' && labels[i].trim() === '登录'), 'a login entry is listed')
  // details in words, never the JSON the server wrote
  const details = (await page.locator('.audit-table tbody tr .a-detail').allTextContents()).map((x) => x.trim()).filter(Boolean)
  assert.ok(details.length > 0, 'some entries have details')
  for (const d of details) assert.doesNotMatch(d, /^[{[]|":/, d)
  assert.ok(details.every((d) => d === '无此账号' || /[^\x00-\x7f]+：/.test(d)), details.join(' | '))
  await page.getByRole('button', { name: '校验日志完整性' }).click()
  await page.getByRole('status').filter({ hasText: '校验通过' }).waitFor()
  await shot(page, 'auditor-audit-log-desktop')

  // the report of a filter downloads as CSV with the same entries the list shows
  await page.getByLabel('操作', { exact: true }).selectOption({ label: '登录' })
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.locator('.audit-table tbody tr').first().waitFor()
  // the attempt under an unknown name is there, said in words
  const guess = page.locator('.audit-table tbody tr', { hasText: 'zhang-guess' })
  assert.equal(await guess.locator('.a-detail').textContent(), '无此账号')
  // its name narrows the log to the attempts under it
  await guess.locator('.a-user').click()
  assert.equal(await page.locator('#a-user').inputValue(), 'zhang-guess')
  await page.waitForFunction(() => {
    const names = [...document.querySelectorAll('.audit-table tbody .a-user')].map((e) => e.textContent.trim())
    return names.length > 0 && names.every((n) => n === 'zhang-guess')
  })
  await page.locator('#a-user').fill('')
  const auditor = await apiSession(srv.base, 'auditor')
  const listed = (await auditor.get('/audit?action=login&limit=1000')).body.items
  const report = await exportAs(page, 'csv', page.locator('.audit-export'))
  assert.match(report.suggestedFilename(), /^audit-\d{8}\.csv$/)
  const lines = readFileSync(await report.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.match(lines[0], /^序号,时间/)
  assert.ok(lines.length - 1 >= listed.length, 'every login listed is in the report')
  // the report names the action in words, as the page does
  assert.ok(lines.slice(1).every((l) => l.split(',')[5] === '登录'), 'and only logins')
  // and as Excel: a zip
  const xlsx = await exportAs(page, 'xlsx', page.locator('.audit-export'))
  assert.match(xlsx.suggestedFilename(), /^audit-\d{8}\.xlsx$/)
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString('latin1'), 'PK')

  // narrowed to days: today's logins are listed, none from tomorrow on
  const chinaDay = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10)
  const today = chinaDay(listed[0].at * 1000)
  await page.getByLabel('从（日期）').fill(today)
  await page.getByLabel('至（日期）').fill(today)
  const answered = page.waitForResponse((r) => r.url().includes(`from=${today}`) && r.url().includes(`to=${today}`))
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await answered
  await page.locator('.audit-table tbody tr').first().waitFor()
  const ofToday = listed.filter((e) => chinaDay(e.at * 1000) === today).length
  assert.equal(await page.locator('.audit-table tbody tr').count(), Math.min(ofToday, 50))
  const tomorrow = chinaDay(Date.parse(today + 'T00:00:00Z') + 86400000 - 8 * 3600 * 1000)
  await page.getByLabel('至（日期）').fill('')
  await page.getByLabel('从（日期）').fill(tomorrow)
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.locator('.audit-table .el-table__empty-text', { hasText: '没有审计记录' }).waitFor()
  // the last day before the first: said, and nothing listed
  await page.getByLabel('从（日期）').fill(today)
  await page.getByLabel('至（日期）').fill(chinaDay(Date.parse(today + 'T00:00:00Z') - 86400000 - 8 * 3600 * 1000))
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  await page.locator('.err[role=alert]', { hasText: '结束日期不能早于开始日期' }).waitFor()
  assert.equal(await page.locator('.audit-table tbody tr').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('admin: the system status and the user list, which can be filtered', async () => {
  await loginAs(page, srv.base, 'admin')
  await page.getByRole('link', { name: '用户管理' }).first().click()
  await page.locator('.el-table tbody tr').first().waitFor()
  // the status card: the registry's size, and a warning that no backup was taken yet
  const total = (await center.get('/children?limit=1')).body.total
  await page.locator('.sys-children', { hasText: String(total) }).waitFor()
  await page.locator('.sys-warn', { hasText: '尚未有备份记录' }).waitFor()
  await shot(page, 'admin-status-users-desktop')
  await page.getByLabel('按用户名、名称或地区单位筛选').fill('director2')
  await page.locator('.el-table tbody tr', { hasText: 'director2' }).waitFor()
  assert.equal(await page.locator('.el-table tbody tr').count(), 1)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('admin: creates an account, hands over the one-time password, gives a role, locks and unlocks', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/users' })
  await page.locator('.el-table tbody tr').first().waitFor()
  await page.locator('.new-user').click()
  const dlg = page.locator('.create-dialog')
  // nothing chosen: the dialog says what is missing and sends nothing
  await dlg.locator('.create-submit').click()
  await dlg.locator('.field-err', { hasText: '此项为必填项' }).first().waitFor()
  await dlg.getByLabel('用户名').fill('zhuren_new')
  await dlg.getByLabel('名称').fill('花园社区新任儿童主任')
  await dlg.getByLabel('角色').selectOption('director')
  await dlg.getByLabel('乡镇（街道）').selectOption('370831001')
  await dlg.getByLabel('村（社区）').selectOption('370831001001')
  await dlg.locator('.create-submit').click()
  const pw = page.locator('.password-dialog .one-time-password')
  await pw.waitFor()
  const password = (await pw.textContent()).trim()
  assert.ok(password.length >= 12, 'a generated password is shown')
  await shot(page, 'admin-new-account-password-desktop')
  await page.locator('.password-dialog .password-done').click()
  const row = page.locator('.el-table tbody tr', { hasText: 'zhuren_new' })
  await row.locator('.must-change', { hasText: '待修改密码' }).waitFor()
  await row.locator('.role-tag', { hasText: '儿童主任 · ' }).waitFor()

  // a second job: the station of another township
  await row.locator('.act-roles').click()
  const roles = page.locator('.roles-dialog')
  await roles.getByLabel('角色').selectOption('station')
  await roles.getByLabel('乡镇（街道）').selectOption('370831101')
  await roles.locator('.add-role').click()
  await roles.locator('.role-item').nth(1).waitFor()
  assert.equal(await roles.locator('.role-item').count(), 2)
  await roles.getByRole('button', { name: '关闭' }).last().click()
  await row.locator('.role-tag', { hasText: '乡镇工作站' }).waitFor()

  // locked: the account cannot log in; unlocked: it can
  await row.locator('.act-lock').click()
  await page.locator('.confirm-dialog .confirm-ok').click()
  await row.locator('.el-tag', { hasText: '已锁定' }).waitFor()
  const refused = await fetch(srv.base + '/api/v1/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'zhuren_new', password }),
  })
  assert.equal(refused.status, 401)
  assert.equal((await refused.json()).error.code, 'account_locked')
  await row.locator('.act-unlock').click()
  await page.locator('.confirm-dialog .confirm-ok').click()
  await row.locator('.el-tag', { hasText: '正常' }).waitFor()

  // the name changes, the user name stays
  await row.locator('.act-rename').click()
  await page.locator('.rename-dialog').getByLabel('名称').fill('花园社区儿童主任（新任）')
  await page.locator('.rename-dialog .rename-save').click()
  await row.locator('td', { hasText: '花园社区儿童主任（新任）' }).waitFor()

  // who still holds a handed-over password: this account alone, which is
  // no grid worker but does work at a station
  await page.getByLabel('按用户名、名称或地区单位筛选').fill('')
  await page.locator('#u-status').selectOption('must_change')
  await page.locator('.el-table tbody tr', { hasText: 'zhuren_new' }).waitFor()
  assert.equal(await page.locator('.el-table tbody tr').count(), 1)
  await page.locator('#u-role').selectOption('grid')
  await page.locator('.el-table__empty-text').waitFor()
  await page.locator('#u-role').selectOption('station')
  await page.locator('.el-table tbody tr', { hasText: 'zhuren_new' }).waitFor()
  await page.locator('#u-status').selectOption('')
  await page.locator('.el-table tbody tr', { hasText: 'zhuren_new' }).waitFor()
  assert.ok((await page.locator('.el-table tbody tr').count()) >= 14, 'every station account, the new one too')
  assert.deepEqual(unexpectedErrors(page), [])

  // the new director signs in with the one-time password and must change it first
  await resetSession(browser.context, srv.base, page)
  await uiLogin(page, srv.base, 'zhuren_new', password)
  await page.locator('.forced', { hasText: '首次登录或密码已重置，请先修改密码。' }).waitFor()
  await page.getByLabel('当前密码').fill(password)
  await page.getByLabel('新密码', { exact: true }).fill('Zhuren-Pass-2026')
  await page.getByLabel('再次输入新密码').fill('Zhuren-Pass-2026')
  await page.getByRole('button', { name: '修改密码' }).last().click()
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('admin: imports a list of accounts and downloads their one-time passwords once', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/users' })
  await page.locator('.el-table tbody tr').first().waitFor()
  await page.locator('.bulk-users').click()
  const dlg = page.locator('.bulk-dialog')
  const bad = '用户名,名称,角色,地点\nlist_a,甲,儿童主任,370831001001\nlist_b,乙,村长,370831001001\n'
  await page.setInputFiles('#bulk-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  await dlg.locator('.bulk-upload').click()
  await dlg.locator('.bulk-error', { hasText: '第 3 行：没有这个角色' }).waitFor()
  const good = '用户名,名称,角色,地点\nlist_a,花园社区儿童主任（三）,儿童主任,370831001001\nlist_b,民政局经办人（二）,职能部门,civil_affairs\n'
  await page.setInputFiles('#bulk-file', { name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
  await dlg.locator('.bulk-upload').click()
  await dlg.locator('.bulk-table tbody tr').nth(1).waitFor()
  const passwords = await dlg.locator('.bulk-pw').allTextContents()
  assert.equal(passwords.length, 2)
  const [file] = await Promise.all([page.waitForEvent('download'), dlg.locator('.bulk-download').click()])
  const lines = readFileSync(await file.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/)
  assert.equal(lines[0], '用户名,名称,角色,地点,一次性密码')
  assert.equal(lines[1], `list_a,花园社区儿童主任（三）,儿童主任,花园社区,${passwords[0]}`)
  assert.match(lines[2], /^list_b,民政局经办人（二）,职能部门,[^,]+,/)
  await dlg.getByRole('button', { name: '关闭' }).last().click()
  assert.equal(await page.locator('.bulk-pw').count(), 0, 'the passwords left the page')
  // the accounts are listed, waiting for their first login
  await page.getByLabel('按用户名、名称或地区单位筛选').fill('list_')
  await page.locator('.el-table tbody tr', { hasText: 'list_b' }).locator('.must-change').waitFor()
  const r = await fetch(srv.base + '/api/v1/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'list_a', password: passwords[0] }),
  })
  assert.equal(r.status, 200)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('admin: browses the area tree and imports the statistics bureau\'s list', async () => {
  await loginAs(page, srv.base, 'admin')
  await page.getByRole('link', { name: '地区管理' }).first().click()
  const rows = page.locator('.areas-table tbody tr')
  await rows.nth(12).waitFor()
  assert.equal(await rows.count(), 13, 'the 13 townships')
  await page.locator('.area-link', { hasText: '泉林镇' }).click()
  await page.locator('.trail-here', { hasText: '泉林镇' }).waitFor()
  await page.locator('.trail-link', { hasText: '泗水县' }).waitFor()
  const villages = await rows.count()
  assert.ok(villages > 5, `villages of 泉林镇: ${villages}`)
  const first = (await rows.first().locator('td').nth(0).textContent()).trim()

  // one village renamed, one added; a wrong row refuses the whole file
  const bad = 'code,name\n370831101391,试点新村\n370831101392,\n'
  await page.setInputFiles('#areas-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
  await page.locator('.list-upload').click()
  await page.locator('.import-error', { hasText: '第 3 行：名称为空。整个文件未导入。' }).waitFor()
  assert.equal(await rows.count(), villages)
  const good = `code,name\n${first},更名后的村\n370831101391,试点新村\n`
  await page.setInputFiles('#areas-file', { name: 'areas.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
  await page.locator('.list-upload').click()
  await page.locator('.import-result', { hasText: '新增 1 个，更名 1 个，未变 0 个' }).waitFor()
  await rows.nth(villages).waitFor()
  await page.locator('.area-link', { hasText: '更名后的村' }).waitFor()
  await page.locator('.area-link', { hasText: '试点新村' }).waitFor()
  await shot(page, 'admin-areas-desktop')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('admin: adds an organisation and renames a department', async () => {
  await loginAs(page, srv.base, 'admin')
  await page.getByRole('link', { name: '单位管理' }).first().click()
  const rows = page.locator('.units-table tbody tr')
  await rows.nth(10).waitFor()
  assert.equal(await rows.count(), 11, 'the departments of SPEC §1')
  await page.locator('.unit-kinds').getByText('社会组织').click()
  await page.locator('.units-table tbody tr', { hasText: '县慈善总会' }).waitFor()
  const orgs = await rows.count()

  await page.locator('.new-unit').click()
  const dlg = page.locator('.unit-dialog')
  await dlg.getByLabel('单位代码').fill('county_charity')
  await dlg.getByLabel('名称').fill('重复的代码')
  await dlg.locator('.unit-save').click()
  await dlg.locator('.field-err', { hasText: '同类单位中已有这个代码' }).waitFor()
  await dlg.getByLabel('单位代码').fill('red_cross')
  await dlg.getByLabel('名称').fill('县红十字会')
  await dlg.locator('.unit-save').click()
  await page.locator('.units-table tbody tr', { hasText: '县红十字会' }).waitFor()
  assert.equal(await rows.count(), orgs + 1)

  await page.locator('.unit-kinds').getByText('职能部门').click()
  const civil = page.locator('.units-table tbody tr', { hasText: 'civil_affairs' })
  await civil.locator('.act-edit').click()
  assert.equal(await dlg.getByLabel('单位代码').isDisabled(), true, 'the code stays')
  await dlg.getByLabel('名称').fill('泗水县民政局')
  await dlg.locator('.unit-save').click()
  await civil.locator('.unit-name', { hasText: '泗水县民政局' }).waitFor()

  // the schools come as a list
  const list = '类型,代码,名称,所在地区\n学校,school_a1,泗河街道实验小学,370831001\n学校,school_a2,泉林镇中心小学,370831101\n'
  await page.setInputFiles('#units-file', { name: 'schools.csv', mimeType: 'text/csv', buffer: Buffer.from(list) })
  await page.locator('.list-upload').click()
  await page.locator('.import-result', { hasText: '新增 2 个，更名 0 个，未变 0 个' }).waitFor()
  await page.locator('.unit-kinds').getByText('学校').click()
  await page.locator('.units-table tbody tr', { hasText: '泉林镇中心小学' }).waitFor()
  await page.locator('.unit-kinds').getByText('职能部门').click()
  await shot(page, 'admin-units-desktop')
  assert.deepEqual(unexpectedErrors(page, [409]), [])
})

test('main pages load without console errors (CSP included), in both languages', async () => {
  for (const [user, paths] of [
    ['center', ['/', '/registry', '/review', '/imports', '/reconcile', '/visits', '/password']],
    ['director', ['/', '/children', '/children/new', '/imports', '/visits']],
    ['auditor', ['/', '/audit']],
    ['admin', ['/', '/users', '/units', '/areas']],
  ]) {
    await resetSession(browser.context, srv.base, page)
    await loginAs(page, srv.base, user)
    for (const p of paths) {
      await page.goto(srv.base + p)
      await page.locator('main h1').first().waitFor()
      await settled(page)
    }
  }
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'Areas' }).waitFor()
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})
