-- Weibao schema 0027 (SQLite): an import counts the rows it skipped.
-- A new row for someone 18 or older and past the archive's grace days is
-- not registered (the registry keeps minors, as POST /children refuses
-- them) and is reported as an issue of its own kind, "skipped", which does
-- not make an all-or-nothing import fail. The issues' kind check gains the
-- word: SQLite cannot change a check, so the table is rebuilt by copy.
ALTER TABLE imports ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
CREATE TABLE import_issues_0027 (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    row_number INTEGER NOT NULL,
    column_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('error', 'conflict', 'skipped')),
    reason TEXT NOT NULL
);
INSERT INTO import_issues_0027 (id, county_code, import_id, row_number, column_name, kind, reason)
    SELECT id, county_code, import_id, row_number, column_name, kind, reason FROM import_issues ORDER BY id;
DROP TABLE import_issues;
ALTER TABLE import_issues_0027 RENAME TO import_issues;
CREATE INDEX import_issues_import ON import_issues (import_id, id);
