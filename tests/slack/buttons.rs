use reqwest::StatusCode;
use serde_json::json;

use crate::founding::{founding, weekend};
use crate::harness::*;

#[tokio::test]
async fn every_dm_button_acts_on_the_model() {
    let s = founding().await;
    s.advance(chrono::Duration::days(1)).await;
    s.fake.take("#leadership", &["Daily digest"]);
    s.slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    let orphan = s.fake.take_dm("UCTO", &["W-2", "no strategic home"]);
    s.slash("ULEE", "work start W-2").await;
    s.fake.take_dm("UANA", &["G-1", "turned amber"]);
    s.fake.take_dm("ULEE", &["I-1", "turned amber"]);
    let w = weekend(&s).await;

    // Owner: acknowledge.
    let (status, _) = s.click("T1", "UANA", &w.worse, "Acknowledge").await;
    assert_eq!(status, StatusCode::OK);
    s.fake.take_response(&["G-1"]);
    assert_eq!(
        s.scalar("SELECT count(*) FROM outbox WHERE about = 'G-1' AND acknowledged_at IS NOT NULL")
            .await,
        s.scalar("SELECT count(*) FROM outbox WHERE about = 'G-1' AND needs_ack")
            .await,
    );
    assert!(
        s.scalar("SELECT count(*) FROM outbox WHERE acknowledged_at IS NOT NULL")
            .await
            > 0
    );

    // Owner: snooze.
    s.click("T1", "UANA", &w.worse, "Snooze 2d").await;
    s.fake.take_response(&["G-1"]);
    assert_eq!(s.scalar("SELECT count(*) FROM snoozes").await, 1);

    // Owner: show goal.
    s.click("T1", "UANA", &w.worse, "Show goal").await;
    s.fake.take_response(&["G-1", "Cut churn to 3%", "I-1"]);

    // Assignee: still on it records activity, so W-1 is no longer stalled.
    s.click("T1", "ULEE", &w.stalled_w1, "Still on it").await;
    s.fake.take_response(&["W-1"]);
    assert_eq!(
        s.text("SELECT last_activity_at::text FROM work_items WHERE number = 1")
            .await,
        s.text("SELECT '2026-11-25 10:00:00+00'").await,
    );

    // Assignee: blocked asks why (a modal), then records the block with the reason.
    s.click("T1", "ULEE", &w.stalled_w1, "Blocked").await;
    let modal = s.fake.calls("views.open").last().unwrap().body["view"].clone();
    assert_eq!(modal["blocks"][0]["label"]["text"], "What blocks it");
    let answer = s
        .submit("T1", "ULEE", json!({ "answer": { "answer": { "type": "plain_text_input", "value": "waiting on legal" } } }))
        .await;
    assert_eq!(answer["response_action"], "update", "{answer:#}");
    assert_eq!(
        s.text("SELECT status FROM work_items WHERE number = 1")
            .await,
        "blocked"
    );
    let note = s.text("SELECT coalesce(note, '') || coalesce(after::text, '') FROM events WHERE subject = 'W-1' ORDER BY id DESC LIMIT 1").await;
    assert!(note.contains("waiting on legal"), "{note}");
    // "Still on it" lifted I-1 out of red and ended W-1's stall episode (edits); the block
    // is a new cause in Lee's episode: an edit and one threaded line (Ana snoozed G-1).
    s.fake.wait_unread(4).await;
    s.fake
        .take_dm_edit("ULEE", &["I-1", "improved: red to amber"]);
    s.fake.take_dm_edit("ULEE", &["Resolved after 1d", "W-1"]);
    let line = s
        .fake
        .take_dm("ULEE", &["New on I-1", "W-1", "waiting on legal"]);
    assert!(line["thread_ts"].is_string(), "{line:#}");
    s.fake.take_dm_edit("ULEE", &["I-1", "waiting on legal"]);

    // Assignee: done.
    s.click("T1", "ULEE", &w.stalled_w2, "Done").await;
    s.fake.take_response(&["W-2"]);
    assert_eq!(
        s.text("SELECT status FROM work_items WHERE number = 2")
            .await,
        "done"
    );
    s.fake.take_dm_edit("ULEE", &["Resolved after", "W-2"]);
    s.fake.take_dm_edit("ULEE", &["I-1"]);

    // Creator of work with no home: link it to a likely goal from the menu.
    s.slash("UCTO", "work new none \"Churn survey\" <@UCTO>")
        .await;
    let orphan3 = s.fake.take_dm("UCTO", &["W-3", "no strategic home"]);
    s.choose("T1", "UCTO", &orphan3, "/align work link W-3 G-1")
        .await;
    s.fake.take_response(&["W-3"]);
    assert_eq!(
        s.scalar("SELECT count(*) FROM work_items w JOIN goals g ON g.id = w.goal_id WHERE w.number = 3 AND g.number = 1").await,
        1
    );
    assert!(find_element(&orphan, |e| e["type"] == "static_select").is_some());
    s.finish().await;
}

#[tokio::test]
async fn a_replayed_interaction_acts_once() {
    let s = founding().await;
    s.slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    let orphan = s.fake.take_dm("UCTO", &["W-2"]);
    let menu = find_element(&orphan, |e| e["type"] == "static_select").unwrap();
    let mut action = menu.clone();
    action["selected_option"] = menu["options"][0].clone();
    let payload = s.action_payload("T1", "UCTO", action);
    s.interact(payload.clone()).await;
    s.fake.take_response(&["W-2"]);
    s.interact(payload).await;
    let links = s
        .scalar("SELECT count(*) FROM events WHERE subject = 'W-2' AND action = 'linked'")
        .await;
    assert_eq!(links, 1);
    s.finish().await;
}

#[tokio::test]
async fn a_goal_made_in_the_form_reports_errors_in_the_form() {
    let s = S::new().await;
    s.fake.user("T1", "UANA", "ana", false);
    let r = s.slash("UANA", "goal new").await;
    assert!(r.is_null(), "a bare ack: the form is open: {r:#}");
    let opened = s.fake.calls("views.open");
    assert_eq!(
        opened.last().unwrap().body["view"]["callback_id"],
        "goal_new"
    );

    let too_long = "x".repeat(201);
    let answer = s
        .submit(
            "T1",
            "UANA",
            json!({
                "title": { "title": { "type": "plain_text_input", "value": too_long } },
                "owner": { "owner": { "type": "users_select", "selected_user": "UANA" } },
                "rank": { "rank": { "type": "number_input", "value": null } },
                "due": { "due": { "type": "datepicker", "selected_date": null } },
            }),
        )
        .await;
    assert_eq!(answer["response_action"], "errors", "{answer:#}");
    assert!(
        answer["errors"]["title"].as_str().unwrap().contains("200"),
        "{answer:#}"
    );
    assert_eq!(s.scalar("SELECT count(*) FROM goals").await, 0);

    let answer = s
        .submit(
            "T1",
            "UANA",
            json!({
                "title": { "title": { "type": "plain_text_input", "value": "Cut churn" } },
                "owner": { "owner": { "type": "users_select", "selected_user": "UANA" } },
                "rank": { "rank": { "type": "number_input", "value": "2" } },
                "due": { "due": { "type": "datepicker", "selected_date": "2027-03-31" } },
            }),
        )
        .await;
    assert_eq!(answer["response_action"], "update", "{answer:#}");
    assert_eq!(
        s.text("SELECT title || '|' || rank || '|' || due_on::text FROM goals")
            .await,
        "Cut churn|2|2027-03-31"
    );
    s.finish().await;
}

#[tokio::test]
async fn app_home_shows_what_the_person_owns_and_is_refreshed_when_it_changes() {
    let s = founding().await;
    let status = s
        .event(
            "T1",
            "Ev1",
            json!({ "type": "app_home_opened", "user": "UANA", "tab": "home" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let published = s.fake.calls("views.publish");
    assert_eq!(published.len(), 1);
    let home = published[0].body.to_string();
    assert!(home.contains("[green] G-1"), "{home}");

    // The same event again (Slack's retry) is acted on once.
    s.event(
        "T1",
        "Ev1",
        json!({ "type": "app_home_opened", "user": "UANA", "tab": "home" }),
    )
    .await;
    assert_eq!(s.fake.calls("views.publish").len(), 1);

    s.slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    s.fake.take_dm("UCTO", &["W-2"]);
    s.slash("ULEE", "work start W-2").await;
    s.fake.take_dm("UANA", &["G-1", "turned amber"]);
    s.fake.take_dm("ULEE", &["I-1", "turned amber"]);
    let published = s.fake.calls("views.publish");
    assert_eq!(published.len(), 2, "refreshed once, when G-1 changed");
    let home = published[1].body.to_string();
    assert!(home.contains("[amber] G-1"), "{home}");
    assert!(
        home.contains("pulled onto other work"),
        "reasons are shown: {home}"
    );
    s.finish().await;
}

#[tokio::test]
async fn a_deactivated_goal_owner_raises_owner_gone() {
    let s = founding().await;
    let mut ana = s.fake.user_json("T1", "UANA");
    ana["deleted"] = json!(true);
    let status = s
        .event("T1", "Ev9", json!({ "type": "user_change", "user": ana }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.scalar("SELECT count(*) FROM people WHERE external_id = 'UANA' AND NOT active")
            .await,
        1
    );
    assert_eq!(
        s.scalar("SELECT count(*) FROM signals WHERE kind = 'owner_gone' AND resolved_at IS NULL")
            .await,
        1
    );
    s.fake.take("#leadership", &["G-1", "lost its owner"]);
    s.finish().await;
}
