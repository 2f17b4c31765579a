-- Weibao schema 0032 (SQLite): the key check value. A keyed hash of a fixed
-- label under a purpose key derived from the master key (never the key
-- itself): every command compares it with the key file it was given before
-- doing anything, so that a database opened with another installation's
-- key is refused instead of filling the audit chain with entries keyed
-- with the wrong key. A database made before this migration gets its value
-- at the first open whose key verifies an entry of its audit chain.
CREATE TABLE key_check (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value TEXT NOT NULL,
    at BIGINT NOT NULL
);
