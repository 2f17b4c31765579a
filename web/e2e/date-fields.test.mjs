// Dates are written the app's way, in the app's language, whatever the
// browser's own language: in a browser set to US English, the audit log's
// day filters read 2026-11-03 (not 11/03/2026), their calendar speaks
// Chinese while the app does and English once it is switched, days after
// the bound cannot be picked, and the search asks the server for the days
// chosen.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, loginAs, settled, unexpectedErrors, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 900 }
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 10 })
  browser = await launch({ viewport: DESKTOP, locale: 'en-US' })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

const panel = () => page.locator('.el-picker-panel:visible')

test("the audit log's day filters: YYYY-MM-DD and a calendar in the app's language, not the browser's", async () => {
  page = await openPage(browser.context, { viewport: DESKTOP })
  await loginAs(page, srv.base, 'auditor', { path: '/login?next=/audit' })
  await page.locator('.audit-table tbody tr').first().waitFor()
  await settled(page)
  const from = page.locator('#a-from')
  const to = page.locator('#a-to')
  // a text box of the app's, not the browser's date control
  assert.notEqual(await from.getAttribute('type'), 'date')
  assert.equal(await page.getByLabel('从（日期）').getAttribute('id'), 'a-from')

  // typed the app's way: it stays written so
  await from.fill('2026-11-03')
  await from.press('Enter')
  await page.keyboard.press('Escape')
  assert.equal(await from.inputValue(), '2026-11-03')

  // the calendar in Chinese while the app is in Chinese
  await to.click()
  await panel().waitFor()
  const head = await panel().locator('.el-date-picker__header').innerText()
  const [, y, m] = head.match(/(\d{4})\s*年\s*(\d{1,2})\s*月/) || []
  assert.ok(y && m, head)
  assert.doesNotMatch(head, /[A-Za-z]/)
  assert.match(await panel().locator('.el-date-table th').first().innerText(), /^[日一二三四五六]$/)
  // a day picked from it is written YYYY-MM-DD
  await panel().locator('.el-date-table td.available', { hasText: /^\s*20\s*$/ }).first().click()
  await panel().waitFor({ state: 'hidden' })
  const day = `${y}-${m.padStart(2, '0')}-20`
  assert.equal(await to.inputValue(), day)

  // the search asks for the days chosen
  const [req] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/api/v1/audit?') && r.url().includes('from=')),
    page.getByRole('button', { name: '搜索', exact: true }).click(),
  ])
  const u = new URL(req.url())
  assert.equal(u.searchParams.get('from'), '2026-11-03')
  assert.equal(u.searchParams.get('to'), day)

  // switched to English: the same dates, the calendar in English
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByLabel('From (day)').waitFor()
  assert.equal(await from.inputValue(), '2026-11-03')
  await from.click()
  await panel().waitFor()
  const en = await panel().locator('.el-date-picker__header').innerText()
  assert.match(en, /November/, en)
  assert.doesNotMatch(en, /年|月/)
  await page.keyboard.press('Escape')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the date and month fields of the centre\'s pages: none native, each written YYYY-MM(-DD)', async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
  await loginAs(page, srv.base, 'center')
  await settled(page)
  const NATIVE = 'input[type=date], input[type=month], input[type=week], input[type=time], input[type=datetime-local]'
  for (const [path, field, form] of [
    ['/children/new', 'input[name=birth_date]', /^$/],
    ['/reports', '#rp-month', /^\d{4}-\d{2}$/],
    ['/entitlements/ledger', '#lg-month', /^\d{4}-\d{2}$/],
    ['/visits/scorecard', '#sc-from', /^\d{4}-\d{2}-\d{2}$/],
    ['/reports/timeliness', '#tl-from', /^\d{4}-\d{2}-\d{2}$/],
  ]) {
    await page.goto(srv.base + path)
    await page.locator(field).waitFor()
    await settled(page)
    assert.equal(await page.locator(NATIVE).count(), 0, `a native date field on ${path}`)
    assert.equal(await page.locator(field).getAttribute('type'), 'text', path)
    assert.match(await page.locator(field).inputValue(), form, path)
  }
  assert.deepEqual(unexpectedErrors(page), [])
})
