-- Weibao schema 0011 (SQLite): charity projects (社会参与, SPEC §7).
-- An organisation's project (项目): a hope room (希望小屋) built for one child,
-- a "1 + N" plan pairing one child with N services, a service programme or
-- a fundraising drive; its status (planned → active → done, or
-- cancelled) with a log of each change; the children it serves (with the
-- services for each); and its money: donations in, spending out.
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL CHECK (kind IN ('hope_room', 'one_plus_n', 'service', 'fundraising')),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('planned', 'active', 'done', 'cancelled')),
    budget_cents BIGINT NOT NULL DEFAULT 0 CHECK (budget_cents >= 0),
    donor TEXT NOT NULL DEFAULT '',
    area_code TEXT REFERENCES areas(code),
    started_on TEXT,
    finished_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX projects_county ON projects (county_code, status);
CREATE INDEX projects_org ON projects (org_id);
CREATE TABLE project_children (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    child_id BIGINT NOT NULL REFERENCES children(id),
    services TEXT NOT NULL DEFAULT '',
    added_at BIGINT NOT NULL,
    added_by BIGINT NOT NULL REFERENCES users(id),
    removed_at BIGINT,
    removed_by BIGINT REFERENCES users(id),
    removed_reason TEXT
);
CREATE INDEX project_children_project ON project_children (project_id);
CREATE INDEX project_children_child ON project_children (child_id);
CREATE UNIQUE INDEX project_children_active ON project_children (project_id, child_id) WHERE removed_at IS NULL;
CREATE TABLE project_funds (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL CHECK (kind IN ('donation', 'spending')),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    on_date TEXT NOT NULL,
    party TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX project_funds_project ON project_funds (project_id, on_date);
CREATE TABLE project_log (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects(id),
    at BIGINT NOT NULL,
    by_user BIGINT NOT NULL REFERENCES users(id),
    status_from TEXT,
    status_to TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX project_log_project ON project_log (project_id, at);
