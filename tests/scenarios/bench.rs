//! The benchmark runs end to end (small): every line of its table is measured, and what it
//! measured were commands that succeeded. Its figures are not asserted.

use throughline::bench::{self, Config};
use throughline::devdb::Scratch;

#[tokio::test]
async fn the_benchmark_measures_every_line_of_its_table() {
    let scratch = Scratch::new("throughline_test", 10)
        .await
        .expect("a fresh database");
    let config = Config {
        binary: Some(env!("CARGO_BIN_EXE_throughline").into()),
        ..Config::smoke()
    };
    let report = bench::run(scratch.store.clone(), &config)
        .await
        .expect("the benchmark runs");
    let table = bench::describe(&report);
    for line in [
        "one-row insert commit (the floor)",
        "work note at 300 open + 600 closed",
        "kr update (a check-in) at 100 open",
        "status at 300 open",
        "8 writers on one workspace",
        "steady scheduler tick over 3 workspaces x 100 open items",
        "tick with every one of 3 workspaces x 100 open items due",
        "tick after",
        "cold start of serve",
        "mixed 70/30 reads/writes at 20 commands/s, 200 open items, signed Slack requests",
        "10 commands; 0 answered after the window; 0 errors",
        "ack of a command that queues a DM to a person whose DMs are paced",
        "3 DMs caused",
        "peak RSS of serve",
    ] {
        assert!(table.contains(line), "{line} in\n{table}");
    }
    assert!(
        report
            .rows
            .iter()
            .all(|r| r.p50_ms > 0.0 && r.p99_ms >= r.p50_ms),
        "{table}"
    );
    scratch.drop().await.unwrap();
}
