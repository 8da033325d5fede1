//! What a write can affect. Triggers record each change (migration 0012); `take` reads and
//! clears them, `due_to_time` finds what the passing of time can have changed, and `snapshot`
//! loads only what the rules need to judge the affected goals, initiatives, work items and
//! people, with the keys whose stored state may change.

mod snapshot;

pub use snapshot::snapshot;

use chrono::{DateTime, Utc};

use super::{Conn, WorkspaceId};
use crate::domain::*;

/// The changes recorded since the workspace was last evaluated.
#[derive(Debug, Default)]
pub struct Changes {
    pub everything: bool,
    /// Goals whose own verdict is judged again (their direct items, key results and the
    /// stored verdicts of their initiatives).
    pub goals: Vec<GoalId>,
    /// Initiatives judged again, with all their work.
    pub initiatives: Vec<InitiativeId>,
    pub works: Vec<WorkId>,
    /// People whose set of items in doing changed, or who lead a changed initiative.
    pub loads: Vec<PersonId>,
    /// People whose handle, time zone, capacity or presence changed.
    pub people: Vec<PersonId>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.everything
            && self.goals.is_empty()
            && self.initiatives.is_empty()
            && self.works.is_empty()
            && self.loads.is_empty()
            && self.people.is_empty()
    }
}

/// Reads and clears the recorded changes (the caller's transaction evaluates them).
pub async fn take(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Changes> {
    #[derive(sqlx::FromRow)]
    struct Taken {
        everything: Option<bool>,
        goals: Vec<i64>,
        initiatives: Vec<i64>,
        works: Vec<i64>,
        loads: Vec<i64>,
        people: Vec<i64>,
    }
    let t: Taken = sqlx::query_as(
        "WITH taken AS (DELETE FROM changes WHERE workspace_id = $1 RETURNING *)
         SELECT bool_or(everything) AS everything,
                coalesce(array_agg(DISTINCT goal_id) FILTER (WHERE goal_id IS NOT NULL), '{}') AS goals,
                coalesce(array_agg(DISTINCT initiative_id) FILTER (WHERE initiative_id IS NOT NULL), '{}') AS initiatives,
                coalesce(array_agg(DISTINCT work_id) FILTER (WHERE work_id IS NOT NULL), '{}') AS works,
                coalesce(array_agg(DISTINCT load_of) FILTER (WHERE load_of IS NOT NULL), '{}') AS loads,
                coalesce(array_agg(DISTINCT person_id) FILTER (WHERE person_id IS NOT NULL), '{}') AS people
         FROM taken",
    )
    .bind(ws)
    .fetch_one(conn)
    .await?;
    Ok(Changes {
        everything: t.everything.unwrap_or(false),
        goals: t.goals,
        initiatives: t.initiatives,
        works: t.works,
        loads: t.loads,
        people: t.people,
    })
}

/// What the passing of time can have changed by `now`, as if it had been written: every doing
/// item whose stall clock may have run out (working time never outruns the wall clock), every
/// initiative or goal with nothing in doing (starvation) or past its due date, every goal
/// with open key results (pace moves with the calendar), whatever is troubled or signalled
/// for a reason that names a duration (a stall, starvation, a key result), every episode still
/// settling, and every rule held until it has lasted long enough. A block, a lead pulled away
/// or an item with no home does not change with time: it is left alone.
pub async fn due_to_time(
    conn: &mut Conn,
    ws: WorkspaceId,
    stalled_before: DateTime<Utc>,
    today: chrono::NaiveDate,
) -> anyhow::Result<Changes> {
    let reached: Reached = sqlx::query_as(
        "WITH subjects AS (
             SELECT subject FROM health
             WHERE workspace_id = $1 AND colour IN ('amber', 'red')
               AND EXISTS (SELECT 1 FROM jsonb_object_keys(causes) c
                           WHERE c LIKE 'stalled:%' OR c LIKE 'starved:%' OR c LIKE 'kr%')
             UNION SELECT subject FROM signals
             WHERE workspace_id = $1 AND resolved_at IS NULL
               AND kind IN ('stalled', 'starved', 'overdue', 'kr_behind', 'kr_stale', 'kr_not_moving')
             UNION SELECT subject FROM episodes
             WHERE workspace_id = $1 AND ended_at IS NULL AND (announced_at IS NULL OR pending_since IS NOT NULL)
             UNION SELECT split_part(rule_key, ':', 2) FROM rule_onsets WHERE workspace_id = $1
         ), keyed AS (
             SELECT left(subject, 1) AS kind,
                    CASE WHEN subject ~ '^[GIWK]-[0-9]{1,9}$' THEN substr(subject, 3)::int END AS number
             FROM subjects
         ), reached AS (
             SELECT g.id AS goal_id, NULL::bigint AS initiative_id, NULL::bigint AS work_id FROM keyed k
                 JOIN goals g ON g.workspace_id = $1 AND k.kind = 'G' AND g.number = k.number
             UNION ALL SELECT i.goal_id, i.id, NULL FROM keyed k
                 JOIN initiatives i ON i.workspace_id = $1 AND k.kind = 'I' AND i.number = k.number
             UNION ALL SELECT w.goal_id, w.initiative_id, CASE WHEN w.goal_id IS NULL THEN w.id END FROM keyed k
                 JOIN work_items w ON w.workspace_id = $1 AND k.kind = 'W' AND w.number = k.number
             UNION ALL SELECT r.goal_id, NULL, NULL FROM keyed k
                 JOIN key_results r ON r.workspace_id = $1 AND k.kind = 'K' AND r.number = k.number
             UNION ALL SELECT goal_id, initiative_id, CASE WHEN goal_id IS NULL THEN id END FROM work_items
                 WHERE workspace_id = $1 AND status = 'doing' AND last_activity_at <= $2
             UNION ALL SELECT i.goal_id, i.id, NULL FROM initiatives i
                 WHERE i.workspace_id = $1 AND i.status = 'active'
                   AND (i.due_on < $3 OR NOT EXISTS (
                       SELECT 1 FROM work_items w WHERE w.workspace_id = $1 AND w.initiative_id = i.id AND w.status = 'doing'))
             UNION ALL SELECT g.id, NULL, NULL FROM goals g
                 WHERE g.workspace_id = $1 AND g.status = 'open'
                   AND (g.due_on < $3 OR NOT EXISTS (
                       SELECT 1 FROM initiatives i WHERE i.workspace_id = $1 AND i.goal_id = g.id AND i.status = 'active'))
             UNION ALL SELECT goal_id, NULL, NULL FROM key_results WHERE workspace_id = $1 AND status = 'open'
         )
         SELECT coalesce(array_agg(DISTINCT goal_id) FILTER (WHERE goal_id IS NOT NULL), '{}') AS goals,
                coalesce(array_agg(DISTINCT initiative_id) FILTER (WHERE initiative_id IS NOT NULL), '{}') AS initiatives,
                coalesce(array_agg(DISTINCT work_id) FILTER (WHERE work_id IS NOT NULL), '{}') AS works
         FROM reached",
    )
    .bind(ws)
    .bind(stalled_before)
    .bind(today)
    .fetch_one(conn)
    .await?;
    Ok(Changes {
        goals: reached.goals,
        initiatives: reached.initiatives,
        works: reached.works,
        ..Changes::default()
    })
}

/// Whether the passing of time alone can change something in the workspace at any moment
/// (what [`due_to_time`] reaches on every sweep, key results aside), and if not, the earliest
/// instant a clock the rules read can run out: an item in doing stalls, an idle initiative or
/// goal starves, a due date passes. Each is a lower bound (working time never outruns the
/// wall clock), so a sweep that waits for it misses nothing. Key results are judged apart.
pub async fn time_bound(
    conn: &mut Conn,
    ws: WorkspaceId,
    (stall, starve): (chrono::Duration, chrono::Duration),
    time_zone: &str,
) -> anyhow::Result<(bool, Option<DateTime<Utc>>)> {
    let seconds = |d: chrono::Duration| d.num_seconds() as f64;
    Ok(sqlx::query_as(
        "WITH standing AS (
             SELECT 1 FROM health
             WHERE workspace_id = $1 AND colour IN ('amber', 'red')
               AND EXISTS (SELECT 1 FROM jsonb_object_keys(causes) c
                           WHERE c LIKE 'stalled:%' OR c LIKE 'starved:%')
             UNION ALL SELECT 1 FROM signals
             WHERE workspace_id = $1 AND resolved_at IS NULL AND kind IN ('stalled', 'starved', 'overdue')
             UNION ALL SELECT 1 FROM episodes
             WHERE workspace_id = $1 AND ended_at IS NULL AND (announced_at IS NULL OR pending_since IS NOT NULL)
             UNION ALL SELECT 1 FROM rule_onsets WHERE workspace_id = $1
         ), judged AS (
             SELECT i.* FROM initiatives i JOIN goals g ON g.workspace_id = $1 AND g.id = i.goal_id
             WHERE i.workspace_id = $1 AND i.status = 'active' AND g.status = 'open'
         ), clocks AS (
             SELECT min(greatest(w.last_activity_at, i.status_changed_at)) + $2 * interval '1 second' AS at
             FROM work_items w LEFT JOIN judged i ON i.id = w.initiative_id
             WHERE w.workspace_id = $1 AND w.status = 'doing' AND (w.initiative_id IS NULL OR i.id IS NOT NULL)
             UNION ALL SELECT min(greatest(i.status_changed_at,
                                  (SELECT max(w.doing_ended_at) FROM work_items w
                                   WHERE w.workspace_id = $1 AND w.initiative_id = i.id))) + $3 * interval '1 second'
             FROM judged i
             WHERE NOT EXISTS (SELECT 1 FROM work_items w
                               WHERE w.workspace_id = $1 AND w.initiative_id = i.id AND w.status = 'doing')
             UNION ALL SELECT min(greatest(g.created_at,
                                  (SELECT max(i.status_changed_at) FROM initiatives i
                                   WHERE i.workspace_id = $1 AND i.goal_id = g.id),
                                  (SELECT max(w.doing_ended_at) FROM work_items w
                                   WHERE w.workspace_id = $1 AND w.goal_id = g.id AND w.initiative_id IS NULL)))
                    + $3 * interval '1 second'
             FROM goals g
             WHERE g.workspace_id = $1 AND g.status = 'open'
               AND NOT EXISTS (SELECT 1 FROM judged i WHERE i.goal_id = g.id)
               AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.workspace_id = $1 AND w.goal_id = g.id
                                 AND w.initiative_id IS NULL AND w.status = 'doing')
             UNION ALL SELECT min(due_on + 1)::timestamp AT TIME ZONE $4 FROM judged
             UNION ALL SELECT min(due_on + 1)::timestamp AT TIME ZONE $4 FROM goals
             WHERE workspace_id = $1 AND status = 'open'
         )
         SELECT EXISTS (SELECT 1 FROM standing), (SELECT min(at) FROM clocks)",
    )
    .bind(ws)
    .bind(seconds(stall))
    .bind(seconds(starve))
    .bind(time_zone)
    .fetch_one(conn)
    .await?)
}

/// Goals, initiatives and (unaligned) work items a query reached.
#[derive(sqlx::FromRow)]
struct Reached {
    goals: Vec<i64>,
    initiatives: Vec<i64>,
    works: Vec<i64>,
}

impl Changes {
    /// Both sets of changes at once.
    pub fn merge(mut self, other: Changes) -> Changes {
        self.everything |= other.everything;
        for (mine, theirs) in [
            (&mut self.goals, other.goals),
            (&mut self.initiatives, other.initiatives),
            (&mut self.works, other.works),
            (&mut self.loads, other.loads),
            (&mut self.people, other.people),
        ] {
            mine.extend(theirs);
            mine.sort_unstable();
            mine.dedup();
        }
        self
    }
}
