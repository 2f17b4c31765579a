// Visits (走访): a plan's state as a tag, and the size rule of findings.
import { VISIT_STATE, label } from './vocab.js'

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
      ? t('visit.overdue_days', { n: plan.days_overdue })
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
