use chrono::Duration;
use serde_json::json;

use crate::fake::Fault;
use crate::founding::*;
use crate::harness::*;

#[tokio::test]
async fn rate_limits_and_outages_delay_notifications_but_each_arrives_exactly_once() {
    let d = founding().await;
    d.fake.fail_posts([
        Fault::RateLimited { retry_after: 2.5 },
        Fault::RateLimited { retry_after: 2.5 },
        Fault::ServerError,
        Fault::ServerError,
    ]);
    file_the_payment_bug(&d).await;
    d.slash_in(GUILD, LEE, "work start", &[("work", json!("W-2"))])
        .await;
    let owed = 3;
    assert_eq!(
        d.scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
            .await,
        owed,
        "nothing is lost while Discord refuses"
    );
    // The 429 said 2.5 s: nothing is retried before that.
    d.clock.set(d.now() + Duration::seconds(1));
    d.dispatch().await;
    assert_eq!(
        d.scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
            .await,
        owed
    );
    for _ in 0..10 {
        d.advance(Duration::minutes(2)).await;
    }
    assert_eq!(
        d.scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
            .await,
        0
    );
    d.fake.take_dm(CTO, &["W-2", "no strategic home"]);
    d.fake.take_dm(ANA, &["G-1", "turned amber"]);
    d.fake.take_dm(LEE, &["I-1", "turned amber"]);
    d.finish().await;
}

#[tokio::test]
async fn a_refused_dm_becomes_a_mention_in_the_leadership_channel_and_is_not_retried() {
    let d = founding().await;
    d.fake.refuse_dms(ANA);
    d.slash_in(
        GUILD,
        CTO,
        "work new",
        &[
            ("home", json!("none")),
            ("title", json!("Bug")),
            ("assignee", user(LEE)),
        ],
    )
    .await;
    d.fake.take_dm(CTO, &["W-2"]);
    d.slash_in(GUILD, LEE, "work start", &[("work", json!("W-2"))])
        .await;
    d.fake.take_dm(LEE, &["I-1", "turned amber"]);
    let fallback = d.fake.take(
        LEADERSHIP,
        &["G-1", "turned amber", "could not send you a direct message"],
    );
    assert_eq!(
        fallback["content"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .next(),
        Some(format!("<@{ANA}>,").as_str())
    );
    assert_eq!(
        fallback["allowed_mentions"],
        json!({ "parse": [], "users": [ANA] }),
        "only Ana is pinged"
    );
    let attempts = d.fake.calls(&format!("channels/dm-{ANA}")).len();
    d.advance(Duration::hours(1)).await;
    assert_eq!(
        d.fake.calls(&format!("channels/dm-{ANA}")).len(),
        attempts,
        "not retried"
    );
    assert_eq!(
        d.scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
            .await,
        0
    );
    d.finish().await;
}

#[tokio::test]
async fn a_slow_database_gets_a_deferred_reply_and_the_answer_follows_as_an_edit() {
    let d = founding().await;
    // Another transaction holds the guild's workspace longer than Discord's window.
    let mut held = d.store().pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM workspaces FOR UPDATE")
        .execute(&mut *held)
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(ANSWER_WITHIN + std::time::Duration::from_millis(500)).await;
        held.commit().await.unwrap();
    });
    let body = d.command_body(
        GUILD,
        ANA,
        "goal new",
        &[("title", json!("Grow revenue")), ("owner", user(ANA))],
    );
    let token = body["token"].as_str().unwrap().to_string();
    let r = d.send(&body).await;
    assert_eq!(
        r,
        json!({ "type": 5, "data": { "flags": 64 } }),
        "deferred within the window"
    );
    release.await.unwrap();
    let mut edited = Vec::new();
    for _ in 0..100 {
        edited = d.fake.calls(&format!("original/{token}"));
        if !edited.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        edited.len(),
        1,
        "the answer follows as an edit of the reply"
    );
    assert!(
        text(&edited[0].body).contains("Created G-2"),
        "{:#}",
        edited[0].body
    );
    assert_eq!(edited[0].body["allowed_mentions"], json!({ "parse": [] }));
    d.fake.take_original(&token);
    d.finish().await;
}

#[tokio::test]
async fn a_message_discord_took_before_an_error_is_not_posted_again() {
    let d = founding().await;
    d.fake.fail_posts([Fault::PostedButFailed]);
    file_the_payment_bug(&d).await;
    // Discord has it, but the answer was lost: the row waits for a retry.
    let dm = d.fake.take_dm(CTO, &["W-2", "no strategic home"]);
    assert_eq!(dm["enforce_nonce"], true);
    for _ in 0..4 {
        d.advance(Duration::seconds(30)).await;
    }
    // The retry carried the same nonce, so Discord answered with the message it had.
    let posts: Vec<_> = d
        .fake
        .calls(&format!("channels/dm-{CTO}"))
        .into_iter()
        .map(|c| c.body["nonce"].clone())
        .collect();
    assert_eq!(posts.len(), 2, "{posts:?}");
    assert_eq!(posts[0], posts[1]);
    assert_eq!(
        d.scalar("SELECT count(*) FROM outbox WHERE state <> 'delivered'")
            .await,
        0
    );
    d.finish().await;
}
