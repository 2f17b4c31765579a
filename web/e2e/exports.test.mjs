// Exports (SPEC §8: "every table on screen can be exported to XLSX/CSV;
// exports of personal data are audited and limited by role") in the
// browser: the 导出 control opens a menu of Excel (XLSX) and CSV, by mouse
// or keyboard; XLSX downloads a file named like requests-YYYYMMDD.xlsx that
// is a zip ("PK"), CSV one whose first line holds the Chinese column
// headers (English ones in English), with the rows of the filters in use —
// the help requests of a child director and the board's tab, the caring
// mothers narrowed to a township or a village (the new area filter, which
// narrows the list too), the supporting programmes of a status, the
// archive, the trends of a township, the talks and the charity projects.
// A school (which files requests but exports no list) and the committee
// (the board, no names) see no export where the server would refuse, and
// the audit log's download records each export. No horizontal scrolling
// at 360 px with the control on the page.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  exportAs,
  hasHorizontalScroll,
  pickOption,
  settled,
  unexpectedErrors,
  text,
  chinaToday,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const TOWNSHIP = '370831001' // 泗河街道, the station's
const VILLAGE = '370831001001' // 花园社区 of 泗河街道, the director's
const OTHER_TOWNSHIP = '370831103' // 柘沟镇
let srv, browser, page, center, director

// The file of an XLSX download: its name, and a zip inside.
async function xlsxOf(file, stem) {
  assert.match(file.suggestedFilename(), new RegExp(`^${stem}-\\d{8}\\.xlsx$`))
  const bytes = readFileSync(await file.path())
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip')
  return bytes
}
// The lines of a CSV download (without the byte order mark, if any).
async function csvOf(file, stem) {
  assert.match(file.suggestedFilename(), new RegExp(`^${stem}-\\d{8}\\.csv$`))
  return readFileSync(await file.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
}
// The cells of a CSV line (the test data has no quoted commas).
const cells = (line) => line.split(',')

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
  director = await apiSession(srv.base, 'director')
  // a child of the director's village with an open request
  const c = await director.post('/children', { name: '导出测试儿童', sex: 'F', birth_date: '2016-04-05', village_code: VILLAGE })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const q = await director.post('/requests', { child_id: c.body.id, kind: 'schooling', narrative: '需要助学' })
  assert.equal(q.status, 201, JSON.stringify(q.body))
  // caring mothers in the station's township (one in a village, one at the
  // township) and one in another township
  const villages = (await center.get(`/areas?parent=${OTHER_TOWNSHIP}`)).body.items
  for (const [name, area_code] of [
    ['导出村妈妈', VILLAGE],
    ['导出镇妈妈', TOWNSHIP],
    ['导出外镇妈妈', villages[0].code],
  ]) {
    const m = await center.post('/caring-mothers', { name, joined_on: chinaToday(), area_code })
    assert.equal(m.status, 201, JSON.stringify(m.body))
  }
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('help requests: a child director downloads the list as XLSX and CSV, by mouse and keyboard; the board downloads its tab', async () => {
  const open = (await director.get('/requests?state=open&limit=200')).body.items
  assert.ok(open.length >= 1)
  await loginAs(page, srv.base, 'director', { path: '/login?next=/requests' })
  await page.locator('.my-requests .req-item').first().waitFor()
  await settled(page)
  const control = page.locator('.my-requests .export-button')
  assert.equal(await control.getByRole('button', { name: '导出', exact: true }).count(), 1)
  // XLSX: a zip named after the list and the day
  await xlsxOf(await exportAs(page, 'xlsx', control), 'requests')
  await page.locator('.el-message--success').last().waitFor()
  // CSV by keyboard: Enter opens the menu, the arrows move, Enter picks
  const trigger = control.getByRole('button')
  await trigger.focus()
  await page.keyboard.press('Enter')
  const menu = page.locator('.export-menu:visible')
  await menu.waitFor()
  assert.deepEqual((await menu.getByRole('menuitem').allTextContents()).map((s) => s.trim()), ['Excel (XLSX)', 'CSV'])
  const focused = page.locator('.export-menu:visible [role=menuitem]:focus')
  assert.equal(await text(focused), 'Excel (XLSX)', 'the first format has the focus')
  await page.keyboard.press('ArrowDown')
  assert.equal(await text(focused), 'CSV')
  const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
  const lines = await csvOf(file, 'requests')
  assert.match(lines[0], /^编号,提交时间,类型,紧急程度,强制报告,/)
  const head = cells(lines[0])
  assert.equal(lines.length - 1, open.length, 'the open requests, all of them')
  assert.deepEqual(
    lines.slice(1).map((l) => Number(cells(l)[head.indexOf('编号')])).sort((a, b) => a - b),
    open.map((q) => q.id).sort((a, b) => a - b),
  )
  // the filter in use: the closed ones
  const closed = (await director.get('/requests?state=closed&limit=200')).body.items
  await page.locator('.my-requests').getByText('已结案', { exact: true }).click()
  await settled(page)
  const closedLines = await csvOf(await exportAs(page, 'csv', control), 'requests')
  assert.equal(closedLines.length - 1, closed.length)
  assert.ok(closedLines.slice(1).every((l) => cells(l)[head.indexOf('状态')] === '已结案'))
  assert.deepEqual(unexpectedErrors(page), [])

  // the station's board: the tab in use
  await resetSession(browser.context, srv.base, page)
  const station = await apiSession(srv.base, 'station')
  const stOpen = (await station.get('/requests?state=open&limit=200')).body.items
  await loginAs(page, srv.base, 'station', { path: '/login?next=/board' })
  await page.locator('main h1', { hasText: '求助看板' }).waitFor()
  await settled(page)
  const all = await csvOf(await exportAs(page, 'csv'), 'requests')
  assert.equal(all.length - 1, stOpen.length, "the township's open requests")
  await page.locator('.tab[data-tab="closed"]').click()
  await settled(page)
  const stClosed = (await station.get('/requests?state=closed&limit=200')).body.items
  const ended = await csvOf(await exportAs(page, 'csv'), 'requests')
  assert.equal(ended.length - 1, stClosed.length, 'the closed tab: the closed requests')
  await xlsxOf(await exportAs(page, 'xlsx'), 'requests')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a school and the committee see no export where the server refuses it', async () => {
  const school = await apiSession(srv.base, 'school')
  const refused = await school.get('/requests?format=csv')
  assert.equal(refused.status, 403)
  assert.equal(refused.body.error.field, 'format')
  await loginAs(page, srv.base, 'school', { path: '/login?next=/requests' })
  await page.locator('.my-requests h1').waitFor()
  await settled(page)
  assert.equal(await page.locator('.my-requests .el-radio-group').count(), 1, 'the list and its filter are there')
  assert.equal(await page.locator('.export-button').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  const committee = await apiSession(srv.base, 'committee')
  assert.equal((await committee.get('/requests?format=xlsx')).status, 403)
  await loginAs(page, srv.base, 'committee', { path: '/login?next=/board' })
  await page.locator('main h1', { hasText: '求助看板' }).waitFor()
  await settled(page)
  assert.equal(await page.locator('.export-button').count(), 0)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('caring mothers: the area filter narrows the list and the download', async () => {
  const all = (await center.get('/caring-mothers')).body
  const inTownship = (await center.get(`/caring-mothers?area=${TOWNSHIP}`)).body
  const inVillage = (await center.get(`/caring-mothers?area=${VILLAGE}`)).body
  assert.equal(inTownship.items.length, 2)
  assert.equal(inVillage.items.length, 1)
  assert.equal((await center.get('/caring-mothers?area=1234')).body.error.field, 'area')
  await loginAs(page, srv.base, 'center', { path: '/login?next=/caring-mothers' })
  await page.locator('.cm-row').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('.cm-row').count(), all.items.length)
  // the whole county, then a township: the list and the chips follow
  await pickOption(page, page.locator('.cm-area .pick-township'), '泗河街道')
  await page.waitForURL((u) => u.searchParams.get('area') === TOWNSHIP)
  await settled(page)
  assert.equal(await page.locator('.cm-row').count(), 2)
  assert.equal(await text(page.locator('.chip[data-show="all"] .chip-count')), '2')
  assert.deepEqual((await page.locator('.cm-row .cr-name').allTextContents()).map((s) => s.trim()).sort(), ['导出村妈妈', '导出镇妈妈'])
  const xlsx = await exportAs(page, 'xlsx')
  await xlsxOf(xlsx, 'caring-mothers')
  const lines = await csvOf(await exportAs(page, 'csv'), 'caring-mothers')
  assert.match(lines[0], /^编号,姓名,电话,区划代码,所在区划,加入日期,/)
  // the area by its name too, as on screen
  assert.ok(lines.slice(1).some((l) => cells(l)[4] === '花园社区'), lines.join('\n'))
  assert.deepEqual(lines.slice(1).map((l) => cells(l)[1]).sort(), ['导出村妈妈', '导出镇妈妈'])
  // a village of it
  await pickOption(page, page.locator('.cm-area .pick-village'), '花园社区')
  await page.waitForURL((u) => u.searchParams.get('area') === VILLAGE)
  await settled(page)
  assert.deepEqual((await page.locator('.cm-row .cr-name').allTextContents()).map((s) => s.trim()), ['导出村妈妈'])
  const one = await csvOf(await exportAs(page, 'csv'), 'caring-mothers')
  assert.deepEqual(one.slice(1).map((l) => cells(l)[1]), ['导出村妈妈'])
  assert.equal(cells(one[1])[3], VILLAGE)
  // the filter is in the URL: the page opened with it shows the same
  await page.goto(srv.base + `/caring-mothers?area=${TOWNSHIP}&show=active`)
  await page.locator('.cm-row').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('.cm-row').count(), 2)
  assert.deepEqual(unexpectedErrors(page), [])

  // a township's station: its villages to pick, no sideways scrolling at 360 px
  await resetSession(browser.context, srv.base, page)
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/caring-mothers' })
  await page.locator('.cm-row').first().waitFor()
  await settled(page)
  assert.equal(await page.locator('.cm-row').count(), 2, 'the mothers of the own township')
  assert.equal(await page.locator('.cm-area .pick-township').count(), 0)
  await pickOption(page, page.locator('.cm-area .pick-village'), '花园社区')
  await page.waitForURL((u) => u.searchParams.get('area') === VILLAGE)
  await settled(page)
  assert.equal(await page.locator('.cm-row').count(), 1)
  assert.equal(await hasHorizontalScroll(page), false)
  const mine = await csvOf(await exportAs(page, 'csv'), 'caring-mothers')
  assert.deepEqual(mine.slice(1).map((l) => cells(l)[1]), ['导出村妈妈'])
  assert.deepEqual(unexpectedErrors(page), [])
})

test('programmes: the status in use downloads as XLSX and CSV', async () => {
  const active = (await center.get('/programmes?status=active&limit=500')).body
  assert.ok(active.items.length >= 1)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/programmes' })
  await page.locator('.pg-row').first().waitFor()
  await page.locator('.chip[data-status="active"]').click()
  await page.waitForURL((u) => u.searchParams.get('status') === 'active')
  await settled(page)
  await xlsxOf(await exportAs(page, 'xlsx'), 'programmes')
  const lines = await csvOf(await exportAs(page, 'csv'), 'programmes')
  assert.match(lines[0], /^编号,类型,名称,负责人,/)
  const head = cells(lines[0])
  assert.equal(lines.length - 1, active.totals.programmes)
  assert.ok(lines.slice(1).every((l) => cells(l)[head.indexOf('状态')] === '进行中'))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('archive: the archived children download as XLSX and CSV', async () => {
  const listed = (await center.get('/children/archived?limit=200')).body
  assert.ok(listed.items.length >= 1 && !listed.next_cursor)
  await loginAs(page, srv.base, 'center', { path: '/login?next=/archive' })
  await page.locator('.ar-item').first().waitFor()
  await settled(page)
  await xlsxOf(await exportAs(page, 'xlsx'), 'archived-children')
  const lines = await csvOf(await exportAs(page, 'csv'), 'archived-children')
  assert.match(lines[0], /^编号,姓名,身份证号,性别,出生日期,/)
  assert.equal(lines.length - 1, listed.items.length, 'every archived child, not a page')
  assert.deepEqual(
    lines.slice(1).map((l) => Number(cells(l)[0])).sort((a, b) => a - b),
    listed.items.map((c) => c.id).sort((a, b) => a - b),
  )
  assert.deepEqual(unexpectedErrors(page), [])
})

test("trends: a township's twelve months download as XLSX and CSV, in Chinese and in English", async () => {
  const r = (await center.get(`/reports/trends?months=12&township=${TOWNSHIP}`)).body
  await loginAs(page, srv.base, 'center', { path: `/login?next=/reports/trends?township=${TOWNSHIP}` })
  await page.locator('.tc-bar').first().waitFor()
  await settled(page)
  await xlsxOf(await exportAs(page, 'xlsx'), 'trends')
  const lines = await csvOf(await exportAs(page, 'csv'), 'trends')
  assert.match(lines[0], /^月份,新登记儿童,/)
  assert.deepEqual(lines.slice(1).map((l) => cells(l)[0]), r.months)
  const head = cells(lines[0])
  assert.deepEqual(
    lines.slice(1).map((l) => Number(cells(l)[head.indexOf('走访次数')])),
    r.series.visits,
  )
  // in English: the control, its menu and the file's headers
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('main h1', { hasText: 'The last 12 months' }).waitFor()
  assert.equal(await page.locator('.export-button').getByRole('button', { name: 'Export', exact: true }).count(), 1)
  const en = await csvOf(await exportAs(page, 'csv'), 'trends')
  assert.match(en[0], /^Month,Children registered,/)
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '近 12 个月趋势' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('talks and charity projects: the lists download with the filters in use', async () => {
  await loginAs(page, srv.base, 'center', { path: `/login?next=/talks?area=${TOWNSHIP}` })
  await page.locator('.tk-item').first().waitFor()
  await settled(page)
  const shown = (await center.get(`/talks?area=${TOWNSHIP}&limit=1`)).body
  const talks = await csvOf(await exportAs(page, 'csv'), 'talks')
  assert.match(talks[0], /^活动日期,活动类型,主题,地点代码,/)
  assert.equal(talks.length - 1, shown.totals.talks, 'every talk of the period and the township')
  assert.ok(talks.slice(1).every((l) => cells(l)[3].startsWith(TOWNSHIP)))
  await xlsxOf(await exportAs(page, 'xlsx'), 'talks')

  await page.goto(srv.base + '/projects?status=done')
  await page.locator('.pj-row').first().waitFor()
  await settled(page)
  const done = (await center.get('/projects?status=done')).body.items
  const projects = await csvOf(await exportAs(page, 'csv'), 'projects')
  assert.match(projects[0], /^编号,项目名称,类型,状态,/)
  assert.deepEqual(
    projects.slice(1).map((l) => Number(cells(l)[0])).sort((a, b) => a - b),
    done.map((p) => p.id).sort((a, b) => a - b),
  )
  await xlsxOf(await exportAs(page, 'xlsx'), 'projects')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('each download is recorded in the audit log', async () => {
  const auditor = await apiSession(srv.base, 'auditor')
  const entries = (await auditor.get('/audit?action=request.export&limit=100')).body.items
  assert.ok(entries.length >= 5, 'the requests downloaded above')
  assert.ok(entries.some((e) => e.username === 'director'))
  assert.ok(entries.some((e) => e.username === 'station'))
})
