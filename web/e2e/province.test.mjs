// A province: the demo county 370831 and a second county 370832 in one
// database. An organisation of the second county creating a project is
// offered its own county's townships (not the first county of the
// database) and the project is created there; a server refusal of the
// place shows on the township field in words.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, launch, openPage, loginAs, apiSession, settled, unexpectedErrors, BIN, PASSWORD } from './helpers.mjs'

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
