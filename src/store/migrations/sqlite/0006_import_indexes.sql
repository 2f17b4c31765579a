-- Weibao schema 0006 (SQLite): less index work per new child.
-- The name index becomes a WITHOUT ROWID table: its primary key is the
-- table, one B-tree per gram instead of a rowid table and its key index.
-- It loses its foreign key to children: children are never deleted, so the
-- key protected nothing and cost a lookup of the child for every gram
-- written (~650,000 in the 150,000-row demo import). Rebuilt by copy.
CREATE TABLE child_name_grams_0006 (
    county_code TEXT NOT NULL,
    gram TEXT NOT NULL,
    child_id BIGINT NOT NULL,
    PRIMARY KEY (county_code, gram, child_id)
) WITHOUT ROWID;
INSERT INTO child_name_grams_0006 (county_code, gram, child_id)
    SELECT county_code, gram, child_id FROM child_name_grams ORDER BY county_code, gram, child_id;
DROP TABLE child_name_grams;
ALTER TABLE child_name_grams_0006 RENAME TO child_name_grams;
-- No index by child: a rename removes the former name's rows by their key
-- (the former name gives the grams), so the index by child only cost every
-- new gram a second B-tree insert.

-- Most children have no grid, school or director: their indexes hold only
-- the children that do. Every query through them has an equality on the
-- column (scope, filters), which implies IS NOT NULL, so the planner still
-- uses them.
DROP INDEX children_grid;
CREATE INDEX children_grid ON children (grid_code) WHERE grid_code IS NOT NULL;
DROP INDEX children_school;
CREATE INDEX children_school ON children (school_id) WHERE school_id IS NOT NULL;
DROP INDEX children_director;
CREATE INDEX children_director ON children (director_id) WHERE director_id IS NOT NULL;
