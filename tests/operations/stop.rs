//! SIGTERM: readiness goes first, the request in flight gets its answer, the process exits 0,
//! and what it had not delivered is delivered once by the next one.

use std::time::Duration;

use crate::org;
use crate::process::eventually;

#[tokio::test]
async fn sigterm_mid_command_answers_it_exits_0_and_the_next_process_delivers_the_dm_once() {
    let (site, scratch) = org::site().await;
    site.slack.user("T1", "UCTO", "cto", false);
    // Slow enough that the answer is deferred to response_url, and the stop lands mid-command.
    site.slack.slow_users_info(Duration::from_millis(1500));
    // Everything at the most verbose level: nothing secret may show even there.
    let a = site
        .serve(&[
            ("SHUTDOWN_DELAY_SECS", "1"),
            ("ANSWER_WITHIN_SECS", "1"),
            ("RUST_LOG", "trace"),
        ])
        .await;
    let response_url = format!("{}/response/secret-hook-1", site.slack.url);
    let (headers, form) = org::slack_command(
        "UCTO",
        "work new none \"Critical payment bug\" <@UCTO>",
        "trigger-1",
        &response_url,
    );
    let request = {
        let base = a.base.clone();
        tokio::spawn(
            async move { crate::process::post(&base, "/slack/commands", &headers, form).await },
        )
    };
    let slack = site.slack.clone();
    eventually(
        Duration::from_secs(10),
        "the command reached users.info",
        || !slack.calls("users.info").is_empty(),
    )
    .await;
    a.signal("TERM");

    // Readiness is off at once, while the process still answers.
    let mut readiness = (0, String::new());
    for _ in 0..40 {
        readiness = a.get("/readyz").await;
        if readiness.0 == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(readiness, (503, "draining".to_string()));

    // The command committed and answered: a bare acknowledgement in time, then its answer.
    let (status, ack) = request.await.unwrap();
    assert_eq!((status, ack.as_str()), (200, ""));
    let (exit, log) = a.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{exit:?}\n{log}");
    let answer = site.slack.take_response(&["Created W-1"]);
    assert_eq!(answer["response_type"], "ephemeral");
    for phase in [
        "SIGTERM",
        "no new connections",
        "requests answered",
        "stopped cleanly",
    ] {
        assert!(
            log.contains(phase),
            "the log names the phase {phase:?}:\n{log}"
        );
    }
    for secret in [
        "secret-hook-1",
        "xoxb-T1",
        org::SLACK_SECRET,
        crate::discord_fake::BOT_TOKEN,
    ] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
    // The stopping process claimed nothing new: the DM waits for the next one.
    assert!(site.slack.unread().is_empty(), "{:#?}", site.slack.unread());
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM outbox WHERE state = 'queued' AND locked_until IS NULL"
        )
        .fetch_one(&scratch.store.pool)
        .await
        .unwrap(),
        1
    );

    let b = site.serve(&[]).await;
    site.slack.wait_unread(1).await;
    site.slack.take_dm("UCTO", &["W-1", "no strategic home"]);
    b.signal("TERM");
    let (exit, log) = b.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{exit:?}\n{log}");
    site.slack.assert_nothing_unread();
    scratch.drop().await.unwrap();
}
