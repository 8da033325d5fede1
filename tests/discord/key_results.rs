//! Key results on Discord: typed options become the same commands, and `K-` keys complete.

use serde_json::json;

use crate::founding::*;

#[tokio::test]
async fn key_results_are_made_checked_in_and_completed_with_typed_options() {
    let d = founding().await;
    let made = d
        .slash_in(
            GUILD,
            ANA,
            "kr new",
            &[
                ("goal", json!("G-1")),
                ("title", json!("Monthly churn")),
                ("by", json!("2027-06-30")),
                ("from", json!("8%")),
                ("to", json!("5%")),
            ],
        )
        .await;
    assert!(text(&made).contains("Created K-1"), "{made:#}");
    assert_eq!(
        d.autocomplete(GUILD, LEE, "kr update", "kr", "chu").await,
        vec![("K-1".to_string(), "K-1 · Monthly churn".to_string())]
    );
    let checked = d
        .slash_in(
            GUILD,
            LEE,
            "kr update",
            &[
                ("kr", json!("K-1")),
                ("value", json!("7.6%")),
                ("note", json!("first cohort")),
                ("confidence", json!("on-track")),
            ],
        )
        .await;
    assert!(text(&checked).contains("Checked in K-1"), "{checked:#}");
    assert_eq!(
        d.text("SELECT value::text || ' ' || confidence || ' ' || note FROM kr_checkins")
            .await,
        "7.6 on-track first cohort"
    );
    // A value in another unit is refused, as on every platform.
    let refused = d
        .slash_in(
            GUILD,
            LEE,
            "kr update",
            &[("kr", json!("K-1")), ("value", json!("$5"))],
        )
        .await;
    assert!(text(&refused).contains("counts in percent"), "{refused:#}");
    d.finish().await;
}
