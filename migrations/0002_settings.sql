-- Per-workspace settings; every column has the product default so a new workspace works at once.
CREATE TABLE workspace_settings (
    workspace_id          BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    time_zone             TEXT NOT NULL DEFAULT 'UTC',
    channel               TEXT NOT NULL DEFAULT '#leadership',
    digest_schedule       TEXT NOT NULL DEFAULT '0 0 9 * * Mon-Fri',
    agenda_schedule       TEXT NOT NULL DEFAULT '0 30 8 * * Mon',
    sweep_schedule        TEXT NOT NULL DEFAULT '0 */15 * * * *',
    stall_after_minutes   INT NOT NULL DEFAULT 4320 CHECK (stall_after_minutes > 0),
    nudge_every_minutes   INT NOT NULL DEFAULT 2880 CHECK (nudge_every_minutes > 0),
    starve_after_minutes  INT NOT NULL DEFAULT 2880 CHECK (starve_after_minutes > 0),
    capacity_amber_pct    INT NOT NULL DEFAULT 70 CHECK (capacity_amber_pct BETWEEN 0 AND 100),
    capacity_red_pct      INT NOT NULL DEFAULT 30 CHECK (capacity_red_pct BETWEEN 0 AND 100),
    red_to_channel        TEXT NOT NULL DEFAULT 'now' CHECK (red_to_channel IN ('now', 'digest')),
    dm_cap_per_day        INT NOT NULL DEFAULT 10 CHECK (dm_cap_per_day > 0),
    wip_limit             INT NOT NULL DEFAULT 3 CHECK (wip_limit > 0),
    top_ranks             INT NOT NULL DEFAULT 3 CHECK (top_ranks > 0),
    updated_at            TIMESTAMPTZ NOT NULL,
    CHECK (capacity_red_pct <= capacity_amber_pct)
);
