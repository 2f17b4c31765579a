-- Weibao schema 0015 (SQLite): supporting programmes (SPEC §7) —
-- returning-entrepreneur projects (返乡创业) and rural-revitalisation
-- partners (乡村振兴合伙人, basic → growth → core) that change children's
-- situation: a parent who comes home to work in one is recorded as a
-- return, which makes the parent present and ends the child's left-behind
-- category with that reason.
CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    area_code TEXT NOT NULL REFERENCES areas(code),
    kind TEXT NOT NULL CHECK (kind IN ('returning_entrepreneur', 'revitalisation_partner')),
    name TEXT NOT NULL,
    holder TEXT NOT NULL,
    industry TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT 'basic' CHECK (level IN ('basic', 'growth', 'core')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    started_on TEXT NOT NULL,
    jobs INTEGER NOT NULL DEFAULT 0 CHECK (jobs >= 0),
    returnees INTEGER NOT NULL DEFAULT 0 CHECK (returnees >= 0),
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX programmes_area ON programmes (county_code, area_code);

-- A parent of a registered child who came home to work in a programme.
CREATE TABLE programme_returns (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES programmes(id),
    child_id BIGINT NOT NULL REFERENCES children(id),
    relation TEXT NOT NULL CHECK (relation IN ('father', 'mother')),
    returned_on TEXT NOT NULL,
    left_behind_ended INTEGER NOT NULL DEFAULT 0 CHECK (left_behind_ended IN (0, 1)),
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX programme_returns_programme ON programme_returns (programme_id, id);
CREATE INDEX programme_returns_child ON programme_returns (child_id);

-- Every move of a programme's level or status.
CREATE TABLE programme_log (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES programmes(id),
    at BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    field TEXT NOT NULL CHECK (field IN ('level', 'status')),
    old_value TEXT,
    new_value TEXT NOT NULL
);
CREATE INDEX programme_log_programme ON programme_log (programme_id, id);
