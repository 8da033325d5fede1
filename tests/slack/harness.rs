//! Throughline's real Slack router on a local port, a fake Slack Web API behind it, and
//! requests signed exactly as Slack signs them. `finish` fails on any message the bot sent
//! that the test did not take.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::postgres::PgPoolOptions;
use throughline::app::App;
use throughline::clock::ManualClock;
use throughline::config::{SlackConfig, SlackInstall};
use throughline::notify;
use throughline::platform::slack::Slack;
use throughline::schedule;
use throughline::store::Store;

use crate::fake::{Fake, token_of};

pub const SECRET: &str = "test-signing-secret";
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Thursday morning, the founding brief's day.
pub const START: &str = "2026-11-19T09:30:00Z";

pub struct S {
    pub fake: Fake,
    pub slack: Slack,
    pub base: String,
    pub clock: Arc<ManualClock>,
    http: reqwest::Client,
    server: String,
    db: String,
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
        let server = throughline::devdb::server_url()
            .await
            .expect("a PostgreSQL server");
        let db = format!(
            "throughline_slack_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let options = throughline::devdb::fresh_database(&server, &db)
            .await
            .expect("a fresh database");
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .unwrap();
        let store = Store { pool };
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let app = App {
            store,
            clock: clock.clone(),
            new_people_admin: false,
        };
        let fake = Fake::start().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
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
        let config = SlackConfig {
            signing_secret: Some(SecretString::from(SECRET.to_string())),
            install,
            app_token: None,
            api_url: fake.api_url(),
            authorize_url: format!("{}/oauth/v2/authorize", fake.url),
        };
        let slack = Slack::new(app, config, Arc::new(tokio::sync::Notify::new()))
            .await
            .expect("the Slack adapter starts");
        let router = throughline::platform::slack::router(slack.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        S {
            fake,
            slack,
            base,
            clock,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            server,
            db,
            triggers: AtomicUsize::new(0),
        }
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
        self.raw_post(path, content_type, body, Some((ts.to_string(), sig)))
            .await
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

    pub fn slash_form(&self, team: &str, user: &str, text: &str) -> String {
        serde_urlencoded::to_string([
            ("token", "deprecated"),
            ("team_id", team),
            ("team_domain", "acme"),
            ("channel_id", "C1"),
            ("channel_name", "general"),
            ("user_id", user),
            ("user_name", &user.to_lowercase()),
            ("command", "/align"),
            ("text", text),
            (
                "response_url",
                &format!("{}/response/{}", self.fake.url, self.trigger()),
            ),
            ("trigger_id", &self.trigger()),
            ("api_app_id", "A1"),
        ])
        .unwrap()
    }

    /// `user` types `/align text` in `team`; returns the HTTP answer (Null for a bare ack).
    pub async fn slash_in(&self, team: &str, user: &str, text: &str) -> Value {
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

    pub async fn interact(&self, payload: Value) -> (StatusCode, String) {
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
        let button = find_element(message, |e| {
            e["type"] == "button" && e["text"]["text"] == label
        })
        .unwrap_or_else(|| panic!("no button {label:?} in {message:#}"));
        self.interact(self.action_payload(team, user, button)).await
    }

    /// `user` picks `value` from the menu in `message`.
    pub async fn choose(
        &self,
        team: &str,
        user: &str,
        message: &Value,
        value: &str,
    ) -> (StatusCode, String) {
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
        self.interact(self.action_payload(team, user, action)).await
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
        let opened = self.fake.calls("views.open");
        let view = &opened.last().expect("a modal was opened").body["view"];
        let payload = json!({
            "type": "view_submission",
            "team": { "id": team },
            "user": { "id": user, "username": user.to_lowercase() },
            "view": {
                "id": format!("V{}", opened.len()),
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": { "values": values },
            },
        });
        let (status, body) = self.interact(payload).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    pub async fn event(&self, team: &str, event_id: &str, event: Value) -> StatusCode {
        let body = json!({
            "token": "deprecated", "team_id": team, "api_app_id": "A1",
            "type": "event_callback", "event_id": event_id, "event_time": 1, "event": event,
        });
        self.signed_post("/slack/events", "application/json", body.to_string())
            .await
            .0
    }

    /// Moves the clock; every scheduled run that falls due runs at its own time, and
    /// what it queued is delivered.
    pub async fn advance(&self, by: Duration) {
        let from = self.clock.now_utc();
        let to = from + by;
        for at in schedule::due_between(self.store(), from, to).await.unwrap() {
            self.clock.set(at);
            schedule::tick_all(self.store(), at).await.unwrap();
            self.dispatch().await;
        }
        self.clock.set(to);
        self.dispatch().await;
    }

    pub async fn dispatch(&self) -> notify::Report {
        notify::dispatch_pending(self.store(), &self.slack.transport(), self.clock.now_utc())
            .await
            .unwrap()
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.store().pool)
            .await
            .unwrap()
    }

    pub async fn text(&self, sql: &str) -> String {
        sqlx::query_scalar(sql)
            .fetch_one(&self.store().pool)
            .await
            .unwrap()
    }

    pub async fn finish(self) {
        self.fake.assert_nothing_unread();
        self.store().pool.close().await;
        throughline::devdb::drop_database(&self.server, &self.db)
            .await
            .unwrap();
    }
}

pub fn find_element(message: &Value, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    message["blocks"]
        .as_array()?
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| pred(e))
}

pub trait Now {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl Now for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        use throughline::clock::Clock;
        self.now()
    }
}
