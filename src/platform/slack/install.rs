//! Which Slack teams the bot serves and with which token: one team from the configuration,
//! or any number installed through OAuth v2 with their tokens encrypted at rest.

use anyhow::Context;
use secrecy::SecretString;

use crate::app::App;
use crate::store::installs::SlackInstallation;
use crate::store::{WorkspaceId, sealed};

use super::api::{ApiError, Grant, SlackApi};

/// A Slack team the bot is installed in.
#[derive(Clone)]
pub struct Team {
    pub ws: WorkspaceId,
    pub team_id: String,
    pub token: SecretString,
}

pub enum Installs {
    Single(Team),
    OAuth { key: [u8; 32] },
}

/// Encrypts a bot token for storage, bound to its team: a ciphertext copied to another team's
/// row does not decrypt.
pub fn seal(key: &[u8; 32], team_id: &str, token: &SecretString) -> (Vec<u8>, Vec<u8>) {
    sealed::seal(key, team_id, token)
}

pub fn open(
    key: &[u8; 32],
    team_id: &str,
    nonce: &[u8],
    sealed: &[u8],
) -> anyhow::Result<SecretString> {
    sealed::open(key, team_id, nonce, sealed).with_context(|| {
        format!("cannot decrypt the bot token of team {team_id}: was SLACK_TOKEN_KEY changed?")
    })
}

/// How long start-up waits for Slack to answer before giving up (1 + 2 + 4 + 8 s).
const STARTUP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(8);

impl Installs {
    /// The single team of a bot-token configuration, found with `auth.test`.
    pub async fn single(
        app: &App,
        api: &SlackApi,
        token: SecretString,
    ) -> anyhow::Result<Installs> {
        // Slack being briefly unwell at start-up must not stop the process; a refused token must.
        let mut wait = std::time::Duration::from_secs(1);
        let (team_id, team_name, _bot) = loop {
            match api.auth_test(&token).await {
                Ok(found) => break found,
                Err(ApiError::Permanent(code)) => anyhow::bail!(
                    "SLACK_BOT_TOKEN was refused by Slack (auth.test said {code}): \
                     copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page"
                ),
                Err(ApiError::Transient { reason, .. }) if wait > STARTUP_PATIENCE => {
                    anyhow::bail!(
                        "Slack could not be reached to check SLACK_BOT_TOKEN (auth.test): {reason}; \
                         is SLACK_API_URL ({}) reachable from here?",
                        api.base_url()
                    )
                }
                Err(ApiError::Transient { reason, .. }) => {
                    tracing::warn!(%reason, retry_in = ?wait, "Slack did not answer auth.test; trying again");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        };
        let ws = app.workspace("slack", &team_id, &team_name).await?;
        Ok(Installs::Single(Team { ws, team_id, token }))
    }

    pub async fn team(&self, app: &App, team_id: &str) -> anyhow::Result<Option<Team>> {
        match self {
            Installs::Single(t) => Ok((t.team_id == team_id).then(|| t.clone())),
            Installs::OAuth { key } => {
                let Some(row) = app.store.slack_installation(team_id).await? else {
                    return Ok(None);
                };
                let token = open(key, &row.team_id, &row.token_nonce, &row.token_ciphertext)?;
                Ok(Some(Team {
                    ws: row.workspace_id,
                    team_id: row.team_id,
                    token,
                }))
            }
        }
    }

    /// Slack revoked the team's bot token (the app was uninstalled): stop using it.
    pub async fn forget(&self, app: &App, team_id: &str) -> anyhow::Result<()> {
        match self {
            Installs::Single(_) => tracing::error!(
                team = team_id,
                "the app was uninstalled from the configured workspace: SLACK_BOT_TOKEN no longer works"
            ),
            Installs::OAuth { .. } => {
                if app.store.forget_slack_installation(team_id).await? {
                    tracing::info!(
                        team = team_id,
                        "uninstalled; the team's bot token is deleted"
                    );
                }
            }
        }
        Ok(())
    }

    /// Records an OAuth grant: the team becomes (or stays) its own workspace.
    pub async fn save(&self, app: &App, grant: &Grant) -> anyhow::Result<WorkspaceId> {
        let Installs::OAuth { key } = self else {
            anyhow::bail!("this server is configured for one workspace (SLACK_BOT_TOKEN)");
        };
        let ws = app
            .workspace("slack", &grant.team_id, &grant.team_name)
            .await?;
        let (nonce, sealed) = seal(key, &grant.team_id, &grant.token);
        app.store
            .save_slack_installation(
                &SlackInstallation {
                    workspace_id: ws,
                    team_id: grant.team_id.clone(),
                    enterprise_id: grant.enterprise_id.clone(),
                    bot_user_id: grant.bot_user_id.clone(),
                    scopes: grant.scopes.clone(),
                    token_nonce: nonce,
                    token_ciphertext: sealed,
                },
                app.clock.now(),
            )
            .await?;
        Ok(ws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn tokens_round_trip_only_for_their_team_and_key() {
        let key = [7u8; 32];
        let token = SecretString::from("xoxb-1-secret".to_string());
        let (nonce, sealed) = seal(&key, "T1", &token);
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            open(&key, "T1", &nonce, &sealed).unwrap().expose_secret(),
            "xoxb-1-secret"
        );
        assert!(open(&key, "T2", &nonce, &sealed).is_err());
        assert!(open(&[8u8; 32], "T1", &nonce, &sealed).is_err());
    }
}
