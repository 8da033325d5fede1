-- When the scheduler next has anything to do in a workspace: its next digest or agenda, or
-- the first sweep at which the passing of time alone can change a verdict. A tick reads the due
-- workspaces by index instead of visiting them all.
-- Its row is also the workspace's lock for a change: taking it brings the wake-up forward to
-- "now", so that a clock the change starts (an item moved into doing stalls in three days) is
-- looked at. It lives beside the workspace, keyed by it, so that a write never writes the
-- shared `workspaces` row.
CREATE TABLE wake_ups (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    wake_at      TIMESTAMPTZ NOT NULL DEFAULT '-infinity'
);
CREATE INDEX wake_ups_due ON wake_ups (wake_at);
INSERT INTO wake_ups (workspace_id) SELECT id FROM workspaces;

-- When an idle initiative last had work in doing: its starvation clock, read at every visit.
CREATE INDEX work_items_doing_ended_by_initiative ON work_items (workspace_id, initiative_id, doing_ended_at)
    WHERE doing_ended_at IS NOT NULL;
