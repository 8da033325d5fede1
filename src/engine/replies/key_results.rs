//! Replies to `kr …`: key results made, checked in, retargeted, shown and closed.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::key_result::pace::sparkline;
use crate::domain::key_result::{KrOutcome, Quantity, Shape, Thresholds, Unit};
use crate::domain::*;
use crate::message::{Message, Tone};
use crate::store::key_results::Row;

pub fn quantity(value: f64, unit: &Unit) -> String {
    Quantity {
        value,
        unit: unit.clone(),
    }
    .to_string()
}

/// What a key result measures: `8% → 5%`, `a milestone`, `keep within 1..2`.
pub fn measure(shape: &Shape, unit: &Unit) -> String {
    match shape {
        Shape::Metric { from, to } => {
            format!("{} → {}", quantity(*from, unit), quantity(*to, unit))
        }
        Shape::Milestone => "a milestone".to_string(),
        Shape::Band { low, high } => format!(
            "keep within {}..{}",
            quantity(*low, unit),
            quantity(*high, unit)
        ),
    }
}

pub fn kr_created(
    key: Key,
    title: &str,
    goal: Key,
    shape: &Shape,
    unit: &Unit,
    by: NaiveDate,
) -> Message {
    let next = match shape {
        Shape::Milestone => format!("When it is done: /align kr done {key}"),
        _ => format!("Check in: /align kr update {key} <value>"),
    };
    Message::new(Tone::Green, format!("Created {key} \"{title}\" for {goal}"))
        .fields(vec![
            ("Measure", measure(shape, unit)),
            ("By", by.to_string()),
        ])
        .lines("Next", vec![next])
        .action("Show key result", format!("/align kr show {key}"))
}

/// Where a key result stands after a check-in, judged as its goal's health judges it.
pub fn checked_in(k: &Row, now: DateTime<Utc>) -> anyhow::Result<Message> {
    let (verdict, reason) = k.model()?.judge(None, now, &Thresholds::default());
    Ok(Message::new(
        verdict.colour().into(),
        format!("Checked in K-{}", k.number),
    )
    .lines("Where it stands", vec![reason])
    .fields(vec![("Check-ins", sparkline(&k.checkin_values))]))
}

pub fn kr_retargeted(k: &Row, target: &str, was: &str, why: &str) -> Message {
    Message::info(format!(
        "K-{} \"{}\" now aims at {target} (was {was})",
        k.number, k.title
    ))
    .lines("Why", vec![why.to_string()])
}

pub fn kr_closed(k: &Row, outcome: KrOutcome) -> Message {
    Message::info(format!(
        "K-{} \"{}\" is closed: {}",
        k.number,
        k.title,
        outcome.as_str()
    ))
}

/// One line per key result: where it stands and its check-ins, or how it closed.
fn kr_line(k: &Row, now: DateTime<Utc>) -> anyhow::Result<String> {
    if !k.is_open() {
        return Ok(format!("K-{} {}: {}", k.number, k.title, k.status));
    }
    let (_, reason) = k.model()?.judge(None, now, &Thresholds::default());
    let spark = sparkline(&k.checkin_values);
    Ok(if spark.is_empty() {
        reason
    } else {
        format!("{reason} {spark}")
    })
}

pub fn kr_show(k: &Row, now: DateTime<Utc>) -> anyhow::Result<Message> {
    let key = format!("K-{}", k.number);
    let (verdict, reason) = k.model()?.judge(None, now, &Thresholds::default());
    let tone = if k.is_open() {
        verdict.colour().into()
    } else {
        Tone::Neutral
    };
    let last = k
        .last_checkin
        .map_or_else(|| "none yet".to_string(), |at| at.date_naive().to_string());
    Ok(Message::new(tone, format!("{key} \"{}\"", k.title))
        .fields(vec![
            ("Goal", format!("G-{}", k.goal_number)),
            ("Status", k.status.clone()),
            (
                "Check-ins",
                format!(
                    "{} {}",
                    k.checkin_values.len(),
                    sparkline(&k.checkin_values)
                ),
            ),
            ("Last check-in", last),
        ])
        .lines("Where it stands", vec![reason])
        .action("History", format!("/align history {key}")))
}

pub fn kr_list(goal: Option<Key>, rows: &[Row], now: DateTime<Utc>) -> anyhow::Result<Message> {
    let scope = goal.map_or_else(
        || "Key results".to_string(),
        |g| format!("Key results of {g}"),
    );
    if rows.is_empty() {
        return Ok(Message::info(format!("{scope}: none yet")).lines(
            "Add one",
            vec!["/align kr new G-1 \"Monthly churn\" from:8% to:5% by:2027-03-31".into()],
        ));
    }
    let lines = rows
        .iter()
        .map(|k| kr_line(k, now))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Message::info(format!("{scope} ({})", rows.len())).lines("", lines))
}

pub fn kr_not_after_start(by: NaiveDate, start: NaiveDate) -> UserError {
    UserError::new(format!("the due date {by} is not after the start {start}."))
}

pub fn kr_not_open(key: Key, status: &str) -> UserError {
    UserError::new(format!("{key} is {status}; only open key results change."))
}

pub fn kr_is_milestone(key: Key) -> UserError {
    UserError::new(format!(
        "{key} is a milestone: it is done or not, with no number."
    ))
    .hint(format!("When it is done: /align kr done {key}"))
}

pub fn kr_is_measured(key: Key) -> UserError {
    UserError::new(format!("{key} is measured, not done: check in its value."))
        .hint(format!("For example: /align kr update {key} <value>"))
}

pub fn kr_has_no_target(key: Key, kind: &str) -> UserError {
    UserError::new(format!("{key} is a {kind}: it has no target to change."))
}

pub fn kr_target_is_start(key: Key, target: &str) -> UserError {
    UserError::new(format!(
        "{target} is where {key} started: a target has to be somewhere else."
    ))
}

pub fn api_not_served() -> UserError {
    UserError::new("the check-in API needs a server the outside can reach, and this one has none.")
        .hint("Run throughline serve with PUBLIC_URL set (see the README).")
}

/// The one time a write token is shown, with the call a cron job makes.
pub fn kr_token_made(k: &Row, public_url: &str, token: &str, replaced: bool) -> Message {
    let key = format!("K-{}", k.number);
    let endpoint = format!("{public_url}/api/v1/key-results/{key}/check-ins");
    let mut notes =
        vec!["The token is shown this once; Throughline keeps only its hash.".to_string()];
    if replaced {
        notes.push(format!(
            "It replaces {key}'s earlier token, which no longer works."
        ));
    }
    Message::new(Tone::Green, format!("A write token for {key} \"{}\"", k.title))
        .fields(vec![("Token", token.to_string()), ("Endpoint", endpoint.clone())])
        .lines(
            "Check in from a cron job",
            vec![format!(
                "curl -X POST {endpoint} -H \"Authorization: Bearer {token}\" -H \"Content-Type: application/json\" -d '{{\"value\": 6.1, \"note\": \"from the dashboard\"}}'"
            )],
        )
        .lines("Worth knowing", notes)
}
