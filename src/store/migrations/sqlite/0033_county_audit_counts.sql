-- Weibao schema 0033 (SQLite): the number of audit entries of each county,
-- kept by the audit writer in the transaction that appends them, so that
-- the system status reads a county's count in one row instead of counting
-- a log of millions of entries on every call. Filled here from the log.
CREATE TABLE county_audit_counts (
    county_code TEXT PRIMARY KEY,
    entries BIGINT NOT NULL
);
INSERT INTO county_audit_counts (county_code, entries)
    SELECT county_code, COUNT(*) FROM audit_log GROUP BY county_code;
