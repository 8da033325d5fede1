//! Slack's HTTP endpoints. The signed ones verify before anything is read; install and the
//! OAuth callback are plain browser pages.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rand::RngCore;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

use crate::config::SlackInstall;

use super::{Slack, commands, events, interactions, verify};

/// Every route this module serves (the app manifests are checked against it).
pub const ROUTES: &[&str] = &[
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
    "/slack/install",
    "/slack/oauth/callback",
];

/// The events `events.rs` acts on (the manifest subscribes to exactly these).
pub const EVENTS: &[&str] = &[
    "app_home_opened",
    "app_uninstalled",
    "team_join",
    "tokens_revoked",
    "user_change",
];

/// The bot scopes the code uses: `commands` for /align, `chat:write` and `chat:write.public`
/// for DMs and the leadership channel, `im:write` for `conversations.open`, `users:read`
/// for `users.info`, and the `history` scopes for finding a message Slack already took
/// before sending it again after a crash.
pub const BOT_SCOPES: &[&str] = &[
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "channels:history",
    "groups:history",
    "im:history",
];

pub fn router(slack: Slack) -> Router {
    let signed = Router::new()
        .route("/slack/commands", post(command))
        .route("/slack/interactions", post(interaction))
        .route("/slack/events", post(event))
        .route_layer(from_fn_with_state(slack.clone(), verify::signed));
    Router::new()
        .merge(signed)
        .route("/slack/install", get(install))
        .route("/slack/oauth/callback", get(oauth_callback))
        .with_state(slack)
}

fn answer(body: Option<Value>) -> Response {
    match body {
        Some(v) => axum::Json(v).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

fn bad_request(what: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("malformed {what}")).into_response()
}

async fn command(State(slack): State<Slack>, body: Bytes) -> Response {
    match serde_urlencoded::from_bytes::<commands::SlashCommand>(&body) {
        Ok(cmd) => answer(commands::handle(&slack, cmd).await),
        Err(_) => bad_request("slash command"),
    }
}

#[derive(Deserialize)]
struct InteractionForm {
    payload: String,
}

async fn interaction(State(slack): State<Slack>, body: Bytes) -> Response {
    let payload = serde_urlencoded::from_bytes::<InteractionForm>(&body)
        .ok()
        .and_then(|f| serde_json::from_str::<Value>(&f.payload).ok());
    match payload {
        Some(p) => answer(interactions::handle(&slack, p).await),
        None => bad_request("interaction"),
    }
}

async fn event(State(slack): State<Slack>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) => match events::handle(&slack, v).await {
            Ok(body) => answer(body),
            Err(()) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
        Err(_) => bad_request("event"),
    }
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    (
        status,
        Html(format!(
            "<!doctype html><meta charset=utf-8><title>{0}</title><h1>{0}</h1><p>{1}</p>",
            escape(title),
            escape(text)
        )),
    )
        .into_response()
}

struct OAuthSettings<'a> {
    client_id: &'a str,
    client_secret: &'a SecretString,
    public_url: &'a str,
}

fn oauth_settings(slack: &Slack) -> Option<OAuthSettings<'_>> {
    match &slack.config().install {
        SlackInstall::OAuth {
            client_id,
            client_secret,
            public_url,
            ..
        } => Some(OAuthSettings {
            client_id,
            client_secret,
            public_url,
        }),
        SlackInstall::Single { .. } => None,
    }
}

/// Starts an install: a one-time `state`, then Slack's consent screen.
async fn install(State(slack): State<Slack>) -> Response {
    let Some(OAuthSettings {
        client_id,
        public_url,
        ..
    }) = oauth_settings(&slack)
    else {
        return page(
            StatusCode::NOT_FOUND,
            "Not available",
            "This server serves one Slack workspace with a configured bot token.",
        );
    };
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let state = super::hex(&bytes);
    let app = slack.app();
    let issued = app
        .store
        .issue_state(
            "slack",
            &state,
            app.clock.now(),
            chrono::Duration::minutes(10),
        )
        .await;
    if let Err(e) = issued {
        tracing::error!(error = ?e, "issuing an OAuth state failed");
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again",
            "The server could not start the install.",
        );
    }
    let url = url::Url::parse_with_params(
        &slack.config().authorize_url,
        &[
            ("client_id", client_id),
            ("scope", &BOT_SCOPES.join(",")),
            ("state", &state),
            (
                "redirect_uri",
                &format!("{public_url}/slack/oauth/callback"),
            ),
        ],
    );
    match url {
        Ok(u) => Redirect::to(u.as_str()).into_response(),
        Err(_) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Misconfigured",
            "SLACK_AUTHORIZE_URL is not a URL.",
        ),
    }
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn oauth_callback(State(slack): State<Slack>, Query(q): Query<Callback>) -> Response {
    let Some(OAuthSettings {
        client_id,
        client_secret,
        public_url,
    }) = oauth_settings(&slack)
    else {
        return page(
            StatusCode::NOT_FOUND,
            "Not available",
            "OAuth install is not configured.",
        );
    };
    if let Some(e) = q.error {
        return page(
            StatusCode::OK,
            "Install cancelled",
            &format!("Slack said: {e}. Nothing was installed."),
        );
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "The callback is missing its code or state.",
        );
    };
    let app = slack.app();
    let consumed = app.store.consume_state("slack", &state, app.clock.now());
    match consumed.await {
        Ok(true) => {}
        Ok(false) => {
            return page(
                StatusCode::BAD_REQUEST,
                "Link expired",
                "This install link has expired or was already used. Start again from /slack/install.",
            );
        }
        Err(e) => {
            tracing::error!(error = ?e, "consuming an OAuth state failed");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "The server could not finish the install.",
            );
        }
    }
    let redirect = format!("{public_url}/slack/oauth/callback");
    let grant = match slack
        .api()
        .oauth_access(client_id, client_secret, &code, &redirect)
        .await
    {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = %e, "oauth.v2.access failed");
            return page(
                StatusCode::BAD_GATEWAY,
                "Install failed",
                &format!("Slack refused the install: {e}."),
            );
        }
    };
    match slack.installs().save(app, &grant).await {
        Ok(_) => page(
            StatusCode::OK,
            "Throughline is installed",
            &format!(
                "Throughline now serves {}. Type /align help in Slack to begin.",
                grant.team_name
            ),
        ),
        Err(e) => {
            tracing::error!(error = ?e, "saving an installation failed");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "The server could not save the install.",
            )
        }
    }
}
