// Forms built into pages do not lose typed work unasked: the loop's
// deadlines (/settings/loop), the visit frequencies (/visits), the
// archive's periods (/archive), the password page, the import of a list
// of children and of the area and unit lists, and the accounts-list
// dialog (a chosen file not yet imported, then the one-time passwords
// made from it until downloaded or copied; a single account's one-time
// password too). Leaving such a page with
// unsaved changes — a menu link, the logo, the browser's back, signing
// out — asks 放弃未保存的内容？ first: "keep
// editing" stays with the text, "discard" leaves; an untouched form and a
// saved one leave without asking.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, loginAs, apiSession, settled, unexpectedErrors, openNav, text, makeIdNumber, PASSWORD, nextPage } from './helpers.mjs'

const DESK = { width: 1280, height: 900 }
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 60 })
  browser = await launch({ viewport: DESK, motion: true })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESK })
})

const confirmBox = () => page.locator('.dirty-confirm')
const path = () => new URL(page.url()).pathname
// the question appears; "keep editing" closes it and the page stays
async function keepEditing(where) {
  await confirmBox().waitFor()
  assert.match(await confirmBox().innerText(), /放弃未保存的内容？/)
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
  await page.waitForTimeout(300)
  assert.equal(path(), where, 'keeping on editing left the page')
}
async function discard() {
  await confirmBox().waitFor()
  await confirmBox().getByRole('button', { name: '放弃' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
}
// leaves by a menu link and checks that nothing asked
async function leavesUnasked(name, to) {
  await openNav(page, name)
  await page.waitForURL((u) => u.pathname === to)
  assert.equal(await confirmBox().count(), 0, `leaving for ${to} asked`)
}

test('the loop settings: leaving with a changed value asks; keep editing keeps it; discard leaves and drops it; saved, it leaves unasked', async () => {
  const center = await apiSession(srv.base, 'center')
  const repeat0 = (await center.get('/loop/config')).body.alert_repeat_hours
  await loginAs(page, srv.base, 'center', { path: '/login?next=/settings/loop' })
  await page.locator('.dl-table').waitFor()
  await settled(page)
  // untouched: a menu link leaves without asking
  await leavesUnasked('求助看板', '/board')
  await page.locator('.loop-settings-link').click()
  await page.locator('.dl-table').waitFor()
  await settled(page)

  await page.locator('#ls-repeat').fill('12')
  await openNav(page, '求助看板')
  await keepEditing('/settings/loop')
  assert.equal(await page.locator('#ls-repeat').inputValue(), '12')
  assert.equal(await text(page.locator('.ls-state')), '有未保存的修改')
  // the browser's back asks too; discard leaves
  await page.evaluate(() => history.back())
  await discard()
  await page.waitForURL((u) => u.pathname === '/board')
  // what was given up does not come back
  await page.goto(srv.base + '/settings/loop')
  await page.locator('.dl-table').waitFor()
  await settled(page)
  assert.equal(await page.locator('#ls-repeat').inputValue(), String(repeat0))
  assert.equal(await text(page.locator('.ls-state')), '')
  assert.equal((await center.get('/loop/config')).body.alert_repeat_hours, repeat0, 'nothing saved')

  // saved: leaving asks nothing
  await page.locator('#ls-repeat').fill('12')
  await page.locator('.ls-save').click()
  await page.locator('.el-message--success', { hasText: '期限与节假日已保存' }).waitFor()
  await settled(page)
  await leavesUnasked('求助看板', '/board')
  assert.equal((await center.get('/loop/config')).body.alert_repeat_hours, 12)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the visit and archive settings: a menu link, signing out and back ask with unsaved changes; saved, they leave unasked', async () => {
  await loginAs(page, srv.base, 'center', { path: '/login?next=/visits' })
  const settings = page.locator('.visit-config')
  await settings.locator('summary', { hasText: '走访频次设置' }).click()
  await page.waitForFunction(() => document.querySelector('.visit-config input[name="risk.high"]')?.value === '14')
  await settled(page)
  await settings.getByLabel('高风险').fill('10')
  await openNav(page, '求助看板')
  await keepEditing('/visits')
  assert.equal(await settings.getByLabel('高风险').inputValue(), '10')
  // signing out asks too: keep editing stays signed in
  await page.getByRole('button', { name: '菜单' }).click()
  await page.locator('#user-menu').getByRole('button', { name: '退出登录' }).click()
  await keepEditing('/visits')
  assert.equal(await page.evaluate(() => fetch('/api/v1/me').then(async (r) => (await r.text(), r.status))), 200, 'signed out though kept editing')
  assert.equal(await settings.getByLabel('高风险').inputValue(), '10')
  // saved: the same link leaves unasked
  await settings.getByRole('button', { name: '保存' }).click()
  await page.locator('.el-message', { hasText: '走访频次已保存' }).waitFor()
  await settled(page)
  await leavesUnasked('求助看板', '/board')

  // the archive's periods, from the home page: back asks; discard leaves
  await page.locator('.brand').click()
  await page.locator('.home-archive').click()
  await page.waitForURL((u) => u.pathname === '/archive')
  const cfg = page.locator('.archive-config')
  await cfg.locator('.ac-now').waitFor()
  await cfg.locator('summary').click()
  await settled(page)
  await cfg.getByLabel('满18周岁后保留天数').fill('120')
  await page.evaluate(() => history.back())
  await keepEditing('/archive')
  assert.equal(await cfg.getByLabel('满18周岁后保留天数').inputValue(), '120')
  await page.evaluate(() => history.back())
  await discard()
  await page.waitForURL((u) => u.pathname === '/')
  await page.goto(srv.base + '/archive')
  await cfg.locator('.ac-now').waitFor()
  await cfg.locator('summary').click()
  await cfg.getByLabel('满18周岁后保留天数').fill('120')
  await cfg.locator('.ac-save').click()
  await page.locator('.el-message', { hasText: '保存期限已更新' }).waitFor()
  await settled(page)
  await leavesUnasked('求助看板', '/board')

  // signing out with unsaved changes, answered "discard": signed out
  await page.goto(srv.base + '/visits')
  await settings.locator('summary').click()
  await page.waitForFunction(() => document.querySelector('.visit-config input[name="risk.high"]')?.value === '10')
  await settled(page)
  await settings.getByLabel('高风险').fill('9')
  await page.getByRole('button', { name: '菜单' }).click()
  await page.locator('#user-menu').getByRole('button', { name: '退出登录' }).click()
  await discard()
  await page.waitForURL(/\/login/)
  await page.locator('.el-alert', { hasText: '您已安全退出' }).waitFor()
  const center = await apiSession(srv.base, 'center')
  assert.equal((await center.get('/visits/config')).body.risk.high, 10)
  assert.deepEqual(unexpectedErrors(page, [401]), [])
})

test('the password page: a typed password asks before the logo leaves; changed, it goes on unasked', async () => {
  await loginAs(page, srv.base, 'supervisor')
  await page.goto(srv.base + '/password')
  const old = page.getByLabel('当前密码')
  await old.waitFor()
  await settled(page)
  // untouched: the logo leaves unasked
  await page.locator('.brand').click()
  await page.waitForURL((u) => u.pathname === '/')
  assert.equal(await confirmBox().count(), 0)
  await page.goto(srv.base + '/password')
  await old.fill(PASSWORD)
  await page.locator('.brand').click()
  await keepEditing('/password')
  assert.equal(await old.inputValue(), PASSWORD)
  await page.locator('.brand').click()
  await discard()
  await page.waitForURL((u) => u.pathname === '/')

  await page.goto(srv.base + '/password')
  await old.fill(PASSWORD)
  await page.getByLabel('新密码', { exact: true }).fill('Another-Pass-2027')
  await page.getByLabel('再次输入新密码').fill('Another-Pass-2027')
  await page.getByRole('button', { name: '修改密码' }).click()
  await page.waitForURL((u) => u.pathname === '/')
  assert.equal(await confirmBox().count(), 0, 'the saved password asked before going on')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the import page: a chosen file not yet imported asks before a menu link leaves; imported, it leaves unasked', async () => {
  const csv = `姓名,身份证号,村（社区）代码\r\n离开甲,${makeIdNumber('370831', '20150304', 517)},370831001001\r\n`
  await loginAs(page, srv.base, 'director', { path: '/login?next=/imports' })
  await page.locator('.import-form').waitFor()
  await settled(page)
  await page.setInputFiles('#import-file', { name: 'leave.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('.col-item').first().waitFor()
  await openNav(page, '首页')
  await keepEditing('/imports')
  assert.equal(await page.locator('.col-item').count(), 3, 'the chosen file is still there')
  assert.equal(await page.locator('.import-start').isDisabled(), false)
  await page.locator('.import-start').click()
  await page.locator('.import-status', { hasText: '已完成' }).waitFor()
  assert.equal(await text(page.locator('.c-created')), '1')
  await settled(page)
  await leavesUnasked('首页', '/')
  // chosen again and given up: discard leaves
  await page.goto(srv.base + '/imports')
  await page.locator('.import-form').waitFor()
  await page.setInputFiles('#import-file', { name: 'leave.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('.col-item').first().waitFor()
  await page.locator('.brand').click()
  await discard()
  await page.waitForURL((u) => u.pathname === '/')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the area and unit lists: a chosen file not yet imported asks before leaving; imported, it leaves unasked', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/areas' })
  await page.locator('.areas-table tbody tr').first().waitFor()
  await settled(page)
  // untouched: a menu link leaves unasked
  await leavesUnasked('单位管理', '/units')
  await openNav(page, '地区管理')
  await page.locator('.areas-table tbody tr').first().waitFor()
  await settled(page)
  const csv = 'code,name\n370831101393,离开试点村\n'
  await page.setInputFiles('#areas-file', { name: 'areas-leave.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.locator('.import-card .file-info', { hasText: 'areas-leave.csv' }).waitFor()
  await openNav(page, '单位管理')
  await keepEditing('/areas')
  assert.equal(await text(page.locator('.import-card .file-info')), 'areas-leave.csv', 'the chosen file is still there')
  // imported: the file is done with, leaving asks nothing
  await page.locator('.list-upload').click()
  await page.locator('.import-result', { hasText: '新增 1 个' }).waitFor()
  await settled(page)
  await leavesUnasked('单位管理', '/units')

  // the units: the browser's back asks; discard leaves and imports nothing
  await page.locator('.units-table tbody tr').first().waitFor()
  await settled(page)
  const units = await page.locator('.units-table tbody tr').count()
  await page.setInputFiles('#units-file', { name: 'units-leave.csv', mimeType: 'text/csv', buffer: Buffer.from('name,kind\n离开试点单位,org\n') })
  await page.locator('.import-card .file-info', { hasText: 'units-leave.csv' }).waitFor()
  await page.evaluate(() => history.back())
  await keepEditing('/units')
  await page.evaluate(() => history.back())
  await discard()
  await page.waitForURL((u) => u.pathname === '/areas')
  await page.goto(srv.base + '/units')
  await page.locator('.units-table tbody tr').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('.units-table tbody tr').count(), units, 'nothing imported')
  assert.equal(await page.locator('.units-table tbody tr', { hasText: '离开试点单位' }).count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the accounts list dialog: a chosen file asks before ✕, Esc or Close throw it away; untouched, it closes unasked', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/users' })
  await page.locator('.el-table tbody tr').first().waitFor()
  await settled(page)
  const dlg = page.locator('.bulk-dialog')
  // untouched: Close closes unasked
  await page.locator('.bulk-users').click()
  await dlg.waitFor()
  await settled(page)
  await dlg.getByRole('button', { name: '关闭' }).last().click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await confirmBox().count(), 0, 'the untouched dialog asked')

  await page.locator('.bulk-users').click()
  await dlg.waitFor()
  await settled(page)
  const csv = '用户名,名称,角色,地点\nleave_a,离开测试儿童主任,儿童主任,370831001001\n'
  await page.setInputFiles('#bulk-file', { name: 'accounts-leave.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await dlg.locator('.file-info', { hasText: 'accounts-leave.csv' }).waitFor()
  // ✕ asks; keep editing keeps the dialog and the file
  await dlg.locator('.el-dialog__headerbtn').click()
  await keepEditing('/users')
  assert.equal(await dlg.isVisible(), true, 'the dialog closed though kept')
  assert.equal(await text(dlg.locator('.file-info')), 'accounts-leave.csv')
  // Esc asks too
  await page.keyboard.press('Escape')
  await keepEditing('/users')
  assert.equal(await dlg.isVisible(), true)
  // Close asks; discard closes and creates nothing
  await dlg.getByRole('button', { name: '关闭' }).last().click()
  await discard()
  await dlg.waitFor({ state: 'hidden' })
  const admin = await apiSession(srv.base, 'admin')
  assert.equal((await admin.get('/users')).body.items.filter((u) => u.username === 'leave_a').length, 0, 'nothing created')
  // opened again: no file, closes unasked
  await page.locator('.bulk-users').click()
  await dlg.waitFor()
  await settled(page)
  assert.equal(await text(dlg.locator('.file-info')), '未选择文件')
  await dlg.getByRole('button', { name: '关闭' }).last().click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await confirmBox().count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

// the question about one-time passwords; stay keeps them on screen
const pwBox = () => page.locator('.passwords-confirm')
async function staysWithPasswords(dlg, title) {
  await pwBox().waitFor()
  assert.match(await pwBox().innerText(), title)
  assert.match(await pwBox().innerText(), /只显示这一次/)
  await pwBox().getByRole('button', { name: '返回保存' }).click()
  await pwBox().waitFor({ state: 'hidden' })
  await page.waitForTimeout(300)
  assert.equal(await dlg.isVisible(), true, 'the passwords left though kept')
}

test('the accounts list dialog: the passwords made ask before ✕, Esc, Close or Back lose them; downloaded or copied, Close closes unasked', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/units' })
  await page.locator('.units-table tbody tr').first().waitFor()
  await openNav(page, '用户管理')
  await page.waitForURL((u) => u.pathname === '/users')
  await page.locator('.el-table tbody tr').first().waitFor()
  await settled(page)
  const dlg = page.locator('.bulk-dialog')
  const made = async (names) => {
    await page.locator('.bulk-users').click()
    await dlg.waitFor()
    await settled(page)
    const csv = '用户名,名称,角色,地点\n' + names.map((n) => `${n},${n}儿童主任,儿童主任,370831001001\n`).join('')
    await page.setInputFiles('#bulk-file', { name: 'accounts-once.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await dlg.locator('.bulk-upload').click()
    await dlg.locator('.bulk-table tbody tr').nth(names.length - 1).waitFor()
    return dlg.locator('.bulk-pw').allTextContents()
  }
  const passwords = await made(['once_a', 'once_b'])
  // ✕, Esc, Close and the browser's back each ask; "go back" keeps the passwords
  await dlg.locator('.el-dialog__headerbtn').click()
  await staysWithPasswords(dlg, /密码还没有保存/)
  await page.keyboard.press('Escape')
  await staysWithPasswords(dlg, /密码还没有保存/)
  await dlg.locator('.bulk-close').click()
  await staysWithPasswords(dlg, /密码还没有保存/)
  await page.evaluate(() => history.back())
  await staysWithPasswords(dlg, /密码还没有保存/)
  assert.equal(path(), '/users')
  assert.deepEqual(await dlg.locator('.bulk-pw').allTextContents(), passwords, 'the same passwords still shown')
  assert.equal(await confirmBox().count(), 0, 'not the unsaved-form question')
  // downloaded: Close closes unasked
  await Promise.all([page.waitForEvent('download'), dlg.locator('.bulk-download').click()])
  await dlg.locator('.bulk-close').click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await pwBox().count(), 0, 'asked after the download')

  // copied: ✕ closes unasked
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base })
  await made(['once_c'])
  await dlg.locator('.bulk-copy').click()
  await page.locator('.el-message', { hasText: '已复制到剪贴板' }).waitFor()
  const copied = await page.evaluate(() => navigator.clipboard.readText())
  assert.match(copied, /^用户名\t名称\t角色\t地点\t一次性密码\nonce_c\tonce_c儿童主任\t儿童主任\t/)
  await dlg.locator('.el-dialog__headerbtn').click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await pwBox().count(), 0, 'asked after the copy')

  // not saved, closed anyway: the passwords are gone
  await made(['once_d'])
  await dlg.locator('.bulk-close').click()
  await pwBox().waitFor()
  await pwBox().getByRole('button', { name: '仍然关闭' }).click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await page.locator('.bulk-pw').count(), 0, 'the passwords left the page')
  assert.deepEqual(unexpectedErrors(page), [])
})

test("an account's new one-time password: ✕, Esc and Back ask while it is not copied; 已记下，关闭 closes unasked", async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/units' })
  await page.locator('.units-table tbody tr').first().waitFor()
  await openNav(page, '用户管理')
  await page.waitForURL((u) => u.pathname === '/users')
  await page.locator('.el-table tbody tr').first().waitFor()
  await settled(page)
  const dlg = page.locator('.password-dialog')
  const resetOne = async () => {
    await page.locator('.el-table tbody tr .act-reset').first().click()
    await page.locator('.confirm-dialog .confirm-ok').click()
    await dlg.locator('.one-time-password').waitFor()
    return text(dlg.locator('.one-time-password'))
  }
  const pw = await resetOne()
  await dlg.locator('.el-dialog__headerbtn').click()
  await staysWithPasswords(dlg, /密码还没有保存/)
  await page.keyboard.press('Escape')
  await staysWithPasswords(dlg, /密码还没有保存/)
  await page.evaluate(() => history.back())
  await staysWithPasswords(dlg, /密码还没有保存/)
  assert.equal(path(), '/users')
  assert.equal(await text(dlg.locator('.one-time-password')), pw)
  // ✕ and then close anyway
  await dlg.locator('.el-dialog__headerbtn').click()
  await pwBox().waitFor()
  await pwBox().getByRole('button', { name: '仍然关闭' }).click()
  await dlg.waitFor({ state: 'hidden' })
  // 已记下，关闭 is the answer itself
  await resetOne()
  await dlg.locator('.password-done').click()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await pwBox().count(), 0)
  // copied: Esc closes unasked
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base })
  await resetOne()
  await dlg.locator('.password-copy').click()
  await page.locator('.el-message', { hasText: '已复制到剪贴板' }).waitFor()
  await page.keyboard.press('Escape')
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(await pwBox().count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})
