//! Key results: made by the goal's owner, checked in by the owner or a lead under the goal,
//! shown with their pace in numbers, retargeted with a reason, closed; bad input refused.

use crate::harness::*;

/// The founding goal with a churn metric over 100 days, 30% of them gone today.
async fn with_churn() -> T {
    let mut t = founding().await;
    let reply = t
        .say(
            "ana",
            "kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-10-20 by:2027-01-27",
        )
        .await;
    assert!(
        reply.contains("Created K-1 \"Monthly churn\" for G-1"),
        "{reply}"
    );
    assert!(reply.contains("8% → 5%"), "{reply}");
    t
}

#[tokio::test]
async fn a_metric_is_checked_in_by_a_lead_and_shown_with_its_pace_in_numbers() {
    let mut t = with_churn().await;
    // Lee leads I-1 under G-1, so he may check in; the reply says where it stands.
    let reply = t.say("lee", "kr update K-1 7.6% \"first month\"").await;
    assert!(reply.contains("Checked in K-1"), "{reply}");
    assert!(
        reply.contains("K-1 Monthly churn 7.6% (target 5% by 27 Jan): 13% of the way, 30% of the time gone: at risk, 17 points behind pace"),
        "{reply}"
    );
    t.say("ana", "kr update K-1 6.5% confidence:on-track").await;
    let shown = t.say("ana", "kr show K-1").await;
    assert!(shown.contains("Check-ins: 2 █▁"), "{shown}");
    assert!(
        shown.contains("50% of the way, 30% of the time gone: on track"),
        "{shown}"
    );

    // A new target needs its reason, and keeps the old one in the history.
    let reply = t
        .say("ana", "kr target K-1 4.5% \"the board asked for more\"")
        .await;
    assert!(reply.contains("now aims at 4.5% (was 5%)"), "{reply}");
    let history = t.say("ana", "history K-1").await;
    for line in [
        "created",
        "checked in",
        "target",
        "the board asked for more",
    ] {
        assert!(history.contains(line), "{line} in {history}");
    }
    let list = t.say("ana", "kr list G-1").await;
    assert!(
        list.contains("K-1 Monthly churn 6.5% (target 4.5%"),
        "{list}"
    );
    let closed = t
        .say("ana", "kr close K-1 dropped \"replaced by NRR\"")
        .await;
    assert!(
        closed.contains("K-1 \"Monthly churn\" is closed: dropped"),
        "{closed}"
    );
    t.finish().await;
}

#[tokio::test]
async fn milestones_and_bands_read_as_people_write_them() {
    let mut t = founding().await;
    let reply = t
        .say("ana", "kr new G-1 \"SOC 2 report signed\" by:2027-03-31")
        .await;
    assert!(
        reply.contains("Created K-1") && reply.contains("a milestone"),
        "{reply}"
    );
    let reply = t
        .say(
            "ana",
            "kr new G-1 \"Uptime\" band:99.5%..100% by:2027-03-31",
        )
        .await;
    assert!(reply.contains("keep within 99.5%..100%"), "{reply}");
    let reply = t.say("ana", "kr done K-1 \"signed by the auditor\"").await;
    assert!(
        reply.contains("K-1 SOC 2 report signed (due 31 Mar): done: achieved"),
        "{reply}"
    );
    let reply = t.say("ana", "kr update K-2 99.2%").await;
    assert!(
        reply.contains("K-2 Uptime 99.2% (keep within 99.5%..100%): at risk"),
        "{reply}"
    );
    t.finish().await;
}

#[tokio::test]
async fn bad_key_result_input_is_refused_specifically_and_changes_nothing() {
    let mut t = with_churn().await;
    t.run("role @bob member").await;
    t.say("ana", "kr new G-1 \"Audit\" by:2027-03-31").await;
    t.say("ana", "kr new G-1 \"Old bet\" from:1 to:2 by:2027-03-31")
        .await;
    t.say("ana", "kr close K-3 dropped").await;
    for (who, command, expected) in [
        (
            "ana",
            "kr new G-1 \"Flat\" from:8% to:8% by:2027-03-31",
            "from and to are both 8%",
        ),
        (
            "ana",
            "kr new G-1 \"Mixed\" from:8% to:$5 by:2027-03-31",
            "The target is in USD, but this key result counts in percent",
        ),
        (
            "ana",
            "kr new G-1 \"Late\" from:1 to:2 start:2027-03-01 by:2027-01-31",
            "the due date 2027-01-31 is not after the start 2027-03-01",
        ),
        (
            "ana",
            "kr new G-1 \"Half\" from:8% by:2027-03-31",
            "a metric needs both from: and to:",
        ),
        (
            "ana",
            "kr new G-1 \"No date\" from:8% to:5%",
            "a key result needs a due date",
        ),
        (
            "ana",
            "kr update K-1 $5",
            "is in USD, but this key result counts in percent",
        ),
        ("ana", "kr update K-1 lots", "'lots' is not a value"),
        ("ana", "kr update K-2 3", "K-2 is a milestone"),
        (
            "ana",
            "kr update K-3 1.5",
            "K-3 is dropped; only open key results change",
        ),
        (
            "bob",
            "kr update K-1 7%",
            "only the goal's owner, a lead under it or an admin can check in K-1",
        ),
        ("ana", "kr update K-9 7%", "Did you mean K-3?"),
        ("ana", "kr target K-1 4%", "a new target needs its reason"),
        (
            "ana",
            "kr target K-1 8% \"back to the start\"",
            "8% is where K-1 started",
        ),
        (
            "ana",
            "kr close K-1 won",
            "kr close needs an outcome: achieved, missed or dropped, not 'won'",
        ),
        (
            "ana",
            "kr update K-1 7% confidence:great",
            "'great' is not a confidence",
        ),
    ] {
        t.rejected(who, command, expected).await;
    }
    t.finish().await;
}

#[tokio::test]
async fn a_key_result_behind_pace_turns_its_goal_amber_then_red_until_a_check_in_catches_up() {
    let mut t = founding().await;
    // The work under the goal keeps moving: only the outcome is behind.
    t.say("ana", "settings stall_after 60d").await;
    t.say(
        "ana",
        "kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-10-20 by:2027-01-27",
    )
    .await;
    t.say("lee", "kr update K-1 7.2%").await;
    assert_eq!(
        t.colour("G-1").await,
        "green",
        "27% of the way, 30% of the time gone"
    );

    t.advance("7d").await;
    assert_eq!(t.colour("G-1").await, "amber");
    // A week without a check-in: the owner is asked for one, beside the alert.
    t.dm("ana", "Time to check in 1 key result");
    let dm = t.dm("ana", "turned amber");
    for evidence in [
        "G-1",
        "K-1 Monthly churn 7.2%",
        "target 5% by 27 Jan",
        "points behind pace",
    ] {
        assert!(
            dm.contains(evidence),
            "the owner's DM names {evidence}: {dm}"
        );
    }
    t.ignore("#leadership");

    t.advance("15d").await;
    assert_eq!(t.colour("G-1").await, "red");
    t.dm("ana", "Still waiting: 1 key result");
    // Each change edits the first message and adds one line in its thread.
    t.thread("ana", "K-1 has had no update for 10 days");
    t.edit("ana", "is amber");
    let red = t.thread("ana", "red");
    assert!(red.contains("off track"), "{red}");
    let now = t.edit("ana", "amber to red");
    assert!(now.contains("25 points behind pace"), "{now}");
    t.ignore("#leadership");

    let reply = t
        .say("lee", "kr update K-1 5.9% \"the onboarding fix landed\"")
        .await;
    assert!(reply.contains("on track"), "{reply}");
    assert_eq!(t.colour("G-1").await, "green");
    let resolved = t.edit("ana", "Resolved");
    assert!(resolved.contains("G-1"), "{resolved}");
    t.ignore("#leadership");
    t.finish().await;
}

#[tokio::test]
async fn busy_but_not_moving_tells_the_owner_once_and_the_digest_lists_it() {
    let mut t = founding().await;
    t.say("ana", "settings stall_after 60d").await;
    // Early in a long period: no pace verdict yet, only whether the number moves.
    t.say(
        "ana",
        "kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-11-01 by:2027-06-30",
    )
    .await;
    t.say("ana", "kr update K-1 7.4%").await;
    t.say("lee", "work done W-1").await;
    t.say("lee", "work new I-1 \"Checklist emails\" @lee").await;
    t.say("lee", "work start W-2").await;
    t.no_dm("ana");

    t.advance("7d").await;
    t.ignore("#leadership");
    t.dm("ana", "Time to check in 1 key result");
    t.say("ana", "kr update K-1 7.4% \"flat again\"").await;
    let dm = t.dm("ana", "is not moving");
    assert!(dm.contains("Work is flowing under G-1"), "{dm}");
    assert!(
        dm.contains("K-1 Monthly churn has not moved in 7 days (2 check-ins)"),
        "{dm}"
    );
    assert_eq!(
        t.colour("G-1").await,
        "green",
        "information for a decision, not a colour"
    );

    t.advance("1d").await;
    let digest = t.post("#leadership", "Daily digest");
    assert!(
        digest.contains("Key results behind, unheard or not moving"),
        "{digest}"
    );
    assert!(digest.contains("has not moved"), "{digest}");
    t.no_dm("ana");
    t.ignore("#leadership");
    t.finish().await;
}

#[tokio::test]
async fn due_key_results_are_asked_for_in_one_message_and_followed_up_once() {
    let mut t = founding().await;
    t.say("ana", "settings stall_after 60d").await;
    for (title, from, to) in [
        ("Churn", "8%", "5%"),
        ("NPS", "20", "40"),
        ("ARR", "$1m", "$2m"),
    ] {
        t.say(
            "ana",
            &format!("kr new G-1 \"{title}\" from:{from} to:{to} start:2026-11-01 by:2027-06-30"),
        )
        .await;
    }
    t.say("ana", "kr update K-1 7.8%").await;
    t.say("ana", "kr update K-2 22").await;
    t.say("ana", "kr update K-3 $1.1m").await;
    t.advance("6d").await;
    t.say("lee", "kr update K-3 $1.2m").await;
    t.advance("1d").await;
    t.ignore("#leadership");

    // Thursday, a week after the last check-ins: one message for the two that are due.
    let asked = t.dm("ana", "Time to check in 2 key results");
    assert!(
        asked.contains("K-1 Churn") && asked.contains("K-2 NPS"),
        "{asked}"
    );
    assert!(!asked.contains("K-3"), "K-3 was updated yesterday: {asked}");
    assert!(
        asked.contains("/align kr update K-1"),
        "an update button each: {asked}"
    );
    t.no_dm("ana");
    // The button's form sends the value and a note as one answer.
    let reply = t.say("ana", "kr update K-1 \"7.5% the fix landed\"").await;
    assert!(reply.contains("Checked in K-1"), "{reply}");
    let history = t.say("ana", "history K-1").await;
    assert!(history.contains("the fix landed"), "{history}");

    // Two days on (the weekend waits for Monday): one follow-up for what is still due, beside
    // the alert that K-2 has now gone unheard for ten days.
    t.advance("4d").await;
    let agenda = t.post("#leadership", "Leadership agenda");
    assert!(
        agenda.contains("K-2 has had no update from @ana for"),
        "{agenda}"
    );
    assert!(agenda.contains("Who checks it in, and when?"), "{agenda}");
    let digest = t.post("#leadership", "Daily digest");
    assert!(
        digest.contains("  K-3 ARR $1.2m (target $2m by 30 Jun)"),
        "each key result under its goal: {digest}"
    );
    t.ignore("#leadership");
    let again = t.dm("ana", "Still waiting: 1 key result");
    assert!(
        again.contains("K-2 NPS") && !again.contains("K-1"),
        "{again}"
    );
    let stale = t.dm("ana", "turned amber");
    assert!(stale.contains("K-2 has had no update for"), "{stale}");
    t.no_dm("ana");
    t.finish().await;
}

#[tokio::test]
async fn an_outcome_on_track_with_no_work_moving_is_shown_as_information() {
    let mut t = founding().await;
    t.say("bea", "goal new \"Grow partner revenue\" owner:@bea rank:2")
        .await;
    t.say(
        "bea",
        "kr new G-2 \"Partner deals\" from:10 to:20 start:2026-10-20 by:2027-01-27",
    )
    .await;
    t.say("bea", "kr update K-1 14").await;
    t.advance("5d").await;
    t.ignore("#leadership");
    t.ignore("@bea");
    t.ignore("@lee");
    t.ignore("@ana");
    assert_eq!(t.colour("G-2").await, "red", "starved of work");
    let status = t.say("ana", "status").await;
    assert!(
        status.contains(
            "K-1 is on track while G-2 has no work moving: is the outcome coming from elsewhere?"
        ),
        "{status}"
    );
    let mine = t.say("bea", "mine").await;
    assert!(
        mine.contains("Key results of your goals:\n  - K-1 Partner deals 14"),
        "{mine}"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_milestone_past_due_turns_the_goal_red_and_a_band_breach_amber_then_red() {
    let mut t = founding().await;
    t.say("ana", "settings stall_after 60d").await;
    t.say("ana", "kr new G-1 \"SOC 2 report signed\" by:2026-11-20")
        .await;
    t.say(
        "ana",
        "kr new G-1 \"Uptime\" band:99.5%..100% by:2027-03-31",
    )
    .await;
    t.say("ana", "kr update K-2 99.9%").await;
    assert_eq!(t.colour("G-1").await, "green");

    // Friday ends with the report unsigned: missed, and the goal is red.
    t.advance("1d").await;
    t.ignore("#leadership");
    t.advance("15h").await;
    assert_eq!(t.colour("G-1").await, "red");
    let dm = t.dm("ana", "turned red");
    assert!(
        dm.contains("K-1 SOC 2 report signed (due 20 Nov): not done: missed"),
        "{dm}"
    );
    t.say(
        "ana",
        "kr close K-1 missed \"the auditor moved to January\"",
    )
    .await;
    t.edit("ana", "Resolved");

    // Uptime leaves its band: at risk at once, off track once it has stayed out for 2 days.
    t.say("ana", "kr update K-2 99.1%").await;
    assert_eq!(t.colour("G-1").await, "amber");
    t.advance("2d").await;
    t.ignore("#leadership");
    assert_eq!(t.colour("G-1").await, "red");
    let why = t.say("ana", "goal show G-1").await;
    assert!(
        why.contains("K-2 Uptime 99.1% (keep within 99.5%..100%): off track"),
        "{why}"
    );
    t.ignore("@ana");
    t.finish().await;
}
