//! Read-only views: each gathers what it shows, judged by a fresh evaluation at `now`, and
//! hands it to its reply in `engine::replies`.

use std::collections::{BTreeSet, HashMap};

use crate::command::CapacityScope;
use crate::domain::capacity::percent;
use crate::domain::*;
use crate::engine::digest::{Picture, picture, picture_of};
use crate::engine::replies;
use crate::store::listing::{self, GoalWork};
use crate::store::scope::Changes;
use crate::store::{events, model, outbox, people, workspaces};

use super::{Ctx, Failure, Outcome};

/// How many items of each list a goal view shows.
const LISTED: usize = 15;

async fn look(cx: &mut Ctx<'_>) -> Result<Picture, Failure> {
    Ok(picture(cx.conn, cx.ws, cx.now).await?)
}

/// The picture of what `about` reaches only: a view of one goal or one person costs the same
/// in a workspace of a hundred items or a hundred thousand.
async fn look_at(cx: &mut Ctx<'_>, about: Changes) -> Result<Picture, Failure> {
    Ok(picture_of(cx.conn, cx.ws, cx.now, &about).await?)
}

/// The picture of `goals`, each judged from its initiatives' stored verdicts, with the work a
/// goal view lists and everyone it names.
async fn look_at_goals(
    cx: &mut Ctx<'_>,
    goals: Vec<GoalId>,
) -> Result<(Picture, HashMap<GoalId, GoalWork>), Failure> {
    let about = Changes {
        goals: goals.clone(),
        ..Changes::default()
    };
    let mut p = look_at(cx, about).await?;
    let mut listed = HashMap::new();
    for g in goals {
        listed.insert(g, listing::goal_work(cx.conn, cx.ws, g, LISTED).await?);
    }
    let known: BTreeSet<PersonId> = p.snap.people.iter().map(|p| p.id).collect();
    let missing: BTreeSet<PersonId> = listed
        .values()
        .flat_map(GoalWork::people)
        .filter(|id| !known.contains(id))
        .collect();
    let missing: Vec<PersonId> = missing.into_iter().collect();
    p.snap
        .people
        .extend(people::by_ids(cx.conn, cx.ws, &missing).await?);
    Ok((p, listed))
}

pub async fn status(cx: &mut Ctx<'_>) -> Outcome {
    let top_ranks = workspaces::settings(cx.conn, cx.ws).await?.top_ranks;
    let goals = model::top_goal_ids(cx.conn, cx.ws, top_ranks).await?;
    let (p, listed) = look_at_goals(cx, goals).await?;
    // The whole workspace's capacity, summed where it lies rather than loaded.
    let (unaligned, allocated) = model::capacity_totals(cx.conn, cx.ws).await?;
    Ok(replies::status(&p, &listed, percent(unaligned, allocated)))
}

pub async fn goal(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let g = cx.goal(key).await?;
    if g.status != GoalStatus::Open {
        return Ok(replies::closed_goal(&g));
    }
    let (p, listed) = look_at_goals(cx, vec![g.id]).await?;
    Ok(replies::goal(&p, &g, &listed[&g.id]))
}

pub async fn goal_list(cx: &mut Ctx<'_>) -> Outcome {
    Ok(replies::goal_list(&look(cx).await?))
}

pub async fn initiative(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let i = cx.initiative(key).await?;
    let about = Changes {
        goals: vec![i.goal_id],
        initiatives: vec![i.id],
        ..Changes::default()
    };
    let p = look_at(cx, about).await?;
    Ok(replies::initiative(&p, &i))
}

pub async fn mine(cx: &mut Ctx<'_>) -> Outcome {
    // The goals a person owns or leads in are judged as a write would judge them; their open
    // work reads as the last evaluation left it, wherever it lies.
    let me = cx.actor.id;
    let goals = listing::goals_of(cx.conn, cx.ws, me).await?;
    let about = Changes {
        goals,
        ..Changes::default()
    };
    let mut p = look_at(cx, about).await?;
    let open = listing::person_work(cx.conn, cx.ws, me).await?;
    let known: BTreeSet<InitiativeId> = p.snap.initiatives.iter().map(|i| i.id).collect();
    let homes: BTreeSet<InitiativeId> = open
        .iter()
        .filter_map(|(w, _)| w.initiative_id)
        .filter(|i| !known.contains(i))
        .collect();
    let homes: Vec<InitiativeId> = homes.into_iter().collect();
    p.snap
        .initiatives
        .extend(listing::initiatives(cx.conn, cx.ws, &homes).await?);
    if !p.snap.people.iter().any(|p| p.id == me) {
        p.snap.people.push(cx.actor.clone());
    }
    let since = cx.now - chrono::Duration::days(7);
    let owed = outbox::owed_to(cx.conn, cx.ws, me, since).await?;
    Ok(replies::mine(&p, &cx.actor, &open, &owed))
}

pub async fn orphans(cx: &mut Ctx<'_>) -> Outcome {
    Ok(replies::orphans(&look(cx).await?))
}

pub async fn capacity(cx: &mut Ctx<'_>, scope: CapacityScope) -> Outcome {
    let p = look(cx).await?;
    Ok(match scope {
        CapacityScope::Workspace => replies::workspace_capacity(&p),
        CapacityScope::Goal(key) => replies::goal_capacity(&p, &cx.goal(key).await?),
        CapacityScope::Person(m) => replies::person_capacity(&p, &cx.person(&m, "person").await?),
    })
}

pub async fn history(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    match key.kind {
        KeyKind::Goal => drop(cx.goal(key).await?),
        KeyKind::Initiative => drop(cx.initiative(key).await?),
        KeyKind::Work => drop(cx.work(key).await?),
        KeyKind::KeyResult => drop(cx.key_result(key).await?),
    }
    let rows = events::history(cx.conn, cx.ws, &key.to_string(), 50).await?;
    if rows.is_empty() {
        return Err(replies::no_history(key).into());
    }
    Ok(replies::history(key, &rows))
}
