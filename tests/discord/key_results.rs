//! Key results on Discord: typed options become the same commands, `K-` keys complete, a goal
//! falls behind pace and catches up, and the reminder's button opens a check-in form.

use chrono::Duration;
use serde_json::json;

use crate::founding::*;
use crate::harness::*;

#[tokio::test]
async fn a_key_result_behind_pace_turns_its_goal_amber_then_red_until_the_reminders_form_catches_up()
 {
    let d = founding().await; // Thursday 19 Nov
    let colour = || d.text("SELECT colour FROM health WHERE subject = 'G-1'");
    // The work under the goal keeps moving: only the outcome falls behind.
    let setting = [("name", json!("stall_after")), ("value", json!("60d"))];
    d.slash_in(GUILD, ANA, "settings", &setting).await;
    let made = d
        .slash_in(
            GUILD,
            ANA,
            "kr new",
            &[
                ("goal", json!("G-1")),
                ("title", json!("Monthly churn")),
                ("from", json!("8%")),
                ("to", json!("5%")),
                ("start", json!("2026-10-20")),
                ("by", json!("2027-01-27")),
            ],
        )
        .await;
    assert!(text(&made).contains("Created K-1"), "{made:#}");
    let update = [("kr", json!("K-1")), ("value", json!("7.2%"))];
    d.slash_in(GUILD, LEE, "kr update", &update).await;
    assert_eq!(
        colour().await,
        "green",
        "27% of the way, 30% of the time gone"
    );
    d.fake.assert_nothing_unread();

    d.advance(Duration::days(7)).await;
    assert_eq!(colour().await, "amber");
    let dm = text(&d.fake.take_dm(ANA, &["turned amber"]));
    for evidence in [
        "G-1",
        "K-1 Monthly churn 7.2%",
        "target 5% by 27 Jan",
        "points behind pace",
    ] {
        assert!(dm.contains(evidence), "the DM names {evidence}: {dm}");
    }
    let asked = d.fake.take_dm(ANA, &["Time to check in 1 key result"]);
    d.fake.drain(LEADERSHIP);
    d.fake.assert_nothing_unread();

    d.advance(Duration::days(15)).await;
    assert_eq!(colour().await, "red");
    let now = text(&d.fake.take_dm_edit(ANA, &["amber to red"]));
    assert!(now.contains("25 points behind pace"), "{now}");
    d.fake.take_dm(ANA, &["K-1 has had no update for 10 days"]);
    d.fake.drain(&format!("dm-{ANA}"));
    d.fake.drain(&format!("edit/dm-{ANA}"));
    d.fake.drain(LEADERSHIP);
    d.fake.assert_nothing_unread();

    // The week-old reminder's button still opens the form; its answer is the check-in.
    let form = d.click(GUILD, ANA, &asked, "Update K-1", true).await;
    let input = &form["data"]["components"][0]["components"][0];
    assert_eq!(
        input["label"], "K-1 now (then a note, if you like)",
        "{form:#}"
    );
    let answer = d
        .submit(GUILD, ANA, &form, "5.9% the onboarding fix landed", true)
        .await;
    assert!(text(&answer).contains("Checked in K-1"), "{answer:#}");
    assert!(text(&answer).contains("on track"), "{answer:#}");
    assert_eq!(colour().await, "green");
    assert_eq!(
        d.text("SELECT note FROM kr_checkins ORDER BY id DESC LIMIT 1")
            .await,
        "the onboarding fix landed"
    );
    d.fake.take_dm_edit(ANA, &["Resolved", "G-1"]);
    d.fake.drain(LEADERSHIP);
    d.fake.assert_nothing_unread();
    d.finish().await;
}

#[tokio::test]
async fn key_results_are_made_checked_in_and_completed_with_typed_options() {
    let d = founding().await;
    let made = d
        .slash_in(
            GUILD,
            ANA,
            "kr new",
            &[
                ("goal", json!("G-1")),
                ("title", json!("Monthly churn")),
                ("by", json!("2027-06-30")),
                ("from", json!("8%")),
                ("to", json!("5%")),
            ],
        )
        .await;
    assert!(text(&made).contains("Created K-1"), "{made:#}");
    assert_eq!(
        d.autocomplete(GUILD, LEE, "kr update", "kr", "chu").await,
        vec![("K-1".to_string(), "K-1 · Monthly churn".to_string())]
    );
    let checked = d
        .slash_in(
            GUILD,
            LEE,
            "kr update",
            &[
                ("kr", json!("K-1")),
                ("value", json!("7.6%")),
                ("note", json!("first cohort")),
                ("confidence", json!("on-track")),
            ],
        )
        .await;
    assert!(text(&checked).contains("Checked in K-1"), "{checked:#}");
    assert_eq!(
        d.text("SELECT value::text || ' ' || confidence || ' ' || note FROM kr_checkins")
            .await,
        "7.6 on-track first cohort"
    );
    // A value in another unit is refused, as on every platform.
    let refused = d
        .slash_in(
            GUILD,
            LEE,
            "kr update",
            &[("kr", json!("K-1")), ("value", json!("$5"))],
        )
        .await;
    assert!(text(&refused).contains("counts in percent"), "{refused:#}");
    d.finish().await;
}

#[tokio::test]
async fn busy_but_not_moving_and_the_batched_reminder_reach_the_owner_once_each() {
    let d = founding().await; // Thursday 19 Nov
    let setting = [("name", json!("stall_after")), ("value", json!("60d"))];
    d.slash_in(GUILD, ANA, "settings", &setting).await;
    for (title, from, to) in [("Churn", "8%", "5%"), ("NPS", "20", "40")] {
        let options = [
            ("goal", json!("G-1")),
            ("title", json!(title)),
            ("from", json!(from)),
            ("to", json!(to)),
            ("start", json!("2026-11-01")),
            ("by", json!("2027-06-30")),
        ];
        d.slash_in(GUILD, ANA, "kr new", &options).await;
    }
    check_in(&d, ANA, "K-1", "7.4%").await;
    check_in(&d, ANA, "K-2", "22").await;
    // The work under the goal flows: one item done, the next begun.
    d.slash_in(GUILD, LEE, "work done", &[("work", json!("W-1"))])
        .await;
    let next = [
        ("home", json!("I-1")),
        ("title", json!("Checklist emails")),
        ("assignee", user(LEE)),
    ];
    d.slash_in(GUILD, LEE, "work new", &next).await;
    d.slash_in(GUILD, LEE, "work start", &[("work", json!("W-2"))])
        .await;
    d.advance(Duration::days(6)).await;
    check_in(&d, LEE, "K-2", "25").await;
    d.advance(Duration::days(1)).await;

    // A week on: one message for the one that is due, none for the one updated yesterday.
    let asked = text(&d.fake.take_dm(ANA, &["Time to check in 1 key result"]));
    assert!(
        asked.contains("K-1 Churn") && !asked.contains("K-2"),
        "{asked}"
    );
    d.fake.drain(LEADERSHIP);
    d.fake.assert_nothing_unread();

    // The same value again while the work flows: busy, but not moving.
    check_in(&d, ANA, "K-1", "7.4%").await;
    let stuck = text(&d.fake.take_dm(ANA, &["is not moving"]));
    assert!(
        stuck.contains("K-1 Churn has not moved in 7 days (2 check-ins)"),
        "{stuck}"
    );
    assert_eq!(
        d.text("SELECT colour FROM health WHERE subject = 'G-1'")
            .await,
        "green",
        "information for a decision, not a colour"
    );
    d.advance(Duration::days(1)).await;
    let digest = text(&d.fake.take(LEADERSHIP, &["Daily digest"]));
    assert!(digest.contains("K-1 Churn has not moved"), "{digest}");
    d.fake.drain(LEADERSHIP);
    d.fake.assert_nothing_unread();
    d.finish().await;
}

async fn check_in(d: &D, who: &str, kr: &str, value: &str) {
    let options = [("kr", json!(kr)), ("value", json!(value))];
    let reply = d.slash_in(GUILD, who, "kr update", &options).await;
    assert!(text(&reply).contains("Checked in"), "{reply:#}");
}
