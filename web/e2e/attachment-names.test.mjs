// An attachment's name on a help request's page is what the file is: a
// PNG chosen as 病历‮gnp.html (a right-to-left override before "gnp.html",
// which shows as 病历lmth.png) is listed as 病历gnp.png and saved as
// 病历gnp.png, never as a page that runs script when opened.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, loginAs, apiSession, settled, text, unexpectedErrors } from './helpers.mjs'

const VILLAGE = '370831001001'
let srv, browser, page, requestId

before(async () => {
  srv = await startServer({ children: 20 })
  browser = await launch()
  const d = await apiSession(srv.base, 'director')
  const r = await d.post('/requests', { kind: 'medical', narrative: '需要帮助', village_code: VILLAGE })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  requestId = r.body.id
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('a file named as a page is listed and saved with its type’s extension', async () => {
  page = await openPage(browser.context)
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/${requestId}` })
  await page.waitForURL(new RegExp(`/requests/${requestId}$`))
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)])
  await page.locator('#attach-more').setInputFiles([
    { name: '病历\u202Egnp.html', mimeType: 'image/png', buffer: png },
    { name: '诊断证明.html', mimeType: 'image/png', buffer: Buffer.concat([png, Buffer.from([2])]) },
  ])
  await page.locator('.att-list li').nth(1).waitFor()
  await settled(page)
  const names = await page.locator('.att-list .link-btn').allTextContents()
  assert.deepEqual(names.map((n) => n.trim()), ['病历gnp.png', '诊断证明.png'])
  for (const [i, want] of [[0, '病历gnp.png'], [1, '诊断证明.png']]) {
    const [file] = await Promise.all([page.waitForEvent('download'), page.locator('.att-list .link-btn').nth(i).click()])
    assert.equal(file.suggestedFilename(), want)
  }
  assert.equal(await text(page.locator('.att-list li').first().locator('.link-btn')), '病历gnp.png')
  assert.deepEqual(unexpectedErrors(page), [])
})
