//! A test harness that reads like the product: people type commands, time moves, and the test
//! takes each DM and post it expects. `finish` fails on any message the test never looked at.

use chrono::{DateTime, Utc};
use throughline::devdb::Scratch;
use throughline::platform::console::{Console, Output};
use throughline::store::Store;

/// Thursday morning, the founding brief's day.
pub const START: &str = "2026-11-19T09:30:00Z";

pub struct T {
    pub console: Console,
    scratch: Scratch,
    pending: Vec<Output>,
}

impl T {
    pub async fn new() -> T {
        let scratch = Scratch::new("throughline_test", 4)
            .await
            .expect("a fresh database on a PostgreSQL server for the tests");
        let store = scratch.store.clone();
        let start: DateTime<Utc> = START.parse().unwrap();
        let console = Console::start(store, start).await.expect("console");
        T {
            console,
            scratch,
            pending: Vec::new(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.console.app.store
    }

    /// Runs a script line; returns the reply (if any) and keeps the notifications for `dm`/`post`.
    pub async fn run(&mut self, line: &str) -> Option<Output> {
        let outs = self.console.line(1, line).await.expect("script line runs");
        let mut reply = None;
        for o in outs {
            if o.kind == "reply" {
                reply = Some(o);
            } else {
                self.pending.push(o);
            }
        }
        reply
    }

    /// `who` types `command`; returns the reply text.
    pub async fn say(&mut self, who: &str, command: &str) -> String {
        self.run(&format!("@{who}: /align {command}"))
            .await
            .expect("a reply")
            .text
    }

    pub async fn advance(&mut self, step: &str) {
        assert!(self.run(&format!("+{step}")).await.is_none());
    }

    /// Takes the oldest DM to `@who` that contains `needle`; fails if there is none.
    pub fn dm(&mut self, who: &str, needle: &str) -> String {
        self.take("dm", &format!("@{who}"), needle)
    }

    pub fn post(&mut self, channel: &str, needle: &str) -> String {
        self.take("post", channel, needle)
    }

    /// Takes the oldest edit of an episode's message to `@who` that contains `needle`.
    pub fn edit(&mut self, who: &str, needle: &str) -> String {
        self.take("edit", &format!("@{who}"), needle)
    }

    /// Takes the oldest threaded line under an episode's message to `@who`.
    pub fn thread(&mut self, who: &str, needle: &str) -> String {
        self.take("thread", &format!("@{who}"), needle)
    }

    /// Fails if anything at all is waiting for the test: nothing was sent.
    pub fn quiet(&self) {
        let found: Vec<(&str, &String, &String)> = self
            .pending
            .iter()
            .map(|o| (o.kind, &o.to, &o.text))
            .collect();
        assert!(found.is_empty(), "expected no messages, got {found:#?}");
    }

    fn take(&mut self, kind: &str, to: &str, needle: &str) -> String {
        self.take_output(kind, to, needle).text
    }

    /// Takes the oldest message of `kind` to `to` containing `needle`, with when it was sent.
    pub fn take_output(&mut self, kind: &str, to: &str, needle: &str) -> Output {
        let i = self
            .pending
            .iter()
            .position(|o| o.kind == kind && o.to == to && o.text.contains(needle))
            .unwrap_or_else(|| {
                panic!(
                    "expected a {kind} to {to} containing {needle:?}; pending: {:#?}",
                    self.pending
                        .iter()
                        .map(|o| (&o.kind, &o.to, &o.text))
                        .collect::<Vec<_>>()
                )
            });
        self.pending.remove(i)
    }

    pub fn no_dm(&self, who: &str) {
        let to = format!("@{who}");
        let found: Vec<&String> = self
            .pending
            .iter()
            .filter(|o| (o.kind == "dm" || o.kind == "thread") && o.to == to)
            .map(|o| &o.text)
            .collect();
        assert!(found.is_empty(), "expected no DM to {to}, got {found:#?}");
    }

    /// Drops every pending notification: for a test about stored state, not messages.
    pub fn ignore_all(&mut self) {
        self.pending.clear();
    }

    /// Drops pending notifications the test does not care about, by recipient.
    pub fn ignore(&mut self, to: &str) {
        self.pending.retain(|o| o.to != to);
    }

    pub async fn colour(&self, key: &str) -> String {
        sqlx::query_scalar("SELECT colour FROM health WHERE subject = $1")
            .bind(key)
            .fetch_optional(&self.store().pool)
            .await
            .unwrap()
            .unwrap_or_else(|| "unset".into())
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.store().pool)
            .await
            .unwrap()
    }

    /// `who` types `command`; it must fail saying `expected`, and change nothing.
    pub async fn rejected(&mut self, who: &str, command: &str, expected: &str) {
        let before = self.fingerprint().await;
        let reply = self.say(who, command).await;
        assert!(
            reply.starts_with("[ERROR] Nothing changed:"),
            "{command}: {reply}"
        );
        assert!(
            reply.contains(expected),
            "{command}: expected {expected:?} in {reply}"
        );
        assert_eq!(
            self.fingerprint().await,
            before,
            "{command} changed something"
        );
    }

    /// A fingerprint of every table, to prove that a failed command changed nothing.
    pub async fn fingerprint(&self) -> Vec<i64> {
        let mut all = Vec::new();
        for table in [
            "people",
            "goals",
            "initiatives",
            "work_items",
            "events",
            "health",
            "signals",
            "outbox",
            "snoozes",
            "workspaces",
            "workspace_settings",
            "key_results",
            "kr_targets",
            "kr_checkins",
        ] {
            all.push(self.scalar(&format!("SELECT count(*) FROM {table}")).await);
            let digest: Option<String> = sqlx::query_scalar(&format!(
                "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {table} t"
            ))
            .fetch_one(&self.store().pool)
            .await
            .unwrap();
            all.push(
                i64::from_str_radix(digest.unwrap_or_default().get(..12).unwrap_or("0"), 16)
                    .unwrap_or(0),
            );
        }
        all
    }

    /// Fails on any notification the test did not take, then drops the database.
    pub async fn finish(self) {
        let left: Vec<(String, String, String)> = self
            .pending
            .iter()
            .map(|o| (o.kind.to_string(), o.to.clone(), o.text.clone()))
            .collect();
        assert!(
            left.is_empty(),
            "notifications the test did not expect: {left:#?}"
        );
        self.scratch.drop().await.expect("drop the test database");
    }
}

/// Ana owns G-1 with I-1 led by Lee, who is doing W-1.
pub async fn founding() -> T {
    let mut t = T::new().await;
    t.say("ana", "goal new \"Cut churn to 3%\" owner:@ana rank:1")
        .await;
    t.say(
        "ana",
        "initiative new G-1 \"Onboarding revamp\" lead:@lee plan:1",
    )
    .await;
    t.say("lee", "work new I-1 \"New welcome flow\" @lee").await;
    t.say("lee", "work start W-1").await;
    t
}
