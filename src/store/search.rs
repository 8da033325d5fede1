//! Completing what someone is typing: keys and titles that match.

use super::{Conn, Store, WorkspaceId};

/// Keys of the given kinds (`G`, `I`, `W`, `K`) whose key or title contains `typed`, open ones
/// first, for completing what someone is typing.
async fn search_keys(
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
             UNION ALL
             SELECT 'K-' || number, title, 4, number, status <> 'open'
               FROM key_results WHERE workspace_id = $1 AND strpos($2, 'K') > 0
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

impl Store {
    /// Keys of the given kinds (`G`, `I`, `W`, `K`) whose key or title contains `typed`, open ones
    /// first.
    pub async fn search_keys(
        &self,
        ws: WorkspaceId,
        kinds: &str,
        typed: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let mut conn = self.pool.acquire().await?;
        search_keys(&mut conn, ws, kinds, typed, limit).await
    }
}
