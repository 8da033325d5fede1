//! The App Home tab: what the viewing person owns and does, at both altitudes, republished
//! whenever it changes.

use sha2::{Digest, Sha256};

use super::blocks;
use crate::command::Command;

use super::{Slack, Team, actor, hex};

/// Publishes a person's App Home if it differs from what they were last shown.
pub async fn publish(slack: &Slack, team: &Team, user_id: &str) -> anyhow::Result<()> {
    let app = slack.app();
    let message = app
        .handle(team.ws, &actor(user_id, ""), Ok(Command::Mine))
        .await
        .message;
    let view = blocks::home_view(&message);
    let digest = hex(&Sha256::digest(view.to_string().as_bytes()));
    let now = app.clock.now();
    let Some(person) = app
        .store
        .home_changed(team.ws, user_id, &digest, now)
        .await?
    else {
        return Ok(());
    };
    if let Err(e) = slack.api().publish_home(&team.token, user_id, &view).await {
        // Forget what was "shown" so that the next refresh tries again.
        app.store.forget_home(team.ws, person).await?;
        anyhow::bail!("views.publish for {user_id} failed: {e}");
    }
    Ok(())
}

/// Republishes every App Home of the team whose content changed.
pub async fn refresh_all(slack: &Slack, team: &Team) -> anyhow::Result<()> {
    let viewers = slack.app().store.home_viewers(team.ws).await?;
    for (_, user_id) in viewers {
        if let Err(e) = publish(slack, team, &user_id).await {
            tracing::warn!(error = %e, "App Home refresh failed");
        }
    }
    Ok(())
}
