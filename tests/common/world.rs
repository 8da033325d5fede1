//! What the platform end-to-end suites share: moving a manual clock through the schedules,
//! delivering what falls due, and reading the model back.

use chrono::Duration;
use throughline::clock::{Clock, ManualClock};
use throughline::notify::{self, Dispatcher, Transport};
use throughline::schedule;
use throughline::store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Moves the clock; every scheduled run that falls due runs at its own time, and what it
/// queued is delivered through `transport`.
pub async fn advance<T: Transport>(
    store: &Store,
    clock: &ManualClock,
    transport: &Dispatcher<T>,
    by: Duration,
) {
    let from = clock.now();
    let to = from + by;
    for at in schedule::due_between(store, from, to).await.unwrap() {
        clock.set(at);
        schedule::tick_all(store, at).await.unwrap();
        dispatch(store, clock, transport).await;
    }
    clock.set(to);
    dispatch(store, clock, transport).await;
}

/// What the process would do after a request: let the work it started finish, then deliver
/// what it queued (the dispatcher, woken by the adapter, does this in production).
pub async fn settle<T: Transport>(
    tasks: &TaskTracker,
    store: &Store,
    clock: &ManualClock,
    transport: &Dispatcher<T>,
) {
    tasks.close();
    tasks.wait().await;
    tasks.reopen();
    dispatch(store, clock, transport).await;
}

/// One pass of the process's dispatcher (which remembers the channels a platform asked to rest).
pub async fn dispatch<T: Transport>(
    _store: &Store,
    clock: &ManualClock,
    dispatcher: &Dispatcher<T>,
) -> notify::Report {
    dispatcher
        .pass(clock.now(), &CancellationToken::new())
        .await
        .unwrap()
}

pub async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

pub async fn text(store: &Store, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&store.pool)
        .await
        .unwrap()
}
