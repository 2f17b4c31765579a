-- Weibao schema 0007 (PostgreSQL): the audit index by object ends in seq.
-- The auditor lists an object's entries newest first (ORDER BY seq DESC
-- LIMIT n); with seq in the index that is a backward index scan that stops
-- after n rows, not a sort of every entry of the object. (SQLite's 0007
-- makes seq the table's rowid, which its indexes end in already.)
DROP INDEX audit_log_object;
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);
