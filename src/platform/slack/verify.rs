//! Every request from Slack is checked before anything reads it: HMAC-SHA256 over
//! `v0:{timestamp}:{body}` with the signing secret, and a timestamp within five minutes.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::platform::signed::{Signed, reject};
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use super::Slack;

pub async fn signed(State(slack): State<Slack>, req: Request, next: Next) -> Response {
    let Some(verifier) = slack.verifier() else {
        return (
            StatusCode::NOT_FOUND,
            "HTTP endpoints are off in Socket Mode",
        )
            .into_response();
    };
    let signed = match Signed::collect(
        req,
        SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER,
        SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP,
    )
    .await
    {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let Ok(text) = std::str::from_utf8(&signed.body) else {
        return reject("body is not UTF-8");
    };
    if let Err(e) = verifier.verify(&signed.signature, text, &signed.timestamp) {
        tracing::warn!(error = %e, "rejected a Slack request");
        return reject("invalid signature or stale timestamp");
    }
    next.run(signed.into_request()).await
}
