// A category ended by age (SPEC §3: "the history says when and why") in
// the browser: a confirmed left-behind child whose corrected birth date
// makes him 16 forty days ago shows the category ended on that birthday,
// and the child's history has the line — 儿童类别, 农村留守儿童：已确认 →
// 农村留守儿童：已终止（年满 16 周岁）, dated the birthday and recorded by the
// system, not by "user #0".
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, loginAs, apiSession, settled, unexpectedErrors, text, bornBefore } from './helpers.mjs'

const VILLAGE = '370831001001' // the director's village
let srv, browser, page, director, station, childId

before(async () => {
  srv = await startServer({ children: 50 })
  browser = await launch()
  director = await apiSession(srv.base, 'director')
  station = await apiSession(srv.base, 'station')
  const c = await director.post('/children', {
    name: '年满十六测试',
    sex: 'M',
    birth_date: bornBefore(14, 100),
    village_code: VILLAGE,
    hukou_type: 'rural',
    guardians: [
      { relation: 'father', name: '父亲', status: 'working_away' },
      { relation: 'mother', name: '母亲', status: 'working_away' },
    ],
  })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  childId = c.body.id
  const k = await station.post(`/children/${childId}/categories/left_behind`, {
    action: 'confirm',
    evidence_type: 'household_survey',
    evidence_ref: 'HS-16',
    start_date: bornBefore(1, 0),
  })
  assert.equal(k.status, 200, JSON.stringify(k.body))
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('a birth date corrected past 16: the category ends on the birthday and the history says when and why', async () => {
  const birthday = bornBefore(0, 40)
  const cur = await director.get(`/children/${childId}`)
  const p = await director.patch(`/children/${childId}`, { version: cur.body.version, birth_date: bornBefore(16, 40) })
  assert.equal(p.status, 200, JSON.stringify(p.body))

  page = await openPage(browser.context)
  await loginAs(page, srv.base, 'station', { path: `/login?next=/children/${childId}` })
  await page.locator('.history').waitFor()
  await settled(page)
  const line = page.locator('.history li', { hasText: '年满 16 周岁' })
  await line.waitFor()
  assert.equal(await text(line.locator('.h-field')), '儿童类别')
  assert.equal(await text(line.locator('.h-old')), '农村留守儿童：已确认')
  assert.equal(await text(line.locator('.h-new')), '农村留守儿童：已终止（年满 16 周岁）')
  assert.match(await text(line.locator('.h-at')), new RegExp(`^${birthday}`), 'dated the 16th birthday')
  assert.equal(await text(line.locator('.h-by')), '系统自动记录')
  assert.deepEqual(unexpectedErrors(page), [])
})
