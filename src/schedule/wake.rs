//! When the scheduler next has something to do in a workspace. A tick visits only the
//! workspaces whose wake-up has come (or that changed), so a steady tick over a thousand quiet
//! workspaces reads one index instead of evaluating them all.

use chrono::{DateTime, Duration, Utc};

use super::{Job, instants};
use crate::domain::Settings;
use crate::domain::key_result::KrFacts;
use crate::domain::key_result::health::{judge, not_moving};
use crate::engine::plan::reminders;
use crate::store::{Conn, WorkspaceId, key_results, scope, workspaces};

/// A workspace is looked at once a day at least, whatever its clocks say.
const HORIZON: Duration = Duration::days(1);

/// Stores the next instant after `now` at which the workspace has a job due: its digest, its
/// agenda, or the first sweep at which the passing of time can change what the rules say.
/// Locks the workspace first, so that a change committed meanwhile is read, and one
/// committed after brings the wake-up forward again.
pub async fn plan(
    conn: &mut Conn,
    ws: WorkspaceId,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    workspaces::lock(&mut *conn, ws).await?;
    let horizon = now + HORIZON;
    let quiet = quiet_until(conn, ws, settings, now, horizon).await?;
    // The first sweep at or after the moment the first clock can run out.
    let after = if quiet > now {
        quiet - Duration::seconds(1)
    } else {
        now
    };
    let sweep = instants(Job::Sweep, settings, after, horizon)
        .into_iter()
        .next();
    let wake = [Job::Digest, Job::Agenda]
        .into_iter()
        .filter_map(|job| instants(job, settings, now, horizon).into_iter().next())
        .chain(sweep)
        .min()
        .unwrap_or(horizon);
    workspaces::set_wake(&mut *conn, ws, wake).await?;
    Ok(wake)
}

/// Until when time alone changes nothing the rules say in the workspace: `now` when something
/// time can change is already under way (a stall, an episode settling), else the earliest
/// clock that can run out.
async fn quiet_until(
    conn: &mut Conn,
    ws: WorkspaceId,
    s: &Settings,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    let spans = (
        s.working.span(s.stall_after),
        s.working.span(s.starve_after),
    );
    let (standing, clock) = scope::time_bound(&mut *conn, ws, spans, s.time_zone.name()).await?;
    let mut quiet = clock.unwrap_or(horizon).min(horizon);
    if standing || quiet <= now {
        return Ok(now);
    }
    let (_, flowing_since) = s.windows(now);
    // What the last sweep judged: a tick for the digest between sweeps must not take a change
    // since that sweep as the reading to compare with.
    let swept = instants(Job::Sweep, s, now - HORIZON, now)
        .pop()
        .unwrap_or(now);
    let sweeps = instants(Job::Sweep, s, now, quiet);
    for f in key_results::facts(&mut *conn, ws, flowing_since, None).await? {
        match next_change(&f, s, swept, &sweeps) {
            Change::Never => {}
            Change::At(t) => quiet = quiet.min(t),
            Change::Unknown => return Ok(now),
        }
    }
    Ok(quiet)
}

#[derive(Debug, PartialEq)]
enum Change {
    Never,
    At(DateTime<Utc>),
    Unknown,
}

/// The first of `sweeps` at which what `f` tells its goal, its owner or the agenda would
/// read differently from what the sweep at `swept` read, with its check-ins as they are.
fn next_change(
    f: &KrFacts,
    s: &Settings,
    swept: DateTime<Utc>,
    sweeps: &[DateTime<Utc>],
) -> Change {
    // Whether the goal's work flows depends on the window too: when it can decide whether
    // the key result is "not moving", its flip is a clock this cannot see.
    let flowing = KrFacts {
        work_flowing: true,
        ..f.clone()
    };
    let reading = |t: DateTime<Utc>| {
        (
            judge(f, t, &s.kr, s.kr_checkin_every),
            not_moving(&flowing, t, &s.kr, s.kr_stuck_after),
            reminders::owed(f, s, t),
        )
    };
    let first = reading(swept);
    if f.work_flowing && first.1.is_some() {
        return Change::Unknown;
    }
    sweeps
        .iter()
        .find(|t| reading(**t) != first)
        .map_or(Change::Never, |t| Change::At(*t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::key_result::{KeyResult, Quantity, Shape};

    fn churn(created_at: DateTime<Utc>, checkins: &[(i64, f64)]) -> KrFacts {
        let (shape, unit) = Shape::metric(
            Quantity::parse("8%").unwrap(),
            Quantity::parse("5%").unwrap(),
        )
        .unwrap();
        let history: Vec<(DateTime<Utc>, f64)> = checkins
            .iter()
            .map(|(day, v)| (created_at + Duration::days(*day), *v))
            .collect();
        KrFacts {
            goal_id: 1,
            kr: KeyResult {
                number: 1,
                title: "Monthly churn".into(),
                shape,
                unit,
                start: created_at,
                due: created_at + Duration::days(100),
                values: history.iter().map(|(_, v)| *v).collect(),
            },
            created_at,
            last_checkin: history.last().map(|(at, _)| *at),
            confidence: None,
            outside_since: None,
            history,
            work_flowing: false,
        }
    }

    fn sweeps(s: &Settings, from: DateTime<Utc>, days: i64) -> Vec<DateTime<Utc>> {
        instants(Job::Sweep, s, from, from + Duration::days(days))
    }

    #[test]
    fn a_key_result_wakes_the_sweep_when_its_reading_changes() {
        let s = Settings::default();
        let made: DateTime<Utc> = "2026-11-02T09:00:00Z".parse().unwrap();
        // Checked in on track on day 1: the reminder falls due a week later, at the first
        // sweep at or after 09:00 on day 8.
        let f = churn(made, &[(1, 7.9)]);
        let now = made + Duration::days(2);
        let due = made + Duration::days(8);
        assert_eq!(
            next_change(&f, &s, now, &sweeps(&s, now, 7)),
            Change::At(due)
        );
        // Nothing changes within a day of the check-in.
        assert_eq!(next_change(&f, &s, now, &sweeps(&s, now, 1)), Change::Never);
    }

    #[test]
    fn falling_behind_pace_is_a_change_the_sweep_wakes_for() {
        let s = Settings::default();
        let made: DateTime<Utc> = "2026-11-02T09:00:00Z".parse().unwrap();
        // No progress at all, checked in on day 12: too early to tell until 15% of the time
        // has gone (day 15 of 100), then at once 15 points behind pace.
        let f = churn(made, &[(12, 8.0)]);
        let now = made + Duration::days(13);
        let t = made + Duration::days(15);
        assert_eq!(next_change(&f, &s, now, &sweeps(&s, now, 5)), Change::At(t));
        let before = judge(&f, t - Duration::minutes(15), &s.kr, s.kr_checkin_every);
        let after = judge(&f, t, &s.kr, s.kr_checkin_every);
        assert_ne!(
            before, after,
            "the wake-up is the sweep at which the verdict moves"
        );
    }

    #[test]
    fn a_change_since_the_last_sweep_wakes_the_next_one() {
        // Sweeps hourly at half past; a digest tick at 09:00 plans the wake-up. The key result
        // turned at risk at 09:00 on day 15, after the 08:30 sweep: the 09:30 sweep must look.
        let s = Settings {
            sweep_schedule: "0 30 * * * *".into(),
            ..Settings::default()
        };
        let made: DateTime<Utc> = "2026-11-02T09:00:00Z".parse().unwrap();
        let f = churn(made, &[(12, 8.0)]);
        let now = made + Duration::days(15);
        let swept = now - Duration::minutes(30);
        assert_eq!(
            next_change(&f, &s, swept, &sweeps(&s, now, 1)),
            Change::At(now + Duration::minutes(30))
        );
        // Compared with the reading at 09:00 itself, 09:30 would seem to bring nothing new.
        assert_ne!(
            next_change(&f, &s, now, &sweeps(&s, now, 1)),
            Change::At(now + Duration::minutes(30))
        );
    }

    #[test]
    fn a_stuck_metric_with_flowing_work_cannot_be_bounded() {
        let s = Settings::default();
        let made: DateTime<Utc> = "2026-11-02T09:00:00Z".parse().unwrap();
        let mut f = churn(made, &[(1, 8.0), (3, 8.0)]);
        f.work_flowing = true;
        let now = made + Duration::days(4);
        assert_eq!(
            next_change(&f, &s, now, &sweeps(&s, now, 1)),
            Change::Unknown
        );
    }
}
