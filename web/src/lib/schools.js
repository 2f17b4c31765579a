// Schools (SPEC §5): a school's activity station (儿童活动站) and
// counselling room (心理辅导室), its counselling sessions (心理辅导) and the
// caring mothers (爱心妈妈) paired with children — the vocabularies, the
// server's limits (src/api/schools.c) checked here first, and the periods
// the lists offer (the talks' quick periods: the last 90 days by default).
import { k } from '../i18n.js'
import { areaName, schoolName } from './areas.js'

export { talkPeriods as schoolPeriods } from './talks.js'

export const MODE = {
  individual: k('school.mode_individual'),
  group: k('school.mode_group'),
}
export const TOPIC = {
  emotion: k('school.topic_emotion'),
  study: k('school.topic_study'),
  family: k('school.topic_family'),
  peers: k('school.topic_peers'),
  bullying: k('school.topic_bullying'),
  safety: k('school.topic_safety'),
  other: k('school.topic_other'),
}
// how worried the counsellor is: none (无), watch (需关注), refer (需转介)
export const CONCERN = {
  none: k('school.concern_none'),
  watch: k('school.concern_watch'),
  refer: k('school.concern_refer'),
}
export const CONCERN_TAG = { none: '', watch: 'tag-warn', refer: 'tag-danger' }

// a session: within the last year, not ahead; a group of 2 to 2000 pupils;
// notes of at most 500 characters (read by the school only)
export const DAYS_BACK = 366
export const GROUP_MIN = 2
export const GROUP_MAX = 2000
export const NOTES_MAX = 500
export const COUNSELLORS_MAX = 1000
// the counselling list: its rows at most (the totals count them all)
export const LIST_MAX = 500

// a caring mother: her name 1 to 30 characters, notes 200; a pairing's
// end note 100; the list at most 2000 (the server's limit)
export const NAME_MAX = 30
export const MOTHER_NOTES_MAX = 200
export const END_NOTE_MAX = 100
export const MOTHERS_MAX = 2000

// where a caring mother volunteers: her school, else the village with its
// township (or the township, or the county); the names once loaded
// (ensureNames, loadSchools)
export function motherPlace(t, m) {
  if (m.school_id && schoolName(m.school_id)) return schoolName(m.school_id)
  if (m.area_code.length === 6) return t('proj.county_wide')
  const own = areaName(m.area_code) || m.area_code
  if (m.area_code.length === 12 && areaName(m.area_code.slice(0, 9))) return `${areaName(m.area_code.slice(0, 9))} ${own}`
  return own
}
