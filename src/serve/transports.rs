//! One transport for the one dispatcher: each row goes to its own platform's.

use crate::message::MessageRef;
use crate::notify::{Delivery, DeliveryError, Transport};
use crate::platform::discord::DiscordTransport;
use crate::platform::slack::SlackTransport;

pub struct Transports {
    pub slack: Option<SlackTransport>,
    pub discord: Option<DiscordTransport>,
}

impl Transports {
    /// The platforms this process can deliver to: a replica leaves other rows to others.
    pub fn platforms(&self) -> Vec<String> {
        let slack = self.slack.as_ref().map(|_| "slack".to_string());
        let discord = self.discord.as_ref().map(|_| "discord".to_string());
        slack.into_iter().chain(discord).collect()
    }
}

impl Transport for Transports {
    async fn deliver(&self, d: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
        match (d.platform.as_str(), &self.slack, &self.discord) {
            ("slack", Some(t), _) => t.deliver(d).await,
            ("discord", _, Some(t)) => t.deliver(d).await,
            // The dispatcher claims only the platforms configured here (`platforms`).
            (platform, _, _) => Err(DeliveryError::Permanent(format!(
                "no transport for platform '{platform}' is configured"
            ))),
        }
    }
}
