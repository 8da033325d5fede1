//! What a goal view lists of a goal's open work: the first items of each list with the
//! verdicts stored for them, how many more there are, and the capacity each initiative gets.
//! A goal of two thousand items reads as fast as one of twenty, and a chat message stays short.

use std::collections::HashMap;

use super::model::{INITIATIVE, InitiativeRow, WORK, WorkRow, convert};
use super::{Conn, WorkspaceId};
use crate::domain::*;

/// The open work of one goal as a view lists it.
#[derive(Debug, Default)]
pub struct GoalWork {
    /// Items in doing that are not stalled, by number.
    pub moving: Vec<WorkItem>,
    pub more_moving: usize,
    /// Items blocked or stalled in doing (`true`), then those not started, each by number.
    pub not_moving: Vec<(WorkItem, bool)>,
    pub more_not_moving: usize,
    /// The capacity each of the goal's initiatives gets from the people doing its work.
    pub capacity: HashMap<InitiativeId, f64>,
}

impl GoalWork {
    /// Everyone a listed item names.
    pub fn people(&self) -> Vec<PersonId> {
        self.moving
            .iter()
            .chain(self.not_moving.iter().map(|(w, _)| w))
            .map(|w| w.assignee_id)
            .collect()
    }
}

/// The first `shown` items of each list of `goal`'s open work. Whether an item in doing is
/// stalled is its stored verdict, as the last evaluation left it.
pub async fn goal_work(
    conn: &mut Conn,
    ws: WorkspaceId,
    goal: GoalId,
    shown: usize,
) -> anyhow::Result<GoalWork> {
    // One item in twenty is in doing: these are read whole, the rest counted and cut.
    let doing = with_verdicts(conn, ws, "w.goal_id = $2 AND w.status = 'doing'", goal).await?;
    let waiting: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND goal_id = $2 AND status IN ('todo', 'blocked')
         ORDER BY status = 'todo', number LIMIT $3"
    ))
    .bind(ws)
    .bind(goal)
    .bind(shown as i64)
    .fetch_all(&mut *conn)
    .await?;
    let waiting_count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM work_items
         WHERE workspace_id = $1 AND goal_id = $2 AND status IN ('todo', 'blocked')",
    )
    .bind(ws)
    .bind(goal)
    .fetch_one(&mut *conn)
    .await?;

    let mut moving = Vec::new();
    let mut not_moving: Vec<(WorkItem, bool)> =
        convert(waiting)?.into_iter().map(|w| (w, false)).collect();
    let mut stalled = 0;
    for (w, is_stalled) in doing {
        if is_stalled {
            stalled += 1;
            not_moving.push((w, true));
        } else {
            moving.push(w);
        }
    }
    // What someone must act on (blocked, stalled) before what has not started.
    not_moving.sort_by_key(|(w, _)| (w.status == WorkStatus::Todo, w.number));
    let all_not_moving = waiting_count as usize + stalled;
    not_moving.truncate(shown);
    let more_moving = moving.len().saturating_sub(shown);
    moving.truncate(shown);
    let initiatives = super::model::initiative_ids_of(&mut *conn, ws, &[goal]).await?;
    Ok(GoalWork {
        more_not_moving: all_not_moving - not_moving.len(),
        not_moving,
        more_moving,
        moving,
        capacity: capacity(conn, ws, &initiatives).await?,
    })
}

/// Each initiative's capacity under the sharing rule (`domain::capacity`): an active person's
/// FTE split equally over everything they have in doing, summed where it lies.
async fn capacity(
    conn: &mut Conn,
    ws: WorkspaceId,
    initiatives: &[InitiativeId],
) -> anyhow::Result<HashMap<InitiativeId, f64>> {
    let rows: Vec<(InitiativeId, f64)> = sqlx::query_as(
        "WITH mine AS (
             SELECT initiative_id, assignee_id FROM work_items
             WHERE workspace_id = $1 AND initiative_id = ANY($2) AND status = 'doing'
         ), load AS (
             SELECT assignee_id, count(*)::float8 AS doing FROM work_items
             WHERE workspace_id = $1 AND status = 'doing'
               AND assignee_id IN (SELECT assignee_id FROM mine)
             GROUP BY assignee_id
         )
         SELECT m.initiative_id, sum(p.capacity_fte / l.doing)
         FROM mine m
         JOIN load l ON l.assignee_id = m.assignee_id
         JOIN people p ON p.workspace_id = $1 AND p.id = m.assignee_id AND p.active
         GROUP BY m.initiative_id",
    )
    .bind(ws)
    .bind(initiatives)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The work columns, read from `w`.
fn qualified(columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("w.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything `person` has open, by number, each with whether its stored verdict says stalled.
pub async fn person_work(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
) -> anyhow::Result<Vec<(WorkItem, bool)>> {
    let open = "w.assignee_id = $2 AND w.status IN ('todo', 'doing', 'blocked')";
    with_verdicts(conn, ws, open, person).await
}

/// The items `filter` picks (with `$2` bound to `id`), by number, each with whether its stored
/// verdict says it is stalled in doing.
async fn with_verdicts(
    conn: &mut Conn,
    ws: WorkspaceId,
    filter: &str,
    id: i64,
) -> anyhow::Result<Vec<(WorkItem, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Listed {
        #[sqlx(flatten)]
        work: WorkRow,
        stalled: bool,
    }
    let rows: Vec<Listed> = sqlx::query_as(&format!(
        "SELECT {WORK}, coalesce(w.status = 'doing' AND h.colour IN ('amber', 'red'), false) AS stalled
         FROM work_items w
         LEFT JOIN health h ON h.workspace_id = $1 AND h.subject = 'W-' || w.number
         WHERE w.workspace_id = $1 AND {filter}
         ORDER BY w.number",
        WORK = qualified(WORK)
    ))
    .bind(ws)
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Ok((WorkItem::try_from(r.work)?, r.stalled)))
        .collect()
}

/// The open goals `person` owns, and those of the active initiatives they lead.
pub async fn goals_of(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
) -> anyhow::Result<Vec<GoalId>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM goals WHERE workspace_id = $1 AND owner_id = $2 AND status = 'open'
         UNION SELECT goal_id FROM initiatives WHERE workspace_id = $1 AND lead_id = $2 AND status = 'active'
         ORDER BY 1",
    )
    .bind(ws)
    .bind(person)
    .fetch_all(conn)
    .await?)
}

/// The initiatives with these ids, whatever their state: what a listed item's home reads.
pub async fn initiatives(
    conn: &mut Conn,
    ws: WorkspaceId,
    ids: &[InitiativeId],
) -> anyhow::Result<Vec<Initiative>> {
    let rows: Vec<InitiativeRow> = sqlx::query_as(&format!(
        "SELECT {INITIATIVE} FROM initiatives WHERE workspace_id = $1 AND id = ANY($2) ORDER BY number"
    ))
    .bind(ws)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    convert(rows)
}
