//! `throughline demo`: the founding scenario, narrated, on the console transport.

use chrono::{DateTime, Utc};

use crate::platform::console::{Console, transcript};
use crate::store::Store;

const STEPS: &[(&str, &[&str])] = &[
    (
        "Thursday 09:30. Ana owns the top priority, cutting churn, measured by one key result: monthly\n\
         churn from 8% to 5% this quarter, on pace so far. Lee leads the onboarding revamp behind it and\n\
         starts the first piece of work. Every item is linked to its goal as it is born.",
        &[
            "@ana: /align goal new \"Cut churn to 3%\" owner:@ana rank:1",
            "@ana: /align kr new G-1 \"Monthly churn\" from:8% to:5% start:2026-10-01 by:2026-12-31",
            "@ana: /align kr update K-1 6.5% \"October's cohort\"",
            "@ana: /align initiative new G-1 \"Onboarding revamp\" lead:@lee plan:1",
            "@lee: /align work new I-1 \"New welcome flow\" @lee",
            "@lee: /align work start W-1",
        ],
    ),
    ("Four quiet hours pass.", &["+4h"]),
    (
        "13:30. The CTO pulls Lee onto a critical payment bug: work with no strategic home.\n\
         Watch what happens the moment Lee starts it.",
        &[
            "@cto: /align work new none \"Critical payment bug\" @lee why:\"customers cannot pay\"",
            "@lee: /align work start W-2",
        ],
    ),
    (
        "Ana asks what is moving her priorities, and what is not.",
        &["@ana: /align status"],
    ),
    (
        "Ana acknowledges the alert. The night passes; the sweep keeps checking.",
        &["@ana: /align ack G-1", "+20h"],
    ),
    (
        "Friday 09:30: the digest above reached the leadership channel before standup, naming the cause.\n\
         Ana checks in this week's churn: it ticked up while the revamp stood still.",
        &[
            "@ana: /align kr update K-1 6.8% \"the revamp slipped a week\"",
            "+1h",
        ],
    ),
    (
        "Lee fixes the bug and goes back to the revamp. The work is moving again, but the outcome is\n\
         behind: G-1 stays amber on its key result alone, until churn catches up.",
        &["@lee: /align work done W-2", "@ana: /align goal show G-1"],
    ),
];

pub async fn run(store: Store) -> anyhow::Result<()> {
    let start: DateTime<Utc> = "2026-11-19T09:30:00Z".parse()?;
    let mut console = Console::start(store, start).await?;
    println!(
        "Throughline demo: a strategic initiative stalls on Thursday, and leadership knows in seconds.\n"
    );
    for (narration, lines) in STEPS {
        println!("== {narration}\n");
        for (n, line) in lines.iter().enumerate() {
            println!("> {line}");
            for o in console.line(n + 1, line).await? {
                println!("{}", transcript(&o));
            }
        }
        println!();
    }
    println!(
        "That is the whole loop: work linked at birth, health computed with reasons, the one accountable"
    );
    println!(
        "owner told at once, and the leadership channel told every morning. Try your own script with"
    );
    println!("`throughline console --script FILE`; `/align help` lists every command.");
    Ok(())
}
