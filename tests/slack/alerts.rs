//! Alerts worth reading, on Slack: a state that lasts minutes sends nothing, and the digest
//! names the blocked item and what blocks it.

use chrono::Duration;

use crate::founding::founding;

#[tokio::test]
async fn a_lead_moving_between_items_sends_nothing_and_the_digest_names_each_cause() {
    let s = founding().await; // Thursday 09:30 UTC (10:30 in Paris, where everyone is)
    s.slash("ULEE", "work new I-1 \"Welcome emails\" <@ULEE>")
        .await;
    s.slash("ULEE", "work new I-1 \"Vendor API\" <@UBEA>").await;
    s.slash("UBEA", "work start W-3").await;
    s.slash("UBEA", "work block W-3 \"waiting on vendor\"")
        .await;
    s.fake
        .take_dm("UANA", &["G-1", "turned amber", "waiting on vendor"]);
    s.fake.take_dm("ULEE", &["I-1", "turned amber"]);
    // For two minutes every active item of I-1 is blocked: not red, and nobody is told.
    s.slash("ULEE", "work done W-1").await;
    s.advance(Duration::minutes(2)).await;
    s.slash("ULEE", "work start W-2").await;
    s.advance(Duration::hours(2)).await;
    assert!(s.fake.unread().is_empty(), "{:#?}", s.fake.unread());
    assert_eq!(
        s.text("SELECT colour FROM health WHERE subject = 'I-1'")
            .await,
        "amber"
    );
    s.advance(Duration::hours(22)).await; // Friday 09:00: the digest
    let digest = s.fake.take("#leadership", &["Daily digest"]).to_string();
    assert!(
        digest.contains("G-1 \\\"Cut churn to 3%\\\": green to amber at Thu 09:30, because")
            && digest.contains("W-3 \\\"Vendor API\\\" (@bea) blocked: waiting on vendor"),
        "{digest}"
    );
    assert!(
        digest.contains("(in I-1 \\\"Onboarding revamp\\\", lead @lee)"),
        "the blocked item's initiative and lead: {digest}"
    );
    s.finish().await;
}
