// The inbox's "mark all read" (全部已读) marks what the page shows, not a
// message that came in after the page was loaded: a township supervisor
// reading the inbox while a director's visit finds a problem keeps that
// new concern unread (the bell still counts it), and sees it on reload.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, loginAs, apiSession, settled, unexpectedErrors, chinaToday, text } from './helpers.mjs'

const VILLAGE = '370831001001'
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 100 })
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('全部已读 leaves a message that came in after the page was loaded unread', async () => {
  const d = await apiSession(srv.base, 'director')
  const c = await d.post('/children', { name: '收件测试儿童', sex: 'M', birth_date: '2016-03-01', village_code: VILLAGE })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const concern = async (findings) => {
    const v = await d.post(`/children/${c.body.id}/visits`, { kind: 'home', visited_on: chinaToday(), findings, flags: ['safety'] })
    assert.equal(v.status, 201, JSON.stringify(v.body))
  }
  await concern('家中无人照看')

  page = await openPage(browser.context)
  await loginAs(page, srv.base, 'supervisor', { path: '/login?next=' + encodeURIComponent('/inbox') })
  await page.locator('.msg[data-event="visit.concern"]').first().waitFor()
  await settled(page)
  const shown = await page.locator('.msg').count()

  // a second concern while the supervisor reads the page
  await concern('再次走访仍无人照看')
  await page.locator('.read-all').click()
  await settled(page)
  assert.equal(await page.locator('.msg.unread').count(), 0, 'what the page shows is read')
  assert.equal(await text(page.locator('.bell-count')), '1', 'the new message is still counted')

  await page.reload()
  await page.locator('.msg').nth(shown).waitFor()
  const unread = page.locator('.msg.unread')
  assert.equal(await unread.count(), 1)
  assert.equal(await unread.getAttribute('data-event'), 'visit.concern')
  assert.deepEqual(unexpectedErrors(page), [])
})
