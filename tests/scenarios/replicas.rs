//! Jobs are safe to run twice and from several processes; delivery happens once.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use throughline::message::MessageRef;
use throughline::notify::{self, Delivery, DeliveryError, Transport};
use throughline::schedule;

use crate::harness::*;

#[tokio::test]
async fn running_the_sweep_and_the_digest_twice_or_concurrently_sends_nothing_twice() {
    let mut t = founding().await;
    t.say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    t.ignore("@cto");
    let friday_nine: DateTime<Utc> = "2026-11-20T09:00:00Z".parse().unwrap();
    let ws = t.console.ws;
    let store = t.store().clone();
    // Two replicas tick the same moment at once, then once more each.
    let (a, b) = tokio::join!(
        schedule::tick(&store, ws, friday_nine),
        schedule::tick(&store, ws, friday_nine)
    );
    let ran = a.unwrap().len() + b.unwrap().len();
    assert_eq!(ran, 2, "the sweep and the digest each ran exactly once");
    assert!(
        schedule::tick(&store, ws, friday_nine)
            .await
            .unwrap()
            .is_empty()
    );
    let digests = t
        .scalar("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'digest:%'")
        .await;
    assert_eq!(digests, 1);
    assert_eq!(
        t.scalar("SELECT count(*) FROM scheduled_runs WHERE job = 'digest'")
            .await,
        1
    );
    // Reconciling again at the same moment finds nothing new to say.
    let queued = t.scalar("SELECT count(*) FROM outbox").await;
    let mut tx = store.begin().await.unwrap();
    throughline::engine::reconcile(&mut tx, ws, friday_nine, throughline::engine::Trigger::Time)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(t.scalar("SELECT count(*) FROM outbox").await, queued);
    t.advance("1d").await;
    t.post("#leadership", "Daily digest");
    t.finish().await;
}

/// A platform that fails a few times before it recovers, and records what got through.
#[derive(Default)]
struct Flaky {
    failures_left: Mutex<u32>,
    seen: Mutex<Vec<String>>,
}

impl Transport for Flaky {
    async fn deliver(&self, d: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
        let mut left = self.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return Err(DeliveryError::Transient {
                reason: "503".into(),
                retry_after: Some(chrono::Duration::seconds(2)),
            });
        }
        self.seen.lock().unwrap().push(d.dedupe_key.clone());
        Ok(None)
    }
}

#[tokio::test]
async fn notifications_survive_an_outage_and_arrive_exactly_once() {
    let mut t = T::new().await;
    // Queue a few notifications without delivering them through the console.
    let store = t.store().clone();
    t.say("ana", "work new none \"One\"").await;
    t.say("ana", "work new none \"Two\"").await;
    t.dm("ana", "One");
    t.dm("ana", "Two");
    sqlx::query("UPDATE outbox SET state = 'queued', delivered_at = NULL")
        .execute(&store.pool)
        .await
        .unwrap();

    let flaky = Flaky {
        failures_left: Mutex::new(3),
        ..Flaky::default()
    };
    let mut now: DateTime<Utc> = START.parse().unwrap();
    for _ in 0..10 {
        let (a, b) = tokio::join!(
            notify::dispatch_pending(&store, &flaky, now),
            notify::dispatch_pending(&store, &flaky, now)
        );
        a.unwrap();
        b.unwrap();
        now += chrono::Duration::seconds(3);
    }
    let mut seen = flaky.seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen.len(), 2, "{seen:?}");
    seen.dedup();
    assert_eq!(seen.len(), 2, "nothing delivered twice");
    assert_eq!(
        t.scalar("SELECT count(*) FROM outbox WHERE state = 'delivered'")
            .await,
        2
    );
    t.finish().await;
}

#[tokio::test]
async fn a_permanently_failing_recipient_is_given_up_not_retried_forever() {
    struct Refuses;
    impl Transport for Refuses {
        async fn deliver(&self, _: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
            Err(DeliveryError::Permanent("channel_not_found".into()))
        }
    }
    let mut t = T::new().await;
    let store = t.store().clone();
    t.say("ana", "work new none \"One\"").await;
    t.dm("ana", "One");
    sqlx::query("UPDATE outbox SET state = 'queued', delivered_at = NULL")
        .execute(&store.pool)
        .await
        .unwrap();
    let report = notify::dispatch_pending(&store, &Refuses, START.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(report.failed, 1);
    let error: String = sqlx::query_scalar("SELECT last_error FROM outbox WHERE state = 'failed'")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(error, "channel_not_found");
    t.finish().await;
}
