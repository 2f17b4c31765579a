-- Weibao schema 0013 (SQLite): talks (讲, SPEC §5) — the publicity and
-- education sessions that child directors, townships, the centre and
-- schools hold, with their attendance: the third of the directors' duties
-- (report, handle, talk, visit) and a line of the villages' scorecard. No
-- child is named in a talk.
CREATE TABLE talks (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    area_code TEXT NOT NULL REFERENCES areas(code),
    school_id BIGINT REFERENCES units(id),
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('publicity', 'education', 'parent_school', 'training')),
    topic TEXT NOT NULL,
    children INTEGER NOT NULL DEFAULT 0 CHECK (children >= 0),
    adults INTEGER NOT NULL DEFAULT 0 CHECK (adults >= 0),
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX talks_area ON talks (county_code, area_code, held_on);
CREATE INDEX talks_school ON talks (school_id, held_on);
