-- Weibao schema 0017 (SQLite): an open follow-up visit (回访) past its day
-- alerts the village's child director and the township's supervisor, once
-- and then again after the county's repeat interval, like a late step of
-- the closed loop. alerted_at is the last alert, alerts how many were sent.
ALTER TABLE follow_ups ADD COLUMN alerted_at BIGINT;
ALTER TABLE follow_ups ADD COLUMN alerts INTEGER NOT NULL DEFAULT 0;
