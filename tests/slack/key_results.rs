//! Key results on Slack: made and checked in with /align, a goal that falls behind pace and
//! catches up, and the check-in reminder's button opening a form whose answer is the check-in.

use chrono::Duration;
use serde_json::json;

use crate::founding::founding;
use crate::harness::*;

#[tokio::test]
async fn a_key_result_behind_pace_turns_its_goal_amber_then_red_until_a_check_in_catches_up() {
    let s = founding().await; // Thursday 19 Nov
    let colour = || s.text("SELECT colour FROM health WHERE subject = 'G-1'");
    // The work under the goal keeps moving: only the outcome falls behind.
    let set = s.slash("UANA", "settings stall_after 60d").await;
    assert!(!set.to_string().contains("Nothing changed"), "{set:#}");
    s.slash(
        "UANA",
        "kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-10-20 by:2027-01-27",
    )
    .await;
    s.slash("ULEE", "kr update K-1 7.2%").await;
    assert_eq!(
        colour().await,
        "green",
        "27% of the way, 30% of the time gone"
    );
    s.fake.assert_nothing_unread();

    s.advance(Duration::days(7)).await;
    assert_eq!(colour().await, "amber");
    let dm = s.fake.take_dm("UANA", &["turned amber"]).to_string();
    for evidence in [
        "G-1",
        "K-1 Monthly churn 7.2%",
        "target 5% by 27 Jan",
        "points behind pace",
    ] {
        assert!(dm.contains(evidence), "the DM names {evidence}: {dm}");
    }
    s.fake.take_dm("UANA", &["Time to check in 1 key result"]);
    s.fake.drain("#leadership");
    s.fake.assert_nothing_unread();

    s.advance(Duration::days(15)).await;
    assert_eq!(colour().await, "red");
    let now = s.fake.take_dm_edit("UANA", &["amber to red"]).to_string();
    assert!(now.contains("25 points behind pace"), "{now}");
    s.fake
        .take_dm("UANA", &["K-1 has had no update for 10 days"]);
    s.fake.drain("DUANA");
    s.fake.drain("#leadership");
    s.fake.assert_nothing_unread();

    let reply = s
        .slash("ULEE", "kr update K-1 5.9% \"the onboarding fix landed\"")
        .await;
    assert!(reply.to_string().contains("on track"), "{reply:#}");
    assert_eq!(colour().await, "green");
    s.fake.take_dm_edit("UANA", &["Resolved", "G-1"]);
    s.fake.drain("#leadership");
    s.fake.assert_nothing_unread();
    s.finish().await;
}

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
    s.fake.drain("#leadership");
    let asked = s.fake.take_dm(
        "UANA",
        &["Time to check in 1 key result", "K-1 Monthly churn"],
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

#[tokio::test]
async fn a_milestone_past_due_turns_the_goal_red_and_a_band_breach_amber_then_red() {
    let s = founding().await; // Thursday 19 Nov
    let colour = || s.text("SELECT colour FROM health WHERE subject = 'G-1'");
    s.slash("UANA", "settings stall_after 60d").await;
    s.slash("UANA", "kr new G-1 \"SOC 2 report signed\" by:2026-11-20")
        .await;
    s.slash(
        "UANA",
        "kr new G-1 \"Uptime\" band:99.5%..100% by:2027-03-31",
    )
    .await;
    s.slash("UANA", "kr update K-2 99.9%").await;
    assert_eq!(colour().await, "green");

    // Friday ends with the report unsigned: missed, and the goal is red.
    s.advance(Duration::hours(39)).await;
    assert_eq!(colour().await, "red");
    let missed = s.fake.take_dm("UANA", &["turned red"]).to_string();
    assert!(
        missed.contains("K-1 SOC 2 report signed (due 20 Nov): not done: missed"),
        "{missed}"
    );
    s.fake.drain("#leadership");
    s.slash(
        "UANA",
        "kr close K-1 missed \"the auditor moved to January\"",
    )
    .await;
    s.fake.take_dm_edit("UANA", &["Resolved"]);
    s.fake.assert_nothing_unread();

    // Saturday: Uptime leaves its band, at risk at once; nobody is told on a weekend.
    s.slash("UANA", "kr update K-2 99.1%").await;
    assert_eq!(colour().await, "amber");
    s.fake.assert_nothing_unread();
    // Out of its band for 2 days: off track, and on Monday morning Ana hears of it.
    s.advance(Duration::days(2)).await;
    assert_eq!(colour().await, "red");
    s.advance(Duration::hours(9)).await;
    let out = s.fake.take_dm("UANA", &["turned red"]).to_string();
    assert!(
        out.contains("K-2 Uptime 99.1% (keep within 99.5%..100%): off track"),
        "{out}"
    );
    s.fake.drain("DUANA");
    s.fake.drain("#leadership");
    s.fake.assert_nothing_unread();
    s.finish().await;
}
