//! Buttons, menus and forms. A button carries the command it stands for; the click runs it
//! as the person who clicked, in the team the click came from, so it can do nothing that
//! person could not type.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::time::{Instant, timeout_at};

use super::blocks;
use crate::app::failure_message;
use crate::message::{Action, Ask, Message, Tone};

use super::commands::ephemeral;
use super::{Slack, Team, actor};

/// The HTTP answer to an interaction; `None` is a bare acknowledgement.
pub async fn handle(slack: &Slack, payload: Value) -> Option<Value> {
    let team_id = payload["team"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let team = match slack.team(&team_id).await {
        Ok(Some(t)) => t,
        Ok(None) => return None,
        Err(e) => {
            tracing::error!(error = ?e, "looking up a Slack team failed");
            return cannot_check(slack, &payload, &e).await;
        }
    };
    crate::observe::workspace(team.ws);
    match payload["type"].as_str() {
        Some("block_actions") => {
            let trigger = payload["trigger_id"].as_str().unwrap_or_default();
            match super::first_sight(slack, &team, &format!("slack-action:{trigger}")).await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return cannot_check(slack, &payload, &e).await,
            }
            let task = {
                let (slack, team) = (slack.clone(), team.clone());
                slack
                    .app()
                    .tasks
                    .clone()
                    .spawn(crate::observe::in_span(async move {
                        block_action(&slack, &team, &payload).await
                    }))
            };
            let _ = timeout_at(Instant::now() + slack.config().answer_within, task).await;
            None
        }
        Some("view_submission") => {
            let values = &payload["view"]["state"]["values"];
            let id = format!(
                "slack-view:{}:{}",
                payload["view"]["id"].as_str().unwrap_or_default(),
                super::hex(&Sha256::digest(values.to_string().as_bytes()))
            );
            match super::first_sight(slack, &team, &id).await {
                Ok(true) => {}
                Ok(false) => return Some(json!({ "response_action": "clear" })),
                Err(e) => return cannot_check(slack, &payload, &e).await,
            }
            let answer = view_submission(slack, &team, &payload).await;
            if answer["response_action"] == "errors" {
                // The person fixes the form and submits again: that is not a replay.
                forget(slack, &team, &id).await;
            }
            Some(answer)
        }
        _ => None,
    }
}

/// A click or a form that could not be checked for a repeat (the database is out of reach)
/// is not acted on, and the person is told so rather than left with a button that did nothing.
async fn cannot_check(slack: &Slack, payload: &Value, e: &anyhow::Error) -> Option<Value> {
    tracing::error!(error = ?e, "an interaction could not be checked for a repeat");
    let reply = failure_message(e);
    if payload["type"] == "view_submission" {
        return Some(json!({ "response_action": "update", "view": blocks::result_modal(&reply) }));
    }
    let mut body = ephemeral(&reply);
    body["replace_original"] = json!(false);
    let url = payload["response_url"].as_str().unwrap_or_default();
    if !url.is_empty()
        && let Err(e) = slack.api().respond(url, &body).await
    {
        tracing::warn!(error = %e, "telling a person their click failed did not work either");
    }
    None
}

async fn forget(slack: &Slack, team: &Team, id: &str) {
    if let Err(e) = slack.app().store.forget_sight(team.ws, id).await {
        tracing::warn!(error = ?e, "forgetting a delivery failed");
    }
}

fn user_of(payload: &Value) -> (String, String) {
    let u = &payload["user"];
    let id = u["id"].as_str().unwrap_or_default().to_string();
    let name = u["username"]
        .as_str()
        .or(u["name"].as_str())
        .unwrap_or_default()
        .to_string();
    (id, name)
}

async fn block_action(slack: &Slack, team: &Team, payload: &Value) {
    let (user, name) = user_of(payload);
    let action = &payload["actions"][0];
    let response_url = payload["response_url"].as_str().unwrap_or_default();
    let chosen: Option<Action> = match action["type"].as_str() {
        Some("static_select") => {
            action["selected_option"]["value"]
                .as_str()
                .map(|command| Action {
                    label: String::new(),
                    command: command.to_string(),
                    ask: Ask::Nothing,
                    menu: None,
                })
        }
        _ => action["value"]
            .as_str()
            .and_then(|v| serde_json::from_str(v).ok()),
    };
    let Some(chosen) = chosen else {
        tracing::warn!(action_id = ?action["action_id"], "an interaction carried no action");
        return;
    };
    if let Err(e) = slack.sync_person(team, &user).await {
        tracing::error!(error = ?e, "syncing a Slack user failed");
    }
    if chosen.ask != Ask::Nothing {
        let trigger = payload["trigger_id"].as_str().unwrap_or_default();
        if let Err(e) = slack
            .api()
            .open_view(&team.token, trigger, &blocks::ask_modal(&chosen))
            .await
        {
            tracing::warn!(error = %e, "opening a form failed");
        }
        return;
    }
    let reply = slack
        .app()
        .command(team.ws, &actor(&user, &name), &chosen.command)
        .await;
    let mut body = ephemeral(&reply);
    body["replace_original"] = json!(false);
    if !response_url.is_empty()
        && let Err(e) = slack.api().respond(response_url, &body).await
    {
        tracing::warn!(error = %e, "answering an interaction failed");
    }
    slack.after_change(team).await;
}

fn input<'a>(payload: &'a Value, block: &str) -> &'a Value {
    &payload["view"]["state"]["values"][block][block]
}

fn text_of(v: &Value) -> Option<String> {
    v["value"]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn user_input(v: &Value) -> Option<String> {
    v["selected_user"].as_str().map(|u| format!("<@{u}>"))
}

/// Keeps a typed title inside the command's quotes.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'"))
}

/// Builds the command a form stands for, and which form field each error belongs to.
fn form_command(payload: &Value) -> Option<(String, &'static [(&'static str, &'static str)])> {
    let view = &payload["view"];
    match view["callback_id"].as_str()? {
        "ask" => {
            let action: Action = serde_json::from_str(view["private_metadata"].as_str()?).ok()?;
            let v = input(payload, "answer");
            let answer = match action.ask {
                Ask::Person(_) => user_input(v)?,
                _ => text_of(v).unwrap_or_default(),
            };
            Some((action.with_answer(&answer), &[("", "answer")]))
        }
        "goal_new" => {
            let title = text_of(input(payload, "title")).unwrap_or_default();
            let mut c = format!("goal new {}", quoted(&title));
            if let Some(owner) = user_input(input(payload, "owner")) {
                c.push_str(&format!(" owner:{owner}"));
            }
            if let Some(rank) = text_of(input(payload, "rank")) {
                c.push_str(&format!(" rank:{rank}"));
            }
            if let Some(due) = input(payload, "due")["selected_date"].as_str() {
                c.push_str(&format!(" due:{due}"));
            }
            Some((
                c,
                &[
                    ("owner", "owner"),
                    ("rank", "rank"),
                    ("date", "due"),
                    ("due", "due"),
                    ("", "title"),
                ],
            ))
        }
        "work_new" => {
            let title = text_of(input(payload, "title")).unwrap_or_default();
            let home = text_of(input(payload, "home")).unwrap_or_default();
            let mut c = format!("work new {home} {}", quoted(&title));
            if let Some(who) = user_input(input(payload, "assignee")) {
                c.push_str(&format!(" {who}"));
            }
            Some((
                c,
                &[
                    ("assignee", "assignee"),
                    ("person", "assignee"),
                    ("title", "title"),
                    ("", "home"),
                ],
            ))
        }
        _ => None,
    }
}

async fn view_submission(slack: &Slack, team: &Team, payload: &Value) -> Value {
    let Some((command, fields)) = form_command(payload) else {
        return json!({ "response_action": "clear" });
    };
    let (user, name) = user_of(payload);
    if let Err(e) = slack.sync_person(team, &user).await {
        tracing::error!(error = ?e, "syncing a Slack user failed");
    }
    let parsed = crate::command::parse(&command);
    for mentioned in parsed.iter().flat_map(|c| c.mentions()) {
        if let Err(e) = slack.sync_person(team, &mentioned.external_id).await {
            tracing::error!(error = ?e, "syncing a Slack user failed");
        }
    }
    let reply: Message = slack
        .app()
        .handle(team.ws, &actor(&user, &name), parsed)
        .await
        .message;
    if reply.tone == Tone::Error {
        let lower = reply.headline.to_lowercase();
        let block = fields
            .iter()
            .find(|(word, _)| lower.contains(word))
            .map_or("title", |(_, block)| block);
        let text: String = reply.headline.chars().take(150).collect();
        return json!({ "response_action": "errors", "errors": { block: text } });
    }
    {
        let (slack, team) = (slack.clone(), team.clone());
        slack
            .app()
            .tasks
            .clone()
            .spawn(crate::observe::in_span(async move {
                slack.after_change(&team).await
            }));
    }
    json!({ "response_action": "update", "view": blocks::result_modal(&reply) })
}
