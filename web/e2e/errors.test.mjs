// The server's refusals in the user's words (web/src/lib/errors.js): a
// login page hit by too many attempts from one address says to wait, in
// Chinese and in English — not the server's English developer message
// behind "操作失败：".
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, settled, unexpectedErrors } from './helpers.mjs'

let srv, browser, page

before(async () => {
  // two attempts a minute per address: the third is refused (429)
  srv = await startServer({ children: 10, args: ['--login-rate', '2'] })
  browser = await launch({ viewport: { width: 390, height: 800 } })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

async function attempt() {
  await page.locator('input[name=username]').fill('nobody-here')
  await page.locator('input[name=password]').fill('whatever-1')
  await page.locator('.login-submit').click()
  await page.getByRole('alert').first().waitFor()
  await settled(page)
  return ((await page.getByRole('alert').first().textContent()) || '').trim()
}

test('too many login attempts: the login page says to wait a minute, in Chinese and English', async () => {
  page = await openPage(browser.context)
  await page.goto(srv.base + '/login')
  assert.equal(await attempt(), '用户名或密码错误')
  assert.equal(await attempt(), '用户名或密码错误')
  const zh = await attempt()
  assert.equal(zh, '本机登录尝试次数过多，请一分钟后再试')
  assert.doesNotMatch(zh, /操作失败|too many/)

  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  await page.reload()
  await page.locator('.login-submit').waitFor()
  assert.equal(await attempt(), 'Too many login attempts from this computer; wait a minute and try again')
  await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  assert.deepEqual(unexpectedErrors(page, [401, 429]), [])
})
