//! A simulated organisation: owners with goals, leads with initiatives, engineers with work,
//! their daily updates (on about three working days in four, at any hour) and seeded
//! incidents, as a timeline of console lines. Deterministic for a seed.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone)]
pub struct Config {
    pub people: usize,
    /// Working days simulated (Monday to Friday; weekends pass in between).
    pub days: usize,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    /// The lead of an initiative starts a critical bug that serves no goal.
    LeadOnBug,
    /// Someone blocks their item, waiting on a vendor.
    Block,
    /// Someone goes silent on their item for six working days.
    Silence,
}

impl IncidentKind {
    pub fn name(self) -> &'static str {
        match self {
            IncidentKind::LeadOnBug => "lead pulled onto a bug",
            IncidentKind::Block => "work blocked",
            IncidentKind::Silence => "work gone silent",
        }
    }
}

/// A seeded incident: the ground truth the checker holds the messages against.
#[derive(Debug, Clone)]
pub struct Incident {
    pub kind: IncidentKind,
    /// The work item the incident is about (the bug, the blocked or the silent item).
    pub key: String,
    /// The goal's owner, who must hear of it.
    pub owner: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub handle: String,
    pub tz: Tz,
    pub owner: bool,
}

/// One console line at its moment.
#[derive(Debug, Clone)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub line: String,
}

pub struct Plan {
    pub working_days: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub people: Vec<Person>,
    pub steps: Vec<Step>,
    pub incidents: Vec<Incident>,
}

struct Engineer {
    handle: String,
    /// Work keys assigned, in the order they will be done.
    queue: Vec<u32>,
    current: Option<u32>,
    /// Active days spent on the current item, and how many it needs.
    progress: u32,
    effort: u32,
    /// No routine updates before this moment (on a bug, blocked, or silent).
    busy_until: DateTime<Utc>,
    /// The goal owner of the initiative the engineer works in.
    owner: String,
}

const ZONES: [(Tz, u32); 3] = [
    (chrono_tz::America::New_York, 20),
    (chrono_tz::Asia::Tokyo, 10),
    (chrono_tz::Europe::Berlin, 20),
];

/// The first Monday simulated: 30 November 2026.
fn first_monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn working_days(start: DateTime<Utc>, n: usize) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    let mut d = start.date_naive();
    while days.len() < n {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            days.push(d);
        }
        d = d.succ_opt().unwrap_or(d);
    }
    days
}

fn at(d: NaiveDate, minutes: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        + Duration::minutes(minutes.into())
}

pub fn generate(cfg: &Config) -> Plan {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let people = cfg.people.max(8);
    // The proportions of the organisation the alert figures were first measured on:
    // 200 people, 36 goals, 134 initiatives, 1,740 work items.
    let goals = (people * 36 / 200).max(2);
    let engineers = people - goals - 1;
    let initiatives = (people * 134 / 200).clamp(goals, engineers);
    let items_per_initiative = 13;

    let start = first_monday();
    let days = working_days(start, cfg.days);
    let mut steps = Vec::new();
    let setup = start + Duration::hours(8);
    let push =
        |steps: &mut Vec<Step>, at: DateTime<Utc>, line: String| steps.push(Step { at, line });

    let mut all_people = Vec::new();
    let tz_of = |rng: &mut StdRng| {
        let roll = rng.gen_range(0..100);
        let mut acc = 0;
        for (tz, pct) in ZONES {
            acc += pct;
            if roll < acc {
                return tz;
            }
        }
        chrono_tz::UTC
    };
    let owners: Vec<String> = (1..=goals).map(|n| format!("owner-{n}")).collect();
    let engineer_handles: Vec<String> = (1..=engineers).map(|n| format!("eng-{n}")).collect();
    for (i, h) in owners.iter().chain(engineer_handles.iter()).enumerate() {
        let tz = tz_of(&mut rng);
        all_people.push(Person {
            handle: h.clone(),
            tz,
            owner: i < goals,
        });
        if tz != chrono_tz::UTC {
            push(
                &mut steps,
                setup,
                format!("@{h}: /align settings timezone @{h} {}", tz.name()),
            );
        }
    }
    all_people.push(Person {
        handle: "cto".into(),
        tz: chrono_tz::UTC,
        owner: false,
    });
    // The digest and agenda go out; time-caused alerts settle for the default 30 minutes.
    for (g, owner) in owners.iter().enumerate() {
        push(
            &mut steps,
            setup,
            format!(
                "@{owner}: /align goal new \"Strategic goal {}\" owner:@{owner} rank:{}",
                g + 1,
                g + 1
            ),
        );
    }

    // Initiatives round-robin over goals; engineers round-robin over initiatives.
    let mut initiative_goal = Vec::new();
    let mut initiative_lead = Vec::new();
    for i in 0..initiatives {
        let g = i % goals;
        let lead = engineer_handles[i % engineers].clone();
        push(
            &mut steps,
            setup,
            format!(
                "@{}: /align initiative new G-{} \"Initiative {}\" lead:@{lead} plan:1",
                owners[g],
                g + 1,
                i + 1
            ),
        );
        initiative_goal.push(g);
        initiative_lead.push(lead);
    }
    let mut team: Vec<Engineer> = engineer_handles
        .iter()
        .enumerate()
        .map(|(e, h)| Engineer {
            handle: h.clone(),
            queue: Vec::new(),
            current: None,
            progress: 0,
            effort: 0,
            busy_until: start,
            owner: owners[initiative_goal[e % initiatives]].clone(),
        })
        .collect();
    let mut next_work = 1u32;
    for (i, lead) in initiative_lead.iter().enumerate() {
        let members: Vec<usize> = (0..engineers).filter(|e| e % initiatives == i).collect();
        for n in 0..items_per_initiative {
            let e = members[n % members.len()];
            let who = team[e].handle.clone();
            push(
                &mut steps,
                setup,
                format!(
                    "@{lead}: /align work new I-{} \"Item {n} of initiative {}\" @{who}",
                    i + 1,
                    i + 1
                ),
            );
            team[e].queue.push(next_work);
            next_work += 1;
        }
    }
    for e in team.iter_mut() {
        e.queue.reverse();
    }

    // Incidents: a steady trickle over the working days, never two at once for one person.
    let mut incidents = Vec::new();
    // 127 incidents for 200 people over 60 working days, in proportion.
    let wanted = people * cfg.days * 127 / (200 * 60);
    let window: Vec<&NaiveDate> = days
        .iter()
        .skip(2)
        .take(days.len().saturating_sub(6))
        .collect();
    let mut planned: Vec<(DateTime<Utc>, usize, IncidentKind)> = Vec::new();
    if !window.is_empty() {
        for n in 0..wanted {
            let day = window[n * window.len() / wanted.max(1)];
            let t = at(*day, rng.gen_range(10 * 60..16 * 60));
            let kind = match n % 3 {
                0 => IncidentKind::LeadOnBug,
                1 => IncidentKind::Block,
                _ => IncidentKind::Silence,
            };
            planned.push((t, rng.gen_range(0..engineers), kind));
        }
    }

    // The days, in order: routine updates, and incidents as they come (in time order, so
    // that the bugs' keys are numbered as the console will number them).
    planned.sort_by_key(|(t, _, _)| *t);
    let mut planned = planned.into_iter().peekable();
    let mut bug = 0;
    for (d, day) in days.iter().enumerate() {
        if d == 0 {
            for e in team.iter_mut() {
                if let Some(w) = e.queue.pop() {
                    let t = at(*day, rng.gen_range(9 * 60..10 * 60));
                    push(
                        &mut steps,
                        t,
                        format!("@{}: /align work start W-{w}", e.handle),
                    );
                    e.current = Some(w);
                    e.effort = rng.gen_range(3..9);
                }
            }
            continue;
        }
        let day_end = at(*day, 24 * 60);
        // An incident that would outlast the simulation lasts to its last evening.
        let last = days.last().map_or(day_end, |x| at(*x, 20 * 60));
        while let Some((t, who, kind)) = planned.next_if(|(t, _, _)| *t < day_end) {
            if team[who].busy_until > t || team[who].current.is_none() {
                continue;
            }
            let resolve_days = rng.gen_range(1..4);
            let end = days
                .get(d + resolve_days)
                .map_or(last, |x| at(*x, rng.gen_range(10 * 60..16 * 60)));
            match kind {
                IncidentKind::LeadOnBug => {
                    let i = who % initiatives;
                    let lead = initiative_lead[i].clone();
                    let Some(l) = team.iter_mut().find(|x| x.handle == lead) else {
                        continue;
                    };
                    if l.busy_until > t {
                        continue;
                    }
                    bug += 1;
                    let key = next_work;
                    next_work += 1;
                    push(
                        &mut steps,
                        t,
                        format!("@cto: /align work new none \"Critical bug {bug}\" @{lead}"),
                    );
                    push(
                        &mut steps,
                        t + Duration::minutes(5),
                        format!("@{lead}: /align work start W-{key}"),
                    );
                    push(
                        &mut steps,
                        end,
                        format!("@{lead}: /align work done W-{key}"),
                    );
                    l.busy_until = end;
                    incidents.push(Incident {
                        kind,
                        key: format!("W-{key}"),
                        owner: owners[initiative_goal[i]].clone(),
                        start: t,
                        end,
                    });
                }
                IncidentKind::Block => {
                    let e = &mut team[who];
                    let w = e.current.unwrap_or_default();
                    push(
                        &mut steps,
                        t,
                        format!(
                            "@{}: /align work block W-{w} \"waiting on vendor\"",
                            e.handle
                        ),
                    );
                    push(
                        &mut steps,
                        end,
                        format!("@{}: /align work start W-{w}", e.handle),
                    );
                    e.busy_until = end;
                    incidents.push(Incident {
                        kind,
                        key: format!("W-{w}"),
                        owner: e.owner.clone(),
                        start: t,
                        end,
                    });
                }
                IncidentKind::Silence => {
                    let e = &mut team[who];
                    let w = e.current.unwrap_or_default();
                    let back = days
                        .get(d + 6)
                        .map_or(last, |x| at(*x, rng.gen_range(10 * 60..16 * 60)));
                    // A last update, then nothing: whatever alert follows is this incident's.
                    push(
                        &mut steps,
                        t,
                        format!("@{}: /align work note W-{w} \"handing over\"", e.handle),
                    );
                    push(
                        &mut steps,
                        back,
                        format!("@{}: /align work note W-{w} \"back on it\"", e.handle),
                    );
                    e.busy_until = back;
                    incidents.push(Incident {
                        kind,
                        key: format!("W-{w}"),
                        owner: e.owner.clone(),
                        start: t,
                        end: back,
                    });
                }
            }
        }
        for e in team.iter_mut() {
            // About three working days in four, at any hour from 07:00 to 21:00 UTC.
            let t = at(*day, rng.gen_range(7 * 60..21 * 60));
            if !rng.gen_bool(0.75) || e.busy_until > t {
                continue;
            }
            let Some(w) = e.current else { continue };
            e.progress += 1;
            if e.progress < e.effort {
                push(
                    &mut steps,
                    t,
                    format!("@{}: /align work note W-{w} \"progress\"", e.handle),
                );
                continue;
            }
            push(
                &mut steps,
                t,
                format!("@{}: /align work done W-{w}", e.handle),
            );
            e.current = e.queue.pop();
            e.progress = 0;
            e.effort = rng.gen_range(3..9);
            if let Some(next) = e.current {
                // The next item starts a couple of minutes later: a rule in transit.
                push(
                    &mut steps,
                    t + Duration::minutes(2),
                    format!("@{}: /align work start W-{next}", e.handle),
                );
            }
        }
    }
    steps.sort_by_key(|s| s.at);
    let end = days
        .last()
        .map_or(start, |d| at(*d, 24 * 60) + Duration::days(1));
    Plan {
        working_days: days.len(),
        start: setup,
        end,
        people: all_people,
        steps,
        incidents,
    }
}
