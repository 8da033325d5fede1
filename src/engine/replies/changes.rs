//! Replies to the commands that change goals, initiatives and work.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::words::counted;
use crate::domain::*;
use crate::message::{Ask, Message, Tone};

fn due_text(due: Option<NaiveDate>) -> String {
    due.map_or_else(|| "none".into(), |d| d.to_string())
}

/// `I-2 "Onboarding" under G-1 "Cut churn"`, or `G-1 "Cut churn"`.
pub fn home_text(g: &Goal, i: Option<&Initiative>) -> String {
    match i {
        Some(i) => format!(
            "{} \"{}\" under {} \"{}\"",
            i.key(),
            i.title,
            g.key(),
            g.title
        ),
        None => format!("{} \"{}\"", g.key(), g.title),
    }
}

pub fn goal_created(g: &Goal, owner: &Person) -> Message {
    let key = g.key();
    Message::new(Tone::Green, format!("Created {key} \"{}\"", g.title))
        .fields(vec![
            ("Owner", owner.at()),
            ("Rank", g.rank.to_string()),
            ("Due", due_text(g.due_on)),
        ])
        .lines(
            "Next",
            vec![format!(
                "Add an initiative: /align initiative new {key} \"<title>\" lead:@someone plan:1"
            )],
        )
        .action("Show goal", format!("/align goal show {key}"))
}

pub fn goal_owner_changed(g: &Goal, to: &Person, was: &Person) -> Message {
    Message::info(format!(
        "{} \"{}\" is now owned by {} (was {})",
        g.key(),
        g.title,
        to.at(),
        was.at()
    ))
}

pub fn goal_rank_unchanged(g: &Goal) -> Message {
    Message::info(format!(
        "{} \"{}\" is already rank {}",
        g.key(),
        g.title,
        g.rank
    ))
}

pub fn goal_ranked(g: &Goal, rank: i32) -> Message {
    Message::info(format!(
        "{} \"{}\" is now rank {rank} (was {})",
        g.key(),
        g.title,
        g.rank
    ))
}

pub fn goal_closed(g: &Goal, outcome: GoalStatus) -> Message {
    Message::info(format!("Closed {} \"{}\" as {outcome}", g.key(), g.title))
}

pub fn alerts_acknowledged(key: Key, count: u64) -> Message {
    if count == 0 {
        return Message::info(format!("No unacknowledged alerts on {key}."));
    }
    Message::info(format!(
        "Acknowledged {} on {key}; the digest will no longer list them as ignored.",
        counted(count as usize, "alert")
    ))
}

pub fn snoozed(key: Key, until: DateTime<Utc>) -> Message {
    Message::info(format!(
        "Snoozed direct messages about {key} until {} UTC; the digest still lists it.",
        until.format("%Y-%m-%d %H:%M")
    ))
}

pub fn initiative_created(i: &Initiative, g: &Goal, lead: &Person) -> Message {
    let key = i.key();
    Message::new(
        Tone::Green,
        format!(
            "Created {key} \"{}\" under {} \"{}\"",
            i.title,
            g.key(),
            g.title
        ),
    )
    .fields(vec![
        ("Lead", lead.at()),
        ("Plan", format!("{} FTE", capacity::fte(i.plan_fte))),
        ("Due", due_text(i.due_on)),
    ])
    .asking(
        "Add work",
        format!("/align work new {key}"),
        Ask::Text("Title".into()),
    )
}

pub fn initiative_moved(i: &Initiative, to: InitiativeStatus) -> Message {
    Message::info(format!(
        "{} \"{}\" is now {to} (was {})",
        i.key(),
        i.title,
        i.status
    ))
}

/// A new work item, said with its home; one with no home is said to be surfaced.
pub fn work_created(
    w: &WorkItem,
    home: Option<(&Goal, Option<&Initiative>)>,
    assignee: &Person,
) -> Message {
    let key = w.key();
    let m = match home {
        Some((g, i)) => Message::new(
            Tone::Green,
            format!("Created {key} \"{}\" for {}", w.title, home_text(g, i)),
        ),
        None => Message::new(
            Tone::Amber,
            format!("Created {key} \"{}\" with no strategic home", w.title),
        )
        .lines(
            "Surfaced",
            vec!["It is listed as work with no home in the leadership digest until it is linked to a goal.".into()],
        )
        .action("Link to a goal", format!("/align work link {key} G-<n>")),
    };
    m.fields(vec![("Assignee", assignee.at()), ("Status", "todo".into())])
        .action("Start", format!("/align work start {key}"))
}

pub fn work_moved(w: &WorkItem, to: WorkStatus, blocker: Option<&str>) -> Message {
    let m = Message::info(format!(
        "{} \"{}\" is now {to} (was {})",
        w.key(),
        w.title,
        w.status
    ));
    match blocker {
        Some(b) => m.fields(vec![("Blocked by", b.to_string())]),
        None => m,
    }
}

pub fn work_linked(w: &WorkItem, home: &str) -> Message {
    Message::new(
        Tone::Green,
        format!("Linked {} \"{}\" to {home}", w.key(), w.title),
    )
}

pub fn work_assigned(w: &WorkItem, to: &Person, was: &Person) -> Message {
    Message::info(format!(
        "{} \"{}\" is now assigned to {} (was {})",
        w.key(),
        w.title,
        to.at(),
        was.at()
    ))
}

pub fn work_noted(w: &WorkItem, note: &str) -> Message {
    Message::info(format!("Noted on {} \"{}\": {note}", w.key(), w.title))
}

/// One work item: where it stands, where it belongs, and the evidence of work on it.
pub fn work_shown(
    w: &WorkItem,
    home: Option<&str>,
    assignee: &Person,
    history: &[crate::store::events::EventRow],
    now: DateTime<Utc>,
) -> Message {
    let key = w.key();
    let tone = match w.status {
        WorkStatus::Blocked => Tone::Amber,
        _ if w.is_unaligned() => Tone::Amber,
        _ => Tone::Neutral,
    };
    let mut fields = vec![
        ("Status", w.status.to_string()),
        ("Assignee", assignee.at()),
        ("Home", home.unwrap_or("none").to_string()),
        (
            "Last activity",
            format!(
                "{} ago",
                crate::domain::health::human_duration(now - w.last_activity_at)
            ),
        ),
    ];
    if let Some(b) = &w.blocker {
        fields.push(("Blocked by", b.clone()));
    }
    if let Some(u) = &w.url {
        fields.push(("Link", u.clone()));
    }
    let evidence: Vec<String> = history
        .iter()
        .rev()
        .filter_map(|e| evidence_line(e, now))
        .take(5)
        .collect();
    Message::new(tone, format!("{key} \"{}\"", w.title))
        .fields(fields)
        .lines("Code activity, newest first", evidence)
        .action("History", format!("/align history {key}"))
}

/// `PR acme/api#88 opened 2h ago: https://…`, from an event the evidence recorded.
fn evidence_line(e: &crate::store::events::EventRow, now: DateTime<Utc>) -> Option<String> {
    if e.action != "code" {
        return None;
    }
    let after = e.after.as_ref()?;
    let what = after["what"].as_str()?;
    let reference = after["ref"].as_str()?;
    let ago = crate::domain::health::human_duration(now - e.at);
    let line = if what == "pushed to" {
        format!("Push to {reference} {ago} ago")
    } else {
        format!("PR {reference} {what} {ago} ago")
    };
    Some(match after["url"].as_str() {
        Some(url) => format!("{line}: {url}"),
        None => line,
    })
}
