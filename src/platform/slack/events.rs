//! The Events API: App Home opened, people joining, changing or leaving, the app uninstalled. Each event is
//! acted on once, however often Slack retries it.

use serde_json::{Value, json};
use tokio::time::{Instant, timeout_at};

use super::{Slack, SlackUser, home};

/// The HTTP answer to an event delivery; `Err` asks Slack to deliver it again.
pub async fn handle(slack: &Slack, body: Value) -> Result<Option<Value>, ()> {
    match body["type"].as_str() {
        Some("url_verification") => Ok(Some(json!({ "challenge": body["challenge"] }))),
        Some("event_callback") => {
            let task = {
                let slack = slack.clone();
                slack
                    .app()
                    .tasks
                    .clone()
                    .spawn(crate::observe::in_span(async move {
                        callback(&slack, &body).await
                    }))
            };
            match timeout_at(Instant::now() + slack.config().answer_within, task).await {
                Ok(Ok(Err(e))) => {
                    tracing::error!(error = ?e, "handling a Slack event failed");
                    Err(())
                }
                Ok(Err(_)) => Err(()),
                // Done, or still working: either way Slack has its answer.
                _ => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

async fn callback(slack: &Slack, body: &Value) -> anyhow::Result<()> {
    let team_id = body["team_id"].as_str().unwrap_or_default();
    let Some(team) = slack.team(team_id).await? else {
        return Ok(());
    };
    crate::observe::workspace(team.ws);
    let event_id = body["event_id"].as_str().unwrap_or_default();
    let delivery = format!("slack-event:{event_id}");
    let app = slack.app();
    if !app
        .store
        .first_sight(team.ws, &delivery, app.clock.now())
        .await?
    {
        return Ok(());
    }
    let event = &body["event"];
    let result = match event["type"].as_str() {
        Some("app_home_opened") if event["tab"] == "home" => {
            let user = event["user"].as_str().unwrap_or_default();
            slack.sync_person(&team, user).await?;
            home::publish(slack, &team, user).await
        }
        Some("app_uninstalled") => slack.installs().forget(slack.app(), &team.team_id).await,
        Some("tokens_revoked")
            if event["tokens"]["bot"]
                .as_array()
                .is_some_and(|b| !b.is_empty()) =>
        {
            slack.installs().forget(slack.app(), &team.team_id).await
        }
        Some("user_change") | Some("team_join") => match SlackUser::from_json(&event["user"]) {
            Some(u) => {
                slack.apply_profile(&team, &u).await?;
                slack.after_change(&team).await;
                Ok(())
            }
            None => Ok(()),
        },
        _ => Ok(()),
    };
    if result.is_err() {
        // Let Slack's retry of this event be acted on.
        app.store.forget_sight(team.ws, &delivery).await?;
    }
    result
}
