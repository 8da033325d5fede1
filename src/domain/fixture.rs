//! One small organisation, shared by the table tests of the rules and of what they tell.
//! Working hours are the defaults (Monday to Friday, 09:00 to 18:00 UTC).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::domain::health::Snapshot;
use crate::domain::*;

pub const ANA: PersonId = 1;
pub const LEE: PersonId = 2;
pub const KIM: PersonId = 3;
pub const G1: GoalId = 10;
pub const I1: InitiativeId = 20;

/// Monday 2026-11-23 at `hour`:00 UTC, plus `days`.
pub fn monday(days: i64, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, hour, 0, 0).unwrap() + Duration::days(days)
}

pub fn person(id: PersonId, handle: &str) -> Person {
    Person {
        id,
        external_id: handle.into(),
        handle: handle.into(),
        capacity_fte: 1.0,
        is_admin: false,
        active: true,
        time_zone: None,
    }
}

pub fn item(number: i32, status: WorkStatus, last_activity_at: DateTime<Utc>) -> WorkItem {
    WorkItem {
        id: 100 + i64::from(number),
        number,
        title: format!("Item {number}"),
        goal_id: Some(G1),
        initiative_id: Some(I1),
        unaligned_reason: None,
        assignee_id: KIM,
        created_by: KIM,
        status,
        blocker: (status == WorkStatus::Blocked).then(|| "waiting on legal".into()),
        url: None,
        created_at: monday(-7, 9),
        last_activity_at,
        doing_ended_at: None,
    }
}

/// Ana owns G-1; Lee leads I-1 under it; Kim has W-1 in doing, touched on Wednesday morning.
pub fn organisation() -> Snapshot {
    let start = monday(0, 9);
    Snapshot {
        people: vec![person(ANA, "ana"), person(LEE, "lee"), person(KIM, "kim")],
        goals: vec![Goal {
            id: G1,
            number: 1,
            title: "Cut churn".into(),
            owner_id: ANA,
            rank: 1,
            due_on: None,
            status: GoalStatus::Open,
            created_at: start,
            status_changed_at: start,
        }],
        initiatives: vec![Initiative {
            id: I1,
            number: 1,
            goal_id: G1,
            title: "Win-back emails".into(),
            lead_id: LEE,
            plan_fte: 0.0,
            due_on: None,
            status: InitiativeStatus::Active,
            created_at: start,
            status_changed_at: start,
        }],
        work: vec![item(1, WorkStatus::Doing, monday(2, 9))],
        ..Snapshot::default()
    }
}
