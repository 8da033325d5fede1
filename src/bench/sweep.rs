//! The scheduler's sweep over many workspaces, against a bare scan of the rows it looks at.

use std::time::Instant;

use chrono::Utc;

use super::seed::Shape;
use super::{Config, Row, Timings, ms, row, seeded_many};
use crate::engine::{Trigger, reconcile};
use crate::store::{Store, WorkspaceId, workspaces};

/// One sweep over many workspaces (each in its own transaction, side by side as the scheduler
/// runs them) against a bare scan of the open items it has to look at; then the sweep after a
/// thousand items in doing have gone quiet for a month at once.
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
    // The first sweep an hour on tells what the seed's episodes settled into; the next one,
    // five minutes later, is a steady tick.
    let hour = Utc::now() + chrono::Duration::hours(1);
    sweep_all(store, &spaces, hour).await?;
    let steady = sweep_all(store, &spaces, hour + chrono::Duration::minutes(5)).await?;
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
    let burst = sweep_all(store, &spaces, hour + chrono::Duration::minutes(10)).await?;
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
            &format!("steady sweep of {label}"),
            &Timings(vec![steady]),
            Some(steady / scan),
            "one run; ratio: over the bare count",
        ),
        row(
            &format!("sweep after {quiet} items in doing stalled at once"),
            &Timings(vec![burst]),
            Some(burst / scan),
            "one run; ratio: over the bare count",
        ),
    ])
}

/// Milliseconds one sweep of `spaces` at `now` takes, as the scheduler runs it.
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
