//! Write tokens for key results: hashed at rest, one live token per key result.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Conn, WorkspaceId};
use crate::domain::PersonId;

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Stores a new token for a key result, revoking the one it had.
pub async fn replace(
    conn: &mut Conn,
    ws: WorkspaceId,
    key_result: i64,
    token: &str,
    created_by: PersonId,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let revoked = sqlx::query(
        "UPDATE kr_tokens SET revoked_at = $3
         WHERE workspace_id = $1 AND key_result_id = $2 AND revoked_at IS NULL",
    )
    .bind(ws)
    .bind(key_result)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO kr_tokens (token_hash, workspace_id, key_result_id, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash(token))
    .bind(ws)
    .bind(key_result)
    .bind(created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(revoked.rows_affected() > 0)
}

/// What a live token may write: its workspace, key result and who made it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Grant {
    pub workspace_id: WorkspaceId,
    pub key_result_id: i64,
    pub created_by: PersonId,
}

/// The grant of a live token, marked used at `now`; `None` for a token that is unknown or
/// was replaced.
pub async fn use_token(
    conn: &mut Conn,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Grant>> {
    Ok(sqlx::query_as(
        "UPDATE kr_tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL
         RETURNING workspace_id, key_result_id, created_by",
    )
    .bind(hash(token))
    .bind(now)
    .fetch_optional(conn)
    .await?)
}
