-- Weibao schema 0024 (SQLite): a gap (应享未享) is the township's work
-- item (SPEC §6); what the township found when it checked one is kept with
-- the day and who: applied and waiting (已申请待审批), the family declined
-- (家庭放弃), received elsewhere (已在他处享受), or another finding. The gap
-- stays a gap until a receipt is recorded or the child is no longer
-- entitled; the gap list shows the newest finding beside it.
CREATE TABLE entitlement_gap_checks (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    policy_id BIGINT NOT NULL REFERENCES policies(id),
    finding TEXT NOT NULL CHECK (finding IN ('applied', 'declined', 'elsewhere', 'other')),
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX entitlement_gap_checks_child ON entitlement_gap_checks (child_id, policy_id, id);
