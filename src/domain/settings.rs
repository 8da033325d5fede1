//! Per-workspace thresholds and schedules, with the product defaults.

use chrono::Duration;
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedToChannel {
    Now,
    DigestOnly,
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
        }
    }
}
