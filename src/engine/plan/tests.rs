//! What the rules tell, as a table: the small organisation of the health tables, what the last
//! evaluation left stored, one change, and the writes and messages the plan owes. Stall needs
//! three working days, news settles for 30 minutes, stalled work is nudged every two working
//! days (the default settings).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use sqlx::types::Json;

use super::*;
use crate::domain::fixture::*;
use crate::domain::health::{Health, Snapshot, evaluate};
use crate::domain::*;
use crate::message::{Message, Op, Tone};
use crate::store::episodes::EpisodeRow;
use crate::store::signals::SignalRow;

/// An open episode as the store returns it.
struct Ep {
    id: i64,
    subject: &'static str,
    person: PersonId,
    started: DateTime<Utc>,
    /// Its first message: none yet, queued (waiting for working hours) or delivered.
    post: Option<&'static str>,
    /// The causes its person was told: those of the picture before the change, when `None`.
    told: Option<&'static [(&'static str, &'static str)]>,
    pushed: Option<DateTime<Utc>>,
}

/// One message, as its recipient would see it arrive.
struct Told {
    to: &'static str,
    op: Op,
    /// When it may go out: `None` for at once.
    at: Option<DateTime<Utc>>,
    headline: &'static str,
}

struct Case {
    what: &'static str,
    change: fn(&mut Snapshot),
    now: DateTime<Utc>,
    trigger: Trigger,
    /// When the last evaluation already saw the change; `None`: it saw the organisation
    /// without it, at `now`.
    seen: Option<DateTime<Utc>>,
    episodes: Vec<Ep>,
    /// Per episode, the outbox row of a threaded line waiting for working hours.
    waiting: &'static [(i64, i64)],
    writes: &'static [&'static str],
    told: Vec<Told>,
}

fn thursday_noon() -> DateTime<Utc> {
    monday(3, 12)
}

fn stall(s: &mut Snapshot) {
    s.work[0].last_activity_at = monday(0, 9);
}

fn block_another(s: &mut Snapshot) {
    s.work.push(item(2, WorkStatus::Blocked, monday(3, 11)));
}

fn ep(id: i64, subject: &'static str, person: PersonId, started: DateTime<Utc>) -> Ep {
    Ep {
        id,
        subject,
        person,
        started,
        post: Some("delivered"),
        told: None,
        pushed: Some(started),
    }
}

fn told(to: &'static str, op: Op, at: Option<DateTime<Utc>>, headline: &'static str) -> Told {
    Told {
        to,
        op,
        at,
        headline,
    }
}

fn cases() -> Vec<Case> {
    use Op::*;
    vec![
        Case {
            what: "nothing changed: nothing is written and nobody hears anything",
            change: |_| {},
            now: thursday_noon(),
            trigger: Trigger::Person,
            seen: None,
            episodes: vec![],
            waiting: &[],
            writes: &[],
            told: vec![],
        },
        Case {
            what: "a block a person makes is told at once, once to the goal's owner and once to the initiative's lead",
            change: block_another,
            now: thursday_noon(),
            trigger: Trigger::Person,
            seen: None,
            episodes: vec![],
            waiting: &[],
            writes: &[
                "health G-1 amber",
                "event health G-1",
                "health I-1 amber",
                "event health I-1",
                "health W-2 amber",
                "event health W-2",
                "raise blocked W-2",
                "event signal raised W-2",
                "start G-1 for 1",
                "start I-1 for 2",
            ],
            told: vec![
                told("1", Post, None, "G-1 \"Cut churn\" turned amber"),
                told("2", Post, None, "I-1 \"Win-back emails\" turned amber"),
            ],
        },
        Case {
            what: "a stall that time brings opens its episodes, and nobody hears of it before it has settled",
            change: stall,
            now: thursday_noon(),
            trigger: Trigger::Time,
            seen: None,
            episodes: vec![],
            waiting: &[],
            writes: &[
                "health G-1 amber",
                "event health G-1",
                "health I-1 amber",
                "event health I-1",
                "health W-1 amber",
                "event health W-1",
                "raise stalled W-1",
                "event signal raised W-1",
                "start G-1 for 1",
                "start I-1 for 2",
                "start W-1 for 3",
            ],
            told: vec![],
        },
        Case {
            what: "a settled stall is told in working hours: at 20:00 on Thursday, the messages wait for Friday 09:00",
            change: stall,
            now: monday(3, 20),
            trigger: Trigger::Time,
            seen: Some(thursday_noon()),
            episodes: vec![
                Ep {
                    post: None,
                    ..ep(7, "G-1", ANA, thursday_noon())
                },
                Ep {
                    post: None,
                    ..ep(8, "I-1", LEE, thursday_noon())
                },
                Ep {
                    post: None,
                    ..ep(9, "W-1", KIM, thursday_noon())
                },
            ],
            waiting: &[],
            // The stall's evidence ("no activity for …") moves on; nothing else is new.
            writes: &[
                "health G-1 amber",
                "health I-1 amber",
                "health W-1 amber",
                "refresh 1",
            ],
            told: vec![
                told(
                    "1",
                    Post,
                    Some(monday(4, 9)),
                    "G-1 \"Cut churn\" turned amber",
                ),
                told(
                    "2",
                    Post,
                    Some(monday(4, 9)),
                    "I-1 \"Win-back emails\" turned amber",
                ),
                told("3", Post, Some(monday(4, 9)), "W-1"),
            ],
        },
        Case {
            what: "an episode its person heard of ends with its message edited to resolved, and its queued edits and lines dropped",
            change: |_| {},
            now: thursday_noon(),
            trigger: Trigger::Person,
            seen: None,
            episodes: vec![Ep {
                told: Some(&[("blocked:W-2", "W-2 is blocked")]),
                ..ep(7, "G-1", ANA, monday(3, 9))
            }],
            waiting: &[],
            writes: &["end 7", "drop 7 edit,reply"],
            told: vec![told("1", Edit, None, "Resolved after 3h: G-1")],
        },
        Case {
            what: "an episode nobody heard of yet ends in silence, its first message dropped too",
            change: |_| {},
            now: thursday_noon(),
            trigger: Trigger::Person,
            seen: None,
            episodes: vec![Ep {
                post: Some("queued"),
                told: Some(&[("blocked:W-2", "W-2 is blocked")]),
                ..ep(7, "G-1", ANA, monday(3, 9))
            }],
            waiting: &[],
            writes: &["end 7", "drop 7 post,edit,reply"],
            told: vec![],
        },
        Case {
            what: "a new block on an episode already heard edits its message and adds one threaded line, at once",
            change: block_another,
            now: thursday_noon(),
            trigger: Trigger::Person,
            seen: None,
            episodes: vec![
                Ep {
                    told: Some(&[("blocked:W-3", "W-3 is blocked")]),
                    ..ep(7, "G-1", ANA, monday(3, 9))
                },
                Ep {
                    told: Some(&[("blocked:W-3", "W-3 is blocked")]),
                    ..ep(8, "I-1", LEE, monday(3, 9))
                },
            ],
            waiting: &[],
            writes: &[
                "health G-1 amber",
                "event health G-1",
                "health I-1 amber",
                "event health I-1",
                "health W-2 amber",
                "event health W-2",
                "raise blocked W-2",
                "event signal raised W-2",
                "record 7 amber",
                "drop 7 edit",
                "pushed 7",
                "record 8 amber",
                "drop 8 edit",
                "pushed 8",
            ],
            told: vec![
                told("1", Edit, None, "G-1 \"Cut churn\" is amber"),
                told("1", Reply, None, "New on G-1: W-2"),
                told("2", Edit, None, "I-1 \"Win-back emails\" is amber"),
                told("2", Reply, None, "New on I-1: W-2"),
            ],
        },
        Case {
            what: "stalled work nobody touched is nudged again after two more working days, in a threaded line",
            change: stall,
            now: monday(7, 10),
            trigger: Trigger::Time,
            seen: Some(thursday_noon()),
            episodes: vec![
                ep(7, "G-1", ANA, monday(3, 9)),
                ep(8, "I-1", LEE, monday(3, 9)),
                ep(9, "W-1", KIM, monday(3, 9)),
            ],
            waiting: &[],
            writes: &[
                "health G-1 amber",
                "health I-1 amber",
                "health W-1 amber",
                "refresh 1",
                "pushed 9",
            ],
            told: vec![told("3", Reply, None, "Still stalled: W-1")],
        },
        Case {
            what: "a nudge while an earlier line still waits for working hours joins it, as one message",
            change: stall,
            now: monday(7, 10),
            trigger: Trigger::Time,
            seen: Some(thursday_noon()),
            episodes: vec![
                ep(7, "G-1", ANA, monday(3, 9)),
                ep(8, "I-1", LEE, monday(3, 9)),
                ep(9, "W-1", KIM, monday(3, 9)),
            ],
            waiting: &[(9, 55)],
            writes: &[
                "health G-1 amber",
                "health I-1 amber",
                "health W-1 amber",
                "refresh 1",
                "replace 55",
                "pushed 9",
            ],
            told: vec![],
        },
        Case {
            what: "work with no strategic home is told to whoever made it; if they left, the message is kept, not sent",
            change: |s| {
                let mut w = item(2, WorkStatus::Todo, monday(3, 9));
                w.goal_id.take();
                w.initiative_id.take();
                s.work.push(w);
                s.people[2].active = false;
            },
            now: thursday_noon(),
            trigger: Trigger::Person,
            seen: None,
            episodes: vec![],
            waiting: &[],
            writes: &[
                "health W-2 green",
                "raise orphan W-2",
                "event signal raised W-2",
                "notified new 0",
            ],
            told: vec![told("3 (held: recipient has left)", Post, None, "W-2")],
        },
        Case {
            what: "a goal that turns red tells its owner at once (urgent) and the leadership channel once",
            change: |s| s.goals[0].due_on = Some(monday(2, 0).date_naive()),
            now: thursday_noon(),
            trigger: Trigger::Time,
            seen: None,
            episodes: vec![],
            waiting: &[],
            writes: &[
                "health G-1 red",
                "event health G-1",
                "raise overdue G-1",
                "event signal raised G-1",
                "start G-1 for 1",
                "red posted new 0",
            ],
            told: vec![
                told("1", Post, None, "G-1 \"Cut churn\" turned red"),
                told("#leadership", Post, None, "G-1"),
            ],
        },
    ]
}

/// What the last evaluation left: of `snap` at `at`.
fn stored(snap: &Snapshot, at: DateTime<Utc>, episodes: &[Ep], waiting: &[(i64, i64)]) -> Stored {
    let before = evaluate(snap, &Settings::default(), at);
    let signals = before
        .conditions
        .iter()
        .zip(1..)
        .map(|(c, id)| SignalRow {
            id,
            kind: c.kind.as_str().into(),
            subject: c.subject.clone(),
            goal_subject: c.goal.clone(),
            summary: c.summary.clone(),
            raised_at: at,
            last_notified_at: None,
        })
        .collect();
    let health: HashMap<String, Health> = before.health.into_iter().collect();
    Stored {
        // An episode's person was told what the rules said before the change, unless a row says otherwise.
        episodes: episodes
            .iter()
            .map(|e| episode_row(e, health.get(e.subject)))
            .collect(),
        health,
        signals,
        waiting_replies: waiting
            .iter()
            .map(|&(ep, row)| (ep, (row, Message::new(Tone::Amber, "Earlier line"))))
            .collect(),
    }
}

fn episode_row(e: &Ep, judged: Option<&Health>) -> EpisodeRow {
    let causes: BTreeMap<String, String> = match (e.told, judged) {
        (Some(told), _) => told
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        (None, Some(h)) => h.causes.clone(),
        (None, None) => BTreeMap::new(),
    };
    // Causes told by hand are amber ones.
    let colour = match (e.told, judged) {
        (None, Some(h)) => h.colour,
        _ => Colour::Amber,
    };
    EpisodeRow {
        id: e.id,
        subject: e.subject.into(),
        person_id: e.person,
        colour: colour.as_str().into(),
        causes: Json(causes),
        started_at: e.started,
        announced_at: e.post.map(|_| e.started),
        pushed_at: e.pushed,
        pending_since: None,
        red_posted: false,
        post_id: e.post.map(|_| 1000 + e.id),
        post_state: e.post.map(str::to_string),
    }
}

fn label(s: &Step) -> String {
    let r = |r: &Ref| match r {
        Ref::Stored(id) => id.to_string(),
        Ref::New(n) => format!("new {n}"),
    };
    match s {
        Step::SaveHealth { subject, health } => format!("health {subject} {}", health.colour),
        Step::Event {
            subject, action, ..
        } => format!("event {action} {subject}"),
        Step::RaiseSignal { kind, subject, .. } => format!("raise {} {subject}", kind.as_str()),
        Step::RefreshSignal { id, .. } => format!("refresh {id}"),
        Step::SignalNotified(x) => format!("notified {}", r(x)),
        Step::ResolveSignal(id) => format!("resolve {id}"),
        Step::StartEpisode {
            subject, person, ..
        } => format!("start {subject} for {person}"),
        Step::RecordEpisode { id, colour, .. } => format!("record {id} {colour}"),
        Step::Pending { id, since } => format!("pending {id} {}", since.is_some()),
        Step::Pushed(id) => format!("pushed {id}"),
        Step::RedPosted(x) => format!("red posted {}", r(x)),
        Step::EndEpisode(id) => format!("end {id}"),
        Step::DropQueued { episode, ops, .. } => format!("drop {episode} {}", ops.join(",")),
        Step::ReplaceQueued { row, .. } => format!("replace {row}"),
    }
}

fn recipient(p: &Planned) -> String {
    let to = match &p.to {
        Recipient::Person(id) => id.to_string(),
        Recipient::Channel(c) => c.clone(),
    };
    match p.held {
        Some(why) => format!("{to} (held: {why})"),
        None => to,
    }
}

#[test]
fn each_change_plans_the_writes_and_messages_it_owes() {
    let settings = Settings::default();
    for case in cases() {
        let mut snap = organisation();
        (case.change)(&mut snap);
        let assessment = evaluate(&snap, &settings, case.now);
        let stored = match case.seen {
            Some(at) => stored(&snap, at, &case.episodes, case.waiting),
            None => stored(&organisation(), case.now, &case.episodes, case.waiting),
        };
        let picture = Picture {
            snap: &snap,
            assessment: &assessment,
            settings: &settings,
            now: case.now,
            trigger: case.trigger,
        };
        let plan = plan(&picture, &stored).expect("stored rows decode");
        let writes: Vec<String> = plan.steps.iter().map(label).collect();
        assert_eq!(writes, case.writes, "writes: {}", case.what);
        let told: Vec<(String, Op, DateTime<Utc>)> = plan
            .messages
            .iter()
            .map(|p| (recipient(p), p.op, p.available_at))
            .collect();
        let expected: Vec<(String, Op, DateTime<Utc>)> = case
            .told
            .iter()
            .map(|t| (t.to.to_string(), t.op, t.at.unwrap_or(case.now)))
            .collect();
        assert_eq!(told, expected, "messages: {}", case.what);
        for (p, t) in plan.messages.iter().zip(&case.told) {
            assert!(
                p.message.headline.contains(t.headline),
                "{}: {:?} should say {:?}",
                case.what,
                p.message.headline,
                t.headline
            );
        }
    }
}

#[test]
fn a_held_first_message_is_told_afresh_when_news_comes_under_a_key_of_its_own() {
    let settings = Settings::default();
    let mut snap = organisation();
    block_another(&mut snap);
    let now = thursday_noon();
    let assessment = evaluate(&snap, &settings, now);
    let held = Ep {
        post: Some("held"),
        told: Some(&[("blocked:W-3", "W-3 is blocked")]),
        ..ep(7, "G-1", ANA, monday(3, 9))
    };
    let stored = stored(&organisation(), now, &[held], &[]);
    let picture = Picture {
        snap: &snap,
        assessment: &assessment,
        settings: &settings,
        now,
        trigger: Trigger::Person,
    };
    let plan = plan(&picture, &stored).unwrap();
    let first = plan
        .messages
        .iter()
        .find(|p| p.episode == Some(Ref::Stored(7)))
        .expect("the goal's episode is told again");
    assert_eq!(first.op, Op::Post);
    assert!(
        first.needs_ack,
        "a goal's first message asks to be acknowledged"
    );
    match &first.key {
        super::Key::Episode(Ref::Stored(7), rest) => assert!(rest.ends_with(":again"), "{rest}"),
        other => panic!("unexpected key {other:?}"),
    }
}
