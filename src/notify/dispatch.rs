//! The outbox dispatcher: claims due notifications of every platform, hands each to the
//! transport and records the outcome, never holding a database connection across a platform
//! call. Retries with backoff; a platform's "slow down" rests the whole channel; gives up
//! (and says so) on permanent failures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Delivery, DeliveryError, Report, Target, Transport};
use crate::clock::Clock;
use crate::message::{Message, Op, Tone};
use crate::store::outbox::Claimed;
use crate::store::{Conn, Store, WorkspaceId, outbox, people};

/// Attempts before a notification that keeps failing is given up.
pub const MAX_ATTEMPTS: i32 = 12;
/// How long a claim lasts: a crashed dispatcher's rows come back after it.
pub const DEFAULT_LEASE: std::time::Duration = std::time::Duration::from_secs(60);
const BATCH: i64 = 50;
/// Channels delivered to at the same time.
const CHANNELS_AT_ONCE: usize = 8;

pub struct Dispatcher<T> {
    store: Store,
    transport: T,
    lease: Duration,
    /// Only rows of these platforms are claimed (`None`: every platform).
    platforms: Option<Vec<String>>,
    /// Channels a platform asked us to leave alone, and until when.
    resting: Mutex<HashMap<String, DateTime<Utc>>>,
}

/// Delivers everything due at `now` once; the console and tests step it.
pub async fn dispatch_pending<T: Transport>(
    store: &Store,
    transport: T,
    now: DateTime<Utc>,
) -> anyhow::Result<Report> {
    Dispatcher::new(store.clone(), transport)
        .pass(now, &CancellationToken::new())
        .await
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

impl<T: Transport> Dispatcher<T> {
    pub fn new(store: Store, transport: T) -> Self {
        Dispatcher {
            store,
            transport,
            lease: Duration::from_std(DEFAULT_LEASE).expect("a minute fits"),
            platforms: None,
            resting: Mutex::new(HashMap::new()),
        }
    }

    pub fn with_lease(mut self, lease: std::time::Duration) -> Self {
        self.lease = Duration::from_std(lease).unwrap_or(self.lease);
        self
    }

    pub fn for_platforms(mut self, platforms: Vec<String>) -> Self {
        self.platforms = Some(platforms);
        self
    }

    /// Delivers until nothing is due at `now`; between deliveries, `stop` hands the rest of
    /// the claim back so another replica can take it at once.
    pub async fn pass(
        &self,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> anyhow::Result<Report> {
        let mut report = Report::default();
        loop {
            let claimed = {
                let mut conn = self.store.pool.acquire().await?;
                outbox::claim(&mut conn, now, self.lease, BATCH, self.platforms.as_deref()).await?
            };
            if claimed.is_empty() {
                return Ok(report);
            }
            // Each channel's rows in order, different channels side by side: a slow or
            // rate-limited channel (or platform) does not hold up the others.
            let mut by_channel: Vec<(String, Vec<(Claimed, Delivery)>)> = Vec::new();
            for c in claimed {
                let d = delivery(&c)?;
                let key = d.pacing_key();
                match by_channel.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, rows)) => rows.push((c, d)),
                    None => by_channel.push((key, vec![(c, d)])),
                }
            }
            let outcomes: Vec<anyhow::Result<Report>> = stream::iter(by_channel)
                .map(|(key, rows)| self.channel(key, rows, now, stop))
                .buffer_unordered(CHANNELS_AT_ONCE)
                .collect()
                .await;
            for outcome in outcomes {
                let r = outcome?;
                report.delivered += r.delivered;
                report.retried += r.retried;
                report.failed += r.failed;
                report.released += r.released;
            }
            if stop.is_cancelled() {
                return Ok(report);
            }
        }
    }

    /// One channel's claimed rows, in order; once `stop` is cancelled the rest go back.
    async fn channel(
        &self,
        key: String,
        rows: Vec<(Claimed, Delivery)>,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> anyhow::Result<Report> {
        let mut report = Report::default();
        let mut rows = rows.into_iter();
        while let Some((c, d)) = rows.next() {
            if stop.is_cancelled() {
                let rest: Vec<_> = std::iter::once(&c)
                    .chain(rows.as_slice().iter().map(|(c, _)| c))
                    .map(|c| (c.workspace_id, c.id))
                    .collect();
                let mut conn = self.store.pool.acquire().await?;
                outbox::release(&mut conn, &rest).await?;
                report.released += rest.len();
                break;
            }
            self.one(c, d, &key, now, &mut report).await?;
        }
        Ok(report)
    }

    async fn one(
        &self,
        c: Claimed,
        d: Delivery,
        key: &str,
        now: DateTime<Utc>,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        let rests_until = lock(&self.resting).get(key).copied().filter(|t| *t > now);
        if let Some(until) = rests_until {
            let mut conn = self.store.pool.acquire().await?;
            outbox::postpone(&mut conn, c.workspace_id, c.id, until).await?;
            report.released += 1;
            return Ok(());
        }
        // The platform call runs with no database connection held: a slow platform must
        // not starve the commands of connections.
        let outcome = self.transport.deliver(&d).await;
        let label = match &outcome {
            Ok(_) => "delivered",
            Err(DeliveryError::Transient { .. }) if c.attempts >= MAX_ATTEMPTS => "failed",
            Err(DeliveryError::Transient { .. }) => "retried",
            Err(DeliveryError::Permanent(_)) => "failed",
        };
        metrics::counter!("throughline_deliveries_total", "platform" => d.platform.clone(), "outcome" => label)
            .increment(1);
        let mut conn = self.store.pool.acquire().await?;
        match outcome {
            Ok(landed) => {
                outbox::delivered(&mut conn, c.workspace_id, c.id, landed.as_ref(), now).await?;
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
                let at = match retry_after {
                    // The platform asked the whole channel to wait, not just this message.
                    Some(wait) => {
                        let until = now + wait.max(Duration::seconds(1));
                        lock(&self.resting).insert(key.to_string(), until);
                        until
                    }
                    None => now + backoff(c.attempts),
                };
                tracing::info!(id = c.id, %reason, retry_at = %at, "delivery will be retried");
                outbox::retry_at(&mut conn, c.workspace_id, c.id, at, &reason).await?;
                report.retried += 1;
            }
            Err(DeliveryError::Permanent(reason)) => {
                tracing::warn!(id = c.id, %reason, "notification cannot be delivered");
                drop(conn);
                let mut tx = self.store.begin().await?;
                outbox::give_up(&mut tx, c.workspace_id, c.id, &reason).await?;
                if let Target::Channel(channel) = &d.target {
                    report_unreachable_channel(&mut tx, c.workspace_id, channel, &reason, now)
                        .await?;
                }
                tx.commit().await?;
                report.failed += 1;
            }
        }
        Ok(())
    }

    /// Delivers whenever woken (something was queued) and every `every` (retries that came
    /// due), until `stop`; a delivery in progress finishes, the rest of its claim is released.
    pub async fn run(
        &self,
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
        every: std::time::Duration,
        stop: CancellationToken,
    ) {
        while !stop.is_cancelled() {
            match self.pass(clock.now(), &stop).await {
                Ok(r) if !r.is_empty() => tracing::info!(
                    delivered = r.delivered,
                    retried = r.retried,
                    failed = r.failed,
                    released = r.released,
                    "dispatched"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "dispatching failed"),
            }
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::timeout(every, wake.notified()) => {}
            }
        }
        tracing::info!("dispatcher stopped");
    }
}

fn lock<V>(m: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn delivery(c: &Claimed) -> anyhow::Result<Delivery> {
    let target = match (&c.person_external_id, &c.channel) {
        (Some(id), _) => Target::Person {
            external_id: id.clone(),
            handle: c.person_handle.clone().unwrap_or_default(),
        },
        (None, Some(ch)) => Target::Channel(ch.clone()),
        (None, None) => anyhow::bail!("outbox row {} has no recipient", c.id),
    };
    Ok(Delivery {
        workspace_id: c.workspace_id,
        platform: c.platform.clone(),
        workspace_external_id: c.workspace_external_id.clone(),
        dedupe_key: c.dedupe_key.clone(),
        row_id: c.id,
        resend: c.attempts > 1,
        target,
        message: c.message.0.clone(),
        created_at: c.created_at,
        op: Op::parse(&c.op).unwrap_or(Op::Post),
        parent: c.episode_ref.as_ref().map(|r| r.0.clone()),
    })
}
