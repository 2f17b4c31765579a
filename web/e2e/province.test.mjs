// A province: the demo county 370831 and a second county 370832 in one
// database. An organisation of the second county creating a project is
// offered its own county's townships (not the first county of the
// database) and the project is created there; a server refusal of the
// place shows on the township field in words. The second county's
// administrator sees the county's own count of audit entries beside the
// database's, and an account list naming the first county's school is
// refused in words naming the code.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, launch, openPage, loginAs, apiSession, settled, unexpectedErrors, text, BIN, PASSWORD, nextPage } from './helpers.mjs'

const B = '370832'
let srv, browser, page

function weibao(args) {
  return execFileSync(BIN, [...args, '--db', srv.db, '--key-file', join(srv.dir, 'k.key')], { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
}

before(async () => {
  srv = await startServer({ children: 20 })
  weibao(['init', '--county', B, '--county-name', '金乡县', '--admin', 'admin370832', '--password', PASSWORD])
  const file = join(srv.dir, 'areas-b.csv')
  writeFileSync(file, 'code,name\n370832001,金乡街道\n370832001001,金乡社区\n')
  weibao(['import-areas', file, '--county', B])
  const adminB = await apiSession(srv.base, 'admin370832')
  const org = await adminB.post('/units', { kind: 'org', code: 'charity_b', name: '金乡县慈善会' })
  assert.equal(org.status, 201, JSON.stringify(org.body))
  weibao(['user', 'add', 'orgB', '--role', 'org', '--unit', 'org:charity_b', '--county', B, '--password', PASSWORD])
  browser = await launch()
  page = await openPage(browser.context)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test("an organisation of the second county picks its own county's townships for a new project", async () => {
  await loginAs(page, srv.base, 'orgB')
  await page.goto(srv.base + '/projects')
  await settled(page)
  await page.getByRole('button', { name: '新建项目' }).click()
  const dialog = page.getByRole('dialog', { name: '新建项目' })
  await dialog.waitFor()
  await dialog.locator('#pj-township option', { hasText: '金乡街道' }).waitFor({ state: 'attached' })
  const townships = (await dialog.locator('#pj-township option').allTextContents()).map((s) => s.trim()).filter(Boolean)
  assert.ok(townships.includes('金乡街道'), townships.join(','))
  assert.ok(!townships.includes('泗河街道'), 'not the first county of the database: ' + townships.join(','))
  await dialog.getByLabel('项目类型').selectOption({ label: '希望小屋' })
  await dialog.getByLabel('项目名称').fill('金乡县希望小屋')
  await dialog.getByLabel('乡镇（街道）').selectOption({ label: '金乡街道' })

  // a refusal of the place (as an older page would have met) is said on the field, in words
  await page.route('**/api/v1/projects', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 422,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'validation_failed', message: 'area_code must be an area of the county', field: 'area_code' } }),
        })
      : route.continue(),
  )
  await dialog.getByRole('button', { name: '创建项目' }).click()
  await dialog.locator('.el-form-item.is-error', { hasText: '乡镇（街道）' }).locator('.el-form-item__error', { hasText: '请选择本县的地区' }).waitFor()
  await page.unroute('**/api/v1/projects')

  await dialog.getByRole('button', { name: '创建项目' }).click()
  await page.locator('.el-message', { hasText: '已创建项目“金乡县希望小屋”' }).waitFor()
  await page.waitForURL((u) => /^\/projects\/\d+$/.test(u.pathname))
  const orgB = await apiSession(srv.base, 'orgB')
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  const p = await orgB.get('/projects/' + id)
  assert.equal(p.body.area_code, '370832001')
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("the second county's administrator: its own audit count beside the database's; another county's school refused by name", async () => {
  page = await nextPage(browser.context, srv.base, page)
  const adminA = await apiSession(srv.base, 'admin')
  const school = (await adminA.get('/units?kind=school')).body.items[0]
  assert.ok(school, 'the demo county has a school')
  await loginAs(page, srv.base, 'admin370832', { path: '/login?next=/users' })
  await page.locator('.el-table tbody tr').first().waitFor()
  const card = page.locator('.sys-card')
  await card.locator('.sys-audit').waitFor()
  const own = Number(await text(card.locator('.sys-audit')))
  const all = Number(await text(card.locator('.sys-audit-database')))
  assert.ok(own > 0 && own < all, `${own} of ${all}`)
  await card.locator('dt', { hasText: '审计记录（本县）' }).waitFor()
  await card.locator('dt', { hasText: '审计记录（全库各县合计）' }).waitFor()

  await page.locator('.bulk-users').click()
  const dlg = page.locator('.bulk-dialog')
  const csv = `用户名,名称,角色,地点\nschool_x,老师,学校,${school.code}\n`
  await page.setInputFiles('#bulk-file', { name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await dlg.locator('.bulk-upload').click()
  await dlg.locator('.bulk-error', { hasText: `第 2 行：${school.code} 不是本县该类单位的代码` }).waitFor()
  assert.deepEqual(unexpectedErrors(page, [422]), [])
})

test("a child's household registration in the second county is shown by name on the first county's file", async () => {
  page = await nextPage(browser.context, srv.base, page)
  const center = await apiSession(srv.base, 'center')
  const made = await center.post('/children', { name: '外县户籍儿童', sex: 'M', birth_date: '2016-05-06', village_code: '370831001001', hukou_area_code: '370832001001' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  await loginAs(page, srv.base, 'center', { path: `/login?next=/children/${made.body.id}` })
  const dd = page.locator('dt', { hasText: '户籍地' }).locator('xpath=following-sibling::dd[1]')
  await dd.waitFor()
  await page.waitForFunction(() => [...document.querySelectorAll('dd')].some((d) => d.textContent.includes('金乡社区')), null, { timeout: 5000 }).catch(() => null)
  assert.equal(await text(dd), '金乡社区 (370832001001)')
  assert.deepEqual(unexpectedErrors(page, [404]), [])
})
