//! `/align settings`: show every setting, or change one (admins only).

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde_json::json;

use super::{Ctx, Outcome};
use crate::command::UserError;
use crate::command::parse::{parse_duration, shorten};
use crate::domain::calendar::WorkingTime;
use crate::domain::settings::{RedToChannel, Urgent};
use crate::engine::replies;
use crate::schedule::normalize_cron;
use crate::store::people;
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
    "workdays",
    "hours",
    "holiday",
    "settle",
    "urgent",
    "kr_at_risk",
    "kr_off_track",
    "kr_band_grace",
    "kr_checkin_every",
    "kr_stuck_after",
    "start_on_pr",
];

pub async fn show(cx: &mut Ctx<'_>) -> Outcome {
    let s = workspaces::settings(cx.conn, cx.ws).await?;
    Ok(replies::settings_shown(&s))
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
    let person = value
        .split_once(' ')
        .filter(|(w, _)| name == "timezone" && w.starts_with(['@', '<']));
    if let Some((who, zone)) = person {
        return person_time_zone(cx, who, zone.trim()).await;
    }
    cx.require(false, "change settings", "an admin")?;
    let mut s = workspaces::settings(cx.conn, cx.ws).await?;
    let before = replies::setting_values(&s)
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, v, _)| v);
    match name {
        "timezone" => s.time_zone = time_zone(value)?,
        "channel" => s.channel = channel(value)?,
        "digest" => s.digest_schedule = normalize_cron(value, cx.now)?,
        "agenda" => s.agenda_schedule = normalize_cron(value, cx.now)?,
        "sweep" => s.sweep_schedule = normalize_cron(value, cx.now)?,
        "stall_after" => s.stall_after = parse_duration(value)?,
        "nudge_every" => s.nudge_every = parse_duration(value)?,
        "starve_after" => s.starve_after = parse_duration(value)?,
        "capacity_amber" => s.capacity_amber_pct = percent(value, name)?,
        "capacity_red" => s.capacity_red_pct = percent(value, name)?,
        "red_to_channel" => {
            s.red_to_channel = match value {
                "now" => RedToChannel::Now,
                "digest" => RedToChannel::DigestOnly,
                _ => {
                    return Err(UserError::new(format!(
                        "red_to_channel is now or digest, not '{value}'."
                    ))
                    .into());
                }
            }
        }
        "dm_cap" => s.dm_cap_per_day = count(value, name, 1000)?,
        "wip_limit" => s.wip_limit = count(value, name, 100)?,
        "top_ranks" => s.top_ranks = count(value, name, 100)?,
        "workdays" => {
            s.working.days = WorkingTime::parse_days(value).map_err(UserError::new)?;
            if !s.working.days.contains(&true) {
                return Err(UserError::new("at least one day must be a working day.").into());
            }
        }
        "hours" => {
            (s.working.start, s.working.end) =
                WorkingTime::parse_hours(value).map_err(UserError::new)?
        }
        "holiday" => {
            let (remove, date) = match value.strip_prefix("remove ") {
                Some(d) => (true, d.trim()),
                None => (false, value),
            };
            let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                UserError::new(format!(
                    "holiday takes a date like 2026-12-25, not '{date}'."
                ))
            })?;
            if remove {
                s.working.holidays.remove(&day);
            } else {
                s.working.holidays.insert(day);
            }
        }
        "settle" => s.settle = parse_duration(value)?,
        "kr_at_risk" => s.kr.at_risk = count(value, name, 100)?.into(),
        "kr_off_track" => s.kr.off_track = count(value, name, 100)?.into(),
        "kr_band_grace" => s.kr.band_grace = parse_duration(value)?,
        "kr_checkin_every" => s.kr_checkin_every = parse_duration(value)?,
        "kr_stuck_after" => s.kr_stuck_after = parse_duration(value)?,
        "start_on_pr" => {
            s.start_on_pull_request = match value {
                "on" => true,
                "off" => false,
                _ => {
                    return Err(UserError::new(format!(
                        "start_on_pr is on or off, not '{}'.",
                        shorten(value, 40)
                    ))
                    .into());
                }
            }
        }
        "urgent" => {
            s.urgent = match value {
                "red" => Urgent::GoalRed,
                "none" => Urgent::Nothing,
                _ => {
                    return Err(
                        UserError::new(format!("urgent is red or none, not '{value}'.")).into(),
                    );
                }
            }
        }
        other => {
            let hint = crate::command::error::did_you_mean(other, NAMES.iter().copied(), "")
                .unwrap_or_else(|| format!("Settings: {}.", NAMES.join(", ")));
            return Err(UserError::new(format!("unknown setting '{other}'."))
                .hint(hint)
                .into());
        }
    }
    if s.kr.at_risk > s.kr.off_track {
        return Err(UserError::new(format!(
            "kr_at_risk ({}) cannot be above kr_off_track ({}).",
            s.kr.at_risk, s.kr.off_track
        ))
        .into());
    }
    if s.capacity_red_pct > s.capacity_amber_pct {
        return Err(UserError::new(format!(
            "capacity_red ({}%) cannot be above capacity_amber ({}%).",
            s.capacity_red_pct, s.capacity_amber_pct
        ))
        .into());
    }
    workspaces::save_settings(cx.conn, cx.ws, &s, cx.now).await?;
    let after = replies::setting_values(&s)
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
    Ok(replies::setting_changed(name, &after))
}

/// An IANA time zone; a misspelt one gets the nearest name.
fn time_zone(text: &str) -> Result<Tz, UserError> {
    if let Ok(tz) = text.parse() {
        return Ok(tz);
    }
    let typed = text.to_ascii_lowercase();
    let nearest = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            (
                strsim::jaro_winkler(&typed, &tz.name().to_ascii_lowercase()),
                tz,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.85);
    let e = UserError::new(format!(
        "unknown time zone '{}'; time zones have IANA names like Europe/Paris or America/New_York.",
        shorten(text, 40)
    ));
    Err(match nearest {
        Some((_, tz)) => e.hint(format!("Did you mean {}?", tz.name())),
        None => e,
    })
}

/// A channel as Slack and Discord name one: `#` and up to 80 letters, digits, `-` or `_`.
fn channel(text: &str) -> Result<String, UserError> {
    let name = text.strip_prefix('#').unwrap_or("");
    let ok = !name.is_empty()
        && name.chars().count() <= 80
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        return Ok(text.to_string());
    }
    Err(UserError::new(format!(
        "channel must look like #leadership: a # and up to 80 letters, digits, - or _, not '{}'.",
        shorten(text, 40)
    )))
}

/// `/align settings timezone @lee Asia/Tokyo`: one person's own zone, which wins over the
/// platform's; `default` goes back to it. The person themselves or an admin may set it.
async fn person_time_zone(cx: &mut Ctx<'_>, who: &str, zone: &str) -> Outcome {
    let m = crate::command::parse::mention(who, "timezone")?;
    let person = cx.person(&m, "person").await?;
    if person.id != cx.actor.id {
        cx.require(false, "change another person's time zone", "an admin")?;
    }
    let tz: Option<Tz> = match zone {
        "default" => None,
        _ => Some(time_zone(zone)?),
    };
    people::set_time_zone_override(cx.conn, cx.ws, person.id, tz.map(|t| t.name()), cx.now).await?;
    cx.event(
        &person.at(),
        "time zone",
        None,
        Some(json!({ "time_zone": tz.map(|t| t.name()) })),
        None,
    )
    .await?;
    Ok(replies::time_zone_changed(&person, tz))
}
