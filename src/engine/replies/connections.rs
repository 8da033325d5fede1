//! Replies to `connect`, `connections` and `disconnect`.

use chrono::{DateTime, Utc};

use crate::domain::UserError;
use crate::domain::error::nearest;
use crate::domain::evidence::Forge;
use crate::domain::health::human_duration;
use crate::domain::words::counted;
use crate::message::{Message, Tone};
use crate::store::connections::Connection;

pub fn connections_not_served() -> UserError {
    UserError::new(
        "repository connections need a server GitHub or GitLab can reach, and this one has none.",
    )
    .hint("Run throughline serve with PUBLIC_URL and HOOKS_KEY set (see the README).")
}

pub fn already_connected(forge: Forge, repository: &str) -> UserError {
    UserError::new(format!("{forge} {repository} is already connected.")).hint(format!(
        "/align connections lists it; /align disconnect {repository} first for a new secret."
    ))
}

/// The one time the secret is shown: where to paste it, and which events to tick.
pub fn connected(forge: Forge, repository: &str, url: &str, secret: &str) -> Message {
    let (screen, secret_field, events) = match forge {
        Forge::GitHub => (
            "In GitHub: the repository's Settings → Webhooks → Add webhook.",
            "Secret",
            "Pull requests, Pull request reviews, Pull request review comments, Issue comments, Pushes",
        ),
        Forge::GitLab => (
            "In GitLab: the project's Settings → Webhooks → Add new webhook.",
            "Secret token",
            "Push events, Merge request events, Comments",
        ),
    };
    let mut fields = vec![("Payload URL", url.to_string())];
    if forge == Forge::GitHub {
        fields.push(("Content type", "application/json".to_string()));
    }
    fields.push((secret_field, secret.to_string()));
    Message::new(Tone::Green, format!("Connected {repository} ({forge})"))
        .lines("Set up the webhook", vec![screen.to_string()])
        .fields(fields)
        .lines(
            "Events to tick",
            vec![events.to_string()],
        )
        .lines(
            "Worth knowing",
            vec![
                "The secret is shown this once; Throughline keeps it encrypted.".into(),
                "Pull requests and pushes that name a work key (W-42) count as activity on it; a merge into the default branch that says \"closes W-42\" finishes it.".into(),
            ],
        )
}

fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("{} ago", human_duration(now - at))
}

pub fn connections_listed(all: &[Connection], now: DateTime<Utc>) -> Message {
    if all.is_empty() {
        return Message::info("No repositories are connected").lines(
            "Connect one",
            vec!["/align connect github acme/api (or gitlab group/project)".into()],
        );
    }
    let lines = all
        .iter()
        .map(|c| {
            let forge = Forge::parse(&c.forge).map_or(c.forge.clone(), |f| f.to_string());
            let last = c.last_delivery_at.map_or_else(
                || "no delivery yet".to_string(),
                |at| format!("last delivery {}", ago(at, now)),
            );
            let mut line = format!("{} ({forge}, id {}): {last}", c.repository, c.id);
            if c.unknown_keys > 0 {
                line.push_str(&format!(
                    "; {} named no work item here",
                    counted(c.unknown_keys as usize, "key")
                ));
            }
            if let (Some(e), Some(at)) = (&c.last_error, c.last_error_at) {
                line.push_str(&format!("; last error {}: {e}", ago(at, now)));
            }
            line
        })
        .collect();
    let headline = match all.len() {
        1 => "1 connected repository".to_string(),
        n => format!("{n} connected repositories"),
    };
    Message::info(headline).lines("Repositories", lines)
}

pub fn no_such_connection(which: &str, all: &[Connection]) -> UserError {
    let e = UserError::new(format!(
        "no connected repository is '{}' (by repository or id).",
        crate::domain::error::shorten(which, 60)
    ));
    let names: Vec<&str> = all.iter().map(|c| c.repository.as_str()).collect();
    match nearest(which, names.iter().copied()) {
        Some(n) => e.hint(format!("Did you mean {n}?")),
        None if names.is_empty() => e.hint("No repositories are connected."),
        None => e.hint(format!("Connected: {}.", names.join(", "))),
    }
}

pub fn disconnected(c: &Connection) -> Message {
    Message::info(format!(
        "Disconnected {}: its webhook is refused from now on; delete it in the repository's settings too.",
        c.repository
    ))
}
