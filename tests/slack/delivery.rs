use chrono::Duration;

use crate::fake::Fault;
use crate::founding::founding;

#[tokio::test]
async fn rate_limits_and_outages_delay_notifications_but_never_lose_or_repeat_them() {
    let s = founding().await;
    s.fake.fail_posts([
        Fault::RateLimited { retry_after: 2 },
        Fault::RateLimited { retry_after: 2 },
        Fault::ServerError,
        Fault::ServerError,
        Fault::NotOk("internal_error"),
    ]);
    s.slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    s.slash("ULEE", "work start W-2").await;
    assert!(
        s.fake.unread().is_empty(),
        "nothing got through the outage yet"
    );
    // Move on in small steps, dispatching as the background loop would, until all is out.
    for _ in 0..40 {
        s.advance(Duration::seconds(30)).await;
    }
    s.fake.take_dm("UCTO", &["W-2", "no strategic home"]);
    s.fake.take_dm("UANA", &["G-1", "turned amber"]);
    s.fake.take_dm("ULEE", &["I-1", "turned amber"]);
    let delivered = s
        .scalar("SELECT count(*) FROM outbox WHERE state = 'delivered'")
        .await;
    assert_eq!(delivered, 3);
    assert_eq!(
        s.scalar("SELECT count(*) FROM outbox WHERE state <> 'delivered'")
            .await,
        0
    );
    // The outage was real: at least one message needed three attempts.
    let attempts = s.scalar("SELECT max(attempts)::bigint FROM outbox").await;
    assert!(attempts >= 3, "{attempts}");
    s.finish().await;
}

#[tokio::test]
async fn a_channel_the_bot_cannot_post_to_is_reported_to_the_admins_not_retried_forever() {
    let s = founding().await;
    s.fake.user("T1", "UADM", "adm", true);
    s.slash("UADM", "settings channel #gone").await;
    s.fake.fail_posts([Fault::NotOk("channel_not_found")]);
    s.advance(Duration::days(1)).await;
    let failed = s
        .text("SELECT state || ':' || last_error FROM outbox WHERE channel = '#gone'")
        .await;
    assert_eq!(failed, "failed:channel_not_found");
    // Every admin is told, Ana as well as the one who chose the channel.
    for admin in ["UADM", "UANA"] {
        s.fake
            .take_dm(admin, &["cannot post to #gone", "channel_not_found"]);
    }
    let posts = s
        .fake
        .calls("chat.postMessage")
        .iter()
        .filter(|c| c.body["channel"] == "#gone")
        .count();
    s.advance(Duration::hours(1)).await;
    assert_eq!(
        s.fake
            .calls("chat.postMessage")
            .iter()
            .filter(|c| c.body["channel"] == "#gone")
            .count(),
        posts,
        "no retry after a permanent failure"
    );
    s.finish().await;
}

#[tokio::test]
async fn user_text_is_escaped_everywhere_and_pings_no_one() {
    let s = founding().await;
    let title = "<!channel> <@U999> & <script>";
    let r = s
        .slash(
            "UANA",
            &format!("goal new \"{title}\" owner:<@UANA> rank:2 due:2026-11-01"),
        )
        .await;
    let escaped = "&lt;!channel&gt; &lt;@U999&gt; &amp; &lt;script&gt;";
    assert!(r.to_string().contains(escaped), "{r:#}");
    s.advance(Duration::days(1)).await;
    let digest = s.fake.take("#leadership", &["Daily digest", "G-2"]);
    for m in [&r, &digest] {
        let body = m.to_string();
        assert!(body.contains(escaped), "{body}");
        for ping in ["<!channel>", "<@U999>", "<script>"] {
            assert!(!body.contains(ping), "{ping} unescaped in {body}");
        }
        assert!(m.get("link_names").is_none() && m.get("parse").is_none());
    }
    s.finish().await;
}

#[tokio::test]
async fn a_message_slack_took_before_an_error_is_found_by_its_marker_not_posted_again() {
    let s = founding().await;
    s.fake.fail_posts([Fault::PostedButFailed]);
    s.slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    // Slack has it, but the answer was lost: the row waits for a retry.
    let dm = s.fake.take_dm("UCTO", &["W-2", "no strategic home"]);
    assert_eq!(dm["metadata"]["event_type"], "throughline_notification");
    assert_eq!(
        s.scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
            .await,
        1
    );
    for _ in 0..4 {
        s.advance(Duration::seconds(30)).await;
    }
    // The retry looked in the DM's history, found the marked copy and sent nothing.
    assert!(!s.fake.calls("conversations.history").is_empty());
    assert_eq!(
        s.scalar("SELECT count(*) FROM outbox WHERE state <> 'delivered'")
            .await,
        0
    );
    let to_cto = s.fake.calls("chat.postMessage");
    assert_eq!(
        to_cto
            .iter()
            .filter(|c| c.body["channel"] == "DUCTO")
            .count(),
        1
    );
    s.finish().await;
}

#[tokio::test]
async fn a_rate_limit_rests_the_whole_channel_for_the_time_slack_asked() {
    let s = founding().await;
    s.fake.fail_posts([Fault::RateLimited { retry_after: 20 }]);
    s.slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    s.slash("UCTO", "work new none \"Flaky login\" <@ULEE>")
        .await;
    // The second message to the same DM was not even tried while the channel rests.
    let to_cto = |s: &crate::harness::S| {
        s.fake
            .calls("chat.postMessage")
            .iter()
            .filter(|c| c.body["channel"] == "DUCTO")
            .count()
    };
    assert_eq!(to_cto(&s), 1);
    s.advance(Duration::seconds(10)).await;
    assert_eq!(to_cto(&s), 1, "still resting after 10 s of the 20 asked");
    s.advance(Duration::seconds(15)).await;
    s.fake.take_dm("UCTO", &["W-2", "no strategic home"]);
    s.fake.take_dm("UCTO", &["W-3", "no strategic home"]);
    s.finish().await;
}
