//! The notification outbox: queued in the cause's transaction, claimed with SKIP LOCKED.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;
use sqlx::types::Json;

use super::{Conn, WorkspaceId};
use crate::domain::PersonId;
use crate::message::{Message, MessageRef, Op};

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
    pub op: Op,
    /// The episode whose message this posts, edits or replies to.
    pub episode: Option<i64>,
    /// Not before this moment (the recipient's working hours, for what time causes).
    pub available_at: DateTime<Utc>,
    /// `person` or `time`: what brought it about.
    pub caused_by: &'static str,
}

impl<'a> NewNotification<'a> {
    /// A plain new message, owed at once because of what a person did.
    pub fn now(
        dedupe_key: String,
        to: Recipient,
        message: &'a Message,
        now: DateTime<Utc>,
    ) -> Self {
        NewNotification {
            dedupe_key,
            to,
            about: None,
            message,
            needs_ack: false,
            held: None,
            op: Op::Post,
            episode: None,
            available_at: now,
            caused_by: "person",
        }
    }
}

/// Queues a notification; returns its id, or `None` when one with the same key already exists.
pub async fn enqueue(
    conn: &mut Conn,
    ws: WorkspaceId,
    n: NewNotification<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<i64>> {
    let (person, channel) = match &n.to {
        Recipient::Person(p) => (Some(*p), None),
        Recipient::Channel(c) => (None, Some(c.as_str())),
    };
    if let Some(reason) = n.held {
        metrics::counter!("throughline_dms_held_total", "reason" => reason.to_string())
            .increment(1);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (workspace_id, dedupe_key, person_id, channel, about, message, needs_ack, state, held_reason,
                             created_at, available_at, op, episode_id, caused_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (workspace_id, dedupe_key) DO NOTHING RETURNING id",
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
    .bind(n.available_at.max(now))
    .bind(n.op.as_str())
    .bind(n.episode)
    .bind(n.caused_by)
    .fetch_optional(conn)
    .await?)
}

/// Per episode, its newest threaded line still waiting to go out: outbox row and message.
pub async fn waiting_replies(
    conn: &mut Conn,
    ws: WorkspaceId,
    episodes: &[i64],
    now: DateTime<Utc>,
) -> anyhow::Result<HashMap<i64, (i64, Message)>> {
    if episodes.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64, Json<Message>)> = sqlx::query_as(
        "SELECT DISTINCT ON (episode_id) episode_id, id, message FROM outbox
         WHERE workspace_id = $1 AND episode_id = ANY($2) AND op = 'reply' AND state = 'queued'
           AND available_at > $3
         ORDER BY episode_id, id DESC",
    )
    .bind(ws)
    .bind(episodes)
    .bind(now)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(ep, id, m)| (ep, (id, m.0)))
        .collect())
}

/// Rewrites a first message that has not gone out yet, so it goes out as things stand;
/// `at` brings it forward.
pub async fn replace_queued(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    message: &Message,
    at: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET message = $3, available_at = LEAST(available_at, COALESCE($4, available_at))
         WHERE workspace_id = $1 AND id = $2 AND state = 'queued'",
    )
    .bind(ws)
    .bind(id)
    .bind(Json(message))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Direct messages that ping a person since `since` (edits do not), held ones excluded: the
/// daily cap counts these.
pub async fn dms_since(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    since: DateTime<Utc>,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM outbox
         WHERE workspace_id = $1 AND person_id = $2 AND created_at >= $3 AND state IN ('queued', 'delivered')
           AND op <> 'edit'",
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
    pub op: String,
    pub episode_id: Option<i64>,
    /// Where the episode's first message landed (for edits and replies).
    pub episode_ref: Option<Json<MessageRef>>,
}

/// Claims up to `limit` due notifications for `lease`; a crashed claimer's rows come back after it.
pub async fn claim(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
    platforms: Option<&[String]>,
) -> anyhow::Result<Vec<Claimed>> {
    Ok(sqlx::query_as(
        "WITH due AS (
             SELECT workspace_id, id FROM outbox
             WHERE state = 'queued' AND available_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
               -- An edit or a threaded line waits until its episode's first message has landed.
               AND (op = 'post' OR EXISTS (SELECT 1 FROM episodes e WHERE e.workspace_id = outbox.workspace_id
                                           AND e.id = outbox.episode_id AND e.message_ref IS NOT NULL))
               AND ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM workspaces w WHERE w.id = outbox.workspace_id
                                                  AND w.platform = ANY($4)))
             ORDER BY available_at, id LIMIT $3
             FOR UPDATE SKIP LOCKED
         ), claimed AS (
             UPDATE outbox o SET locked_until = $2, attempts = o.attempts + 1
             FROM due WHERE o.workspace_id = due.workspace_id AND o.id = due.id
             RETURNING o.workspace_id, o.id, o.dedupe_key, o.person_id, o.channel, o.message, o.attempts, o.created_at,
                       o.op, o.episode_id
         )
         SELECT c.workspace_id, c.id, c.dedupe_key, w.platform, w.external_id AS workspace_external_id,
                p.external_id AS person_external_id, p.handle AS person_handle, c.channel, c.message, c.attempts,
                c.created_at, c.op, c.episode_id, e.message_ref AS episode_ref
         FROM claimed c
         JOIN workspaces w ON w.id = c.workspace_id
         LEFT JOIN people p ON p.workspace_id = c.workspace_id AND p.id = c.person_id
         LEFT JOIN episodes e ON e.workspace_id = c.workspace_id AND e.id = c.episode_id
         ORDER BY c.id",
    )
    .bind(now)
    .bind(now + lease)
    .bind(limit)
    .bind(platforms)
    .fetch_all(conn)
    .await?)
}

/// Marks a notification delivered; a first message's landing place goes to its episode.
pub async fn delivered(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    landed: Option<&MessageRef>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "WITH done AS (
             UPDATE outbox SET state = 'delivered', delivered_at = $3, locked_until = NULL, last_error = NULL,
                               message_ref = $4
             WHERE workspace_id = $1 AND id = $2 AND state = 'queued'
             RETURNING workspace_id, id, op, episode_id
         )
         UPDATE episodes e SET message_ref = $4 FROM done
         WHERE done.op = 'post' AND e.workspace_id = done.workspace_id AND e.id = done.episode_id
           AND e.post_id = done.id",
    )
    .bind(ws)
    .bind(id)
    .bind(now)
    .bind(landed.map(Json))
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

/// Hands claimed rows back untouched, due at once: a stopping dispatcher never sent them.
pub async fn release(conn: &mut Conn, rows: &[(WorkspaceId, i64)]) -> anyhow::Result<()> {
    let (workspaces, ids): (Vec<WorkspaceId>, Vec<i64>) = rows.iter().copied().unzip();
    sqlx::query(
        "UPDATE outbox o SET locked_until = NULL, attempts = o.attempts - 1
         FROM UNNEST($1::bigint[], $2::bigint[]) AS r(workspace_id, id)
         WHERE o.workspace_id = r.workspace_id AND o.id = r.id AND o.state = 'queued'",
    )
    .bind(&workspaces)
    .bind(&ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts a claimed row off until `at` without counting an attempt: its channel is resting.
pub async fn postpone(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE outbox SET locked_until = NULL, attempts = attempts - 1, available_at = $3
         WHERE workspace_id = $1 AND id = $2 AND state = 'queued'",
    )
    .bind(ws)
    .bind(id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up on a notification; a first message that never landed takes its episode's
/// edits and threaded lines with it, since they have nothing to attach to.
pub async fn give_up(conn: &mut Conn, ws: WorkspaceId, id: i64, error: &str) -> anyhow::Result<()> {
    sqlx::query(
        "WITH failed AS (
             UPDATE outbox SET state = 'failed', locked_until = NULL, last_error = $3
             WHERE workspace_id = $1 AND id = $2 AND state = 'queued'
             RETURNING workspace_id, op, episode_id
         )
         UPDATE outbox o SET state = 'failed', last_error = 'its first message was not delivered'
         FROM failed
         WHERE failed.op = 'post' AND o.workspace_id = failed.workspace_id AND o.episode_id = failed.episode_id
           AND o.op <> 'post' AND o.state = 'queued'",
    )
    .bind(ws)
    .bind(id)
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

/// The queue as a scrape sees it: rows due now, rows waiting for later (working hours,
/// retries), and how long the oldest due row has waited, in seconds.
pub async fn backlog(conn: &mut Conn, now: DateTime<Utc>) -> anyhow::Result<(i64, i64, f64)> {
    let (due, later, oldest): (i64, i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE available_at <= $1),
                count(*) FILTER (WHERE available_at > $1),
                EXTRACT(EPOCH FROM $1 - min(available_at) FILTER (WHERE available_at <= $1))::float8
         FROM outbox WHERE state = 'queued'",
    )
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok((due, later, oldest.unwrap_or(0.0)))
}

/// When queued notifications fall due within (from, to]: lets the console and tests replay
/// time to the moment a held-back message goes out.
pub async fn due_between(
    conn: &mut Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT available_at FROM outbox
         WHERE state = 'queued' AND available_at > $1 AND available_at <= $2 ORDER BY 1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// One message owed to a person, as their noise budget shows it.
#[derive(Debug, Clone, FromRow)]
pub struct Owed {
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub op: String,
    pub state: String,
    pub held_reason: Option<String>,
    pub headline: String,
}

impl Owed {
    /// It reached the person as a ping (a new message or a threaded line; edits do not ping).
    pub fn told(&self) -> bool {
        self.op != "edit" && matches!(self.state.as_str(), "delivered" | "queued")
    }

    /// It waited for the person's working hours before it went out.
    pub fn waited(&self) -> bool {
        self.told()
            && self
                .delivered_at
                .is_some_and(|d| d - self.created_at > Duration::minutes(1))
    }
}

/// What a person was owed since `since`, newest first: what reached them and what was held
/// back, and why.
pub async fn owed_to(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<Owed>> {
    Ok(sqlx::query_as(
        "SELECT created_at, delivered_at, op, state, held_reason, message->>'headline' AS headline
         FROM outbox WHERE workspace_id = $1 AND person_id = $2 AND created_at >= $3
         ORDER BY id DESC",
    )
    .bind(ws)
    .bind(person)
    .bind(since)
    .fetch_all(conn)
    .await?)
}

/// Per person since `since`: (handle, pings sent, messages held back).
pub async fn dm_counts(
    conn: &mut Conn,
    ws: WorkspaceId,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT p.handle,
                count(*) FILTER (WHERE o.state IN ('queued', 'delivered') AND o.op <> 'edit') AS sent,
                count(*) FILTER (WHERE o.state = 'held') AS held
         FROM outbox o JOIN people p ON p.workspace_id = o.workspace_id AND p.id = o.person_id
         WHERE o.workspace_id = $1 AND o.created_at >= $2
         GROUP BY p.handle HAVING count(*) FILTER (WHERE o.op <> 'edit') > 0
         ORDER BY 2 DESC, 1",
    )
    .bind(ws)
    .bind(since)
    .fetch_all(conn)
    .await?)
}
