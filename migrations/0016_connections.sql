-- Repositories whose pull requests and pushes count as evidence of work. A forge reaches one
-- by its opaque id (in the webhook URL), before any workspace is known.
CREATE TABLE connections (
    id                TEXT PRIMARY KEY,
    workspace_id      BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    forge             TEXT NOT NULL CHECK (forge IN ('github', 'gitlab')),
    repository        TEXT NOT NULL,
    secret_nonce      BYTEA NOT NULL,
    secret_ciphertext BYTEA NOT NULL,
    created_by        BIGINT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    last_delivery_at  TIMESTAMPTZ,
    last_error        TEXT,
    last_error_at     TIMESTAMPTZ,
    unknown_keys      INTEGER NOT NULL DEFAULT 0,
    disconnected_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX connections_one_per_repository
    ON connections (workspace_id, forge, lower(repository)) WHERE disconnected_at IS NULL;

-- Merged pull requests that named no work item: the code-side twin of work with no home.
CREATE TABLE unlinked_merges (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    number        BIGINT NOT NULL,
    title         TEXT NOT NULL,
    url           TEXT,
    merged_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, connection_id, number)
);
CREATE INDEX unlinked_merges_recent ON unlinked_merges (workspace_id, merged_at);

-- Whether a pull request opened on a work item still in `todo` starts it.
ALTER TABLE workspace_settings ADD COLUMN start_on_pull_request BOOLEAN NOT NULL DEFAULT false;
