// The supervisor's review of a child director (考核评价, SPEC §5): a rating
// for a quarter ("2026-Q4") or a year ("2026"), with a comment. The
// scorecard shows the reviews of one review period; the township's
// supervisor writes them (PUT /api/v1/directors/{id}/reviews/{period}).
import { k } from '../i18n.js'
import { errorText } from './errors.js'

// The server counts a comment in characters (code points), at most this many.
export const COMMENT_MAX = 500

// The ratings, best first, with their words and their tags' colours.
export const RATINGS = [
  { value: 'excellent', label: k('visit.sc_rate_excellent'), cls: 'tag-green' },
  { value: 'competent', label: k('visit.sc_rate_competent'), cls: 'tag-blue' },
  { value: 'basic', label: k('visit.sc_rate_basic'), cls: 'tag-warn' },
  { value: 'incompetent', label: k('visit.sc_rate_incompetent'), cls: 'tag-danger' },
]
const BY_VALUE = Object.fromEntries(RATINGS.map((r) => [r.value, r]))

// {text, cls} of a review's tag; 未评价 when there is none.
export function ratingTag(t, review) {
  const r = review && BY_VALUE[review.rating]
  if (!r) return { text: t('visit.sc_unreviewed'), cls: 'tag-none' }
  return { text: t(r.label), cls: r.cls }
}

export const PERIOD_RE = /^(\d{4})(?:-Q([1-4]))?$/
const QUARTER_TEXT = [k('visit.sc_rp_q1'), k('visit.sc_rp_q2'), k('visit.sc_rp_q3'), k('visit.sc_rp_q4')]

// A review period in words: "2026年第四季度" / "Q4 2026", "2026年度" / "Year 2026".
export function periodText(t, p) {
  const m = PERIOD_RE.exec(p || '')
  if (!m) return p || ''
  if (!m[2]) return t('visit.sc_rp_year', { y: m[1] })
  return t(QUARTER_TEXT[Number(m[2]) - 1], { y: m[1] })
}

// The review periods to choose from on a day ("YYYY-MM-DD"): this year's
// quarters that have begun, newest first, and the year; then last year's.
export function reviewPeriods(today) {
  const y = Number(today.slice(0, 4))
  const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1
  const out = []
  for (const year of [y, y - 1]) {
    for (let n = year === y ? q : 4; n >= 1; n--) out.push(`${year}-Q${n}`)
    out.push(String(year))
  }
  return out
}

// A refusal of the review in the user's language, by the field it names.
export function reviewErrorText(t, e) {
  if (e && e.field === 'rating') return t('visit.sc_err_rating')
  if (e && e.field === 'comment') return t('visit.sc_err_comment_long', { n: COMMENT_MAX })
  if (e && e.field === 'period') return t('visit.sc_err_period')
  if (e && (e.code === 'forbidden' || e.code === 'not_found')) return t('visit.sc_err_not_yours')
  return errorText(t, e)
}
