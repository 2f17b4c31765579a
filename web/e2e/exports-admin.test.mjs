// Exports of the reference lists and oversight tables (SPEC §8: "every
// table on screen can be exported to XLSX/CSV") in the browser: the
// administrator downloads the county's area tree — or the subtree shown —
// in the columns the area import reads (代码,名称,类型), and the file
// uploaded back through the page's import adds and renames nothing; the
// units of the kind shown likewise (类型,代码,名称,所在区划); every
// account with its roles as XLSX and CSV (audited). The committee
// downloads the overview (a row per township and the totals). A school
// downloads its counselling sessions of the period and concern shown, with
// the notes (记录); the centre's file of the same school has no notes
// column. No horizontal scrolling at 360 px with the controls on the page.
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
  settled,
  unexpectedErrors,
  text,
  chinaToday,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }
const QUANLIN = '370831101' // 泉林镇
const NOTES = '导出测试：情绪低落，需持续关注'
let srv, browser, page, admin, school, center, schoolId

// The file of an XLSX download: its name, and a zip inside.
async function xlsxOf(file, stem) {
  assert.match(file.suggestedFilename(), new RegExp(`^${stem}-\\d{8}\\.xlsx$`))
  const bytes = readFileSync(await file.path())
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip')
  return bytes
}
// The text of a CSV download, which starts with a byte order mark.
async function csvText(file, stem) {
  assert.match(file.suggestedFilename(), new RegExp(`^${stem}-\\d{8}\\.csv$`))
  const s = readFileSync(await file.path(), 'utf8')
  assert.equal(s.charCodeAt(0), 0xfeff, 'a CSV file starts with a BOM (Excel reads it as UTF-8)')
  return s.slice(1)
}
const linesOf = (s) => s.trim().split(/\r?\n/)
// The cells of a CSV line (the test data has no quoted commas).
const cells = (line) => line.split(',')

before(async () => {
  srv = await startServer({ children: 100 })
  browser = await launch({ viewport: DESKTOP })
  admin = await apiSession(srv.base, 'admin')
  school = await apiSession(srv.base, 'school')
  center = await apiSession(srv.base, 'center')
  schoolId = (await school.get('/me')).body.membership.unit_id
  // a session with notes, of a concern to filter on
  const s = await school.post(`/schools/${schoolId}/counselling`, {
    held_on: chinaToday(),
    mode: 'group',
    topic: 'safety',
    pupils: 30,
    concern: 'watch',
    notes: NOTES,
  })
  assert.equal(s.status, 201, JSON.stringify(s.body))
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

test('admin: the area tree downloads in the import format, and imports back unchanged; a subtree downloads alone', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/areas' })
  const rows = page.locator('.areas-table tbody tr')
  await rows.nth(12).waitFor()
  await settled(page)
  const card = page.locator('.import-card')
  const control = card.locator('.areas-export')
  assert.equal(await control.getByRole('button', { name: '导出地区名单', exact: true }).count(), 1)
  assert.match(await text(card.locator('.export-hint')), /代码,名称,类型.*可修改后重新导入/)

  // the whole county as CSV: the import's columns, every area
  const file = await exportAs(page, 'csv', control)
  const csv = await csvText(file, 'areas')
  const lines = linesOf(csv)
  assert.equal(lines[0], '代码,名称,类型')
  assert.ok(lines.some((l) => l.startsWith(`${QUANLIN},泉林镇,`)), 'the township of 泉林镇 is listed')
  assert.equal(cells(lines[1])[0], '370831', 'the county comes first (a parent before its children)')
  const all = (await admin.get('/areas?parent=370831&limit=1000')).body.items
  for (const a of all) assert.ok(lines.some((l) => l.startsWith(`${a.code},${a.name},`)), `township ${a.code}`)
  await page.locator('.el-message--success').last().waitFor()

  // the same file imported back through the page: nothing added or renamed
  await page.setInputFiles('#areas-file', await file.path())
  await page.locator('.list-upload').click()
  const result = page.locator('.import-result')
  await result.waitFor()
  assert.match(await text(result), /新增 0 个，更名 0 个，未变 \d{1,3}(,\d{3})* 个/)
  assert.equal(Number((await text(result)).match(/未变 ([\d,]+) 个/)[1].replace(/,/g, '')), lines.length - 1, 'every row unchanged')
  await xlsxOf(await exportAs(page, 'xlsx', control), 'areas')

  // a township opened: its subtree, it first
  await page.locator('.area-link', { hasText: '泉林镇' }).click()
  await page.locator('.trail-here', { hasText: '泉林镇' }).waitFor()
  await settled(page)
  assert.match(await text(card.locator('.export-hint')), /^泉林镇及其下级地区/)
  const sub = linesOf(await csvText(await exportAs(page, 'csv', control), 'areas'))
  assert.equal(sub[0], '代码,名称,类型')
  assert.match(sub[1], new RegExp(`^${QUANLIN},泉林镇,`))
  assert.ok(sub.length > 3 && sub.length < lines.length)
  assert.ok(sub.slice(1).every((l) => l.startsWith(QUANLIN)), 'nothing outside 泉林镇')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('admin: the units of the kind shown download in the import format and import back unchanged', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/units' })
  await page.locator('.units-table tbody tr').first().waitFor()
  await page.locator('.unit-kinds').getByText('学校').click()
  await page.locator('.units-table tbody tr', { hasText: '泗河街道第一小学' }).waitFor()
  await settled(page)
  const shown = await page.locator('.units-table tbody tr').count()
  const control = page.locator('.units-export')
  assert.match(await text(page.locator('.import-card .export-hint')), /学校/)
  const file = await exportAs(page, 'csv', control)
  const lines = linesOf(await csvText(file, 'units'))
  assert.equal(lines[0], '类型,代码,名称,所在区划')
  assert.equal(lines.length - 1, shown, 'the schools listed, no other kind')
  assert.ok(lines.slice(1).every((l) => cells(l)[0] === 'school'))
  await page.setInputFiles('#units-file', await file.path())
  await page.locator('.list-upload').click()
  await page.locator('.import-result', { hasText: `新增 0 个，更名 0 个，未变 ${shown} 个` }).waitFor()
  await xlsxOf(await exportAs(page, 'xlsx', control), 'units')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('admin: every account with its roles downloads as XLSX and CSV, and the audit log records it', async () => {
  await loginAs(page, srv.base, 'admin', { path: '/login?next=/users' })
  await page.locator('.el-table tbody tr').first().waitFor()
  await settled(page)
  const control = page.locator('.users-export')
  assert.equal(await control.getByRole('button', { name: '导出', exact: true }).count(), 1)
  await xlsxOf(await exportAs(page, 'xlsx', control), 'users')
  // the page's filter narrows the list on screen, not the file
  await page.getByLabel('按用户名、名称或地区单位筛选').fill('director2')
  await page.locator('.el-table tbody tr', { hasText: 'director2' }).waitFor()
  const lines = linesOf(await csvText(await exportAs(page, 'csv', control), 'users'))
  assert.equal(lines[0], '用户名,姓名,角色,已锁定,须修改密码,创建时间,最近登录')
  const users = (await admin.get('/users')).body.items
  assert.equal(lines.length - 1, users.length, 'every account')
  assert.ok(lines.some((l) => l.startsWith('admin,')))
  assert.deepEqual(unexpectedErrors(page), [])

  const auditor = await apiSession(srv.base, 'auditor')
  const entries = (await auditor.get('/audit?action=user.export&limit=20')).body.items
  assert.ok(entries.length >= 2 && entries.every((e) => e.username === 'admin'))
})

test('committee: the overview downloads, a row per township and the totals', async () => {
  const ov = (await (await apiSession(srv.base, 'committee')).get('/overview')).body
  await loginAs(page, srv.base, 'committee', { path: '/login?next=/overview' })
  await page.locator('.ov-row').first().waitFor()
  await settled(page)
  const control = page.locator('.ov-export')
  await xlsxOf(await exportAs(page, 'xlsx', control), 'overview')
  const lines = linesOf(await csvText(await exportAs(page, 'csv', control), 'overview'))
  assert.match(lines[0], /^乡镇（街道）代码,乡镇（街道）,在册未成年人,/)
  assert.equal(lines.length - 2, ov.townships.length)
  assert.deepEqual(
    lines.slice(1, -1).map((l) => cells(l)[0]).sort(),
    ov.townships.map((x) => x.code).sort(),
  )
  assert.equal(cells(lines.at(-1))[1], '合计')
  assert.equal(Number(cells(lines.at(-1))[2]), ov.totals.children)
  assert.deepEqual(unexpectedErrors(page), [])
})

test("counselling: the school's file has the notes (记录), of the concern shown; the centre's has none", async () => {
  await loginAs(page, srv.base, 'school', { path: `/login?next=/schools/${schoolId}?concern=watch` })
  await page.locator('.sp-row').first().waitFor()
  await settled(page)
  const watched = (await school.get(`/schools/${schoolId}/counselling?concern=watch`)).body.items
  const control = page.locator('.sp-export')
  const lines = linesOf(await csvText(await exportAs(page, 'csv', control), 'counselling'))
  const head = cells(lines[0])
  assert.ok(head.includes('记录'), lines[0])
  assert.equal(lines.length - 1, watched.length, 'the sessions of the concern shown')
  assert.ok(lines.slice(1).some((l) => cells(l)[head.indexOf('记录')] === NOTES))
  await xlsxOf(await exportAs(page, 'xlsx', control), 'counselling')
  assert.deepEqual(unexpectedErrors(page), [])

  await resetSession(browser.context, srv.base, page)
  const all = (await center.get(`/schools/${schoolId}/counselling`)).body.items
  await loginAs(page, srv.base, 'center', { path: `/login?next=/schools/${schoolId}` })
  await page.locator('.sp-row').first().waitFor()
  await settled(page)
  const theirs = linesOf(await csvText(await exportAs(page, 'csv', page.locator('.sp-export')), 'counselling'))
  assert.match(theirs[0], /^辅导日期,/)
  assert.ok(!cells(theirs[0]).includes('记录'), theirs[0])
  assert.equal(theirs.length - 1, all.length)
  assert.ok(!theirs.join('\n').includes(NOTES), 'no notes in the file')
  assert.deepEqual(unexpectedErrors(page), [])

  const auditor = await apiSession(srv.base, 'auditor')
  const entries = (await auditor.get('/audit?action=counselling.export&limit=20')).body.items
  assert.ok(entries.some((e) => e.username === 'school') && entries.some((e) => e.username === 'center'))
})

test('no horizontal scrolling at 360 px with the export controls on the page', async () => {
  await page.setViewportSize(PHONE)
  const pages = {
    admin: [
      ['/areas', '.areas-export'],
      ['/units', '.units-export'],
      ['/users', '.users-export'],
    ],
    committee: [['/overview', '.ov-export']],
    school: [[`/schools/${schoolId}`, '.sp-export']],
  }
  for (const [user, steps] of Object.entries(pages)) {
    await resetSession(browser.context, srv.base, page)
    await loginAs(page, srv.base, user)
    for (const [path, control] of steps) {
      await page.goto(srv.base + path)
      await page.locator(control).waitFor()
      await settled(page)
      assert.equal(await hasHorizontalScroll(page), false, `${user} ${path}`)
      const box = await page.locator(control).boundingBox()
      assert.ok(box.x >= 0 && box.x + box.width <= 360, `${user} ${path}: the control at ${JSON.stringify(box)}`)
      // the accounts' wide table says it scrolls sideways
      if (path === '/users') assert.equal(await text(page.locator('.wide-hint')), '表格较宽：左右滑动可查看更多列。')
    }
    assert.deepEqual(unexpectedErrors(page), [])
  }
})
