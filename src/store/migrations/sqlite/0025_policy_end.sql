-- Weibao schema 0025 (SQLite): a policy stops (停止执行) from a month, as
-- its last version: a version that ends it, with the reason as its note
-- (SPEC §6: a change of a policy is a new version from a date, never an
-- edit of history). From that month the policy pays nothing and entitles
-- nobody; the children still receiving it are to stop. An end not yet in
-- force is withdrawn like any such version.
ALTER TABLE policy_versions ADD COLUMN ends INTEGER NOT NULL DEFAULT 0;
