// Field pages (director, grid, station) on a 360 px phone: the children
// list, a child's page, adding and editing children, validation messages on
// the named field, safe rendering of hostile names, re-authentication when
// the CSRF token is missing, and no horizontal scrolling.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer,
  launch,
  loginAs,
  apiSession,
  hasHorizontalScroll,
  pickOption,
  makeIdNumber,
  shot,
  unexpectedErrors,
  PASSWORD,
  settled,
  inputValueWhen,
  nextPage,
} from './helpers.mjs'

const PHONE = { width: 360, height: 740 }
const VILLAGE = '370831001001'
const VILLAGE_NAME = '花园社区'
let srv, browser, page

before(async () => {
  srv = await startServer()
  browser = await launch({ viewport: PHONE })
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})
beforeEach(async () => {
  page = await nextPage(browser.context, srv.base, page, { viewport: PHONE })
})

test('director: my children lists only children of the own village', async () => {
  // a few more children in the director's village, and one in another village
  const api = await apiSession(srv.base, 'director')
  for (let i = 0; i < 3; i++) {
    const r = await api.post('/children', {
      name: `本村儿童${i}`,
      id_number: makeIdNumber('370831', `2016030${i + 1}`, 200 + i),
      village_code: VILLAGE,
    })
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
  assert.equal((await api.post('/children', { name: '无户籍儿童', sex: 'F', birth_date: '2019-10-01', village_code: VILLAGE })).status, 201)
  const other = await apiSession(srv.base, 'director2')
  assert.equal((await other.post('/children', { name: '外村儿童', sex: 'M', birth_date: '2015-01-01', village_code: '370831101201' })).status, 201)

  await loginAs(page, srv.base, 'director', { path: '/login?next=/children' })
  assert.equal(new URL(page.url()).pathname, '/children')
  await page.locator('.child-card').first().waitFor()
  const total = (await api.get('/children?limit=1')).body.total
  assert.ok(total >= 4)
  await page.locator('.list-total', { hasText: `共 ${total} 名` }).waitFor()
  const villages = await page.locator('.child-card .cc-village').allTextContents()
  assert.equal(villages.length, Math.min(total, 20))
  for (const v of villages) assert.equal(v.trim(), VILLAGE_NAME)
  const names = await page.locator('.child-card .cc-name').allTextContents()
  assert.ok(!names.includes('外村儿童'), 'a child of another village is listed')
  // IDs are masked for a director
  for (const id of await page.locator('.child-card .cc-id').allTextContents()) {
    assert.ok(id.includes('*') || id.trim() === '无身份证号码', `unmasked ID shown: ${id}`)
  }
  // the total matches the rows and search narrows by name
  await page.getByRole('searchbox').fill('本村儿童1')
  await page.getByRole('button', { name: '搜索' }).click()
  await page.waitForURL(/q=/)
  await page.locator('.child-card', { hasText: '本村儿童1' }).waitFor()
  assert.equal(await page.locator('.child-card').count(), 1)
  await page.getByRole('searchbox').fill('')
  await page.getByRole('button', { name: '搜索' }).click()
  await page.waitForFunction((n) => document.querySelectorAll('.child-card').length === n, Math.min(total, 20))
  // the focus children at a glance: a chip per category and high risk, each with its number
  const high = await api.post('/children', { name: '高风险儿童', sex: 'F', birth_date: '2016-02-02', village_code: VILLAGE, risk_level: 'high' })
  assert.equal(high.status, 201, JSON.stringify(high.body))
  await page.reload()
  const highN = (await api.get('/children?limit=0&risk_level=high')).body.total
  await page.locator('.chip[data-focus=high_risk] .chip-count', { hasText: String(highN) }).waitFor()
  assert.equal(await page.locator('.chip[data-focus=all] .chip-count').innerText(), String(total + 1))
  await page.locator('.chip[data-focus=high_risk]').click()
  await page.waitForURL(/f=high_risk/)
  await page.waitForFunction((n) => document.querySelectorAll('.child-card').length === n, Math.min(highN, 20))
  await page.locator('.child-card', { hasText: '高风险儿童' }).locator('.cc-risk', { hasText: '高风险' }).waitFor()
  assert.equal(await page.locator('.child-card .cc-risk', { hasText: '高风险' }).count(), Math.min(highN, 20))
  await page.locator('.chip[data-focus=all]').click()
  await page.waitForFunction(() => !location.search.includes('f='))
  // those who have turned 18 and wait to be archived: the home page's line
  // opens them, a chip of their own
  // 18 since ten days (a registration past the archive's grace is refused)
  const born = new Date(Date.now() + 8 * 3600e3)
  born.setUTCFullYear(born.getUTCFullYear() - 18)
  born.setUTCDate(born.getUTCDate() - 10)
  const grown = await api.post('/children', { name: '已成年儿童', sex: 'M', birth_date: born.toISOString().slice(0, 10), village_code: VILLAGE })
  assert.equal(grown.status, 201, JSON.stringify(grown.body))
  const adultsN = (await api.get('/children?limit=0&age_min=18')).body.total
  await page.goto(srv.base + '/')
  await page.locator('.home-adults a').click()
  await page.waitForURL(/f=adults/)
  await page.locator('.chip[data-focus=adults] .chip-count', { hasText: String(adultsN) }).waitFor()
  await page.waitForFunction((n) => document.querySelectorAll('.child-card').length === n, Math.min(adultsN, 20))
  await page.locator('.child-card', { hasText: '已成年儿童' }).waitFor()
  await shot(page, 'director-list-360', { fullPage: true })
  assert.equal(await hasHorizontalScroll(page), false)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('add a child through the form, then see it in the list and on its page', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  await page.getByLabel('姓名').waitFor()
  // the village is fixed to the director's own
  assert.equal(await inputValueWhen(page, '.fixed-village input', VILLAGE_NAME), VILLAGE_NAME)
  await shot(page, 'add-child-form-360', { fullPage: true })
  assert.equal(await hasHorizontalScroll(page), false)

  // required fields are reported on the field
  await page.getByRole('button', { name: '保存' }).click()
  const nameError = page.locator('.el-form-item.is-error', { hasText: '姓名' }).locator('.el-form-item__error')
  await nameError.waitFor()
  assert.match(await nameError.textContent(), /此项为必填项/)

  await page.getByLabel('姓名').fill('新登记的小明')
  await page.locator('label.el-radio', { hasText: '男' }).click()
  await page.getByLabel('出生日期').fill('2016-05-04')
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('h1', { hasText: '新登记的小明' }).waitFor()
  assert.equal((await page.locator('.child-village').textContent()).trim(), VILLAGE_NAME)
  // the director who registered the child is its director
  const me = (await (await apiSession(srv.base, 'director')).get(`/areas/${VILLAGE}/directors`)).body.items.find((d) => d.username === 'director')
  assert.equal((await page.locator('.child-director').textContent()).trim(), me.display_name || me.username)

  await page.getByRole('link', { name: /返回名单/ }).click()
  await page.locator('.child-card', { hasText: '新登记的小明' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('server validation errors show on the named field, in Chinese', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  const good = makeIdNumber('370831', '20150601', 123)
  const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1') // wrong check character
  await page.getByLabel('姓名').fill('校验测试')
  await page.getByLabel('身份证号码（选填）').fill(bad)
  await page.getByRole('button', { name: '保存' }).click()
  // the message sits under the ID number field
  await page
    .locator('.el-form-item.is-error', { hasText: '身份证号码（选填）' })
    .locator('.el-form-item__error', { hasText: '身份证号码校验位错误，请核对' })
    .waitFor()
  // a wrong number says nothing of sex and birth date; a valid one shows them before saving
  assert.equal(await page.locator('input[name=birth_date]').inputValue(), '')
  const idError = page.locator('.el-form-item.is-error', { hasText: '身份证号码（选填）' })
  // what was said of the number goes once it is changed; a wrong one typed in whole is said on leaving the field
  await page.getByLabel('身份证号码（选填）').fill(bad.slice(0, 17))
  assert.equal(await idError.count(), 0)
  await page.getByLabel('身份证号码（选填）').fill(bad)
  await page.getByLabel('身份证号码（选填）').blur()
  await idError.locator('.el-form-item__error', { hasText: '身份证号码校验位错误，请核对' }).waitFor()
  await page.getByLabel('身份证号码（选填）').fill(good)
  assert.equal(await idError.count(), 0, 'a right number clears it')
  assert.equal(await page.locator('input[name=birth_date]').inputValue(), '2015-06-01')
  assert.equal((await page.locator('label.el-radio.is-checked', { has: page.locator('input[name=sex]') }).textContent()).trim(), '男')
  assert.ok(await page.locator('input[name=birth_date]').isDisabled(), 'read from the number')
  assert.equal(await page.locator('.adult-warn').count(), 0, 'a child of eleven')
  // a legacy 15-digit number is always of an adult: said before saving
  await page.getByLabel('身份证号码（选填）').fill('370831850312042')
  assert.equal(await page.locator('input[name=birth_date]').inputValue(), '1985-03-12')
  await page.locator('.adult-warn', { hasText: '已满 18 周岁' }).waitFor()
  await page.getByLabel('身份证号码（选填）').fill(good)
  await page.locator('.adult-warn').waitFor({ state: 'detached' })
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('.facts', { hasText: '2015-06-01' }).waitFor()
  assert.match(await page.locator('.facts').textContent(), /男/)
  // the same number again is a duplicate, reported on the ID field
  await page.goto(srv.base + '/children/new')
  await page.getByLabel('姓名').fill('重复号码')
  await page.getByLabel('身份证号码（选填）').fill(good)
  await page.getByRole('button', { name: '保存' }).click()
  await page
    .locator('.el-form-item.is-error', { hasText: '身份证号码（选填）' })
    .locator('.el-form-item__error', { hasText: '该身份证号码的儿童已经登记' })
    .waitFor()
  assert.deepEqual(unexpectedErrors(page, [409, 422]), [])
})

test('edit a child: the change appears in its history', async () => {
  const api = await apiSession(srv.base, 'director')
  const school = (await api.get('/units?kind=school')).body.items[0]
  const c = (
    await api.post('/children', {
      name: '改名前',
      id_number: makeIdNumber('370831', '20140202', 402),
      village_code: VILLAGE,
      grid_code: VILLAGE + '002',
      school_id: school.id,
    })
  ).body
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${c.id}` })
  await page.locator('h1', { hasText: '改名前' }).waitFor()
  assert.match(await page.locator('.child-page').textContent(), /暂无变更记录/)
  const facts = await page.locator('.facts').textContent()
  for (const want of ['女', '2014-02-02', '370831********', '花园社区第2网格', school.name]) assert.ok(facts.includes(want), want)
  assert.equal(await hasHorizontalScroll(page), false)
  await page.getByRole('link', { name: '编辑' }).click()
  await page.waitForURL(/\/edit$/)
  await page.getByLabel('姓名').fill('改名后')
  await page.getByRole('button', { name: '保存' }).click()
  await page.locator('h1', { hasText: '改名后' }).waitFor()
  const h = page.locator('.history li').first()
  await h.waitFor()
  assert.match(await h.locator('.h-field').textContent(), /姓名/)
  assert.equal(await h.locator('.h-old').textContent(), '改名前')
  assert.equal(await h.locator('.h-new').textContent(), '改名后')
  await shot(page, 'child-page-360', { fullPage: true })
  assert.deepEqual(unexpectedErrors(page), [])
})

test('the child director: picked in the form among the village\'s directors, then named on the page and in the history', async () => {
  const api = await apiSession(srv.base, 'director')
  const c = (await api.post('/children', { name: '指派主任', sex: 'M', birth_date: '2015-03-03', village_code: VILLAGE })).body
  const mine = (await api.get(`/areas/${VILLAGE}/directors`)).body.items.find((d) => d.username === 'director')
  const name = mine.display_name || mine.username
  await loginAs(page, srv.base, 'director', { path: `/login?next=/children/${c.id}` })
  await page.locator('h1', { hasText: '指派主任' }).waitFor()
  assert.equal((await page.locator('.child-director').textContent()).trim(), '未指派')
  await page.getByRole('link', { name: '编辑' }).click()
  await page.waitForURL(/\/edit$/)
  await pickOption(page, page.locator('.el-select.director'), name)
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('.child-director', { hasText: name }).waitFor()
  const h = page.locator('.history li').first()
  await h.waitFor()
  assert.match(await h.locator('.h-field').textContent(), /儿童主任/)
  assert.equal((await h.locator('.h-new').textContent()).trim(), name)
  assert.equal((await api.get(`/children/${c.id}`)).body.director_id, mine.id)
  assert.equal(await hasHorizontalScroll(page), false)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a hostile name renders as text and runs nothing', async () => {
  const evil = '<img src=x onerror=alert(1)>'
  const api = await apiSession(srv.base, 'director')
  const r = await api.post('/children', { name: evil, sex: 'M', birth_date: '2017-07-07', village_code: VILLAGE })
  assert.equal(r.status, 201)
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children' })
  const card = page.locator('.child-card', { hasText: evil })
  await card.waitFor()
  assert.equal((await card.locator('.cc-name').textContent()).trim(), evil)
  await card.click()
  await page.locator('h1.child-name').waitFor()
  assert.equal((await page.locator('h1.child-name').textContent()).trim(), evil)
  await page.waitForTimeout(200)
  assert.equal(await page.locator('img[src="x"]').count(), 0)
  assert.deepEqual(page.dialogs, [])
  assert.deepEqual(unexpectedErrors(page), [])
})

test('station: the village picker offers the villages of its township', async () => {
  await loginAs(page, srv.base, 'station', { path: '/login?next=/children/new' })
  await page.getByLabel('姓名').fill('工作站登记')
  await page.locator('label.el-radio', { hasText: '女' }).click()
  await page.getByLabel('出生日期').fill('2013-09-09')
  await page.locator('.village-select').click()
  const options = page.locator('.el-select-dropdown__item:visible')
  await options.first().waitFor()
  const api = await apiSession(srv.base, 'station')
  const villages = (await api.get('/areas?parent=370831001')).body.items
  assert.equal(await options.count(), villages.length)
  const choice = page.locator('.el-select-dropdown__item:visible', { hasText: villages[2].name })
  const chosen = page.locator('.village-select', { hasText: villages[2].name })
  await choice.click()
  // the picker shows the chosen village before the form is saved; on a
  // loaded machine the first click can land while the dropdown is still in
  // its opening transition and pick nothing (seen once in CI), so a user
  // would pick again: once, then the picker must show it
  try {
    await chosen.waitFor({ timeout: 4000 })
  } catch {
    if (!(await choice.isVisible())) await page.locator('.village-select').click()
    await choice.click()
    await chosen.waitFor()
  }
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL(/\/children\/\d+$/).catch((e) => {
    throw new Error(`${e.message}\nstill at ${page.url()}; failed requests: ${JSON.stringify(page.failures)}`)
  })
  assert.equal((await page.locator('.child-village').textContent()).trim(), villages[2].name)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('a write without the CSRF token (new tab) asks for the password and goes on', async () => {
  await loginAs(page, srv.base, 'director', { path: '/login?next=/children/new' })
  await page.evaluate(() => sessionStorage.clear()) // as in a new tab: cookie yes, token no
  await page.reload()
  await page.getByLabel('姓名').fill('重新验证后保存')
  await page.locator('label.el-radio', { hasText: '女' }).click()
  await page.getByLabel('出生日期').fill('2012-12-12')
  await page.getByRole('button', { name: '保存' }).click()
  const dialog = page.getByRole('dialog', { name: '请再次验证身份' })
  await dialog.waitFor()
  await dialog.getByLabel('密码').fill(PASSWORD)
  await dialog.getByRole('button', { name: '验证并继续' }).click()
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('h1', { hasText: '重新验证后保存' }).waitFor()
  assert.deepEqual(unexpectedErrors(page), [])
})

test('grid worker: village and grid are fixed to the own grid', async () => {
  await loginAs(page, srv.base, 'grid', { path: '/login?next=/children/new' })
  await page.getByLabel('姓名').fill('网格登记')
  await page.locator('label.el-radio', { hasText: '男' }).click()
  await page.getByLabel('出生日期').fill('2018-01-31')
  assert.equal(await inputValueWhen(page, '.fixed-village input', VILLAGE_NAME), VILLAGE_NAME)
  await page.getByRole('button', { name: '保存' }).click()
  await page.waitForURL(/\/children\/\d+$/)
  assert.match(await page.locator('.facts').textContent(), /花园社区第1网格/)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px on the field pages', async () => {
  await page.goto(srv.base + '/login')
  await page.locator('input[name=username]').waitFor()
  await shot(page, 'login-360')
  assert.equal(await hasHorizontalScroll(page), false, 'login')
  await loginAs(page, srv.base, 'director')
  const api = await apiSession(srv.base, 'director')
  const id = (await api.get('/children?limit=1')).body.items[0].id
  for (const path of ['/', '/children', `/children/${id}`, '/children/new', `/children/${id}/edit`, '/password']) {
    await page.goto(srv.base + path)
    await page.locator('main h1').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, path)
  }
  // the menu opened
  await page.getByRole('button', { name: '菜单' }).click()
  await page.locator('#user-menu').waitFor()
  assert.equal(await hasHorizontalScroll(page), false, 'menu')
  assert.deepEqual(unexpectedErrors(page), [])
})

test('keyboard only: log in, open a child, reach the edit form', async () => {
  await page.goto(srv.base + '/login?next=/children')
  await page.locator('input[name=username]').waitFor()
  // the user name field has the focus; Tab goes to the password; Enter submits
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'username')
  await page.keyboard.type('director')
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'password')
  await page.keyboard.type(PASSWORD)
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.pathname === '/children')
  await page.locator('.child-card').first().waitFor()
  // Tab through the page until a child card has the focus, then open it
  let onCard = false
  for (let i = 0; i < 30 && !onCard; i++) {
    await page.keyboard.press('Tab')
    onCard = await page.evaluate(() => document.activeElement?.classList.contains('child-card'))
  }
  assert.ok(onCard, 'a child card is reachable with Tab')
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/children\/\d+$/)
  await page.locator('.facts').waitFor()
  let onEdit = false
  for (let i = 0; i < 30 && !onEdit; i++) {
    await page.keyboard.press('Tab')
    onEdit = await page.evaluate(() => document.activeElement?.classList.contains('edit-btn'))
  }
  assert.ok(onEdit, 'the edit button is reachable with Tab')
  await page.keyboard.press('Enter')
  await page.waitForURL(/\/edit$/)
  assert.deepEqual(unexpectedErrors(page), [])
})

test('no horizontal scrolling at 360 px in English either', async () => {
  await page.goto(srv.base + '/login')
  await page.getByRole('button', { name: 'English' }).click()
  await page.locator('.login-submit', { hasText: 'Log in' }).waitFor()
  assert.equal(await hasHorizontalScroll(page), false, 'login')
  await loginAs(page, srv.base, 'station')
  for (const path of ['/', '/children', '/children/new']) {
    await page.goto(srv.base + path)
    await page.locator('main h1').first().waitFor()
    await settled(page)
    assert.equal(await hasHorizontalScroll(page), false, path)
  }
  assert.deepEqual(unexpectedErrors(page), [])
})
