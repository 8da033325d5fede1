use serde_json::json;

use super::{Ctx, Failure, Outcome};
use crate::command::{Home, Mention, WorkMove};
use crate::domain::*;
use crate::engine::replies::{self, home_text};
use crate::store::{model, workspaces};

/// The goal and initiative a key names, checked to be open.
async fn home_of(cx: &mut Ctx<'_>, key: Key) -> Result<(Goal, Option<Initiative>), Failure> {
    if key.kind == KeyKind::Initiative {
        let i = cx.initiative(key).await?;
        if !matches!(
            i.status,
            InitiativeStatus::Active | InitiativeStatus::Paused
        ) {
            return Err(replies::initiative_not_a_home(key, i.status).into());
        }
        let g = model::goal_by_id(cx.conn, cx.ws, i.goal_id).await?;
        Ok((g, Some(i)))
    } else {
        Ok((cx.open_goal(key).await?, None))
    }
}

pub async fn new(
    cx: &mut Ctx<'_>,
    home: Home,
    title: String,
    assignee: Option<Mention>,
    url: Option<String>,
) -> Outcome {
    let assignee = match assignee {
        Some(m) => cx.person(&m, "assignee").await?,
        None => cx.actor.clone(),
    };
    let (goal, initiative, why) = match &home {
        Home::Initiative(k) | Home::Goal(k) => {
            let (g, i) = home_of(cx, *k).await?;
            (Some(g), i, None)
        }
        Home::None { why } => (None, None, why.clone()),
    };
    let number = workspaces::next_number(cx.conn, cx.ws, KeyKind::Work).await?;
    let new = model::NewWork {
        number,
        title: &title,
        goal: goal.as_ref().map(|g| g.id),
        initiative: initiative.as_ref().map(|i| i.id),
        unaligned_reason: why.as_deref(),
        assignee: assignee.id,
        url: url.as_deref(),
        created_by: cx.actor.id,
    };
    let w = model::insert_work(cx.conn, cx.ws, new, cx.now).await?;
    let key = w.key().to_string();
    let home_desc = goal
        .as_ref()
        .map_or_else(|| "none".to_string(), |g| home_text(g, initiative.as_ref()));
    cx.event(
        &key,
        "created",
        None,
        Some(json!({ "title": title, "home": home_desc, "assignee": assignee.at(), "url": url })),
        why.as_deref(),
    )
    .await?;
    let home = goal.as_ref().map(|g| (g, initiative.as_ref()));
    Ok(replies::work_created(&w, home, &assignee))
}

pub async fn change(cx: &mut Ctx<'_>, key: Key, to: WorkMove, note: Option<String>) -> Outcome {
    let w = cx.work(key).await?;
    let target = match to {
        WorkMove::Start => WorkStatus::Doing,
        WorkMove::Block => WorkStatus::Blocked,
        WorkMove::Done => WorkStatus::Done,
        WorkMove::Drop => WorkStatus::Dropped,
    };
    if !w.status.is_open() {
        return Err(replies::work_closed(key, w.status).into());
    }
    if w.status == target && target != WorkStatus::Blocked {
        return Err(replies::work_already(key, target).into());
    }
    let blocker = if target == WorkStatus::Blocked {
        note.as_deref()
    } else {
        None
    };
    model::set_work_status(cx.conn, cx.ws, &w, target, blocker, cx.now).await?;
    cx.event(
        &key.to_string(),
        "status",
        Some(json!({ "status": w.status })),
        Some(json!({ "status": target })),
        note.as_deref(),
    )
    .await?;
    Ok(replies::work_moved(&w, target, blocker))
}

pub async fn link(cx: &mut Ctx<'_>, key: Key, home: Key) -> Outcome {
    let w = cx.work(key).await?;
    if !w.status.is_open() {
        return Err(replies::only_open_work(key, w.status, "linked").into());
    }
    let (g, i) = home_of(cx, home).await?;
    if w.goal_id == Some(g.id) && w.initiative_id == i.as_ref().map(|i| i.id) {
        return Err(replies::already_linked(key, home).into());
    }
    let before = describe_home(cx, &w).await.unwrap_or_else(|| "none".into());
    model::set_work_home(cx.conn, cx.ws, w.id, g.id, i.as_ref().map(|i| i.id), cx.now).await?;
    let after = home_text(&g, i.as_ref());
    cx.event(
        &key.to_string(),
        "linked",
        Some(json!({ "home": before })),
        Some(json!({ "home": after })),
        None,
    )
    .await?;
    Ok(replies::work_linked(&w, &after))
}

async fn describe_home(cx: &mut Ctx<'_>, w: &WorkItem) -> Option<String> {
    let g = model::goal_by_id(cx.conn, cx.ws, w.goal_id?).await.ok()?;
    let i = match w.initiative_id {
        Some(id) => model::initiatives_of(cx.conn, cx.ws, g.id)
            .await
            .ok()?
            .into_iter()
            .find(|i| i.id == id),
        None => None,
    };
    Some(home_text(&g, i.as_ref()))
}

pub async fn assign(cx: &mut Ctx<'_>, key: Key, who: Mention) -> Outcome {
    let w = cx.work(key).await?;
    if !w.status.is_open() {
        return Err(replies::only_open_work(key, w.status, "assigned").into());
    }
    let p = cx.person(&who, "assignee").await?;
    if p.id == w.assignee_id {
        return Err(replies::already_assigned(key, &p).into());
    }
    let old = crate::store::people::by_id(cx.conn, cx.ws, w.assignee_id).await?;
    model::set_work_assignee(cx.conn, cx.ws, w.id, p.id, cx.now).await?;
    cx.event(
        &key.to_string(),
        "assigned",
        Some(json!({ "assignee": old.at() })),
        Some(json!({ "assignee": p.at() })),
        None,
    )
    .await?;
    Ok(replies::work_assigned(&w, &p, &old))
}

pub async fn note(cx: &mut Ctx<'_>, key: Key, note: String) -> Outcome {
    let w = cx.work(key).await?;
    model::touch_work(cx.conn, cx.ws, w.id, cx.now).await?;
    cx.event(&key.to_string(), "note", None, None, Some(&note))
        .await?;
    Ok(replies::work_noted(&w, &note))
}

pub async fn show(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let w = cx.work(key).await?;
    let home = describe_home(cx, &w).await;
    let assignee = crate::store::people::by_id(cx.conn, cx.ws, w.assignee_id).await?;
    let history = crate::store::events::history(cx.conn, cx.ws, &key.to_string(), 200).await?;
    Ok(replies::work_shown(
        &w,
        home.as_deref(),
        &assignee,
        &history,
        cx.now,
    ))
}

/// Back to doing: the undo of a merge that closed work too soon, or of a hasty done.
pub async fn reopen(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let w = cx.work(key).await?;
    if w.status.is_open() {
        return Err(replies::work_not_closed(key, w.status).into());
    }
    model::set_work_status(cx.conn, cx.ws, &w, WorkStatus::Doing, None, cx.now).await?;
    cx.event(
        &key.to_string(),
        "status",
        Some(json!({ "status": w.status })),
        Some(json!({ "status": WorkStatus::Doing })),
        Some("reopened"),
    )
    .await?;
    Ok(replies::work_moved(&w, WorkStatus::Doing, None))
}
