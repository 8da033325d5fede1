//! SIGKILL while messages are in flight on both platforms: after a restart every DM has
//! arrived exactly once, although both platforms had taken one that the dead process never
//! recorded as delivered.

use std::time::Duration;

use crate::discord_fake::Fault as DiscordFault;
use crate::org;
use crate::process::eventually;
use crate::slack_fake::Fault as SlackFault;

const PEOPLE: usize = 6;

#[tokio::test]
async fn after_a_kill_mid_delivery_every_dm_arrives_exactly_once_on_both_platforms() {
    let (site, scratch) = org::site().await;
    let (slack_people, discord_people) = org::queue_dms(&scratch.store, PEOPLE).await;
    // Each platform takes two messages and never answers: the process dies waiting.
    site.slack
        .fail_posts([SlackFault::PostedButHangs, SlackFault::PostedButHangs]);
    site.discord
        .fail_posts([DiscordFault::PostedButHangs, DiscordFault::PostedButHangs]);
    let a = site.serve(&[]).await;
    let (slack, discord) = (site.slack.clone(), site.discord.clone());
    eventually(
        Duration::from_secs(20),
        "every message reached its platform",
        || slack.unread().len() == PEOPLE && discord.unread_routes().len() == PEOPLE,
    )
    .await;
    a.signal("KILL");
    let (exit, _) = a.exit(Duration::from_secs(10)).await;
    assert!(!exit.success());
    let in_doubt: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'queued'")
        .fetch_one(&scratch.store.pool)
        .await
        .unwrap();
    // Two per platform hang; others may have landed without their answer being recorded.
    assert!(
        in_doubt >= 4,
        "{in_doubt}: taken by the platforms but not recorded"
    );

    // The next process takes the dead one's rows once their lease ends, and sends none twice.
    let b = site.serve(&[]).await;
    let queued = crate::process::until_all_delivered(&scratch.store).await;
    assert_eq!(queued, 0, "{}", b.log());
    for user in &slack_people {
        site.slack.take_dm(user, &["no strategic home"]);
    }
    for user in &discord_people {
        site.discord.take_dm(user, &["no strategic home"]);
    }
    site.slack.assert_nothing_unread();
    site.discord.assert_nothing_unread();
    // The resends asked first: Slack's history, Discord's nonce.
    assert!(!site.slack.calls("conversations.history").is_empty());
    b.signal("TERM");
    let (exit, log) = b.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{log}");
    scratch.drop().await.unwrap();
}
