// Supporting programmes (帮扶项目, SPEC §7): returning-entrepreneur projects
// (返乡创业) and rural-revitalisation partners (乡村振兴合伙人, basic →
// growth → core) that bring parents home. The vocabularies, the server's
// limits (src/api/programmes.c) checked here first, and the server's
// refusals in the user's words. Values are what the API speaks; labels come
// from the catalogues.
import { k } from '../i18n.js'
import { errorText } from './errors.js'

export const KIND = {
  returning_entrepreneur: k('programmes.kind_returning_entrepreneur'),
  revitalisation_partner: k('programmes.kind_revitalisation_partner'),
}
export const KIND_TAG = { returning_entrepreneur: 'tag-blue', revitalisation_partner: 'tag-green' }

export const LEVEL = {
  basic: k('programmes.level_basic'),
  growth: k('programmes.level_growth'),
  core: k('programmes.level_core'),
}
export const LEVELS = Object.keys(LEVEL)
export const LEVEL_TAG = { basic: '', growth: 'tag-blue', core: 'tag-warn' }
// the level a partner rises to next (none after core)
export const nextLevel = (level) => LEVELS[LEVELS.indexOf(level) + 1] || ''

export const STATUS = {
  active: k('programmes.status_active'),
  ended: k('programmes.status_ended'),
}

// only a rural-revitalisation partner has a level (an entrepreneur's is basic)
export const isPartner = (p) => p?.kind === 'revitalisation_partner'

// the server's limits, in characters and people
export const NAME_MAX = 64
export const HOLDER_MAX = 30
export const INDUSTRY_MAX = 30
export const NOTES_MAX = 600
export const PEOPLE_MAX = 100000
export const FIRST_DAY = '2000-01-01'
// the list asks for everything at once (the server's cap)
export const LIST_MAX = 1000

// The server's refusals (English, for developers) in the user's words;
// anything else as errors.js says it. A limit's number goes in as {n}.
const BY_MESSAGE = {
  'kind must be returning_entrepreneur or revitalisation_partner': k('programmes.err_kind'),
  'status must be active or ended': k('programmes.err_status'),
  'a new programme is active': k('programmes.err_status'),
  'area must be a township or village of yours': k('programmes.err_area'),
  'area_code must be a township or village of yours': k('programmes.err_area'),
  'name must have 1 to 64 characters': [k('programmes.err_name'), NAME_MAX],
  'holder must have 1 to 30 characters': [k('programmes.err_holder'), HOLDER_MAX],
  'industry must have 0 to 30 characters': [k('programmes.err_industry'), INDUSTRY_MAX],
  'notes must have 0 to 600 characters': [k('programmes.err_notes'), NOTES_MAX],
  'jobs must be a number of people from 0': k('programmes.err_people'),
  'returnees must be a number of people from 0': k('programmes.err_people'),
  'level must be basic, growth or core': k('programmes.err_level'),
  'levels are for rural-revitalisation partners': k('programmes.err_level_partner'),
  'started_on must be a date YYYY-MM-DD since 2000, not ahead': k('programmes.err_started'),
  "a programme's place, kind and start do not change": k('programmes.err_fixed'),
  "guardian_id must be the child's father or mother": k('programmes.err_parent'),
  'the parent is not recorded as working away': k('programmes.err_not_away'),
  'the programme has ended': k('programmes.err_ended'),
  'returned_on must be a date YYYY-MM-DD, not ahead': k('programmes.err_returned_on'),
  'returned_on may not be before the programme started': k('programmes.err_returned_before'),
  'child_id must be a child of your area': k('programmes.err_child'),
  'supporting programmes are followed by the centre and townships': k('err.forbidden'),
  'supporting programmes are recorded by the centre and townships': k('err.forbidden'),
}

export function programmeError(t, e) {
  // a return before the parent went away: the message ends with that day
  const since = /^returned_on may not be before the parent went away \((\d{4}-\d{2}-\d{2})\)$/.exec((e && e.message) || '')
  if (since) return t('programmes.err_returned_before_away', { date: since[1] })
  const below = /^returnees must count at least the (\d+) parents recorded as come home$/.exec((e && e.message) || '')
  if (below) return t('programmes.err_returnees_below', { n: below[1] }, Number(below[1]))
  const m = e && e.message && BY_MESSAGE[e.message]
  if (Array.isArray(m)) return t(m[0], { n: m[1] })
  if (m) return t(m)
  return errorText(t, e)
}
