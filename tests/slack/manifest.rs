use serde_yaml_ng::Value;
use throughline::platform::slack::{BOT_SCOPES, EVENTS, ROUTES};

fn manifest() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/manifests/slack-app.yaml"
    ))
    .expect("manifests/slack-app.yaml");
    serde_yaml_ng::from_str(&text).expect("the manifest is valid YAML")
}

fn path_of(url: &Value) -> String {
    let url = url.as_str().expect("a URL");
    url::Url::parse(url)
        .expect("a valid URL")
        .path()
        .to_string()
}

#[test]
fn every_url_the_manifest_declares_is_a_route_and_every_scope_is_used() {
    let m = manifest();
    let commands = m["features"]["slash_commands"].as_sequence().unwrap();
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0]["command"].as_str(), Some("/align"));
    assert_eq!(
        commands[0]["should_escape"].as_bool(),
        Some(true),
        "mentions arrive as <@U…>"
    );
    let urls = [
        &commands[0]["url"],
        &m["settings"]["event_subscriptions"]["request_url"],
        &m["settings"]["interactivity"]["request_url"],
        &m["oauth_config"]["redirect_urls"][0],
    ];
    for url in urls {
        let path = path_of(url);
        assert!(ROUTES.contains(&path.as_str()), "{path} is not served");
    }
    let scopes: Vec<&str> = m["oauth_config"]["scopes"]["bot"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        scopes, BOT_SCOPES,
        "the manifest asks for exactly the scopes the code uses"
    );
    let events: Vec<&str> = m["settings"]["event_subscriptions"]["bot_events"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let mut handled = EVENTS.to_vec();
    handled.sort();
    let mut declared = events.clone();
    declared.sort();
    assert_eq!(
        declared, handled,
        "subscribed events are exactly the handled ones"
    );
    assert_eq!(
        m["features"]["app_home"]["home_tab_enabled"].as_bool(),
        Some(true)
    );
}
