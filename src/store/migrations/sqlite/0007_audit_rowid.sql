-- Weibao schema 0007 (SQLite): the audit log keyed by its rowid.
-- "seq BIGINT PRIMARY KEY" made seq a separate unique index beside the
-- table's hidden rowid: every entry was written to one more B-tree, and
-- every index held the rowid, not seq. "seq INTEGER PRIMARY KEY" makes seq
-- the rowid itself: one B-tree less per entry, and the indexes by object and
-- by user end in seq, so the auditor's newest-first list of one object's or
-- one user's entries reads its index backwards instead of sorting.
-- The index by object now starts with the object's id: the auditor's screen
-- looks a record up by its id alone, which an index starting with the type
-- could not seek (it scanned the whole log). A new index by action holds
-- every entry but the reads of a child's file: "every export", "every
-- failed login" no longer scan years of log, while the reads, most of the
-- log and most of its writes, cost no extra B-tree (with them in it: 5-10 %
-- fewer reads/s). Listing the reads by action alone needs no index: they
-- are dense, the newest page is found at once. Rebuilt by copy, in seq
-- order; the entries and their hashes are unchanged.
CREATE TABLE audit_log_0007 (
    seq INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    at BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT,
    role TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    outcome TEXT NOT NULL,
    client_addr TEXT,
    request_id TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_log_0007 (seq, county_code, at, user_id, username, role, action, object_type, object_id,
                            outcome, client_addr, request_id, detail, prev_hash, hash)
    SELECT seq, county_code, at, user_id, username, role, action, object_type, object_id,
           outcome, client_addr, request_id, detail, prev_hash, hash
    FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_0007 RENAME TO audit_log;
CREATE INDEX audit_log_object ON audit_log (object_id, object_type);
CREATE INDEX audit_log_user ON audit_log (user_id);
CREATE INDEX audit_log_action ON audit_log (action) WHERE action <> 'child.read';
