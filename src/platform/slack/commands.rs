//! `/align` from Slack: refresh the people involved, run the command (or open its form),
//! answer within Slack's window, and deliver what the command caused.

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout_at};

use sha2::{Digest, Sha256};

use super::blocks;
use crate::app::failure_message;
use crate::command;
use crate::message::{Message, Tone};
use crate::observe::in_span;

use super::{Slack, Team, actor};

/// The fields of a slash command request that Throughline reads.
#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommand {
    pub team_id: String,
    pub user_id: String,
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub response_url: String,
    #[serde(default)]
    pub trigger_id: String,
}

pub fn ephemeral(m: &Message) -> Value {
    let mut body = blocks::chat_message(m);
    body["response_type"] = json!("ephemeral");
    body
}

pub fn not_installed() -> Value {
    ephemeral(&Message::new(
        Tone::Error,
        "Throughline is not installed in this Slack workspace. Ask an admin to install it.",
    ))
}

/// The HTTP answer to a slash command; `None` is a bare acknowledgement.
pub async fn handle(slack: &Slack, cmd: SlashCommand) -> Option<Value> {
    let team = match slack.team(&cmd.team_id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Some(not_installed()),
        Err(e) => {
            tracing::error!(error = ?e, "looking up a Slack team failed");
            return Some(ephemeral(&failure_message(&e)));
        }
    };
    crate::observe::workspace(team.ws);
    // A replay of a signed request (within its five minutes) carries the same trigger.
    if !cmd.trigger_id.is_empty() {
        let id = format!(
            "slack-command:{}",
            super::hex(&Sha256::digest(
                format!(
                    "{}\n{}\n{}\n{}",
                    cmd.team_id, cmd.user_id, cmd.trigger_id, cmd.text
                )
                .as_bytes()
            ))
        );
        match super::first_sight(slack, &team, &id).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(team = %cmd.team_id, "a slash command arrived twice; it ran once");
                return Some(ephemeral(&Message::new(
                    Tone::Neutral,
                    "This command arrived twice; it ran once, and nothing more was done.",
                )));
            }
            Err(e) => {
                tracing::error!(error = ?e, "checking a slash command for a repeat failed");
                return Some(ephemeral(&failure_message(&e)));
            }
        }
    }
    let (tx, mut rx) = oneshot::channel();
    {
        let (slack, team, cmd) = (slack.clone(), team.clone(), cmd.clone());
        slack.app().tasks.clone().spawn(in_span(async move {
            let (reply, changed) = run(&slack, &team, &cmd).await;
            let _ = tx.send(reply);
            // The answer has gone; delivery is the dispatcher's, woken here.
            if changed {
                slack.after_change(&team).await;
            }
        }));
    }
    match timeout_at(Instant::now() + slack.config().answer_within, &mut rx).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(_)) => Some(ephemeral(&failure_message(&anyhow::anyhow!(
            "the command's task ended without an answer"
        )))),
        Err(_) => {
            let (slack2, url) = (slack.clone(), cmd.response_url.clone());
            slack.app().tasks.clone().spawn(in_span(async move {
                if let Ok(Some(reply)) = rx.await
                    && let Err(e) = slack2.api().respond(&url, &reply).await
                {
                    tracing::warn!(error = %e, "answering through response_url failed");
                }
            }));
            None
        }
    }
}

/// The form that replaces a command typed with no arguments, if there is one.
fn form_for(text: &str) -> Option<Value> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["goal", "new"] => Some(blocks::goal_modal()),
        ["work", "new"] => Some(blocks::work_modal()),
        _ => None,
    }
}

/// The answer to a command, and whether it changed the model. The text is read once: the
/// people it names are refreshed from Slack, then the same parsed command runs.
async fn run(slack: &Slack, team: &Team, cmd: &SlashCommand) -> (Option<Value>, bool) {
    let parsed = command::parse(&cmd.text);
    let named = parsed.iter().flat_map(|c| c.mentions());
    for user in std::iter::once(cmd.user_id.as_str()).chain(named.map(|m| m.external_id.as_str())) {
        if let Err(e) = slack.sync_person(team, user).await {
            tracing::error!(error = ?e, "syncing a Slack user failed");
        }
    }
    if let Some(form) = form_for(&cmd.text) {
        let answer = match slack
            .api()
            .open_view(&team.token, &cmd.trigger_id, &form)
            .await
        {
            Ok(()) => None,
            Err(e) => Some(ephemeral(&Message::new(
                Tone::Error,
                format!(
                    "Could not open the form ({e}). Type the command with its arguments instead; see /align help."
                ),
            ))),
        };
        return (answer, false);
    }
    let reply = slack
        .app()
        .handle(team.ws, &actor(&cmd.user_id, &cmd.user_name), parsed)
        .await;
    (Some(ephemeral(&reply.message)), reply.changed)
}
