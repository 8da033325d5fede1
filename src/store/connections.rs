//! Repositories connected to a workspace: their webhook secrets (sealed), what their deliveries
//! last did, and the merged pull requests that named no work item.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Conn, WorkspaceId};
use crate::domain::PersonId;

#[derive(Debug, Clone, FromRow)]
pub struct Connection {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub forge: String,
    pub repository: String,
    pub secret_nonce: Vec<u8>,
    pub secret_ciphertext: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub unknown_keys: i32,
}

const COLUMNS: &str =
    "id, workspace_id, forge, repository, secret_nonce, secret_ciphertext, created_at,
                       last_delivery_at, last_error, last_error_at, unknown_keys";

pub struct NewConnection<'a> {
    pub id: &'a str,
    pub forge: &'a str,
    pub repository: &'a str,
    pub secret_nonce: &'a [u8],
    pub secret_ciphertext: &'a [u8],
    pub created_by: PersonId,
}

/// Connects a repository; `false` when the workspace already has it connected.
pub async fn insert(
    conn: &mut Conn,
    ws: WorkspaceId,
    c: NewConnection<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO connections (id, workspace_id, forge, repository, secret_nonce, secret_ciphertext,
                                  created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (workspace_id, forge, lower(repository)) WHERE disconnected_at IS NULL DO NOTHING",
    )
    .bind(c.id)
    .bind(ws)
    .bind(c.forge)
    .bind(c.repository)
    .bind(c.secret_nonce)
    .bind(c.secret_ciphertext)
    .bind(c.created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A live connection by the id in its webhook URL, in any workspace.
pub async fn by_id(conn: &mut Conn, id: &str) -> anyhow::Result<Option<Connection>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM connections WHERE id = $1 AND disconnected_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The workspace's live connections, oldest first.
pub async fn list(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Vec<Connection>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM connections WHERE workspace_id = $1 AND disconnected_at IS NULL
         ORDER BY created_at, id"
    ))
    .bind(ws)
    .fetch_all(conn)
    .await?)
}

/// Disconnects the connection with this id or repository; returns it, or `None`.
pub async fn disconnect(
    conn: &mut Conn,
    ws: WorkspaceId,
    id_or_repository: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Connection>> {
    Ok(sqlx::query_as(&format!(
        "UPDATE connections SET disconnected_at = $3
         WHERE workspace_id = $1 AND disconnected_at IS NULL
           AND (id = $2 OR lower(repository) = lower($2))
         RETURNING {COLUMNS}"
    ))
    .bind(ws)
    .bind(id_or_repository)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// What a delivery did: the time it came, keys it named that do not exist, and its error.
pub async fn delivered(
    conn: &mut Conn,
    id: &str,
    unknown_keys: usize,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE connections SET last_delivery_at = $2, unknown_keys = unknown_keys + $3,
                last_error = COALESCE($4, last_error),
                last_error_at = CASE WHEN $4 IS NULL THEN last_error_at ELSE $2 END
         WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(i32::try_from(unknown_keys).unwrap_or(i32::MAX))
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

/// A merged pull request that named no work item (recorded once per number).
pub async fn unlinked_merge(
    conn: &mut Conn,
    ws: WorkspaceId,
    connection: &str,
    number: i64,
    title: &str,
    url: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO unlinked_merges (workspace_id, connection_id, number, title, url, merged_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(ws)
    .bind(connection)
    .bind(number)
    .bind(title)
    .bind(url)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Per repository, how many merged pull requests since `since` named no work item.
pub async fn unlinked_merges_since(
    conn: &mut Conn,
    ws: WorkspaceId,
    since: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.repository, count(*) FROM unlinked_merges m
         JOIN connections c ON c.id = m.connection_id
         WHERE m.workspace_id = $1 AND m.merged_at >= $2
         GROUP BY c.repository ORDER BY count(*) DESC, c.repository",
    )
    .bind(ws)
    .bind(since)
    .fetch_all(conn)
    .await?)
}
