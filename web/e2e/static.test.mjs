// Checks of the built web UI that need no browser: the i18n rule (every key
// used is in both catalogues), the size budget of the field pages' first
// load, and a CSP-friendly index.html (no inline script, nothing from
// another origin).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { check } from '../scripts/check-i18n.mjs'
import { measure } from '../scripts/size.mjs'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(web, 'dist')

test('i18n: every key used exists in zh-CN and en (scripts/check-i18n.mjs)', () => {
  const { problems, used } = check()
  assert.deepEqual(problems, [])
  assert.ok(used > 100, `only ${used} keys found: is the scanner broken?`)
})

test('i18n: English counts agree with their number; Chinese has one form', async () => {
  const { createI18n } = await import('vue-i18n')
  const messages = Object.fromEntries(
    ['en', 'zh-CN'].map((l) => [l, JSON.parse(readFileSync(join(web, 'src', 'locales', `${l}.json`), 'utf8'))]),
  )
  const i18n = createI18n({ legacy: false, locale: 'en', messages })
  const { t } = i18n.global
  const say = (key, n) => t(key, { n }, n)
  assert.equal(say('visit.overdue_days', 1), '1 day overdue')
  assert.equal(say('visit.overdue_days', 3), '3 days overdue')
  assert.equal(say('visit.overdue_days', 0), '0 days overdue')
  assert.equal(say('registry.total', 1), '1 record')
  assert.equal(say('registry.total', 150000), '150000 records')
  assert.equal(say('home.overview_overdue', 1), '1 request overdue')
  assert.equal(t('import.summary_skipped', { errors: 1 }, 1), '1 row with errors was skipped; see the issues.')
  i18n.global.locale.value = 'zh-CN'
  assert.equal(say('visit.overdue_days', 1), t('visit.overdue_days', { n: 1 }))
  assert.match(say('visit.overdue_days', 3), /^逾期3天$/u)
})

test('no v-html anywhere: data is always rendered as text', () => {
  const walk = (d) =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]))
  const offenders = walk(join(web, 'src')).filter((f) => /\.(vue|js)$/.test(f) && /v-html|innerHTML/.test(readFileSync(f, 'utf8')))
  assert.deepEqual(offenders, [])
})

test('field pages: initial JS stays under 300 KB gzip (scripts/size.mjs)', () => {
  const r = measure(dist)
  assert.ok(r.initial.length >= 1)
  assert.ok(r.initialGzip < 300 * 1024, `initial JS is ${(r.initialGzip / 1024).toFixed(1)} KB gzip`)
  // the desktop pages are lazy chunks, not in the first load
  const names = r.initial.map((x) => x.file).join(' ')
  for (const lazy of ['RegistryPage', 'AuditPage', 'UsersPage', 'ReviewPage', 'ImportPage', 'ReconcilePage', 'ChildPage', 'ChildForm']) assert.ok(!names.includes(lazy), `${lazy} is in the first load`)
})

test('index.html: no inline script, no other origin, hashed assets', () => {
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1], /\bsrc="\/assets\/[\w.-]+-[\w-]{8}\.js"/, 'every script is a hashed file')
    assert.equal(m[2].trim(), '', 'no inline script')
  }
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'nothing from another origin')
  for (const f of readdirSync(join(dist, 'assets')).filter((x) => x.endsWith('.css'))) {
    const css = readFileSync(join(dist, 'assets', f), 'utf8')
    assert.doesNotMatch(css, /url\(\s*["']?(https?:)?\/\//, `${f} loads from another origin`)
    assert.doesNotMatch(css, /@import\s+["']?(https?:)?\/\//, `${f} imports from another origin`)
  }
})

test('the audit page names every action the server writes by name (src/**/*.c) in words', () => {
  const src = join(web, '..', 'src')
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]))
  const written = new Set()
  for (const f of walk(src).filter((x) => x.endsWith('.c'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/audit_entry_set\([^,]+,\s*"([a-z_.]+)"/g)) written.add(m[1])
  }
  assert.ok(written.size > 40, `found ${written.size} actions`)
  const labels = readFileSync(join(web, 'src/lib/auditActions.js'), 'utf8')
  const missing = [...written].filter((a) => !labels.includes(`'${a}'`) && !new RegExp(`^\\s+${a}:`, 'm').test(labels))
  assert.deepEqual(missing, [], 'actions without a label in src/lib/auditActions.js')
})

test('times and dates are shown in Beijing time whatever zone the device is in', async () => {
  const { dateTime, dateOf, todayIso } = await import('../src/lib/format.js')
  // 2026-11-30 19:12 UTC is 2026-12-01 03:12 in Beijing
  const sec = Date.UTC(2026, 10, 30, 19, 12) / 1000
  assert.equal(dateTime(sec), '2026-12-01 03:12')
  assert.equal(dateOf(sec), '2026-12-01')
  assert.equal(todayIso(new Date(sec * 1000)), '2026-12-01')
  assert.equal(dateTime(null), '')
  assert.equal(dateOf(0), '1970-01-01')
})
