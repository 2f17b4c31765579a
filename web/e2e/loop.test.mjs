// The closed loop in the browser (SPEC §4): a director files a help request
// for a child on the phone, the station reviews and forwards it, the centre
// accepts and refers it to the medical insurance bureau and the county
// charity association, both accept and finish, the centre sends the result
// down, the director records the feedback, the centre closes it — and the
// request's timeline lists every step in order. Also: the inbox bell, the
// board's overdue highlight (a deadline moved into the past in the test's
// database, then `weibao deadlines`), a mandatory report, no sideways
// scrolling at 360 px and no console errors. A request about a child not
// yet registered gets its child by a search by name or ID number and a
// pick (关联儿童); the server's refusals of a link and of a mandatory
// report's withdrawal are said in words. One who holds two memberships
// sees which one a message is for, and opening it acts in that one.
// The ask the server writes for public security on a mandatory report is
// in English in the English UI (a person's same words stay as written).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { startServer, launch, loginAs, apiSession, hasHorizontalScroll, shot, unexpectedErrors, settled, makeIdNumber, BIN, discardTyped, nextPage, PASSWORD } from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESK = { width: 1280, height: 800 }
const VILLAGE = '370831001001'
let srv, browser, page, childId

before(async () => {
  srv = await startServer({ children: 100 })
  browser = await launch({ viewport: DESK })
  const d = await apiSession(srv.base, 'director')
  const c = await d.post('/children', { name: '求助测试儿童', sex: 'F', birth_date: '2015-06-01', village_code: VILLAGE, hukou_area_code: VILLAGE })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  childId = c.body.id
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

// signs the previous user out (checking its page had no console errors)
// and the next one in
async function as(user, { viewport = DESK, path = '/' } = {}) {
  if (page) {
    await settled(page)
    assert.deepEqual(unexpectedErrors(page), [], 'console errors on the previous page')
  }
  page = await nextPage(browser.context, srv.base, page, { viewport })
  await loginAs(page, srv.base, user, { path: '/login?next=' + encodeURIComponent(path) })
  await settled(page)
  return page
}

// takes a step on the request page: the button, then the dialog
async function step(action, text) {
  await page.locator(`.actions [data-action=${action}]`).click()
  const dlg = page.locator('.step-dialog')
  await dlg.waitFor()
  if (text) await dlg.locator('#step-text').fill(text)
  await dlg.locator('.step-confirm').click()
  await dlg.waitFor({ state: 'hidden' })
  await settled(page)
}
async function refStep(scope, action, text) {
  await scope.locator(`[data-ref-action=${action}]`).click()
  const dlg = page.locator('.el-dialog:visible')
  if (text) await dlg.locator('textarea').fill(text)
  await dlg.locator('.step-confirm').click()
  await dlg.waitFor({ state: 'hidden' })
  await settled(page)
}
const stateIs = (text) => page.locator('.req-state', { hasText: text }).waitFor()
// A step's text that is required: the dialog says so (no 可选), refuses it
// empty, then takes it and closes
async function requiredText(dlg, text) {
  assert.equal(await dlg.locator('label .muted', { hasText: '可选' }).count(), 0)
  await dlg.locator('.step-confirm').click()
  await dlg.locator('.err', { hasText: '此项为必填项' }).waitFor()
  await dlg.locator('textarea').fill(text)
  await dlg.locator('.step-confirm').click()
  await dlg.waitFor({ state: 'hidden' })
}

test('the story: filed, forwarded, referred to two units, finished, result sent, feedback, closed', async () => {
  // the director files on the phone, from the child's page
  await as('director', { viewport: PHONE, path: `/children/${childId}` })
  await page.locator('.child-requests .help-btn').click()
  await page.waitForURL(/\/requests\/new\?child=/)
  await page.locator('.req-child-name', { hasText: '求助测试儿童' }).waitFor()
  // sent empty: each field says it is required, and says no more once filled
  await page.locator('.submit-btn').click()
  assert.equal(await page.locator('.field-err', { hasText: '此项为必填项' }).count(), 2)
  await page.locator('.kind-opt', { hasText: '医疗' }).click()
  await page.locator('#narrative').fill('孩子住院治疗，家庭无力承担医疗费用。')
  await page.locator('.field-err').first().waitFor({ state: 'detached' })
  assert.equal(await page.locator('.field-err').count(), 0)
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)])
  // a file the server would refuse is said at once, with why, and nothing is filed
  await page.locator('#attach').setInputFiles({ name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('文本') })
  await page.locator('.attach-err', { hasText: '“说明.txt”：只能上传 JPG、PNG 或 PDF 文件' }).waitFor()
  await page.locator('.submit-btn').click()
  assert.equal(new URL(page.url()).pathname, '/requests/new')
  // and a "picture" that is text inside, which only the server can tell
  await page.locator('#attach').setInputFiles([
    { name: '诊断证明.png', mimeType: 'image/png', buffer: png },
    { name: '伪图片.png', mimeType: 'image/png', buffer: Buffer.from('这不是图片') },
  ])
  await page.locator('.attach-err').waitFor({ state: 'detached' })
  assert.equal(await hasHorizontalScroll(page), false, 'the filing page scrolls sideways at 360 px')
  await shot(page, 'loop-file-request', { fullPage: true })
  await page.locator('.submit-btn').click()
  await page.waitForURL(/\/requests\/\d+\?filed=1/)
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  // the refused file is named with why, under the request's attachments
  // (no message over the top bar)
  await page.locator('.att-err', { hasText: '“伪图片.png”上传失败：附件只能是 JPEG、PNG 图片或 PDF 文件' }).waitFor()
  assert.equal(await page.locator('.el-message--error').count(), 0)
  assert.deepEqual(unexpectedErrors(page, [415]), [], 'the refused file was the only error')
  page.errors.length = 0
  page.failures.length = 0
  await stateIs('待乡镇审核')
  await page.locator('.attachments', { hasText: '诊断证明.png' }).waitFor()
  assert.equal(await hasHorizontalScroll(page), false, 'the request page scrolls sideways at 360 px')
  // another file added later, on the request's page
  await page.locator('#attach-more').setInputFiles({ name: '住院清单.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') })
  await page.locator('.att-list li', { hasText: '住院清单.pdf' }).waitFor()
  assert.equal(await page.locator('.att-list li').count(), 2)
  assert.equal(await page.locator('.att-err').count(), 0, 'the earlier refusal is gone once a file is added')
  // my requests lists it with who holds it
  await page.goto(srv.base + '/requests')
  await page.locator(`.req-item[data-id="${id}"]`, { hasText: '泗河街道' }).waitFor()
  assert.equal(await hasHorizontalScroll(page), false)

  // the station: the bell counts the new request; review, then forward
  await as('station')
  await page.locator('.bell-count').waitFor()
  assert.ok(Number(await page.locator('.bell-count').textContent()) >= 1)
  await page.goto(srv.base + '/board')
  await page.locator(`.board-table tr[data-id="${id}"]`).waitFor()
  await page.locator(`.board-table tr[data-id="${id}"] a`).first().click()
  await page.waitForURL(new RegExp(`/requests/${id}$`))
  // a step the server does not allow now: its answer names the allowed steps
  const stale = await apiSession(srv.base, 'station')
  await step('review')
  await stateIs('乡镇审核中')
  await step('forward', '需县级部门协调医疗救助')
  await stateIs('已转报县中心')
  assert.equal((await stale.post(`/requests/${id}/actions`, { action: 'forward', version: 99 })).status, 409)

  // the centre accepts and refers to two units
  await as('center', { path: `/requests/${id}` })
  await step('accept')
  await stateIs('县中心已受理')
  await page.locator('.actions [data-action=refer]').click()
  const dlg = page.locator('.refer-dialog')
  await dlg.waitFor()
  await dlg.locator('.add-unit').click()
  const rows = dlg.locator('.ref-row')
  await rows.nth(0).locator('select.ref-unit').selectOption({ label: '县医疗保障局' })
  await rows.nth(0).locator('.ref-ask').fill('办理大病医疗保险报销')
  await rows.nth(0).locator('input[name=grant-health]').check()
  await rows.nth(0).locator('input[name=grant-id_number]').check()
  await rows.nth(1).locator('select.ref-unit').selectOption({ label: '县慈善总会' })
  await rows.nth(1).locator('.ref-ask').fill('提供慈善医疗救助金')
  await rows.nth(1).locator('input[name=grant-address]').check()
  // a due date typed in the past: said on its field, the dialog keeps what was typed, nothing is sent
  let referPosts = 0
  const countRefer = (q) => q.method() === 'POST' && q.url().endsWith(`/requests/${id}/actions`) && referPosts++
  page.on('request', countRefer)
  await rows.nth(1).locator('.ref-due input').fill('2020-01-01')
  await dlg.locator('.refer-submit').click()
  await rows.nth(1).locator('.ref-field-err', { hasText: '办结期限不能早于今天' }).waitFor()
  assert.equal(await rows.nth(0).locator('.ref-ask').inputValue(), '办理大病医疗保险报销')
  assert.equal(referPosts, 0)
  page.off('request', countRefer)
  await rows.nth(1).locator('.ref-due input').fill('')
  await dlg.locator('.refer-submit').click()
  await dlg.waitFor({ state: 'hidden' })
  await stateIs('转办中')
  assert.equal(await page.locator('.referral').count(), 2)
  // on the board its deadline is the earliest of its referrals'
  await page.goto(srv.base + '/board')
  await page.locator(`.board-table tr[data-id="${id}"] .b-per-ref`, { hasText: '最早转办期限' }).waitFor()
  await page.goto(srv.base + `/requests/${id}`)
  await stateIs('转办中')

  // each unit accepts and finishes; the child is visible only while active
  for (const [user, code, result] of [
    ['dept_medical_insurance', 'medical_insurance', '已按大病保险报销 12000 元'],
    ['org_county_charity', 'county_charity', '已发放慈善救助金 3000 元'],
  ]) {
    // the unit's home page, with a referred child to read: its figures ask
    // nothing the unit may not ask (no sorting of the child by age)
    await as(user)
    await page.locator('main h1', { hasText: '您好' }).waitFor()
    await settled(page)
    assert.deepEqual(page.failures, [], `${user}'s home page`)
    await page.goto(srv.base + '/referrals')
    const card = page.locator('.ref-card', { hasText: `#${id}` })
    await card.waitFor()
    await card.locator('.rc-child', { hasText: '求助测试儿童' }).waitFor()
    await refStep(card, 'accept')
    await card.locator('.state-badge', { hasText: '办理中' }).waitFor()
    if (code === 'medical_insurance') {
      await shot(page, 'loop-referrals')
      // a progress note is required, and the dialog says so before it is sent
      await card.locator('[data-ref-action=progress]').click()
      await requiredText(page.locator('.el-dialog:visible'), '已收到材料，正在审核报销。')
      await settled(page)
    }
    await page.goto(srv.base + `/requests/${id}`)
    await page.locator('.granted-child').waitFor()
    // the child's granted facts in words, never as codes
    const granted = await page.locator('.granted-child').textContent()
    assert.match(granted, /[男女] \d{4}-\d{2}-\d{2}/)
    assert.doesNotMatch(granted, /\b(low|medium|high|rural|urban|father|mother)\b/)
    // the household registration by its name, the code beside it
    if (code === 'county_charity') await page.locator('.granted-child', { hasText: `花园社区 ${VILLAGE}` }).waitFor()
    if (code === 'medical_insurance') {
      // not granted the address: the filer (花园社区儿童主任) is told by role alone, the village nowhere
      assert.equal((await page.locator('.tl-who').first().textContent()).trim(), '儿童主任')
      const main = await page.locator('main').textContent()
      assert.doesNotMatch(main, /花园社区|null/)
    }
    assert.equal(await page.locator('.referral').count(), 1, 'a unit sees only its own referral')
    await refStep(page.locator(`.referral[data-unit=${code}]`), 'complete', result)
    // the referral has ended: back to the list, where it shows done, without the child
    await page.waitForURL(/\/referrals\?state=done/)
    const done = page.locator('.ref-card', { hasText: `#${id}` })
    await done.locator('.state-badge', { hasText: '已办结' }).waitFor()
    await done.locator('.pre', { hasText: result }).waitFor()
    assert.equal(await done.locator('.rc-child').count(), 0, 'the child is no longer shown after the referral ended')
    // nor is the request offered: it is no longer the unit's to read
    assert.equal(await done.locator('a').count(), 0, 'no way into a request the unit may no longer read')
  }

  // the centre sends the result down
  await as('center', { path: `/requests/${id}` })
  await stateIs('转办已办结')
  await step('send_result', '医保报销 12000 元，慈善救助 3000 元，已全部到位。')
  await stateIs('结果已下达')

  // the director's home and list say that a result waits to be delivered
  await as('director', { viewport: PHONE, path: '/' })
  const waiting = (await (await apiSession(srv.base, 'director')).get('/requests?state=result_sent')).body.items.length +
    (await (await apiSession(srv.base, 'director')).get('/requests?state=resolved_locally')).body.items.length
  assert.ok(waiting >= 1)
  assert.equal((await page.locator('.home-deliver').textContent()).trim(), `${waiting} 件求助的结果待您反馈`)
  await page.goto(srv.base + '/requests')
  await page.locator(`.req-item[data-id="${id}"] .ri-deliver`, { hasText: '待反馈' }).waitFor()
  await page.locator('.to-deliver', { hasText: '待您告知孩子和监护人' }).waitFor()

  // the director records how the family judged it (phone)
  await page.goto(srv.base + `/requests/${id}`)
  await page.locator('.actions [data-action=deliver_feedback]').click()
  const fb = page.locator('.step-dialog')
  // how the family judged it is asked, never assumed: nothing chosen at first
  assert.equal(await fb.locator('input[name=rating]:checked').count(), 0)
  await fb.locator('.step-confirm').click()
  // everything missing is said at once
  await fb.locator('.err', { hasText: '请选择孩子和监护人的评价；请填写反馈说明' }).waitFor()
  await fb.locator('.rating', { hasText: '基本满意' }).click()
  // what they said is required, and the dialog says so before it is sent
  await requiredText(fb, '监护人表示感谢，希望后续继续关注。')
  await stateIs('已反馈')
  assert.equal(await hasHorizontalScroll(page), false)

  // the centre closes it; the timeline lists every step in order
  await as('center', { path: `/requests/${id}` })
  await step('close')
  await stateIs('已结案')
  const api = await apiSession(srv.base, 'center')
  const req = (await api.get(`/requests/${id}`)).body
  assert.equal(req.state, 'closed')
  const shown = await page.locator('.timeline .tl-step[data-action]').evaluateAll((els) => els.map((e) => e.dataset.action))
  assert.deepEqual(shown, req.timeline.steps.map((s) => s.action))
  const main = ['file', 'review', 'forward', 'accept', 'refer', 'referral_accept', 'referral_complete', 'referral_accept', 'referral_complete', 'referrals_complete', 'send_result', 'deliver_feedback', 'close']
  let at = 0
  for (const a of shown) if (a === main[at]) at++
  assert.equal(at, main.length, `timeline out of order: ${shown.join(', ')}`)
  const text = await page.locator('.timeline').innerText()
  for (const s of ['提交求助', '审核', '转报县中心', '受理', '转办', '县医疗保障局', '县慈善总会', '下达结果', '记录反馈', '结案', '已按大病保险报销']) {
    assert.ok(text.includes(s), `timeline lacks ${s}`)
  }
  await page.locator('.req-feedback', { hasText: '基本满意' }).waitFor()
  await page.locator('.timeline .tl-step[data-action=deliver_feedback] .tl-rating', { hasText: '基本满意' }).waitFor()
  await shot(page, 'loop-request-timeline', { fullPage: true })

  // the auditor reads a unit's acceptance in a referral's words: its
  // "accepted" is 办理中, not the centre's 县中心已受理
  const accepted = (await (await apiSession(srv.base, 'auditor')).get('/audit?action=referral.accept&limit=1')).body.items[0]
  assert.equal(JSON.parse(accepted.detail).to, 'accepted')
  await as('auditor', { path: '/audit' })
  await page.locator('#a-user').fill(accepted.username)
  await page.getByRole('button', { name: '搜索', exact: true }).click()
  const row = page.locator('.audit-table tbody tr', { has: page.locator('.a-code', { hasText: /^referral\.accept$/ }) }).first()
  await row.waitFor()
  assert.match(await row.locator('.a-detail').textContent(), /新状态：办理中/)
  // every row is that account's; its request's number narrows the log to the request
  for (const u of await page.locator('.audit-table tbody .a-user').allTextContents()) assert.equal(u.trim(), accepted.username)
  await row.locator('.a-oid').click()
  assert.equal(await page.locator('#a-object').inputValue(), accepted.object_id)
  assert.equal(await page.locator('#a-type').inputValue(), accepted.object_type, 'the kind of record too: a user 7 is not a request 7')
  await page.waitForFunction((id) => {
    const ids = [...document.querySelectorAll('.audit-table tbody .a-oid')].map((e) => e.textContent.trim())
    return ids.length > 0 && ids.every((x) => x === id)
  }, accepted.object_id)
  await settled(page)

  // reopened, the feedback is asked again: the family's rating stays on its step of the timeline
  await as('center', { path: `/requests/${id}` })
  await step('reopen', '家长反映后续治疗仍需救助')
  await page.locator('.timeline .tl-step[data-action=reopen]').waitFor()
  assert.equal(await page.locator('.req-feedback').count(), 0)
  await page.locator('.timeline .tl-step[data-action=deliver_feedback] .tl-rating', { hasText: '基本满意' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('board: an overdue request in red; the supervisor’s inbox; a mandatory report', async () => {
  const d = await apiSession(srv.base, 'director')
  const r = await d.post('/requests', { child_id: childId, kind: 'living_hardship', urgency: 'urgent', narrative: '家中断粮' })
  assert.equal(r.status, 201)
  const id = r.body.id
  // its deadline three days in the past, then the overdue scan
  const past = Math.floor(Date.now() / 1000) - 3 * 86400 - 2 * 3600
  const file = srv.db.replace(/^sqlite:/, '')
  execFileSync('sqlite3', [file, `UPDATE help_requests SET step_due_at = ${past} WHERE id = ${id}`])
  execFileSync(BIN, ['deadlines', '--db', srv.db, '--key-file', srv.dir + '/k.key'], { stdio: ['ignore', 'ignore', 'pipe'] })

  await as('station', { path: '/board' })
  const row = page.locator(`.board-table tr.overdue[data-id="${id}"]`)
  await row.waitFor()
  assert.match(await row.innerText(), /已超期 3 天/)
  await page.locator('.tab[data-tab=overdue] .count', { hasText: '1' }).waitFor()
  await shot(page, 'loop-board')
  // on a phone: a card per request, each fact under its label, the township named
  await as('station', { viewport: PHONE, path: '/board' })
  const card = page.locator(`.board-table tr.overdue[data-id="${id}"]`)
  await card.waitFor()
  assert.equal(await page.locator('.board-table thead').isVisible(), false, 'no table heading on a phone')
  assert.equal(await card.locator('td[data-label]').first().evaluate((e) => getComputedStyle(e, '::before').content), '"儿童"')
  assert.match(await card.locator('td[data-label="当前经办"]').innerText(), /^泗河街道\n/, 'held by the township, named')
  assert.equal(await hasHorizontalScroll(page), false)

  await as('supervisor', { path: '/inbox' })
  const alert = page.locator('.msg[data-event="deadline.overdue"]').first()
  await alert.waitFor()
  assert.ok(Number(await page.locator('.bell-count').textContent()) >= 1)
  await shot(page, 'loop-inbox')
  await page.locator('.read-all').click()
  await page.locator('.bell-count').waitFor({ state: 'detached' })
  assert.equal(await page.locator('.msg.unread').count(), 0)

  // a mandatory report goes straight to public security and the centre
  await as('director', { viewport: PHONE, path: `/requests/new?child=${childId}` })
  await page.locator('.kind-opt', { hasText: '侵害/暴力' }).click()
  await page.locator('.mandatory .hint.warn').waitFor()
  await page.locator('#narrative').fill('邻居反映儿童身上多处伤痕。')
  await page.locator('input[name=mandatory]').check()
  await page.locator('.submit-btn', { hasText: '提交强制报告' }).click()
  await page.waitForURL(/\/requests\/\d+\?filed=1/)
  await page.locator('.filed-note', { hasText: '县公安局' }).waitFor()
  await stateIs('已转报县中心')
  assert.equal(await hasHorizontalScroll(page), false)
  const mid = Number(new URL(page.url()).pathname.split('/').pop())
  await as('dept_public_security', { path: '/referrals' })
  await page.locator('.ref-card', { hasText: `#${mid}` }).locator('.tag', { hasText: '强制报告' }).waitFor()
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])

  // the police answer; the station learns that they did, not what they said
  const police = await apiSession(srv.base, 'dept_public_security')
  const cur = (await police.get(`/requests/${mid}`)).body
  const fb = await police.post(`/requests/${mid}/actions`, { action: 'police_feedback', police_feedback: '已出警核查。', version: cur.version })
  assert.equal(fb.status, 200, JSON.stringify(fb.body))
  await as('station', { path: `/requests/${mid}` })
  const told = page.locator('dd', { hasText: '公安已于' })
  await told.waitFor()
  assert.match(await told.innerText(), /^公安已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 反馈（内容仅报告人和县中心可见）$/)
  assert.equal(await page.locator('text=待公安反馈').count(), 0)
  // the timeline in words: the police's referral pending, no raw state, no move on the feedback
  const refer = page.locator('.tl-step[data-action=refer]').first()
  assert.equal((await refer.locator('.tl-move').innerText()).trim(), '待接收')
  assert.equal(await page.locator('.tl-step[data-action=police_feedback] .tl-move').count(), 0)
  assert.doesNotMatch(await page.locator('.timeline').innerText(), /forwarded|pending/)
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a mandatory report’s ask of public security, written by the system, in the reader’s language; a person’s same words as written', async () => {
  // the server stores its ask in Chinese (ask_key / note_key name it)
  const ASK = '强制报告：请依法核查处置，并向报告人反馈。'
  const EN = 'Mandatory report: please investigate and act as the law requires, and give the reporter feedback.'
  const d = await apiSession(srv.base, 'director')
  const r = await d.post('/requests', { child_id: childId, kind: 'abuse_violence', urgency: 'urgent', mandatory: true, narrative: '儿童身上有多处伤痕' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const id = r.body.id
  // the centre refers it on to civil affairs in the same words: those are a person's
  const c = await apiSession(srv.base, 'center')
  const units = Object.fromEntries((await c.get('/units')).body.items.map((u) => [u.code, u.id]))
  const take = async (action, body = {}) => {
    const cur = (await c.get(`/requests/${id}`)).body
    const s = await c.post(`/requests/${id}/actions`, { action, version: cur.version, ...body })
    assert.equal(s.status, 200, JSON.stringify(s.body))
  }
  await take('accept')
  await take('refer', { referrals: [{ unit_id: units.civil_affairs, ask: ASK }] })
  const inLanguage = async (loc) => {
    await page.evaluate((l) => localStorage.setItem('wb.locale', l), loc)
    await page.reload()
    await settled(page)
  }

  // public security's list, in English
  await as('dept_public_security', { path: '/referrals' })
  await inLanguage('en')
  const card = page.locator('.ref-card', { has: page.locator('.rc-title .mono', { hasText: new RegExp(`^#${id}$`) }) })
  await card.getByText(EN).waitFor()
  assert.ok(!(await card.innerText()).includes(ASK))

  // the request's page, in English: the police referral and the system's refer step in English, the centre's words as typed
  await as('center', { path: `/requests/${id}` })
  await inLanguage('en')
  const police = page.locator('.referral[data-unit=public_security]')
  await police.getByText(EN).waitFor()
  assert.ok(!(await police.innerText()).includes(ASK))
  assert.ok((await page.locator('.referral[data-unit=civil_affairs]').innerText()).includes(ASK))
  const notes = page.locator('.tl-step[data-action=refer] .tl-note')
  assert.deepEqual((await notes.allInnerTexts()).map((s) => s.trim()), [EN, ASK])
  // in Chinese: the words stored
  await inLanguage('zh-CN')
  await police.getByText(ASK).waitFor()
  assert.deepEqual((await notes.allInnerTexts()).map((s) => s.trim()), [ASK, ASK])
  assert.equal(await page.getByText(EN).count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('one with two memberships: a message for the other says so, and opening it acts in that one', async () => {
  const admin = await apiSession(srv.base, 'admin')
  const made = await admin.post('/users', { username: `twoplaces${Date.now() % 100000}`, display_name: '两镇工作站', role: 'station', area_code: '370831001' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const added = await admin.post(`/users/${made.body.id}/memberships`, { role: 'station', area_code: '370831101' })
  assert.equal(added.status, 201, JSON.stringify(added.body))
  const first = await apiSession(srv.base, made.body.username, made.body.password)
  assert.equal((await first.post('/me/password', { old_password: made.body.password, new_password: PASSWORD })).status, 200)
  const here = await (await apiSession(srv.base, 'director')).post('/requests', { child_id: childId, kind: 'medical', narrative: '本镇的求助' })
  assert.equal(here.status, 201, JSON.stringify(here.body))
  const d2 = await apiSession(srv.base, 'director2')
  const there = await d2.post('/requests', { kind: 'schooling', narrative: '另一镇的求助', village_code: '370831101201' })
  assert.equal(there.status, 201, JSON.stringify(there.body))

  await as(made.body.username, { path: '/inbox' })
  const msgThere = page.locator('.msg', { has: page.locator('.m-req', { hasText: `#${there.body.id}` }) })
  const msgHere = page.locator('.msg', { has: page.locator('.m-req', { hasText: `#${here.body.id}` }) })
  await msgThere.locator('.m-for', { hasText: '泉林镇' }).waitFor()
  assert.equal(await msgHere.locator('.m-for').count(), 0, 'the membership in use is not named')
  await msgThere.locator('.m-req').click()
  await page.waitForURL(new RegExp(`/requests/${there.body.id}$`))
  await page.locator('.el-message', { hasText: '泉林镇' }).waitFor()
  await page.locator('.req-state').waitFor()
  assert.match(await page.locator('#main').innerText(), /另一镇的求助/)
  // back in the inbox, the first township's message is now the other one
  await page.goBack()
  await msgHere.locator('.m-for', { hasText: '泗河街道' }).waitFor()
  assert.equal(await msgThere.locator('.m-for').count(), 0)
})

test('a child not yet registered: a director files from “my requests”, with where and what is known; a township picks the village', async () => {
  await as('director', { viewport: PHONE, path: '/requests' })
  await page.locator('.new-unregistered').click()
  await page.waitForURL((u) => u.pathname === '/requests/new')
  await page.locator('.req-village-name', { hasText: '花园社区' }).waitFor()
  await page.locator('.kind-opt', { hasText: '生活困难' }).click()
  await page.locator('#narrative').fill('桥下发现一名独自流浪的男孩，衣着单薄。')
  await page.locator('.submit-btn').click()
  // what is known of the child is required
  await page.locator('.field-err', { hasText: '此项为必填项' }).waitFor()
  assert.equal(new URL(page.url()).pathname, '/requests/new', 'nothing filed')
  await page.locator('#child-desc').fill('男孩，约 10 岁，自称姓王，常在社区菜市场附近')
  assert.equal(await hasHorizontalScroll(page), false)
  await page.locator('.submit-btn').click()
  await page.waitForURL(/\/requests\/\d+\?filed=1/)
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  await page.locator('.request-page', { hasText: '男孩，约 10 岁，自称姓王' }).waitFor()
  const filed = (await (await apiSession(srv.base, 'director')).get(`/requests/${id}`)).body
  assert.equal(filed.child, null)
  assert.equal(filed.village_code, VILLAGE)
  assert.equal(filed.child_description, '男孩，约 10 岁，自称姓王，常在社区菜市场附近')

  // the station picks one of its villages; none picked is said on the field
  await as('station', { path: '/requests/new' })
  await page.locator('.kind-opt', { hasText: '医疗' }).click()
  await page.locator('#narrative').fill('村民反映一名女童生病无人照看。')
  await page.locator('#child-desc').fill('女童，约 6 岁')
  await page.locator('.submit-btn').click()
  await page.locator('.req-place-item.is-error .el-form-item__error', { hasText: '此项为必填项' }).waitFor()
  await page.locator('.req-village').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '花园社区' }).click()
  await page.locator('.submit-btn').click()
  await page.waitForURL(/\/requests\/\d+\?filed=1/)
  const second = (await (await apiSession(srv.base, 'station')).get(`/requests/${new URL(page.url()).pathname.split('/').pop()}`)).body
  assert.equal(second.village_code, VILLAGE)
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('关联儿童: the station finds the registered child by name or ID number and picks it', async () => {
  const d = await apiSession(srv.base, 'director')
  const idNumber = makeIdNumber('370831', '20140305', 986)
  const c = await d.post('/children', { name: '关联测试儿童', sex: 'F', birth_date: '2014-03-05', id_number: idNumber, village_code: VILLAGE })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const q = await d.post('/requests', { village_code: VILLAGE, child_description: '女孩，约 10 岁', kind: 'living_hardship', narrative: '邻居反映一名女孩常独自在家。' })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  const id = q.body.id
  assert.equal(q.body.child, null)

  await as('station', { path: `/requests/${id}` })
  await page.locator('.actions [data-action=link_child]').click()
  const dlg = page.locator('.step-dialog')
  await dlg.waitFor()
  const err = dlg.locator('p.err')
  // nothing picked yet: said so, not 此项为必填项
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '请先搜索并选择一名儿童' }).waitFor()
  // garbage finds nobody; a number that is no ID number is explained
  await dlg.locator('#lc-q').fill('乱码xyz')
  await dlg.locator('.lc-search').click()
  await dlg.locator('.cs-none', { hasText: '本辖区没有这个姓名的儿童' }).waitFor()
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '请先搜索并选择一名儿童' }).waitFor()
  await dlg.locator('#lc-q').fill('12345')
  await dlg.locator('.lc-search').click()
  await dlg.locator('.el-form-item__error', { hasText: '身份证号码应为 18 位' }).waitFor()
  assert.doesNotMatch(await dlg.innerText(), /此项为必填项/)
  // by ID number: the one child found is picked, with its facts and its number masked
  await dlg.locator('#lc-q').fill(idNumber)
  await dlg.locator('.lc-search').click()
  const opt = dlg.locator('.cs-option')
  await opt.first().waitFor()
  assert.equal(await opt.count(), 1)
  await dlg.locator('.cs-option.on').waitFor()
  assert.equal((await opt.locator('.cs-name').innerText()).trim(), '关联测试儿童')
  assert.match(await opt.locator('.cs-line').innerText(), /^女 · 2014-03-05 \(\d+ 周岁\) · 花园社区$/)
  assert.equal((await opt.locator('.cs-id').innerText()).trim(), idNumber.slice(0, 6) + '********' + idNumber.slice(14))
  // a number refused before it is searched forgets the child picked before it
  const wrongCheck = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0')
  await dlg.locator('#lc-q').fill(wrongCheck)
  await dlg.locator('.lc-search').click()
  await dlg.locator('.el-form-item__error').first().waitFor()
  assert.equal(await dlg.locator('.cs-option').count(), 0, 'the last search\'s choices are gone')
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '请先搜索并选择一名儿童' }).waitFor()
  // by name: the same child, among those so named
  await dlg.locator('#lc-q').fill('关联测试')
  await dlg.locator('.lc-search').click()
  await dlg.locator('.cs-option .cs-name', { hasText: '关联测试儿童' }).waitFor()
  await dlg.locator('.cs-option.on').waitFor()

  // linked: the request names the child, as the server has it
  await dlg.locator('.step-confirm').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.locator('.facts a', { hasText: '关联测试儿童' }).waitFor()
  const linked = (await (await apiSession(srv.base, 'station')).get(`/requests/${id}`)).body
  assert.equal(linked.child.id, c.body.id)
  assert.ok(!linked.allowed_actions.includes('link_child'))
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the refusals of a link and of a mandatory report, in words', async () => {
  const d = await apiSession(srv.base, 'director')
  const q = await d.post('/requests', { village_code: VILLAGE, child_description: '男孩，约 8 岁', kind: 'living_hardship', narrative: '一名男孩常在村口徘徊。' })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  const id = q.body.id
  await as('station', { path: `/requests/${id}` })
  await page.locator('.actions [data-action=link_child]').click()
  const dlg = page.locator('.step-dialog')
  await dlg.waitFor()
  const err = dlg.locator('p.err')
  await dlg.locator('#lc-q').fill('求助测试儿童')
  await dlg.locator('.lc-search').click()
  await dlg.locator('.cs-option.on').waitFor()

  // answers put in place of the server's (its refusals of a linked request
  // and of a mandatory report's withdrawal)
  const refuse = (status, error) => (route) =>
    route.request().method() === 'POST' ? route.fulfill({ status, json: { error } }) : route.continue()
  const actions = `**/api/v1/requests/${id}/actions`
  await page.route(actions, refuse(409, { code: 'already_linked', message: 'the request is linked to a child already', state: 'reported', allowed: ['review', 'withdraw'] }))
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '该求助已关联儿童，不能再次关联。' }).waitFor()
  await page.unroute(actions)
  await page.route(actions, refuse(422, { code: 'validation_failed', message: 'child_id is not a child you can see', field: 'child_id' }))
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '所选儿童不在您的辖区内。' }).waitFor()
  await page.unroute(actions)
  await dlg.locator('.el-dialog__headerbtn').click()
  await discardTyped(page) // what was picked or typed is given up
  await dlg.waitFor({ state: 'hidden' })
  await settled(page)

  // a mandatory report is not withdrawn, nor is its police referral declined or cancelled: said as such
  await page.route(
    actions,
    refuse(409, {
      code: 'mandatory_report',
      message: 'a mandatory report is not withdrawn: public security checks it, and the request closes with its result',
      state: 'forwarded',
      allowed: ['accept'],
    }),
  )
  await page.locator('.actions [data-action=withdraw]').click()
  await dlg.waitFor()
  await dlg.locator('#step-text').fill('误报')
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '强制报告不能撤回：由公安机关核查，求助随核查结果办结。' }).waitFor()
  await page.unroute(actions)
  await page.route(
    actions,
    refuse(409, {
      code: 'mandatory_report',
      message: "public security's referral of a mandatory report is neither declined nor cancelled: it records progress, completes with the result and gives the reporter feedback",
    }),
  )
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: '强制报告由公安机关负责核查：公安的转办不能退回，县中心也不能撤销。' }).waitFor()
  await page.unroute(actions)
  await dlg.locator('.el-dialog__headerbtn').click()
  await discardTyped(page) // what was picked or typed is given up
  await dlg.waitFor({ state: 'hidden' })
  // in English
  await page.getByRole('button', { name: 'English' }).click()
  await page.route(actions, refuse(409, { code: 'mandatory_report', message: 'a mandatory report is not withdrawn: public security checks it' }))
  await page.locator('.actions [data-action=withdraw]').click()
  await dlg.waitFor()
  await dlg.locator('#step-text').fill('reported by mistake')
  await dlg.locator('.step-confirm').click()
  await err.filter({ hasText: 'A mandatory report cannot be withdrawn: public security checks it, and the request closes with its result.' }).waitFor()
  await page.unroute(actions)
  await dlg.locator('.el-dialog__headerbtn').click()
  await discardTyped(page) // what was picked or typed is given up
  await dlg.waitFor({ state: 'hidden' })
  await settled(page)
  assert.deepEqual(unexpectedErrors(page, [409, 422]), [])
  page.errors = []
  page.failures = []
})
