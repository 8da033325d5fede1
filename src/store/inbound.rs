//! Requests already acted on: a platform's retry, or a replay, is seen here and not acted on twice.

use chrono::{DateTime, Utc};

use super::{Conn, Store, WorkspaceId};

/// Records a delivery id; false when it was seen before (the delivery is a repeat).
pub async fn first_sight(
    conn: &mut Conn,
    ws: WorkspaceId,
    delivery_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO inbound_seen (workspace_id, delivery_id, seen_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(ws)
    .bind(delivery_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Forgets a delivery whose handling failed, so the platform's retry is acted on.
async fn forget_sight(conn: &mut Conn, ws: WorkspaceId, delivery_id: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM inbound_seen WHERE workspace_id = $1 AND delivery_id = $2")
        .bind(ws)
        .bind(delivery_id)
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    /// Records an inbound request's id; false when it was seen before (a retry or a replay).
    pub async fn first_sight(
        &self,
        ws: WorkspaceId,
        delivery_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let mut conn = self.pool.acquire().await?;
        first_sight(&mut conn, ws, delivery_id, now).await
    }

    /// Forgets a request whose handling failed, so the platform's retry is acted on.
    pub async fn forget_sight(&self, ws: WorkspaceId, delivery_id: &str) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        forget_sight(&mut conn, ws, delivery_id).await
    }
}
