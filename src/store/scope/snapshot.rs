//! The snapshot of a scope: what the rules read to judge what a set of changes can reach.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::{Changes, Reached};
use crate::domain::health::{Health, Snapshot};
use crate::domain::signal::person_subject;
use crate::domain::*;
use crate::store::model::{INITIATIVE, InitiativeRow, WORK, WorkRow, convert};
use crate::store::{Conn, WorkspaceId, signals};

/// What the rules read to judge everything `changes` reach, and the keys (goals, initiatives,
/// work items, key results, people) whose stored health, signals and episodes may change.
///
/// A goal is judged from its direct items, its key results and its initiatives' verdicts:
/// the stored verdicts of the initiatives not judged here. An initiative is judged with all its
/// work. A person's load reaches the initiatives of their items in doing and those they lead;
/// a change of profile reaches everything they own, lead or have open. Whose load a share
/// depends on, their every item in doing is loaded too.
pub async fn snapshot(
    conn: &mut Conn,
    ws: WorkspaceId,
    changes: &Changes,
    (recent_since, flowing_since): (DateTime<Utc>, DateTime<Utc>),
    today: NaiveDate,
) -> anyhow::Result<(Snapshot, BTreeSet<String>)> {
    let persons: Vec<PersonId> = changes
        .loads
        .iter()
        .chain(&changes.people)
        .copied()
        .collect();
    let reached: Reached = sqlx::query_as(
        "SELECT coalesce(array_agg(DISTINCT goal_id) FILTER (WHERE goal_id IS NOT NULL), '{}') AS goals,
                coalesce(array_agg(DISTINCT initiative_id) FILTER (WHERE initiative_id IS NOT NULL), '{}') AS initiatives,
                coalesce(array_agg(DISTINCT work_id) FILTER (WHERE work_id IS NOT NULL), '{}') AS works
         FROM (
             SELECT goal_id, id AS initiative_id, NULL::bigint AS work_id FROM initiatives
                 WHERE workspace_id = $1 AND (id = ANY($2) OR lead_id = ANY($3))
             UNION ALL SELECT goal_id, initiative_id, CASE WHEN goal_id IS NULL THEN id END FROM work_items
                 WHERE workspace_id = $1 AND assignee_id = ANY($3) AND status IN ('todo', 'doing', 'blocked')
                   AND (status = 'doing' OR assignee_id = ANY($4))
             UNION ALL SELECT id, NULL, NULL FROM goals WHERE workspace_id = $1 AND owner_id = ANY($4)
         ) s",
    )
    .bind(ws)
    .bind(&changes.initiatives)
    .bind(&persons)
    .bind(&changes.people)
    .fetch_one(&mut *conn)
    .await?;
    let goal_ids: Vec<GoalId> = union(&changes.goals, &reached.goals);
    let mut judged: Vec<InitiativeId> = union(&changes.initiatives, &reached.initiatives);
    let works: Vec<WorkId> = union(&changes.works, &reached.works);

    // Every open goal, as the full snapshot has them: a notice suggests goals to link to and
    // names the goal of a lead's other work. Those outside the scope keep their stored verdicts.
    let goals: Vec<Goal> = crate::store::model::open_goals(&mut *conn, ws).await?;
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
    let settled = settled(conn, ws, &initiatives, &mut judged).await?;

    // The judged initiatives' items and the goals' direct ones, with every changed item, as
    // the full snapshot has them: open, or lately in doing.
    // Each branch has its index: open items by initiative and by goal, finished ones by goal
    // and time, changed ones by id; a row two branches find is kept once.
    let work: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND initiative_id = ANY($2) AND status IN ('todo', 'doing', 'blocked')
         UNION ALL SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND goal_id = ANY($3) AND initiative_id IS NULL
           AND status IN ('todo', 'doing', 'blocked')
         UNION ALL SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND goal_id = ANY($3) AND doing_ended_at >= $5
           AND status NOT IN ('todo', 'doing', 'blocked')
           AND (initiative_id IS NULL OR initiative_id = ANY($2))
         UNION ALL SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND id = ANY($4)
           AND (status IN ('todo', 'doing', 'blocked') OR doing_ended_at >= $5)"
    ))
    .bind(ws)
    .bind(&judged)
    .bind(&goal_ids)
    .bind(&works)
    .bind(recent_since)
    .fetch_all(&mut *conn)
    .await?;
    let mut work: Vec<WorkItem> = convert(work)?;
    work.sort_by_key(|w| w.number);
    work.dedup_by_key(|w| w.id);

    let mut keys: BTreeSet<String> = BTreeSet::new();
    let numbers: Vec<(String, i32)> = sqlx::query_as(
        "SELECT 'G', number FROM goals WHERE workspace_id = $1 AND id = ANY($2)
         UNION ALL SELECT 'K', number FROM key_results WHERE workspace_id = $1 AND goal_id = ANY($2)
         UNION ALL SELECT 'I', number FROM initiatives WHERE workspace_id = $1 AND id = ANY($3)
         UNION ALL SELECT 'W', number FROM work_items WHERE workspace_id = $1 AND id = ANY($4)",
    )
    .bind(ws)
    .bind(&goal_ids)
    .bind(&judged)
    .bind(&works)
    .fetch_all(&mut *conn)
    .await?;
    keys.extend(numbers.into_iter().map(|(k, n)| format!("{k}-{n}")));
    keys.extend(work.iter().map(|w| w.key().to_string()));
    keys.extend(persons.iter().map(|p| person_subject(*p)));

    // Whose load the rules weigh: every item in doing of the judged initiatives' leads and of
    // the people doing the scope's work (a share depends on all of a person's items in doing).
    let mut loaded: BTreeSet<PersonId> = persons.iter().copied().collect();
    loaded.extend(
        initiatives
            .iter()
            .filter(|i| judged.contains(&i.id))
            .map(|i| i.lead_id),
    );
    loaded.extend(
        work.iter()
            .filter(|w| w.status == WorkStatus::Doing)
            .map(|w| w.assignee_id),
    );
    let loaded: Vec<PersonId> = loaded.into_iter().collect();
    let have: HashSet<WorkId> = work.iter().map(|w| w.id).collect();
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
    named.extend(initiatives.iter().map(|i| i.lead_id));
    named.extend(work.iter().flat_map(|w| [w.assignee_id, w.created_by]));
    let named: Vec<PersonId> = named.into_iter().collect();
    let people = crate::store::people::by_ids(&mut *conn, ws, &named).await?;
    let onsets: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT rule_key, since FROM rule_onsets WHERE workspace_id = $1")
            .bind(ws)
            .fetch_all(&mut *conn)
            .await?;
    // Only a goal past its due date names its open items: the others are not counted.
    let overdue: Vec<GoalId> = goals
        .iter()
        .filter(|g| open.contains(&g.id) && g.due_on.is_some_and(|d| d < today))
        .map(|g| g.id)
        .collect();
    let open_by_goal: Vec<(GoalId, i64)> = if overdue.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT goal_id, count(*) FROM work_items
             WHERE workspace_id = $1 AND goal_id = ANY($2) AND status IN ('todo', 'doing', 'blocked')
             GROUP BY goal_id",
        )
        .bind(ws)
        .bind(&overdue)
        .fetch_all(&mut *conn)
        .await?
    };
    let key_results =
        crate::store::key_results::facts(&mut *conn, ws, flowing_since, Some(&open)).await?;
    Ok((
        Snapshot {
            people,
            goals,
            initiatives,
            work,
            onsets: onsets.into_iter().collect(),
            key_results,
            settled,
            open_by_goal: Some(
                open_by_goal
                    .into_iter()
                    .map(|(g, n)| (g, n as usize))
                    .collect(),
            ),
        },
        keys,
    ))
}

/// The stored verdicts of the active initiatives not judged here; one never judged before
/// joins `judged`.
async fn settled(
    conn: &mut Conn,
    ws: WorkspaceId,
    initiatives: &[Initiative],
    judged: &mut Vec<InitiativeId>,
) -> anyhow::Result<HashMap<InitiativeId, Health>> {
    let others: Vec<&Initiative> = initiatives
        .iter()
        .filter(|i| i.status == InitiativeStatus::Active && !judged.contains(&i.id))
        .collect();
    let keys: Vec<String> = others.iter().map(|i| i.key().to_string()).collect();
    let stored = signals::stored_health(&mut *conn, ws, &keys, false).await?;
    let mut settled = HashMap::new();
    for i in others {
        match stored.get(&i.key().to_string()) {
            Some(h) if h.colour != Colour::None => {
                settled.insert(i.id, h.clone());
            }
            _ => judged.push(i.id),
        }
    }
    Ok(settled)
}

fn union(a: &[i64], b: &[i64]) -> Vec<i64> {
    let mut all: Vec<i64> = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}
