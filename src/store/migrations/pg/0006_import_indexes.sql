-- Weibao schema 0006 (PostgreSQL): less index work per new child.
-- The name index loses its foreign key to children: children are never
-- deleted, so the key protected nothing and cost a trigger and a lookup of
-- the child for every gram written (~650,000 in the 150,000-row demo
-- import). (SQLite also makes the table WITHOUT ROWID; PostgreSQL tables
-- are heaps either way.)
ALTER TABLE child_name_grams DROP CONSTRAINT IF EXISTS child_name_grams_child_id_fkey;
-- No index by child: a rename removes the former name's rows by their key
-- (the former name gives the grams).
DROP INDEX IF EXISTS child_name_grams_child;

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
