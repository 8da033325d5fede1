-- An episode: one subject (goal, initiative, stalled item) away from green, as one person hears
-- it. Its first message is posted once; every later change edits it and adds a threaded line.
CREATE TABLE episodes (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id           BIGINT GENERATED ALWAYS AS IDENTITY,
    subject      TEXT NOT NULL,
    person_id    BIGINT NOT NULL,
    goal_subject TEXT,
    colour       TEXT NOT NULL CHECK (colour IN ('amber', 'red')),
    -- What its person has been told: stable cause id -> the line that names it.
    causes       JSONB NOT NULL DEFAULT '{}',
    started_at   TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ,
    -- When its first message was queued; NULL while it settles (and for ones never told).
    announced_at TIMESTAMPTZ,
    -- The outbox row of the first message.
    post_id      BIGINT,
    -- Since when news caused by time (a new stall, a worse colour) has waited to settle.
    pending_since TIMESTAMPTZ,
    -- The last time this episode pushed a message (first message, threaded line or nudge).
    pushed_at    TIMESTAMPTZ,
    -- Where the first message landed, so edits and threaded lines can find it.
    message_ref  JSONB,
    red_posted   BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (workspace_id, id),
    FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id)
);
CREATE UNIQUE INDEX episodes_one_open ON episodes (workspace_id, subject, person_id) WHERE ended_at IS NULL;

-- An outbox row posts a new message, edits an episode's message, or replies in its thread.
ALTER TABLE outbox
    ADD COLUMN episode_id  BIGINT,
    ADD COLUMN op          TEXT NOT NULL DEFAULT 'post' CHECK (op IN ('post', 'edit', 'reply')),
    -- Where a delivered post landed (platform channel and message id).
    ADD COLUMN message_ref JSONB,
    -- What held or dropped it counts as time-caused (quiet hours) or by a person.
    ADD COLUMN caused_by   TEXT NOT NULL DEFAULT 'person' CHECK (caused_by IN ('person', 'time'));
-- `dropped`: the episode ended before its first message went out, so nothing is owed.
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
    CHECK (state IN ('queued', 'delivered', 'held', 'failed', 'dropped'));
CREATE INDEX outbox_by_person ON outbox (workspace_id, person_id, created_at);
