use chrono::Duration;
use serde_json::Value;

use crate::harness::*;

fn text(v: &Value) -> String {
    v.to_string()
}

/// Ana (a workspace admin) owns G-1 with I-1 led by Lee, who is doing W-1; typed in Slack.
pub async fn founding() -> S {
    founding_in(S::new().await).await
}

pub async fn founding_in(s: S) -> S {
    for (id, name, admin) in [
        ("UANA", "ana", true),
        ("ULEE", "lee", false),
        ("UCTO", "cto", false),
        ("UBEA", "bea", false),
    ] {
        s.fake.user("T1", id, name, admin);
    }
    let r = s
        .slash("UANA", "goal new \"Cut churn to 3%\" owner:<@UANA> rank:1")
        .await;
    assert_eq!(r["response_type"], "ephemeral");
    assert!(text(&r).contains("Created G-1"), "{r:#}");
    let r = s
        .slash(
            "UANA",
            "initiative new G-1 \"Onboarding revamp\" lead:<@ULEE|lee> plan:1",
        )
        .await;
    assert!(text(&r).contains("Created I-1"), "{r:#}");
    let r = s
        .slash("ULEE", "work new I-1 \"New welcome flow\" <@ULEE>")
        .await;
    assert!(text(&r).contains("Created W-1"), "{r:#}");
    s.slash("ULEE", "work start W-1").await;
    s
}

#[tokio::test]
async fn the_owner_gets_a_block_kit_dm_at_once_and_the_channel_its_digest() {
    let s = founding().await;
    s.advance(Duration::days(1)).await;
    let digest = s.fake.take("#leadership", &["Daily digest"]);
    assert!(digest["blocks"].is_array(), "{digest:#}");

    let r = s
        .slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    assert!(text(&r).contains("no strategic home"), "{r:#}");
    s.fake.take_dm("UCTO", &["W-2", "no strategic home"]);

    s.slash("ULEE", "work start W-2").await;
    // No clock movement: the DM left as soon as the dispatcher was woken.
    let dm = s
        .fake
        .take_dm("UANA", &["G-1", "I-1", "Onboarding revamp", "@lee", "W-2"]);
    assert!(
        dm["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with(":large_orange_circle:"),
        "{dm:#}"
    );
    assert!(
        dm["text"].as_str().unwrap().contains("turned amber"),
        "fallback text: {dm:#}"
    );
    assert!(
        dm.get("link_names").is_none() && dm.get("parse").is_none(),
        "{dm:#}"
    );
    s.fake.take_dm("ULEE", &["I-1", "turned amber"]);

    let status = s.slash("UANA", "status").await;
    assert!(
        text(&status).contains("pulled onto other work"),
        "{status:#}"
    );

    weekend(&s).await;
    s.finish().await;
}

/// From Friday over the weekend to Wednesday 10:00 (the weekend does not count): W-1 stalls
/// on Tuesday and W-2 on Wednesday (three working days each, in Paris), G-1 turns red, and the
/// week brings the agenda and three digests. Ana's and Lee's episode messages are edited in
/// place (`chat.update`), each with one threaded line. Returns the messages with buttons.
pub async fn weekend(s: &S) -> Weekend {
    s.advance(Duration::days(5) + Duration::minutes(30)).await;
    let worse = s
        .fake
        .take_dm_edit("UANA", &["G-1", "got worse: amber to red"]);
    let line = s.fake.take_dm("UANA", &["G-1 is now red"]);
    assert!(line["thread_ts"].is_string(), "a threaded line: {line:#}");
    s.fake.take("#leadership", &["G-1", "turned red"]);
    s.fake
        .take_dm_edit("ULEE", &["I-1", "got worse: amber to red"]);
    s.fake.take_dm("ULEE", &["I-1 is now red"]);
    let stalled_w1 = s.fake.take_dm("ULEE", &["W-1", "has stalled"]);
    let stalled_w2 = s.fake.take_dm("ULEE", &["W-2", "has stalled"]);
    s.fake
        .take("#leadership", &["Leadership agenda", "Decisions needed"]);
    for _ in ["Monday", "Tuesday", "Wednesday"] {
        s.fake.take("#leadership", &["Daily digest", "Cut churn"]);
    }
    Weekend {
        worse,
        stalled_w1,
        stalled_w2,
    }
}

pub struct Weekend {
    pub worse: Value,
    pub stalled_w1: Value,
    pub stalled_w2: Value,
}

#[tokio::test]
async fn people_come_from_users_info_and_slack_admins_are_admins() {
    let s = S::new().await;
    s.fake.user("T1", "UANA", "ana", true);
    s.fake.user("T1", "UBOB", "bob", false);
    s.slash("UANA", "goal new \"Grow revenue\" owner:<@UBOB>")
        .await;
    let admin = s.text("SELECT handle || ':' || is_admin || ':' || time_zone FROM people WHERE external_id = 'UANA'").await;
    assert_eq!(admin, "ana:true:Europe/Paris");
    let member = s
        .text("SELECT handle || ':' || is_admin FROM people WHERE external_id = 'UBOB'")
        .await;
    assert_eq!(member, "bob:false");
    // A member cannot change settings; an admin can.
    let r = s.slash("UBOB", "settings stall_after 5d").await;
    assert!(text(&r).contains("Nothing changed"), "{r:#}");
    let r = s.slash("UANA", "settings stall_after 5d").await;
    assert!(!text(&r).contains("Nothing changed"), "{r:#}");
    s.finish().await;
}

#[tokio::test]
async fn a_slow_slack_gets_a_bare_ack_and_the_answer_through_response_url() {
    let s = S::new().await;
    s.fake.user("T1", "UANA", "ana", false);
    s.fake
        .slow_users_info(ANSWER_WITHIN + std::time::Duration::from_millis(500));
    let r = s
        .slash("UANA", "goal new \"Cut churn\" owner:<@UANA>")
        .await;
    assert_eq!(r, Value::Null, "Slack's 3-second window is kept");
    let mut answer = None;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if s.fake
            .unread()
            .iter()
            .any(|m| m["channel"] == "response_url")
        {
            answer = Some(s.fake.take_response(&["Created G-1"]));
            break;
        }
    }
    assert!(answer.is_some(), "the answer arrived through response_url");
    s.finish().await;
}
