-- Weibao schema 0018 (SQLite): the township supervisor's review of each
-- child director (儿童主任考核评价, SPEC §5: townships appoint and assess
-- their directors; the scorecard's figures "plus the supervisor's
-- review"). One review per director and period — a year (YYYY) or a
-- quarter (YYYY-Qn) — kept with the village the director served, changed
-- in place (each change is in the audit log).
CREATE TABLE director_reviews (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    village_code TEXT NOT NULL,
    director_id BIGINT NOT NULL REFERENCES users(id),
    period TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('excellent', 'competent', 'basic', 'incompetent')),
    comment TEXT NOT NULL DEFAULT '',
    reviewer_id BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (county_code, director_id, period)
);
CREATE INDEX director_reviews_village ON director_reviews (county_code, period, village_code);
