//! The few Discord REST calls the bot makes, with Discord's failures sorted into "try again
//! later" (with its `retry_after`) and "trying again cannot help". serenity's own HTTP client
//! drops `retry_after` from a 429 and its rate limiter ignores a custom base URL, so this thin
//! client keeps both in our hands: a route whose bucket is empty rests until Discord resets
//! it, and a 429 carries its `retry_after` to the outbox.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use crate::message::MessageRef;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::time::Instant;

/// Discord's JSON error code for "Cannot send messages to this user".
const CANNOT_DM: i64 = 50007;

#[derive(Debug, Clone, PartialEq)]
pub enum RestError {
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The person does not accept DMs from server members.
    DmRefused,
    Permanent(String),
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestError::Transient { reason, .. } => write!(f, "{reason} (will retry)"),
            RestError::DmRefused => f.write_str("the person does not accept direct messages"),
            RestError::Permanent(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for RestError {}

pub struct Rest {
    http: reqwest::Client,
    base: String,
    token: SecretString,
    /// Discord's global limit is 50 requests a second per bot.
    global: DefaultDirectRateLimiter,
    /// About five messages per five seconds per channel.
    per_channel: DefaultKeyedRateLimiter<String>,
    /// Routes whose bucket Discord said is used up, and until when.
    exhausted: Mutex<HashMap<String, Instant>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long a route must rest when Discord's headers say its bucket is empty.
fn bucket_exhausted(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name)?.to_str().ok()?.parse::<f64>().ok();
    if header("x-ratelimit-remaining")? > 0.0 {
        return None;
    }
    header("x-ratelimit-reset-after")
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(60.0)))
}

impl Rest {
    /// A client for `api_url` (`https://discord.com` unless pointed elsewhere).
    pub fn new(api_url: &str, token: SecretString) -> anyhow::Result<Rest> {
        Ok(Rest {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .user_agent(concat!(
                    "DiscordBot (throughline, ",
                    env!("CARGO_PKG_VERSION"),
                    ")"
                ))
                .build()?,
            base: format!("{}/api/v10", api_url.trim_end_matches('/')),
            token,
            global: RateLimiter::direct(Quota::per_second(NonZeroU32::new(50).expect("50 > 0"))),
            per_channel: RateLimiter::keyed(Quota::per_second(NonZeroU32::MIN)),
            exhausted: Mutex::new(HashMap::new()),
        })
    }

    async fn call(&self, method: Method, path: &str, body: &Value) -> Result<Value, RestError> {
        self.global.until_ready().await;
        let route = format!("{method} {path}");
        let paused_until = lock(&self.exhausted).get(&route).copied();
        if let Some(until) = paused_until {
            tokio::time::sleep_until(until).await;
        }
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(
                "authorization",
                format!("Bot {}", self.token.expose_secret()),
            )
            .json(body)
            .send()
            .await
            .map_err(|e| RestError::Transient {
                reason: format!("Discord unreachable: {e}"),
                retry_after: None,
            })?;
        let status = res.status();
        match bucket_exhausted(res.headers()) {
            Some(wait) => {
                let mut exhausted = lock(&self.exhausted);
                let now = Instant::now();
                exhausted.retain(|_, until| *until > now);
                exhausted.insert(route, now + wait);
            }
            None => {
                lock(&self.exhausted).remove(&route);
            }
        }
        let header_wait = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<f64>().ok());
        let text = res.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(json);
        }
        Err(classify(status, &json, header_wait))
    }

    /// Opens (or finds) the DM channel with a user.
    pub async fn dm_channel(&self, user: &str) -> Result<String, RestError> {
        let r = self
            .call(
                Method::POST,
                "/users/@me/channels",
                &json!({ "recipient_id": user }),
            )
            .await?;
        r["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| RestError::Transient {
                reason: "Discord returned no DM channel".into(),
                retry_after: None,
            })
    }

    /// Posts a message; returns where it landed.
    pub async fn post_message(&self, channel: &str, body: &Value) -> Result<MessageRef, RestError> {
        self.per_channel.until_key_ready(&channel.to_string()).await;
        let r = self
            .call(Method::POST, &format!("/channels/{channel}/messages"), body)
            .await?;
        Ok(MessageRef {
            channel: r["channel_id"].as_str().unwrap_or(channel).to_string(),
            id: r["id"].as_str().unwrap_or_default().to_string(),
        })
    }

    /// Replaces a message the bot posted.
    pub async fn edit_message(&self, at: &MessageRef, body: &Value) -> Result<(), RestError> {
        self.per_channel.until_key_ready(&at.channel).await;
        self.call(
            Method::PATCH,
            &format!("/channels/{}/messages/{}", at.channel, at.id),
            body,
        )
        .await
        .map(drop)
    }

    /// Replaces a deferred interaction response with the real answer.
    pub async fn edit_original(
        &self,
        application_id: &str,
        interaction_token: &str,
        body: &Value,
    ) -> Result<(), RestError> {
        self.call(
            Method::PATCH,
            &format!("/webhooks/{application_id}/{interaction_token}/messages/@original"),
            body,
        )
        .await
        .map(drop)
    }

    /// Answers an interaction received over the Gateway (the HTTP endpoint answers in its
    /// response instead).
    pub async fn interaction_callback(
        &self,
        interaction_id: &str,
        interaction_token: &str,
        response: &Value,
    ) -> Result<(), RestError> {
        self.call(
            Method::POST,
            &format!("/interactions/{interaction_id}/{interaction_token}/callback"),
            response,
        )
        .await
        .map(drop)
    }

    /// Installs the commands with a bulk overwrite, globally or in one guild.
    pub async fn overwrite_commands(
        &self,
        application_id: &str,
        guild: Option<&str>,
        commands: &Value,
    ) -> Result<Value, RestError> {
        let path = match guild {
            Some(g) => format!("/applications/{application_id}/guilds/{g}/commands"),
            None => format!("/applications/{application_id}/commands"),
        };
        self.call(Method::PUT, &path, commands).await
    }
}

fn classify(status: StatusCode, body: &Value, header_wait: Option<f64>) -> RestError {
    let code = body["code"].as_i64().unwrap_or_default();
    let message = body["message"].as_str().unwrap_or_default();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let wait = body["retry_after"].as_f64().or(header_wait);
        return RestError::Transient {
            reason: "rate limited by Discord".into(),
            retry_after: wait
                .filter(|w| w.is_finite() && *w >= 0.0)
                .map(Duration::from_secs_f64),
        };
    }
    if status.is_server_error() {
        return RestError::Transient {
            reason: format!("Discord answered {status}"),
            retry_after: None,
        };
    }
    if code == CANNOT_DM {
        return RestError::DmRefused;
    }
    RestError::Permanent(format!("Discord refused: {status} {code} {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_bucket_rests_its_route_until_discord_resets_it() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-reset-after", "1.25".parse().unwrap());
        assert_eq!(bucket_exhausted(&h), Some(Duration::from_millis(1250)));
        h.insert("x-ratelimit-remaining", "3".parse().unwrap());
        assert_eq!(bucket_exhausted(&h), None);
        assert_eq!(bucket_exhausted(&HeaderMap::new()), None);
    }

    #[test]
    fn failures_are_sorted_by_what_a_retry_can_do() {
        let limited = classify(
            StatusCode::TOO_MANY_REQUESTS,
            &json!({ "message": "You are being rate limited.", "retry_after": 1.5, "global": false }),
            Some(2.0),
        );
        assert_eq!(
            limited,
            RestError::Transient {
                reason: "rate limited by Discord".into(),
                retry_after: Some(Duration::from_millis(1500)),
            }
        );
        assert!(matches!(
            classify(StatusCode::BAD_GATEWAY, &Value::Null, None),
            RestError::Transient { .. }
        ));
        assert_eq!(
            classify(
                StatusCode::FORBIDDEN,
                &json!({ "code": 50007, "message": "Cannot send messages to this user" }),
                None
            ),
            RestError::DmRefused
        );
        assert!(matches!(
            classify(
                StatusCode::NOT_FOUND,
                &json!({ "code": 10003, "message": "Unknown Channel" }),
                None
            ),
            RestError::Permanent(_)
        ));
    }
}
