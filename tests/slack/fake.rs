//! A local Slack Web API that keeps state: the users it knows, every call it received, and
//! failures to serve on demand (429 with Retry-After, 500, `ok: false`, slowness).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub team: String,
    pub body: Value,
}

/// What `chat.postMessage` does next, before it works again.
#[derive(Debug, Clone)]
pub enum Fault {
    RateLimited {
        retry_after: u64,
    },
    ServerError,
    NotOk(&'static str),
    /// Slack posts the message, then the answer is lost (a 500 from a proxy).
    PostedButFailed,
    /// Slack posts the message and the answer never comes (the caller dies waiting).
    #[allow(
        dead_code,
        reason = "only the production tests kill a process mid-call"
    )]
    PostedButHangs,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// Messages the bot posted (chat.postMessage and response_url) not yet taken by the test.
    unread: Vec<Call>,
    faults: VecDeque<Fault>,
    users: HashMap<(String, String), Value>,
    users_info_delay: Duration,
    /// OAuth codes → team id.
    codes: HashMap<String, String>,
    /// Where `apps.connections.open` sends Socket Mode clients.
    socket_url: Option<String>,
    /// Every message in every channel, as `conversations.history` returns them.
    history: Vec<Value>,
    /// What `auth.test` does next, before it works again.
    auth_faults: VecDeque<Fault>,
}

#[derive(Clone)]
pub struct Fake {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

/// The app-level token Socket Mode tests configure.
pub const APP_TOKEN: &str = "xapp-1-A1-test";

pub fn token_of(team: &str) -> String {
    format!("xoxb-{team}")
}

fn team_of(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer xoxb-"))
        .unwrap_or("")
        .to_string()
}

impl Fake {
    pub async fn start() -> Fake {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/api/users.info", get(users_info))
            .route("/api/oauth.v2.access", get(oauth_access))
            .route("/api/conversations.history", get(history))
            .route("/api/conversations.replies", get(history))
            .route("/api/{method}", post(method))
            .route("/response/{id}", post(response_url))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Fake { inner, url }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    pub fn api_url(&self) -> String {
        format!("{}/api", self.url)
    }

    /// A person Slack knows in `team`.
    pub fn user(&self, team: &str, id: &str, name: &str, admin: bool) {
        self.lock().users.insert(
            (team.into(), id.into()),
            json!({
                "id": id, "name": name, "deleted": false, "tz": "Europe/Paris",
                "is_admin": admin, "is_owner": false,
                "profile": { "display_name": name, "real_name": name }
            }),
        );
    }

    pub fn user_json(&self, team: &str, id: &str) -> Value {
        self.lock().users[&(team.to_string(), id.to_string())].clone()
    }

    pub fn oauth_code(&self, code: &str, team: &str) {
        self.lock().codes.insert(code.into(), team.into());
    }

    pub fn serve_socket_mode_at(&self, url: &str) {
        self.lock().socket_url = Some(url.to_string());
    }

    pub fn fail_posts(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().faults.extend(faults);
    }

    #[allow(
        dead_code,
        reason = "only the production tests start a process against Slack"
    )]
    pub fn fail_auth_test(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().auth_faults.extend(faults);
    }

    pub fn slow_users_info(&self, delay: Duration) {
        self.lock().users_info_delay = delay;
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Takes the oldest message the bot posted to `channel` whose text or blocks contain
    /// every needle; fails if there is none.
    pub fn take(&self, channel: &str, needles: &[&str]) -> Value {
        self.take_from("chat.postMessage", channel, needles)
    }

    /// Takes the oldest `chat.update` of a message in `user`'s DMs.
    pub fn take_dm_edit(&self, user: &str, needles: &[&str]) -> Value {
        self.take_from("chat.update", &format!("D{user}"), needles)
    }

    fn take_from(&self, method: &str, channel: &str, needles: &[&str]) -> Value {
        let mut inner = self.lock();
        let i = inner
            .unread
            .iter()
            .position(|c| {
                let body = c.body.to_string();
                (c.method == "chat.update") == (method == "chat.update")
                    && c.body["channel"] == channel
                    && needles.iter().all(|n| body.contains(n))
            })
            .unwrap_or_else(|| {
                panic!(
                    "expected a message to {channel} containing {needles:?}; unread: {:#?}",
                    inner
                        .unread
                        .iter()
                        .map(|c| (&c.body["channel"], &c.body["text"]))
                        .collect::<Vec<_>>()
                )
            });
        inner.unread.remove(i).body
    }

    /// Takes every unread message posted or edited in `channel`, oldest first: for what a
    /// test has no need to read.
    pub fn drain(&self, channel: &str) -> Vec<Value> {
        let mut inner = self.lock();
        let (taken, kept) = std::mem::take(&mut inner.unread)
            .into_iter()
            .partition(|c| c.body["channel"] == channel);
        inner.unread = kept;
        taken.into_iter().map(|c: Call| c.body).collect()
    }

    /// A DM to a user: the fake names DM channels `D` + the user id.
    pub fn take_dm(&self, user: &str, needles: &[&str]) -> Value {
        self.take(&format!("D{user}"), needles)
    }

    /// Takes the oldest answer the bot sent through a response_url.
    pub fn take_response(&self, needles: &[&str]) -> Value {
        self.take("response_url", needles)
    }

    /// Waits (a few seconds at most) until `n` messages are unread: for what the bot sends
    /// after it has answered, like the notifications a form submission causes.
    pub async fn wait_unread(&self, n: usize) {
        for _ in 0..500 {
            if self.lock().unread.len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("expected {n} unread messages, got {:#?}", self.unread());
    }

    pub fn unread(&self) -> Vec<Value> {
        self.lock().unread.iter().map(|c| c.body.clone()).collect()
    }

    pub fn assert_nothing_unread(&self) {
        let unread = self.unread();
        assert!(
            unread.is_empty(),
            "messages the test did not expect: {unread:#?}"
        );
    }
}

type Shared = State<Arc<Mutex<Inner>>>;

fn ok(v: Value) -> Response {
    let mut v = v;
    v["ok"] = json!(true);
    axum::Json(v).into_response()
}

fn not_ok(code: &str) -> Response {
    axum::Json(json!({ "ok": false, "error": code })).into_response()
}

async fn method(
    State(s): Shared,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    match answer(&s, method, &headers, body) {
        Some(answer) => answer,
        None => hang().await,
    }
}

/// What Slack answers a Web API call with; `None` when the answer never comes.
fn answer(
    s: &Arc<Mutex<Inner>>,
    method: String,
    headers: &HeaderMap,
    body: String,
) -> Option<Response> {
    if method == "apps.connections.open" {
        return Some(connections_open(s, headers));
    }
    let team = team_of(headers);
    if team.is_empty() {
        return Some(not_ok("not_authed"));
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(json!({}));
    let call = Call {
        method: method.clone(),
        team: team.clone(),
        body: body.clone(),
    };
    let mut inner = s.lock().unwrap();
    inner.calls.push(call.clone());
    Some(match method.as_str() {
        "auth.test" => match inner.auth_faults.pop_front() {
            Some(Fault::NotOk(code)) => not_ok(code),
            Some(_) => (StatusCode::INTERNAL_SERVER_ERROR, "upstream failure").into_response(),
            None => {
                ok(json!({ "team_id": team, "team": format!("Team {team}"), "user_id": "UBOT" }))
            }
        },
        "conversations.open" => {
            let user = body["users"].as_str().unwrap_or_default();
            ok(json!({ "channel": { "id": format!("D{user}") } }))
        }
        "chat.postMessage" => {
            let fault = inner.faults.pop_front();
            // Slack's ts: the wall-clock second it was posted, and a unique fraction.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            let ts = format!("{}.{:06}", now.as_secs(), inner.calls.len());
            if matches!(
                fault,
                None | Some(Fault::PostedButFailed | Fault::PostedButHangs)
            ) {
                inner.unread.push(call);
                let mut kept = body.clone();
                kept["ts"] = json!(ts);
                inner.history.push(kept);
            }
            match fault {
                Some(Fault::RateLimited { retry_after }) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", retry_after.to_string())],
                    axum::Json(json!({ "ok": false, "error": "ratelimited" })),
                )
                    .into_response(),
                Some(Fault::ServerError | Fault::PostedButFailed) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "upstream failure").into_response()
                }
                Some(Fault::PostedButHangs) => return None,
                Some(Fault::NotOk(code)) => not_ok(code),
                None => ok(json!({ "channel": body["channel"], "ts": ts })),
            }
        }
        "chat.update" => {
            inner.unread.push(call);
            ok(json!({ "channel": body["channel"], "ts": body["ts"] }))
        }
        "views.open" | "views.publish" => ok(json!({ "view": body["view"] })),
        _ => not_ok("unknown_method"),
    })
}

/// Socket Mode's handshake: only the app-level token may open a connection.
fn connections_open(s: &Arc<Mutex<Inner>>, headers: &HeaderMap) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let mut inner = s.lock().unwrap();
    inner.calls.push(Call {
        method: "apps.connections.open".into(),
        team: String::new(),
        body: json!({ "authorization": auth }),
    });
    match (auth, &inner.socket_url) {
        (Some(a), Some(url)) if a == format!("Bearer {APP_TOKEN}") => ok(json!({ "url": url })),
        (Some(a), _) if a.starts_with("Bearer xoxb-") => not_ok("not_allowed_token_type"),
        _ => not_ok("invalid_auth"),
    }
}

async fn users_info(
    State(s): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let team = team_of(&headers);
    let user = q.get("user").cloned().unwrap_or_default();
    let delay = {
        let mut inner = s.lock().unwrap();
        inner.calls.push(Call {
            method: "users.info".into(),
            team: team.clone(),
            body: json!({ "user": user }),
        });
        inner.users_info_delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let inner = s.lock().unwrap();
    match inner.users.get(&(team, user)) {
        Some(u) => ok(json!({ "user": u })),
        None => not_ok("user_not_found"),
    }
}

/// `conversations.history` (a channel's messages) and `conversations.replies` (a thread's),
/// newest first, with message metadata only when `include_all_metadata` asks for it.
async fn history(
    State(s): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let team = team_of(&headers);
    let mut inner = s.lock().unwrap();
    inner.calls.push(Call {
        method: "conversations.history".into(),
        team,
        body: json!(q),
    });
    let channel = q.get("channel").cloned().unwrap_or_default();
    let oldest: f64 = q.get("oldest").and_then(|o| o.parse().ok()).unwrap_or(0.0);
    let metadata = q.get("include_all_metadata").is_some_and(|v| v == "true");
    let thread = q.get("ts");
    let messages: Vec<Value> = inner
        .history
        .iter()
        .rev()
        .filter(|m| m["channel"] == channel.as_str())
        .filter(|m| thread.is_none_or(|t| m["thread_ts"] == t.as_str()))
        .filter(|m| m["ts"].as_str().and_then(|t| t.parse::<f64>().ok()) >= Some(oldest))
        .map(|m| {
            let mut m = m.clone();
            if !metadata {
                m.as_object_mut().unwrap().remove("metadata");
            }
            m
        })
        .collect();
    ok(json!({ "messages": messages, "has_more": false }))
}

async fn oauth_access(
    State(s): Shared,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("client-1:client-secret")
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return not_ok("invalid_client_id");
    }
    let mut inner = s.lock().unwrap();
    let code = q.get("code").cloned().unwrap_or_default();
    inner.calls.push(Call {
        method: "oauth.v2.access".into(),
        team: String::new(),
        body: json!(q),
    });
    let Some(team) = inner.codes.remove(&code) else {
        return not_ok("invalid_code");
    };
    ok(json!({
        "access_token": format!("xoxb-{team}"),
        "token_type": "bot",
        "scope": "commands,chat:write,chat:write.public,im:write,users:read",
        "bot_user_id": "UBOT",
        "app_id": "A1",
        "team": { "id": team, "name": format!("Team {team}") },
        "authed_user": { "id": "UINSTALLER" }
    }))
}

async fn response_url(State(s): Shared, Path(_id): Path<String>, body: String) -> Response {
    let mut body: Value = serde_json::from_str(&body).unwrap_or(json!({}));
    body["channel"] = json!("response_url");
    let mut inner = s.lock().unwrap();
    let call = Call {
        method: "response_url".into(),
        team: String::new(),
        body,
    };
    inner.calls.push(call.clone());
    inner.unread.push(call);
    (StatusCode::OK, "ok").into_response()
}

/// An answer that never comes.
fn hang() -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> {
    Box::pin(std::future::pending())
}
