-- Weibao schema 0010 (SQLite): entitlements (应享尽享, SPEC §6).
-- A policy (政策) is paid by a department; its standard and its rule of
-- eligibility live in versions, each in force from the first day of a
-- month until the next one: raising a standard is a new version, never an
-- edit of an old one. A receipt (享受记录) says that a child receives a
-- policy from a month (and, once ended, until a month, with the reason).
-- Who is eligible is computed from the children's facts when asked, so it
-- always follows the registry; gaps, benefits to stop and the monthly
-- ledger come from that and the receipts.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES units(id),
    benefit TEXT NOT NULL CHECK (benefit IN ('monthly_allowance', 'one_off_aid', 'fee_waiver', 'insurance_subsidy', 'in_kind')),
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    UNIQUE (county_code, code)
);
CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    policy_id BIGINT NOT NULL REFERENCES policies(id),
    effective_from TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    rule TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    UNIQUE (policy_id, effective_from)
);
CREATE TABLE benefit_receipts (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    policy_id BIGINT NOT NULL REFERENCES policies(id),
    from_month TEXT NOT NULL,
    to_month TEXT,
    end_reason TEXT,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    ended_at BIGINT,
    ended_by BIGINT REFERENCES users(id)
);
-- a child's receipts; at most one open receipt of a policy per child
CREATE INDEX benefit_receipts_child ON benefit_receipts (child_id, policy_id);
CREATE UNIQUE INDEX benefit_receipts_open ON benefit_receipts (child_id, policy_id) WHERE to_month IS NULL;
-- the ledger of a month and the matching read the receipts of a county
CREATE INDEX benefit_receipts_county ON benefit_receipts (county_code, from_month);
-- the matching reads only the children a rule can pick out when every
-- rule asks for a category, a disability, poverty or an illness: those
-- with a confirmed category (child_categories_list), an open receipt, or
-- one of these facts (this one; few children have them)
CREATE INDEX children_needs ON children (county_code) WHERE disability_grade > 0 OR family_poverty <> 0 OR serious_illness <> '';
