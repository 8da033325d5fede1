use std::io::Read;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use throughline::config::{RegisterArgs, ServeArgs};
use throughline::platform::console::{Console, ScriptError, interactive, script_lines, transcript};
use throughline::store::Store;
use throughline::{demo, devdb, serve};

#[derive(Parser)]
#[command(
    name = "throughline",
    version,
    about = "Links every piece of work to the goal it serves, and says which goals are moving",
    after_help = "PostgreSQL: set DATABASE_URL (serve, migrate, export and import need it). Without it, \
the demo, the console, simulate and bench use a local server on 127.0.0.1:5432, or start a \
private one under target/ from the machine's PostgreSQL, and work on scratch databases they drop."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the built-in scenario on a scratch database, with narration.
    Demo,
    /// Type commands as any person while a virtual clock moves (a fresh scratch database):
    /// at a prompt when standard input is a terminal, else a script of lines such as
    /// `@ana: /align goal new "Cut churn" owner:@ana`, `+3d`, `role @bob member`.
    Console {
        /// Read the script from this file instead of standard input.
        #[arg(long)]
        script: Option<std::path::PathBuf>,
        /// Print JSON Lines: {"at", "kind", "to", "text"}.
        #[arg(long)]
        json: bool,
        /// Start the virtual clock here (RFC 3339); defaults to now. A workspace kept with
        /// --db resumes where its clock was left.
        #[arg(long)]
        start: Option<DateTime<Utc>>,
        /// Stop at the first line that fails (by default it is reported and the run goes on;
        /// the exit code says whether any line failed).
        #[arg(long)]
        strict: bool,
        /// At a terminal, who types at the prompt (`as @lee` switches); defaults to your
        /// login name.
        #[arg(long = "as", value_name = "HANDLE")]
        who: Option<String>,
        /// Keep the workspace, and its clock, in this database between runs: a name on the
        /// local server (created the first time) or a PostgreSQL URL. Without it, each run
        /// uses a scratch database, dropped at the end.
        #[arg(long, value_name = "NAME_OR_URL")]
        db: Option<String>,
    },
    /// Live a simulated organisation through weeks of work and check every message it got.
    Simulate {
        /// People in the organisation (goals, initiatives and work scale with them).
        #[arg(long, default_value_t = 200)]
        people: usize,
        /// Working days to simulate.
        #[arg(long, default_value_t = 60)]
        days: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Write every message the organisation received to this file (JSON Lines).
        #[arg(long)]
        transcript: Option<std::path::PathBuf>,
    },
    /// Measure what commands cost as a workspace grows, against a one-row commit (a scratch
    /// database; use a release build).
    Bench {
        #[command(flatten)]
        config: throughline::bench::Config,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply the database migrations to DATABASE_URL.
    Migrate,
    /// Write one workspace of DATABASE_URL (model, people, settings, history) as JSON to stdout.
    Export {
        /// The workspace's id (without it, the workspaces are listed).
        #[arg(long)]
        workspace: Option<i64>,
    },
    /// Restore a workspace from an export on stdin into DATABASE_URL, where it must not
    /// hold data yet.
    Import,
    /// Ask a running server whether it is ready (exit 0) or not (exit 1): for container
    /// health checks, where no curl is at hand.
    Healthcheck {
        /// The readiness endpoint to ask.
        #[arg(long, default_value = "http://127.0.0.1:3000/readyz")]
        url: String,
    },
    /// Serve Slack and Discord, run the scheduler and deliver notifications.
    Serve(Box<ServeArgs>),
    /// Discord set-up.
    Discord {
        #[command(subcommand)]
        command: DiscordCmd,
    },
}

#[derive(Subcommand)]
enum DiscordCmd {
    /// Install the /align command definitions (a bulk overwrite), globally or in one guild.
    Register(RegisterArgs),
    /// Print the command definitions that `register` sends (manifests/discord-commands.json).
    Commands,
}

fn database_url() -> anyhow::Result<String> {
    std::env::var("DATABASE_URL").context("set DATABASE_URL to the PostgreSQL database to use")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // A server says what it does; the interactive commands stay quiet unless asked.
    let default_filter = match cli.command {
        Cmd::Serve(_) => "warn,throughline=info",
        _ => "warn",
    };
    let format = std::env::var("LOG_FORMAT").ok();
    throughline::observe::init_logs(format.as_deref(), default_filter)?;
    match cli.command {
        Cmd::Migrate => {
            Store::connect(&database_url()?).await?.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Cmd::Serve(args) => serve::run(args.validate()?).await,
        Cmd::Export { workspace } => {
            let store = Store::connect(&database_url()?).await?;
            store.migrate().await?;
            let mut conn = store.pool.acquire().await?;
            let Some(ws) = workspace else {
                let all = throughline::store::workspaces::list(&mut conn).await?;
                let lines: Vec<String> = all
                    .iter()
                    .map(|(id, platform, external, name)| {
                        format!("  {id}  {platform} {external}  {name}")
                    })
                    .collect();
                anyhow::bail!(
                    "name the workspace: throughline export --workspace ID\nthis database has:\n{}",
                    lines.join("\n")
                );
            };
            let backup = throughline::store::backup::export(&mut conn, ws).await?;
            serde_json::to_writer_pretty(std::io::stdout().lock(), &backup)?;
            println!();
            Ok(())
        }
        Cmd::Import => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            let backup: throughline::store::backup::Backup = serde_json::from_str(&text)
                .context("standard input is not a Throughline workspace export (JSON)")?;
            let store = Store::connect(&database_url()?).await?;
            store.migrate().await?;
            let mut tx = store.begin().await?;
            let ws = throughline::store::backup::import(&mut tx, &backup).await?;
            tx.commit().await?;
            let count = |t: &str| {
                backup
                    .tables
                    .get(t)
                    .and_then(|v| v.as_array())
                    .map_or(0, Vec::len)
            };
            println!(
                "restored workspace {ws}: {} people, {} goals, {} initiatives, {} work items, {} events",
                count("people"),
                count("goals"),
                count("initiatives"),
                count("work_items"),
                count("events")
            );
            Ok(())
        }
        Cmd::Healthcheck { url } => {
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(3))
                .build()?;
            let res = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("{url} did not answer"))?;
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            anyhow::ensure!(status.is_success(), "{url} answered {status}: {body}");
            println!("{body}");
            Ok(())
        }
        Cmd::Discord {
            command: DiscordCmd::Commands,
        } => {
            let json = throughline::platform::discord::all_commands();
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(())
        }
        Cmd::Discord {
            command: DiscordCmd::Register(args),
        } => {
            let guild = args.guild.clone();
            let n = throughline::platform::discord::register(&args).await?;
            match guild {
                Some(g) => println!("registered /align ({n} subcommands) in guild {g}"),
                None => println!(
                    "registered /align ({n} subcommands) globally; Discord may take up to an hour to show it everywhere"
                ),
            }
            println!(
                "add the bot to a server with: {}",
                throughline::platform::discord::invite_url(&args.application_id)
            );
            Ok(())
        }
        Cmd::Simulate {
            people,
            days,
            seed,
            json,
            transcript,
        } => {
            let cfg = throughline::sim::Config { people, days, seed };
            let mut file = match &transcript {
                Some(path) => Some(
                    std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?,
                ),
                None => None,
            };
            devdb::with_scratch("throughline_simulate", |store| async move {
                let sink = file.as_mut().map(|f| f as &mut dyn std::io::Write);
                let report = throughline::sim::run(store, &cfg, sink).await?;
                print_report(json, &report, throughline::sim::describe)
            })
            .await
        }
        Cmd::Bench { mut config, json } => {
            config.binary = Some(std::env::current_exe()?);
            let cfg = config;
            devdb::with_scratch("throughline_bench", |store| async move {
                let report = throughline::bench::run(store, &cfg).await?;
                print_report(json, &report, throughline::bench::describe)
            })
            .await
        }
        Cmd::Demo => {
            devdb::with_scratch(
                "throughline_demo",
                |store| async move { demo::run(store).await },
            )
            .await
        }
        Cmd::Console {
            script,
            json,
            start,
            strict,
            who,
            db,
        } => {
            use std::io::IsTerminal;
            let at_a_terminal = script.is_none() && std::io::stdin().is_terminal();
            let lines = if at_a_terminal {
                Vec::new()
            } else {
                script_lines(&read_script(script.as_deref())?)
            };
            let run = |store| async move {
                let mut console = Console::start(store, start.unwrap_or_else(Utc::now)).await?;
                if at_a_terminal {
                    interactive::run(&mut console, &prompt_name(who)).await
                } else {
                    run_script(&mut console, &lines, json, strict).await
                }
            };
            match db {
                Some(db) => run(devdb::kept(&db).await?).await,
                None => devdb::with_scratch("throughline_console", run).await,
            }
        }
    }
}

/// Who types at the prompt: `--as`, else the login name.
fn prompt_name(who: Option<String>) -> String {
    who.or_else(|| std::env::var("USER").ok())
        .map(|w| w.trim_start_matches('@').to_string())
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "you".into())
}

fn read_script(path: Option<&std::path::Path>) -> anyhow::Result<Vec<u8>> {
    Ok(match path {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b)?;
            b
        }
    })
}

/// Runs every line, printing what each brings; a line that is not a command is reported and
/// skipped (`strict`: the run stops there), and the run fails if any line did.
async fn run_script(
    console: &mut Console,
    lines: &[Result<String, ScriptError>],
    json: bool,
    strict: bool,
) -> anyhow::Result<()> {
    let mut failed = 0;
    for (n, line) in lines.iter().enumerate() {
        let done = match line {
            Ok(line) => console.line(n + 1, line).await,
            Err(e) => Err(e.clone().into()),
        };
        let outputs = match done {
            Ok(outputs) => outputs,
            Err(e) => {
                // Anything but a mistaken line (the database gone) ends the run.
                let e = e.downcast::<ScriptError>()?;
                failed += 1;
                report(json, &e);
                if strict {
                    break;
                }
                continue;
            }
        };
        for o in outputs {
            if json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                println!("{}", transcript(&o));
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} script lines failed",
        lines.len()
    );
    Ok(())
}

/// A script line that failed: on standard error, or in the JSON Lines stream as an error.
fn report(json: bool, e: &ScriptError) {
    if json {
        let line = serde_json::json!({ "kind": "error", "line": e.line, "text": e.message });
        println!("{line}");
    } else {
        eprintln!("error: {e}");
    }
}

/// A report as JSON, or as `describe` words it for a person.
fn print_report<R: serde::Serialize>(
    json: bool,
    report: &R,
    describe: fn(&R) -> String,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        println!("{}", describe(report).trim_end());
    }
    Ok(())
}
