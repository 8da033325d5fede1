use crate::harness::*;

#[tokio::test]
async fn lead_pulled_onto_a_critical_bug_turns_the_goal_amber_and_tells_its_owner_at_once() {
    let mut t = founding().await;
    t.advance("1d").await;
    t.post("#leadership", "Daily digest"); // Friday's 09:00 digest, all green.

    let reply = t
        .say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    assert!(
        reply.contains("W-2") && reply.contains("no strategic home"),
        "{reply}"
    );
    let orphan = t.dm("cto", "W-2");
    assert!(
        orphan.contains("W-2") && orphan.contains("Link to G-1"),
        "{orphan}"
    );
    t.no_dm("ana");

    t.say("lee", "work start W-2").await;
    let dm = t.dm("ana", "G-1");
    for evidence in [
        "G-1",
        "I-1",
        "Onboarding revamp",
        "@lee",
        "W-2",
        "turned amber",
    ] {
        assert!(
            dm.contains(evidence),
            "the owner's DM names {evidence}: {dm}"
        );
    }
    let lead = t.dm("lee", "I-1");
    assert!(
        lead.contains("I-1") && lead.contains("turned amber"),
        "{lead}"
    );

    let status = t.say("ana", "status").await;
    assert!(status.starts_with("[AMBER]"), "{status}");
    assert!(
        status.contains("G-1 \"Cut churn to 3%\" is amber")
            && status.contains("pulled onto other work"),
        "{status}"
    );
    assert!(
        status.contains("W-1 \"New welcome flow\" (@lee, doing)"),
        "moving work is listed: {status}"
    );
    assert!(
        t.say("ana", "orphans")
            .await
            .contains("W-2 \"Critical payment bug\"")
    );
    t.finish().await;
}

#[tokio::test]
async fn console_json_lines_follow_the_contract() {
    let mut t = founding().await;
    let reply = t.run("@ana: /align goal show G-1").await.unwrap();
    let json: serde_json::Value = serde_json::to_value(&reply).unwrap();
    assert_eq!(json["kind"], "reply");
    assert_eq!(json["to"], "@ana");
    assert_eq!(json["at"], "2026-11-19T09:30:00Z");
    assert!(json["text"].as_str().unwrap().contains("G-1"));
    assert_eq!(json.as_object().unwrap().len(), 4, "{json}");
    t.finish().await;
}

#[tokio::test]
async fn transfer_of_ownership_keeps_exactly_one_owner_and_is_in_history() {
    let mut t = founding().await;
    let reply = t.say("ana", "goal owner G-1 @bea").await;
    assert!(reply.contains("now owned by @bea (was @ana)"), "{reply}");
    let owners = t
        .scalar("SELECT count(DISTINCT owner_id) FROM goals WHERE number = 1")
        .await;
    assert_eq!(owners, 1);
    let handle: String = sqlx::query_scalar(
        "SELECT p.handle FROM goals g JOIN people p ON p.id = g.owner_id WHERE g.number = 1",
    )
    .fetch_one(&t.store().pool)
    .await
    .unwrap();
    assert_eq!(handle, "bea");
    let history = t.say("ana", "history G-1").await;
    assert!(
        history.contains("@ana owner: owner @ana -> owner @bea"),
        "{history}"
    );
    t.finish().await;
}

#[tokio::test]
async fn a_goal_with_more_work_than_a_message_can_hold_lists_the_first_and_counts_the_rest() {
    let mut t = founding().await; // W-1 in doing
    for n in 2..=20 {
        t.say("lee", &format!("work new I-1 \"Screen {n}\" @kim"))
            .await;
    }
    t.say("kim", "work start W-20").await;
    t.say("kim", "work block W-19 \"waiting on legal\"").await;
    let view = t.say("ana", "goal show G-1").await;
    // Moving: W-1 and W-20. Not moving: W-19 (blocked) first, then the first fourteen of
    // the seventeen not started.
    let listed = |key: &str| view.contains(&format!("{key} \"Screen"));
    assert!(
        view.contains("W-20 \"Screen 20\" (@kim, doing) in I-1"),
        "{view}"
    );
    let blocked = view.find("W-19 \"Screen 19\" (@kim, blocked) in I-1: waiting on legal");
    let first_idle = view.find("W-2 \"Screen 2\" (@kim, todo) in I-1: idle, not started");
    assert!(blocked.is_some() && blocked < first_idle, "{view}");
    assert!(
        listed("W-15") && !listed("W-16") && !listed("W-18"),
        "{view}"
    );
    assert!(
        view.contains("and 3 more: `/align initiative show` lists an initiative's work"),
        "{view}"
    );
    let whole = t.say("ana", "initiative show I-1").await;
    assert!(
        whole.contains("W-19 \"Screen 19\" (@kim, blocked) in I-1: waiting on legal"),
        "{whole}"
    );
    t.ignore_all();
    t.finish().await;
}
