-- Weibao schema 0008 (SQLite): when each account last logged in, for the
-- administrator's list of accounts (dormant accounts are locked, not kept
-- open). NULL: never since this version.
ALTER TABLE users ADD COLUMN last_login_at BIGINT;
