//! A write re-evaluates only what it can affect. The proof: on random workspaces, after
//! every command, what is stored (health, open signals) equals what a full evaluation of the
//! whole workspace says at the same moment.

use std::collections::{BTreeMap, BTreeSet};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use throughline::domain::health;
use throughline::engine::{Trigger, reconcile};
use throughline::store::{model, signals, workspaces};

use crate::harness::*;

const PEOPLE: [&str; 6] = ["ana", "lee", "bea", "cto", "dan", "eve"];

/// A command someone might type next, over keys that may or may not exist.
fn random_command(rng: &mut StdRng) -> String {
    let who = *PEOPLE.choose(rng).unwrap();
    let other = *PEOPLE.choose(rng).unwrap();
    let (g, i, w, k) = (
        rng.gen_range(1..=4),
        rng.gen_range(1..=6),
        rng.gen_range(1..=24),
        rng.gen_range(1..=3),
    );
    let command = match rng.gen_range(0..20) {
        0 => format!("goal new \"Goal {g}\" owner:@{other} rank:{g}"),
        1 => format!("initiative new G-{g} \"Initiative {i}\" lead:@{other} plan:1"),
        2..=4 => format!("work new I-{i} \"Item\" @{other}"),
        5 => format!("work new G-{g} \"Direct item\" @{other}"),
        6 => format!("work new none \"Loose item\" @{other}"),
        7..=9 => format!("work start W-{w}"),
        10 => format!("work block W-{w} \"waiting\""),
        11 => format!("work done W-{w}"),
        12 => format!("work drop W-{w}"),
        13 => format!("work assign W-{w} @{other}"),
        14 => format!("work link W-{w} I-{i}"),
        15 => format!("initiative pause I-{i}"),
        16 => format!("initiative resume I-{i}"),
        17 => format!("kr new G-{g} \"Churn\" from:8% to:5% start:2026-10-01 by:2027-01-31"),
        18 => format!("kr update K-{k} {:.1}%", rng.gen_range(4.0..9.0)),
        _ => format!("goal close G-{g} dropped"),
    };
    format!("@{who}: /align {command}")
}

/// Stored health and open signals against a full evaluation at the console's moment.
async fn assert_matches_full_evaluation(t: &T, step: &str) {
    let ws = t.console.ws;
    let now = t.console.now();
    let mut conn = t.store().pool.acquire().await.unwrap();
    let settings = workspaces::settings(&mut conn, ws).await.unwrap();
    let snap = model::snapshot(
        &mut conn,
        ws,
        now - settings.lookback(settings.starve_after),
        now - settings.kr_stuck_after,
    )
    .await
    .unwrap();
    let full = health::evaluate(&snap, &settings, now);
    let judged: Vec<String> = full.health.keys().cloned().collect();
    let stored = signals::stored_health(&mut conn, ws, &judged, true)
        .await
        .unwrap();
    let stored: BTreeMap<&String, &health::Health> = stored
        .iter()
        .filter(|(_, h)| h.colour != throughline::domain::Colour::None)
        .collect();
    let expected: BTreeMap<&String, &health::Health> = full.health.iter().collect();
    assert_eq!(stored, expected, "health after {step}");

    let open: BTreeSet<(String, String, String)> = signals::open(&mut conn, ws, None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.kind, s.subject, s.summary))
        .collect();
    let raised: BTreeSet<(String, String, String)> = full
        .conditions
        .iter()
        .map(|c| {
            (
                c.kind.as_str().to_string(),
                c.subject.clone(),
                c.summary.clone(),
            )
        })
        .collect();
    assert_eq!(open, raised, "open signals after {step}");
}

/// Evaluates the whole workspace now, as the sweep does: after time moves, what changed
/// with it is judged everywhere before the next writes are compared.
async fn sweep_now(t: &T) {
    let store = t.store();
    let mut tx = store.begin().await.unwrap();
    workspaces::lock(&mut tx, t.console.ws).await.unwrap();
    reconcile(&mut tx, t.console.ws, t.console.now(), Trigger::Time)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_scoped_evaluation_stores_what_a_full_evaluation_says() {
    for seed in 1..=4_u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut t = T::new().await;
        t.say("ana", "settings stall_after 2d").await;
        t.say("ana", "settings starve_after 3d").await;
        t.say("ana", "settings settle 0m").await;
        for line in [
            "@ana: /align goal new \"Cut churn\" owner:@ana rank:1",
            "@ana: /align goal new \"Grow partners\" owner:@bea rank:2",
            "@ana: /align initiative new G-1 \"Onboarding\" lead:@lee plan:2",
            "@ana: /align initiative new G-2 \"Partner portal\" lead:@dan plan:1",
        ] {
            t.run(line).await;
        }
        for step in 0..120 {
            if step % 15 == 14 {
                let hours = rng.gen_range(1..=60);
                t.run(&format!("+{hours}h")).await;
                sweep_now(&t).await;
                assert_matches_full_evaluation(&t, &format!("seed {seed}: +{hours}h")).await;
                continue;
            }
            let line = random_command(&mut rng);
            t.run(&line).await;
            assert_matches_full_evaluation(&t, &format!("seed {seed}, step {step}: {line}")).await;
        }
        t.ignore_all();
        t.finish().await;
    }
}
