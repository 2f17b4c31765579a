// The closed loop's vocabularies (docs/openapi.yaml, src/domain/case.c) and
// which loop pages a role gets. Values are what the API speaks; labels come
// from the catalogues. The server decides every step (allowed_actions); the
// UI only offers what it lists.
import { k } from '../i18n.js'
import { count } from './format.js'
import { api } from './api.js'

export const KIND = {
  medical: k('loop.kind.medical'),
  schooling: k('loop.kind.schooling'),
  living_hardship: k('loop.kind.living_hardship'),
  guardianship: k('loop.kind.guardianship'),
  abuse_violence: k('loop.kind.abuse_violence'),
  bullying: k('loop.kind.bullying'),
  psychological: k('loop.kind.psychological'),
  legal: k('loop.kind.legal'),
  other: k('loop.kind.other'),
}

export const URGENCY = { normal: k('loop.urgency.normal'), urgent: k('loop.urgency.urgent') }

// in the order of the loop (the board's columns)
export const STATE = {
  reported: k('loop.state.reported'),
  township_review: k('loop.state.township_review'),
  resolved_locally: k('loop.state.resolved_locally'),
  forwarded: k('loop.state.forwarded'),
  accepted: k('loop.state.accepted'),
  referred: k('loop.state.referred'),
  referrals_done: k('loop.state.referrals_done'),
  result_sent: k('loop.state.result_sent'),
  feedback_delivered: k('loop.state.feedback_delivered'),
  closed: k('loop.state.closed'),
  withdrawn: k('loop.state.withdrawn'),
}
export const OPEN_STATES = Object.keys(STATE).filter((s) => s !== 'closed' && s !== 'withdrawn')

// timeline stages also name a referral's stages
export const STAGE = {
  ...STATE,
  referral_pending: k('loop.rstate.pending'),
  referral_accepted: k('loop.rstate.accepted'),
  police_feedback: k('loop.stage.police_feedback'),
  follow_up: k('loop.stage.follow_up'),
}

// the request's steps that have a deadline, in the loop's order: the
// configuration's table (期限与节假日) and the timeliness figures (办理时效)
export const DEADLINE_STEPS = [
  'reported',
  'township_review',
  'resolved_locally',
  'forwarded',
  'accepted',
  'referrals_done',
  'result_sent',
  'feedback_delivered',
]

export const ACTION = {
  file: k('loop.action.file'),
  review: k('loop.action.review'),
  resolve: k('loop.action.resolve'),
  forward: k('loop.action.forward'),
  accept: k('loop.action.accept'),
  send_back: k('loop.action.send_back'),
  refer: k('loop.action.refer'),
  referrals_complete: k('loop.action.referrals_complete'),
  send_result: k('loop.action.send_result'),
  deliver_feedback: k('loop.action.deliver_feedback'),
  close: k('loop.action.close'),
  reopen: k('loop.action.reopen'),
  withdraw: k('loop.action.withdraw'),
  set_priority: k('loop.action.set_priority'),
  link_child: k('loop.action.link_child'),
  child_moved: k('loop.action.child_moved'),
  police_feedback: k('loop.action.police_feedback'),
  comment: k('loop.action.comment'),
  referral_accept: k('loop.action.referral_accept'),
  referral_decline: k('loop.action.referral_decline'),
  referral_progress: k('loop.action.referral_progress'),
  referral_complete: k('loop.action.referral_complete'),
  referral_cancel: k('loop.action.referral_cancel'),
}

export const REF_ACTION = {
  accept: k('loop.raction.accept'),
  decline: k('loop.raction.decline'),
  progress: k('loop.raction.progress'),
  complete: k('loop.raction.complete'),
  cancel: k('loop.raction.cancel'),
}

// what each step of a referral asks for, and whether the text is required
// (as the server: accept takes an optional note, progress a note)
export const REF_NEEDS = { accept: 'note', decline: 'reason', progress: 'note', complete: 'result', cancel: 'reason' }
export const refTextRequired = (action) => action !== 'accept'

export const REF_STATE = {
  pending: k('loop.rstate.pending'),
  accepted: k('loop.rstate.accepted'),
  declined: k('loop.rstate.declined'),
  done: k('loop.rstate.done'),
  cancelled: k('loop.rstate.cancelled'),
}

// the texts the server writes itself, by the key it gives them (a
// referral's ask_key, a step's note_key): public security's ask on a
// mandatory report is stored in Chinese and said in the reader's language
export const SYSTEM_TEXT = { mandatory_report: k('loop.system_text.mandatory_report') }
// a referral's ask or a step's note as shown: the server's own words in
// the reader's language, a person's as they wrote them
export const systemText = (t, key, text) => (key && SYSTEM_TEXT[key] ? t(SYSTEM_TEXT[key]) : text)

export const RATING = {
  satisfied: k('loop.rating.satisfied'),
  basically_satisfied: k('loop.rating.basically_satisfied'),
  dissatisfied: k('loop.rating.dissatisfied'),
}

// the field groups a referral may grant (name, sex, birth date, age always)
export const GRANT = {
  address: k('loop.grant.address'),
  id_number: k('loop.grant.id_number'),
  guardians: k('loop.grant.guardians'),
  health: k('loop.grant.health'),
  school: k('loop.grant.school'),
  family: k('loop.grant.family'),
}

export const TIER = {
  village: k('loop.tier.village'),
  township: k('loop.tier.township'),
  centre: k('loop.tier.centre'),
  units: k('loop.tier.units'),
}

// events that are alerts (a deadline passed), shown in red
export const ALERT_EVENTS = ['deadline.overdue', 'follow_up.overdue', 'visit.concern']

export const EVENT_STEP = (ev) => {
  if (!ev) return null
  if (ev === 'deadline.overdue') return k('loop.event.overdue')
  if (ev === 'follow_up.overdue') return k('loop.event.follow_up_overdue')
  if (ev === 'entitlement.gaps') return k('loop.event.entitlement_gaps')
  if (ev === 'visit.concern') return k('loop.event.visit_concern')
  if (ev === 'request.attachment') return k('loop.event.attachment')
  const [kind, a] = ev.split('.')
  if (kind === 'request') return ACTION[a] || null
  if (kind === 'referral') return ACTION['referral_' + a] || null
  return null
}

// who files, who keeps the board, who has referrals
const FILERS = ['director', 'grid', 'school', 'station', 'center']
export const MANDATORY_FILERS = ['director', 'school', 'grid', 'station', 'center']
export function loopCan(me, what) {
  if (!me) return false
  const r = me.membership.role
  switch (what) {
    case 'file':
      return FILERS.includes(r)
    case 'myRequests':
      return ['director', 'grid', 'school'].includes(r)
    case 'board':
      return ['center', 'station', 'supervisor', 'committee'].includes(r)
    case 'referrals':
      return r === 'department' || r === 'org'
    case 'inbox':
      return true
    default:
      return false
  }
}

// "2 天 3 小时" style: seconds -> {d, h, m}
export function span(sec) {
  const s = Math.max(0, Math.round(sec || 0))
  return { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600), m: Math.floor((s % 3600) / 60) }
}
export function spanText(t, sec) {
  const { d, h, m } = span(sec)
  if (d) return t('loop.span.dh', { d: count(d), h })
  if (h) return t('loop.span.hm', { h, m })
  return t('loop.span.m', { m })
}

// How many results wait in the caller's village for its director to tell
// the child and record the feedback: resolved by the township, or sent
// down by the centre (the home card and the list's note say the same).
export async function toDeliverCount() {
  // the figures alone (limit=0): nobody named, no read in the audit log
  const lists = await Promise.all(['resolved_locally', 'result_sent'].map((state) => api.get('/requests', { state, limit: 0 })))
  return lists.reduce((n, r) => n + r.total, 0)
}
