// The reasons of an import's issues come from the server as English
// sentences (src/api/import.c); the known ones are shown from the catalogue,
// anything else as it is.
import { k } from '../i18n.js'
import { CHILD_FACT_REASONS } from './reasons.js'
import { CATEGORY, GUARDIAN_STATUS, HUKOU_TYPE, IMPORT_FIELD, RELATION, RISK_LEVEL, SEX, label } from './vocab.js'

const EXACT = {
  ...CHILD_FACT_REASONS,
  'a guardian needs a status': k('issue.guardian_status_missing'),
  'name contains control or invisible characters or surrounding spaces': k('issue.name_invalid'),
  'name contains control characters, surrounding spaces or is too long': k('issue.name_invalid'),
  'name is empty': k('issue.name_empty'),
  'the ID number is masked; import from a file with whole numbers': k('issue.id_masked'),
  'not the code of a village or community of this county': k('issue.village_unknown'),
  'the village is outside your area': k('err.outside_scope'),
  "not a grid of the child's village": k('err.grid_invalid'),
  "the child's place is outside your area": k('err.outside_scope'),
  'the grid is outside your area': k('issue.grid_outside'),
  'contains control characters': k('issue.control_chars'),
  'must be a 6, 9 or 12-digit area code': k('err.hukou_area_invalid'),
  'grade is too long': k('err.too_long'),
  'no school with this code in the county': k('issue.school_unknown'),
  'disability grade must be 0 to 4': k('issue.disability_grade_invalid'),
  'the ID number was stored as a number in the spreadsheet and lost digits; format the column as text':
    k('issue.id_stored_as_number'),
  'disability type is too long': k('err.too_long'),
  'too long': k('err.too_long'),
  'notes are too long': k('err.too_long'),
  'this child is registered in a village outside your area': k('issue.child_outside'),
  'conflicts with another record (duplicate ID number)': k('err.duplicate_id_number'),
  "the registry has another school; kept the registry's": k('issue.school_conflict'),
  'the file needs an ID number column, or sex and birth date columns': k('issue.no_id_columns'),
  'the import does not know this column; its cells were not read': k('issue.column_ignored'),
  "18 or older and past the archive's grace days: not registered": k('issue.adult_skipped'),
  "this child's record is archived: the township station or the centre must restore it before an import can change it":
    k('issue.child_archived'),
}

// a yes-or-no fact's values as a conflict names them
const YES_NO = { yes: k('common.yes'), no: k('common.no') }

// coded values a conflict names by their field (the code shown as its word)
const CODED = {
  'household registration': [k('issue.field_hukou_type'), HUKOU_TYPE],
  'risk level': [k('issue.field_risk_level'), RISK_LEVEL],
  'family poverty': [k('issue.field_family_poverty'), YES_NO],
  adopted: [k('issue.field_adopted'), YES_NO],
}

// messages that quote the accepted words (matched by their English start)
const PREFIX = [
  ['status is not in the guardian status vocabulary', k('issue.guardian_status_unknown')],
  ['sex must be ', k('issue.sex_invalid')],
  ['disability grade must be ', k('issue.disability_grade_invalid')], // the forms it may be written in follow
  ['birth_date must be a real date', k('issue.birth_invalid')], // the forms it may be written in follow
  ['household registration must be ', k('issue.hukou_type_invalid')],
  ['risk level must be ', k('issue.risk_invalid')],
  ['the file has no name column', k('issue.no_name_column')],
  ['the file has no village code column', k('issue.no_village_column')],
]

export function issueText(t, reason) {
  if (!reason) return ''
  if (EXACT[reason]) return t(EXACT[reason])
  // a missing column's error that names the file's unknown columns too
  let u = reason.match(/^(.*); the file has (?:a column|columns) the import does not know, (.*): is it meant to be (.*)\?$/)
  if (u) return t('issue.unknown_column_hint', { base: issueText(t, u[1]), columns: u[2], header: u[3] })
  for (const [start, key] of PREFIX) if (reason.startsWith(start)) return t(key)
  if (/^must be \S+ or \S+$/.test(reason)) return t('issue.yes_no')
  let m = reason.match(/^the registry has (\w+) status '(\w+)', the file has '(\w+)'; kept the registry's$/)
  if (m)
    return t('issue.guardian_conflict', {
      relation: label(t, RELATION, m[1]),
      registry: label(t, GUARDIAN_STATUS, m[2]),
      file: label(t, GUARDIAN_STATUS, m[3]),
    })
  m = reason.match(/^the registry has (household registration|risk level|family poverty|adopted) '(\w+)', the file has '(\w+)'; kept the registry's$/)
  if (m) {
    const [field, words] = CODED[m[1]]
    return t('issue.coded_conflict', { field: t(field), registry: label(t, words, m[2]), file: label(t, words, m[3]) })
  }
  m = reason.match(/^the registry has '(.*)', the file has '(.*)'; kept the registry's$/)
  if (m) return t('issue.value_conflict', { registry: m[1], file: m[2] })
  m = reason.match(/^the registry has (-?\d+), the file has (-?\d+); kept the registry's$/)
  if (m) return t('issue.value_conflict', { registry: m[1], file: m[2] })
  m = reason.match(/^too long: at most (\d+) bytes \((\d+) Chinese characters\)$/)
  if (m) return t('issue.too_long', { max: m[1], chars: m[2] })
  m = reason.match(/^ambiguous: (\d+) children of this name, birth date and village; give the ID number$/)
  if (m) return t('issue.ambiguous', { n: m[1] })
  m = reason.match(/^ambiguous: (\d+) children without an ID number have this name, birth date and village; add the number on the right child's page$/)
  if (m) return t('issue.ambiguous_no_id', { n: m[1] })
  m = reason.match(/^the same ID number is already on row (\d+) of this file$/)
  if (m) return t('issue.duplicate_in_file', { row: m[1] })
  m = reason.match(/^two columns map to (\w+)$/)
  if (m) return t('issue.two_columns', { field: label(t, IMPORT_FIELD, m[1]) })
  m = reason.match(/^mapping names an unknown field '(.*)'$/)
  if (m) return t('issue.unknown_field', { field: m[1] })
  return reason
}

// what differs, as the server names it
const WHAT = { name: k('child.name'), 'birth date': k('child.birth_date'), village: k('child.village'), sex: k('child.sex') }

// The detail of a reconciliation row (src/api/recon.c), likewise.
export function reconDetail(t, s) {
  if (!s) return ''
  if (s === 'the ID number on the list is not valid') return t('recon.d_invalid_id')
  if (s === 'no such child in the registry (in your area)') return t('recon.d_not_found')
  if (s === 'the ID number on the list is masked: give whole numbers') return t('recon.d_masked')
  if (s === 'more than one child of this name and birth date: give the ID number') return t('recon.d_ambiguous')
  let m = s.match(/^in the registry as (\w+), not on the list$/)
  if (m) return t('recon.d_not_on_list', { category: label(t, CATEGORY, m[1]) })
  m = s.match(/^on the list again \(first on row (\d+)\)$/)
  if (m) return t('recon.d_again', { row: m[1] })
  const parts = s.split('; ').filter(Boolean)
  const out = []
  for (const p of parts) {
    if (p === 'not confirmed in this category in the registry') {
      out.push(t('recon.d_not_in_category'))
      continue
    }
    m = p.match(/^(name|birth date|village|sex): registry (.*), list (.*)$/)
    if (!m) return s
    const [registry, list] = m[1] === 'sex' ? [label(t, SEX, m[2]), label(t, SEX, m[3])] : [m[2], m[3]]
    out.push(t('recon.d_differs', { what: t(WHAT[m[1]]), registry, list }))
  }
  return out.join(t('history.guardian_sep'))
}
