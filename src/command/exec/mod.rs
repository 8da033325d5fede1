//! Executes a parsed command inside one transaction: change the model, record events,
//! re-evaluate health, raise signals and queue notifications, or change nothing at all.

mod connections;
mod goals;
mod initiatives;
mod key_results;
mod settings;
mod views;
mod work;

pub use key_results::update_by_token;
pub use settings::NAMES as SETTING_NAMES;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Command, Mention, UserError};
use crate::domain::*;
use crate::engine::replies;
use crate::message::Message;
use crate::store::events::{self, NewEvent};
use crate::store::{Conn, WorkspaceId, model, people};

/// Why a command did not succeed: the user's mistake, or ours.
#[derive(Debug)]
pub enum Failure {
    User(UserError),
    Internal(anyhow::Error),
}

impl From<UserError> for Failure {
    fn from(e: UserError) -> Self {
        Failure::User(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Internal(e)
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Internal(e.into())
    }
}

pub type Outcome = Result<Message, Failure>;

pub struct Ctx<'c> {
    pub conn: &'c mut Conn,
    pub ws: WorkspaceId,
    pub actor: Person,
    pub now: DateTime<Utc>,
    /// Whether people first seen in this workspace start as admins (the console's default).
    pub new_people_admin: bool,
    pub public: Option<&'c crate::config::Public>,
}

pub async fn execute(cx: &mut Ctx<'_>, command: Command) -> Outcome {
    use Command::*;
    match command {
        Help(topic) => Ok(super::help::help(topic.as_deref())),
        Status => views::status(cx).await,
        GoalNew {
            title,
            owner,
            rank,
            due,
        } => goals::new(cx, title, owner, rank, due).await,
        GoalShow(key) => views::goal(cx, key).await,
        GoalList => views::goal_list(cx).await,
        GoalOwner(key, who) => goals::owner(cx, key, who).await,
        GoalRank(key, rank) => goals::rank(cx, key, rank).await,
        GoalClose {
            goal,
            outcome,
            note,
        } => goals::close(cx, goal, outcome, note).await,
        InitiativeNew {
            goal,
            title,
            lead,
            plan,
            due,
        } => initiatives::new(cx, goal, title, lead, plan, due).await,
        InitiativeShow(key) => views::initiative(cx, key).await,
        InitiativeMove(key, to) => initiatives::change(cx, key, to).await,
        WorkNew {
            home,
            title,
            assignee,
            url,
        } => work::new(cx, home, title, assignee, url).await,
        WorkMove { work, to, note } => work::change(cx, work, to, note).await,
        WorkLink { work, home } => work::link(cx, work, home).await,
        WorkAssign(key, who) => work::assign(cx, key, who).await,
        WorkNote(key, note) => work::note(cx, key, note).await,
        WorkShow(key) => work::show(cx, key).await,
        WorkReopen(key) => work::reopen(cx, key).await,
        Connect { forge, repository } => connections::connect(cx, forge, repository).await,
        Connections => connections::list(cx).await,
        Disconnect(which) => connections::disconnect(cx, which).await,
        Mine => views::mine(cx).await,
        Orphans => views::orphans(cx).await,
        Agenda => Ok(crate::engine::digest::weekly_agenda(cx.conn, cx.ws, cx.now).await?),
        Digest => {
            let since = cx.now - chrono::Duration::days(1);
            Ok(crate::engine::digest::daily_digest(cx.conn, cx.ws, since, cx.now).await?)
        }
        Capacity(scope) => views::capacity(cx, scope).await,
        History(key) => views::history(cx, key).await,
        KrNew {
            goal,
            title,
            shape,
            unit,
            by,
            start,
        } => key_results::new(cx, goal, title, shape, unit, by, start).await,
        KrUpdate {
            kr,
            value,
            note,
            confidence,
        } => key_results::update(cx, kr, value, note, confidence).await,
        KrDone { kr, note } => key_results::done(cx, kr, note).await,
        KrShow(kr) => key_results::show(cx, kr).await,
        KrList(goal) => key_results::list(cx, goal).await,
        KrToken(kr) => key_results::token(cx, kr).await,
        KrTarget { kr, target, why } => key_results::target(cx, kr, target, why).await,
        KrClose { kr, outcome, note } => key_results::close(cx, kr, outcome, note).await,
        Settings(None) => settings::show(cx).await,
        Settings(Some((name, value))) => settings::set(cx, &name, &value).await,
        Ack(key) => goals::ack(cx, key).await,
        Snooze(key, d) => goals::snooze(cx, key, d).await,
    }
}

impl Ctx<'_> {
    /// The person a mention names, created on first sight. Not a person: a specific error.
    pub async fn person(&mut self, m: &Mention, role: &str) -> Result<Person, Failure> {
        let p = people::upsert(
            self.conn,
            self.ws,
            &m.external_id,
            &m.handle,
            self.new_people_admin,
            self.now,
        )
        .await?;
        if !p.active {
            return Err(replies::has_left(&p, role).into());
        }
        Ok(p)
    }

    pub async fn goal(&mut self, key: Key) -> Result<Goal, Failure> {
        match model::goal(self.conn, self.ws, key.number).await? {
            Some(g) => Ok(g),
            None => Err(self.missing(key).await?.into()),
        }
    }

    pub async fn open_goal(&mut self, key: Key) -> Result<Goal, Failure> {
        let g = self.goal(key).await?;
        if g.status != GoalStatus::Open {
            return Err(replies::goal_not_open(key, g.status).into());
        }
        Ok(g)
    }

    pub async fn initiative(&mut self, key: Key) -> Result<Initiative, Failure> {
        match model::initiative(self.conn, self.ws, key.number).await? {
            Some(i) => Ok(i),
            None => Err(self.missing(key).await?.into()),
        }
    }

    pub async fn work(&mut self, key: Key) -> Result<WorkItem, Failure> {
        match model::work(self.conn, self.ws, key.number).await? {
            Some(w) => Ok(w),
            None => Err(self.missing(key).await?.into()),
        }
    }

    /// "There is no G-9 here" plus the nearest key that does exist.
    async fn missing(&mut self, key: Key) -> anyhow::Result<UserError> {
        let table = match key.kind {
            KeyKind::Goal => "goals",
            KeyKind::Initiative => "initiatives",
            KeyKind::Work => "work_items",
            KeyKind::KeyResult => "key_results",
        };
        let nearest: Option<i32> = sqlx::query_scalar(&format!(
            "SELECT number FROM {table} WHERE workspace_id = $1 ORDER BY abs(number - $2), number DESC LIMIT 1"
        ))
        .bind(self.ws)
        .bind(key.number)
        .fetch_optional(&mut *self.conn)
        .await?;
        Ok(replies::no_such(key, nearest))
    }

    pub fn require(&self, allowed: bool, what: &str, who: &str) -> Result<(), Failure> {
        if allowed || self.actor.is_admin {
            Ok(())
        } else {
            Err(replies::not_allowed(&self.actor, what, who).into())
        }
    }

    pub async fn event(
        &mut self,
        subject: &str,
        action: &str,
        before: Option<Value>,
        after: Option<Value>,
        note: Option<&str>,
    ) -> anyhow::Result<()> {
        let e = NewEvent {
            actor: Some(self.actor.id),
            subject,
            action,
            before,
            after,
            note,
        };
        events::record(self.conn, self.ws, e, self.now).await
    }
}
