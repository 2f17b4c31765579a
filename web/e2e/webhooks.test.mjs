// 消息推送 (webhooks, /settings/webhooks; GET/POST /api/v1/webhooks and
// GET /api/v1/webhooks/deliveries) in the browser. The centre opens it from
// the deadlines page and gives the county a webhook (a receiver started by
// this test answering 200): the secret the server made is shown once, and
// the receiver's calls verify with it; the list names the owner, enabled,
// secret set. A bad URL and a short secret are refused on their fields with
// nothing saved — by the page, and when the server refuses. A township's
// webhook (a receiver answering 500) gets a secret generated in the
// browser; the county's is edited without a secret and keeps it. Steps of
// a help request then notify both: the log shows the delivered call with a
// link to the request and the failing one ends 失败 with its status; the
// state and webhook filters narrow it, "more" pages by the cursor; both
// tables download. The administrator opens the page from the menu and
// edits with the keyboard; a station has no menu entry and is led home.
// No sideways scrolling at 360 px in both languages; no console errors.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  startServer,
  launch,
  resetSession,
  loginAs,
  apiSession,
  openNav,
  exportAs as exportVia,
  hasHorizontalScroll,
  settled,
  shot,
  unexpectedErrors,
  text,
  discardTyped,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const DESK = { width: 1280, height: 900 }
const COUNTY = '370831'
const TOWNSHIP = '370831001' // 泗河街道: the director's village is in it
const VILLAGE = '370831001001'
let srv, browser, page, center, director, station, ok, bad
// what the tests learn on the way
const state = { countySecret: '', townshipSecret: '', countyId: 0, townshipId: 0, requestId: 0 }

// A webhook receiver on 127.0.0.1 answering `status` to every call and
// recording it (its raw body, headers and path).
async function receiver(status, delayMs = 0) {
  const calls = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (d) => chunks.push(d))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      calls.push({ path: req.url, headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) })
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain' })
        res.end(status === 200 ? 'ok' : 'not now')
      }, delayMs)
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { calls, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => new Promise((r) => server.close(r)) }
}
// whether a call carries the HMAC-SHA256 of its raw body with the secret
const signedWith = (call, secret) =>
  call.headers['x-weibao-signature'] === 'sha256=' + createHmac('sha256', secret).update(call.raw).digest('hex')

async function waitFor(what, fn, ms = 15000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

// The CSV's rows as arrays of cells (quotes understood), the BOM dropped.
function csvRows(s) {
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  for (let i = s.charCodeAt(0) === 0xfeff ? 1 : 0; i < s.length; i++) {
    const c = s[i]
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') cell += s[++i]
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += c
  }
  if (cell || row.length) rows.push(row.concat([cell]))
  return rows
}
// a download through a control, once the menu of the one before has gone
async function exportAs(p, format, control) {
  await p.locator('.export-menu:visible').first().waitFor({ state: 'hidden' })
  return exportVia(p, format, control)
}
async function csvOf(file, stem) {
  assert.match(file.suggestedFilename(), new RegExp(`^${stem}-\\d{8}\\.csv$`))
  const s = readFileSync(await file.path(), 'utf8')
  assert.equal(s.charCodeAt(0), 0xfeff, 'a CSV file starts with a BOM')
  return s
}
async function xlsxOf(file, stem) {
  assert.match(file.suggestedFilename(), new RegExp(`^${stem}-\\d{8}\\.xlsx$`))
  const bytes = readFileSync(await file.path())
  assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip')
  return bytes
}

// the POSTs of webhooks the page sends
function watchPosts() {
  const posts = []
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/webhooks') posts.push(r.postDataJSON())
  })
  return posts
}
async function openHooks(user, path = '/settings/webhooks') {
  await loginAs(page, srv.base, user, { path: '/login?next=' + encodeURIComponent(path) })
  await page.locator('main h1').first().waitFor()
  await settled(page)
}
const row = (owner) => page.locator(`.wh-row[data-owner="${owner}"]`)
const dialog = () => page.locator('.wh-dialog')
const hooksNow = async () => (await center.get('/webhooks')).body.items

before(async () => {
  // quick retries, two attempts in all
  srv = await startServer({ children: 60, args: ['--webhook-backoff-ms', '100', '--webhook-max-attempts', '2'] })
  browser = await launch({ viewport: DESK })
  ;[center, director, station] = await Promise.all(['center', 'director', 'station'].map((u) => apiSession(srv.base, u)))
  ok = await receiver(200)
  bad = await receiver(500)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
  await ok?.close()
  await bad?.close()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESK })
})

test('centre: from the deadlines page, the county gets a webhook; the secret the server made is shown once; the list names it', async () => {
  const posts = watchPosts()
  await openHooks('center', '/settings/loop')
  const link = page.locator('.webhooks-link')
  assert.equal(await text(link), '消息推送')
  // the menu has it too, under 监督与系统
  await page.getByRole('button', { name: '菜单' }).click()
  const system = page.locator('#user-menu').getByRole('group', { name: '监督与系统' })
  assert.deepEqual((await system.getByRole('link').allTextContents()).map((s) => s.trim()), ['消息推送'])
  await page.getByRole('button', { name: '菜单' }).click()
  await link.click()
  await page.waitForURL((u) => u.pathname === '/settings/webhooks')
  await page.locator('.wh-empty').waitFor()
  await settled(page)
  assert.equal(await text(page.locator('main h1')), '消息推送')
  assert.equal(await page.title(), '消息推送 · 未保')
  assert.equal(await text(page.locator('.wh-empty')), '尚未设置推送地址。')
  // what a gateway must check
  await page.locator('.wh-help summary').click()
  assert.match(await text(page.locator('.wh-help')), /X-Weibao-Signature: sha256=<hex>/)
  assert.match(await text(page.locator('.wh-help')), /HMAC-SHA256/)
  assert.match(await text(page.locator('.wh-help')), /sent_at/)

  await page.locator('.wh-add').click()
  await dialog().locator('#wh-owner').waitFor()
  assert.equal(await text(dialog().locator('.el-dialog__title')), '添加推送地址')
  // the county, the townships, the departments and the organisations
  const options = (await dialog().locator('#wh-owner option').allTextContents()).map((s) => s.trim())
  for (const o of ['泗水县（县中心、未保委员会）', '泗河街道', '泉林镇', '县民政局', '县慈善总会']) assert.ok(options.includes(o), `${o} in ${options}`)
  assert.match(await text(dialog().locator('#wh-secret-hint')), /留空则由服务器生成一个/)
  assert.equal(await dialog().locator('#wh-enabled').getAttribute('aria-checked'), 'true', 'enabled by default')
  await dialog().locator('#wh-owner').selectOption(`area:${COUNTY}`)
  await dialog().locator('#wh-url').fill(ok.url)
  await dialog().locator('.wh-save').click()

  // the secret, once, with a warning and a copy button
  const once = page.locator('.wh-secret-dialog')
  await once.locator('.wh-secret-value').waitFor()
  assert.match(await text(once.locator('.wh-secret-warning')), /只显示这一次.*无法再次查看/)
  assert.match(await text(once.locator('.wh-secret-for')), /泗水县/)
  assert.equal(await once.locator('.wh-copy').count(), 1)
  const secret = await once.locator('.wh-secret-value').inputValue()
  assert.ok(secret.length >= 32, `a strong secret: ${secret}`)
  assert.deepEqual(posts, [{ area_code: COUNTY, url: ok.url, enabled: true }], 'no secret sent: the server makes it')
  state.countySecret = secret
  await once.locator('.wh-secret-done').click()
  await once.locator('.wh-secret-value').waitFor({ state: 'hidden' })
  await page.locator('.el-message--success', { hasText: '推送地址已保存' }).waitFor()

  // the list: the owner by name, enabled, secret set — never the secret
  const county = row(`area:${COUNTY}`)
  assert.equal(await text(county.locator('.wh-owner-name')), '泗水县')
  assert.equal(await text(county.locator('.wh-owner-kind')), '县级')
  assert.equal(await text(county.locator('.wh-url')), ok.url)
  assert.equal(await text(county.locator('.wh-enabled')), '已启用')
  assert.equal(await text(county.locator('.wh-secret')), '已设置')
  assert.match(await text(county.locator('.wh-updated')), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page')
  const [h] = await hooksNow()
  assert.equal(h.secret_set, true)
  assert.equal(h.enabled, true)
  assert.deepEqual(h.owner, { kind: 'area', area_code: COUNTY, name: '泗水县' })
  state.countyId = h.id
  // never shown again: not after a reload, not in the edit dialog
  await page.reload()
  await county.waitFor()
  await settled(page)
  assert.ok(!(await page.content()).includes(secret))
  await county.locator('.wh-edit').click()
  assert.equal(await dialog().locator('#wh-secret').inputValue(), '')
  await dialog().getByRole('button', { name: '取消' }).click()
  // the county has its webhook: it is not offered again
  await page.locator('.wh-add').click()
  assert.equal(await dialog().locator(`#wh-owner option[value="area:${COUNTY}"]`).isDisabled(), true)
  assert.match(await text(dialog().locator(`#wh-owner option[value="area:${COUNTY}"]`)), /（已设置）/)
  await shot(page, 'webhooks-dialog-1280')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a bad URL and a short secret are refused on their fields with nothing saved — by the page and by the server', async () => {
  const posts = watchPosts()
  await openHooks('center')
  await page.locator('.wh-add').click()
  // nothing chosen, nothing typed
  await dialog().locator('.wh-save').click()
  assert.equal(await text(dialog().locator('.wh-err-owner')), '请选择县级、乡镇、部门或社会组织')
  assert.equal(await text(dialog().locator('.wh-err-url')), '此项为必填项')
  await dialog().locator('#wh-owner').selectOption(`area:${TOWNSHIP}`)
  await dialog().locator('#wh-url').fill('ftp://gw.example/weibao')
  await dialog().locator('#wh-secret').fill('too-short')
  await dialog().locator('.wh-save').click()
  assert.equal(await text(dialog().locator('.wh-err-url')), '请填写以 http:// 或 https:// 开头、不含空格的地址')
  assert.equal(await text(dialog().locator('.wh-err-secret')), '密钥应为 16 到 64 位字母、数字或 - _ . ~ + / =')
  assert.equal(await dialog().locator('.wh-err-owner').count(), 0)
  assert.equal(await dialog().locator('#wh-url').getAttribute('aria-invalid'), 'true')
  assert.equal(await dialog().locator('#wh-secret').getAttribute('aria-invalid'), 'true')
  assert.equal(await page.evaluate(() => document.activeElement.id), 'wh-url', 'the first field in error has the focus')
  assert.equal(posts.length, 0, 'nothing sent')

  // corrected, but what reaches the server is refused: on the field it names
  await dialog().locator('#wh-url').fill(bad.url)
  await dialog().locator('#wh-secret').fill('a-long-enough-secret-0123')
  assert.equal(await dialog().locator('.wh-err-url').count(), 0, 'an edited field loses its error')
  let rewrite = { url: 'ftp://gw.example/weibao' }
  await page.route('**/api/v1/webhooks', (route) => {
    const r = route.request()
    if (r.method() !== 'POST') return route.continue()
    return route.continue({ postData: JSON.stringify({ ...r.postDataJSON(), ...rewrite }) })
  })
  await dialog().locator('.wh-save').click()
  await dialog().locator('.wh-err-url').waitFor()
  assert.equal(await text(dialog().locator('.wh-err-url')), '请填写以 http:// 或 https:// 开头、不含空格的地址')
  assert.equal(await dialog().locator('.wh-err-secret').count(), 0)
  rewrite = { secret: 'short' }
  await dialog().locator('.wh-save').click()
  await dialog().locator('.wh-err-secret').waitFor()
  assert.equal(await text(dialog().locator('.wh-err-secret')), '密钥应为 16 到 64 位字母、数字或 - _ . ~ + / =')
  assert.equal(await dialog().locator('.wh-err-url').count(), 0)
  await page.unroute('**/api/v1/webhooks')
  assert.equal(posts.length, 2)
  assert.equal(await dialog().isVisible(), true, 'the dialog stays open, its values kept')
  assert.equal(await dialog().locator('#wh-url').inputValue(), bad.url)
  // nothing saved
  const hooks = await hooksNow()
  assert.deepEqual(hooks.map((h) => h.owner.area_code), [COUNTY])
  // Cancel on what was typed asks first: keeping on editing keeps it, discard closes
  await dialog().getByRole('button', { name: '取消' }).click()
  await page.locator('.dirty-confirm').getByRole('button', { name: '继续填写' }).click()
  await page.locator('.dirty-confirm').waitFor({ state: 'hidden' })
  assert.equal(await dialog().locator('#wh-url').inputValue(), bad.url)
  await page.keyboard.press('Escape')
  await discardTyped(page)
  await dialog().waitFor({ state: 'hidden' })
  assert.equal(await page.locator('.wh-row').count(), 1)
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test('a township’s webhook gets a secret made in the browser; the county’s, edited without a secret, keeps its own', async () => {
  const posts = watchPosts()
  await openHooks('center')
  await page.locator('.wh-add').click()
  await dialog().locator('#wh-owner').selectOption(`area:${TOWNSHIP}`)
  await dialog().locator('#wh-url').fill(bad.url)
  await dialog().locator('.wh-generate').click()
  const secret = await dialog().locator('#wh-secret').inputValue()
  assert.match(secret, /^[A-Za-z0-9_-]{43}$/, 'a random 256-bit secret, base64url')
  assert.match(await text(dialog().locator('.wh-generated')), /请先复制并配置到网关/)
  // another press, another secret
  await dialog().locator('.wh-generate').click()
  assert.notEqual(await dialog().locator('#wh-secret').inputValue(), secret)
  const mine = await dialog().locator('#wh-secret').inputValue()
  state.townshipSecret = mine
  await dialog().locator('.wh-save').click()
  const town = row(`area:${TOWNSHIP}`)
  await town.waitFor()
  await settled(page)
  assert.deepEqual(posts, [{ area_code: TOWNSHIP, url: bad.url, enabled: true, secret: mine }])
  assert.equal(await page.locator('.wh-secret-dialog .wh-secret-value').isVisible(), false, 'a secret given is not shown back')
  assert.equal(await text(town.locator('.wh-owner-name')), '泗河街道')
  assert.equal(await text(town.locator('.wh-owner-kind')), '乡镇')
  assert.equal(await text(town.locator('.wh-secret')), '已设置')

  // the county's, edited: the owner fixed, the secret left empty
  await row(`area:${COUNTY}`).locator('.wh-edit').click()
  assert.equal(await text(dialog().locator('.el-dialog__title')), '编辑推送地址')
  assert.equal(await dialog().locator('select#wh-owner').count(), 0, 'the owner does not change')
  assert.match(await text(dialog().locator('.wh-owner-fixed')), /泗水县/)
  assert.equal(await dialog().locator('#wh-url').inputValue(), ok.url)
  assert.equal(await dialog().locator('#wh-secret').getAttribute('placeholder'), '留空则保留当前密钥')
  assert.match(await text(dialog().locator('#wh-secret-hint')), /留空则保留当前密钥/)
  await dialog().locator('#wh-url').fill(ok.url + '?v=2')
  await dialog().locator('.wh-save').click()
  await row(`area:${COUNTY}`).locator('.wh-url', { hasText: '?v=2' }).waitFor()
  await settled(page)
  assert.deepEqual(posts[1], { area_code: COUNTY, url: ok.url + '?v=2', enabled: true }, 'no secret sent')
  assert.equal(await page.locator('.wh-secret-dialog .wh-secret-value').isVisible(), false)
  const county = (await hooksNow()).find((h) => h.owner.area_code === COUNTY)
  assert.equal(county.secret_set, true, 'the secret is kept')
  assert.equal(county.url, ok.url + '?v=2')
  state.townshipId = (await hooksNow()).find((h) => h.owner.area_code === TOWNSHIP).id
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the delivery log: the county’s call delivered with its request, the township’s failed with its status; filters, more, downloads', async () => {
  // a request filed in the township (its webhook: the failing receiver),
  // reviewed and forwarded to the centre (the county's: the good one)
  const filed = await director.post('/requests', { village_code: VILLAGE, kind: 'medical', narrative: '需要医疗救助（推送测试）' })
  assert.equal(filed.status, 201, JSON.stringify(filed.body))
  const id = filed.body.id
  state.requestId = id
  for (const action of ['review', 'forward']) {
    const cur = (await station.get(`/requests/${id}`)).body
    const r = await station.post(`/requests/${id}/actions`, { action, version: cur.version })
    assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`)
  }
  const call = await waitFor('the county’s call', () => ok.calls.find((c) => c.body.event === 'request.forward' && c.body.data.request_id === id))
  // the receiver checks the signature with the secret shown once, kept by the edit
  assert.ok(ok.calls.length >= 1)
  for (const c of ok.calls) assert.ok(signedWith(c, state.countySecret), 'signed with the county’s secret')
  assert.equal(call.path, '/hook?v=2', 'the edited address')
  assert.equal(call.body.data.audience, 'center')
  await waitFor('the township’s calls', () => bad.calls.some((c) => c.body.data.request_id === id))
  for (const c of bad.calls) assert.ok(signedWith(c, state.townshipSecret), 'signed with the secret made in the browser')
  const failed = await waitFor('a failed delivery', async () => {
    const l = (await center.get(`/webhooks/deliveries?webhook_id=${state.townshipId}&state=failed`)).body.items
    return l.find((d) => d.payload.request_id === id)
  })
  await waitFor('the county’s delivery to be logged', async () => {
    const l = (await center.get(`/webhooks/deliveries?webhook_id=${state.countyId}&state=delivered`)).body.items
    return l.some((d) => d.id === call.body.id)
  })

  await openHooks('center')
  await page.locator('.dv-row').first().waitFor()
  const got = page.locator(`.dv-row[data-id="${call.body.id}"]`)
  assert.equal(await text(got.locator('.dv-owner')), '泗水县')
  assert.equal(await text(got.locator('.dv-event-name')), '转报县中心')
  assert.equal(await text(got.locator('.dv-event-code')), 'request.forward')
  assert.equal(await text(got.locator('.dv-state')), '已送达')
  assert.equal(await text(got.locator('.dv-attempts')), '1')
  assert.equal(await text(got.locator('.dv-result')), 'HTTP 200')
  assert.match(await text(got.locator('.dv-next')), /^送达 \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  const link = got.locator('.dv-request a')
  assert.equal(await text(link), `求助 #${id}`)
  assert.equal(await link.getAttribute('href'), `/requests/${id}`)
  const lost = page.locator(`.dv-row[data-id="${failed.id}"]`)
  assert.equal(await text(lost.locator('.dv-owner')), '泗河街道')
  assert.equal(await text(lost.locator('.dv-state')), '失败')
  assert.equal(await text(lost.locator('.dv-attempts')), '2')
  assert.equal(await text(lost.locator('.dv-result')), 'HTTP 500')
  assert.equal(await text(lost.locator('.dv-next')), '—')
  await shot(page, 'webhooks-1280', { fullPage: true })

  // the state filter narrows the log
  const ids = async () => page.locator('.dv-row').evaluateAll((els) => els.map((e) => [Number(e.dataset.id), e.dataset.state, Number(e.dataset.webhook)]))
  await page.locator('.chip-failed').click()
  await settled(page)
  assert.equal(await page.locator('.chip-failed').getAttribute('aria-pressed'), 'true')
  let rows = await ids()
  const apiFailed = (await center.get('/webhooks/deliveries?state=failed&limit=200')).body.items
  assert.deepEqual(rows.map((r) => r[0]), apiFailed.map((d) => d.id))
  assert.ok(rows.length >= 1 && rows.every((r) => r[1] === 'failed'))
  assert.equal(await page.locator(`.dv-row[data-id="${call.body.id}"]`).count(), 0)
  await page.locator('.chip-delivered').click()
  await settled(page)
  rows = await ids()
  assert.ok(rows.length >= 1 && rows.every((r) => r[1] === 'delivered'))
  // and by webhook
  await page.locator('.chip-all').click()
  await page.locator('#dv-hook').selectOption(String(state.townshipId))
  await settled(page)
  rows = await ids()
  assert.ok(rows.length >= 1 && rows.every((r) => r[2] === state.townshipId), JSON.stringify(rows))

  // the whole log, filtered, downloads; the list too (never a secret)
  await page.locator('.chip-failed').click()
  await settled(page)
  const log = csvRows(await csvOf(await exportAs(page, 'csv', page.locator('.dv-export')), 'webhook-deliveries'))
  const head = log[0]
  for (const col of ['编号', '推送编号', '事件', '求助编号', '状态', '尝试次数', '最后响应码', '最后错误']) assert.ok(head.includes(col), head.join())
  const mineFailed = (await center.get(`/webhooks/deliveries?webhook_id=${state.townshipId}&state=failed&limit=200`)).body.items
  assert.equal(log.length - 1, mineFailed.length, 'the filtered log: the township’s failed deliveries')
  assert.ok(log.slice(1).every((r) => r[head.indexOf('状态')] === '失败' && r[head.indexOf('推送编号')] === String(state.townshipId)))
  assert.ok(log.slice(1).some((r) => r[head.indexOf('最后响应码')] === '500'))
  await xlsxOf(await exportAs(page, 'xlsx', page.locator('.dv-export')), 'webhook-deliveries')
  const list = csvRows(await csvOf(await exportAs(page, 'csv', page.locator('.wh-export')), 'webhooks'))
  for (const col of ['接收方', '地址', '启用', '已设密钥']) assert.ok(list[0].includes(col), list[0].join())
  const names = list.slice(1).map((r) => r[list[0].indexOf('接收方')]).sort()
  assert.deepEqual(names, ['泗水县', '泗河街道'].sort())
  const raw = list.map((r) => r.join(',')).join('\n')
  assert.ok(!raw.includes(state.countySecret) && !raw.includes(state.townshipSecret), 'no secret in the file')
  await xlsxOf(await exportAs(page, 'xlsx', page.locator('.wh-export')), 'webhooks')

  // "more": pages of two by the cursor (the page's requests made smaller)
  const asked = []
  await page.route('**/api/v1/webhooks/deliveries?*', (route) => {
    const u = new URL(route.request().url())
    if (u.searchParams.get('format')) return route.continue()
    u.searchParams.set('limit', '2')
    asked.push(u.searchParams.get('cursor'))
    return route.continue({ url: u.toString() })
  })
  await page.locator('#dv-hook').selectOption('')
  await page.locator('.chip-all').click()
  await settled(page)
  assert.equal(await page.locator('.dv-row').count(), 2)
  asked.length = 0
  for (let i = 0; i < 20 && (await page.locator('.dv-more').count()); i++) {
    await page.locator('.dv-more').click()
    await settled(page)
  }
  await page.unroute('**/api/v1/webhooks/deliveries?*')
  rows = await ids()
  const whole = (await center.get('/webhooks/deliveries?limit=200')).body.items.map((d) => d.id)
  assert.deepEqual(rows.map((r) => r[0]), whole, 'every delivery once, newest first')
  assert.ok(asked.length >= 1 && asked.every((c) => c), `a cursor on every next page: ${asked}`)

  // the request's link opens it
  await page.locator(`.dv-row[data-id="${call.body.id}"] .dv-request a`).click()
  await page.waitForURL((u) => u.pathname === `/requests/${id}`)
  await page.locator('main h1').first().waitFor()
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the administrator opens it from the menu and edits with the keyboard; a station has no entry and is led home', async () => {
  const posts = watchPosts()
  await openHooks('admin')
  await openNav(page, '消息推送')
  await page.waitForURL((u) => u.pathname === '/settings/webhooks')
  await row(`area:${TOWNSHIP}`).waitFor()
  await settled(page)
  // the administrator's few entries all fit in the bar, this one last
  const entries = (await page.locator('.nav-inline .nav-link').allTextContents()).map((s) => s.trim())
  assert.equal(entries.at(-1), '消息推送', entries.join())
  assert.equal(await page.locator('.wh-row').count(), 2)

  // the township's webhook disabled with the keyboard: Enter on 编辑, Space on the switch, Enter to save
  await row(`area:${TOWNSHIP}`).locator('.wh-edit').focus()
  await page.keyboard.press('Enter')
  await dialog().locator('#wh-url').waitFor()
  await page.locator('#wh-enabled').focus()
  await page.keyboard.press('Space')
  assert.equal(await page.locator('#wh-enabled').getAttribute('aria-checked'), 'false')
  await page.locator('#wh-url').focus()
  await page.keyboard.press('Enter')
  await row(`area:${TOWNSHIP}`).locator('.wh-enabled', { hasText: '已停用' }).waitFor()
  await settled(page)
  assert.deepEqual(posts, [{ area_code: TOWNSHIP, url: bad.url, enabled: false }])
  const town = (await hooksNow()).find((h) => h.owner.area_code === TOWNSHIP)
  assert.equal(town.enabled, false)
  assert.equal(town.secret_set, true, 'its secret kept')
  // the deadlines page links here for the administrator too
  await page.goto(srv.base + '/settings/loop')
  await page.locator('.webhooks-link').waitFor()
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])

  // a station: no entry, no link, and the address leads home
  await resetSession(browser.context, srv.base, page)
  await openHooks('station', '/settings/loop')
  await page.locator('.dl-table').waitFor() // the deadlines' table
  assert.equal(await page.locator('.webhooks-link').count(), 0)
  const bar = (await page.locator('.nav-inline .nav-link').allTextContents()).map((s) => s.trim())
  assert.ok(!bar.includes('消息推送'), bar.join())
  await page.getByRole('button', { name: '菜单' }).click()
  assert.equal(await page.locator('#user-menu').getByRole('link', { name: '消息推送' }).count(), 0)
  await page.goto(srv.base + '/settings/webhooks')
  await page.waitForURL((u) => u.pathname === '/')
  await settled(page)
  assert.equal((await station.get('/webhooks')).status, 403)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a 360 px phone and 1280 px, both languages: no sideways scrolling; the rows are cards', async () => {
  await page.setViewportSize(PHONE)
  await openHooks('center')
  await page.locator('.dv-row').first().waitFor()
  await settled(page)
  for (const lang of ['zh', 'en']) {
    if (lang === 'en') {
      await page.getByRole('button', { name: 'English' }).click()
      await page.locator('main h1', { hasText: 'Webhooks' }).waitFor()
      assert.equal(await text(row(`area:${COUNTY}`).locator('.wh-enabled')), 'Enabled')
      assert.equal(await text(row(`area:${TOWNSHIP}`).locator('.wh-enabled')), 'Disabled')
      assert.equal(await text(page.locator('.chip-failed')), 'Failed')
      assert.equal(await text(page.locator(`.dv-row[data-state=delivered] .dv-state`).first()), 'Delivered')
    }
    assert.equal(await hasHorizontalScroll(page), false, `360 px (${lang})`)
    // a card: the fields labelled, no header row
    const card = await row(`area:${COUNTY}`).boundingBox()
    assert.ok(card.width <= PHONE.width, `a card of ${card.width} px`)
    assert.equal(await page.locator('.wh-table thead').evaluate((e) => e.getBoundingClientRect().height <= 1), true)
    await page.locator('.wh-add').click()
    await dialog().locator('#wh-owner').waitFor()
    if (lang === 'en') assert.equal(await dialog().locator('#wh-secret').getAttribute('placeholder'), 'Leave empty to let the server make one')
    await dialog().locator('.wh-save').click()
    await dialog().locator('.wh-err-owner').waitFor()
    assert.equal(await hasHorizontalScroll(page), false, `360 px with the dialog (${lang})`)
    if (lang === 'zh') await shot(page, 'webhooks-dialog-360')
    await dialog().locator('.el-dialog__footer .el-button').first().click()
    await dialog().waitFor({ state: 'hidden' })
    if (lang === 'zh') await shot(page, 'webhooks-360', { fullPage: true })
  }
  await page.setViewportSize(DESK)
  await page.waitForTimeout(200)
  assert.equal(await hasHorizontalScroll(page), false, '1280 px (en)')
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('main h1', { hasText: '消息推送' }).waitFor()
  assert.equal(await hasHorizontalScroll(page), false, '1280 px (zh)')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the log reads itself again every 10 s: a new delivery shows pending, then its outcome after the retries, without a click', async () => {
  // a township whose gateway answers slowly and with an error: its
  // delivery stays pending through two slow attempts, then fails
  const slow = await receiver(503, 2500)
  try {
    // the director's township, its webhook on again with the slow address
    const hook = await center.post('/webhooks', { area_code: TOWNSHIP, url: slow.url, enabled: true })
    assert.equal(hook.status, 200, JSON.stringify(hook.body))
    await page.clock.install()
    await openHooks('center')
    const filed = await director.post('/requests', { village_code: VILLAGE, kind: 'schooling', narrative: '入学困难（推送重试测试）' })
    assert.equal(filed.status, 201, JSON.stringify(filed.body))
    const pending = await waitFor('the pending delivery', async () => {
      const l = (await center.get(`/webhooks/deliveries?webhook_id=${hook.body.id}`)).body.items
      return l.find((d) => d.payload.request_id === filed.body.id && d.state === 'pending')
    })
    // the page, opened before, picks it up on its next round, pending
    await page.clock.runFor(10000)
    const mine = page.locator(`.dv-row[data-id="${pending.id}"]`)
    await mine.waitFor()
    assert.equal(await text(mine.locator('.dv-state')), '待发送')
    assert.match(await text(page.locator('.dv-auto')), /每 10 秒自动刷新/)
    await waitFor('the failed delivery', async () => {
      const l = (await center.get(`/webhooks/deliveries?webhook_id=${hook.body.id}&state=failed`)).body.items
      return l.some((d) => d.id === pending.id)
    })
    // ten seconds on, the row says what happened
    await page.clock.runFor(10000)
    await mine.locator('.dv-state', { hasText: '失败' }).waitFor()
    assert.equal(await text(mine.locator('.dv-result')), 'HTTP 503')
    assert.equal(slow.calls.length, 2, 'two attempts')
    // the township's webhook as it was
    const off = await center.post('/webhooks', { area_code: TOWNSHIP, url: bad.url, enabled: false })
    assert.equal(off.status, 200, JSON.stringify(off.body))
    assert.deepEqual(unexpectedErrors(page), [])
  } finally {
    await slow.close()
  }
})
