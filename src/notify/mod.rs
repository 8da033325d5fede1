//! The outbox dispatcher: claims due notifications, hands them to a transport, and records
//! the outcome. Retries with backoff; gives up (and says so) on permanent failures.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use crate::message::{Message, MessageRef, Op, Tone};
use crate::store::{Conn, Store, WorkspaceId, outbox, people};

/// Attempts before a notification that keeps failing is given up.
pub const MAX_ATTEMPTS: i32 = 12;
const LEASE_SECONDS: i64 = 60;
const BATCH: i64 = 50;

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Person { external_id: String, handle: String },
    Channel(String),
}

#[derive(Debug, Clone)]
pub struct Delivery {
    pub workspace_id: WorkspaceId,
    pub platform: String,
    pub workspace_external_id: String,
    /// Stable across retries: transports may use it to deduplicate.
    pub dedupe_key: String,
    pub target: Target,
    pub message: Message,
    pub created_at: DateTime<Utc>,
    pub op: Op,
    /// For an edit or a threaded line: the episode's first message.
    pub parent: Option<MessageRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryError {
    /// Try again later (after the given time, if the platform said).
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Trying again cannot help (the channel is gone, the user blocks the bot).
    Permanent(String),
}

pub trait Transport: Send + Sync {
    /// Delivers one message; a new post says where it landed, so it can be edited later.
    fn deliver(
        &self,
        d: &Delivery,
    ) -> impl Future<Output = Result<Option<MessageRef>, DeliveryError>> + Send;
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Tells the workspace's admins, once a day per channel, that the bot cannot post there:
/// retrying cannot help until someone fixes the channel or the setting.
async fn report_unreachable_channel(
    conn: &mut Conn,
    ws: WorkspaceId,
    channel: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let message = Message::new(
        Tone::Red,
        format!("I cannot post to {channel}, so the leadership digest and agenda are not arriving"),
    )
    .lines(
        "Why",
        vec![format!("The platform refused the message: {reason}.")],
    )
    .lines(
        "To fix it",
        vec![
            format!("Invite the bot to {channel}, or"),
            "choose another channel: /align settings channel #another-channel".into(),
        ],
    );
    for admin in people::all(conn, ws)
        .await?
        .iter()
        .filter(|p| p.is_admin && p.active)
    {
        let n = outbox::NewNotification::now(
            format!(
                "channel-unreachable:{channel}:{}:{}",
                now.date_naive(),
                admin.id
            ),
            outbox::Recipient::Person(admin.id),
            &message,
            now,
        );
        outbox::enqueue(conn, ws, n, now).await?;
    }
    Ok(())
}

fn backoff(attempts: i32) -> Duration {
    Duration::seconds((5_i64 << attempts.clamp(0, 10)).min(3600))
}

/// Delivers everything due at `now`; call it in a loop, or step it from tests.
pub async fn dispatch_pending<T: Transport>(
    store: &Store,
    transport: &T,
    now: DateTime<Utc>,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    loop {
        let claimed = {
            let mut conn = store.pool.acquire().await?;
            outbox::claim(&mut conn, now, Duration::seconds(LEASE_SECONDS), BATCH).await?
        };
        if claimed.is_empty() {
            return Ok(report);
        }
        for c in claimed {
            let target = match (&c.person_external_id, &c.channel) {
                (Some(id), _) => Target::Person {
                    external_id: id.clone(),
                    handle: c.person_handle.clone().unwrap_or_default(),
                },
                (None, Some(ch)) => Target::Channel(ch.clone()),
                (None, None) => anyhow::bail!("outbox row {} has no recipient", c.id),
            };
            let op = Op::parse(&c.op).unwrap_or(Op::Post);
            let d = Delivery {
                workspace_id: c.workspace_id,
                platform: c.platform.clone(),
                workspace_external_id: c.workspace_external_id.clone(),
                dedupe_key: c.dedupe_key.clone(),
                target,
                message: c.message.0.clone(),
                created_at: c.created_at,
                op,
                parent: c.episode_ref.as_ref().map(|r| r.0.clone()),
            };
            let mut conn = store.pool.acquire().await?;
            match transport.deliver(&d).await {
                Ok(landed) => {
                    outbox::delivered(&mut conn, c.workspace_id, c.id, landed.as_ref(), now)
                        .await?;
                    report.delivered += 1;
                }
                Err(DeliveryError::Transient { reason, .. }) if c.attempts >= MAX_ATTEMPTS => {
                    tracing::warn!(id = c.id, %reason, "giving up on a notification after {MAX_ATTEMPTS} attempts");
                    outbox::give_up(&mut conn, c.workspace_id, c.id, &reason).await?;
                    report.failed += 1;
                }
                Err(DeliveryError::Transient {
                    reason,
                    retry_after,
                }) => {
                    let at = now + retry_after.unwrap_or_else(|| backoff(c.attempts));
                    outbox::retry_at(&mut conn, c.workspace_id, c.id, at, &reason).await?;
                    report.retried += 1;
                }
                Err(DeliveryError::Permanent(reason)) => {
                    tracing::warn!(id = c.id, %reason, "notification cannot be delivered");
                    let mut tx = store.begin().await?;
                    outbox::give_up(&mut tx, c.workspace_id, c.id, &reason).await?;
                    if let Target::Channel(channel) = &d.target {
                        report_unreachable_channel(&mut tx, c.workspace_id, channel, &reason, now)
                            .await?;
                    }
                    tx.commit().await?;
                    report.failed += 1;
                }
            }
        }
    }
}
