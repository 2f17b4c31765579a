-- Weibao schema 0007 (PostgreSQL): the audit index by object starts with
-- the object's id and ends in seq. The auditor's screen looks a record up
-- by its id alone, which an index starting with the type could not seek;
-- and one object's entries newest first (ORDER BY seq DESC LIMIT n), with
-- the type given, are a backward index scan that stops after n rows, not a
-- sort of every entry of the object. (SQLite's 0007 also makes seq the
-- table's rowid, which its indexes end in already.)
-- A new index by action holds every entry but the reads of a child's file
-- (see the SQLite file): "every export" without scanning the log, and no
-- extra index work for the most frequent entry.
DROP INDEX audit_log_object;
CREATE INDEX audit_log_object ON audit_log (object_id, object_type, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq) WHERE action <> 'child.read';
