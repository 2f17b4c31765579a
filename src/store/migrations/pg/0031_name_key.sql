-- Weibao schema 0031 (PostgreSQL): children's names sort by pinyin.
-- name_key is the name's sort key by ICU's "zh" collator (src/domain/namekey.h),
-- as text whose byte order is the collation's (COLLATE "C": compared byte by
-- byte whatever the database's collation); the registry's sort=name and the
-- export in its order go by (name_key, id). Rows of before get their key when
-- the program starts after migrating (store_name_keys_fill), as do all rows
-- when the collator's version (in settings, county '') changes.
ALTER TABLE children ADD COLUMN name_key TEXT COLLATE "C";
CREATE INDEX children_name_key ON children (county_code, name_key, id);
