use chrono::Utc;
use ed25519_dalek::Signer;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::founding::*;
use crate::harness::*;

fn sign(ts: &str, body: &str) -> String {
    hex::encode(key().sign(format!("{ts}{body}").as_bytes()).to_bytes())
}

#[tokio::test]
async fn a_ping_gets_a_pong_and_bad_signatures_stale_timestamps_and_tampering_get_401() {
    let d = D::new().await;
    d.member(GUILD, ANA, "ana", MANAGE_GUILD);
    let (status, pong) = d
        .signed(r#"{"type":1,"id":"1","application_id":"9","token":"t","version":1}"#)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pong, json!({ "type": 1 }));

    let data = d.command_data(
        GUILD,
        "goal new",
        &[("title", json!("Sneak")), ("owner", user(ANA))],
    );
    let body = json!({ "id": "1", "application_id": "9", "type": 2, "token": "t", "version": 1,
        "guild_id": GUILD, "member": { "user": { "id": ANA, "username": "ana" }, "permissions": "32" },
        "data": data })
    .to_string();
    let now = Utc::now().timestamp().to_string();
    let old = (Utc::now().timestamp() - 600).to_string();
    let other_key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let forged = hex::encode(other_key.sign(format!("{now}{body}").as_bytes()).to_bytes());
    let tampered = body.replace("Sneak", "Sneaky");
    for (what, body, sig) in [
        ("no signature", body.clone(), None),
        (
            "another key's signature",
            body.clone(),
            Some((now.clone(), forged)),
        ),
        (
            "a signature that is not hex",
            body.clone(),
            Some((now.clone(), "zz".repeat(64))),
        ),
        (
            "an old timestamp",
            body.clone(),
            Some((old.clone(), sign(&old, &body))),
        ),
        (
            "a body changed after signing",
            tampered,
            Some((now.clone(), sign(&now, &body))),
        ),
    ] {
        let (status, _) = d.raw(&body, sig).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
    }
    assert_eq!(
        d.scalar("SELECT count(*) FROM goals").await,
        0,
        "nothing changed"
    );
    assert_eq!(
        d.scalar("SELECT count(*) FROM workspaces").await,
        0,
        "nothing changed"
    );
    d.finish().await;
}

fn mentions_nobody(m: &Value) -> bool {
    m["allowed_mentions"]["parse"] == json!([])
        && m["allowed_mentions"].get("roles").is_none()
        && m["allowed_mentions"]
            .get("users")
            .is_none_or(|u| u == &json!([]))
}

#[tokio::test]
async fn a_goal_titled_with_mentions_pings_no_one_anywhere() {
    let d = founding().await;
    let title = "@everyone <@&123> <@456>";
    let r = d
        .slash_in(
            GUILD,
            ANA,
            "goal new",
            &[
                ("title", json!(title)),
                ("owner", user(LEE)),
                ("rank", json!(2)),
            ],
        )
        .await;
    assert!(text(&r).contains("Created G-2"), "{r:#}");
    assert!(mentions_nobody(&r["data"]), "{r:#}");
    d.advance(chrono::Duration::days(1)).await;
    // Shown as typed: the mention syntax escaped, so Discord neither pings nor renders it
    // (the needle is matched against the JSON body, where a backslash is written twice).
    let digest = d.fake.take(
        LEADERSHIP,
        &["Daily digest", r"@everyone \\<@&123\\> \\<@456\\>"],
    );
    assert!(mentions_nobody(&digest), "{digest:#}");
    for dm in d.fake.calls("channels/dm-") {
        assert!(mentions_nobody(&dm.body), "{:#}", dm.body);
    }
    let messages = d.fake.all_messages();
    assert!(!messages.is_empty());
    assert!(messages.iter().all(mentions_nobody), "{messages:#?}");
    d.finish().await;
}

#[tokio::test]
async fn a_replayed_application_command_runs_once_and_says_so() {
    let d = D::new().await;
    d.member(GUILD, ANA, "ana", MANAGE_GUILD);
    let body = d.command_body(
        GUILD,
        ANA,
        "goal new",
        &[("title", json!("Cut churn")), ("owner", user(ANA))],
    );
    let first = d.send(&body).await;
    assert!(text(&first).contains("Created G-1"), "{first:#}");

    // The same interaction id again, freshly signed, as a replay would arrive.
    let again = d.send(&body).await;
    assert!(text(&again).contains("arrived twice"), "{again:#}");
    assert_eq!(d.scalar("SELECT count(*) FROM goals").await, 1);
    d.finish().await;
}
