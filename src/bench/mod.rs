//! `throughline bench`: what a command costs as the organisation grows, against what the
//! database itself costs. Every figure is measured in the same run as the floor (a one-row
//! insert committed on its own), so that ratios compare like with like on any machine.

mod seed;
mod serve;
mod slack_api;
mod sweep;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::app::{Actor, App};
use crate::clock::SystemClock;
use crate::message::Tone;
use crate::store::{Store, WorkspaceId};

pub use seed::Shape;

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Open work items of each measured workspace.
    #[arg(long, value_delimiter = ',', default_values_t = [100, 1_000, 10_000, 100_000])]
    pub sizes: Vec<i64>,
    /// Finished items per open one, as history.
    #[arg(long, default_value_t = 10)]
    pub closed_per_open: i64,
    /// Timed runs of each command at each size.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Commands each of the eight concurrent writers sends.
    #[arg(long, default_value_t = 50)]
    pub writes_per_writer: usize,
    /// Workspaces in the sweep.
    #[arg(long, default_value_t = 1_000)]
    pub sweep_workspaces: i64,
    /// Open items of each swept workspace.
    #[arg(long, default_value_t = 1_000)]
    pub sweep_items: i64,
    /// The binary whose `serve` is loaded (none skips that part; the command sets itself).
    #[arg(skip)]
    pub binary: Option<std::path::PathBuf>,
    /// Open items of the Slack workspace the serve process answers for.
    #[arg(long, default_value_t = 10_000)]
    pub serve_items: i64,
    /// Open items of the workspace beside it, which its scheduler sweeps (0: none).
    #[arg(long, default_value_t = 100_000)]
    pub serve_large_items: i64,
    /// Rates of the mixed load, in commands a second.
    #[arg(long, value_delimiter = ',', default_values_t = [50.0, 100.0, 200.0])]
    pub mixed_rates: Vec<f64>,
    /// How long each rate lasts, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub mixed_seconds: f64,
    /// DM-causing commands one person sends, ten a second.
    #[arg(long, default_value_t = 50)]
    pub paced_commands: usize,
}

impl Config {
    /// A run small enough for the test suite: it proves the benchmark works, not the figures.
    pub fn smoke() -> Self {
        Config {
            sizes: vec![100, 300],
            closed_per_open: 2,
            samples: 5,
            writes_per_writer: 3,
            sweep_workspaces: 3,
            sweep_items: 100,
            binary: None,
            serve_items: 200,
            serve_large_items: 300,
            mixed_rates: vec![20.0],
            mixed_seconds: 0.5,
            paced_commands: 3,
        }
    }
}

/// One measured line of the table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub what: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// p50 over the floor's p50 (or, for throughput and sweeps, the figure it is set against).
    pub ratio: Option<f64>,
    pub note: String,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub rows: Vec<Row>,
    pub max_rss_mb: Option<f64>,
}

/// The text of a command's `i`-th timed run.
type Line = Box<dyn Fn(usize) -> String>;

/// Timings of repeated runs, in milliseconds.
struct Timings(Vec<f64>);

impl Timings {
    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v.get(((v.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

pub async fn run(store: Store, cfg: &Config) -> anyhow::Result<Report> {
    let app = App {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        new_people_admin: true,
        tasks: Default::default(),
        public: None,
    };
    let mut report = Report::default();
    let floor = floor(&store, cfg.samples).await?;
    let floor_p50 = floor.percentile(0.5);
    report
        .rows
        .push(row("one-row insert commit (the floor)", &floor, None, ""));

    for &open in &cfg.sizes {
        let shape = Shape {
            open,
            closed_per_open: cfg.closed_per_open,
        };
        let started = Instant::now();
        let ws = seeded(&store, ("console", &format!("bench-{open}")), shape).await?;
        let label = format!("{open} open + {} closed", open * cfg.closed_per_open);
        tracing::info!(seconds = started.elapsed().as_secs_f64(), "seeded {label}");
        let owner = Actor {
            external_id: "U1".into(),
            handle: "person1".into(),
        };
        let commands: [(&str, Line); 5] = [
            (
                "work note",
                Box::new(move |i| format!("work note {} \"measured\"", seed::open_item(shape, i))),
            ),
            (
                "kr update (a check-in)",
                Box::new(|i| format!("kr update K-1 {:.1}%", 7.9 - (i % 20) as f64 * 0.1)),
            ),
            ("status", Box::new(|_| "status".into())),
            ("goal show", Box::new(|_| "goal show G-1".into())),
            ("mine", Box::new(|_| "mine".into())),
        ];
        for (name, text) in &commands {
            let mut t = Vec::with_capacity(cfg.samples);
            for i in 0..cfg.samples {
                let line = text(i);
                let at = Instant::now();
                let reply = app.command(ws, &owner, &line).await;
                t.push(ms(at.elapsed()));
                anyhow::ensure!(
                    reply.tone != Tone::Error,
                    "{line}: {}",
                    crate::message::text::render(&reply)
                );
            }
            let t = Timings(t);
            let ratio = t.percentile(0.5) / floor_p50;
            report
                .rows
                .push(row(&format!("{name} at {label}"), &t, Some(ratio), ""));
        }
    }

    report.rows.extend(writers(&app, cfg).await?);
    report.rows.extend(sweep::measure(&store, cfg).await?);
    report.max_rss_mb = peak_rss_mb("/proc/self/status");
    if let Some(binary) = &cfg.binary {
        // A database of its own: the process's scheduler sweeps every workspace it holds.
        let scratch = crate::devdb::Scratch::new("throughline_bench_serve", 10).await?;
        let rows = serve::measure(&scratch.store, cfg, binary, floor_p50).await;
        scratch.drop().await?;
        report.rows.extend(rows?);
    }
    Ok(report)
}

fn row(what: &str, t: &Timings, ratio: Option<f64>, note: &str) -> Row {
    Row {
        what: what.into(),
        p50_ms: t.percentile(0.5),
        p99_ms: t.percentile(0.99),
        ratio,
        note: note.into(),
    }
}

/// A workspace of `shape`, evaluated once so that its health rows exist as they would.
async fn seeded(store: &Store, name: (&str, &str), shape: Shape) -> anyhow::Result<WorkspaceId> {
    let spaces = seeded_many(store, name.0, &[name.1.to_string()], shape).await?;
    Ok(spaces[0])
}

/// Workspaces of `shape`, each evaluated once (side by side, as the scheduler's first sweep
/// would judge them) and given a churn key result on G-1.
async fn seeded_many(
    store: &Store,
    platform: &str,
    names: &[String],
    shape: Shape,
) -> anyhow::Result<Vec<WorkspaceId>> {
    let now = Utc::now();
    let mut spaces = Vec::with_capacity(names.len());
    for name in names {
        let mut tx = store.begin().await?;
        spaces.push(seed::workspace(&mut tx, (platform, name), shape, now).await?);
        tx.commit().await?;
    }
    settle(store).await?;
    sweep::sweep_all(store, &spaces, now).await?;
    settle(store).await?;
    let app = App {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        new_people_admin: true,
        tasks: Default::default(),
        public: None,
    };
    let owner = Actor {
        external_id: "U1".into(),
        handle: "person1".into(),
    };
    // Due a year from now: far enough never to be judged late while the benchmark runs.
    let by = (chrono::Utc::now() + chrono::Duration::days(365)).date_naive();
    let line = format!("kr new G-1 \"Monthly churn\" from:8% to:5% by:{by}");
    for &ws in &spaces {
        let made = app.command(ws, &owner, &line).await;
        anyhow::ensure!(
            made.tone != Tone::Error,
            "{}",
            crate::message::text::render(&made)
        );
    }
    Ok(spaces)
}

/// A bulk load leaves the planner's statistics and the visibility map behind; autovacuum would
/// catch up later, in the middle of the measurement. A workspace in use has been vacuumed.
async fn settle(store: &Store) -> anyhow::Result<()> {
    sqlx::query("VACUUM ANALYZE").execute(&store.pool).await?;
    Ok(())
}

/// One-row insert commits, one at a time: what any write costs at least.
async fn floor(store: &Store, samples: usize) -> anyhow::Result<Timings> {
    let mut conn = store.pool.acquire().await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_floor (id BIGINT GENERATED ALWAYS AS IDENTITY, at TIMESTAMPTZ)")
        .execute(&mut *conn)
        .await?;
    let mut t = Vec::with_capacity(samples);
    for _ in 0..samples.max(20) {
        let at = Instant::now();
        sqlx::query("INSERT INTO bench_floor (at) VALUES (now())")
            .execute(&mut *conn)
            .await?;
        t.push(ms(at.elapsed()));
    }
    Ok(Timings(t))
}

/// Eight writers on one workspace against eight on eight workspaces, in writes a second.
async fn writers(app: &App, cfg: &Config) -> anyhow::Result<Vec<Row>> {
    const WRITERS: usize = 8;
    let shape = Shape {
        open: 1_000,
        closed_per_open: cfg.closed_per_open,
    };
    let one = seeded(&app.store, ("console", "bench-writers-shared"), shape).await?;
    let mut many = Vec::new();
    for n in 0..WRITERS {
        many.push(
            seeded(
                &app.store,
                ("console", &format!("bench-writers-{n}")),
                shape,
            )
            .await?,
        );
    }
    let shared = throughput(app, vec![one; WRITERS], shape, cfg.writes_per_writer).await?;
    let apart = throughput(app, many, shape, cfg.writes_per_writer).await?;
    let rate = |t: &(f64, Timings)| Timings(vec![t.0]);
    Ok(vec![
        row(
            "8 writers on 8 workspaces (writes/s in the p50 column)",
            &rate(&apart),
            None,
            &format!("p99 of a write {:.1} ms", apart.1.percentile(0.99)),
        ),
        row(
            "8 writers on one workspace (writes/s in the p50 column)",
            &rate(&shared),
            Some(shared.0 / apart.0),
            &format!(
                "p99 of a write {:.1} ms; ratio: share of the 8-workspace throughput",
                shared.1.percentile(0.99)
            ),
        ),
    ])
}

async fn throughput(
    app: &App,
    spaces: Vec<WorkspaceId>,
    shape: Shape,
    writes: usize,
) -> anyhow::Result<(f64, Timings)> {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, ws) in spaces.into_iter().enumerate() {
        let app = app.clone();
        tasks.spawn(async move {
            // Each writer is someone else, as in a team.
            let who = Actor {
                external_id: format!("U{}", n + 1),
                handle: format!("person{}", n + 1),
            };
            let mut t = Vec::new();
            for i in 0..writes {
                let line = format!(
                    "work note {} \"measured\"",
                    seed::open_item(shape, n * writes + i)
                );
                let at = Instant::now();
                let reply = app.command(ws, &who, &line).await;
                t.push(ms(at.elapsed()));
                anyhow::ensure!(
                    reply.tone != Tone::Error,
                    "{}",
                    crate::message::text::render(&reply)
                );
            }
            Ok(t)
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done??);
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    Ok((rate, Timings(all)))
}

/// The peak resident memory of a process so far, from its `/proc/…/status` (Linux).
fn peak_rss_mb(status: &str) -> Option<f64> {
    let status = std::fs::read_to_string(status).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1_024.0)
}

/// The report as one table.
pub fn describe(r: &Report) -> String {
    let mut out =
        String::from("| what | p50 ms | p99 ms | ratio | note |\n|---|---:|---:|---:|---|\n");
    for row in &r.rows {
        let ratio = row.ratio.map(|x| format!("{x:.2}")).unwrap_or_default();
        out += &format!(
            "| {} | {:.2} | {:.2} | {ratio} | {} |\n",
            row.what, row.p50_ms, row.p99_ms, row.note
        );
    }
    if let Some(rss) = r.max_rss_mb {
        out += &format!("\npeak RSS of the benchmark process: {rss:.0} MB\n");
    }
    out
}
