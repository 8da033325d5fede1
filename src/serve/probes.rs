//! What an orchestrator asks: is the process alive, and should it get traffic.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::store::{Store, outbox};

#[derive(Clone)]
pub struct Probes {
    store: Store,
    draining: Arc<AtomicBool>,
}

impl Probes {
    pub fn new(store: Store) -> Self {
        Probes {
            store,
            draining: Arc::new(AtomicBool::new(false)),
        }
    }

    /// From now on /readyz says 503, so no new traffic is sent here.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/livez", get(livez))
            .route("/readyz", get(readyz))
            .route("/healthz", get(readyz))
            .route("/metrics", get(metrics))
            .with_state(self)
    }
}

/// The process answers: restarting it would not help anything else.
async fn livez() -> &'static str {
    "ok"
}

/// Prometheus text: what the process counted, and what only the database knows at the
/// moment of the scrape (the queue, the connection pool).
async fn metrics(
    State(p): State<Probes>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let pool = &p.store.pool;
    metrics::gauge!("throughline_db_pool_connections", "state" => "in_use")
        .set(pool.size().saturating_sub(pool.num_idle() as u32) as f64);
    metrics::gauge!("throughline_db_pool_connections", "state" => "idle")
        .set(pool.num_idle() as f64);
    metrics::gauge!("throughline_db_pool_max_connections")
        .set(pool.options().get_max_connections() as f64);
    let backlog = async {
        let mut conn = pool.acquire().await?;
        outbox::backlog(&mut conn, chrono::Utc::now()).await
    };
    match backlog.await {
        Ok((due, later, oldest)) => {
            metrics::gauge!("throughline_outbox_queued", "due" => "now").set(due as f64);
            metrics::gauge!("throughline_outbox_queued", "due" => "later").set(later as f64);
            metrics::gauge!("throughline_outbox_oldest_due_seconds").set(oldest);
            metrics::gauge!("throughline_database_up").set(1.0);
        }
        Err(e) => {
            tracing::warn!(error = %e, "the queue could not be measured for /metrics");
            metrics::gauge!("throughline_database_up").set(0.0);
        }
    }
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4")],
        crate::observe::metrics().render(),
    )
}

/// The database answers, every migration this binary knows is applied, and the process is
/// not stopping.
async fn readyz(State(p): State<Probes>) -> (StatusCode, String) {
    if p.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining".into());
    }
    match p.store.migrations_pending().await {
        Ok(0) => (StatusCode::OK, "ok".into()),
        Ok(n) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{n} database migrations are not applied yet"),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unreachable: {e}"),
        ),
    }
}
