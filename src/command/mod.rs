//! The command language (design §6): one grammar for every transport.

pub mod exec;
pub mod help;
pub mod lexer;
pub mod parse;

use chrono::{Duration, NaiveDate};

pub use crate::domain::error::{self, UserError};
use crate::domain::key_result::{Confidence, KrOutcome, Quantity, Shape, Unit};
use crate::domain::{GoalStatus, Key};
pub use parse::parse;

/// A person as named in a command: `@ana` in the console, `<@U123|ana>` in Slack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The platform's id for the person (the handle itself in the console).
    pub external_id: String,
    /// The name to show until the platform tells us better.
    pub handle: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Home {
    Initiative(Key),
    Goal(Key),
    None { why: Option<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkMove {
    Start,
    Block,
    Done,
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitiativeMove {
    Pause,
    Resume,
    Close { dropped: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub enum CapacityScope {
    Workspace,
    Goal(Key),
    Person(Mention),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help(Option<String>),
    Status,
    GoalNew {
        title: String,
        owner: Mention,
        rank: Option<i32>,
        due: Option<NaiveDate>,
    },
    GoalShow(Key),
    GoalList,
    GoalOwner(Key, Mention),
    GoalRank(Key, i32),
    GoalClose {
        goal: Key,
        outcome: GoalStatus,
        note: Option<String>,
    },
    InitiativeNew {
        goal: Key,
        title: String,
        lead: Mention,
        plan: Option<f64>,
        due: Option<NaiveDate>,
    },
    InitiativeShow(Key),
    InitiativeMove(Key, InitiativeMove),
    WorkNew {
        home: Home,
        title: String,
        assignee: Option<Mention>,
        url: Option<String>,
    },
    WorkMove {
        work: Key,
        to: WorkMove,
        note: Option<String>,
    },
    WorkLink {
        work: Key,
        home: Key,
    },
    WorkAssign(Key, Mention),
    WorkNote(Key, String),
    Mine,
    Orphans,
    Agenda,
    Digest,
    Capacity(CapacityScope),
    History(Key),
    KrNew {
        goal: Key,
        title: String,
        shape: Shape,
        unit: Unit,
        by: NaiveDate,
        start: Option<NaiveDate>,
    },
    KrUpdate {
        kr: Key,
        value: Quantity,
        note: Option<String>,
        confidence: Option<Confidence>,
    },
    KrDone {
        kr: Key,
        note: Option<String>,
    },
    KrShow(Key),
    KrList(Option<Key>),
    KrTarget {
        kr: Key,
        target: Quantity,
        why: String,
    },
    KrClose {
        kr: Key,
        outcome: KrOutcome,
        note: Option<String>,
    },
    Settings(Option<(String, String)>),
    Ack(Key),
    Snooze(Key, Duration),
}

impl Command {
    /// Whether the command only reads: read-only commands never re-evaluate health.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            Command::Help(_)
                | Command::Status
                | Command::GoalShow(_)
                | Command::GoalList
                | Command::InitiativeShow(_)
                | Command::Mine
                | Command::Orphans
                | Command::Agenda
                | Command::Digest
                | Command::Capacity(_)
                | Command::History(_)
                | Command::KrShow(_)
                | Command::KrList(_)
                | Command::Settings(None)
        )
    }
}
