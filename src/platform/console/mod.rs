//! The console transport: a script (or stdin) of people typing commands while a virtual
//! clock moves; replies, DMs and channel posts come out as text or JSON Lines.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::{Actor, App};
use crate::clock::ManualClock;
use crate::command::parse::parse_duration;
use crate::message::text;
use crate::message::{Message, MessageRef, Op};
use crate::notify::{self, Delivery, DeliveryError, Target, Transport};
use crate::schedule;
use crate::store::{Store, WorkspaceId, workspaces};

pub mod interactive;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub to: String,
    pub text: String,
    #[serde(skip)]
    pub message: Message,
}

/// Collects what the dispatcher delivers, in order; each post gets a number that its edits
/// and threaded lines name.
#[derive(Default, Clone)]
pub struct ConsoleTransport {
    delivered: Arc<Mutex<Vec<(Target, Op, Message)>>>,
    posted: Arc<Mutex<u64>>,
}

impl ConsoleTransport {
    fn take(&self) -> Vec<(Target, Op, Message)> {
        std::mem::take(&mut *self.delivered.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Transport for ConsoleTransport {
    async fn deliver(&self, d: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
        self.delivered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((d.target.clone(), d.op, d.message.clone()));
        if d.op != Op::Post {
            return Ok(None);
        }
        let mut n = self.posted.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        let channel = match &d.target {
            Target::Person { handle, .. } => format!("@{handle}"),
            Target::Channel(c) => c.clone(),
        };
        Ok(Some(MessageRef {
            channel,
            id: n.to_string(),
        }))
    }
}

pub struct Console {
    pub app: App,
    pub ws: WorkspaceId,
    clock: Arc<ManualClock>,
    transport: ConsoleTransport,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ScriptError {
    pub line: usize,
    pub message: String,
}

/// What a script line may be, for the error about one that is none of them.
const LINE_FORMS: &str = "a line is '@handle: /align …', '+30m' (move the clock), 'role @who member|admin', 'leaves @who', 'returns @who' or '# comment'";

/// The longest clock move one line may ask for: a year of sweeps.
const LONGEST_MOVE_DAYS: i64 = 366;

/// A script's lines: a byte-order mark at the top is skipped, and a line that is not UTF-8
/// is an error naming it (the other lines still run).
pub fn script_lines(bytes: &[u8]) -> Vec<Result<String, ScriptError>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(n, line)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            String::from_utf8(line.to_vec()).map_err(|e| ScriptError {
                line: n + 1,
                message: format!(
                    "not UTF-8 text (an invalid byte at column {}); save the script as UTF-8",
                    e.utf8_error().valid_up_to() + 1
                ),
            })
        })
        .collect()
}

impl Console {
    /// Opens the console workspace with its clock at `at`, or where it was left when the
    /// database kept it from an earlier run.
    pub async fn start(store: Store, at: DateTime<Utc>) -> anyhow::Result<Console> {
        let clock = Arc::new(ManualClock::new(at));
        let app = App {
            store,
            clock: clock.clone(),
            new_people_admin: true,
            tasks: Default::default(),
            public: None,
        };
        let ws = app.workspace("console", "console", "Console").await?;
        let mut conn = app.store.pool.acquire().await?;
        match workspaces::console_clock(&mut conn, ws).await? {
            Some(left) => clock.set(left),
            None => workspaces::set_console_clock(&mut conn, ws, at).await?,
        }
        drop(conn);
        Ok(Console {
            app,
            ws,
            clock,
            transport: ConsoleTransport::default(),
        })
    }

    pub fn now(&self) -> DateTime<Utc> {
        use crate::clock::Clock;
        self.clock.now()
    }

    /// Runs one script line and returns what it printed.
    pub async fn line(&mut self, n: usize, raw: &str) -> anyhow::Result<Vec<Output>> {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Vec::new());
        }
        let bad = |message: String| ScriptError { line: n, message };
        if let Some(rest) = line.strip_prefix('+') {
            let d = parse_duration(rest).map_err(|e| bad(e.message))?;
            if d > chrono::Duration::days(LONGEST_MOVE_DAYS) {
                return Err(bad(format!(
                    "a clock move is at most {LONGEST_MOVE_DAYS} days; split '+{rest}' into several lines"
                ))
                .into());
            }
            return self.advance(self.now() + d).await;
        }
        if let Some(rest) = line.strip_prefix("role ") {
            let (who, role) = rest
                .trim()
                .split_once(' ')
                .ok_or_else(|| bad("expected: role @who member|admin".into()))?;
            let actor = actor(who).map_err(bad)?;
            let admin = match role.trim() {
                "admin" => true,
                "member" => false,
                other => return Err(bad(format!("role is member or admin, not '{other}'")).into()),
            };
            self.app.set_role(self.ws, &actor, admin).await?;
            return Ok(Vec::new());
        }
        if let Some(rest) = line
            .strip_prefix("leaves ")
            .or_else(|| line.strip_prefix("returns "))
        {
            let actor = actor(rest.trim()).map_err(bad)?;
            self.app
                .set_active(self.ws, &actor, line.starts_with("returns"))
                .await?;
            return self.dispatch().await;
        }
        let Some((who, command)) = line.split_once(':') else {
            return Err(bad(format!(
                "'{}' is not a script line: {LINE_FORMS}",
                short(line)
            ))
            .into());
        };
        let actor = actor(who.trim()).map_err(bad)?;
        let command = command.trim();
        if !command.starts_with("/align") {
            return Err(bad(format!(
                "only /align commands are understood, not '{}'",
                short(command)
            ))
            .into());
        }
        let reply = self.app.command(self.ws, &actor, command).await;
        let mut out = vec![output(
            self.now(),
            "reply",
            format!("@{}", actor.handle),
            reply,
        )];
        out.extend(self.dispatch().await?);
        Ok(out)
    }

    /// Moves the clock to `to`, running every sweep, digest and agenda due on the way, in order.
    pub async fn advance(&mut self, to: DateTime<Utc>) -> anyhow::Result<Vec<Output>> {
        use std::io::IsTerminal;
        // A long move shows where the clock is, when someone watches.
        let watched =
            to - self.now() > chrono::Duration::days(7) && std::io::stderr().is_terminal();
        let mut out = Vec::new();
        for at in schedule::due_between(&self.app.store, self.now(), to).await? {
            if watched && at.date_naive() != self.now().date_naive() {
                eprint!("\r  the clock is at {} ", at.format("%a %Y-%m-%d"));
            }
            self.clock.set(at);
            schedule::tick_all(&self.app.store, at).await?;
            out.extend(self.dispatch().await?);
        }
        if watched {
            eprint!("\r\x1b[K");
        }
        self.clock.set(to);
        let mut conn = self.app.store.pool.acquire().await?;
        workspaces::set_console_clock(&mut conn, self.ws, to).await?;
        drop(conn);
        out.extend(self.dispatch().await?);
        Ok(out)
    }

    async fn dispatch(&mut self) -> anyhow::Result<Vec<Output>> {
        notify::dispatch_pending(&self.app.store, &self.transport, self.now()).await?;
        let now = self.now();
        Ok(self
            .transport
            .take()
            .into_iter()
            .map(|(target, op, m)| {
                let (kind, to) = match (target, op) {
                    (Target::Person { handle, .. }, Op::Post) => ("dm", format!("@{handle}")),
                    (Target::Channel(c), Op::Post) => ("post", c),
                    (Target::Person { handle, .. }, Op::Edit) => ("edit", format!("@{handle}")),
                    (Target::Channel(c), Op::Edit) => ("edit", c),
                    (Target::Person { handle, .. }, Op::Reply) => ("thread", format!("@{handle}")),
                    (Target::Channel(c), Op::Reply) => ("thread", c),
                };
                output(now, kind, to, m)
            })
            .collect())
    }
}

/// `@ana`: who types a line; handles follow the command language's rules.
fn actor(text: &str) -> Result<Actor, String> {
    let m = crate::command::parse::mention(text, "who types the line").map_err(|e| e.message)?;
    Ok(Actor {
        external_id: m.external_id,
        handle: m.handle,
    })
}

/// Long input, quoted short in an error.
fn short(text: &str) -> String {
    crate::command::parse::shorten(text, 60)
}

fn output(at: DateTime<Utc>, kind: &'static str, to: String, message: Message) -> Output {
    Output {
        at,
        kind,
        to,
        text: text::render(&message),
        message,
    }
}

/// How the readable transcript shows one output.
pub fn transcript(o: &Output) -> String {
    let arrow = match o.kind {
        "reply" => "reply to",
        "dm" => "DM to",
        "edit" => "edit of the message to",
        "thread" => "threaded line to",
        _ => "post in",
    };
    let body = o
        .text
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "  [{}] {arrow} {}:\n{body}",
        o.at.format("%a %Y-%m-%d %H:%M"),
        o.to
    )
}
