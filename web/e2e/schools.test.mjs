// Schools (学校, SPEC §5) in the browser: a school keeps its activity
// station and counselling room, records a group and an individual
// counselling session — the form first says what is missing and sends
// nothing — and sees them listed with their notes; a session that refers
// the pupil on offers the help request for the pupil; the pupil's page
// lists the session. The centre sees the school in the county's list with
// its new figures (the API's), the session without its notes, narrowed to
// a concern. A child director registers a caring mother (爱心妈妈), pairs
// her with one of the village's children, finds her on the child's page,
// cannot let her leave while paired (409, said clearly), ends the pairing
// and then can. A township's mother whose child has moved to another
// township: the pairing shows a child outside the area, unnamed, and is
// ended from there; then she leaves. The home page's cards: the centre's schools (the last 90
// days' sessions), caring mothers and supporting programmes, each figure the
// API's; a school its own sessions and referrals; a director the caring
// mothers only; a figure that fails leaves its card without it. The schools
// page in English. No horizontal scrolling at 360 px, in both languages.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaToday,
  openNav,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001' // 花园社区, the director's (泗河街道)
const SCHOOL = '泗河街道第一小学' // the demo's school01, the school account's
const PUPIL = '辅导测试学生'
const CARED = '结对测试儿童'
const MOVED = '迁出测试儿童'
const FAR_VILLAGE = '370831101201' // a village of another township (director2's)
const MOTHER = '李桂兰'
const GROUP_NOTES = '五年级团体辅导：同伴交往'
const PUPIL_NOTES = '父母外出务工，近期情绪低落'
let srv, browser, page, school, center, director, schoolId, pupil, cared

// Waits until a school's counselling has answered for the period.
async function counselShown(p, from, to) {
  await p.locator('.sp-period', { hasText: `${from} 至 ${to}` }).waitFor()
  await p.locator('.sp-totals').waitFor()
  await settled(p)
}
// a count as shown, its thousands grouped (9,311): the number, or NaN
// when it is written otherwise (9311)
const shownCount = (s) => (/^\d{1,3}(,\d{3})*$/.test(s) ? Number(s.replace(/,/g, '')) : NaN)
async function figures(p, sel, names) {
  const out = {}
  for (const f of names) out[f] = shownCount(await text(p.locator(`${sel} [data-figure="${f}"] .tot-num`)))
  return out
}

async function newChild(api, name, extra = {}) {
  const r = await api.post('/children', { name, sex: 'F', birth_date: '2015-03-04', village_code: VILLAGE, ...extra })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  school = await apiSession(srv.base, 'school')
  center = await apiSession(srv.base, 'center')
  director = await apiSession(srv.base, 'director')
  const station = await apiSession(srv.base, 'station')
  schoolId = (await school.get('/me')).body.membership.unit_id
  // a pupil of the school (the demo's school has none), and a child of the
  // director's village for the caring mother
  pupil = await newChild(station, PUPIL, { school_id: schoolId })
  cared = await newChild(station, CARED)
  // the school starts without rooms: the test sets them up
  const r = await school.put(`/schools/${schoolId}/rooms`, { activity_station: false, counselling_room: false, counsellors: 0 })
  assert.equal(r.status, 200, JSON.stringify(r.body))
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('school: keeps its rooms, records a group and an individual session and sees them with their notes; a referral offers the help request', async () => {
  await loginAs(page, srv.base, 'school')
  await openNav(page, '学校')
  await page.waitForURL((u) => u.pathname === '/schools')
  assert.match(await page.title(), /^学校 · /)
  const list = (await school.get('/schools')).body
  await page.locator('.sl-period', { hasText: `${list.from} 至 ${list.to}` }).waitFor()
  await settled(page)
  // only itself
  assert.equal(await page.locator('.sl-row').count(), 1)
  const row = page.locator(`.sl-row[data-id="${schoolId}"]`)
  assert.equal(await text(row.locator('.sl-open')), SCHOOL)
  assert.equal(await text(row.locator('.sl-township')), '泗河街道')
  assert.equal(await row.locator('[data-room="activity_station"]').getAttribute('data-has'), '0')
  assert.equal(await row.locator('[data-room="counselling_room"]').getAttribute('data-has'), '0')

  // its page: the rooms, kept here
  await row.locator('.sl-open').click()
  await page.waitForURL((u) => u.pathname === `/schools/${schoolId}`)
  const c0 = (await school.get(`/schools/${schoolId}/counselling`)).body
  await counselShown(page, c0.from, c0.to)
  assert.equal(await text(page.locator('main h1')), SCHOOL)
  assert.equal(await text(page.locator('.sr-station')), '无')
  assert.equal(await text(page.locator('.sr-room')), '无')
  await page.locator('.sp-edit-rooms').click()
  const rooms = page.locator('.rooms-dialog')
  await rooms.waitFor()
  assert.equal(await text(rooms.locator('.el-dialog__title')), '儿童活动站和心理辅导室')
  await rooms.locator('.rd-station').click()
  await rooms.locator('.rd-room').click()
  await rooms.locator('#rd-counsellors').fill('3')
  await rooms.locator('#rd-opened').fill('2024-09-01')
  await rooms.locator('.rd-submit').click()
  await page.locator('.el-message', { hasText: '场所已保存' }).waitFor()
  await rooms.waitFor({ state: 'hidden' })
  await page.locator('.sr-counsellors', { hasText: '3' }).waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.sr-station')), '有')
  assert.equal(await text(page.locator('.sr-room')), '有')
  assert.equal(await text(page.locator('.sr-opened')), '2024-09-01')
  const mine = (await school.get('/schools')).body.items[0].rooms
  assert.deepEqual([mine.activity_station, mine.counselling_room, mine.counsellors, mine.opened_on], [true, true, 3, '2024-09-01'])

  // the form says what is missing and sends nothing
  await page.locator('.sp-record').click()
  const dlg = page.locator('.counsel-dialog')
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.el-dialog__title')), '记录心理辅导')
  assert.equal(await dlg.locator('#cd-date').inputValue(), chinaToday())
  assert.deepEqual(
    (await dlg.locator('.cd-topic .el-radio').allTextContents()).map((s) => s.trim()),
    ['情绪', '学业', '家庭', '同伴关系', '欺凌', '安全', '其他'],
  )
  let asked = 0
  const count = (r) => r.url().endsWith(`/api/v1/schools/${schoolId}/counselling`) && r.method() === 'POST' && asked++
  page.on('request', count)
  await dlg.locator('.cd-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '请选择辅导主题' }).waitFor()
  await dlg.locator('.el-form-item__error', { hasText: '个体辅导请查找并选择一名学生' }).waitFor()
  await dlg.locator('.cd-mode-group').click()
  await dlg.locator('#cd-pupils').fill('1')
  await dlg.locator('.cd-topic-peers').click()
  await dlg.locator('.cd-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '团体辅导请填写 2 至 2000 名学生' }).waitFor()
  assert.equal(asked, 0)
  page.off('request', count)

  // a group session
  await dlg.locator('#cd-pupils').fill('36')
  await dlg.locator('#cd-notes').fill(GROUP_NOTES)
  await dlg.locator('.cd-submit').click()
  await page.locator('.el-message', { hasText: '心理辅导已记录' }).waitFor()
  await dlg.waitFor({ state: 'hidden' })
  const group = page.locator('.sp-row[data-mode="group"]', { hasText: GROUP_NOTES })
  await group.waitFor()
  assert.equal(await page.locator('.sp-referred').count(), 0, 'no referral, no offer')

  // an individual session: the pupil found by name; the concern is a referral
  await page.locator('.sp-record').click()
  await dlg.waitFor()
  assert.equal(await dlg.locator('#cd-notes').inputValue(), '', 'a new form')
  await dlg.locator('#cd-q').fill('辅导测试')
  await dlg.locator('.cd-search').click()
  await dlg.locator(`.cs-option[data-child="${pupil.id}"].on`).waitFor()
  await dlg.locator('.cd-topic-family').click()
  await dlg.locator('.cd-concern-refer').click()
  await dlg.locator('#cd-notes').fill(PUPIL_NOTES)
  await shot(page, 'counsel-dialog')
  await dlg.locator('.cd-submit').click()
  // the first session's message may still be showing: the newest one
  await page.locator('.el-message', { hasText: '心理辅导已记录' }).last().waitFor()
  await dlg.waitFor({ state: 'hidden' })
  const one = page.locator('.sp-row[data-mode="individual"]', { hasText: PUPIL_NOTES })
  await one.waitFor()
  await settled(page)

  // listed with the day, form, topic, pupils, the pupil, the concern, who and the notes
  const heads = (await page.locator('.sp-table thead th').allTextContents()).map((s) => s.trim())
  assert.deepEqual(heads, ['辅导日期', '辅导形式', '辅导主题', '人数', '学生', '关注程度', '记录人', '辅导记录', '更正'], 'the last column corrects a session (作废)')
  assert.equal(await text(group.locator('.cs-date')), chinaToday())
  assert.equal(await text(group.locator('.cs-mode')), '团体辅导')
  assert.equal(await text(group.locator('.cs-topic')), '同伴关系')
  assert.match(await text(group.locator('.cs-pupils')), /36$/)
  assert.equal(await text(group.locator('.cs-child')), '')
  assert.equal(await text(group.locator('.cs-concern')), '无')
  assert.equal(await text(group.locator('.cs-notes')), GROUP_NOTES)
  assert.equal(await text(one.locator('.cs-mode')), '个体辅导')
  assert.equal(await text(one.locator('.cs-topic')), '家庭')
  assert.equal(await text(one.locator('.cs-child-link')), PUPIL)
  assert.equal(await text(one.locator('.cs-concern')), '需转介')
  assert.match((await one.locator('.cs-concern-tag').getAttribute('class')) || '', /tag-danger/)
  assert.match(await text(one.locator('.cs-by')), /泗河街道第一小学（演示）$/)
  assert.equal(await text(one.locator('.cs-notes')), PUPIL_NOTES)
  const c1 = (await school.get(`/schools/${schoolId}/counselling`)).body
  assert.deepEqual(c1.totals, {
    sessions: c0.totals.sessions + 2,
    individual: c0.totals.individual + 1,
    attended: c0.totals.attended + 37,
    referred: c0.totals.referred + 1,
  })
  assert.deepEqual(await figures(page, '.sp-totals', ['sessions', 'individual', 'attended', 'referred']), c1.totals)
  await shot(page, 'school-counselling')


  // the referral offers the help request for the pupil
  const offer = page.locator('.sp-referred')
  assert.match(await text(offer), new RegExp(`^${PUPIL} 的辅导已记为需转介`))
  await offer.locator('.sp-help', { hasText: '为该学生发起求助' }).click()
  await page.waitForURL((u) => u.pathname === '/requests/new' && u.searchParams.get('child') === String(pupil.id))
  await page.locator('.req-child-name', { hasText: PUPIL }).waitFor()

  // the pupil's page lists the session, with its notes for the school
  await page.goBack()
  await one.locator('.cs-child-link').click()
  await page.waitForURL((u) => u.pathname === `/children/${pupil.id}`)
  const care = page.locator('.child-care')
  const s = care.locator('.cc-session').first()
  await s.waitFor()
  assert.equal(await text(s.locator('.cc-topic')), '个体辅导 · 家庭')
  assert.equal(await text(s.locator('.cc-concern')), '需转介')
  assert.equal(await text(s.locator('.cc-notes')), PUPIL_NOTES)
  assert.equal(await text(care.locator('.cc-none')), '目前没有结对的爱心妈妈')

  // a session saved twice: voided with the reason, kept and marked, the figures without it
  const dup = await school.post(`/schools/${schoolId}/counselling`, { held_on: chinaToday(), mode: 'group', topic: 'safety', pupils: 9 })
  assert.equal(dup.status, 201)
  await page.goto(srv.base + `/schools/${schoolId}`)
  await page.locator('.sp-totals').waitFor()
  const dupRow = page.locator(`.sp-row[data-id="${dup.body.id}"]`)
  await dupRow.locator('.cs-void').click()
  const box = page.locator('.cs-void-box')
  await box.waitFor()
  await box.locator('input').fill('重复保存')
  await box.locator('.cs-void-ok').click()
  await page.locator('.el-message', { hasText: '辅导记录已作废' }).waitFor()
  await dupRow.locator('.cs-void-tag', { hasText: '已作废' }).waitFor()
  assert.match(await text(dupRow.locator('.cs-void-why')), /作废：重复保存$/)
  assert.deepEqual(await figures(page, '.sp-totals', ['sessions', 'individual', 'attended', 'referred']), c1.totals, 'the voided one is not counted')
  assert.deepEqual(unexpectedErrors(page), [])
})

test("centre: the school's new figures in the county's list; its sessions without notes, narrowed to a concern", async () => {
  const all = (await center.get('/schools')).body
  const mine = all.items.find((s) => s.id === schoolId)
  assert.ok(mine.counselling.sessions >= 2 && mine.counselling.referred >= 1, JSON.stringify(mine))
  await loginAs(page, srv.base, 'center')
  await openNav(page, '学校')
  await page.waitForURL((u) => u.pathname === '/schools')
  await page.locator('.sl-period', { hasText: `${all.from} 至 ${all.to}` }).waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.sl-count')), `· ${all.items.length} 所学校`)
  assert.equal(await page.locator('.sl-row').count(), all.items.length)
  assert.deepEqual(await figures(page, '.sl-totals', Object.keys(all.totals)), all.totals)
  const row = page.locator(`.sl-row[data-id="${schoolId}"]`)
  assert.equal(await text(row.locator('.sl-code')), 'school01')
  assert.equal(await row.locator('[data-room="activity_station"]').getAttribute('data-has'), '1')
  assert.equal(await row.locator('[data-room="counselling_room"]').getAttribute('data-has'), '1')
  const fig = async (f) => shownCount(await text(row.locator(`[data-figure="${f}"] .sl-num`)))
  assert.equal(await fig('counsellors'), 3)
  assert.equal(await fig('pupils'), mine.pupils)
  assert.equal(await fig('sessions'), mine.counselling.sessions)
  assert.equal(await fig('attended'), mine.counselling.attended)
  assert.equal(await fig('referred'), mine.counselling.referred)
  assert.equal(await fig('paired'), mine.paired)
  await shot(page, 'schools')

  // the school's sessions: named within the centre's scope, never the notes
  await row.locator('.sl-open').click()
  await page.waitForURL((u) => u.pathname === `/schools/${schoolId}`)
  const c = (await center.get(`/schools/${schoolId}/counselling`)).body
  assert.ok(c.items.every((x) => !('notes' in x)))
  await counselShown(page, c.from, c.to)
  assert.equal(await page.locator('.sp-row').count(), c.items.length)
  assert.equal(await page.locator('.sp-record').count(), 0, 'the centre records no session')
  assert.equal(await text(page.locator('.sr-counsellors')), '3')
  const heads = (await page.locator('.sp-table thead th').allTextContents()).map((s) => s.trim())
  assert.ok(!heads.includes('辅导记录'), heads.join(' '))
  const one = page.locator('.sp-row[data-mode="individual"]', { hasText: PUPIL })
  await one.waitFor()
  assert.equal(await text(one.locator('.cs-concern')), '需转介')
  const body = await text(page.locator('main'))
  assert.ok(!body.includes(PUPIL_NOTES) && !body.includes(GROUP_NOTES), 'no notes for the centre')

  // narrowed to the referrals
  await page.locator('.chip[data-concern="refer"]').click()
  await page.waitForURL((u) => u.searchParams.get('concern') === 'refer')
  const refer = (await center.get(`/schools/${schoolId}/counselling?concern=refer`)).body
  await page.waitForFunction((n) => document.querySelectorAll('.sp-row').length === n, refer.items.length)
  await settled(page)
  assert.deepEqual([...new Set(await page.locator('.sp-row').evaluateAll((rs) => rs.map((r) => r.dataset.concern)))], ['refer'])
  assert.deepEqual(await figures(page, '.sp-totals', ['sessions', 'individual', 'attended', 'referred']), refer.totals)
  assert.deepEqual(unexpectedErrors(page), [])
})

test("director: registers a caring mother, pairs her with a child of the village, finds her on the child's page, ends the pairing", async () => {
  await loginAs(page, srv.base, 'director')
  await openNav(page, '爱心妈妈')
  await page.waitForURL((u) => u.pathname === '/caring-mothers')
  assert.match(await page.title(), /^爱心妈妈 · /)
  await page.locator('.cm-empty', { hasText: '还没有爱心妈妈' }).waitFor()
  assert.equal(await text(page.locator('.cm-place')), '花园社区')

  // the form says what is missing
  await page.locator('.cm-new').click()
  const dlg = page.locator('.mother-dialog')
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.el-dialog__title')), '登记爱心妈妈')
  assert.equal(await dlg.locator('#md-joined').inputValue(), chinaToday())
  assert.equal(await dlg.locator('.md-village').count(), 0, 'a director registers for the own village')
  await dlg.locator('.md-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '姓名为 1 至 30 个字' }).waitFor()
  await dlg.locator('#md-name').fill(MOTHER)
  await dlg.locator('#md-phone').fill('13912345678')
  await dlg.locator('#md-notes').fill('村小学退休教师')
  await dlg.locator('.md-submit').click()
  await page.locator('.el-message', { hasText: `已登记爱心妈妈 ${MOTHER}` }).waitFor()
  await page.waitForURL((u) => /^\/caring-mothers\/\d+$/.test(u.pathname))
  await page.locator('main h1', { hasText: MOTHER }).waitFor()
  await settled(page)
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  assert.equal(await text(page.locator('.mp-active')), '在册')
  assert.equal(await text(page.locator('.mp-place')), '泗河街道 花园社区')
  assert.equal(await text(page.locator('.mp-phone')), '13912345678')
  assert.equal(await text(page.locator('.mp-joined')), chinaToday())
  assert.equal(await text(page.locator('.mp-notes')), '村小学退休教师')
  assert.equal(await text(page.locator('.mp-no-pairs')), '目前没有结对儿童')

  // paired with a child of the village, found by name
  await page.locator('.mp-pair').click()
  const pd = page.locator('.pair-dialog')
  await pd.waitFor()
  assert.equal(await text(pd.locator('.dlg-subject')), `爱心妈妈：${MOTHER}`)
  await pd.locator('#pd-q').fill(CARED)
  await pd.locator('.pd-search').click()
  await pd.locator(`.cs-option[data-child="${cared.id}"].on`).waitFor()
  assert.equal(await pd.locator('#pd-started').inputValue(), chinaToday())
  await pd.locator('.pd-submit').click()
  await page.locator('.el-message', { hasText: `已与 ${CARED} 结对` }).waitFor()
  await pd.waitFor({ state: 'hidden' })
  const item = page.locator(`.mp-item[data-child="${cared.id}"]`)
  await item.waitFor()
  assert.equal(await text(item.locator('.mi-name')), CARED)
  assert.equal(await text(item.locator('.mi-village')), '花园社区')
  assert.equal(await text(item.locator('.mi-since')), `${chinaToday()} 起`)
  assert.equal(await text(page.locator('.mp-pairs')), '1')

  // she cannot leave while paired: said clearly
  await page.locator('.mp-deactivate').click()
  await page.locator('.mp-action-err', { hasText: '她还有结对儿童：请先结束结对，再停用' }).waitFor()
  assert.equal(await text(page.locator('.mp-active')), '在册')
  assert.equal((await director.get(`/caring-mothers/${id}`)).body.active, true)

  // the child's page names her, opening her page
  await item.locator('.mi-name').click()
  await page.waitForURL((u) => u.pathname === `/children/${cared.id}`)
  const care = page.locator('.child-care')
  await care.locator('.cc-mother').waitFor()
  assert.equal(await text(care.locator('h2')), '关爱帮扶')
  assert.equal(await text(care.locator('.cc-name')), MOTHER)
  assert.equal(await text(care.locator('.cc-since')), `${chinaToday()} 起`)
  assert.equal(await care.locator('.cc-session, .cc-no-sessions').count(), 0, 'no counselling for a director')
  await care.locator('.cc-name').click()
  await page.waitForURL((u) => u.pathname === `/caring-mothers/${id}`)

  // the pairing ends, with a note
  await page.locator(`.mp-item[data-child="${cared.id}"] .mi-end`).click()
  await pd.waitFor()
  assert.equal(await text(pd.locator('.pd-child')), CARED)
  await pd.locator('#pd-note').fill('儿童随父母外出')
  await pd.locator('.pd-submit').click()
  await page.locator('.el-message', { hasText: `已结束与 ${CARED} 的结对` }).waitFor()
  await page.locator('.mp-no-pairs').waitFor()
  const ended = page.locator(`.me-item[data-child="${cared.id}"]`)
  await ended.waitFor()
  assert.equal(await text(ended.locator('.me-when')), `${chinaToday()} 至 ${chinaToday()}`)
  assert.equal(await text(ended.locator('.me-note')), '儿童随父母外出')
  assert.equal(await text(page.locator('.mp-ended summary')), '已结束的结对（1）')

  // now she may leave
  await page.locator('.mp-deactivate').click()
  await page.locator('.el-message', { hasText: '已停用' }).waitFor()
  await page.locator('.mp-active', { hasText: '已停用' }).waitFor()
  assert.equal(await page.locator('.mp-pair').count(), 0, 'no pairing for an inactive mother')

  // the child's page: she is past
  await ended.locator('.me-name').click()
  await page.waitForURL((u) => u.pathname === `/children/${cared.id}`)
  await care.locator('.cc-none', { hasText: '目前没有结对的爱心妈妈' }).waitFor()
  assert.equal(await text(care.locator('.cc-past-name')), MOTHER)
  assert.equal(await text(care.locator('.cc-past-note')), '儿童随父母外出')

  // the list: her row, the chips' counts
  await openNav(page, '爱心妈妈')
  const row = page.locator(`.cm-row[data-id="${id}"]`)
  await row.waitFor()
  await settled(page)
  assert.equal(await row.getAttribute('data-active'), '0')
  assert.equal(await text(row.locator('.cr-active')), '已停用')
  assert.equal(await text(row.locator('.cr-phone')), '13912345678')
  assert.equal(await text(row.locator('.cr-pairs')), '0')
  const list = (await director.get('/caring-mothers')).body
  assert.equal(await text(page.locator('.chip[data-show="all"] .chip-count')), String(list.totals.mothers))
  assert.equal(await text(page.locator('.chip[data-show="inactive"] .chip-count')), String(list.totals.mothers - list.totals.active))
  await page.locator('.chip[data-show="active"]').click()
  await page.waitForURL((u) => u.searchParams.get('show') === 'active')
  await row.waitFor({ state: 'detached' })
  assert.deepEqual(unexpectedErrors(page, [409]), [])
})

test("station: her child has moved to another township: the pairing shows a child outside the area, unnamed, and still ends; then she leaves", async () => {
  const station = await apiSession(srv.base, 'station')
  const name = '周秀梅'
  const m = await station.post('/caring-mothers', { name, area_code: VILLAGE })
  assert.equal(m.status, 201, JSON.stringify(m.body))
  const kid = await newChild(station, MOVED)
  const p = await station.post(`/caring-mothers/${m.body.id}/pairs`, { child_id: kid.id })
  assert.equal(p.status, 201, JSON.stringify(p.body))
  const pairId = p.body.pairs[0].id
  // the family moves to a village of another township (the centre records it)
  const cur = (await center.get(`/children/${kid.id}`)).body
  const moved = await center.patch(`/children/${kid.id}`, { version: cur.version, village_code: FAR_VILLAGE })
  assert.equal(moved.status, 200, JSON.stringify(moved.body))

  await loginAs(page, srv.base, 'station')
  await page.goto(srv.base + `/caring-mothers/${m.body.id}`)
  await page.locator('main h1', { hasText: name }).waitFor()
  await settled(page)
  assert.equal(await text(page.locator('.mp-pairs')), '1')
  const item = page.locator(`.mp-item[data-id="${pairId}"]`)
  await item.waitFor()
  assert.equal(await text(item.locator('.mi-name')), '本辖区外的儿童')
  assert.equal(await item.getAttribute('data-child'), null, 'no child id on the page')
  assert.equal(await item.locator('a').count(), 0, 'nothing to open')
  assert.equal(await page.locator('main').getByText(MOVED).count(), 0, 'the child is not named')

  // the pairing ends from here
  await item.locator('.mi-end').click()
  const pd = page.locator('.pair-dialog')
  await pd.waitFor()
  assert.equal(await text(pd.locator('.pd-child')), '本辖区外的儿童')
  await pd.locator('#pd-note').fill('随父母迁居外乡镇')
  await pd.locator('.pd-submit').click()
  await page.locator('.el-message', { hasText: '结对已结束' }).waitFor()
  await page.locator('.mp-no-pairs').waitFor()
  const ended = page.locator(`.me-item[data-id="${pairId}"]`)
  await ended.waitFor()
  assert.equal(await text(ended.locator('.me-name')), '本辖区外的儿童')
  assert.equal(await text(ended.locator('.me-note')), '随父母迁居外乡镇')
  assert.equal(await text(page.locator('.mp-pairs')), '0')

  // and she may leave
  await page.locator('.mp-deactivate').click()
  await page.locator('.el-message', { hasText: '已停用' }).waitFor()
  await page.locator('.mp-active', { hasText: '已停用' }).waitFor()
  assert.equal((await station.get(`/caring-mothers/${m.body.id}`)).body.active, false)
  assert.deepEqual(unexpectedErrors(page), [])
})

test("home cards: the centre's schools, caring mothers and supporting programmes, their figures the API's; a school its own sessions; a director the caring mothers only; a failed figure leaves the page whole", async () => {
  // a caring mother of the village paired with a child, so that the figures are not nothing
  const m = await center.post('/caring-mothers', { name: '王秀英', joined_on: chinaToday(), area_code: VILLAGE })
  assert.equal(m.status, 201, JSON.stringify(m.body))
  const p = await center.post(`/caring-mothers/${m.body.id}/pairs`, { child_id: cared.id, started_on: chinaToday() })
  assert.equal(p.status, 201, JSON.stringify(p.body))
  const schools = (await center.get('/schools')).body
  const caring = (await center.get('/caring-mothers?limit=1')).body.totals
  const programmes = (await center.get('/programmes?limit=1')).body.totals
  assert.ok(schools.totals.sessions >= 2 && caring.active >= 1 && caring.paired >= 1, JSON.stringify([schools.totals, caring]))

  await loginAs(page, srv.base, 'center')
  const sc = page.locator('.home-card.schools-card')
  const cc = page.locator('.home-card.caring-card')
  const pc = page.locator('.home-card.programmes-card')
  await sc.locator('.school-sessions').waitFor()
  await cc.locator('.caring-active').waitFor()
  await pc.locator('.programme-ended').waitFor()
  await settled(page)
  // the cards in the menu's order: schools and caring mothers after the talks, the programmes after the projects
  const titles = (await page.locator('.home-grid > .home-card h2').allTextContents()).map((s) => s.trim())
  assert.deepEqual(titles.slice(0, 8), ['全县概览', '月度报告', '走访计划', '宣讲活动', '学校', '爱心妈妈', '应享尽享', '公益项目'])
  assert.equal(titles[8], '帮扶项目')
  assert.equal(await text(sc.locator('h2')), '学校')
  assert.equal(await text(sc.locator('.school-n')), `${schools.items.length} 所学校`)
  assert.equal(await text(sc.locator('.school-sessions')), `近 90 天心理辅导 ${schools.totals.sessions} 次`)
  assert.equal(await sc.locator('.school-referred').count(), 0, "the county's referrals are the schools' own")
  assert.equal(await text(cc.locator('.caring-active')), `${caring.active} 名爱心妈妈在册`)
  assert.equal(await text(cc.locator('.caring-paired')), `结对 ${caring.paired} 名儿童`)
  assert.equal(await text(pc.locator('.programme-ended')), `${programmes.left_behind_ended} 名儿童因父母返乡结束留守`)
  // each opens its page
  for (const [card, link, path] of [
    [sc, '打开学校', '/schools'],
    [cc, '打开爱心妈妈', '/caring-mothers'],
    [pc, '打开帮扶项目', '/programmes'],
  ]) {
    await card.getByRole('link', { name: link }).click()
    await page.waitForURL((u) => u.pathname === path)
    await settled(page)
    await page.goBack()
    await page.waitForURL((u) => u.pathname === '/')
    await card.waitFor()
  }
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])

  // a school: its own sessions and referrals; caring mothers; no programmes
  await resetSession(browser.context, srv.base, page)
  const own = (await school.get('/schools')).body
  assert.equal(own.items.length, 1)
  assert.ok(own.totals.referred >= 1, JSON.stringify(own.totals))
  const ownCaring = (await school.get('/caring-mothers?limit=1')).body.totals
  await loginAs(page, srv.base, 'school')
  await sc.locator('.school-sessions').waitFor()
  await cc.locator('.caring-active').waitFor()
  await settled(page)
  assert.equal(await sc.locator('.school-n').count(), 0)
  assert.equal(await text(sc.locator('.school-sessions')), `近 90 天心理辅导 ${own.totals.sessions} 次`)
  assert.equal(await text(sc.locator('.school-referred')), `需转介 ${own.totals.referred} 次`)
  assert.equal(await text(cc.locator('.caring-active')), `${ownCaring.active} 名爱心妈妈在册`)
  assert.equal(await pc.count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])

  // a child director: the caring mothers of the village, neither schools nor programmes
  await resetSession(browser.context, srv.base, page)
  const village = (await director.get('/caring-mothers?limit=1')).body.totals
  assert.ok(village.active >= 1 && village.paired >= 1, JSON.stringify(village))
  await loginAs(page, srv.base, 'director')
  await cc.locator('.caring-active').waitFor()
  await settled(page)
  assert.equal(await text(cc.locator('h2')), '爱心妈妈')
  assert.equal(await text(cc.locator('.caring-active')), `${village.active} 名爱心妈妈在册`)
  assert.equal(await text(cc.locator('.caring-paired')), `结对 ${village.paired} 名儿童`)
  assert.equal(await sc.count(), 0)
  assert.equal(await pc.count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])

  // the three figures failing: the cards stay, without a figure, and the rest of the page is whole
  await resetSession(browser.context, srv.base, page)
  const fail = (route) => route.fulfill({ status: 500, json: { error: { code: 'internal', message: 'test' } } })
  await page.route('**/api/v1/schools', fail)
  await page.route('**/api/v1/caring-mothers?*', fail)
  await page.route('**/api/v1/programmes?*', fail)
  await loginAs(page, srv.base, 'center')
  await page.locator('.home-card.talks-card .talk-n').waitFor()
  await settled(page)
  for (const card of [sc, cc, pc]) {
    await card.waitFor()
    assert.equal(await card.locator('.home-count').count(), 0)
    assert.equal(await card.locator('.home-actions a').count(), 1)
  }
  assert.ok(await page.locator('.overview-card .ov-cov').isVisible())
  await page.unrouteAll()
  assert.deepEqual(unexpectedErrors(page, [500]), [])
})

test('the schools page in English', async () => {
  await loginAs(page, srv.base, 'center', { path: '/login?next=/schools' })
  await page.locator('.sl-row').first().waitFor()
  await settled(page)
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'Schools' }).waitFor()
  const heads = (await page.locator('.sl-table thead th').allTextContents()).map((s) => s.trim())
  assert.deepEqual(heads, ['Code', 'School', 'Township', 'Activity station', 'Counselling room', 'Counsellors', 'Pupils', 'Sessions', 'Pupils attending', 'Referred', 'Paired with a caring mother'])
  assert.deepEqual(
    (await page.locator('.sl-totals .tot-lbl').allTextContents()).map((s) => s.trim()).slice(0, 2),
    ['Activity stations', 'Counselling rooms'],
  )
  assert.equal(await text(page.locator('.chip[data-preset="recent"] .chip-label')), 'Last 90 days')
  assert.equal(await page.locator('.export-button').getByRole('button', { name: 'Export', exact: true }).count(), 1)
  assert.match(await page.title(), /^Schools · /)
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '学校' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px: the home cards, the caring mothers and a mother, the schools and a school, in both languages', async () => {
  await page.setViewportSize(PHONE)
  const pages = {
    // the home page with the schools, caring mothers and programmes cards
    center: [['/', '.programmes-card .programme-ended', null, null]],
    director: [
      ['/caring-mothers', '.cm-row', '.cm-new', '.mother-dialog'],
      [null, '.mp-edit', '.mp-edit', '.mother-dialog'],
    ],
    school: [
      ['/schools', '.sl-row', null, null],
      [`/schools/${schoolId}`, '.sp-row', '.sp-record', '.counsel-dialog'],
    ],
  }
  for (const [user, steps] of Object.entries(pages)) {
    await resetSession(browser.context, srv.base, page)
    await loginAs(page, srv.base, user)
    for (const lang of ['zh', 'en']) {
      for (const [path, shown, button, dialog] of steps) {
        if (path) await page.goto(srv.base + path)
        else await page.locator('.cr-name').first().click()
        if (lang === 'en' && path === steps[0][0]) await page.getByRole('button', { name: 'English' }).click()
        await page.locator(shown).first().waitFor()
        await settled(page)
        const where = `${user} ${path || 'a mother'} (${lang})`
        assert.equal(await hasHorizontalScroll(page), false, where)
        if (shown !== '.mp-edit') {
          const box = await page.locator(shown).first().boundingBox()
          assert.ok(box.x >= 0 && box.x + box.width <= 360, `${where}: a row of ${JSON.stringify(box)}`)
        }
        if (lang === 'zh' && path === '/caring-mothers') await shot(page, 'caring-mothers-360', { fullPage: true })
        if (button) {
          await page.locator(button).click()
          await page.locator(dialog).waitFor()
          assert.equal(await hasHorizontalScroll(page), false, `${where}: the form`)
          const d = await page.locator(dialog).boundingBox()
          assert.ok(d.x >= 0 && d.x + d.width <= 360, `${where}: the form fits: ${JSON.stringify(d)}`)
          await page.keyboard.press('Escape')
          await page.locator(dialog).waitFor({ state: 'hidden' })
        }
      }
    }
    await page.getByRole('button', { name: '中文' }).click()
    assert.deepEqual(unexpectedErrors(page), [])
  }
})
