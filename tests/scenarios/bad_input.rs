//! Bad input gets a specific error and changes nothing.

use crate::harness::*;

#[tokio::test]
async fn every_kind_of_bad_input_is_refused_specifically_and_changes_nothing() {
    let mut t = founding().await;
    t.run("role @bob member").await;
    let long = "x".repeat(201);
    let cases: Vec<(&str, String, &str)> = vec![
        ("ana", "work start W-9".into(), "Did you mean W-1?"),
        ("ana", "goal show G-7".into(), "Did you mean G-1?"),
        (
            "ana",
            "goal new \"\" owner:@ana".into(),
            "goal new needs a title",
        ),
        (
            "ana",
            format!("goal new \"{long}\" owner:@ana"),
            "the title is 201 characters long; the limit is 200",
        ),
        (
            "ana",
            "goal new \"Cut churn owner:@ana".into(),
            "unclosed quote",
        ),
        (
            "ana",
            "goal new \"Launch\" owner:@ana due:2026-02-30".into(),
            "bad date '2026-02-30': expected YYYY-MM-DD",
        ),
        ("ana", "stauts".into(), "Did you mean /align status?"),
        (
            "ana",
            "goal rnak G-1 2".into(),
            "Did you mean /align goal rank?",
        ),
        (
            "bob",
            "goal rank G-1 2".into(),
            "only its owner or an admin can re-rank G-1; you are @bob",
        ),
        (
            "bob",
            "goal close G-1 dropped".into(),
            "only its owner or an admin can close G-1",
        ),
        (
            "bob",
            "settings stall_after 1d".into(),
            "only an admin can change settings; you are @bob.",
        ),
        (
            "ana",
            "goal new \"Launch\" owner:ana".into(),
            "owner must be a person, like @ana; 'ana' is not a person",
        ),
        (
            "ana",
            "goal new \"Launch\" owner:@channel".into(),
            "is not a person",
        ),
        (
            "ana",
            "goal new \"Launch\"".into(),
            "a goal needs exactly one owner",
        ),
        (
            "ana",
            "goal new \"Launch\" owner:@ana ownr:@bob".into(),
            "unknown option 'ownr:'",
        ),
        (
            "ana",
            "goal new \"Launch\" owner:@ana rank:0".into(),
            "rank must be a whole number",
        ),
        (
            "ana",
            "work new W-1 \"Child\"".into(),
            "work new expects initiative key (I-n) or goal key (G-n), but W-1 is a work item",
        ),
        (
            "ana",
            "work new \"No home\"".into(),
            "work new needs its home first",
        ),
        ("ana", "work block W-1".into(), "say what blocks it"),
        ("ana", "work start W-1".into(), "W-1 is already doing"),
        (
            "ana",
            "goal close G-1 achieved".into(),
            "G-1 still has open work: W-1",
        ),
        ("ana", "snooze G-1 soon".into(), "bad duration 'soon'"),
        (
            "ana",
            "settings timezone Mars/Base".into(),
            "unknown time zone 'Mars/Base'",
        ),
        (
            "ana",
            "settings digest \"every morning\"".into(),
            "is not a schedule",
        ),
        ("ana", "goal owner G-1 @ana".into(), "@ana already owns G-1"),
    ];
    for (who, command, expected) in cases {
        t.rejected(who, &command, expected).await;
    }
    t.finish().await;
}

#[tokio::test]
async fn an_owner_who_has_left_cannot_be_given_a_goal() {
    let mut t = T::new().await;
    t.run("leaves @zed").await;
    t.rejected(
        "ana",
        "goal new \"Launch\" owner:@zed",
        "@zed has left the workspace and cannot be the owner",
    )
    .await;
    t.finish().await;
}

#[tokio::test]
async fn help_answers_for_every_topic() {
    let mut t = T::new().await;
    for topic in [
        "goal",
        "initiative",
        "work",
        "views",
        "alerts",
        "settings",
        "status",
    ] {
        let help = t.say("ana", &format!("help {topic}")).await;
        assert!(help.contains("/align"), "{topic}: {help}");
    }
    assert!(t.say("ana", "help").await.contains("/align work new none"));
    t.finish().await;
}
