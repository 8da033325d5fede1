//! What a repository's activity does to the model, inside the caller's transaction: activity
//! on the work items it names (the stall clock starts again; nothing is posted), a merge into
//! the default branch that closes one finishes it and tells its assignee once, with the undo,
//! and a merged pull request that names nothing is counted for the digest.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::domain::evidence::{Activity, Happened, links};
use crate::domain::*;
use crate::engine::notices;
use crate::store::events::{self, NewEvent};
use crate::store::outbox::{self, NewNotification, Recipient};
use crate::store::{Conn, WorkspaceId, connections, model, workspaces};

/// What one delivery did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The delivery was acted on before: nothing was done again.
    pub repeat: bool,
    /// Work items it was activity on.
    pub active: Vec<Key>,
    /// Work items its merge finished.
    pub finished: Vec<Key>,
    /// Keys it named that no work item has.
    pub unknown: usize,
}

pub async fn record(
    conn: &mut Conn,
    ws: WorkspaceId,
    connection: &str,
    a: &Activity,
    now: DateTime<Utc>,
) -> anyhow::Result<Recorded> {
    let named = links(a);
    let mut done = Recorded::default();
    if named.active.is_empty() {
        if let (Happened::Merged, Some(number)) = (a.happened, a.number) {
            connections::unlinked_merge(
                conn,
                ws,
                connection,
                number,
                &a.title,
                a.url.as_deref(),
                now,
            )
            .await?;
        }
        return Ok(done);
    }
    let settings = workspaces::settings(&mut *conn, ws).await?;
    for &number in &named.active {
        let key = Key::work(number);
        let Some(w) = model::work(&mut *conn, ws, number).await? else {
            done.unknown += 1;
            continue;
        };
        if !w.status.is_open() {
            continue;
        }
        let subject = key.to_string();
        let after = json!({
            "what": a.happened.verb(),
            "ref": a.reference(),
            "url": a.url,
            "by": a.author,
        });
        let event = NewEvent {
            actor: None,
            subject: &subject,
            action: "code",
            before: None,
            after: Some(after),
            note: (!a.title.is_empty()).then_some(a.title.as_str()),
        };
        events::record(conn, ws, event, now).await?;
        if named.closes.contains(&number) {
            finish(conn, ws, &w, a, now).await?;
            done.finished.push(key);
        } else if a.happened == Happened::Opened
            && w.status == WorkStatus::Todo
            && settings.start_on_pull_request
        {
            model::set_work_status(conn, ws, &w, WorkStatus::Doing, None, now).await?;
            status_event(conn, ws, &subject, w.status, WorkStatus::Doing, a, now).await?;
        } else {
            model::touch_work(conn, ws, w.id, now).await?;
        }
        done.active.push(key);
    }
    Ok(done)
}

/// Marks `w` done for a merge, and tells its assignee once, with the undo.
async fn finish(
    conn: &mut Conn,
    ws: WorkspaceId,
    w: &WorkItem,
    a: &Activity,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    model::set_work_status(conn, ws, w, WorkStatus::Done, None, now).await?;
    let subject = w.key().to_string();
    status_event(conn, ws, &subject, w.status, WorkStatus::Done, a, now).await?;
    let message = notices::finished_by_merge(w, a);
    let mut n = NewNotification::now(
        format!("merged:{}:{}", a.reference(), w.key()),
        Recipient::Person(w.assignee_id),
        &message,
        now,
    );
    n.about = Some(&subject);
    outbox::enqueue(conn, ws, n, now).await?;
    Ok(())
}

async fn status_event(
    conn: &mut Conn,
    ws: WorkspaceId,
    subject: &str,
    from: WorkStatus,
    to: WorkStatus,
    a: &Activity,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let note = format!("{} {}", a.reference(), a.happened.verb());
    let event = NewEvent {
        actor: None,
        subject,
        action: "status",
        before: Some(json!({ "status": from })),
        after: Some(json!({ "status": to, "source": a.reference() })),
        note: Some(&note),
    };
    events::record(conn, ws, event, now).await
}
