//! The reply to `mine`: what a person owns, leads and does, and what they were told.

use crate::domain::*;
use crate::engine::digest::Picture;
use crate::engine::index::Index;
use crate::message::Message;
use crate::store::outbox::Owed;

use super::views::{item_line, with_reasons};

/// `open` is the person's open work with whether each is stalled; `owed` what they were owed
/// over the last 7 days, newest first.
pub fn mine(p: &Picture, me: &Person, open: &[(WorkItem, bool)], owed: &[Owed]) -> Message {
    let ix = Index::new(&p.snap);
    let owned = || p.snap.goals.iter().filter(|g| g.owner_id == me.id);
    let goals: Vec<String> = owned()
        .map(|g| with_reasons(&p.assessment, &g.key().to_string(), Index::goal_label(g)))
        .collect();
    let key_results: Vec<String> = owned().flat_map(|g| p.key_result_lines(g.id)).collect();
    let leads: Vec<String> = p
        .snap
        .initiatives
        .iter()
        .filter(|i| i.lead_id == me.id && i.status == InitiativeStatus::Active)
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
        .map(|(w, stalled)| format!("{} for {}", item_line(p, &ix, w, *stalled), ix.home(w)))
        .collect();
    Message::info(format!("What {} owns and does", me.at()))
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
            noise_lines(owed),
        )
}

/// The person's noise budget: a count, then each message with what became of it.
fn noise_lines(owed: &[Owed]) -> Vec<String> {
    let told = owed.iter().filter(|o| o.told()).count();
    let waited = owed.iter().filter(|o| o.waited()).count();
    let held: Vec<&Owed> = owed.iter().filter(|o| o.state == "held").collect();
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
    lines
}
