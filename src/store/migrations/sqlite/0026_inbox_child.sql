-- Weibao schema 0026 (SQLite): an inbox message may be about a child (a
-- visit that found a problem tells the township's station and supervisor,
-- who open the child's file from the message).
ALTER TABLE inbox ADD COLUMN child_id BIGINT;
