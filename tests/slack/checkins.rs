//! The check-in API: a key result's write token, made with `/align kr token`, lets a cron job
//! check in exactly as `kr update` does; anything else is refused and records nothing.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::founding::founding;
use crate::harness::*;

async fn token_for(s: &S, kr: &str) -> String {
    let r = s.slash("UANA", &format!("kr token {kr}")).await;
    assert_eq!(
        r["response_type"], "ephemeral",
        "the token is shown to the admin alone"
    );
    let shown = r.to_string();
    assert!(
        shown.contains(&format!("{}/api/v1/key-results/{kr}/check-ins", s.base)),
        "{shown}"
    );
    let at = shown.find("tl_").unwrap_or_else(|| panic!("{shown}"));
    shown[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

async fn post(s: &S, kr: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/v1/key-results/{kr}/check-ins", s.base))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let body = res.json().await.unwrap();
    s.settle().await;
    (status, body)
}

#[tokio::test]
async fn a_token_check_in_moves_the_key_result_and_its_goal_as_the_command_would() {
    let s = founding().await;
    s.slash("UANA", "settings stall_after 60d").await;
    s.slash(
        "UANA",
        "kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-10-20 by:2027-01-27",
    )
    .await;
    let refused = s.slash("ULEE", "kr token K-1").await.to_string();
    assert!(
        refused.contains("only an admin can make a write token for K-1"),
        "{refused}"
    );
    let token = token_for(&s, "K-1").await;

    let (status, body) = post(&s, "K-1", Some(&token), json!({ "value": 7.2 })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        s.text("SELECT colour FROM health WHERE subject = 'G-1'")
            .await,
        "green"
    );
    s.advance(Duration::days(22)).await;
    assert_eq!(
        s.text("SELECT colour FROM health WHERE subject = 'G-1'")
            .await,
        "red"
    );

    let (status, body) = post(
        &s,
        "K-1",
        Some(&token),
        json!({ "value": "5.9%", "note": "from the dashboard", "confidence": "on-track" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("on track"),
        "{body}"
    );
    assert_eq!(
        s.text("SELECT colour FROM health WHERE subject = 'G-1'")
            .await,
        "green",
        "the goal follows its key result, as after kr update"
    );
    let recorded = s
        .text("SELECT source || ' ' || value || ' ' || note FROM kr_checkins ORDER BY at DESC LIMIT 1")
        .await;
    assert_eq!(recorded, "api 5.9 from the dashboard");
    let history = s.slash("UANA", "history K-1").await.to_string();
    assert!(
        history.contains("source api, value 5.9% \\\"from the dashboard\\\""),
        "the history says where the check-in came from: {history}"
    );
    for ch in ["DUANA", "DULEE", "#leadership"] {
        s.fake.drain(ch);
    }
    s.finish().await;
}

#[tokio::test]
async fn bad_tokens_other_key_results_closed_ones_and_wrong_units_are_refused_and_record_nothing() {
    let s = founding().await;
    s.slash(
        "UANA",
        "kr new G-1 \"Monthly churn\" from:8% to:5% by:2027-01-27",
    )
    .await;
    s.slash(
        "UANA",
        "kr new G-1 \"Revenue\" from:$1m to:$2m by:2027-01-27",
    )
    .await;
    let token = token_for(&s, "K-1").await;
    let checkins = || s.scalar("SELECT count(*) FROM kr_checkins");
    let v = json!({ "value": 6 });

    let cases: Vec<(&str, Option<&str>, Value, StatusCode, &str)> = vec![
        (
            "K-1",
            None,
            v.clone(),
            StatusCode::UNAUTHORIZED,
            "missing the key result's write token",
        ),
        (
            "K-1",
            Some("tl_not-a-token"),
            v.clone(),
            StatusCode::UNAUTHORIZED,
            "not a live write token",
        ),
        (
            "K-2",
            Some(&token),
            v.clone(),
            StatusCode::FORBIDDEN,
            "this token does not write K-2",
        ),
        (
            "G-1",
            Some(&token),
            v.clone(),
            StatusCode::NOT_FOUND,
            "'G-1' is not a key result's key",
        ),
        (
            "K-1",
            Some(&token),
            json!({ "value": "€5" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "€5 is in EUR, but this key result counts in percent",
        ),
        (
            "K-1",
            Some(&token),
            json!({ "value": 5, "unit": "USD" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "counts in percent",
        ),
        (
            "K-1",
            Some(&token),
            json!({ "note": "no value" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "the check-in needs a value",
        ),
        (
            "K-1",
            Some(&token),
            json!({ "value": 5, "note": "a\u{0}b" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "note",
        ),
    ];
    for (kr, token, body, status, says) in cases {
        let (got, answer) = post(&s, kr, token, body.clone()).await;
        assert_eq!(got, status, "{kr} {body}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(says),
            "{kr} {body}: {answer}"
        );
    }
    assert_eq!(checkins().await, 0, "nothing was recorded");

    // A new token replaces the old one; a closed key result takes no check-ins.
    let newer = token_for(&s, "K-1").await;
    let (got, _) = post(&s, "K-1", Some(&token), v.clone()).await;
    assert_eq!(
        got,
        StatusCode::UNAUTHORIZED,
        "the replaced token no longer works"
    );
    s.slash("UANA", "kr close K-1 dropped").await;
    let (got, answer) = post(&s, "K-1", Some(&newer), v.clone()).await;
    assert_eq!(got, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("K-1 is dropped"),
        "{answer}"
    );
    assert_eq!(checkins().await, 0, "nothing was recorded");
    s.finish().await;
}
