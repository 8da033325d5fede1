//! The daily digest (exceptions first) and the weekly agenda (decisions needed).

use chrono::{DateTime, Duration, Utc};

use crate::domain::health::{self, Assessment, Snapshot};
use crate::domain::words::counted;
use crate::domain::*;
use crate::engine::index::Index;
use crate::message::{Message, Tone};
use crate::store::scope::{self, Changes};
use crate::store::signals::SignalRow;
use crate::store::{Conn, WorkspaceId, connections, events, model, outbox, signals, workspaces};

/// Owners have this long to acknowledge an alert before the digest names them.
pub const ACK_GRACE_HOURS: i64 = 24;

pub struct Picture {
    pub settings: Settings,
    pub snap: Snapshot,
    pub assessment: Assessment,
    pub now: DateTime<Utc>,
}

impl Picture {
    /// Each open key result of a goal: where it stands, in numbers, and its check-ins.
    pub fn key_result_lines(&self, goal: crate::domain::GoalId) -> Vec<String> {
        self.snap
            .key_results
            .iter()
            .filter(|f| f.goal_id == goal)
            .map(|f| {
                let (_, reason) = f.kr.judge(f.outside_since, self.now, &self.settings.kr);
                let spark = crate::domain::key_result::pace::sparkline(&f.kr.values);
                if spark.is_empty() {
                    reason
                } else {
                    format!("{reason} {spark}")
                }
            })
            .collect()
    }
}

/// The workspace as the rules see it at `now`, without recording anything.
pub async fn picture(
    conn: &mut Conn,
    ws: WorkspaceId,
    now: DateTime<Utc>,
) -> anyhow::Result<Picture> {
    let settings = workspaces::settings(&mut *conn, ws).await?;
    let (recent_since, flowing_since) = settings.windows(now);
    let snap = model::snapshot(&mut *conn, ws, recent_since, flowing_since).await?;
    let assessment = health::evaluate(&snap, &settings, now);
    Ok(Picture {
        settings,
        snap,
        assessment,
        now,
    })
}

/// What `picture` says about everything `about` reaches (a goal, a person's goals, initiatives
/// and items), without loading the rest of the workspace: the same rules, on less.
pub async fn picture_of(
    conn: &mut Conn,
    ws: WorkspaceId,
    now: DateTime<Utc>,
    about: &Changes,
) -> anyhow::Result<Picture> {
    let settings = workspaces::settings(&mut *conn, ws).await?;
    let (snap, keys) = scope::snapshot(
        &mut *conn,
        ws,
        about,
        settings.windows(now),
        now.with_timezone(&settings.time_zone).date_naive(),
    )
    .await?;
    let mut assessment = health::evaluate(&snap, &settings, now);
    assessment.retain(&keys);
    // What a view shows of an initiative it did not judge is its last verdict.
    let by_id: std::collections::HashMap<_, _> =
        snap.initiatives.iter().map(|i| (i.id, i.key())).collect();
    for (id, h) in &snap.settled {
        if let Some(key) = by_id.get(id) {
            assessment.health.insert(key.to_string(), h.clone());
        }
    }
    Ok(Picture {
        settings,
        snap,
        assessment,
        now,
    })
}

pub fn colour_of(a: &Assessment, key: &str) -> Colour {
    a.health.get(key).map_or(Colour::None, |h| h.colour)
}

fn badge(c: Colour) -> &'static str {
    match c {
        Colour::Green => "green",
        Colour::Amber => "AMBER",
        Colour::Red => "RED",
        Colour::None => "closed",
    }
}

/// One line per top goal: colour, title, owner and the first reason.
pub fn priority_lines(p: &Picture) -> Vec<String> {
    let ix = Index::new(&p.snap);
    p.snap
        .goals
        .iter()
        .filter(|g| g.rank <= p.settings.top_ranks)
        .flat_map(|g| {
            let h = p.assessment.health.get(&g.key().to_string());
            let colour = h.map_or(Colour::None, |h| h.colour);
            let why = h
                .and_then(|h| h.reasons.first())
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let goal = format!(
                "[{}] {} (rank {}, owner {}){why}",
                badge(colour),
                Index::goal_label(g),
                g.rank,
                ix.at(g.owner_id)
            );
            // Each open key result under its goal: where the outcome stands, not only the work.
            std::iter::once(goal).chain(
                p.key_result_lines(g.id)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            )
        })
        .collect()
}

/// One line of "what changed, and why": the goal, the change, when, and the causes by name.
fn change_line(ix: &Index, e: &events::EventRow, tz: chrono_tz::Tz) -> String {
    let field = |v: &Option<serde_json::Value>, name: &str| -> Vec<String> {
        v.as_ref()
            .and_then(|v| v[name].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    let colour = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| v["colour"].as_str().map(str::to_string))
            .unwrap_or_else(|| "?".into())
    };
    let title = ix
        .goal_by_key(&e.subject)
        .map(Index::goal_label)
        .unwrap_or_else(|| e.subject.clone());
    let when = e.at.with_timezone(&tz).format("%a %H:%M");
    let (to, causes) = (colour(&e.after), field(&e.after, "causes"));
    if e.action == "new cause" {
        return format!("{title} ({to}), new at {when}: {}", causes.join("; "));
    }
    let from = colour(&e.before);
    if to == "green" || to == "none" {
        let ended = field(&e.before, "causes");
        let why = if ended.is_empty() {
            String::new()
        } else {
            format!(", once these ended: {}", ended.join("; "))
        };
        let what = if to == "none" { "closed" } else { "green" };
        return format!("{title}: {from} to {what} at {when}{why}");
    }
    // Events recorded before causes were kept name their first reason instead.
    let why = if causes.is_empty() {
        field(&e.after, "reasons").into_iter().take(1).collect()
    } else {
        causes
    };
    format!(
        "{title}: {from} to {to} at {when}, because {}",
        why.join("; ")
    )
}

fn of_kind(open: &[SignalRow], kinds: &[SignalKind]) -> Vec<String> {
    open.iter()
        .filter(|s| s.kind().is_ok_and(|k| kinds.contains(&k)))
        .map(|s| s.summary.clone())
        .collect()
}

pub async fn daily_digest(
    conn: &mut Conn,
    ws: WorkspaceId,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<Message> {
    let p = picture(&mut *conn, ws, now).await?;
    let open = signals::open(&mut *conn, ws, None).await?;
    let changes = events::colour_changes(&mut *conn, ws, since).await?;
    let ignored = outbox::ignored(&mut *conn, ws, now - Duration::hours(ACK_GRACE_HOURS)).await?;
    let ix = Index::new(&p.snap);

    let tz = p.settings.time_zone;
    let change_lines: Vec<String> = changes.iter().map(|e| change_line(&ix, e, tz)).collect();
    let cap = &p.assessment.capacity;
    let mut capacity_lines = of_kind(
        &open,
        &[SignalKind::CapacityShift, SignalKind::OverAllocated],
    );
    if cap.unaligned > 0.0 {
        capacity_lines.push(format!(
            "{}% of the capacity in use ({} of {} FTE) goes to no goal",
            capacity::percent(cap.unaligned, cap.allocated),
            capacity::fte(cap.unaligned),
            capacity::fte(cap.allocated)
        ));
    }
    let ignored_lines: Vec<String> = ignored
        .iter()
        .map(|i| {
            let local = i.first_alert.with_timezone(&p.settings.time_zone);
            format!(
                "@{} has not acknowledged the alert on {} (since {})",
                i.handle,
                i.about,
                local.format("%a %d %b %H:%M")
            )
        })
        .collect();

    // The code-side twin of work with no home: merged pull requests that named no work item.
    let code_lines: Vec<String> =
        connections::unlinked_merges_since(&mut *conn, ws, now - Duration::days(7))
            .await?
            .into_iter()
            .map(|(repository, n)| {
                format!(
                    "{repository}: {} this week named no work item",
                    counted(n as usize, "merged pull request")
                )
            })
            .collect();
    let exceptions = [
        ("What changed, and why", change_lines),
        (
            "Blocked, stalled and starved",
            of_kind(
                &open,
                &[
                    SignalKind::Blocked,
                    SignalKind::Starved,
                    SignalKind::Stalled,
                ],
            ),
        ),
        ("Work with no home", of_kind(&open, &[SignalKind::Orphan])),
        ("Code with no work item", code_lines),
        (
            "Key results behind, unheard or not moving",
            of_kind(
                &open,
                &[
                    SignalKind::KrNotMoving,
                    SignalKind::KrBehind,
                    SignalKind::KrStale,
                ],
            ),
        ),
        ("Capacity shifts", capacity_lines),
        (
            "Overdue and ownerless",
            of_kind(&open, &[SignalKind::Overdue, SignalKind::OwnerGone]),
        ),
        ("Owners who ignored alerts", ignored_lines),
    ];
    let any = exceptions.iter().any(|(_, l)| !l.is_empty());
    let worst = p
        .snap
        .goals
        .iter()
        .map(|g| colour_of(&p.assessment, &g.key().to_string()))
        .max_by_key(|c| c.severity());
    let tone = worst.map_or(Tone::Neutral, Tone::from);
    let local = now.with_timezone(&p.settings.time_zone);
    let mut m = Message::new(
        tone,
        format!("Daily digest for {}", local.format("%A %d %B %Y")),
    );
    if !any {
        m = m.lines(
            "Exceptions",
            vec![
                "Nothing needs attention: no colour changes, new causes, stalls or unaligned work."
                    .into(),
            ],
        );
    }
    for (title, lines) in exceptions {
        m = m.lines(title, lines);
    }
    let top = priority_lines(&p);
    let noise: Vec<String> = outbox::dm_counts(&mut *conn, ws, since)
        .await?
        .iter()
        .map(|(handle, sent, held)| format!("@{handle}: {sent} sent, {held} held back"))
        .collect();
    let top_title = format!("Top priorities (rank 1-{})", p.settings.top_ranks);
    m = m.lines(
        top_title,
        if top.is_empty() {
            vec!["No open goals yet: /align goal new".into()]
        } else {
            top
        },
    );
    Ok(m.lines(
        "Direct messages since the last digest (tune snooze, dm_cap, settle and hours by these)",
        noise,
    )
    .action("Status", "/align status")
    .action("Agenda", "/align agenda"))
}

fn question(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::CapacityShift => "Re-staff it, re-plan it, or accept the slip?",
        SignalKind::Starved => "Put work behind it, or drop it?",
        SignalKind::Stalled => "Unblock it, re-assign it, or drop it?",
        SignalKind::Blocked => "Who can unblock it, and by when?",
        SignalKind::Orphan => "Link it to a goal, or agree that it stays off-strategy?",
        SignalKind::OwnerGone => "Who owns it now?",
        SignalKind::OverAllocated => "What comes off their plate?",
        SignalKind::Overdue => "Move the date, or cut the scope?",
        SignalKind::KrBehind => "Change the plan, or change the target?",
        SignalKind::KrStale => "Who checks it in, and when?",
        SignalKind::KrNotMoving => {
            "Work is flowing but the key result is not moving: reconsider the bet?"
        }
    }
}

pub async fn weekly_agenda(
    conn: &mut Conn,
    ws: WorkspaceId,
    now: DateTime<Utc>,
) -> anyhow::Result<Message> {
    let p = picture(&mut *conn, ws, now).await?;
    let mut open = signals::open(&mut *conn, ws, None).await?;
    let rank_of = |s: &SignalRow| {
        s.goal_subject
            .as_deref()
            .and_then(|k| p.snap.goals.iter().find(|g| g.key().to_string() == k))
            .map_or(i32::MAX, |g| g.rank)
    };
    open.sort_by_key(|s| (rank_of(s), s.goal_subject.clone(), s.id));
    let decisions: Vec<String> = open
        .iter()
        .filter_map(|s| {
            let kind = s.kind().ok()?;
            let goal = s
                .goal_subject
                .as_deref()
                .map(|g| format!("[{g}] "))
                .unwrap_or_else(|| "[no goal] ".into());
            Some(format!(
                "{goal}{}: {}. {}",
                kind.label(),
                s.summary,
                question(kind)
            ))
        })
        .collect();
    let local = now.with_timezone(&p.settings.time_zone);
    let count = decisions.len();
    let mut m = Message::new(
        Tone::Neutral,
        format!(
            "Leadership agenda for the week of {}",
            local.format("%d %B %Y")
        ),
    );
    m = if decisions.is_empty() {
        m.lines(
            "Decisions needed",
            vec!["None: every goal has moving work and no open signals.".into()],
        )
    } else {
        m.lines(format!("Decisions needed ({count})"), decisions)
    };
    Ok(m.lines("Where the priorities stand", priority_lines(&p))
        .action("Status", "/align status"))
}
