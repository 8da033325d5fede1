use chrono::NaiveDate;
use serde_json::json;

use super::{Ctx, Outcome};
use crate::command::{InitiativeMove, Mention};
use crate::domain::*;
use crate::engine::replies;
use crate::store::{model, workspaces};

pub async fn new(
    cx: &mut Ctx<'_>,
    goal: Key,
    title: String,
    lead: Mention,
    plan: Option<f64>,
    due: Option<NaiveDate>,
) -> Outcome {
    let g = cx.open_goal(goal).await?;
    let lead = cx.person(&lead, "lead").await?;
    let number = workspaces::next_number(cx.conn, cx.ws, KeyKind::Initiative).await?;
    let plan = plan.unwrap_or(0.0);
    let new = model::NewInitiative {
        number,
        goal: g.id,
        title: &title,
        lead: lead.id,
        plan_fte: plan,
        due_on: due,
        created_by: cx.actor.id,
    };
    let i = model::insert_initiative(cx.conn, cx.ws, new, cx.now).await?;
    let key = i.key().to_string();
    cx.event(&key, "created", None, Some(json!({ "title": title, "goal": goal.to_string(), "lead": lead.at(), "plan": plan, "due": due })), None)
        .await?;
    Ok(replies::initiative_created(&i, &g, &lead))
}

pub async fn change(cx: &mut Ctx<'_>, key: Key, to: InitiativeMove) -> Outcome {
    let i = cx.initiative(key).await?;
    let g = model::goal_by_id(cx.conn, cx.ws, i.goal_id).await?;
    let allowed = i.lead_id == cx.actor.id || g.owner_id == cx.actor.id;
    cx.require(
        allowed,
        &format!("change {key}"),
        "its lead, the goal's owner",
    )?;
    let (from_ok, status) = match to {
        InitiativeMove::Pause => (
            i.status == InitiativeStatus::Active,
            InitiativeStatus::Paused,
        ),
        InitiativeMove::Resume => (
            i.status == InitiativeStatus::Paused,
            InitiativeStatus::Active,
        ),
        InitiativeMove::Close { dropped } => (
            matches!(
                i.status,
                InitiativeStatus::Active | InitiativeStatus::Paused
            ),
            if dropped {
                InitiativeStatus::Dropped
            } else {
                InitiativeStatus::Done
            },
        ),
    };
    if !from_ok {
        return Err(replies::initiative_cannot_become(key, i.status, status).into());
    }
    if matches!(to, InitiativeMove::Close { .. }) {
        let open: Vec<String> = model::open_work(cx.conn, cx.ws)
            .await?
            .iter()
            .filter(|w| w.initiative_id == Some(i.id))
            .map(|w| w.key().to_string())
            .collect();
        if !open.is_empty() {
            return Err(replies::still_has_open_work(key, &open).into());
        }
    }
    model::set_initiative_status(cx.conn, cx.ws, i.id, status, cx.now).await?;
    cx.event(
        &key.to_string(),
        "status",
        Some(json!({ "status": i.status })),
        Some(json!({ "status": status })),
        None,
    )
    .await?;
    Ok(replies::initiative_moved(&i, status))
}
