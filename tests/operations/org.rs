//! The organisation the production tests run: its database, its people on both platforms,
//! and requests signed exactly as Slack and Discord sign them.

use chrono::Utc;
use ed25519_dalek::{Signer, SigningKey};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use throughline::app::{Actor, App};
use throughline::clock::SystemClock;
use throughline::devdb::Scratch;
use throughline::store::Store;
use throughline::store::profiles::Profile;

use crate::discord_fake;
use crate::process::Site;
use crate::slack_fake;

/// A signing secret of Slack's shape: 32 hexadecimal characters.
pub const SLACK_SECRET: &str = "0123456789abcdef0123456789abcdef";
pub const GUILD: &str = "100000000000000001";

pub fn discord_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

/// Both fakes and a fresh database, migrated as a deployment's migration step would.
pub async fn site() -> (Site, Scratch) {
    let scratch = Scratch::new("throughline_ops", 4)
        .await
        .expect("a fresh database");
    let site = Site {
        slack: slack_fake::Fake::start().await,
        discord: discord_fake::Fake::start().await,
        database_url: scratch.url(),
    };
    (site, scratch)
}

/// A signed `/align` slash command from `user` in team T1.
pub fn slack_command(
    user: &str,
    text: &str,
    trigger: &str,
    response_url: &str,
) -> (Vec<(&'static str, String)>, String) {
    let form = serde_urlencoded::to_string([
        ("team_id", "T1"),
        ("user_id", user),
        ("user_name", &user.to_lowercase()),
        ("command", "/align"),
        ("text", text),
        ("response_url", response_url),
        ("trigger_id", trigger),
        ("channel_id", "C1"),
    ])
    .unwrap();
    (
        slack_headers(&form, "application/x-www-form-urlencoded"),
        form,
    )
}

/// A signed interaction payload (a button press, say).
pub fn slack_interaction(payload: &Value) -> (Vec<(&'static str, String)>, String) {
    let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    (
        slack_headers(&form, "application/x-www-form-urlencoded"),
        form,
    )
}

fn slack_headers(body: &str, content_type: &str) -> Vec<(&'static str, String)> {
    let ts = Utc::now().timestamp();
    let mut mac = Hmac::<Sha256>::new_from_slice(SLACK_SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    vec![
        ("content-type", content_type.to_string()),
        ("x-slack-request-timestamp", ts.to_string()),
        (
            "x-slack-signature",
            format!("v0={}", hex::encode(mac.finalize().into_bytes())),
        ),
    ]
}

/// `/align work new home:none title:<title> assignee:<self>` from `user` in the guild.
pub fn discord_work_new(
    id: &str,
    user: &str,
    title: &str,
) -> (Vec<(&'static str, String)>, String) {
    let member = json!({ "nick": null, "roles": [], "permissions": "0", "flags": 0,
        "joined_at": "2026-01-01T00:00:00Z", "deaf": false, "mute": false });
    let who = json!({ "id": user, "username": format!("u{user}"), "global_name": null, "discriminator": "0" });
    let mut invoker = member.clone();
    invoker["user"] = who.clone();
    let options = json!([
        { "name": "home", "type": 3, "value": "none" },
        { "name": "title", "type": 3, "value": title },
        { "name": "assignee", "type": 6, "value": user },
    ]);
    let body = json!({
        "id": id, "application_id": discord_fake::APP_ID, "type": 2,
        "token": format!("token-{id}"), "version": 1, "guild_id": GUILD, "channel_id": "500",
        "member": invoker,
        "data": { "id": "800000000000000001", "name": "align", "type": 1,
            "options": [{ "name": "work", "type": 2, "options": [{ "name": "new", "type": 1, "options": options }] }],
            "resolved": { "users": { user: who }, "members": { user: member } } },
    })
    .to_string();
    let ts = Utc::now().timestamp().to_string();
    let sig = hex::encode(
        discord_key()
            .sign(format!("{ts}{body}").as_bytes())
            .to_bytes(),
    );
    let headers = vec![
        ("content-type", "application/json".to_string()),
        ("x-signature-timestamp", ts),
        ("x-signature-ed25519", sig),
    ];
    (headers, body)
}

/// Queues one "no strategic home" DM to each of `n` people on each platform, as commands
/// handled by another replica would; returns their Slack and Discord user ids.
pub async fn queue_dms(store: &Store, n: usize) -> (Vec<String>, Vec<String>) {
    let app = App {
        store: store.clone(),
        clock: std::sync::Arc::new(SystemClock),
        new_people_admin: false,
        tasks: Default::default(),
        public: None,
    };
    let mut ids = (Vec::new(), Vec::new());
    for (platform, team, people) in [("slack", "T1", &mut ids.0), ("discord", GUILD, &mut ids.1)] {
        let ws = app.workspace(platform, team, team).await.unwrap();
        for k in 0..n {
            let id = match platform {
                "slack" => format!("U{k}"),
                _ => format!("2000000000000000{k:02}"),
            };
            let profile = Profile {
                external_id: id.clone(),
                handle: format!("p{k}"),
                time_zone: None,
                admin: false,
                active: true,
            };
            app.sync_profile(ws, &profile).await.unwrap();
            let actor = Actor {
                external_id: id.clone(),
                handle: format!("p{k}"),
            };
            let reply = app
                .command(ws, &actor, &format!("work new none \"Bug {k}\" <@{id}>"))
                .await;
            assert!(reply.headline.contains("Created"), "{reply:?}");
            people.push(id);
        }
    }
    ids
}
