//! Replies to the views: status, a goal, the goal list, an initiative, the work with no home,
//! and a subject's history. Each is read from a fresh evaluation (a `Picture`).

use std::collections::HashMap;

use crate::domain::capacity::fte;
use crate::domain::health::Assessment;
use crate::domain::words::counted;
use crate::domain::*;
use crate::engine::digest::{Picture, colour_of};
use crate::engine::index::Index;
use crate::message::{Message, Section, Tone};
use crate::store::events::EventRow;
use crate::store::listing::GoalWork;

/// Whether the evaluation behind `p` found `w` stalled.
pub fn is_stalled(p: &Picture, w: &WorkItem) -> bool {
    w.status == WorkStatus::Doing
        && p.assessment
            .health
            .get(&w.key().to_string())
            .is_some_and(|h| h.colour != Colour::Green)
}

/// `W-3 "Fix billing" (@ana, doing) in I-1, last activity 2026-11-20`.
pub fn item_line(p: &Picture, ix: &Index, w: &WorkItem, stalled: bool) -> String {
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
    use crate::domain::key_result::Verdict;
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
            matches!(verdict, Verdict::OnTrack | Verdict::Achieved)
        })
        .map(|f| {
            format!(
                "{} is on track while {key} has no work moving: is the outcome coming from elsewhere?",
                f.kr.key()
            )
        })
        .collect()
}

/// The top-ranked goals, each with what moves it, and the share of capacity that goes to no
/// goal.
pub fn status(p: &Picture, listed: &HashMap<GoalId, GoalWork>, unaligned_percent: i64) -> Message {
    let ix = Index::new(&p.snap);
    let top: Vec<&Goal> = p
        .snap
        .goals
        .iter()
        .filter(|g| g.rank <= p.settings.top_ranks)
        .collect();
    if top.is_empty() {
        return Message::info(format!(
            "No open goals ranked 1 to {} yet.",
            p.settings.top_ranks
        ))
        .lines(
            "Create one",
            vec!["/align goal new \"<title>\" owner:@someone rank:1".into()],
        );
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
        let Some(work) = listed.get(&g.id) else {
            continue;
        };
        let gm = goal_message(p, &ix, g, work);
        m.sections.push(Section {
            title: Some(gm.headline.clone()),
            ..Section::default()
        });
        m.sections.extend(gm.sections.into_iter().map(|mut s| {
            s.title = s.title.map(|t| format!("{} {t}", g.key()));
            s
        }));
    }
    m.lines(
        "Capacity",
        vec![format!(
            "{unaligned_percent}% of the capacity in use goes to no goal"
        )],
    )
}

/// One goal: open, with what moves it; closed, with how it closed.
pub fn goal(p: &Picture, g: &Goal, work: &GoalWork) -> Message {
    let ix = Index::new(&p.snap);
    let key = g.key();
    goal_message(p, &ix, g, work)
        .fields(vec![
            ("Rank", g.rank.to_string()),
            (
                "Due",
                g.due_on.map_or_else(|| "none".into(), |d| d.to_string()),
            ),
        ])
        .action("History", format!("/align history {key}"))
        .action("Capacity", format!("/align capacity {key}"))
}

pub fn closed_goal(g: &Goal) -> Message {
    Message::info(format!("{} is {}", Index::goal_label(g), g.status))
}

pub fn goal_list(p: &Picture) -> Message {
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
    Message::info(counted(n, "open goal")).lines("Goals", lines)
}

pub fn initiative(p: &Picture, i: &Initiative) -> Message {
    let ix = Index::new(&p.snap);
    let key = i.key();
    let h = p.assessment.health.get(&key.to_string());
    let colour = h.map_or(Colour::None, |h| h.colour);
    let items: Vec<String> = p
        .snap
        .work
        .iter()
        .filter(|w| w.initiative_id == Some(i.id) && w.status.is_open())
        .map(|w| item_line(p, &ix, w, is_stalled(p, w)))
        .collect();
    let goal = ix
        .goal(i.goal_id)
        .map_or_else(|| "closed goal".into(), Index::goal_label);
    let state = if i.status == InitiativeStatus::Active {
        colour.to_string()
    } else {
        i.status.to_string()
    };
    Message::new(
        colour.into(),
        format!("{} is {state}", Index::initiative_label(i)),
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
    .action("History", format!("/align history {key}"))
}

/// "[AMBER] G-1 "Cut churn": why, and why" — a subject with its colour and its reasons.
pub fn with_reasons(a: &Assessment, key: &str, label: String) -> String {
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

pub fn orphans(p: &Picture) -> Message {
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
                item_line(p, &ix, w, is_stalled(p, w)),
                ix.at(w.created_by)
            )
        })
        .collect();
    if lines.is_empty() {
        return Message::new(Tone::Green, "Every open work item has a strategic home.");
    }
    Message::new(
        Tone::Amber,
        format!(
            "{} with no strategic home",
            counted(lines.len(), "open work item")
        ),
    )
    .lines("Link each with /align work link W-n G-n", lines)
}

/// A subject's recorded changes, oldest first.
pub fn history(key: Key, rows: &[EventRow]) -> Message {
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
    Message::info(format!("History of {key}")).lines("Changes, oldest first", lines)
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
