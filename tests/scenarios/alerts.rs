//! Who hears what, and when: snoozes, caps, acknowledgements, the digest and the agenda.

use crate::harness::*;

#[tokio::test]
async fn a_snoozed_owner_is_not_messaged_but_the_digest_still_lists_the_goal() {
    let mut t = founding().await;
    t.say("ana", "snooze G-1 2d").await;
    t.say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    t.dm("cto", "no strategic home");
    t.say("lee", "work start W-2").await;
    assert_eq!(t.colour("G-1").await, "amber");
    t.no_dm("ana");
    t.dm("lee", "I-1");
    t.advance("1d").await; // Friday 09:00 digest
    let digest = t.post("#leadership", "Daily digest");
    assert!(
        digest.contains("G-1 \"Cut churn to 3%\": green to amber"),
        "{digest}"
    );
    assert!(
        digest.contains("W-2 \"Critical payment bug\" (@lee) has no strategic home"),
        "{digest}"
    );
    assert!(
        digest.contains("50% of the capacity in use (1 of 2 FTE) goes to no goal")
            || digest.contains("goes to no goal"),
        "{digest}"
    );
    t.finish().await;
}

#[tokio::test]
async fn the_digest_names_owners_who_ignored_alerts_until_they_acknowledge() {
    let mut t = founding().await;
    t.say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    t.say("lee", "work start W-2").await;
    t.dm("cto", "no strategic home");
    t.dm("ana", "turned amber");
    t.dm("lee", "I-1");
    t.advance("1d").await; // Friday 09:00: the alert is not yet a day old
    let friday = t.post("#leadership", "Daily digest");
    assert!(!friday.contains("has not acknowledged"), "{friday}");
    t.advance("3d").await; // Monday: agenda at 08:30, digest at 09:00
    let agenda = t.post("#leadership", "Leadership agenda");
    assert!(
        agenda.contains("Re-staff it, re-plan it, or accept the slip?"),
        "{agenda}"
    );
    assert!(agenda.contains("[no goal] Work with no home"), "{agenda}");
    let monday = t.post("#leadership", "Daily digest");
    assert!(
        monday.contains("@ana has not acknowledged the alert on G-1"),
        "{monday}"
    );
    t.say("ana", "ack G-1").await;
    t.advance("1d").await;
    let tuesday = t.post("#leadership", "Daily digest");
    assert!(!tuesday.contains("has not acknowledged"), "{tuesday}");
    // Lee's W-1 stalled this morning (three working days); once that has lasted `settle`, his
    // goal's owner hears of it in the thread of her episode's message.
    t.advance("30m").await;
    t.thread("ana", "W-1 \"New welcome flow\" (@lee) stalled");
    t.ignore("@lee");
    t.ignore("@ana");
    t.ignore("#leadership");
    t.finish().await;
}

#[tokio::test]
async fn the_daily_cap_holds_direct_messages_beyond_it() {
    let mut t = T::new().await;
    t.say("ana", "settings dm_cap 2").await;
    for n in 1..=3 {
        t.say("ana", &format!("work new none \"Chore {n}\"")).await;
    }
    t.dm("ana", "Chore 1");
    t.dm("ana", "Chore 2");
    t.no_dm("ana");
    let held = t.scalar("SELECT count(*) FROM outbox WHERE state = 'held' AND held_reason = 'daily cap reached'").await;
    assert_eq!(held, 1);
    assert!(
        t.say("ana", "digest").await.contains("Chore 3"),
        "held alerts still reach the digest"
    );
    t.finish().await;
}

#[tokio::test]
async fn an_initiative_lead_who_owns_the_goal_hears_about_it_once() {
    let mut t = T::new().await;
    t.say("ana", "goal new \"Cut churn\" owner:@ana").await;
    t.say("ana", "initiative new G-1 \"Revamp\" lead:@ana plan:1")
        .await;
    t.say("ana", "work new I-1 \"Flow\"").await;
    t.say("ana", "work start W-1").await;
    t.say("ana", "work block W-1 \"vendor\"").await;
    t.dm("ana", "G-1 \"Cut churn\" turned amber");
    t.no_dm("ana");
    t.advance("30m").await;
    t.thread("ana", "G-1 is now red");
    t.edit("ana", "G-1");
    t.no_dm("ana");
    t.post("#leadership", "turned red");
    t.finish().await;
}
