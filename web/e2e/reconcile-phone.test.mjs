// The reconciliation on a phone (360 × 740): a village director's or a
// station's list compared with the registry reads without scrolling the
// page sideways (each row a card under 640 px); and an import's row
// refused for an ID number shows the reason from the one table the form
// errors share (lib/reasons.js).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, resetSession, loginAs, apiSession, makeIdNumber, settled, unexpectedErrors } from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const VILLAGE = '370831001001'
let srv, browser

before(async () => {
  srv = await startServer({ children: 30 })
  browser = await launch({ viewport: PHONE })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

const pageWidth = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(document.documentElement.scrollWidth))),
      ),
  )

test('reconciliation at 360 px: no sideways page scroll, every row readable as a card', async () => {
  const page = await openPage(browser.context, { viewport: PHONE })
  const center = await apiSession(srv.base, 'center')
  const known = (await center.get('/children?limit=5')).body.items.filter((c) => c.id_number)
  assert.ok(known.length >= 2)
  const stranger = makeIdNumber('370831', '20130909', 733)
  const word = { M: '男', F: '女' }
  const other = { M: '女', F: '男' }
  const csv =
    '姓名,身份证号码,出生日期,性别\r\n' +
    `${known[0].name},${known[0].id_number},,${word[known[0].sex]}\r\n` +
    `另一个名字也很长很长的名字,${known[1].id_number},,${other[known[1].sex]}\r\n` +
    `不在台账,${stranger},,\r\n`
  await loginAs(page, srv.base, 'center', { path: '/login?next=/reconcile' })
  await page.locator('.recon-form').waitFor()
  assert.ok((await pageWidth(page)) <= 360, 'the form fits')
  await page.setInputFiles('#recon-file', { name: 'allowance.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByRole('button', { name: '开始比对' }).click()
  await page.locator('.recon-rows', { hasText: '名单共 3 行' }).waitFor()
  await settled(page)
  for (const g of ['mismatched', 'not_in_registry', 'matched']) {
    await page.locator(`.group.g-${g}`).click()
    await settled(page)
    const w = await pageWidth(page)
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
    // the card shows what the table's columns did, within the screen
    const box = await card.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= 360, `${g}: the card is on screen (${JSON.stringify(box)})`)
    assert.match(await card.textContent(), /第 \d+ 行/)
  }
  await page.locator('.group.g-mismatched').click()
  const mismatch = page.locator('.recon-card').first()
  assert.match(await mismatch.textContent(), new RegExp(known[1].id_number.slice(0, 6)))
  assert.match(await mismatch.textContent(), /姓名：台账为“.*”，名单为“另一个名字也很长很长的名字”/)
  assert.equal(await page.locator('.recon-table').isVisible(), false, 'no table at phone width')
  // a desktop still has the table
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.locator('.recon-table').waitFor()
  assert.equal(await page.locator('.recon-card').first().isVisible(), false)
  assert.deepEqual(unexpectedErrors(page), [])
  await page.close()
})

test('an import row refused for its ID number shows the reason in words (the shared table)', async () => {
  await resetSession(browser.context, srv.base)
  const page = await openPage(browser.context, { viewport: PHONE })
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
  assert.ok((await pageWidth(page)) <= 360)
  await page.close()
})
