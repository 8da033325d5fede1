//! The notification outbox: queued in the cause's transaction, claimed with SKIP LOCKED.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;
use sqlx::types::Json;

use super::{Conn, WorkspaceId};
use crate::domain::PersonId;
use crate::message::Message;

#[derive(Debug, Clone, PartialEq)]
pub enum Recipient {
    Person(PersonId),
    Channel(String),
}

pub struct NewNotification<'a> {
    /// Identifies the notification's cause: queuing the same key twice is a no-op.
    pub dedupe_key: String,
    pub to: Recipient,
    /// The key the notification is about (for snoozes and acknowledgements).
    pub about: Option<&'a str>,
    pub message: &'a Message,
    pub needs_ack: bool,
    /// Why it is held back instead of delivered (snoozed, over the daily cap).
    pub held: Option<&'a str>,
}

/// Queues a notification; returns false when one with the same key already exists.
pub async fn enqueue(
    conn: &mut Conn,
    ws: WorkspaceId,
    n: NewNotification<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let (person, channel) = match &n.to {
        Recipient::Person(p) => (Some(*p), None),
        Recipient::Channel(c) => (None, Some(c.as_str())),
    };
    let inserted = sqlx::query(
        "INSERT INTO outbox (workspace_id, dedupe_key, person_id, channel, about, message, needs_ack, state, held_reason,
                             created_at, available_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (workspace_id, dedupe_key) DO NOTHING",
    )
    .bind(ws)
    .bind(&n.dedupe_key)
    .bind(person)
    .bind(channel)
    .bind(n.about)
    .bind(Json(n.message))
    .bind(n.needs_ack)
    .bind(if n.held.is_some() { "held" } else { "queued" })
    .bind(n.held)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Direct messages owed to a person since `since`, held ones excluded: the daily cap counts these.
pub async fn dms_since(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    since: DateTime<Utc>,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM outbox
         WHERE workspace_id = $1 AND person_id = $2 AND created_at >= $3 AND state IN ('queued', 'delivered')",
    )
    .bind(ws)
    .bind(person)
    .bind(since)
    .fetch_one(conn)
    .await?)
}

pub async fn snoozed_until(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    subject: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT until FROM snoozes WHERE workspace_id = $1 AND person_id = $2 AND subject = $3 AND until > $4",
    )
    .bind(ws)
    .bind(person)
    .bind(subject)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

pub async fn snooze(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    subject: &str,
    until: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO snoozes (workspace_id, person_id, subject, until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, person_id, subject) DO UPDATE SET until = EXCLUDED.until",
    )
    .bind(ws)
    .bind(person)
    .bind(subject)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a person's alerts about `subject` as seen; returns how many there were.
pub async fn acknowledge(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    subject: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    Ok(sqlx::query(
        "UPDATE outbox SET acknowledged_at = $4
         WHERE workspace_id = $1 AND person_id = $2 AND about = $3 AND needs_ack AND acknowledged_at IS NULL",
    )
    .bind(ws)
    .bind(person)
    .bind(subject)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected())
}

#[derive(Debug, Clone, FromRow)]
pub struct Ignored {
    pub handle: String,
    pub about: String,
    pub first_alert: DateTime<Utc>,
}

/// Alerts that needed an acknowledgement and got none within `grace`, grouped by person and subject.
pub async fn ignored(
    conn: &mut Conn,
    ws: WorkspaceId,
    older_than: DateTime<Utc>,
) -> anyhow::Result<Vec<Ignored>> {
    Ok(sqlx::query_as(
        "SELECT p.handle, o.about, min(o.created_at) AS first_alert
         FROM outbox o JOIN people p ON p.workspace_id = o.workspace_id AND p.id = o.person_id
         WHERE o.workspace_id = $1 AND o.needs_ack AND o.acknowledged_at IS NULL AND o.state = 'delivered'
           AND o.created_at <= $2 AND o.about IS NOT NULL
           AND EXISTS (SELECT 1 FROM health h WHERE h.workspace_id = o.workspace_id AND h.subject = o.about
                       AND h.colour IN ('amber', 'red'))
         GROUP BY p.handle, o.about ORDER BY o.about, p.handle",
    )
    .bind(ws)
    .bind(older_than)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub workspace_id: WorkspaceId,
    pub id: i64,
    pub dedupe_key: String,
    pub platform: String,
    pub workspace_external_id: String,
    pub person_external_id: Option<String>,
    pub person_handle: Option<String>,
    pub channel: Option<String>,
    pub message: Json<Message>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
}

/// Claims up to `limit` due notifications for `lease`; a crashed claimer's rows come back after it.
pub async fn claim(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> anyhow::Result<Vec<Claimed>> {
    Ok(sqlx::query_as(
        "WITH due AS (
             SELECT workspace_id, id FROM outbox
             WHERE state = 'queued' AND available_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
             ORDER BY available_at, id LIMIT $3
             FOR UPDATE SKIP LOCKED
         ), claimed AS (
             UPDATE outbox o SET locked_until = $2, attempts = o.attempts + 1
             FROM due WHERE o.workspace_id = due.workspace_id AND o.id = due.id
             RETURNING o.workspace_id, o.id, o.dedupe_key, o.person_id, o.channel, o.message, o.attempts, o.created_at
         )
         SELECT c.workspace_id, c.id, c.dedupe_key, w.platform, w.external_id AS workspace_external_id,
                p.external_id AS person_external_id, p.handle AS person_handle, c.channel, c.message, c.attempts,
                c.created_at
         FROM claimed c
         JOIN workspaces w ON w.id = c.workspace_id
         LEFT JOIN people p ON p.workspace_id = c.workspace_id AND p.id = c.person_id
         ORDER BY c.created_at, c.id",
    )
    .bind(now)
    .bind(now + lease)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn delivered(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET state = 'delivered', delivered_at = $3, locked_until = NULL, last_error = NULL
         WHERE workspace_id = $1 AND id = $2 AND state = 'queued'",
    )
    .bind(ws)
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn retry_at(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET available_at = $3, locked_until = NULL, last_error = $4
         WHERE workspace_id = $1 AND id = $2 AND state = 'queued'",
    )
    .bind(ws)
    .bind(id)
    .bind(at)
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn give_up(conn: &mut Conn, ws: WorkspaceId, id: i64, error: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET state = 'failed', locked_until = NULL, last_error = $3
         WHERE workspace_id = $1 AND id = $2 AND state = 'queued'",
    )
    .bind(ws)
    .bind(id)
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}
