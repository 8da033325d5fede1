//! Scheduled runs: one row per (workspace, job, run key) makes each run happen once.

use chrono::{DateTime, Utc};

use super::{Conn, WorkspaceId};

/// Claims a run; false when another process (or an earlier call) already has it.
pub async fn claim_run(
    conn: &mut Conn,
    ws: WorkspaceId,
    job: &str,
    run_key: &str,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO scheduled_runs (workspace_id, job, run_key, due_at, ran_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING",
    )
    .bind(ws)
    .bind(job)
    .bind(run_key)
    .bind(due_at)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub async fn last_due(
    conn: &mut Conn,
    ws: WorkspaceId,
    job: &str,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT max(due_at) FROM scheduled_runs WHERE workspace_id = $1 AND job = $2",
    )
    .bind(ws)
    .bind(job)
    .fetch_one(conn)
    .await?)
}
