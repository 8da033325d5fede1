-- Notifications owed to someone, written in the same transaction as their cause.
-- `dedupe_key` makes queuing idempotent; `delivered_at` makes delivery happen once.
CREATE TABLE outbox (
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id              BIGINT GENERATED ALWAYS AS IDENTITY,
    dedupe_key      TEXT NOT NULL,
    person_id       BIGINT,
    channel         TEXT,
    about           TEXT,
    message         JSONB NOT NULL,
    needs_ack       BOOLEAN NOT NULL DEFAULT false,
    acknowledged_at TIMESTAMPTZ,
    -- queued | delivered | held (snoozed or over the daily cap) | failed (gave up)
    state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'held', 'failed')),
    held_reason     TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    available_at    TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    attempts        INT NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_at    TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, dedupe_key),
    CHECK ((person_id IS NULL) <> (channel IS NULL)),
    FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE INDEX outbox_pending ON outbox (available_at, id) WHERE state = 'queued';

-- One row per scheduled run: the unique key makes each run happen once across replicas.
CREATE TABLE scheduled_runs (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    job          TEXT NOT NULL CHECK (job IN ('sweep', 'digest', 'agenda')),
    run_key      TEXT NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    ran_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, job, run_key)
);
