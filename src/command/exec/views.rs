//! Read-only views, computed from a fresh evaluation of the workspace at `now`.

use std::collections::{BTreeSet, HashMap};

use crate::command::{CapacityScope, UserError};
use crate::domain::capacity::{fte, percent};
use crate::domain::health::Assessment;
use crate::domain::*;
use crate::engine::digest::{Picture, colour_of, picture, picture_of};
use crate::engine::index::Index;
use crate::message::{Message, Section, Tone};
use crate::store::listing::{self, GoalWork};
use crate::store::scope::Changes;
use crate::store::{events, model, outbox, people, workspaces};

use super::{Ctx, Failure, Outcome};

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

/// Whether the evaluation behind `p` found `w` stalled.
fn stalled(p: &Picture, w: &WorkItem) -> bool {
    w.status == WorkStatus::Doing
        && p.assessment
            .health
            .get(&w.key().to_string())
            .is_some_and(|h| h.colour != Colour::Green)
}

fn item_line(p: &Picture, ix: &Index, w: &WorkItem, stalled: bool) -> String {
    let mut line = format!(
        "{} \"{}\" ({}, {})",
        w.key(),
        w.title,
        ix.at(w.assignee_id),
        w.status
    );
    if let Some(i) = w.initiative_id.and_then(|i| ix.initiative(i)) {
        line.push_str(&format!(" in {}", i.key()));
    }
    if w.status == WorkStatus::Blocked {
        line.push_str(&format!(": {}", w.blocker.as_deref().unwrap_or("")));
    } else if w.status == WorkStatus::Doing {
        let since = w
            .last_activity_at
            .with_timezone(&p.settings.time_zone)
            .format("%Y-%m-%d");
        line.push_str(&if stalled {
            format!(": stalled, last activity {since}")
        } else {
            format!(", last activity {since}")
        });
    }
    line
}

/// How many items of each list a goal view shows.
const LISTED: usize = 15;

/// The goal, with what moves it and what does not.
fn goal_message(p: &Picture, ix: &Index, g: &Goal, work: &GoalWork) -> Message {
    let key = g.key().to_string();
    let h = p.assessment.health.get(&key);
    let colour = h.map_or(Colour::None, |h| h.colour);
    let mut moving: Vec<String> = work
        .moving
        .iter()
        .map(|w| item_line(p, ix, w, false))
        .collect();
    let mut not_moving: Vec<String> = work
        .not_moving
        .iter()
        .map(|(w, stalled)| {
            let l = item_line(p, ix, w, *stalled);
            if w.status == WorkStatus::Todo {
                format!("{l}: idle, not started")
            } else {
                l
            }
        })
        .collect();
    for (lines, more) in [
        (&mut moving, work.more_moving),
        (&mut not_moving, work.more_not_moving),
    ] {
        if more > 0 {
            lines.push(format!(
                "and {more} more: `/align initiative show` lists an initiative's work"
            ));
        }
    }
    let mut owners = vec![format!("Goal owner: {}", ix.at(g.owner_id))];
    for i in p
        .snap
        .initiatives
        .iter()
        .filter(|i| i.goal_id == g.id && i.status == InitiativeStatus::Active)
    {
        let ic = colour_of(&p.assessment, &i.key().to_string());
        owners.push(format!(
            "{} lead {} [{ic}]: {} of {} FTE planned",
            Index::initiative_label(i),
            ix.at(i.lead_id),
            fte(work.capacity.get(&i.id).copied().unwrap_or(0.0)),
            fte(i.plan_fte)
        ));
    }
    Message::new(
        colour.into(),
        format!("{} is {colour}", Index::goal_label(g)),
    )
    .lines(
        "Why",
        h.map(|h| h.reasons.clone())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| vec!["all rules pass".into()]),
    )
    .lines("Key results", p.key_result_lines(g.id))
    .lines("Worth knowing", outcome_without_work(p, g))
    .lines(
        "Moving it",
        if moving.is_empty() {
            vec!["nothing in doing".into()]
        } else {
            moving
        },
    )
    .lines("Not moving", not_moving)
    .lines("Who owns what", owners)
}

/// The opposite of "busy but not moving": a key result on track while the goal is starved of
/// work. Information for a decision (is the outcome coming from elsewhere?), with no colour.
fn outcome_without_work(p: &Picture, g: &Goal) -> Vec<String> {
    let key = g.key().to_string();
    let starved = p
        .assessment
        .health
        .get(&key)
        .is_some_and(|h| h.causes.contains_key(&format!("starved:{key}")));
    if !starved {
        return Vec::new();
    }
    p.snap
        .key_results
        .iter()
        .filter(|f| f.goal_id == g.id)
        .filter(|f| {
            let (verdict, _) = f.kr.judge(f.outside_since, p.now, &p.settings.kr);
            matches!(
                verdict,
                crate::domain::key_result::Verdict::OnTrack
                    | crate::domain::key_result::Verdict::Achieved
            )
        })
        .map(|f| {
            format!(
                "{} is on track while {key} has no work moving: is the outcome coming from elsewhere?",
                f.kr.key()
            )
        })
        .collect()
}

pub async fn status(cx: &mut Ctx<'_>) -> Outcome {
    let top_ranks = workspaces::settings(cx.conn, cx.ws).await?.top_ranks;
    let goals = model::top_goal_ids(cx.conn, cx.ws, top_ranks).await?;
    let (p, listed) = look_at_goals(cx, goals).await?;
    let ix = Index::new(&p.snap);
    let top: Vec<&Goal> = p
        .snap
        .goals
        .iter()
        .filter(|g| g.rank <= p.settings.top_ranks)
        .collect();
    if top.is_empty() {
        return Ok(Message::info(format!(
            "No open goals ranked 1 to {} yet.",
            p.settings.top_ranks
        ))
        .lines(
            "Create one",
            vec!["/align goal new \"<title>\" owner:@someone rank:1".into()],
        ));
    }
    let worst = top
        .iter()
        .map(|g| colour_of(&p.assessment, &g.key().to_string()))
        .max_by_key(|c| c.severity())
        .unwrap_or(Colour::None);
    let mut m = Message::new(
        worst.into(),
        match top.len() {
            1 => "Status of the top priority".to_string(),
            n => format!("Status of the top {n} priorities"),
        },
    );
    for g in top {
        let gm = goal_message(&p, &ix, g, &listed[&g.id]);
        m.sections.push(Section {
            title: Some(gm.headline.clone()),
            ..Section::default()
        });
        m.sections.extend(gm.sections.into_iter().map(|mut s| {
            s.title = s.title.map(|t| format!("{} {t}", g.key()));
            s
        }));
    }
    // The whole workspace's capacity, summed where it lies rather than loaded.
    let (unaligned, allocated) = model::capacity_totals(cx.conn, cx.ws).await?;
    let unaligned = percent(unaligned, allocated);
    Ok(m.lines(
        "Capacity",
        vec![format!(
            "{unaligned}% of the capacity in use goes to no goal"
        )],
    ))
}

pub async fn goal(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let g = cx.goal(key).await?;
    if g.status != GoalStatus::Open {
        return Ok(Message::info(format!(
            "{} is {}",
            Index::goal_label(&g),
            g.status
        )));
    }
    let (p, listed) = look_at_goals(cx, vec![g.id]).await?;
    let ix = Index::new(&p.snap);
    let m = goal_message(&p, &ix, &g, &listed[&g.id]).fields(vec![
        ("Rank", g.rank.to_string()),
        (
            "Due",
            g.due_on.map_or_else(|| "none".into(), |d| d.to_string()),
        ),
    ]);
    Ok(m.action("History", format!("/align history {key}"))
        .action("Capacity", format!("/align capacity {key}")))
}

pub async fn goal_list(cx: &mut Ctx<'_>) -> Outcome {
    let p = look(cx).await?;
    let ix = Index::new(&p.snap);
    let lines: Vec<String> = p
        .snap
        .goals
        .iter()
        .map(|g| {
            format!(
                "[{}] {} rank {}, owner {}",
                colour_of(&p.assessment, &g.key().to_string()),
                Index::goal_label(g),
                g.rank,
                ix.at(g.owner_id)
            )
        })
        .collect();
    let n = lines.len();
    Ok(Message::info(format!("{n} open goal(s)")).lines("Goals", lines))
}

pub async fn initiative(cx: &mut Ctx<'_>, key: Key) -> Outcome {
    let i = cx.initiative(key).await?;
    let p = look_at(
        cx,
        Changes {
            goals: vec![i.goal_id],
            initiatives: vec![i.id],
            ..Changes::default()
        },
    )
    .await?;
    let ix = Index::new(&p.snap);
    let h = p.assessment.health.get(&key.to_string());
    let colour = h.map_or(Colour::None, |h| h.colour);
    let items: Vec<String> = p
        .snap
        .work
        .iter()
        .filter(|w| w.initiative_id == Some(i.id) && w.status.is_open())
        .map(|w| item_line(&p, &ix, w, stalled(&p, w)))
        .collect();
    let goal = ix
        .goal(i.goal_id)
        .map_or_else(|| "closed goal".into(), Index::goal_label);
    Ok(Message::new(
        colour.into(),
        format!(
            "{} is {}",
            Index::initiative_label(&i),
            if i.status == InitiativeStatus::Active {
                colour.to_string()
            } else {
                i.status.to_string()
            }
        ),
    )
    .fields(vec![
        ("Goal", goal),
        ("Lead", ix.at(i.lead_id)),
        (
            "Capacity",
            format!(
                "{} of {} FTE planned",
                fte(p.assessment.capacity.initiative(i.id)),
                fte(i.plan_fte)
            ),
        ),
    ])
    .lines("Why", h.map(|h| h.reasons.clone()).unwrap_or_default())
    .lines("Work", items)
    .action("History", format!("/align history {key}")))
}

pub async fn mine(cx: &mut Ctx<'_>) -> Outcome {
    // The goals a person owns or leads in are judged as a write would judge them; their open
    // work reads as the last evaluation left it, wherever it lies.
    let me = cx.actor.id;
    let goals = listing::goals_of(cx.conn, cx.ws, me).await?;
    let mut p = look_at(
        cx,
        Changes {
            goals,
            ..Changes::default()
        },
    )
    .await?;
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
    let ix = Index::new(&p.snap);
    let goals: Vec<String> = p
        .snap
        .goals
        .iter()
        .filter(|g| g.owner_id == me)
        .map(|g| with_reasons(&p.assessment, &g.key().to_string(), Index::goal_label(g)))
        .collect();
    let key_results: Vec<String> = p
        .snap
        .goals
        .iter()
        .filter(|g| g.owner_id == me)
        .flat_map(|g| p.key_result_lines(g.id))
        .collect();
    let leads: Vec<String> = p
        .snap
        .initiatives
        .iter()
        .filter(|i| i.lead_id == me && i.status == InitiativeStatus::Active)
        .map(|i| {
            with_reasons(
                &p.assessment,
                &i.key().to_string(),
                Index::initiative_label(i),
            )
        })
        .collect();
    let work: Vec<String> = open
        .iter()
        .map(|(w, stalled)| {
            let line = item_line(&p, &ix, w, *stalled);
            format!("{line} for {}", ix.home(w))
        })
        .collect();
    Ok(
        Message::info(format!("What {} owns and does", cx.actor.at()))
            .lines(
                "Goals you own",
                if goals.is_empty() {
                    vec!["none".into()]
                } else {
                    goals
                },
            )
            .lines("Key results of your goals", key_results)
            .lines("Initiatives you lead", leads)
            .lines("Your open work", work)
            .lines(
                "What you were told in the last 7 days, and what was held back",
                noise_lines(cx).await?,
            ),
    )
}

/// The person's noise budget: a count, then each message with what became of it.
async fn noise_lines(cx: &mut Ctx<'_>) -> anyhow::Result<Vec<String>> {
    let since = cx.now - chrono::Duration::days(7);
    let owed = outbox::owed_to(cx.conn, cx.ws, cx.actor.id, since).await?;
    let told = owed.iter().filter(|o| o.told()).count();
    let waited = owed.iter().filter(|o| o.waited()).count();
    let held: Vec<&outbox::Owed> = owed.iter().filter(|o| o.state == "held").collect();
    let dropped = owed
        .iter()
        .filter(|o| o.state == "dropped" && o.op == "post")
        .count();
    let mut lines = vec![format!(
        "{told} message{} that pinged you ({waited} waited for your working hours), {} held back, \
         {dropped} not sent because the alert ended before it was due",
        if told == 1 { "" } else { "s" },
        held.len()
    )];
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for o in &held {
        let r = o.held_reason.as_deref().unwrap_or("held");
        match reasons.iter_mut().find(|(x, _)| *x == r) {
            Some((_, n)) => *n += 1,
            None => reasons.push((r, 1)),
        }
    }
    lines.extend(reasons.iter().map(|(r, n)| format!("held back ({r}): {n}")));
    let shown = owed.iter().filter(|o| o.op != "edit").take(10).map(|o| {
        let when = o.created_at.format("%a %H:%M");
        let what = match (o.state.as_str(), o.op.as_str()) {
            ("held", _) => format!("held ({})", o.held_reason.as_deref().unwrap_or("held")),
            ("dropped", _) => "not sent: resolved first".into(),
            (_, "reply") => "threaded line".into(),
            _ => "message".into(),
        };
        format!("{when} {what}: {}", o.headline)
    });
    lines.extend(shown);
    Ok(lines)
}

/// "[AMBER] G-1 "Cut churn": why, and why" — a subject with its colour and its reasons.
fn with_reasons(a: &Assessment, key: &str, label: String) -> String {
    let reasons = a
        .health
        .get(key)
        .map(|h| h.reasons.join("; "))
        .unwrap_or_default();
    let colour = colour_of(a, key);
    if reasons.is_empty() {
        format!("[{colour}] {label}")
    } else {
        format!("[{colour}] {label}: {reasons}")
    }
}

pub async fn orphans(cx: &mut Ctx<'_>) -> Outcome {
    let p = look(cx).await?;
    let ix = Index::new(&p.snap);
    let lines: Vec<String> = p
        .snap
        .work
        .iter()
        .filter(|w| w.status.is_open() && w.is_unaligned())
        .map(|w| {
            let why = w
                .unaligned_reason
                .as_deref()
                .map(|r| format!(", why: {r}"))
                .unwrap_or_default();
            format!(
                "{} (created by {}{why})",
                item_line(&p, &ix, w, stalled(&p, w)),
                ix.at(w.created_by)
            )
        })
        .collect();
    if lines.is_empty() {
        return Ok(Message::new(
            Tone::Green,
            "Every open work item has a strategic home.",
        ));
    }
    Ok(Message::new(
        Tone::Amber,
        format!("{} open work item(s) with no strategic home", lines.len()),
    )
    .lines("Link each with /align work link W-n G-n", lines))
}

pub async fn capacity(cx: &mut Ctx<'_>, scope: CapacityScope) -> Outcome {
    let p = look(cx).await?;
    let ix = Index::new(&p.snap);
    let cap = &p.assessment.capacity;
    match scope {
        CapacityScope::Workspace => {
            let goals: Vec<String> = p
                .snap
                .goals
                .iter()
                .map(|g| {
                    let planned: f64 = p
                        .snap
                        .initiatives
                        .iter()
                        .filter(|i| i.goal_id == g.id && i.status == InitiativeStatus::Active)
                        .map(|i| i.plan_fte)
                        .sum();
                    format!(
                        "{}: planned {} FTE, actual {} FTE",
                        Index::goal_label(g),
                        fte(planned),
                        fte(cap.goal(g.id))
                    )
                })
                .collect();
            Ok(Message::info("Capacity: planned vs actual, by goal")
                .lines("Goals", goals)
                .fields(vec![
                    ("In use", format!("{} FTE", fte(cap.allocated))),
                    (
                        "To no goal",
                        format!(
                            "{} FTE ({}% of capacity in use)",
                            fte(cap.unaligned),
                            percent(cap.unaligned, cap.allocated)
                        ),
                    ),
                    (
                        "Idle",
                        format!("{} FTE (people with nothing in doing)", fte(cap.idle)),
                    ),
                ])
                .lines(
                    "Rule",
                    vec![
                        "Each person's capacity is split equally among their items in doing."
                            .into(),
                    ],
                ))
        }
        CapacityScope::Goal(key) => {
            let g = cx.goal(key).await?;
            let lines: Vec<String> = p
                .snap
                .initiatives
                .iter()
                .filter(|i| i.goal_id == g.id && i.status == InitiativeStatus::Active)
                .map(|i| {
                    let actual = cap.initiative(i.id);
                    format!(
                        "{}: planned {} FTE, actual {} FTE ({}%)",
                        Index::initiative_label(i),
                        fte(i.plan_fte),
                        fte(actual),
                        percent(actual, i.plan_fte)
                    )
                })
                .collect();
            let direct: f64 = p
                .snap
                .work
                .iter()
                .filter(|w| w.goal_id == Some(g.id) && w.initiative_id.is_none())
                .map(|w| cap.item(w.id))
                .sum();
            Ok(Message::info(format!(
                "Capacity of {}: {} FTE in use",
                Index::goal_label(&g),
                fte(cap.goal(g.id))
            ))
            .lines("Initiatives", lines)
            .fields(vec![(
                "Work directly under the goal",
                format!("{} FTE", fte(direct)),
            )]))
        }
        CapacityScope::Person(m) => {
            let person = cx.person(&m, "person").await?;
            let doing: Vec<&WorkItem> = p
                .snap
                .work
                .iter()
                .filter(|w| w.assignee_id == person.id && w.status == WorkStatus::Doing)
                .collect();
            if doing.is_empty() {
                return Ok(Message::info(format!(
                    "{} has nothing in doing: {} FTE free",
                    person.at(),
                    fte(person.capacity_fte)
                )));
            }
            let lines: Vec<String> = doing
                .iter()
                .map(|w| {
                    format!(
                        "{} FTE on {} \"{}\" for {}",
                        fte(cap.item(w.id)),
                        w.key(),
                        w.title,
                        ix.home(w)
                    )
                })
                .collect();
            let off: f64 = doing
                .iter()
                .filter(|w| w.is_unaligned())
                .map(|w| cap.item(w.id))
                .sum();
            Ok(Message::info(format!(
                "Capacity of {}: {} FTE across {} item(s) in doing",
                person.at(),
                fte(person.capacity_fte),
                doing.len()
            ))
            .lines("Where it goes", lines)
            .fields(vec![("To no goal", format!("{} FTE", fte(off)))]))
        }
    }
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
        return Err(UserError::new(format!("{key} has no recorded history.")).into());
    }
    let lines = rows
        .iter()
        .map(|e| {
            let who = e
                .actor
                .as_deref()
                .map_or_else(|| "Throughline".into(), |a| format!("@{a}"));
            let change = match (&e.before, &e.after) {
                (Some(b), Some(a)) => format!(": {} -> {}", compact(b), compact(a)),
                (None, Some(a)) => format!(": {}", compact(a)),
                (Some(b), None) => format!(": {}", compact(b)),
                (None, None) => String::new(),
            };
            let note = e
                .note
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            format!(
                "{} {who} {}{change}{note}",
                e.at.format("%Y-%m-%d %H:%M"),
                e.action
            )
        })
        .collect();
    Ok(Message::info(format!("History of {key}")).lines("Changes, oldest first", lines))
}

/// `{"owner": "@ana"}` as `owner @ana`.
fn compact(v: &serde_json::Value) -> String {
    match v.as_object() {
        Some(o) => o
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k} {s}"),
                serde_json::Value::Array(a) => format!(
                    "{k} [{}]",
                    a.iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), String::from))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                other => format!("{k} {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => v.to_string(),
    }
}
