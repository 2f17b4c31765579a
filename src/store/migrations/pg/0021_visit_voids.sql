-- Weibao schema 0021 (PostgreSQL): a visit recorded by mistake (the wrong
-- child, a duplicate, a day that was not) is voided (作废) with the reason
-- (SPEC §9 "support correction"): it stays in the child's list, marked,
-- and no longer counts for the plan, the scorecard, the reports or the
-- follow-ups it had completed. Nothing is deleted.
ALTER TABLE visits ADD COLUMN voided_at BIGINT;
ALTER TABLE visits ADD COLUMN voided_by BIGINT REFERENCES users(id);
ALTER TABLE visits ADD COLUMN void_reason TEXT;
