//! First runs: what is wrong is said at once and by name; what is only passing is waited out.

use std::time::Duration;

use crate::org;
use crate::slack_fake::Fault;

#[tokio::test]
async fn an_unreachable_database_is_reported_at_once_in_postgresqls_own_words() {
    let (mut site, scratch) = org::site().await;
    site.database_url = "postgres://postgres@127.0.0.1:1/throughline".into();
    let started = std::time::Instant::now();
    let (exit, log) = site.start(&[]).exit(Duration::from_secs(5)).await;
    assert!(!exit.success());
    assert!(
        log.contains("cannot connect to PostgreSQL at 127.0.0.1:1 (from DATABASE_URL)"),
        "{log}"
    );
    assert!(log.to_lowercase().contains("refused"), "{log}");
    assert!(started.elapsed() < Duration::from_secs(5));
    scratch.drop().await.unwrap();
}

#[tokio::test]
async fn slack_refusing_the_token_stops_start_up_but_a_passing_500_is_waited_out() {
    let (site, scratch) = org::site().await;
    site.slack.fail_auth_test([Fault::NotOk("invalid_auth")]);
    let (exit, log) = site.start(&[]).exit(Duration::from_secs(10)).await;
    assert!(!exit.success());
    assert!(
        log.contains("SLACK_BOT_TOKEN was refused by Slack (auth.test said invalid_auth)"),
        "{log}"
    );

    site.slack.fail_auth_test([Fault::ServerError]);
    let a = site.serve(&[]).await;
    assert!(a.log().contains("trying again"), "{}", a.log());
    assert_eq!(
        site.slack.calls("auth.test").len(),
        3,
        "refused, failed, then answered"
    );
    a.signal("TERM");
    let (exit, log) = a.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{log}");
    scratch.drop().await.unwrap();
}

#[tokio::test]
async fn a_misplaced_token_or_a_bad_address_names_the_variable() {
    let (site, scratch) = org::site().await;
    for (var, value, says) in [
        (
            "SLACK_BOT_TOKEN",
            "xapp-1-A1-test",
            "looks like an app-level token",
        ),
        (
            "SLACK_SIGNING_SECRET",
            "xoxb-T1",
            "SLACK_SIGNING_SECRET must be the app's Signing Secret",
        ),
        (
            "LISTEN_ADDR",
            "3000",
            "LISTEN_ADDR must be an address and port",
        ),
    ] {
        let (exit, log) = site
            .start(&[(var, value)])
            .exit(Duration::from_secs(5))
            .await;
        assert!(!exit.success(), "{var}");
        assert!(log.contains(says), "{var}: {log}");
        assert!(
            !log.contains(value) || var == "LISTEN_ADDR",
            "a secret is echoed: {log}"
        );
    }
    scratch.drop().await.unwrap();
}
