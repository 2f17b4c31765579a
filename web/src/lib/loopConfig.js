// The closed loop's configuration (GET / PUT /api/v1/loop/config,
// src/api/loop_core.c): a deadline per step and urgency ("3d": working
// days, "12h": hours), the holiday calendar (holidays, make-up working
// days) and the alert repeat in hours. The limits are the server's
// (src/domain/deadline.c); the page checks them before it sends.
import { k } from '../i18n.js'
import { DEADLINE_STEPS, STAGE } from './loop.js'

// the request's steps in the loop's order, then a referral's
export const REQUEST_STEPS = DEADLINE_STEPS
export const REFERRAL_STEPS = ['referral_pending', 'referral_accepted', 'police_feedback']
export const TIERS = ['normal', 'urgent']

// who acts in a step (the deadline is theirs)
export const STEP_HINT = {
  reported: k('loopcfg.hint.reported'),
  township_review: k('loopcfg.hint.township_review'),
  resolved_locally: k('loopcfg.hint.resolved_locally'),
  forwarded: k('loopcfg.hint.forwarded'),
  accepted: k('loopcfg.hint.accepted'),
  referrals_done: k('loopcfg.hint.referrals_done'),
  result_sent: k('loopcfg.hint.result_sent'),
  feedback_delivered: k('loopcfg.hint.feedback_delivered'),
  referral_pending: k('loopcfg.hint.referral_pending'),
  referral_accepted: k('loopcfg.hint.referral_accepted'),
  police_feedback: k('loopcfg.hint.police_feedback'),
}
export const stepLabel = (step) => STAGE[step] || null

export const MAX = { d: 365, h: 2160 }
export const REPEAT_MAX = 24 * 365
export const MAX_DATES = 512

// "3d" -> {n: '3', u: 'd'}; anything else -> {n: '', u: 'd'}
export function parseSpan(s) {
  const m = /^(\d+)([dh])$/.exec(s || '')
  return m ? { n: String(Number(m[1])), u: m[2] } : { n: '', u: 'd' }
}
export const formatSpan = (c) => `${Number(String(c.n).trim())}${c.u}`

// a cell's error key, or '' when its amount is a whole number in range
export function spanError(c) {
  const v = String(c.n).trim()
  if (!v) return k('loopcfg.err_required')
  if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > MAX[c.u]) return c.u === 'h' ? k('loopcfg.err_amount_h') : k('loopcfg.err_amount_d')
  return ''
}

export function repeatError(v) {
  const s = String(v).trim()
  if (!s) return k('loopcfg.err_required')
  return /^\d{1,4}$/.test(s) && Number(s) <= REPEAT_MAX ? '' : k('loopcfg.err_repeat')
}

// a real calendar date YYYY-MM-DD (from 1900, as the server takes them)
export function isDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '')
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false
  const dt = new Date(Date.UTC(y, mo - 1, d))
  return dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d
}

// The steps in the order shown: the request's, a referral's, then any
// other step the server names (a newer server).
export function stepsOf(cfg) {
  const known = REQUEST_STEPS.concat(REFERRAL_STEPS)
  const extra = Object.keys((cfg && cfg.deadlines) || {}).filter((s) => !known.includes(s))
  return { request: REQUEST_STEPS.concat(extra), referral: REFERRAL_STEPS }
}

// The form of a configuration: cells of strings, sorted date lists.
export function toForm(cfg) {
  const deadlines = {}
  for (const [step, v] of Object.entries(cfg.deadlines || {})) {
    deadlines[step] = { normal: parseSpan(v.normal), urgent: parseSpan(v.urgent) }
  }
  return {
    deadlines,
    holidays: [...(cfg.holidays || [])].sort(),
    workdays: [...(cfg.workdays || [])].sort(),
    repeat: String(cfg.alert_repeat_hours ?? ''),
  }
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

// What the form changes of the configuration `cfg`: the body of the PUT
// (only the keys, steps and urgencies that differ); {} when nothing does.
// Cells that do not parse are sent as they are (the form checks them first).
export function changes(form, cfg) {
  const body = {}
  const dl = {}
  for (const [step, cells] of Object.entries(form.deadlines)) {
    for (const tier of TIERS) {
      const now = String(cells[tier].n).trim() === '' ? '' : formatSpan(cells[tier])
      const was = cfg.deadlines && cfg.deadlines[step] ? cfg.deadlines[step][tier] : undefined
      if (now !== was) (dl[step] ||= {})[tier] = now
    }
  }
  if (Object.keys(dl).length) body.deadlines = dl
  if (!sameList(form.holidays, [...(cfg.holidays || [])].sort())) body.holidays = form.holidays
  if (!sameList(form.workdays, [...(cfg.workdays || [])].sort())) body.workdays = form.workdays
  const rep = String(form.repeat).trim()
  if (rep !== String(cfg.alert_repeat_hours)) body.alert_repeat_hours = /^\d+$/.test(rep) ? Number(rep) : rep
  return body
}

// Puts saved changes (a body of `changes`) over a configuration's form.
export function applyChanges(form, body) {
  for (const [step, tiers] of Object.entries(body.deadlines || {})) {
    if (!form.deadlines[step]) continue
    for (const [tier, v] of Object.entries(tiers)) {
      form.deadlines[step][tier] = /^\d+[dh]$/.test(v) ? parseSpan(v) : { n: '', u: form.deadlines[step][tier].u }
    }
  }
  if (body.holidays) form.holidays = [...body.holidays]
  if (body.workdays) form.workdays = [...body.workdays]
  if (body.alert_repeat_hours !== undefined) form.repeat = String(body.alert_repeat_hours)
  return form
}
