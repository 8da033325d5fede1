//! Check-in reminders: when key results fall due for a check-in, their owner gets one direct
//! message listing them all, each with an update button, in the owner's working hours; one
//! follow-up two days later; after that the agenda carries it (the key result is stale).

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

use super::steps::{Key, Planned, Trigger};
use crate::domain::key_result::{KrFacts, Shape};
use crate::domain::{PersonId, Settings};
use crate::engine::index::Index;
use crate::engine::notices;
use crate::message::Op;
use crate::store::outbox::Recipient;

/// A key result checked in this recently is never asked about.
const RECENT: Duration = Duration::days(5);
/// The one follow-up comes this long after the key results fell due.
const FOLLOW_UP: Duration = Duration::days(2);

/// The reminders owed at `now`; their dedupe keys make asking again a no-op.
pub fn plan(
    facts: &[KrFacts],
    ix: &Index,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<Planned> {
    let mut due: BTreeMap<PersonId, Vec<(&KrFacts, DateTime<Utc>)>> = BTreeMap::new();
    for f in facts.iter().filter(|f| owed(f, settings, now).is_some()) {
        let heard = f.last_checkin.unwrap_or(f.created_at);
        if let Some(g) = ix.goal(f.goal_id) {
            due.entry(g.owner_id).or_default().push((f, heard));
        }
    }
    let mut out = Vec::new();
    for (owner, krs) in due {
        // One reminder (and one follow-up) per set of key results that fell due: a check-in
        // moves the anchor and starts the next cycle.
        let anchor = krs.iter().map(|(_, heard)| *heard).max().unwrap_or(now);
        let follow_up = now - anchor >= settings.kr_checkin_every + FOLLOW_UP;
        let tz = ix.person(owner).and_then(|p| p.time_zone);
        let facts: Vec<&KrFacts> = krs.iter().map(|(f, _)| *f).collect();
        let m = notices::checkin_reminder(&facts, follow_up, settings, now);
        let stage = if follow_up { "again" } else { "first" };
        out.push(Planned {
            key: Key::Text(format!(
                "kr-reminder:{owner}:{}:{stage}",
                anchor.timestamp()
            )),
            to: Recipient::Person(owner),
            about: krs.first().map(|(f, _)| f.kr.key()).unwrap_or_default(),
            goal: krs
                .first()
                .and_then(|(f, _)| ix.goal(f.goal_id))
                .map(|g| g.key().to_string()),
            message: m,
            needs_ack: false,
            op: Op::Post,
            episode: None,
            available_at: settings.calendar(tz).next_working(now),
            caused_by: Trigger::Time,
            held: None,
        });
    }
    out
}

/// Whether `f` is owed a check-in reminder at `now`, and whether it would be the follow-up,
/// judged on its own (a reminder gathers its owner's key results and follows the newest).
pub fn owed(f: &KrFacts, settings: &Settings, now: DateTime<Utc>) -> Option<bool> {
    if matches!(f.kr.shape, Shape::Milestone) {
        return None;
    }
    let silent = now - f.last_checkin.unwrap_or(f.created_at);
    if silent < settings.kr_checkin_every || silent < RECENT {
        return None;
    }
    Some(silent >= settings.kr_checkin_every + FOLLOW_UP)
}
