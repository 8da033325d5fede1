//! Webhooks from where the work happens (GitHub, GitLab): verify, translate once, record
//! through the same transactional path as a command, answer. A delivery is acted on once; a
//! bad signature, an unknown connection or another repository changes nothing.

mod github;
mod gitlab;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::time::timeout;

use crate::app::App;
use crate::domain::evidence::{Activity, Forge};
use crate::observe::in_span;
use crate::store::connections::Connection;
use crate::store::sealed;

/// Every route this module serves.
pub const ROUTES: &[&str] = &["/hooks/github/{id}", "/hooks/gitlab/{id}"];

/// GitHub gives up on an answer after 10 s; what takes longer goes on after a 202.
const ANSWER_WITHIN: Duration = Duration::from_secs(8);
/// Push payloads carry commit messages; GitHub caps a payload at 25 MB.
const MAX_BODY: usize = 25 << 20;

/// A payload, in Throughline's terms.
#[derive(Debug, PartialEq)]
pub enum Translated {
    Ping,
    Activity(Box<Activity>),
    /// An event or action that says nothing about work (a label, a tag).
    Ignored(String),
    Malformed(String),
}

/// A string at `path` in `v`, or empty.
fn str_at(v: &Value, path: &[&str]) -> String {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The messages of the commits a push carries (both forges name them alike).
fn commit_messages(p: &Value) -> Vec<String> {
    p["commits"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["message"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[derive(Clone)]
pub struct Forges {
    app: App,
    /// Wakes the dispatcher when a delivery queued a message.
    wake: Arc<Notify>,
}

impl Forges {
    pub fn new(app: App, wake: Arc<Notify>) -> Self {
        Forges { app, wake }
    }
}

pub fn router(f: Forges) -> Router {
    Router::new()
        .route(
            "/hooks/github/{id}",
            post(|s, p, h, b| hook(s, p, h, b, Forge::GitHub)),
        )
        .route(
            "/hooks/gitlab/{id}",
            post(|s, p, h, b| hook(s, p, h, b, Forge::GitLab)),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(f)
}

fn answer(status: StatusCode, what: &str) -> Response {
    (
        status,
        axum::Json(json!({ "ok": status.is_success(), "message": what })),
    )
        .into_response()
}

async fn hook(
    State(f): State<Forges>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
    forge: Forge,
) -> Response {
    let connection = match connection(&f.app, &id, forge).await {
        Ok(Some(c)) => c,
        Ok(None) => return answer(StatusCode::NOT_FOUND, "no such connection"),
        Err(e) => {
            tracing::error!(error = ?e, "looking up a connection failed");
            return answer(StatusCode::SERVICE_UNAVAILABLE, "try again later");
        }
    };
    let Some(secret) = secret(&f.app, &connection) else {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "cannot check signatures");
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (verified, event, delivery) = match forge {
        Forge::GitHub => (
            github::verified(secret.expose_secret(), &headers, &body),
            header(github::EVENT),
            header(github::DELIVERY),
        ),
        Forge::GitLab => (
            gitlab::verified(secret.expose_secret(), &headers),
            header(gitlab::EVENT),
            gitlab::DELIVERY.iter().find_map(|h| header(h)),
        ),
    };
    if !verified {
        tracing::warn!(connection = %connection.id, forge = forge.as_str(), "webhook signature does not match");
        return answer(StatusCode::UNAUTHORIZED, "signature does not match");
    }
    let (Some(event), Some(delivery)) = (event, delivery) else {
        return answer(StatusCode::BAD_REQUEST, "missing event or delivery headers");
    };
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let translated = match forge {
        Forge::GitHub => github::translate(event, &payload),
        Forge::GitLab => gitlab::translate(event, &payload),
    };
    let delivery = format!("{}:{delivery}", forge.as_str());
    act(&f, &connection, translated, delivery).await
}

async fn connection(app: &App, id: &str, forge: Forge) -> anyhow::Result<Option<Connection>> {
    let mut conn = app.store.pool.acquire().await?;
    let found = crate::store::connections::by_id(&mut conn, id).await?;
    Ok(found.filter(|c| c.forge == forge.as_str()))
}

/// The connection's webhook secret; `None` when this server holds no key for it.
fn secret(app: &App, c: &Connection) -> Option<secrecy::SecretString> {
    let key = app.public.as_ref()?.hooks_key?;
    match sealed::open(&key, &c.id, &c.secret_nonce, &c.secret_ciphertext) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::error!(error = %e, connection = %c.id, "a webhook secret does not decrypt: was HOOKS_KEY changed?");
            None
        }
    }
}

/// Acts on a verified delivery once: its id is taken in the transaction that records it.
async fn act(f: &Forges, c: &Connection, translated: Translated, delivery: String) -> Response {
    let app = &f.app;
    let ws = c.workspace_id;
    let activity = match translated {
        Translated::Ping => {
            let _ = app.delivered(&c.id, None).await;
            return answer(StatusCode::OK, "pong");
        }
        Translated::Ignored(what) => {
            let _ = app.delivered(&c.id, None).await;
            return answer(StatusCode::ACCEPTED, &format!("ignored: {what}"));
        }
        Translated::Malformed(why) => {
            let _ = app.delivered(&c.id, Some(&why)).await;
            return answer(StatusCode::BAD_REQUEST, &why);
        }
        Translated::Activity(a) => a,
    };
    if !activity.repository.eq_ignore_ascii_case(&c.repository) {
        tracing::warn!(connection = %c.id, from = %activity.repository, expected = %c.repository, "a delivery from another repository is ignored");
        let why = format!(
            "a delivery came from {}, not {}",
            activity.repository, c.repository
        );
        let _ = app.delivered(&c.id, Some(&why)).await;
        return answer(StatusCode::ACCEPTED, "ignored: another repository");
    }
    let (app2, wake, id) = (app.clone(), f.wake.clone(), c.id.clone());
    let job = app.tasks.spawn(in_span(async move {
        let done = app2.evidence(ws, &id, &delivery, &activity).await;
        match &done {
            Ok(r) if !r.finished.is_empty() => wake.notify_one(),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = ?e, connection = %id, "recording a delivery failed");
                let _ = app2
                    .delivered(&id, Some("recording it failed on our side"))
                    .await;
            }
        }
        done.map(|r| r.repeat).ok()
    }));
    match timeout(ANSWER_WITHIN, job).await {
        Ok(Ok(Some(false))) => answer(StatusCode::OK, "recorded"),
        Ok(Ok(Some(true))) => answer(StatusCode::OK, "already processed"),
        // Nothing was kept, the delivery's id included: the forge may deliver it again.
        Ok(_) => answer(StatusCode::SERVICE_UNAVAILABLE, "try again later"),
        Err(_) => answer(StatusCode::ACCEPTED, "recording"),
    }
}
