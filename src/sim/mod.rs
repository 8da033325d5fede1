//! `throughline simulate`: a simulated organisation lives through weeks of work on the real
//! engine (the console transport, a scratch database), and a checker holds every message it
//! received against the README's promises: were the incidents heard by their owners, how many
//! messages did each person get, did anything time caused arrive outside working hours, did
//! a state that lasted minutes push anything, and does every digest line name its cause.

pub mod check;
pub mod org;

use chrono::Duration;

use crate::message::Tone;
use crate::platform::console::Console;
use crate::store::Store;

pub use check::Report;
pub use org::Config;

/// Runs the organisation of `cfg` through the product and reports what it lived; with
/// `transcript`, every message goes there too, one JSON line each.
pub async fn run(
    store: Store,
    cfg: &Config,
    transcript: Option<&mut dyn std::io::Write>,
) -> anyhow::Result<Report> {
    let plan = org::generate(cfg);
    let mut console = Console::start(store, plan.start).await?;
    let mut seen = Vec::new();
    let mut refused = 0;
    for (n, step) in plan.steps.iter().enumerate() {
        if step.at > console.now() {
            for out in console.advance(step.at).await? {
                seen.push(check::Seen {
                    out,
                    by_person: false,
                });
            }
        }
        for out in console.line(n + 1, &step.line).await? {
            if out.kind == "reply" {
                if out.message.tone == Tone::Error {
                    refused += 1;
                    tracing::warn!(line = %step.line, reply = %out.text, "a simulated command was refused");
                }
                continue;
            }
            seen.push(check::Seen {
                out,
                by_person: true,
            });
        }
    }
    for out in console.advance(plan.end).await? {
        seen.push(check::Seen {
            out,
            by_person: false,
        });
    }
    if let Some(w) = transcript {
        for s in &seen {
            let line = serde_json::json!({
                "at": s.out.at, "kind": s.out.kind, "to": s.out.to, "text": s.out.text,
                "caused_by": if s.by_person { "person" } else { "time" },
            });
            writeln!(w, "{line}")?;
        }
    }
    let settle = Duration::minutes(30);
    Ok(check::report(
        &plan,
        &seen,
        plan.steps.len(),
        refused,
        settle,
    ))
}

/// The report as a person reads it.
pub fn describe(r: &Report) -> String {
    let spread = |s: &check::Spread| format!("median {}, p90 {}, max {}", s.median, s.p90, s.max);
    let mut out = vec![
        format!(
            "{} people, {} working days ({} working weeks), {} commands ({} refused)",
            r.people, r.working_days, r.weeks, r.commands, r.refused_commands
        ),
        format!(
            "incidents: {} seeded, {} caught, {} reached their owner (median {} h after they began)",
            r.incidents, r.incidents_caught, r.incidents_reached_owner, r.median_hours_to_owner
        ),
        format!(
            "messages that ping, per person per week: {} (owners: {})",
            spread(&r.pushes_per_person_week),
            spread(&r.owner_pushes_per_week)
        ),
        format!("pushes {} and silent edits {} in all", r.pushes, r.edits),
        format!(
            "time-caused messages outside the recipient's working hours: {} (and {} urgent: a goal turning red)",
            r.time_caused_outside_hours, r.urgent_outside_hours
        ),
        format!(
            "episodes shorter than settle that pushed a message: {}",
            r.short_episodes_pushed
        ),
        format!(
            "digest lines: {}, without a cause: {}",
            r.digest_lines,
            r.digest_lines_without_cause.len()
        ),
    ];
    out.extend(
        r.missed
            .iter()
            .map(|m| format!("  not heard by its owner: {m}")),
    );
    out.extend(
        r.digest_lines_without_cause
            .iter()
            .map(|l| format!("  digest line without a cause: {l}")),
    );
    out.join("\n")
}
