//! The words of every notification: pure functions from the model to messages.

use crate::domain::health::Health;
use crate::domain::words::counted;
use crate::domain::*;
use crate::engine::index::Index;
use crate::message::{Ask, Message, Tone};

pub fn goal_changed(ix: &Index, g: &Goal, from: Colour, to: &Health) -> Message {
    let label = Index::goal_label(g);
    let headline = match (from, to.colour) {
        (_, Colour::Green) => format!("{label} is back to green"),
        (Colour::Amber, Colour::Red) => format!("{label} got worse: amber to red"),
        (Colour::Red, Colour::Amber) => format!("{label} improved: red to amber"),
        (a, b) if a == b => format!("{label} is {b}"),
        (_, c) => format!("{label} turned {c}"),
    };
    let mut fields = vec![("Owner", ix.at(g.owner_id)), ("Rank", g.rank.to_string())];
    if from != to.colour {
        fields.push(("Was", from.to_string()));
    }
    let mut m = Message::new(to.colour.into(), headline)
        .fields(fields)
        .lines("Why", to.reasons.clone());
    if to.colour != Colour::Green {
        let key = g.key();
        m = m
            .action("Acknowledge", format!("/align ack {key}"))
            .action("Snooze 2d", format!("/align snooze {key} 2d"))
            .action("Show goal", format!("/align goal show {key}"));
    }
    m
}

pub fn goal_red_to_channel(ix: &Index, g: &Goal, to: &Health) -> Message {
    Message::new(Tone::Red, format!("{} turned red", Index::goal_label(g)))
        .fields(vec![
            ("Owner", ix.at(g.owner_id)),
            ("Rank", g.rank.to_string()),
        ])
        .lines("Why", to.reasons.clone())
        .action("Show goal", format!("/align goal show {}", g.key()))
}

pub fn initiative_changed(ix: &Index, i: &Initiative, from: Colour, to: &Health) -> Message {
    let goal = ix
        .goal(i.goal_id)
        .map(Index::goal_label)
        .unwrap_or_default();
    let label = Index::initiative_label(i);
    let headline = match (from, to.colour) {
        (a, b) if a == b => format!("{label} is {b}"),
        (Colour::Amber, Colour::Red) => format!("{label} got worse: amber to red"),
        (Colour::Red, Colour::Amber) => format!("{label} improved: red to amber"),
        (_, c) => format!("{label} turned {c}"),
    };
    Message::new(to.colour.into(), headline)
        .fields(vec![
            ("Goal", goal),
            ("Lead", ix.at(i.lead_id)),
            ("Was", from.to_string()),
        ])
        .lines("Why", to.reasons.clone())
        .action(
            "Show initiative",
            format!("/align initiative show {}", i.key()),
        )
        .action(
            "Your capacity",
            format!(
                "/align capacity {}",
                ix.person(i.lead_id).map_or(String::new(), |p| p.mention())
            ),
        )
}

pub fn stalled(ix: &Index, w: &WorkItem, summary: &str, repeat: bool) -> Message {
    let key = w.key();
    let headline = if repeat {
        format!("Still stalled: {key} \"{}\"", w.title)
    } else {
        format!("{key} \"{}\" has stalled", w.title)
    };
    Message::new(Tone::Amber, headline)
        .fields(vec![
            ("Home", ix.home(w)),
            ("Assignee", ix.at(w.assignee_id)),
        ])
        .lines(
            "Why",
            vec![
                summary.to_string(),
                "Still on it? Blocked? Done? One tap keeps your goal's health honest.".into(),
            ],
        )
        .action(
            "Still on it",
            format!("/align work note {key} \"still on it\""),
        )
        .asking(
            "Blocked",
            format!("/align work block {key}"),
            Ask::Text("What blocks it".into()),
        )
        .action("Done", format!("/align work done {key}"))
}

pub fn orphan(ix: &Index, w: &WorkItem) -> Message {
    let key = w.key();
    let likely = ix.likely_goals(&w.title, 3);
    let mut m = Message::new(
        Tone::Amber,
        format!("{key} \"{}\" has no strategic home", w.title),
    )
    .fields(vec![
        ("Assignee", ix.at(w.assignee_id)),
        (
            "Why unaligned",
            w.unaligned_reason
                .clone()
                .unwrap_or_else(|| "not given".into()),
        ),
    ])
    .lines(
        "It is listed in the leadership digest until it is linked. Likely goals",
        likely
            .iter()
            .map(|g| {
                format!(
                    "{} (rank {}, owner {})",
                    Index::goal_label(g),
                    g.rank,
                    ix.at(g.owner_id)
                )
            })
            .collect(),
    );
    for g in likely {
        m = m.menu_item(
            "Link to a goal",
            format!("Link to {}", Index::goal_label(g)),
            format!("/align work link {key} {}", g.key()),
        );
    }
    m
}

pub fn owner_gone(ix: &Index, g: &Goal) -> Message {
    Message::new(
        Tone::Amber,
        format!("{} has lost its owner", Index::goal_label(g)),
    )
    .lines(
        "Why",
        vec![format!(
            "{} is no longer an active member; every goal needs exactly one owner.",
            ix.at(g.owner_id)
        )],
    )
    .asking(
        "Transfer ownership",
        format!("/align goal owner {}", g.key()),
        Ask::Person("New owner".into()),
    )
}

/// Work flows under a goal while its key result does not move: the owner decides.
pub fn not_moving(g: &Goal, kr: &str, summary: &str) -> Message {
    Message::new(
        Tone::Amber,
        format!(
            "Work is flowing under {}, but {kr} is not moving",
            Index::goal_label(g)
        ),
    )
    .lines("Why", vec![summary.to_string()])
    .lines(
        "Decide",
        vec!["Is the work the right bet? Change the plan, the target, or the bet.".into()],
    )
    .action("Show key result", format!("/align kr show {kr}"))
    .action("Show goal", format!("/align goal show {}", g.key()))
}

/// One direct message asking a goal's owner to check in the key results that fell due, each
/// with where it stands and an update button; `follow_up` for the one reminder after it.
pub fn checkin_reminder(
    krs: &[&crate::domain::key_result::KrFacts],
    follow_up: bool,
    settings: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Message {
    let what = counted(krs.len(), "key result");
    let mut m = Message::new(
        Tone::Neutral,
        if follow_up {
            let verb = if krs.len() == 1 { "needs" } else { "need" };
            format!("Still waiting: {what} {verb} a check-in")
        } else {
            format!("Time to check in {what}")
        },
    );
    let lines = krs
        .iter()
        .map(|f| f.kr.judge(f.outside_since, now, &settings.kr).1)
        .collect();
    m = m.lines("Where they stand", lines);
    for f in krs {
        let key = f.kr.key();
        m = m.asking(
            format!("Update {key}"),
            format!("/align kr update {key}"),
            // Discord allows 45 characters here: "K-12 now (then a note, if you like)".
            Ask::Text(format!("{key} now (then a note, if you like)")),
        );
    }
    m
}

/// A merge finished a work item: one line to its assignee, with the undo.
pub fn finished_by_merge(w: &WorkItem, a: &crate::domain::evidence::Activity) -> Message {
    let key = w.key();
    let mut m = Message::new(
        Tone::Green,
        format!(
            "{key} \"{}\" is done: {} was merged",
            w.title,
            a.reference()
        ),
    )
    .lines(
        "Not done yet?",
        vec![format!("Undo with /align work reopen {key}")],
    )
    .action("Reopen", format!("/align work reopen {key}"));
    if let Some(url) = &a.url {
        m = m.fields(vec![("Pull request", url.clone())]);
    }
    m
}
