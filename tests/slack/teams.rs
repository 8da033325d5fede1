use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::*;

/// Installs the bot in `team` the way an admin does: /slack/install, Slack's consent
/// screen (skipped), then the callback with the state the server issued.
async fn install(s: &S, team: &str) -> String {
    let res = s.get("/slack/install").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let url = url::Url::parse(&location).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "client-1");
    assert_eq!(
        q["redirect_uri"],
        format!("{}/slack/oauth/callback", s.base)
    );
    let code = format!("code-{team}");
    s.fake.oauth_code(&code, team);
    let state = q["state"].clone();
    let res = s
        .get(&format!("/slack/oauth/callback?code={code}&state={state}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("installed"));
    state
}

#[tokio::test]
async fn oauth_installs_each_team_once_per_state_and_stores_tokens_encrypted() {
    let s = S::with(Install::OAuth).await;
    let state = install(&s, "T1").await;
    // A state is consumed once.
    s.fake.oauth_code("code-again", "T1");
    let res = s
        .get(&format!(
            "/slack/oauth/callback?code=code-again&state={state}"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A state the server never issued is refused.
    let res = s
        .get("/slack/oauth/callback?code=code-again&state=forged")
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        s.scalar("SELECT count(*) FROM slack_installations").await,
        1
    );
    let stored = s.scalar("SELECT count(*) FROM slack_installations WHERE position('xoxb' in encode(token_ciphertext, 'escape')) > 0").await;
    assert_eq!(stored, 0, "the token is not stored in the clear");
    s.finish().await;
}

#[tokio::test]
async fn two_teams_see_only_their_own_goals_and_keys_even_through_buttons() {
    let s = S::with(Install::OAuth).await;
    install(&s, "T1").await;
    install(&s, "T2").await;
    s.fake.user("T1", "UANA", "ana", false);
    s.fake.user("T2", "UZOE", "zoe", false);
    s.slash_in("T1", "UANA", "goal new \"Cut churn\" owner:<@UANA>")
        .await;
    s.slash_in("T2", "UZOE", "goal new \"Ship the app\" owner:<@UZOE>")
        .await;

    let one = s.slash_in("T1", "UANA", "goal show G-1").await.to_string();
    let two = s.slash_in("T2", "UZOE", "goal show G-1").await.to_string();
    assert!(
        one.contains("Cut churn") && !one.contains("Ship the app"),
        "{one}"
    );
    assert!(
        two.contains("Ship the app") && !two.contains("Cut churn"),
        "{two}"
    );

    // A T2 person pressing a button that names G-1 acts on T2's G-1 only.
    let reply: Value = s.slash_in("T2", "UZOE", "goal show G-1").await;
    let button = find_element(&reply, |e| e["type"] == "button").expect("a button");
    let payload = s.action_payload("T2", "UZOE", button);
    s.interact(payload).await;
    let shown = s.fake.take_response(&["G-1"]).to_string();
    assert!(
        shown.contains("Ship the app") && !shown.contains("Cut churn"),
        "{shown}"
    );

    // Each team's people were looked up with that team's own token.
    for call in s.fake.calls("users.info") {
        let user = call.body["user"].as_str().unwrap();
        assert_eq!(
            call.team,
            if user == "UZOE" { "T2" } else { "T1" },
            "{user}"
        );
    }

    // A team that never installed the bot is told so, and nothing is created.
    let r = s
        .slash_in("T3", "UX", "goal new \"Sneak\" owner:<@UX>")
        .await;
    assert!(r.to_string().contains("not installed"), "{r:#}");
    assert_eq!(s.scalar("SELECT count(*) FROM goals").await, 2);
    assert_eq!(
        s.scalar("SELECT count(DISTINCT workspace_id) FROM goals")
            .await,
        2
    );
    s.finish().await;
}

#[tokio::test]
async fn uninstalling_deletes_the_token_keeps_the_goals_and_a_reinstall_restores_them() {
    let s = S::with(Install::OAuth).await;
    install(&s, "T1").await;
    install(&s, "T2").await;
    s.fake.user("T2", "UZOE", "zoe", false);
    s.slash_in("T2", "UZOE", "goal new \"Ship the app\" owner:<@UZOE>")
        .await;

    let uninstalled = serde_json::json!({ "type": "app_uninstalled" });
    assert_eq!(s.event("T2", "EvU", uninstalled).await, StatusCode::OK);
    assert_eq!(
        s.scalar("SELECT count(*) FROM slack_installations WHERE team_id = 'T2'")
            .await,
        0
    );
    assert_eq!(
        s.scalar("SELECT count(*) FROM slack_installations").await,
        1,
        "the other team keeps its install"
    );
    let r = s.slash_in("T2", "UZOE", "goal show G-1").await;
    assert!(r.to_string().contains("not installed"), "{r:#}");

    install(&s, "T2").await;
    let r = s.slash_in("T2", "UZOE", "goal show G-1").await;
    assert!(r.to_string().contains("Ship the app"), "{r:#}");
    s.finish().await;
}
