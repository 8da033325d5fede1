//! People: created from their first mention, refreshed by the platform adapters.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Conn, WorkspaceId};
use crate::domain::{Person, PersonId};

#[derive(FromRow)]
struct PersonRow {
    id: i64,
    external_id: String,
    handle: String,
    capacity_fte: f64,
    is_admin: bool,
    active: bool,
    time_zone: Option<String>,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Self {
        Person {
            id: r.id,
            external_id: r.external_id,
            handle: r.handle,
            capacity_fte: r.capacity_fte,
            is_admin: r.is_admin,
            active: r.active,
            // A zone the platform reports but this build does not know falls back to the workspace's.
            time_zone: r.time_zone.and_then(|z| z.parse().ok()),
        }
    }
}

const COLUMNS: &str = "id, external_id, handle, capacity_fte, is_admin, active,
                       COALESCE(time_zone_override, time_zone) AS time_zone";

/// Finds a person by platform id, creating them (with `admin_if_new`) on first sight.
pub async fn upsert(
    conn: &mut Conn,
    ws: WorkspaceId,
    external_id: &str,
    handle: &str,
    admin_if_new: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<Person> {
    // A known person is only read, so that a read command writes nothing.
    let known: Option<PersonRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM people WHERE workspace_id = $1 AND external_id = $2"
    ))
    .bind(ws)
    .bind(external_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = known {
        return Ok(row.into());
    }
    let row: PersonRow = sqlx::query_as(&format!(
        "INSERT INTO people (workspace_id, external_id, handle, is_admin, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (workspace_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
         RETURNING {COLUMNS}"
    ))
    .bind(ws)
    .bind(external_id)
    .bind(handle)
    .bind(admin_if_new)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn all(conn: &mut Conn, ws: WorkspaceId) -> anyhow::Result<Vec<Person>> {
    let rows: Vec<PersonRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM people WHERE workspace_id = $1 ORDER BY id"
    ))
    .bind(ws)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Person::from).collect())
}

/// The people of `ids`, in id order.
pub async fn by_ids(
    conn: &mut Conn,
    ws: WorkspaceId,
    ids: &[PersonId],
) -> anyhow::Result<Vec<Person>> {
    let rows: Vec<PersonRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM people WHERE workspace_id = $1 AND id = ANY($2) ORDER BY id"
    ))
    .bind(ws)
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Person::from).collect())
}

pub async fn by_id(conn: &mut Conn, ws: WorkspaceId, id: PersonId) -> anyhow::Result<Person> {
    let row: PersonRow = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM people WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(ws)
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

pub async fn set_admin(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: PersonId,
    admin: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE people SET is_admin = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(admin)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_active(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: PersonId,
    active: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE people SET active = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(active)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's own time zone (or, with `None`, back to the platform's).
pub async fn set_time_zone_override(
    conn: &mut Conn,
    ws: WorkspaceId,
    id: PersonId,
    zone: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE people SET time_zone_override = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id)
    .bind(zone)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
