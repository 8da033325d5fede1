//! Re-evaluates a workspace and turns what changed into events, signals and notifications,
//! all inside the caller's transaction. Alerts about goals, initiatives and stalled work are
//! episodes (`engine::episodes`); this module records health and signals and queues the rest.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::health::{self, Assessment, Health};
use crate::domain::*;
use crate::engine::episodes::Episodes;
use crate::engine::index::Index;
use crate::engine::notices;
use crate::engine::plan::{Planned, Trigger};
use crate::message::Op;
use crate::store::events::{self, NewEvent};
use crate::store::outbox::{self, NewNotification, Recipient};
use crate::store::{Conn, WorkspaceId, episodes, model, scope, signals, workspaces};

/// Evaluates at `now` what changed since the last evaluation, and when time moved what time
/// can have changed too (the whole workspace after a change of settings), and records every
/// consequence. Safe to call repeatedly: a second call at the same moment finds nothing new
/// and queues nothing.
pub async fn reconcile(
    conn: &mut Conn,
    ws: WorkspaceId,
    now: DateTime<Utc>,
    trigger: Trigger,
) -> anyhow::Result<()> {
    let settings = workspaces::settings(&mut *conn, ws).await?;
    let mut changes = scope::take(&mut *conn, ws).await?;
    let whole = changes.everything;
    if trigger == Trigger::Time && !whole {
        let stalled_before = now - settings.working.span(settings.stall_after);
        let today = now.with_timezone(&settings.time_zone).date_naive();
        let timed = scope::due_to_time(&mut *conn, ws, stalled_before, today).await?;
        changes = changes.merge(timed);
    }
    if !whole && changes.is_empty() {
        return Ok(());
    }
    let (recent_since, flowing_since) = settings.windows(now);
    let (snap, keys) = if whole {
        let snap = model::snapshot(&mut *conn, ws, recent_since, flowing_since).await?;
        (snap, None)
    } else {
        let today = now.with_timezone(&settings.time_zone).date_naive();
        let windows = (recent_since, flowing_since);
        let (snap, keys) = scope::snapshot(&mut *conn, ws, &changes, windows, today).await?;
        (snap, Some(keys))
    };
    let mut assessment = health::evaluate(&snap, &settings, now);
    // The same rules judge a scope as the whole; only what the scope can affect is kept.
    let keys: Option<Vec<String>> = keys.map(|k| {
        assessment.retain(&k);
        k.into_iter().collect()
    });
    model::save_onsets(&mut *conn, ws, &assessment.holding, keys.as_deref(), now).await?;
    let ix = Index::new(&snap);
    let mut planned = Vec::new();

    health_changes(conn, ws, &assessment, keys.as_deref(), now).await?;
    signal_changes(
        conn,
        ws,
        &ix,
        &settings,
        &assessment,
        keys.as_deref(),
        now,
        &mut planned,
    )
    .await?;
    let mut episodes = Episodes {
        conn: &mut *conn,
        ws,
        ix: &ix,
        settings: &settings,
        now,
        trigger,
        planned: &mut planned,
    };
    episodes.advance(&assessment, keys.as_deref()).await?;
    if trigger == Trigger::Time {
        planned.extend(super::reminders::plan(
            &snap.key_results,
            &ix,
            &settings,
            now,
        ));
    }
    let gone: HashSet<PersonId> = snap
        .people
        .iter()
        .filter(|p| !p.active)
        .map(|p| p.id)
        .collect();
    deliver(conn, ws, &settings, &gone, planned, now).await?;
    Ok(())
}

/// Stores what each subject's health reads now, and records every change of colour with the
/// causes behind it (the digest reads these).
async fn health_changes(
    conn: &mut Conn,
    ws: WorkspaceId,
    assessment: &Assessment,
    scope: Option<&[String]>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let stored = match scope {
        Some(keys) => signals::stored_health(&mut *conn, ws, keys, false).await?,
        None => {
            let judged: Vec<String> = assessment.health.keys().cloned().collect();
            signals::stored_health(&mut *conn, ws, &judged, true).await?
        }
    };
    let closed = Health::closed();
    let gone = stored
        .keys()
        .filter(|s| !assessment.health.contains_key(*s))
        .map(|s| (s, &closed));
    for (subject, new) in assessment.health.iter().chain(gone) {
        let old = stored.get(subject);
        if old == Some(new) {
            continue;
        }
        signals::save_health(&mut *conn, ws, subject, new, now).await?;
        let from = old.map_or(Colour::Green, |h| h.colour);
        let lines = |h: Option<&Health>| -> Vec<String> {
            h.map(|h| h.causes.values().cloned().collect())
                .unwrap_or_default()
        };
        let event = if from != new.colour {
            NewEvent {
                actor: None,
                subject,
                action: "health",
                before: Some(json!({ "colour": from, "causes": lines(old) })),
                after: Some(
                    json!({ "colour": new.colour, "reasons": new.reasons, "causes": lines(Some(new)) }),
                ),
                note: None,
            }
        } else {
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
            NewEvent {
                actor: None,
                subject,
                action: "new cause",
                before: None,
                after: Some(json!({ "colour": new.colour, "causes": fresh })),
                note: None,
            }
        };
        events::record(&mut *conn, ws, event, now).await?;
    }
    Ok(())
}

#[allow(
    clippy::too_many_arguments,
    reason = "the reconciliation's shared state, passed as it is"
)]
async fn signal_changes(
    conn: &mut Conn,
    ws: WorkspaceId,
    ix: &Index<'_>,
    settings: &Settings,
    assessment: &Assessment,
    scope: Option<&[String]>,
    now: DateTime<Utc>,
    planned: &mut Vec<Planned>,
) -> anyhow::Result<()> {
    let open = signals::open(&mut *conn, ws, scope).await?;
    let mut still_open: HashMap<(String, String), &signals::SignalRow> = open
        .iter()
        .map(|s| ((s.kind.clone(), s.subject.clone()), s))
        .collect();

    for c in &assessment.conditions {
        let existing = still_open.remove(&(c.kind.as_str().to_string(), c.subject.clone()));
        let id = match existing {
            Some(s) => {
                if s.summary != c.summary || s.goal_subject != c.goal {
                    signals::refresh(&mut *conn, ws, s.id, c.goal.as_deref(), &c.summary).await?;
                }
                continue;
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
                id
            }
        };
        if let Some(p) = signal_notice(ix, c, id, &settings.channel, now) {
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

/// What a newly raised signal tells at once. Stalls are episodes, told by `engine::episodes`.
fn signal_notice(
    ix: &Index,
    c: &Condition,
    id: i64,
    channel: &str,
    now: DateTime<Utc>,
) -> Option<Planned> {
    let key = format!("signal:{id}");
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
            let to = Recipient::Channel(channel.into());
            Some(Planned::now(key, to, c, notices::owner_gone(ix, g), now))
        }
        _ => None,
    }
}

/// Applies snoozes and the daily cap, then writes the outbox rows; an episode's first
/// message is remembered on the episode.
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
                && p.op.pushes()
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
            op: p.op,
            episode: p.episode,
            available_at: p.available_at,
            caused_by: p.caused_by.as_str(),
        };
        let id = outbox::enqueue(&mut *conn, ws, n, now).await?;
        if let (Some(id), Some(ep), Op::Post) = (id, p.episode, p.op) {
            episodes::announced(&mut *conn, ws, ep, id, now).await?;
        }
    }
    Ok(())
}
