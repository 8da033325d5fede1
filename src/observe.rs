//! What an operator sees: Prometheus metrics (the `metrics` facade, rendered by its
//! Prometheus exporter at /metrics), logs as text or JSON, and a span per request that puts
//! its id and workspace on every line it causes.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use rand::RngCore;
use tracing::Instrument;

/// Seconds: from a fast database answer to a platform call that gives up.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the process's metrics recorder once; later calls get the same handle.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets(LATENCY_BUCKETS)
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("no other metrics recorder is installed")
    })
}

/// Logs for people (`text`, the default) or for a log pipeline (`json`), to stderr.
/// `RUST_LOG`, when set, decides what is logged; otherwise `default_filter`.
pub fn init_logs(format: Option<&str>, default_filter: &str) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| default_filter.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format.unwrap_or("text") {
        "text" => builder.init(),
        "json" => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        other => anyhow::bail!("LOG_FORMAT must be text or json, not '{other}'"),
    }
    Ok(())
}

/// Around every HTTP request: a span with its id (the caller's `x-request-id`, or a new
/// one) and, once an adapter knows it, its workspace; a count by route and outcome; a
/// latency histogram by route.
pub async fn request(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(new_request_id);
    let span = tracing::info_span!("request", request_id = %id, route = %route, workspace = tracing::field::Empty);
    let started = Instant::now();
    let response = next.run(req).instrument(span).await;
    let outcome = match response.status().as_u16() {
        200..=399 => "ok",
        401 | 403 => "refused",
        400..=499 => "bad_request",
        _ => "error",
    };
    metrics::counter!("throughline_http_requests_total", "route" => route.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("throughline_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Puts the workspace on the current request's span, so every later line carries it.
pub fn workspace(ws: i64) {
    tracing::Span::current().record("workspace", ws);
}

/// Work a request leaves running keeps the request's span (its id, its workspace).
pub fn in_span<F: std::future::Future>(work: F) -> tracing::instrument::Instrumented<F> {
    work.in_current_span()
}
