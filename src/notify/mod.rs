//! Delivery of what the outbox holds: what a transport is handed, what it may answer, and the
//! one dispatcher that claims due rows for every platform.

mod dispatch;

use std::future::Future;

use chrono::{DateTime, Duration, Utc};

use crate::message::{Message, MessageRef, Op};
use crate::store::WorkspaceId;

pub use dispatch::{DEFAULT_LEASE, Dispatcher, MAX_ATTEMPTS, dispatch_pending};

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
    /// The outbox row: transports mark the message with it, so a resend can be recognised.
    pub row_id: i64,
    /// It was handed to the platform before (a crash or an error hid the outcome): look for
    /// the earlier copy before sending another.
    pub resend: bool,
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

impl<T: Transport> Transport for &T {
    fn deliver(
        &self,
        d: &Delivery,
    ) -> impl Future<Output = Result<Option<MessageRef>, DeliveryError>> + Send {
        (**self).deliver(d)
    }
}

impl Delivery {
    /// What a platform paces and rate-limits by: the person's DM or the channel.
    pub fn pacing_key(&self) -> String {
        let to = match &self.target {
            Target::Person { external_id, .. } => external_id,
            Target::Channel(c) => c,
        };
        format!("{}:{}:{to}", self.platform, self.workspace_external_id)
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
    /// Claimed but handed back untouched (the dispatcher is stopping, or the channel rests).
    pub released: usize,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.delivered + self.retried + self.failed + self.released == 0
    }
}
