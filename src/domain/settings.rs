//! Per-workspace thresholds and schedules, with the product defaults.

use super::key_result::Thresholds;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::calendar::{Calendar, WorkingTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedToChannel {
    Now,
    DigestOnly,
}

/// What goes out at once even when time caused it outside the recipient's working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgent {
    /// A goal turning red.
    GoalRed,
    /// Nothing: every time-caused message waits for working hours.
    Nothing,
}

impl Urgent {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgent::GoalRed => "red",
            Urgent::Nothing => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub time_zone: Tz,
    pub channel: String,
    pub digest_schedule: String,
    pub agenda_schedule: String,
    pub sweep_schedule: String,
    pub stall_after: Duration,
    pub nudge_every: Duration,
    pub starve_after: Duration,
    pub capacity_amber_pct: i32,
    pub capacity_red_pct: i32,
    pub red_to_channel: RedToChannel,
    pub dm_cap_per_day: i32,
    pub wip_limit: i32,
    pub top_ranks: i32,
    /// Working days, hours and holidays; thresholds above count working time.
    pub working: WorkingTime,
    /// An episode caused by time (or a rule in transit) must last this long before it is told;
    /// a flapping rule must hold this long before it turns anything red.
    pub settle: Duration,
    pub urgent: Urgent,
    /// The pace rule's thresholds for key results.
    pub kr: Thresholds,
    /// How often a key result expects a check-in (stale three days after).
    pub kr_checkin_every: Duration,
    /// Work flowing while a metric has not moved over this window is "busy but not moving".
    pub kr_stuck_after: Duration,
    /// A pull request opened on a work item still in `todo` starts it.
    pub start_on_pull_request: bool,
}

impl Settings {
    /// How far back closed work can still matter to a working-time span `d`: generously,
    /// a calendar week per working day, plus the holidays.
    pub fn lookback(&self, d: Duration) -> Duration {
        Duration::weeks(d.num_days() + 1) + Duration::days(self.working.holidays.len() as i64)
    }

    /// What an evaluation at `now` loads besides open work: items finished since the first
    /// instant (they can still keep an initiative or goal from starving) and since the second
    /// (they keep a key result's work flowing).
    pub fn windows(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            now - self.lookback(self.starve_after),
            now - self.kr_stuck_after,
        )
    }

    /// The workspace's working week in `tz` (a person's zone, or the workspace's).
    pub fn calendar(&self, tz: Option<Tz>) -> Calendar<'_> {
        Calendar {
            time: &self.working,
            tz: tz.unwrap_or(self.time_zone),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_zone: chrono_tz::UTC,
            channel: "#leadership".into(),
            digest_schedule: "0 0 9 * * Mon-Fri".into(),
            agenda_schedule: "0 30 8 * * Mon".into(),
            sweep_schedule: "0 */15 * * * *".into(),
            stall_after: Duration::days(3),
            nudge_every: Duration::days(2),
            starve_after: Duration::days(2),
            capacity_amber_pct: 70,
            capacity_red_pct: 30,
            red_to_channel: RedToChannel::Now,
            dm_cap_per_day: 10,
            wip_limit: 3,
            top_ranks: 3,
            working: WorkingTime::default(),
            settle: Duration::minutes(30),
            urgent: Urgent::GoalRed,
            kr: Thresholds::default(),
            kr_checkin_every: Duration::days(7),
            kr_stuck_after: Duration::days(28),
            start_on_pull_request: false,
        }
    }
}
