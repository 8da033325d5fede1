//! A stand-in for Slack's Web API on loopback, for the load the benchmark puts on a `serve`
//! process: it answers the calls Throughline makes as Slack does, at once, and counts the
//! DMs posted and the answers that came late through `response_url`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The team the benchmark's bot token belongs to.
pub const TEAM: &str = "TBENCH";

#[derive(Default)]
pub struct Seen {
    /// `chat.postMessage` calls by channel.
    pub posts: HashMap<String, usize>,
    /// Answers sent through `response_url` (a command answered after Slack's window).
    pub late_answers: usize,
}

#[derive(Clone)]
pub struct SlackApi {
    pub url: String,
    pub seen: Arc<Mutex<Seen>>,
}

type Shared = State<Arc<Mutex<Seen>>>;

impl SlackApi {
    pub async fn start() -> anyhow::Result<SlackApi> {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let router = Router::new()
            .route("/api/users.info", get(user))
            .route("/api/{method}", post(method))
            .route("/response/{id}", post(late_answer))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(SlackApi { url, seen })
    }

    /// Messages posted to direct-message channels so far.
    pub fn dms(&self) -> usize {
        let seen = self.seen.lock().expect("the counters are never poisoned");
        seen.posts
            .iter()
            .filter(|(channel, _)| channel.starts_with('D'))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn late_answers(&self) -> usize {
        self.seen
            .lock()
            .expect("the counters are never poisoned")
            .late_answers
    }
}

async fn user(Query(q): Query<HashMap<String, String>>) -> axum::Json<Value> {
    let id = q.get("user").cloned().unwrap_or_default();
    axum::Json(json!({
        "ok": true,
        "user": { "id": id, "name": id.to_lowercase(), "tz": "Europe/Paris" }
    }))
}

async fn method(
    State(seen): Shared,
    Path(method): Path<String>,
    body: String,
) -> axum::Json<Value> {
    let body: Value = serde_json::from_str(&body).unwrap_or(json!({}));
    axum::Json(match method.as_str() {
        "auth.test" => json!({ "ok": true, "team_id": TEAM, "team": "Bench", "user_id": "UBOT" }),
        "conversations.open" => {
            let user = body["users"].as_str().unwrap_or_default();
            json!({ "ok": true, "channel": { "id": format!("D{user}") } })
        }
        "chat.postMessage" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_string();
            let mut seen = seen.lock().expect("the counters are never poisoned");
            *seen.posts.entry(channel.clone()).or_default() += 1;
            let ts = format!("1700000000.{:06}", seen.posts.values().sum::<usize>());
            json!({ "ok": true, "channel": channel, "ts": ts })
        }
        "chat.update" => json!({ "ok": true, "channel": body["channel"], "ts": body["ts"] }),
        "views.open" | "views.publish" => json!({ "ok": true, "view": body["view"] }),
        _ => json!({ "ok": true }),
    })
}

async fn late_answer(State(seen): Shared) -> &'static str {
    seen.lock()
        .expect("the counters are never poisoned")
        .late_answers += 1;
    "ok"
}
