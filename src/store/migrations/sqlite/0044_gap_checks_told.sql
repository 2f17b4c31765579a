-- Weibao schema 0044 (SQLite): data only. A check of an entitlement gap
-- (entitlement_gap_checks) is read as the check of the gap open now only
-- while the gap's row among those told (entitlement_gaps) dates from before
-- the check; since then a check records its gap there from its own time.
-- Checks made before that rule may be older than their gap's row (checked
-- before the daily matching first told the gap) or have none: each such
-- gap is told from its first check, so every check reads as it did before
-- the upgrade. A row for a gap closed since is dropped by the next daily
-- matching, as any gap found closed.
UPDATE entitlement_gaps SET found_at = (
    SELECT MIN(g.created_at) FROM entitlement_gap_checks g
    WHERE g.county_code = entitlement_gaps.county_code AND g.child_id = entitlement_gaps.child_id
      AND g.policy_id = entitlement_gaps.policy_id)
WHERE EXISTS (
    SELECT 1 FROM entitlement_gap_checks g
    WHERE g.county_code = entitlement_gaps.county_code AND g.child_id = entitlement_gaps.child_id
      AND g.policy_id = entitlement_gaps.policy_id AND g.created_at < entitlement_gaps.found_at);
INSERT INTO entitlement_gaps (county_code, child_id, policy_id, township_code, found_at)
SELECT g.county_code, g.child_id, g.policy_id, substr(c.village_code, 1, 9), MIN(g.created_at)
FROM entitlement_gap_checks g JOIN children c ON c.id = g.child_id
WHERE NOT EXISTS (
    SELECT 1 FROM entitlement_gaps t
    WHERE t.county_code = g.county_code AND t.child_id = g.child_id AND t.policy_id = g.policy_id)
GROUP BY g.county_code, g.child_id, g.policy_id, substr(c.village_code, 1, 9);
