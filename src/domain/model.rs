//! The strategic model as the rules see it: plain data, loaded by the store.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::Key;

pub type PersonId = i64;
pub type GoalId = i64;
pub type InitiativeId = i64;
pub type WorkId = i64;

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(GoalStatus { Open = "open", Achieved = "achieved", Dropped = "dropped" });
text_enum!(InitiativeStatus { Active = "active", Paused = "paused", Done = "done", Dropped = "dropped" });
text_enum!(WorkStatus { Todo = "todo", Doing = "doing", Blocked = "blocked", Done = "done", Dropped = "dropped" });
text_enum!(
    /// Computed health. `None` is for closed things.
    Colour { Green = "green", Amber = "amber", Red = "red", None = "none" }
);

impl WorkStatus {
    pub fn is_open(self) -> bool {
        matches!(
            self,
            WorkStatus::Todo | WorkStatus::Doing | WorkStatus::Blocked
        )
    }
}

impl Colour {
    /// Higher is worse; used to tell "got worse" from "got better".
    pub fn severity(self) -> u8 {
        match self {
            Colour::None => 0,
            Colour::Green => 1,
            Colour::Amber => 2,
            Colour::Red => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: PersonId,
    pub external_id: String,
    pub handle: String,
    pub capacity_fte: f64,
    pub is_admin: bool,
    pub active: bool,
    /// Their own zone (set by them or their platform); `None` means the workspace's.
    pub time_zone: Option<chrono_tz::Tz>,
}

impl Person {
    /// How people are written in text: `@handle`.
    pub fn at(&self) -> String {
        format!("@{}", self.handle)
    }

    /// How a command the bot writes names this person, so that it finds them again on any
    /// transport: `@handle` where the handle is the id (the console), `<@id>` elsewhere.
    pub fn mention(&self) -> String {
        if self.external_id == self.handle {
            self.at()
        } else {
            format!("<@{}>", self.external_id)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: GoalId,
    pub number: i32,
    pub title: String,
    pub owner_id: PersonId,
    pub rank: i32,
    pub due_on: Option<NaiveDate>,
    pub status: GoalStatus,
    pub created_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
}

impl Goal {
    pub fn key(&self) -> Key {
        Key::goal(self.number)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Initiative {
    pub id: InitiativeId,
    pub number: i32,
    pub goal_id: GoalId,
    pub title: String,
    pub lead_id: PersonId,
    pub plan_fte: f64,
    pub due_on: Option<NaiveDate>,
    pub status: InitiativeStatus,
    pub created_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
}

impl Initiative {
    pub fn key(&self) -> Key {
        Key::initiative(self.number)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    pub id: WorkId,
    pub number: i32,
    pub title: String,
    pub goal_id: Option<GoalId>,
    pub initiative_id: Option<InitiativeId>,
    pub unaligned_reason: Option<String>,
    pub assignee_id: PersonId,
    pub created_by: PersonId,
    pub status: WorkStatus,
    pub blocker: Option<String>,
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub doing_ended_at: Option<DateTime<Utc>>,
}

impl WorkItem {
    pub fn key(&self) -> Key {
        Key::work(self.number)
    }

    pub fn is_unaligned(&self) -> bool {
        self.goal_id.is_none()
    }
}
