-- Where a console workspace's virtual clock stands, so that a workspace kept between runs
-- (`throughline console --db NAME`) picks up at the moment it was left.
CREATE TABLE console_clocks (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    at           TIMESTAMPTZ NOT NULL
);
