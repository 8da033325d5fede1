//! The append-only audit trail.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::FromRow;

use super::{Conn, WorkspaceId};
use crate::domain::PersonId;

pub struct NewEvent<'a> {
    pub actor: Option<PersonId>,
    pub subject: &'a str,
    pub action: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub note: Option<&'a str>,
}

pub async fn record(
    conn: &mut Conn,
    ws: WorkspaceId,
    e: NewEvent<'_>,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO events (workspace_id, at, actor_id, subject, action, before, after, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ws)
    .bind(at)
    .bind(e.actor)
    .bind(e.subject)
    .bind(e.action)
    .bind(e.before)
    .bind(e.after)
    .bind(e.note)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub subject: String,
    pub action: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub note: Option<String>,
}

pub async fn history(
    conn: &mut Conn,
    ws: WorkspaceId,
    subject: &str,
    limit: i64,
) -> anyhow::Result<Vec<EventRow>> {
    let mut rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.at, p.handle AS actor, e.subject, e.action, e.before, e.after, e.note
         FROM events e LEFT JOIN people p ON p.workspace_id = e.workspace_id AND p.id = e.actor_id
         WHERE e.workspace_id = $1 AND e.subject = $2
         ORDER BY e.id DESC LIMIT $3",
    )
    .bind(ws)
    .bind(subject)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.reverse();
    Ok(rows)
}

/// Health changes and new causes of goals since `since`, oldest first: the digest's
/// "what changed, and why".
pub async fn colour_changes(
    conn: &mut Conn,
    ws: WorkspaceId,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<EventRow>> {
    Ok(sqlx::query_as(
        "SELECT e.at, NULL::text AS actor, e.subject, e.action, e.before, e.after, e.note
         FROM events e
         WHERE e.workspace_id = $1 AND e.action IN ('health', 'new cause') AND e.subject LIKE 'G-%' AND e.at >= $2
         ORDER BY e.id",
    )
    .bind(ws)
    .bind(since)
    .fetch_all(conn)
    .await?)
}
