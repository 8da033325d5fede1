//! A local Discord REST API that keeps state: DM channels it opened, every message, every
//! edited interaction reply and every command registration, and failures on demand (429 with
//! `retry_after`, 5xx, people who refuse DMs, slowness).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post, put};
use serde_json::{Value, json};

pub const BOT_TOKEN: &str = "test-bot-token";
pub const APP_ID: &str = "900000000000000001";

#[derive(Debug, Clone)]
pub struct Call {
    pub route: String,
    pub body: Value,
}

#[derive(Debug, Clone)]
pub enum Fault {
    RateLimited {
        retry_after: f64,
    },
    ServerError,
    /// Discord posts the message, then the answer is lost (a 502 from its edge).
    PostedButFailed,
    /// Discord posts the message and the answer never comes (the caller dies waiting).
    #[allow(
        dead_code,
        reason = "only the production tests kill a process mid-call"
    )]
    PostedButHangs,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// Messages posted (channel messages and edited replies) not yet taken by the test.
    unread: Vec<Call>,
    faults: VecDeque<Fault>,
    refuses_dms: HashSet<String>,
    /// (channel, nonce) → the message posted with it, for `enforce_nonce`.
    nonces: HashMap<(String, String), Value>,
}

#[derive(Clone)]
pub struct Fake {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl Fake {
    pub async fn start() -> Fake {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/api/v10/users/@me/channels", post(open_dm))
            .route("/api/v10/channels/{channel}/messages", post(message))
            .route(
                "/api/v10/channels/{channel}/messages/{id}",
                patch(edit_message),
            )
            .route(
                "/api/v10/webhooks/{app}/{token}/messages/@original",
                patch(edit_original),
            )
            .route(
                "/api/v10/interactions/{id}/{token}/callback",
                post(interaction_callback),
            )
            .route("/api/v10/applications/{app}/commands", put(global_commands))
            .route(
                "/api/v10/applications/{app}/guilds/{guild}/commands",
                put(guild_commands),
            )
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Fake { inner, url }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    pub fn fail_posts(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().faults.extend(faults);
    }

    /// This user blocks DMs from server members.
    pub fn refuse_dms(&self, user: &str) {
        self.lock().refuses_dms.insert(user.to_string());
    }

    pub fn calls(&self, route_prefix: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.route.starts_with(route_prefix))
            .cloned()
            .collect()
    }

    /// Takes the oldest message to `channel` whose JSON contains every needle.
    pub fn take(&self, channel: &str, needles: &[&str]) -> Value {
        let mut inner = self.lock();
        let route = format!("channels/{channel}");
        let i = inner
            .unread
            .iter()
            .position(|c| {
                let body = c.body.to_string();
                c.route == route && needles.iter().all(|n| body.contains(n))
            })
            .unwrap_or_else(|| {
                panic!(
                    "expected a message to {channel} containing {needles:?}; unread: {:#?}",
                    inner
                        .unread
                        .iter()
                        .map(|c| (&c.route, c.body["embeds"][0]["title"].clone()))
                        .collect::<Vec<_>>()
                )
            });
        inner.unread.remove(i).body
    }

    /// Takes every unread message posted to `channel`, oldest first: for what a test has no
    /// need to read.
    pub fn drain(&self, channel: &str) -> Vec<Value> {
        let mut inner = self.lock();
        let route = format!("channels/{channel}");
        let (taken, kept) = std::mem::take(&mut inner.unread)
            .into_iter()
            .partition(|c| c.route == route);
        inner.unread = kept;
        taken.into_iter().map(|c: Call| c.body).collect()
    }

    /// A DM to a user: the fake names DM channels `dm-` + the user id.
    pub fn take_dm(&self, user: &str, needles: &[&str]) -> Value {
        self.take(&format!("dm-{user}"), needles)
    }

    /// The edit of a message the bot posted to `user`'s DMs.
    pub fn take_dm_edit(&self, user: &str, needles: &[&str]) -> Value {
        self.take(&format!("edit/dm-{user}"), needles)
    }

    /// Takes the edit of a deferred interaction reply.
    pub fn take_original(&self, token: &str) -> Value {
        let mut inner = self.lock();
        let route = format!("original/{token}");
        let i = inner
            .unread
            .iter()
            .position(|c| c.route == route)
            .unwrap_or_else(|| panic!("no edited reply for {token}"));
        inner.unread.remove(i).body
    }

    /// Where each message not yet taken went (`channels/<id>`, `original/<token>`).
    #[allow(
        dead_code,
        reason = "the production tests count what arrived on both platforms"
    )]
    pub fn unread_routes(&self) -> Vec<String> {
        self.lock().unread.iter().map(|c| c.route.clone()).collect()
    }

    /// Every message the bot sent, read or not.
    pub fn all_messages(&self) -> Vec<Value> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.route.starts_with("channels/") || c.route.starts_with("original/"))
            .map(|c| c.body.clone())
            .collect()
    }

    pub fn assert_nothing_unread(&self) {
        let unread: Vec<(String, Value)> = self
            .lock()
            .unread
            .iter()
            .map(|c| (c.route.clone(), c.body["embeds"][0]["title"].clone()))
            .collect();
        assert!(
            unread.is_empty(),
            "messages the test did not expect: {unread:#?}"
        );
    }
}

type Shared = State<Arc<Mutex<Inner>>>;

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(format!("Bot {BOT_TOKEN}").as_str())
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({ "message": "401: Unauthorized", "code": 0 })),
    )
        .into_response()
}

async fn open_dm(State(s): Shared, headers: HeaderMap, body: String) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    let user = body["recipient_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    s.lock().unwrap().calls.push(Call {
        route: "users/@me/channels".into(),
        body: body.clone(),
    });
    axum::Json(json!({ "id": format!("dm-{user}"), "type": 1,
        "recipients": [{ "id": user }] }))
    .into_response()
}

async fn message(
    State(s): Shared,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    match post_message(&s, channel, &headers, body) {
        Some(answer) => answer,
        None => hang().await,
    }
}

/// What Discord answers a new message with; `None` when the answer never comes.
fn post_message(
    s: &Arc<Mutex<Inner>>,
    channel: String,
    headers: &HeaderMap,
    body: String,
) -> Option<Response> {
    if !authorized(headers) {
        return Some(unauthorized());
    }
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    let call = Call {
        route: format!("channels/{channel}"),
        body,
    };
    let mut inner = s.lock().unwrap();
    inner.calls.push(call.clone());
    if let Some(user) = channel.strip_prefix("dm-")
        && inner.refuses_dms.contains(user)
    {
        return Some(
            (
                StatusCode::FORBIDDEN,
                axum::Json(
                    json!({ "message": "Cannot send messages to this user", "code": 50007 }),
                ),
            )
                .into_response(),
        );
    }
    // With enforce_nonce, Discord answers a repeated nonce with the message it already has.
    let nonce = call.body["nonce"].as_str().map(str::to_string);
    if call.body["enforce_nonce"] == true
        && let Some(n) = &nonce
        && let Some(earlier) = inner.nonces.get(&(channel.clone(), n.clone()))
    {
        return Some(axum::Json(earlier.clone()).into_response());
    }
    let fault = inner.faults.pop_front();
    let posted = json!({ "id": format!("m{}", inner.calls.len()), "channel_id": channel });
    if matches!(
        fault,
        None | Some(Fault::PostedButFailed | Fault::PostedButHangs)
    ) {
        inner.unread.push(call.clone());
        if let Some(n) = nonce {
            inner.nonces.insert((channel.clone(), n), posted.clone());
        }
    }
    Some(match fault {
        Some(Fault::RateLimited { retry_after }) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after.ceil().to_string())],
            axum::Json(json!({ "message": "You are being rate limited.",
                "retry_after": retry_after, "global": false })),
        )
            .into_response(),
        Some(Fault::ServerError | Fault::PostedButFailed) => {
            (StatusCode::BAD_GATEWAY, "upstream failure").into_response()
        }
        Some(Fault::PostedButHangs) => return None,
        None => axum::Json(posted).into_response(),
    })
}

async fn edit_message(
    State(s): Shared,
    Path((channel, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    let call = Call {
        route: format!("channels/edit/{channel}"),
        body,
    };
    let mut inner = s.lock().unwrap();
    inner.calls.push(call.clone());
    inner.unread.push(call);
    axum::Json(json!({ "id": id, "channel_id": channel })).into_response()
}

async fn edit_original(
    State(s): Shared,
    Path((_app, token)): Path<(String, String)>,
    body: String,
) -> Response {
    // Interaction webhooks are authorised by their token, not the bot's.
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    let call = Call {
        route: format!("original/{token}"),
        body,
    };
    let mut inner = s.lock().unwrap();
    inner.calls.push(call.clone());
    inner.unread.push(call);
    axum::Json(json!({ "id": "m0" })).into_response()
}

fn registered(s: &Arc<Mutex<Inner>>, route: String, headers: &HeaderMap, body: String) -> Response {
    if !authorized(headers) {
        return unauthorized();
    }
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    s.lock().unwrap().calls.push(Call {
        route,
        body: body.clone(),
    });
    axum::Json(body).into_response()
}

async fn global_commands(
    State(s): Shared,
    Path(app): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    registered(&s, format!("commands/{app}"), &headers, body)
}

async fn guild_commands(
    State(s): Shared,
    Path((app, guild)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    registered(&s, format!("commands/{app}/{guild}"), &headers, body)
}

async fn interaction_callback(
    State(s): Shared,
    Path((id, _token)): Path<(String, String)>,
    body: String,
) -> Response {
    // Authorised by the interaction's token, like the other interaction webhooks.
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    s.lock().unwrap().calls.push(Call {
        route: format!("callback/{id}"),
        body,
    });
    StatusCode::NO_CONTENT.into_response()
}

/// An answer that never comes.
fn hang() -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> {
    Box::pin(std::future::pending())
}
