//! What a write can affect. Triggers record each change (migration 0012); `take` reads and
//! clears them, and `snapshot` loads only what the rules need to judge the affected goals,
//! initiatives, work items and people, with the keys whose stored state may change.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::model::{INITIATIVE, InitiativeRow, WORK, WorkRow, convert};
use super::{Conn, WorkspaceId};
use crate::domain::health::Snapshot;
use crate::domain::signal::person_subject;
use crate::domain::*;

/// The changes recorded since the workspace was last evaluated.
#[derive(Debug, Default)]
pub struct Changes {
    pub everything: bool,
    pub goals: Vec<GoalId>,
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
        works: Vec<i64>,
        loads: Vec<i64>,
        people: Vec<i64>,
    }
    let t: Taken = sqlx::query_as(
        "WITH taken AS (DELETE FROM changes WHERE workspace_id = $1 RETURNING *)
         SELECT bool_or(everything) AS everything,
                coalesce(array_agg(DISTINCT goal_id) FILTER (WHERE goal_id IS NOT NULL), '{}') AS goals,
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
        works: t.works,
        loads: t.loads,
        people: t.people,
    })
}

/// What the passing of time can have changed by `now`, as if it had been written: every doing
/// item whose stall clock may have run out (working time never outruns the wall clock), every
/// initiative or goal with nothing in doing (starvation) or past its due date, every goal
/// with open key results (pace moves with the calendar), and whatever is troubled, signalled,
/// in an episode or held by a settling rule now (its reasons name durations, and it may end).
pub async fn due_to_time(
    conn: &mut Conn,
    ws: WorkspaceId,
    stalled_before: DateTime<Utc>,
    today: chrono::NaiveDate,
) -> anyhow::Result<Changes> {
    let (goals, works): (Vec<i64>, Vec<i64>) = sqlx::query_as(
        "WITH subjects AS (
             SELECT subject FROM health WHERE workspace_id = $1 AND colour IN ('amber', 'red')
             UNION SELECT subject FROM signals WHERE workspace_id = $1 AND resolved_at IS NULL
             UNION SELECT subject FROM episodes WHERE workspace_id = $1 AND ended_at IS NULL
             UNION SELECT split_part(rule_key, ':', 2) FROM rule_onsets WHERE workspace_id = $1
         ), keyed AS (
             SELECT left(subject, 1) AS kind,
                    CASE WHEN subject ~ '^[GIWK]-[0-9]{1,9}$' THEN substr(subject, 3)::int END AS number
             FROM subjects
         ), reached AS (
             SELECT g.id AS goal_id, NULL::bigint AS work_id FROM keyed k
                 JOIN goals g ON g.workspace_id = $1 AND k.kind = 'G' AND g.number = k.number
             UNION ALL SELECT i.goal_id, NULL FROM keyed k
                 JOIN initiatives i ON i.workspace_id = $1 AND k.kind = 'I' AND i.number = k.number
             UNION ALL SELECT w.goal_id, CASE WHEN w.goal_id IS NULL THEN w.id END FROM keyed k
                 JOIN work_items w ON w.workspace_id = $1 AND k.kind = 'W' AND w.number = k.number
             UNION ALL SELECT r.goal_id, NULL FROM keyed k
                 JOIN key_results r ON r.workspace_id = $1 AND k.kind = 'K' AND r.number = k.number
             UNION ALL SELECT goal_id, CASE WHEN goal_id IS NULL THEN id END FROM work_items
                 WHERE workspace_id = $1 AND status = 'doing' AND last_activity_at <= $2
             UNION ALL SELECT i.goal_id, NULL FROM initiatives i
                 WHERE i.workspace_id = $1 AND i.status = 'active'
                   AND (i.due_on < $3 OR NOT EXISTS (
                       SELECT 1 FROM work_items w WHERE w.workspace_id = $1 AND w.initiative_id = i.id AND w.status = 'doing'))
             UNION ALL SELECT g.id, NULL FROM goals g
                 WHERE g.workspace_id = $1 AND g.status = 'open'
                   AND (g.due_on < $3 OR NOT EXISTS (
                       SELECT 1 FROM initiatives i WHERE i.workspace_id = $1 AND i.goal_id = g.id AND i.status = 'active'))
             UNION ALL SELECT goal_id, NULL FROM key_results WHERE workspace_id = $1 AND status = 'open'
         )
         SELECT coalesce(array_agg(DISTINCT goal_id) FILTER (WHERE goal_id IS NOT NULL), '{}'),
                coalesce(array_agg(DISTINCT work_id) FILTER (WHERE work_id IS NOT NULL), '{}')
         FROM reached",
    )
    .bind(ws)
    .bind(stalled_before)
    .bind(today)
    .fetch_one(conn)
    .await?;
    Ok(Changes {
        goals,
        works,
        ..Changes::default()
    })
}

impl Changes {
    /// Both sets of changes at once.
    pub fn merge(mut self, other: Changes) -> Changes {
        self.everything |= other.everything;
        for (mine, theirs) in [
            (&mut self.goals, other.goals),
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

/// What the rules read to judge everything `changes` can affect, and the keys (goals,
/// initiatives, work items, key results, people) whose stored health, signals and episodes
/// may change. A person's load reaches the goals of their items in doing and of the
/// initiatives they lead; a profile change reaches everything they own, lead or have open.
pub async fn snapshot(
    conn: &mut Conn,
    ws: WorkspaceId,
    changes: &Changes,
    recent_since: DateTime<Utc>,
    flowing_since: DateTime<Utc>,
) -> anyhow::Result<(Snapshot, BTreeSet<String>)> {
    let persons: Vec<PersonId> = changes
        .loads
        .iter()
        .chain(&changes.people)
        .copied()
        .collect();
    let (goal_ids, extra_works): (Vec<i64>, Vec<i64>) = sqlx::query_as(
        "SELECT coalesce(array_agg(DISTINCT goal_id) FILTER (WHERE goal_id IS NOT NULL), '{}'),
                coalesce(array_agg(DISTINCT work_id) FILTER (WHERE work_id IS NOT NULL), '{}')
         FROM (
             SELECT unnest($2::bigint[]) AS goal_id, NULL::bigint AS work_id
             UNION ALL SELECT goal_id, NULL FROM initiatives WHERE workspace_id = $1 AND lead_id = ANY($3)
             UNION ALL SELECT goal_id, CASE WHEN goal_id IS NULL THEN id END FROM work_items
                 WHERE workspace_id = $1 AND assignee_id = ANY($3) AND status IN ('todo', 'doing', 'blocked')
                   AND (status = 'doing' OR assignee_id = ANY($4))
             UNION ALL SELECT id, NULL FROM goals WHERE workspace_id = $1 AND owner_id = ANY($4)
         ) s",
    )
    .bind(ws)
    .bind(&changes.goals)
    .bind(&persons)
    .bind(&changes.people)
    .fetch_one(&mut *conn)
    .await?;
    let works: Vec<i64> = changes.works.iter().chain(&extra_works).copied().collect();

    // Every open goal, as the full snapshot has them: a notice suggests goals to link to and
    // names the goal of a lead's other work. Those outside the scope keep their stored verdicts.
    let goals: Vec<Goal> = super::model::open_goals(&mut *conn, ws).await?;
    let open: Vec<GoalId> = goals
        .iter()
        .filter(|g| goal_ids.contains(&g.id))
        .map(|g| g.id)
        .collect();
    let initiatives: Vec<InitiativeRow> = sqlx::query_as(&format!(
        "SELECT {INITIATIVE} FROM initiatives WHERE workspace_id = $1 AND goal_id = ANY($2) ORDER BY number"
    ))
    .bind(ws)
    .bind(&open)
    .fetch_all(&mut *conn)
    .await?;
    let initiatives: Vec<Initiative> = convert(initiatives)?;
    // The scope's own items and the changed ones, as the full snapshot has them: open, or
    // lately in doing.
    let work: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items
         WHERE workspace_id = $1
           AND (goal_id = ANY($2) OR id = ANY($3))
           AND (status IN ('todo', 'doing', 'blocked') OR doing_ended_at >= $4)
         ORDER BY number"
    ))
    .bind(ws)
    .bind(&goal_ids)
    .bind(&works)
    .bind(recent_since)
    .fetch_all(&mut *conn)
    .await?;
    let mut work: Vec<WorkItem> = convert(work)?;

    let mut keys: BTreeSet<String> = BTreeSet::new();
    let numbers: Vec<(String, i32)> = sqlx::query_as(
        "SELECT 'G', number FROM goals WHERE workspace_id = $1 AND id = ANY($2)
         UNION ALL SELECT 'I', number FROM initiatives WHERE workspace_id = $1 AND goal_id = ANY($2)
         UNION ALL SELECT 'K', number FROM key_results WHERE workspace_id = $1 AND goal_id = ANY($2)
         UNION ALL SELECT 'W', number FROM work_items WHERE workspace_id = $1 AND id = ANY($3)",
    )
    .bind(ws)
    .bind(&goal_ids)
    .bind(&works)
    .fetch_all(&mut *conn)
    .await?;
    keys.extend(numbers.into_iter().map(|(k, n)| format!("{k}-{n}")));
    keys.extend(work.iter().map(|w| w.key().to_string()));
    keys.extend(persons.iter().map(|p| person_subject(*p)));

    // Whose load the rules weigh: every item in doing of the leads and of the people doing
    // the scope's work (a share depends on all of a person's items in doing).
    let mut loaded: BTreeSet<PersonId> = persons.iter().copied().collect();
    loaded.extend(initiatives.iter().map(|i| i.lead_id));
    loaded.extend(
        work.iter()
            .filter(|w| w.status == WorkStatus::Doing)
            .map(|w| w.assignee_id),
    );
    let loaded: Vec<PersonId> = loaded.into_iter().collect();
    let have: std::collections::HashSet<WorkId> = work.iter().map(|w| w.id).collect();
    let elsewhere: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items WHERE workspace_id = $1 AND status = 'doing' AND assignee_id = ANY($2)"
    ))
    .bind(ws)
    .bind(&loaded)
    .fetch_all(&mut *conn)
    .await?;
    let elsewhere: Vec<WorkItem> = convert(elsewhere)?;
    work.extend(elsewhere.into_iter().filter(|w| !have.contains(&w.id)));
    work.sort_by_key(|w| w.number);

    let mut named: BTreeSet<PersonId> = loaded.iter().copied().collect();
    named.extend(goals.iter().map(|g| g.owner_id));
    named.extend(work.iter().flat_map(|w| [w.assignee_id, w.created_by]));
    let named: Vec<PersonId> = named.into_iter().collect();
    let people = super::people::by_ids(&mut *conn, ws, &named).await?;
    let onsets: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT rule_key, since FROM rule_onsets WHERE workspace_id = $1")
            .bind(ws)
            .fetch_all(&mut *conn)
            .await?;
    let key_results = super::key_results::facts(&mut *conn, ws, flowing_since, Some(&open)).await?;
    Ok((
        Snapshot {
            people,
            goals,
            initiatives,
            work,
            onsets: onsets.into_iter().collect(),
            key_results,
        },
        keys,
    ))
}
