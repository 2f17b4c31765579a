// Follow-up visits (回访) of help requests (SPEC §4) in the browser, on a
// 360 px phone: a child director opens a help request of a child of the
// village, schedules a follow-up through the form (a week ahead by default)
// and sees it as 待回访 on the request page and on the visit plan's 回访
// list; a day in the past is refused on the date field — by the form, and
// by the server when the device's calendar is a day behind; a second
// follow-up is cancelled after a confirmation. The director records the
// visit from the 回访 list (the visit form of the child's page), days after
// it was scheduled: the follow-up leaves the open list, counts as done, and
// shows 已完成 with the visit's day on the request page. The committee, which reads the request,
// gets no 回访 section and no 安排回访 button; a school's visit plan has no
// 回访 list. A follow-up left open past its day is counted in red on the
// director's home page (leading to the overdue 回访 list) and is an alert
// (回访逾期提醒, in red) in the director's messages, leading to the
// request's 回访 section. No sideways scrolling at 360 px, in both languages; no
// console errors.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import {
  startServer,
  launch,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaToday,
  BIN,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const VILLAGE = '370831001001' // 花园社区, the director's
const CHILD = '回访测试儿童'
let srv, browser, page, director, childId, requestId, today

// "YYYY-MM-DD" n days after the given day
function addDays(iso, n) {
  const d = new Date(iso + 'T00:00:00Z')
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

before(async () => {
  srv = await startServer({ children: 60 })
  browser = await launch({ viewport: PHONE })
  director = await apiSession(srv.base, 'director')
  const c = await director.post('/children', { name: CHILD, sex: 'M', birth_date: '2014-03-08', village_code: VILLAGE })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  childId = c.body.id
  const q = await director.post('/requests', { child_id: childId, kind: 'schooling', narrative: '孩子需要助学金（回访测试）' })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  requestId = q.body.id
  today = chinaToday()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

// the follow-ups of the request as the server has them
async function followUps() {
  const r = await director.get(`/requests/${requestId}`)
  assert.equal(r.status, 200)
  return r.body.follow_ups
}

// schedules a follow-up through the form: the day (else the default) and a note
async function schedule(p, { due, note } = {}) {
  await p.locator('.fu-schedule').click()
  const dlg = p.locator('.fu-dialog')
  await dlg.waitFor()
  if (due) await dlg.getByLabel('应回访日期').fill(due)
  if (note) await dlg.getByLabel('备注（选填）').fill(note)
  await dlg.locator('.fu-submit').click()
  return dlg
}

test('director: schedules follow-ups on the request page, a wrong day is refused on the field, one is cancelled; the visit from the 回访 list completes the other', async () => {
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/${requestId}` })
  const section = page.locator('.req-follow-ups')
  await section.locator('.fu-none', { hasText: '尚未安排回访' }).waitFor()

  // the form: a week from today by default, tomorrow to a year ahead offered
  await section.locator('.fu-schedule', { hasText: '安排回访' }).click()
  const dlg = page.getByRole('dialog', { name: '安排回访' })
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.fu-child')), `儿童：${CHILD}`)
  const due = dlg.getByLabel('应回访日期')
  assert.equal(await due.inputValue(), addDays(today, 7), 'due a week from today by default')
  assert.equal(await due.getAttribute('min'), addDays(today, 1), 'tomorrow at the earliest')
  assert.ok((await due.getAttribute('max')) >= addDays(today, 365), await due.getAttribute('max'))
  assert.ok((await due.getAttribute('max')) <= addDays(today, 366), await due.getAttribute('max'))

  // today (a visit could only complete it once overdue): stopped on the date field, nothing sent
  let posts = 0
  page.on('request', (r) => r.method() === 'POST' && r.url().endsWith(`/requests/${requestId}/follow-ups`) && posts++)
  await due.fill(today)
  await dlg.locator('.fu-submit').click()
  await dlg
    .locator('.el-form-item.is-error', { hasText: '应回访日期' })
    .locator('.el-form-item__error', { hasText: '应回访日期须在明天到一年之内' })
    .waitFor()
  // more than a year ahead: the same
  await due.fill(addDays(today, 400))
  await dlg.locator('.fu-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '应回访日期须在明天到一年之内' }).waitFor()
  assert.equal(posts, 0, 'a wrong day is not sent')
  assert.equal(await hasHorizontalScroll(page), false, 'the form scrolls sideways at 360 px')

  // corrected (the default day) with a note, counted as it is typed
  await due.fill(addDays(today, 7))
  await dlg.getByLabel('备注（选填）').fill('了解助学金是否到位')
  await dlg.locator('.counter', { hasText: '9 / 200 字' }).waitFor()
  await shot(page, 'follow-up-form-360')
  await dlg.locator('.fu-submit').click()
  await page.locator('.el-message', { hasText: `已安排回访，应回访日期 ${addDays(today, 7)}` }).waitFor()
  await dlg.waitFor({ state: 'hidden' })
  assert.equal(posts, 1)
  const first = (await followUps())[0]
  assert.equal(first.state, 'open')
  assert.equal(first.due_on, addDays(today, 7))
  const item = section.locator(`.fu-item[data-id="${first.id}"]`)
  await item.waitFor()
  assert.equal(await text(item.locator('.fu-state')), '待回访')
  assert.equal(await text(item.locator('.fu-due')), addDays(today, 7))
  assert.equal(await text(item.locator('.fu-note')), '了解助学金是否到位')
  assert.equal(await text(item.locator('.fu-by')), `花园社区儿童主任（演示） 于 ${today} 安排`)

  // a second one, due in 30 days; then cancelled after the confirmation
  await schedule(page, { due: addDays(today, 30) })
  await page.locator('.fu-dialog').waitFor({ state: 'hidden' })
  await section.locator('.fu-item').nth(1).waitFor()
  const second = (await followUps()).find((f) => f.id !== first.id)
  const other = section.locator(`.fu-item[data-id="${second.id}"]`)
  await other.locator('.fu-state', { hasText: '待回访' }).waitFor()
  assert.equal(await hasHorizontalScroll(page), false, 'the request page scrolls sideways at 360 px')
  await shot(page, 'follow-ups-request-360', { fullPage: true })
  await other.locator('.fu-cancel', { hasText: '取消回访' }).click()
  const box = page.locator('.fu-cancel-box')
  await box.waitFor()
  assert.ok((await text(box.locator('.el-message-box__message'))).includes(addDays(today, 30)))
  await box.getByRole('button', { name: '保留' }).click()
  await box.waitFor({ state: 'hidden' })
  assert.equal((await followUps()).find((f) => f.id === second.id).state, 'open', 'kept when not confirmed')
  await other.locator('.fu-cancel').click()
  await box.waitFor()
  await box.locator('.fu-cancel-ok').click()
  await page.locator('.el-message', { hasText: '回访已取消' }).waitFor()
  await other.locator('.fu-state', { hasText: '已取消' }).waitFor()
  assert.equal(await other.locator('.fu-cancel').count(), 0, 'a cancelled follow-up offers no cancel')
  assert.equal((await followUps()).find((f) => f.id === second.id).state, 'cancelled')
  await settled(page)

  // the visit plan's 回访 list: the open one, with its child, village, note and request
  await page.goto(srv.base + '/visits')
  const list = page.locator('.visit-follow-ups')
  await list.locator('.vf-counts').waitFor()
  assert.equal(await list.locator('.chip[data-fu="open"]').getAttribute('aria-pressed'), 'true')
  const row = list.locator(`.vf-item[data-id="${first.id}"]`)
  await row.waitFor()
  assert.equal(await list.locator(`.vf-item[data-id="${second.id}"]`).count(), 0, 'the cancelled one is not open')
  const counts = (await director.get('/follow-ups')).body.counts
  assert.equal(counts.open, 1)
  assert.equal(await text(list.locator('[data-count="open"]')), '待回访 1')
  assert.equal(await text(list.locator('[data-count="overdue"]')), `已逾期 ${counts.overdue}`)
  assert.equal(await text(list.locator('[data-count="done_30d"]')), `近30天完成 ${counts.done_30d}`)
  assert.equal(await text(row.locator('.vf-name')), CHILD)
  assert.equal(await row.locator('.vf-name').getAttribute('href'), `/children/${childId}`)
  await row.locator('.vf-village', { hasText: '花园社区' }).waitFor()
  assert.equal(await text(row.locator('.vf-due')), addDays(today, 7))
  assert.equal(await text(row.locator('.vf-state')), '待回访')
  assert.equal(await text(row.locator('.vf-note')), '了解助学金是否到位')
  assert.equal(await row.locator('.vf-request').getAttribute('href'), `/requests/${requestId}`)
  assert.equal(await text(row.locator('.vf-request')), `求助 #${requestId}`)
  assert.equal(await text(row.locator('.vf-kind')), '就学 ·', 'the request named by its kind')
  // the overdue, done and all views: the filter is in the URL
  await list.locator('.chip[data-fu="all"]').click()
  await page.waitForURL(/fu=all/)
  await list.locator(`.vf-item[data-id="${second.id}"] .vf-state`, { hasText: '已取消' }).waitFor()
  await list.locator('.chip[data-fu="open"]').click()
  await page.waitForURL((u) => !u.searchParams.has('fu'))
  await row.waitFor()
  await settled(page)
  assert.equal(await hasHorizontalScroll(page), false, 'the visit plan scrolls sideways at 360 px')
  await shot(page, 'follow-ups-visits-360', { fullPage: true })

  // time passes: it was scheduled three days ago (a visit on the day it is
  // scheduled does not do it; one in the week before its day does)
  execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), `UPDATE follow_ups SET created_on = '${addDays(today, -3)}' WHERE id = ${first.id}`])

  // 记录走访 from the list: the visit form of the child; the follow-up is done
  await row.locator('.vf-visit', { hasText: '记录走访' }).click()
  const visit = page.getByRole('dialog', { name: '记录走访' })
  await visit.waitFor()
  assert.equal(await visit.getByLabel('走访日期').inputValue(), today)
  await visit.getByLabel('发现情况').fill('回访：助学金已到位，孩子按时上学。')
  await visit.getByRole('button', { name: '保存走访' }).click()
  await page.locator('.el-message', { hasText: '走访已记录；完成回访 1 项' }).waitFor()
  await visit.waitFor({ state: 'hidden' })
  await row.waitFor({ state: 'detached' })
  await list.locator('.vf-empty', { hasText: '目前没有待回访' }).waitFor()
  await list.locator('[data-count="open"]', { hasText: '待回访 0' }).waitFor()
  assert.equal(await text(list.locator('[data-count="done_30d"]')), `近30天完成 ${counts.done_30d + 1}`)
  await list.locator('.chip[data-fu="done"]').click()
  await list.locator(`.vf-item[data-id="${first.id}"] .vf-state`, { hasText: '已完成' }).waitFor()
  assert.equal(await text(list.locator(`.vf-item[data-id="${first.id}"] .vf-done`)), today)
  await settled(page)

  // the request page: 已完成, visited today
  await page.goto(srv.base + `/requests/${requestId}`)
  const done = page.locator(`.req-follow-ups .fu-item[data-id="${first.id}"]`)
  await done.locator('.fu-state', { hasText: '已完成' }).waitFor()
  assert.equal(await text(done.locator('.fu-done')), `已于 ${today} 走访`)
  assert.equal(await done.locator('.fu-cancel').count(), 0)
  const server = (await followUps()).find((f) => f.id === first.id)
  assert.equal(server.state, 'done')
  assert.equal(server.done_on, today)
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test("the server's refusal of the day shows on the field (the device's calendar a day behind)", async () => {
  // the device thinks it is yesterday: the form offers today (its tomorrow), the server refuses it
  await page.clock.setFixedTime(new Date(Date.now() - 86400e3))
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/${requestId}` })
  const before = (await followUps()).length
  await page.locator('.fu-schedule').click()
  const dlg = page.getByRole('dialog', { name: '安排回访' })
  await dlg.waitFor()
  await dlg.getByLabel('应回访日期').fill(today)
  await dlg.locator('.fu-submit').click()
  await dlg
    .locator('.el-form-item.is-error', { hasText: '应回访日期' })
    .locator('.el-form-item__error', { hasText: '应回访日期须在明天到一年之内' })
    .waitFor()
  assert.ok(page.failures.some((f) => f.startsWith('422 POST') && f.includes(`/requests/${requestId}/follow-ups`)), page.failures.join('\n'))
  assert.equal((await followUps()).length, before, 'nothing was scheduled')
  assert.equal(await dlg.isVisible(), true, 'the form stays open')
  await settled(page)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('a follow-up left open past its day: counted in red on the home page, 回访逾期提醒 in red in the director\'s messages, leading to the request', async () => {
  const q = await director.post('/requests', { child_id: childId, kind: 'living_hardship', narrative: '家中困难（回访提醒测试）' })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  const f = await director.post(`/requests/${q.body.id}/follow-ups`, { due_on: addDays(today, 1), note: '看看孩子的生活' })
  assert.equal(f.status, 201, JSON.stringify(f.body))
  // time passes: its day was yesterday; then the overdue scan
  const file = srv.db.replace(/^sqlite:/, '')
  execFileSync('sqlite3', [file, `UPDATE follow_ups SET due_on = '${addDays(today, -1)}', created_on = '${addDays(today, -5)}' WHERE id = ${f.body.id}`])
  execFileSync(BIN, ['deadlines', '--db', srv.db, '--key-file', srv.dir + '/k.key'], { stdio: ['ignore', 'ignore', 'pipe'] })

  // the home page counts the follow-ups, the overdue in red, and leads to them
  await loginAs(page, srv.base, 'director', { path: '/login?next=/' })
  const counts = (await director.get('/follow-ups?state=overdue&limit=1')).body.counts
  assert.ok(counts.overdue >= 1)
  const due = page.locator('.visits-card .fu-due')
  await due.waitFor()
  assert.equal(await text(due), `回访：${counts.open} 条待回访，其中 ${counts.overdue} 条已逾期`)
  assert.ok((await due.getAttribute('class')).includes('late'))
  await due.locator('a').click()
  await page.waitForURL(/\/visits\?fu=overdue/)
  await page.locator(`.vf-item`, { hasText: '看看孩子的生活' }).waitFor()

  await page.goto(srv.base + '/inbox')
  const msg = page.locator(`.msg[data-event="follow_up.overdue"]`, { hasText: `#${q.body.id}` })
  await msg.waitFor()
  assert.match(await text(msg), /回访逾期提醒/)
  assert.match(await text(msg), /环节：回访/)
  assert.equal(await text(msg.locator('.m-kind')), '生活困难 ·', 'the request named by its kind')
  assert.match(await text(msg), new RegExp(`应回访日期 ${addDays(today, -1)}`), 'the follow-up\'s day')
  assert.ok((await msg.getAttribute('class')).includes('alert'), 'shown as an alert')
  assert.ok(Number(await page.locator('.bell-count').textContent()) >= 1)
  assert.equal(await hasHorizontalScroll(page), false)
  await shot(page, 'followup-alert-inbox')
  await msg.locator('a').click()
  await page.waitForURL(new RegExp(`/requests/${q.body.id}$`))
  const item = page.locator('.fu-item').first()
  await item.waitFor()
  assert.match(await text(item), /看看孩子的生活/)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the committee reads the request without 回访; a school has no 回访 list; no sideways scrolling in either language', async () => {
  await loginAs(page, srv.base, 'committee', { path: `/login?next=/requests/${requestId}` })
  await page.locator('.req-state').waitFor()
  await settled(page)
  assert.equal(await page.locator('.req-follow-ups').count(), 0)
  assert.equal(await page.locator('.fu-schedule').count(), 0, 'the committee gets no 安排回访 button')
  assert.deepEqual(unexpectedErrors(page), [])

  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
  await loginAs(page, srv.base, 'school', { path: '/login?next=/visits' })
  await page.locator('main h1', { hasText: '走访计划' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('.visit-follow-ups').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])

  // the director's pages at 360 px, in English too
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
  await loginAs(page, srv.base, 'director', { path: '/login?next=/visits?fu=all' })
  for (const lang of ['zh-CN', 'en']) {
    await page.evaluate((l) => localStorage.setItem('wb.locale', l), lang)
    for (const path of ['/visits?fu=all', `/requests/${requestId}`]) {
      await page.goto(srv.base + path)
      await page.locator(path.startsWith('/visits') ? '.vf-item' : '.fu-item').first().waitFor()
      await settled(page)
      assert.equal(await hasHorizontalScroll(page), false, `${path} (${lang}) scrolls sideways at 360 px`)
    }
  }
  await page.locator('.fu-schedule', { hasText: 'Schedule a follow-up' }).waitFor()
  await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  assert.deepEqual(unexpectedErrors(page), [])
})
