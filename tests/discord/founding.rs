use chrono::Duration;
use serde_json::{Value, json};

use crate::harness::*;

pub const GUILD: &str = "100000000000000001";
pub const LEADERSHIP: &str = "300000000000000001";
pub const ANA: &str = "201";
pub const LEE: &str = "202";
pub const CTO: &str = "203";

pub fn text(v: &Value) -> String {
    v.to_string()
}

/// Ana owns G-1 with I-1 led by Lee, who is doing W-1; typed in Discord. Ana (Manage
/// Server) sets the leadership channel.
pub async fn founding() -> D {
    let d = D::new().await;
    d.member(GUILD, ANA, "ana", MANAGE_GUILD);
    d.member(GUILD, LEE, "lee", MEMBER);
    d.member(GUILD, CTO, "cto", MEMBER);
    let r = d
        .slash_in(
            GUILD,
            ANA,
            "goal new",
            &[
                ("title", json!("Cut churn to 3%")),
                ("owner", user(ANA)),
                ("rank", json!(1)),
            ],
        )
        .await;
    assert_eq!(r["type"], 4, "{r:#}");
    assert_eq!(r["data"]["flags"], 64, "personal replies are ephemeral");
    assert!(text(&r).contains("Created G-1"), "{r:#}");
    let r = d
        .slash_in(
            GUILD,
            ANA,
            "initiative new",
            &[
                ("goal", json!("G-1")),
                ("title", json!("Onboarding revamp")),
                ("lead", user(LEE)),
                ("plan", json!(1.0)),
            ],
        )
        .await;
    assert!(text(&r).contains("Created I-1"), "{r:#}");
    let r = d
        .slash_in(
            GUILD,
            LEE,
            "work new",
            &[
                ("home", json!("I-1")),
                ("title", json!("New welcome flow")),
                ("assignee", user(LEE)),
            ],
        )
        .await;
    assert!(text(&r).contains("Created W-1"), "{r:#}");
    d.slash_in(GUILD, LEE, "work start", &[("work", json!("W-1"))])
        .await;
    let r = d
        .slash_in(
            GUILD,
            ANA,
            "settings",
            &[
                ("name", json!("channel")),
                ("channel", json!({ "channel": LEADERSHIP })),
            ],
        )
        .await;
    assert!(!text(&r).contains("Nothing changed"), "{r:#}");
    // Two working days without activity is a stall here, so that a long weekend shows one.
    let r = d
        .slash_in(
            GUILD,
            ANA,
            "settings",
            &[("name", json!("stall_after")), ("value", json!("2d"))],
        )
        .await;
    assert!(!text(&r).contains("Nothing changed"), "{r:#}");
    d
}

#[tokio::test]
async fn the_owner_gets_an_amber_dm_embed_in_the_same_interaction_and_the_channel_its_digest() {
    let d = founding().await;
    d.advance(Duration::days(1)).await;
    d.fake.take(LEADERSHIP, &["Daily digest"]);

    let r = file_the_payment_bug(&d).await;
    assert!(text(&r).contains("no strategic home"), "{r:#}");
    d.fake.take_dm(CTO, &["W-2", "no strategic home"]);

    d.slash_in(GUILD, LEE, "work start", &[("work", json!("W-2"))])
        .await;
    // No clock movement: the DM left as soon as the dispatcher was woken.
    let dm = d
        .fake
        .take_dm(ANA, &["G-1", "I-1", "Onboarding revamp", "lee", "W-2"]);
    assert_eq!(embed(&dm)["color"], 0xF0A020, "amber: {dm:#}");
    assert_eq!(dm["allowed_mentions"], json!({ "parse": [] }));
    assert!(
        d.fake
            .calls("users/@me/channels")
            .iter()
            .any(|c| c.body["recipient_id"] == ANA),
        "the DM channel was opened first"
    );
    d.fake.take_dm(LEE, &["I-1", "turned amber"]);

    let status = d.slash_in(GUILD, ANA, "status", &[]).await;
    assert!(
        text(&status).contains("pulled onto other work"),
        "{status:#}"
    );
    weekend(&d).await;
    d.finish().await;
}

/// The CTO files a critical bug with no strategic home and gives it to Lee; the answer.
pub async fn file_the_payment_bug(d: &D) -> Value {
    d.slash_in(
        GUILD,
        CTO,
        "work new",
        &[
            ("home", json!("none")),
            ("title", json!("Critical payment bug")),
            ("assignee", user(LEE)),
        ],
    )
    .await
}

/// The CTO files a critical bug with no home for Lee, and Lee starts it: G-1 and I-1 turn
/// amber. Takes the DMs that causes and returns Lee's, which carries his buttons.
pub async fn bug_pulls_lee(d: &D) -> Value {
    file_the_payment_bug(d).await;
    d.fake.take_dm(CTO, &["W-2", "no strategic home"]);
    d.slash_in(GUILD, LEE, "work start", &[("work", json!("W-2"))])
        .await;
    d.fake.take_dm(ANA, &["G-1", "turned amber"]);
    d.fake.take_dm(LEE, &["I-1", "turned amber"])
}

/// Over the weekend to Tuesday 10:00 (the weekend does not count): W-1 stalls on Monday and
/// W-2 on Tuesday, G-1 turns red, and the week brings the agenda and two digests. Ana's and
/// Lee's episode messages are edited, with a threaded line each. Returns the messages that
/// carry buttons.
pub async fn weekend(d: &D) -> Weekend {
    d.advance(Duration::days(4) + Duration::minutes(30)).await;
    let worse = d
        .fake
        .take_dm_edit(ANA, &["G-1", "got worse: amber to red"]);
    assert_eq!(embed(&worse)["color"], 0xE01E5A, "red: {worse:#}");
    let line = d.fake.take_dm(ANA, &["G-1 is now red"]);
    assert!(
        line["message_reference"]["message_id"].is_string(),
        "{line:#}"
    );
    d.fake.take(LEADERSHIP, &["G-1", "turned red"]);
    d.fake
        .take_dm_edit(LEE, &["I-1", "got worse: amber to red"]);
    d.fake.take_dm(LEE, &["I-1 is now red"]);
    let stalled_w1 = d.fake.take_dm(LEE, &["W-1", "has stalled"]);
    let stalled_w2 = d.fake.take_dm(LEE, &["W-2", "has stalled"]);
    d.fake
        .take(LEADERSHIP, &["Leadership agenda", "Decisions needed"]);
    d.fake.take(LEADERSHIP, &["Daily digest", "Cut churn"]);
    d.fake.take(LEADERSHIP, &["Daily digest", "Cut churn"]);
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
async fn members_with_manage_server_are_admins_and_user_options_resolve_to_people() {
    let d = founding().await;
    let people = d
        .text("SELECT string_agg(external_id || ':' || handle || ':' || is_admin, ',' ORDER BY external_id) FROM people")
        .await;
    assert_eq!(people, "201:ana:true,202:lee:false");
    let r = d
        .slash_in(
            GUILD,
            LEE,
            "settings",
            &[("name", json!("stall_after")), ("value", json!("5d"))],
        )
        .await;
    assert!(
        text(&r).contains("Nothing changed"),
        "a member cannot: {r:#}"
    );
    // The person picked in a USER option is the one who becomes owner.
    d.slash_in(
        GUILD,
        ANA,
        "goal owner",
        &[("goal", json!("G-1")), ("owner", user(CTO))],
    )
    .await;
    let owner = d
        .text("SELECT p.external_id || ':' || p.handle FROM goals g JOIN people p ON p.id = g.owner_id")
        .await;
    assert_eq!(owner, "203:cto");
    d.finish().await;
}
