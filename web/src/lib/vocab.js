// The registry's vocabularies (docs/openapi.yaml, src/api/registry.c) and
// the catalogue key of each value. Values are what the API speaks; labels
// come from the catalogues. A value the UI does not know shows as it is.
import { k } from '../i18n.js'

export const GUARDIAN_STATUS = {
  present: k('gstatus.present'),
  working_away: k('gstatus.working_away'),
  deceased: k('gstatus.deceased'),
  missing: k('gstatus.missing'),
  lost_contact: k('gstatus.lost_contact'),
  severe_disability: k('gstatus.severe_disability'),
  serious_illness: k('gstatus.serious_illness'),
  imprisoned: k('gstatus.imprisoned'),
  drug_rehab: k('gstatus.drug_rehab'),
  detained: k('gstatus.detained'),
  guardianship_revoked: k('gstatus.guardianship_revoked'),
  deported: k('gstatus.deported'),
}

// a child's sex (the registry stores M or F)
export const SEX = {
  M: k('child.male'),
  F: k('child.female'),
}

export const RELATION = {
  father: k('relation.father'),
  mother: k('relation.mother'),
  grandfather: k('relation.grandfather'),
  grandmother: k('relation.grandmother'),
  sibling: k('relation.sibling'),
  relative: k('relation.relative'),
  other: k('relation.other'),
}

export const CATEGORY = {
  orphan: k('category.orphan'),
  de_facto_unsupported: k('category.de_facto_unsupported'),
  left_behind: k('category.left_behind'),
  in_difficulty: k('category.in_difficulty'),
}
// the categories as the label of a count ("30 Orphans"; Chinese alike)
export const CATEGORY_N = {
  orphan: k('category_n.orphan'),
  de_facto_unsupported: k('category_n.de_facto_unsupported'),
  left_behind: k('category_n.left_behind'),
  in_difficulty: k('category_n.in_difficulty'),
}

export const CATEGORY_STATE = {
  suggested: k('cstate.suggested'),
  confirmed: k('cstate.confirmed'),
  rejected: k('cstate.rejected'),
  ended: k('cstate.ended'),
  // a suggestion the rules withdrew (by age): in the child's history only
  withdrawn: k('cstate.withdrawn'),
}

// why the rules derived a category, and why one ended
export const CATEGORY_REASON = {
  both_parents_dead_or_missing: k('creason.both_parents_dead_or_missing'),
  both_parents_incapable: k('creason.both_parents_incapable'),
  one_dead_other_incapable: k('creason.one_dead_other_incapable'),
  both_parents_away: k('creason.both_parents_away'),
  one_away_other_incapable: k('creason.one_away_other_incapable'),
  family_poverty: k('creason.family_poverty'),
  own_disability: k('creason.own_disability'),
  own_serious_illness: k('creason.own_serious_illness'),
  guardianship_failure: k('creason.guardianship_failure'),
}

export const END_REASON = {
  turned_16: k('endreason.turned_16'),
  turned_18: k('endreason.turned_18'),
  parent_returned: k('endreason.parent_returned'),
  adopted: k('endreason.adopted'),
  guardian_regained_capacity: k('endreason.guardian_regained_capacity'),
  other: k('endreason.other'),
}
// the end reasons a category may show: those a person chooses, and the
// archive's own (a child archived ends its categories; a restore reopens them)
export const ENDED_BY = { ...END_REASON, archived: k('endreason.archived') }

// Kinds of evidence offered when confirming (the API takes any short text;
// these codes are what the UI stores, shown through the catalogue).
export const EVIDENCE_TYPE = {
  home_visit: k('evidence.home_visit'),
  committee_certificate: k('evidence.committee_certificate'),
  work_certificate: k('evidence.work_certificate'),
  death_certificate: k('evidence.death_certificate'),
  disability_certificate: k('evidence.disability_certificate'),
  medical_certificate: k('evidence.medical_certificate'),
  court_document: k('evidence.court_document'),
  police_certificate: k('evidence.police_certificate'),
  hukou_record: k('evidence.hukou_record'),
  other: k('evidence.other'),
}

export const RISK_LEVEL = {
  low: k('risk.low'),
  medium: k('risk.medium'),
  high: k('risk.high'),
}

// rural / urban household registration: 农业 / 非农业
export const HUKOU_TYPE = {
  rural: k('hukou.rural'),
  urban: k('hukou.urban'),
}

export const DISABILITY_TYPE = {
  visual: k('disability.visual'),
  hearing: k('disability.hearing'),
  speech: k('disability.speech'),
  physical: k('disability.physical'),
  intellectual: k('disability.intellectual'),
  mental: k('disability.mental'),
  multiple: k('disability.multiple'),
}

export const DISABILITY_GRADE = {
  0: k('disability.grade_0'),
  1: k('disability.grade_1'),
  2: k('disability.grade_2'),
  3: k('disability.grade_3'),
  4: k('disability.grade_4'),
}

export const ISSUE_KIND = {
  error: k('import.kind_error'),
  conflict: k('import.kind_conflict'),
  skipped: k('import.kind_skipped'),
}

// label(t, MAP, value): the translated label, or the value itself
export function label(t, map, v) {
  if (v === null || v === undefined || v === '') return ''
  return map[v] ? t(map[v]) : String(v)
}

// [{value, label}] for a select
export function options(t, map) {
  return Object.keys(map).map((v) => ({ value: v, label: t(map[v]) }))
}

// the importer's columns (GET /api/v1/imports/fields)
export const IMPORT_FIELD = {
  name: k('ifield.name'),
  id_number: k('ifield.id_number'),
  sex: k('ifield.sex'),
  birth_date: k('ifield.birth_date'),
  village_code: k('ifield.village_code'),
  grid_code: k('ifield.grid_code'),
  hukou_type: k('ifield.hukou_type'),
  hukou_area_code: k('ifield.hukou_area_code'),
  grade: k('ifield.grade'),
  school_code: k('ifield.school_code'),
  disability_grade: k('ifield.disability_grade'),
  disability_type: k('ifield.disability_type'),
  serious_illness: k('ifield.serious_illness'),
  family_poverty: k('ifield.family_poverty'),
  adopted: k('ifield.adopted'),
  risk_level: k('ifield.risk_level'),
  notes: k('ifield.notes'),
  father_name: k('ifield.father_name'),
  father_status: k('ifield.father_status'),
  father_phone: k('ifield.father_phone'),
  father_work_place: k('ifield.father_work_place'),
  mother_name: k('ifield.mother_name'),
  mother_status: k('ifield.mother_status'),
  mother_phone: k('ifield.mother_phone'),
  mother_work_place: k('ifield.mother_work_place'),
}

export const IMPORT_STATUS = {
  running: k('import.status_running'),
  done: k('import.status_done'),
  rejected: k('import.status_rejected'),
  failed: k('import.status_failed'),
}

// reconciliation groups
export const RECON_GROUP = {
  matched: k('recon.matched'),
  mismatched: k('recon.mismatched'),
  not_in_registry: k('recon.not_in_registry'),
  not_in_list: k('recon.not_in_list'),
}

// visits (走访): how the child was seen, the risk flags a visit raises, and
// where a child's visit plan stands
export const VISIT_KIND = {
  home: k('visit.kind_home'),
  school: k('visit.kind_school'),
  phone: k('visit.kind_phone'),
}

export const VISIT_FLAG = {
  safety: k('visit.flag_safety'),
  health: k('visit.flag_health'),
  schooling: k('visit.flag_schooling'),
  guardianship: k('visit.flag_guardianship'),
  psychological: k('visit.flag_psychological'),
  living: k('visit.flag_living'),
}

export const VISIT_STATE = {
  never: k('visit.state_never'),
  overdue: k('visit.state_overdue'),
  due_soon: k('visit.state_due_soon'),
  ok: k('visit.state_ok'),
  no_plan: k('visit.state_no_plan'),
}
