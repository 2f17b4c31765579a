-- Weibao schema 0037 (SQLite): the unit an attachment's uploader acted
-- for (their session's membership), recorded as a step records it. A file
-- was taken to be the lowest of its uploader's units referred to its
-- request, which for one who works for two of them can be the other one.
-- Filled here by that reading (without a referred one, the uploader's
-- lowest unit, which counts once it is referred).
ALTER TABLE request_attachments ADD COLUMN unit_id BIGINT;
UPDATE request_attachments SET unit_id = COALESCE(
    (SELECT MIN(m.unit_id) FROM memberships m WHERE m.user_id = request_attachments.uploaded_by
        AND m.county_code = request_attachments.county_code
        AND m.unit_id IN (SELECT f.unit_id FROM referrals f WHERE f.request_id = request_attachments.request_id)),
    (SELECT MIN(m.unit_id) FROM memberships m WHERE m.user_id = request_attachments.uploaded_by
        AND m.county_code = request_attachments.county_code));
