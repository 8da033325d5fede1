-- What the chat platforms tell us about people, and when we last asked.
ALTER TABLE people ADD COLUMN profile_synced_at TIMESTAMPTZ;

-- Deliveries a platform may repeat (retried events, replayed interactions) are acted on once.
CREATE TABLE inbound_seen (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    delivery_id  TEXT NOT NULL,
    seen_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, delivery_id)
);
CREATE INDEX inbound_seen_age ON inbound_seen (seen_at);

-- OAuth `state` values the server issued; each is consumed once. They precede any workspace.
CREATE TABLE oauth_states (
    state      TEXT PRIMARY KEY,
    platform   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- One bot token per installed Slack team, encrypted with a key only the configuration holds.
CREATE TABLE slack_installations (
    workspace_id     BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    team_id          TEXT NOT NULL UNIQUE,
    enterprise_id    TEXT,
    bot_user_id      TEXT NOT NULL,
    scopes           TEXT NOT NULL,
    token_nonce      BYTEA NOT NULL,
    token_ciphertext BYTEA NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

-- The last App Home each person was shown, so it is republished only when it changes.
CREATE TABLE home_views (
    workspace_id BIGINT NOT NULL,
    person_id    BIGINT NOT NULL,
    digest       TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, person_id),
    FOREIGN KEY (workspace_id, person_id) REFERENCES people (workspace_id, id) ON DELETE CASCADE
);
