//! What a re-evaluation decides to tell, before snoozes and caps: shared by the engine's
//! reconciliation and its episodes.

use chrono::{DateTime, Utc};

use crate::domain::Condition;
use crate::message::{Message, Op};
use crate::store::outbox::Recipient;

/// What brought a re-evaluation about: a person's action (what it causes is told at once) or
/// the passing of time (what it causes settles first and waits for working hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Person,
    Time,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Person => "person",
            Trigger::Time => "time",
        }
    }
}

/// A notification decided on, before snoozes and caps are applied.
pub struct Planned {
    pub dedupe_key: String,
    pub to: Recipient,
    pub about: String,
    pub goal: Option<String>,
    pub message: Message,
    pub needs_ack: bool,
    pub op: Op,
    pub episode: Option<i64>,
    pub available_at: DateTime<Utc>,
    pub caused_by: Trigger,
}

impl Planned {
    /// A new message owed at once.
    pub fn now(
        dedupe_key: String,
        to: Recipient,
        c: &Condition,
        message: Message,
        now: DateTime<Utc>,
    ) -> Self {
        Planned {
            dedupe_key,
            to,
            about: c.subject.clone(),
            goal: c.goal.clone(),
            message,
            needs_ack: false,
            op: Op::Post,
            episode: None,
            available_at: now,
            caused_by: Trigger::Person,
        }
    }
}
