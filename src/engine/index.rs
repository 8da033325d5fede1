//! Lookups over a snapshot, shared by notices, views and the digest.

use std::collections::HashMap;

use crate::domain::health::Snapshot;
use crate::domain::*;

pub struct Index<'a> {
    pub snap: &'a Snapshot,
    people: HashMap<PersonId, &'a Person>,
    goals: HashMap<GoalId, &'a Goal>,
    initiatives: HashMap<InitiativeId, &'a Initiative>,
}

impl<'a> Index<'a> {
    pub fn new(snap: &'a Snapshot) -> Self {
        Index {
            snap,
            people: snap.people.iter().map(|p| (p.id, p)).collect(),
            goals: snap.goals.iter().map(|g| (g.id, g)).collect(),
            initiatives: snap.initiatives.iter().map(|i| (i.id, i)).collect(),
        }
    }

    pub fn at(&self, id: PersonId) -> String {
        self.people
            .get(&id)
            .map_or_else(|| "someone".into(), |p| p.at())
    }

    pub fn person(&self, id: PersonId) -> Option<&'a Person> {
        self.people.get(&id).copied()
    }

    pub fn goal(&self, id: GoalId) -> Option<&'a Goal> {
        self.goals.get(&id).copied()
    }

    pub fn initiative(&self, id: InitiativeId) -> Option<&'a Initiative> {
        self.initiatives.get(&id).copied()
    }

    pub fn goal_by_key(&self, key: &str) -> Option<&'a Goal> {
        self.snap.goals.iter().find(|g| g.key().to_string() == key)
    }

    pub fn initiative_by_key(&self, key: &str) -> Option<&'a Initiative> {
        self.snap
            .initiatives
            .iter()
            .find(|i| i.key().to_string() == key)
    }

    pub fn work_by_key(&self, key: &str) -> Option<&'a WorkItem> {
        self.snap.work.iter().find(|w| w.key().to_string() == key)
    }

    /// `G-1 "Cut churn to 3%"`
    pub fn goal_label(g: &Goal) -> String {
        format!("{} \"{}\"", g.key(), g.title)
    }

    pub fn initiative_label(i: &Initiative) -> String {
        format!("{} \"{}\"", i.key(), i.title)
    }

    /// Where a work item lives: `I-1 "Onboarding revamp" (G-1)`, `G-2`, or `no goal`.
    pub fn home(&self, w: &WorkItem) -> String {
        match (
            w.initiative_id.and_then(|i| self.initiative(i)),
            w.goal_id.and_then(|g| self.goal(g)),
        ) {
            (Some(i), Some(g)) => format!("{} ({})", Self::initiative_label(i), g.key()),
            (None, Some(g)) => Self::goal_label(g),
            _ => "no goal".into(),
        }
    }

    /// Open goals that a homeless work item most likely belongs to: shared title words first,
    /// then rank.
    pub fn likely_goals(&self, title: &str, limit: usize) -> Vec<&'a Goal> {
        let words = significant_words(title);
        let mut scored: Vec<(usize, &Goal)> = self
            .snap
            .goals
            .iter()
            .map(|g| {
                let mut text = g.title.clone();
                for i in self.snap.initiatives.iter().filter(|i| i.goal_id == g.id) {
                    text.push(' ');
                    text.push_str(&i.title);
                }
                let theirs = significant_words(&text);
                (words.iter().filter(|w| theirs.contains(w)).count(), g)
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then(a.1.rank.cmp(&b.1.rank))
                .then(a.1.number.cmp(&b.1.number))
        });
        scored.into_iter().take(limit).map(|(_, g)| g).collect()
    }
}

fn significant_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .map(|w| w.to_lowercase())
        .collect()
}
