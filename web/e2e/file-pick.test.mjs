// A file chooser speaks the page's language: the attachments of a new help
// request (求助) showed the browser's own "Choose Files / No file chosen" in
// the middle of a Chinese page. They now use the app's chooser (FilePick,
// as the import page): 选择文件 / 未选择文件 in Chinese, "Choose a file" /
// "No file chosen" in English, and the chosen files by name; on a 360 px
// phone, in both languages.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, loginAs, settled, hasHorizontalScroll, unexpectedErrors, text, nextPage } from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 60 })
  browser = await launch({ viewport: PHONE })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

test('a new help request: the attachments’ chooser is in the page’s language, and names what was chosen', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/requests/new' })
  const WORDS = {
    'zh-CN': { button: '选择文件', none: '未选择文件', sep: '、' },
    en: { button: 'Choose a file', none: 'No file chosen', sep: ', ' },
  }
  for (const lang of ['zh-CN', 'en']) {
    await page.evaluate((l) => localStorage.setItem('wb.locale', l), lang)
    await page.goto(srv.base + '/requests/new')
    const pick = page.locator('.attach-pick')
    await pick.waitFor()
    await settled(page)
    const w = WORDS[lang]
    assert.equal(await text(pick.locator('.file-button')), w.button, lang)
    assert.equal(await text(pick.locator('.file-info')), w.none, lang)
    // the browser's own control is not what the user sees
    const box = await page.locator('#attach').boundingBox()
    assert.ok(!box || box.width <= 1, `the native file input shows (${lang}): ${JSON.stringify(box)}`)
    await page.locator('#attach').setInputFiles([
      { name: '诊断证明.jpg', mimeType: 'image/jpeg', buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) },
      { name: 'receipt.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') },
    ])
    assert.equal(await text(pick.locator('.file-info')), `诊断证明.jpg${w.sep}receipt.pdf`, lang)
    assert.equal(await hasHorizontalScroll(page), false, lang)
    // the chosen files are typed work: leaving asks; discarding lets the next language load
    await page.locator('.brand').click()
    await page.locator('.dirty-confirm .el-message-box__btns .el-button--primary').click()
    await page.waitForURL((u) => u.pathname === '/')
  }
  assert.deepEqual(unexpectedErrors(page), [])
})
