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

#[cfg(test)]
mod tests;

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
    WorkShow(Key),
    WorkReopen(Key),
    Connect {
        forge: crate::domain::evidence::Forge,
        repository: String,
    },
    Connections,
    Disconnect(String),
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
    KrToken(Key),
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
    /// The command's words before its arguments ("goal new", "mine"): the label metrics and
    /// logs count it under.
    pub fn verb(&self) -> &'static str {
        use Command::*;
        match self {
            Help(_) => "help",
            Status => "status",
            GoalNew { .. } => "goal new",
            GoalShow(_) => "goal show",
            GoalList => "goal list",
            GoalOwner(..) => "goal owner",
            GoalRank(..) => "goal rank",
            GoalClose { .. } => "goal close",
            InitiativeNew { .. } => "initiative new",
            InitiativeShow(_) => "initiative show",
            InitiativeMove(_, crate::command::InitiativeMove::Pause) => "initiative pause",
            InitiativeMove(_, crate::command::InitiativeMove::Resume) => "initiative resume",
            InitiativeMove(_, crate::command::InitiativeMove::Close { .. }) => "initiative close",
            WorkNew { .. } => "work new",
            WorkMove { to, .. } => match to {
                crate::command::WorkMove::Start => "work start",
                crate::command::WorkMove::Block => "work block",
                crate::command::WorkMove::Done => "work done",
                crate::command::WorkMove::Drop => "work drop",
            },
            WorkLink { .. } => "work link",
            WorkAssign(..) => "work assign",
            WorkNote(..) => "work note",
            WorkShow(_) => "work show",
            WorkReopen(_) => "work reopen",
            Connect { .. } => "connect",
            Connections => "connections",
            Disconnect(_) => "disconnect",
            Mine => "mine",
            Orphans => "orphans",
            Agenda => "agenda",
            Digest => "digest",
            Capacity(_) => "capacity",
            History(_) => "history",
            KrNew { .. } => "kr new",
            KrUpdate { .. } => "kr update",
            KrDone { .. } => "kr done",
            KrShow(_) => "kr show",
            KrList(_) => "kr list",
            KrToken(_) => "kr token",
            KrTarget { .. } => "kr target",
            KrClose { .. } => "kr close",
            Settings(_) => "settings",
            Ack(_) => "ack",
            Snooze(..) => "snooze",
        }
    }

    /// The people the command names (an owner, a lead, an assignee): a transport refreshes
    /// their profiles before the command runs.
    pub fn mentions(&self) -> Vec<&Mention> {
        use Command::*;
        match self {
            GoalNew { owner: m, .. }
            | GoalOwner(_, m)
            | InitiativeNew { lead: m, .. }
            | WorkAssign(_, m)
            | Capacity(CapacityScope::Person(m)) => vec![m],
            WorkNew { assignee, .. } => assignee.iter().collect(),
            _ => Vec::new(),
        }
    }

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
                | Command::WorkShow(_)
                | Command::Connections
        )
    }
}
