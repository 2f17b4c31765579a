// The administrator's list of accounts keeps its place: the search, the
// status and role filters and the page are in the address, so that a
// reload (or a link to it) shows the same accounts on the same page, not
// the first page of all of them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, loginAs, settled, unexpectedErrors } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 900 }
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 10 })
  browser = await launch({ viewport: DESKTOP })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

const usernames = () => page.locator('.el-table tbody tr td:nth-child(2)').allTextContents()
const active = () => page.locator('.pager .el-pager li.is-active')

test('the accounts list: a reload keeps the search, the filters and the page', async () => {
  page = await openPage(browser.context, { viewport: DESKTOP })
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/users' })
  await page.locator('.el-table tbody tr').first().waitFor()
  await settled(page)
  // 55 child directors, imported as a list: two pages under the filters
  const csv = '用户名,名称,角色,地点\n' + Array.from({ length: 55 }, (_, i) => `keep_${String(i).padStart(2, '0')},儿童主任${i},儿童主任,370831001001\n`).join('')
  const dlg = page.locator('.bulk-dialog')
  await page.locator('.bulk-users').click()
  await page.setInputFiles('#bulk-file', { name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await dlg.locator('.bulk-upload').click()
  await dlg.locator('.bulk-table tbody tr, .bulk-error').first().waitFor({ timeout: 90000 })
  assert.equal(await dlg.locator('.bulk-error').count(), 0, await dlg.innerText())
  await Promise.all([page.waitForEvent('download'), dlg.locator('.bulk-download').click()])
  await dlg.locator('.bulk-close').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('#u-role').selectOption('director')
  await page.locator('#u-status').selectOption('must_change')
  await page.getByLabel('按用户名、名称或地区单位筛选').fill('keep_')
  await page.waitForURL((u) => u.searchParams.get('q') === 'keep_' && u.searchParams.get('role') === 'director' && u.searchParams.get('status') === 'must_change')
  await page.locator('.pager .el-pager li', { hasText: /^2$/ }).click()
  await page.waitForURL((u) => u.searchParams.get('page') === '2')
  const second = await usernames()
  assert.deepEqual(second.map((s) => s.trim()), Array.from({ length: 5 }, (_, i) => `keep_${50 + i}`))

  await page.reload()
  await page.locator('.el-table tbody tr').first().waitFor()
  await settled(page)
  assert.equal((await active().innerText()).trim(), '2', 'the same page')
  assert.deepEqual(await usernames(), second, 'the same accounts')
  assert.equal(await page.locator('#u-role').inputValue(), 'director')
  assert.equal(await page.locator('#u-status').inputValue(), 'must_change')
  assert.equal(await page.getByLabel('按用户名、名称或地区单位筛选').inputValue(), 'keep_')
  assert.equal(new URL(page.url()).searchParams.get('page'), '2')

  // a new search starts at its first page
  await page.getByLabel('按用户名、名称或地区单位筛选').fill('keep_5')
  await page.waitForURL((u) => u.searchParams.get('q') === 'keep_5' && !u.searchParams.has('page'))
  assert.deepEqual((await usernames()).map((s) => s.trim()), Array.from({ length: 5 }, (_, i) => `keep_${50 + i}`))
  assert.deepEqual(unexpectedErrors(page), [])
})
