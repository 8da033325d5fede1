//! Every interaction is checked before anything reads it: Ed25519 over `timestamp ‖ body`
//! with the application's public key, and a timestamp no older than five minutes (Discord
//! sets no window; a replayed request must not act again days later).

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Discord;

const MAX_BODY: usize = 1 << 20;
const MAX_SKEW_SECS: i64 = 300;

pub async fn signed(State(discord): State<Discord>, req: Request, next: Next) -> Response {
    let Some(verifier) = &discord.inner.verifier else {
        return (
            StatusCode::NOT_FOUND,
            "the interactions endpoint is off in Gateway mode",
        )
            .into_response();
    };
    let (parts, body) = req.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (Some(signature), Some(timestamp)) = (
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
    ) else {
        return reject("missing signature headers");
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    if verifier.verify(&signature, &timestamp, &bytes).is_err() {
        return reject("invalid request signature");
    }
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() <= MAX_SKEW_SECS);
    if !fresh {
        tracing::warn!("rejected a Discord request with a stale timestamp");
        return reject("stale timestamp");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn reject(why: &'static str) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}
