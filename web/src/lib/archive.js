// The archive (档案, SPEC §9): why a child left active work, the limits of
// the centre's periods and of a note — the server's rules
// (src/api/archive.c), checked here first.
import { k } from '../i18n.js'

// why a child is archived; "adult" only at 18 or more (the daily job also
// archives a grown-up after the grace days)
export const ARCHIVE_REASON = {
  adult: k('archive.reason_adult'),
  moved_away: k('archive.reason_moved_away'),
  deceased: k('archive.reason_deceased'),
  duplicate: k('archive.reason_duplicate'),
  other: k('archive.reason_other'),
}

export const NOTE_MAX = 200
// the archive's search by a part of the name
export const NAME_SEARCH_MAX = 30
export const GRACE_MAX = 3650
export const YEARS_MIN = 1
export const YEARS_MAX = 100
// full years (周岁) from which a child may be archived as grown up, and
// from which it stays in the archive
export const ADULT_AGE = 18
