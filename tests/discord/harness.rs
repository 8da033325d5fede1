//! Throughline's real Discord router on a local port, a fake Discord REST API behind it, and
//! interactions signed with a test Ed25519 key exactly as Discord signs them. `finish` fails
//! on any message the bot sent that the test did not take.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::{Signer, SigningKey};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use throughline::app::App;
use throughline::clock::{Clock, ManualClock};
use throughline::config::DiscordConfig;
use throughline::devdb::Scratch;
use throughline::notify;
use throughline::notify::Dispatcher;
use throughline::platform::discord::{Discord, DiscordTransport};
use throughline::store::Store;

use crate::fake::{APP_ID, BOT_TOKEN, Fake};
use crate::world;

/// Thursday morning, the founding brief's day.
pub const START: &str = "2026-11-19T09:30:00Z";
/// The answer window, shorter than Discord's so that a test of a late answer waits less.
pub const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_millis(1_000);
/// Discord permission bits: Manage Server, or nothing special.
pub const MANAGE_GUILD: &str = "32";
pub const MEMBER: &str = "0";

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// An option value for a USER option.
pub fn user(id: &str) -> Value {
    json!({ "user": id })
}

pub struct D {
    pub fake: Fake,
    pub discord: Discord,
    /// The process's one dispatcher, stepped by the test.
    pub dispatcher: Dispatcher<DiscordTransport>,
    pub base: String,
    pub clock: Arc<ManualClock>,
    http: reqwest::Client,
    scratch: Scratch,
    ids: AtomicUsize,
    /// Members by (guild, user id): name and permissions.
    members: Mutex<HashMap<(String, String), (String, String)>>,
}

impl D {
    pub async fn new() -> D {
        let scratch = Scratch::new("throughline_discord", 8)
            .await
            .expect("a fresh database");
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let app = App {
            store: scratch.store.clone(),
            clock: clock.clone(),
            new_people_admin: false,
            tasks: Default::default(),
            public: None,
        };
        let fake = Fake::start().await;
        let config = DiscordConfig {
            public_key: Some(hex::encode(key().verifying_key().to_bytes())),
            gateway: false,
            bot_token: SecretString::from(BOT_TOKEN.to_string()),
            application_id: APP_ID.into(),
            api_url: fake.url.clone(),
            answer_within: ANSWER_WITHIN,
        };
        let discord = Discord::new(app, config, Arc::new(tokio::sync::Notify::new()))
            .expect("the Discord adapter starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = throughline::platform::discord::router(discord.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        D {
            fake,
            dispatcher: Dispatcher::new(scratch.store.clone(), discord.transport()),
            discord,
            base,
            clock,
            http: reqwest::Client::new(),
            scratch,
            ids: AtomicUsize::new(0),
            members: Mutex::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.scratch.store
    }

    /// A member of `guild`; `permissions` is Discord's bitfield as a string.
    pub fn member(&self, guild: &str, id: &str, name: &str, permissions: &str) {
        self.members
            .lock()
            .unwrap()
            .insert((guild.into(), id.into()), (name.into(), permissions.into()));
    }

    fn member_json(&self, guild: &str, id: &str) -> Value {
        let (name, perms) = self
            .members
            .lock()
            .unwrap()
            .get(&(guild.to_string(), id.to_string()))
            .cloned()
            .unwrap_or_else(|| panic!("{id} is not a member of {guild}"));
        json!({
            "user": { "id": id, "username": name, "global_name": null, "discriminator": "0" },
            "nick": null, "roles": [], "permissions": perms, "flags": 0,
            "joined_at": "2026-01-01T00:00:00Z", "deaf": false, "mute": false,
        })
    }

    fn next_id(&self) -> usize {
        self.ids.fetch_add(1, Ordering::SeqCst)
    }

    /// Posts a body signed now with the test key, as Discord would.
    pub async fn signed(&self, body: &str) -> (StatusCode, Value) {
        let ts = Utc::now().timestamp().to_string();
        let sig = hex::encode(key().sign(format!("{ts}{body}").as_bytes()).to_bytes());
        let answer = self.raw(body, Some((ts, sig))).await;
        self.settle().await;
        answer
    }

    /// Lets the work a request started finish, and delivers what it queued.
    pub async fn settle(&self) {
        let tasks = &self.discord.app().tasks;
        world::settle(tasks, self.store(), &self.clock, &self.dispatcher).await
    }

    pub async fn raw(
        &self,
        body: &str,
        signature: Option<(String, String)>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}/discord/interactions", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some((ts, sig)) = signature {
            req = req
                .header("x-signature-timestamp", ts)
                .header("x-signature-ed25519", sig);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The common envelope of an interaction from `user` in `guild`.
    fn envelope(&self, kind: u64, guild: &str, user: &str, data: Value) -> Value {
        let n = self.next_id();
        json!({
            "id": format!("7{n:05}"), "application_id": APP_ID, "type": kind,
            "token": format!("interaction-token-{n}"), "version": 1,
            "guild_id": guild, "channel_id": "500", "app_permissions": "0",
            "locale": "en-GB", "guild_locale": "en-GB", "entitlements": [], "attachment_size_limit": 10485760,
            "authorizing_integration_owners": { "0": guild }, "context": 0,
            "member": self.member_json(guild, user),
            "data": data,
        })
    }

    /// The `data` of `/align <path> options…`, with USER options resolved as Discord does.
    pub fn command_data(&self, guild: &str, path: &str, options: &[(&str, Value)]) -> Value {
        let mut resolved_users = Map::new();
        let mut resolved_members = Map::new();
        let opts: Vec<Value> = options
            .iter()
            .map(|(name, v)| {
                let (kind, value) = match v {
                    Value::Object(o) if o.contains_key("user") => {
                        let id = o["user"].as_str().unwrap();
                        let m = self.member_json(guild, id);
                        resolved_users.insert(id.into(), m["user"].clone());
                        let mut rm = m.clone();
                        rm.as_object_mut().unwrap().remove("user");
                        resolved_members.insert(id.into(), rm);
                        (6, json!(id))
                    }
                    Value::Object(o) if o.contains_key("channel") => (7, o["channel"].clone()),
                    Value::Number(n) if n.is_f64() => (10, v.clone()),
                    Value::Number(_) => (4, v.clone()),
                    _ => (3, v.clone()),
                };
                json!({ "name": name, "type": kind, "value": value })
            })
            .collect();
        let words: Vec<&str> = path.split_whitespace().collect();
        let top = match words.as_slice() {
            [group, sub] => json!({ "name": group, "type": 2,
                "options": [{ "name": sub, "type": 1, "options": opts }] }),
            [sub] => json!({ "name": sub, "type": 1, "options": opts }),
            _ => panic!("bad path {path}"),
        };
        json!({
            "id": "800000000000000001", "name": "align", "type": 1,
            "options": [top],
            "resolved": { "users": resolved_users, "members": resolved_members },
        })
    }

    /// `user` runs `/align <path>` in `guild`; returns the interaction response.
    pub async fn slash_in(
        &self,
        guild: &str,
        user: &str,
        path: &str,
        options: &[(&str, Value)],
    ) -> Value {
        let body = self.command_body(guild, user, path, options);
        self.send(&body).await
    }

    /// The interaction `/align <path> options…` from `user` in `guild`.
    pub fn command_body(
        &self,
        guild: &str,
        user: &str,
        path: &str,
        options: &[(&str, Value)],
    ) -> Value {
        let data = self.command_data(guild, path, options);
        self.envelope(2, guild, user, data)
    }

    /// The autocomplete interaction for `typed` in the option `option` of `/align <path>`.
    pub fn autocomplete_body(
        &self,
        guild: &str,
        user: &str,
        path: &str,
        option: &str,
        typed: &str,
    ) -> Value {
        let mut data = self.command_data(guild, path, &[(option, json!(typed))]);
        let leaf = if path.contains(' ') {
            &mut data["options"][0]["options"][0]["options"][0]
        } else {
            &mut data["options"][0]["options"][0]
        };
        leaf["focused"] = json!(true);
        self.envelope(4, guild, user, data)
    }

    /// `user` types `typed` into the focused option `option` of `/align <path>`.
    pub async fn autocomplete(
        &self,
        guild: &str,
        user: &str,
        path: &str,
        option: &str,
        typed: &str,
    ) -> Vec<(String, String)> {
        let body = self.autocomplete_body(guild, user, path, option, typed);
        let (status, answer) = self.signed(&body.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["type"], 8, "{answer}");
        answer["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["value"].as_str().unwrap().to_string(),
                    c["name"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// `user` presses the button labelled `label` in `message`; `in_dm` drops the guild and
    /// member, as Discord does for clicks in a DM.
    pub async fn click(
        &self,
        guild: &str,
        user: &str,
        message: &Value,
        label: &str,
        in_dm: bool,
    ) -> Value {
        let button = find_component(message, |c| c["type"] == 2 && c["label"] == label)
            .unwrap_or_else(|| panic!("no button {label:?} in {message:#}"));
        let data = json!({ "custom_id": button["custom_id"], "component_type": 2 });
        self.component(guild, user, message, data, in_dm).await
    }

    /// `user` picks `value` from the select menu in `message`.
    pub async fn choose(
        &self,
        guild: &str,
        user: &str,
        message: &Value,
        value: &str,
        in_dm: bool,
    ) -> Value {
        let menu = find_component(message, |c| c["type"] == 3)
            .unwrap_or_else(|| panic!("no menu in {message:#}"));
        assert!(
            menu["options"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["value"] == value),
            "no option {value} in {menu:#}"
        );
        let data =
            json!({ "custom_id": menu["custom_id"], "component_type": 3, "values": [value] });
        self.component(guild, user, message, data, in_dm).await
    }

    pub async fn component(
        &self,
        guild: &str,
        user: &str,
        message: &Value,
        data: Value,
        in_dm: bool,
    ) -> Value {
        let body = self.component_body(guild, user, message, data, in_dm);
        self.send(&body).await
    }

    /// A component interaction; `in_dm` drops the guild and member as Discord does in a DM.
    pub fn component_body(
        &self,
        guild: &str,
        user: &str,
        message: &Value,
        data: Value,
        in_dm: bool,
    ) -> Value {
        let mut body = self.envelope(3, guild, user, data);
        body["message"] = message_object(message);
        if in_dm { as_dm(body) } else { body }
    }

    pub async fn send(&self, body: &Value) -> Value {
        let (status, answer) = self.signed(&body.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        answer
    }

    /// Submits the modal `opened` (a type 9 response) with `answer`.
    pub async fn submit(
        &self,
        guild: &str,
        user: &str,
        opened: &Value,
        answer: &str,
        in_dm: bool,
    ) -> Value {
        assert_eq!(opened["type"], 9, "a modal: {opened:#}");
        let input = &opened["data"]["components"][0]["components"][0];
        let data = json!({
            "custom_id": opened["data"]["custom_id"],
            "components": [{ "type": 1, "components": [{ "type": 4, "custom_id": input["custom_id"], "value": answer }] }],
        });
        let body = self.envelope(5, guild, user, data);
        self.send(&if in_dm { as_dm(body) } else { body }).await
    }

    /// Moves the clock; every scheduled run that falls due runs at its own time, and what it
    /// queued is delivered.
    pub async fn advance(&self, by: Duration) {
        world::advance(self.store(), &self.clock, &self.dispatcher, by).await
    }

    pub async fn dispatch(&self) -> notify::Report {
        world::dispatch(self.store(), &self.clock, &self.dispatcher).await
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        world::scalar(self.store(), sql).await
    }

    pub async fn text(&self, sql: &str) -> String {
        world::text(self.store(), sql).await
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub async fn finish(self) {
        self.fake.assert_nothing_unread();
        self.scratch.drop().await.unwrap();
    }
}

/// The message a component was on, as Discord describes it in the interaction: what the bot
/// posted (a message or an interaction reply), with the fields Discord adds.
fn message_object(posted: &Value) -> Value {
    let posted = if posted["data"].is_object() {
        &posted["data"]
    } else {
        posted
    };
    json!({
        "id": "600000000000000001", "channel_id": "500", "type": 0,
        "author": { "id": APP_ID, "username": "Throughline", "discriminator": "0", "bot": true },
        "content": posted["content"].as_str().unwrap_or_default(),
        "timestamp": "2026-11-19T09:30:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "pinned": false, "flags": 0,
        "embeds": posted["embeds"], "components": posted["components"],
    })
}

/// An interaction as it arrives from a DM: a user, no member, no guild.
fn as_dm(mut body: Value) -> Value {
    let member = body["member"].take();
    let b = body.as_object_mut().unwrap();
    b.remove("member");
    b.remove("guild_id");
    b.insert("user".into(), member["user"].clone());
    b.insert("context".into(), json!(1));
    body
}

/// The embed of an interaction reply or of a posted message.
pub fn embed(v: &Value) -> &Value {
    if v["data"].is_object() {
        &v["data"]["embeds"][0]
    } else {
        &v["embeds"][0]
    }
}

pub fn find_component(message: &Value, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    let rows = if message["data"].is_object() {
        &message["data"]["components"]
    } else {
        &message["components"]
    };
    rows.as_array()?
        .iter()
        .flat_map(|r| r["components"].as_array().cloned().unwrap_or_default())
        .find(|c| pred(c))
}
