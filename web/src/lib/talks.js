// Talks (讲, SPEC §5): the kinds of session, the server's limits
// (src/api/talks.c) checked here first, and the periods the list offers.
import { k } from '../i18n.js'
import { daysBefore, periodPresets } from './visits.js'
import { can } from './roles.js'

export const TALK_KIND = {
  publicity: k('talk.kind_publicity'),
  education: k('talk.kind_education'),
  parent_school: k('talk.kind_parent_school'),
  training: k('talk.kind_training'),
}
export const KIND_TAG = { publicity: 'tag-blue', education: 'tag-green', parent_school: 'tag-warn', training: '' }

export const TOPIC_MAX = 100
export const NOTES_MAX = 500
export const PEOPLE_MAX = 100000
// a talk is recorded within the last year (days back from today)
export const DAYS_BACK = 366
// the list: the last 90 days by default, its rows a page at a time
export const PERIOD_DEFAULT = 90
export const PAGE = 100
export const LIST_MAX = 500

// Who picks the place of a talk, or of a caring mother (PlacePicker): a
// township's staff one of its villages, the centre a township and maybe a
// village; the others' talks are of their own place.
export function picksPlace(me) {
  const area = me?.membership.area_code || ''
  return can(me, 'talkPlace') && (area.length === 6 || area.length === 9)
}

// Who corrects or removes a talk (修改, 删除): whom recorded it — the list
// names the recorder, compared with the caller's name — or the centre, a
// township's supervisor or station over its place (the server decides:
// src/api/talks.c); not the committee.
const TALK_DESK_ROLES = ['center', 'supervisor', 'station']
export function mayCorrect(me, talk) {
  if (!me || !talk) return false
  const r = me.membership.role
  if (r === 'committee') return false
  if (TALK_DESK_ROLES.includes(r)) return true
  return !!talk.by && talk.by === me.user.display_name
}

// The list's quick periods on a given day ("YYYY-MM-DD", China's
// calendar): the last 90 days (the server's default), this month, last
// month, this year.
export function talkPeriods(today) {
  const p = periodPresets(today)
  return {
    recent: { from: daysBefore(today, PERIOD_DEFAULT), to: today },
    month: p.month,
    last_month: p.last_month,
    year: p.year,
  }
}
