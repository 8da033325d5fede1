//! Slack and Discord in one process, the probes, and PostgreSQL going away.

use std::time::Duration;

use serde_json::json;

use crate::discord_fake::Fault as DiscordFault;
use crate::org;
use crate::process::eventually;
use crate::proxy::Proxy;
use crate::slack_fake::Fault as SlackFault;

#[tokio::test]
async fn one_process_serves_both_platforms_and_delivers_every_dm_once_through_errors() {
    let (site, scratch) = org::site().await;
    site.slack.user("T1", "UCTO", "cto", false);
    let (slack_people, discord_people) = org::queue_dms(&scratch.store, 3).await;
    site.slack.fail_posts([
        SlackFault::RateLimited { retry_after: 1 },
        SlackFault::PostedButFailed,
    ]);
    site.discord.fail_posts([
        DiscordFault::RateLimited { retry_after: 1.0 },
        DiscordFault::PostedButFailed,
    ]);
    let a = site.serve(&[("LOG_FORMAT", "json")]).await;
    let before = scrape(&a).await;
    assert_eq!(value(&before, "throughline_database_up", &[]), Some(1.0));
    // A command on each platform, answered at once; its DM follows from the one dispatcher.
    let (headers, form) = org::slack_command(
        "UCTO",
        "work new none \"Flaky login\" <@UCTO>",
        "trigger-1",
        &format!("{}/response/1", site.slack.url),
    );
    let (status, answer) = a.post("/slack/commands", &headers, form).await;
    assert_eq!(status, 200);
    assert!(answer.contains("Created W-"), "{answer}");
    let (headers, body) = org::discord_work_new("9001", "300000000000000001", "Slow search");
    let (status, answer) = a.post("/discord/interactions", &headers, body).await;
    assert_eq!(status, 200);
    assert!(answer.contains("Created W-"), "{answer}");

    let left = crate::process::until_all_delivered(&scratch.store).await;
    assert_eq!(left, 0, "{}", a.log());
    for user in slack_people.iter().chain(["UCTO".to_string()].iter()) {
        site.slack.take_dm(user, &["no strategic home"]);
    }
    for user in discord_people
        .iter()
        .chain(["300000000000000001".to_string()].iter())
    {
        site.discord.take_dm(user, &["no strategic home"]);
    }
    site.slack.assert_nothing_unread();
    site.discord.assert_nothing_unread();

    // The counters moved with the commands and the deliveries, the errors included (the
    // process started at zero; its first deliveries may precede the first scrape).
    let after = scrape(&a).await;
    let moved = |name: &str, labels: &[(&str, &str)]| value(&after, name, labels).unwrap_or(0.0);
    assert_eq!(
        moved(
            "throughline_commands_total",
            &[("verb", "work new"), ("outcome", "ok")]
        ),
        2.0
    );
    for platform in ["slack", "discord"] {
        let delivered = [("platform", platform), ("outcome", "delivered")];
        assert_eq!(
            moved("throughline_deliveries_total", &delivered),
            4.0,
            "{platform}"
        );
        let retried = [("platform", platform), ("outcome", "retried")];
        assert_eq!(
            moved("throughline_deliveries_total", &retried),
            2.0,
            "{platform}"
        );
    }
    let answered = [("route", "/slack/commands"), ("outcome", "ok")];
    assert_eq!(moved("throughline_http_requests_total", &answered), 1.0);
    assert_eq!(
        value(&after, "throughline_outbox_queued", &[("due", "now")]),
        Some(0.0)
    );

    a.signal("TERM");
    let (exit, log) = a.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{log}");
    // Every line is JSON, and a command's line carries its request id and workspace.
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let command = lines
        .iter()
        .find(|l| l["message"] == "command" && l["span"]["route"] == "/discord/interactions")
        .unwrap_or_else(|| panic!("no command line in {log}"));
    assert_eq!(command["verb"], "work new");
    assert!(command["span"]["request_id"].is_string(), "{command}");
    assert!(command["span"]["workspace"].is_number(), "{command}");
    scratch.drop().await.unwrap();
}

/// /metrics, read by a Prometheus text parser.
async fn scrape(server: &crate::process::Server) -> prometheus_parse::Scrape {
    let (status, text) = server.get("/metrics").await;
    assert_eq!(status, 200);
    let lines = text.lines().map(|l| Ok(l.to_string()));
    prometheus_parse::Scrape::parse(lines).expect("Prometheus text")
}

/// The value of the sample `name` with exactly these labels among its labels.
fn value(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .and_then(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => Some(v),
            _ => None,
        })
}

#[tokio::test]
async fn with_postgres_refusing_connections_readiness_fails_and_a_button_gets_an_honest_answer() {
    let (mut site, scratch) = org::site().await;
    let (proxy, through) = Proxy::in_front_of(&site.database_url).await;
    site.database_url = through;
    let a = site.serve(&[]).await;
    assert_eq!(a.get("/readyz").await, (200, "ok".to_string()));

    proxy.refuse();
    let (status, why) = a.get("/readyz").await;
    assert_eq!(status, 503);
    assert!(why.contains("database unreachable"), "{why}");
    assert_eq!(a.get("/livez").await.0, 200, "the process itself is fine");

    // A button pressed now cannot be checked for a repeat, so it does nothing and says so.
    let payload = json!({
        "type": "block_actions",
        "team": { "id": "T1", "domain": "acme" },
        "user": { "id": "UANA", "username": "ana", "team_id": "T1" },
        "api_app_id": "A1",
        "trigger_id": "trigger-button-1",
        "response_url": format!("{}/response/button-1", site.slack.url),
        "container": { "type": "message", "channel_id": "DUANA" },
        "actions": [{ "type": "button", "action_id": "run", "value": "/align work start W-1",
                      "text": { "type": "plain_text", "text": "Start" } }],
    });
    let (headers, form) = org::slack_interaction(&payload);
    let (status, _) = a.post("/slack/interactions", &headers, form).await;
    assert_eq!(status, 200);
    let told = site.slack.take_response(&["cannot reach its database"]);
    assert_eq!(told["response_type"], "ephemeral");

    // PostgreSQL comes back, and so does readiness.
    proxy.accept().await;
    let base = a.base.clone();
    let mut ready = (0, String::new());
    for _ in 0..100 {
        ready = crate::process::get(&base, "/readyz").await;
        if ready.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready, (200, "ok".to_string()), "{}", a.log());
    a.signal("TERM");
    let (exit, log) = a.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{log}");
    eventually(Duration::from_secs(1), "nothing else was said", || {
        site.slack.unread().is_empty()
    })
    .await;
    scratch.drop().await.unwrap();
}

#[tokio::test]
async fn a_command_is_answered_while_the_platform_still_hangs_on_its_dm() {
    let (site, scratch) = org::site().await;
    site.slack.user("T1", "UCTO", "cto", false);
    site.slack.fail_posts([SlackFault::PostedButHangs]);
    let a = site.serve(&[]).await;
    let (headers, form) = org::slack_command(
        "UCTO",
        "work new none \"Flaky login\" <@UCTO>",
        "trigger-1",
        &format!("{}/response/1", site.slack.url),
    );
    let (status, answer) = a.post("/slack/commands", &headers, form).await;
    assert_eq!(status, 200);
    assert!(answer.contains("Created W-1"), "{answer}");
    // The DM reached Slack, whose answer never comes: delivery is not the command's business.
    let slack = site.slack.clone();
    eventually(Duration::from_secs(10), "the DM reached Slack", || {
        slack.unread().len() == 1
    })
    .await;
    site.slack.take_dm("UCTO", &["W-1", "no strategic home"]);
    a.signal("KILL");
    a.exit(Duration::from_secs(10)).await;
    scratch.drop().await.unwrap();
}
