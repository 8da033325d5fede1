//! Socket Mode: the bot dials out, nothing reaches it over HTTP, and the same commands,
//! buttons, forms and events work over the WebSocket.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fake::APP_TOKEN;
use crate::founding::founding_in;
use crate::harness::*;

fn text(v: &Value) -> String {
    v.to_string()
}

#[tokio::test]
async fn socket_mode_serves_the_founding_scenario_buttons_forms_and_events() {
    let s = founding_in(S::socket().await).await;
    let opened = s.fake.calls("apps.connections.open");
    assert_eq!(opened.len(), 1);
    assert_eq!(
        opened[0].body["authorization"],
        format!("Bearer {APP_TOKEN}")
    );
    // No public URL: the HTTP endpoints are shut, even to a correctly signed request.
    let form = s.slash_form("T1", "UANA", "status");
    let (status, _) = s
        .signed_post("/slack/commands", "application/x-www-form-urlencoded", form)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The bug pulls the lead away: the owner's DM leaves while the command is answered.
    let r = s
        .slash("UCTO", "work new none \"Critical payment bug\" <@ULEE>")
        .await;
    assert!(text(&r).contains("no strategic home"), "{r:#}");
    let orphan = s.fake.take_dm("UCTO", &["W-2", "no strategic home"]);
    let r = s.slash("ULEE", "work start W-2").await;
    assert_eq!(r["response_type"], "ephemeral", "{r:#}");
    s.fake
        .take_dm("UANA", &["G-1", "I-1", "Onboarding revamp", "@lee", "W-2"]);
    s.fake.take_dm("ULEE", &["I-1", "turned amber"]);

    // A menu in a DM, chosen over the socket: acknowledged bare, answered via response_url.
    let (_, body) = s
        .choose("T1", "UCTO", &orphan, "/align work link W-2 G-1")
        .await;
    assert!(
        body.is_empty(),
        "a button's acknowledgement is bare: {body}"
    );
    s.fake.take_response(&["W-2"]);
    assert_eq!(
        s.scalar("SELECT count(*) FROM work_items w JOIN goals g ON g.id = w.goal_id WHERE w.number = 2 AND g.number = 1").await,
        1
    );
    // The bug now serves G-1: Lead moved is no longer a cause, and both messages say so
    // (edits, which ping no one).
    let edit = s.fake.take_dm_edit("UANA", &["G-1", "is amber"]);
    assert!(
        !edit.to_string().contains("pulled onto other work"),
        "{edit:#}"
    );
    s.fake.take_dm_edit("ULEE", &["I-1", "is amber"]);

    // A form: the errors come back in the acknowledgement, then the goal is made.
    assert!(s.slash("UANA", "goal new").await.is_null());
    let answer = s
        .submit(
            "T1",
            "UANA",
            json!({
                "title": { "title": { "type": "plain_text_input", "value": "x".repeat(201) } },
                "owner": { "owner": { "type": "users_select", "selected_user": "UANA" } },
            }),
        )
        .await;
    assert_eq!(answer["response_action"], "errors", "{answer:#}");
    let answer = s
        .submit(
            "T1",
            "UANA",
            json!({
                "title": { "title": { "type": "plain_text_input", "value": "Grow revenue" } },
                "owner": { "owner": { "type": "users_select", "selected_user": "UANA" } },
            }),
        )
        .await;
    assert_eq!(answer["response_action"], "update", "{answer:#}");
    assert_eq!(s.scalar("SELECT count(*) FROM goals").await, 2);

    // An event delivered twice (Slack retries over the socket too) is acted on once.
    let home = json!({ "type": "app_home_opened", "user": "UANA", "tab": "home" });
    assert_eq!(s.event("T1", "Ev1", home.clone()).await, StatusCode::OK);
    assert_eq!(s.event("T1", "Ev1", home).await, StatusCode::OK);
    let published = s.fake.calls("views.publish");
    assert_eq!(published.len(), 1, "{published:#?}");
    assert!(text(&published[0].body).contains("Grow revenue"));
    s.finish().await;
}

#[tokio::test]
async fn socket_mode_reconnects_when_slack_asks_and_when_the_connection_drops() {
    let s = S::socket().await;
    s.fake.user("T1", "UANA", "ana", false);

    s.link().ask_to_reconnect();
    s.link().wait_for_connection(2).await;
    let r = s
        .slash("UANA", "goal new \"Cut churn\" owner:<@UANA>")
        .await;
    assert!(text(&r).contains("Created G-1"), "{r:#}");

    s.link().drop_connection();
    s.link().wait_for_connection(3).await;
    let r = s.slash("UANA", "goal list").await;
    assert!(text(&r).contains("Cut churn"), "{r:#}");
    assert_eq!(s.fake.calls("apps.connections.open").len(), 3);
    s.finish().await;
}
