-- Weibao schema 0039 (PostgreSQL): the village index of children also
-- holds each child's birth date, archive time and registration time
-- (INCLUDE), so that the counts of children by township or village (the
-- overview, the monthly report, the trends) can be index-only scans. The
-- key is unchanged (county, village, id: the registry's pages by area).
DROP INDEX children_village;
CREATE INDEX children_village ON children (county_code, village_code, id) INCLUDE (birth_date, archived_at, created_at);
