// Small display helpers shared by the pages.
function pad(n) {
  return String(n).padStart(2, '0')
}

// Times are shown in Beijing time (UTC+8, no summer time), as the server's
// days, deadlines and exports count them, whatever zone the device is set to.
const CHINA_MS = 8 * 3600e3

// Unix seconds -> "YYYY-MM-DD HH:MM", Beijing time.
export function dateTime(sec) {
  if (!sec && sec !== 0) return ''
  const d = new Date(sec * 1000 + CHINA_MS)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}

// Full years (周岁) on today's date from "YYYY-MM-DD".
export function ageOf(birth, today = new Date()) {
  if (!birth || !/^\d{4}-\d{2}-\d{2}$/.test(birth)) return null
  const [y, m, d] = birth.split('-').map(Number)
  const [ty, tm, td] = todayIso(today).split('-').map(Number) // Beijing's date
  let age = ty - y
  if (tm < m || (tm === m && td < d)) age--
  return age >= 0 ? age : null
}

// Only same-site paths may be a post-login destination (no open redirect).
export function safeNext(v) {
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return null
  if (v.startsWith('/login')) return null
  return v
}

// The date in Beijing at the instant d (now), "YYYY-MM-DD".
export function todayIso(d = new Date()) {
  return new Date(d.getTime() + CHINA_MS).toISOString().slice(0, 10)
}

// Unix seconds -> "YYYY-MM-DD", Beijing time.
export function dateOf(sec) {
  if (!sec && sec !== 0) return ''
  return todayIso(new Date(sec * 1000))
}

// Today's date in China (UTC+8), "YYYY-MM-DD": the calendar the server's
// date rules use (e.g. "not in the future"), whatever the device's zone.
export function chinaToday(now = Date.now()) {
  return new Date(now + 8 * 3600e3).toISOString().slice(0, 10)
}

// A phone number as the server takes it (field_phone_digits in
// domain/fields.c): a mobile number (11 digits, 13x-19x) or a landline with
// its area code (0 + 2 or 3 digits, then 7 or 8), spaces and hyphens
// between the digits allowed (138-0013-8001; stored without them).
export function phoneOk(s) {
  const d = String(s).replace(/[ -]/g, '')
  return /^1[3-9]\d{9}$/.test(d) || /^0[1-9]\d{8,10}$/.test(d)
}

// A count with its thousands grouped by commas, "147,240": the same in
// Chinese and English, as county tables in either language write it. Not a
// number (null, a dash) is returned as it is.
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
export function count(n) {
  return typeof n === 'number' && Number.isFinite(n) ? GROUPED.format(n) : n
}

// A month "YYYY-MM" in the user's words, one form everywhere it is named:
// "2026 年 12 月", "December 2026" (report.month_title).
const MONTH_NAME = new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' })
export function monthTitle(t, ym) {
  if (!ym || !/^\d{4}-\d{2}/.test(ym)) return ym || ''
  const y = Number(ym.slice(0, 4))
  const m = Number(ym.slice(5, 7))
  return t('report.month_title', { y, m, name: MONTH_NAME.format(new Date(Date.UTC(y, m - 1, 1))) })
}
