//! `/align settings`: show every setting, or change one (admins only).

use serde_json::json;

use super::{Ctx, Outcome};
use crate::command::UserError;
use crate::command::parse::parse_duration;
use crate::domain::Settings;
use crate::domain::health::human_duration;
use crate::domain::settings::RedToChannel;
use crate::message::Message;
use crate::schedule::normalize_cron;
use crate::store::workspaces;

pub const NAMES: &[&str] = &[
    "timezone",
    "channel",
    "digest",
    "agenda",
    "sweep",
    "stall_after",
    "nudge_every",
    "starve_after",
    "capacity_amber",
    "capacity_red",
    "red_to_channel",
    "dm_cap",
    "wip_limit",
    "top_ranks",
];

fn values(s: &Settings) -> Vec<(&'static str, String, &'static str)> {
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
    ]
}

pub async fn show(cx: &mut Ctx<'_>) -> Outcome {
    let s = workspaces::settings(cx.conn, cx.ws).await?;
    let lines = values(&s)
        .into_iter()
        .map(|(n, v, what)| format!("{n} = {v}: {what}"))
        .collect();
    Ok(Message::info("Settings").lines(
        "Change one with /align settings <name> <value> (admins)",
        lines,
    ))
}

fn percent(value: &str, name: &str) -> Result<i32, UserError> {
    match value.trim_end_matches('%').parse::<i32>() {
        Ok(n) if (0..=100).contains(&n) => Ok(n),
        _ => Err(UserError::new(format!(
            "{name} is a percentage from 0 to 100, not '{value}'."
        ))),
    }
}

fn count(value: &str, name: &str, max: i32) -> Result<i32, UserError> {
    match value.parse::<i32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(UserError::new(format!(
            "{name} is a whole number from 1 to {max}, not '{value}'."
        ))),
    }
}

pub async fn set(cx: &mut Ctx<'_>, name: &str, value: &str) -> Outcome {
    cx.require(false, "change settings", "an admin")?;
    let mut s = workspaces::settings(cx.conn, cx.ws).await?;
    let before = values(&s)
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, v, _)| v);
    match name {
        "timezone" => {
            s.time_zone = value.parse().map_err(|_| {
                UserError::new(format!("unknown time zone '{value}'; use an IANA name like Europe/Paris or America/New_York."))
            })?
        }
        "channel" => {
            if !value.starts_with('#') || value.len() < 2 {
                return Err(UserError::new(format!("channel must look like #leadership, not '{value}'.")).into());
            }
            s.channel = value.to_string();
        }
        "digest" => s.digest_schedule = normalize_cron(value)?,
        "agenda" => s.agenda_schedule = normalize_cron(value)?,
        "sweep" => s.sweep_schedule = normalize_cron(value)?,
        "stall_after" => s.stall_after = parse_duration(value)?,
        "nudge_every" => s.nudge_every = parse_duration(value)?,
        "starve_after" => s.starve_after = parse_duration(value)?,
        "capacity_amber" => s.capacity_amber_pct = percent(value, name)?,
        "capacity_red" => s.capacity_red_pct = percent(value, name)?,
        "red_to_channel" => {
            s.red_to_channel = match value {
                "now" => RedToChannel::Now,
                "digest" => RedToChannel::DigestOnly,
                _ => return Err(UserError::new(format!("red_to_channel is now or digest, not '{value}'.")).into()),
            }
        }
        "dm_cap" => s.dm_cap_per_day = count(value, name, 1000)?,
        "wip_limit" => s.wip_limit = count(value, name, 100)?,
        "top_ranks" => s.top_ranks = count(value, name, 100)?,
        other => {
            let hint = crate::command::error::did_you_mean(other, NAMES.iter().copied(), "")
                .unwrap_or_else(|| format!("Settings: {}.", NAMES.join(", ")));
            return Err(UserError::new(format!("unknown setting '{other}'.")).hint(hint).into());
        }
    }
    if s.capacity_red_pct > s.capacity_amber_pct {
        return Err(UserError::new(format!(
            "capacity_red ({}%) cannot be above capacity_amber ({}%).",
            s.capacity_red_pct, s.capacity_amber_pct
        ))
        .into());
    }
    workspaces::save_settings(cx.conn, cx.ws, &s, cx.now).await?;
    let after = values(&s)
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, v, _)| v)
        .unwrap_or_default();
    cx.event(
        "settings",
        "settings",
        Some(json!({ name: before })),
        Some(json!({ name: after })),
        None,
    )
    .await?;
    Ok(Message::info(format!("Setting {name} is now {after}")))
}
