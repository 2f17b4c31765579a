// A form's errors on a phone (390 × 844), and a form that cannot load:
//  - a field's error of two lines and more (the child form's 15-digit ID
//    number of a grown-up, a guardian's phone of three digits) pushes the
//    next field down instead of lying over its label, in Chinese and in
//    English; a one-line error (姓名 left empty) moves nothing below it;
//  - the edit form of a child the user may not see (another village's)
//    shows the child page's 记录不存在或您无权查看 and no form; one whose
//    child could not be read (the network) offers to load it again, and
//    then shows the child's facts; it never registers a new child;
//  - the talk dialog's attendance above its limit says the limit
//    (100,000), not 请填写 0 或正整数.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, loginAs, apiSession, settled, unexpectedErrors, text, nextPage } from './helpers.mjs'

const PHONE = { width: 390, height: 844 }
const VILLAGE = '370831001001' // 花园社区, the director's
const OTHER_VILLAGE = '370831101201' // director2's
const GROWN_UP_ID = '370831080612123' // a legacy number: born 1908
let srv, browser, page, director, own, foreign

before(async () => {
  srv = await startServer({ children: 10 })
  browser = await launch({ viewport: PHONE })
  director = await apiSession(srv.base, 'director')
  const r = await director.post('/children', { name: '本村编辑', sex: 'F', birth_date: '2015-05-05', village_code: VILLAGE })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  own = r.body.id
  const other = await apiSession(srv.base, 'director2')
  const f = await other.post('/children', { name: '外村编辑', sex: 'M', birth_date: '2015-01-01', village_code: OTHER_VILLAGE })
  assert.equal(f.status, 201, JSON.stringify(f.body))
  foreign = f.body.id
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

// The boxes of a field's error and of the label of the form item after its
// own in the form (the next field shown), as painted.
async function errorAndNextLabel(p, error) {
  await p.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
  return error.evaluate((el) => {
    const item = el.closest('.el-form-item')
    const items = [...item.closest('form').querySelectorAll('.el-form-item')]
    const next = items.slice(items.indexOf(item) + 1).find((x) => {
      const l = x.querySelector(':scope > .el-form-item__label-wrap .el-form-item__label, :scope > .el-form-item__label')
      return l && l.getBoundingClientRect().height > 0
    })
    const box = (e) => {
      const r = e.getBoundingClientRect()
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height }
    }
    const label = next.querySelector(':scope > .el-form-item__label-wrap .el-form-item__label, :scope > .el-form-item__label')
    return { error: box(el), label: box(label), labelText: label.textContent.trim() }
  })
}

function assertClear({ error, label, labelText }, what) {
  assert.ok(error.height > 0, `${what}: the error is not shown`)
  assert.ok(error.bottom <= label.top + 0.5, `${what}: the error (bottom ${error.bottom}) lies over the label ${labelText} (top ${label.top})`)
}

const fieldError = (p, name) => p.locator('.el-form-item.is-error', { has: p.locator(`input[name=${name}]`) }).locator('.el-form-item__error')

test('child form on a phone: a long error pushes the next field down; a one-line one moves nothing', async () => {
  await loginAs(page, srv.base, 'director', { path: '/children/new' })
  const name = page.locator('input[name=name]')
  await name.waitFor()
  await settled(page)
  // a one-line error: the fields below stay where they were
  const sexTop = () => page.locator('.el-form-item', { has: page.locator('input[name=sex]') }).evaluate((el) => el.getBoundingClientRect().top + window.scrollY)
  const idTop = () => page.locator('.el-form-item', { has: page.locator('input[name=id_number]') }).evaluate((el) => el.getBoundingClientRect().top + window.scrollY)
  const idBefore = await idTop()
  await page.getByRole('button', { name: '保存' }).click()
  const nameError = fieldError(page, 'name')
  await nameError.waitFor()
  assert.equal(await text(nameError), '此项为必填项')
  await page.evaluate(() => window.scrollTo(0, 0))
  assert.equal(await idTop(), idBefore, 'a one-line error moved the next field')
  assertClear(await errorAndNextLabel(page, nameError), '姓名')

  // the ID number of a grown-up: two lines, refused by the server
  await name.fill('归档宽限测试')
  const sexBefore = await sexTop()
  await page.locator('input[name=id_number]').fill(GROWN_UP_ID)
  await page.getByRole('button', { name: '保存' }).click()
  const idError = fieldError(page, 'id_number')
  await idError.filter({ hasText: '已满18周岁且超过归档宽限期' }).waitFor()
  await settled(page)
  const zh = await errorAndNextLabel(page, idError)
  assert.equal(zh.labelText, '性别')
  assert.ok(zh.error.height > 20, `the message takes two lines on a phone (${zh.error.height} px)`)
  assertClear(zh, 'the ID number')
  assert.ok((await sexTop()) > sexBefore, 'the next field did not move down')

  // a guardian's phone of three digits: said under the phone, above 务工地 / 所在地
  await page.getByRole('button', { name: /添加监护人/ }).click()
  const row = page.locator('.guardian-row').first()
  await row.locator('.g-name input').fill('王大山')
  await row.locator('.g-phone input').fill('123')
  await page.locator('input[name=id_number]').fill('')
  await page.getByRole('button', { name: '保存' }).click()
  const phoneError = row.locator('.el-form-item.is-error', { has: page.locator('.g-phone') }).locator('.el-form-item__error')
  await phoneError.filter({ hasText: '手机号码为 11 位' }).waitFor()
  const ph = await errorAndNextLabel(page, phoneError)
  assert.equal(ph.labelText, '务工地 / 所在地')
  assertClear(ph, 'the guardian phone')

  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('child form on a phone, in English: the long error of a grown-up ID number pushes the next field down', async () => {
  await loginAs(page, srv.base, 'director', { path: '/children/new' })
  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  try {
    await page.goto(srv.base + '/children/new')
    await page.locator('input[name=name]').fill('Grace period test')
    await settled(page)
    await page.locator('input[name=id_number]').fill(GROWN_UP_ID)
    await page.getByRole('button', { name: 'Save' }).click()
    const enError = fieldError(page, 'id_number')
    await enError.filter({ hasText: '18 or older' }).waitFor()
    await settled(page)
    const en = await errorAndNextLabel(page, enError)
    assert.equal(en.labelText, 'Sex')
    assertClear(en, 'the ID number (English)')
  } finally {
    await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  }
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("editing another village's child: not found, no form; nothing can be saved", async () => {
  let sent = 0
  const writes = (r) => /^\/api\/v1\/children(\/\d+)?$/.test(new URL(r.url()).pathname) && ['POST', 'PATCH'].includes(r.method()) && sent++
  page.on('request', writes)
  await loginAs(page, srv.base, 'director', { path: `/children/${foreign}/edit` })
  await page.locator('main .err', { hasText: '记录不存在或您无权查看' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('input[name=name]').count(), 0, 'the form is shown')
  assert.equal(await page.locator('.child-form').count(), 0, 'the form is shown')
  assert.equal(await page.getByRole('button', { name: '保存' }).count(), 0)
  assert.equal(await page.getByRole('button', { name: '重新加载' }).count(), 0, 'a record not found is not loaded again')
  // Enter in the page (no form to submit) sends nothing either
  await page.keyboard.press('Enter')
  await settled(page)
  page.off('request', writes)
  assert.equal(sent, 0)
  assert.deepEqual(unexpectedErrors(page, [404]), [])
})

test('editing a child that could not be read: load again, then the form holds its facts and saves it', async () => {
  let failing = true
  await page.route(`**/api/v1/children/${own}`, (route) => (failing && route.request().method() === 'GET' ? route.abort('internetdisconnected') : route.continue()))
  await loginAs(page, srv.base, 'director', { path: `/children/${own}/edit` })
  await page.locator('main .err', { hasText: '网络连接失败' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('input[name=name]').count(), 0, 'an empty form is shown')
  failing = false
  await page.getByRole('button', { name: '重新加载' }).click()
  const name = page.locator('input[name=name]')
  await name.waitFor()
  assert.equal(await name.inputValue(), '本村编辑')
  assert.equal(await page.locator('main .err').count(), 0)
  await settled(page)
  const posts = []
  page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/children' && posts.push(r))
  await page.locator('textarea[name=notes]').fill('重新加载后修改')
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL((u) => u.pathname === `/children/${own}`)
  assert.equal(posts.length, 0, 'the edit registered a new child')
  assert.equal((await director.get(`/children/${own}`)).body.notes, '重新加载后修改')
})

test('talk dialog: attendance above the limit says the limit', async () => {
  await loginAs(page, srv.base, 'director', { path: '/talks' })
  await page.locator('.tk-new').click()
  const dlg = page.locator('.talk-dialog')
  await dlg.waitFor()
  await dlg.locator('#td-topic').fill('人数上限测试')
  await dlg.locator('#td-children').fill('99999999')
  await dlg.locator('.td-submit').click()
  const err = dlg.locator('.el-form-item', { has: page.locator('#td-children') }).locator('.el-form-item__error')
  await err.waitFor()
  const said = await text(err)
  assert.match(said, /100,000/)
  assert.doesNotMatch(said, /0 或正整数/)
  // the message stays clear of the hint below the two numbers
  const hint = await dlg.locator('.td-people-hint').boundingBox()
  const box = await err.boundingBox()
  assert.ok(box.y + box.height <= hint.y + 0.5, 'the error lies over the hint')
  // a number that is not whole still says so
  await dlg.locator('#td-children').fill('')
  await dlg.locator('#td-adults').fill('2.5')
  await dlg.locator('.td-submit').click()
  await dlg.locator('.el-form-item', { has: page.locator('#td-adults') }).locator('.el-form-item__error', { hasText: '请填写 0 或正整数' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})
