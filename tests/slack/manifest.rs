use serde_yaml_ng::Value;
use throughline::platform::slack::{BOT_SCOPES, EVENTS, ROUTES};

fn manifest(file: &str) -> Value {
    let path = format!("{}/manifests/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{path}"));
    serde_yaml_ng::from_str(&text).expect("the manifest is valid YAML")
}

fn path_of(url: &Value) -> String {
    let url = url.as_str().expect("a URL");
    url::Url::parse(url)
        .expect("a valid URL")
        .path()
        .to_string()
}

fn strings(v: &Value) -> Vec<&str> {
    let mut out: Vec<&str> = v
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    out.sort();
    out
}

/// What both variants declare alike: the command, the scopes the code uses and the events
/// it handles, nothing more.
fn check_common(m: &Value) {
    let commands = m["features"]["slash_commands"].as_sequence().unwrap();
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0]["command"].as_str(), Some("/align"));
    assert_eq!(
        commands[0]["should_escape"].as_bool(),
        Some(true),
        "mentions arrive as <@U…>"
    );
    let mut used = BOT_SCOPES.to_vec();
    used.sort();
    assert_eq!(
        strings(&m["oauth_config"]["scopes"]["bot"]),
        used,
        "the manifest asks for exactly the scopes the code uses"
    );
    let mut handled = EVENTS.to_vec();
    handled.sort();
    assert_eq!(
        strings(&m["settings"]["event_subscriptions"]["bot_events"]),
        handled,
        "subscribed events are exactly the handled ones"
    );
    assert_eq!(
        m["features"]["app_home"]["home_tab_enabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        m["settings"]["interactivity"]["is_enabled"].as_bool(),
        Some(true)
    );
}

#[test]
fn the_http_manifest_declares_only_served_routes_and_used_scopes() {
    let m = manifest("slack-app.yaml");
    check_common(&m);
    assert_eq!(m["settings"]["socket_mode_enabled"].as_bool(), Some(false));
    let urls = [
        &m["features"]["slash_commands"][0]["url"],
        &m["settings"]["event_subscriptions"]["request_url"],
        &m["settings"]["interactivity"]["request_url"],
        &m["oauth_config"]["redirect_urls"][0],
    ];
    for url in urls {
        let path = path_of(url);
        assert!(ROUTES.contains(&path.as_str()), "{path} is not served");
    }
}

#[test]
fn the_socket_mode_manifest_needs_no_public_url() {
    let m = manifest("slack-app-socket.yaml");
    check_common(&m);
    assert_eq!(m["settings"]["socket_mode_enabled"].as_bool(), Some(true));
    let text = serde_yaml_ng::to_string(&m).unwrap();
    assert!(
        !text.contains("url:") && !text.contains("https://"),
        "Socket Mode declares no URL: {text}"
    );
}
