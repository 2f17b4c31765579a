-- Weibao schema 0019 (SQLite): a masked ID number keeps only its area code
-- (the first 6 digits) and hides the other 12. The earlier form also
-- kept the last 4 (the sequence and check digits); with the birth date,
-- which every role that sees a child sees, those made the whole number
-- (SPEC §9: ID numbers masked unless the role needs them). The stored
-- masks and the masks in the children's change history are masked again.
UPDATE children SET id_mask = substr(id_mask, 1, 6) || '************'
 WHERE id_mask IS NOT NULL AND length(id_mask) = 18;
UPDATE child_changes SET old_value = substr(old_value, 1, 6) || '************'
 WHERE field = 'id_number' AND old_value IS NOT NULL AND length(old_value) = 18;
UPDATE child_changes SET new_value = substr(new_value, 1, 6) || '************'
 WHERE field = 'id_number' AND new_value IS NOT NULL AND length(new_value) = 18;
