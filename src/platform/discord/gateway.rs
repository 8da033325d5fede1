//! The Gateway, for a server with no public URL: serenity keeps the WebSocket to Discord, and
//! each interaction it receives goes through the very handler the HTTP endpoint uses; the
//! answer is posted to the interaction's callback instead of returned in an HTTP response.

use secrecy::ExposeSecret;
use serenity::all::{Context, EventHandler, GatewayIntents, Interaction, Ready};
use serenity::async_trait;

use super::{Discord, interactions};

struct Handler {
    discord: Discord,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        tracing::info!(
            guilds = ready.guilds.len(),
            "connected to the Discord Gateway"
        );
    }

    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        if let Err(e) = answer(&self.discord, &interaction).await {
            tracing::warn!(error = %e, "answering a Gateway interaction failed");
        }
    }
}

/// Runs one Gateway interaction and posts its answer to Discord.
pub async fn answer(discord: &Discord, interaction: &Interaction) -> anyhow::Result<()> {
    let mut body = serde_json::to_value(interaction)?;
    // serenity keeps the interaction's type in its enum, not in the serialized struct.
    body["type"] = serde_json::json!(u8::from(interaction.kind()));
    let (id, token) = (
        body["id"].as_str().unwrap_or_default().to_string(),
        body["token"].as_str().unwrap_or_default().to_string(),
    );
    let response = interactions::handle(discord, body).await;
    discord
        .rest()
        .interaction_callback(&id, &token, &response)
        .await?;
    Ok(())
}

/// Connects to the Gateway and serves interactions until the process ends; serenity
/// reconnects and resumes on its own.
pub async fn run(discord: Discord) -> anyhow::Result<()> {
    // Interactions need no privileged intents, nor any intent at all.
    let token = discord.config().bot_token.expose_secret().to_string();
    let mut client = serenity::Client::builder(token, GatewayIntents::empty())
        .event_handler(Handler { discord })
        .await?;
    client.start().await?;
    Ok(())
}
