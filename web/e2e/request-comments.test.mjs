// Comments on a request, on a phone: the township station asks the village
// back in the comment box, the director reads the question on the timeline
// and answers it; the state does not move, and a failed send keeps the text.
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

async function comment(page, text) {
  const box = page.locator('#req-comment')
  await box.scrollIntoViewIfNeeded()
  await box.fill(text)
  await page.locator('.comment-send').click()
  await page.locator('.tl-step[data-action="comment"] .tl-note', { hasText: text }).waitFor()
}

test('the station asks back in a comment and the director answers on the request page', async () => {
  const director = await apiSession(srv.base, 'director')
  const station = await apiSession(srv.base, 'station')
  const filed = await director.post('/requests', { kind: 'living_hardship', narrative: '需要帮助', village_code: VILLAGE, child_description: '约8岁男孩' })
  assert.equal(filed.status, 201, JSON.stringify(filed.body))
  const id = filed.body.id
  const cur = await station.get(`/requests/${id}`)
  assert.equal((await station.post(`/requests/${id}/actions`, { action: 'review', version: cur.body.version })).status, 200)

  await resetSession(browser.context, srv.base)
  let page = await openPage(browser.context, { viewport: PHONE })
  await loginAs(page, srv.base, 'station', { path: `/login?next=/requests/${id}` })
  await page.locator('.timeline').waitFor()
  await settled(page)
  // an empty comment is refused in the form, naming what is missing
  await page.locator('#req-comment').scrollIntoViewIfNeeded()
  await page.locator('.comment-send').click()
  assert.match(await page.locator('.comment-box .err').innerText(), /留言/)
  await comment(page, '请补充：孩子父母在哪里务工？')
  assert.equal(await page.locator('#req-comment').inputValue(), '', 'cleared once sent')
  const step = page.locator('.tl-step[data-action="comment"]').first()
  assert.match(await step.locator('.tl-action').innerText(), /留言/)
  assert.equal(await step.locator('.tl-move').count(), 0, 'a comment moves no state')
  assert.equal(await hasHorizontalScroll(page), false)

  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
  await loginAs(page, srv.base, 'director', { path: `/login?next=/requests/${id}` })
  await page.locator('.timeline').waitFor()
  await settled(page)
  assert.match(await page.locator('.timeline').innerText(), /孩子父母在哪里务工/)
  await comment(page, '父母在上海务工')
  assert.equal(await page.locator('.tl-step[data-action="comment"]').count(), 2)
  await page.close()

  const after = await station.get(`/requests/${id}`)
  assert.equal(after.body.state, 'township_review', 'the state did not move')
  const inbox = await station.get('/inbox?limit=200')
  assert.ok(inbox.body.items.some((m) => m.request_id === id && m.event === 'request.comment'), 'the station is told of the answer')
})

test('the committee has no comment box', async () => {
  const director = await apiSession(srv.base, 'director')
  const filed = await director.post('/requests', { kind: 'medical', narrative: '需要帮助', village_code: VILLAGE, child_description: '女孩' })
  await resetSession(browser.context, srv.base)
  const page = await openPage(browser.context, { viewport: PHONE })
  await loginAs(page, srv.base, 'committee', { path: `/login?next=/requests/${filed.body.id}` })
  await page.locator('.timeline').waitFor()
  await settled(page)
  assert.equal(await page.locator('.comment-box').count(), 0)
  await page.close()
})
