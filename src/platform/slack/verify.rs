//! Every request from Slack is checked before anything reads it: HMAC-SHA256 over
//! `v0:{timestamp}:{body}` with the signing secret, and a timestamp within five minutes.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use super::Slack;

/// Slack's payloads are small; anything larger is not from Slack.
const MAX_BODY: usize = 1 << 20;

pub async fn signed(State(slack): State<Slack>, req: Request, next: Next) -> Response {
    let Some(verifier) = slack.verifier() else {
        return (
            StatusCode::NOT_FOUND,
            "HTTP endpoints are off in Socket Mode",
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
        header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER),
        header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP),
    ) else {
        return reject("missing signature headers");
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return reject("body is not UTF-8");
    };
    if let Err(e) = verifier.verify(&signature, text, &timestamp) {
        tracing::warn!(error = %e, "rejected a Slack request");
        return reject("invalid signature or stale timestamp");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn reject(why: &'static str) -> Response {
    (StatusCode::UNAUTHORIZED, why).into_response()
}
