//! Re-evaluates a workspace and turns what changed into events, signals and notifications,
//! all inside the caller's transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::health::{self, Assessment, Health, Snapshot};
use crate::domain::settings::RedToChannel;
use crate::domain::*;
use crate::engine::index::Index;
use crate::engine::notices;
use crate::message::Message;
use crate::store::events::{self, NewEvent};
use crate::store::outbox::{self, NewNotification, Recipient};
use crate::store::{Conn, WorkspaceId, model, signals, workspaces};

/// A notification decided on, before snoozes and caps are applied.
struct Planned {
    dedupe_key: String,
    to: Recipient,
    about: String,
    goal: Option<String>,
    message: Message,
    needs_ack: bool,
}

/// Evaluates the workspace at `now` and records every consequence. Safe to call repeatedly:
/// a second call at the same moment finds nothing new and queues nothing.
pub async fn reconcile(
    conn: &mut Conn,
    ws: WorkspaceId,
    now: DateTime<Utc>,
) -> anyhow::Result<(Snapshot, Assessment)> {
    let settings = workspaces::settings(&mut *conn, ws).await?;
    let snap = model::snapshot(&mut *conn, ws, now - settings.starve_after).await?;
    let assessment = health::evaluate(&snap, &settings, now);
    let ix = Index::new(&snap);
    let mut planned = Vec::new();

    health_changes(conn, ws, &ix, &settings, &assessment, now, &mut planned).await?;
    signal_changes(conn, ws, &ix, &settings, &assessment, now, &mut planned).await?;
    let gone: HashSet<PersonId> = snap
        .people
        .iter()
        .filter(|p| !p.active)
        .map(|p| p.id)
        .collect();
    deliver(conn, ws, &settings, &gone, planned, now).await?;
    Ok((snap, assessment))
}

async fn health_changes(
    conn: &mut Conn,
    ws: WorkspaceId,
    ix: &Index<'_>,
    settings: &Settings,
    assessment: &Assessment,
    now: DateTime<Utc>,
    planned: &mut Vec<Planned>,
) -> anyhow::Result<()> {
    let stored = signals::stored_health(&mut *conn, ws).await?;
    let closed = Health {
        colour: Colour::None,
        reasons: Vec::new(),
    };
    let gone = stored
        .keys()
        .filter(|s| !assessment.health.contains_key(*s))
        .map(|s| (s, &closed));
    let mut goal_alerted: HashSet<(PersonId, GoalId)> = HashSet::new();

    // Goals first, so that a lead who also owns the goal hears about it once.
    let mut all: Vec<(&String, &Health)> = assessment.health.iter().chain(gone).collect();
    all.sort_by_key(|(s, _)| (!s.starts_with("G-"), (*s).clone()));
    for (subject, new) in all {
        let old = stored.get(subject);
        if old == Some(new) {
            continue;
        }
        signals::save_health(&mut *conn, ws, subject, new, now).await?;
        let from = old.map_or(Colour::Green, |h| h.colour);
        if from == new.colour {
            continue;
        }
        let event = NewEvent {
            actor: None,
            subject,
            action: "health",
            before: Some(json!({ "colour": from })),
            after: Some(json!({ "colour": new.colour, "reasons": new.reasons })),
            note: None,
        };
        events::record(&mut *conn, ws, event, now).await?;
        let worse = new.colour.severity() > from.severity()
            && new.colour.severity() >= Colour::Amber.severity();
        let better = new.colour == Colour::Green && from.severity() > Colour::Green.severity();
        if let Some(g) = ix.goal_by_key(subject) {
            if worse || better {
                goal_alerted.insert((g.owner_id, g.id));
                planned.push(Planned {
                    dedupe_key: format!(
                        "health:{subject}:{}:{}",
                        new.colour,
                        now.timestamp_micros()
                    ),
                    to: Recipient::Person(g.owner_id),
                    about: subject.clone(),
                    goal: Some(subject.clone()),
                    message: notices::goal_changed(ix, g, from, new),
                    needs_ack: worse,
                });
            }
            if new.colour == Colour::Red && settings.red_to_channel == RedToChannel::Now {
                planned.push(Planned {
                    dedupe_key: format!("health:{subject}:red:channel:{}", now.timestamp_micros()),
                    to: Recipient::Channel(settings.channel.clone()),
                    about: subject.clone(),
                    goal: Some(subject.clone()),
                    message: notices::goal_red_to_channel(ix, g, new),
                    needs_ack: false,
                });
            }
        } else if let Some(i) = ix.initiative_by_key(subject).filter(|_| worse) {
            if goal_alerted.contains(&(i.lead_id, i.goal_id)) {
                continue;
            }
            let goal = ix.goal(i.goal_id).map(|g| g.key().to_string());
            planned.push(Planned {
                dedupe_key: format!("health:{subject}:{}:{}", new.colour, now.timestamp_micros()),
                to: Recipient::Person(i.lead_id),
                about: subject.clone(),
                goal,
                message: notices::initiative_changed(ix, i, from, new),
                needs_ack: false,
            });
        }
    }
    Ok(())
}

async fn signal_changes(
    conn: &mut Conn,
    ws: WorkspaceId,
    ix: &Index<'_>,
    settings: &Settings,
    assessment: &Assessment,
    now: DateTime<Utc>,
    planned: &mut Vec<Planned>,
) -> anyhow::Result<()> {
    let open = signals::open(&mut *conn, ws).await?;
    let mut still_open: HashMap<(String, String), &signals::SignalRow> = open
        .iter()
        .map(|s| ((s.kind.clone(), s.subject.clone()), s))
        .collect();

    for c in &assessment.conditions {
        let existing = still_open.remove(&(c.kind.as_str().to_string(), c.subject.clone()));
        let (id, first) = match existing {
            Some(s) => {
                if s.summary != c.summary || s.goal_subject != c.goal {
                    signals::refresh(&mut *conn, ws, s.id, c.goal.as_deref(), &c.summary).await?;
                }
                // Stalled work is nudged again, at most once per `nudge_every`, while it stays stalled.
                let due = s
                    .last_notified_at
                    .is_some_and(|t| now - t >= settings.nudge_every);
                if !(c.kind == SignalKind::Stalled && due) {
                    continue;
                }
                (s.id, false)
            }
            None => {
                let id = signals::raise(
                    &mut *conn,
                    ws,
                    c.kind,
                    &c.subject,
                    c.goal.as_deref(),
                    &c.summary,
                    now,
                )
                .await?;
                let event = NewEvent {
                    actor: None,
                    subject: &c.subject,
                    action: "signal raised",
                    before: None,
                    after: Some(json!({ "kind": c.kind, "summary": c.summary })),
                    note: None,
                };
                events::record(&mut *conn, ws, event, now).await?;
                (id, true)
            }
        };
        if let Some(p) = signal_notice(ix, c, id, first, &settings.channel, now) {
            planned.push(p);
            signals::mark_notified(&mut *conn, ws, id, now).await?;
        }
    }

    for s in still_open.values() {
        signals::resolve(&mut *conn, ws, s.id, now).await?;
        let event = NewEvent {
            actor: None,
            subject: &s.subject,
            action: "signal resolved",
            before: Some(json!({ "kind": s.kind, "summary": s.summary })),
            after: None,
            note: None,
        };
        events::record(&mut *conn, ws, event, now).await?;
    }
    Ok(())
}

fn signal_notice(
    ix: &Index,
    c: &Condition,
    id: i64,
    first: bool,
    channel: &str,
    now: DateTime<Utc>,
) -> Option<Planned> {
    let plan = |to: Recipient, message: Message, key: String| Planned {
        dedupe_key: key,
        to,
        about: c.subject.clone(),
        goal: c.goal.clone(),
        message,
        needs_ack: false,
    };
    match c.kind {
        SignalKind::Stalled => {
            let w = ix.work_by_key(&c.subject)?;
            let key = if first {
                format!("signal:{id}")
            } else {
                format!("signal:{id}:nudge:{}", now.timestamp_micros())
            };
            Some(plan(
                Recipient::Person(w.assignee_id),
                notices::stalled(ix, w, &c.summary, !first),
                key,
            ))
        }
        SignalKind::Orphan if first => {
            let w = ix.work_by_key(&c.subject)?;
            Some(plan(
                Recipient::Person(w.created_by),
                notices::orphan(ix, w),
                format!("signal:{id}"),
            ))
        }
        SignalKind::OwnerGone if first => {
            let g = ix.goal_by_key(&c.subject)?;
            // The owner cannot act on it: the leadership channel can.
            Some(plan(
                Recipient::Channel(channel.into()),
                notices::owner_gone(ix, g),
                format!("signal:{id}"),
            ))
        }
        _ => None,
    }
}

/// Applies snoozes and the daily cap, then writes the outbox rows.
async fn deliver(
    conn: &mut Conn,
    ws: WorkspaceId,
    settings: &Settings,
    gone: &HashSet<PersonId>,
    planned: Vec<Planned>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let local_midnight = now
        .with_timezone(&settings.time_zone)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(settings.time_zone).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    for p in planned {
        let mut held = None;
        if let Recipient::Person(person) = p.to {
            if gone.contains(&person) {
                held = Some("recipient has left");
            }
            for subject in std::iter::once(&p.about).chain(p.goal.iter()) {
                if outbox::snoozed_until(&mut *conn, ws, person, subject, now)
                    .await?
                    .is_some()
                {
                    held = Some("snoozed");
                }
            }
            if held.is_none()
                && outbox::dms_since(&mut *conn, ws, person, local_midnight).await?
                    >= settings.dm_cap_per_day.into()
            {
                held = Some("daily cap reached");
            }
        }
        let n = NewNotification {
            dedupe_key: p.dedupe_key,
            to: p.to,
            about: Some(p.goal.as_deref().unwrap_or(&p.about)),
            message: &p.message,
            needs_ack: p.needs_ack,
            held,
        };
        outbox::enqueue(&mut *conn, ws, n, now).await?;
    }
    Ok(())
}
