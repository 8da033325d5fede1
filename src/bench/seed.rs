//! Seeds a workspace in the shape commands produce, by SQL: people, goals, initiatives under
//! them, open work spread over both (one in twenty in doing, one in twenty blocked; the
//! strides keep every initiative and most people with some work in doing), a history
//! of finished items `closed_per_open` times the open ones with the health rows they left, and
//! a churn key result with a few check-ins on G-1.

use chrono::{DateTime, Duration, Utc};

use crate::store::{Conn, WorkspaceId, workspaces};

/// How big a seeded workspace is.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub open: i64,
    pub closed_per_open: i64,
}

impl Shape {
    pub fn people(&self) -> i64 {
        (self.open / 25).max(5)
    }
    fn goals(&self) -> i64 {
        (self.open / 2_000).max(1)
    }
    fn initiatives(&self) -> i64 {
        (self.open / 50).max(2)
    }
    fn total(&self) -> i64 {
        self.open * (1 + self.closed_per_open)
    }
}

/// Where the seed refreshes the planner's statistics.
const ANALYZE: &str = "ANALYZE";

/// Creates the workspace `name` of `platform` (people `U1`, `U2`… as its user ids) and fills it.
pub async fn workspace(
    conn: &mut Conn,
    (platform, name): (&str, &str),
    shape: Shape,
    now: DateTime<Utc>,
) -> anyhow::Result<WorkspaceId> {
    let ws = workspaces::ensure(conn, platform, name, name, now).await?;
    // The rows are recorded as one change below, not one each: a seed of a million items
    // would otherwise write (and then clear) a million.
    record_changes(conn, false).await?;
    let past = now - Duration::days(90);
    let statements = [
        "INSERT INTO people (workspace_id, external_id, handle, time_zone, created_at, updated_at, is_admin)
         SELECT $1, 'U' || n, 'person' || n, 'Europe/Paris', $2, $2, n = 1 FROM generate_series(1, $3) n",
        "INSERT INTO goals (workspace_id, number, title, owner_id, rank, created_by, created_at, updated_at, status_changed_at)
         SELECT $1, n, 'Goal ' || n, p.id, n, p.id, $2, $2, $2
         FROM generate_series(1, $4) n
         JOIN people p ON p.workspace_id = $1 AND p.external_id = 'U' || (1 + (n - 1) % $3)",
        "INSERT INTO initiatives (workspace_id, number, goal_id, title, lead_id, plan_fte, created_by, created_at, updated_at,
                                  status_changed_at)
         SELECT $1, n, g.id, 'Initiative ' || n, p.id, 1, p.id, $2, $2, $2
         FROM generate_series(1, $5) n
         JOIN goals g ON g.workspace_id = $1 AND g.number = 1 + (n - 1) % $4
         JOIN people p ON p.workspace_id = $1 AND p.external_id = 'U' || (1 + (n - 1) % $3)",
        ANALYZE,
        // Items numbered up to the closed count are history; the rest are open.
        "INSERT INTO work_items (workspace_id, number, title, goal_id, initiative_id, assignee_id, status, blocker,
                                 created_by, created_at, updated_at, last_activity_at, doing_ended_at)
         SELECT $1, n, 'Item ' || n, i.goal_id, i.id, p.id,
                CASE WHEN n <= $7 THEN 'done' WHEN n % 20 = 0 THEN 'doing' WHEN n % 20 = 1 THEN 'blocked' ELSE 'todo' END,
                CASE WHEN n > $7 AND n % 20 = 1 THEN 'waiting on a vendor' END,
                p.id, $8, $2, $2, CASE WHEN n <= $7 THEN $8 END
         FROM generate_series(1, $6) n
         JOIN initiatives i ON i.workspace_id = $1 AND i.number = 1 + (n * 104729 / 20) % $5
         JOIN people p ON p.workspace_id = $1 AND p.external_id = 'U' || (1 + (n * 7919 / 20) % $3)",
        "INSERT INTO health (workspace_id, subject, colour, changed_at, evaluated_at)
         SELECT $1, 'W-' || n, 'none', $8, $8 FROM generate_series(1, $7) n",
        "UPDATE workspaces SET next_goal = $4 + 1, next_initiative = $5 + 1, next_work = $6 + 1 WHERE id = $1",
        // One change covers the lot: the first evaluation judges the whole workspace.
        "INSERT INTO changes (workspace_id, everything) VALUES ($1, true)",
    ];
    for sql in statements {
        if sql == ANALYZE {
            // Without statistics on the rows just made, the planner would scan people per item.
            sqlx::query("ANALYZE people, initiatives")
                .execute(&mut *conn)
                .await?;
            continue;
        }
        sqlx::query(sql)
            .bind(ws)
            .bind(now)
            .bind(shape.people())
            .bind(shape.goals())
            .bind(shape.initiatives())
            .bind(shape.total())
            .bind(shape.total() - shape.open)
            .bind(past)
            .execute(&mut *conn)
            .await?;
    }
    record_changes(conn, true).await?;
    Ok(ws)
}

/// Turns the change triggers of the seeded tables on or off (inside the seed's transaction).
async fn record_changes(conn: &mut Conn, on: bool) -> anyhow::Result<()> {
    let state = if on { "ENABLE" } else { "DISABLE" };
    let sql: String = ["goals", "initiatives", "work_items"]
        .iter()
        .map(|t| format!("ALTER TABLE {t} {state} TRIGGER {t}_changed;"))
        .collect();
    sqlx::raw_sql(&sql).execute(&mut *conn).await?;
    Ok(())
}

/// The key of an open item, spread over the open range by `i`.
pub fn open_item(shape: Shape, i: usize) -> String {
    let closed = shape.total() - shape.open;
    format!("W-{}", closed + 1 + (i as i64 * 7_919) % shape.open)
}
