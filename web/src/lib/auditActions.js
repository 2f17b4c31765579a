// The audit log's actions in the user's language, for the auditor's page:
// a label for every action the server writes (the steps of the closed loop
// and the category decisions by their own vocabularies), and the groups of
// the action filter. An action this list does not know shows as its code.
import { k } from '../i18n.js'
import { ACTION, KIND, RATING, REF_ACTION, REF_STATE, STATE, URGENCY } from './loop.js'
import { CATEGORY, GUARDIAN_STATUS, RISK_LEVEL, VISIT_KIND, VISIT_STATE, label } from './vocab.js'
import { FU_STATE } from './followups.js'
import { GAP_FINDING, GROUP, ruleText, yuan } from './entitlements.js'
import { FUND_KIND, KIND as PROJECT_KIND, STATUS as PROJECT_STATUS } from './projects.js'
import { KIND as PROGRAMME_KIND, LEVEL, STATUS as PROGRAMME_STATUS } from './programmes.js'
import { TALK_KIND } from './talks.js'
import { CONCERN, MODE, TOPIC } from './schools.js'
import { ARCHIVE_REASON } from './archive.js'
import { dateTime } from './format.js'

const FIXED = {
  login: k('aact.login'),
  logout: k('aact.logout'),
  'session.membership': k('aact.session_membership'),
  'user.password': k('aact.user_password'),
  'user.create': k('aact.user_create'),
  'user.update': k('aact.user_update'),
  'user.lock': k('aact.user_lock'),
  'user.unlock': k('aact.user_unlock'),
  'user.password_reset': k('aact.user_password_reset'),
  'user.export': k('aact.user_export'),
  'user.import': k('aact.user_import'),
  'membership.add': k('aact.membership_add'),
  'membership.remove': k('aact.membership_remove'),
  'child.read': k('aact.child_read'),
  'child.list': k('aact.child_list'),
  'child.history': k('aact.child_history'),
  'child.create': k('aact.child_create'),
  'child.update': k('aact.child_update'),
  'child.import': k('aact.child_import'),
  'child.export': k('aact.child_export'),
  'child.reconcile': k('aact.child_reconcile'),
  'child.visits': k('aact.child_visits'),
  'visit.create': k('aact.visit_create'),
  'visit.void': k('aact.visit_void'),
  'visit.plan': k('aact.visit_plan'),
  'visit.plan_export': k('aact.visit_plan_export'),
  'visit.config.update': k('aact.visit_config'),
  'follow_up.create': k('aact.follow_up_create'),
  'follow_up.cancel': k('aact.follow_up_cancel'),
  'follow_up.list': k('aact.follow_up_list'),
  'director.review': k('aact.director_review'),
  'category.confirm': k('aact.category_confirm'),
  'category.reject': k('aact.category_reject'),
  'category.end': k('aact.category_end'),
  'category.decide': k('aact.category_decide'),
  'category.review_list': k('aact.category_review_list'),
  'category.keep': k('aact.category_keep'),
  'category.recompute': k('aact.category_recompute'),
  'category.age_sweep': k('aact.category_age_sweep'),
  'entitlement.gap_notice': k('aact.entitlement_gap_notice'),
  'registry.archive_sweep': k('aact.archive_sweep'),
  'request.file': k('aact.request_file'),
  'request.read': k('aact.request_read'),
  'request.list': k('aact.request_list'),
  'request.comment': k('aact.request_comment'),
  'request.export': k('aact.request_export'),
  'request.attachment.add': k('aact.attachment_add'),
  'request.attachment.read': k('aact.attachment_read'),
  'referral.list': k('aact.referral_list'),
  'loop.config.update': k('aact.loop_config'),
  'loop.deadline_scan': k('aact.deadline_scan'),
  'webhook.set': k('aact.webhook_set'),
  'area.import': k('aact.area_import'),
  'unit.create': k('aact.unit_create'),
  'unit.update': k('aact.unit_update'),
  'unit.import': k('aact.unit_import'),
  'audit.export': k('aact.audit_export'),
  'audit.read': k('aact.audit_read'),
  'database.backup': k('aact.database_backup'),
  'key.rotate': k('aact.key_rotate'),
  'policy.create': k('aact.policy_create'),
  'policy.version': k('aact.policy_version'),
  'policy.version_withdraw': k('aact.policy_version_withdraw'),
  'policy.end': k('aact.policy_end'),
  'entitlement.list': k('aact.entitlement_list'),
  'entitlement.export': k('aact.entitlement_export'),
  'entitlement.ledger': k('aact.entitlement_ledger'),
  'entitlement.ledger_export': k('aact.entitlement_ledger_export'),
  'entitlement.start': k('aact.entitlement_start'),
  'entitlement.check': k('aact.entitlement_check'),
  'entitlement.end': k('aact.entitlement_end'),
  'child.entitlements': k('aact.child_entitlements'),
  'project.create': k('aact.project_create'),
  'project.update': k('aact.project_update'),
  'project.child_add': k('aact.project_child_add'),
  'project.child_remove': k('aact.project_child_remove'),
  'project.fund': k('aact.project_fund'),
  'project.fund_reverse': k('aact.project_fund_reverse'),
  'project.read': k('aact.project_read'),
  'project.export': k('aact.project_export'),
  'child.projects': k('aact.child_projects'),
  'child.archive': k('aact.child_archive'),
  'child.restore': k('aact.child_restore'),
  'child.list_archived': k('aact.child_list_archived'),
  'child.export_archived': k('aact.child_export_archived'),
  'archive.config.update': k('aact.archive_config'),
  'talk.create': k('aact.talk_create'),
  'talk.update': k('aact.talk_update'),
  'talk.delete': k('aact.talk_delete'),
  'school.rooms': k('aact.school_rooms'),
  'counselling.create': k('aact.counselling_create'),
  'counselling.void': k('aact.counselling_void'),
  'counselling.list': k('aact.counselling_list'),
  'counselling.export': k('aact.counselling_export'),
  'caring.create': k('aact.caring_create'),
  'caring.update': k('aact.caring_update'),
  'caring.pair': k('aact.caring_pair'),
  'caring.unpair': k('aact.caring_unpair'),
  'caring.read': k('aact.caring_read'),
  'caring.export': k('aact.caring_export'),
  'child.care': k('aact.child_care'),
  'inbox.list': k('aact.inbox_list'),
  'programme.create': k('aact.programme_create'),
  'programme.export': k('aact.programme_export'),
  'programme.update': k('aact.programme_update'),
  'programme.return': k('aact.programme_return'),
  'programme.read': k('aact.programme_read'),
  'demo.create': k('aact.demo_create'),
  'demo.requests': k('aact.demo_requests'),
  'migrate.name_index': k('aact.migrate'),
  'migrate.name_keys': k('aact.migrate'),
}

// The action in the user's language.
export function actionLabel(t, action) {
  if (FIXED[action]) return t(FIXED[action])
  const [head, rest] = [action.slice(0, action.indexOf('.')), action.slice(action.indexOf('.') + 1)]
  if (head === 'request' && ACTION[rest]) return t('aact.request_step', { step: t(ACTION[rest]) })
  if (head === 'referral' && REF_ACTION[rest]) return t('aact.referral_step', { step: t(REF_ACTION[rest]) })
  return action
}

// The closed loop's steps as the server audits them: a request's steps as
// request.<step>, a referral's as referral.<step> (the timeline's
// referral_* entries are those).
const REQUEST_STEPS = Object.keys(ACTION)
  .filter((a) => !a.startsWith('referral_'))
  .map((a) => 'request.' + a)
const REFERRAL_STEPS = Object.keys(REF_ACTION).map((a) => 'referral.' + a)

// The action filter: what an auditor asks about, grouped.
export const ACTION_GROUPS = [
  [k('aact.g_children'), ['child.read', 'child.list', 'child.history', 'child.create', 'child.update', 'child.export', 'child.import', 'child.reconcile', 'category.confirm', 'category.reject', 'category.end', 'category.decide', 'category.review_list', 'visit.create', 'visit.void', 'child.visits', 'visit.plan', 'visit.plan_export', 'follow_up.create', 'follow_up.cancel', 'follow_up.list', 'child.entitlements', 'entitlement.list', 'entitlement.export', 'entitlement.ledger', 'entitlement.ledger_export', 'entitlement.start', 'entitlement.check', 'entitlement.end', 'child.projects', 'child.archive', 'child.restore', 'child.list_archived', 'child.export_archived', 'talk.create', 'talk.update', 'talk.delete', 'child.care', 'inbox.list']],
  [k('aact.g_loop'), ['request.read', 'request.list', 'request.export', 'request.attachment.add', 'request.attachment.read', ...REQUEST_STEPS, 'referral.list', ...REFERRAL_STEPS, 'loop.deadline_scan']],
  [k('aact.g_accounts'), ['login', 'logout', 'user.password', 'user.create', 'user.update', 'user.lock', 'user.unlock', 'user.password_reset', 'user.export', 'user.import', 'membership.add', 'membership.remove', 'session.membership', 'director.review']],
  [k('aact.g_system'), ['area.import', 'unit.create', 'unit.update', 'unit.import', 'audit.export', 'audit.read', 'database.backup', 'key.rotate', 'loop.config.update', 'visit.config.update', 'archive.config.update', 'policy.create', 'policy.version', 'policy.version_withdraw', 'policy.end', 'webhook.set']],
  [k('aact.g_projects'), ['project.create', 'project.update', 'project.fund', 'project.fund_reverse', 'project.child_add', 'project.child_remove', 'project.read', 'project.export']],
  [k('aact.g_schools'), ['school.rooms', 'counselling.create', 'counselling.void', 'counselling.list', 'counselling.export', 'caring.create', 'caring.update', 'caring.pair', 'caring.unpair', 'caring.read', 'caring.export']],
  [k('aact.g_programmes'), ['programme.create', 'programme.update', 'programme.return', 'programme.read', 'programme.export']],
]

const OBJECT = {
  child: k('aobj.child'),
  children: k('aobj.child'),
  user: k('aobj.user'),
  session: k('aobj.session'),
  membership: k('aobj.membership'),
  area: k('aobj.area'),
  county: k('aobj.county'),
  unit: k('aobj.unit'),
  request: k('aobj.request'),
  referral: k('aobj.referral'),
  import: k('aobj.import'),
  list: k('aobj.list'),
  settings: k('aobj.settings'),
  webhook: k('aobj.webhook'),
  audit_log: k('aobj.audit_log'),
  database: k('aobj.database'),
  key: k('aobj.key'),
  policy: k('aobj.policy'),
  receipt: k('aobj.receipt'),
  project: k('aobj.project'),
  talk: k('aobj.talk'),
  school: k('aobj.school'),
  caring_mother: k('aobj.caring_mother'),
  programme: k('aobj.programme'),
}
const OUTCOME = {
  ok: k('aout.ok'),
  denied: k('aout.denied'),
  failed: k('aout.failed'),
  locked: k('aout.locked'),
  conflict: k('aout.conflict'),
  not_found: k('aout.not_found'),
  duplicate_id_number: k('aout.duplicate_id_number'),
  possible_duplicate: k('aout.possible_duplicate'),
  rejected: k('aout.rejected'),
  corrupt: k('aout.corrupt'),
  missing: k('aout.missing'),
}

// the kinds of record the filter offers (children is the old name of child)
export const OBJECT_TYPES = Object.keys(OBJECT).filter((x) => x !== 'children')

// The kind of record an entry is about, in the user's language.
export function objectLabel(t, type) {
  return OBJECT[type] ? t(OBJECT[type]) : type || ''
}

// How the action ended, in the user's language.
export function outcomeLabel(t, outcome) {
  return OUTCOME[outcome] ? t(OUTCOME[outcome]) : outcome
}

// The details of an entry (a JSON object the server wrote) as "what: value"
// pairs in the user's language: the names the auditor reads most by the
// catalogue, values of a vocabulary in words, yes/no for flags; an empty
// value is left out; a name this list does not know shows as it is.
const DETAIL_KEY = {
  action: k('adk.action'),
  amount_cents: k('adk.amount'),
  effective_from: k('adk.effective_from'),
  on_date: k('adk.on_date'),
  ends: k('adk.ends'),
  check: k('adk.check'),
  finding: k('adk.finding'),
  fund: k('adk.fund'),
  visit: k('adk.visit'),
  session: k('adk.session'),
  last_month: k('adk.last_month'),
  receipt: k('adk.receipt'),
  area: k('adk.area'),
  at: k('adk.at'),
  attachment_id: k('adk.attachment_id'),
  by_name: k('adk.by_name'),
  bytes: k('adk.bytes'),
  category: k('adk.category'),
  child_id: k('adk.child_id'),
  children: k('adk.children'),
  children_named: k('adk.children_named'),
  count: k('adk.count'),
  due_on: k('adk.due_on'),
  follow_ups: k('adk.follow_ups'),
  enabled: k('adk.enabled'),
  format: k('adk.format'),
  cursor: k('adk.cursor'),
  from: k('adk.from'),
  from_month: k('adk.from_month'),
  group: k('adk.group'),
  id_lookup: k('adk.id_lookup'),
  id_number: k('adk.id_number'),
  kind: k('adk.kind'),
  phones: k('adk.phones'),
  mandatory: k('adk.mandatory'),
  month: k('adk.month'),
  name_search: k('adk.name_search'),
  object_id: k('adk.object_id'),
  object_type: k('adk.object_type'),
  outside_area: k('adk.outside_area'),
  outside_ids: k('adk.outside_ids'),
  policy: k('adk.policy'),
  police: k('adk.police'),
  rating: k('adk.rating'),
  reason: k('adk.reason'),
  referrals: k('adk.referrals'),
  repeats: k('adk.repeats'),
  requests: k('adk.requests'),
  request_id: k('adk.request_id'),
  returned: k('adk.returned'),
  risk_level: k('adk.risk_level'),
  rows: k('adk.rows'),
  rule: k('adk.rule'),
  secret_changed: k('adk.secret_changed'),
  seed: k('adk.seed'),
  size: k('adk.size'),
  state: k('adk.state'),
  limit: k('adk.limit'),
  to: k('adk.to'),
  township: k('adk.township'),
  unit_id: k('adk.unit_id'),
  urgency: k('adk.urgency'),
  user_id: k('adk.user_id'),
  version: k('adk.version'),
  visited_on: k('adk.visited_on'),
  status: k('adk.status'),
  status_from: k('adk.status_from'),
  village: k('adk.village'),
  school_id: k('adk.school_id'),
  table: k('adk.table'),
  level: k('adk.level'),
  org_id: k('adk.org_id'),
  name: k('adk.name'),
  code: k('adk.code'),
  added: k('adk.added'),
  renamed: k('adk.renamed'),
  unchanged: k('adk.unchanged'),
  import: k('adk.import'),
  mode: k('adk.mode'),
  created: k('adk.created'),
  updated: k('adk.updated'),
  errors: k('adk.errors'),
  conflicts: k('adk.conflicts'),
  skipped: k('adk.skipped'),
  first_id: k('adk.first_id'),
  last_id: k('adk.last_id'),
  username: k('adk.username'),
  follow_up_id: k('adk.follow_up_id'),
  programme: k('adk.programme'),
  project: k('adk.project'),
  mother: k('adk.mother'),
  held_on: k('adk.held_on'),
  attendance: k('adk.attendance'),
  adults: k('adk.adults'),
  topic: k('adk.topic'),
  concern: k('adk.concern'),
  period: k('adk.period'),
  activity_station: k('adk.activity_station'),
  counselling_room: k('adk.counselling_room'),
  counsellors: k('adk.counsellors'),
  active: k('adk.active'),
  url: k('adk.url'),
  risk: k('adk.risk'),
  categories: k('adk.categories'),
  due_soon_days: k('adk.due_soon_days'),
  adult_grace_days: k('adk.adult_grace_days'),
  retention_years: k('adk.retention_years'),
  role: k('adk.role'),
  area_code: k('adk.area_code'),
  // the registry's filters and order (child.export)
  age_min: k('adk.age_min'),
  age_max: k('adk.age_max'),
  guardian_status: k('adk.guardian_status'),
  director_id: k('adk.director_id'),
  sort: k('adk.sort'),
  // a rotation of the master key (key.rotate)
  id_numbers: k('adk.id_numbers'),
  phone_numbers: k('adk.phone_numbers'),
  webhook_secrets: k('adk.webhook_secrets'),
  counselling_notes: k('adk.counselling_notes'),
  entries_resealed: k('adk.entries_resealed'),
  sessions_ended: k('adk.sessions_ended'),
}
const DETAIL_VALUE = {
  category: CATEGORY,
  finding: GAP_FINDING,
  check: { ...GAP_FINDING, none: k('ent.finding_none') },
  group: GROUP,
  kind: KIND,
  rating: RATING,
  risk_level: RISK_LEVEL,
  guardian_status: GUARDIAN_STATUS,
  // the registry's order, as its sort control names it
  sort: { id: k('registry.sort_id'), name: k('registry.sort_name'), '-birth_date': k('registry.sort_young'), birth_date: k('registry.sort_old') },
  urgency: URGENCY,
  id_number: { masked: k('adk.id_masked'), full: k('adk.id_full') },
  phones: { masked: k('adk.id_masked'), full: k('adk.id_full') },
  level: LEVEL,
  concern: CONCERN,
  // a membership's role (membership.add, membership.remove)
  role: { committee: k('role.committee'), center: k('role.center'), auditor: k('role.auditor'), admin: k('role.admin'), supervisor: k('role.supervisor'), station: k('role.station'), director: k('role.director'), grid: k('role.grid'), department: k('role.department'), org: k('role.org'), school: k('role.school') },
  table: { by_policy: k('adk.table_by_policy'), by_township: k('adk.table_by_township'), served: k('adk.table_served'), funds: k('adk.table_funds') },
}
// a unit's kind (unit.create, unit.update)
const UNIT_KIND = { department: k('users.unit_department'), org: k('users.unit_org'), school: k('users.unit_school') }
// how an import was taken: all rows or none, or row by row
const IMPORT_MODE = { all: k('adk.mode_all'), rows: k('adk.mode_rows') }
// a state is a referral's on a referral's entry (its "accepted" is 办理中),
// else a request's
const STATE_KEYS = ['from', 'to', 'state']

// a list's filter words beside the stages: "open" requests, "active" referrals, all
const REQ_FILTER = { ...STATE, open: k('req.f_open'), all: k('req.f_all') }
const REF_FILTER = { ...REF_STATE, active: k('refs.f_active'), all: k('req.f_all') }

function vocabOf(key, action) {
  if (key === 'state' && (action === 'visit.plan' || action === 'visit.plan_export')) return VISIT_STATE
  if (key === 'state' && action === 'follow_up.list') return FU_STATE
  if (key === 'state' && action === 'request.list') return REQ_FILTER
  if (key === 'state' && action === 'referral.list') return REF_FILTER
  if (key === 'state' && action === 'request.export') return REQ_FILTER
  if (STATE_KEYS.includes(key)) return action.startsWith('referral.') ? REF_STATE : STATE
  const head = action.slice(0, action.indexOf('.'))
  if (key === 'kind') {
    if (action.startsWith('project.fund')) return FUND_KIND
    if (head === 'project') return PROJECT_KIND
    if (head === 'programme') return PROGRAMME_KIND
    if (head === 'talk') return TALK_KIND
    if (head === 'unit') return UNIT_KIND
    if (action === 'visit.create') return VISIT_KIND
  }
  if (key === 'status' || key === 'status_from') return head === 'programme' ? PROGRAMME_STATUS : PROJECT_STATUS
  if (key === 'mode') return head === 'counselling' ? MODE : IMPORT_MODE
  if (key === 'topic' && head === 'counselling') return TOPIC
  if (key === 'reason' && (action === 'child.archive' || action.endsWith('_archived'))) return ARCHIVE_REASON
  return DETAIL_VALUE[key]
}

const safeJson = (s) => {
  try {
    return JSON.parse(s)
  } catch {
    return {}
  }
}

// the keys whose value is a record's id
const ID_KEYS = ['policy', 'receipt', 'fund', 'visit', 'session', 'unit_id', 'user_id', 'child_id', 'attachment_id', 'request_id', 'school_id', 'director_id', 'org_id', 'import', 'first_id', 'last_id', 'follow_up_id', 'programme', 'project', 'mother']

// the details the server writes as plain words instead of JSON
const DETAIL_WORDS = { 'unknown user name': 'adk.unknown_user' }

export function detailText(t, detail, action = '') {
  let d
  if (DETAIL_WORDS[detail]) return t(DETAIL_WORDS[detail])
  try {
    d = JSON.parse(detail)
  } catch {
    return detail || ''
  }
  if (!d || typeof d !== 'object' || Array.isArray(d)) return detail || ''
  const parts = []
  for (const [key, v] of Object.entries(d)) {
    if (v === null || v === '' || (Array.isArray(v) && !v.length)) continue
    // an id of 0 is "none" (no policy asked for), not a record
    if (v === 0 && ID_KEYS.includes(key)) continue
    // the log's own reads and report name a period (from, to), not a change of state
    const period = action.startsWith('audit.') && (key === 'from' || key === 'to')
    const name = period ? t(`audit.${key}`) : DETAIL_KEY[key] ? t(DETAIL_KEY[key]) : key
    let value
    if (typeof v === 'boolean') value = t(v ? 'adk.yes' : 'adk.no')
    else if (key === 'at' && typeof v === 'number') value = dateTime(v)
    else if (key === 'amount_cents' && typeof v === 'number') value = yuan(v)
    else if (key === 'format' && typeof v === 'string') value = v.toUpperCase()
    else if (key === 'rule') value = ruleText(t, typeof v === 'string' ? safeJson(v) : v)
    else if (typeof v === 'string' && !period && vocabOf(key, action)) value = v.split(',').map((x) => label(t, vocabOf(key, action), x)).join(t('loop.list_sep'))
    else if (typeof v === 'object') value = JSON.stringify(v)
    else value = String(v)
    parts.push(`${name}${t('loop.colon')}${value}`)
  }
  return parts.join(t('adk.sep'))
}
