use reqwest::StatusCode;

use crate::harness::*;

async fn goals(s: &S) -> i64 {
    s.scalar("SELECT count(*) FROM goals").await
}

#[tokio::test]
async fn unsigned_forged_stale_or_tampered_requests_are_refused_and_change_nothing() {
    let s = S::new().await;
    s.fake.user("T1", "UANA", "ana", false);
    let form = s.slash_form("T1", "UANA", "goal new \"Forged\" owner:<@UANA>");
    let now = chrono::Utc::now().timestamp();
    let form_ct = "application/x-www-form-urlencoded";

    let (status, _) = s
        .raw_post("/slack/commands", form_ct, form.clone(), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "missing signature");

    let bad = Some((now.to_string(), "v0=0000".to_string()));
    let (status, _) = s
        .raw_post("/slack/commands", form_ct, form.clone(), bad)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "bad signature");

    let stale_ts = now - 6 * 60;
    let stale = Some((stale_ts.to_string(), sign(&form, stale_ts)));
    let (status, _) = s
        .raw_post("/slack/commands", form_ct, form.clone(), stale)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "stale timestamp");

    let signed_for_other_body = Some((now.to_string(), sign(&form, now)));
    let tampered = form.replace("Forged", "Tampered");
    let (status, _) = s
        .raw_post("/slack/commands", form_ct, tampered, signed_for_other_body)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "body changed after signing"
    );

    for path in ["/slack/interactions", "/slack/events"] {
        let (status, _) = s
            .raw_post(path, "application/json", "{}".into(), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(goals(&s).await, 0);
    assert_eq!(s.scalar("SELECT count(*) FROM people").await, 0);
    assert!(s.fake.calls("users.info").is_empty());

    // The same request, properly signed, works.
    s.signed_post("/slack/commands", form_ct, form).await;
    assert_eq!(goals(&s).await, 1);
    s.finish().await;
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let s = S::new().await;
    let body =
        serde_json::json!({ "type": "url_verification", "challenge": "c-123", "token": "t" });
    let (status, answer) = s
        .signed_post("/slack/events", "application/json", body.to_string())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&answer).unwrap()["challenge"],
        "c-123"
    );
    s.finish().await;
}

#[tokio::test]
async fn a_replayed_slash_command_runs_once_and_says_so() {
    let s = S::new().await;
    s.fake.user("T1", "UANA", "ana", false);
    let form = s.slash_form("T1", "UANA", "goal new \"Cut churn\" owner:<@UANA>");
    let form_ct = "application/x-www-form-urlencoded";
    let (status, first) = s
        .signed_post("/slack/commands", form_ct, form.clone())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("Created G-1"), "{first}");

    // The very same signed request again, inside Slack's five-minute window.
    let (status, again) = s.signed_post("/slack/commands", form_ct, form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("arrived twice"), "{again}");
    assert!(!again.contains("Created"), "{again}");
    assert_eq!(goals(&s).await, 1);

    // The same words typed again are a new command (a new trigger), not a replay.
    let r = s
        .slash("UANA", "goal new \"Cut churn\" owner:<@UANA>")
        .await;
    assert!(r.to_string().contains("Created G-2"), "{r:#}");
    s.finish().await;
}
