// Talks (宣讲活动, 讲 — SPEC §5) in the browser: a child director records a
// talk — the form says what is wrong on its field and sends nothing — and
// sees it first in the list, the totals grown by its attendance, and this
// month's count on the home card; a talk of an earlier day widens the
// period to show it. The director corrects a talk's attendance and sees
// the new figure, then deletes it after a confirmation and it is gone; a
// talk someone else recorded offers neither. The station sees the
// director's talk in its list,
// narrowed to the village, records one for another village with the place
// picker, and finds both in the villages' scorecard (宣讲场次, 宣讲参加人次).
// The committee reads the county's talks and records, corrects and removes
// none; a school's talk
// is named by the school. No horizontal scrolling at 360 px, in both
// languages.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  pickOption,
  settled,
  shot,
  unexpectedErrors,
  text,
  chinaToday,
  openNav,
  discardTyped,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831001001' // 花园社区, the director's
const TOWNSHIP = '370831001' // 泗河街道, the station's
const TOPIC = '防溺水安全家长课堂（测试）'
const OTHER_TOPIC = '预防校园欺凌（乡镇测试）'
const EDIT_TOPIC = '网络安全进村（修改测试）'
let srv, browser, page, director, station, committee, other

const daysAgo = (n) => new Date(Date.now() + 8 * 3600e3 - n * 86400e3).toISOString().slice(0, 10)

// Waits until the list shows a period and has settled.
async function listShown(p, from, to) {
  await p.locator('.tk-period', { hasText: `${from} 至 ${to}` }).waitFor()
  await p.locator('.tk-totals').waitFor()
  await settled(p)
}
async function totalsShown(p) {
  // a count as shown, its thousands grouped (18,589): else NaN
  const n = async (f) => {
    const s = await text(p.locator(`.tk-totals [data-figure="${f}"] .tot-num`))
    return /^\d{1,3}(,\d{3})*$/.test(s) ? Number(s.replace(/,/g, '')) : NaN
  }
  return { talks: await n('talks'), children: await n('children'), adults: await n('adults') }
}

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  director = await apiSession(srv.base, 'director')
  station = await apiSession(srv.base, 'station')
  committee = await apiSession(srv.base, 'committee')
  // a village of the township other than the director's, with its name
  const villages = (await station.get(`/areas?parent=${TOWNSHIP}&limit=1000`)).body.items
  other = villages.find((v) => v.code !== VILLAGE && v.code.length === 12)
  assert.ok(other, 'the township has another village')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('director: records a talk — the form first says what is missing — and sees it in the list, the totals and the home card', async () => {
  const before = (await director.get('/talks')).body
  await loginAs(page, srv.base, 'director')
  await openNav(page, '宣讲活动')
  await page.waitForURL((u) => u.pathname === '/talks')
  assert.match(await page.title(), /^宣讲活动 · /)
  await listShown(page, before.from, before.to)
  assert.equal(await text(page.locator('.tk-place')), '花园社区')
  assert.equal(await page.locator('.chip[data-preset="recent"]').getAttribute('aria-pressed'), 'true')
  assert.deepEqual(await totalsShown(page), before.totals)
  assert.equal(await page.locator('.tk-item').count(), before.items.length)
  assert.equal(await page.locator('.tk-area .el-select').count(), 0, 'a director has no area to pick')

  await page.locator('.tk-new').click()
  const dlg = page.locator('.talk-dialog')
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.el-dialog__title')), '登记宣讲活动')
  assert.equal(await dlg.locator('#td-date').inputValue(), chinaToday())
  assert.deepEqual((await dlg.locator('.td-kind .el-radio').allTextContents()).map((s) => s.trim()), ['宣传', '教育', '家长课堂', '培训'])
  assert.equal(await dlg.locator('.td-village').count(), 0, 'a director holds talks in the own village')
  // nothing filled in: said on the fields, nothing sent
  let asked = 0
  const count = (r) => r.url().endsWith('/api/v1/talks') && r.method() === 'POST' && asked++
  page.on('request', count)
  await dlg.locator('.td-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '主题为 1 至 100 个字' }).waitFor()
  await dlg.locator('.el-form-item__error', { hasText: '请至少填写一位参加者（儿童或成人）' }).waitFor()
  await dlg.locator('#td-topic').fill('一'.repeat(101))
  assert.equal(await text(dlg.locator('.counter').first()), '101 / 100 字')
  await dlg.locator('.td-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '主题为 1 至 100 个字' }).waitFor()
  assert.equal(asked, 0)
  page.off('request', count)

  await dlg.locator('.td-kind-parent_school').click()
  await dlg.locator('#td-topic').fill(TOPIC)
  await dlg.locator('#td-children').fill('25')
  await dlg.locator('#td-adults').fill('18')
  await dlg.locator('#td-notes').fill('村委会议室，邀请派出所民警主讲')
  await shot(page, 'talk-dialog')
  await dlg.locator('.td-submit').click()
  await page.locator('.el-message', { hasText: '宣讲活动已登记' }).waitFor()
  await dlg.waitFor({ state: 'hidden' })

  // first in the list, with its day, kind, place, attendance and who recorded it
  const first = page.locator('.tk-item').first()
  await first.locator('.ti-topic', { hasText: TOPIC }).waitFor()
  await settled(page)
  assert.equal(await text(first.locator('.ti-date')), chinaToday())
  assert.equal(await text(first.locator('.ti-kind')), '家长课堂')
  assert.equal(await text(first.locator('.ti-place')), '泗河街道 花园社区')
  assert.equal(await text(first.locator('.ti-children')), '儿童 25 人')
  assert.equal(await text(first.locator('.ti-adults')), '成人 18 人')
  assert.equal(await text(first.locator('.ti-notes')), '村委会议室，邀请派出所民警主讲')
  assert.equal(await text(first.locator('.ti-by')), '登记人：花园社区儿童主任（演示）')
  const after = (await director.get('/talks')).body
  assert.deepEqual(after.totals, { talks: before.totals.talks + 1, children: before.totals.children + 25, adults: before.totals.adults + 18 })
  assert.deepEqual(await totalsShown(page), after.totals)
  await shot(page, 'talks')

  // a talk of 100 days ago (the list shows the last 90): the period widens to its day
  await page.locator('.tk-new').click()
  await dlg.waitFor()
  await dlg.locator('#td-date').fill(daysAgo(100))
  await dlg.locator('#td-topic').fill('暑期安全教育（补录）')
  await dlg.locator('#td-children').fill('12')
  await dlg.locator('.td-submit').click()
  await page.waitForURL((u) => u.searchParams.get('from') === daysAgo(100))
  await listShown(page, daysAgo(100), chinaToday())
  await page.locator('.tk-item .ti-topic', { hasText: '暑期安全教育（补录）' }).waitFor()
  assert.equal(await page.locator('.chip.on').count(), 0, 'no quick period is this one')
  // this month, as a quick period
  await page.locator('.chip[data-preset="month"]').click()
  const m1 = chinaToday().slice(0, 8) + '01'
  await listShown(page, m1, chinaToday())
  const month = (await director.get(`/talks?from=${m1}`)).body
  assert.deepEqual(await totalsShown(page), month.totals)
  assert.equal(await page.locator('.tk-item .ti-topic', { hasText: '暑期安全教育（补录）' }).count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])

  // the home card: this month's talks
  await page.locator('.nav-inline').getByRole('link', { name: '首页' }).click()
  const card = page.locator('.home-card.talks-card')
  await card.locator('.talk-n', { hasText: `本月宣讲 ${month.totals.talks} 场` }).waitFor()
  assert.equal(await text(card.locator('.talk-people')), `参加 ${month.totals.children + month.totals.adults} 人次`)
  await card.getByRole('link', { name: '打开宣讲活动' }).click()
  await page.waitForURL((u) => u.pathname === '/talks')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('director: corrects the attendance of a talk and sees the new figure; deletes it after the confirmation and it is gone', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/talks' })
  const before = (await director.get('/talks')).body
  await listShown(page, before.from, before.to)
  // recorded
  await page.locator('.tk-new').click()
  const dlg = page.locator('.talk-dialog')
  await dlg.waitFor()
  await dlg.locator('#td-topic').fill(EDIT_TOPIC)
  await dlg.locator('#td-children').fill('20')
  await dlg.locator('#td-adults').fill('3')
  await dlg.locator('.td-submit').click()
  await page.locator('.el-message', { hasText: '宣讲活动已登记' }).waitFor()
  await dlg.waitFor({ state: 'hidden' })
  const card = page.locator('.tk-item', { hasText: EDIT_TOPIC })
  await card.locator('.ti-children', { hasText: '儿童 20 人' }).waitFor()
  await settled(page)
  const id = Number(await card.getAttribute('data-id'))
  assert.deepEqual(await totalsShown(page), { talks: before.totals.talks + 1, children: before.totals.children + 20, adults: before.totals.adults + 3 })
  // only the director's own talks offer 编辑 and 删除
  for (const item of await page.locator('.tk-item').all()) {
    const mine = (await text(item.locator('.ti-by'))) === '登记人：花园社区儿童主任（演示）'
    assert.equal(await item.locator('.ti-edit').count(), mine ? 1 : 0, await text(item.locator('.ti-topic')))
    assert.equal(await item.locator('.ti-delete').count(), mine ? 1 : 0)
  }

  // 编辑: the same form, filled in, without a place; the attendance corrected
  await card.locator('.ti-edit').click()
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.el-dialog__title')), '修改宣讲活动')
  assert.equal(await dlg.locator('#td-topic').inputValue(), EDIT_TOPIC)
  assert.equal(await dlg.locator('#td-date').inputValue(), chinaToday())
  assert.equal(await dlg.locator('#td-children').inputValue(), '20')
  assert.equal(await dlg.locator('#td-adults').inputValue(), '3')
  assert.equal(await dlg.locator('.td-place-item').count(), 0)
  // nobody attending: said on the field, nothing sent
  let asked = 0
  const count = (r) => r.url().endsWith(`/api/v1/talks/${id}`) && r.method() === 'PATCH' && asked++
  page.on('request', count)
  await dlg.locator('#td-children').fill('0')
  await dlg.locator('#td-adults').fill('0')
  await dlg.locator('.td-submit').click()
  await dlg.locator('.el-form-item__error', { hasText: '请至少填写一位参加者（儿童或成人）' }).waitFor()
  assert.equal(asked, 0)
  page.off('request', count)
  await dlg.locator('#td-children').fill('42')
  await dlg.locator('#td-adults').fill('7')
  assert.equal(await text(dlg.locator('.td-submit')), '保存')
  await dlg.locator('.td-submit').click()
  await page.locator('.el-message', { hasText: '宣讲活动已修改' }).waitFor()
  await dlg.waitFor({ state: 'hidden' })
  await card.locator('.ti-children', { hasText: '儿童 42 人' }).waitFor()
  await settled(page)
  assert.equal(await text(card.locator('.ti-adults')), '成人 7 人')
  assert.equal(await text(card.locator('.ti-topic')), EDIT_TOPIC)
  const edited = (await director.get('/talks')).body
  assert.deepEqual(edited.totals, { talks: before.totals.talks + 1, children: before.totals.children + 42, adults: before.totals.adults + 7 })
  assert.deepEqual(await totalsShown(page), edited.totals)
  assert.equal(edited.items.find((x) => x.id === id).children, 42)
  // the committee may not correct it
  assert.equal((await committee.patch(`/talks/${id}`, { children: 1 })).status, 403)

  // 删除: a confirmation naming the talk; kept when cancelled
  await card.locator('.ti-delete').click()
  const box = page.locator('.talk-delete-box')
  await box.waitFor()
  assert.equal(await text(box.locator('.el-message-box__title')), '删除宣讲活动')
  const ask = await text(box.locator('.el-message-box__message'))
  assert.ok(ask.includes(`${chinaToday()} 的宣讲活动“${EDIT_TOPIC}”`), ask)
  await box.getByRole('button', { name: '取消' }).click()
  await box.waitFor({ state: 'hidden' })
  await settled(page)
  assert.equal(await card.count(), 1)
  // confirmed: gone from the list and the totals
  await card.locator('.ti-delete').click()
  await box.waitFor()
  await box.locator('.tk-delete-ok').click()
  await page.locator('.el-message', { hasText: '宣讲活动已删除' }).waitFor()
  await card.waitFor({ state: 'detached' })
  await settled(page)
  assert.equal(await page.locator(`.tk-item[data-id="${id}"]`).count(), 0)
  const gone = (await director.get('/talks')).body
  assert.deepEqual(gone.totals, before.totals)
  assert.equal(gone.items.some((x) => x.id === id), false)
  assert.deepEqual(await totalsShown(page), before.totals)
  assert.deepEqual(unexpectedErrors(page), [])
})

test("station: the director's talk in its list, narrowed to the village; one of its own for another village; both in the scorecard", async () => {
  await loginAs(page, srv.base, 'station', { path: '/login?next=/talks' })
  const all = (await station.get('/talks')).body
  await listShown(page, all.from, all.to)
  assert.equal(await text(page.locator('.tk-place')), '泗河街道')
  assert.deepEqual(await totalsShown(page), all.totals)
  await page.locator('.tk-item .ti-topic', { hasText: TOPIC }).first().waitFor()
  // narrowed to 花园社区
  await pickOption(page, page.locator('.tk-area .pick-village'), '花园社区')
  await page.waitForURL((u) => u.searchParams.get('area') === VILLAGE)
  const own = (await station.get(`/talks?area=${VILLAGE}`)).body
  await page.waitForFunction((n) => document.querySelectorAll('.tk-item').length === n, own.items.length)
  await settled(page)
  assert.deepEqual(await totalsShown(page), own.totals)
  assert.deepEqual(
    [...new Set((await page.locator('.tk-item .ti-place').allTextContents()).map((s) => s.trim()))],
    ['泗河街道 花园社区'],
  )
  // the township's desk corrects and removes any talk of its place
  assert.equal(await page.locator('.tk-item .ti-edit').count(), own.items.length)

  // one of its own, held in another village
  await page.locator('.tk-new').click()
  const dlg = page.locator('.talk-dialog')
  await dlg.waitFor()
  assert.equal(await text(dlg.locator('.td-place-item .hint')), '不选择地点时记为泗河街道。')
  await pickOption(page, dlg.locator('.td-village'), other.name)
  await dlg.locator('.td-kind-education').click()
  await dlg.locator('#td-topic').fill(OTHER_TOPIC)
  await dlg.locator('#td-children').fill('60')
  await dlg.locator('#td-adults').fill('4')
  await dlg.locator('.td-submit').click()
  await page.locator('.el-message', { hasText: '宣讲活动已登记' }).last().waitFor()
  // the list was narrowed to another village: it widens to the township
  await page.waitForURL((u) => !u.searchParams.has('area'))
  const item = page.locator('.tk-item', { hasText: OTHER_TOPIC })
  await item.waitFor()
  await settled(page)
  assert.equal(await text(item.locator('.ti-place')), `泗河街道 ${other.name}`)
  assert.equal(await text(item.locator('.ti-kind')), '教育')
  assert.equal(await text(item.locator('.ti-by')), '登记人：泗河街道工作站（演示）')
  assert.deepEqual(await totalsShown(page), (await station.get('/talks')).body.totals)
  assert.deepEqual(unexpectedErrors(page), [])

  // the villages' scorecard: 宣讲场次 and 宣讲参加人次, as the API counts them
  const card = (await station.get('/visits/scorecard')).body
  const garden = card.villages.find((v) => v.village_code === VILLAGE)
  const there = card.villages.find((v) => v.village_code === other.code)
  assert.ok(garden.talks >= 1 && garden.talk_attendance >= 43, JSON.stringify(garden))
  assert.ok(there.talks >= 1 && there.talk_attendance >= 64, JSON.stringify(there))
  await openNav(page, '走访计划')
  await page.locator('.visit-tabs .vt-score').click()
  await page.waitForURL((u) => u.pathname === '/visits/scorecard')
  await page.locator('.sc-period', { hasText: `${card.from} 至 ${card.to}` }).waitFor()
  await settled(page)
  const heads = (await page.locator('.sc-table thead th').allTextContents()).map((s) => s.trim())
  assert.deepEqual(heads.slice(-2), ['宣讲场次', '宣讲参加人次'])
  for (const v of [garden, there]) {
    const row = page.locator(`.sc-row[data-code="${v.village_code}"]`)
    assert.equal(await text(row.locator('[data-figure="talks"] .sc-num')), String(v.talks), v.village_name)
    assert.equal(await text(row.locator('[data-figure="talk_attendance"] .sc-num')), String(v.talk_attendance), v.village_name)
  }
  assert.equal(await text(page.locator('.sc-totals [data-figure="talks"] .tot-num')), String(card.totals.talks))
  assert.equal(await text(page.locator('.sc-totals [data-figure="talk_attendance"] .tot-num')), String(card.totals.talk_attendance))
  assert.deepEqual(unexpectedErrors(page), [])
})

test("the committee reads the county's talks and records none; a school's talk is named by the school", async () => {
  const school = await apiSession(srv.base, 'school')
  const s = await school.post('/talks', { held_on: chinaToday(), kind: 'education', topic: '心理健康主题班会（学校测试）', children: 45, adults: 2 })
  assert.equal(s.status, 201, JSON.stringify(s.body))
  const all = (await committee.get('/talks')).body
  await loginAs(page, srv.base, 'committee')
  await openNav(page, '宣讲活动')
  await page.waitForURL((u) => u.pathname === '/talks')
  await listShown(page, all.from, all.to)
  assert.equal(await text(page.locator('.tk-place')), '泗水县')
  assert.equal(await page.locator('.tk-new').count(), 0, 'the committee records no talk')
  assert.equal(await page.locator('.ti-edit, .ti-delete').count(), 0, 'nor corrects or removes one')
  assert.deepEqual(await totalsShown(page), all.totals)
  // a page of 100, and more on demand
  assert.equal(await page.locator('.tk-item').count(), Math.min(100, all.totals.talks))
  if (all.totals.talks > 100) {
    assert.equal(await text(page.locator('.tk-more p').first()), `显示最近 100 场，共 ${all.totals.talks} 场`)
    await page.locator('.tk-more-btn').click()
    await page.waitForFunction((n) => document.querySelectorAll('.tk-item').length === n, Math.min(200, all.totals.talks))
  }
  await page.locator('.tk-item', { hasText: '心理健康主题班会（学校测试）' }).locator('.ti-place', { hasText: '泗河街道第一小学' }).waitFor()
  // a township
  await pickOption(page, page.locator('.tk-area .pick-township'), '泗河街道')
  await page.waitForURL((u) => u.searchParams.get('area') === TOWNSHIP)
  const tw = (await committee.get(`/talks?area=${TOWNSHIP}`)).body
  await page.waitForFunction((n) => document.querySelector('.tk-totals [data-figure="talks"] .tot-num')?.textContent.trim() === String(n), tw.totals.talks)
  await settled(page)
  assert.deepEqual(await totalsShown(page), tw.totals)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px: the talks and the form, for a director and a station, in both languages', async () => {
  // a talk of the director's own, to correct
  const r = await director.post('/talks', { held_on: chinaToday(), kind: 'publicity', topic: '窄屏测试宣讲', children: 5 })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  await page.setViewportSize(PHONE)
  for (const user of ['director', 'station']) {
    await resetSession(browser.context, srv.base, page)
    await loginAs(page, srv.base, user, { path: '/login?next=/talks' })
    for (const lang of ['zh', 'en']) {
      await page.goto(srv.base + '/talks')
      if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
      await page.locator('.tk-item').first().waitFor()
      await settled(page)
      assert.equal(await hasHorizontalScroll(page), false, `${user} /talks (${lang})`)
      const box = await page.locator('.tk-item').first().boundingBox()
      assert.ok(box.width <= 360, `a card of ${box.width} px`)
      if (lang === 'zh' && user === 'director') await shot(page, 'talks-360', { fullPage: true })
      await page.locator('.tk-new').click()
      await page.locator('.talk-dialog').waitFor()
      assert.equal(await hasHorizontalScroll(page), false, `${user} talk form (${lang})`)
      const dlg = await page.locator('.talk-dialog').boundingBox()
      assert.ok(dlg.x >= 0 && dlg.x + dlg.width <= 360, `the form fits: ${JSON.stringify(dlg)}`)
      await page.keyboard.press('Escape')
      await page.locator('.talk-dialog').waitFor({ state: 'hidden' })
      // a card's 编辑 and 删除 fit, and so do the form and the confirmation
      const own = page.locator('.tk-item', { has: page.locator('.ti-edit') }).first()
      const actions = await own.locator('.ti-actions').boundingBox()
      assert.ok(actions.x >= 0 && actions.x + actions.width <= 360, `the actions fit: ${JSON.stringify(actions)}`)
      await own.locator('.ti-edit').click()
      await page.locator('.talk-dialog').waitFor()
      assert.equal(await hasHorizontalScroll(page), false, `${user} correction form (${lang})`)
      await page.keyboard.press('Escape')
      await page.locator('.talk-dialog').waitFor({ state: 'hidden' })
      await own.locator('.ti-delete').click()
      const ask = await page.locator('.talk-delete-box').boundingBox()
      assert.ok(ask.x >= 0 && ask.x + ask.width <= 360, `the confirmation fits: ${JSON.stringify(ask)}`)
      await page.locator('.talk-delete-box .el-message-box__btns .el-button').first().click()
      await page.locator('.talk-delete-box').waitFor({ state: 'hidden' })
    }
    assert.equal(await text(page.locator('main h1')), 'Talks')
    await page.getByRole('button', { name: '中文' }).click()
    assert.deepEqual(unexpectedErrors(page), [])
  }
})

test('at 360 px the attendance error and the hint below it do not overlap, in both languages', async () => {
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'director', { path: '/login?next=/talks' })
  for (const [lang, words] of [
    ['zh', '请至少填写一位参加者（儿童或成人）'],
    ['en', 'Enter at least one attendee (children or adults)'],
  ]) {
    await page.goto(srv.base + '/talks')
    if (lang === 'en') await page.getByRole('button', { name: 'English' }).click()
    await page.locator('.tk-new').click()
    const dlg = page.locator('.talk-dialog')
    await dlg.waitFor()
    await dlg.locator('#td-topic').fill('窄屏提示测试')
    await dlg.locator('#td-children').fill('0')
    await dlg.locator('#td-adults').fill('0')
    await dlg.locator('.td-submit').click()
    const err = dlg.locator('.td-people .el-form-item__error', { hasText: words })
    await err.waitFor()
    await settled(page)
    const a = await err.boundingBox()
    const b = await dlg.locator('.td-people-hint').boundingBox()
    const apart = a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5 || a.x + a.width <= b.x || b.x + b.width <= a.x
    assert.ok(apart, `${lang}: the error ${JSON.stringify(a)} lies over the hint ${JSON.stringify(b)}`)
    await page.keyboard.press('Escape')
    await discardTyped(page) // the typed topic is given up
    await dlg.waitFor({ state: 'hidden' })
  }
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(unexpectedErrors(page), [])
})
