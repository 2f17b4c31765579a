// Turns an API error into a sentence in the user's language. The server's
// messages are English and meant for developers; the UI maps the error code
// (and, where one code covers several cases, the exact message) to a key.
import { k } from '../i18n.js'
import { CHILD_FACT_REASONS } from './reasons.js'

const BY_MESSAGE = {
  ...CHILD_FACT_REASONS,
  'name must be non-empty text without control or invisible characters': k('err.name_invalid'),
  'q is too long': k('err.q_long'),
  'sex must be M or F': k('err.sex_invalid'),
  'birth_date must be a real date as YYYY-MM-DD': k('err.birth_invalid'),
  'attachments may be JPEG, PNG or PDF files': k('err.attachment_type'),
  'due_date may be at most a year ahead': k('refer.due_far'),
  'the new password must differ from the current one': k('err.password_same'),
  'display_name must be non-empty text without control characters or blanks at either end': k('err.display_name_blank'),
  'the visit was voided already': k('err.voided_already'),
  'the session was voided already': k('err.voided_already'),
  'the line was reversed already': k('err.reversed_already'),
  'the follow-up is already done or cancelled': k('err.follow_up_not_open'),
  "the person is 18 or older and past the archive's grace days: the registry keeps minors": k('err.grown_up'),
  'village_code must be the code of a village or community': k('err.village_invalid'),
  "grid_code must be a grid of the child's village": k('err.grid_invalid'),
  'school_id must be a school of this county': k('err.school_invalid'),
  'unit_id must be a unit of this county': k('err.unit_not_in_county'),
  'password must have at least 10 characters': k('err.pw_short'),
  'password must have at most 128 characters': k('err.pw_long'),
  'password must mix at least three of: lower case, upper case, digits, symbols': k('err.pw_mix'),
  'hukou_area_code must be a 6, 9 or 12-digit area code': k('err.hukou_area_invalid'),
  'hukou_type must be rural or urban': k('err.validation_failed'),
  'disability_grade must be 0 (none) to 4': k('err.validation_failed'),
  "director_id must be a child director of the child's village": k('err.director_invalid'),
  'status_since must be a date YYYY-MM-DD': k('err.date_invalid'),
  'status is not in the guardian status vocabulary': k('err.validation_failed'),
  'at most 8 guardians': k('err.guardians_max'),
  'a confirmation needs evidence: evidence_type and evidence_ref': k('err.evidence_required'),
  'end_reason is required': k('err.required'),
  'already confirmed': k('err.already_confirmed'),
  'only a suggestion can be rejected; end a confirmed category': k('err.only_suggestion_rejected'),
  'only a confirmed category can end': k('err.only_confirmed_ends'),
  'nothing to review': k('err.nothing_to_review'),
  'this category is neither suggested nor confirmed for the child': k('err.category_gone'),
  'start_date must be a date YYYY-MM-DD': k('err.date_invalid'),
  'end_date must be a date YYYY-MM-DD': k('err.date_invalid'),
  'the list needs an ID number column, or name and birth date columns': k('err.recon_columns'),
  'too many imports are running; try again shortly': k('err.busy'),
  'the request body must be the CSV or XLSX file': k('import.choose_file_first'),
  "your role may not export children's data": k('err.forbidden'),
  "a user name has 3 to 63 letters, digits, '.', '_' or '-' and starts with a letter or digit": k('err.username_invalid'),
  'this role needs the code of a county': k('err.role_place'),
  'this role needs the code of a township': k('err.role_place'),
  'this role needs the code of a village or community': k('err.role_place'),
  'this role needs the code of a grid': k('err.role_place'),
  'this role needs a department': k('err.role_place'),
  'this role needs a social organisation': k('err.role_place'),
  'this role needs a school': k('err.role_place'),
  "code has 2 to 31 lower-case letters, digits or '_' and starts with a letter or digit": k('err.unit_code_invalid'),
  'area_code must be an area of this county': k('err.area_not_in_county'),
  'area_code must be an area of the county': k('err.area_not_in_county'),
  'area_code must be your county or one of its townships': k('err.county_or_township'),
  'kind must be home, school or phone': k('err.visit_kind'),
  'visited_on must be a date YYYY-MM-DD': k('err.date_invalid'),
  'visited_on may not be in the future': k('err.date_future'),
  'visited_on may be at most a year ago': k('err.visit_too_old'),
  "visited_on is before the child's birth date": k('err.visit_before_birth'),
  'findings must say what the visit found': k('err.findings_required'),
  "field 'findings' is too long": k('err.findings_too_long'),
  'findings may have at most 2000 characters': k('err.findings_too_long'),
  "field 'findings' is required": k('err.findings_required'),
  'a flag must be one of safety, health, schooling, guardianship, psychological, living': k('err.validation_failed'),
  'a flag is given twice': k('err.validation_failed'),
  'risk_level must be low, medium or high': k('err.validation_failed'),
  'from must be a date YYYY-MM-DD': k('err.date_invalid'),
  'to must be a date YYYY-MM-DD': k('err.date_invalid'),
  'to must not be before from': k('visit.sc_to_before_from'),
  // entitlements: policies, receipts, the ledger
  'effective_from may not be before this month: a version in force is never changed, a new one starts from a coming month': k('ent.err_month_past'),
  "effective_from must be later than the newest version's": k('ent.err_after_newest'),
  'effective_from must be the first day of a month (YYYY-MM-01)': k('ent.err_month'),
  'code must be 2 to 31 of a-z, 0-9 and _, starting with a letter or digit': k('ent.err_code'),
  'the county has a policy of this code': k('ent.err_code_taken'),
  'department_id must be a department of the county': k('ent.err_department'),
  'amount_cents must be an amount in fen from 0 to 100000000': k('ent.err_amount'),
  'age_max may not be below age_min': k('ent.err_age_order'),
  'policy_id must be a policy in force': k('ent.err_policy_gone'),
  'the child already receives this policy': k('ent.err_already'),
  'from_month must be within the last 12 months or the next one': k('ent.err_from_range'),
  'from_month must be a month YYYY-MM': k('ent.err_month'),
  'last_month must be a month YYYY-MM': k('ent.err_month'),
  'month must be a month YYYY-MM': k('ent.err_month'),
  "last_month may not be before the receipt's from_month": k('ent.err_last_before'),
  "field 'reason' is required": k('ent.err_reason'),
  'the receipt has ended already': k('ent.err_ended'),
  // charity projects
  'org_id must be an organisation of the county': k('proj.err_org'),
  'an organisation registers its own projects': k('proj.err_org_own'),
  'kind must be hope_room, one_plus_n, service or fundraising': k('proj.err_kind'),
  'area_code must be a township or village code': k('proj.err_area'),
  'budget_cents must be an amount in fen from 0': k('proj.err_budget'),
  'party may have 64 characters, note 200': k('proj.err_party_note'),
  'started_on must be a date YYYY-MM-DD': k('err.date_invalid'),
  'finished_on must be a date YYYY-MM-DD': k('err.date_invalid'),
  'finished_on may not be before started_on': k('proj.err_finished_before'),
  'a hope room or a 1 + N plan is for one child: add the child before it starts': k('proj.err_start_child'),
  'a hope room or a 1 + N plan is for one child: it is not finished without its child': k('proj.err_done_child'),
  'a project moves from planned to active to done, or is cancelled before it is done': k('proj.err_status_move'),
  'the project was changed since you read it': k('proj.err_changed'),
  'child_id must be a child of your area': k('proj.err_child_area'),
  'a hope room or a 1 + N plan is for one child': k('proj.err_one_child'),
  'the project serves this child already': k('proj.err_child_twice'),
  'a 1 + N plan names the services paired with the child': k('proj.err_services'),
  'the project does not serve this child': k('proj.err_not_served'),
  'the project has ended': k('proj.err_ended'),
  'amount_cents must be an amount in fen above 0': k('proj.err_amount'),
  'on_date must be a date YYYY-MM-DD of the last ten years': k('proj.err_on_date'),
  'kind must be donation or spending': k('err.validation_failed'),
  'no such project': k('proj.err_no_project'),
  'projects are registered by the centre or the organisation running them': k('err.forbidden'),
  'the centre and the organisation running it change a project': k('err.forbidden'),
  'the centre and townships choose the children a project serves': k('err.forbidden'),
  // the monthly report
  'month must be a month YYYY-MM, not ahead': k('report.err_month'),
  'township must be your own': k('report.err_township'),
  'township must be a township code of the county': k('report.err_township'),
  'months must be a number from 2 to 18': k('err.validation_failed'),
  'the trends are for the committee, the centre and townships': k('err.forbidden'),
  // the archive (档案)
  'the child is not 18 yet': k('archive.err_not_18'),
  'the child is archived already': k('archive.err_archived_already'),
  'the child is not archived': k('archive.err_not_archived'),
  'a grown-up stays in the archive': k('archive.err_grown_up'),
  'the record was erased after its retention: it cannot come back': k('archive.err_erased'),
  'reason must be adult, moved_away, deceased, duplicate or other': k('archive.err_reason'),
  'note may have at most 200 characters': k('archive.err_note_200'),
  'adult_grace_days must be a number of days from 0 to 3650': k('archive.err_grace'),
  'retention_years must be a number of years from 1 to 100': k('archive.err_years'),
  'the archive is kept by the centre and the townships': k('err.forbidden'),
  "the archive's periods are set by the county centre": k('err.forbidden'),
  // talks (宣讲)
  'area_code must be the county, a township or a village of yours': k('talk.err_place'),
  'area must be a township or village of yours': k('talk.err_area'),
  'held_on must be a date YYYY-MM-DD of the last year, not ahead': k('talk.err_date'),
  'kind must be publicity, education, parent_school or training': k('talk.err_kind'),
  'topic must have 1 to 100 characters': k('talk.err_topic'),
  'notes may have at most 500 characters': k('talk.err_notes'),
  'children must be a number of people from 0': k('talk.err_people'),
  'adults must be a number of people from 0': k('talk.err_people'),
  'a talk has someone attending: children or adults': k('talk.err_nobody'),
  'to may not be before from': k('visit.sc_to_before_from'),
  'talks are held by child directors, grid workers, townships, the centre and schools': k('err.forbidden'),
  'talks are followed by those who hold them and the committee': k('err.forbidden'),
  // schools: rooms, counselling, caring mothers
  'counsellors must be a number of people from 0': k('school.err_counsellors'),
  'opened_on must be a date YYYY-MM-DD, not ahead': k('school.err_opened_on'),
  'mode must be individual or group': k('school.err_mode'),
  'topic must be emotion, study, family, peers, bullying, safety or other': k('school.err_topic'),
  'concern must be none, watch or refer': k('school.err_concern'),
  'an individual session names the pupil: child_id': k('school.err_child'),
  'child_id must be a pupil of your school': k('school.err_not_pupil'),
  'a group session names nobody: leave out child_id': k('school.err_group_child'),
  'a group session has 2 to 2000 pupils': k('school.err_group'),
  'schools are followed by the centre, townships and schools': k('err.forbidden'),
  "a school's rooms are kept by the school and the centre": k('err.forbidden'),
  'counselling sessions are read by the school and the centre': k('err.forbidden'),
  'counselling sessions are recorded by the school that held them': k('err.forbidden'),
  'caring mothers are kept by the centre, townships, child directors and schools': k('err.forbidden'),
  'joined_on must be a date YYYY-MM-DD, not ahead': k('caring.err_joined'),
  "a caring mother's place and joining day do not change": k('caring.err_fixed'),
  'end her pairings before she leaves': k('caring.err_has_pairs'),
  'she is no longer active': k('caring.err_inactive'),
  'started_on may not be before she joined': k('caring.err_start_day'),
  'started_on must be a date YYYY-MM-DD of the last year, not ahead': k('caring.err_start_day'),
  'ended_on must be a date YYYY-MM-DD of the last year, not ahead': k('caring.err_end_day'),
  'ended_on may not be before the pairing started': k('caring.err_end_day'),
  'the child is paired with a caring mother already': k('caring.err_child_paired'),
  'the pairing has ended already': k('caring.err_ended'),
  // the closed loop: a child linked to a request, or named when filing
  'child_id is not a child you can see': k('err.child_not_visible'),
  'link_child needs child_id': k('step.pick_child'),
}

// Messages with a number in them: the pattern and the key, which gets the
// number as {n}.
const BY_PATTERN = [
  // a mandatory report's withdrawal (the code mandatory_report says the rest:
  // public security's referral is neither declined nor cancelled)
  [/^a mandatory report is not withdrawn/, k('err.mandatory_withdraw')],
  // a caring mother's name, notes and a pairing's end note (other limits
  // of the same words are other records')
  [/^name must have 1 to (30) characters$/, k('caring.err_name')],
  [/^notes may have at most (200) characters$/, k('caring.err_notes')],
  [/^note may have at most (100) characters$/, k('caring.err_end_note')],
  [/ must be a whole number of days from 0 to (\d+)$/, k('err.days_range')],
  [/^the child's category \w+ began on (\d{4}-\d{2}-\d{2}), before this birth date$/, k('err.born_after_category')],
  [/^a period covers at most (\d+) days$/, k('visit.sc_too_long')],
  // a category ended by age: the child has not that age on the end's day,
  // or the category ends at another age
  [/^the child is not (\d+) on the end's day$/, k('decide.err_not_age')],
  [/^\w+ ends at (\d+): end_reason must be turned_\d+$/, k('decide.err_age_reason')],
  [/^name must have 1 to (\d+) characters$/, k('ent.err_name_long')],
  [/^reason must say why, in at most (\d+) characters$/, k('ent.err_reason_long')],
  [/^description may have at most (\d+) characters$/, k('proj.err_description_long')],
  [/^donor may have at most (\d+) characters$/, k('proj.err_donor_long')],
  [/^services may have at most (\d+) characters$/, k('proj.err_services_long')],
]

const BY_CODE = {
  invalid_credentials: k('err.invalid_credentials'),
  account_locked: k('err.account_locked'),
  session_expired: k('err.session_expired'),
  unauthenticated: k('err.unauthenticated'),
  wrong_password: k('err.wrong_password'),
  weak_password: k('err.weak_password'),
  invalid_id_number: k('err.invalid_id_number'),
  duplicate_id_number: k('err.duplicate_id_number'),
  version_conflict: k('err.version_conflict'),
  outside_scope: k('err.outside_scope'),
  forbidden: k('err.forbidden'),
  not_found: k('err.not_found'),
  required: k('err.required'),
  too_long: k('err.too_long'),
  validation_failed: k('err.validation_failed'),
  csrf_failed: k('err.csrf_failed'),
  busy: k('err.busy'),
  network: k('err.network'),
  internal: k('err.internal'),
  no_membership: k('err.no_membership'),
  too_many_requests: k('err.busy'),
  reauth_cancelled: k('err.reauth_cancelled'),
  invalid_transition: k('err.invalid_transition'),
  duplicate_referral: k('err.duplicate_referral'),
  attachment_corrupt: k('err.attachment_corrupt'),
  unsupported_media_type: k('err.invalid_file'),
  unsupported_type: k('err.attachment_type'),
  invalid_file: k('err.invalid_file'),
  too_large: k('import.too_big'),
  body_too_large: k('import.too_big'),
  username_taken: k('err.username_taken'),
  duplicate_membership: k('err.duplicate_membership'),
  last_membership: k('err.last_membership'),
  own_account: k('err.own_account'),
  password_change_required: k('err.password_change_required'),
  unit_code_taken: k('err.unit_code_taken'),
  mandatory_report: k('err.mandatory_report'),
  already_linked: k('err.already_linked'),
  too_many_logins: k('err.too_many_logins'),
  login_busy: k('err.busy'),
  too_many_uploads: k('err.busy'),
  cross_site_login: k('err.cross_site_login'),
  too_many_entries: k('err.too_many_entries'),
  too_many_attachments: k('err.too_many_attachments'),
  request_closed: k('err.request_closed'),
  withdrawn: k('err.request_withdrawn'),
  policy_ended: k('err.policy_ended'),
  no_public_security: k('err.no_public_security'),
  no_child: k('fu.err_no_child'),
  not_open: k('err.follow_up_not_open'),
  over_balance: k('err.over_balance'),
  conflict: k('err.conflict'),
  idempotency_key_reused: k('err.idempotency_key_reused'),
  shutting_down: k('err.busy'),
  // the web never sends these; a page out of date with the server might
  malformed_json: k('err.not_understood'),
  invalid_type: k('err.not_understood'),
  unknown_field: k('err.not_understood'),
  method_not_allowed: k('err.not_understood'),
  invalid_csv: k('err.invalid_file'),
}

export function errorText(t, e) {
  if (!e) return ''
  if (e.message && BY_MESSAGE[e.message]) return t(BY_MESSAGE[e.message])
  for (const [re, key] of BY_PATTERN) {
    const m = e.message && re.exec(e.message)
    if (m) return t(key, { n: m[1] })
  }
  if (e.code && BY_CODE[e.code]) return t(BY_CODE[e.code])
  return t('err.generic', { msg: e.message || String(e) })
}

// A reference list's refusal (areas, units, accounts: 422 invalid_csv),
// "row N: reason" from the server (N as a spreadsheet numbers its rows;
// "line N" from a server before that), in the user's language; a reason
// not known here is shown as it is.
const LIST_REASONS = [
  [/^column code: not a/, k('areas.r_code')],
  [/^column code: township number out of range/, k('areas.r_code')],
  [/^column code: area is outside county/, k('areas.r_outside')],
  [/^column code: duplicate in file/, k('areas.r_duplicate')],
  [/^column code: parent area (\d+) is unknown/, k('areas.r_parent')],
  [/^column code: 2 to 31/, k('err.unit_code_invalid')],
  [/^column name: empty/, k('areas.r_name_empty')],
  [/^column name: too long/, k('areas.r_name_long')],
  [/^column kind: too long/, k('areas.r_kind')],
  [/^column kind: a \w+ is one of/, k('areas.r_kind_level')],
  [/^column kind: department, org or school/, k('units.r_kind')],
  [/^column area_code: not an area of this county/, k('err.area_not_in_county')],
  [/^column username: 3 to 63/, k('err.username_invalid')],
  [/^column username: duplicate in file/, k('users.r_username_twice')],
  [/^column username: taken/, k('err.username_taken')],
  [/^column display_name/, k('users.r_display_name')],
  [/^column role/, k('users.r_role')],
  [/^column place: area_code must be an area of this county/, k('err.area_not_in_county')],
  [/^column place: unit_id must be a unit of this county/, k('err.unit_not_in_county')],
  [/^column place: (\S+) is not an? [a-z ]+ code of this county/, k('users.r_place_not_county')],
  [/^column place/, k('err.role_place')],
  [/^too many rows: at most 100 accounts/, k('users.r_too_many')],
  [/^too many rows: at most (\d+)/, k('areas.r_too_many')],
  [/^expected/, k('areas.r_columns')],
  [/^a header names the columns .*; its column \d+, '(.*)', is not one of them$/, k('areas.r_header_column')],
  [/^a header names the columns (.*)$/, k('areas.r_header')],
]

export function listErrorText(t, message) {
  const m = /^(?:row|line) (\d+): (.*)$/.exec(message || '')
  if (!m) return t('areas.bad_file', { reason: message })
  const [, line, reason] = m
  for (const [re, key] of LIST_REASONS) {
    const r = re.exec(reason)
    if (r) return t('areas.bad_line', { line, reason: t(key, { code: r[1] || '' }) })
  }
  return t('areas.bad_line', { line, reason })
}

// After a refused save: the first field of the form (by its class) that
// shows an error gets the focus, once the error is drawn.
export function focusFirstError(form) {
  requestAnimationFrame(() => {
    const el = document.querySelector(
      `${form} .is-error input:not([type=radio]):not([type=checkbox]), ${form} .is-error textarea`,
    )
    if (el) el.focus()
  })
}

// After a refused submit of a page's form: the first field (in the page's
// order) that shows an error is scrolled to (clear of the sticky top bar)
// and gets the focus, once the error is drawn. A field marks its error
// with aria-invalid, Element Plus's .is-error, or a .field-err line under
// it (a group of choices: its first choice gets the focus).
export function revealFirstError(root) {
  requestAnimationFrame(() => {
    const scope = typeof root === 'string' ? document.querySelector(root) : root
    const mark = scope && scope.querySelector('[aria-invalid="true"], .is-error, .field-err')
    if (!mark) return
    let box = mark
    if (mark.classList.contains('field-err')) box = mark.closest('fieldset, .el-form-item') || mark.previousElementSibling || mark
    const field = box.matches('input, textarea, select, button')
      ? box
      : box.querySelector('input:not([type=hidden]), textarea, select, button, [tabindex]:not([tabindex="-1"])')
    ;(box.matches('fieldset, .el-form-item') ? box : field || box).scrollIntoView({ block: 'center' })
    if (field) field.focus({ preventScroll: true })
  })
}
