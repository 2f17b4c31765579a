-- Weibao schema 0019 (SQLite): the gaps of the entitlements (应享未享, SPEC §6:
-- "a work item for the township") that the daily matching has told the
-- townships of. A gap is a child entitled under a policy in force without
-- an open receipt; each day's matching adds the new ones here, tells each
-- township's station and supervisor how many are new (an inbox message
-- with their number, inbox.items, and a webhook delivery), and drops those
-- closed since (a receipt recorded, the child no longer entitled). Only
-- ids: the names stay in the registry, read through the caller's scope.
CREATE TABLE entitlement_gaps (
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL,
    policy_id BIGINT NOT NULL,
    township_code TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    PRIMARY KEY (county_code, child_id, policy_id)
);
ALTER TABLE inbox ADD COLUMN items BIGINT;
