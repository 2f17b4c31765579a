// A village child director's and a grid worker's week on a phone (360 px):
// typed work is not lost to a tap outside a dialog or to leaving a page;
// an expired session asks for the password in place and the save goes
// through; my children download; back from a child shows the same cards
// where they were; an inbox message is a finger-sized tap target.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, launch, resetSession, loginAs, apiSession, settled, unexpectedErrors, PASSWORD, IDLE_S, nextPage } from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const VILLAGE = '370831001001' // 花园社区, the director's
let srv, browser, page, director, childId

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: PHONE })
  director = await apiSession(srv.base, 'director')
  await addChildren(director, 70)
  childId = (await director.get('/children?limit=1')).body.items[0].id
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

// n children of the director's village (the demo's are spread over the county)
async function addChildren(api, n) {
  const FAMILY = '赵钱孙李周吴郑王冯陈'
  for (let i = 0; i < n; i++) {
    const name = `${FAMILY[i % 10]}${'一二三四五六七八九十'[Math.floor(i / 10) % 10]}${'甲乙丙丁戊己庚辛壬癸'[i % 10]}`
    const r = await api.post('/children', { name, sex: i % 2 ? 'F' : 'M', birth_date: `2015-0${1 + (i % 9)}-1${i % 10}`, village_code: VILLAGE })
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
}
const confirmBox = () => page.locator('.dirty-confirm')

test('the visit dialog keeps typed findings after a tap outside; Esc asks before discarding', async () => {
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${childId}` })
  await page.getByRole('button', { name: '记录走访' }).first().click()
  const dialog = page.getByRole('dialog', { name: '记录走访' })
  await dialog.waitFor()
  await dialog.getByLabel('发现情况').fill('孩子在家，奶奶照看。')
  await dialog.locator('label.el-checkbox', { hasText: '安全隐患' }).click()
  // a tap on the dimmed area above the dialog
  await page.mouse.click(180, 15)
  await page.waitForTimeout(400)
  assert.equal(await dialog.isVisible(), true, 'the dialog closed on a tap outside')
  assert.equal(await dialog.getByLabel('发现情况').inputValue(), '孩子在家，奶奶照看。')
  assert.equal(await confirmBox().count(), 0, 'a tap outside asks nothing')
  // Esc on the typed form asks first; keeping on editing keeps the text
  await dialog.getByLabel('发现情况').press('Escape')
  await confirmBox().waitFor()
  assert.match(await confirmBox().innerText(), /放弃未保存的内容？/)
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
  assert.equal(await dialog.isVisible(), true)
  assert.equal(await dialog.getByLabel('发现情况').inputValue(), '孩子在家，奶奶照看。')
  assert.equal(await dialog.locator('label.el-checkbox.is-checked', { hasText: '安全隐患' }).count(), 1)
  // Cancel, then discard: closed, and it opens empty again
  await dialog.getByRole('button', { name: '取消' }).click()
  await confirmBox().getByRole('button', { name: '放弃' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.getByRole('button', { name: '记录走访' }).first().click()
  await dialog.waitFor()
  assert.equal(await dialog.getByLabel('发现情况').inputValue(), '')
  // an untouched dialog closes on Esc without asking
  await dialog.getByLabel('发现情况').press('Escape')
  await dialog.waitFor({ state: 'hidden' })
  assert.equal(await confirmBox().count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('leaving a child form with typed notes asks: Cancel stays with the text, Discard leaves', async () => {
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${childId}/edit` })
  const notes = page.getByLabel('备注')
  await notes.waitFor()
  await settled(page)
  // untouched: the logo leaves without asking
  await page.locator('.brand').click()
  await page.waitForURL(srv.base + '/')
  assert.equal(await confirmBox().count(), 0, 'an untouched form asked before leaving')
  await page.goto(srv.base + `/children/${childId}/edit`)
  await notes.waitFor()
  await settled(page)
  await notes.fill('奶奶说下周去县城复查。')
  await page.locator('.brand').click()
  await confirmBox().waitFor()
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
  assert.equal(new URL(page.url()).pathname, `/children/${childId}/edit`)
  assert.equal(await notes.inputValue(), '奶奶说下周去县城复查。')
  // a reload would lose it: the browser is asked to warn
  const warns = await page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(e)
    return e.defaultPrevented
  })
  assert.equal(warns, true, 'beforeunload does not warn')
  await page.locator('.brand').click()
  await confirmBox().getByRole('button', { name: '放弃' }).click()
  await page.waitForURL(srv.base + '/')
  // a new help request with a typed description: back asks too
  await page.goto(srv.base + `/children/${childId}`)
  await page.locator(`a[href="/requests/new?child=${childId}"]`).first().click()
  await page.waitForURL(/\/requests\/new/)
  const narrative = page.locator('textarea').first()
  await narrative.waitFor()
  await narrative.fill('家里断粮，需要帮助。')
  await page.evaluate(() => history.back())
  await confirmBox().waitFor()
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await page.waitForTimeout(300)
  assert.equal(new URL(page.url()).pathname, '/requests/new')
  assert.equal(await narrative.inputValue(), '家里断粮，需要帮助。')
  await page.evaluate(() => history.back())
  await confirmBox().getByRole('button', { name: '放弃' }).click()
  await page.waitForURL(new RegExp(`/children/${childId}$`))
  assert.deepEqual(page.dialogs, [], 'no browser dialog on a move within the app')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a director downloads my children: the own village only, ID numbers masked', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children' })
  await page.locator('.child-card').first().waitFor()
  const total = (await director.get('/children?limit=0')).body.total
  await page.locator('.mc-export .export-trigger').click()
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('.export-menu:visible .export-as-csv').click()])
  assert.match(file.suggestedFilename(), /\.csv$/)
  const lines = readFileSync(await file.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
  assert.equal(lines.length, total + 1, 'a line per child of the director and a header')
  const head = lines[0].split(',')
  const idCol = head.findIndex((h) => h.includes('身份证'))
  assert.ok(idCol >= 0, head.join(','))
  for (const line of lines.slice(1)) {
    const id = line.split(',')[idCol]
    assert.ok(!id || id.includes('*'), `an unmasked ID number: ${id}`)
    assert.match(line, /花园社区/, 'a child of another village')
  }
  // a grid worker has the download too
  await resetSession(browser.context, srv.base, page)
  await loginAs(page, srv.base, 'grid', { path: '/login?next=/children' })
  await page.locator('.mc-export .export-trigger').waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('back from a child shows the same cards at the same place', async () => {
  const total = (await director.get('/children?limit=0')).body.total
  assert.ok(total > 60, `the director has ${total} children`)
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children' })
  await page.locator('.child-card').nth(19).waitFor()
  // more cards, by the button; the list also loads the next page by itself
  // when its end comes into view, so a page may already be on its way
  const cards = page.locator('.child-card')
  const more = page.locator('.more button')
  for (const n of [40, 60]) {
    for (let i = 0; i < 100 && (await cards.count()) < n; i++) {
      if (await more.isVisible()) await more.click({ timeout: 1000 }).catch(() => {})
      await page.waitForTimeout(100)
    }
    assert.ok((await cards.count()) >= n, `at least ${n} cards`)
    await settled(page)
  }
  const count = await page.locator('.child-card').count()
  const card = page.locator('.child-card').nth(45)
  await card.scrollIntoViewIfNeeded()
  await page.evaluate(() => window.scrollBy(0, 100))
  await page.waitForTimeout(200)
  const y = await page.evaluate(() => window.scrollY)
  assert.ok(y > 2000, `scrolled to ${y}`)
  const name = (await card.locator('.cc-name').innerText()).trim()
  await card.locator('.cc-name').click()
  await page.waitForURL(/\/children\/\d+$/)
  await settled(page)
  await page.goBack()
  await page.waitForURL(/\/children$/)
  await page.waitForFunction((n) => document.querySelectorAll('.child-card').length === n, count)
  await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 5, y)
  assert.equal((await page.locator('.child-card').nth(45).locator('.cc-name').innerText()).trim(), name)
  // opened anew from the menu: the first page again, at the top
  await page.goto(srv.base + '/children')
  await page.locator('.child-card').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('.child-card').count(), 20)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('on a request, the step dialog keeps a typed note after a tap outside and asks before discarding; a typed comment asks before leaving', async () => {
  const r = await director.post('/requests', { child_id: childId, kind: 'schooling', narrative: '需要助学（审核备注）' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  await loginAs(page, srv.base, 'station', { path: `/login?next=/requests/${r.body.id}` })
  await page.getByRole('button', { name: '审核' }).first().click()
  const dialog = page.locator('.step-dialog')
  await dialog.waitFor()
  const note = dialog.locator('textarea').first()
  await note.fill('请补充家庭情况说明')
  await page.mouse.click(180, 15)
  await page.waitForTimeout(400)
  assert.equal(await dialog.isVisible(), true, 'the step dialog closed on a tap outside')
  assert.equal(await note.inputValue(), '请补充家庭情况说明')
  await dialog.getByRole('button', { name: '取消' }).click()
  await confirmBox().waitFor()
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
  assert.equal(await note.inputValue(), '请补充家庭情况说明')
  await dialog.getByRole('button', { name: '取消' }).click()
  await confirmBox().getByRole('button', { name: '放弃' }).click()
  await dialog.waitFor({ state: 'hidden' })
  // a typed comment: the logo asks before leaving
  await page.locator('#req-comment').fill('孩子父母在哪里务工？')
  await page.locator('.brand').click()
  await confirmBox().waitFor()
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
  assert.equal(new URL(page.url()).pathname, `/requests/${r.body.id}`)
  assert.equal(await page.locator('#req-comment').inputValue(), '孩子父母在哪里务工？')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('an inbox message is a finger-sized tap target that opens its request', async () => {
  const r = await director.post('/requests', { child_id: childId, kind: 'schooling', narrative: '需要助学' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const station = await apiSession(srv.base, 'station')
  const msg = (await station.get('/inbox?limit=50')).body.items.find((m) => m.request_id === r.body.id)
  assert.ok(msg, 'the station is told of the request')
  await loginAs(page, srv.base, 'station', { path: '/login?next=/inbox' })
  const li = page.locator('.msg').filter({ has: page.locator(`a[href="/requests/${r.body.id}"]`) }).first()
  await li.waitFor()
  const box = await li.locator('.m-req').boundingBox()
  assert.ok(box.height >= 40, `the link is ${box.height} px high`)
  // a tap on the message's heading, away from the link, opens the request
  await li.locator('.m-event').click()
  await page.waitForURL(new RegExp(`/requests/${r.body.id}$`))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('an expired session asks for the password in place; the visit is saved with what was typed', async () => {
  const short = await startServer({ children: 30, args: ['--session-idle', String(IDLE_S)] })
  try {
    const api = await apiSession(short.base, 'director')
    await addChildren(api, 1)
    const id = (await api.get('/children?limit=1')).body.items[0].id
    await resetSession(browser.context, srv.base, page)
    await loginAs(page, short.base, 'director', { path: `/login?next=/children/${id}` })
    await page.getByRole('button', { name: '记录走访' }).first().click()
    const dialog = page.getByRole('dialog', { name: '记录走访' })
    await dialog.waitFor()
    await dialog.getByLabel('发现情况').fill('会话过期后仍保存的走访。')
    await settled(page)
    await page.waitForTimeout((IDLE_S + 1.5) * 1000)
    await dialog.getByRole('button', { name: '保存走访' }).click()
    // the password, asked in place, for the same user
    const reauth = page.getByRole('dialog', { name: '请再次验证身份' })
    await reauth.waitFor()
    assert.equal(new URL(page.url()).pathname, `/children/${id}`)
    await reauth.locator('input[type=password]').fill(PASSWORD)
    await reauth.getByRole('button', { name: '验证并继续' }).click()
    await page.locator('.el-message', { hasText: '走访已记录' }).waitFor()
    await dialog.waitFor({ state: 'hidden' })
    const visits = (await (await apiSession(short.base, 'director')).get(`/children/${id}/visits`)).body
    const items = visits.items || visits
    assert.ok(
      items.some((v) => v.findings === '会话过期后仍保存的走访。'),
      'the visit typed before the session expired is saved',
    )
    // cancelling the password goes to the login page as before
    await page.getByRole('button', { name: '记录走访' }).first().click()
    await dialog.waitFor()
    await dialog.getByLabel('发现情况').fill('再次过期。')
    await settled(page)
    await page.waitForTimeout((IDLE_S + 1.5) * 1000)
    await dialog.getByRole('button', { name: '保存走访' }).click()
    await reauth.waitFor()
    await reauth.getByRole('button', { name: '取消' }).click()
    await page.waitForURL(/\/login\?.*reason=session_expired/)
    assert.deepEqual(unexpectedErrors(page, [401]), [])
  } finally {
    await short.stop()
  }
})
