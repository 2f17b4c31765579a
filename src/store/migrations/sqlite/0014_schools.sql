-- Weibao schema 0014 (SQLite): schools (SPEC §5) — each school's
-- children's activity station (儿童之家/活动站) and counselling room
-- (心理辅导室), the counselling sessions it logs, and the volunteer caring
-- mothers (爱心妈妈) paired with children.
CREATE TABLE school_rooms (
    school_id INTEGER PRIMARY KEY REFERENCES units(id),
    county_code TEXT NOT NULL,
    activity_station INTEGER NOT NULL DEFAULT 0 CHECK (activity_station IN (0, 1)),
    counselling_room INTEGER NOT NULL DEFAULT 0 CHECK (counselling_room IN (0, 1)),
    counsellors INTEGER NOT NULL DEFAULT 0 CHECK (counsellors >= 0),
    opened_on TEXT,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users(id)
);

-- A session with one pupil (individual: child_id set) or a group (pupils
-- counted, nobody named). The notes are encrypted: only the school reads
-- them.
CREATE TABLE counselling_sessions (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    school_id BIGINT NOT NULL REFERENCES units(id),
    child_id BIGINT REFERENCES children(id),
    held_on TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('individual', 'group')),
    topic TEXT NOT NULL CHECK (topic IN ('emotion', 'study', 'family', 'peers', 'bullying', 'safety', 'other')),
    pupils INTEGER NOT NULL CHECK (pupils >= 1),
    concern TEXT NOT NULL CHECK (concern IN ('none', 'watch', 'refer')),
    notes_enc TEXT,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX counselling_school ON counselling_sessions (school_id, held_on);
CREATE INDEX counselling_county ON counselling_sessions (county_code, held_on);
CREATE INDEX counselling_child ON counselling_sessions (child_id) WHERE child_id IS NOT NULL;

CREATE TABLE caring_mothers (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    area_code TEXT NOT NULL REFERENCES areas(code),
    school_id BIGINT REFERENCES units(id),
    name TEXT NOT NULL,
    phone_enc TEXT,
    phone_mask TEXT,
    joined_on TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX caring_mothers_area ON caring_mothers (county_code, area_code);
CREATE INDEX caring_mothers_school ON caring_mothers (school_id) WHERE school_id IS NOT NULL;

-- A pairing of a caring mother with a child; open while ended_on is NULL.
-- A child has at most one open pairing.
CREATE TABLE caring_pairs (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    mother_id BIGINT NOT NULL REFERENCES caring_mothers(id),
    child_id BIGINT NOT NULL REFERENCES children(id),
    started_on TEXT NOT NULL,
    ended_on TEXT,
    end_note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    ended_by BIGINT REFERENCES users(id)
);
CREATE UNIQUE INDEX caring_pairs_open ON caring_pairs (child_id) WHERE ended_on IS NULL;
CREATE INDEX caring_pairs_mother ON caring_pairs (mother_id, started_on);
CREATE INDEX caring_pairs_child ON caring_pairs (child_id, started_on);

-- The schools' list counts each school's pupils in active work: with the
-- archive beside the school in the index, the count reads the index alone.
DROP INDEX children_school;
CREATE INDEX children_school ON children (school_id, archived_at) WHERE school_id IS NOT NULL;
