-- Weibao schema 0020 (PostgreSQL): a project's money line entered by mistake is
-- corrected (SPEC §9 "support correction") by a reversal (冲正): a line of
-- the same kind and amount that names the line it reverses and counts
-- against it. Nothing is deleted or edited, so the money's history stays
-- whole; a line is reversed at most once, and a reversal is not reversed.
ALTER TABLE project_funds ADD COLUMN reverses BIGINT REFERENCES project_funds(id);
CREATE UNIQUE INDEX project_funds_reverses ON project_funds (reverses) WHERE reverses IS NOT NULL;
