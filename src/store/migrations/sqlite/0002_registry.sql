-- Weibao schema 0002 (SQLite): the full child record, guardians, categories.
-- The full child record (SPEC §3): household registration, school grade,
-- health and disability, family facts, the assigned child director, risk,
-- notes; guardians with their status; categories as suggestions and
-- confirmations with evidence and dates.
ALTER TABLE children ADD COLUMN hukou_area_code TEXT;
ALTER TABLE children ADD COLUMN hukou_type TEXT CHECK (hukou_type IN ('rural', 'urban'));
ALTER TABLE children ADD COLUMN grade TEXT;
ALTER TABLE children ADD COLUMN disability_grade INTEGER NOT NULL DEFAULT 0 CHECK (disability_grade BETWEEN 0 AND 4);
ALTER TABLE children ADD COLUMN disability_type TEXT;
ALTER TABLE children ADD COLUMN serious_illness TEXT;
ALTER TABLE children ADD COLUMN family_poverty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE children ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE children ADD COLUMN director_id BIGINT REFERENCES users(id);
ALTER TABLE children ADD COLUMN risk_level TEXT NOT NULL DEFAULT 'low' CHECK (risk_level IN ('low', 'medium', 'high'));
ALTER TABLE children ADD COLUMN notes TEXT;
CREATE INDEX children_name ON children (county_code, name);
CREATE INDEX children_director ON children (director_id);

CREATE TABLE guardians (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    relation TEXT NOT NULL CHECK (relation IN ('father', 'mother', 'grandfather', 'grandmother', 'sibling', 'relative', 'other')),
    name TEXT NOT NULL,
    phone_enc TEXT,
    phone_mask TEXT,
    status TEXT NOT NULL,
    status_since TEXT,
    work_place TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX guardians_child ON guardians (child_id);
CREATE INDEX guardians_status ON guardians (county_code, status);

-- state: suggested (derived by the rules, not yet confirmed), confirmed (a
-- person confirmed it with evidence), rejected (a person said no), ended
-- (was confirmed, no longer holds: end_date and end_reason say why).
CREATE TABLE child_categories (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    category TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('suggested', 'confirmed', 'rejected', 'ended')),
    reason TEXT NOT NULL,
    suggested_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    confirmed_by BIGINT,
    evidence_type TEXT,
    evidence_ref TEXT,
    start_date TEXT,
    end_date TEXT,
    end_reason TEXT,
    conflict INTEGER NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX child_categories_child ON child_categories (child_id, category);
CREATE INDEX child_categories_list ON child_categories (county_code, category, state);
CREATE INDEX child_categories_review ON child_categories (county_code, conflict, state);
