-- Weibao schema 0042 (PostgreSQL): the village index of children also
-- holds each child's director (INCLUDE director_id), so that the
-- overview's children with a child director can be counted by an
-- index-only scan, as the children themselves since 0039. The key is
-- unchanged (county, village, id).
DROP INDEX children_village;
CREATE INDEX children_village ON children (county_code, village_code, id) INCLUDE (birth_date, archived_at, created_at, director_id);
