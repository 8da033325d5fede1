//! The scheduler looks at a workspace when one of its clocks can run out, not on every tick.

use crate::harness::*;

const NO_DIGEST: &str = "settings digest \"0 0 9 1 1 *\"";
const SWEEPS: &str = "SELECT count(*) FROM scheduled_runs WHERE job = 'sweep'";

#[tokio::test]
async fn a_quiet_workspace_sleeps_until_its_next_clock_and_wakes_for_a_change() {
    let mut t = founding().await; // Thursday 09:30: Lee is doing W-1
    t.say("ana", NO_DIGEST).await;
    t.advance("15m").await; // the sweep after the changes looks, then plans its wake-up
    let looked = t.scalar(SWEEPS).await;
    assert_eq!(looked, 1);
    t.advance("6h").await; // 24 quarter hours in which time can change nothing
    assert_eq!(
        t.scalar(SWEEPS).await,
        looked,
        "a quiet workspace was swept"
    );

    // A note restarts W-1's clock: the next sweep looks again, then sleeps again.
    t.say("lee", "work note W-1 \"first screens drafted\"")
        .await; // Thursday 15:45
    t.advance("1h").await;
    assert_eq!(t.scalar(SWEEPS).await, looked + 1);

    // Three working days (27 hours) after the note: Tuesday 15:45, not a minute late.
    t.advance("4d").await; // Monday 16:45, past the agenda
    t.post("#leadership", "Leadership agenda");
    t.advance("22h").await;
    t.advance("45m").await; // Tuesday 15:30
    assert_eq!(t.colour("W-1").await, "green");
    t.advance("15m").await;
    assert_eq!(t.colour("W-1").await, "amber");
    let mine = t.say("lee", "mine").await;
    assert!(
        mine.contains("W-1 \"New welcome flow\" (@lee, doing) in I-1: stalled, last activity 2026-11-19 for I-1 \"Onboarding revamp\" (G-1)"),
        "{mine}"
    );
    t.ignore_all();
    t.finish().await;
}
