// The server's checks of a child's facts (src/domain: the ID number, sex,
// birth date, phone) say the same English sentence whether they refuse a
// form (a 422, lib/errors.js) or a row of an import (an issue's reason,
// lib/issues.js): one table turns them into catalogue keys for both.
import { k } from '../i18n.js'

export const CHILD_FACT_REASONS = {
  'ID number must have 18 characters (or 15 for a legacy number)': k('err.id_length'),
  'ID number must be digits, with X allowed only as the last character': k('err.id_chars'),
  'ID number contains a birth date that does not exist': k('err.id_date'),
  'ID number contains a birth date in the future': k('err.id_future'),
  'ID number contains a birth date before 1900': k('err.id_too_old'),
  'ID number check character is wrong': k('err.id_checksum'),
  'sex does not match the ID number': k('err.sex_mismatch'),
  'birth_date does not match the ID number': k('err.birth_mismatch'),
  'birth_date is in the future': k('err.birth_future'),
  'sex is required when there is no ID number': k('err.required_without_id'),
  'birth_date is required when there is no ID number': k('err.required_without_id'),
  'phone must be digits (mobile or landline with area code)': k('err.phone_invalid'),
}
