-- Weibao schema 0035 (PostgreSQL): the township of the hope rooms and 1 + N
-- plans saved before one was required. A township sees the projects of its
-- area (and those serving a child living there) and adds the child, so one
-- without an area stayed out of every township's sight until the centre set
-- it. Filled where it follows unambiguously, as a county would say it:
--   1. the township where every child the project serves (or served) lives,
--      when that is one township: the child is where a hope room is built;
--   2. for a project that has no child yet, the township of the
--      organisation running it, when the organisation is registered at a
--      township or a village (one at the county says nothing about where).
-- Any other stays without; the centre finds them by GET
-- /api/v1/projects?area=none (area_missing on each) and sets the township.
UPDATE projects SET area_code = (
        SELECT MIN(substr(c.village_code, 1, 9)) FROM project_children pc JOIN children c ON c.id = pc.child_id
        WHERE pc.project_id = projects.id)
    WHERE area_code IS NULL AND kind IN ('hope_room', 'one_plus_n')
    AND (SELECT COUNT(DISTINCT substr(c.village_code, 1, 9)) FROM project_children pc
         JOIN children c ON c.id = pc.child_id WHERE pc.project_id = projects.id) = 1
    AND EXISTS (SELECT 1 FROM project_children pc JOIN children c ON c.id = pc.child_id
                JOIN areas a ON a.code = substr(c.village_code, 1, 9)
                WHERE pc.project_id = projects.id AND a.county_code = projects.county_code);
UPDATE projects SET area_code = (SELECT substr(u.area_code, 1, 9) FROM units u WHERE u.id = projects.org_id)
    WHERE area_code IS NULL AND kind IN ('hope_room', 'one_plus_n')
    AND NOT EXISTS (SELECT 1 FROM project_children pc WHERE pc.project_id = projects.id)
    AND EXISTS (SELECT 1 FROM units u JOIN areas a ON a.code = substr(u.area_code, 1, 9)
                WHERE u.id = projects.org_id AND length(u.area_code) >= 9
                AND a.county_code = projects.county_code);
