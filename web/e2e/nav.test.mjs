// The top navigation: the bar keeps as many entries as fit (home first, in
// order) and the menu (菜单) lists every entry; with many entries (the
// county centre) the menu shows them under group headings, side by side on
// a desktop and in one column on a phone; a role with a few (a school)
// keeps a flat list. In Chinese and in English, with no console errors.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, loginAs, openNav, hasHorizontalScroll, shot, unexpectedErrors, settled, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 360, height: 740 }
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 60 })
  browser = await launch({ viewport: DESKTOP, motion: true })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
})

// the centre's pages, in the bar's order, and its groups, in the menu's
// (the daily work first, in the menu's order of groups; the tools used now
// and then last)
const CENTER = ['首页', '全县概览', '求助看板', '儿童台账', '类别审核', '走访计划', '宣讲活动', '学校', '爱心妈妈', '应享尽享', '公益项目', '帮扶项目', '期限与节假日', '批量导入', '名单比对', '消息推送']
const CENTER_GROUPS = ['工作台', '求助闭环', '儿童台账', '走访与服务', '保障与参与', '监督与系统']
const CENTER_EN = ['Home', 'County overview', 'Request board', 'Children registry', 'Category review', 'Visit plan', 'Talks', 'Schools', 'Caring mothers', 'Entitlements', 'Charity projects', 'Supporting programmes', 'Deadlines and holidays', 'Import', 'Reconciliation', 'Webhooks']
const CENTER_GROUPS_EN = ['My desk', 'Help requests', 'Registry', 'Visits & services', 'Benefits & support', 'Oversight & system']

const trimmed = (xs) => xs.map((x) => x.trim())
const barAll = async () => trimmed(await page.locator('.nav-inline .nav-link').allTextContents())
const barShown = async () => trimmed(await page.locator('.nav-inline .nav-link:visible').allTextContents())
const menu = () => page.locator('#user-menu')
const headings = async () => trimmed(await menu().locator('.nav-group-title:visible').allTextContents())
const menuEntries = async () => trimmed(await menu().locator('.nav-stack .nav-link:visible').allTextContents())
const menuButton = () => page.getByRole('button', { name: /^(菜单|Menu)$/ })

// the bar's entries fit in it: nothing spills over the bell and the menu button
async function barFits() {
  return page.evaluate(() => {
    const nav = document.querySelector('.nav-inline')
    return nav.scrollWidth <= nav.clientWidth + 1
  })
}

// the bar shows a non-empty prefix of the entries, home first
async function assertBarPrefix(all, min) {
  const shown = await barShown()
  assert.ok(shown.length >= min, `the bar shows ${shown.length} entries: ${shown.join()}`)
  assert.deepEqual(shown, all.slice(0, shown.length))
  assert.ok(await barFits(), 'the bar entries overflow')
  return shown
}

test('centre at 1280 px: the bar keeps the entries that fit, the menu lists all of them in groups', async () => {
  await loginAs(page, srv.base, 'center')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  assert.deepEqual(await barAll(), CENTER)
  const shown = await assertBarPrefix(CENTER, 4)
  assert.ok(shown.length < CENTER.length, 'all 16 entries fit in 1280 px: the test expects some in the menu')
  // the name gave way first
  assert.equal(await page.locator('.who-inline').isVisible(), false)
  // the active entry is marked in the bar
  assert.equal(await page.locator('.nav-inline .nav-link.router-link-exact-active').textContent(), '首页')

  await menuButton().click()
  await menu().waitFor()
  assert.equal(await menuButton().getAttribute('aria-expanded'), 'true')
  assert.deepEqual(await headings(), CENTER_GROUPS)
  // every page of the role is in the menu, those missing from the bar included
  const entries = await menuEntries()
  assert.deepEqual([...entries].sort(), [...CENTER].sort())
  // grouped: the registry's four desks under their heading, a labelled group
  const registry = menu().getByRole('group', { name: '儿童台账' })
  assert.deepEqual(trimmed(await registry.getByRole('link').allTextContents()), ['儿童台账', '类别审核', '批量导入', '名单比对'])
  assert.deepEqual(trimmed(await menu().getByRole('group', { name: '工作台' }).getByRole('link').allTextContents()), ['首页', '全县概览'])
  // the headings are not links: only the registry entry is named 儿童台账
  assert.equal(await menu().getByRole('link', { name: '工作台' }).count(), 0)
  assert.equal(await menu().getByRole('link', { name: '儿童台账', exact: true }).count(), 1)
  const tags = await menu().locator('.nav-group-title').evaluateAll((els) => els.map((e) => e.tagName + (e.getAttribute('role') || '') + e.tabIndex))
  for (const tag of tags) assert.equal(tag, 'P-1', 'a heading is plain text, out of the tab order')
  // side by side on a desktop: the groups' headings share a row
  const boxes = await menu().locator('.nav-group-title').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top))
  assert.ok(boxes.every((y) => Math.abs(y - boxes[0]) < 2), `headings at ${boxes.join()}`)
  const panel = await menu().boundingBox()
  assert.ok(panel.height < 500, `a compact menu, ${panel.height} px high`)
  assert.equal(await hasHorizontalScroll(page), false)
  await shot(page, 'nav-center-menu-desktop')

  // a grouped entry that is not in the bar opens its page; the menu closes
  await menu().getByRole('link', { name: '名单比对' }).click()
  await page.waitForURL((u) => u.pathname === '/reconcile')
  await page.locator('main h1', { hasText: '名单比对' }).waitFor()
  assert.equal(await menu().isVisible(), false)
  // the menu marks the page open, which the bar does not show
  await menuButton().click()
  assert.equal((await menu().locator('.nav-link.router-link-exact-active').textContent()).trim(), '名单比对')
  await menuButton().click()
  // openNav: from the bar when it shows the entry, else from the menu
  await openNav(page, '走访计划')
  await page.waitForURL((u) => u.pathname === '/visits')
  await openNav(page, '批量导入')
  await page.waitForURL((u) => u.pathname === '/imports')
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre: a narrower window keeps fewer entries in the bar, a wider one more again', async () => {
  await loginAs(page, srv.base, 'center')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  const wide = await assertBarPrefix(CENTER, 4)
  await page.setViewportSize({ width: 900, height: 800 })
  await page.waitForFunction((n) => document.querySelectorAll('.nav-inline .nav-link:not(.spill)').length < n, wide.length)
  const narrow = await assertBarPrefix(CENTER, 2)
  assert.ok(narrow.length < wide.length, `${narrow.length} entries at 900 px, ${wide.length} at 1280 px`)
  // 900 px: the groups still stand side by side
  await menuButton().click()
  assert.deepEqual(await headings(), CENTER_GROUPS)
  const lefts = await menu().locator('.nav-group').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)))
  assert.ok(new Set(lefts).size > 1, `groups at ${lefts.join()}`)
  assert.equal(await hasHorizontalScroll(page), false)
  await menuButton().click()
  await page.setViewportSize(DESKTOP)
  await page.waitForFunction((n) => document.querySelectorAll('.nav-inline .nav-link:not(.spill)').length === n, wide.length)
  assert.deepEqual(await assertBarPrefix(CENTER, 4), wide)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('keyboard: the menu button opens the menu, Tab walks its links and skips the headings', async () => {
  await loginAs(page, srv.base, 'center')
  await page.locator('main h1').first().waitFor()
  await menuButton().focus()
  await page.keyboard.press('Enter')
  await menu().waitFor()
  const walked = []
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab')
    walked.push(await page.evaluate(() => `${document.activeElement.tagName}:${document.activeElement.textContent.trim()}`))
  }
  assert.deepEqual(walked, ['A:首页', 'A:全县概览', 'A:求助看板', 'A:期限与节假日', 'A:儿童台账'])
  // the focused entry is outlined, visibly on the white panel
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement)
    return [s.outlineStyle, s.outlineColor]
  })
  assert.equal(outline[0], 'solid')
  assert.notEqual(outline[1], 'rgb(255, 255, 255)')
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === '/registry')
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('centre at 360 px: no entries in the bar, the menu in one column with its headings, no sideways scroll', async () => {
  await page.setViewportSize(PHONE)
  await loginAs(page, srv.base, 'center')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  assert.deepEqual(await barShown(), [])
  assert.equal(await hasHorizontalScroll(page), false, 'home')
  await menuButton().click()
  assert.deepEqual(await headings(), CENTER_GROUPS)
  assert.deepEqual([...(await menuEntries())].sort(), [...CENTER].sort())
  // one column
  const lefts = await menu().locator('.nav-group').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)))
  assert.equal(new Set(lefts).size, 1, `groups at ${lefts.join()}`)
  assert.equal(await hasHorizontalScroll(page), false, 'menu')
  await shot(page, 'nav-center-menu-phone')
  // the last entries of a long menu are reachable (the menu scrolls)
  const logout = menu().getByRole('button', { name: '退出登录' })
  await logout.scrollIntoViewIfNeeded()
  assert.ok(await logout.isVisible())
  const box = await logout.boundingBox()
  assert.ok(box.y + box.height <= PHONE.height + 1, `退出登录 at ${box.y} px`)
  await menu().getByRole('group', { name: '走访与服务' }).getByRole('link', { name: '学校' }).click()
  await page.waitForURL((u) => u.pathname === '/schools')
  await settled(page)
  assert.equal(await hasHorizontalScroll(page), false, 'schools')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a school (a few entries): a flat menu, no headings', async () => {
  await loginAs(page, srv.base, 'school')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  const all = await barAll()
  assert.ok(all.length >= 2 && all.length <= 8, all.join())
  assert.equal(all[0], '首页')
  await assertBarPrefix(all, 2)
  await menuButton().click()
  await menu().waitFor()
  assert.equal(await menu().locator('.nav-group-title').count(), 0)
  assert.equal(await menu().getByRole('group').count(), 0)
  // on a phone the menu holds the entries, flat
  await page.setViewportSize(PHONE)
  await page.locator('.nav-stack .nav-link').first().waitFor()
  assert.deepEqual(await menuEntries(), all)
  assert.equal(await menu().locator('.nav-group-title').count(), 0)
  assert.equal(await hasHorizontalScroll(page), false)
  await menuButton().click()
  await openNav(page, all[all.length - 1])
  await page.waitForURL((u) => u.pathname !== '/')
  await settled(page)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('in English: the bar and the grouped menu, on a desktop and a phone', async () => {
  await page.goto(srv.base + '/login')
  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  await loginAs(page, srv.base, 'center')
  await page.locator('main h1').first().waitFor()
  await settled(page)
  assert.deepEqual(await barAll(), CENTER_EN)
  const shownEn = await assertBarPrefix(CENTER_EN, 2)
  // the longer English labels still leave the centre's daily work in the bar
  for (const daily of ['Request board', 'Children registry']) assert.ok(shownEn.includes(daily), `${daily} in the bar at 1280 px: ${shownEn.join()}`)
  await menuButton().click()
  assert.deepEqual(await headings(), CENTER_GROUPS_EN)
  assert.deepEqual([...(await menuEntries())].sort(), [...CENTER_EN].sort())
  assert.equal(await hasHorizontalScroll(page), false, 'desktop menu')
  await shot(page, 'nav-center-menu-desktop-en')
  await menu().getByRole('group', { name: 'Benefits & support' }).getByRole('link', { name: 'Supporting programmes' }).click()
  await page.waitForURL((u) => u.pathname === '/programmes')
  await settled(page)
  // switching the language measures the bar again
  await page.getByRole('button', { name: '中文' }).click()
  await page.locator('.nav-inline .nav-link', { hasText: '首页' }).waitFor()
  await assertBarPrefix(CENTER, 4)
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('.nav-inline .nav-link', { hasText: 'Home' }).waitFor()
  await assertBarPrefix(CENTER_EN, 2)

  await page.setViewportSize(PHONE)
  await page.waitForFunction(() => !document.querySelector('.nav-inline').offsetParent)
  assert.equal(await hasHorizontalScroll(page), false, 'phone')
  await menuButton().click()
  assert.deepEqual(await headings(), CENTER_GROUPS_EN)
  assert.equal(await hasHorizontalScroll(page), false, 'phone menu')
  await menu().getByRole('link', { name: 'Reconciliation' }).click()
  await page.waitForURL((u) => u.pathname === '/reconcile')
  await settled(page)
  assert.equal(await hasHorizontalScroll(page), false, 'reconcile')
  await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a system that asks for less motion: the buttons change at once and the menu still works; otherwise they move', async () => {
  await loginAs(page, srv.base, 'center')
  await page.locator('main h1').first().waitFor()
  // what moves: the home cards' buttons (an Element Plus transition)
  const motion = () =>
    page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('main .el-button'))
      return { transition: s.transitionDuration, delay: s.transitionDelay }
    })
  const moving = await motion()
  assert.ok(moving.transition.split(',').some((d) => parseFloat(d) > 0), `a transition without reduced motion: ${moving.transition}`)
  await page.emulateMedia({ reducedMotion: 'reduce' })
  const still = await motion()
  assert.ok(still.transition.split(',').every((d) => parseFloat(d) === 0), `no transition with reduced motion: ${still.transition}`)
  assert.ok(still.delay.split(',').every((d) => parseFloat(d) === 0))
  // the menu still opens and closes, and works
  await menuButton().click()
  await menu().getByRole('link', { name: '儿童台账' }).click()
  await page.waitForURL((u) => u.pathname === '/registry')
  await settled(page)
  await page.emulateMedia({ reducedMotion: 'no-preference' })
  assert.deepEqual(await motion(), moving)
  assert.deepEqual(unexpectedErrors(page), [])
})
