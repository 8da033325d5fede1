//! Replies to `settings`: every setting with what it does, and what a change set.

use chrono_tz::Tz;

use crate::domain::Person;
use crate::domain::Settings;
use crate::domain::health::human_duration;
use crate::domain::settings::RedToChannel;
use crate::message::Message;

/// Each setting as `(name, value, what it does)`, in the order they are listed.
pub fn setting_values(s: &Settings) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "timezone",
            s.time_zone.name().to_string(),
            "time zone for schedules and dates (IANA name)",
        ),
        (
            "channel",
            s.channel.clone(),
            "leadership channel for the digest, agenda and red alerts",
        ),
        (
            "digest",
            s.digest_schedule.clone(),
            "daily digest schedule (cron, seconds first)",
        ),
        (
            "agenda",
            s.agenda_schedule.clone(),
            "weekly agenda schedule (cron)",
        ),
        (
            "sweep",
            s.sweep_schedule.clone(),
            "how often time-based rules are checked (cron)",
        ),
        (
            "stall_after",
            human_duration(s.stall_after),
            "doing with no activity this long is stalled",
        ),
        (
            "nudge_every",
            human_duration(s.nudge_every),
            "stalled work is nudged again at most this often",
        ),
        (
            "starve_after",
            human_duration(s.starve_after),
            "no work in doing this long is starved",
        ),
        (
            "capacity_amber",
            format!("{}%", s.capacity_amber_pct),
            "actual capacity below this share of plan is amber",
        ),
        (
            "capacity_red",
            format!("{}%", s.capacity_red_pct),
            "actual capacity below this share of plan is red",
        ),
        (
            "red_to_channel",
            match s.red_to_channel {
                RedToChannel::Now => "now".into(),
                RedToChannel::DigestOnly => "digest".into(),
            },
            "post red goals to the channel at once (now) or in the digest only",
        ),
        (
            "dm_cap",
            s.dm_cap_per_day.to_string(),
            "direct messages per person per day; the rest wait for the digest",
        ),
        (
            "wip_limit",
            s.wip_limit.to_string(),
            "more items than this in doing is over-allocation",
        ),
        (
            "top_ranks",
            s.top_ranks.to_string(),
            "ranks shown by /align status and the digest",
        ),
        (
            "workdays",
            s.working.days_text(),
            "working days; stall_after, starve_after and nudge_every count only these",
        ),
        (
            "hours",
            s.working.hours_text(),
            "working hours, in each person's time zone; time-caused DMs wait for them",
        ),
        (
            "holiday",
            if s.working.holidays.is_empty() {
                "none".into()
            } else {
                s.working
                    .holidays
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            "days off for everyone (holiday 2026-12-25 adds one, holiday remove 2026-12-25 removes it)",
        ),
        (
            "settle",
            human_duration(s.settle),
            "an alert caused by time must last this long before anyone is told",
        ),
        (
            "urgent",
            s.urgent.as_str().into(),
            "red: a goal turning red is told at once, even outside working hours; none: nothing is",
        ),
        (
            "kr_at_risk",
            format!("{}", s.kr.at_risk),
            "a key result this many points behind pace (or fewer) is on track; more is at risk (its goal amber)",
        ),
        (
            "kr_off_track",
            format!("{}", s.kr.off_track),
            "more points behind pace than this is off track (its goal red)",
        ),
        (
            "kr_band_grace",
            human_duration(s.kr.band_grace),
            "a band key result outside its band is at risk, and off track after this long",
        ),
        (
            "kr_checkin_every",
            human_duration(s.kr_checkin_every),
            "how often key results expect a check-in; three days past it they are stale (goal amber)",
        ),
        (
            "kr_stuck_after",
            human_duration(s.kr_stuck_after),
            "work flowing while a metric has not moved over this window is \"busy but not moving\"",
        ),
        (
            "start_on_pr",
            if s.start_on_pull_request { "on" } else { "off" }.into(),
            "on: a pull request opened on a work item in todo starts it",
        ),
    ]
}

pub fn settings_shown(s: &Settings) -> Message {
    let lines = setting_values(s)
        .into_iter()
        .map(|(n, v, what)| format!("{n} = {v}: {what}"))
        .collect();
    Message::info("Settings").lines(
        "Change one with /align settings <name> <value> (admins)",
        lines,
    )
}

pub fn setting_changed(name: &str, value: &str) -> Message {
    Message::info(format!("Setting {name} is now {value}"))
}

/// One person's own time zone; `None` means they follow the platform's again.
pub fn time_zone_changed(p: &Person, zone: Option<Tz>) -> Message {
    let shown = zone.map_or("the platform's (or the workspace's)".into(), |t| {
        t.name().to_string()
    });
    Message::info(format!("{}'s time zone is now {shown}", p.at()))
}
