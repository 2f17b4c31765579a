// Entitlements (应享尽享, SPEC §6): the vocabularies of policies and
// receipts, amounts in yuan, a policy's rule of eligibility in words, and
// the months a receipt may start or end in.
import { k } from '../i18n.js'
import { CATEGORY, DISABILITY_GRADE, label } from './vocab.js'

// what a policy gives (only a monthly allowance is paid every month)
export const BENEFIT = {
  monthly_allowance: k('ent.benefit_monthly_allowance'),
  one_off_aid: k('ent.benefit_one_off_aid'),
  fee_waiver: k('ent.benefit_fee_waiver'),
  insurance_subsidy: k('ent.benefit_insurance_subsidy'),
  in_kind: k('ent.benefit_in_kind'),
}

// where a child stands with a policy: the matching's three groups, and
// "none" (not eligible, not receiving) on the child's page
export const GROUP = {
  gap: k('ent.group_gap'),
  stop: k('ent.group_stop'),
  receiving: k('ent.group_receiving'),
  none: k('ent.group_none'),
}
export const GROUP_TAG = { gap: 'tag-warn', stop: 'tag-danger', receiving: 'tag-green', none: '' }

// why a child is not eligible: the rule's conditions it does not meet
export const UNMET = {
  category: k('ent.unmet_category'),
  age: k('ent.unmet_age'),
  hukou: k('ent.unmet_hukou'),
  disability: k('ent.unmet_disability'),
  poverty: k('ent.unmet_poverty'),
  illness: k('ent.unmet_illness'),
  ended: k('ent.unmet_ended'),
  excluded: k('ent.unmet_excluded'),
}

// the largest amount the server takes (1 000 000 yuan)
export const AMOUNT_MAX_CENTS = 100000000
// a policy's code: 2 to 31 of a-z, 0-9 and _
export const POLICY_CODE = /^[a-z0-9_]{2,31}$/
export const POLICY_NAME_MAX = 64
export const END_REASON_MAX = 200

// Fen -> "¥1,234.50".
export function yuan(cents) {
  if (cents === null || cents === undefined || !Number.isFinite(Number(cents))) return ''
  const n = Math.round(Number(cents))
  const neg = n < 0
  const abs = Math.abs(n)
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const frac = String(abs % 100).padStart(2, '0')
  return `${neg ? '-' : ''}¥${whole}.${frac}`
}

// Yuan as typed ("1200", "1200.5", "1,200.50", or with a Chinese input
// method's full-width "１２００．５０") -> fen, or null when it is not an
// amount with at most two decimals.
export function parseYuan(s) {
  const v = String(s ?? '')
    .trim()
    .replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\uff0e\u3002]/g, '.')
    .replace(/[,\uff0c\s]/g, '')
    .replace(/^[¥\uffe5]/, '')
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(v)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

// Fen -> the amount as typed in a form ("1200.00").
export function yuanInput(cents) {
  if (cents === null || cents === undefined) return ''
  return (Number(cents) / 100).toFixed(2)
}

// A rule's conditions in words, in the rule's order, e.g. "孤儿；0–17周岁";
// the empty rule is every child under 18.
// the categories as a rule says them, mid-sentence ("orphans or children in difficulty")
const RULE_CATEGORY = {
  orphan: k('ent.rule_cat.orphan'),
  de_facto_unsupported: k('ent.rule_cat.de_facto_unsupported'),
  left_behind: k('ent.rule_cat.left_behind'),
  in_difficulty: k('ent.rule_cat.in_difficulty'),
}

export function ruleText(t, rule, names = {}) {
  const r = rule || {}
  const parts = []
  if (Array.isArray(r.categories) && r.categories.length) {
    parts.push(r.categories.map((c) => label(t, RULE_CATEGORY, c)).join(t('ent.rule_or')))
  }
  const min = Number.isInteger(r.age_min) ? r.age_min : null
  const max = Number.isInteger(r.age_max) ? r.age_max : null
  // an age bound alone is read with the other end of childhood: 0–17
  if (min !== null || max !== null) parts.push(t('ent.rule_age', { min: min ?? 0, max: max ?? 17 }))
  if (r.hukou_type === 'rural') parts.push(t('ent.rule_hukou_rural'))
  else if (r.hukou_type === 'urban') parts.push(t('ent.rule_hukou_urban'))
  if (Array.isArray(r.disability_grades) && r.disability_grades.length) {
    const grades = r.disability_grades.map((g) => label(t, DISABILITY_GRADE, g)).join(t('ent.list_sep'))
    parts.push(t('ent.rule_disability', { grades }))
  }
  if (r.family_poverty) parts.push(t('ent.rule_poverty'))
  if (r.serious_illness) parts.push(t('ent.rule_illness'))
  const excl = Array.isArray(r.excludes) ? r.excludes : []
  let text = parts.length ? parts.join(t('ent.rule_sep')) : t('ent.rule_everyone')
  if (excl.length) text += t('ent.rule_sep') + t('ent.rule_excludes', { names: excl.map((c) => names[c] || c).join(t('ent.list_sep')) })
  // a sentence starts with a capital (English; Chinese has none)
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// The unmet conditions in words: "年龄不符、户籍类型不符".
// With excludedBy (the policy the child receives that this one may not be
// had with), the exclusion names it.
export function unmetText(t, unmet, excludedBy = '') {
  return (unmet || [])
    .map((u) => (u === 'excluded' && excludedBy ? t('ent.unmet_excluded_by', { name: excludedBy }) : label(t, UNMET, u)))
    .join(t('ent.list_sep'))
}

// Benefits paid once a year (in the receipt's first month and every 12th
// after it), as the server's ledger pays them (domain/entitlement.c).
export const YEARLY = ['fee_waiver', 'insurance_subsidy']

// An amount with its rhythm: "¥600.00/月" for a monthly allowance, "/年" for
// a yearly benefit, the bare amount for one paid once.
export function amountText(t, cents, benefit) {
  const y = yuan(cents)
  if (!y) return ''
  if (benefit === 'monthly_allowance') return t('ent.per_month', { amount: y })
  return YEARLY.includes(benefit) ? t('ent.per_year', { amount: y }) : y
}

// The label of a policy's amount field for its benefit.
export function amountLabel(t, benefit) {
  if (benefit === 'monthly_allowance') return t('ent.amount_monthly')
  return YEARLY.includes(benefit) ? t('ent.amount_yearly') : t('ent.amount_once')
}

// ---- months ("YYYY-MM", China's calendar) ----

// This month in China (UTC+8), whatever the device's zone.
export function chinaMonth(now = Date.now()) {
  return new Date(now + 8 * 3600e3).toISOString().slice(0, 7)
}

// "YYYY-MM" n months after (before, when negative) the given one.
export function addMonths(month, n) {
  const [y, m] = month.split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 1 + n, 1))
  return d.toISOString().slice(0, 7)
}

export const isMonth = (s) => typeof s === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(s)

// The months a receipt may start in, newest first: next month down to 12
// months back (the server's rule), and none before earliest ("YYYY-MM":
// the policy's first month, the child's birth month), if given.
export function fromMonths(current = chinaMonth(), earliest = '') {
  const out = []
  for (let i = 1; i >= -12; i--) {
    const m = addMonths(current, i)
    if (!earliest || m >= earliest) out.push(m)
  }
  return out
}

// The months a receipt may end in, newest first: this month (payments
// stop from the next) down to its first month (at most two years back).
// A receipt that has not started ends in its first month or is cancelled:
// its last month the one before its first, nothing paid.
export function lastMonths(fromMonth, current = chinaMonth()) {
  if (fromMonth && fromMonth > current) return [fromMonth, addMonths(fromMonth, -1)]
  const out = []
  const oldest = fromMonth && fromMonth > addMonths(current, -24) ? fromMonth : addMonths(current, -24)
  for (let m = current; m >= oldest; m = addMonths(m, -1)) out.push(m)
  return out
}

// A new version starts on the first day of a coming month (this month's
// payments keep the standard they began with), after the newest version's
// month; a new policy may start this month.
export function firstVersionMonth(policy, current = chinaMonth()) {
  const newest = policy && policy.versions && policy.versions[0]
  if (!newest) return current
  const after = addMonths(newest.effective_from.slice(0, 7), 1)
  const next = addMonths(current, 1)
  return after > next ? after : next
}

// The latest month a policy or a version may start in (the server's rule).
export const VERSION_HORIZON_MONTHS = 24
export const lastVersionMonth = (current = chinaMonth()) => addMonths(current, VERSION_HORIZON_MONTHS)

// The rule as the API takes it: only the conditions given.
export function cleanRule(r) {
  const out = {}
  if (r.categories && r.categories.length) out.categories = Object.keys(CATEGORY).filter((c) => r.categories.includes(c))
  if (Number.isInteger(r.age_min)) out.age_min = r.age_min
  if (Number.isInteger(r.age_max)) out.age_max = r.age_max
  if (r.hukou_type) out.hukou_type = r.hukou_type
  if (r.disability_grades && r.disability_grades.length) out.disability_grades = [...r.disability_grades].map(Number).sort()
  if (r.family_poverty) out.family_poverty = true
  if (r.serious_illness) out.serious_illness = true
  if (r.excludes && r.excludes.length) out.excludes = [...r.excludes]
  return out
}

// The rule editor's model of a rule (every condition present).
export function ruleModel(r) {
  const x = r || {}
  return {
    categories: Array.isArray(x.categories) ? [...x.categories] : [],
    age_min: Number.isInteger(x.age_min) ? x.age_min : null,
    age_max: Number.isInteger(x.age_max) ? x.age_max : null,
    hukou_type: x.hukou_type || '',
    disability_grades: Array.isArray(x.disability_grades) ? x.disability_grades.map(Number) : [],
    family_poverty: !!x.family_poverty,
    serious_illness: !!x.serious_illness,
    excludes: Array.isArray(x.excludes) ? [...x.excludes] : [],
  }
}

// What the township found when it checked a gap (应享未享 核实情况).
export const GAP_FINDING = {
  applied: k('ent.finding.applied'),
  declined: k('ent.finding.declined'),
  elsewhere: k('ent.finding.elsewhere'),
  other: k('ent.finding.other'),
}
