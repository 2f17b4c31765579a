-- Weibao schema 0039 (SQLite): the village index of children also holds
-- each child's birth date, archive time and registration time, so that the
-- counts of children by township or village (the overview, the monthly
-- report, the trends) read the index alone instead of every child's row.
-- The key keeps its order (county, village, id: the registry's pages by
-- area); the columns after the unique id only ride along. No index is
-- added: a registration writes as many index entries as before.
DROP INDEX children_village;
CREATE INDEX children_village ON children (county_code, village_code, id, birth_date, archived_at, created_at);
