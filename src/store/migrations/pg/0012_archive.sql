-- Weibao schema 0012 (PostgreSQL): archiving and retention (SPEC §9). A child
-- who turned 18 (after a grace period) or who left the county's work for
-- another reason (moved away, deceased, a duplicate record) is archived:
-- out of every list, plan, matching and count of active work, readable by
-- the centre and townships, restorable. After the configured retention an
-- archived record's personal data is erased (erased_at); the row, its
-- figures and the audit log stay.
ALTER TABLE children ADD COLUMN archived_at BIGINT;
ALTER TABLE children ADD COLUMN archive_reason TEXT CHECK (archive_reason IN ('adult', 'moved_away', 'deceased', 'duplicate', 'other'));
ALTER TABLE children ADD COLUMN archive_note TEXT;
ALTER TABLE children ADD COLUMN erased_at BIGINT;
CREATE INDEX children_archived ON children (county_code, archived_at) WHERE archived_at IS NOT NULL;
