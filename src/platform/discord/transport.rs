//! Delivery to Discord: DMs (open the DM channel, then post) and channel posts for the
//! digest and agenda. A DM Discord refuses (the person blocks DMs from server members) is
//! posted in the leadership channel instead, mentioning only that person.

use chrono::Duration;
use serde_json::json;

use super::embeds as render;
use crate::message::{MessageRef, Op};
use crate::notify::{Delivery, DeliveryError, Target, Transport};

use super::{Discord, RestError};

pub struct DiscordTransport {
    discord: Discord,
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A channel setting made with the channel option is `#<id>`.
fn channel_id(setting: &str) -> Result<&str, RestError> {
    let id = setting.trim_start_matches('#');
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(RestError::Permanent(format!(
            "'{setting}' is not a Discord channel; choose it with /align settings name:channel channel:#…"
        )))
    }
}

/// The nonce of outbox row `row`: at most 25 characters, as Discord requires.
fn nonce(row: i64) -> String {
    format!("tl{row}")
}

impl DiscordTransport {
    pub fn new(discord: Discord) -> Self {
        DiscordTransport { discord }
    }

    async fn dm_channel(&self, user: &str) -> Result<String, RestError> {
        if let Some(c) = lock(&self.discord.inner.dm_channels).get(user) {
            return Ok(c.clone());
        }
        let channel = self.discord.rest().dm_channel(user).await?;
        lock(&self.discord.inner.dm_channels).insert(user.to_string(), channel.clone());
        Ok(channel)
    }

    async fn leadership_channel(&self, d: &Delivery) -> Result<String, RestError> {
        let store = &self.discord.app().store;
        let settings = store.settings(d.workspace_id).await;
        let settings = settings.map_err(|e| RestError::Transient {
            reason: format!("{e:#}"),
            retry_after: None,
        })?;
        channel_id(&settings.channel).map(str::to_string)
    }

    async fn send(&self, d: &Delivery) -> Result<Option<MessageRef>, RestError> {
        let guild = &d.workspace_external_id;
        let mut body = render::message(&d.message, guild);
        // A resend of this row within Discord's window returns the message it already has
        // instead of posting another.
        if d.op != Op::Edit {
            body["nonce"] = json!(nonce(d.row_id));
            body["enforce_nonce"] = json!(true);
        }
        match (d.op, &d.parent) {
            (Op::Edit, Some(parent)) => {
                return self
                    .discord
                    .rest()
                    .edit_message(parent, &body)
                    .await
                    .map(|()| None);
            }
            (Op::Reply, Some(parent)) => {
                // DMs have no threads: a reply to the episode's message stands for one.
                body["message_reference"] =
                    json!({ "message_id": parent.id, "fail_if_not_exists": false });
                let rest = self.discord.rest();
                return rest
                    .post_message(&parent.channel, &body)
                    .await
                    .map(|_| None);
            }
            _ => {}
        }
        let user = match &d.target {
            Target::Channel(c) => {
                let rest = self.discord.rest();
                return rest.post_message(channel_id(c)?, &body).await.map(Some);
            }
            Target::Person { external_id, .. } => external_id,
        };
        let refused = match self.dm_channel(user).await {
            Ok(channel) => match self.discord.rest().post_message(&channel, &body).await {
                Err(RestError::DmRefused) => true,
                other => return other.map(Some),
            },
            Err(RestError::DmRefused) => true,
            Err(e) => return Err(e),
        };
        debug_assert!(refused);
        // The person keeps hearing about it, in the open, pinged by name and nobody else.
        let channel = self.leadership_channel(d).await?;
        let mut fallback = body;
        fallback["content"] = json!(format!(
            "<@{user}>, Throughline could not send you a direct message (Discord refused it). \
             Allow direct messages from this server's members to get these privately."
        ));
        fallback["allowed_mentions"] = json!({ "parse": [], "users": [user] });
        let landed = self
            .discord
            .rest()
            .post_message(&channel, &fallback)
            .await?;
        tracing::warn!(user = %user, guild = %guild, "a DM was refused; posted in the leadership channel instead");
        Ok(Some(landed))
    }
}

impl Transport for DiscordTransport {
    async fn deliver(&self, d: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
        if d.platform != "discord" {
            return Err(DeliveryError::Permanent(format!(
                "no transport for platform '{}'",
                d.platform
            )));
        }
        self.send(d).await.map_err(|e| match e {
            RestError::Transient {
                reason,
                retry_after,
            } => DeliveryError::Transient {
                reason,
                retry_after: retry_after.and_then(|r| Duration::from_std(r).ok()),
            },
            other => DeliveryError::Permanent(other.to_string()),
        })
    }
}
