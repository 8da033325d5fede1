//! Discord: the `/align` command with typed options, autocomplete, buttons and menus, DMs
//! and channel posts. Discord's shapes stay in this module; the core sees commands, people
//! and messages.

mod definition;
mod embeds;
pub mod gateway;
mod interactions;
mod rest;
mod table;
mod transport;
mod verify;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serenity::interactions_endpoint::Verifier;
use tokio::sync::Notify;

pub use definition::{align, all_commands};
pub use rest::{Rest, RestError};
pub use transport::DiscordTransport;

use crate::app::App;
use crate::config::DiscordConfig;
use crate::store::WorkspaceId;

/// Every route this module serves.
pub const ROUTES: &[&str] = &["/discord/interactions"];

#[derive(Clone)]
pub struct Discord {
    inner: Arc<Inner>,
}

struct Inner {
    app: App,
    rest: Rest,
    config: DiscordConfig,
    /// `None` in Gateway mode: nothing arrives over HTTP then.
    verifier: Option<Verifier>,
    wake: Arc<Notify>,
    /// user id → DM channel id, so each DM costs one request, not two.
    dm_channels: Mutex<HashMap<String, String>>,
}

fn decode_key(hex: &str) -> anyhow::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    anyhow::ensure!(
        hex.len() == 64,
        "DISCORD_PUBLIC_KEY must be 64 hex characters"
    );
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .map_err(|_| anyhow::anyhow!("DISCORD_PUBLIC_KEY is not hex"))?;
    }
    Ok(key)
}

impl Discord {
    pub fn new(app: App, config: DiscordConfig, wake: Arc<Notify>) -> anyhow::Result<Discord> {
        let verifier =
            match config.public_key.as_deref().filter(|_| !config.gateway) {
                Some(key) => Some(Verifier::try_new(decode_key(key)?).map_err(|_| {
                    anyhow::anyhow!("DISCORD_PUBLIC_KEY is not a valid Ed25519 key")
                })?),
                None => None,
            };
        let rest = Rest::new(&config.api_url, config.bot_token.clone())?;
        Ok(Discord {
            inner: Arc::new(Inner {
                app,
                rest,
                config,
                verifier,
                wake,
                dm_channels: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn app(&self) -> &App {
        &self.inner.app
    }

    pub fn rest(&self) -> &Rest {
        &self.inner.rest
    }

    pub fn config(&self) -> &DiscordConfig {
        &self.inner.config
    }

    /// The transport the dispatcher uses for Discord guilds.
    pub fn transport(&self) -> DiscordTransport {
        DiscordTransport::new(self.clone())
    }

    /// The workspace of a guild, created the first time someone there uses `/align`.
    async fn workspace(&self, guild: &str) -> anyhow::Result<WorkspaceId> {
        self.inner
            .app
            .workspace("discord", guild, &format!("Discord server {guild}"))
            .await
    }

    /// The workspace of a guild that has used Throughline before.
    async fn known_workspace(&self, guild: &str) -> anyhow::Result<Option<WorkspaceId>> {
        self.inner.app.store.find_workspace("discord", guild).await
    }

    /// Wakes the dispatcher: a change queued something.
    fn after_change(&self) {
        self.inner.wake.notify_one();
    }
}

/// What the bot needs in a server: View Channel, Send Messages and Embed Links, for the
/// digest and agenda in the leadership channel (DMs need no server permission).
pub const INVITE_PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 14);

/// The URL that adds the bot, and its commands, to a server.
pub fn invite_url(application_id: &str) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}\
         &scope=bot%20applications.commands&permissions={INVITE_PERMISSIONS}"
    )
}

/// `throughline discord register`: installs the commands; returns how many subcommands
/// `/align` has.
pub async fn register(args: &crate::config::RegisterArgs) -> anyhow::Result<usize> {
    let rest = Rest::new(&args.api_url, args.bot_token.clone())?;
    let commands = all_commands();
    rest.overwrite_commands(&args.application_id, args.guild.as_deref(), &commands)
        .await
        .map_err(|e| anyhow::anyhow!("Discord refused the commands: {e}"))?;
    Ok(table::GROUPS.iter().map(|g| g.subs.len()).sum::<usize>() + table::SUBS.len())
}

pub fn router(discord: Discord) -> Router {
    Router::new()
        .route("/discord/interactions", post(interaction))
        .route_layer(from_fn_with_state(discord.clone(), verify::signed))
        .with_state(discord)
}

async fn interaction(State(discord): State<Discord>, body: Bytes) -> Response {
    match serde_json::from_slice(&body) {
        Ok(v) => axum::Json(interactions::handle(&discord, v).await).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "malformed interaction").into_response(),
    }
}
