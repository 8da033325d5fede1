use serde_json::json;

use crate::founding::*;
use crate::harness::*;

#[tokio::test]
async fn every_dm_button_acts_on_the_model() {
    let d = founding().await;
    d.advance(chrono::Duration::days(1)).await;
    d.fake.take(LEADERSHIP, &["Daily digest"]);
    bug_pulls_lee(&d).await;
    let w = weekend(&d).await;

    // Owner, from the DM: acknowledge.
    let r = d.click(GUILD, ANA, &w.worse, "Acknowledge", true).await;
    assert_eq!(r["type"], 4, "{r:#}");
    assert!(text(&r).contains("G-1"), "{r:#}");
    assert!(
        d.scalar("SELECT count(*) FROM outbox WHERE about = 'G-1' AND acknowledged_at IS NOT NULL")
            .await
            > 0
    );

    // Snooze.
    d.click(GUILD, ANA, &w.worse, "Snooze 2d", true).await;
    assert_eq!(d.scalar("SELECT count(*) FROM snoozes").await, 1);

    // Show goal.
    let r = d.click(GUILD, ANA, &w.worse, "Show goal", true).await;
    assert!(
        text(&r).contains("Cut churn to 3%") && text(&r).contains("I-1"),
        "{r:#}"
    );

    // Assignee: still on it records activity.
    d.click(GUILD, LEE, &w.stalled_w1, "Still on it", true)
        .await;
    assert_eq!(
        d.text("SELECT last_activity_at::text FROM work_items WHERE number = 1")
            .await,
        d.text("SELECT '2026-11-24 10:00:00+00'").await,
    );

    // Blocked asks why (a modal), then records the block with the reason.
    let modal = d.click(GUILD, LEE, &w.stalled_w1, "Blocked", true).await;
    assert_eq!(modal["type"], 9, "{modal:#}");
    assert_eq!(
        modal["data"]["components"][0]["components"][0]["label"],
        "What blocks it"
    );
    assert_eq!(
        d.text("SELECT status FROM work_items WHERE number = 1")
            .await,
        "doing",
        "nothing yet"
    );
    d.submit(GUILD, LEE, &modal, "waiting on legal", true).await;
    assert_eq!(
        d.text("SELECT status FROM work_items WHERE number = 1")
            .await,
        "blocked"
    );
    let note = d.text("SELECT coalesce(note, '') || coalesce(after::text, '') FROM events WHERE subject = 'W-1' ORDER BY id DESC LIMIT 1").await;
    assert!(note.contains("waiting on legal"), "{note}");
    // "Still on it" lifted I-1 out of red (an edit) and ended W-1's stall episode.
    d.fake.take_dm_edit(LEE, &["I-1", "improved: red to amber"]);
    d.fake.take_dm_edit(LEE, &["Resolved after 1d", "W-1"]);
    // A new cause in Lee's open episode: his message is edited and a threaded line names it
    // (Ana snoozed G-1, so hers are held back).
    d.fake
        .take_dm(LEE, &["New on I-1", "W-1", "waiting on legal"]);
    d.fake.take_dm_edit(LEE, &["I-1", "waiting on legal"]);

    // Done.
    d.click(GUILD, LEE, &w.stalled_w2, "Done", true).await;
    assert_eq!(
        d.text("SELECT status FROM work_items WHERE number = 2")
            .await,
        "done"
    );
    // Its stall episode ends: the stall message becomes "resolved"; Lee is back on I-1.
    d.fake.take_dm_edit(LEE, &["Resolved after", "W-2"]);
    d.fake.take_dm_edit(LEE, &["I-1"]);

    // Creator of work with no home: link it to a likely goal from the menu, in the server.
    d.slash_in(
        GUILD,
        CTO,
        "work new",
        &[
            ("home", json!("none")),
            ("title", json!("Churn survey")),
            ("assignee", user(CTO)),
        ],
    )
    .await;
    let orphan = d.fake.take_dm(CTO, &["W-3", "no strategic home"]);
    d.choose(GUILD, CTO, &orphan, "/align work link W-3 G-1", true)
        .await;
    assert_eq!(
        d.scalar("SELECT count(*) FROM work_items w JOIN goals g ON g.id = w.goal_id WHERE w.number = 3 AND g.number = 1").await,
        1
    );
    d.finish().await;
}

#[tokio::test]
async fn a_repeated_interaction_acts_once_and_a_stranger_cannot_use_a_dm_button() {
    let d = founding().await;
    d.slash_in(
        GUILD,
        CTO,
        "work new",
        &[("home", json!("none")), ("title", json!("Bug"))],
    )
    .await;
    let orphan = d.fake.take_dm(CTO, &["W-2"]);
    let menu = find_component(&orphan, |c| c["type"] == 3).unwrap();
    let data = json!({ "custom_id": menu["custom_id"], "component_type": 3,
        "values": ["/align work link W-2 G-1"] });

    // Someone who is not one of this server's people, clicking a forwarded DM button.
    d.member(GUILD, "999", "stranger", MEMBER);
    let r = d.component(GUILD, "999", &orphan, data.clone(), true).await;
    assert!(text(&r).contains("not part of"), "{r:#}");
    assert_eq!(
        d.scalar("SELECT count(*) FROM work_items WHERE goal_id IS NOT NULL AND number = 2")
            .await,
        0
    );

    // The same interaction delivered twice acts once.
    let body = d.component_body(GUILD, CTO, &orphan, data, true);
    let r = d.send(&body).await;
    assert!(text(&r).contains("W-2"), "{r:#}");
    let again = d.send(&body).await;
    assert_eq!(again["type"], 6, "acknowledged, not acted on: {again:#}");
    let links = d
        .scalar("SELECT count(*) FROM events WHERE subject = 'W-2' AND action = 'linked'")
        .await;
    assert_eq!(links, 1);
    d.finish().await;
}

#[tokio::test]
async fn the_leads_capacity_button_shows_the_lead_and_invents_no_one() {
    let d = founding().await;
    let lead = bug_pulls_lee(&d).await;
    let people = d.scalar("SELECT count(*) FROM people").await;
    let r = d.click(GUILD, LEE, &lead, "Your capacity", true).await;
    assert!(
        text(&r).contains("@lee") && text(&r).contains("W-2"),
        "{r:#}"
    );
    assert_eq!(d.scalar("SELECT count(*) FROM people").await, people);
    d.finish().await;
}
