-- Key results: the outcomes a goal is measured by. Owned by the goal's owner (no owner
-- column: the single-owner rule holds through the goal). Targets and check-ins are
-- append-only; the current target and value are the latest rows.
ALTER TABLE workspaces ADD COLUMN next_key_result INT NOT NULL DEFAULT 1;

CREATE TABLE key_results (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    number       INT NOT NULL CHECK (number > 0),
    goal_id      BIGINT NOT NULL,
    title        TEXT NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
    kind         TEXT NOT NULL CHECK (kind IN ('metric', 'milestone', 'band')),
    -- plain, percent, or an ISO 4217 code
    unit         TEXT NOT NULL,
    from_value   DOUBLE PRECISION,
    band_low     DOUBLE PRECISION,
    band_high    DOUBLE PRECISION,
    starts_at    TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'achieved', 'missed', 'dropped')),
    close_note   TEXT,
    created_by   BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, number),
    FOREIGN KEY (workspace_id, goal_id) REFERENCES goals (workspace_id, id),
    FOREIGN KEY (workspace_id, created_by) REFERENCES people (workspace_id, id),
    CHECK (kind <> 'metric' OR from_value IS NOT NULL),
    CHECK (kind <> 'band' OR (band_low IS NOT NULL AND band_high IS NOT NULL AND band_low <= band_high))
);
CREATE INDEX key_results_by_goal ON key_results (workspace_id, goal_id);

CREATE TABLE kr_targets (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            BIGINT GENERATED ALWAYS AS IDENTITY,
    key_result_id BIGINT NOT NULL,
    -- The metric's target; NULL for a milestone or a band.
    target        DOUBLE PRECISION,
    due_at        TIMESTAMPTZ NOT NULL,
    reason        TEXT,
    set_by        BIGINT NOT NULL,
    set_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, key_result_id) REFERENCES key_results (workspace_id, id),
    FOREIGN KEY (workspace_id, set_by) REFERENCES people (workspace_id, id)
);
CREATE INDEX kr_targets_by_key_result ON kr_targets (workspace_id, key_result_id, id);

CREATE TABLE kr_checkins (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id            BIGINT GENERATED ALWAYS AS IDENTITY,
    key_result_id BIGINT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    confidence    TEXT CHECK (confidence IN ('on-track', 'at-risk', 'off-track')),
    note          TEXT,
    author_id     BIGINT NOT NULL,
    -- command, button, form, or an integration's name
    source        TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, key_result_id) REFERENCES key_results (workspace_id, id),
    FOREIGN KEY (workspace_id, author_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX kr_checkins_by_key_result ON kr_checkins (workspace_id, key_result_id, id);

-- The pace rule's settings: points behind pace still on track, still only at risk; how long a
-- band may be breached before it is off track; how often key results expect a check-in; the
-- window over which flowing work and a flat metric mean "busy but not moving".
ALTER TABLE workspace_settings
    ADD COLUMN kr_at_risk               INT NOT NULL DEFAULT 10 CHECK (kr_at_risk BETWEEN 0 AND 100),
    ADD COLUMN kr_off_track             INT NOT NULL DEFAULT 25 CHECK (kr_off_track BETWEEN 0 AND 100),
    ADD COLUMN kr_band_grace_minutes    INT NOT NULL DEFAULT 2880 CHECK (kr_band_grace_minutes >= 0),
    ADD COLUMN kr_checkin_every_minutes INT NOT NULL DEFAULT 10080 CHECK (kr_checkin_every_minutes > 0),
    ADD COLUMN kr_stuck_after_minutes   INT NOT NULL DEFAULT 40320 CHECK (kr_stuck_after_minutes > 0),
    ADD CHECK (kr_at_risk <= kr_off_track);
