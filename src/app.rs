//! The platform-neutral core: commands in, messages out, every change in one transaction.

use std::sync::Arc;

use tokio_util::task::TaskTracker;

use crate::clock::Clock;
use crate::command::exec::{Ctx, Failure, execute, update_by_token};
use crate::command::{self, Command, UserError};
use crate::domain::Key;
use crate::domain::evidence::Activity;
use crate::domain::key_result::Confidence;
use crate::domain::key_result::units::Reading;
use crate::engine::evidence::{self, Recorded};
use crate::engine::{Trigger, reconcile, replies};
use crate::message::Message;
use crate::store::profiles::{self, Profile};
use crate::store::{
    Store, WorkspaceId, connections, inbound, key_results, kr_tokens, people, workspaces,
};

/// A check-in as the API takes it.
pub struct ApiCheckIn {
    pub value: Reading,
    pub note: Option<String>,
    pub confidence: Option<Confidence>,
}

/// Why the API refused a check-in; nothing was recorded.
#[derive(Debug)]
pub enum ApiRefusal {
    /// No such token, or one that was replaced.
    Unauthorized,
    /// The token writes another key result (in this workspace or another).
    Forbidden(Key),
    Closed(UserError),
    /// The value or the note does not fit the key result.
    Invalid(UserError),
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for ApiRefusal {
    fn from(e: anyhow::Error) -> Self {
        ApiRefusal::Internal(e)
    }
}

impl From<sqlx::Error> for ApiRefusal {
    fn from(e: sqlx::Error) -> Self {
        ApiRefusal::Internal(e.into())
    }
}

pub type ApiAnswer = Result<Message, ApiRefusal>;

/// Who typed a command, as the transport knows them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub external_id: String,
    pub handle: String,
}

/// What a command comes back with: what to tell the person, and whether the model changed
/// (the transport then wakes delivery for what the change queued).
#[derive(Debug)]
pub struct Reply {
    pub message: Message,
    pub changed: bool,
}

impl Reply {
    fn unchanged(message: Message) -> Self {
        Reply {
            message,
            changed: false,
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// Whether people first seen start as admins (the console: yes; chat platforms say who is).
    pub new_people_admin: bool,
    /// Work a request started that outlives its answer (a deferred reply): a stopping
    /// process waits for it.
    pub tasks: TaskTracker,
    /// How the outside reaches this server (the check-in API, repository webhooks); `None`
    /// where nothing can (the console).
    pub public: Option<crate::config::Public>,
}

/// Whether a failure is PostgreSQL being out of reach (refused, timed out, gone), as
/// opposed to a bug: the person is told which, since only the first is worth retrying soon.
pub fn database_unreachable(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed)
        )
    })
}

/// What a person is told when their request failed on our side; nothing was changed.
pub fn failure_message(e: &anyhow::Error) -> Message {
    replies::failed(database_unreachable(e))
}

fn count_command(verb: &'static str, outcome: &'static str) {
    tracing::info!(verb, outcome, "command");
    metrics::counter!("throughline_commands_total", "verb" => verb, "outcome" => outcome)
        .increment(1);
}

impl App {
    pub async fn workspace(
        &self,
        platform: &str,
        external_id: &str,
        name: &str,
    ) -> anyhow::Result<WorkspaceId> {
        let mut conn = self.store.pool.acquire().await?;
        workspaces::ensure(&mut conn, platform, external_id, name, self.clock.now()).await
    }

    /// Runs one command, read once by the transport. User mistakes come back as an error
    /// message and change nothing; internal failures are logged and reported without detail.
    pub async fn handle(
        &self,
        ws: WorkspaceId,
        actor: &Actor,
        parsed: Result<Command, UserError>,
    ) -> Reply {
        let command = match parsed {
            Ok(c) => c,
            Err(e) => {
                count_command("unparsed", "user_error");
                return Reply::unchanged(replies::refused(&e));
            }
        };
        let verb = command.verb();
        let writes = !command.is_read_only();
        match self.run(ws, actor, command).await {
            Ok(message) => {
                count_command(verb, "ok");
                Reply {
                    message,
                    changed: writes,
                }
            }
            Err(Failure::User(e)) => {
                count_command(verb, "user_error");
                Reply::unchanged(replies::refused(&e))
            }
            Err(Failure::Internal(e)) => {
                count_command(verb, "internal_error");
                tracing::error!(error = ?e, workspace = ws, verb, "command failed");
                Reply::unchanged(failure_message(&e))
            }
        }
    }

    /// Parses and runs a line of command text (the console, App Home, forms).
    pub async fn command(&self, ws: WorkspaceId, actor: &Actor, text: &str) -> Message {
        self.handle(ws, actor, command::parse(text)).await.message
    }

    async fn run(
        &self,
        ws: WorkspaceId,
        actor: &Actor,
        command: Command,
    ) -> Result<Message, Failure> {
        let now = self.clock.now();
        let read_only = command.is_read_only();
        let mut tx = self.store.begin().await?;
        if !read_only {
            workspaces::lock(&mut tx, ws).await?;
        }
        let actor = people::upsert(
            &mut tx,
            ws,
            &actor.external_id,
            &actor.handle,
            self.new_people_admin,
            now,
        )
        .await?;
        let mut cx = self.ctx(&mut tx, ws, actor, now);
        let reply = execute(&mut cx, command).await?;
        if !read_only {
            reconcile(&mut tx, ws, now, Trigger::Person).await?;
        }
        tx.commit().await?;
        Ok(reply)
    }

    /// What a command runs with: `actor` acting in `ws` at `now`, inside `conn`'s transaction.
    fn ctx<'c>(
        &'c self,
        conn: &'c mut crate::store::Conn,
        ws: WorkspaceId,
        actor: crate::domain::Person,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Ctx<'c> {
        Ctx {
            conn,
            ws,
            actor,
            now,
            new_people_admin: self.new_people_admin,
            public: self.public.as_ref(),
        }
    }

    /// Records a repository's activity (a verified delivery) through the same transactional
    /// path as a command, and re-evaluates what it touched. The delivery's id is taken in the
    /// same transaction: a delivery is acted on once, and one that failed can come again.
    pub async fn evidence(
        &self,
        ws: WorkspaceId,
        connection: &str,
        delivery: &str,
        activity: &Activity,
    ) -> anyhow::Result<Recorded> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        workspaces::lock(&mut tx, ws).await?;
        if !inbound::first_sight(&mut tx, ws, delivery, now).await? {
            return Ok(Recorded {
                repeat: true,
                ..Recorded::default()
            });
        }
        let done = evidence::record(&mut tx, ws, connection, activity, now).await?;
        connections::delivered(&mut tx, connection, done.unknown, None, now).await?;
        if !done.active.is_empty() {
            reconcile(&mut tx, ws, now, Trigger::Person).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// A check-in through the API: the token finds its workspace and the one key result it may
    /// write; the check-in then runs as `kr update` does, with the token's maker as author.
    pub async fn check_in_by_token(&self, token: &str, key: Key, c: ApiCheckIn) -> ApiAnswer {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(grant) = kr_tokens::use_token(&mut tx, token, now).await? else {
            return Err(ApiRefusal::Unauthorized);
        };
        let ws = grant.workspace_id;
        workspaces::lock(&mut tx, ws).await?;
        let written = key_results::by_number(&mut tx, ws, key.number).await?;
        match written {
            Some(k) if k.id == grant.key_result_id => {
                if !k.is_open() {
                    return Err(ApiRefusal::Closed(replies::kr_not_open(key, &k.status)));
                }
            }
            _ => return Err(ApiRefusal::Forbidden(key)),
        }
        let actor = people::by_id(&mut tx, ws, grant.created_by).await?;
        let mut cx = self.ctx(&mut tx, ws, actor, now);
        let message = match update_by_token(&mut cx, key, c.value, c.note, c.confidence).await {
            Ok(m) => m,
            Err(Failure::User(e)) => return Err(ApiRefusal::Invalid(e)),
            Err(Failure::Internal(e)) => return Err(ApiRefusal::Internal(e)),
        };
        reconcile(&mut tx, ws, now, Trigger::Person).await?;
        tx.commit().await?;
        Ok(message)
    }

    /// Notes that a connection's delivery came (and what went wrong with it, if anything).
    pub async fn delivered(&self, connection: &str, error: Option<&str>) -> anyhow::Result<()> {
        let mut conn = self.store.pool.acquire().await?;
        connections::delivered(&mut conn, connection, 0, error, self.clock.now()).await
    }

    /// Makes a person an admin or a plain member (the console's `role` line; platform sync).
    pub async fn set_role(
        &self,
        ws: WorkspaceId,
        actor: &Actor,
        admin: bool,
    ) -> anyhow::Result<()> {
        let mut tx = self.store.begin().await?;
        let now = self.clock.now();
        let p = people::upsert(
            &mut tx,
            ws,
            &actor.external_id,
            &actor.handle,
            self.new_people_admin,
            now,
        )
        .await?;
        people::set_admin(&mut tx, ws, p.id, admin, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates or refreshes a person from their platform profile; someone leaving (or
    /// returning) lets the rules react at once.
    pub async fn sync_profile(&self, ws: WorkspaceId, profile: &Profile) -> anyhow::Result<()> {
        let mut tx = self.store.begin().await?;
        let now = self.clock.now();
        workspaces::lock(&mut tx, ws).await?;
        let (_, was_active) = profiles::sync_profile(&mut tx, ws, profile, now).await?;
        if was_active.is_some_and(|a| a != profile.active) {
            reconcile(&mut tx, ws, now, Trigger::Person).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks a person as gone (or back), and lets the rules react at once.
    pub async fn set_active(
        &self,
        ws: WorkspaceId,
        actor: &Actor,
        active: bool,
    ) -> anyhow::Result<()> {
        let mut tx = self.store.begin().await?;
        let now = self.clock.now();
        workspaces::lock(&mut tx, ws).await?;
        let p = people::upsert(
            &mut tx,
            ws,
            &actor.external_id,
            &actor.handle,
            self.new_people_admin,
            now,
        )
        .await?;
        people::set_active(&mut tx, ws, p.id, active, now).await?;
        reconcile(&mut tx, ws, now, Trigger::Person).await?;
        tx.commit().await?;
        Ok(())
    }
}
