//! Interactions: PING, `/align`, autocomplete, buttons and menus, and modal answers. A
//! component carries the command it stands for and runs it as the person who used it, in
//! the guild it was made for, so it can do nothing that person could not type.

use std::future::Future;

use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout_at};

use super::embeds::{self as render, Control};
use crate::app::{Actor, failure_message};
use crate::command;
use crate::engine::replies;
use crate::message::{Action, Ask, Message, Tone};
use crate::observe::in_span;
use crate::store::WorkspaceId;
use crate::store::profiles::{Admission, Profile};

use super::Discord;
use super::definition::{command_text, focused};

/// Permission bits that make a member a Throughline admin: Administrator, Manage Server.
const ADMIN_BITS: u64 = (1 << 3) | (1 << 5);
const CHOICES_MAX: i64 = 25;

pub async fn handle(d: &Discord, body: Value) -> Value {
    let result = match body["type"].as_u64() {
        Some(1) => return json!({ "type": 1 }),
        Some(2) => command(d, &body).await,
        Some(3) => component(d, &body).await,
        Some(4) => autocomplete(d, &body).await,
        Some(5) => modal(d, &body).await,
        _ => Err(refusal(
            "Throughline does not handle this kind of interaction.",
        )),
    };
    result.unwrap_or_else(|reply| reply)
}

fn refusal(text: &str) -> Value {
    render::reply(&Message::new(Tone::Error, text), "", true)
}

fn internal_message(e: anyhow::Error) -> Message {
    tracing::error!(error = ?e, "handling a Discord interaction failed");
    failure_message(&e)
}

fn internal(e: anyhow::Error) -> Value {
    render::reply(&internal_message(e), "", true)
}

/// The person behind an interaction: a member in a guild, a user in a DM.
struct Who {
    id: String,
    name: String,
    /// Known only inside a guild, from the member's permissions there.
    admin: Option<bool>,
}

fn display_name(user: &Value, member: &Value) -> String {
    [
        member["nick"].as_str(),
        user["global_name"].as_str(),
        user["username"].as_str(),
    ]
    .into_iter()
    .flatten()
    .find(|s| !s.trim().is_empty())
    .unwrap_or_default()
    .to_string()
}

fn is_admin(member: &Value) -> Option<bool> {
    let bits = member["permissions"].as_str()?.parse::<u64>().ok()?;
    Some(bits & ADMIN_BITS != 0)
}

fn who(body: &Value) -> Option<Who> {
    let member = &body["member"];
    let user = if member.is_object() {
        &member["user"]
    } else {
        &body["user"]
    };
    Some(Who {
        id: user["id"].as_str()?.to_string(),
        name: display_name(user, member),
        admin: is_admin(member),
    })
}

impl Who {
    fn actor(&self) -> Actor {
        Actor {
            external_id: self.id.clone(),
            handle: if self.name.is_empty() {
                self.id.clone()
            } else {
                self.name.clone()
            },
        }
    }
}

/// Creates or refreshes a person from what Discord sent about them.
async fn sync(
    d: &Discord,
    ws: WorkspaceId,
    id: &str,
    name: &str,
    admin: bool,
) -> anyhow::Result<()> {
    let profile = Profile {
        external_id: id.to_string(),
        handle: if name.is_empty() {
            id.to_string()
        } else {
            name.to_string()
        },
        time_zone: None,
        admin,
        active: true,
    };
    d.app().sync_profile(ws, &profile).await
}

/// The invoking member, and every member picked in a USER option.
async fn sync_people(d: &Discord, ws: WorkspaceId, body: &Value, who: &Who) -> anyhow::Result<()> {
    if let Some(admin) = who.admin {
        sync(d, ws, &who.id, &who.name, admin).await?;
    }
    let resolved = &body["data"]["resolved"];
    if let Some(users) = resolved["users"].as_object() {
        for (id, user) in users {
            let member = &resolved["members"][id];
            if let Some(admin) = is_admin(member) {
                sync(d, ws, id, &display_name(user, member), admin).await?;
            }
        }
    }
    Ok(())
}

/// Records the interaction's id; `false` when it was seen before.
async fn first_sight(d: &Discord, ws: WorkspaceId, body: &Value) -> anyhow::Result<bool> {
    let id = format!(
        "discord-interaction:{}",
        body["id"].as_str().unwrap_or_default()
    );
    d.app()
        .store
        .first_sight(ws, &id, d.app().clock.now())
        .await
}

async fn command(d: &Discord, body: &Value) -> Result<Value, Value> {
    let guild = body["guild_id"]
        .as_str()
        .ok_or_else(|| refusal("Use /align in a server, where your team's goals live."))?;
    let who = who(body).ok_or_else(|| refusal("Discord did not say who you are."))?;
    let text = command_text(&body["data"]).ok_or_else(|| {
        refusal("This command is out of date; ask an admin to run `throughline discord register`.")
    })?;
    let job = {
        let (d, body, guild) = (d.clone(), body.clone(), guild.to_string());
        async move {
            let ws = match d.workspace(&guild).await {
                Ok(ws) => ws,
                Err(e) => return (internal_message(e), false),
            };
            crate::observe::workspace(ws);
            // Discord does not resend an interaction, but a captured one can be replayed
            // within its signature's window: the id says it is the same.
            match first_sight(&d, ws, &body).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(guild = %guild, "an application command arrived twice; it ran once");
                    let again =
                        "This command arrived twice; it ran once, and nothing more was done.";
                    return (Message::new(Tone::Neutral, again), false);
                }
                Err(e) => return (internal_message(e), false),
            }
            if let Err(e) = sync_people(&d, ws, &body, &who).await {
                return (internal_message(e), false);
            }
            let reply = d
                .app()
                .handle(ws, &who.actor(), command::parse(&text))
                .await;
            (reply.message, reply.changed)
        }
    };
    Ok(answer(d, body, guild, job).await)
}

/// Runs a command as `who` in `ws` (refreshing them first when Discord said who they are in
/// the guild), for a component or a modal: these always may change the model.
fn run_as(
    d: &Discord,
    body: &Value,
    ws: WorkspaceId,
    who: Who,
    text: String,
) -> impl Future<Output = (Message, bool)> + Send + 'static {
    let (d, body) = (d.clone(), body.clone());
    async move {
        if who.admin.is_some()
            && let Err(e) = sync_people(&d, ws, &body, &who).await
        {
            return (internal_message(e), false);
        }
        let reply = d.app().command(ws, &who.actor(), &text).await;
        (reply, true)
    }
}

/// Runs a command and replies within Discord's window, or defers and edits the reply in.
async fn answer(
    d: &Discord,
    body: &Value,
    guild: &str,
    job: impl Future<Output = (Message, bool)> + Send + 'static,
) -> Value {
    let (tx, mut rx) = oneshot::channel();
    {
        let d = d.clone();
        d.app().tasks.clone().spawn(in_span(async move {
            let (reply, changed) = job.await;
            let _ = tx.send(reply);
            // The answer has gone; delivery is the dispatcher's, woken here.
            if changed {
                d.after_change();
            }
        }));
    }
    match timeout_at(Instant::now() + d.config().answer_within, &mut rx).await {
        Ok(Ok(reply)) => render::reply(&reply, guild, true),
        Ok(Err(_)) => render::reply(&replies::failed(false), "", true),
        Err(_) => {
            let (d2, guild) = (d.clone(), guild.to_string());
            let token = body["token"].as_str().unwrap_or_default().to_string();
            d.app().tasks.spawn(in_span(async move {
                if let Ok(reply) = rx.await {
                    let app_id = d2.config().application_id.clone();
                    let message = render::message(&reply, &guild);
                    if let Err(e) = d2.rest().edit_original(&app_id, &token, &message).await {
                        tracing::warn!(error = %e, "editing a deferred Discord reply failed");
                    }
                }
            }));
            json!({ "type": 5, "data": { "flags": render::EPHEMERAL } })
        }
    }
}

/// The workspace a component belongs to, refusing a click from another guild and, in a DM,
/// from anyone who is not already one of that workspace's people.
async fn component_workspace(
    d: &Discord,
    body: &Value,
    guild: &str,
    who: &Who,
) -> Result<WorkspaceId, Value> {
    if body["guild_id"].as_str().is_some_and(|g| g != guild) {
        return Err(refusal("This button belongs to another server."));
    }
    let ws = d
        .known_workspace(guild)
        .await
        .map_err(internal)?
        .ok_or_else(|| refusal("This button belongs to a server Throughline does not know."))?;
    crate::observe::workspace(ws);
    let id = format!(
        "discord-interaction:{}",
        body["id"].as_str().unwrap_or_default()
    );
    // Discord says who is a member only inside a guild; from a DM, the workspace decides.
    let stranger_check = who.admin.is_none().then_some(who.id.as_str());
    let now = d.app().clock.now();
    match d.app().store.admit(ws, stranger_check, &id, now).await {
        Err(e) => Err(internal(e)),
        Ok(Admission::Stranger) => Err(refusal(
            "This button belongs to a server you are not part of.",
        )),
        // A repeat: acknowledge without acting again.
        Ok(Admission::Repeat) => Err(json!({ "type": 6 })),
        Ok(Admission::First) => Ok(ws),
    }
}

async fn component(d: &Discord, body: &Value) -> Result<Value, Value> {
    let data = &body["data"];
    let custom_id = data["custom_id"].as_str().unwrap_or_default();
    let control =
        Control::parse(custom_id).ok_or_else(|| refusal("This button is out of date."))?;
    let who = who(body).ok_or_else(|| refusal("Discord did not say who you are."))?;
    let guild = match &control {
        Control::Run { guild, .. }
        | Control::AskText { guild, .. }
        | Control::AskPerson { guild, .. }
        | Control::Menu { guild } => guild.clone(),
    };
    let chosen = data["values"][0].as_str();
    let text = match &control {
        Control::AskText { prompt, .. } => {
            // Nothing runs yet: the modal's answer will, as its own interaction.
            return Ok(render::ask_modal(custom_id, "Throughline", prompt));
        }
        Control::AskPerson { .. } if chosen.is_none() => {
            return Ok(render::ask_person(custom_id, "Choose the person:"));
        }
        Control::AskPerson { command, .. } => {
            format!("{command} <@{}>", chosen.unwrap_or_default())
        }
        Control::Run { command, .. } => command.clone(),
        Control::Menu { .. } => chosen
            .ok_or_else(|| refusal("Nothing was chosen."))?
            .to_string(),
    };
    let ws = component_workspace(d, body, &guild, &who).await?;
    Ok(answer(d, body, &guild, run_as(d, body, ws, who, text)).await)
}

async fn modal(d: &Discord, body: &Value) -> Result<Value, Value> {
    let data = &body["data"];
    let Some(Control::AskText {
        guild,
        command,
        prompt,
    }) = Control::parse(data["custom_id"].as_str().unwrap_or_default())
    else {
        return Err(refusal("This form is out of date."));
    };
    let who = who(body).ok_or_else(|| refusal("Discord did not say who you are."))?;
    let answer_text = data["components"][0]["components"][0]["value"]
        .as_str()
        .unwrap_or_default();
    let action = Action {
        label: String::new(),
        command,
        ask: Ask::Text(prompt),
        menu: None,
    };
    let ws = component_workspace(d, body, &guild, &who).await?;
    let text = action.with_answer(answer_text);
    Ok(answer(d, body, &guild, run_as(d, body, ws, who, text)).await)
}

async fn autocomplete(d: &Discord, body: &Value) -> Result<Value, Value> {
    let empty = json!({ "type": 8, "data": { "choices": [] } });
    let (Some(guild), Some((kinds, none, typed))) =
        (body["guild_id"].as_str(), focused(&body["data"]))
    else {
        return Ok(empty);
    };
    let Some(ws) = d.known_workspace(guild).await.map_err(internal)? else {
        return Ok(empty);
    };
    let mut choices = Vec::new();
    if none && "none".starts_with(&typed.trim().to_lowercase()) {
        choices.push(json!({ "name": "none (no strategic home)", "value": "none" }));
    }
    let found = d
        .app()
        .store
        .search_keys(ws, kinds, &typed, CHOICES_MAX - choices.len() as i64)
        .await
        .map_err(internal)?;
    choices.extend(found.into_iter().map(|(key, title)| {
        json!({ "name": render::truncate(&format!("{key} · {title}"), 100), "value": key })
    }));
    Ok(json!({ "type": 8, "data": { "choices": choices } }))
}
