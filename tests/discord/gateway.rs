//! The Gateway's glue: an interaction as serenity receives it goes through the same handler
//! as the HTTP endpoint, and the answer is posted to the interaction's callback.

use serde_json::{Value, json};
use serenity::all::Interaction;
use throughline::platform::discord::gateway;

use crate::founding::*;
use crate::harness::*;

async fn over_gateway(d: &D, body: Value) -> Value {
    let id = body["id"].as_str().unwrap().to_string();
    let interaction: Interaction =
        serde_json::from_value(body).expect("serenity reads the interaction");
    gateway::answer(&d.discord, &interaction).await.unwrap();
    d.settle().await;
    let answered = d.fake.calls(&format!("callback/{id}"));
    assert_eq!(answered.len(), 1, "one callback per interaction");
    answered[0].body.clone()
}

#[tokio::test]
async fn gateway_interactions_run_commands_autocomplete_and_buttons_like_http_ones() {
    let d = D::new().await;
    d.member(GUILD, ANA, "ana", MANAGE_GUILD);
    d.member(GUILD, CTO, "cto", MEMBER);
    let body = d.command_body(
        GUILD,
        ANA,
        "goal new",
        &[
            ("title", json!("Cut churn to 3%")),
            ("owner", user(ANA)),
            ("rank", json!(1)),
        ],
    );
    let r = over_gateway(&d, body).await;
    assert_eq!(r["type"], 4, "{r:#}");
    assert!(text(&r).contains("Created G-1"), "{r:#}");
    assert_eq!(
        d.text("SELECT handle || ':' || is_admin FROM people").await,
        "ana:true"
    );

    // Autocomplete: the focused option survives serenity's reading of it.
    let body = d.autocomplete_body(GUILD, ANA, "goal show", "goal", "churn");
    let r = over_gateway(&d, body).await;
    assert_eq!(r["type"], 8, "{r:#}");
    assert_eq!(r["data"]["choices"][0]["value"], "G-1", "{r:#}");

    // Work with no home, from the Gateway: the creator's DM carries the link menu.
    let body = d.command_body(
        GUILD,
        CTO,
        "work new",
        &[
            ("home", json!("none")),
            ("title", json!("Payment bug")),
            ("assignee", user(CTO)),
        ],
    );
    over_gateway(&d, body).await;
    let orphan = d.fake.take_dm(CTO, &["W-1", "no strategic home"]);

    // A menu choice made in the DM.
    let menu = find_component(&orphan, |c| c["type"] == 3).unwrap();
    let data = json!({ "custom_id": menu["custom_id"], "component_type": 3,
        "values": ["/align work link W-1 G-1"] });
    let r = over_gateway(&d, d.component_body(GUILD, CTO, &orphan, data, true)).await;
    assert!(text(&r).contains("W-1"), "{r:#}");
    assert_eq!(
        d.scalar("SELECT count(*) FROM work_items WHERE goal_id IS NOT NULL")
            .await,
        1
    );
    d.finish().await;
}
