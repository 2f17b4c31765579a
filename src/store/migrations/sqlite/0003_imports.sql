-- Weibao schema 0003 (SQLite): imports and their reports.
-- Imports of children's lists: one row per import with its counts, and the
-- report of every row that failed validation or conflicted with the registry.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    file_format TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('all', 'rows')),
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'rejected', 'failed')),
    rows_total INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    conflicts INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX imports_user ON imports (county_code, user_id, id);

CREATE TABLE import_issues (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    import_id BIGINT NOT NULL REFERENCES imports(id),
    row_number INTEGER NOT NULL,
    column_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('error', 'conflict')),
    reason TEXT NOT NULL
);
CREATE INDEX import_issues_import ON import_issues (import_id, id);
