//! What the platform adapters keep: people's profiles, repeated deliveries, OAuth states,
//! installations and App Home digests.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::{Conn, WorkspaceId};
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
pub async fn profile_stale(
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
pub async fn forget_sight(
    conn: &mut Conn,
    ws: WorkspaceId,
    delivery_id: &str,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM inbound_seen WHERE workspace_id = $1 AND delivery_id = $2")
        .bind(ws)
        .bind(delivery_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn issue_state(
    conn: &mut Conn,
    platform: &str,
    state: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO oauth_states (state, platform, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(state)
    .bind(platform)
    .bind(now)
    .bind(now + ttl)
    .execute(conn)
    .await?;
    Ok(())
}

/// Consumes a state the server issued; false if it is unknown, used or expired.
pub async fn consume_state(
    conn: &mut Conn,
    platform: &str,
    state: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let gone = sqlx::query(
        "DELETE FROM oauth_states WHERE state = $1 AND platform = $2 AND expires_at >= $3",
    )
    .bind(state)
    .bind(platform)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(gone.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct SlackInstallation {
    pub workspace_id: WorkspaceId,
    pub team_id: String,
    pub enterprise_id: Option<String>,
    pub bot_user_id: String,
    pub scopes: String,
    pub token_nonce: Vec<u8>,
    pub token_ciphertext: Vec<u8>,
}

pub async fn save_slack_installation(
    conn: &mut Conn,
    i: &SlackInstallation,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO slack_installations (workspace_id, team_id, enterprise_id, bot_user_id, scopes,
                                          token_nonce, token_ciphertext, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (workspace_id) DO UPDATE
            SET enterprise_id = EXCLUDED.enterprise_id, bot_user_id = EXCLUDED.bot_user_id,
                scopes = EXCLUDED.scopes, token_nonce = EXCLUDED.token_nonce,
                token_ciphertext = EXCLUDED.token_ciphertext, updated_at = EXCLUDED.updated_at",
    )
    .bind(i.workspace_id)
    .bind(&i.team_id)
    .bind(&i.enterprise_id)
    .bind(&i.bot_user_id)
    .bind(&i.scopes)
    .bind(&i.token_nonce)
    .bind(&i.token_ciphertext)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn slack_installation(
    conn: &mut Conn,
    team_id: &str,
) -> anyhow::Result<Option<SlackInstallation>> {
    Ok(sqlx::query_as(
        "SELECT workspace_id, team_id, enterprise_id, bot_user_id, scopes, token_nonce,
                token_ciphertext
         FROM slack_installations WHERE team_id = $1",
    )
    .bind(team_id)
    .fetch_optional(conn)
    .await?)
}

/// Forgets a team's bot token (the app was uninstalled); its goals and work stay, ready for
/// a reinstall.
pub async fn forget_slack_installation(conn: &mut Conn, team_id: &str) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM slack_installations WHERE team_id = $1")
        .bind(team_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Stores the digest of a person's App Home; false when it is unchanged (nothing to publish).
pub async fn home_changed(
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
pub async fn forget_home(conn: &mut Conn, ws: WorkspaceId, person: PersonId) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM home_views WHERE workspace_id = $1 AND person_id = $2")
        .bind(ws)
        .bind(person)
        .execute(conn)
        .await?;
    Ok(())
}

/// People who have opened their App Home: the ones whose view is kept fresh.
pub async fn home_viewers(
    conn: &mut Conn,
    ws: WorkspaceId,
) -> anyhow::Result<Vec<(PersonId, String)>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.external_id FROM home_views h
         JOIN people p ON p.workspace_id = h.workspace_id AND p.id = h.person_id
         WHERE h.workspace_id = $1 AND p.active ORDER BY p.id",
    )
    .bind(ws)
    .fetch_all(conn)
    .await?)
}

pub async fn slack_team_ids(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT team_id FROM slack_installations ORDER BY workspace_id")
            .fetch_all(conn)
            .await?,
    )
}

/// The workspace a platform's team or guild maps to, if it has one yet.
pub async fn find_workspace(
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
pub async fn is_member(
    conn: &mut Conn,
    ws: WorkspaceId,
    external_id: &str,
) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM people WHERE workspace_id = $1 AND external_id = $2 AND active)",
    )
    .bind(ws)
    .bind(external_id)
    .fetch_one(conn)
    .await?)
}

/// Keys of the given kinds (`G`, `I`, `W`) whose key or title contains `typed`, open ones
/// first, for completing what someone is typing.
pub async fn search_keys(
    conn: &mut Conn,
    ws: WorkspaceId,
    kinds: &str,
    typed: &str,
    limit: i64,
) -> anyhow::Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT key, title FROM (
             SELECT 'G-' || number AS key, title, 1 AS kind, number, status <> 'open' AS closed
               FROM goals WHERE workspace_id = $1 AND strpos($2, 'G') > 0
             UNION ALL
             SELECT 'I-' || number, title, 2, number, status IN ('done', 'dropped')
               FROM initiatives WHERE workspace_id = $1 AND strpos($2, 'I') > 0
             UNION ALL
             SELECT 'W-' || number, title, 3, number, status IN ('done', 'dropped')
               FROM work_items WHERE workspace_id = $1 AND strpos($2, 'W') > 0
         ) k
         WHERE strpos(lower(key), lower($3)) > 0 OR strpos(lower(title), lower($3)) > 0
         ORDER BY closed, kind, number
         LIMIT $4",
    )
    .bind(ws)
    .bind(kinds)
    .bind(typed.trim())
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
