-- Weibao schema 0042 (SQLite): the village index of children also holds
-- each child's director (director_id), so that the overview's children
-- with a child director are counted from the index alone, as the children
-- themselves are since 0039, instead of from every child's row. The key
-- keeps its order (county, village, id); the columns after the unique id
-- only ride along.
DROP INDEX children_village;
CREATE INDEX children_village ON children (county_code, village_code, id, birth_date, archived_at, created_at, director_id);
