//! Key results on Slack: made and checked in with /align, and the check-in reminder's button
//! opens a form whose answer is the check-in.

use chrono::Duration;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn the_reminders_update_button_opens_a_form_and_its_answer_is_the_check_in() {
    let s = S::new().await;
    s.fake.user("T1", "UANA", "ana", true);
    s.fake.user("T1", "ULEE", "lee", false);
    s.slash("UANA", "settings stall_after 60d").await;
    s.slash("UANA", "goal new \"Cut churn to 3%\" owner:<@UANA> rank:1")
        .await;
    s.slash(
        "UANA",
        "initiative new G-1 \"Onboarding revamp\" lead:<@ULEE> plan:1",
    )
    .await;
    s.slash("ULEE", "work new I-1 \"New welcome flow\" <@ULEE>")
        .await;
    s.slash("ULEE", "work start W-1").await;
    let made = s
        .slash(
            "UANA",
            "kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-11-01 by:2027-06-30",
        )
        .await;
    assert!(made.to_string().contains("Created K-1"), "{made:#}");
    let checked = s.slash("ULEE", "kr update K-1 7.8%").await;
    assert!(
        checked.to_string().contains("Checked in K-1"),
        "{checked:#}"
    );

    s.advance(Duration::days(7)).await;
    while s
        .fake
        .unread()
        .iter()
        .any(|m| m["channel"] == "#leadership")
    {
        s.fake.take("#leadership", &[]);
    }
    let asked = s.fake.take_dm(
        "UANA",
        &["Time to check in 1 key result(s)", "K-1 Monthly churn"],
    );
    s.click("T1", "UANA", &asked, "Update K-1").await;
    let form = s.fake.calls("views.open").last().unwrap().body["view"].clone();
    assert!(
        form.to_string()
            .contains("K-1 now (then a note, if you like)"),
        "{form:#}"
    );
    let answer = s
        .submit(
            "T1",
            "UANA",
            json!({ "answer": { "answer": { "type": "plain_text_input", "value": "7.1% the fix landed" } } }),
        )
        .await;
    assert_eq!(answer["response_action"], "update", "{answer:#}");
    assert!(answer.to_string().contains("Checked in K-1"), "{answer:#}");
    assert_eq!(
        s.text("SELECT value::text || ' ' || note FROM kr_checkins ORDER BY id DESC LIMIT 1")
            .await,
        "7.1 the fix landed"
    );
    s.finish().await;
}
