//! One workspace as a versioned JSON document, and back. Every table that holds a
//! `workspace_id` goes in whole, found from the catalogue rather than listed here, so a
//! table added later is never silently left out; only caches are skipped.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Conn, MIGRATOR, WorkspaceId};

const FORMAT: &str = "throughline-workspace";
/// Rebuilt from scratch by the process: a repeat check, the App Home's last render, the
/// changes not yet evaluated (an import records its own, so it is evaluated whole) and the
/// scheduler's next look (which that evaluation plans).
const CACHES: &[&str] = &["inbound_seen", "home_views", "changes", "wake_ups"];

#[derive(Debug, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    /// The database schema it was written at (the last migration's version).
    pub schema: i64,
    /// The workspace row, without its id.
    pub workspace: Value,
    /// Table name → rows (without `workspace_id`), in primary-key order.
    pub tables: serde_json::Map<String, Value>,
}

/// The schema version this binary writes and reads.
pub fn schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The workspace's tables, parents before children.
async fn tables(conn: &mut Conn) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND c.column_name = 'workspace_id' AND t.table_type = 'BASE TABLE'
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    names.retain(|n| !CACHES.contains(&n.as_str()));
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
         WHERE contype = 'f' AND conrelid <> confrelid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < names.len() {
        let ready = names.iter().find(|n| {
            !ordered.contains(n)
                && edges
                    .iter()
                    .filter(|(child, _)| child == *n)
                    .all(|(_, parent)| !names.contains(parent) || ordered.contains(parent))
        });
        match ready {
            Some(n) => ordered.push(n.clone()),
            None => bail!("the workspace tables' foreign keys form a cycle"),
        }
    }
    Ok(ordered)
}

async fn primary_key(conn: &mut Conn, table: &str) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.attname::text FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
    )
    .bind(table)
    .fetch_all(conn)
    .await?)
}

async fn columns(conn: &mut Conn, table: &str) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(conn)
    .await?)
}

async fn identities(conn: &mut Conn, table: &str) -> anyhow::Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 AND is_identity = 'YES'",
    )
    .bind(table)
    .fetch_all(conn)
    .await?)
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub async fn export(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Backup> {
    let workspace: Value =
        sqlx::query_scalar("SELECT to_jsonb(w) - 'id' FROM workspaces w WHERE id = $1")
            .bind(ws)
            .fetch_optional(&mut *conn)
            .await?
            .with_context(|| format!("there is no workspace {ws}"))?;
    let mut tables = serde_json::Map::new();
    for table in self::tables(conn).await? {
        let order = primary_key(conn, &table)
            .await?
            .iter()
            .map(|c| format!("t.{}", ident(c)))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Value = sqlx::query_scalar(&format!(
            "SELECT coalesce(jsonb_agg(to_jsonb(t) - 'workspace_id' ORDER BY {order}), '[]'::jsonb)
             FROM {} t WHERE t.workspace_id = $1",
            ident(&table)
        ))
        .bind(ws)
        .fetch_one(&mut *conn)
        .await?;
        tables.insert(table, rows);
    }
    Ok(Backup {
        format: FORMAT.into(),
        schema: schema_version(),
        workspace,
        tables,
    })
}

/// Restores a backup as a new workspace (or into one that exists but holds nothing yet);
/// call it inside a transaction. Refuses another schema version or a workspace in use.
pub async fn import(conn: &mut Conn, backup: &Backup) -> anyhow::Result<WorkspaceId> {
    if backup.format != FORMAT {
        bail!(
            "this is not a Throughline workspace export (format '{}')",
            backup.format
        );
    }
    if backup.schema != schema_version() {
        bail!(
            "the file was exported at schema version {} and this Throughline is at {}: \
             import it with the version that exported it, then upgrade",
            backup.schema,
            schema_version()
        );
    }
    let field = |k: &str| backup.workspace[k].as_str().unwrap_or_default().to_string();
    let (platform, external_id) = (field("platform"), field("external_id"));
    let existing: Option<WorkspaceId> =
        sqlx::query_scalar("SELECT id FROM workspaces WHERE platform = $1 AND external_id = $2")
            .bind(&platform)
            .bind(&external_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(ws) = existing {
        let used: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM people WHERE workspace_id = $1)
                 OR EXISTS (SELECT 1 FROM goals WHERE workspace_id = $1)",
        )
        .bind(ws)
        .fetch_one(&mut *conn)
        .await?;
        if used {
            bail!(
                "workspace {ws} ({platform} {external_id}) already holds people or goals; \
                 import restores into an empty workspace only"
            );
        }
        sqlx::query("DELETE FROM workspaces WHERE id = $1")
            .bind(ws)
            .execute(&mut *conn)
            .await?;
    }
    let columns = columns(conn, "workspaces")
        .await?
        .into_iter()
        .filter(|c| c != "id")
        .map(|c| ident(&c))
        .collect::<Vec<_>>()
        .join(", ");
    let ws: WorkspaceId = sqlx::query_scalar(&format!(
        "INSERT INTO workspaces ({columns})
         SELECT {columns} FROM jsonb_populate_record(NULL::workspaces, $1) RETURNING id"
    ))
    .bind(&backup.workspace)
    .fetch_one(&mut *conn)
    .await
    .context("restoring the workspace row")?;
    for table in tables(conn).await? {
        let Some(rows) = backup.tables.get(&table) else {
            bail!("the file has no '{table}' table; it is incomplete");
        };
        let t = ident(&table);
        sqlx::query(&format!(
            "INSERT INTO {t} OVERRIDING SYSTEM VALUE
             SELECT * FROM jsonb_populate_recordset(NULL::{t},
                 (SELECT coalesce(jsonb_agg(r || jsonb_build_object('workspace_id', $2::bigint)), '[]'::jsonb)
                  FROM jsonb_array_elements($1) r))"
        ))
        .bind(rows)
        .bind(ws)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("restoring {table}"))?;
        // Identities are shared by every workspace: new rows must not reuse a restored id.
        for column in identities(conn, &table).await? {
            let c = ident(&column);
            sqlx::query(&format!(
                "SELECT setval(seq, top) FROM
                   (SELECT pg_get_serial_sequence($1, $2) AS seq, (SELECT max({c}) FROM {t}) AS top) x
                 WHERE top IS NOT NULL AND top > coalesce(
                   (SELECT last_value FROM pg_sequences WHERE format('%I.%I', schemaname, sequencename) = seq), 0)"
            ))
            .bind(&table)
            .bind(&column)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("advancing {table}.{column}"))?;
        }
    }
    Ok(ws)
}
