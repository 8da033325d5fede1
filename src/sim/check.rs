//! The checker: holds every message the simulated organisation received against the
//! README's promises, on its own reading of them (it shares no rule code with the engine).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use super::org::Plan;
use crate::platform::console::Output;

/// One message as the organisation saw it, and whether a person's command caused it (it
/// arrived with that command's reply) or time did (it arrived while the clock moved).
pub struct Seen {
    pub out: Output,
    pub by_person: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    pub median: f64,
    pub p90: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub people: usize,
    pub working_days: usize,
    pub weeks: f64,
    pub commands: usize,
    pub refused_commands: usize,
    pub incidents: usize,
    pub incidents_caught: usize,
    pub incidents_reached_owner: usize,
    /// Incidents whose owner heard nothing, by kind and key.
    pub missed: Vec<String>,
    /// Median hours from an incident's start to its owner's first message naming it.
    pub median_hours_to_owner: f64,
    /// Messages that ping (new DMs and threaded lines) per person per week.
    pub pushes_per_person_week: Spread,
    pub owner_pushes_per_week: Spread,
    pub pushes: usize,
    pub edits: usize,
    /// Pushes caused by time that reached someone outside their working hours (Mon-Fri
    /// 09:00-18:00 in their zone), urgent ones (a goal turning red) not counted...
    pub time_caused_outside_hours: usize,
    /// ...and those urgent ones.
    pub urgent_outside_hours: usize,
    /// Episodes that ended within `settle` yet had pushed a time-caused message.
    pub short_episodes_pushed: usize,
    pub digest_lines: usize,
    pub digest_lines_without_cause: Vec<String>,
}

fn working(at: DateTime<Utc>, tz: Tz) -> bool {
    let local = at.with_timezone(&tz);
    !matches!(local.weekday(), Weekday::Sat | Weekday::Sun) && (9..18).contains(&local.hour())
}

/// `W-12` in `text`, as a whole key (not the start of `W-123`).
fn names(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(i, _)| {
        let after = text[i + key.len()..].chars().next();
        let before = text[..i].chars().last();
        !after.is_some_and(|c| c.is_ascii_digit()) && !before.is_some_and(|c| c.is_alphanumeric())
    })
}

fn has_key(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(2)).any(|i| {
        matches!(b[i], b'G' | b'I' | b'W')
            && b[i + 1] == b'-'
            && b[i + 2].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
    })
}

fn spread(mut v: Vec<f64>) -> Spread {
    if v.is_empty() {
        return Spread {
            median: 0.0,
            p90: 0.0,
            max: 0.0,
        };
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Spread {
        median: round(at(0.5)),
        p90: round(at(0.9)),
        max: round(at(1.0)),
    }
}

/// A goal turning red is urgent by default: it may arrive at any hour.
fn urgent(headline: &str) -> bool {
    headline.starts_with("G-")
        && (headline.contains("turned red")
            || headline.contains("amber to red")
            || headline.contains("is now red"))
}

/// "Resolved after 20m: G-3 …" → (20 minutes, "G-3").
fn resolved(headline: &str) -> Option<(Duration, String)> {
    let rest = headline.strip_prefix("Resolved after ")?;
    let (span, what) = rest.split_once(": ")?;
    let (n, unit) = span.split_at(span.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let span = match unit {
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        _ => return None,
    };
    Some((span, what.split_whitespace().next()?.to_string()))
}

pub fn report(
    plan: &Plan,
    seen: &[Seen],
    commands: usize,
    refused: usize,
    settle: Duration,
) -> Report {
    let tz: HashMap<&str, Tz> = plan
        .people
        .iter()
        .map(|p| (p.handle.as_str(), p.tz))
        .collect();
    let person = |to: &str| to.strip_prefix('@').map(str::to_string);
    let pushes: Vec<&Seen> = seen
        .iter()
        .filter(|s| matches!(s.out.kind, "dm" | "thread") && s.out.to.starts_with('@'))
        .collect();

    // Incidents: caught by any message naming the item, reaching its owner by a ping.
    let mut caught = 0;
    let mut reached = 0;
    let mut missed = Vec::new();
    let mut delays = Vec::new();
    for i in &plan.incidents {
        let after = |s: &&Seen| s.out.at >= i.start && names(&s.out.text, &i.key);
        if seen.iter().any(|s| after(&s)) {
            caught += 1;
        }
        let owner = format!("@{}", i.owner);
        match pushes.iter().find(|s| s.out.to == owner && after(s)) {
            Some(s) => {
                reached += 1;
                delays.push((s.out.at - i.start).num_minutes() as f64 / 60.0);
            }
            None => missed.push(format!("{} {} ({})", i.kind.name(), i.key, i.owner)),
        }
    }

    // Pushes per person per week: a week is five working days of the run (a run that ends on
    // a Friday evening or on a Sunday is the same number of weeks).
    let weeks = (plan.working_days.max(1) as f64) / 5.0;
    let mut per: HashMap<String, usize> =
        plan.people.iter().map(|p| (p.handle.clone(), 0)).collect();
    for s in &pushes {
        if let Some(h) = person(&s.out.to) {
            *per.entry(h).or_default() += 1;
        }
    }
    let rate = |h: &str| per.get(h).copied().unwrap_or(0) as f64 / weeks;
    let all: Vec<f64> = plan.people.iter().map(|p| rate(&p.handle)).collect();
    let owners: Vec<f64> = plan
        .people
        .iter()
        .filter(|p| p.owner)
        .map(|p| rate(&p.handle))
        .collect();

    // Time-caused pushes outside the recipient's working hours.
    let (mut outside, mut urgent_outside) = (0, 0);
    for s in pushes.iter().filter(|s| !s.by_person) {
        let zone = person(&s.out.to)
            .and_then(|h| tz.get(h.as_str()).copied())
            .unwrap_or(chrono_tz::UTC);
        if !working(s.out.at, zone) {
            if urgent(&s.out.message.headline) {
                urgent_outside += 1;
            } else {
                outside += 1;
            }
        }
    }

    // Episodes shorter than settle that pushed something time caused.
    let mut short = 0;
    for s in seen.iter().filter(|s| s.out.kind == "edit") {
        let Some((span, key)) = resolved(&s.out.message.headline) else {
            continue;
        };
        if span >= settle {
            continue;
        }
        let from = s.out.at - span;
        let pushed = pushes.iter().any(|p| {
            !p.by_person
                && p.out.to == s.out.to
                && p.out.at >= from
                && p.out.at <= s.out.at
                && names(&p.out.message.headline, &key)
        });
        if pushed {
            short += 1;
        }
    }

    // Digest lines: every change names its cause; every exception names its subject.
    let mut lines = 0;
    let mut without = Vec::new();
    for s in seen
        .iter()
        .filter(|s| s.out.kind == "post" && s.out.message.headline.starts_with("Daily digest"))
    {
        for section in &s.out.message.sections {
            let title = section.title.as_deref().unwrap_or("");
            for line in &section.lines {
                let ok = match title {
                    "What changed, and why" => {
                        let cause = ["because ", "new at ", "once these ended: "]
                            .iter()
                            .find_map(|m| line.split_once(m).map(|(_, c)| c));
                        cause.is_some_and(has_key)
                    }
                    "Blocked, stalled and starved"
                    | "Work with no home"
                    | "Overdue and ownerless"
                    | "Owners who ignored alerts" => has_key(line),
                    "Capacity shifts" => has_key(line) || line.contains("of the capacity in use"),
                    _ => continue,
                };
                lines += 1;
                if !ok {
                    without.push(line.clone());
                }
            }
        }
    }

    delays.sort_by(|a, b| a.total_cmp(b));
    Report {
        people: plan.people.len(),
        working_days: plan.working_days,
        weeks: (weeks * 10.0).round() / 10.0,
        commands,
        refused_commands: refused,
        incidents: plan.incidents.len(),
        incidents_caught: caught,
        incidents_reached_owner: reached,
        missed,
        median_hours_to_owner: delays
            .get(delays.len() / 2)
            .map_or(0.0, |d| (d * 10.0).round() / 10.0),
        pushes_per_person_week: spread(all),
        owner_pushes_per_week: spread(owners),
        pushes: pushes.len(),
        edits: seen.iter().filter(|s| s.out.kind == "edit").count(),
        time_caused_outside_hours: outside,
        urgent_outside_hours: urgent_outside,
        short_episodes_pushed: short,
        digest_lines: lines,
        digest_lines_without_cause: without,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_whole() {
        assert!(names("W-12 \"x\" blocked", "W-12"));
        assert!(!names("W-123 blocked", "W-12"));
        assert!(!names("SW-12", "W-12"));
        assert!(has_key("because W-3 \"x\" (@a) blocked"));
        assert!(!has_key("because nothing"));
        assert_eq!(
            resolved("Resolved after 20m: G-3 \"Grow\""),
            Some((Duration::minutes(20), "G-3".into()))
        );
    }
}
