//! What an orchestrator asks: is the process alive, and should it get traffic.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::store::Store;

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
            .with_state(self)
    }
}

/// The process answers: restarting it would not help anything else.
async fn livez() -> &'static str {
    "ok"
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
