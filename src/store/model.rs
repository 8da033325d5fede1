//! Goals, initiatives and work items.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::{Conn, WorkspaceId, decode};
use crate::domain::health::Snapshot;
use crate::domain::*;

#[derive(FromRow)]
pub(super) struct GoalRow {
    id: i64,
    number: i32,
    title: String,
    owner_id: i64,
    rank: i32,
    due_on: Option<NaiveDate>,
    status: String,
    created_at: DateTime<Utc>,
    status_changed_at: DateTime<Utc>,
}

impl TryFrom<GoalRow> for Goal {
    type Error = anyhow::Error;
    fn try_from(r: GoalRow) -> anyhow::Result<Goal> {
        Ok(Goal {
            id: r.id,
            number: r.number,
            title: r.title,
            owner_id: r.owner_id,
            rank: r.rank,
            due_on: r.due_on,
            status: decode(&r.status, GoalStatus::parse, "goal status")?,
            created_at: r.created_at,
            status_changed_at: r.status_changed_at,
        })
    }
}

#[derive(FromRow)]
pub(super) struct InitiativeRow {
    id: i64,
    number: i32,
    goal_id: i64,
    title: String,
    lead_id: i64,
    plan_fte: f64,
    due_on: Option<NaiveDate>,
    status: String,
    created_at: DateTime<Utc>,
    status_changed_at: DateTime<Utc>,
}

impl TryFrom<InitiativeRow> for Initiative {
    type Error = anyhow::Error;
    fn try_from(r: InitiativeRow) -> anyhow::Result<Initiative> {
        Ok(Initiative {
            id: r.id,
            number: r.number,
            goal_id: r.goal_id,
            title: r.title,
            lead_id: r.lead_id,
            plan_fte: r.plan_fte,
            due_on: r.due_on,
            status: decode(&r.status, InitiativeStatus::parse, "initiative status")?,
            created_at: r.created_at,
            status_changed_at: r.status_changed_at,
        })
    }
}

#[derive(FromRow)]
pub(super) struct WorkRow {
    id: i64,
    number: i32,
    title: String,
    goal_id: Option<i64>,
    initiative_id: Option<i64>,
    unaligned_reason: Option<String>,
    assignee_id: i64,
    created_by: i64,
    status: String,
    blocker: Option<String>,
    url: Option<String>,
    created_at: DateTime<Utc>,
    last_activity_at: DateTime<Utc>,
    doing_ended_at: Option<DateTime<Utc>>,
}

impl TryFrom<WorkRow> for WorkItem {
    type Error = anyhow::Error;
    fn try_from(r: WorkRow) -> anyhow::Result<WorkItem> {
        Ok(WorkItem {
            id: r.id,
            number: r.number,
            title: r.title,
            goal_id: r.goal_id,
            initiative_id: r.initiative_id,
            unaligned_reason: r.unaligned_reason,
            assignee_id: r.assignee_id,
            created_by: r.created_by,
            status: decode(&r.status, WorkStatus::parse, "work status")?,
            blocker: r.blocker,
            url: r.url,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
            doing_ended_at: r.doing_ended_at,
        })
    }
}

pub(super) const GOAL: &str =
    "id, number, title, owner_id, rank, due_on, status, created_at, status_changed_at";
pub(super) const INITIATIVE: &str =
    "id, number, goal_id, title, lead_id, plan_fte, due_on, status, created_at, status_changed_at";
pub(super) const WORK: &str = "id, number, title, goal_id, initiative_id, unaligned_reason, assignee_id, created_by, status, blocker, \
                    url, created_at, last_activity_at, doing_ended_at";

pub(super) fn convert<R, T: TryFrom<R, Error = anyhow::Error>>(
    rows: Vec<R>,
) -> anyhow::Result<Vec<T>> {
    rows.into_iter().map(T::try_from).collect()
}

// ---- goals

pub async fn goal(conn: &mut Conn, ws: WorkspaceId, number: i32) -> anyhow::Result<Option<Goal>> {
    let row: Option<GoalRow> = sqlx::query_as(&format!(
        "SELECT {GOAL} FROM goals WHERE workspace_id = $1 AND number = $2"
    ))
    .bind(ws)
    .bind(number)
    .fetch_optional(conn)
    .await?;
    row.map(Goal::try_from).transpose()
}

pub async fn goal_by_id(conn: &mut Conn, ws: WorkspaceId, id: GoalId) -> anyhow::Result<Goal> {
    let row: GoalRow = sqlx::query_as(&format!(
        "SELECT {GOAL} FROM goals WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(ws)
    .bind(id)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Open goals, top rank first.
pub async fn open_goals(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Vec<Goal>> {
    let rows: Vec<GoalRow> = sqlx::query_as(&format!(
        "SELECT {GOAL} FROM goals WHERE workspace_id = $1 AND status = 'open' ORDER BY rank, number"
    ))
    .bind(ws)
    .fetch_all(conn)
    .await?;
    convert(rows)
}

/// Open goals ranked `top_ranks` or better.
pub async fn top_goal_ids(
    conn: &mut Conn,
    ws: WorkspaceId,
    top_ranks: i32,
) -> anyhow::Result<Vec<GoalId>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM goals WHERE workspace_id = $1 AND status = 'open' AND rank <= $2",
    )
    .bind(ws)
    .bind(top_ranks)
    .fetch_all(conn)
    .await?)
}

/// The ids of the initiatives of `goals`, whatever their state.
pub async fn initiative_ids_of(
    conn: &mut Conn,
    ws: WorkspaceId,
    goals: &[GoalId],
) -> anyhow::Result<Vec<InitiativeId>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM initiatives WHERE workspace_id = $1 AND goal_id = ANY($2)",
    )
    .bind(ws)
    .bind(goals)
    .fetch_all(conn)
    .await?)
}

/// The capacity in use (of active people with work in doing) and the part of it that goes to
/// no goal, by the sharing rule of `domain::capacity`, summed by the database.
pub async fn capacity_totals(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<(f64, f64)> {
    Ok(sqlx::query_as(
        "SELECT coalesce(sum(p.capacity_fte * d.unaligned / d.doing), 0),
                coalesce(sum(p.capacity_fte), 0)
         FROM (SELECT assignee_id, count(*)::float8 AS doing,
                      count(*) FILTER (WHERE goal_id IS NULL)::float8 AS unaligned
               FROM work_items WHERE workspace_id = $1 AND status = 'doing' GROUP BY assignee_id) d
         JOIN people p ON p.workspace_id = $1 AND p.id = d.assignee_id AND p.active",
    )
    .bind(ws)
    .fetch_one(conn)
    .await?)
}

pub struct NewGoal<'a> {
    pub number: i32,
    pub title: &'a str,
    pub owner: PersonId,
    pub rank: i32,
    pub due_on: Option<NaiveDate>,
    pub created_by: PersonId,
}

pub async fn insert_goal(
    conn: &mut Conn,
    ws: WorkspaceId,
    g: NewGoal<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Goal> {
    let row: GoalRow = sqlx::query_as(&format!(
        "INSERT INTO goals (workspace_id, number, title, owner_id, rank, due_on, created_by, created_at, updated_at,
                            status_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING {GOAL}"
    ))
    .bind(ws)
    .bind(g.number)
    .bind(g.title)
    .bind(g.owner)
    .bind(g.rank)
    .bind(g.due_on)
    .bind(g.created_by)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn set_goal_owner(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: GoalId,
    owner: PersonId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE goals SET owner_id = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(owner)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_goal_rank(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: GoalId,
    rank: i32,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE goals SET rank = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(rank)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn close_goal(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: GoalId,
    status: GoalStatus,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE goals SET status = $3, close_note = $4, updated_at = $5, status_changed_at = $5
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(status.as_str())
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- initiatives

pub async fn initiative(
    conn: &mut Conn,
    ws: WorkspaceId,
    number: i32,
) -> anyhow::Result<Option<Initiative>> {
    let row: Option<InitiativeRow> = sqlx::query_as(&format!(
        "SELECT {INITIATIVE} FROM initiatives WHERE workspace_id = $1 AND number = $2"
    ))
    .bind(ws)
    .bind(number)
    .fetch_optional(conn)
    .await?;
    row.map(Initiative::try_from).transpose()
}

pub async fn initiatives_of(
    conn: &mut Conn,
    ws: WorkspaceId,
    goal: GoalId,
) -> anyhow::Result<Vec<Initiative>> {
    let rows: Vec<InitiativeRow> = sqlx::query_as(&format!(
        "SELECT {INITIATIVE} FROM initiatives WHERE workspace_id = $1 AND goal_id = $2 ORDER BY number"
    ))
    .bind(ws)
    .bind(goal)
    .fetch_all(conn)
    .await?;
    convert(rows)
}

pub struct NewInitiative<'a> {
    pub number: i32,
    pub goal: GoalId,
    pub title: &'a str,
    pub lead: PersonId,
    pub plan_fte: f64,
    pub due_on: Option<NaiveDate>,
    pub created_by: PersonId,
}

pub async fn insert_initiative(
    conn: &mut Conn,
    ws: WorkspaceId,
    i: NewInitiative<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Initiative> {
    let row: InitiativeRow = sqlx::query_as(&format!(
        "INSERT INTO initiatives (workspace_id, number, goal_id, title, lead_id, plan_fte, due_on, created_by,
                                  created_at, updated_at, status_changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9) RETURNING {INITIATIVE}"
    ))
    .bind(ws)
    .bind(i.number)
    .bind(i.goal)
    .bind(i.title)
    .bind(i.lead)
    .bind(i.plan_fte)
    .bind(i.due_on)
    .bind(i.created_by)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

pub async fn set_initiative_status(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: InitiativeId,
    status: InitiativeStatus,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE initiatives SET status = $3, updated_at = $4, status_changed_at = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(status.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- work items

pub async fn work(
    conn: &mut Conn,
    ws: WorkspaceId,
    number: i32,
) -> anyhow::Result<Option<WorkItem>> {
    let row: Option<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items WHERE workspace_id = $1 AND number = $2"
    ))
    .bind(ws)
    .bind(number)
    .fetch_optional(conn)
    .await?;
    row.map(WorkItem::try_from).transpose()
}

/// Open work items of the workspace, oldest first.
pub async fn open_work(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Vec<WorkItem>> {
    let rows: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items WHERE workspace_id = $1 AND status IN ('todo', 'doing', 'blocked') ORDER BY number"
    ))
    .bind(ws)
    .fetch_all(conn)
    .await?;
    convert(rows)
}

pub struct NewWork<'a> {
    pub number: i32,
    pub title: &'a str,
    pub goal: Option<GoalId>,
    pub initiative: Option<InitiativeId>,
    pub unaligned_reason: Option<&'a str>,
    pub assignee: PersonId,
    pub url: Option<&'a str>,
    pub created_by: PersonId,
}

pub async fn insert_work(
    conn: &mut Conn,
    ws: WorkspaceId,
    w: NewWork<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<WorkItem> {
    let row: WorkRow = sqlx::query_as(&format!(
        "INSERT INTO work_items (workspace_id, number, title, goal_id, initiative_id, unaligned_reason, assignee_id, url,
                                 created_by, created_at, updated_at, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10) RETURNING {WORK}"
    ))
    .bind(ws)
    .bind(w.number)
    .bind(w.title)
    .bind(w.goal)
    .bind(w.initiative)
    .bind(w.unaligned_reason)
    .bind(w.assignee)
    .bind(w.url)
    .bind(w.created_by)
    .bind(now)
    .fetch_one(conn)
    .await?;
    row.try_into()
}

/// Moves a work item to `status`, recording activity; leaving `doing` stamps `doing_ended_at`.
pub async fn set_work_status(
    conn: &mut Conn,
    ws: WorkspaceId,
    w: &WorkItem,
    status: WorkStatus,
    blocker: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let doing_ended_at = if w.status == WorkStatus::Doing && status != WorkStatus::Doing {
        Some(now)
    } else {
        w.doing_ended_at
    };
    sqlx::query(
        "UPDATE work_items SET status = $3, blocker = $4, doing_ended_at = $5, updated_at = $6, last_activity_at = $6
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(w.id)
    .bind(status.as_str())
    .bind(blocker)
    .bind(doing_ended_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_work_home(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: WorkId,
    goal: GoalId,
    initiative: Option<InitiativeId>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE work_items SET goal_id = $3, initiative_id = $4, unaligned_reason = NULL, updated_at = $5,
                last_activity_at = $5
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(goal)
    .bind(initiative)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_work_assignee(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: WorkId,
    who: PersonId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE work_items SET assignee_id = $3, updated_at = $4, last_activity_at = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(who)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records activity without changing anything else (a progress note, "still on it").
pub async fn touch_work(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: WorkId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE work_items SET updated_at = $3, last_activity_at = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- the whole picture, for the health rules

/// `recent_since`: how far back closed work still counts; `flowing_since`: the window in which
/// finished work means a goal's work is flowing (for key results that do not move).
pub async fn snapshot(
    conn: &mut Conn,
    ws: WorkspaceId,
    recent_since: DateTime<Utc>,
    flowing_since: DateTime<Utc>,
) -> anyhow::Result<Snapshot> {
    let people = super::people::all(&mut *conn, ws).await?;
    let goals = open_goals(&mut *conn, ws).await?;
    let initiatives: Vec<InitiativeRow> = sqlx::query_as(&format!(
        "SELECT {INITIATIVE} FROM initiatives i
         WHERE workspace_id = $1
           AND EXISTS (SELECT 1 FROM goals g WHERE g.workspace_id = i.workspace_id AND g.id = i.goal_id AND g.status = 'open')
         ORDER BY number"
    ))
    .bind(ws)
    .fetch_all(&mut *conn)
    .await?;
    let work: Vec<WorkRow> = sqlx::query_as(&format!(
        "SELECT {WORK} FROM work_items
         WHERE workspace_id = $1 AND (status IN ('todo', 'doing', 'blocked') OR doing_ended_at >= $2)
         ORDER BY number"
    ))
    .bind(ws)
    .bind(recent_since)
    .fetch_all(&mut *conn)
    .await?;
    let onsets: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT rule_key, since FROM rule_onsets WHERE workspace_id = $1")
            .bind(ws)
            .fetch_all(&mut *conn)
            .await?;
    let key_results = super::key_results::facts(&mut *conn, ws, flowing_since, None).await?;
    Ok(Snapshot {
        people,
        goals,
        initiatives: convert(initiatives)?,
        work: convert(work)?,
        onsets: onsets.into_iter().collect(),
        key_results,
        settled: Default::default(),
        open_by_goal: None,
    })
}

/// Keeps the onsets of the rules that hold now, from when they started; forgets the rest.
/// Within `scope` (rule keys end with their subject: `all_troubled:I-1`), when given.
pub async fn save_onsets(
    conn: &mut Conn,
    ws: WorkspaceId,
    holding: &[String],
    scope: Option<&[String]>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "DELETE FROM rule_onsets WHERE workspace_id = $1 AND NOT (rule_key = ANY($2))
           AND ($3::text[] IS NULL OR split_part(rule_key, ':', 2) IN (SELECT unnest($3::text[])))",
    )
    .bind(ws)
    .bind(holding)
    .bind(scope)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO rule_onsets (workspace_id, rule_key, since) SELECT $1, k, $3 FROM unnest($2::text[]) k
         ON CONFLICT DO NOTHING",
    )
    .bind(ws)
    .bind(holding)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
