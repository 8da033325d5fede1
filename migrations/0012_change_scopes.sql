-- What changed since the workspace was last evaluated, written by triggers so that no write
-- path can forget it: a write re-evaluates only what its changes can affect, and clears the
-- rows it read in the same transaction. A row names a goal, an initiative, a work item, a
-- person whose load changed (what is in doing), a person whose profile changed, or the whole
-- workspace.
-- Logged like the rest: a change left for a later evaluation (a profile synced without one,
-- an import) must survive a crash of the database.
CREATE TABLE changes (
    workspace_id  BIGINT NOT NULL,
    goal_id       BIGINT,
    initiative_id BIGINT,
    work_id       BIGINT,
    load_of       BIGINT,
    person_id     BIGINT,
    everything    BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX changes_by_workspace ON changes (workspace_id);

-- An item reaches its initiative (or, without one, its goal) and the goal's verdict; a change
-- in what someone has in doing reaches their load.
CREATE FUNCTION changed_work() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO changes (workspace_id, goal_id, initiative_id, work_id, load_of)
        VALUES (OLD.workspace_id, OLD.goal_id, OLD.initiative_id, OLD.id,
                CASE WHEN TG_OP = 'DELETE' OR OLD.status = 'doing' AND (NEW.status <> 'doing'
                          OR NEW.assignee_id <> OLD.assignee_id OR NEW.goal_id IS DISTINCT FROM OLD.goal_id
                          OR NEW.initiative_id IS DISTINCT FROM OLD.initiative_id)
                     THEN OLD.assignee_id END);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO changes (workspace_id, goal_id, initiative_id, work_id, load_of)
        VALUES (NEW.workspace_id, NEW.goal_id, NEW.initiative_id, NEW.id,
                CASE WHEN NEW.status = 'doing' AND (TG_OP = 'INSERT' OR OLD.status <> 'doing'
                          OR NEW.assignee_id <> OLD.assignee_id OR NEW.goal_id IS DISTINCT FROM OLD.goal_id
                          OR NEW.initiative_id IS DISTINCT FROM OLD.initiative_id)
                     THEN NEW.assignee_id END);
    END IF;
    RETURN NULL;
END $$;

-- An initiative's lead is the person whose other work "pulls" them: a new lead is a load change.
CREATE FUNCTION changed_initiative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO changes (workspace_id, goal_id, initiative_id, load_of)
        VALUES (OLD.workspace_id, OLD.goal_id, OLD.id, OLD.lead_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO changes (workspace_id, goal_id, initiative_id, load_of)
        VALUES (NEW.workspace_id, NEW.goal_id, NEW.id, NEW.lead_id);
    END IF;
    RETURN NULL;
END $$;

-- A goal that closes, reopens or changes hands changes how its initiatives are judged and
-- who hears of them: they are judged again with it.
CREATE FUNCTION changed_goal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO changes (workspace_id, goal_id) VALUES (OLD.workspace_id, OLD.id);
        RETURN NULL;
    END IF;
    INSERT INTO changes (workspace_id, goal_id) VALUES (NEW.workspace_id, NEW.id);
    IF TG_OP = 'UPDATE' AND (OLD.status, OLD.owner_id) IS DISTINCT FROM (NEW.status, NEW.owner_id) THEN
        INSERT INTO changes (workspace_id, goal_id, initiative_id)
        SELECT workspace_id, goal_id, id FROM initiatives WHERE workspace_id = NEW.workspace_id AND goal_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION changed_key_result() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (workspace_id, goal_id) VALUES (NEW.workspace_id, NEW.goal_id);
    RETURN NULL;
END $$;

-- A target or a check-in changes its key result's goal.
CREATE FUNCTION changed_key_result_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (workspace_id, goal_id)
    SELECT k.workspace_id, k.goal_id FROM key_results k
    WHERE k.workspace_id = NEW.workspace_id AND k.id = NEW.key_result_id;
    RETURN NULL;
END $$;

-- A person's handle, time zone, capacity or presence reads everywhere they appear.
CREATE FUNCTION changed_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.handle, OLD.time_zone, OLD.capacity_fte, OLD.active)
       IS DISTINCT FROM (NEW.handle, NEW.time_zone, NEW.capacity_fte, NEW.active) THEN
        INSERT INTO changes (workspace_id, person_id) VALUES (NEW.workspace_id, NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION changed_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO changes (workspace_id, everything) VALUES (NEW.workspace_id, true);
    RETURN NULL;
END $$;

CREATE TRIGGER work_items_changed AFTER INSERT OR UPDATE OR DELETE ON work_items
    FOR EACH ROW EXECUTE FUNCTION changed_work();
CREATE TRIGGER initiatives_changed AFTER INSERT OR UPDATE OR DELETE ON initiatives
    FOR EACH ROW EXECUTE FUNCTION changed_initiative();
CREATE TRIGGER goals_changed AFTER INSERT OR UPDATE OR DELETE ON goals
    FOR EACH ROW EXECUTE FUNCTION changed_goal();
CREATE TRIGGER key_results_changed AFTER INSERT OR UPDATE ON key_results
    FOR EACH ROW EXECUTE FUNCTION changed_key_result();
CREATE TRIGGER kr_targets_changed AFTER INSERT ON kr_targets
    FOR EACH ROW EXECUTE FUNCTION changed_key_result_row();
CREATE TRIGGER kr_checkins_changed AFTER INSERT ON kr_checkins
    FOR EACH ROW EXECUTE FUNCTION changed_key_result_row();
CREATE TRIGGER people_changed AFTER UPDATE ON people
    FOR EACH ROW EXECUTE FUNCTION changed_person();
CREATE TRIGGER workspace_settings_changed AFTER INSERT OR UPDATE ON workspace_settings
    FOR EACH ROW EXECUTE FUNCTION changed_settings();

-- The lookups a scope needs: what a person leads, has in doing, or has open; what is troubled
-- now and what an initiative has in doing (what the passing of time can change).
CREATE INDEX health_troubled ON health (workspace_id) WHERE colour IN ('amber', 'red');
CREATE INDEX health_not_closed ON health (workspace_id) WHERE colour <> 'none';
CREATE INDEX work_items_doing_by_initiative ON work_items (workspace_id, initiative_id) WHERE status = 'doing';
CREATE INDEX initiatives_by_lead ON initiatives (workspace_id, lead_id);
CREATE INDEX work_items_by_goal ON work_items (workspace_id, goal_id) WHERE status IN ('todo', 'doing', 'blocked');
CREATE INDEX work_items_by_initiative ON work_items (workspace_id, initiative_id) WHERE status IN ('todo', 'doing', 'blocked');
CREATE INDEX work_items_by_assignee ON work_items (workspace_id, assignee_id) WHERE status IN ('todo', 'doing', 'blocked');
CREATE INDEX work_items_doing ON work_items (workspace_id, assignee_id) WHERE status = 'doing';
CREATE INDEX work_items_recently_doing ON work_items (workspace_id, goal_id, doing_ended_at) WHERE doing_ended_at IS NOT NULL;
