//! Carries out a plan in the caller's transaction: the writes in their order, then the
//! messages, each through the recipient's snoozes and daily cap.

use chrono::{DateTime, Utc};

use crate::domain::Settings;
use crate::engine::plan::{Key, Plan, Planned, Ref, Step};
use crate::message::Op;
use crate::store::events::{self, NewEvent};
use crate::store::outbox::{self, NewNotification, Recipient};
use crate::store::{Conn, WorkspaceId, episodes, signals};

/// The ids of what the plan created, in order, to resolve its `Ref::New`s.
#[derive(Default)]
struct Created {
    episodes: Vec<i64>,
    signals: Vec<i64>,
}

impl Created {
    fn episode(&self, r: Ref) -> i64 {
        match r {
            Ref::Stored(id) => id,
            Ref::New(n) => self.episodes[n],
        }
    }

    fn signal(&self, r: Ref) -> i64 {
        match r {
            Ref::Stored(id) => id,
            Ref::New(n) => self.signals[n],
        }
    }

    fn key(&self, k: Key) -> String {
        match k {
            Key::Text(k) => k,
            Key::Signal(r) => format!("signal:{}", self.signal(r)),
            Key::Episode(r, rest) => format!("episode:{}{rest}", self.episode(r)),
        }
    }
}

pub async fn apply(
    conn: &mut Conn,
    ws: WorkspaceId,
    settings: &Settings,
    plan: Plan,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut created = Created::default();
    for step in plan.steps {
        write(&mut *conn, ws, step, &mut created, now).await?;
    }
    deliver(conn, ws, settings, plan.messages, &created, now).await
}

async fn write(
    conn: &mut Conn,
    ws: WorkspaceId,
    step: Step,
    created: &mut Created,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    match step {
        Step::SaveHealth { subject, health } => {
            signals::save_health(conn, ws, &subject, &health, now).await?;
        }
        Step::Event {
            subject,
            action,
            before,
            after,
        } => {
            let event = NewEvent {
                actor: None,
                subject: &subject,
                action,
                before,
                after,
                note: None,
            };
            events::record(conn, ws, event, now).await?;
        }
        Step::RaiseSignal {
            kind,
            subject,
            goal,
            summary,
        } => {
            let id =
                signals::raise(conn, ws, kind, &subject, goal.as_deref(), &summary, now).await?;
            created.signals.push(id);
        }
        Step::RefreshSignal { id, goal, summary } => {
            signals::refresh(conn, ws, id, goal.as_deref(), &summary).await?;
        }
        Step::SignalNotified(r) => signals::mark_notified(conn, ws, created.signal(r), now).await?,
        Step::ResolveSignal(id) => signals::resolve(conn, ws, id, now).await?,
        Step::StartEpisode {
            subject,
            person,
            goal,
            colour,
            causes,
        } => {
            let e = episodes::NewEpisode {
                subject: &subject,
                person,
                goal: goal.as_deref(),
                colour,
                causes: &causes,
            };
            created
                .episodes
                .push(episodes::start(conn, ws, e, now).await?);
        }
        Step::RecordEpisode { id, colour, causes } => {
            episodes::update(conn, ws, id, colour, &causes).await?;
        }
        Step::Pending { id, since } => episodes::pending(conn, ws, id, since).await?,
        Step::Pushed(id) => episodes::pushed(conn, ws, id, now).await?,
        Step::RedPosted(r) => episodes::red_posted(conn, ws, created.episode(r)).await?,
        Step::EndEpisode(id) => episodes::end(conn, ws, id, now).await?,
        Step::DropQueued { episode, ops, why } => {
            episodes::drop_queued(conn, ws, episode, ops, why).await?;
        }
        Step::ReplaceQueued {
            row,
            message,
            sooner,
        } => outbox::replace_queued(conn, ws, row, &message, sooner).await?,
    }
    Ok(())
}

/// Applies snoozes and the daily cap, then writes the outbox rows; an episode's first
/// message is remembered on the episode.
async fn deliver(
    conn: &mut Conn,
    ws: WorkspaceId,
    settings: &Settings,
    messages: Vec<Planned>,
    created: &Created,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let local_midnight = now
        .with_timezone(&settings.time_zone)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(settings.time_zone).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    for p in messages {
        let mut held = p.held;
        if let Recipient::Person(person) = p.to {
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
        let episode = p.episode.map(|r| created.episode(r));
        let n = NewNotification {
            dedupe_key: created.key(p.key),
            to: p.to,
            about: Some(p.goal.as_deref().unwrap_or(&p.about)),
            message: &p.message,
            needs_ack: p.needs_ack,
            held,
            op: p.op,
            episode,
            available_at: p.available_at,
            caused_by: p.caused_by.as_str(),
        };
        let id = outbox::enqueue(&mut *conn, ws, n, now).await?;
        if let (Some(id), Some(ep), Op::Post) = (id, episode, p.op) {
            episodes::announced(&mut *conn, ws, ep, id, now).await?;
        }
    }
    Ok(())
}
