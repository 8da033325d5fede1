//! Socket Mode, for teams behind a firewall: Throughline dials out to Slack over a WebSocket
//! (its URL from `apps.connections.open`, asked with the app-level token) and Slack sends the
//! same payloads it would POST in HTTP mode, each in an envelope that must be acknowledged.
//! They go to the same handlers as HTTP; an answer rides in the acknowledgement.
//!
//! slack-morphism's Socket Mode listener hands out typed events, while the handlers take
//! Slack's JSON as it arrives; this thin client over tokio-tungstenite feeds them directly.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep, timeout};
use tokio_tungstenite::tungstenite::Message;

use crate::observe::in_span;

use super::api::ApiError;
use super::commands::SlashCommand;
use super::{Slack, commands, events, interactions};

/// Waits between failed connection attempts: doubling from the first to the last.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A silent connection is probed this often, and given up after `SILENCE_LIMIT`.
const PROBE_EVERY: Duration = Duration::from_secs(20);
const SILENCE_LIMIT: Duration = Duration::from_secs(65);
/// How long a closing connection waits for the answers still being worked on.
const DRAIN_FOR: Duration = Duration::from_secs(3);

/// Keeps one Socket Mode connection open for as long as the process runs.
pub async fn run(slack: Slack, app_token: SecretString) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        match connect_once(&slack, &app_token).await {
            Ok(Ended::Refresh) => {
                backoff = FIRST_BACKOFF;
                continue;
            }
            Ok(Ended::Lost) => tracing::warn!("the Socket Mode connection was lost"),
            Err(ConnectError::Refused(e)) => tracing::error!(
                error = %e,
                "Slack refused to open a Socket Mode connection; check SLACK_APP_TOKEN \
                 (scope connections:write) and that Socket Mode is enabled for the app"
            ),
            Err(ConnectError::Failed(e)) => {
                tracing::warn!(error = %e, "Socket Mode connection failed")
            }
        }
        sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

enum Ended {
    /// Slack asked for a new connection (it rotates them every few hours).
    Refresh,
    /// The connection closed or went silent.
    Lost,
}

enum ConnectError {
    /// Slack will not open a connection with this token: retrying slowly, loudly.
    Refused(ApiError),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for ConnectError {
    fn from(e: E) -> Self {
        ConnectError::Failed(e.into())
    }
}

async fn connect_once(slack: &Slack, app_token: &SecretString) -> Result<Ended, ConnectError> {
    let url = match slack.api().connections_open(app_token).await {
        Ok(url) => url,
        Err(e @ ApiError::Permanent(_)) => return Err(ConnectError::Refused(e)),
        Err(e) => return Err(ConnectError::Failed(e.into())),
    };
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
    let (mut outbound, mut inbound) = socket.split();
    let (acks, mut ready) = mpsc::unbounded_channel::<String>();
    let mut probe = interval(PROBE_EVERY);
    let mut heard = Instant::now();
    let ended = loop {
        tokio::select! {
            Some(ack) = ready.recv() => outbound.send(Message::text(ack)).await?,
            frame = inbound.next() => {
                heard = Instant::now();
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(ended) = on_frame(slack, &text, &acks) {
                            break ended;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => break Ended::Lost,
                    // Slack's pings are answered by tungstenite itself.
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e.into()),
                }
            }
            _ = probe.tick() => {
                if heard.elapsed() > SILENCE_LIMIT {
                    break Ended::Lost;
                }
                outbound.send(Message::Ping(Vec::new().into())).await?;
            }
        }
    };
    // Answers already being worked on still go out on this connection, as Slack expects.
    drop(acks);
    let _ = timeout(DRAIN_FOR, async {
        while let Some(ack) = ready.recv().await {
            if outbound.send(Message::text(ack)).await.is_err() {
                break;
            }
        }
    })
    .await;
    let _ = outbound.close().await;
    Ok(ended)
}

/// Acts on one frame; `Some` when the connection should end.
fn on_frame(slack: &Slack, text: &str, acks: &mpsc::UnboundedSender<String>) -> Option<Ended> {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        tracing::warn!("Slack sent a Socket Mode frame that is not JSON");
        return None;
    };
    match frame["type"].as_str() {
        Some("hello") => {
            tracing::info!(connections = %frame["num_connections"], "connected to Slack in Socket Mode");
            None
        }
        Some("disconnect") => {
            tracing::info!(reason = %frame["reason"], "Slack asked for a new Socket Mode connection");
            Some(Ended::Refresh)
        }
        _ if frame["envelope_id"].is_string() => {
            let (slack, acks) = (slack.clone(), acks.clone());
            slack.app().tasks.clone().spawn(in_span(async move {
                if let Some(ack) = answer(&slack, frame).await {
                    let _ = acks.send(ack.to_string());
                }
            }));
            None
        }
        other => {
            tracing::debug!(kind = ?other, "ignored a Socket Mode frame");
            None
        }
    }
}

/// Runs an envelope's payload through the HTTP mode handler; the acknowledgement carries its
/// answer. `None` leaves the envelope unacknowledged, so Slack delivers it again.
async fn answer(slack: &Slack, mut envelope: Value) -> Option<Value> {
    let payload = envelope["payload"].take();
    let body = match envelope["type"].as_str() {
        Some("slash_commands") => match serde_json::from_value::<SlashCommand>(payload) {
            Ok(cmd) => commands::handle(slack, cmd).await,
            Err(e) => {
                tracing::warn!(error = %e, "a slash command envelope was malformed");
                None
            }
        },
        Some("interactive") => interactions::handle(slack, payload).await,
        Some("events_api") => events::handle(slack, payload).await.ok()?,
        other => {
            tracing::debug!(kind = ?other, "acknowledged an envelope of a kind not acted on");
            None
        }
    };
    let mut ack = json!({ "envelope_id": envelope["envelope_id"] });
    if let Some(body) = body
        && envelope["accepts_response_payload"] == true
    {
        ack["payload"] = body;
    }
    Some(ack)
}
