//! `throughline serve`: the Slack and Discord endpoints, the scheduler and the one outbox
//! dispatcher in one process. Any number of these can run against one database: scheduled
//! runs and outbox claims are safe with replicas.
//!
//! Stopping (SIGTERM or SIGINT) drains in phases: readiness goes to 503 at once, the
//! dispatcher stops claiming and the scheduler stops between workspaces; after
//! `SHUTDOWN_DELAY_SECS` the listener closes, in-flight requests and the work they started
//! finish, and the process exits 0, all within `SHUTDOWN_TIMEOUT_SECS`.

mod probes;
mod transports;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use probes::Probes;
pub use transports::Transports;

use crate::app::App;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::notify::Dispatcher;
use crate::platform::discord::Discord;
use crate::platform::slack::Slack;
use crate::schedule;
use crate::store::Store;

/// How often the scheduler looks for due sweeps, digests and agendas.
const TICK_EVERY: Duration = Duration::from_secs(30);
/// How often the dispatcher looks for retries that came due, when nothing wakes it.
const DISPATCH_EVERY: Duration = Duration::from_secs(5);

/// Serves until SIGTERM or SIGINT, then drains.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    {
        let stop = stop.clone();
        tokio::spawn(async move {
            let signal = stop_signal().await;
            tracing::info!(
                signal,
                "stopping: readiness is off, no new deliveries are claimed"
            );
            stop.cancel();
        });
    }
    serve(config, stop).await
}

async fn stop_signal() -> &'static str {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = terminate => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "SIGINT",
    }
}

/// Serves until `stop` is cancelled, then drains (see the module's comment).
pub async fn serve(config: Config, stop: CancellationToken) -> anyhow::Result<()> {
    let life = config.lifecycle;
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let app = App {
        store: store.clone(),
        clock: clock.clone(),
        new_people_admin: false,
        tasks: Default::default(),
        public: config.public.clone(),
    };
    let wake = Arc::new(Notify::new());
    let slack = match config.slack {
        Some(c) => Some(Slack::new(app.clone(), c, wake.clone()).await?),
        None => None,
    };
    let discord = match config.discord {
        Some(c) => Some(Discord::new(app.clone(), c, wake.clone())?),
        None => None,
    };
    crate::observe::metrics();
    let probes = Probes::new(store.clone());
    let mut router = probes.clone().router();
    if let Some(s) = &slack {
        router = router.merge(crate::platform::slack::router(s.clone()));
    }
    if let Some(d) = &discord {
        router = router.merge(crate::platform::discord::router(d.clone()));
    }
    // Repository webhooks: connections exist only where HOOKS_KEY is set; without it every
    // hook is refused as an unknown connection.
    let forges = crate::platform::forge::Forges::new(app.clone(), wake.clone());
    router = router.merge(crate::platform::forge::router(forges));
    router = router.merge(crate::platform::api::router(app.clone(), wake.clone()));
    let router = router.layer(axum::middleware::from_fn(crate::observe::request));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on LISTEN_ADDR {}", config.listen))?;
    tracing::info!(address = %config.listen, "listening");

    let transports = Transports {
        slack: slack.as_ref().map(Slack::transport),
        discord: discord.as_ref().map(Discord::transport),
    };
    let dispatcher = {
        let platforms = transports.platforms();
        let dispatcher = Dispatcher::new(store.clone(), transports)
            .with_lease(life.outbox_lease)
            .for_platforms(platforms);
        let (clock, wake, stop) = (clock.clone(), wake.clone(), stop.clone());
        tokio::spawn(async move { dispatcher.run(clock, wake, DISPATCH_EVERY, stop).await })
    };
    let scheduler = tokio::spawn(scheduler(
        store.clone(),
        slack.clone(),
        wake.clone(),
        stop.clone(),
    ));
    // Connections that dial out: Slack's Socket Mode and Discord's Gateway.
    let socket = slack.as_ref().and_then(|s| {
        let token = s.config().app_token.clone()?;
        Some(tokio::spawn(crate::platform::slack::socket_mode(
            s.clone(),
            token,
        )))
    });
    let gateway: Option<JoinHandle<anyhow::Result<()>>> = discord
        .filter(|d| d.config().gateway)
        .map(|d| tokio::spawn(crate::platform::discord::gateway::run(d)));

    let close = CancellationToken::new();
    let http = {
        let close = close.clone();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(close.cancelled_owned())
                .await
        })
    };
    // serenity reconnects on its own; the Gateway ending means it cannot (a bad token, say),
    // and a process that no longer hears Discord should stop and say why.
    let outcome = match gateway {
        Some(mut g) => tokio::select! {
            _ = stop.cancelled() => { g.abort(); Ok(()) }
            ended = &mut g => Err(match ended {
                Ok(Err(e)) => e,
                _ => anyhow::anyhow!("it stopped"),
            }.context("the Discord Gateway connection ended; check DISCORD_BOT_TOKEN")),
        },
        None => {
            stop.cancelled().await;
            Ok(())
        }
    };
    stop.cancel();
    let deadline = Instant::now() + life.shutdown_timeout;
    probes.drain();
    if !life.shutdown_delay.is_zero() {
        tracing::info!(
            seconds = life.shutdown_delay.as_secs_f64(),
            "still serving while load balancers notice"
        );
        tokio::time::sleep_until((Instant::now() + life.shutdown_delay).min(deadline)).await;
    }
    tracing::info!("stopping: no new connections; finishing requests in flight");
    close.cancel();
    let drained = tokio::time::timeout_at(deadline, async {
        let _ = http.await;
        tracing::info!("requests answered; finishing the work they started");
        app.tasks.close();
        app.tasks.wait().await;
        let _ = dispatcher.await;
        let _ = scheduler.await;
    })
    .await;
    if let Some(s) = socket {
        s.abort();
    }
    match drained {
        Ok(()) => tracing::info!("stopped cleanly"),
        Err(_) => tracing::warn!(
            seconds = life.shutdown_timeout.as_secs_f64(),
            "stopping took longer than SHUTDOWN_TIMEOUT_SECS; leaving what is unfinished to the next process"
        ),
    }
    outcome
}

async fn scheduler(store: Store, slack: Option<Slack>, wake: Arc<Notify>, stop: CancellationToken) {
    let mut every = tokio::time::interval(TICK_EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = every.tick() => {}
        }
        if let Err(e) = schedule::tick_until(&store, chrono::Utc::now(), &stop).await {
            tracing::error!(error = ?e, "scheduler tick failed");
        }
        wake.notify_one();
        if let Some(s) = slack.as_ref().filter(|_| !stop.is_cancelled())
            && let Err(e) = s.refresh_homes().await
        {
            tracing::error!(error = ?e, "refreshing App Homes failed");
        }
    }
    tracing::info!("scheduler stopped");
}
