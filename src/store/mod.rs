//! PostgreSQL access: every SQL statement of the product lives under this module.

pub mod episodes;
pub mod events;
pub mod model;
pub mod outbox;
pub mod people;
pub mod platform;
pub mod schedule;
pub mod signals;
pub mod workspaces;

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

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
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("could not connect to PostgreSQL")?;
        Ok(Store { pool })
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
