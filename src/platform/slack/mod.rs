//! Slack: slash commands, buttons and modals, events, App Home, install and delivery.
//! Slack's shapes stay in this module; the core sees commands, people and messages.

mod api;
mod blocks;
mod commands;
mod events;
mod home;
mod install;
mod interactions;
mod routes;
mod socket;
mod transport;
mod verify;

use std::sync::Arc;

use chrono::Duration as Age;
use secrecy::ExposeSecret;
use slack_morphism::prelude::SlackSigningSecret;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use tokio::sync::Notify;

pub use api::{ApiError, SlackApi, SlackUser};
pub use install::{Installs, Team};
pub use routes::{BOT_SCOPES, EVENTS, ROUTES, router};
pub use socket::run as socket_mode;
pub use transport::SlackTransport;

use crate::app::{Actor, App};
use crate::config::{SlackConfig, SlackInstall};
use crate::store::profiles::Profile;

/// How long a person's Slack profile is trusted before `users.info` is asked again.
const PROFILE_MAX_AGE: Age = Age::hours(12);

#[derive(Clone)]
pub struct Slack {
    inner: Arc<Inner>,
}

struct Inner {
    app: App,
    api: SlackApi,
    installs: Installs,
    config: SlackConfig,
    verifier: Option<SlackEventSignatureVerifier>,
    pacing: transport::Pacing,
    /// Wakes the background dispatcher (if one runs) when something was queued.
    wake: Arc<Notify>,
}

impl Slack {
    pub async fn new(app: App, config: SlackConfig, wake: Arc<Notify>) -> anyhow::Result<Slack> {
        let api = SlackApi::new(&config.api_url)?;
        let installs = match &config.install {
            SlackInstall::Single { bot_token } => {
                Installs::single(&app, &api, bot_token.clone()).await?
            }
            SlackInstall::OAuth { token_key, .. } => Installs::OAuth { key: *token_key },
        };
        // In Socket Mode nothing arrives over HTTP, so the signed endpoints stay shut.
        let signing_secret = config
            .signing_secret
            .as_ref()
            .filter(|_| config.app_token.is_none());
        let verifier = signing_secret.map(|s| {
            SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
                s.expose_secret().to_string(),
            ))
        });
        Ok(Slack {
            inner: Arc::new(Inner {
                app,
                api,
                installs,
                config,
                verifier,
                pacing: transport::Pacing::default(),
                wake,
            }),
        })
    }

    pub fn app(&self) -> &App {
        &self.inner.app
    }

    pub fn api(&self) -> &SlackApi {
        &self.inner.api
    }

    pub fn config(&self) -> &SlackConfig {
        &self.inner.config
    }

    pub fn installs(&self) -> &Installs {
        &self.inner.installs
    }

    fn verifier(&self) -> Option<&SlackEventSignatureVerifier> {
        self.inner.verifier.as_ref()
    }

    /// The transport the dispatcher uses for Slack workspaces.
    pub fn transport(&self) -> SlackTransport {
        SlackTransport::new(self.clone())
    }

    pub async fn team(&self, team_id: &str) -> anyhow::Result<Option<Team>> {
        self.inner.installs.team(&self.inner.app, team_id).await
    }

    /// Creates or refreshes a person from `users.info` when we have not asked lately.
    /// A deactivated account makes the person inactive, which raises "owner gone".
    pub async fn sync_person(&self, team: &Team, user_id: &str) -> anyhow::Result<()> {
        let app = &self.inner.app;
        let now = app.clock.now();
        let stale = app
            .store
            .profile_stale(team.ws, user_id, now, PROFILE_MAX_AGE);
        if !stale.await? {
            return Ok(());
        }
        match self.inner.api.user(&team.token, user_id).await {
            Ok(u) => self.apply_profile(team, &u).await,
            // Slack being slow or down must not stop a command: the person is still created
            // from the mention, and refreshed next time.
            Err(e) => {
                tracing::warn!(error = %e, user = user_id, "users.info failed");
                Ok(())
            }
        }
    }

    pub async fn apply_profile(&self, team: &Team, u: &SlackUser) -> anyhow::Result<()> {
        let profile = Profile {
            external_id: u.id.clone(),
            handle: if u.name.is_empty() {
                u.id.clone()
            } else {
                u.name.clone()
            },
            time_zone: u.time_zone.clone(),
            admin: u.admin,
            active: !u.deleted,
        };
        self.inner.app.sync_profile(team.ws, &profile).await
    }

    /// After anything that may have changed the model: wake the dispatcher for what was
    /// queued and refresh the App Homes that show it.
    pub async fn after_change(&self, team: &Team) {
        self.inner.wake.notify_one();
        if let Err(e) = home::refresh_all(self, team).await {
            tracing::error!(error = ?e, "refreshing App Homes failed");
        }
    }

    /// Refreshes the App Homes of every team (after a scheduled sweep).
    pub async fn refresh_homes(&self) -> anyhow::Result<()> {
        let teams: Vec<Team> = match &self.inner.installs {
            Installs::Single(t) => vec![t.clone()],
            Installs::OAuth { .. } => {
                let ids = self.inner.app.store.slack_team_ids().await?;
                let mut teams = Vec::new();
                for id in ids {
                    if let Some(t) = self.team(&id).await? {
                        teams.push(t);
                    }
                }
                teams
            }
        };
        for t in teams {
            home::refresh_all(self, &t).await?;
        }
        Ok(())
    }
}

/// Records an inbound request's id; `false` when it was seen before (a retry or a replay).
/// An error means it could not be checked, and must not be taken for either.
async fn first_sight(slack: &Slack, team: &Team, id: &str) -> anyhow::Result<bool> {
    let app = slack.app();
    app.store.first_sight(team.ws, id, app.clock.now()).await
}

/// The person behind a Slack user id, as the core's commands know them.
fn actor(user_id: &str, name: &str) -> Actor {
    Actor {
        external_id: user_id.to_string(),
        handle: if name.is_empty() {
            user_id.to_string()
        } else {
            name.to_string()
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
