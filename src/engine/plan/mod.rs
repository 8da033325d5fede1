//! What an evaluation decides, as data. `plan` weighs the rules' verdict on a picture of the
//! workspace against what is stored (health, open signals, open episodes) and lists the writes
//! and messages that follow, without touching the database; `engine::apply` carries them out
//! in the caller's transaction. Snoozes and the daily cap are applied there, as messages are
//! queued.

mod episodes;
mod recorded;
pub mod reminders;
mod steps;
#[cfg(test)]
mod tests;

pub use steps::*;

use crate::engine::index::Index;
use crate::store::outbox::Recipient;
use episodes::Episodes;

/// Everything the picture owes against what is stored: health and its history, signals,
/// episodes and their messages, and (when time moved) check-in reminders.
pub fn plan(pic: &Picture, stored: &Stored) -> anyhow::Result<Plan> {
    let ix = Index::new(pic.snap);
    let mut plan = Plan::default();
    recorded::health(pic.assessment, &stored.health, &mut plan);
    recorded::signals(pic, &ix, &stored.signals, &mut plan);
    Episodes {
        ix: &ix,
        settings: pic.settings,
        now: pic.now,
        trigger: pic.trigger,
        waiting: &stored.waiting_replies,
        plan: &mut plan,
    }
    .advance(pic.assessment, &stored.episodes)?;
    if pic.trigger == Trigger::Time {
        for p in reminders::plan(&pic.snap.key_results, &ix, pic.settings, pic.now) {
            plan.tell(p);
        }
    }
    for p in &mut plan.messages {
        if let Recipient::Person(person) = p.to
            && ix.person(person).is_some_and(|p| !p.active)
        {
            p.held = Some("recipient has left");
        }
    }
    Ok(plan)
}
