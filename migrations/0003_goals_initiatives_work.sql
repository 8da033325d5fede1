-- The strategic model. Composite foreign keys carry the workspace id, so no row can point
-- into another workspace, and the schema can later be sharded by workspace.
CREATE TABLE goals (
    workspace_id      BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                BIGINT GENERATED ALWAYS AS IDENTITY,
    number            INT NOT NULL CHECK (number > 0),
    title             TEXT NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
    owner_id          BIGINT NOT NULL,
    rank              INT NOT NULL CHECK (rank >= 1),
    due_on            DATE,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'achieved', 'dropped')),
    close_note        TEXT,
    created_by        BIGINT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    status_changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, number),
    FOREIGN KEY (workspace_id, owner_id) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, created_by) REFERENCES people (workspace_id, id)
);

CREATE TABLE initiatives (
    workspace_id      BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id                BIGINT GENERATED ALWAYS AS IDENTITY,
    number            INT NOT NULL CHECK (number > 0),
    goal_id           BIGINT NOT NULL,
    title             TEXT NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
    lead_id           BIGINT NOT NULL,
    plan_fte          DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (plan_fte >= 0 AND plan_fte <= 1000),
    due_on            DATE,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'done', 'dropped')),
    created_by        BIGINT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    status_changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, number),
    -- Lets work items prove that their initiative belongs to the goal they name.
    UNIQUE (workspace_id, id, goal_id),
    FOREIGN KEY (workspace_id, goal_id) REFERENCES goals (workspace_id, id),
    FOREIGN KEY (workspace_id, lead_id) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, created_by) REFERENCES people (workspace_id, id)
);

CREATE TABLE work_items (
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    id               BIGINT GENERATED ALWAYS AS IDENTITY,
    number           INT NOT NULL CHECK (number > 0),
    title            TEXT NOT NULL CHECK (char_length(btrim(title)) BETWEEN 1 AND 200),
    -- Home: an initiative (and its goal), a goal directly, or explicitly none.
    goal_id          BIGINT,
    initiative_id    BIGINT,
    unaligned_reason TEXT,
    assignee_id      BIGINT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'blocked', 'done', 'dropped')),
    blocker          TEXT,
    url              TEXT CHECK (url IS NULL OR char_length(url) <= 2000),
    created_by       BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL,
    -- When the item last left `doing`: keeps its parent from counting as starved too early.
    doing_ended_at   TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, number),
    CHECK (initiative_id IS NULL OR goal_id IS NOT NULL),
    CHECK (status <> 'blocked' OR blocker IS NOT NULL),
    FOREIGN KEY (workspace_id, goal_id) REFERENCES goals (workspace_id, id),
    FOREIGN KEY (workspace_id, initiative_id, goal_id) REFERENCES initiatives (workspace_id, id, goal_id),
    FOREIGN KEY (workspace_id, assignee_id) REFERENCES people (workspace_id, id),
    FOREIGN KEY (workspace_id, created_by) REFERENCES people (workspace_id, id)
);

CREATE INDEX work_items_open ON work_items (workspace_id) WHERE status IN ('todo', 'doing', 'blocked');
