//! PostgreSQL access: every SQL statement of the product lives under this module.

pub mod backup;
pub mod connections;
pub mod episodes;
pub mod events;
pub mod homes;
pub mod inbound;
pub mod installs;
pub mod key_results;
pub mod kr_tokens;
pub mod listing;
pub mod model;
pub mod outbox;
pub mod people;
pub mod profiles;
pub mod schedule;
pub mod scope;
pub mod sealed;
mod search;
pub mod signals;
pub mod workspaces;

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};

pub use sqlx::PgConnection as Conn;
pub type Tx = Transaction<'static, Postgres>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub type WorkspaceId = i64;

#[derive(Clone)]
pub struct Store {
    pub pool: PgPool,
}

impl Store {
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        let options: PgConnectOptions = url
            .parse()
            .context("DATABASE_URL is not a valid PostgreSQL URL")?;
        // One plain connection first: its failure carries PostgreSQL's own words ("connection
        // refused", "password authentication failed"), where a pool would only time out.
        let first = PgConnection::connect_with(&options).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to PostgreSQL at {}:{} (from DATABASE_URL): {e}",
                options.get_host(),
                options.get_port()
            )
        })?;
        first.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options);
        Ok(Store { pool })
    }

    /// Migrations this binary knows that the database has not applied (readiness needs none).
    pub async fn migrations_pending(&self) -> anyhow::Result<usize> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await?;
        Ok(MIGRATOR
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count())
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .context("applying database migrations")?;
        Ok(())
    }

    pub async fn begin(&self) -> anyhow::Result<Tx> {
        Ok(self.pool.begin().await?)
    }
}

/// Reads a status column into its enum; a value the code does not know is a bug, not user input.
pub(crate) fn decode<T>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    column: &str,
) -> anyhow::Result<T> {
    parse(value).with_context(|| format!("unexpected {column} '{value}' in the database"))
}
