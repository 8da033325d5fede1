//! No answer waits for a DM: while Slack's pace holds a person's DMs back (a 429 rests their
//! DM channel), a command that queues another DM to them is answered in the response itself.

use std::time::Duration;

use crate::org;
use crate::process::eventually;
use crate::slack_fake::Fault;

#[tokio::test]
async fn a_commands_answer_is_sent_while_its_dm_waits_for_the_pace() {
    let (site, scratch) = org::site().await;
    site.slack.user("T1", "UCTO", "cto", false);
    // Slack answers the first DM with a 429: the DM channel rests for half a minute.
    site.slack
        .fail_posts([Fault::RateLimited { retry_after: 30 }]);
    let a = site.serve(&[]).await;
    let hook = format!("{}/response/hook", site.slack.url);
    let command = |text: &str, trigger: &str| org::slack_command("UCTO", text, trigger, &hook);

    let (headers, form) = command("work new none \"Critical payment bug\" <@UCTO>", "t-1");
    let (status, first) = a.post("/slack/commands", &headers, form).await;
    assert_eq!(status, 200);
    assert!(first.contains("Created W-1"), "{first}");
    let slack = site.slack.clone();
    eventually(
        Duration::from_secs(10),
        "the first DM met Slack's 429",
        || !slack.calls("chat.postMessage").is_empty(),
    )
    .await;

    let (headers, form) = command("work new none \"Refund bug\" <@UCTO>", "t-2");
    let (status, second) = a.post("/slack/commands", &headers, form).await;
    assert_eq!(status, 200);
    assert!(
        second.contains("Created W-2"),
        "the answer is in the response, not deferred: {second}"
    );
    // Both DMs still wait for the channel's rest, and nothing went through response_url.
    assert!(site.slack.unread().is_empty(), "{:#?}", site.slack.unread());
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE state = 'queued' AND person_id IS NOT NULL",
    )
    .fetch_one(&scratch.store.pool)
    .await
    .unwrap();
    assert_eq!(waiting, 2);

    a.signal("TERM");
    let (exit, log) = a.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{exit:?}\n{log}");
    scratch.drop().await.unwrap();
}
