//! Signals: detected conditions, raised once when they start and resolved when they end.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::model::PersonId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A work item in `doing` with no activity for `stall_after`.
    Stalled,
    /// A work item someone marked blocked, with what blocks it.
    Blocked,
    /// A work item born (or left) with no strategic home.
    Orphan,
    /// A goal or initiative with no active work for `starve_after`.
    Starved,
    /// An initiative whose actual capacity fell below plan or whose lead moved to other work.
    CapacityShift,
    /// A goal whose owner is no longer an active member.
    OwnerGone,
    /// A person with more items in `doing` than the workspace's WIP limit.
    OverAllocated,
    /// A goal or initiative past its due date.
    Overdue,
    /// A key result at risk, off track or missed.
    KrBehind,
    /// A key result no one has checked in for `kr_checkin_every` plus three days.
    KrStale,
    /// A goal whose work flows while its metric key result does not move.
    KrNotMoving,
}

impl SignalKind {
    pub const ALL: &'static [SignalKind] = &[
        SignalKind::Stalled,
        SignalKind::Blocked,
        SignalKind::Orphan,
        SignalKind::Starved,
        SignalKind::CapacityShift,
        SignalKind::OwnerGone,
        SignalKind::OverAllocated,
        SignalKind::Overdue,
        SignalKind::KrBehind,
        SignalKind::KrStale,
        SignalKind::KrNotMoving,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::Stalled => "stalled",
            SignalKind::Blocked => "blocked",
            SignalKind::Orphan => "orphan",
            SignalKind::Starved => "starved",
            SignalKind::CapacityShift => "capacity_shift",
            SignalKind::OwnerGone => "owner_gone",
            SignalKind::OverAllocated => "over_allocated",
            SignalKind::Overdue => "overdue",
            SignalKind::KrBehind => "kr_behind",
            SignalKind::KrStale => "kr_stale",
            SignalKind::KrNotMoving => "kr_not_moving",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// How the signal reads as a label in digests and agendas.
    pub fn label(self) -> &'static str {
        match self {
            SignalKind::Stalled => "Stalled work",
            SignalKind::Blocked => "Blocked work",
            SignalKind::Orphan => "Work with no home",
            SignalKind::Starved => "Starved",
            SignalKind::CapacityShift => "Capacity shift",
            SignalKind::OwnerGone => "Owner gone",
            SignalKind::OverAllocated => "Over-allocated",
            SignalKind::Overdue => "Overdue",
            SignalKind::KrBehind => "Key result behind",
            SignalKind::KrStale => "Key result unheard",
            SignalKind::KrNotMoving => "Busy but not moving",
        }
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition that holds right now, as the rules found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub kind: SignalKind,
    /// A key (`W-3`, `I-1`, `G-2`) or `person:<id>`.
    pub subject: String,
    /// The goal it bears on, if any: lets owners' snoozes and the agenda group it.
    pub goal: Option<String>,
    pub summary: String,
    /// Who is told when it is raised (the assignee of stalled work, the creator of orphan work).
    pub notify: Option<PersonId>,
}

pub fn person_subject(id: PersonId) -> String {
    format!("person:{id}")
}
