//! The scheduler's sweep over many workspaces, against a bare scan of the rows it looks at.

use std::time::Instant;

use chrono::Utc;

use super::seed::Shape;
use super::{Config, Row, Timings, ms, row, seeded_many};
use crate::engine::{Trigger, reconcile};
use crate::store::{Store, WorkspaceId, workspaces};

/// The scheduler's tick over many workspaces against a bare scan of their open items: steady,
/// with every workspace due, and after a thousand items in doing went quiet for a month at once.
pub async fn measure(store: &Store, cfg: &Config) -> anyhow::Result<Vec<Row>> {
    // The sweep reads open and recent items only; one finished item per open one keeps the
    // seed of a thousand workspaces short.
    let shape = Shape {
        open: cfg.sweep_items,
        closed_per_open: cfg.closed_per_open.min(1),
    };
    let names: Vec<String> = (0..cfg.sweep_workspaces)
        .map(|n| format!("bench-sweep-{n}"))
        .collect();
    let spaces = seeded_many(store, "console", &names, shape).await?;
    // The first tick an hour on settles what the seed's episodes started; the next sweep, a
    // quarter of an hour later, is a steady tick of the scheduler as it runs.
    let hour = Utc::now() + chrono::Duration::hours(1);
    tick(store, hour).await?;
    let quarter = chrono::Duration::minutes(15);
    let (steady, steady_woke) = tick(store, hour + quarter).await?;
    let at = Instant::now();
    let mut conn = store.pool.acquire().await?;
    for &ws in &spaces {
        let _: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM work_items WHERE workspace_id = $1 AND status IN ('todo', 'doing', 'blocked')",
        )
        .bind(ws)
        .fetch_one(&mut *conn)
        .await?;
    }
    let scan = ms(at.elapsed());
    // Every workspace due at once (as if each had just changed): what a tick costs when it
    // cannot skip any, and the sweep that last visited them all.
    sqlx::query("UPDATE wake_ups SET wake_at = '-infinity' WHERE workspace_id = ANY($1)")
        .bind(&spaces)
        .execute(&mut *conn)
        .await?;
    let (every, every_woke) = tick(store, hour + quarter * 2).await?;
    let quiet: u64 = sqlx::query(
        "UPDATE work_items SET last_activity_at = now() - interval '30 days'
         WHERE (workspace_id, id) IN (SELECT workspace_id, id FROM work_items
                                      WHERE workspace_id = ANY($1) AND status = 'doing' LIMIT 1000)",
    )
    .bind(&spaces)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    drop(conn);
    let (burst, burst_woke) = tick(store, hour + quarter * 3).await?;
    let label = format!(
        "{} workspaces x {} open items",
        cfg.sweep_workspaces, cfg.sweep_items
    );
    Ok(vec![
        row(
            &format!("bare count of the open items of {label}"),
            &Timings(vec![scan]),
            None,
            "one run",
        ),
        row(
            &format!("steady scheduler tick over {label}"),
            &Timings(vec![steady]),
            Some(steady / scan),
            &format!("one run; {steady_woke} workspaces had a job due; ratio: over the bare count"),
        ),
        row(
            &format!("tick with every one of {label} due"),
            &Timings(vec![every]),
            Some(every / scan),
            &format!("one run; {every_woke} workspaces had a job due; ratio: over the bare count"),
        ),
        row(
            &format!("tick after {quiet} items in doing stalled at once"),
            &Timings(vec![burst]),
            Some(burst / scan),
            &format!("one run; {burst_woke} workspaces had a job due; ratio: over the bare count"),
        ),
    ])
}

/// Milliseconds one scheduler tick at `now` takes, and how many workspaces it found due.
async fn tick(store: &Store, now: chrono::DateTime<Utc>) -> anyhow::Result<(f64, i64)> {
    let due: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT workspace_id FROM wake_ups WHERE wake_at <= $1
                               UNION SELECT workspace_id FROM changes) due",
    )
    .bind(now)
    .fetch_one(&store.pool)
    .await?;
    let at = Instant::now();
    crate::schedule::tick_all(store, now).await?;
    Ok((ms(at.elapsed()), due))
}

/// Milliseconds one sweep of `spaces` at `now` takes, each evaluated as the scheduler does.
pub async fn sweep_all(
    store: &Store,
    spaces: &[WorkspaceId],
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<f64> {
    use futures_util::StreamExt;
    let at = Instant::now();
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(spaces.iter().copied())
        .map(|ws| async move {
            let mut tx = store.begin().await?;
            workspaces::lock(&mut tx, ws).await?;
            reconcile(&mut tx, ws, now, Trigger::Time).await?;
            tx.commit().await?;
            Ok(())
        })
        .buffer_unordered(crate::schedule::WORKSPACES_AT_ONCE)
        .collect()
        .await;
    results.into_iter().collect::<anyhow::Result<()>>()?;
    Ok(ms(at.elapsed()))
}
