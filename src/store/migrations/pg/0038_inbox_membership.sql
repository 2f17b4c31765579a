-- Weibao schema 0038 (PostgreSQL): the membership an inbox message was
-- addressed to (the role at an area, or the unit, whose audience it
-- reached). The inbox is a person's: one who holds two memberships gets
-- the messages of both, and the page offers to act in the one a message is
-- for (a request is read under the session's membership). Earlier
-- messages, and a filer's own, name none.
ALTER TABLE inbox ADD COLUMN membership_id BIGINT;
