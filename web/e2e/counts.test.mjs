// Every count a page shows goes through the shared formatter (count() in
// web/src/lib/format.js): in English too, "2,210" and never "2210", on the
// tiles of the overview, the scorecard and the talks, the home page's
// registry card, the ledger's and the entitlements' tiles, and numbers
// inside sentences (a visit interval in days, a file's size in KB). The demo
// county here has 150,000 children; the ledger and the entitlements of a
// county that size are small in the demo, so their answers are scaled up
// on the way to the page (what is checked is how the page writes them).
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, launch, loginAs, apiSession, settled, unexpectedErrors, text, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 900 }
let srv, browser, page, center

const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

before(async () => {
  srv = await startServer({ children: 150000 })
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

// the centre, signed in, the pages in English
async function centreInEnglish(path) {
  await loginAs(page, srv.base, 'center', { path: '/login?next=' + encodeURIComponent(path) })
  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  await page.reload()
  await settled(page)
}
const big = (n, what) => {
  assert.ok(n >= 1000, `${what} is ${n}: too small to show the grouping`)
  return grouped(n)
}

test('the overview, the scorecard, the talks and the home page group thousands in English', async () => {
  const ov = (await center.get('/overview')).body.totals
  await centreInEnglish('/overview')
  const tile = page.locator('.ov-tile[data-figure=left_behind] .ov-num')
  await tile.waitFor()
  assert.equal(await text(tile), big(ov.categories.left_behind, 'left-behind children'))
  assert.equal(await text(page.locator('.ov-tile[data-figure=coverage] .ov-sub')), `${big(ov.visits.in_plan, 'children in the visit plan')} in the plan`)

  const sc = (await center.get('/visits/scorecard')).body.totals
  await page.goto(srv.base + '/visits/scorecard')
  const inPlan = page.locator('.sc-totals .tot[data-figure=in_plan] .tot-num')
  await inPlan.waitFor()
  assert.equal(await text(inPlan), big(sc.in_plan, 'the scorecard’s plan'))

  const talks = (await center.get('/talks?limit=1')).body.totals
  await page.goto(srv.base + '/talks')
  const heard = page.locator('.tk-totals .tot[data-figure=children] .tot-num')
  await heard.waitFor()
  assert.equal(await text(heard), big(talks.children, 'children at talks'))
  assert.equal(await text(page.locator('.tk-totals .tot[data-figure=adults] .tot-num')), big(talks.adults, 'adults at talks'))

  // the home page's registry card: the minors among the registered
  const total = (await center.get('/children?limit=1')).body.total
  await page.goto(srv.base + '/')
  const minors = page.locator('.home-minors')
  await minors.waitFor()
  assert.match(await text(minors), new RegExp(`^${big(ov.children, 'minors')} of them under 18; ${grouped(total - ov.children)} ha`))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the ledger and the entitlements: tiles, tables and chips group thousands in English', async () => {
  // a county with a thousand times the demo's payments and entitlements
  const scale = (o, keys) => {
    for (const k of keys) if (typeof o[k] === 'number') o[k] *= 1000
  }
  await page.route(/\/api\/v1\/entitlements\/ledger(\?|$)/, async (route) => {
    const r = await route.fetch()
    const body = await r.json()
    scale(body, ['count', 'children'])
    for (const w of body.by_township) scale(w, ['children', 'payments'])
    for (const p of body.by_policy) scale(p, ['children'])
    await route.fulfill({ response: r, json: body })
  })
  await page.route(/\/api\/v1\/entitlements(\?|$)/, async (route) => {
    const r = await route.fetch()
    const body = await r.json()
    scale(body.counts, ['gap', 'stop', 'receiving'])
    for (const p of body.policies) scale(p, ['gap', 'stop', 'receiving'])
    await route.fulfill({ response: r, json: body })
  })
  const ledger = (await center.get('/entitlements/ledger')).body
  assert.ok(ledger.count > 0 && ledger.by_township.length > 0, 'the demo has payments this month')
  await centreInEnglish('/entitlements/ledger')
  await page.locator('.lg-count').waitFor()
  assert.equal(await text(page.locator('.lg-count')), grouped(ledger.count * 1000))
  assert.equal(await text(page.locator('.lg-children')), grouped(ledger.children * 1000))
  const w = ledger.by_township[0]
  assert.equal(await text(page.locator(`.by-township tr[data-code="${w.code}"] .bt-payments`)), grouped(w.payments * 1000))
  assert.equal(await text(page.locator(`.by-township tr[data-code="${w.code}"] .bt-children`)), grouped(w.children * 1000))

  const ent = (await center.get('/entitlements?limit=1')).body
  await page.goto(srv.base + '/entitlements')
  const chip = page.locator('.chip-receiving .chip-count')
  await chip.waitFor()
  assert.equal(await text(chip), grouped(ent.counts.receiving * 1000))
  const p = ent.policies.find((x) => x.receiving > 0)
  assert.equal(await text(page.locator(`.sum-row[data-policy="${p.policy_id}"] [data-group=receiving] .sum-n`)), grouped(p.receiving * 1000))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('numbers inside sentences: a visit interval in days and a file’s size in KB are grouped too', async () => {
  // a visit plan with a long interval (the answer scaled on its way to the page)
  await page.route(/\/api\/v1\/visits\/plan(\?|$)/, async (route) => {
    const r = await route.fetch()
    const body = await r.json()
    for (const it of body.items) it.interval_days = 1500
    await route.fulfill({ response: r, json: body })
  })
  await loginAs(page, srv.base, 'director', { path: '/login?next=/visits' })
  await page.locator('.pc-every').first().waitFor()
  assert.equal(await text(page.locator('.pc-every').first()), '每1,500天走访一次')

  // 12 MB chosen for an import: its size is written 12,288 KB (the file is never sent)
  await page.goto(srv.base + '/imports')
  await page.locator('.import-form').waitFor()
  await settled(page)
  // from a file on disk: the browser reads it where it is, where a buffer
  // would cross to the browser as 16 MB of base64 first
  const dir = mkdtempSync(join(tmpdir(), 'weibao-big-'))
  try {
    writeFileSync(join(dir, 'big.csv'), Buffer.alloc(12 * 1024 * 1024, 0x41))
    await page.setInputFiles('#import-file', join(dir, 'big.csv'))
    await page.locator('.file-info', { hasText: 'big.csv' }).waitFor()
    assert.equal(await text(page.locator('.file-info')), 'big.csv（12,288 KB）')
  } finally {
    // not left behind when the test fails
    rmSync(dir, { recursive: true, force: true })
  }
  assert.deepEqual(unexpectedErrors(page), [])
})
