#!/usr/bin/env node
// The i18n rule, enforced: every catalogue key the code uses exists in both
// catalogues (zh-CN and en), both catalogues have the same keys, and no
// source file outside the catalogues carries Chinese text of its own (every
// label comes from the catalogue).
//
// Keys are collected from t('key'), $t('key') and k('key') calls (k marks a
// key stored for later translation, see src/i18n.js). A key built at run
// time cannot be checked here; the code avoids them.
//
// Usage: node scripts/check-i18n.mjs   (exit 1 and a list on failure)
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const web = join(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(web, 'src')
const CATALOGUES = { 'zh-CN': 'src/locales/zh-CN.json', en: 'src/locales/en.json' }

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (/\.(vue|js|mjs|ts)$/.test(name)) out.push(p)
  }
  return out
}

function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') flatten(v, key, out)
    else out.set(key, v)
  }
  return out
}

// Whether the t('key' call ending at line[at] passes a count after its
// named values: t('key', { n }, n). A call with no named values, or one
// whose values span lines, is taken as counted (nothing to check here).
function counted(line, at) {
  let i = at
  while (line[i] === ' ') i++
  if (line[i] === ')') return false
  if (line[i] !== ',') return true
  i++
  while (line[i] === ' ') i++
  if (line[i] !== '{') return true
  for (let depth = 0; i < line.length; i++) {
    if ('{(['.includes(line[i])) depth++
    else if ('})]'.includes(line[i]) && --depth === 0) break
  }
  if (i >= line.length) return true
  i++
  while (line[i] === ' ') i++
  return line[i] === ','
}

export function check() {
  const problems = []
  const cats = {}
  for (const [loc, file] of Object.entries(CATALOGUES)) {
    try {
      cats[loc] = flatten(JSON.parse(readFileSync(join(web, file), 'utf8')))
    } catch (e) {
      problems.push(`${file}: cannot read: ${e.message}`)
      cats[loc] = new Map()
    }
  }
  const used = new Map() // key -> first place used
  const uncounted = new Map() // key -> first t('key', {...}) call without a count
  const cjk = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/
  const call = /(?<![\w$.])\$?(?:t|k)\(\s*(['"`])([^'"`$]+?)\1/g
  for (const f of walk(src)) {
    const rel = relative(web, f)
    const text = readFileSync(f, 'utf8')
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(call)) {
        if (!used.has(m[2])) used.set(m[2], `${rel}:${i + 1}`)
        if (!counted(line, m.index + m[0].length) && !uncounted.has(m[2])) uncounted.set(m[2], `${rel}:${i + 1}`)
      }
      const code = line.replace(/\/\/.*$/, '').replace(/<!--.*?-->/g, '')
      if (cjk.test(code)) problems.push(`${rel}:${i + 1}: text outside the catalogues: ${line.trim()}`)
    })
  }
  for (const [key, where] of used) {
    for (const loc of Object.keys(CATALOGUES)) {
      if (!cats[loc].has(key)) problems.push(`${where}: key '${key}' is missing from ${CATALOGUES[loc]}`)
    }
  }
  const [a, b] = Object.keys(CATALOGUES)
  for (const key of cats[a].keys()) if (!cats[b].has(key)) problems.push(`key '${key}' is in ${a} but not in ${b}`)
  for (const key of cats[b].keys()) if (!cats[a].has(key)) problems.push(`key '${key}' is in ${b} but not in ${a}`)
  for (const [loc, m] of Object.entries(cats)) {
    for (const [key, v] of m) {
      if (typeof v !== 'string' || !v.trim()) problems.push(`${CATALOGUES[loc]}: '${key}' is empty`)
      // vue-i18n message syntax: a bare | or @ would change the meaning.
      // English alone has plurals, as "one | many" (Chinese has none), and
      // a key with them is always called with its count: t(key, {n}, n)
      else if (/@/.test(v)) problems.push(`${CATALOGUES[loc]}: '${key}' contains @ (message syntax)`)
      else if (/\|/.test(v)) {
        const forms = v.split(' | ')
        if (loc !== 'en' || forms.length !== 2 || forms.some((x) => !x.trim() || x.includes('|')))
          problems.push(`${CATALOGUES[loc]}: '${key}' contains | other than English "one | many" plural forms`)
        else if (uncounted.has(key)) problems.push(`${uncounted.get(key)}: '${key}' has plural forms: pass the count, t(key, {n}, n)`)
      }
    }
  }
  return { problems, used: used.size, keys: cats[a].size }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { problems, used, keys } = check()
  if (problems.length) {
    for (const p of problems) console.error(p)
    console.error(`check-i18n: ${problems.length} problem(s)`)
    process.exit(1)
  }
  console.log(`check-i18n: ${used} keys used, ${keys} keys in each catalogue, all present in zh-CN and en`)
}
