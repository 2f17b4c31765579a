-- Weibao schema 0040 (SQLite): a change of a child's risk level made by
-- a visit's assessment, or written back when that visit was voided, names
-- the visit, so that a void can tell the changes of voided visits from
-- edits and from visits that stand (voiding two visits that each assessed
-- the child brings back the level from before both). Filled here for the
-- changes already written: a visit's own change is the one at its time, by
-- its author, to its level; a void's is the one at the void's time, by
-- whoever voided it, from the visit's level.
ALTER TABLE child_changes ADD COLUMN visit_id INTEGER;
UPDATE child_changes SET visit_id = (SELECT MIN(v.id) FROM visits v WHERE v.child_id = child_changes.child_id
    AND v.created_at = child_changes.at AND v.created_by = child_changes.user_id
    AND v.risk_level = child_changes.new_value)
    WHERE field = 'risk_level';
UPDATE child_changes SET visit_id = (SELECT MIN(v.id) FROM visits v WHERE v.child_id = child_changes.child_id
    AND v.voided_at = child_changes.at AND v.voided_by = child_changes.user_id
    AND v.risk_level = child_changes.old_value)
    WHERE field = 'risk_level' AND visit_id IS NULL;
