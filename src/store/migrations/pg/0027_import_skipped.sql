-- Weibao schema 0027 (PostgreSQL): an import counts the rows it skipped.
-- A new row for someone 18 or older and past the archive's grace days is
-- not registered (the registry keeps minors, as POST /children refuses
-- them) and is reported as an issue of its own kind, "skipped", which does
-- not make an all-or-nothing import fail.
ALTER TABLE imports ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_issues DROP CONSTRAINT IF EXISTS import_issues_kind_check;
ALTER TABLE import_issues ADD CONSTRAINT import_issues_kind_check CHECK (kind IN ('error', 'conflict', 'skipped'));
