// Signing in and out: error messages for a wrong password and a locked
// account, the session-expiry round trip (login?next= and back), logout,
// the password change page, and the language switch that is remembered.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, resetSession, uiLogin, loginAs, unexpectedErrors, PASSWORD, settled, apiSession, nextPage } from './helpers.mjs'

let srv, browser, page

before(async () => {
  srv = await startServer({ children: 50 })
  browser = await launch({ viewport: { width: 390, height: 800 } })
  // the demo's children are spread at random: make sure the director has one
  const api = await apiSession(srv.base, 'director')
  const r = await api.post('/children', { name: '会话测试', sex: 'F', birth_date: '2015-05-05', village_code: '370831001001' })
  assert.equal(r.status, 201)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page)
})

const alertText = () => page.getByRole('alert').first().textContent()

test('a wrong password says so in Chinese', async () => {
  await uiLogin(page, srv.base, 'committee', 'not-the-password')
  await page.getByRole('alert').waitFor()
  assert.equal((await alertText()).trim(), '用户名或密码错误')
  assert.match(page.url(), /\/login/)
  // an unknown user gets the same message
  await page.locator('input[name=username]').fill('nobody-here')
  await page.locator('input[name=password]').fill('whatever-1')
  await page.locator('.login-submit').click()
  await page.waitForTimeout(300)
  assert.equal((await alertText()).trim(), '用户名或密码错误')
  assert.deepEqual(unexpectedErrors(page, [401]), [])
})

test('five wrong passwords lock the account, and the page says so', async () => {
  await page.goto(srv.base + '/login')
  for (let i = 1; i <= 5; i++) {
    await page.locator('input[name=username]').fill('org')
    await page.locator('input[name=password]').fill('wrong-password-' + i)
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/login'))
    await page.locator('.login-submit').click()
    await answered
    await page.getByRole('alert').waitFor()
    const text = (await alertText()).trim()
    if (i < 5) assert.equal(text, '用户名或密码错误', `attempt ${i}`)
    else assert.equal(text, '账户已锁定，请联系管理员解锁')
  }
  // even the right password is refused now, with the same clear message
  await page.locator('input[name=password]').fill(PASSWORD)
  await page.locator('.login-submit').click()
  await page.waitForTimeout(300)
  assert.equal((await alertText()).trim(), '账户已锁定，请联系管理员解锁')
  assert.match(page.url(), /\/login/)
  assert.deepEqual(unexpectedErrors(page, [401]), [])
})

test('an expired session goes to the login page and comes back after login', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children', form: true })
  await page.locator('.child-card').first().waitFor()
  const href = await page.locator('.child-card').first().getAttribute('href')
  await settled(page)
  await browser.context.clearCookies() // the server no longer knows this browser
  await page.locator('.child-card').first().click()
  await page.waitForURL(/\/login\?/)
  const u = new URL(page.url())
  assert.equal(u.searchParams.get('next'), href)
  await page.locator('.el-alert', { hasText: '会话已过期，请重新登录' }).waitFor()
  await page.locator('input[name=username]').fill('director')
  await page.locator('input[name=password]').fill(PASSWORD)
  await page.locator('.login-submit').click()
  await page.waitForURL((x) => x.pathname === href)
  await page.locator('.facts').waitFor()
  assert.deepEqual(unexpectedErrors(page, [401]), [])
})

test('a page opened without a session asks to log in first, then opens', async () => {
  await page.goto(srv.base + '/children/new')
  await page.waitForURL(/\/login\?/)
  assert.equal(new URL(page.url()).searchParams.get('next'), '/children/new')
  await loginAs(page, srv.base, 'director', { path: '/login?next=%2Fchildren%2Fnew', form: true })
  assert.equal(new URL(page.url()).pathname, '/children/new')
  await page.getByLabel('姓名').waitFor()
  await settled(page) // the form's look-ups are done before the cookie goes
  // an outside address is never a destination
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director', { path: '/login?next=//evil.example/x', form: true })
  assert.equal(new URL(page.url()).origin, srv.base)
  assert.equal(new URL(page.url()).pathname, '/')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('logout ends the session', async () => {
  await loginAs(page, srv.base, 'director', { form: true })
  await page.getByRole('button', { name: '菜单' }).click()
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.waitForURL(/\/login/)
  await page.locator('.el-alert', { hasText: '您已安全退出' }).waitFor()
  const r = await page.evaluate(() => fetch('/api/v1/me').then((x) => x.status))
  assert.equal(r, 401)
  await page.goto(srv.base + '/children')
  await page.waitForURL(/\/login/)
  assert.deepEqual(unexpectedErrors(page, [401]), [])
})

test('change password: wrong current password and weak new password are shown on the field', async () => {
  await loginAs(page, srv.base, 'supervisor', { form: true })
  await page.goto(srv.base + '/password')
  await page.getByLabel('当前密码').fill('wrong-old-password')
  await page.getByLabel('新密码', { exact: true }).fill('Another-Pass-2027')
  await page.getByLabel('再次输入新密码').fill('Another-Pass-2027')
  await page.getByRole('button', { name: '修改密码' }).click()
  await page.locator('.el-form-item__error', { hasText: '当前密码错误' }).waitFor()
  await page.getByLabel('当前密码').fill(PASSWORD)
  await page.getByLabel('新密码', { exact: true }).fill('alllowercaseletters')
  await page.getByLabel('再次输入新密码').fill('alllowercaseletters')
  await page.getByRole('button', { name: '修改密码' }).click()
  await page.locator('.el-form-item__error', { hasText: '密码须包含小写字母、大写字母、数字、符号中的至少三类' }).waitFor()
  await page.getByLabel('新密码', { exact: true }).fill('Another-Pass-2027')
  await page.getByLabel('再次输入新密码').fill('Another-Pass-2027')
  await page.getByRole('button', { name: '修改密码' }).click()
  await page.waitForURL((u) => u.pathname === '/')
  await page.locator('main h1').first().waitFor()
  // the new password works
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'supervisor', { password: 'Another-Pass-2027', form: true })
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('switching to English changes the labels and is remembered', async () => {
  await page.goto(srv.base + '/login')
  await page.locator('.login-submit', { hasText: '登录' }).waitFor()
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN')
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('.login-submit', { hasText: 'Log in' }).waitFor()
  assert.ok(await page.getByLabel('User name').isVisible())
  assert.ok(await page.getByLabel('Password', { exact: true }).isVisible())
  assert.equal(await page.locator('html').getAttribute('lang'), 'en')
  await page.reload()
  await page.locator('.login-submit', { hasText: 'Log in' }).waitFor()
  // errors and the pages after login follow the choice
  await uiLogin(page, srv.base, 'committee', 'not-the-password')
  await page.getByRole('alert').waitFor()
  assert.equal((await alertText()).trim(), 'Wrong user name or password')
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children', form: true })
  await page.locator('main h1', { hasText: 'My children' }).waitFor()
  await page.getByRole('button', { name: 'Search' }).waitFor()
  assert.match(await page.title(), /My children · Weibao/)
  // and back
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '我的儿童' }).waitFor()
  await page.reload()
  await page.locator('main h1', { hasText: '我的儿童' }).waitFor()
  assert.deepEqual(unexpectedErrors(page, [401]), [])
})

test('roles see only the pages the server supports for them', async () => {
  // the committee oversees the county (the overview with its monthly
  // report and trends, the talks, the schools, the charity projects, the
  // supporting programmes, the policies
  // read-only) and watches the request board: no invented menu entries;
  // the overview is its first home card
  await loginAs(page, srv.base, 'committee', { form: true })
  await page.locator('main h1').waitFor()
  assert.deepEqual(await page.locator('.nav-inline .nav-link').allTextContents(), ['首页', '全县概览', '求助看板', '宣讲活动', '学校', '公益项目', '帮扶项目', '政策'])
  await page.locator('.home-card', { hasText: '求助看板' }).waitFor()
  assert.equal((await page.locator('.home-grid > .home-card h2').first().textContent()).trim(), '全县概览')
  // its schools and supporting programmes cards; caring mothers are not the committee's
  await page.locator('.home-card.programmes-card').waitFor()
  const cards = (await page.locator('.home-grid > .home-card h2').allTextContents()).map((s) => s.trim())
  assert.deepEqual(cards.filter((c) => ['学校', '爱心妈妈', '帮扶项目'].includes(c)), ['学校', '帮扶项目'])
  await settled(page)
  // a page outside the role leads home
  await page.goto(srv.base + '/registry')
  await page.waitForURL((u) => u.pathname === '/')
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'department', { form: true })
  assert.deepEqual(await page.locator('.nav-inline .nav-link').allTextContents(), ['首页', '我的转办', '政策'])
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'center', { form: true })
  assert.deepEqual(await page.locator('.nav-inline .nav-link').allTextContents(), ['首页', '全县概览', '求助看板', '儿童台账', '类别审核', '走访计划', '宣讲活动', '学校', '爱心妈妈', '应享尽享', '公益项目', '帮扶项目', '期限与节假日', '批量导入', '名单比对', '消息推送'])
  // a director imports lists but neither reviews categories nor reconciles
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'director', { form: true })
  assert.deepEqual(await page.locator('.nav-inline .nav-link').allTextContents(), ['首页', '我的儿童', '我的求助', '走访计划', '宣讲活动', '爱心妈妈', '应享尽享', '批量导入'])
  await page.goto(srv.base + '/review')
  await page.waitForURL((u) => u.pathname === '/')
  assert.deepEqual(unexpectedErrors(page), [])
})
