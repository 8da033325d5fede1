use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::{Ctx, Outcome};
use crate::command::Mention;
use crate::domain::*;
use crate::engine::replies;
use crate::store::{model, outbox, workspaces};

pub async fn new(
    cx: &mut Ctx<'_>,
    title: String,
    owner: Mention,
    rank: Option<i32>,
    due: Option<NaiveDate>,
) -> Outcome {
    let owner = cx.person(&owner, "owner").await?;
    let number = workspaces::next_number(cx.conn, cx.ws, KeyKind::Goal).await?;
    let rank = match rank {
        Some(r) => r,
        None => {
            model::open_goals(cx.conn, cx.ws)
                .await?
                .iter()
                .map(|g| g.rank)
                .max()
                .unwrap_or(0)
                + 1
        }
    };
    let new = model::NewGoal {
        number,
        title: &title,
        owner: owner.id,
        rank,
        due_on: due,
        created_by: cx.actor.id,
    };
    let g = model::insert_goal(cx.conn, cx.ws, new, cx.now).await?;
    let key = g.key().to_string();
    cx.event(
        &key,
        "created",
        None,
        Some(json!({ "title": title, "owner": owner.at(), "rank": rank, "due": due })),
        None,
    )
    .await?;
    Ok(replies::goal_created(&g, &owner))
}

fn is_owner(cx: &Ctx<'_>, g: &Goal) -> bool {
    g.owner_id == cx.actor.id
}

pub async fn owner(cx: &mut Ctx<'_>, key: Key, who: Mention) -> Outcome {
    let g = cx.open_goal(key).await?;
    cx.require(is_owner(cx, &g), &format!("transfer {key}"), "its owner")?;
    let new_owner = cx.person(&who, "owner").await?;
    if new_owner.id == g.owner_id {
        return Err(replies::already_owns(&new_owner, key).into());
    }
    let old = crate::store::people::by_id(cx.conn, cx.ws, g.owner_id).await?;
    model::set_goal_owner(cx.conn, cx.ws, g.id, new_owner.id, cx.now).await?;
    cx.event(
        &key.to_string(),
        "owner",
        Some(json!({ "owner": old.at() })),
        Some(json!({ "owner": new_owner.at() })),
        None,
    )
    .await?;
    Ok(replies::goal_owner_changed(&g, &new_owner, &old))
}

pub async fn rank(cx: &mut Ctx<'_>, key: Key, rank: i32) -> Outcome {
    let g = cx.open_goal(key).await?;
    cx.require(is_owner(cx, &g), &format!("re-rank {key}"), "its owner")?;
    if g.rank == rank {
        // Nothing changes, so nothing is written to history.
        return Ok(replies::goal_rank_unchanged(&g));
    }
    model::set_goal_rank(cx.conn, cx.ws, g.id, rank, cx.now).await?;
    cx.event(
        &key.to_string(),
        "rank",
        Some(json!({ "rank": g.rank })),
        Some(json!({ "rank": rank })),
        None,
    )
    .await?;
    Ok(replies::goal_ranked(&g, rank))
}

pub async fn close(
    cx: &mut Ctx<'_>,
    key: Key,
    outcome: GoalStatus,
    note: Option<String>,
) -> Outcome {
    let g = cx.open_goal(key).await?;
    cx.require(is_owner(cx, &g), &format!("close {key}"), "its owner")?;
    let open: Vec<String> = model::open_work(cx.conn, cx.ws)
        .await?
        .iter()
        .filter(|w| w.goal_id == Some(g.id))
        .map(|w| w.key().to_string())
        .collect();
    if !open.is_empty() {
        return Err(replies::still_has_open_work(key, &open).into());
    }
    let initiative_end = if outcome == GoalStatus::Achieved {
        InitiativeStatus::Done
    } else {
        InitiativeStatus::Dropped
    };
    for i in model::initiatives_of(cx.conn, cx.ws, g.id).await? {
        if matches!(
            i.status,
            InitiativeStatus::Active | InitiativeStatus::Paused
        ) {
            model::set_initiative_status(cx.conn, cx.ws, i.id, initiative_end, cx.now).await?;
            cx.event(
                &i.key().to_string(),
                "status",
                Some(json!({ "status": i.status })),
                Some(json!({ "status": initiative_end })),
                Some(&format!("closed with {key}")),
            )
            .await?;
        }
    }
    model::close_goal(cx.conn, cx.ws, g.id, outcome, note.as_deref(), cx.now).await?;
    cx.event(
        &key.to_string(),
        "closed",
        Some(json!({ "status": "open" })),
        Some(json!({ "status": outcome })),
        note.as_deref(),
    )
    .await?;
    Ok(replies::goal_closed(&g, outcome))
}

pub async fn ack(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let g = cx.goal(key).await?;
    cx.require(
        is_owner(cx, &g),
        &format!("acknowledge alerts on {key}"),
        "its owner",
    )?;
    let n = outbox::acknowledge(cx.conn, cx.ws, cx.actor.id, &key.to_string(), cx.now).await?;
    if n == 0 {
        return Ok(replies::alerts_acknowledged(key, 0));
    }
    cx.event(
        &key.to_string(),
        "acknowledged",
        None,
        Some(json!({ "alerts": n })),
        None,
    )
    .await?;
    Ok(replies::alerts_acknowledged(key, n))
}

pub async fn snooze(cx: &mut Ctx<'_>, key: Key, d: Duration) -> Outcome {
    let g = cx.open_goal(key).await?;
    cx.require(is_owner(cx, &g), &format!("snooze {key}"), "its owner")?;
    let until = cx.now + d;
    outbox::snooze(cx.conn, cx.ws, cx.actor.id, &key.to_string(), until).await?;
    outbox::acknowledge(cx.conn, cx.ws, cx.actor.id, &key.to_string(), cx.now).await?;
    cx.event(
        &key.to_string(),
        "snoozed",
        None,
        Some(json!({ "until": until })),
        None,
    )
    .await?;
    Ok(replies::snoozed(key, until))
}
