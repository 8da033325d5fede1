-- Append-only audit trail: written in the same transaction as the change it records.
CREATE TABLE events (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    at           TIMESTAMPTZ NOT NULL,
    actor_id     BIGINT,
    subject      TEXT NOT NULL,
    action       TEXT NOT NULL,
    before       JSONB,
    after        JSONB,
    note         TEXT,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, actor_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX events_by_subject ON events (workspace_id, subject, id);

-- Computed health of goals, initiatives and work items (subject = key), never typed by hand.
CREATE TABLE health (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    subject      TEXT NOT NULL,
    colour       TEXT NOT NULL CHECK (colour IN ('green', 'amber', 'red', 'none')),
    reasons      JSONB NOT NULL DEFAULT '[]',
    changed_at   TIMESTAMPTZ NOT NULL,
    evaluated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, subject)
);

-- One detected condition. At most one open signal per (kind, subject): raised once, resolved once.
CREATE TABLE signals (
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               BIGINT GENERATED ALWAYS AS IDENTITY,
    kind             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    goal_subject     TEXT,
    summary          TEXT NOT NULL,
    raised_at        TIMESTAMPTZ NOT NULL,
    resolved_at      TIMESTAMPTZ,
    last_notified_at TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX signals_one_open ON signals (workspace_id, kind, subject) WHERE resolved_at IS NULL;

-- An owner may mute direct messages about one goal for a while; the digest still lists it.
CREATE TABLE snoozes (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    person_id    BIGINT NOT NULL,
    subject      TEXT NOT NULL,
    until        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, person_id, subject),
    FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
