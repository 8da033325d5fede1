//! Throughline's real Slack router on a local port, a fake Slack Web API behind it, and
//! requests signed exactly as Slack signs them. `finish` fails on any message the bot sent
//! that the test did not take.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::Sha256;
use throughline::app::App;
use throughline::clock::ManualClock;
use throughline::config::{Public, SlackConfig, SlackInstall};
use throughline::devdb::Scratch;
use throughline::notify::Dispatcher;
use throughline::platform::forge::Forges;
use throughline::platform::slack::{Slack, SlackTransport};
use throughline::store::Store;

use crate::fake::{APP_TOKEN, Fake, token_of};
use crate::fake_socket::Link;
use crate::world;

pub const SECRET: &str = "test-signing-secret";
/// Seals repository connections' webhook secrets.
pub const HOOKS_KEY: [u8; 32] = [9u8; 32];
/// Thursday morning, the founding brief's day.
pub const START: &str = "2026-11-19T09:30:00Z";
/// The answer window, shorter than Slack's so that a test of a late answer waits less.
pub const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_millis(1_000);

pub struct S {
    pub fake: Fake,
    /// Slack's end of the Socket Mode connection, when the bot runs in Socket Mode.
    pub link: Option<Link>,
    pub slack: Slack,
    pub base: String,
    pub clock: Arc<ManualClock>,
    /// The process's one dispatcher, stepped by the test.
    pub dispatcher: Dispatcher<SlackTransport>,
    http: reqwest::Client,
    scratch: Scratch,
    triggers: AtomicUsize,
}

pub fn sign(body: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

pub enum Install {
    /// One team, T1, with a bot token in the configuration.
    Single,
    /// Any team, through OAuth v2.
    OAuth,
}

impl S {
    pub async fn new() -> S {
        Self::with(Install::Single).await
    }

    pub async fn with(install: Install) -> S {
        Self::build(install, false).await
    }

    /// One team in Socket Mode: no signing secret, an app-level token, a connection dialled
    /// out to the fake.
    pub async fn socket() -> S {
        let s = Self::build(Install::Single, true).await;
        s.link().wait_for_connection(1).await;
        s
    }

    async fn build(install: Install, socket_mode: bool) -> S {
        let scratch = Scratch::new("throughline_slack", 8)
            .await
            .expect("a fresh database");
        let store = scratch.store.clone();
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = App {
            store,
            clock: clock.clone(),
            new_people_admin: false,
            tasks: Default::default(),
            public: Some(Public {
                url: base.clone(),
                hooks_key: Some(HOOKS_KEY),
            }),
        };
        let fake = Fake::start().await;
        let install = match install {
            Install::Single => SlackInstall::Single {
                bot_token: SecretString::from(token_of("T1")),
            },
            Install::OAuth => SlackInstall::OAuth {
                client_id: "client-1".into(),
                client_secret: SecretString::from("client-secret".to_string()),
                token_key: [42u8; 32],
                public_url: base.clone(),
            },
        };
        let link = if socket_mode {
            let link = Link::start().await;
            fake.serve_socket_mode_at(&link.url);
            Some(link)
        } else {
            None
        };
        let config = SlackConfig {
            signing_secret: Some(SecretString::from(SECRET.to_string())),
            install,
            app_token: socket_mode.then(|| SecretString::from(APP_TOKEN.to_string())),
            api_url: fake.api_url(),
            authorize_url: format!("{}/oauth/v2/authorize", fake.url),
            answer_within: ANSWER_WITHIN,
        };
        let slack = Slack::new(app, config, Arc::new(tokio::sync::Notify::new()))
            .await
            .expect("the Slack adapter starts");
        let forges = Forges::new(slack.app().clone(), Arc::new(tokio::sync::Notify::new()));
        let router = throughline::platform::slack::router(slack.clone())
            .merge(throughline::platform::forge::router(forges))
            .merge(throughline::platform::api::router(
                slack.app().clone(),
                Arc::new(tokio::sync::Notify::new()),
            ));
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        if let Some(token) = slack.config().app_token.clone() {
            tokio::spawn(throughline::platform::slack::socket_mode(
                slack.clone(),
                token,
            ));
        }
        S {
            fake,
            link,
            dispatcher: Dispatcher::new(scratch.store.clone(), slack.transport()),
            slack,
            base,
            clock,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            scratch,
            triggers: AtomicUsize::new(0),
        }
    }

    pub fn link(&self) -> &Link {
        self.link.as_ref().expect("the bot runs in Socket Mode")
    }

    pub fn store(&self) -> &Store {
        &self.slack.app().store
    }

    /// Sends a body signed now, as Slack would.
    pub async fn signed_post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> (StatusCode, String) {
        let ts = Utc::now().timestamp();
        let sig = sign(&body, ts);
        let answer = self
            .raw_post(path, content_type, body, Some((ts.to_string(), sig)))
            .await;
        self.settle().await;
        answer
    }

    /// Lets the work a request started finish, and delivers what it queued.
    pub async fn settle(&self) {
        let tasks = &self.slack.app().tasks;
        world::settle(tasks, self.store(), &self.clock, &self.dispatcher).await
    }

    pub async fn raw_post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        signature: Option<(String, String)>,
    ) -> (StatusCode, String) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some((ts, sig)) = signature {
            req = req
                .header("x-slack-request-timestamp", ts)
                .header("x-slack-signature", sig);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.text().await.unwrap())
    }

    /// Posts a webhook delivery to `url` (a connection's, as `connect` gave it) with these
    /// headers, and lets what it started finish.
    pub async fn hook(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> (StatusCode, String) {
        let mut req = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        self.settle().await;
        (status, text)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    fn trigger(&self) -> String {
        format!("trigger-{}", self.triggers.fetch_add(1, Ordering::SeqCst))
    }

    /// A slash command's fields, as Slack sends them (a form over HTTP, JSON in Socket Mode).
    pub fn slash_fields(&self, team: &str, user: &str, text: &str) -> Vec<(&'static str, String)> {
        vec![
            ("token", "deprecated".into()),
            ("team_id", team.into()),
            ("team_domain", "acme".into()),
            ("channel_id", "C1".into()),
            ("channel_name", "general".into()),
            ("user_id", user.into()),
            ("user_name", user.to_lowercase()),
            ("command", "/align".into()),
            ("text", text.into()),
            (
                "response_url",
                format!("{}/response/{}", self.fake.url, self.trigger()),
            ),
            ("trigger_id", self.trigger()),
            ("api_app_id", "A1".into()),
        ]
    }

    pub fn slash_form(&self, team: &str, user: &str, text: &str) -> String {
        serde_urlencoded::to_string(self.slash_fields(team, user, text)).unwrap()
    }

    /// `user` types `/align text` in `team`; returns the HTTP answer (Null for a bare ack).
    pub async fn slash_in(&self, team: &str, user: &str, text: &str) -> Value {
        if let Some(link) = &self.link {
            let fields = self.slash_fields(team, user, text);
            let payload = fields.into_iter().map(|(k, v)| (k.to_string(), json!(v)));
            let ack = self
                .over_socket(link, "slash_commands", payload.collect(), true)
                .await;
            return ack.get("payload").cloned().unwrap_or(Value::Null);
        }
        let form = self.slash_form(team, user, text);
        let (status, body) = self
            .signed_post("/slack/commands", "application/x-www-form-urlencoded", form)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).unwrap()
        }
    }

    pub async fn slash(&self, user: &str, text: &str) -> Value {
        self.slash_in("T1", user, text).await
    }

    /// Sends an envelope over the Socket Mode connection and waits for its acknowledgement.
    pub async fn over_socket(
        &self,
        link: &Link,
        kind: &str,
        payload: Value,
        accepts_response: bool,
    ) -> Value {
        let id = format!("envelope-{}", self.trigger());
        link.envelope(&id, kind, payload, accepts_response);
        let ack = link.ack(&id).await;
        self.settle().await;
        ack
    }

    /// An interaction payload, posted (HTTP mode) or sent in an envelope (Socket Mode, where
    /// only a form's submission may carry an answer back). Returns the answer's body.
    pub async fn interact(&self, payload: Value) -> (StatusCode, String) {
        if let Some(link) = &self.link {
            let answers = payload["type"] == "view_submission";
            let ack = self
                .over_socket(link, "interactive", payload, answers)
                .await;
            let body = ack.get("payload").map(Value::to_string);
            return (StatusCode::OK, body.unwrap_or_default());
        }
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.signed_post(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            form,
        )
        .await
    }

    /// `user` clicks the button labelled `label` in `message` (as the fake received it).
    pub async fn click(
        &self,
        team: &str,
        user: &str,
        message: &Value,
        label: &str,
    ) -> (StatusCode, String) {
        self.interact(self.click_payload(team, user, message, label))
            .await
    }

    pub fn click_payload(&self, team: &str, user: &str, message: &Value, label: &str) -> Value {
        let button = find_element(message, |e| {
            e["type"] == "button" && e["text"]["text"] == label
        })
        .unwrap_or_else(|| panic!("no button {label:?} in {message:#}"));
        self.action_payload(team, user, button)
    }

    /// `user` picks `value` from the menu in `message`.
    pub async fn choose(
        &self,
        team: &str,
        user: &str,
        message: &Value,
        value: &str,
    ) -> (StatusCode, String) {
        self.interact(self.choose_payload(team, user, message, value))
            .await
    }

    pub fn choose_payload(&self, team: &str, user: &str, message: &Value, value: &str) -> Value {
        let menu = find_element(message, |e| e["type"] == "static_select")
            .unwrap_or_else(|| panic!("no menu in {message:#}"));
        let option = menu["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["value"] == value)
            .unwrap_or_else(|| panic!("no option {value} in {menu:#}"))
            .clone();
        let mut action = menu.clone();
        action["selected_option"] = option;
        self.action_payload(team, user, action)
    }

    pub fn action_payload(&self, team: &str, user: &str, action: Value) -> Value {
        json!({
            "type": "block_actions",
            "team": { "id": team, "domain": "acme" },
            "user": { "id": user, "username": user.to_lowercase(), "team_id": team },
            "api_app_id": "A1",
            "trigger_id": self.trigger(),
            "response_url": format!("{}/response/{}", self.fake.url, self.trigger()),
            "container": { "type": "message", "channel_id": format!("D{user}") },
            "actions": [action],
        })
    }

    /// Submits the last modal opened with `views.open`, filled with `values`.
    pub async fn submit(&self, team: &str, user: &str, values: Value) -> Value {
        let (status, body) = self.interact(self.submission(team, user, values)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// The submission of the last modal opened with `views.open`.
    pub fn submission(&self, team: &str, user: &str, values: Value) -> Value {
        let opened = self.fake.calls("views.open");
        let view = &opened.last().expect("a modal was opened").body["view"];
        json!({
            "type": "view_submission",
            "team": { "id": team },
            "user": { "id": user, "username": user.to_lowercase() },
            "view": {
                "id": format!("V{}", opened.len()),
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": { "values": values },
            },
        })
    }

    pub async fn event(&self, team: &str, event_id: &str, event: Value) -> StatusCode {
        let body = event_callback(team, event_id, event);
        if let Some(link) = &self.link {
            self.over_socket(link, "events_api", body, false).await;
            return StatusCode::OK;
        }
        self.signed_post("/slack/events", "application/json", body.to_string())
            .await
            .0
    }

    /// Moves the clock; every scheduled run that falls due runs at its own time, and what it
    /// queued is delivered.
    pub async fn advance(&self, by: Duration) {
        world::advance(self.store(), &self.clock, &self.dispatcher, by).await
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        world::scalar(self.store(), sql).await
    }

    pub async fn text(&self, sql: &str) -> String {
        world::text(self.store(), sql).await
    }

    pub async fn finish(self) {
        self.fake.assert_nothing_unread();
        self.scratch.drop().await.unwrap();
    }
}

pub fn event_callback(team: &str, event_id: &str, event: Value) -> Value {
    json!({
        "token": "deprecated", "team_id": team, "api_app_id": "A1",
        "type": "event_callback", "event_id": event_id, "event_time": 1, "event": event,
    })
}

pub fn find_element(message: &Value, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    message["blocks"]
        .as_array()?
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| pred(e))
}
