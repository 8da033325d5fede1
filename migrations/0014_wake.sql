-- When the scheduler next has anything to do in a workspace: its next digest or agenda, or
-- the first sweep at which the passing of time alone can change a verdict. Every change to the
-- workspace takes its row lock and brings this forward to "now", so that a new clock (an item
-- moved into doing stalls in three days) is looked at. A tick reads the due workspaces by
-- index instead of visiting them all.
ALTER TABLE workspaces ADD COLUMN wake_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity';
CREATE INDEX workspaces_by_wake ON workspaces (wake_at);
