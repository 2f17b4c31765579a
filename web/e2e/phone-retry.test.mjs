// On a phone (390 × 844, 360 × 640) with an unsteady connection, nothing
// typed is lost and nothing is saved twice:
//  - a save whose answer was lost after it reached the server (the form
//    says 网络连接失败) saved once when tapped again: the visit, the help
//    request (a mandatory report), the talk and the follow-up each exist
//    once; the retry carried the same Idempotency-Key and got the first
//    answer again;
//  - the phone's back under a dialog holding typed text asks
//    放弃未保存的内容？ (keep editing stays with the text; discard leaves),
//    and a reload would make the browser warn: the visit dialog from the
//    visit plan, 登记宣讲 on /talks, 安排回访 on a request's page;
//  - 提交求助 (and the child form's 保存) with a required choice missing
//    above the screen scrolls to it (clear of the sticky top bar) and puts
//    the focus on it;
//  - a file refused while filing is said under the request's attachments,
//    with its name, and no message covers the 菜单 button or the bell; a
//    file being added shows its name while it uploads;
//  - an open tab nobody uses signs out when idle: the inbox poll is marked
//    as background work (X-Weibao-Background: 1) and its 401 goes to the
//    login page.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, loginAs, apiSession, settled, openNav, text, IDLE_S, nextPage } from './helpers.mjs'

const PHONE = { width: 390, height: 844 }
const SMALL = { width: 360, height: 640 }
const VILLAGE = '370831001001' // 花园社区, the director's
let srv, browser, page, director

before(async () => {
  srv = await startServer({ children: 30 })
  browser = await launch({ viewport: PHONE })
  director = await apiSession(srv.base, 'director')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

let serial = 0
async function newChild(name, more = {}) {
  const c = await director.post('/children', { name: `${name}${'甲乙丙丁戊己庚辛'[serial++ % 8]}`, sex: 'F', birth_date: '2015-05-05', village_code: VILLAGE, ...more })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  return c.body.id
}
async function newRequest(childId, narrative) {
  const q = await director.post('/requests', { child_id: childId, kind: 'schooling', narrative })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  return q.body.id
}

// The first POST matching `re` reaches the server, which answers; the
// browser gets a reset connection instead. Later ones go through. Returns
// what was seen: the Idempotency-Key of each attempt, the status the server
// gave the dropped one, and whether the retry's answer was a replay.
async function dropFirstAnswer(p, re) {
  const seen = { keys: [], dropped: 0, replayed: null }
  await p.route(re, async (route) => {
    const req = route.request()
    if (req.method() !== 'POST') return route.continue()
    seen.keys.push(req.headers()['idempotency-key'] || null)
    const res = await route.fetch()
    if (!seen.dropped) {
      seen.dropped = res.status()
      return route.abort('connectionreset')
    }
    seen.replayed = res.headers()['idempotent-replayed'] || null
    return route.fulfill({ response: res })
  })
  return seen
}
function onceSaved(seen, what) {
  assert.equal(seen.dropped, 201, `${what}: the first attempt reached the server`)
  assert.equal(seen.keys.length, 2, `${what}: tapped twice`)
  assert.ok(seen.keys[0], `${what}: the first attempt carried an Idempotency-Key`)
  assert.equal(seen.keys[1], seen.keys[0], `${what}: the retry carried the same key`)
  assert.equal(seen.replayed, 'true', `${what}: the retry got the first answer again`)
}
const networkError = (loc) => loc.getByText('网络连接失败，请检查网络后重试').first().waitFor()

test('a visit whose answer was lost is saved once when saved again', async () => {
  const childId = await newChild('重试走访')
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${childId}` })
  const seen = await dropFirstAnswer(page, new RegExp(`/api/v1/children/${childId}/visits$`))
  await page.getByRole('button', { name: '记录走访' }).first().click()
  const dialog = page.getByRole('dialog', { name: '记录走访' })
  await dialog.waitFor()
  await dialog.getByLabel('发现情况').fill('网络断了一下的走访。')
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await networkError(dialog)
  assert.equal(await dialog.getByLabel('发现情况').inputValue(), '网络断了一下的走访。', 'the typed text is kept')
  await dialog.getByRole('button', { name: '保存走访' }).click()
  await page.locator('.el-message', { hasText: '走访已记录' }).waitFor()
  await dialog.waitFor({ state: 'hidden' })
  onceSaved(seen, 'visit')
  const visits = (await director.get(`/children/${childId}/visits`)).body
  const items = (visits.items || visits).filter((v) => v.findings === '网络断了一下的走访。')
  assert.equal(items.length, 1, 'one visit recorded')
})

test('a mandatory report whose answer was lost is filed once when submitted again', async () => {
  const childId = await newChild('重试求助')
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/new?child=${childId}` })
  const seen = await dropFirstAnswer(page, /\/api\/v1\/requests$/)
  const form = page.locator('.request-new form')
  await form.waitFor()
  await form.locator('.kind-opt').first().click()
  await form.locator('#narrative').fill('邻居听到孩子夜里哭喊（重试测试）。')
  await form.locator('input[name=mandatory]').check()
  await form.locator('.submit-btn').click()
  await networkError(page.locator('.request-new'))
  assert.equal(await form.locator('#narrative').inputValue(), '邻居听到孩子夜里哭喊（重试测试）。')
  await form.locator('.submit-btn').click()
  await page.waitForURL(/\/requests\/\d+\?filed=1/)
  onceSaved(seen, 'help request')
  const list = (await director.get(`/requests?child_id=${childId}&state=all`)).body
  assert.equal(list.items.length, 1, 'one request filed')
  assert.equal(list.items[0].mandatory, true)
})

test('a talk and a follow-up whose answers were lost are saved once when saved again', async () => {
  const childId = await newChild('重试回访')
  const requestId = await newRequest(childId, '孩子需要助学金（重试回访）')
  await loginAs(page, srv.base, 'director', { path: '/login?next=/talks' })
  const talks = await dropFirstAnswer(page, /\/api\/v1\/talks$/)
  await page.locator('.tk-new').click()
  const dlg = page.locator('.talk-dialog')
  await dlg.waitFor()
  await dlg.locator('#td-topic').fill('防溺水宣讲（重试）')
  await dlg.locator('#td-children').fill('12')
  await dlg.locator('.td-submit').click()
  await networkError(dlg)
  await dlg.locator('.td-submit').click()
  await page.locator('.el-message', { hasText: '宣讲活动已登记' }).waitFor()
  onceSaved(talks, 'talk')
  const t = (await director.get('/talks')).body
  assert.equal(t.items.filter((x) => x.topic === '防溺水宣讲（重试）').length, 1, 'one talk recorded')

  await page.goto(srv.base + `/requests/${requestId}`)
  const fus = await dropFirstAnswer(page, new RegExp(`/api/v1/requests/${requestId}/follow-ups$`))
  await page.locator('.fu-schedule').click()
  const fu = page.locator('.fu-dialog')
  await fu.waitFor()
  await fu.getByLabel('备注（选填）').fill('看看助学金是否到位（重试）')
  await fu.locator('.fu-submit').click()
  await networkError(fu)
  await fu.locator('.fu-submit').click()
  await fu.waitFor({ state: 'hidden' })
  onceSaved(fus, 'follow-up')
  const r = (await director.get(`/requests/${requestId}`)).body
  assert.equal(r.follow_ups.filter((f) => f.note === '看看助学金是否到位（重试）').length, 1, 'one follow-up scheduled')
})

const confirmBox = () => page.locator('.dirty-confirm')
const path = () => new URL(page.url()).pathname
// a reload now would make the browser warn
const warnsOnUnload = () =>
  page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(e)
    return e.defaultPrevented
  })
// back under the dialog: asked; keep editing stays; back again and discard leaves
async function backAsks(dialog, input, typed, stayAt, leaveTo) {
  assert.equal(await warnsOnUnload(), true, 'a reload would not warn')
  await page.goBack()
  await confirmBox().waitFor()
  assert.match(await confirmBox().innerText(), /放弃未保存的内容？/)
  await confirmBox().getByRole('button', { name: '继续填写' }).click()
  await confirmBox().waitFor({ state: 'hidden' })
  await page.waitForTimeout(300)
  assert.equal(path(), stayAt, 'keeping on editing left the page')
  assert.equal(await dialog.isVisible(), true, 'the dialog is still open')
  assert.equal(await input.inputValue(), typed, 'the typed text is still there')
  await page.goBack()
  await confirmBox().waitFor()
  await confirmBox().getByRole('button', { name: '放弃' }).click()
  await page.waitForURL((u) => u.pathname === leaveTo)
  assert.equal(await warnsOnUnload(), false, 'the discarded text still warns')
}

test('the phone\'s back under a dialog with typed text asks first: the visit, 登记宣讲, 安排回访', async () => {
  // a child at medium risk, never visited: on the visit plan
  const childId = await newChild('返回询问', { risk_level: 'medium' })
  const requestId = await newRequest(childId, '孩子需要助学金（返回询问）')
  // the visit plan → a child → 记录走访
  await loginAs(page, srv.base, 'director', { path: '/login?next=/visits' })
  const card = page.locator(`.plan-card[href="/children/${childId}"]`)
  await card.waitFor()
  await settled(page)
  const planned = `/children/${childId}`
  await card.click()
  await page.waitForURL((u) => u.pathname === planned)
  await page.getByRole('button', { name: '记录走访' }).first().click()
  const visit = page.getByRole('dialog', { name: '记录走访' })
  await visit.waitFor()
  await settled(page)
  // untouched, a reload would not warn
  assert.equal(await warnsOnUnload(), false, 'an untouched dialog warns')
  await visit.getByLabel('发现情况').fill('孩子在家写作业。')
  await backAsks(visit, visit.getByLabel('发现情况'), '孩子在家写作业。', planned, '/visits')

  // the child's page → its request → 安排回访
  await page.goto(srv.base + `/children/${childId}`)
  await page.locator(`a[href="/requests/${requestId}"]`).first().click()
  await page.waitForURL((u) => u.pathname === `/requests/${requestId}`)
  await page.locator('.fu-schedule').click()
  const fu = page.locator('.fu-dialog')
  await fu.waitFor()
  await fu.getByLabel('备注（选填）').fill('回访时带上申请表')
  await backAsks(fu, fu.getByLabel('备注（选填）'), '回访时带上申请表', `/requests/${requestId}`, `/children/${childId}`)

  // the child's page → the menu → 宣讲活动 → 登记宣讲
  await openNav(page, '宣讲活动')
  await page.waitForURL((u) => u.pathname === '/talks')
  await page.locator('.tk-new').click()
  const talk = page.locator('.talk-dialog')
  await talk.waitFor()
  await talk.locator('#td-topic').fill('防拐骗宣讲')
  await backAsks(talk, talk.locator('#td-topic'), '防拐骗宣讲', '/talks', `/children/${childId}`)
})

test('提交求助 with a choice missing above the screen scrolls to it and focuses it, clear of the top bar', async () => {
  await page.setViewportSize(SMALL)
  const childId = await newChild('定位错误')
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/new?child=${childId}` })
  const form = page.locator('.request-new form')
  await form.waitFor()
  await form.locator('#narrative').fill('孩子最近不去上学。')
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
  await page.waitForTimeout(200)
  const kinds = form.locator('fieldset.kinds')
  const top = () => kinds.evaluate((e) => e.getBoundingClientRect().top)
  assert.ok((await top()) < 0, 'the kinds are above the screen before submitting')
  await form.locator('.submit-btn').click()
  await kinds.locator('.field-err', { hasText: '此项为必填项' }).waitFor()
  await page.waitForFunction(() => document.activeElement?.name === 'kind')
  const bar = await page.locator('.topbar').evaluate((e) => e.getBoundingClientRect().bottom)
  const t = await top()
  assert.ok(t >= bar, `the kinds (top ${t}) are not under the top bar (bottom ${bar})`)
  assert.ok(t < SMALL.height, 'the kinds are on the screen')
  assert.equal(await page.locator('.el-message').count(), 0)
})

test('the child form: 保存 with the sex missing above the screen scrolls to it and focuses it', async () => {
  await page.setViewportSize(SMALL)
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  const form = page.locator('.child-form')
  await form.waitFor()
  await settled(page)
  await form.locator('input[name=name]').fill('定位性别')
  await form.locator('input[name=birth_date]').fill('2015-05-05')
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
  await page.waitForTimeout(200)
  const sex = form.locator('.el-form-item', { has: page.locator('.el-radio-group[name=sex], input[name=sex]') }).first()
  const top = () => sex.evaluate((e) => e.getBoundingClientRect().top)
  assert.ok((await top()) < 0, 'the sex is above the screen before saving')
  await form.getByRole('button', { name: '保存' }).click()
  await sex.locator('.el-form-item__error').waitFor()
  await page.waitForFunction(() => document.activeElement?.name === 'sex')
  const bar = await page.locator('.topbar').evaluate((e) => e.getBoundingClientRect().bottom)
  const t = await top()
  assert.ok(t >= bar && t < SMALL.height, `the sex (top ${t}) is on the screen, below the top bar (bottom ${bar})`)
})

test('a file refused while filing is said under the attachments, nothing covers the menu; an added file shows its name while it uploads', async () => {
  const childId = await newChild('附件失败')
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/new?child=${childId}` })
  const form = page.locator('.request-new form')
  await form.waitFor()
  await form.locator('.kind-opt').first().click()
  await form.locator('#narrative').fill('孩子手臂有伤（附件测试）。')
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
  await page.setInputFiles('#attach', { name: '伤情照片.png', mimeType: 'image/png', buffer: png })
  // the upload is refused on the way (the request itself is filed)
  await page.route(/\/attachments(\?|$)/, (route) => route.abort('connectionreset'))
  await form.locator('.submit-btn').click()
  await page.waitForURL(/\/requests\/\d+\?filed=1&upload_failed=1/)
  await page.locator('.filed-note .err', { hasText: '1 个附件上传失败' }).waitFor()
  const err = page.locator('.att-err')
  await err.waitFor()
  assert.match(await text(err), /“伤情照片\.png”上传失败：网络连接失败/)
  await page.waitForTimeout(500)
  // the 菜单 button and the bell can be tapped: nothing over them
  for (const sel of ['.menu-btn', '.bell']) {
    const covered = await page.locator(sel).evaluate((el) => {
      const r = el.getBoundingClientRect()
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
      return !(hit && (el === hit || el.contains(hit)))
    })
    assert.equal(covered, false, `${sel} is covered`)
  }
  assert.equal(await page.locator('.el-message').count(), 0, 'a message over the page')

  // added again: its name shows while it uploads
  await page.unroute(/\/attachments(\?|$)/)
  let release
  const held = new Promise((ok) => (release = ok))
  await page.route(/\/attachments(\?|$)/, async (route) => {
    await held
    await route.continue()
  })
  await page.setInputFiles('#attach-more', { name: '伤情照片.png', mimeType: 'image/png', buffer: png })
  const up = page.locator('.att-uploading')
  await up.waitFor()
  assert.equal(await text(up), '正在上传“伤情照片.png”（1/1）…')
  assert.equal(await text(page.locator('.att-add-btn')), '上传中…')
  release()
  await page.locator('.att-list li', { hasText: '伤情照片.png' }).waitFor()
  await up.waitFor({ state: 'hidden' })
  assert.equal(await page.locator('.att-err').count(), 0, 'the refusal is gone once the file is added')
})

test('an open tab nobody uses signs out when idle: the inbox poll does not keep the session, and its 401 goes to the login page', async () => {
  const short = await startServer({ children: 10, args: ['--session-idle', String(IDLE_S)] })
  try {
    const polls = []
    page.on('request', (r) => new URL(r.url()).pathname === '/api/v1/inbox' && polls.push(r.headers()['x-weibao-background'] || ''))
    await page.clock.install()
    await loginAs(page, short.base, 'director', { path: '/login?next=/visits' })
    await page.locator('.bell').waitFor()
    await settled(page)
    // the tab is left alone past the idle limit; the poll comes every 30 s
    await page.waitForTimeout((IDLE_S + 1) * 1000)
    await page.clock.fastForward('00:31')
    await page.waitForURL(/\/login\?.*reason=session_expired/)
    assert.ok(polls.length >= 2, `the inbox was polled (${polls.length})`)
    assert.ok(polls.every((h) => h === '1'), 'every poll is marked as background work')
  } finally {
    await short.stop()
  }
})
