// The request page on a phone after a link: the filer's description of the
// child stays beside the linked child (the township checks the link against
// it), and a grid worker whose request was linked to a child outside the
// own grid reads that a child is linked, not who.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, resetSession, loginAs, apiSession, settled, hasHorizontalScroll, nextPage } from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const VILLAGE = '370831001001'
let srv, browser

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: PHONE })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('a linked request keeps the description; the grid worker does not see a child outside the grid', async () => {
  const grid = await apiSession(srv.base, 'grid')
  const director = await apiSession(srv.base, 'director')
  const filed = await grid.post('/requests', { kind: 'medical', narrative: '需要帮助', village_code: VILLAGE, child_description: '约8岁男孩' })
  assert.equal(filed.status, 201, JSON.stringify(filed.body))
  const id = filed.body.id
  const made = await director.post('/children', { name: '村外网格女孩', sex: 'F', birth_date: '2017-05-01', village_code: VILLAGE })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  const cur = await director.get(`/requests/${id}`)
  const linked = await director.post(`/requests/${id}/actions`, { action: 'link_child', version: cur.body.version, child_id: made.body.id })
  assert.equal(linked.status, 200, JSON.stringify(linked.body))

  // the township station checks the link against the description
  await resetSession(browser.context, srv.base)
  let page = await openPage(browser.context, { viewport: PHONE })
  await loginAs(page, srv.base, 'station', { path: `/login?next=/requests/${id}` })
  await page.locator('.facts').first().waitFor()
  await settled(page)
  const facts = await page.locator('.facts').first().innerText()
  assert.match(facts, /村外网格女孩/, facts)
  assert.match(await page.locator('.filed-description').innerText(), /约8岁男孩/)
  assert.equal(await hasHorizontalScroll(page), false)

  // the grid worker who filed it: a child is linked, not who
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
  await loginAs(page, srv.base, 'grid', { path: `/login?next=/requests/${id}` })
  await page.locator('.facts').first().waitFor()
  await settled(page)
  const body = await page.locator('body').innerText()
  assert.ok(!body.includes('村外网格女孩'), 'the name is not shown')
  assert.match(await page.locator('.child-withheld').innerText(), /已关联儿童/)
  assert.match(await page.locator('.filed-description').innerText(), /约8岁男孩/)
  // nor in the own list
  await page.goto(srv.base + '/requests')
  await settled(page)
  assert.ok(!(await page.locator('body').innerText()).includes('村外网格女孩'), 'nor in the list')
  await page.close()
})
