// Counts and months as people read them (web/src/lib/format.js): a count
// of a thousand or more has its thousands grouped by commas in both
// languages (the registry's total, the system status, the report's table);
// a month reads "2026 年 12 月" in Chinese and "December 2026" in English,
// the same on the report and its caption, the trends and the monthly ledger.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, loginAs, apiSession, settled, unexpectedErrors, text, chinaMonth, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 900 }
let srv, browser, page, center, total

const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

before(async () => {
  srv = await startServer({ children: 1100 })
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
  total = (await center.get('/children?limit=1')).body.total
  assert.ok(total >= 1000, `a count of thousands: ${total}`)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('the registry and the system status group thousands, in Chinese and English', async () => {
  await loginAs(page, srv.base, 'center', { path: '/login?next=/registry' })
  await page.locator('.reg-total', { hasText: `共 ${grouped(total)} 条记录` }).waitFor()
  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  await page.reload()
  await page.locator('.reg-total', { hasText: `${grouped(total)} records` }).waitFor()
  await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/users' })
  assert.equal(await text(page.locator('.sys-children')), grouped(total))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the report: one form of the month, a caption without 月月度, counts grouped', async () => {
  const m = chinaMonth()
  const [y, mm] = [Number(m.slice(0, 4)), Number(m.slice(5, 7))]
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reports' })
  await page.locator('.rp-table').waitFor()
  await settled(page)
  assert.match(await text(page.locator('.rp-month')), new RegExp(`(^|· )${y} 年 ${mm} 月$`))
  const caption = await text(page.locator('.rp-table caption'))
  assert.match(caption, new RegExp(`${y} 年 ${mm} 月工作月报$`))
  assert.doesNotMatch(caption, /月月度/)
  const report = (await center.get('/reports/monthly')).body
  const children = report.totals.children.total
  const cell = await text(page.locator('.rp-total [data-figure="children.total"]'))
  assert.equal(cell, grouped(children))

  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  await page.reload()
  await page.locator('.rp-table').waitFor()
  await settled(page)
  assert.match(await text(page.locator('.rp-month')), new RegExp(`(^|· )${NAMES[mm - 1]} ${y}$`))
  assert.match(await text(page.locator('.rp-table caption')), new RegExp(`${NAMES[mm - 1]} ${y}$`))
  await page.goto(srv.base + '/entitlements/ledger')
  await page.locator('.lg-month').waitFor()
  assert.match(await text(page.locator('.lg-month')), new RegExp(`${NAMES[mm - 1]} ${y}$`))
  await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  assert.deepEqual(unexpectedErrors(page), [])
})
