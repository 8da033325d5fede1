//! Re-evaluates a workspace and turns what changed into events, signals and notifications,
//! all inside the caller's transaction: load the scope a change can affect and what was
//! stored about it, judge it with the pure rules, `plan` what follows, `apply` the plan.

use chrono::{DateTime, Utc};

use crate::domain::health::{self, Assessment};
use crate::engine::apply::apply;
use crate::engine::plan::{self, Picture, Stored, Trigger};
use crate::store::{Conn, WorkspaceId, episodes, model, outbox, scope, signals, workspaces};

/// Evaluates at `now` what changed since the last evaluation, and when time moved what time
/// can have changed too (the whole workspace after a change of settings), and records every
/// consequence. Safe to call repeatedly: a second call at the same moment finds nothing new
/// and queues nothing.
pub async fn reconcile(
    conn: &mut Conn,
    ws: WorkspaceId,
    now: DateTime<Utc>,
    trigger: Trigger,
) -> anyhow::Result<()> {
    let settings = workspaces::settings(&mut *conn, ws).await?;
    let mut changes = scope::take(&mut *conn, ws).await?;
    let whole = changes.everything;
    if trigger == Trigger::Time && !whole {
        let stalled_before = now - settings.working.span(settings.stall_after);
        let today = now.with_timezone(&settings.time_zone).date_naive();
        let timed = scope::due_to_time(&mut *conn, ws, stalled_before, today).await?;
        changes = changes.merge(timed);
    }
    if !whole && changes.is_empty() {
        return Ok(());
    }
    let (recent_since, flowing_since) = settings.windows(now);
    let (snap, keys) = if whole {
        let snap = model::snapshot(&mut *conn, ws, recent_since, flowing_since).await?;
        (snap, None)
    } else {
        let today = now.with_timezone(&settings.time_zone).date_naive();
        let windows = (recent_since, flowing_since);
        let (snap, keys) = scope::snapshot(&mut *conn, ws, &changes, windows, today).await?;
        (snap, Some(keys))
    };
    let mut assessment = health::evaluate(&snap, &settings, now);
    // The same rules judge a scope as the whole; only what the scope can affect is kept.
    let keys: Option<Vec<String>> = keys.map(|k| {
        assessment.retain(&k);
        k.into_iter().collect()
    });
    model::save_onsets(&mut *conn, ws, &assessment.holding, keys.as_deref(), now).await?;
    let stored = stored(&mut *conn, ws, &assessment, keys.as_deref(), now).await?;
    let picture = Picture {
        snap: &snap,
        assessment: &assessment,
        settings: &settings,
        now,
        trigger,
    };
    let plan = plan::plan(&picture, &stored)?;
    apply(conn, ws, &settings, plan, now).await
}

/// What the last evaluations stored about the subjects the assessment covers (`scope`), or
/// about every open subject when it covers the whole workspace.
async fn stored(
    conn: &mut Conn,
    ws: WorkspaceId,
    assessment: &Assessment,
    scope: Option<&[String]>,
    now: DateTime<Utc>,
) -> anyhow::Result<Stored> {
    let health = match scope {
        Some(keys) => signals::stored_health(&mut *conn, ws, keys, false).await?,
        None => {
            let judged: Vec<String> = assessment.health.keys().cloned().collect();
            signals::stored_health(&mut *conn, ws, &judged, true).await?
        }
    };
    let signals = signals::open(&mut *conn, ws, scope).await?;
    let episodes = episodes::open(&mut *conn, ws, scope).await?;
    let ids: Vec<i64> = episodes.iter().map(|e| e.id).collect();
    let waiting_replies = outbox::waiting_replies(&mut *conn, ws, &ids, now).await?;
    Ok(Stored {
        health,
        signals,
        episodes,
        waiting_replies,
    })
}
