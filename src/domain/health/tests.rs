//! The health rules as a table: one small organisation, one change per row, and the colours,
//! causes and conditions that change brings. Working hours are the defaults (Monday to
//! Friday, 09:00 to 18:00 UTC): a stall needs three working days, starvation two.

use super::*;
use crate::domain::fixture::*;

struct Case {
    what: &'static str,
    change: fn(&mut Snapshot),
    now: DateTime<Utc>,
    colours: &'static [(&'static str, Colour)],
    causes: &'static [&'static str],
    conditions: &'static [(SignalKind, &'static str)],
}

fn thursday_noon() -> DateTime<Utc> {
    monday(3, 12)
}

fn cases() -> Vec<Case> {
    use Colour::*;
    vec![
        Case {
            what: "work moving under an active initiative is green all the way up",
            change: |_| {},
            now: thursday_noon(),
            colours: &[("W-1", Green), ("I-1", Green), ("G-1", Green)],
            causes: &[],
            conditions: &[],
        },
        Case {
            what: "three working days without activity stall an item, and its initiative and goal say so",
            change: |s| s.work[0].last_activity_at = monday(0, 9),
            now: thursday_noon(),
            colours: &[("W-1", Amber), ("I-1", Amber), ("G-1", Amber)],
            causes: &["stalled:W-1"],
            conditions: &[(SignalKind::Stalled, "W-1")],
        },
        Case {
            what: "a weekend is not working time: Friday noon to Monday noon is no stall",
            change: |s| s.work[0].last_activity_at = monday(-3, 12),
            now: monday(0, 12),
            colours: &[("W-1", Green), ("I-1", Green), ("G-1", Green)],
            causes: &[],
            conditions: &[],
        },
        Case {
            what: "work in a paused initiative does not stall, and the goal with nothing active starves",
            change: |s| {
                s.work[0].last_activity_at = monday(0, 9);
                s.initiatives[0].status = InitiativeStatus::Paused;
            },
            now: thursday_noon(),
            colours: &[("W-1", Green), ("G-1", Red)],
            causes: &["starved:G-1"],
            conditions: &[(SignalKind::Starved, "G-1")],
        },
        Case {
            what: "a blocked item is amber with its blocker at once, and so are its parents",
            change: |s| s.work.push(item(2, WorkStatus::Blocked, monday(3, 11))),
            now: thursday_noon(),
            colours: &[
                ("W-1", Green),
                ("W-2", Amber),
                ("I-1", Amber),
                ("G-1", Amber),
            ],
            causes: &["blocked:W-2"],
            conditions: &[(SignalKind::Blocked, "W-2")],
        },
        Case {
            what: "an initiative whose only item is blocked has nothing in doing: it starves, and half its goal's initiatives are red",
            change: |s| s.work[0].status = WorkStatus::Blocked,
            now: thursday_noon(),
            colours: &[("W-1", Amber), ("I-1", Red), ("G-1", Red)],
            causes: &["blocked:W-1", "starved:I-1", "half_red:G-1"],
            conditions: &[(SignalKind::Blocked, "W-1"), (SignalKind::Starved, "I-1")],
        },
        Case {
            what: "an initiative with nothing in doing for two working days starves",
            change: |s| s.work[0].status = WorkStatus::Todo,
            now: thursday_noon(),
            colours: &[("W-1", Green), ("I-1", Red), ("G-1", Red)],
            causes: &["starved:I-1", "half_red:G-1"],
            conditions: &[(SignalKind::Starved, "I-1")],
        },
        Case {
            what: "an initiative idle for less than two working days is not starved yet",
            change: |s| s.work[0].status = WorkStatus::Todo,
            now: monday(1, 12),
            colours: &[("I-1", Green), ("G-1", Green)],
            causes: &[],
            conditions: &[],
        },
        Case {
            what: "work with no strategic home is surfaced to whoever made it",
            change: |s| {
                let mut w = item(2, WorkStatus::Todo, monday(3, 9));
                w.goal_id.take();
                w.initiative_id.take();
                s.work.push(w);
            },
            now: thursday_noon(),
            colours: &[("W-2", Green), ("G-1", Green)],
            causes: &[],
            conditions: &[(SignalKind::Orphan, "W-2")],
        },
        Case {
            what: "an owner who left leaves the goal amber and tells the channel",
            change: |s| s.people[0].active = false,
            now: thursday_noon(),
            colours: &[("G-1", Amber)],
            causes: &["owner_gone:G-1"],
            conditions: &[(SignalKind::OwnerGone, "G-1")],
        },
        Case {
            what: "a goal past its due date with open work is red",
            change: |s| s.goals[0].due_on = Some(monday(2, 0).date_naive()),
            now: thursday_noon(),
            colours: &[("G-1", Red)],
            causes: &["overdue:G-1"],
            conditions: &[(SignalKind::Overdue, "G-1")],
        },
        Case {
            what: "a goal due today is not overdue",
            change: |s| s.goals[0].due_on = Some(monday(3, 0).date_naive()),
            now: thursday_noon(),
            colours: &[("G-1", Green)],
            causes: &[],
            conditions: &[],
        },
        Case {
            what: "more items in doing than the limit over-allocates the person, not the goal",
            change: |s| {
                for n in 2..=4 {
                    s.work.push(item(n, WorkStatus::Doing, monday(3, 9)));
                }
            },
            now: thursday_noon(),
            colours: &[("G-1", Green)],
            causes: &[],
            conditions: &[(SignalKind::OverAllocated, "person:3")],
        },
    ]
}

#[test]
fn each_rule_reads_as_its_row_says() {
    let settings = Settings::default();
    for case in cases() {
        let mut snap = organisation();
        (case.change)(&mut snap);
        let out = evaluate(&snap, &settings, case.now);
        for (key, colour) in case.colours {
            let got = out.health.get(*key).map(|h| h.colour);
            assert_eq!(got, Some(*colour), "{}: {key}", case.what);
        }
        let causes: Vec<&str> = out
            .health
            .values()
            .flat_map(|h| h.causes.keys())
            .map(String::as_str)
            .collect();
        for cause in case.causes {
            assert!(
                causes.contains(cause),
                "{}: no {cause} in {causes:?}",
                case.what
            );
        }
        if case.causes.is_empty() {
            assert!(causes.is_empty(), "{}: {causes:?}", case.what);
        }
        let mut conditions: Vec<(SignalKind, &str)> = out
            .conditions
            .iter()
            .map(|c| (c.kind, c.subject.as_str()))
            .collect();
        conditions.sort_by_key(|(k, s)| (k.as_str(), s.to_string()));
        conditions.dedup();
        assert_eq!(conditions, case.conditions, "{}", case.what);
        for h in out.health.values().filter(|h| h.colour != Colour::Green) {
            assert!(
                !h.reasons.is_empty(),
                "{}: a colour without a reason",
                case.what
            );
        }
    }
}
