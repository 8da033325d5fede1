//! Actual capacity, derived from what people are doing.
//!
//! The sharing rule: a person's weekly capacity (FTE) is split equally among the work items
//! they have in `doing`. An item's share counts towards its initiative and its goal; the
//! share of unaligned items counts towards no goal. Blocked and todo items take no capacity.

use std::collections::{BTreeMap, HashMap};

use super::model::{GoalId, InitiativeId, Person, PersonId, WorkId, WorkItem, WorkStatus};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Capacity {
    pub per_item: HashMap<WorkId, f64>,
    pub per_initiative: HashMap<InitiativeId, f64>,
    /// Everything under a goal: its initiatives' items and its direct items.
    pub per_goal: HashMap<GoalId, f64>,
    pub unaligned: f64,
    /// Capacity of active people who have at least one item in `doing`.
    pub allocated: f64,
    /// Capacity of active people with nothing in `doing`.
    pub idle: f64,
}

impl Capacity {
    pub fn item(&self, id: WorkId) -> f64 {
        self.per_item.get(&id).copied().unwrap_or(0.0)
    }
    pub fn initiative(&self, id: InitiativeId) -> f64 {
        self.per_initiative.get(&id).copied().unwrap_or(0.0)
    }
    pub fn goal(&self, id: GoalId) -> f64 {
        self.per_goal.get(&id).copied().unwrap_or(0.0)
    }
    /// The share of allocated capacity that goes to no goal, 0.0 ..= 1.0.
    pub fn unaligned_share(&self) -> f64 {
        if self.allocated > 0.0 {
            self.unaligned / self.allocated
        } else {
            0.0
        }
    }
}

pub fn allocate(people: &[Person], work: &[WorkItem]) -> Capacity {
    let mut doing: BTreeMap<PersonId, Vec<&WorkItem>> = BTreeMap::new();
    for item in work.iter().filter(|w| w.status == WorkStatus::Doing) {
        doing.entry(item.assignee_id).or_default().push(item);
    }
    let mut cap = Capacity::default();
    for person in people.iter().filter(|p| p.active) {
        let Some(items) = doing.get(&person.id) else {
            cap.idle += person.capacity_fte;
            continue;
        };
        cap.allocated += person.capacity_fte;
        let share = person.capacity_fte / items.len() as f64;
        for item in items {
            cap.per_item.insert(item.id, share);
            match (item.initiative_id, item.goal_id) {
                (_, None) => cap.unaligned += share,
                (initiative, Some(goal)) => {
                    if let Some(i) = initiative {
                        *cap.per_initiative.entry(i).or_default() += share;
                    }
                    *cap.per_goal.entry(goal).or_default() += share;
                }
            }
        }
    }
    cap
}

/// Formats an FTE figure the way people say it: `0.5`, `1`, `0.33`.
pub fn fte(value: f64) -> String {
    // `+ 0.0` turns -0 into 0: a rounded tiny negative never reads "-0".
    let rounded = (value * 100.0).round() / 100.0 + 0.0;
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Returns `part / whole` as a whole percentage.
pub fn percent(part: f64, whole: f64) -> i64 {
    if whole <= 0.0 {
        0
    } else {
        (part / whole * 100.0).round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::WorkStatus::*;
    use chrono::{TimeZone, Utc};

    fn person(id: i64, fte: f64) -> Person {
        Person {
            id,
            external_id: id.to_string(),
            handle: format!("p{id}"),
            capacity_fte: fte,
            is_admin: false,
            active: true,
            time_zone: None,
        }
    }

    fn item(id: i64, who: i64, status: WorkStatus, home: (Option<i64>, Option<i64>)) -> WorkItem {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        WorkItem {
            id,
            number: id as i32,
            title: format!("item {id}"),
            goal_id: home.0,
            initiative_id: home.1,
            unaligned_reason: None,
            assignee_id: who,
            created_by: who,
            status,
            blocker: None,
            url: None,
            created_at: t,
            last_activity_at: t,
            doing_ended_at: None,
        }
    }

    #[test]
    fn splits_capacity_equally_among_doing_items() {
        let people = [person(1, 1.0), person(2, 0.5), person(3, 1.0)];
        let work = [
            item(10, 1, Doing, (Some(100), Some(200))),
            item(11, 1, Doing, (None, None)),
            item(12, 1, Todo, (Some(100), Some(200))),
            item(13, 2, Doing, (Some(100), None)),
            item(14, 3, Blocked, (Some(100), Some(200))),
        ];
        let cap = allocate(&people, &work);
        assert_eq!(cap.item(10), 0.5);
        assert_eq!(cap.item(11), 0.5);
        assert_eq!(cap.item(12), 0.0);
        assert_eq!(cap.initiative(200), 0.5);
        assert_eq!(cap.goal(100), 1.0);
        assert_eq!(cap.unaligned, 0.5);
        assert_eq!(cap.allocated, 1.5);
        assert_eq!(cap.idle, 1.0);
        assert_eq!(percent(cap.unaligned, cap.allocated), 33);
    }

    #[test]
    fn formats_fte() {
        assert_eq!(fte(0.5), "0.5");
        assert_eq!(fte(1.0), "1");
        assert_eq!(fte(1.0 / 3.0), "0.33");
        assert_eq!(fte(0.0), "0");
    }
}
