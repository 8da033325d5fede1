//! Episodes: one subject away from green, as one person hears it (see migration 0008).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;

use super::{Conn, WorkspaceId, decode};
use crate::domain::{Colour, PersonId};

#[derive(Debug, Clone, FromRow)]
pub struct EpisodeRow {
    pub id: i64,
    pub subject: String,
    pub person_id: PersonId,
    pub colour: String,
    pub causes: Json<BTreeMap<String, String>>,
    pub started_at: DateTime<Utc>,
    pub announced_at: Option<DateTime<Utc>>,
    pub pushed_at: Option<DateTime<Utc>>,
    pub pending_since: Option<DateTime<Utc>>,
    pub red_posted: bool,
    pub post_id: Option<i64>,
    /// The state of its first message's outbox row, if it has one.
    pub post_state: Option<String>,
}

impl EpisodeRow {
    pub fn colour(&self) -> anyhow::Result<Colour> {
        decode(&self.colour, Colour::parse, "episode colour")
    }

    /// Its first message is on its way or arrived: later changes edit it.
    pub fn heard(&self) -> bool {
        matches!(self.post_state.as_deref(), Some("queued" | "delivered"))
    }

    pub fn delivered(&self) -> bool {
        self.post_state.as_deref() == Some("delivered")
    }
}

/// Open episodes, about `subjects` only when given.
pub async fn open(
    conn: &mut Conn,
    ws: WorkspaceId,
    subjects: Option<&[String]>,
) -> anyhow::Result<Vec<EpisodeRow>> {
    const OPEN: &str =
        "SELECT e.id, e.subject, e.person_id, e.colour, e.causes, e.started_at, e.announced_at,
                e.pushed_at, e.pending_since, e.red_posted, e.post_id, o.state AS post_state
         FROM episodes e
         LEFT JOIN outbox o ON o.workspace_id = e.workspace_id AND o.id = e.post_id
         WHERE e.workspace_id = $1 AND e.ended_at IS NULL";
    // Two statements, so that a prepared plan for a few subjects always takes their index.
    let rows = match subjects {
        Some(subjects) => {
            sqlx::query_as(&format!("{OPEN} AND e.subject = ANY($2) ORDER BY e.id"))
                .bind(ws)
                .bind(subjects)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query_as(&format!("{OPEN} ORDER BY e.id"))
                .bind(ws)
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows)
}

pub struct NewEpisode<'a> {
    pub subject: &'a str,
    pub person: PersonId,
    pub goal: Option<&'a str>,
    pub colour: Colour,
    pub causes: &'a BTreeMap<String, String>,
}

pub async fn start(
    conn: &mut Conn,
    ws: WorkspaceId,
    e: NewEpisode<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO episodes (workspace_id, subject, person_id, goal_subject, colour, causes, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(ws)
    .bind(e.subject)
    .bind(e.person)
    .bind(e.goal)
    .bind(e.colour.as_str())
    .bind(Json(e.causes))
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Records what its person now knows: the colour and causes they were told (news no longer waits).
pub async fn update(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    colour: Colour,
    causes: &BTreeMap<String, String>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE episodes SET colour = $3, causes = $4, pending_since = NULL WHERE workspace_id = $1 AND id = $2",
    )
        .bind(ws)
        .bind(id)
        .bind(colour.as_str())
        .bind(Json(causes))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the episode's first message was queued as outbox row `post`.
pub async fn announced(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    post: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE episodes SET post_id = $3, announced_at = COALESCE(announced_at, $4), pushed_at = $4,
                message_ref = NULL
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(post)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// News caused by time starts (`Some`) or stops (`None`) waiting to settle.
pub async fn pending(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE episodes SET pending_since = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(since)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn pushed(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE episodes SET pushed_at = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn red_posted(conn: &mut Conn, ws: WorkspaceId, id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE episodes SET red_posted = true WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn end(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE episodes SET ended_at = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops the episode's messages that have not gone out yet (`ops`: which kinds), because a
/// newer one supersedes them or the episode is over. Returns how many were dropped.
pub async fn drop_queued(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    ops: &[&str],
    why: &str,
) -> anyhow::Result<u64> {
    Ok(sqlx::query(
        "UPDATE outbox SET state = 'dropped', held_reason = $4, locked_until = NULL
         WHERE workspace_id = $1 AND episode_id = $2 AND state = 'queued' AND op = ANY($3)",
    )
    .bind(ws)
    .bind(id)
    .bind(ops)
    .bind(why)
    .execute(conn)
    .await?
    .rows_affected())
}
