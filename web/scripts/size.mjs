#!/usr/bin/env node
// Measures what the browser downloads before the first page shows: the
// scripts dist/index.html loads (module entry + modulepreload links) and
// every chunk they import statically, gzip-compressed (level 9, as a
// server or proxy would send them). Lazy route chunks are listed apart.
// The field pages (login, home, "my children") are in this initial set.
//
// Usage: node scripts/size.mjs [--max KB] [--json]
//   --max KB  exit 1 when the initial JS exceeds KB kilobytes gzip (default 300)
import { readFileSync, readdirSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const args = process.argv.slice(2)
const maxKB = args.includes('--max') ? Number(args[args.indexOf('--max') + 1]) : 300
const asJson = args.includes('--json')

export function measure(dir = dist) {
  const html = readFileSync(join(dir, 'index.html'), 'utf8')
  const gz = (f) => gzipSync(readFileSync(join(dir, f)), { level: 9 }).length
  const refs = (re) => [...html.matchAll(re)].map((m) => m[1].replace(/^\//, ''))
  const roots = [
    ...refs(/<script[^>]*\bsrc="([^"]+\.js)"/g),
    ...refs(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
  ]
  const css = refs(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+\.css)"/g)
  // follow static imports (import "./x.js" / from "./x.js"), not import()
  const initial = new Set()
  const queue = [...roots]
  while (queue.length) {
    const f = queue.shift()
    if (initial.has(f)) continue
    initial.add(f)
    const src = readFileSync(join(dir, f), 'utf8')
    for (const m of src.matchAll(/(?:\bimport|\bfrom)\s*["']\.\/([\w.-]+\.js)["']/g)) queue.push('assets/' + m[1])
  }
  const all = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js')).map((f) => 'assets/' + f)
  const row = (f) => ({ file: f, bytes: readFileSync(join(dir, f)).length, gzip: gz(f) })
  const init = [...initial].map(row)
  const lazy = all.filter((f) => !initial.has(f)).map(row)
  const sum = (xs) => xs.reduce((a, x) => a + x.gzip, 0)
  return {
    initial: init,
    initialGzip: sum(init),
    css: css.map(row),
    cssGzip: sum(css.map(row)),
    lazy,
    lazyGzip: sum(lazy),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = measure()
  if (asJson) {
    console.log(JSON.stringify(r, null, 2))
  } else {
    const kb = (n) => (n / 1024).toFixed(1) + ' KB'
    console.log('initial JS (index.html scripts + modulepreload + static imports), gzip:')
    for (const x of r.initial) console.log(`  ${x.file.padEnd(44)} ${kb(x.bytes).padStart(10)} ${kb(x.gzip).padStart(10)}`)
    console.log(`  ${'total'.padEnd(44)} ${''.padStart(10)} ${kb(r.initialGzip).padStart(10)}`)
    console.log(`initial CSS, gzip: ${kb(r.cssGzip)}`)
    console.log(`lazy chunks (${r.lazy.length}), gzip: ${kb(r.lazyGzip)}`)
  }
  if (r.initialGzip > maxKB * 1024) {
    console.error(`initial JS ${(r.initialGzip / 1024).toFixed(1)} KB gzip exceeds the budget of ${maxKB} KB`)
    process.exit(1)
  }
}
