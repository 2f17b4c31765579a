// The closed loop's deadlines and holiday calendar (期限与节假日,
// /settings/loop; GET / PUT /api/v1/loop/config) in the browser. The centre
// opens it from the request board, changes a step's normal deadline and an
// urgent one in hours, pastes two holidays (a bad date refused), adds a
// make-up working day with the date picker and sets the alert repeat;
// leaving the page unsaved asks first and keeping on editing keeps them
// (e2e/leave-forms.test.mjs has the rest of leaving); saving sends only what changed,
// the page and the API then show it, and the audit log records it. A wrong
// value is refused on its field with nothing saved — by the page, and when
// the server refuses; reset brings the server's values back. The
// administrator edits too (from the units page, with the keyboard); a
// station, a director and a department read the page without inputs.
// No sideways scrolling at 360 px in both languages; no console errors.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, resetSession, loginAs, apiSession, hasHorizontalScroll, settled, shot, unexpectedErrors, text, nextPage } from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESK = { width: 1280, height: 900 }
let srv, browser, page, center, DEFAULTS

before(async () => {
  srv = await startServer({ children: 60 })
  browser = await launch({ viewport: DESK })
  center = await apiSession(srv.base, 'center')
  DEFAULTS = (await center.get('/loop/config')).body
  assert.equal(DEFAULTS.deadlines.township_review.normal, '3d', 'the built-in default this file starts from')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
// every test starts from the built-in configuration, signed out
beforeEach(async () => {
  const r = await center.put('/loop/config', DEFAULTS)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  page = await nextPage(browser.context, srv.base, page, { viewport: DESK })
})

const cell = (step, tier) => page.locator(`.dl-row[data-step=${step}] td[data-tier=${tier}]`)
async function setCell(step, tier, n, unit) {
  await cell(step, tier).locator('.dl-num').fill(String(n))
  if (unit) await cell(step, tier).locator('.dl-unit').selectOption(unit)
}
async function cellValue(step, tier) {
  return (await cell(step, tier).locator('.dl-num').inputValue()) + (await cell(step, tier).locator('.dl-unit').inputValue())
}
const chips = (list) => page.locator(`.dates-${list} .date-chip`).evaluateAll((els) => els.map((e) => e.dataset.date))
// the PUTs the page sends
function watchPuts() {
  const puts = []
  page.on('request', (r) => {
    if (r.method() === 'PUT' && r.url().endsWith('/api/v1/loop/config')) puts.push(r.postDataJSON())
  })
  return puts
}
async function openSettings(user, path = '/settings/loop') {
  await loginAs(page, srv.base, user, { path: '/login?next=' + encodeURIComponent(path) })
  if (path === '/settings/loop') await page.locator('.dl-table').waitFor()
  await settled(page)
}

test('centre: from the board, deadlines, holidays, a make-up day and the repeat are changed, kept unsaved, saved and shown', async () => {
  const puts = watchPuts()
  await openSettings('center', '/board')
  const link = page.locator('.loop-settings-link')
  assert.equal(await text(link), '期限设置')
  await link.click()
  await page.waitForURL((u) => u.pathname === '/settings/loop')
  await page.locator('.dl-table').waitFor()
  await settled(page)
  assert.equal(await text(page.locator('main h1')), '期限与节假日')
  assert.equal(await page.title(), '期限与节假日 · 未保')
  assert.match(await text(page.locator('.ls-urgent-note')), /紧急求助和一路绿灯求助/)
  assert.match(await text(page.locator('.ls-cal-note')), /每年开始前/)
  // a row per step, under the names the loop's pages use
  assert.equal(await page.locator('.dl-row').count(), Object.keys(DEFAULTS.deadlines).length)
  assert.equal(await text(page.locator('.dl-row[data-step=township_review] .dl-name')), '乡镇审核中')
  assert.equal(await text(page.locator('.dl-row[data-step=police_feedback] .dl-name')), '公安反馈')
  assert.equal(await cellValue('township_review', 'normal'), '3d')
  assert.equal(await cellValue('reported', 'urgent'), '2h')
  assert.equal(await page.locator('.ls-save').isDisabled(), true, 'nothing to save yet')

  // a normal deadline in working days, an urgent one in hours, one unit changed
  await setCell('township_review', 'normal', 5)
  await setCell('reported', 'urgent', 6)
  await setCell('police_feedback', 'urgent', 1, 'd')
  assert.equal(await cell('township_review', 'normal').getAttribute('class'), 'dl-td changed')

  // two holidays pasted, out of order, with a bad date refused and kept in the box
  await page.locator('.dates-holidays .date-paste summary').click()
  await page.locator('#holidays-paste').fill('2027-01-02\n2027-02-30, 2027-01-01')
  await page.locator('.dates-holidays .date-paste-add').click()
  assert.deepEqual(await chips('holidays'), ['2027-01-01', '2027-01-02'])
  assert.equal(await text(page.locator('.dates-holidays .date-err')), '不是有效日期（应为 YYYY-MM-DD）：2027-02-30')
  assert.equal(await page.locator('#holidays-paste').inputValue(), '2027-02-30')
  assert.equal(await text(page.locator('.dates-holidays .date-note')), '已添加 2 个日期')
  // a make-up working day with the date picker; a holiday cannot be one
  await page.locator('#workdays-pick').fill('2027-01-01')
  await page.locator('.dates-workdays .date-add-btn').click()
  assert.match(await text(page.locator('.dates-workdays .date-err')), /已是法定节假日.*2027-01-01/)
  // nor a weekday: a make-up working day is a weekend day that is worked
  await page.locator('#workdays-pick').fill('2027-01-04')
  await page.locator('.dates-workdays .date-add-btn').click()
  assert.match(await text(page.locator('.dates-workdays .date-err')), /不是周末.*2027-01-04/)
  await page.locator('#workdays-pick').fill('2027-01-09')
  await page.locator('.dates-workdays .date-add-btn').click()
  assert.deepEqual(await chips('workdays'), ['2027-01-09'])
  assert.equal(await page.locator('.dates-workdays .date-err').count(), 0)
  await page.locator('#ls-repeat').fill('12')
  assert.equal(await text(page.locator('.ls-state')), '有未保存的修改')

  // leaving the page asks first; keeping on editing keeps the changes, unsaved
  await page.goBack()
  await page.locator('.dirty-confirm').waitFor()
  await page.locator('.dirty-confirm').getByRole('button', { name: '继续填写' }).click()
  await page.locator('.dirty-confirm').waitFor({ state: 'hidden' })
  await page.waitForTimeout(300)
  assert.equal(new URL(page.url()).pathname, '/settings/loop')
  assert.equal(await cellValue('township_review', 'normal'), '5d')
  assert.deepEqual(await chips('holidays'), ['2027-01-01', '2027-01-02'])
  assert.equal(await page.locator('#ls-repeat').inputValue(), '12')
  assert.match(await text(page.locator('.ls-state')), /^有未保存的修改/)
  assert.equal(puts.length, 0, 'nothing sent yet')
  assert.equal((await center.get('/loop/config')).body.deadlines.township_review.normal, '3d', 'nothing saved yet')
  await shot(page, 'loop-settings-1280', { fullPage: true })

  await page.locator('.ls-save').click()
  await page.locator('.el-message--success', { hasText: '期限与节假日已保存' }).waitFor()
  await settled(page)
  // only what changed was sent
  assert.deepEqual(puts, [
    {
      deadlines: { reported: { urgent: '6h' }, township_review: { normal: '5d' }, police_feedback: { urgent: '1d' } },
      holidays: ['2027-01-01', '2027-01-02'],
      workdays: ['2027-01-09'],
      alert_repeat_hours: 12,
    },
  ])
  assert.equal(await text(page.locator('.ls-state')), '')
  assert.equal(await page.locator('.ls-save').isDisabled(), true)

  // the API has them, the rest as it was
  const cfg = (await center.get('/loop/config')).body
  assert.equal(cfg.deadlines.township_review.normal, '5d')
  assert.equal(cfg.deadlines.township_review.urgent, '12h')
  assert.equal(cfg.deadlines.reported.urgent, '6h')
  assert.equal(cfg.deadlines.reported.normal, '1d')
  assert.equal(cfg.deadlines.police_feedback.urgent, '1d')
  assert.deepEqual(cfg.holidays, ['2027-01-01', '2027-01-02'])
  assert.deepEqual(cfg.workdays, ['2027-01-09'])
  assert.equal(cfg.alert_repeat_hours, 12)

  // the page after a reload shows the saved values
  await page.reload()
  await page.locator('.dl-table').waitFor()
  await settled(page)
  assert.equal(await cellValue('township_review', 'normal'), '5d')
  assert.equal(await cellValue('reported', 'urgent'), '6h')
  assert.equal(await cellValue('police_feedback', 'urgent'), '1d')
  assert.deepEqual(await chips('holidays'), ['2027-01-01', '2027-01-02'])
  assert.deepEqual(await chips('workdays'), ['2027-01-09'])
  assert.equal(await page.locator('#ls-repeat').inputValue(), '12')
  assert.equal(await text(page.locator('.ls-state')), '')

  // a holiday removed with its ×, the focus on the next one
  await page.getByRole('button', { name: '删除 2027-01-01' }).click()
  assert.deepEqual(await chips('holidays'), ['2027-01-02'])
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), '删除 2027-01-02')
  await page.locator('.ls-save').click()
  await page.locator('.el-message--success').last().waitFor()
  await settled(page)
  assert.deepEqual((await center.get('/loop/config')).body.holidays, ['2027-01-02'])
  assert.deepEqual(puts[1], { holidays: ['2027-01-02'] })

  const auditor = await apiSession(srv.base, 'auditor')
  const entries = (await auditor.get('/audit?action=loop.config.update&limit=5')).body.items
  assert.ok(entries.some((e) => e.username === 'center' && /"alert_repeat_hours"/.test(e.detail)), JSON.stringify(entries))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a wrong value is refused on its field with nothing saved; the server’s refusal too; reset restores', async () => {
  const puts = watchPuts()
  await openSettings('center')
  const err = (step, tier) => cell(step, tier).locator('.dl-err')

  // zero, empty, too many hours, a negative repeat: refused by the page
  await setCell('township_review', 'normal', 0)
  await setCell('reported', 'normal', '')
  await setCell('forwarded', 'urgent', 3000)
  await page.locator('#ls-repeat').fill('-1')
  await page.locator('.ls-save').click()
  assert.equal(await text(err('township_review', 'normal')), '请填写 1 到 365 之间的整数')
  assert.equal(await text(err('reported', 'normal')), '请填写')
  assert.equal(await text(err('forwarded', 'urgent')), '请填写 1 到 2160 之间的整数')
  assert.equal(await text(page.locator('.rep-err')), '请填写 0 到 8760 之间的整数')
  assert.match(await text(page.locator('.ls-alert')), /尚未保存任何修改/)
  assert.equal(await err('township_review', 'urgent').count(), 0, 'only the wrong fields')
  assert.equal(await cell('township_review', 'normal').locator('.dl-num').getAttribute('aria-invalid'), 'true')
  assert.equal(puts.length, 0, 'nothing sent')
  // the changes are kept for correcting
  assert.equal(await cellValue('township_review', 'normal'), '0d')
  await page.locator('.ls-alert').waitFor()

  // corrected, but the server refuses what arrives: on the step's field
  await setCell('township_review', 'normal', 4)
  await setCell('reported', 'normal', 1)
  await setCell('forwarded', 'urgent', 4)
  await page.locator('#ls-repeat').fill('24')
  assert.equal(await err('township_review', 'normal').count(), 0, 'an edited field loses its error')
  await page.route('**/api/v1/loop/config', (route) => {
    const r = route.request()
    if (r.method() !== 'PUT') return route.continue()
    return route.continue({ postData: JSON.stringify({ deadlines: { township_review: { normal: '0d' } } }) })
  })
  await page.locator('.ls-save').click()
  await err('township_review', 'normal').waitFor()
  assert.equal(await text(err('township_review', 'normal')), '期限应为 1 到 365 个工作日，或 1 到 2160 小时')
  await page.unroute('**/api/v1/loop/config')
  assert.equal(puts.length, 1)
  assert.equal((await center.get('/loop/config')).body.deadlines.township_review.normal, '3d', 'nothing saved')
  assert.equal(await cellValue('township_review', 'normal'), '4d', 'the change is kept')
  assert.equal(await text(page.locator('.ls-state')), '有未保存的修改')

  // reset: the server's values, no errors, nothing to save
  await page.locator('.ls-reset').click()
  await settled(page)
  assert.equal(await cellValue('township_review', 'normal'), '3d')
  assert.equal(await page.locator('.dl-err').count(), 0)
  assert.equal(await page.locator('.ls-alert').count(), 0)
  assert.equal(await text(page.locator('.ls-state')), '')
  assert.equal(await page.locator('.ls-save').isDisabled(), true)
  // and reset is remembered: the page opened again shows the server's values
  await page.reload()
  await page.locator('.dl-table').waitFor()
  await settled(page)
  assert.equal(await cellValue('township_review', 'normal'), '3d')
  assert.deepEqual(await chips('holidays'), [])
  assert.deepEqual((await center.get('/loop/config')).body, DEFAULTS)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('administrator: opens it from the units page and saves with the keyboard', async () => {
  const puts = watchPuts()
  await openSettings('admin', '/units')
  await page.locator('.units-table tbody tr').first().waitFor()
  const link = page.locator('.loop-settings-link')
  assert.equal(await text(link), '期限设置')
  await link.focus()
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === '/settings/loop')
  await page.locator('.dl-table').waitFor()
  await settled(page)
  assert.equal(await page.locator('.ls-readonly').count(), 0)

  // a make-up day by the keyboard (Enter in the picker adds it), the repeat
  // set to once only and saved with Enter
  await page.locator('#workdays-pick').focus()
  await page.locator('#workdays-pick').fill('2027-02-20')
  await page.keyboard.press('Enter')
  assert.deepEqual(await chips('workdays'), ['2027-02-20'])
  await page.locator('#ls-repeat').focus()
  await page.keyboard.press('Control+A')
  await page.keyboard.type('0')
  await page.keyboard.press('Enter')
  await page.locator('.el-message--success').waitFor()
  await settled(page)
  assert.deepEqual(puts, [{ workdays: ['2027-02-20'], alert_repeat_hours: 0 }])
  const cfg = (await center.get('/loop/config')).body
  assert.equal(cfg.alert_repeat_hours, 0)
  assert.deepEqual(cfg.workdays, ['2027-02-20'])
  assert.equal(cfg.deadlines.township_review.normal, '3d')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a station, a director and a department read the page: no inputs, no save; the station’s board has no link', async () => {
  await center.put('/loop/config', { deadlines: { township_review: { normal: '5d' } }, holidays: ['2027-01-01'], alert_repeat_hours: 0 })
  await openSettings('station', '/board')
  await page.locator('.board-table').waitFor()
  assert.equal(await page.locator('.loop-settings-link').count(), 0)
  for (const user of ['station', 'director', 'department']) {
    if (user !== 'station') {
      await resetSession(browser.context, srv.base, page)
      await openSettings(user)
    } else {
      await page.goto(srv.base + '/settings/loop')
      await page.locator('.dl-table').waitFor()
      await settled(page)
    }
    assert.equal(page.url(), srv.base + '/settings/loop', `${user} stays on the page`)
    assert.match(await text(page.locator('.ls-readonly')), /由县中心或系统管理员设置/)
    for (const sel of ['input', 'select', 'textarea', '.ls-save', '.ls-reset', '.date-remove', '.date-paste']) {
      assert.equal(await page.locator(`.loop-settings ${sel}`).count(), 0, `${user}: no ${sel}`)
    }
    assert.equal(await text(cell('township_review', 'normal')), '5 个工作日')
    assert.equal(await text(cell('township_review', 'urgent')), '12 小时')
    assert.deepEqual(await chips('holidays'), ['2027-01-01'])
    assert.equal(await text(page.locator('.rep-value')), '只提醒一次')
    assert.deepEqual(unexpectedErrors(page), [], user)
  }
  const station = await apiSession(srv.base, 'station')
  const r = await station.put('/loop/config', { alert_repeat_hours: 1 })
  assert.equal(r.status, 403)
})

test('a 360 px phone: no sideways scrolling, in both languages, for the centre and a station', async () => {
  await page.setViewportSize(PHONE)
  for (const user of ['center', 'station']) {
    await resetSession(browser.context, srv.base, page)
    await openSettings(user)
    for (const lang of ['zh', 'en']) {
      if (lang === 'en') {
        await page.getByRole('button', { name: 'English' }).click()
        await page.locator('main h1', { hasText: 'Deadlines and holidays' }).waitFor()
      }
      assert.equal(await hasHorizontalScroll(page), false, `${user} (${lang})`)
      if (user === 'center') {
        // an edit and an error on the phone: still no sideways scrolling,
        // and the save button in sight
        await setCell('accepted', 'normal', 0)
        await page.locator('.dates-holidays .date-paste summary').click()
        await page.locator('#holidays-paste').fill('2027-13-01')
        await page.locator('.dates-holidays .date-paste-add').click()
        await page.locator('.dates-holidays .date-err').waitFor()
        await page.locator('.ls-save').click()
        await cell('accepted', 'normal').locator('.dl-err').waitFor()
        if (lang === 'en') {
          assert.equal(await text(cell('accepted', 'normal').locator('.dl-err')), 'Enter a whole number from 1 to 365')
          assert.equal(await text(page.locator('.dates-holidays .date-err')), 'Not a valid date (use YYYY-MM-DD): 2027-13-01')
        }
        assert.equal(await hasHorizontalScroll(page), false, `${user} (${lang}) with errors`)
        await page.evaluate(() => window.scrollTo(0, 0))
        const box = await page.locator('.ls-save').boundingBox()
        assert.ok(box && box.y + box.height <= PHONE.height && box.x + box.width <= PHONE.width, `the save button in sight: ${JSON.stringify(box)}`)
        if (lang === 'zh') await shot(page, 'loop-settings-360')
        await page.locator('.ls-reset').click()
        await settled(page)
      }
    }
    assert.deepEqual(unexpectedErrors(page), [], user)
  }
})
