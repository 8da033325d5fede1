//! The load a team puts on a `serve` process, through the signed Slack endpoint: how long it
//! takes to start, how fast it acknowledges mixed reads and writes at a steady rate, how fast
//! it acknowledges commands whose DMs its pace holds back, and how much memory it needs.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::ConnectOptions;

use super::slack_api::{SlackApi, TEAM};
use super::{Config, Row, Timings, ms, row, seed};
use crate::store::Store;

// Slack's shape: 32 hexadecimal characters.
const SECRET: &str = "8f742231b10e8888abcd99aaabbb85a5";

/// A `serve` process of the benchmark's binary, against `store`'s database and the stand-in
/// Slack API.
struct Served {
    child: tokio::process::Child,
    base: String,
    /// Where late answers go: the stand-in API counts them.
    respond_to: String,
    http: reqwest::Client,
}

impl Served {
    async fn start(binary: &Path, store: &Store, api: &SlackApi) -> anyhow::Result<Served> {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let database = store.pool.connect_options().to_url_lossy().to_string();
        let child = tokio::process::Command::new(binary)
            .arg("serve")
            .env("DATABASE_URL", database)
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("SLACK_BOT_TOKEN", "xoxb-bench")
            .env("SLACK_API_URL", format!("{}/api", api.url))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} serve", binary.display()))?;
        Ok(Served {
            child,
            base: format!("http://127.0.0.1:{port}"),
            respond_to: format!("{}/response", api.url),
            http: reqwest::Client::new(),
        })
    }

    /// Waits until the process says it is ready to take requests.
    async fn ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answered = self.http.get(format!("{}/readyz", self.base)).send().await;
            if answered.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if let Some(exit) = self.child.try_wait()? {
                anyhow::bail!("serve exited before it was ready: {exit}");
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "serve was not ready within a minute"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits until the scheduler has swept `workspaces` at least once since the start (its
    /// first pass comes at once, and would otherwise share the first measurement).
    async fn swept(&self, workspaces: u64) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let metrics = self
                .http
                .get(format!("{}/metrics", self.base))
                .send()
                .await?
                .text()
                .await?;
            let runs: f64 = metrics
                .lines()
                .filter(|l| l.starts_with("throughline_scheduled_runs_total"))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum();
            if runs >= workspaces as f64 {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the scheduler's first sweep took over five minutes"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Milliseconds until the acknowledgement of `text` from `user`, and whether it was the
    /// answer itself (not an error, not a bare acknowledgement with the answer to come later).
    async fn command(&self, user: &str, text: &str, trigger: usize) -> anyhow::Result<Ack> {
        let form = serde_urlencoded::to_string([
            ("team_id", TEAM),
            ("user_id", user),
            ("user_name", &user.to_lowercase()),
            ("command", "/align"),
            ("text", text),
            ("response_url", &format!("{}/{trigger}", self.respond_to)),
            ("trigger_id", &format!("bench-{trigger}")),
            ("channel_id", "CBENCH"),
        ])?;
        let ts = chrono::Utc::now().timestamp().to_string();
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes())?;
        mac.update(format!("v0:{ts}:{form}").as_bytes());
        let signature: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let at = Instant::now();
        let answer = self
            .http
            .post(format!("{}/slack/commands", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", format!("v0={signature}"))
            .body(form)
            .send()
            .await;
        let (status, body) = match answer {
            Ok(r) => (r.status(), r.text().await.unwrap_or_default()),
            Err(_) => return Ok(Ack::Failed(ms(at.elapsed()))),
        };
        let took = ms(at.elapsed());
        Ok(if !status.is_success() || failed(&body) {
            Ack::Failed(took)
        } else if body.trim().is_empty() {
            Ack::Later(took)
        } else {
            Ack::Answered(took)
        })
    }

    /// The peak resident memory of the process so far (Linux).
    fn peak_rss_mb(&self) -> Option<f64> {
        super::peak_rss_mb(&format!("/proc/{}/status", self.child.id()?))
    }

    async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.child.id() {
            // SIGTERM: the process drains as in production.
            std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()?;
        }
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await??;
        anyhow::ensure!(exit.success(), "serve stopped with {exit}");
        Ok(())
    }
}

fn failed(body: &str) -> bool {
    ["Nothing changed", "went wrong", "cannot reach"]
        .iter()
        .any(|e| body.contains(e))
}

enum Ack {
    Answered(f64),
    Later(f64),
    Failed(f64),
}

#[derive(Default)]
struct Acks {
    times: Vec<f64>,
    later: usize,
    failed: usize,
}

impl Acks {
    fn add(&mut self, ack: Ack) {
        let t = match ack {
            Ack::Answered(t) => t,
            Ack::Later(t) => {
                self.later += 1;
                t
            }
            Ack::Failed(t) => {
                self.failed += 1;
                t
            }
        };
        self.times.push(t);
    }

    /// Waits until every answer that was acknowledged bare has arrived, so that the next
    /// measurement starts on an idle process.
    async fn drained(&self, api: &SlackApi, late_before: usize) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(300);
        while api.late_answers() < late_before + self.later {
            anyhow::ensure!(
                Instant::now() < deadline,
                "answers were still due five minutes after the load"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    fn note(&self) -> String {
        format!(
            "{} commands; {} answered after the window; {} errors",
            self.times.len(),
            self.later,
            self.failed
        )
    }
}

/// Sends `count` commands at `per_second`, each on its own schedule (an open loop: a slow
/// answer does not slow the sender), and gathers the acknowledgements.
async fn at_rate(
    served: &Arc<Served>,
    per_second: f64,
    count: usize,
    command: impl Fn(usize) -> (String, String),
) -> anyhow::Result<Acks> {
    let start = tokio::time::Instant::now();
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..count {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / per_second)).await;
        let (user, text) = command(i);
        let served = served.clone();
        sent.spawn(async move { served.command(&user, &text, i).await });
    }
    let mut acks = Acks::default();
    while let Some(ack) = sent.join_next().await {
        acks.add(ack??);
    }
    Ok(acks)
}

/// The serve process's part of the table, in a database of its own: a Slack workspace of
/// `serve_items` open items and, beside it, one of `serve_large_items` that its scheduler sweeps.
pub async fn measure(
    store: &Store,
    cfg: &Config,
    binary: &Path,
    floor_p50: f64,
) -> anyhow::Result<Vec<Row>> {
    let shape = |open| seed::Shape {
        open,
        closed_per_open: cfg.closed_per_open,
    };
    super::seeded(store, ("slack", TEAM), shape(cfg.serve_items)).await?;
    if cfg.serve_large_items > 0 {
        super::seeded(
            store,
            ("console", "bench-large"),
            shape(cfg.serve_large_items),
        )
        .await?;
    }
    let api = SlackApi::start().await?;
    let started = Instant::now();
    let mut served = Served::start(binary, store, &api).await?;
    served.ready().await?;
    let cold = ms(started.elapsed());
    let workspaces = if cfg.serve_large_items > 0 { 2 } else { 1 };
    served.swept(workspaces).await?;
    let served = Arc::new(served);
    let mut rows = vec![row(
        "cold start of serve (spawn to ready)",
        &Timings(vec![cold]),
        None,
        "one run",
    )];

    let items = shape(cfg.serve_items);
    let people = items.people().min(50);
    for &rate in &cfg.mixed_rates {
        let count = (rate * cfg.mixed_seconds) as usize;
        let late_before = api.late_answers();
        let acks = at_rate(&served, rate, count, |i| {
            let user = format!("U{}", 1 + i as i64 % people);
            let text = match i % 10 {
                0..=2 => format!("work note {} \"load\"", seed::open_item(items, i)),
                3 | 4 => "status".into(),
                5 | 6 => "mine".into(),
                _ => "goal show G-1".into(),
            };
            (user, text)
        })
        .await?;
        acks.drained(&api, late_before).await?;
        let t = Timings(acks.times.clone());
        rows.push(row(
            &format!(
                "mixed 70/30 reads/writes at {rate} commands/s, {} open items, signed Slack requests",
                cfg.serve_items
            ),
            &t,
            Some(t.percentile(0.5) / floor_p50),
            &acks.note(),
        ));
    }

    // One person causes a DM with each command, faster than their DM channel's pace of one
    // message a second: the DMs queue, the answers must not.
    let paced = cfg.paced_commands;
    let dm_before = api.dms();
    let queued = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox WHERE person_id IS NOT NULL")
            .fetch_one(&store.pool)
            .await
    };
    let queued_before = queued().await?;
    let acks = at_rate(&served, 10.0, paced, |i| {
        (
            "U1".to_string(),
            format!("work new none \"Bench incident {i}\" <@U1>"),
        )
    })
    .await?;
    let delivered = api.dms() - dm_before;
    let caused = queued().await? - queued_before;
    let t = Timings(acks.times.clone());
    rows.push(row(
        "ack of a command that queues a DM to a person whose DMs are paced",
        &t,
        Some(t.percentile(0.5) / floor_p50),
        &format!(
            "{}; {caused} DMs caused, {delivered} delivered by the last answer",
            acks.note()
        ),
    ));
    let rss = served.peak_rss_mb();
    rows.push(row(
        &format!(
            "peak RSS of serve, MB (beside a {}-item workspace it sweeps)",
            cfg.serve_large_items
        ),
        &Timings(vec![rss.unwrap_or(0.0)]),
        None,
        &format!(
            "one process; {} answers in all came later through response_url",
            api.late_answers()
        ),
    ));
    Arc::into_inner(served)
        .context("every request has been answered")?
        .stop()
        .await?;
    Ok(rows)
}
