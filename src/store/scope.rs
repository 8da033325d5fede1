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

/// Forgets the recorded changes: a full evaluation covers them all.
pub async fn clear(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM changes WHERE workspace_id = $1")
        .bind(ws)
        .execute(conn)
        .await?;
    Ok(())
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
    let have: Vec<i64> = work.iter().map(|w| w.id).collect();
    let elsewhere: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND status = 'doing' AND assignee_id = ANY($2) AND NOT id = ANY($3)"
    ))
    .bind(ws)
    .bind(&loaded)
    .bind(&have)
    .fetch_all(&mut *conn)
    .await?;
    work.extend(convert::<WorkRow, WorkItem>(elsewhere)?);
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
