// Visits (走访): a plan's state as a tag, and the size rule of findings.
import { VISIT_STATE, label } from './vocab.js'
import { count } from './format.js'

// The server counts the findings in characters (Unicode code points, so an
// emoji counts once, as it does there).
export const FINDINGS_MAX = 2000
export function charLength(s) {
  return [...(s || '')].length
}

// The VISIT_STATE keys a state filter of the plan list asks for.
export const STATE_FILTERS = {
  need: ['never', 'overdue', 'due_soon'],
  never: ['never'],
  overdue: ['overdue'],
  // overdue or never visited (the overview's "behind")
  behind: ['never', 'overdue'],
  due_soon: ['due_soon'],
  ok: ['ok'],
  all: ['never', 'overdue', 'due_soon', 'ok'],
}

const TAG_CLASS = { never: 'tag-warn', overdue: 'tag-danger', due_soon: 'tag-blue', ok: 'tag-green' }

// {text, cls} of where a child's plan stands: overdue in red with the days,
// never visited in orange, due soon in blue, on time in green.
export function planTag(t, plan) {
  if (!plan || !plan.state || plan.state === 'no_plan') return null
  const text =
    plan.state === 'overdue' && plan.days_overdue !== undefined
      ? t('visit.overdue_days', { n: count(plan.days_overdue) }, plan.days_overdue)
      : label(t, VISIT_STATE, plan.state)
  return { text, cls: TAG_CLASS[plan.state] || '' }
}

// "YYYY-MM-DD" of n days before the given day (local time).
export function daysBefore(iso, n) {
  const [y, m, d] = iso.split('-').map(Number)
  const x = new Date(y, m - 1, d - n)
  const pad = (v) => String(v).padStart(2, '0')
  return `${x.getFullYear()}-${pad(x.getMonth() + 1)}-${pad(x.getDate())}`
}

// ---- the villages' scorecard (儿童主任考核) ----

// A period covers at most this many days (the server's rule).
export const PERIOD_DAYS_MAX = 366
// Coverage below this share is shown in red.
export const COVERAGE_LOW = 0.6

function ymd(y, m, d) {
  // m is 1..12 and may run over (Date normalises it); d 0 is the month's last day before
  const x = new Date(Date.UTC(y, m - 1, d))
  return x.toISOString().slice(0, 10)
}

// The quick periods on a given day ("YYYY-MM-DD", China's calendar):
// this month, last month, this quarter and this year, each up to today
// (last month whole).
export function periodPresets(today) {
  const [y, m] = today.split('-').map(Number)
  const q = Math.floor((m - 1) / 3) * 3 + 1
  return {
    month: { from: ymd(y, m, 1), to: today },
    last_month: { from: ymd(y, m - 1, 1), to: ymd(y, m, 0) },
    quarter: { from: ymd(y, q, 1), to: today },
    year: { from: ymd(y, 1, 1), to: today },
  }
}

// Days from one "YYYY-MM-DD" to another.
export function daysBetween(from, to) {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86400e3)
}

// Coverage (0..1, or null when the plan has no child) as a percentage with
// one decimal: "87.5%", or null.
export function coveragePct(c) {
  if (c === null || c === undefined) return null
  return (Math.round(c * 1000) / 10).toFixed(1) + '%'
}

// The orders of the scorecard's villages: lowest coverage first (villages
// with nobody in the plan last), most children overdue or never visited
// first, or the villages' order (their codes).
const byCode = (a, b) => (a.village_code < b.village_code ? -1 : a.village_code > b.village_code ? 1 : 0)
const byCoverage = (a, b) => {
  const x = a.coverage ?? 2
  const y = b.coverage ?? 2
  return x - y
}
export const SCORE_SORTS = {
  coverage: (a, b) => byCoverage(a, b) || byCode(a, b),
  behind: (a, b) => b.overdue + b.never - (a.overdue + a.never) || byCoverage(a, b) || byCode(a, b),
  code: byCode,
}
