-- Weibao schema 0005 (SQLite): the closed loop (SPEC §4).
-- Help requests (求助/个案) with their state, the step now held and its
-- deadline; referrals to departments and organisations (which also grant
-- the unit access to the child while active); every step as a row of the
-- timeline; attachments (bytes on disk, named by SHA-256); deadline alerts
-- (one row per breach, so a breach alerts once and then on the repeat);
-- the per-user inbox; outgoing webhooks with their delivery queue and log.
CREATE TABLE help_requests (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    township_code TEXT NOT NULL,
    village_code TEXT NOT NULL REFERENCES areas(code),
    grid_code TEXT,
    child_id BIGINT REFERENCES children(id),
    child_desc TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('medical', 'schooling', 'living_hardship', 'guardianship',
        'abuse_violence', 'bullying', 'psychological', 'legal', 'other')),
    urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    narrative TEXT NOT NULL,
    mandatory INTEGER NOT NULL DEFAULT 0,
    priority INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    state_since BIGINT NOT NULL,
    step_due_at BIGINT,
    handled_by TEXT NOT NULL CHECK (handled_by IN ('township', 'centre')),
    reporter_id BIGINT NOT NULL REFERENCES users(id),
    reporter_role TEXT NOT NULL,
    reporter_unit_id BIGINT,
    result TEXT,
    feedback TEXT,
    feedback_rating TEXT,
    feedback_at BIGINT,
    withdraw_reason TEXT,
    police_due_at BIGINT,
    police_feedback TEXT,
    police_feedback_at BIGINT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX help_requests_township ON help_requests (county_code, township_code, id);
CREATE INDEX help_requests_village ON help_requests (county_code, village_code, id);
CREATE INDEX help_requests_grid ON help_requests (grid_code, id);
CREATE INDEX help_requests_reporter ON help_requests (reporter_id, id);
CREATE INDEX help_requests_unit ON help_requests (reporter_unit_id, id);
CREATE INDEX help_requests_child ON help_requests (child_id);
CREATE INDEX help_requests_due ON help_requests (step_due_at) WHERE step_due_at IS NOT NULL;
CREATE INDEX help_requests_police_due ON help_requests (police_due_at)
    WHERE police_due_at IS NOT NULL AND police_feedback_at IS NULL;

-- child_id is copied from the request so that the access grant of an
-- active referral is one indexed lookup.
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    child_id BIGINT REFERENCES children(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    ask TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '',
    due_at BIGINT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'done', 'cancelled')),
    state_since BIGINT NOT NULL,
    step_due_at BIGINT,
    decline_reason TEXT,
    result TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX referrals_request ON referrals (request_id, id);
CREATE INDEX referrals_unit ON referrals (county_code, unit_id, id);
CREATE INDEX referrals_grant ON referrals (unit_id, child_id) WHERE state IN ('pending', 'accepted');
CREATE INDEX referrals_due ON referrals (step_due_at) WHERE step_due_at IS NOT NULL;

-- One row per step: the stage it ended (from_state, when it started, when
-- it was due) and what followed. Referral steps carry referral_id/unit_id.
CREATE TABLE request_steps (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    township_code TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    referral_id BIGINT REFERENCES referrals(id),
    unit_id BIGINT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_id BIGINT,
    actor_role TEXT,
    stage_started_at BIGINT,
    stage_due_at BIGINT,
    at BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX request_steps_request ON request_steps (request_id, id);
CREATE INDEX request_steps_metrics ON request_steps (county_code, at);

CREATE TABLE request_attachments (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES help_requests(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT,
    uploaded_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX request_attachments_request ON request_attachments (request_id, id);

-- A breach is one step instance (request, referral or 0, stage, since).
CREATE TABLE deadline_alerts (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    request_id BIGINT NOT NULL,
    referral_id BIGINT NOT NULL DEFAULT 0,
    stage TEXT NOT NULL,
    stage_since BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    first_raised_at BIGINT NOT NULL,
    last_raised_at BIGINT NOT NULL,
    times INTEGER NOT NULL DEFAULT 1,
    UNIQUE (county_code, request_id, referral_id, stage, stage_since)
);

CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    event TEXT NOT NULL,
    request_id BIGINT,
    referral_id BIGINT,
    stage TEXT,
    due_at BIGINT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX inbox_user ON inbox (user_id, id);
CREATE INDEX inbox_unread ON inbox (user_id) WHERE read_at IS NULL;

-- owner: 'area:<county or township code>' or 'unit:<units.id>'. The secret
-- is encrypted with the master key (it is needed in clear to sign).
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    owner TEXT NOT NULL,
    url TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (county_code, owner)
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- Notifications go to every member of a role at an area or of a unit.
CREATE INDEX memberships_role_area ON memberships (county_code, role, area_code);
CREATE INDEX memberships_unit ON memberships (unit_id);
