-- Weibao schema 0004 (PostgreSQL): n-gram index of children's names.
-- Name search that works for Chinese: every character (unigram) and every
-- pair of adjacent characters (bigram) of a child's name, so a search for
-- one or more characters is an index lookup instead of a scan of every name.
CREATE TABLE child_name_grams (
    county_code TEXT NOT NULL,
    gram TEXT NOT NULL,
    child_id BIGINT NOT NULL REFERENCES children(id),
    PRIMARY KEY (county_code, gram, child_id)
);
CREATE INDEX child_name_grams_child ON child_name_grams (child_id);
