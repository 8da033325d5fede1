-- A scoped evaluation reads the open signals of a few subjects; without this it would scan
-- every open signal of the workspace (signals_one_open leads with the kind).
CREATE INDEX signals_open_by_subject ON signals (workspace_id, subject) WHERE resolved_at IS NULL;
