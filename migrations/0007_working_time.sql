-- Working time: thresholds count working days, and what time causes waits for working hours.
-- `settle`: how long an episode caused by time must last before anyone is told about it.
ALTER TABLE workspace_settings
    ADD COLUMN workdays       TEXT NOT NULL DEFAULT 'Mon-Fri',
    ADD COLUMN work_hours     TEXT NOT NULL DEFAULT '09:00-18:00',
    ADD COLUMN holidays       DATE[] NOT NULL DEFAULT '{}',
    ADD COLUMN settle_minutes INT NOT NULL DEFAULT 30 CHECK (settle_minutes >= 0),
    ADD COLUMN urgent         TEXT NOT NULL DEFAULT 'red' CHECK (urgent IN ('red', 'none'));

-- A person's own time zone, which wins over the one their platform reports.
ALTER TABLE people ADD COLUMN time_zone_override TEXT;
