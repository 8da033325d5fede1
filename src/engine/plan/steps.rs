//! What a plan is made of: the picture and stored rows it weighs, and the writes and messages
//! it decides on.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::health::{Assessment, Health, Snapshot};
use crate::domain::*;
use crate::message::{Message, Op};
use crate::store::episodes::EpisodeRow;
use crate::store::outbox::Recipient;
use crate::store::signals::SignalRow;

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

/// The workspace as the rules judged it.
pub struct Picture<'a> {
    pub snap: &'a Snapshot,
    pub assessment: &'a Assessment,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
    pub trigger: Trigger,
}

/// What the last evaluations left, for the subjects the picture covers.
#[derive(Default)]
pub struct Stored {
    pub health: HashMap<String, Health>,
    pub signals: Vec<SignalRow>,
    pub episodes: Vec<EpisodeRow>,
    /// Per episode, its threaded line still waiting for working hours: outbox row and message.
    pub waiting_replies: HashMap<i64, (i64, Message)>,
}

/// A stored row, or one this plan creates (the n-th of its kind, in the order of the steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref {
    Stored(i64),
    New(usize),
}

/// A message's dedupe key; those naming a signal or an episode get its id when applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Text(String),
    Signal(Ref),
    /// `episode:{id}` followed by the rest.
    Episode(Ref, String),
}

/// One write, in order.
#[derive(Debug, PartialEq)]
pub enum Step {
    SaveHealth {
        subject: String,
        health: Health,
    },
    Event {
        subject: String,
        action: &'static str,
        before: Option<Value>,
        after: Option<Value>,
    },
    RaiseSignal {
        kind: SignalKind,
        subject: String,
        goal: Option<String>,
        summary: String,
    },
    RefreshSignal {
        id: i64,
        goal: Option<String>,
        summary: String,
    },
    SignalNotified(Ref),
    ResolveSignal(i64),
    StartEpisode {
        subject: String,
        person: PersonId,
        goal: Option<String>,
        colour: Colour,
        causes: BTreeMap<String, String>,
    },
    /// What the episode's person now knows (news no longer waits).
    RecordEpisode {
        id: i64,
        colour: Colour,
        causes: BTreeMap<String, String>,
    },
    /// News caused by time starts (`Some`) or stops (`None`) waiting to settle.
    Pending {
        id: i64,
        since: Option<DateTime<Utc>>,
    },
    Pushed(i64),
    RedPosted(Ref),
    EndEpisode(i64),
    /// Drops the episode's messages of these kinds that have not gone out yet.
    DropQueued {
        episode: i64,
        ops: &'static [&'static str],
        why: &'static str,
    },
    /// Rewrites a queued message; `sooner` brings it forward.
    ReplaceQueued {
        row: i64,
        message: Message,
        sooner: Option<DateTime<Utc>>,
    },
}

/// A notification decided on, before snoozes and caps are applied.
#[derive(Debug)]
pub struct Planned {
    pub key: Key,
    pub to: Recipient,
    pub about: String,
    pub goal: Option<String>,
    pub message: Message,
    pub needs_ack: bool,
    pub op: Op,
    pub episode: Option<Ref>,
    pub available_at: DateTime<Utc>,
    pub caused_by: Trigger,
    /// Why it is kept instead of sent, when the plan already knows.
    pub held: Option<&'static str>,
}

impl Planned {
    /// A new message owed at once.
    pub fn now(
        key: Key,
        to: Recipient,
        c: &Condition,
        message: Message,
        now: DateTime<Utc>,
    ) -> Self {
        Planned {
            key,
            to,
            about: c.subject.clone(),
            goal: c.goal.clone(),
            message,
            needs_ack: false,
            op: Op::Post,
            episode: None,
            available_at: now,
            caused_by: Trigger::Person,
            held: None,
        }
    }
}

/// The writes and messages an evaluation owes.
#[derive(Debug, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub messages: Vec<Planned>,
    started: usize,
    raised: usize,
}

impl Plan {
    pub fn step(&mut self, s: Step) {
        self.steps.push(s);
    }

    /// Adds a step that creates an episode or a signal, and names what it creates.
    pub fn create(&mut self, s: Step) -> Ref {
        let counter = match s {
            Step::StartEpisode { .. } => &mut self.started,
            Step::RaiseSignal { .. } => &mut self.raised,
            _ => unreachable!("only episodes and signals are created by a plan"),
        };
        let r = Ref::New(*counter);
        *counter += 1;
        self.steps.push(s);
        r
    }

    pub fn tell(&mut self, p: Planned) {
        self.messages.push(p);
    }
}
