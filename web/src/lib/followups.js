// Follow-up visits (回访) of help requests (SPEC §4): their states as tags,
// the dates the scheduling form offers (the server's rule: from today to a
// year ahead, China's calendar), who may schedule and cancel one, and the
// server's refusals in the user's language.
import { k } from '../i18n.js'
import { errorText } from './errors.js'
import { daysBefore } from './visits.js'

export const FU_STATE = {
  open: k('fu.state_open'),
  overdue: k('fu.state_overdue'),
  done: k('fu.state_done'),
  cancelled: k('fu.state_cancelled'),
}
export const FU_TAG = { open: 'tag-blue', overdue: 'tag-danger', done: 'tag-green', cancelled: '' }

// the list's filters (GET /follow-ups?state=)
export const FU_FILTERS = ['open', 'overdue', 'done', 'all']

export const NOTE_MAX = 200
// the form's default due day: a week from today
export const DEFAULT_DAYS = 7

// "YYYY-MM-DD" n days after the given day.
export function daysAfter(iso, n) {
  return daysBefore(iso, -n)
}

// The last day a follow-up may be due: the same day a year on (the 28th
// of February for the 29th).
export function yearAhead(iso) {
  const [y, m, d] = iso.split('-').map(Number)
  const last = new Date(Date.UTC(y + 1, m, 0)).getUTCDate()
  const pad = (v) => String(v).padStart(2, '0')
  return `${y + 1}-${pad(m)}-${pad(Math.min(d, last))}`
}

// The roles that schedule follow-ups (they visit the child), and the
// township's desk and the centre, who cancel anyone's.
const FU_ROLES = ['center', 'supervisor', 'station', 'director', 'grid']
const FU_DESK_ROLES = ['center', 'supervisor', 'station']

export function mayFollowUp(me) {
  return !!me && FU_ROLES.includes(me.membership.role)
}

// Who cancels an open follow-up: whoever scheduled it (created_by, the
// account's id), the township's desk or the centre (the server decides).
export function mayCancel(me, f) {
  if (!me || !f || (f.state !== 'open' && f.state !== 'overdue')) return false
  if (FU_DESK_ROLES.includes(me.membership.role)) return true
  return mayFollowUp(me) && f.created_by === me.user.id
}

const BY_CODE = {
  no_child: k('fu.err_no_child'),
  withdrawn: k('fu.err_withdrawn'),
  not_open: k('fu.err_not_open'),
}
const FORBIDDEN = { create: k('fu.err_forbidden_create'), cancel: k('fu.err_forbidden_cancel') }

// A refusal of the follow-up calls (what: 'create' or 'cancel') in the
// user's language.
export function fuErrorText(t, e, what = 'create') {
  if (e && e.field === 'due_on' && e.code === 'validation_failed') return t('fu.err_due_range')
  if (e && e.field === 'note' && e.code === 'validation_failed') return t('fu.err_note_long', { n: NOTE_MAX })
  if (e && e.code && BY_CODE[e.code]) return t(BY_CODE[e.code])
  if (e && e.code === 'forbidden' && FORBIDDEN[what]) return t(FORBIDDEN[what])
  return errorText(t, e)
}
