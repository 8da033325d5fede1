//! One `throughline serve` process, configured for both fakes, with its log captured.

use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::discord_fake::{self, APP_ID, BOT_TOKEN};
use crate::slack_fake;

pub struct Server {
    child: Child,
    pub base: String,
    log: Arc<Mutex<String>>,
}

/// Both platforms' fakes and the database one or more processes share.
pub struct Site {
    pub slack: slack_fake::Fake,
    pub discord: discord_fake::Fake,
    pub database_url: String,
}

impl Site {
    /// Settings every process of the site gets, on top of `extra`.
    fn env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let key = hex::encode(crate::org::discord_key().verifying_key().to_bytes());
        let mut env: Vec<(String, String)> = [
            ("DATABASE_URL", self.database_url.clone()),
            ("SLACK_BOT_TOKEN", slack_fake::token_of("T1")),
            ("SLACK_SIGNING_SECRET", crate::org::SLACK_SECRET.to_string()),
            ("SLACK_API_URL", self.slack.api_url()),
            ("DISCORD_PUBLIC_KEY", key),
            ("DISCORD_BOT_TOKEN", BOT_TOKEN.to_string()),
            ("DISCORD_APPLICATION_ID", APP_ID.to_string()),
            ("DISCORD_API_URL", self.discord.url.clone()),
            ("OUTBOX_LEASE_SECS", "1".to_string()),
            ("RUST_LOG", "info".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            env.retain(|(key, _)| key != k);
            env.push((k.to_string(), v.to_string()));
        }
        env
    }

    /// Starts a process and waits until it answers /livez.
    pub async fn serve(&self, extra: &[(&str, &str)]) -> Server {
        let server = self.start(extra);
        for _ in 0..400 {
            if let Ok(r) = reqwest::get(format!("{}/livez", server.base)).await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not come up:\n{}", server.log());
    }

    /// Starts a process without waiting for it.
    pub fn start(&self, extra: &[(&str, &str)]) -> Server {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
        cmd.arg("serve")
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in self.env(extra) {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the throughline binary starts");
        let log = Arc::new(Mutex::new(String::new()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        {
            let log = log.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }
}

impl Server {
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Sends a signal as an orchestrator would: TERM to stop, KILL to crash.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("still running");
        let ok = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name} {pid}");
    }

    /// Waits for the process to end; fails the test if it takes longer than `within`.
    pub async fn exit(mut self, within: Duration) -> (ExitStatus, String) {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("still running after {within:?}:\n{}", self.log()))
            .unwrap();
        // Let the log reader take the last lines.
        tokio::time::sleep(Duration::from_millis(50)).await;
        (status, self.log())
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        get(&self.base, path).await
    }

    pub async fn post(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: String,
    ) -> (u16, String) {
        post(&self.base, path, headers, body).await
    }
}

pub async fn get(base: &str, path: &str) -> (u16, String) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub async fn post(
    base: &str,
    path: &str,
    headers: &[(&str, String)],
    body: String,
) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Polls `check` every 50 ms until it holds; fails with `what` after `within`.
pub async fn eventually(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} (waited {within:?})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until every notification in the database is delivered; returns how many are not.
pub async fn until_all_delivered(store: &throughline::store::Store) -> i64 {
    let mut left = -1;
    for _ in 0..600 {
        left = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state <> 'delivered'")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    left
}
