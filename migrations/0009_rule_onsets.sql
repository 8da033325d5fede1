-- Since when a rule that flaps has held ("every active item stalled or blocked", capacity
-- below red): it turns nothing red until it has held for `settle`.
CREATE TABLE rule_onsets (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    rule_key     TEXT NOT NULL,
    since        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, rule_key)
);
