-- Write tokens for key results: a dashboard's cron job checks in with one. Only a hash is
-- kept; a request finds its token (and so its workspace) by that hash.
CREATE TABLE kr_tokens (
    token_hash    BYTEA PRIMARY KEY,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key_result_id BIGINT NOT NULL,
    created_by    BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX kr_tokens_by_key_result ON kr_tokens (workspace_id, key_result_id) WHERE revoked_at IS NULL;
