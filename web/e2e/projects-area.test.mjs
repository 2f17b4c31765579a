// A hope room without a township (saved before one was required, and not
// derivable by the upgrade) is tagged 未设乡镇 in the centre's project list,
// and 只看未设乡镇 narrows the list to those (?area=none), for the centre to
// set the township.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { startServer, launch, openPage, loginAs, apiSession, settled, text, unexpectedErrors } from './helpers.mjs'

let srv, browser, center

before(async () => {
  srv = await startServer({ children: 50 })
  browser = await launch()
  center = await apiSession(srv.base, 'center')
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('centre: a hope room without a township is tagged, and the list narrows to those', async () => {
  const all = (await center.get('/projects')).body.items
  const room = all.find((p) => p.kind === 'hope_room' && p.area_code)
  const other = all.find((p) => p.id !== room.id && p.area_code)
  assert.ok(room && other)
  execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), `UPDATE projects SET area_code = NULL WHERE id = ${room.id}`])

  const page = await openPage(browser.context)
  const errors = unexpectedErrors(page)
  await loginAs(page, srv.base, 'center', { path: '/projects' })
  await page.locator('.pj-row').first().waitFor()
  await settled(page)
  assert.equal(await text(page.locator(`.pj-row[data-id="${room.id}"] .pr-no-area`)), '未设乡镇')
  assert.equal(await page.locator(`.pj-row[data-id="${other.id}"] .pr-no-area`).count(), 0, 'one with its township is not tagged')
  await page.locator('.pick-no-area').click()
  await page.waitForURL((u) => u.searchParams.get('area') === 'none')
  await settled(page)
  await page.locator(`.pj-row[data-id="${room.id}"]`).waitFor()
  const ids = await page.locator('.pj-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)))
  assert.deepEqual(ids, [room.id], 'only those without a township')
  await page.locator('.pick-no-area').click()
  await page.waitForURL((u) => !u.searchParams.has('area'))
  await settled(page)
  assert.ok((await page.locator('.pj-row').count()) > 1)
  assert.deepEqual(errors, [])
  await page.close()
})
