-- Weibao schema 0043 (SQLite): the moves of children (a change of village
-- in their history) by time, so that the monthly report and the trends
-- can count each child in the township it lived in at the month's end:
-- the children moved since a time are read from this index alone, not by
-- a scan of every change.
CREATE INDEX child_changes_moves ON child_changes (county_code, at, child_id) WHERE field = 'village_code';
-- And the children archived or restored since a time (a change of
-- `archived`), whose state at a past month's end is read from their
-- history.
CREATE INDEX child_changes_archives ON child_changes (county_code, at, child_id) WHERE field = 'archived';
