//! Per-workspace cron schedules for the sweep, the digest and the agenda, safe with replicas:
//! each run is claimed by inserting its unique row, in the same transaction as its work.

mod crontab;
mod wake;

pub use crontab::normalize_cron;

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use cron::Schedule;
use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::domain::Settings;
use crate::engine::{Trigger, digest, reconcile};
use crate::message::Message;
use crate::store::outbox::{self, NewNotification, Recipient};
use crate::store::{Store, WorkspaceId, schedule, workspaces};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Job {
    Sweep,
    Digest,
    Agenda,
}

impl Job {
    pub const ALL: [Job; 3] = [Job::Sweep, Job::Digest, Job::Agenda];

    pub fn name(self) -> &'static str {
        match self {
            Job::Sweep => "sweep",
            Job::Digest => "digest",
            Job::Agenda => "agenda",
        }
    }

    fn expression(self, s: &Settings) -> &str {
        match self {
            Job::Sweep => &s.sweep_schedule,
            Job::Digest => &s.digest_schedule,
            Job::Agenda => &s.agenda_schedule,
        }
    }

    /// The digest and agenda run once per local date, even when a daylight-saving fall-back
    /// repeats their local time; the sweep once per instant.
    fn run_key(self, due: DateTime<Utc>, tz: Tz) -> String {
        match self {
            Job::Sweep => due.to_rfc3339(),
            Job::Digest | Job::Agenda => due.with_timezone(&tz).date_naive().to_string(),
        }
    }
}

fn schedule_of(expr: &str) -> Option<Schedule> {
    Schedule::from_str(expr).ok()
}

/// Every instant of `job` in (after, until], oldest first.
pub fn instants(
    job: Job,
    s: &Settings,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let Some(schedule) = schedule_of(job.expression(s)) else {
        return Vec::new();
    };
    schedule
        .after(&after.with_timezone(&s.time_zone))
        .map(|t| t.with_timezone(&Utc))
        .take_while(|t| *t <= until)
        .collect()
}

/// Runs every job of the workspace that is due at `now` and has not run yet, then stores when
/// the workspace next has one due. After a long outage only the latest missed run of each
/// job happens: a stale digest helps no one.
pub async fn tick(store: &Store, ws: WorkspaceId, now: DateTime<Utc>) -> anyhow::Result<Vec<Job>> {
    let mut ran = Vec::new();
    for job in Job::ALL {
        let mut tx = store.begin().await?;
        let settings = workspaces::settings(&mut tx, ws).await?;
        let anchor = match schedule::last_due(&mut tx, ws, job.name()).await? {
            Some(t) => t,
            None => workspaces::created_at(&mut tx, ws).await?,
        };
        let Some(due) = instants(job, &settings, anchor, now).pop() else {
            continue;
        };
        let key = job.run_key(due, settings.time_zone);
        if !schedule::claim_run(&mut tx, ws, job.name(), &key, due, now).await? {
            continue;
        }
        match job {
            Job::Sweep => {
                workspaces::lock(&mut tx, ws).await?;
                reconcile(&mut tx, ws, now, Trigger::Time).await?;
            }
            Job::Digest => {
                let since = anchor.max(now - Duration::days(7));
                let m = digest::daily_digest(&mut tx, ws, since, now).await?;
                post(&mut tx, ws, &settings, &format!("digest:{key}"), &m, now).await?;
            }
            Job::Agenda => {
                let m = digest::weekly_agenda(&mut tx, ws, now).await?;
                post(&mut tx, ws, &settings, &format!("agenda:{key}"), &m, now).await?;
            }
        }
        tx.commit().await?;
        ran.push(job);
    }
    let mut tx = store.begin().await?;
    let settings = workspaces::settings(&mut tx, ws).await?;
    wake::plan(&mut tx, ws, &settings, now).await?;
    tx.commit().await?;
    Ok(ran)
}

async fn post(
    conn: &mut crate::store::Conn,
    ws: WorkspaceId,
    s: &Settings,
    key: &str,
    m: &Message,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let n = NewNotification::now(
        key.to_string(),
        Recipient::Channel(s.channel.clone()),
        m,
        now,
    );
    outbox::enqueue(conn, ws, n, now).await?;
    Ok(())
}

/// How many workspaces one scheduler tick works on at once: enough to overlap the database's
/// round trips, few enough to leave the pool to the requests.
pub const WORKSPACES_AT_ONCE: usize = 4;

/// Ticks every workspace that has something due.
pub async fn tick_all(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    tick_until(store, now, &CancellationToken::new()).await
}

/// `tick_all` that stops between workspaces once `stop` is cancelled (the process is
/// stopping; the next replica picks the rest up, since runs are recorded per workspace).
pub async fn tick_until(
    store: &Store,
    now: DateTime<Utc>,
    stop: &CancellationToken,
) -> anyhow::Result<()> {
    let ids = {
        let mut conn = store.pool.acquire().await?;
        workspaces::awake(&mut conn, now).await?
    };
    // Workspaces side by side, each in its own short transactions; none starts once stopping.
    futures_util::stream::iter(ids)
        .take_while(|_| std::future::ready(!stop.is_cancelled()))
        .for_each_concurrent(WORKSPACES_AT_ONCE, |ws| async move {
            let started = std::time::Instant::now();
            let outcome = match tick(store, ws, now).await {
                Ok(_) => "ok",
                Err(e) => {
                    tracing::error!(workspace = ws, error = %e, "scheduled run failed");
                    "error"
                }
            };
            metrics::counter!("throughline_scheduled_runs_total", "outcome" => outcome)
                .increment(1);
            metrics::histogram!("throughline_scheduled_run_duration_seconds")
                .record(started.elapsed().as_secs_f64());
        })
        .await;
    if stop.is_cancelled() {
        tracing::info!("scheduler stopped between workspaces");
    }
    Ok(())
}

/// Every instant at which some job of some workspace, or a held-back notification, is due in
/// (from, to], oldest first: lets the console and tests replay time in order.
pub async fn due_between(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<DateTime<Utc>>> {
    let mut conn = store.pool.acquire().await?;
    let mut all = Vec::new();
    for ws in workspaces::all_ids(&mut conn).await? {
        let s = workspaces::settings(&mut conn, ws).await?;
        for job in Job::ALL {
            all.extend(instants(job, &s, from, to));
        }
    }
    all.extend(outbox::due_between(&mut conn, from, to).await?);
    all.sort();
    all.dedup();
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_runs_on_weekdays_at_nine_local() {
        let s = Settings {
            time_zone: chrono_tz::Europe::Paris,
            ..Settings::default()
        };
        let from = DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let runs = instants(Job::Digest, &s, from, from + Duration::days(4));
        let shown: Vec<String> = runs.iter().map(|t| t.to_rfc3339()).collect();
        // Friday the 20th and Monday the 23rd, 09:00 in Paris (08:00 UTC); not the weekend.
        assert_eq!(
            shown,
            ["2026-11-20T08:00:00+00:00", "2026-11-23T08:00:00+00:00"]
        );
    }
}
