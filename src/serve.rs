//! `throughline serve`: the Slack and Discord endpoints, the scheduler and the outbox dispatcher in one
//! process. Any number of these can run against one database: scheduled runs and outbox
//! claims are safe with replicas.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::sync::Notify;

use crate::app::App;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::message::MessageRef;
use crate::notify::{self, Delivery, DeliveryError, Transport};
use crate::platform::discord::{Discord, DiscordTransport};
use crate::platform::slack::{Slack, SlackTransport};
use crate::schedule;
use crate::store::Store;

/// How often the scheduler looks for due sweeps, digests and agendas.
const TICK_EVERY: Duration = Duration::from_secs(30);
/// How often the dispatcher looks for retries that came due, when nothing wakes it.
const DISPATCH_EVERY: Duration = Duration::from_secs(5);

/// Routes each delivery to its platform's transport.
pub struct Transports {
    pub slack: Option<SlackTransport>,
    pub discord: Option<DiscordTransport>,
}

impl Transport for Transports {
    async fn deliver(&self, d: &Delivery) -> Result<Option<MessageRef>, DeliveryError> {
        match (d.platform.as_str(), &self.slack, &self.discord) {
            ("slack", Some(t), _) => t.deliver(d).await,
            ("discord", _, Some(t)) => t.deliver(d).await,
            (platform, _, _) => Err(DeliveryError::Permanent(format!(
                "no transport for platform '{platform}' is configured"
            ))),
        }
    }
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let app = App {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        new_people_admin: false,
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
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .with_state(store.clone());
    if let Some(s) = &slack {
        router = router.merge(crate::platform::slack::router(s.clone()));
    }
    if let Some(d) = &discord {
        router = router.merge(crate::platform::discord::router(d.clone()));
    }
    let transports = Transports {
        slack: slack.as_ref().map(Slack::transport),
        discord: discord.as_ref().map(Discord::transport),
    };
    if let Some(s) = &slack
        && let Some(token) = s.config().app_token.clone()
    {
        tokio::spawn(crate::platform::slack::socket_mode(s.clone(), token));
    }
    tokio::spawn(scheduler(store.clone(), slack.clone(), wake.clone()));
    tokio::spawn(dispatcher(store, transports, wake));
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(address = %config.listen, "listening");
    let http = axum::serve(listener, router).with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    // serenity reconnects on its own; the Gateway ending means it cannot (a bad token, say),
    // and a process that no longer hears Discord should stop and say why.
    let gateway = async {
        match discord.filter(|d| d.config().gateway) {
            Some(d) => crate::platform::discord::gateway::run(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        served = http => served?,
        ended = gateway => ended.context("the Discord Gateway connection ended; check DISCORD_BOT_TOKEN")?,
    }
    Ok(())
}

async fn healthz(State(store): State<Store>) -> (StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&store.pool).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}

async fn scheduler(store: Store, slack: Option<Slack>, wake: Arc<Notify>) {
    let mut every = tokio::time::interval(TICK_EVERY);
    loop {
        every.tick().await;
        if let Err(e) = schedule::tick_all(&store, chrono::Utc::now()).await {
            tracing::error!(error = ?e, "scheduler tick failed");
        }
        wake.notify_one();
        if let Some(s) = &slack
            && let Err(e) = s.refresh_homes().await
        {
            tracing::error!(error = ?e, "refreshing App Homes failed");
        }
    }
}

async fn dispatcher(store: Store, transports: Transports, wake: Arc<Notify>) {
    loop {
        match notify::dispatch_pending(&store, &transports, chrono::Utc::now()).await {
            Ok(r) if r.delivered + r.retried + r.failed > 0 => {
                tracing::info!(
                    delivered = r.delivered,
                    retried = r.retried,
                    failed = r.failed,
                    "dispatched"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "dispatching failed"),
        }
        let _ = tokio::time::timeout(DISPATCH_EVERY, wake.notified()).await;
    }
}
