//! One message per episode. An episode starts when a goal, an initiative or a work item leaves
//! green (for the goal's owner, the initiative's lead, the stalled item's assignee) and ends
//! when it is back. Its first message is a DM; each later change of cause or colour edits that
//! message and adds one short threaded line; its end edits it to "resolved".
//!
//! When it is told: a cause a person brought about on purpose (a block, a lead moving to other
//! work) at once; anything time or a rule in transit brings only once the episode has lasted
//! `settle`, and then within the recipient's working hours, unless it is urgent.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::steps::{Key, Plan, Planned, Ref, Step, Trigger};
use crate::domain::health::{
    Assessment, Health, has_held, human_duration, is_aggregate, is_deliberate,
};
use crate::domain::settings::{RedToChannel, Urgent};
use crate::domain::*;
use crate::engine::index::Index;
use crate::engine::notices;
use crate::message::{Message, Op, Tone};
use crate::store::episodes::EpisodeRow;
use crate::store::outbox::Recipient;

/// What an episode is about.
#[derive(Clone, Copy)]
enum About<'a> {
    Goal(&'a Goal),
    Initiative(&'a Initiative),
    Stall(&'a WorkItem),
}

/// An episode the rules say should be open now.
struct Wanted<'a> {
    subject: String,
    person: PersonId,
    goal: Option<String>,
    health: &'a Health,
    about: About<'a>,
}

pub struct Episodes<'a, 'p> {
    pub ix: &'a Index<'a>,
    pub settings: &'a Settings,
    pub now: DateTime<Utc>,
    pub trigger: Trigger,
    /// Per episode, its threaded line still waiting for working hours.
    pub waiting: &'a HashMap<i64, (i64, Message)>,
    pub plan: &'p mut Plan,
}

/// How a change is told.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Timing {
    /// A person did it on purpose, or it is urgent: at once.
    AtOnce,
    /// Time did it: within the recipient's working hours.
    WorkingHours,
}

impl<'a> Episodes<'a, '_> {
    /// Opens, changes and ends episodes to match the assessment, planning their messages.
    /// `open`: the open episodes about what the assessment covers.
    pub fn advance(&mut self, a: &'a Assessment, open: &[EpisodeRow]) -> anyhow::Result<()> {
        let mut open: HashMap<(String, PersonId), &EpisodeRow> = open
            .iter()
            .map(|e| ((e.subject.clone(), e.person_id), e))
            .collect();
        for w in self.wanted(a) {
            match open.remove(&(w.subject.clone(), w.person)) {
                Some(ep) => self.carry_on(ep, &w)?,
                None => self.begin(&w),
            }
        }
        let mut ended: Vec<&EpisodeRow> = open.into_values().collect();
        ended.sort_by_key(|e| e.id);
        for ep in ended {
            self.finish(ep);
        }
        Ok(())
    }

    fn wanted(&self, a: &'a Assessment) -> Vec<Wanted<'a>> {
        let snap = self.ix.snap;
        let troubled = |key: &str| {
            a.health
                .get(key)
                .filter(|h| h.colour.severity() >= Colour::Amber.severity())
        };
        let mut all = Vec::new();
        for g in &snap.goals {
            let key = g.key().to_string();
            if let Some(health) = troubled(&key) {
                let about = About::Goal(g);
                let (person, goal) = (g.owner_id, Some(key.clone()));
                all.push(Wanted {
                    subject: key,
                    person,
                    goal,
                    health,
                    about,
                });
            }
        }
        for i in snap
            .initiatives
            .iter()
            .filter(|i| i.status == InitiativeStatus::Active)
        {
            let Some(g) = self.ix.goal(i.goal_id) else {
                continue;
            };
            let key = i.key().to_string();
            // A lead who owns the goal hears it all in the goal's episode.
            if let Some(health) = troubled(&key).filter(|_| i.lead_id != g.owner_id) {
                let about = About::Initiative(i);
                let (person, goal) = (i.lead_id, Some(g.key().to_string()));
                all.push(Wanted {
                    subject: key,
                    person,
                    goal,
                    health,
                    about,
                });
            }
        }
        for w in snap.work.iter().filter(|w| w.status.is_open()) {
            let key = w.key().to_string();
            let stalled = format!("stalled:{key}");
            if let Some(health) = troubled(&key).filter(|h| h.causes.contains_key(&stalled)) {
                let goal = w
                    .goal_id
                    .and_then(|g| self.ix.goal(g))
                    .map(|g| g.key().to_string());
                let about = About::Stall(w);
                all.push(Wanted {
                    subject: key,
                    person: w.assignee_id,
                    goal,
                    health,
                    about,
                });
            }
        }
        all
    }

    fn deliberate<'k>(&self, mut causes: impl Iterator<Item = &'k String>) -> bool {
        self.trigger == Trigger::Person && causes.any(|c| is_deliberate(c))
    }

    fn urgent(&self, w: &Wanted, from: Colour) -> bool {
        matches!(w.about, About::Goal(_))
            && self.settings.urgent == Urgent::GoalRed
            && w.health.colour == Colour::Red
            && from != Colour::Red
    }

    fn timing(&self, at_once: bool) -> Timing {
        if at_once {
            Timing::AtOnce
        } else {
            Timing::WorkingHours
        }
    }

    /// When a message to `person` may go out.
    fn when(&self, person: Option<PersonId>, timing: Timing) -> DateTime<Utc> {
        match timing {
            Timing::AtOnce => self.now,
            Timing::WorkingHours => {
                let tz = person
                    .and_then(|p| self.ix.person(p))
                    .and_then(|p| p.time_zone);
                self.settings.calendar(tz).next_working(self.now)
            }
        }
    }

    fn begin(&mut self, w: &Wanted<'a>) {
        let id = self.plan.create(Step::StartEpisode {
            subject: w.subject.clone(),
            person: w.person,
            goal: w.goal.clone(),
            colour: w.health.colour,
            causes: w.health.causes.clone(),
        });
        let at_once = self.deliberate(w.health.causes.keys()) || self.urgent(w, Colour::Green);
        if at_once || self.settings.settle.is_zero() {
            self.announce(id, false, w, self.timing(at_once));
            self.red_to_channel(id, false, w, self.timing(at_once));
        }
    }

    fn carry_on(&mut self, ep: &EpisodeRow, w: &Wanted<'a>) -> anyhow::Result<()> {
        let stored = Ref::Stored(ep.id);
        let was = ep.colour()?;
        let told = &ep.causes.0;
        let new_causes: Vec<&String> = w
            .health
            .causes
            .keys()
            .filter(|k| !told.contains_key(*k))
            .collect();
        let worse = w.health.colour.severity() > was.severity();
        let news = worse || new_causes.iter().any(|c| !is_aggregate(c));
        let changed = w.health.colour != was || told.keys().ne(w.health.causes.keys());
        let at_once = self.deliberate(new_causes.iter().copied()) || self.urgent(w, was);
        let timing = self.timing(at_once);
        if !news && ep.pending_since.is_some() {
            // The news went away before it settled: nobody hears of it.
            self.plan.step(Step::Pending {
                id: ep.id,
                since: None,
            });
        }

        if ep.announced_at.is_none() {
            // Nothing told yet: the episode keeps up with the rules until it has settled.
            if changed {
                self.record(ep, w);
            }
            if at_once || self.now - ep.started_at >= self.settings.settle {
                self.announce(stored, false, w, timing);
                self.red_to_channel(stored, ep.red_posted, w, timing);
            }
            return Ok(());
        }
        if !ep.heard() {
            // Its first message was held (a snooze, the cap) or failed: news is told afresh.
            if news && (at_once || self.news_settled(ep)) {
                self.record(ep, w);
                self.announce(stored, true, w, timing);
                self.red_to_channel(stored, ep.red_posted, w, timing);
            }
            return Ok(());
        }
        if !ep.delivered() {
            // The first message still waits for working hours: it goes out as things stand.
            if let (true, Some(post)) = (changed, ep.post_id) {
                self.record(ep, w);
                let message = self.message(w, Colour::Green);
                let sooner = (timing == Timing::AtOnce).then_some(self.now);
                self.plan.step(Step::ReplaceQueued {
                    row: post,
                    message,
                    sooner,
                });
            }
            return Ok(());
        }
        // News that time brought (a new stall) must last `settle` too, unless its rule has
        // already held that long.
        let held = !new_causes.is_empty() && new_causes.iter().all(|c| has_held(c));
        if news && !at_once && !held && !self.news_settled(ep) {
            return Ok(());
        }
        if changed {
            self.record(ep, w);
            // News pings, so it waits for working hours unless a person just caused it;
            // an edit that only takes causes away is silent and goes at once.
            let at = if news {
                self.when(Some(w.person), timing)
            } else {
                self.now
            };
            self.plan.step(Step::DropQueued {
                episode: ep.id,
                ops: &["edit"],
                why: "superseded by a newer edit",
            });
            let edit = self.message(w, was);
            self.tell(stored, w, Op::Edit, edit, at, at_once);
            if news {
                let line = news_line(w, was, &new_causes);
                self.reply(ep.id, w, line, at, at_once);
            }
            self.red_to_channel(stored, ep.red_posted, w, timing);
            return Ok(());
        }
        // Unchanged stalled work is nudged again, once per `nudge_every` of the assignee's working time.
        if let About::Stall(item) = w.about {
            let since = ep.pushed_at.unwrap_or(ep.started_at);
            let tz = self.ix.person(w.person).and_then(|p| p.time_zone);
            let worked = self.settings.calendar(tz).working_between(since, self.now);
            if worked >= self.settings.working.span(self.settings.nudge_every) {
                let at = self.when(Some(w.person), Timing::WorkingHours);
                let line = Message::new(
                    Tone::Amber,
                    format!(
                        "Still stalled: {} \"{}\", no activity for {}. Still on it, blocked or done?",
                        item.key(),
                        item.title,
                        self.settings.working.describe(worked)
                    ),
                );
                self.reply(ep.id, w, line, at, false);
            }
        }
        Ok(())
    }

    /// One threaded line; lines that wait for the same morning go out together, as one.
    fn reply(
        &mut self,
        id: i64,
        w: &Wanted<'a>,
        line: Message,
        at: DateTime<Utc>,
        by_person: bool,
    ) {
        match self.waiting.get(&id) {
            Some((row, earlier)) => {
                let sooner = (at <= self.now).then_some(self.now);
                self.plan.step(Step::ReplaceQueued {
                    row: *row,
                    message: together(earlier.clone(), line),
                    sooner,
                });
            }
            None => self.tell(Ref::Stored(id), w, Op::Reply, line, at, by_person),
        }
        self.plan.step(Step::Pushed(id));
    }

    /// Whether news has waited `settle`; the first time it is seen, it starts waiting.
    fn news_settled(&mut self, ep: &EpisodeRow) -> bool {
        match ep.pending_since {
            Some(since) => self.now - since >= self.settings.settle,
            None => {
                self.plan.step(Step::Pending {
                    id: ep.id,
                    since: Some(self.now),
                });
                self.settings.settle.is_zero()
            }
        }
    }

    /// What the episode's person now knows.
    fn record(&mut self, ep: &EpisodeRow, w: &Wanted<'a>) {
        self.plan.step(Step::RecordEpisode {
            id: ep.id,
            colour: w.health.colour,
            causes: w.health.causes.clone(),
        });
    }

    fn finish(&mut self, ep: &EpisodeRow) {
        self.plan.step(Step::EndEpisode(ep.id));
        if !ep.delivered() {
            // Never heard (still settling, held, or waiting for the morning): nothing is owed.
            self.plan.step(Step::DropQueued {
                episode: ep.id,
                ops: &["post", "edit", "reply"],
                why: "resolved before it was sent",
            });
            return;
        }
        self.plan.step(Step::DropQueued {
            episode: ep.id,
            ops: &["edit", "reply"],
            why: "resolved",
        });
        let id = Ref::Stored(ep.id);
        let p = Planned {
            key: Key::Episode(id, ":resolved".into()),
            to: Recipient::Person(ep.person_id),
            about: ep.subject.clone(),
            goal: None,
            message: self.resolved(ep),
            needs_ack: false,
            op: Op::Edit,
            episode: Some(id),
            available_at: self.now,
            caused_by: self.trigger,
            held: None,
        };
        self.plan.tell(p);
    }

    /// Queues the episode's first message (`again`: a first message that was held is retold).
    fn announce(&mut self, id: Ref, again: bool, w: &Wanted<'a>, timing: Timing) {
        let at = self.when(Some(w.person), timing);
        let m = self.message(w, Colour::Green);
        let mut p = self.planned_for(id, w, Op::Post, m, at, timing == Timing::AtOnce);
        p.needs_ack = matches!(w.about, About::Goal(_));
        if again && let Key::Episode(_, rest) = &mut p.key {
            rest.push_str(":again");
        }
        self.plan.tell(p);
    }

    /// A goal that turns red is posted in the leadership channel once per episode.
    fn red_to_channel(&mut self, id: Ref, posted: bool, w: &Wanted<'a>, timing: Timing) {
        let About::Goal(g) = w.about else {
            return;
        };
        if posted
            || w.health.colour != Colour::Red
            || self.settings.red_to_channel != RedToChannel::Now
        {
            return;
        }
        let p = Planned {
            key: Key::Episode(id, ":red".into()),
            to: Recipient::Channel(self.settings.channel.clone()),
            about: w.subject.clone(),
            goal: w.goal.clone(),
            message: notices::goal_red_to_channel(self.ix, g, w.health),
            needs_ack: false,
            op: Op::Post,
            episode: None,
            available_at: self.when(None, timing),
            caused_by: if timing == Timing::AtOnce {
                Trigger::Person
            } else {
                Trigger::Time
            },
            held: None,
        };
        self.plan.tell(p);
        self.plan.step(Step::RedPosted(id));
    }

    fn tell(
        &mut self,
        id: Ref,
        w: &Wanted<'a>,
        op: Op,
        m: Message,
        at: DateTime<Utc>,
        by_person: bool,
    ) {
        let p = self.planned_for(id, w, op, m, at, by_person);
        self.plan.tell(p);
    }

    fn planned_for(
        &self,
        id: Ref,
        w: &Wanted<'a>,
        op: Op,
        message: Message,
        at: DateTime<Utc>,
        by_person: bool,
    ) -> Planned {
        Planned {
            // Two changes can come at one instant: the causes tell them apart.
            key: Key::Episode(
                id,
                format!(
                    ":{}:{}:{}:{}",
                    op.as_str(),
                    w.health.colour,
                    w.health
                        .causes
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(","),
                    self.now.timestamp_micros()
                ),
            ),
            to: Recipient::Person(w.person),
            about: w.subject.clone(),
            goal: w.goal.clone(),
            message,
            needs_ack: false,
            op,
            episode: Some(id),
            available_at: at,
            caused_by: if by_person {
                Trigger::Person
            } else {
                Trigger::Time
            },
            held: None,
        }
    }

    /// The episode's message as things stand (`from`: the colour it had before).
    fn message(&self, w: &Wanted<'a>, from: Colour) -> Message {
        match w.about {
            About::Goal(g) => notices::goal_changed(self.ix, g, from, w.health),
            About::Initiative(i) => notices::initiative_changed(self.ix, i, from, w.health),
            About::Stall(item) => {
                let why = w.health.causes.get(&format!("stalled:{}", w.subject));
                notices::stalled(self.ix, item, why.map_or("", |s| s.as_str()), false)
            }
        }
    }

    fn resolved(&self, ep: &EpisodeRow) -> Message {
        let ix = self.ix;
        let label = ix
            .goal_by_key(&ep.subject)
            .map(Index::goal_label)
            .or_else(|| {
                ix.initiative_by_key(&ep.subject)
                    .map(Index::initiative_label)
            })
            .or_else(|| {
                ix.work_by_key(&ep.subject)
                    .map(|w| format!("{} \"{}\"", w.key(), w.title))
            })
            .unwrap_or_else(|| ep.subject.clone());
        let lasted = human_duration(self.now - ep.started_at);
        Message::new(Tone::Green, format!("Resolved after {lasted}: {label}"))
            .lines("It was", ep.causes.0.values().cloned().collect())
    }
}

/// Two threaded lines that waited for the same working hour, as one: the newest first.
fn together(earlier: Message, newer: Message) -> Message {
    let mut before = vec![earlier.headline];
    before.extend(earlier.sections.into_iter().flat_map(|s| s.lines));
    newer.lines("Also, since your last working hour", before)
}

/// The one short threaded line that tells what is new: a worse colour, or new causes.
fn news_line(w: &Wanted, was: Colour, new_causes: &[&String]) -> Message {
    let lines: Vec<&str> = new_causes
        .iter()
        .filter_map(|k| w.health.causes.get(*k))
        .map(String::as_str)
        .collect();
    let what = if lines.is_empty() {
        w.health
            .reasons
            .first()
            .map_or("", String::as_str)
            .to_string()
    } else {
        lines.join("; ")
    };
    let text = if w.health.colour.severity() > was.severity() {
        format!("{} is now {}: {what}", w.subject, w.health.colour)
    } else {
        format!("New on {}: {what}", w.subject)
    };
    Message::new(w.health.colour.into(), text)
}
