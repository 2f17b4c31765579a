-- Weibao schema 0036 (PostgreSQL): the family's rating on the step that
-- delivered the result (deliver_feedback), so that the rating of every
-- delivery stays in the request's timeline when a reopen asks for the
-- feedback again. Filled here from the requests whose current feedback is
-- that step's.
ALTER TABLE request_steps ADD COLUMN rating TEXT;
UPDATE request_steps SET rating = (SELECT q.feedback_rating FROM help_requests q WHERE q.id = request_steps.request_id
    AND q.feedback_at = request_steps.at)
    WHERE action = 'deliver_feedback';
