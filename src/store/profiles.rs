//! People as the platforms describe them, and the workspaces their teams and guilds map to.

use chrono::{DateTime, Duration, Utc};

use super::{Conn, Store, WorkspaceId};
use crate::domain::PersonId;

/// A person as a platform describes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub external_id: String,
    pub handle: String,
    pub time_zone: Option<String>,
    pub admin: bool,
    pub active: bool,
}

/// Creates or refreshes a person from their platform profile. Returns their id and whether
/// they were active before (so the caller can react to someone leaving).
pub async fn sync_profile(
    conn: &mut Conn,
    ws: WorkspaceId,
    p: &Profile,
    now: DateTime<Utc>,
) -> anyhow::Result<(PersonId, Option<bool>)> {
    let before: Option<bool> = sqlx::query_scalar(
        "SELECT active FROM people WHERE workspace_id = $1 AND external_id = $2",
    )
    .bind(ws)
    .bind(&p.external_id)
    .fetch_optional(&mut *conn)
    .await?;
    let handle: String = p.handle.chars().take(80).collect();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (workspace_id, external_id, handle, time_zone, is_admin, active,
                             profile_synced_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)
         ON CONFLICT (workspace_id, external_id) DO UPDATE
            SET handle = EXCLUDED.handle, time_zone = EXCLUDED.time_zone,
                is_admin = EXCLUDED.is_admin, active = EXCLUDED.active,
                profile_synced_at = EXCLUDED.profile_synced_at, updated_at = EXCLUDED.updated_at
         RETURNING id",
    )
    .bind(ws)
    .bind(&p.external_id)
    .bind(if handle.is_empty() {
        &p.external_id
    } else {
        &handle
    })
    .bind(&p.time_zone)
    .bind(p.admin)
    .bind(p.active)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok((id, before))
}

/// Whether this person's profile is older than `max_age` (or was never fetched).
async fn profile_stale(
    conn: &mut Conn,
    ws: WorkspaceId,
    external_id: &str,
    now: DateTime<Utc>,
    max_age: Duration,
) -> anyhow::Result<bool> {
    let synced: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
        "SELECT profile_synced_at FROM people WHERE workspace_id = $1 AND external_id = $2",
    )
    .bind(ws)
    .bind(external_id)
    .fetch_optional(conn)
    .await?;
    Ok(!matches!(synced, Some(Some(at)) if now - at < max_age))
}

/// The workspace a platform's team or guild maps to, if it has one yet.
async fn find_workspace(
    conn: &mut Conn,
    platform: &str,
    external_id: &str,
) -> anyhow::Result<Option<WorkspaceId>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM workspaces WHERE platform = $1 AND external_id = $2")
            .bind(platform)
            .bind(external_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Whether someone is already a person of this workspace.
async fn is_member(conn: &mut Conn, ws: WorkspaceId, external_id: &str) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM people WHERE workspace_id = $1 AND external_id = $2 AND active)",
    )
    .bind(ws)
    .bind(external_id)
    .fetch_one(conn)
    .await?)
}

/// Whether a click from a component may act: its person belongs to the workspace (checked
/// when the platform did not say), and it is not a repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Stranger,
    Repeat,
    First,
}

impl Store {
    /// Whether this person's profile is older than `max_age` (or was never fetched).
    pub async fn profile_stale(
        &self,
        ws: WorkspaceId,
        external_id: &str,
        now: DateTime<Utc>,
        max_age: Duration,
    ) -> anyhow::Result<bool> {
        let mut conn = self.pool.acquire().await?;
        profile_stale(&mut conn, ws, external_id, now, max_age).await
    }

    /// The workspace a platform's team or guild maps to, if it has one yet.
    pub async fn find_workspace(
        &self,
        platform: &str,
        external_id: &str,
    ) -> anyhow::Result<Option<WorkspaceId>> {
        let mut conn = self.pool.acquire().await?;
        find_workspace(&mut conn, platform, external_id).await
    }

    /// One connection for both checks of a component: membership (when `stranger_check`
    /// names the person) and repeat (`delivery_id`, recorded when first seen).
    pub async fn admit(
        &self,
        ws: WorkspaceId,
        stranger_check: Option<&str>,
        delivery_id: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Admission> {
        let mut conn = self.pool.acquire().await?;
        if let Some(person) = stranger_check
            && !is_member(&mut conn, ws, person).await?
        {
            return Ok(Admission::Stranger);
        }
        Ok(
            if super::inbound::first_sight(&mut conn, ws, delivery_id, now).await? {
                Admission::First
            } else {
                Admission::Repeat
            },
        )
    }
}
