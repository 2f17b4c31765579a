// The closed loop's timeliness (办理时效, GET /api/v1/loop/metrics): the
// steps in the loop's order, the time a step took in human units, the
// configured deadlines (GET /api/v1/loop/config) and the days of a period.
import { DEADLINE_STEPS, OPEN_STATES } from './loop.js'
import { parseSpan } from './loopConfig.js'
import { chinaToday } from './format.js'
import { daysBefore } from './visits.js'

// a township's steps, always shown, in the loop's order (the request's
// states: the time a request spent in each)
export const TOWNSHIP_STEPS = DEADLINE_STEPS
// a department's or organisation's: time to accept, time to finish
export const UNIT_STEPS = ['referral_pending', 'referral_accepted']

// The township steps to show: the usual ones, then any other the answer
// has (e.g. referred), in the loop's order.
export function townshipStages(rows) {
  const extra = new Set()
  for (const r of rows) for (const s of r.steps || []) if (!TOWNSHIP_STEPS.includes(s.stage)) extra.add(s.stage)
  const rank = (s) => (OPEN_STATES.includes(s) ? OPEN_STATES.indexOf(s) : 100)
  const all = [...TOWNSHIP_STEPS, ...extra]
  return all.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
}

export const stepOf = (row, stage) => (row.steps || []).find((s) => s.stage === stage) || null

// one decimal, none when whole: 1.5, 2
const dec = (x) => String(Math.round(x * 10) / 10)

// A duration in seconds in human units: minutes below an hour, hours below
// a day (one decimal), else days (one decimal) — "1.5 天", "36 分钟".
export function duration(t, sec) {
  if (sec === null || sec === undefined) return '—'
  if (sec < 60) return t('timely.d_lt_min')
  if (sec < 3600) return t('timely.d_min', { n: Math.round(sec / 60) })
  if (sec < 86400) return t('timely.d_h', { n: dec(sec / 3600) })
  return t('timely.d_d', { n: dec(sec / 86400) })
}

// A deadline of the loop's configuration ("3d": working days, "12h":
// hours) as {n, unit} — or null.
export function parseLimit(v) {
  const c = parseSpan(v)
  return c.n ? { n: Number(c.n), unit: c.u } : null
}

// The deadline in calendar seconds, roughly: a working day counts 7/5 of
// a day (weekends), holidays are left out.
export function limitSeconds(l) {
  if (!l) return null
  return l.unit === 'h' ? l.n * 3600 : (l.n * 86400 * 7) / 5
}

export function limitText(t, l) {
  if (!l) return ''
  return l.unit === 'h' ? t('timely.limit_h', { n: l.n }, l.n) : t('timely.limit_d', { n: l.n }, l.n)
}

// Unix seconds -> the day in China (UTC+8), "YYYY-MM-DD".
export const chinaDay = (sec) => chinaToday(sec * 1000)

// The day after "YYYY-MM-DD" (the server's `to` is the end, not included).
export const nextDay = (iso) => daysBefore(iso, -1)

// "83%" of a share n / of (null when of is 0).
export function share(n, of) {
  return of ? Math.round((n / of) * 100) + '%' : null
}
