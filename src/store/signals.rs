//! Stored health and signals.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::types::Json;

use super::{Conn, WorkspaceId, decode};
use crate::domain::health::Health;
use crate::domain::{Colour, SignalKind};

/// The stored health of `subjects`, and with `every_open` of everything not closed.
pub async fn stored_health(
    conn: &mut Conn,
    ws: WorkspaceId,
    subjects: &[String],
    every_open: bool,
) -> anyhow::Result<HashMap<String, Health>> {
    type Row = (
        String,
        String,
        Json<Vec<String>>,
        Json<BTreeMap<String, String>>,
    );
    // Two index lookups rather than one OR: the history of closed things stays untouched.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT subject, colour, reasons, causes FROM health
         WHERE workspace_id = $1 AND $3 AND colour <> 'none'
         UNION ALL
         SELECT h.subject, h.colour, h.reasons, h.causes
         FROM unnest($2::text[]) AS s (subject)
         JOIN health h ON h.workspace_id = $1 AND h.subject = s.subject AND NOT ($3 AND h.colour <> 'none')",
    )
    .bind(ws)
    .bind(subjects)
    .bind(every_open)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(subject, colour, reasons, causes)| {
            Ok((
                subject,
                Health {
                    colour: decode(&colour, Colour::parse, "colour")?,
                    reasons: reasons.0,
                    causes: causes.0,
                },
            ))
        })
        .collect()
}

pub async fn health_of(
    conn: &mut Conn,
    ws: WorkspaceId,
    subject: &str,
) -> anyhow::Result<Option<(Health, DateTime<Utc>)>> {
    let row: Option<(String, Json<Vec<String>>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT colour, reasons, changed_at FROM health WHERE workspace_id = $1 AND subject = $2",
    )
    .bind(ws)
    .bind(subject)
    .fetch_optional(conn)
    .await?;
    row.map(|(c, r, at)| {
        Ok((
            Health {
                colour: decode(&c, Colour::parse, "colour")?,
                reasons: r.0,
                causes: Default::default(),
            },
            at,
        ))
    })
    .transpose()
}

/// Stores health; `changed` says whether the colour moved (so `changed_at` moves too).
pub async fn save_health(
    conn: &mut Conn,
    ws: WorkspaceId,
    subject: &str,
    h: &Health,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO health (workspace_id, subject, colour, reasons, causes, changed_at, evaluated_at)
         VALUES ($1, $2, $3, $4, $6, $5, $5)
         ON CONFLICT (workspace_id, subject) DO UPDATE SET
             changed_at = CASE WHEN health.colour = EXCLUDED.colour THEN health.changed_at ELSE EXCLUDED.changed_at END,
             colour = EXCLUDED.colour, reasons = EXCLUDED.reasons, causes = EXCLUDED.causes,
             evaluated_at = EXCLUDED.evaluated_at",
    )
    .bind(ws)
    .bind(subject)
    .bind(h.colour.as_str())
    .bind(Json(&h.reasons))
    .bind(now)
    .bind(Json(&h.causes))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct SignalRow {
    pub id: i64,
    pub kind: String,
    pub subject: String,
    pub goal_subject: Option<String>,
    pub summary: String,
    pub raised_at: DateTime<Utc>,
    pub last_notified_at: Option<DateTime<Utc>>,
}

impl SignalRow {
    pub fn kind(&self) -> anyhow::Result<SignalKind> {
        decode(&self.kind, SignalKind::parse, "signal kind")
    }
}

/// Open signals, of `subjects` only when given.
pub async fn open(
    conn: &mut Conn,
    ws: WorkspaceId,
    subjects: Option<&[String]>,
) -> anyhow::Result<Vec<SignalRow>> {
    const OPEN: &str =
        "SELECT id, kind, subject, goal_subject, summary, raised_at, last_notified_at
         FROM signals WHERE workspace_id = $1 AND resolved_at IS NULL";
    // Two statements, so that a prepared plan for a few subjects always takes their index.
    let rows = match subjects {
        Some(subjects) => {
            sqlx::query_as(&format!("{OPEN} AND subject = ANY($2) ORDER BY id"))
                .bind(ws)
                .bind(subjects)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query_as(&format!("{OPEN} ORDER BY id"))
                .bind(ws)
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows)
}

pub async fn raise(
    conn: &mut Conn,
    ws: WorkspaceId,
    kind: SignalKind,
    subject: &str,
    goal: Option<&str>,
    summary: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signals (workspace_id, kind, subject, goal_subject, summary, raised_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(ws)
    .bind(kind.as_str())
    .bind(subject)
    .bind(goal)
    .bind(summary)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Keeps an open signal's summary current (the evidence moves while the condition holds).
pub async fn refresh(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    goal: Option<&str>,
    summary: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE signals SET summary = $3, goal_subject = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(summary)
    .bind(goal)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn resolve(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE signals SET resolved_at = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_notified(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE signals SET last_notified_at = $3 WHERE workspace_id = $1 AND id = $2")
        .bind(ws)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
