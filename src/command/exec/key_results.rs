//! `kr …`: key results made, checked in, retargeted, shown and closed. The goal's owner (or
//! an admin) shapes them; the owner, an admin or a lead of an initiative under the goal
//! checks in. Every change is an event.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::json;

use super::{Ctx, Failure, Outcome};
use crate::command::UserError;
use crate::domain::key_result::pace::sparkline;
use crate::domain::key_result::{Confidence, KrOutcome, Quantity, Shape, Thresholds, Unit};
use crate::domain::*;
use crate::message::{Message, Tone};
use crate::store::key_results::{self, CheckIn, Row};
use crate::store::workspaces;

fn quantity(value: f64, unit: &Unit) -> String {
    Quantity {
        value,
        unit: unit.clone(),
    }
    .to_string()
}

impl Ctx<'_> {
    pub async fn key_result(&mut self, key: Key) -> Result<Row, Failure> {
        match key_results::by_number(self.conn, self.ws, key.number).await? {
            Some(k) => Ok(k),
            None => Err(self.missing(key).await?.into()),
        }
    }

    async fn open_key_result(&mut self, key: Key) -> Result<Row, Failure> {
        let k = self.key_result(key).await?;
        if !k.is_open() {
            return Err(UserError::new(format!(
                "{key} is {}; only open key results change.",
                k.status
            ))
            .into());
        }
        Ok(k)
    }

    /// An open key result that only its goal's owner (or an admin) may `verb`.
    async fn shaped_by_owner(&mut self, key: Key, verb: &str) -> Result<Row, Failure> {
        let k = self.open_key_result(key).await?;
        let goal = Key::goal(k.goal_number);
        self.require(
            k.goal_owner == self.actor.id,
            &format!("{verb} {key}"),
            &format!("{goal}'s owner"),
        )?;
        Ok(k)
    }

    /// The goal's owner, or the lead of one of its initiatives.
    async fn may_check_in(&mut self, k: &Row) -> anyhow::Result<bool> {
        Ok(k.goal_owner == self.actor.id
            || key_results::leads_under(self.conn, self.ws, k.goal_id, self.actor.id).await?)
    }
}

/// The start of a day, and the end of one, in UTC.
fn day_start(d: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN))
}

fn day_end(d: NaiveDate) -> chrono::DateTime<Utc> {
    day_start(d) + chrono::Duration::days(1) - chrono::Duration::seconds(1)
}

pub async fn new(
    cx: &mut Ctx<'_>,
    goal: Key,
    title: String,
    shape: Shape,
    unit: Unit,
    by: NaiveDate,
    start: Option<NaiveDate>,
) -> Outcome {
    let g = cx.open_goal(goal).await?;
    cx.require(
        g.owner_id == cx.actor.id,
        &format!("add key results to {goal}"),
        "its owner",
    )?;
    let starts_at = start.map_or(cx.now, day_start);
    let due_at = day_end(by);
    if due_at <= starts_at {
        return Err(UserError::new(format!(
            "the due date {by} is not after the start {}.",
            starts_at.date_naive()
        ))
        .into());
    }
    let number = workspaces::next_number(cx.conn, cx.ws, KeyKind::KeyResult).await?;
    let new = key_results::New {
        number,
        goal_id: g.id,
        title: &title,
        shape: &shape,
        unit: &unit,
        starts_at,
        due_at,
        created_by: cx.actor.id,
    };
    key_results::insert(cx.conn, cx.ws, new, cx.now).await?;
    let key = Key::key_result(number).to_string();
    let what = match &shape {
        Shape::Metric { from, to } => {
            format!("{} → {}", quantity(*from, &unit), quantity(*to, &unit))
        }
        Shape::Milestone => "a milestone".to_string(),
        Shape::Band { low, high } => {
            format!(
                "keep within {}..{}",
                quantity(*low, &unit),
                quantity(*high, &unit)
            )
        }
    };
    cx.event(
        &key,
        "created",
        None,
        Some(json!({ "goal": goal.to_string(), "title": title, "measure": what, "by": by })),
        None,
    )
    .await?;
    let next = match shape {
        Shape::Milestone => format!("When it is done: /align kr done {key}"),
        _ => format!("Check in: /align kr update {key} <value>"),
    };
    Ok(
        Message::new(Tone::Green, format!("Created {key} \"{title}\" for {goal}"))
            .fields(vec![("Measure", what), ("By", by.to_string())])
            .lines("Next", vec![next])
            .action("Show key result", format!("/align kr show {key}")),
    )
}

pub async fn update(
    cx: &mut Ctx<'_>,
    key: Key,
    value: Quantity,
    note: Option<String>,
    confidence: Option<Confidence>,
) -> Outcome {
    let k = cx.open_key_result(key).await?;
    if k.kind == "milestone" {
        return Err(UserError::new(format!(
            "{key} is a milestone: it is done or not, with no number."
        ))
        .hint(format!("When it is done: /align kr done {key}"))
        .into());
    }
    let allowed = cx.may_check_in(&k).await?;
    cx.require(
        allowed,
        &format!("check in {key}"),
        "the goal's owner, a lead under it",
    )?;
    let unit = k.unit()?;
    let shown = value.to_string();
    let value = value.expect_unit(&unit, &shown)?;
    record(cx, &k, value, note.as_deref(), confidence).await
}

pub async fn done(cx: &mut Ctx<'_>, key: Key, note: Option<String>) -> Outcome {
    let k = cx.open_key_result(key).await?;
    if k.kind != "milestone" {
        return Err(
            UserError::new(format!("{key} is measured, not done: check in its value."))
                .hint(format!("For example: /align kr update {key} <value>"))
                .into(),
        );
    }
    let allowed = cx.may_check_in(&k).await?;
    cx.require(
        allowed,
        &format!("check in {key}"),
        "the goal's owner, a lead under it",
    )?;
    record(cx, &k, 1.0, note.as_deref(), None).await
}

async fn record(
    cx: &mut Ctx<'_>,
    k: &Row,
    value: f64,
    note: Option<&str>,
    confidence: Option<Confidence>,
) -> Outcome {
    let checkin = CheckIn {
        value,
        confidence: confidence.map(Confidence::as_str),
        note,
        author: cx.actor.id,
        source: "command",
    };
    key_results::check_in(cx.conn, cx.ws, k.id, checkin, cx.now).await?;
    let unit = k.unit()?;
    let key = format!("K-{}", k.number);
    let before = k.checkin_values.last().map(|v| quantity(*v, &unit));
    cx.event(
        &key,
        "checked in",
        before.map(|b| json!({ "value": b })),
        Some(json!({ "value": quantity(value, &unit), "confidence": confidence.map(Confidence::as_str) })),
        note,
    )
    .await?;
    let k = cx.key_result(Key::key_result(k.number)).await?;
    let (verdict, reason) = k.model()?.judge(None, cx.now, &Thresholds::default());
    Ok(
        Message::new(verdict.colour().into(), format!("Checked in {key}"))
            .lines("Where it stands", vec![reason])
            .fields(vec![("Check-ins", sparkline(&k.checkin_values))]),
    )
}

pub async fn target(cx: &mut Ctx<'_>, key: Key, target: Quantity, why: String) -> Outcome {
    let k = cx.shaped_by_owner(key, "retarget").await?;
    if k.kind != "metric" {
        return Err(UserError::new(format!(
            "{key} is a {}: it has no target to change.",
            k.kind
        ))
        .into());
    }
    let unit = k.unit()?;
    let shown = target.to_string();
    let new = target.expect_unit(&unit, &shown)?;
    if k.from_value.is_some_and(|f| (f - new).abs() < f64::EPSILON) {
        return Err(UserError::new(format!(
            "{shown} is where {key} started: a target has to be somewhere else."
        ))
        .into());
    }
    let old = k.target.map(|t| quantity(t, &unit)).unwrap_or_default();
    key_results::retarget(
        cx.conn,
        cx.ws,
        k.id,
        Some(new),
        k.due_at,
        Some(&why),
        cx.actor.id,
        cx.now,
    )
    .await?;
    cx.event(
        &key.to_string(),
        "target",
        Some(json!({ "target": old })),
        Some(json!({ "target": shown })),
        Some(&why),
    )
    .await?;
    Ok(Message::info(format!(
        "{key} \"{}\" now aims at {shown} (was {old})",
        k.title
    ))
    .lines("Why", vec![why]))
}

pub async fn close(
    cx: &mut Ctx<'_>,
    key: Key,
    outcome: KrOutcome,
    note: Option<String>,
) -> Outcome {
    let k = cx.shaped_by_owner(key, "close").await?;
    key_results::close(
        cx.conn,
        cx.ws,
        k.id,
        outcome.as_str(),
        note.as_deref(),
        cx.now,
    )
    .await?;
    cx.event(
        &key.to_string(),
        "closed",
        Some(json!({ "status": "open" })),
        Some(json!({ "status": outcome.as_str() })),
        note.as_deref(),
    )
    .await?;
    Ok(Message::info(format!(
        "{key} \"{}\" is closed: {}",
        k.title,
        outcome.as_str()
    )))
}

/// One line per key result: key, title, where it stands and its check-ins.
fn line(k: &Row, now: chrono::DateTime<Utc>) -> anyhow::Result<String> {
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

pub async fn show(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let k = cx.key_result(key).await?;
    let model = k.model()?;
    let (verdict, reason) = model.judge(None, cx.now, &Thresholds::default());
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

pub async fn list(cx: &mut Ctx<'_>, goal: Option<Key>) -> Outcome {
    let goal_id = match goal {
        Some(g) => Some(cx.goal(g).await?.id),
        None => None,
    };
    let rows = key_results::list(cx.conn, cx.ws, goal_id).await?;
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
    let mut lines = Vec::new();
    for k in &rows {
        lines.push(line(k, cx.now)?);
    }
    Ok(Message::info(format!("{scope} ({})", rows.len())).lines("", lines))
}
