//! `kr …`: key results made, checked in, retargeted, shown and closed. The goal's owner (or
//! an admin) shapes them; the owner, an admin or a lead of an initiative under the goal
//! checks in. Every change is an event.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::json;

use super::{Ctx, Failure, Outcome};
use crate::domain::key_result::units::Reading;
use crate::domain::key_result::{Confidence, KrOutcome, Quantity, Shape, Unit};
use crate::domain::*;
use crate::engine::replies;
use crate::store::key_results::{self, CheckIn, Row};
use crate::store::workspaces;

impl Ctx<'_> {
    pub async fn key_result(&mut self, key: Key) -> Result<Row, Failure> {
        match key_results::by_number(self.conn, self.ws, key.number).await? {
            Some(k) => Ok(k),
            None => Err(self.missing(key).await?.into()),
        }
    }

    pub async fn open_key_result(&mut self, key: Key) -> Result<Row, Failure> {
        let k = self.key_result(key).await?;
        if !k.is_open() {
            return Err(replies::kr_not_open(key, &k.status).into());
        }
        Ok(k)
    }

    /// An open key result that takes values: a milestone is done, not checked in.
    async fn measured_key_result(&mut self, key: Key) -> Result<Row, Failure> {
        let k = self.open_key_result(key).await?;
        if k.kind == "milestone" {
            return Err(replies::kr_is_milestone(key).into());
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
        return Err(replies::kr_not_after_start(by, starts_at.date_naive()).into());
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
    let kr = Key::key_result(number);
    let key = kr.to_string();
    let what = replies::measure(&shape, &unit);
    cx.event(
        &key,
        "created",
        None,
        Some(json!({ "goal": goal.to_string(), "title": title, "measure": what, "by": by })),
        None,
    )
    .await?;
    Ok(replies::kr_created(kr, &title, goal, &shape, &unit, by))
}

pub async fn update(
    cx: &mut Ctx<'_>,
    key: Key,
    value: Quantity,
    note: Option<String>,
    confidence: Option<Confidence>,
) -> Outcome {
    let k = cx.measured_key_result(key).await?;
    let allowed = cx.may_check_in(&k).await?;
    cx.require(
        allowed,
        &format!("check in {key}"),
        "the goal's owner, a lead under it",
    )?;
    let value = Reading::Typed(value).in_unit(&k.unit()?)?;
    record(cx, &k, value, note.as_deref(), confidence, "command").await
}

pub async fn done(cx: &mut Ctx<'_>, key: Key, note: Option<String>) -> Outcome {
    let k = cx.open_key_result(key).await?;
    if k.kind != "milestone" {
        return Err(replies::kr_is_measured(key).into());
    }
    let allowed = cx.may_check_in(&k).await?;
    cx.require(
        allowed,
        &format!("check in {key}"),
        "the goal's owner, a lead under it",
    )?;
    record(cx, &k, 1.0, note.as_deref(), None, "command").await
}

/// A check-in through the API: the token stands for the permission, and the check-in is
/// recorded exactly as `kr update` records one, with the API as its source.
pub async fn update_by_token(
    cx: &mut Ctx<'_>,
    key: Key,
    value: Reading,
    note: Option<String>,
    confidence: Option<Confidence>,
) -> Outcome {
    let k = cx.measured_key_result(key).await?;
    let value = value.in_unit(&k.unit()?)?;
    record(cx, &k, value, note.as_deref(), confidence, "api").await
}

/// A write token for a key result, for a dashboard's cron job; it replaces the one before.
pub async fn token(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    cx.require(false, &format!("make a write token for {key}"), "an admin")?;
    let k = cx.open_key_result(key).await?;
    let Some(public) = cx.public else {
        return Err(replies::api_not_served().into());
    };
    let token = format!("tl_{}", super::connections::random_hex(20));
    let replaced =
        crate::store::kr_tokens::replace(cx.conn, cx.ws, k.id, &token, cx.actor.id, cx.now).await?;
    let what = if replaced {
        "replaced the earlier token"
    } else {
        "made"
    };
    cx.event(&key.to_string(), "write token", None, None, Some(what))
        .await?;
    Ok(replies::kr_token_made(&k, &public.url, &token, replaced))
}

async fn record(
    cx: &mut Ctx<'_>,
    k: &Row,
    value: f64,
    note: Option<&str>,
    confidence: Option<Confidence>,
    source: &'static str,
) -> Outcome {
    let checkin = CheckIn {
        value,
        confidence: confidence.map(Confidence::as_str),
        note,
        author: cx.actor.id,
        source,
    };
    key_results::check_in(cx.conn, cx.ws, k.id, checkin, cx.now).await?;
    let unit = k.unit()?;
    let key = format!("K-{}", k.number);
    let before = k
        .checkin_values
        .last()
        .map(|v| replies::quantity(*v, &unit));
    let mut after = json!({ "value": replies::quantity(value, &unit), "confidence": confidence.map(Confidence::as_str) });
    if source != "command" {
        after["source"] = json!(source);
    }
    cx.event(
        &key,
        "checked in",
        before.map(|b| json!({ "value": b })),
        Some(after),
        note,
    )
    .await?;
    let k = cx.key_result(Key::key_result(k.number)).await?;
    Ok(replies::checked_in(&k, cx.now)?)
}

pub async fn target(cx: &mut Ctx<'_>, key: Key, target: Quantity, why: String) -> Outcome {
    let k = cx.shaped_by_owner(key, "retarget").await?;
    if k.kind != "metric" {
        return Err(replies::kr_has_no_target(key, &k.kind).into());
    }
    let unit = k.unit()?;
    let shown = target.to_string();
    let new = target.expect_unit(&unit, &shown)?;
    if k.from_value.is_some_and(|f| (f - new).abs() < f64::EPSILON) {
        return Err(replies::kr_target_is_start(key, &shown).into());
    }
    let old = k
        .target
        .map(|t| replies::quantity(t, &unit))
        .unwrap_or_default();
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
    Ok(replies::kr_retargeted(&k, &shown, &old, &why))
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
    Ok(replies::kr_closed(&k, outcome))
}

pub async fn show(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let k = cx.key_result(key).await?;
    Ok(replies::kr_show(&k, cx.now)?)
}

pub async fn list(cx: &mut Ctx<'_>, goal: Option<Key>) -> Outcome {
    let goal_id = match goal {
        Some(g) => Some(cx.goal(g).await?.id),
        None => None,
    };
    let rows = key_results::list(cx.conn, cx.ws, goal_id).await?;
    Ok(replies::kr_list(goal, &rows, cx.now)?)
}
