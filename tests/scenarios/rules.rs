//! Each health rule of the design, shown firing with its evidence.

use crate::harness::*;

const NO_DIGEST: &str = "settings digest \"0 0 9 1 1 *\"";

#[tokio::test]
async fn stalled_work_is_nudged_once_then_not_again_before_nudge_every() {
    let mut t = founding().await; // Thursday 09:30: Lee starts W-1
    t.say("ana", NO_DIGEST).await;
    t.advance("4d").await; // Monday 09:30: 18 working hours, the weekend does not count
    t.post("#leadership", "Leadership agenda");
    t.quiet();
    t.advance("1d").await; // Tuesday 09:30: three working days; the stall settles first
    t.quiet();
    assert_eq!(t.colour("W-1").await, "amber");
    t.advance("30m").await;
    let nudge = t.dm("lee", "has stalled");
    assert!(
        nudge.contains("W-1 \"New welcome flow\" has stalled")
            && nudge.contains("3 working days")
            && nudge.contains("Still on it"),
        "{nudge}"
    );
    // Every active item of I-1 has been stalled for 30 minutes: I-1 is red, and so is its goal.
    assert_eq!(t.colour("I-1").await, "red");
    assert!(t.dm("lee", "I-1").contains("turned red"));
    assert!(t.dm("ana", "turned red").contains("stalled"));
    t.post("#leadership", "turned red");
    t.advance("1d").await;
    t.quiet();
    t.advance("1d").await; // nudge_every (2 working days) after the first message
    t.thread("lee", "Still stalled: W-1");
    t.say("lee", "work note W-1 \"still on it\"").await;
    assert_eq!(t.colour("W-1").await, "green");
    // Each episode's message is edited to resolved; nobody gets a new message.
    assert!(t.edit("ana", "Resolved after 2d").contains("G-1"));
    t.edit("lee", "Resolved after 2d: I-1");
    t.edit("lee", "Resolved after 2d: W-1");
    t.finish().await;
}
#[tokio::test]
async fn a_starved_goal_turns_red_and_the_channel_hears_it() {
    let mut t = T::new().await;
    t.say("ana", "goal new \"Enter Japan\" owner:@ana rank:2")
        .await;
    t.say("ana", NO_DIGEST).await;
    t.advance("1d").await;
    assert_eq!(t.colour("G-1").await, "green");
    t.advance("3d").await; // Monday 09:30: two working days with nothing in doing
    t.post("#leadership", "Leadership agenda");
    assert_eq!(t.colour("G-1").await, "red");
    let dm = t.dm("ana", "turned red");
    assert!(
        dm.contains("G-1 \"Enter Japan\" turned red") && dm.contains("starved"),
        "{dm}"
    );
    t.post("#leadership", "turned red");
    assert!(
        t.say("ana", "agenda")
            .await
            .contains("Put work behind it, or drop it?")
    );
    t.finish().await;
}
#[tokio::test]
async fn blocked_work_turns_its_initiative_red_and_its_goal_red() {
    let mut t = founding().await;
    t.say("lee", "work block W-1 \"waiting for legal review\"")
        .await;
    assert_eq!(t.colour("W-1").await, "amber");
    // Every active item is blocked, but that rule must hold for `settle` before it turns red.
    assert_eq!(t.colour("I-1").await, "amber");
    assert_eq!(t.colour("G-1").await, "amber");
    t.dm("ana", "waiting for legal review");
    t.dm("lee", "I-1 \"Onboarding revamp\" turned amber");
    t.advance("30m").await;
    assert_eq!(t.colour("I-1").await, "red");
    // One initiative of one is red: half or more, so the goal is red as well.
    assert_eq!(t.colour("G-1").await, "red");
    assert!(
        t.thread("ana", "G-1 is now red")
            .contains("every active item of I-1")
    );
    t.edit("ana", "got worse: amber to red");
    t.thread("lee", "I-1 is now red");
    t.edit("lee", "got worse: amber to red");
    t.post("#leadership", "G-1");
    t.say("lee", "work start W-1").await;
    assert_eq!(t.colour("G-1").await, "green");
    t.edit("ana", "Resolved after 30m");
    t.edit("lee", "Resolved after 30m");
    t.finish().await;
}
#[tokio::test]
async fn some_work_blocked_makes_the_initiative_amber_only() {
    let mut t = founding().await;
    t.say("lee", "work new I-1 \"Emails\" @kim").await;
    t.say("kim", "work start W-2").await;
    t.say("kim", "work block W-2 \"no SMTP account\"").await;
    assert_eq!(t.colour("I-1").await, "amber");
    assert_eq!(t.colour("G-1").await, "amber");
    t.dm("ana", "no SMTP account");
    t.dm("lee", "I-1 \"Onboarding revamp\" turned amber");
    t.finish().await;
}

#[tokio::test]
async fn capacity_below_plan_is_amber_then_red() {
    let mut t = founding().await;
    t.say(
        "ana",
        "initiative new G-1 \"Pricing page\" lead:@kim plan:2",
    )
    .await;
    t.say("kim", "work new I-2 \"Copy\" @kim").await;
    t.say("kim", "work start W-2").await; // 1 of 2 FTE: 50%
    assert_eq!(t.colour("I-2").await, "amber");
    // Nobody chose this shortfall: it is told once it has lasted `settle`.
    t.quiet();
    t.advance("30m").await;
    t.dm("ana", "I-2 has 1 of 2 FTE planned (50%, amber below 70%)");
    t.dm("kim", "I-2 \"Pricing page\" turned amber");
    t.say("ana", "settings capacity_amber 40").await;
    assert_eq!(t.colour("I-2").await, "green");
    t.edit("ana", "Resolved after 30m");
    t.edit("kim", "Resolved after 30m");
    t.say("ana", "initiative new G-1 \"Referrals\" lead:@kim plan:4")
        .await;
    t.say("kim", "work new I-3 \"Invite flow\" @kim").await;
    t.say("kim", "work start W-3").await; // Kim splits 1 FTE: 0.5 on I-2 (25%), 0.5 on I-3 (12%)
    assert_eq!(t.colour("I-2").await, "amber", "red only once it holds");
    assert!(
        t.say("kim", "initiative show I-2")
            .await
            .contains("red below 30% once it holds 30m")
    );
    t.advance("30m").await;
    assert_eq!(t.colour("I-2").await, "red");
    assert_eq!(t.colour("I-3").await, "red");
    t.dm("ana", "red below 30%, for 30m");
    t.dm("kim", "I-2");
    t.dm("kim", "I-3");
    t.post("#leadership", "turned red");
    t.finish().await;
}
#[tokio::test]
async fn overdue_initiative_is_red_and_goal_past_due_with_open_work_is_red() {
    let mut t = T::new().await;
    t.say("ana", "goal new \"Launch v2\" owner:@ana due:2026-11-20")
        .await;
    t.say(
        "ana",
        "initiative new G-1 \"Beta\" lead:@lee plan:1 due:2026-11-19",
    )
    .await;
    t.say("lee", "work new I-1 \"Fix signup\" @lee").await;
    t.say("lee", "work start W-1").await;
    t.say("ana", NO_DIGEST).await;
    t.advance("1d").await; // Friday the 20th: the initiative's date has passed
    assert_eq!(t.colour("I-1").await, "red");
    // The goal turning red is urgent: told at midnight; the lead hears at 09:00.
    t.dm("ana", "I-1 was due 2026-11-19");
    t.dm("lee", "I-1");
    t.post("#leadership", "turned red");
    t.say("ana", "initiative pause I-1").await;
    t.edit("ana", "Resolved");
    t.edit("lee", "Resolved");
    t.advance("1d").await; // Saturday: the goal is past due with open work
    t.dm(
        "ana",
        "G-1 was due 2026-11-20 and still has 1 open work item",
    );
    assert_eq!(t.colour("G-1").await, "red");
    assert_eq!(t.colour("W-1").await, "green", "paused work does not stall");
    t.post("#leadership", "turned red");
    t.finish().await;
}
#[tokio::test]
async fn stalled_work_directly_under_a_goal_makes_it_amber() {
    let mut t = T::new().await;
    t.say("ana", "goal new \"Hire a CFO\" owner:@ana").await;
    t.say("ana", "work new G-1 \"Brief recruiters\" @ana").await;
    t.say("ana", "work start W-1").await;
    t.say("ana", NO_DIGEST).await;
    t.advance("5d").await; // Tuesday 09:30: three working days
    t.post("#leadership", "Leadership agenda");
    assert_eq!(t.colour("G-1").await, "amber");
    t.advance("30m").await;
    assert!(t.dm("ana", "turned amber").contains("W-1"));
    t.dm("ana", "has stalled");
    t.finish().await;
}
#[tokio::test]
async fn orphan_work_linked_later_resolves_its_signal() {
    let mut t = founding().await;
    t.say("cto", "work new none \"Pen test\" @kim why:\"audit\"")
        .await;
    t.dm("cto", "W-2 \"Pen test\" has no strategic home");
    assert_eq!(
        t.scalar("SELECT count(*) FROM signals WHERE kind = 'orphan' AND resolved_at IS NULL")
            .await,
        1
    );
    let reply = t.say("cto", "work link W-2 G-1").await;
    assert!(reply.contains("Linked W-2"), "{reply}");
    assert_eq!(
        t.scalar("SELECT count(*) FROM signals WHERE kind = 'orphan' AND resolved_at IS NULL")
            .await,
        0
    );
    assert!(
        t.say("ana", "orphans")
            .await
            .contains("Every open work item has a strategic home")
    );
    t.finish().await;
}

#[tokio::test]
async fn an_owner_who_leaves_raises_owner_gone_until_ownership_moves() {
    let mut t = founding().await;
    t.run("leaves @ana").await;
    assert_eq!(t.colour("G-1").await, "amber");
    t.post("#leadership", "G-1 \"Cut churn to 3%\" has lost its owner");
    t.no_dm("ana");
    t.say("cto", "goal owner G-1 @bea").await;
    assert_eq!(t.colour("G-1").await, "green");
    // Bea takes over a green goal, and Ana never heard of the episode: nothing to resolve.
    t.quiet();
    t.finish().await;
}
#[tokio::test]
async fn an_initiative_with_no_work_in_doing_starves_and_turns_red() {
    let mut t = T::new().await;
    t.say("ana", "goal new \"Cut churn\" owner:@ana").await;
    t.say(
        "ana",
        "initiative new G-1 \"Win-back emails\" lead:@lee plan:1",
    )
    .await;
    t.say("lee", "work new I-1 \"Draft emails\" @lee").await; // todo: nobody is on it
    t.say("ana", NO_DIGEST).await;
    t.advance("1d").await;
    assert_eq!(
        t.colour("I-1").await,
        "green",
        "not starved before starve_after"
    );
    t.advance("3d").await; // Monday 09:30: two working days
    t.post("#leadership", "Leadership agenda");
    assert_eq!(t.colour("I-1").await, "red");
    t.dm("ana", "turned red"); // urgent: at once
    t.post("#leadership", "turned red");
    t.advance("30m").await;
    assert!(
        t.dm("lee", "I-1")
            .contains("I-1 has had no work in doing for 2 working days")
    );
    t.finish().await;
}
#[tokio::test]
async fn a_goal_that_gets_worse_tells_its_owner_again() {
    let mut t = founding().await;
    t.say("lee", "work new I-1 \"Emails\" @kim").await;
    t.say("kim", "work start W-2").await;
    t.say("kim", "work block W-2 \"no SMTP account\"").await;
    t.dm("ana", "turned amber");
    t.dm("lee", "turned amber");
    // A new cause on a goal that is already amber: the owner's message is edited, and one
    // threaded line names the item and its blocker.
    t.say("lee", "work block W-1 \"waiting for legal\"").await;
    let line = t.thread("ana", "New on G-1");
    assert!(
        line.contains("W-1 \"New welcome flow\" (@lee) blocked: waiting for legal"),
        "{line}"
    );
    assert!(t.edit("ana", "G-1").contains("waiting for legal"));
    t.thread("lee", "New on I-1");
    t.edit("lee", "I-1");
    t.advance("30m").await; // every active item blocked for `settle`: red
    t.thread("ana", "G-1 is now red");
    t.edit("ana", "got worse: amber to red");
    t.thread("lee", "I-1 is now red");
    t.edit("lee", "got worse: amber to red");
    t.post("#leadership", "turned red");
    t.finish().await;
}
