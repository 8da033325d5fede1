use serde_json::json;

use crate::founding::*;
use crate::harness::*;

const OTHER: &str = "100000000000000002";
const ZOE: &str = "204";

#[tokio::test]
async fn autocomplete_offers_matching_keys_of_the_guild_only() {
    let d = founding().await;
    d.slash_in(
        GUILD,
        ANA,
        "goal new",
        &[("title", json!("Grow revenue")), ("owner", user(ANA))],
    )
    .await;
    let found = d
        .autocomplete(GUILD, ANA, "goal show", "goal", "churn")
        .await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "G-1");
    assert!(found[0].1.contains("Cut churn to 3%"), "{found:?}");
    let by_key = d.autocomplete(GUILD, ANA, "goal show", "goal", "g-2").await;
    assert_eq!(
        by_key.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["G-2"]
    );
    // A work item's home: initiatives and goals, and "none".
    let homes = d.autocomplete(GUILD, LEE, "work new", "home", "").await;
    let keys: Vec<&str> = homes.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(keys, ["none", "G-1", "G-2", "I-1"]);

    d.member(OTHER, ZOE, "zoe", MANAGE_GUILD);
    assert!(
        d.autocomplete(OTHER, ZOE, "goal show", "goal", "")
            .await
            .is_empty()
    );
    d.finish().await;
}

#[tokio::test]
async fn two_guilds_see_only_their_own_goals_through_commands_autocomplete_and_buttons() {
    let d = founding().await;
    d.member(OTHER, ZOE, "zoe", MANAGE_GUILD);
    d.member(OTHER, ANA, "ana", MEMBER);
    let r = d
        .slash_in(
            OTHER,
            ZOE,
            "goal new",
            &[("title", json!("Ship the app")), ("owner", user(ZOE))],
        )
        .await;
    assert!(
        text(&r).contains("Created G-1"),
        "each guild counts its own keys: {r:#}"
    );

    let one = text(
        &d.slash_in(GUILD, ANA, "goal show", &[("goal", json!("G-1"))])
            .await,
    );
    let two = text(
        &d.slash_in(OTHER, ZOE, "goal show", &[("goal", json!("G-1"))])
            .await,
    );
    assert!(
        one.contains("Cut churn") && !one.contains("Ship the app"),
        "{one}"
    );
    assert!(
        two.contains("Ship the app") && !two.contains("Cut churn"),
        "{two}"
    );

    let completed = d.autocomplete(OTHER, ZOE, "goal show", "goal", "").await;
    assert_eq!(completed.len(), 1);
    assert!(completed[0].1.contains("Ship the app"), "{completed:?}");

    // A button made in one guild acts there, and cannot be replayed into another.
    let shown = d
        .slash_in(OTHER, ZOE, "goal show", &[("goal", json!("G-1"))])
        .await;
    let button = find_component(&shown, |c| c["type"] == 2).expect("a button");
    assert!(
        button["custom_id"].as_str().unwrap().starts_with(OTHER),
        "{button:#}"
    );
    let data = json!({ "custom_id": button["custom_id"], "component_type": 2 });
    let r = d.component(GUILD, ANA, &shown, data.clone(), false).await;
    assert!(text(&r).contains("another server"), "{r:#}");
    let r = d.component(OTHER, ZOE, &shown, data, false).await;
    assert!(!text(&r).contains("Cut churn"), "{r:#}");
    assert_eq!(
        d.scalar("SELECT count(DISTINCT workspace_id) FROM goals")
            .await,
        2
    );
    d.finish().await;
}
