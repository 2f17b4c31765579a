// The import page offers the template of a children's list (GET
// /api/v1/imports/template): 下载导入模板 opens the menu of Excel (XLSX)
// and CSV; the XLSX file is a workbook whose only row is the header of the
// columns the import reads (父亲状况 and 母亲状况 among them), the CSV file
// the same header; the page says the template is downloaded. No
// horizontal scrolling at 360 px with the control on the page. A filled
// file whose header has blanks around its names, after a cleared row, is
// shown read as the server reads it: every column recognised.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, launch, openPage, resetSession, loginAs, exportAs, hasHorizontalScroll, settled, unexpectedErrors, apiSession } from './helpers.mjs'

let srv, browser

before(async () => {
  srv = await startServer({ children: 0 })
  browser = await launch({ viewport: { width: 1280, height: 900 } })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('a child director downloads the import template as XLSX and CSV from the import page', async () => {
  const page = await openPage(browser.context, { viewport: { width: 1280, height: 900 } })
  const fields = (await (await apiSession(srv.base, 'director')).get('/imports/fields')).body.fields
  await loginAs(page, srv.base, 'director', { path: '/login?next=/imports' })
  const control = page.locator('.import-template')
  await control.waitFor()
  await settled(page)
  assert.equal(await control.getByRole('button', { name: '下载导入模板' }).count(), 1)

  const xlsx = await exportAs(page, 'xlsx', control)
  assert.equal(xlsx.suggestedFilename(), 'children-import-template.xlsx')
  const bytes = readFileSync(await xlsx.path())
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip')
  await page.locator('.el-message--success', { hasText: '模板已下载' }).last().waitFor()

  const csv = await exportAs(page, 'csv', control)
  assert.equal(csv.suggestedFilename(), 'children-import-template.csv')
  const lines = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(lines.length, 1, 'the header alone')
  const head = lines[0].split(',')
  assert.deepEqual(head, fields.map((f) => f.headers[0]))
  for (const h of ['姓名', '身份证号', '村（社区）代码', '父亲状况', '母亲状况']) assert.ok(head.includes(h), h)

  await page.setViewportSize({ width: 360, height: 740 })
  await settled(page)
  assert.equal(await hasHorizontalScroll(page), false, 'no horizontal scrolling at 360 px')
  assert.deepEqual(unexpectedErrors(page), [])
  await page.close()
})

test('the columns of a CSV are shown as the server reads them: blanks around a header and cleared rows before it do not count', async () => {
  await resetSession(browser.context, srv.base)
  const page = await openPage(browser.context, { viewport: { width: 1280, height: 900 } })
  const csv = ',,,\r\n 姓名 ,\u3000身份证号, 村（社区）代码\t\r\n导入模板甲,370831201501010119,370831001001\r\n'
  await loginAs(page, srv.base, 'director', { path: '/login?next=/imports' })
  await page.locator('.import-form').waitFor()
  await settled(page)
  await page.setInputFiles('#import-file', { name: 'filled.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  const cols = page.locator('.col-item')
  await cols.first().waitFor()
  assert.equal(await cols.count(), 3)
  assert.deepEqual((await page.locator('.col-header').allTextContents()).map((s) => s.trim()), ['姓名', '身份证号', '村（社区）代码'])
  assert.equal(await page.locator('.col-item.unknown').count(), 0, 'every column recognised')
  assert.equal(await page.locator('.warn[role=status]').count(), 0, 'no required column is missing')
  assert.deepEqual(unexpectedErrors(page), [])
  await page.close()
})
