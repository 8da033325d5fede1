//! Every interaction is checked before anything reads it: Ed25519 over `timestamp ‖ body`
//! with the application's public key, and a timestamp no older than five minutes (Discord
//! sets no window; a replayed request must not act again days later).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::platform::signed::{Signed, reject};

use super::Discord;

const MAX_SKEW_SECS: i64 = 300;

pub async fn signed(State(discord): State<Discord>, req: Request, next: Next) -> Response {
    let Some(verifier) = &discord.inner.verifier else {
        return (
            StatusCode::NOT_FOUND,
            "the interactions endpoint is off in Gateway mode",
        )
            .into_response();
    };
    let signed = match Signed::collect(req, "x-signature-ed25519", "x-signature-timestamp").await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    if verifier
        .verify(&signed.signature, &signed.timestamp, &signed.body)
        .is_err()
    {
        return reject("invalid request signature");
    }
    let fresh = signed
        .timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() <= MAX_SKEW_SECS);
    if !fresh {
        tracing::warn!("rejected a Discord request with a stale timestamp");
        return reject("stale timestamp");
    }
    next.run(signed.into_request()).await
}
