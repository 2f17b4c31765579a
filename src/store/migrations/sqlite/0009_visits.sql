-- Weibao schema 0009 (SQLite): visits (走访, SPEC §5). A child director,
-- grid worker, township or centre staff member records a home, school or
-- phone visit of a child with what they found, the risk flags they raise
-- and, if they assessed it, the child's risk level (which then changes on
-- the child, with its history). The visit plan is computed from the
-- children's risk and confirmed categories and the newest visit of each.
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    kind TEXT NOT NULL CHECK (kind IN ('home', 'school', 'phone')),
    visited_on TEXT NOT NULL,
    findings TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '',
    risk_level TEXT CHECK (risk_level IN ('low', 'medium', 'high')),
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
-- a child's visits, newest first, and the newest one's day for the plan
CREATE INDEX visits_child ON visits (child_id, visited_on);
-- the plan starts from the children it covers: those with a confirmed
-- category (child_categories_list) and those of raised risk (this one)
CREATE INDEX children_risk ON children (county_code, risk_level) WHERE risk_level <> 'low';
-- Answers kept for an Idempotency-Key replay are now encrypted and kept a
-- day: the plain ones kept before go, and the age has an index to expire by.
DELETE FROM idempotency_keys;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
