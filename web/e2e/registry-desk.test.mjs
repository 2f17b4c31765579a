// The registry desk as a clerk uses it all day (QA of the desk at a
// county's scale): a child with a long name is found by it, and a search
// refused by the server is told at the name field; Back from a child's
// file (or its 返回列表 link) returns to the same page, page size and
// scroll, and a reload of a later page keeps the page and the way back
// through the pages before it; the list sorts and filters by school, in the address and in the
// export; an ID number pasted with a blank in front keeps its last digit,
// and a refused search does not leave the last one's rows on screen.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, launch, loginAs, apiSession, pickOption, makeIdNumber, settled, unexpectedErrors, text, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 800 }
const VILLAGE = '370831001001'
let srv, browser, page, center

before(async () => {
  srv = await startServer({ children: 300 })
  browser = await launch({ viewport: DESKTOP })
  center = await apiSession(srv.base, 'center')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

const rowNames = () => page.locator('.reg-table tbody tr .reg-name').allTextContents()
const search = () => page.getByRole('button', { name: '搜索', exact: true }).click()
const csvRows = (file) =>
  readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','))

async function openRegistry(path = '/registry') {
  await loginAs(page, srv.base, 'center', { path: '/login?next=' + encodeURIComponent(path) })
  await page.locator('.reg-table tbody tr').first().waitFor()
  await settled(page)
}

test('a child with a name of 24 characters is found by it; a name longer than any is refused at the 姓名 field', async () => {
  const name = '阿卜杜热合曼·买买提艾力克木江古丽娜扎尔测试长名'
  assert.equal([...name].length, 24)
  const made = await center.post('/children', { name, sex: 'M', birth_date: '2015-03-04', village_code: VILLAGE })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  await openRegistry()
  await page.getByLabel('姓名').fill(name)
  await search()
  await page.locator('.reg-total', { hasText: '共 1 条记录' }).waitFor()
  assert.deepEqual(await rowNames(), [name])
  assert.equal(await page.locator('.err').count(), 0)

  // 40 characters (120 bytes): no name is that long; said at the name field, not as a generic error
  await page.getByLabel('姓名').fill('长'.repeat(40))
  await search()
  const err = page.locator('.name-err')
  await err.waitFor()
  assert.match(await text(err), /姓名过长/)
  assert.equal(await page.locator('p.err').count(), 0, 'no generic error beside the table')
  assert.equal(await page.locator('.reg-table tbody tr').count(), 0)
  assert.match(await text(page.locator('.reg-table .el-table__empty-text')), /搜索未执行/)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

async function atPage3Size50() {
  await openRegistry()
  await page.locator('.page-size select').selectOption('50')
  await page.waitForURL(/size=50/)
  await page.locator('.reg-table tbody tr').nth(49).waitFor()
  const pages = {}
  for (const n of [2, 3]) {
    const first = (await rowNames())[0]
    await page.locator('.next-page').click()
    await page.locator('.page-no', { hasText: `第 ${n} 页` }).waitFor()
    await page.waitForFunction((f) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent !== f, first)
    await page.waitForURL(new RegExp(`page=${n}`))
    await settled(page)
    pages[n] = await rowNames()
  }
  await settled(page)
  const names = await rowNames()
  assert.equal(names.length, 50)
  // down the list, then a row near the bottom
  await page.locator('.reg-table tbody tr').nth(40).scrollIntoViewIfNeeded()
  await page.evaluate(() => window.scrollBy(0, 37))
  const y = await page.evaluate(() => window.scrollY)
  assert.ok(y > 500, `scrolled down (${y})`)
  return { names, y, url: page.url(), page2: pages[2] }
}

async function sameAsBefore(before) {
  await page.locator('.page-no', { hasText: '第 3 页' }).waitFor()
  assert.equal(page.url(), before.url)
  await page.locator('.reg-table tbody tr').nth(49).waitFor()
  assert.deepEqual(await rowNames(), before.names, 'the same rows')
  assert.equal(await page.locator('.page-size select').inputValue(), '50')
  await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 4, before.y, { timeout: 5000 }).catch(() => null)
  const y = await page.evaluate(() => window.scrollY)
  assert.ok(Math.abs(y - before.y) < 4, `scrolled where it was: ${y}, was ${before.y}`)
  // the pages around it still work
  await page.locator('.prev-page').click()
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor()
  await page.waitForURL(/page=2/)
}

test('Back from a child: the same page, page size and scroll position, with the change made meanwhile', async () => {
  const before = await atPage3Size50()
  await page.locator('.reg-table tbody tr').nth(42).locator('td').nth(2).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('h1.child-name', { hasText: before.names[42] }).waitFor()
  // the child's name corrected meanwhile: its row says the new one
  const id = page.url().match(/\/children\/(\d+)$/)[1]
  const child = await center.get(`/children/${id}`)
  const renamed = await center.patch(`/children/${id}`, { name: before.names[42] + '改', version: child.body.version })
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body))
  before.names[42] += '改'
  await page.goBack()
  await page.locator('.reg-table tbody tr .reg-name', { hasText: before.names[42] }).waitFor()
  await sameAsBefore(before)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('‹ 返回列表 from a child: the same page, page size and scroll position', async () => {
  const before = await atPage3Size50()
  await page.locator('.reg-table tbody tr').nth(42).locator('td').nth(2).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('h1.child-name', { hasText: before.names[42] }).waitFor()
  await page.locator('a.back').click()
  await sameAsBefore(before)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a reload of page 3: 上一页 goes to page 2 (its rows, size 50), then to page 1', async () => {
  const before = await atPage3Size50()
  const first = await center.get('/children?limit=50')
  await page.reload()
  await page.locator('.page-no', { hasText: '第 3 页' }).waitFor()
  await page.locator('.reg-table tbody tr').nth(49).waitFor()
  await settled(page)
  assert.deepEqual(await rowNames(), before.names)
  await page.locator('.prev-page').click()
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor()
  await page.waitForURL((u) => u.searchParams.get('page') === '2' && u.searchParams.get('size') === '50')
  await page.waitForFunction((f) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent === f, before.page2[0])
  assert.deepEqual(await rowNames(), before.page2)
  // reloaded again at page 2: 上一页 goes to the first page
  await page.reload()
  await page.locator('.page-no', { hasText: '第 2 页' }).waitFor()
  await page.locator('.reg-table tbody tr').nth(49).waitFor()
  await page.locator('.prev-page').click()
  await page.locator('.page-no', { hasText: '第 1 页' }).waitFor()
  await page.waitForURL((u) => !u.searchParams.has('page') && u.searchParams.get('size') === '50')
  await page.waitForFunction((f) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent === f, first.body.items[0].name)
  assert.deepEqual(await rowNames(), first.body.items.map((c) => c.name))
  // and forward again to page 3 after a reload of page 1 with its size
  await page.reload()
  await page.locator('.reg-table tbody tr').nth(49).waitFor()
  for (const n of [2, 3]) {
    await page.locator('.next-page').click()
    await page.locator('.page-no', { hasText: `第 ${n} 页` }).waitFor()
  }
  await page.waitForFunction((f) => document.querySelector('.reg-table tbody tr .reg-name')?.textContent === f, before.names[0])
  assert.deepEqual(unexpectedErrors(page), [])
})

test('sorted by age and filtered by school: in the address, and the export has the same rows in the same order', async () => {
  await openRegistry()
  await pickOption(page, page.locator('.f-sort'), '年龄从小到大')
  await search()
  await page.waitForURL(/sort=-birth_date/)
  await page.waitForFunction(() => {
    const d = [...document.querySelectorAll('.reg-table tbody tr td:nth-child(3)')].map((e) => e.textContent.trim())
    return d.length === 20 && d.every((x, i) => i === 0 || x <= d[i - 1])
  })
  const names = await rowNames()
  const api = await center.get('/children?limit=20&sort=-birth_date')
  assert.deepEqual(names, api.body.items.map((c) => c.name), 'youngest first, as the API orders')
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('.export-csv').click()])
  const [head, ...rows] = csvRows(await csv.path())
  const col = head.indexOf('姓名')
  assert.ok(col >= 0, head.join())
  assert.deepEqual(rows.slice(0, 20).map((r) => r[col]), names, 'the export in the page order')

  // a school of the county, picked by name
  const schools = (await center.get('/units?kind=school')).body.items
  const counts = await Promise.all(schools.map((s) => center.get(`/children?limit=1&school_id=${s.id}`).then((r) => r.body.total)))
  const i = counts.findIndex((n) => n > 0)
  assert.ok(i >= 0, 'a school with pupils')
  await pickOption(page, page.locator('.f-school'), schools[i].name)
  await search()
  await page.waitForURL(new RegExp(`school_id=${schools[i].id}`))
  await page.locator('.reg-total', { hasText: `共 ${counts[i]} 条记录` }).waitFor()
  const [csv2] = await Promise.all([page.waitForEvent('download'), page.locator('.export-csv').click()])
  assert.equal(csvRows(await csv2.path()).length - 1, counts[i])
  // the address alone gives the same list (a bookmark, Back)
  await page.reload()
  await page.locator('.reg-total', { hasText: `共 ${counts[i]} 条记录` }).waitFor()
  assert.match(await text(page.locator('.f-sort')), /年龄从小到大/)
  assert.match(await text(page.locator('.f-school')), new RegExp(schools[i].name))
  // the school cleared by its ×: every school again
  await page.locator('.f-school').hover()
  await page.locator('.f-school .el-select__clear').click()
  await search()
  await page.waitForURL((u) => !u.searchParams.has('school_id') && u.searchParams.get('sort') === '-birth_date')
  const all = (await center.get('/children?limit=1')).body.total
  await page.locator('.reg-total', { hasText: `共 ${all} 条记录` }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test("a station's school filter offers its township's schools only", async () => {
  const own = (await center.get('/units?kind=school')).body.items.filter((s) => s.area_code.startsWith('370831001'))
  assert.ok(own.length > 0)
  await loginAs(page, srv.base, 'station', { path: '/login?next=/registry' })
  await page.locator('.reg-table tbody tr').first().waitFor()
  await settled(page)
  await page.locator('.f-school').click()
  await page.locator('.el-select-dropdown__item:visible').first().waitFor()
  const offered = (await page.locator('.el-select-dropdown__item:visible').allTextContents()).map((x) => x.trim())
  assert.deepEqual(offered, own.map((s) => s.name))
  await page.keyboard.press('Escape')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('an ID number pasted with a blank in front keeps its last digit; a refused search clears the last rows', async () => {
  const n = makeIdNumber('370831', '20140506', 417)
  const made = await center.post('/children', { name: '粘贴号码', id_number: n, sex: Number(n[16]) % 2 ? 'M' : 'F', birth_date: '2014-05-06', village_code: VILLAGE })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  await openRegistry()
  await page.locator('#f-id').focus()
  await page.keyboard.insertText(' ' + n)
  assert.equal(await page.locator('#f-id').inputValue(), n)
  await search()
  await page.locator('.reg-total', { hasText: '共 1 条记录' }).waitFor()
  assert.deepEqual(await rowNames(), ['粘贴号码'])

  // then a number one digit short: refused, and 粘贴号码 is not left under it
  await page.locator('#f-id').fill(n.slice(0, 17))
  await search()
  await page.locator('.id-err').waitFor()
  assert.equal(await page.locator('.reg-table tbody tr').count(), 0)
  assert.match(await text(page.locator('.reg-table .el-table__empty-text')), /搜索未执行/)
  assert.equal(await text(page.locator('.reg-total')), '')
  assert.deepEqual(unexpectedErrors(page), [])
})
