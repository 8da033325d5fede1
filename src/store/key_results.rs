//! Key results, their targets and their check-ins. Nothing is updated in place but the
//! status: a new target and a new value are new rows, and the latest one counts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Conn, WorkspaceId};
use crate::domain::PersonId;
use crate::domain::key_result::{Confidence, KeyResult, KrFacts, Shape, Unit};

/// A key result as stored, with its goal, its current target and its check-ins.
#[derive(Debug, Clone, FromRow)]
pub struct Row {
    pub id: i64,
    pub number: i32,
    pub goal_id: i64,
    pub goal_number: i32,
    pub goal_owner: PersonId,
    pub title: String,
    pub kind: String,
    pub unit: String,
    pub from_value: Option<f64>,
    pub band_low: Option<f64>,
    pub band_high: Option<f64>,
    pub starts_at: DateTime<Utc>,
    pub status: String,
    pub target: Option<f64>,
    pub due_at: DateTime<Utc>,
    /// Check-in values, oldest first.
    pub checkin_values: Vec<f64>,
    pub last_checkin: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Row {
    /// The key result as the rules read it.
    pub fn model(&self) -> anyhow::Result<KeyResult> {
        let shape = match self.kind.as_str() {
            "metric" => Shape::Metric {
                from: self.from_value.unwrap_or_default(),
                to: self.target.unwrap_or_default(),
            },
            "milestone" => Shape::Milestone,
            "band" => Shape::Band {
                low: self.band_low.unwrap_or_default(),
                high: self.band_high.unwrap_or_default(),
            },
            other => anyhow::bail!("unexpected key result kind '{other}' in the database"),
        };
        Ok(KeyResult {
            number: self.number,
            title: self.title.clone(),
            shape,
            unit: Unit::parse(&self.unit).ok_or_else(|| {
                anyhow::anyhow!("unexpected unit '{}' in the database", self.unit)
            })?,
            start: self.starts_at,
            due: self.due_at,
            values: self.checkin_values.clone(),
        })
    }

    pub fn unit(&self) -> anyhow::Result<Unit> {
        Unit::parse(&self.unit)
            .ok_or_else(|| anyhow::anyhow!("unexpected unit '{}' in the database", self.unit))
    }

    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

const SELECT: &str = "
    SELECT k.id, k.number, k.goal_id, g.number AS goal_number, g.owner_id AS goal_owner, k.title,
           k.kind, k.unit, k.from_value, k.band_low, k.band_high, k.starts_at, k.status,
           t.target, t.due_at,
           coalesce((SELECT array_agg(c.value ORDER BY c.id) FROM kr_checkins c
                     WHERE c.workspace_id = k.workspace_id AND c.key_result_id = k.id), '{}') AS checkin_values,
           (SELECT max(c.at) FROM kr_checkins c
             WHERE c.workspace_id = k.workspace_id AND c.key_result_id = k.id) AS last_checkin,
           k.created_at
    FROM key_results k
    JOIN goals g ON g.workspace_id = k.workspace_id AND g.id = k.goal_id
    JOIN LATERAL (SELECT target, due_at FROM kr_targets t
                  WHERE t.workspace_id = k.workspace_id AND t.key_result_id = k.id
                  ORDER BY t.id DESC LIMIT 1) t ON true
    WHERE k.workspace_id = $1";

pub async fn by_number(
    conn: &mut Conn,
    ws: WorkspaceId,
    number: i32,
) -> anyhow::Result<Option<Row>> {
    Ok(sqlx::query_as(&format!("{SELECT} AND k.number = $2"))
        .bind(ws)
        .bind(number)
        .fetch_optional(conn)
        .await?)
}

/// Every key result, or a goal's, open ones first.
pub async fn list(conn: &mut Conn, ws: WorkspaceId, goal: Option<i64>) -> anyhow::Result<Vec<Row>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} AND ($2::bigint IS NULL OR k.goal_id = $2) ORDER BY k.status <> 'open', g.number, k.number"
    ))
    .bind(ws)
    .bind(goal)
    .fetch_all(conn)
    .await?)
}

/// Whether `person` leads an initiative under the goal (and so may check its key results in).
pub async fn leads_under(
    conn: &mut Conn,
    ws: WorkspaceId,
    goal: i64,
    person: PersonId,
) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM initiatives WHERE workspace_id = $1 AND goal_id = $2 AND lead_id = $3)",
    )
    .bind(ws)
    .bind(goal)
    .bind(person)
    .fetch_one(conn)
    .await?)
}

pub struct New<'a> {
    pub number: i32,
    pub goal_id: i64,
    pub title: &'a str,
    pub shape: &'a Shape,
    pub unit: &'a Unit,
    pub starts_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub created_by: PersonId,
}

/// Creates a key result with its first target.
pub async fn insert(
    conn: &mut Conn,
    ws: WorkspaceId,
    n: New<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<i64> {
    let (kind, from, low, high, target) = match n.shape {
        Shape::Metric { from, to } => ("metric", Some(*from), None, None, Some(*to)),
        Shape::Milestone => ("milestone", None, None, None, None),
        Shape::Band { low, high } => ("band", None, Some(*low), Some(*high), None),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO key_results (workspace_id, number, goal_id, title, kind, unit, from_value, band_low,
                                  band_high, starts_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(ws)
    .bind(n.number)
    .bind(n.goal_id)
    .bind(n.title)
    .bind(kind)
    .bind(n.unit.as_str())
    .bind(from)
    .bind(low)
    .bind(high)
    .bind(n.starts_at)
    .bind(n.created_by)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    retarget(conn, ws, id, target, n.due_at, None, n.created_by, now).await?;
    Ok(id)
}

/// A new target (and due date); the old ones stay in the table.
#[allow(clippy::too_many_arguments)]
pub async fn retarget(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    target: Option<f64>,
    due_at: DateTime<Utc>,
    reason: Option<&str>,
    by: PersonId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO kr_targets (workspace_id, key_result_id, target, due_at, reason, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ws)
    .bind(id)
    .bind(target)
    .bind(due_at)
    .bind(reason)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub struct CheckIn<'a> {
    pub value: f64,
    pub confidence: Option<&'a str>,
    pub note: Option<&'a str>,
    pub author: PersonId,
    pub source: &'a str,
}

pub async fn check_in(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    c: CheckIn<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO kr_checkins (workspace_id, key_result_id, value, confidence, note, author_id, source, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ws)
    .bind(id)
    .bind(c.value)
    .bind(c.confidence)
    .bind(c.note)
    .bind(c.author)
    .bind(c.source)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn close(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: i64,
    status: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE key_results SET status = $3, close_note = $4, closed_at = $5
         WHERE workspace_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(ws)
    .bind(id)
    .bind(status)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct Checked {
    key_result_id: i64,
    value: f64,
    confidence: Option<String>,
    noted: bool,
    at: DateTime<Utc>,
}

/// Open key results of open goals (of `goals` only, when given), with what their rules read.
pub async fn facts(
    conn: &mut Conn,
    ws: WorkspaceId,
    flowing_since: DateTime<Utc>,
    goals: Option<&[i64]>,
) -> anyhow::Result<Vec<KrFacts>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} AND k.status = 'open' AND g.status = 'open'
           AND ($2::bigint[] IS NULL OR k.goal_id = ANY($2)) ORDER BY k.number"
    ))
    .bind(ws)
    .bind(goals)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let checkins: Vec<Checked> = sqlx::query_as(
        "SELECT key_result_id, value, confidence, note IS NOT NULL AS noted, at
         FROM kr_checkins WHERE workspace_id = $1 AND key_result_id = ANY($2)
         ORDER BY id",
    )
    .bind(ws)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    // Goals whose work is flowing: something in doing now, or finished within the window.
    // One probe per goal with key results, so neither a large goal nor the history is scanned.
    let mut with_results: Vec<i64> = rows.iter().map(|r| r.goal_id).collect();
    with_results.sort_unstable();
    with_results.dedup();
    let flowing: Vec<i64> = sqlx::query_scalar(
        "SELECT g FROM unnest($2::bigint[]) AS g
         WHERE EXISTS (SELECT 1 FROM work_items w
                       WHERE w.workspace_id = $1 AND w.goal_id = g AND w.status = 'doing')
            OR EXISTS (SELECT 1 FROM work_items w
                       WHERE w.workspace_id = $1 AND w.goal_id = g AND w.doing_ended_at >= $3
                         AND w.status = 'done')",
    )
    .bind(ws)
    .bind(&with_results)
    .bind(flowing_since)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_key_result: HashMap<i64, Vec<&Checked>> = HashMap::new();
    for c in &checkins {
        by_key_result.entry(c.key_result_id).or_default().push(c);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mine = by_key_result.remove(&r.id).unwrap_or_default();
        let confidence = mine
            .last()
            .and_then(|c| Some((Confidence::parse(c.confidence.as_deref()?).ok()?, c.noted)));
        // A band's breach began at the first check-in of the current run outside it.
        let outside_since = match (r.band_low, r.band_high) {
            (Some(low), Some(high)) => mine
                .iter()
                .rev()
                .take_while(|c| !(low..=high).contains(&c.value))
                .last()
                .map(|c| c.at),
            _ => None,
        };
        out.push(KrFacts {
            goal_id: r.goal_id,
            kr: r.model()?,
            created_at: r.created_at,
            last_checkin: r.last_checkin,
            confidence,
            outside_since,
            history: mine.iter().map(|c| (c.at, c.value)).collect(),
            work_flowing: flowing.contains(&r.goal_id),
        });
    }
    Ok(out)
}
