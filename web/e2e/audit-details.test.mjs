// The audit log's details in words (SPEC §9: the auditor reads what was
// done): after downloads with filters — projects by status and kind,
// programmes by kind and status, requests by village and state, the
// children's register by guardian status, age and order — the auditor's page names every filter and its
// value in the user's language, in Chinese and English, and leaves out an
// id of 0 (no school asked for). No raw code shows.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launch, openPage, loginAs, settled, unexpectedErrors, text, apiSession, nextPage } from './helpers.mjs'

const DESKTOP = { width: 1280, height: 900 }
const VILLAGE = '370831111223'
let srv, browser, page

before(async () => {
  srv = await startServer({ children: 50 })
  browser = await launch({ viewport: DESKTOP })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

// The detail of the newest entry of action on the auditor's page.
async function detailOf(action) {
  const row = page.locator('.audit-table tbody tr', { has: page.locator('.a-code', { hasText: new RegExp(`^${action.replace('.', '\\.')}$`) }) }).first()
  await row.waitFor()
  return text(row.locator('.a-detail'))
}

test('auditor: the filters of downloads read in words, in Chinese and English', async () => {
  page = await openPage(browser.context, { viewport: DESKTOP })
  await loginAs(page, srv.base, 'center', { path: '/login?next=/' })
  await settled(page)
  for (const path of [
    '/projects?format=csv&lang=en&status=active&kind=hope_room',
    '/programmes?format=csv&kind=returning_entrepreneur&status=active',
    `/requests?format=csv&village=${VILLAGE}&state=open`,
    // the registry's filters and order, each in the entry (and no name search)
    '/children/export?format=csv&guardian_status=working_away&age_min=6&age_max=12&sort=-birth_date',
  ]) {
    const r = await page.request.get(srv.base + '/api/v1' + path)
    assert.equal(r.status(), 200, `${path}: ${await r.text()}`)
  }
  // the administrator gives the demo's station account a second role
  const admin = await apiSession(srv.base, 'admin')
  const users = await admin.get('/users?limit=200')
  const grid = users.body.items.find((u) => u.username === 'grid')
  const added = await admin.post(`/users/${grid.id}/memberships`, { role: 'station', area_code: '370831101' })
  assert.equal(added.status, 201, JSON.stringify(added.body))
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
  await loginAs(page, srv.base, 'auditor', { path: '/login?next=/audit' })
  await page.locator('.audit-table tbody tr').first().waitFor()
  await settled(page)
  // the auditor's own reading of the log is in it, with the period asked for
  const day = new Date().toISOString().slice(0, 10)
  const read = await page.request.get(`${srv.base}/api/v1/audit?from=${day}&to=${day}&limit=5`)
  assert.equal(read.status(), 200, await read.text())
  await page.reload()
  await page.locator('.audit-table tbody tr').first().waitFor()
  await settled(page)

  const zh = {
    'audit.read': [`从（日期）：${day}`, `至（日期）：${day}`, '每页条数：5', '行数：'],
    'project.export': ['状态：实施中', '类型：希望小屋'],
    'programme.export': ['类型：返乡创业', '状态：进行中'],
    'request.export': ['状态：在办', '村（社区）：'],
    'child.export': ['监护人状况：外出务工', '最小年龄：6', '最大年龄：12', '排序：年龄从小到大'],
    'membership.add': ['角色：乡镇工作站', '区域代码：370831101'],
  }
  for (const [action, words] of Object.entries(zh)) {
    const d = await detailOf(action)
    for (const w of words) assert.ok(d.includes(w), `${action}: "${d}" says ${w}`)
    assert.doesNotMatch(d, /active|hope_room|returning_entrepreneur|open|status|village|role|station|area_code|working_away|birth_date|age_m/, `${action}: no code in "${d}"`)
  }
  const child = await detailOf('child.export')
  assert.doesNotMatch(child, /school_id|学校|按姓名查找/, `no school, no name asked for: "${child}"`)

  await page.evaluate(() => localStorage.setItem('wb.locale', 'en'))
  await page.reload()
  await page.locator('.audit-table tbody tr').first().waitFor()
  await settled(page)
  const en = {
    'audit.read': ['Page size: ', 'Rows: '], // the newest: the page's own read before this one
    'project.export': ['Status: Under way', 'Kind: Hope room'],
    'programme.export': ['Kind: Returning entrepreneur', 'Status: Active'],
    'request.export': ['State: Open', 'Village: '],
    'child.export': ['Guardian status: Working away', 'Minimum age: 6', 'Maximum age: 12', 'Order: Age, youngest first', 'Format: CSV'],
    'membership.add': ['Role: Township work station', 'Area code: 370831101'],
  }
  for (const [action, words] of Object.entries(en)) {
    const d = await detailOf(action)
    for (const w of words) assert.ok(d.includes(w), `${action}: "${d}" says ${w}`)
    assert.doesNotMatch(d, /\b(active|hope_room|returning_entrepreneur|open|(?<!Guardian )status|village|school_id|working_away|birth_date|guardian_status|age_min|age_max)\b/, `${action}: no code in "${d}"`)
  }
  await page.evaluate(() => localStorage.setItem('wb.locale', 'zh-CN'))
  assert.deepEqual(unexpectedErrors(page), [])
})

// The auditor's search is in the address: opened from a link it searches at
// once, a search typed in the form goes into the address (a reload shows the
// same entries), and the menu's link to the page — the address without a
// search — shows every entry again.
test('auditor: the search lives in the address', async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: DESKTOP })
  const accounts = () => page.locator('.audit-table tbody .a-user').allTextContents()
  const only = async (want) => {
    await page.waitForFunction(
      (w) => {
        const names = [...document.querySelectorAll('.audit-table tbody .a-user')].map((e) => e.textContent.trim())
        return names.length > 0 && names.every((n) => n === w)
      },
      want,
      { timeout: 10000 },
    ).catch(() => {})
    const names = (await accounts()).map((s) => s.trim())
    assert.ok(names.length > 0 && names.every((n) => n === want), `only ${want}'s entries: ${names.join(', ')}`)
  }

  await loginAs(page, srv.base, 'auditor', { path: '/audit?username=admin&action=membership.add&from=not-a-day' })
  await only('admin')
  assert.equal(await page.locator('#a-user').inputValue(), 'admin')
  assert.equal(await page.locator('select.a-action').inputValue(), 'membership.add')
  const codes = (await page.locator('.audit-table tbody .a-code').allTextContents()).map((s) => s.trim())
  assert.ok(codes.every((c) => c === 'membership.add'), codes.join(', '))
  // what the form cannot take (a day that is no day) is left out of the address
  assert.equal(new URL(page.url()).searchParams.has('from'), false, page.url())

  // a search typed in the form
  await page.locator('select.a-action').selectOption('')
  await page.locator('#a-user').fill('center')
  await page.locator('form.filters button[type=submit]').click()
  await page.waitForURL((u) => u.searchParams.get('username') === 'center' && !u.searchParams.has('action'))
  await only('center')
  await page.reload()
  await only('center')
  assert.equal(await page.locator('#a-user').inputValue(), 'center')

  // the menu's 审计日志: every entry again, the form emptied
  await page.getByRole('link', { name: '审计日志' }).first().click()
  await page.waitForURL((u) => u.pathname === '/audit' && u.search === '')
  await page.waitForFunction(() => new Set([...document.querySelectorAll('.audit-table tbody .a-user')].map((e) => e.textContent.trim())).size > 1, null, { timeout: 10000 }).catch(() => {})
  const all = new Set((await accounts()).map((s) => s.trim()))
  assert.ok(all.size > 1, `more than one account's entries: ${[...all].join(', ')}`)
  assert.equal(await page.locator('#a-user').inputValue(), '')
  assert.deepEqual(unexpectedErrors(page), [])
})
