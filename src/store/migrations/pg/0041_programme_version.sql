-- Weibao schema 0041 (PostgreSQL): a programme has a version, as a child's
-- record has, moved on by every edit and every parent's return, so that an
-- edit saved from a stale read (a partner put back from growth to basic,
-- the returnees a concurrent return raised undone) is refused (409) rather
-- than written over what changed meanwhile.
ALTER TABLE programmes ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
