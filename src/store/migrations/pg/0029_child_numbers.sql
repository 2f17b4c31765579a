-- Weibao schema 0029 (PostgreSQL): children's record numbers without gaps.
-- A child's id is its record number (编号). It is taken from this counter,
-- in the registration's transaction, so that a registration refused inside
-- the write (a duplicate ID number, a possible duplicate, or the writer's
-- batch run again because of one) takes no number: a sequence's number is
-- gone even when the transaction rolls back, and staff read the gap as a
-- deleted record. One row; its update also queues concurrent writers (a
-- `weibao import` beside the server) in one order.
CREATE TABLE child_numbers (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO child_numbers (id, last) SELECT 1, COALESCE(MAX(id), 0) FROM children;
-- No number from the sequence any more: an INSERT without the counter's
-- id fails at once instead of taking a number the counter gives later.
ALTER TABLE children ALTER COLUMN id DROP IDENTITY IF EXISTS;
