-- Every row in the model belongs to a workspace: a Slack team, a Discord guild or the console.
CREATE TABLE workspaces (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform        TEXT NOT NULL CHECK (platform IN ('console', 'slack', 'discord')),
    external_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    -- Key counters: keys are numbered per workspace and never reused.
    next_goal       INT NOT NULL DEFAULT 1,
    next_initiative INT NOT NULL DEFAULT 1,
    next_work       INT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE people (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    external_id  TEXT NOT NULL,
    handle       TEXT NOT NULL CHECK (char_length(handle) BETWEEN 1 AND 80),
    time_zone    TEXT,
    capacity_fte DOUBLE PRECISION NOT NULL DEFAULT 1.0 CHECK (capacity_fte >= 0 AND capacity_fte <= 2),
    is_admin     BOOLEAN NOT NULL DEFAULT false,
    active       BOOLEAN NOT NULL DEFAULT true,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, external_id)
);
