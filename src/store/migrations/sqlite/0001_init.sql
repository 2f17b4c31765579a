-- Weibao schema 0001 (SQLite): areas, units, accounts, sessions, children, audit.
-- Areas: county (6 digits) > township (9) > village/community (12) > grid (15).
CREATE TABLE areas (
    code TEXT PRIMARY KEY,
    county_code TEXT NOT NULL,
    parent_code TEXT REFERENCES areas(code),
    level TEXT NOT NULL CHECK (level IN ('county', 'township', 'village', 'grid')),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX areas_parent ON areas (parent_code);
CREATE INDEX areas_county ON areas (county_code, code);

-- Departments, social organisations and schools: the units a membership
-- can belong to instead of an area.
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('department', 'org', 'school')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    area_code TEXT REFERENCES areas(code),
    created_at BIGINT NOT NULL,
    UNIQUE (county_code, kind, code)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    locked_at BIGINT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    password_changed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    area_code TEXT REFERENCES areas(code),
    unit_id BIGINT REFERENCES units(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (user_id, at);

-- Only a keyed hash of a session token (and of its CSRF token) is stored.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    csrf_hash TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
    user_id BIGINT NOT NULL REFERENCES users(id),
    membership_id BIGINT NOT NULL REFERENCES memberships(id),
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Children. The resident ID number is stored encrypted (id_enc) with a
-- keyed blind index (id_bidx) for exact lookup and a masked form for lists.
CREATE TABLE children (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    name TEXT NOT NULL,
    id_enc TEXT,
    id_bidx TEXT,
    id_mask TEXT,
    sex TEXT CHECK (sex IN ('M', 'F')),
    birth_date TEXT,
    village_code TEXT NOT NULL REFERENCES areas(code),
    grid_code TEXT REFERENCES areas(code),
    school_id BIGINT REFERENCES units(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL
);
CREATE UNIQUE INDEX children_bidx ON children (county_code, id_bidx);
CREATE INDEX children_village ON children (county_code, village_code, id);
CREATE INDEX children_grid ON children (grid_code);
CREATE INDEX children_school ON children (school_id);

-- Every change of a child's record: who, when, which field, from, to.
-- ID numbers appear here only in masked form.
CREATE TABLE child_changes (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX child_changes_child ON child_changes (child_id, id);

-- Append-only, hash-chained audit log. seq is gap-free and ordered; each
-- row's hash covers its fields and the previous row's hash.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    county_code TEXT NOT NULL,
    at BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT,
    role TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    outcome TEXT NOT NULL,
    client_addr TEXT,
    request_id TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_user ON audit_log (user_id, seq);

-- The head of the chain, so that removing the newest rows is detected too.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Replies remembered for writes sent with an Idempotency-Key.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    county_code TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE settings (
    county_code TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (county_code, name)
);
