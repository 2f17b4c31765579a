// Shared setup of the browser suite: a fresh demo database and a weibao
// server per test file, Debian's chromium driven by playwright-core with a
// throwaway profile, and page hooks that collect console errors (CSP
// violations show up there too) and any dialog that fires.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startServer as startApiServer, whileLoginBusy } from '../../tests/api/lib/harness.mjs'
import { safeNext } from '../src/lib/format.js'

const here = dirname(fileURLToPath(import.meta.url))
export const ROOT = process.env.WEIBAO_ROOT || resolve(here, '../..')
// the binary the browser suite serves; WEIBAO_E2E_BIN when the API suite,
// run beside it, takes another (scripts/run-tests.sh: the sanitizer build
// for the API suite, the release build here). The demo databases are made
// by the API suite's binary (tests/api/lib/harness.mjs), the same schema.
export const BIN = process.env.WEIBAO_E2E_BIN || process.env.WEIBAO_BIN || join(ROOT, 'build/weibao')
export const PASSWORD = 'Test-Pass-2026'
export const SHOTS = process.env.WEIBAO_SCREENSHOTS === '1'
// the short session of the expiry tests (--session-idle): long enough that a
// page loaded on a busy machine does not already find it expired, short
// enough to wait out
export const IDLE_S = 8
export const SHOT_DIR = join(ROOT, 'docs/screenshots')

// args: more options of `weibao serve` (e.g. a short --session-idle). The
// server's environment holds no WEIBAO_ variable of the test's own
// process (the harness leaves them out): settings go in args.
export async function startServer({ children = 300, args = [] } = {}) {
  // the API suite's server: a copy of the run's cached demo database
  // (WEIBAO_DEMO_CACHE from scripts/run-tests.sh) and the same settings
  // WEIBAO_WEB_DIR: the web UI from a build of one's own (`npx vite build
  // --outDir DIR`) instead of the copy embedded in the binary
  if (process.env.WEIBAO_WEB_DIR) args = ['--web-dir', process.env.WEIBAO_WEB_DIR, ...args]
  const srv = await startApiServer('sqlite', { children, args, bin: BIN })
  return {
    base: srv.base,
    db: srv.dbUrl, // the test's database (e.g. for `weibao deadlines --db`)
    dir: srv.dir, // its folder, with the key file k.key
    stop: () => srv.stop(),
  }
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
]

// One browser profile per test file; each test gets its own context via
// newContext-like isolation by clearing cookies and storage.
//
// The browser asks for reduced motion, as a user's system can
// (styles.css: transitions and animations end at once): dialogs, menus and
// messages appear without frames to draw and wait for (on loop.test.mjs the
// GPU process's 16 cpu-s fell to 6-7, of about 100 in all). A file that
// tests what moves passes { motion: true } (nav.test.mjs, leave-forms.test.mjs).
export async function launch({ viewport = { width: 1280, height: 800 }, locale = 'zh-CN', motion = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'weibao-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.WEIBAO_CHROMIUM || '/usr/bin/chromium',
    args: ARGS,
    headless: true,
    viewport,
    locale,
    timezoneId: 'Asia/Shanghai',
    reducedMotion: motion ? 'no-preference' : 'reduce',
  })
  context.setDefaultTimeout(10000)
  context.wbViewport = viewport
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

// A page that records console errors, uncaught exceptions and dialogs.
export async function openPage(context, { viewport } = {}) {
  const page = await context.newPage()
  context.wbUsed = true
  if (viewport) await page.setViewportSize(viewport)
  record(page)
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text())
  })
  page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message))
  page.on('dialog', (d) => {
    // (nextPage leaving a page with unsaved typing: let it go)
    if (page.wbLeaving && d.type() === 'beforeunload') return d.accept().catch(() => {})
    page.dialogs.push(d.message())
    d.dismiss().catch(() => {})
  })
  // requests in flight, so a test can wait until the page has settled;
  // and the API answers >= 400 (the console only says "Failed to load").
  // Every request counts, not only the API's: a page's code arrives first
  // (a route's script chunk) and asks the API only once it has run, so
  // counting the API alone saw a quiet moment in between.
  page.on('request', (r) => /^https?:/.test(r.url()) && page.wbPending.add(r))
  page.on('requestfinished', (r) => page.wbPending.delete(r))
  page.on('requestfailed', (r) => page.wbPending.delete(r))
  page.on('response', (r) => r.status() >= 400 && page.failures.push(`${r.status()} ${r.request().method()} ${r.url()}`))
  page.on('crash', () => (page.wbLasting = true))
  watchLasting(page)
  return page
}

// What a page has recorded (openPage): console errors, dialogs, API
// failures, and the requests in flight (the requests of a page left since
// do not count).
function record(page) {
  page.errors = []
  page.dialogs = []
  page.failures = []
  page.wbPending = new Set()
}

// Settings a test may make on its page that would outlive it (routes,
// scripts, media, timeouts, the clock, its own dialog or file-chooser
// handling): a page that had any is not handed to another test (nextPage).
function watchLasting(page) {
  page.wbLasting = false
  const mark = (obj, names) => {
    for (const name of names) {
      const f = obj[name]
      if (typeof f !== 'function') continue
      obj[name] = function (...args) {
        page.wbLasting = true
        return f.apply(this, args)
      }
    }
  }
  mark(page, ['route', 'routeFromHAR', 'routeWebSocket', 'exposeFunction', 'exposeBinding', 'addInitScript', 'addLocatorHandler', 'emulateMedia', 'setExtraHTTPHeaders', 'setDefaultTimeout', 'setDefaultNavigationTimeout'])
  mark(page.clock, ['install', 'setFixedTime', 'setSystemTime', 'fastForward', 'runFor', 'pauseAt', 'resume'])
  for (const name of ['on', 'once', 'addListener', 'prependListener', 'waitForEvent']) {
    const f = page[name]
    page[name] = function (event, ...args) {
      if (event === 'dialog' || event === 'filechooser') page.wbLasting = true
      return f.call(this, event, ...args)
    }
  }
}

// The page of the next test, signed out (resetSession). A new tab costs
// chromium a renderer process, about 1.75 cpu-s more than loading the app
// again in a tab it has (measured: 3.7 against 2.0 cpu-s a sign-in and
// page): so the previous test's page is used again, when it shows the app
// and its test left nothing on it that would outlive it (watchLasting). It
// is then made like a new tab: its document left (for the favicon, on the
// same origin), its sessionStorage emptied, the mouse at the corner, the
// viewport asked for (or the browser's), nothing recorded. Else it is
// closed and a new one opened.
export async function nextPage(context, base, page, { viewport } = {}) {
  await resetSession(context, base, page)
  const live = page && !page.isClosed()
  if (live && !page.wbLasting && onOrigin(page, base)) {
    try {
      page.wbLeaving = true
      await page.goto(base + '/favicon.svg')
      await page.evaluate(() => sessionStorage.clear())
      await page.mouse.move(0, 0)
      await page.setViewportSize(viewport || context.wbViewport)
      record(page)
      return page
    } catch {
      // (a page that would not go: a new one)
    } finally {
      page.wbLeaving = false
    }
  }
  if (live) await page.close()
  return openPage(context, { viewport })
}

// Waits until no request (the API's, a script, a font) has been in flight for a moment.
export async function settled(page, quietMs = 250) {
  let quietSince = Date.now()
  for (let i = 0; i < 400; i++) {
    if (page.wbPending.size > 0) quietSince = Date.now()
    else if (Date.now() - quietSince >= quietMs) return
    await new Promise((ok) => setTimeout(ok, 25))
  }
  throw new Error('the page did not settle: API calls still in flight')
}

// Whether the page shows a document of the server at base.
const onOrigin = (page, base) => new URL(page.url()).origin === new URL(base).origin

// Signs out completely: the context's cookies and the origin's localStorage
// (shared by its tabs). With the test's page, waits first until its calls
// are done (else they answer 401) and clears the storage there: a tab
// opened only for that costs a renderer and a page load (desktop.test.mjs,
// ten calls: 94-102 cpu-s with a tab each, 86-91 without). Without a page
// on the origin, a tab is opened for it (a context no page has used yet has
// nothing to clear). The page's own sessionStorage is left, as a user's tab
// keeps it when the cookie has gone (the CSRF token there is then useless);
// nextPage empties it for the next test.
export async function resetSession(context, base, page) {
  const live = page && !page.isClosed()
  if (live) await settled(page)
  await context.clearCookies()
  if (live && onOrigin(page, base)) {
    // (a page that is navigating just then has no document to ask: a tab, below)
    const cleared = await page.evaluate(() => localStorage.clear()).then(
      () => true,
      () => false,
    )
    if (cleared) return
  }
  if (!context.wbUsed) return
  const p = await context.newPage()
  await p.goto(base + '/favicon.svg')
  await p.evaluate(() => localStorage.clear())
  await p.close()
}

export async function uiLogin(page, base, username, password = PASSWORD, path = '/login') {
  await page.goto(base + path)
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('.login-submit').click()
}

// The API as a script sees it: cookie session plus the CSRF header.
export async function apiSession(base, username, password = PASSWORD) {
  const r = await whileLoginBusy(
    () =>
      fetch(base + '/api/v1/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      }),
    async (a) => a.status === 429 && (await a.clone().json().catch(() => null))?.error?.code === 'login_busy',
  )
  if (!r.ok) throw new Error('login failed: ' + r.status + ' ' + (await r.text()))
  const cookie = r.headers.get('set-cookie').split(';')[0]
  const { csrf_token } = await r.json()
  const call = async (method, path, body) => {
    const res = await fetch(base + '/api/v1' + path, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null }
  }
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    patch: (p, b) => call('PATCH', p, b),
    put: (p, b) => call('PUT', p, b),
  }
}

export async function shot(page, name, opts = {}) {
  if (!SHOTS) return
  mkdirSync(SHOT_DIR, { recursive: true })
  await page.mouse.move(0, 0) // no hover state in the picture
  await page.evaluate(() => document.activeElement && document.activeElement.blur())
  // a full-page picture starts at the top (else the sticky bar is drawn mid-page)
  if (opts.fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  await page.waitForTimeout(200) // transitions end
  // passing toasts ("saved") are not part of the page
  await page.screenshot({ path: join(SHOT_DIR, name + '.png'), style: '.el-message { display: none !important; }', ...opts })
}

// Console errors, minus the network log lines Chromium prints for HTTP
// errors a test provokes on purpose (e.g. a wrong password answers 401).
export function unexpectedErrors(page, allowStatuses = []) {
  const errors = page.errors.filter(
    (e) => !allowStatuses.some((s) => e.includes(`the server responded with a status of ${s}`)),
  )
  // name the failed calls, so that a failure says which one
  return errors.length ? errors.concat(page.failures.map((f) => 'API answer: ' + f)) : errors
}

// A valid GB 11643 ID number for a birth date (YYYYMMDD) and sequence.
export function makeIdNumber(area, ymd, seq) {
  const body = area + ymd + String(seq).padStart(3, '0')
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(body[i]) * w[i]
  return body + '10X98765432'[s % 11]
}

// Signs in as username and opens the page the login form would have opened:
// path is the login page (its ?next= the page to open) or any page.
//
// By default it signs in as a script does, through the API on the page's
// own cookie jar, and hands the app what its login form would have left
// (the CSRF token in the tab's sessionStorage, the "signed in" hint in
// localStorage): the login page costs a whole load of the app and its
// form, which the suite would pay some two hundred times. The login form
// itself is tested with { form: true } (auth.test.mjs), and so is a user
// who must change the password first, whom the form sends to that page.
export async function loginAs(page, base, username, { path = '/login', password = PASSWORD, form = false } = {}) {
  if (!form) {
    // a login replaces the session: no earlier session cookie stays beside it
    await page.context().clearCookies()
    const r = await whileLoginBusy(
      () => page.request.post(base + '/api/v1/login', { data: { username, password }, failOnStatusCode: false }),
      async (a) => a.status() === 429 && (await a.json().catch(() => null))?.error?.code === 'login_busy',
    )
    if (!r.ok()) throw new Error(`login ${username} failed: ${r.status()} ${await r.text()}`)
    const body = await r.json()
    if (!body.user.must_change_password) {
      const url = new URL(path, base)
      const next = url.pathname === '/login' ? url.searchParams.get('next') : url.pathname + url.search
      // the app's own check of a next address (an absolute or //host one opens home)
      const target = safeNext(next) || '/'
      await page.goto(base + '/favicon.svg')
      await page.evaluate((csrf) => {
        sessionStorage.setItem('wb.csrf', csrf)
        localStorage.setItem('wb.signed-in', '1')
      }, body.csrf_token)
      await page.goto(base + target)
      return
    }
    await page.context().clearCookies()
  }
  await uiLogin(page, base, username, password, path)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

// True when the page can be scrolled sideways (content wider than the viewport).
export async function hasHorizontalScroll(page) {
  // as painted: after the frame that follows a change of size or content
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)
}

// Picks an option of an Element Plus select (the options live in a popper).
// A click that lands while the page is still settling may not open it: when
// the option has not shown within a few seconds, the select is closed and
// clicked again (three tries in all).
export async function pickOption(page, select, text) {
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  for (let attempt = 1; ; attempt++) {
    await select.click()
    try {
      await opt.waitFor({ timeout: 4000 })
      break
    } catch (e) {
      if (attempt === 3) throw e
      await page.keyboard.press('Escape')
    }
  }
  await opt.click()
}

// The value an input shows once the page has filled it in (an area's name
// arrives after the form): waits up to timeoutMs for `want`, then returns
// what the input shows, so that a failing assertion names it.
export async function inputValueWhen(page, selector, want, timeoutMs = 5000) {
  await page
    .waitForFunction(([sel, w]) => document.querySelector(sel)?.value === w, [selector, want], { timeout: timeoutMs })
    .catch(() => {})
  return page.locator(selector).inputValue()
}

// The text of an element, trimmed ('' when it has none).
export const text = async (loc) => ((await loc.textContent()) || '').trim()

// Today and this month in China (UTC+8), as the server counts them.
export const chinaToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
export const chinaMonth = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7)

// The date `years` full years and `days` days before today in China.
export function bornBefore(years, days) {
  const now = new Date(Date.now() + 8 * 3600e3)
  return new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate() - days)).toISOString().slice(0, 10)
}

// Opens a page from the menu bar, or from the menu when the bar is full
// (the menu's button in either language).
export async function openNav(p, name) {
  // the session first: until it is loaded the bar and the menu hold only
  // 首页 (the menu's role line is in the page, hidden, once it is)
  await p.locator('#user-menu .who-role').waitFor({ state: 'attached' })
  const inline = p.locator('.nav-inline').getByRole('link', { name, exact: true })
  if (await inline.isVisible()) return inline.click()
  await p.getByRole('button', { name: /^(菜单|Menu)$/ }).click()
  await p.locator('#user-menu').getByRole('link', { name, exact: true }).click()
}

// Downloads through an export control (导出 ▾, ExportButton): opens its
// menu and picks the format, 'xlsx' or 'csv'; returns the download.
export async function exportAs(p, format, control = p.locator('.export-button')) {
  await control.getByRole('button').click()
  const item = p.locator('.export-menu:visible').getByRole('menuitem', { name: format === 'xlsx' ? 'Excel (XLSX)' : 'CSV', exact: true })
  const [file] = await Promise.all([p.waitForEvent('download'), item.click()])
  return file
}

// A dialog or page with unsaved typing asks 放弃未保存的内容？ before it
// closes: the answer Discard (the confirm box's primary button, in either
// language).
export async function discardTyped(p) {
  const box = p.locator('.dirty-confirm')
  await box.waitFor()
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}
