//! The App Home tab: what the viewing person owns and does, at both altitudes, republished
//! whenever it changes.

use sha2::{Digest, Sha256};

use crate::render::slack as blocks;
use crate::store::platform;

use super::{Slack, Team, actor, hex};

/// Publishes a person's App Home if it differs from what they were last shown.
pub async fn publish(slack: &Slack, team: &Team, user_id: &str) -> anyhow::Result<()> {
    let app = slack.app();
    let message = app.command(team.ws, &actor(user_id, ""), "mine").await;
    let view = blocks::home_view(&message);
    let digest = hex(&Sha256::digest(view.to_string().as_bytes()));
    let now = app.clock.now();
    let mut conn = app.store.pool.acquire().await?;
    let person =
        crate::store::people::upsert(&mut conn, team.ws, user_id, user_id, false, now).await?;
    if !platform::home_changed(&mut conn, team.ws, person.id, &digest, now).await? {
        return Ok(());
    }
    if let Err(e) = slack.api().publish_home(&team.token, user_id, &view).await {
        // Forget what was "shown" so that the next refresh tries again.
        platform::forget_home(&mut conn, team.ws, person.id).await?;
        anyhow::bail!("views.publish for {user_id} failed: {e}");
    }
    Ok(())
}

/// Republishes every App Home of the team whose content changed.
pub async fn refresh_all(slack: &Slack, team: &Team) -> anyhow::Result<()> {
    let viewers = {
        let mut conn = slack.app().store.pool.acquire().await?;
        platform::home_viewers(&mut conn, team.ws).await?
    };
    for (_, user_id) in viewers {
        if let Err(e) = publish(slack, team, &user_id).await {
            tracing::warn!(error = %e, "App Home refresh failed");
        }
    }
    Ok(())
}
