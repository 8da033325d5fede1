//! Delivery to Slack: DMs through `conversations.open` + `chat.postMessage`, channel posts
//! for the digest and agenda, about one message per second per channel.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

use chrono::Duration;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use serde_json::json;

use super::blocks;
use crate::message::{MessageRef, Op};
use crate::notify::{Delivery, DeliveryError, Target, Transport};

use super::api::ApiError;
use super::{Slack, Team};

/// Slack's own pace for `chat.postMessage`: about one message per second per channel.
pub struct Pacing {
    per_channel: DefaultKeyedRateLimiter<String>,
    dm_channels: Mutex<HashMap<(String, String), String>>,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            per_channel: RateLimiter::keyed(Quota::per_second(NonZeroU32::MIN)),
            dm_channels: Mutex::new(HashMap::new()),
        }
    }
}

pub struct SlackTransport {
    slack: Slack,
}

impl SlackTransport {
    pub fn new(slack: Slack) -> Self {
        SlackTransport { slack }
    }

    async fn dm_channel(&self, team: &Team, user: &str) -> Result<String, ApiError> {
        let pacing = &self.slack.inner.pacing;
        let key = (team.team_id.clone(), user.to_string());
        if let Some(c) = lock(&pacing.dm_channels).get(&key) {
            return Ok(c.clone());
        }
        let channel = self.slack.api().open_dm(&team.token, user).await?;
        lock(&pacing.dm_channels).insert(key, channel.clone());
        Ok(channel)
    }

    async fn send(&self, team: &Team, d: &Delivery) -> Result<Option<MessageRef>, ApiError> {
        let channel = match (&d.parent, &d.target) {
            (Some(parent), _) => parent.channel.clone(),
            (None, Target::Person { external_id, .. }) => {
                self.dm_channel(team, external_id).await?
            }
            (None, Target::Channel(c)) => c.clone(),
        };
        let pacing = &self.slack.inner.pacing;
        pacing
            .per_channel
            .until_key_ready(&format!("{}:{channel}", team.team_id))
            .await;
        let mut body = blocks::chat_message(&d.message);
        let api = self.slack.api();
        if let (Op::Edit, Some(parent)) = (d.op, &d.parent) {
            return api
                .update_message(&team.token, parent, &body)
                .await
                .map(|()| None);
        }
        let thread = d.parent.as_ref().filter(|_| d.op == Op::Reply);
        if d.resend {
            // Slack may have taken it before the outcome was recorded (a crash, a timeout):
            // the copy it has carries this row's marker.
            let thread_ts = thread.map(|p| p.id.as_str());
            let earlier = match api
                .find_marked(&team.token, &channel, thread_ts, d.created_at, d.row_id)
                .await
            {
                Ok(found) => found,
                Err(e @ ApiError::Transient { .. }) => return Err(e),
                // A channel named rather than identified cannot be searched: send it.
                Err(ApiError::Permanent(reason)) => {
                    tracing::warn!(id = d.row_id, %reason, "could not look for an earlier copy");
                    None
                }
            };
            if let Some(landed) = earlier {
                tracing::info!(
                    id = d.row_id,
                    "Slack already had this message; not sending it again"
                );
                return Ok(thread.is_none().then_some(landed));
            }
        }
        body["metadata"] = super::api::marker(d.row_id);
        if let Some(parent) = thread {
            // One short line in the thread of the episode's message.
            body["thread_ts"] = json!(parent.id);
            return api
                .post_message(&team.token, &channel, &body)
                .await
                .map(|_| None);
        }
        api.post_message(&team.token, &channel, &body)
            .await
            .map(Some)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Transport for SlackTransport {
    async fn deliver(&self, d: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
        if d.platform != "slack" {
            return Err(DeliveryError::Permanent(format!(
                "no transport for platform '{}'",
                d.platform
            )));
        }
        let team = match self.slack.team(&d.workspace_external_id).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                return Err(DeliveryError::Permanent(format!(
                    "the bot is not installed in Slack team {}",
                    d.workspace_external_id
                )));
            }
            Err(e) => {
                return Err(DeliveryError::Transient {
                    reason: format!("{e:#}"),
                    retry_after: None,
                });
            }
        };
        self.send(&team, d).await.map_err(|e| match e {
            ApiError::Transient {
                reason,
                retry_after,
            } => DeliveryError::Transient {
                reason,
                retry_after: retry_after.and_then(|r| Duration::from_std(r).ok()),
            },
            ApiError::Permanent(reason) => DeliveryError::Permanent(reason),
        })
    }
}
