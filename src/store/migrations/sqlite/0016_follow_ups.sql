-- Weibao schema 0016 (SQLite): follow-up visits (回访) of help requests
-- (SPEC §4: "follow-up visits can be scheduled"). A follow-up asks for a
-- visit to the request's child by a day; the first visit to the child
-- recorded on or after the day it was scheduled completes it.
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    child_id BIGINT NOT NULL REFERENCES children(id),
    due_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    visit_id BIGINT REFERENCES visits(id),
    done_on TEXT,
    cancelled_at BIGINT,
    cancelled_by BIGINT REFERENCES users(id)
);
CREATE INDEX follow_ups_request ON follow_ups (request_id, id);
-- the open ones, by child (a visit completes them) and by day (the lists)
CREATE INDEX follow_ups_open_child ON follow_ups (child_id) WHERE visit_id IS NULL AND cancelled_at IS NULL;
CREATE INDEX follow_ups_open_due ON follow_ups (county_code, due_on) WHERE visit_id IS NULL AND cancelled_at IS NULL;
