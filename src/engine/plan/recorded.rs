//! Health and signals as the record keeps them: every change of colour with the causes behind
//! it (the digest reads these), every condition raised, refreshed and resolved.

use std::collections::HashMap;

use serde_json::json;

use super::steps::{Key, Picture, Plan, Planned, Step};
use crate::domain::health::{Assessment, Health};
use crate::domain::*;
use crate::engine::index::Index;
use crate::engine::notices;
use crate::store::outbox::Recipient;
use crate::store::signals::SignalRow;

/// Stores what each judged subject's health reads now; a subject stored but no longer judged
/// (closed, archived) reads closed.
pub fn health(a: &Assessment, stored: &HashMap<String, Health>, plan: &mut Plan) {
    let closed = Health::closed();
    let mut gone: Vec<(&String, &Health)> = stored
        .keys()
        .filter(|s| !a.health.contains_key(*s))
        .map(|s| (s, &closed))
        .collect();
    gone.sort_by_key(|(s, _)| *s);
    for (subject, new) in a.health.iter().chain(gone) {
        let old = stored.get(subject);
        if old == Some(new) {
            continue;
        }
        plan.step(Step::SaveHealth {
            subject: subject.clone(),
            health: new.clone(),
        });
        let from = old.map_or(Colour::Green, |h| h.colour);
        let lines = |h: Option<&Health>| -> Vec<String> {
            h.map(|h| h.causes.values().cloned().collect())
                .unwrap_or_default()
        };
        if from != new.colour {
            plan.step(Step::Event {
                subject: subject.clone(),
                action: "health",
                before: Some(json!({ "colour": from, "causes": lines(old) })),
                after: Some(
                    json!({ "colour": new.colour, "reasons": new.reasons, "causes": lines(Some(new)) }),
                ),
            });
            continue;
        }
        // Same colour, new cause: a goal already amber or red has a new reason to be.
        let known = old.map(|h| &h.causes);
        let fresh: Vec<&String> = new
            .causes
            .iter()
            .filter(|(k, _)| !known.is_some_and(|c| c.contains_key(*k)))
            .map(|(_, line)| line)
            .collect();
        // A row stored before causes were kept has none: that is no news.
        let legacy = known.is_some_and(|c| c.is_empty());
        if fresh.is_empty() || legacy || !subject.starts_with("G-") {
            continue;
        }
        plan.step(Step::Event {
            subject: subject.clone(),
            action: "new cause",
            before: None,
            after: Some(json!({ "colour": new.colour, "causes": fresh })),
        });
    }
}

/// Raises the conditions that are new, keeps open ones current and resolves the rest; a new
/// orphan, key result not moving or owner gone is told at once.
pub fn signals(pic: &Picture, ix: &Index, open: &[SignalRow], plan: &mut Plan) {
    let mut still_open: HashMap<(&str, &str), &SignalRow> = open
        .iter()
        .map(|s| ((s.kind.as_str(), s.subject.as_str()), s))
        .collect();
    for c in &pic.assessment.conditions {
        if let Some(s) = still_open.remove(&(c.kind.as_str(), c.subject.as_str())) {
            if s.summary != c.summary || s.goal_subject != c.goal {
                plan.step(Step::RefreshSignal {
                    id: s.id,
                    goal: c.goal.clone(),
                    summary: c.summary.clone(),
                });
            }
            continue;
        }
        let id = plan.create(Step::RaiseSignal {
            kind: c.kind,
            subject: c.subject.clone(),
            goal: c.goal.clone(),
            summary: c.summary.clone(),
        });
        plan.step(Step::Event {
            subject: c.subject.clone(),
            action: "signal raised",
            before: None,
            after: Some(json!({ "kind": c.kind, "summary": c.summary })),
        });
        if let Some(p) = notice(ix, c, Key::Signal(id), pic) {
            plan.tell(p);
            plan.step(Step::SignalNotified(id));
        }
    }
    let mut resolved: Vec<&SignalRow> = still_open.into_values().collect();
    resolved.sort_by_key(|s| s.id);
    for s in resolved {
        plan.step(Step::ResolveSignal(s.id));
        plan.step(Step::Event {
            subject: s.subject.clone(),
            action: "signal resolved",
            before: Some(json!({ "kind": s.kind, "summary": s.summary })),
            after: None,
        });
    }
}

/// What a newly raised signal tells at once. Stalls are episodes, told by `plan::episodes`.
fn notice(ix: &Index, c: &Condition, key: Key, pic: &Picture) -> Option<Planned> {
    let now = pic.now;
    match c.kind {
        SignalKind::Orphan => {
            let w = ix.work_by_key(&c.subject)?;
            let to = Recipient::Person(w.created_by);
            Some(Planned::now(key, to, c, notices::orphan(ix, w), now))
        }
        SignalKind::KrNotMoving => {
            let g = ix.goal_by_key(c.goal.as_deref()?)?;
            let to = Recipient::Person(c.notify?);
            let message = notices::not_moving(g, &c.subject, &c.summary);
            Some(Planned::now(key, to, c, message, now))
        }
        SignalKind::OwnerGone => {
            let g = ix.goal_by_key(&c.subject)?;
            // The owner cannot act on it: the leadership channel can.
            let to = Recipient::Channel(pic.settings.channel.clone());
            Some(Planned::now(key, to, c, notices::owner_gone(ix, g), now))
        }
        _ => None,
    }
}
