//! What each person's Slack App Home last showed, so an unchanged view is not published again.

use chrono::{DateTime, Utc};

use super::{Conn, Store, WorkspaceId};
use crate::domain::PersonId;

/// Stores the digest of a person's App Home; false when it is unchanged (nothing to publish).
async fn home_changed(
    conn: &mut Conn,
    ws: WorkspaceId,
    person: PersonId,
    digest: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let changed = sqlx::query(
        "INSERT INTO home_views (workspace_id, person_id, digest, published_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, person_id) DO UPDATE
            SET digest = EXCLUDED.digest, published_at = EXCLUDED.published_at
            WHERE home_views.digest <> EXCLUDED.digest",
    )
    .bind(ws)
    .bind(person)
    .bind(digest)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// Forgets a digest whose publication failed, so the next refresh tries again.
async fn forget_home(conn: &mut Conn, ws: WorkspaceId, person: PersonId) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM home_views WHERE workspace_id = $1 AND person_id = $2")
        .bind(ws)
        .bind(person)
        .execute(conn)
        .await?;
    Ok(())
}

/// People who have opened their App Home: the ones whose view is kept fresh.
async fn home_viewers(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Vec<(PersonId, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.external_id FROM home_views h
         JOIN people p ON p.workspace_id = h.workspace_id AND p.id = h.person_id
         WHERE h.workspace_id = $1 AND p.active ORDER BY p.id",
    )
    .bind(ws)
    .fetch_all(conn)
    .await?)
}

impl Store {
    /// Records what a person's App Home is about to show; the person (created if new) when
    /// it differs from what they were last shown, `None` when there is nothing to publish.
    pub async fn home_changed(
        &self,
        ws: WorkspaceId,
        external_id: &str,
        digest: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<PersonId>> {
        let mut conn = self.pool.acquire().await?;
        let person =
            super::people::upsert(&mut conn, ws, external_id, external_id, false, now).await?;
        Ok(home_changed(&mut conn, ws, person.id, digest, now)
            .await?
            .then_some(person.id))
    }

    /// Forgets a digest whose publication failed, so the next refresh tries again.
    pub async fn forget_home(&self, ws: WorkspaceId, person: PersonId) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        forget_home(&mut conn, ws, person).await
    }

    /// People who have opened their App Home: the ones whose view is kept fresh.
    pub async fn home_viewers(&self, ws: WorkspaceId) -> anyhow::Result<Vec<(PersonId, String)>> {
        let mut conn = self.pool.acquire().await?;
        home_viewers(&mut conn, ws).await
    }
}
