//! The Slack Web API, through slack-morphism's client: the few methods the bot calls, with
//! Slack's failures sorted into "try again later" and "trying again cannot help".

use std::sync::Arc;
use std::time::Duration;

use crate::message::MessageRef;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// The `event_type` of the metadata every message carries: its outbox row, so a resend after
/// a crash can find the copy Slack already has.
pub const MARKER_EVENT: &str = "throughline_notification";

/// The metadata that marks a message as outbox row `row`.
pub fn marker(row: i64) -> Value {
    json!({ "event_type": MARKER_EVENT, "event_payload": { "outbox_id": row } })
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Rate limited, a server error, a network failure: worth retrying.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// The request itself cannot succeed (no such channel, token revoked, …).
    Permanent(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Transient { reason, .. } => write!(f, "{reason} (will retry)"),
            ApiError::Permanent(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for ApiError {}

/// Slack error codes that no retry can fix.
const PERMANENT: &[&str] = &[
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "missing_scope",
    "user_not_found",
    "users_not_found",
    "user_disabled",
    "cannot_dm_bot",
    "restricted_action",
    "msg_too_long",
    "invalid_blocks",
    "no_text",
    "invalid_arguments",
    "expired_trigger_id",
    "invalid_trigger_id",
    "not_allowed_token_type",
    "invalid_code",
    "bad_redirect_uri",
    "oauth_authorization_url_mismatch",
];

fn classify(e: SlackClientError) -> ApiError {
    match e {
        SlackClientError::RateLimitError(r) => ApiError::Transient {
            reason: "rate limited by Slack".into(),
            retry_after: r.retry_after,
        },
        SlackClientError::ApiError(a) if PERMANENT.contains(&a.code.as_str()) => {
            ApiError::Permanent(a.code)
        }
        SlackClientError::ApiError(a) => ApiError::Transient {
            reason: a.code,
            retry_after: None,
        },
        SlackClientError::HttpError(h) if h.status_code.is_client_error() => {
            ApiError::Permanent(format!("HTTP {}", h.status_code))
        }
        other => ApiError::Transient {
            reason: other.to_string(),
            retry_after: None,
        },
    }
}

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    base: String,
    /// For `response_url`, which slack-morphism would log in full.
    plain: reqwest::Client,
}

/// A user as `users.info` describes them.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackUser {
    pub id: String,
    pub name: String,
    pub time_zone: Option<String>,
    pub admin: bool,
    pub deleted: bool,
}

impl SlackUser {
    pub fn from_json(u: &Value) -> Option<SlackUser> {
        let flag = |k: &str| u[k].as_bool().unwrap_or(false);
        let profile = &u["profile"];
        let name = [
            profile["display_name"].as_str(),
            profile["real_name"].as_str(),
            u["real_name"].as_str(),
            u["name"].as_str(),
        ]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
        .unwrap_or_default();
        Some(SlackUser {
            id: u["id"].as_str()?.to_string(),
            name: name.trim().to_string(),
            time_zone: u["tz"].as_str().map(str::to_string),
            admin: flag("is_admin") || flag("is_owner") || flag("is_primary_owner"),
            deleted: flag("deleted"),
        })
    }
}

/// What `oauth.v2.access` grants.
pub struct Grant {
    pub team_id: String,
    pub team_name: String,
    pub enterprise_id: Option<String>,
    pub bot_user_id: String,
    pub scopes: String,
    pub token: SecretString,
}

impl SlackApi {
    /// A client for `api_url` (https in production; plain http is allowed for local endpoints).
    pub fn new(api_url: &str) -> anyhow::Result<SlackApi> {
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = match builder.with_native_roots() {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "no system TLS certificates found; only http endpoints will work");
                hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(rustls_config_without_roots())
            }
        };
        let https = builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let connector = SlackClientHyperConnector::with_connector(https)
            .with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(SlackApi {
            client: Arc::new(SlackClient::new(connector)),
            base: api_url.trim_end_matches('/').to_string(),
            plain: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()?,
        })
    }

    /// Where the Web API is (for error messages).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn post(
        &self,
        token: &SecretString,
        method: &str,
        body: &Value,
    ) -> Result<Value, ApiError> {
        let token = api_token(token);
        let session = self.client.open_session(&token);
        answered(session.http_session_api.http_post(method, body, None)).await
    }

    pub async fn auth_test(
        &self,
        token: &SecretString,
    ) -> Result<(String, String, String), ApiError> {
        let r = self.post(token, "auth.test", &json!({})).await?;
        let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
        Ok((s("team_id"), s("team"), s("user_id")))
    }

    pub async fn user(&self, token: &SecretString, user: &str) -> Result<SlackUser, ApiError> {
        let token = api_token(token);
        let session = self.client.open_session(&token);
        let r: Value = answered(session.http_session_api.http_get(
            "users.info",
            &[("user", Some(user))],
            None,
        ))
        .await?;
        SlackUser::from_json(&r["user"])
            .ok_or_else(|| ApiError::Permanent("users.info returned no user".into()))
    }

    /// Opens (or finds) the DM channel with a user.
    pub async fn open_dm(&self, token: &SecretString, user: &str) -> Result<String, ApiError> {
        let r = self
            .post(token, "conversations.open", &json!({ "users": user }))
            .await?;
        r["channel"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ApiError::Transient {
                reason: "conversations.open returned no channel".into(),
                retry_after: None,
            })
    }

    /// Posts blocks and fallback text; user text is escaped by the renderer, and neither
    /// `link_names` nor `parse=full` is ever sent.
    /// Returns where it landed: the channel and the message's `ts`.
    pub async fn post_message(
        &self,
        token: &SecretString,
        channel: &str,
        message: &Value,
    ) -> Result<MessageRef, ApiError> {
        let mut body = message.clone();
        body["channel"] = json!(channel);
        let r = self.post(token, "chat.postMessage", &body).await?;
        Ok(MessageRef {
            channel: r["channel"].as_str().unwrap_or(channel).to_string(),
            id: r["ts"].as_str().unwrap_or_default().to_string(),
        })
    }

    /// Replaces a message the bot posted (`chat.update`), keeping its place in the conversation.
    pub async fn update_message(
        &self,
        token: &SecretString,
        at: &MessageRef,
        message: &Value,
    ) -> Result<(), ApiError> {
        let mut body = message.clone();
        body["channel"] = json!(at.channel);
        body["ts"] = json!(at.id);
        self.post(token, "chat.update", &body).await.map(drop)
    }

    pub async fn open_view(
        &self,
        token: &SecretString,
        trigger_id: &str,
        view: &Value,
    ) -> Result<(), ApiError> {
        self.post(
            token,
            "views.open",
            &json!({ "trigger_id": trigger_id, "view": view }),
        )
        .await
        .map(drop)
    }

    pub async fn publish_home(
        &self,
        token: &SecretString,
        user: &str,
        view: &Value,
    ) -> Result<(), ApiError> {
        self.post(
            token,
            "views.publish",
            &json!({ "user_id": user, "view": view }),
        )
        .await
        .map(drop)
    }

    /// Answers through a slash command's or an interaction's `response_url`. It goes through
    /// a plain client that logs nothing: the URL is a bearer secret for thirty minutes.
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), ApiError> {
        let url: url::Url = response_url
            .parse()
            .map_err(|_| ApiError::Permanent("response_url is not a URL".into()))?;
        let res =
            self.plain
                .post(url)
                .json(body)
                .send()
                .await
                .map_err(|e| ApiError::Transient {
                    reason: format!("Slack unreachable: {}", e.without_url()),
                    retry_after: None,
                })?;
        match res.status() {
            s if s.is_success() => Ok(()),
            s if s.is_server_error() || s.as_u16() == 429 => Err(ApiError::Transient {
                reason: format!("response_url answered {s}"),
                retry_after: None,
            }),
            s => Err(ApiError::Permanent(format!("response_url answered {s}"))),
        }
    }

    /// The message in `channel` (or in the thread of `thread`) that carries the marker of
    /// outbox row `row`, posted since `since`: a resend finds the copy Slack already has.
    pub async fn find_marked(
        &self,
        token: &SecretString,
        channel: &str,
        thread: Option<&str>,
        since: chrono::DateTime<chrono::Utc>,
        row: i64,
    ) -> Result<Option<MessageRef>, ApiError> {
        // Ten minutes' margin for the difference between our clock and Slack's.
        let oldest = format!("{}.000000", since.timestamp() - 600);
        let mut query = vec![
            ("channel", Some(channel)),
            ("oldest", Some(oldest.as_str())),
            ("include_all_metadata", Some("true")),
            ("limit", Some("100")),
        ];
        let method = match thread {
            Some(ts) => {
                query.push(("ts", Some(ts)));
                "conversations.replies"
            }
            None => "conversations.history",
        };
        let token = api_token(token);
        let session = self.client.open_session(&token);
        let r: Value = answered(session.http_session_api.http_get(method, &query, None)).await?;
        let found = r["messages"].as_array().into_iter().flatten().find(|m| {
            m["metadata"]["event_type"] == MARKER_EVENT
                && m["metadata"]["event_payload"]["outbox_id"] == row
        });
        Ok(found.map(|m| MessageRef {
            channel: channel.to_string(),
            id: m["ts"].as_str().unwrap_or_default().to_string(),
        }))
    }

    /// Socket Mode: a WebSocket URL to connect to, asked with the app-level token.
    pub async fn connections_open(&self, app_token: &SecretString) -> Result<String, ApiError> {
        let r = self
            .post(app_token, "apps.connections.open", &json!({}))
            .await?;
        r["url"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ApiError::Transient {
                reason: "apps.connections.open returned no URL".into(),
                retry_after: None,
            })
    }

    /// Exchanges an OAuth code for a bot token.
    pub async fn oauth_access(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        code: &str,
        redirect_uri: &str,
    ) -> Result<Grant, ApiError> {
        let req = SlackOAuthV2AccessTokenRequest::new(
            client_id.to_string().into(),
            client_secret.expose_secret().to_string().into(),
            code.to_string().into(),
        )
        .with_redirect_uri(
            redirect_uri
                .parse()
                .map_err(|_| ApiError::Permanent("PUBLIC_URL does not form a valid URL".into()))?,
        );
        let r = self.client.oauth2_access(&req).await.map_err(classify)?;
        Ok(Grant {
            team_id: r.team.id.to_string(),
            team_name: r.team.name.clone().unwrap_or_default(),
            enterprise_id: None,
            bot_user_id: r
                .bot_user_id
                .map(|u| u.to_string())
                .ok_or_else(|| ApiError::Permanent("the grant has no bot user".into()))?,
            scopes: r.scope.to_string(),
            token: SecretString::from(r.access_token.to_string()),
        })
    }
}

/// How long a Web API call may take: an answer that never comes must not hold a delivery
/// (or a command) forever. A call that timed out may still have worked; resends check.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

async fn answered<T>(
    call: impl std::future::Future<Output = Result<T, SlackClientError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(r) => r.map_err(classify),
        Err(_) => Err(ApiError::Transient {
            reason: format!("Slack did not answer within {} s", CALL_TIMEOUT.as_secs()),
            retry_after: None,
        }),
    }
}

fn api_token(token: &SecretString) -> SlackApiToken {
    SlackApiToken::new(token.expose_secret().to_string().into())
}

fn rustls_config_without_roots() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}
