//! Alerts worth reading: working time, states that last minutes, quiet hours, holidays and
//! pauses, snoozes, and what each person can see of the messages they were sent.

use crate::harness::*;

const NO_DIGEST: &str = "settings digest \"0 0 9 1 1 *\"";

#[tokio::test]
async fn a_note_on_thursday_is_not_stalled_by_sunday_and_nothing_comes_at_the_weekend() {
    let mut t = founding().await; // Thursday 09:30: Lee starts W-1
    t.say("ana", NO_DIGEST).await;
    t.advance("3h").await;
    t.say("lee", "work note W-1 \"first screens drafted\"")
        .await;
    t.advance("2d").await;
    t.advance("21h").await; // Sunday 09:30
    assert_eq!(t.colour("W-1").await, "green");
    t.quiet();
    t.advance("1d").await; // Monday 09:30: the agenda, and no alert
    t.post("#leadership", "Leadership agenda");
    t.say("lee", "work note W-1 \"welcome copy in review\"")
        .await;
    t.advance("1d").await;
    assert_eq!(t.colour("W-1").await, "green");
    t.quiet();
    t.finish().await;
}

#[tokio::test]
async fn a_lead_finishing_one_item_and_starting_the_next_within_minutes_sends_nothing() {
    let mut t = founding().await;
    t.say("lee", "work new I-1 \"Welcome emails\" @lee").await;
    t.say("lee", "work new I-1 \"Vendor API\" @kim").await;
    t.say("kim", "work start W-3").await;
    t.say("kim", "work block W-3 \"waiting on vendor\"").await;
    t.dm("ana", "G-1 \"Cut churn to 3%\" turned amber");
    t.dm("lee", "I-1 \"Onboarding revamp\" turned amber");
    // For two minutes every active item of I-1 (W-3) is blocked: not long enough to be red.
    t.say("lee", "work done W-1").await;
    assert_eq!(t.colour("I-1").await, "amber");
    t.advance("2m").await;
    t.say("lee", "work start W-2").await;
    t.advance("2h").await;
    assert_eq!(t.colour("I-1").await, "amber");
    t.quiet();
    t.finish().await;
}

#[tokio::test]
async fn a_stall_that_crosses_its_threshold_at_22_00_for_its_owner_is_told_at_09_00_there() {
    let mut t = founding().await;
    t.say("ana", NO_DIGEST).await;
    let r = t.say("ana", "settings timezone @ana Asia/Tokyo").await;
    assert!(r.contains("@ana's time zone is now Asia/Tokyo"), "{r}");
    t.say("lee", "work new I-1 \"Emails\" @kim").await;
    t.advance("3h").await;
    t.advance("30m").await; // Thursday 13:00 UTC
    t.say("lee", "work note W-1 \"halfway\"").await;
    t.advance("4d").await; // Monday 13:00: Kim starts hers, so I-1 keeps moving
    t.post("#leadership", "Leadership agenda");
    t.say("kim", "work start W-2").await;
    // Tuesday 13:00 UTC: W-1 has had three working days (Lee works in UTC) without activity.
    // It is 22:00 in Tokyo, where Ana is.
    t.advance("1d").await;
    assert_eq!(t.colour("G-1").await, "amber");
    t.advance("30m").await;
    t.dm("lee", "W-1 \"New welcome flow\" has stalled");
    t.dm("lee", "I-1 \"Onboarding revamp\" turned amber");
    t.no_dm("ana");
    t.advance("10h").await;
    t.advance("29m").await; // 08:59 in Tokyo
    t.no_dm("ana");
    t.advance("1m").await;
    let dm = t.take_output("dm", "@ana", "G-1 \"Cut churn to 3%\" turned amber");
    assert_eq!(
        dm.at.to_rfc3339(),
        "2026-11-25T00:00:00+00:00",
        "09:00 in Tokyo"
    );
    assert!(dm.text.contains("W-1"), "{}", dm.text);
    t.finish().await;
}

#[tokio::test]
async fn holidays_count_as_days_off() {
    let mut t = founding().await; // Thursday 19 November 09:30
    t.say("ana", NO_DIGEST).await;
    t.say("ana", "settings holiday 2026-11-20").await;
    let r = t.say("ana", "settings holiday 2026-11-23").await;
    assert!(r.contains("2026-11-20, 2026-11-23"), "{r}");
    // Thursday 8.5h, Tuesday 9h, Wednesday 9h: 26.5 working hours by Wednesday evening.
    t.advance("6d").await;
    t.advance("8h").await;
    t.advance("30m").await; // Wednesday 18:00
    t.post("#leadership", "Leadership agenda");
    assert_eq!(t.colour("W-1").await, "green");
    t.quiet();
    t.advance("16h").await; // Thursday 10:00: three working days since Thursday 09:30
    t.dm("lee", "W-1 \"New welcome flow\" has stalled");
    t.dm("lee", "I-1");
    t.dm("ana", "G-1");
    t.post("#leadership", "turned red");
    t.finish().await;
}

#[tokio::test]
async fn paused_work_neither_stalls_nor_nudges_and_resuming_starts_its_clock_afresh() {
    let mut t = founding().await;
    t.say("ana", NO_DIGEST).await;
    t.say("lee", "initiative pause I-1").await;
    t.advance("2w").await;
    t.post("#leadership", "Leadership agenda");
    t.post("#leadership", "Leadership agenda");
    assert_eq!(t.colour("W-1").await, "green");
    t.no_dm("lee");
    // G-1 has had no active initiative for ten working days: starved, which is its owner's to hear.
    t.dm("ana", "starved");
    t.post("#leadership", "G-1");
    t.say("lee", "initiative resume I-1").await;
    t.edit("ana", "Resolved");
    assert_eq!(
        t.colour("I-1").await,
        "green",
        "resuming is not a red alert"
    );
    assert_eq!(t.colour("W-1").await, "green");
    t.advance("2d").await; // two working days after resuming: still not stalled
    assert_eq!(t.colour("W-1").await, "green");
    t.quiet();
    t.finish().await;
}

#[tokio::test]
async fn a_snoozed_owner_hears_no_end_of_an_episode_they_never_heard_of() {
    let mut t = founding().await;
    t.say("ana", "snooze G-1 2d").await;
    t.say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    t.dm("cto", "no strategic home");
    t.say("lee", "work start W-2").await;
    t.dm("lee", "I-1");
    t.no_dm("ana");
    t.say("lee", "work done W-2").await;
    assert_eq!(t.colour("G-1").await, "green");
    t.edit("lee", "Resolved");
    t.quiet();
    t.advance("1d").await; // Friday's digest still tells the story, with its cause
    let digest = t.post("#leadership", "Daily digest");
    assert!(
        digest.contains("green to amber at Thu 09:30, because I-1 has 0.5 of 1 FTE planned")
            && digest.contains("lead @lee pulled onto other work: 0.5 FTE on W-2")
            && digest.contains("amber to green at Thu 09:30, once these ended: I-1 has 0.5"),
        "{digest}"
    );
    assert!(digest.contains("@ana: 0 sent, 1 held back"), "{digest}");
    t.finish().await;
}

#[tokio::test]
async fn mine_shows_what_a_person_was_told_and_what_was_held_back() {
    let mut t = founding().await;
    t.say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    t.dm("cto", "no strategic home");
    t.say("lee", "work start W-2").await;
    t.dm("ana", "turned amber");
    t.dm("lee", "turned amber");
    t.say("ana", "snooze G-1 2d").await;
    t.say("lee", "work block W-1 \"legal\"").await;
    t.thread("lee", "New on I-1");
    t.edit("lee", "I-1");
    let mine = t.say("ana", "mine").await;
    assert!(
        mine.contains("1 message that pinged you (0 waited for your working hours), 2 held back")
            && mine.contains("held back (snoozed): 2")
            && mine.contains("message: G-1 \"Cut churn to 3%\" turned amber"),
        "{mine}"
    );
    t.finish().await;
}

#[tokio::test]
async fn news_that_waits_for_the_morning_arrives_as_one_threaded_line() {
    let mut t = founding().await; // Thursday 09:30 UTC, 18:30 in Tokyo
    t.say("ana", NO_DIGEST).await;
    t.say("ana", "settings urgent none").await;
    t.say("ana", "settings timezone @ana Asia/Tokyo").await;
    t.say("lee", "work new I-1 \"Emails\" @kim").await;
    t.say("lee", "work new I-1 \"Pricing\" @bea").await;
    t.say("kim", "work start W-2").await;
    t.say("lee", "work block W-1 \"legal review\"").await; // on purpose: told at once
    t.dm("ana", "G-1 \"Cut churn to 3%\" turned amber");
    t.dm("lee", "I-1");
    t.advance("1h").await;
    t.say("bea", "work start W-3").await;
    // Tuesday 09:30 and 10:30 UTC (evening in Tokyo): W-2, then W-3 stall, and with W-1
    // blocked every active item of I-1 is stalled or blocked.
    t.advance("4d").await;
    t.post("#leadership", "Leadership agenda");
    t.advance("1d").await;
    t.advance("2h").await; // Tuesday 12:30 UTC
    t.dm("kim", "W-2 \"Emails\" has stalled");
    t.dm("bea", "W-3 \"Pricing\" has stalled");
    t.ignore("@lee");
    t.post("#leadership", "G-1 \"Cut churn to 3%\" turned red");
    t.no_dm("ana");
    t.advance("12h").await; // Wednesday 00:30 UTC: 09:00 in Tokyo came and went
    let line = t.take_output("thread", "@ana", "G-1");
    assert_eq!(line.at.to_rfc3339(), "2026-11-25T00:00:00+00:00");
    assert!(
        line.text.contains("G-1 is now red")
            && line.text.contains("W-2 \"Emails\" (@kim) stalled")
            && line.text.contains("W-3 \"Pricing\" (@bea) stalled"),
        "one line with all of it: {}",
        line.text
    );
    t.no_dm("ana");
    t.ignore("@ana"); // the edits of her message
    t.finish().await;
}

#[tokio::test]
async fn a_view_judges_starvation_over_the_weekend_as_the_stored_verdict_does() {
    let mut t = founding().await; // Thursday 09:30: Lee starts W-1
    t.say("ana", "settings digest \"0 0 9 1 1 *\"").await;
    t.advance("1d").await; // Friday 09:30
    t.say("lee", "work done W-1").await;
    // Monday 09:30: one working day since W-1 finished, three calendar days. Not starved.
    t.advance("3d").await;
    t.ignore_all();
    assert_eq!(t.colour("I-1").await, "green");
    let shown = t.say("ana", "initiative show I-1").await;
    assert!(!shown.contains("no work in doing"), "{shown}");
    let status = t.say("ana", "status").await;
    assert!(!status.contains("no work in doing"), "{status}");
    t.finish().await;
}
