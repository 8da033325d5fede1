//! The exact words of replies, as the console prints them.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::*;
use crate::domain::fixture::*;
use crate::domain::health;
use crate::domain::*;
use crate::engine::digest::Picture;
use crate::message::text::render;
use crate::store::events::EventRow;
use crate::store::listing::GoalWork;
use crate::store::outbox::Owed;

fn picture(snap: health::Snapshot, hour_offset: i64) -> Picture {
    let settings = Settings::default();
    let now = monday(2, 9) + Duration::hours(hour_offset);
    let assessment = health::evaluate(&snap, &settings, now);
    Picture {
        settings,
        snap,
        assessment,
        now,
    }
}

fn the_goal() -> Goal {
    organisation().goals.remove(0)
}

#[test]
fn a_new_goal_says_what_to_do_next() {
    let mut g = the_goal();
    g.due_on = NaiveDate::from_ymd_opt(2027, 3, 31);
    assert_eq!(
        render(&goal_created(&g, &person(ANA, "ana"))),
        concat!(
            "[GREEN] Created G-1 \"Cut churn\"\n",
            "  Owner: @ana\n",
            "  Rank: 1\n",
            "  Due: 2027-03-31\n",
            "Next:\n",
            "  - Add an initiative: /align initiative new G-1 \"<title>\" lead:@someone plan:1\n",
            "Actions: Show goal (/align goal show G-1)",
        ),
    );
}

#[test]
fn work_with_no_home_is_said_to_be_surfaced() {
    let mut w = item(4, WorkStatus::Todo, monday(0, 9));
    w.goal_id = None;
    w.initiative_id = None;
    let snap = organisation();
    let with_home = work_created(
        &w,
        Some((&snap.goals[0], Some(&snap.initiatives[0]))),
        &person(KIM, "kim"),
    );
    assert_eq!(
        render(&with_home),
        concat!(
            "[GREEN] Created W-4 \"Item 4\" for I-1 \"Win-back emails\" under G-1 \"Cut churn\"\n",
            "  Assignee: @kim\n",
            "  Status: todo\n",
            "Actions: Start (/align work start W-4)",
        )
    );
    assert_eq!(
        render(&work_created(&w, None, &person(KIM, "kim"))),
        concat!(
            "[AMBER] Created W-4 \"Item 4\" with no strategic home\n",
            "Surfaced:\n",
            "  - It is listed as work with no home in the leadership digest until it is linked to a goal.\n",
            "Assignee: @kim\n",
            "Status: todo\n",
            "Actions: Link to a goal (/align work link W-4 G-<n>) | Start (/align work start W-4)",
        )
    );
}

#[test]
fn moves_say_what_changed_and_what_it_was() {
    let w = item(1, WorkStatus::Doing, monday(2, 9));
    assert_eq!(
        render(&work_moved(
            &w,
            WorkStatus::Blocked,
            Some("waiting on legal")
        )),
        concat!(
            "W-1 \"Item 1\" is now blocked (was doing)\n",
            "  Blocked by: waiting on legal",
        )
    );
    let g = the_goal();
    assert_eq!(
        render(&goal_ranked(&g, 3)),
        "G-1 \"Cut churn\" is now rank 3 (was 1)"
    );
    assert_eq!(
        render(&goal_rank_unchanged(&g)),
        "G-1 \"Cut churn\" is already rank 1"
    );
    assert_eq!(
        render(&goal_owner_changed(
            &g,
            &person(LEE, "lee"),
            &person(ANA, "ana")
        )),
        "G-1 \"Cut churn\" is now owned by @lee (was @ana)"
    );
    assert_eq!(
        render(&alerts_acknowledged(g.key(), 0)),
        "No unacknowledged alerts on G-1."
    );
    assert_eq!(
        render(&alerts_acknowledged(g.key(), 2)),
        "Acknowledged 2 alerts on G-1; the digest will no longer list them as ignored."
    );
}

#[test]
fn refusals_name_what_was_wrong_and_the_nearest_valid_thing() {
    let cases = [
        (
            no_such(Key::work(9), Some(7)),
            concat!(
                "[ERROR] Nothing changed: there is no work item W-9 in this workspace.\n",
                "Try:\n",
                "  - Did you mean W-7?",
            ),
        ),
        (
            no_such(Key::key_result(1), None),
            concat!(
                "[ERROR] Nothing changed: there is no key result K-1 in this workspace.\n",
                "Try:\n",
                "  - There are no key results yet.",
            ),
        ),
        (
            not_allowed(&person(KIM, "kim"), "change settings", "an admin"),
            "[ERROR] Nothing changed: only an admin can change settings; you are @kim.",
        ),
        (
            not_allowed(&person(KIM, "kim"), "close G-1", "its owner"),
            "[ERROR] Nothing changed: only its owner or an admin can close G-1; you are @kim.",
        ),
        (
            still_has_open_work(Key::goal(1), &["W-1".into(), "W-2".into()]),
            concat!(
                "[ERROR] Nothing changed: G-1 still has open work: W-1, W-2.\n",
                "Try:\n",
                "  - Finish, drop or re-link it first (/align work done|drop|link).",
            ),
        ),
        (
            still_has_open_work(Key::initiative(1), &["W-1".into()]),
            concat!(
                "[ERROR] Nothing changed: I-1 still has open work: W-1.\n",
                "Try:\n",
                "  - Finish, drop or re-link it first.",
            ),
        ),
        (
            work_closed(Key::work(1), WorkStatus::Done),
            concat!(
                "[ERROR] Nothing changed: W-1 is done already; closed work cannot move.\n",
                "Try:\n",
                "  - Create a new work item for what is left.",
            ),
        ),
        (
            kr_is_milestone(Key::key_result(2)),
            concat!(
                "[ERROR] Nothing changed: K-2 is a milestone: it is done or not, with no number.\n",
                "Try:\n",
                "  - When it is done: /align kr done K-2",
            ),
        ),
    ];
    for (e, want) in cases {
        assert_eq!(render(&refused(&e)), want);
    }
}

#[test]
fn a_failure_on_our_side_is_worded_in_one_place() {
    assert_eq!(
        render(&failed(false)),
        "[ERROR] Something went wrong on our side; nothing was changed. Please try again."
    );
    assert_eq!(
        render(&failed(true)),
        "[ERROR] Throughline cannot reach its database right now, so nothing was done. Please try again in a minute."
    );
    let phrase = ["Something went", " wrong"].concat();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.ends_with("engine/replies/tests.rs") {
                // This file quotes the sentence to check it.
            } else if std::fs::read_to_string(&path).unwrap().contains(&phrase) {
                found.push(path);
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("engine/replies/mod.rs"));
}

#[test]
fn a_goal_view_lists_what_moves_it_and_who_owns_what() {
    let p = picture(organisation(), 0);
    let w = p.snap.work[0].clone();
    let work = GoalWork {
        moving: vec![w],
        more_moving: 0,
        not_moving: vec![(item(2, WorkStatus::Todo, monday(0, 9)), false)],
        more_not_moving: 3,
        capacity: HashMap::from([(I1, 1.0)]),
    };
    assert_eq!(
        render(&goal(&p, &p.snap.goals[0], &work)),
        concat!(
            "[GREEN] G-1 \"Cut churn\" is green\n",
            "Why:\n",
            "  - all rules pass\n",
            "Moving it:\n",
            "  - W-1 \"Item 1\" (@kim, doing) in I-1, last activity 2026-11-25\n",
            "Not moving:\n",
            "  - W-2 \"Item 2\" (@kim, todo) in I-1: idle, not started\n",
            "  - and 3 more: `/align initiative show` lists an initiative's work\n",
            "Who owns what:\n",
            "  - Goal owner: @ana\n",
            "  - I-1 \"Win-back emails\" lead @lee [green]: 1 of 0 FTE planned\n",
            "Rank: 1\n",
            "Due: none\n",
            "Actions: History (/align history G-1) | Capacity (/align capacity G-1)",
        )
    );
}

#[test]
fn status_with_no_top_goals_says_how_to_make_one() {
    let mut snap = organisation();
    snap.goals[0].rank = 9;
    let p = picture(snap, 0);
    assert_eq!(
        render(&status(&p, &HashMap::new(), 0)),
        concat!(
            "No open goals ranked 1 to 3 yet.\n",
            "Create one:\n",
            "  - /align goal new \"<title>\" owner:@someone rank:1",
        )
    );
}

#[test]
fn orphans_list_who_made_them_and_why() {
    let mut snap = organisation();
    let p = picture(snap.clone(), 0);
    assert_eq!(
        render(&orphans(&p)),
        "[GREEN] Every open work item has a strategic home."
    );
    snap.work[0].goal_id = None;
    snap.work[0].initiative_id = None;
    snap.work[0].unaligned_reason = Some("on-call".into());
    let p = picture(snap, 0);
    assert_eq!(
        render(&orphans(&p)),
        concat!(
            "[AMBER] 1 open work item with no strategic home\n",
            "Link each with /align work link W-n G-n:\n",
            "  - W-1 \"Item 1\" (@kim, doing), last activity 2026-11-25 (created by @kim, why: on-call)",
        )
    );
}

#[test]
fn history_reads_as_changes_oldest_first() {
    let rows = vec![
        EventRow {
            at: monday(0, 9),
            actor: Some("ana".into()),
            subject: "G-1".into(),
            action: "created".into(),
            before: None,
            after: Some(json!({ "title": "Cut churn", "owner": "@ana", "due": null })),
            note: None,
        },
        EventRow {
            at: monday(1, 10),
            actor: None,
            subject: "G-1".into(),
            action: "health".into(),
            before: Some(json!({ "colour": "green" })),
            after: Some(json!({ "colour": "amber", "reasons": ["W-1 stalled", "no key result"] })),
            note: Some("swept".into()),
        },
    ];
    assert_eq!(
        render(&history(Key::goal(1), &rows)),
        concat!(
            "History of G-1\n",
            "Changes, oldest first:\n",
            "  - 2026-11-23 09:00 @ana created: owner @ana, title Cut churn\n",
            "  - 2026-11-24 10:00 Throughline health: colour green -> colour amber, reasons [W-1 stalled; no key result] \"swept\"",
        )
    );
}

#[test]
fn mine_counts_what_pinged_and_what_was_held_back() {
    let p = picture(organisation(), 0);
    let owed = |hours: i64, op: &str, state: &str, held: Option<&str>, late: i64| Owed {
        created_at: monday(1, 9) + Duration::hours(hours),
        delivered_at: (state == "delivered").then(|| monday(1, 9) + Duration::hours(hours + late)),
        op: op.into(),
        state: state.into(),
        held_reason: held.map(String::from),
        headline: format!("alert {hours}"),
    };
    let owed = vec![
        owed(5, "post", "delivered", None, 0),
        owed(4, "post", "delivered", None, 12),
        owed(3, "edit", "delivered", None, 0),
        owed(2, "post", "held", Some("daily cap"), 0),
        owed(1, "post", "dropped", None, 0),
    ];
    let open = vec![(p.snap.work[0].clone(), false)];
    assert_eq!(
        render(&mine(&p, &person(KIM, "kim"), &open, &owed)),
        concat!(
            "What @kim owns and does\n",
            "Goals you own:\n",
            "  - none\n",
            "Your open work:\n",
            "  - W-1 \"Item 1\" (@kim, doing) in I-1, last activity 2026-11-25 for I-1 \"Win-back emails\" (G-1)\n",
            "What you were told in the last 7 days, and what was held back:\n",
            "  - 2 messages that pinged you (1 waited for your working hours), 1 held back, 1 not sent because the alert ended before it was due\n",
            "  - held back (daily cap): 1\n",
            "  - Tue 14:00 message: alert 5\n",
            "  - Tue 13:00 message: alert 4\n",
            "  - Tue 11:00 held (daily cap): alert 2\n",
            "  - Tue 10:00 not sent: resolved first: alert 1",
        )
    );
}
