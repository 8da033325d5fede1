use std::collections::HashSet;

use serde_json::Value;
use throughline::platform::discord::{INVITE_PERMISSIONS, all_commands, invite_url};

use crate::fake::{APP_ID, BOT_TOKEN, Fake};

fn manifest() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/manifests/discord-commands.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect(path)).expect("valid JSON")
}

#[test]
fn the_committed_definitions_are_the_generated_ones() {
    assert_eq!(
        manifest(),
        all_commands(),
        "regenerate with: throughline discord commands > manifests/discord-commands.json"
    );
}

#[tokio::test]
async fn register_sends_exactly_the_committed_definitions_as_a_bulk_overwrite() {
    let fake = Fake::start().await;
    for guild in [Some("100000000000000001"), None] {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_throughline"));
        cmd.args(["discord", "register"])
            .env("DISCORD_BOT_TOKEN", BOT_TOKEN)
            .env("DISCORD_APPLICATION_ID", APP_ID)
            .env("DISCORD_API_URL", &fake.url);
        if let Some(g) = guild {
            cmd.args(["--guild", g]);
        }
        let out = cmd.output().await.unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("registered /align"), "{stdout}");
        assert!(stdout.contains(&invite_url(APP_ID)), "{stdout}");
        let route = match guild {
            Some(g) => format!("commands/{APP_ID}/{g}"),
            None => format!("commands/{APP_ID}"),
        };
        let calls: Vec<_> = fake
            .calls("commands/")
            .into_iter()
            .filter(|c| c.route == route)
            .collect();
        assert_eq!(calls.len(), 1, "{route}");
        assert_eq!(calls[0].body, manifest());
    }
}

/// Discord's limits: names 1–32 lowercase, descriptions 1–100, at most 25 options (or
/// subcommands) per level and 25 choices, 8000 characters per command in all.
fn check(option: &Value, total: &mut usize) {
    let name = option["name"].as_str().unwrap();
    let description = option["description"].as_str().unwrap();
    assert!((1..=32).contains(&name.len()), "{name}");
    assert!(
        name.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
        "{name}"
    );
    assert!(
        (1..=100).contains(&description.chars().count()),
        "{name}: {description}"
    );
    *total += name.len() + description.chars().count();
    let choices = option["choices"].as_array().map_or(&[][..], Vec::as_slice);
    assert!(choices.len() <= 25, "{name}");
    for c in choices {
        *total += c["name"].as_str().unwrap().len() + c["value"].as_str().unwrap().len();
    }
    let options = option["options"].as_array().map_or(&[][..], Vec::as_slice);
    assert!(options.len() <= 25, "{name} has {} options", options.len());
    let names: HashSet<&str> = options
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        options.len(),
        "{name}: option names are unique"
    );
    // Required options come before optional ones.
    let required: Vec<bool> = options.iter().map(|o| o["required"] == true).collect();
    assert!(
        required.windows(2).all(|w| w[0] || !w[1]),
        "{name}: required options first"
    );
    for o in options {
        check(o, total);
    }
}

#[test]
fn the_definitions_stay_inside_discord_limits() {
    let all = all_commands();
    for command in all.as_array().unwrap() {
        let mut total = 0;
        check(command, &mut total);
        assert!(total <= 8000, "{total} characters");
    }
}

#[test]
fn the_readme_invites_the_bot_with_exactly_the_permissions_it_needs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let url = invite_url("APPLICATION_ID");
    assert!(readme.contains(&url), "the README shows {url}");
    assert!(url.contains(&format!("permissions={INVITE_PERMISSIONS}")));
}
