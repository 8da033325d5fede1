//! The health rules (design §4). Every rule that fires adds a reason naming its evidence.

mod initiatives;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::calendar::Calendar;
use super::capacity::{self, Capacity, fte, percent};
use super::key_result::{self, KrFacts};
use super::model::*;
use super::settings::Settings;
use super::signal::{Condition, SignalKind, person_subject};

/// Everything the rules look at, loaded in one go by the store.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub people: Vec<Person>,
    /// Open goals.
    pub goals: Vec<Goal>,
    /// Every initiative of an open goal, whatever its status.
    pub initiatives: Vec<Initiative>,
    /// Open work items, plus closed ones that left `doing` within `starve_after`
    /// (they still keep their parent from counting as starved).
    pub work: Vec<WorkItem>,
    /// Since when each flapping rule has held, by rule key (`all_troubled:I-1`).
    pub onsets: HashMap<String, DateTime<Utc>>,
    /// Open key results of open goals, with their check-ins.
    pub key_results: Vec<KrFacts>,
    /// The last verdict on active initiatives this evaluation does not judge: a scoped
    /// evaluation weighs a goal by its initiatives' stored health, not by all their work.
    pub settled: HashMap<InitiativeId, Health>,
    /// Open work items under each goal, counted where they lie (when `work` does not hold
    /// them all).
    pub open_by_goal: Option<HashMap<GoalId, usize>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub colour: Colour,
    pub reasons: Vec<String>,
    /// What makes it amber or red, by stable cause id (`blocked:W-3`, `lead_moved:I-1`) with the
    /// line that names it; a parent carries its children's. A new id is a new cause to tell.
    pub causes: BTreeMap<String, String>,
}

impl Default for Health {
    fn default() -> Self {
        Health::new()
    }
}

impl Health {
    pub fn new() -> Self {
        Health {
            colour: Colour::Green,
            reasons: Vec::new(),
            causes: BTreeMap::new(),
        }
    }

    /// Health of a closed thing.
    pub fn closed() -> Self {
        Health {
            colour: Colour::None,
            ..Health::new()
        }
    }

    fn raise(&mut self, colour: Colour) {
        if colour.severity() > self.colour.severity() {
            self.colour = colour;
        }
    }

    fn flag(&mut self, colour: Colour, cause: String, reason: String) {
        self.raise(colour);
        self.causes.insert(cause, reason.clone());
        self.reasons.push(reason);
    }
}

/// Causes that sum up others ("every active item is stalled or blocked", "half the
/// initiatives are red"): news only when they change a colour, since their parts were told.
pub fn is_aggregate(cause: &str) -> bool {
    ["all_troubled:", "half_red:"]
        .iter()
        .any(|p| cause.starts_with(p))
}

/// Causes that only appear once their rule has held for `settle` (and the goal colour that
/// follows them): told without waiting a second time.
pub fn has_held(cause: &str) -> bool {
    ["all_troubled:", "capacity_red:", "half_red:"]
        .iter()
        .any(|p| cause.starts_with(p))
}

/// Causes a person brings about on purpose (a block, a lead moving to other work, an owner
/// leaving): told at once, where causes that time or a rule in transit brings wait to settle.
pub fn is_deliberate(cause: &str) -> bool {
    ["blocked:", "lead_moved:", "owner_gone:"]
        .iter()
        .any(|p| cause.starts_with(p))
}

#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// Health of every open goal, active initiative and open work item, by key.
    pub health: BTreeMap<String, Health>,
    pub conditions: Vec<Condition>,
    pub capacity: Capacity,
    /// Keys of the flapping rules that hold now (see [`Snapshot::onsets`]).
    pub holding: Vec<String>,
}

impl Assessment {
    /// Keeps only what is about `keys` (goals, initiatives, work items, key results, people):
    /// what a scoped evaluation may change.
    pub fn retain(&mut self, keys: &std::collections::BTreeSet<String>) {
        self.health.retain(|k, _| keys.contains(k));
        self.conditions.retain(|c| keys.contains(&c.subject));
        self.holding
            .retain(|r| r.split_once(':').is_some_and(|(_, k)| keys.contains(k)));
    }
}

/// Evaluates the whole workspace at `now`.
pub fn evaluate(snap: &Snapshot, settings: &Settings, now: DateTime<Utc>) -> Assessment {
    Evaluator::new(snap, settings, now).run()
}

struct Evaluator<'a> {
    snap: &'a Snapshot,
    s: &'a Settings,
    now: DateTime<Utc>,
    today: NaiveDate,
    people: HashMap<PersonId, &'a Person>,
    goals: HashMap<GoalId, &'a Goal>,
    initiatives: HashMap<InitiativeId, &'a Initiative>,
    capacity: Capacity,
    out: Assessment,
}

impl<'a> Evaluator<'a> {
    fn new(snap: &'a Snapshot, s: &'a Settings, now: DateTime<Utc>) -> Self {
        Evaluator {
            snap,
            s,
            now,
            today: now.with_timezone(&s.time_zone).date_naive(),
            people: snap.people.iter().map(|p| (p.id, p)).collect(),
            goals: snap.goals.iter().map(|g| (g.id, g)).collect(),
            initiatives: snap.initiatives.iter().map(|i| (i.id, i)).collect(),
            capacity: capacity::allocate(&snap.people, &snap.work),
            out: Assessment::default(),
        }
    }

    fn at(&self, id: PersonId) -> String {
        self.people
            .get(&id)
            .map_or_else(|| "someone".into(), |p| p.at())
    }

    fn open_work(&self) -> impl Iterator<Item = &'a WorkItem> + use<'a> {
        let snap: &'a Snapshot = self.snap;
        snap.work.iter().filter(|w| w.status.is_open())
    }

    fn calendar(&self, person: PersonId) -> Calendar<'a> {
        let s: &'a Settings = self.s;
        s.calendar(self.people.get(&person).and_then(|p| p.time_zone))
    }

    /// Working time since `from` in `person`'s calendar.
    fn worked(&self, person: PersonId, from: DateTime<Utc>) -> Duration {
        self.calendar(person).working_between(from, self.now)
    }

    fn describe_span(&self, d: Duration) -> String {
        self.s.working.describe(d)
    }

    /// When a doing item's stall clock started: its last activity, or the resumption of its
    /// initiative. `None` while its initiative is paused or closed: paused work does not stall.
    fn stall_clock(&self, w: &WorkItem) -> Option<DateTime<Utc>> {
        if w.status != WorkStatus::Doing {
            return None;
        }
        match w.initiative_id.map(|i| self.initiatives.get(&i)) {
            None => Some(w.last_activity_at),
            Some(Some(i)) if i.status == InitiativeStatus::Active => {
                Some(w.last_activity_at.max(i.status_changed_at))
            }
            Some(_) => None,
        }
    }

    fn is_stalled(&self, w: &WorkItem) -> bool {
        self.stall_clock(w).is_some_and(|since| {
            self.worked(w.assignee_id, since) >= self.s.working.span(self.s.stall_after)
        })
    }

    /// How long a flapping rule has held (zero when it starts now); remembers that it holds.
    fn held(&mut self, rule_key: String) -> Duration {
        let since = self.snap.onsets.get(&rule_key).copied().unwrap_or(self.now);
        self.out.holding.push(rule_key);
        self.now - since
    }

    /// "W-3 "Title" (@lee)"
    fn describe(&self, w: &WorkItem) -> String {
        format!("{} \"{}\" ({})", w.key(), w.title, self.at(w.assignee_id))
    }

    /// The newest moment the given items were in `doing`, if any.
    fn last_doing<'w>(&self, items: impl Iterator<Item = &'w WorkItem>) -> Option<DateTime<Utc>> {
        items
            .map(|w| {
                if w.status == WorkStatus::Doing {
                    Some(self.now)
                } else {
                    w.doing_ended_at
                }
            })
            .max()
            .flatten()
    }

    fn run(mut self) -> Assessment {
        let work_health = self.work_items();
        let initiative_health = self.initiatives(&work_health);
        self.goals_health(&work_health, &initiative_health);
        self.people_conditions();
        self.out.capacity = self.capacity;
        self.out
    }

    fn work_items(&mut self) -> HashMap<WorkId, Health> {
        let mut all = HashMap::new();
        for w in self.open_work() {
            let mut h = Health::new();
            if self.is_stalled(w) {
                let since = self.stall_clock(w).unwrap_or(w.last_activity_at);
                let reason = format!(
                    "{} stalled: no activity since {} ({} without any)",
                    self.describe(w),
                    since
                        .with_timezone(&self.s.time_zone)
                        .format("%a %Y-%m-%d %H:%M"),
                    self.describe_span(self.worked(w.assignee_id, since)),
                );
                h.flag(
                    Colour::Amber,
                    format!("stalled:{}", w.key()),
                    reason.clone(),
                );
                self.work_condition(SignalKind::Stalled, w, &reason);
            }
            if w.status == WorkStatus::Blocked {
                let blocker = w.blocker.as_deref().unwrap_or("no reason given");
                let reason = format!("{} blocked: {blocker}", self.describe(w));
                h.flag(
                    Colour::Amber,
                    format!("blocked:{}", w.key()),
                    reason.clone(),
                );
                self.work_condition(SignalKind::Blocked, w, &reason);
            }
            if w.is_unaligned() {
                let why = w
                    .unaligned_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                self.out.conditions.push(Condition {
                    kind: SignalKind::Orphan,
                    subject: w.key().to_string(),
                    goal: None,
                    summary: format!("{} has no strategic home{why}", self.describe(w)),
                    notify: Some(w.created_by),
                });
            }
            self.out.health.insert(w.key().to_string(), h.clone());
            all.insert(w.id, h);
        }
        all
    }

    fn goals_health(
        &mut self,
        work_health: &HashMap<WorkId, Health>,
        initiative_health: &HashMap<InitiativeId, Health>,
    ) {
        for g in &self.snap.goals {
            let h = self.goal(g, work_health, initiative_health);
            self.out.health.insert(g.key().to_string(), h);
        }
    }

    fn goal(
        &mut self,
        g: &Goal,
        work_health: &HashMap<WorkId, Health>,
        initiative_health: &HashMap<InitiativeId, Health>,
    ) -> Health {
        let mut h = Health::new();
        let key = g.key().to_string();
        let initiatives: Vec<&Initiative> = self
            .snap
            .initiatives
            .iter()
            .filter(|i| i.goal_id == g.id)
            .collect();
        let active: Vec<&Initiative> = initiatives
            .iter()
            .copied()
            .filter(|i| i.status == InitiativeStatus::Active)
            .collect();
        let direct: Vec<&WorkItem> = self
            .snap
            .work
            .iter()
            .filter(|w| w.goal_id == Some(g.id) && w.initiative_id.is_none())
            .collect();

        for i in &active {
            let ih = &initiative_health[&i.id];
            if ih.colour != Colour::Green {
                h.raise(Colour::Amber);
                h.reasons.push(format!(
                    "{} \"{}\" (lead {}) is {}: {}",
                    i.key(),
                    i.title,
                    self.at(i.lead_id),
                    ih.colour,
                    ih.reasons.join("; ")
                ));
                h.causes
                    .extend(ih.causes.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        for w in direct.iter().filter(|w| w.status.is_open()) {
            if let Some(wh) = work_health
                .get(&w.id)
                .filter(|wh| wh.colour != Colour::Green)
            {
                h.raise(Colour::Amber);
                h.reasons.push(wh.reasons.join("; "));
                h.causes
                    .extend(wh.causes.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }

        let red = active
            .iter()
            .filter(|i| initiative_health[&i.id].colour == Colour::Red)
            .count();
        if !active.is_empty() && red * 2 >= active.len() {
            h.flag(
                Colour::Red,
                format!("half_red:{key}"),
                format!(
                    "{red} of {} active initiatives of {key} are red",
                    active.len()
                ),
            );
        }

        if active.is_empty() && !direct.iter().any(|w| w.status == WorkStatus::Doing) {
            let initiative_end = initiatives.iter().map(|i| i.status_changed_at).max();
            let since = [
                Some(g.created_at),
                initiative_end,
                self.last_doing(direct.iter().copied()),
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(g.created_at);
            let idle = self.worked(g.owner_id, since);
            if idle >= self.s.working.span(self.s.starve_after) {
                let reason = format!(
                    "{key} is starved: no active initiative and no work in doing for {}",
                    self.describe_span(idle)
                );
                h.flag(Colour::Red, format!("starved:{key}"), reason.clone());
                self.condition(SignalKind::Starved, &key, Some(key.clone()), reason);
            }
        }

        if let Some(due) = g.due_on.filter(|d| *d < self.today) {
            let open = match &self.snap.open_by_goal {
                Some(counts) => counts.get(&g.id).copied().unwrap_or(0),
                None => self
                    .snap
                    .work
                    .iter()
                    .filter(|w| w.goal_id == Some(g.id) && w.status.is_open())
                    .count(),
            };
            let reason = format!(
                "{key} was due {due} and still has {}",
                crate::domain::words::counted(open, "open work item")
            );
            if open > 0 {
                h.flag(Colour::Red, format!("overdue:{key}"), reason.clone());
            }
            self.condition(SignalKind::Overdue, &key, Some(key.clone()), reason);
        }

        // The goal moves only if its outcomes do: the worst of its work and its key results.
        for f in self.snap.key_results.iter().filter(|f| f.goal_id == g.id) {
            let kr = f.kr.key();
            let said = key_result::health::judge(f, self.now, &self.s.kr, self.s.kr_checkin_every);
            for (colour, cause, reason) in said {
                // The agenda asks the person: "K-7 has no update from @ana for 10 days".
                let (kind, summary) = match cause.strip_prefix("kr_stale:") {
                    Some(_) => (
                        SignalKind::KrStale,
                        reason.replacen(" for ", &format!(" from {} for ", self.at(g.owner_id)), 1),
                    ),
                    None => (SignalKind::KrBehind, reason.clone()),
                };
                self.condition(kind, &kr, Some(key.clone()), summary);
                h.flag(colour, cause, reason);
            }
            let stuck =
                key_result::health::not_moving(f, self.now, &self.s.kr, self.s.kr_stuck_after);
            if let Some(reason) = stuck {
                self.out.conditions.push(Condition {
                    kind: SignalKind::KrNotMoving,
                    subject: kr,
                    goal: Some(key.clone()),
                    summary: format!("{key}: {reason}: reconsider the bet"),
                    notify: Some(g.owner_id),
                });
            }
        }

        if let Some(owner) = self.people.get(&g.owner_id).filter(|p| !p.active) {
            let reason = format!(
                "owner {} has left the workspace: {key} needs a new owner",
                owner.at()
            );
            h.flag(Colour::Amber, format!("owner_gone:{key}"), reason.clone());
            self.condition(SignalKind::OwnerGone, &key, Some(key.clone()), reason);
        }
        h
    }

    fn people_conditions(&mut self) {
        for p in self.snap.people.iter().filter(|p| p.active) {
            let doing: Vec<String> = self
                .open_work()
                .filter(|w| w.assignee_id == p.id && w.status == WorkStatus::Doing)
                .map(|w| w.key().to_string())
                .collect();
            if doing.len() > self.s.wip_limit as usize {
                let summary = format!(
                    "{} has {} items in doing (limit {}): {}",
                    p.at(),
                    doing.len(),
                    self.s.wip_limit,
                    doing.join(", ")
                );
                self.out.conditions.push(Condition {
                    kind: SignalKind::OverAllocated,
                    subject: person_subject(p.id),
                    goal: None,
                    summary,
                    notify: None,
                });
            }
        }
    }

    /// A condition on one work item, its summary naming where the item sits and who leads it,
    /// so that the digest and the agenda can say whose decision it is.
    fn work_condition(&mut self, kind: SignalKind, w: &WorkItem, reason: &str) {
        let goal = w.goal_id.and_then(|g| self.goals.get(&g)).copied();
        let home = match (w.initiative_id.and_then(|i| self.initiatives.get(&i)), goal) {
            (Some(i), _) => format!(
                " (in {} \"{}\", lead {})",
                i.key(),
                i.title,
                self.at(i.lead_id)
            ),
            (None, Some(g)) => format!(" (in {}, owner {})", g.key(), self.at(g.owner_id)),
            (None, None) => " (no goal)".into(),
        };
        self.out.conditions.push(Condition {
            kind,
            subject: w.key().to_string(),
            goal: goal.map(|g| g.key().to_string()),
            summary: format!("{reason}{home}"),
            notify: Some(w.assignee_id),
        });
    }

    fn condition(
        &mut self,
        kind: SignalKind,
        subject: &str,
        goal: Option<String>,
        summary: String,
    ) {
        self.out.conditions.push(Condition {
            kind,
            subject: subject.to_string(),
            goal,
            summary,
            notify: None,
        });
    }
}

/// `3d`, `5h`, `45m`: the largest whole unit.
pub fn human_duration(d: Duration) -> String {
    if d.num_days() >= 1 {
        format!("{}d", d.num_days())
    } else if d.num_hours() >= 1 {
        format!("{}h", d.num_hours())
    } else {
        format!("{}m", d.num_minutes().max(0))
    }
}
