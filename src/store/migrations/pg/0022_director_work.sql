-- Weibao schema 0022 (PostgreSQL): the scorecard assesses each child
-- director (SPEC §5: visits done, requests filed), so a village with two
-- or three directors tells them apart: the visits a person recorded, by
-- day, are found by an index (the requests a person filed have theirs,
-- help_requests_reporter, since 0005).
CREATE INDEX visits_by ON visits (created_by, visited_on);
