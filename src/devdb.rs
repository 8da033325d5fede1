//! The embedded default: with no `DATABASE_URL`, find a PostgreSQL to use or start a private
//! one under `target/` from the machine's PostgreSQL binaries. Never used in production.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The machine's usual local server, tried before starting a private one.
const LOCAL_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PRIVATE_PORT: u16 = 54329;
const INSTALL: &str = "apt-get update && apt-get install -y --no-install-recommends postgresql";

/// A superuser URL for a server the demo and the tests may create databases on.
pub async fn server_url() -> anyhow::Result<String> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return Ok(url);
    }
    if reachable(LOCAL_URL).await {
        return Ok(LOCAL_URL.into());
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("throughline-pg");
    let url = format!("postgres://postgres@127.0.0.1:{PRIVATE_PORT}/postgres");
    if reachable(&url).await {
        return Ok(url);
    }
    std::fs::create_dir_all(&dir)?;
    // One process starts the server; the others wait for it.
    let lock = std::fs::File::create(dir.with_extension("lock"))?;
    lock.lock()?;
    if !reachable(&url).await {
        start_private(&dir)
            .with_context(|| format!("starting a private PostgreSQL in {}", dir.display()))?;
    }
    for _ in 0..50 {
        if reachable(&url).await {
            return Ok(url);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!(
        "the private PostgreSQL in {} did not accept connections; see its log there",
        dir.display()
    )
}

async fn reachable(url: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(3), PgConnection::connect(url)).await,
        Ok(Ok(_))
    )
}

fn bin_dir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn find_or_install_binaries() -> anyhow::Result<PathBuf> {
    if let Some(dir) = bin_dir() {
        return Ok(dir);
    }
    let apt = Path::new("/usr/bin/apt-get").exists();
    if apt && is_root() {
        eprintln!("PostgreSQL is not installed; installing it: {INSTALL}");
        let ok = Command::new("sh")
            .arg("-c")
            .arg(INSTALL)
            .status()
            .is_ok_and(|s| s.success());
        if ok && let Some(dir) = bin_dir() {
            return Ok(dir);
        }
        bail!("installing PostgreSQL failed; run `{INSTALL}` yourself, or set DATABASE_URL");
    }
    let how = if apt {
        format!("sudo sh -c '{INSTALL}'")
    } else {
        "install PostgreSQL 13 or later with your package manager".into()
    };
    bail!(
        "no PostgreSQL server found and none installed. Either {how}, or set DATABASE_URL to a server you can create databases on"
    )
}

/// `initdb` and `postgres` refuse to run as root: as root, the cluster belongs to `postgres`.
fn run(bin: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = if is_root() {
        Command::new("runuser")
            .arg("-u")
            .arg("postgres")
            .arg("--")
            .arg(bin)
            .args(args)
            .status()
    } else {
        Command::new(bin).args(args).status()
    }
    .with_context(|| format!("running {}", bin.display()))?;
    if !status.success() {
        bail!("{} {} failed with {status}", bin.display(), args.join(" "));
    }
    Ok(())
}

fn start_private(dir: &Path) -> anyhow::Result<()> {
    let bin = find_or_install_binaries()?;
    let data = dir.join("data");
    let d = data.to_string_lossy().to_string();
    if is_root() {
        std::fs::create_dir_all(&data)?;
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()?
            .success();
        if !ok {
            bail!("could not give {} to the postgres user", dir.display());
        }
    }
    if !data.join("PG_VERSION").exists() {
        run(
            &bin.join("initdb"),
            &[
                "-D",
                &d,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
    }
    let log = dir.join("server.log").to_string_lossy().to_string();
    let opts = format!("-p {PRIVATE_PORT} -c listen_addresses=127.0.0.1 -k {d} -c fsync=off");
    run(
        &bin.join("pg_ctl"),
        &["-D", &d, "-l", &log, "-o", &opts, "-w", "start"],
    )
}

/// A database name no other run holds: the prefix, this process and a random part (the pid
/// alone repeats: a container's first process always has the same one).
pub fn scratch_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Creates an empty database `name` on the server and returns options for it.
pub async fn fresh_database(
    server_url: &str,
    name: &str,
) -> anyhow::Result<sqlx::postgres::PgConnectOptions> {
    use sqlx::Executor;
    let server: sqlx::postgres::PgConnectOptions = server_url
        .parse()
        .context("DATABASE_URL is not a PostgreSQL URL")?;
    let mut conn = PgConnection::connect_with(&server)
        .await
        .context("connecting to PostgreSQL")?;
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .with_context(|| format!("creating database {name} (the user needs CREATEDB)"))?;
    Ok(server.database(name))
}

/// A database that outlives the run: a PostgreSQL URL, or a name on the development server
/// (created the first time), migrated.
pub async fn kept(db: &str) -> anyhow::Result<crate::store::Store> {
    use sqlx::Executor;
    let options: sqlx::postgres::PgConnectOptions = if db.contains("://") {
        db.parse().context("--db is not a PostgreSQL URL")?
    } else {
        let valid = !db.is_empty()
            && db.len() <= 63
            && db
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            bail!(
                "--db is a PostgreSQL URL or a database name of up to 63 lowercase letters, digits and _, not '{db}'"
            );
        }
        let server = server_url().await?;
        let mut conn = PgConnection::connect(&server)
            .await
            .context("connecting to PostgreSQL")?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(db)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            conn.execute(format!("CREATE DATABASE \"{db}\"").as_str())
                .await
                .with_context(|| format!("creating database {db} (the user needs CREATEDB)"))?;
        }
        server
            .parse::<sqlx::postgres::PgConnectOptions>()?
            .database(db)
    };
    migrated(options, 10)
        .await
        .context("opening the --db database")
}

/// A pool on the database, its migrations applied.
async fn migrated(
    options: sqlx::postgres::PgConnectOptions,
    max_connections: u32,
) -> anyhow::Result<crate::store::Store> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await?;
    let store = crate::store::Store { pool };
    store.migrate().await?;
    Ok(store)
}

/// Runs `f` on a fresh, migrated database of its own (named after `prefix`), and drops the
/// database however the run ends: done, failed, panicked, or stopped by Ctrl-C or SIGTERM.
pub async fn with_scratch<F, Fut>(prefix: &str, f: F) -> anyhow::Result<()>
where
    F: FnOnce(crate::store::Store) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    use futures_util::FutureExt;
    let mut stop = Stop::listen()?;
    let server = server_url().await?;
    let name = scratch_name(prefix);
    let options = fresh_database(&server, &name).await?;
    let outcome = match migrated(options, 10).await {
        Ok(store) => {
            let run = std::panic::AssertUnwindSafe(f(store.clone())).catch_unwind();
            let outcome = tokio::select! {
                done = run => done,
                signal = stop.recv() => Ok(Err(anyhow::anyhow!("stopped by {signal}"))),
            };
            store.pool.close().await;
            outcome
        }
        Err(e) => Ok(Err(e)),
    };
    let dropped = drop_database(&server, &name)
        .await
        .with_context(|| format!("dropping the scratch database {name}"));
    match outcome {
        Ok(result) => result.and(dropped),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Ctrl-C and SIGTERM, listened to from the moment it is made: one that comes while the
/// database is being created still ends the run and drops it.
struct Stop {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn listen() -> anyhow::Result<Stop> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Stop {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}

pub async fn drop_database(server_url: &str, name: &str) -> anyhow::Result<()> {
    use sqlx::Executor;
    let mut conn = PgConnection::connect(server_url).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
        .await?;
    Ok(())
}

/// A freshly created, migrated database of its own, for one test; `drop` removes it.
pub struct Scratch {
    pub store: crate::store::Store,
    server: String,
    name: String,
}

impl Scratch {
    /// A database of its own on the development server, named after `prefix`.
    pub async fn new(prefix: &str, max_connections: u32) -> anyhow::Result<Scratch> {
        let server = server_url().await?;
        let name = scratch_name(prefix);
        let options = fresh_database(&server, &name).await?;
        let store = migrated(options, max_connections).await?;
        Ok(Scratch {
            store,
            server,
            name,
        })
    }

    /// The database's URL, for a process of its own.
    pub fn url(&self) -> String {
        let mut url = url::Url::parse(&self.server).expect("the server URL parsed before");
        url.set_path(&self.name);
        url.to_string()
    }

    pub async fn drop(self) -> anyhow::Result<()> {
        self.store.pool.close().await;
        drop_database(&self.server, &self.name).await
    }
}
