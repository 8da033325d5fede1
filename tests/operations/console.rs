//! `throughline console` and `throughline demo` as someone tries them: scripts that hold
//! mistakes, runs side by side, and runs stopped by Ctrl-C, SIGTERM, an error or a panic.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Starts `throughline args`, with `stdin` written and closed.
fn spawn(args: &[&str], stdin: &[u8]) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child
}

fn throughline(args: &[&str], stdin: &[u8]) -> Output {
    spawn(args, stdin).wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A byte-order mark, then one good line, four that are not commands, and one more good one.
fn script_with_mistakes() -> Vec<u8> {
    let mut s = "\u{feff}@ana: /align goal new \"Cut churn\" owner:@ana\n"
        .as_bytes()
        .to_vec();
    s.extend_from_slice(b"goal list\nrole @bob\n+0m\n@ana: /align work note \xff\xfe\n");
    s.extend_from_slice(b"@ana: /align goal show G-1\n");
    s
}

#[test]
fn a_script_line_that_is_not_a_command_is_reported_and_the_run_goes_on() {
    let out = throughline(&["console"], &script_with_mistakes());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "a failed line fails the run");
    assert!(stdout.contains("Created G-1"), "{stdout}");
    // Line 6 shows the goal: its name appears a second time.
    assert!(
        stdout.matches("G-1 \"Cut churn\"").count() >= 2,
        "line 6 ran: {stdout}"
    );
    for expected in [
        "line 2: 'goal list' is not a script line: a line is '@handle: /align …'",
        "line 3: expected: role @who member|admin",
        "line 4: bad duration '0m'",
        "line 5: not UTF-8 text (an invalid byte at column 24)",
        "4 of 6 script lines failed",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
    }
}

#[test]
fn strict_stops_at_the_first_line_that_fails_and_json_reports_it_in_the_stream() {
    let out = throughline(&["console", "--strict", "--json"], &script_with_mistakes());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["kind"], "reply");
    assert_eq!(lines[1]["kind"], "error");
    assert_eq!(lines[1]["line"], 2);
}

#[test]
fn a_clock_move_longer_than_a_year_is_refused_and_says_how_to_split_it() {
    let out = throughline(&["console"], b"+10000w\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("a clock move is at most 366 days"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn two_demos_and_two_consoles_at_once_all_succeed() {
    let script: &[u8] = b"@ana: /align goal new \"Grow\" owner:@ana\n+1d\n";
    let runs = [
        spawn(&["demo"], script),
        spawn(&["demo"], script),
        spawn(&["console"], script),
        spawn(&["console"], script),
    ];
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

#[tokio::test]
async fn ctrl_c_in_the_middle_of_a_run_leaves_no_database_behind() {
    stopped_in_the_middle("-INT", "stopped by Ctrl-C").await;
}

#[tokio::test]
async fn sigterm_in_the_middle_of_a_run_leaves_no_database_behind() {
    stopped_in_the_middle("-TERM", "stopped by SIGTERM").await;
}

/// Starts a year-long console run, sends `signal` once it is under way, and checks the run
/// says `said`, fails, and drops its scratch database.
async fn stopped_in_the_middle(signal: &str, said: &str) {
    let server = throughline::devdb::server_url().await.unwrap();
    let mut admin = PgConnection::connect(&server).await.unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_throughline"))
        .arg("console")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        // A year of sweeps: long enough to be stopped in the middle.
        stdin
            .write_all(b"@ana: /align goal new \"Grow\" owner:@ana\n+52w\n")
            .await
            .unwrap();
    }
    let pattern = format!("throughline_console_{pid}_%");
    let find = "SELECT datname::text FROM pg_database WHERE datname LIKE $1";
    let mut name = None;
    for _ in 0..200 {
        name = sqlx::query_scalar::<_, String>(find)
            .bind(&pattern)
            .fetch_optional(&mut admin)
            .await
            .unwrap();
        if name.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let name = name.expect("the console made its scratch database");
    // Wait until the script runs: its first line's goal is in the database.
    let url = url::Url::parse(&server)
        .map(|mut u| {
            u.set_path(&name);
            u.to_string()
        })
        .unwrap();
    let mut running = false;
    for _ in 0..200 {
        if let Ok(mut db) = PgConnection::connect(&url).await {
            let goals: Result<i64, _> = sqlx::query_scalar("SELECT count(*) FROM goals")
                .fetch_one(&mut db)
                .await;
            if goals.is_ok_and(|n| n == 1) {
                running = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(running, "the script started");
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the console stops")
        .unwrap();
    assert!(!out.status.success(), "a stopped run is not a success");
    assert!(text(&out.stderr).contains(said), "{}", text(&out.stderr));
    let left: Option<String> = sqlx::query_scalar(find)
        .bind(&pattern)
        .fetch_optional(&mut admin)
        .await
        .unwrap();
    assert_eq!(left, None, "the scratch database is dropped");
}

#[test]
fn at_a_terminal_the_console_prompts_answers_each_line_and_recalls_history() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    cmd.args(["console", "--as", "ana"]).env("TERM", "xterm");
    let mut term = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    term.exp_string("@ana> ")
        .expect("the prompt names who types");
    term.send_line("goal new \"Cut churn\" owner:@ana").unwrap();
    term.exp_string("Created G-1 \"Cut churn\"")
        .expect("the answer comes");
    term.exp_string("@ana> ")
        .expect("the next prompt comes after the answer");
    term.send_line("as @lee").unwrap();
    term.exp_string("@lee> ").expect("as switches who types");
    term.send_line("goal show G-1").unwrap();
    term.exp_string("Goal owner: @ana")
        .expect("the goal is shown");
    term.exp_string("@lee> ").unwrap();
    // The up arrow recalls the last line; Enter runs it again.
    term.send("\x1b[A").unwrap();
    term.send_line("").unwrap();
    term.exp_string("Goal owner: @ana")
        .expect("the recalled line ran again");
    term.exp_string("@lee> ").unwrap();
    term.send_line("quit").unwrap();
    term.exp_eof().unwrap();
    let status = term.process_mut().wait().unwrap();
    assert!(format!("{status:?}").ends_with(", 0)"), "{status:?}");
}

#[test]
fn help_says_what_the_database_is_and_what_a_script_line_looks_like() {
    let top = text(&throughline(&["--help"], b"").stdout);
    assert!(
        top.contains("DATABASE_URL") && top.contains("127.0.0.1:5432"),
        "{top}"
    );
    let console = text(&throughline(&["console", "--help"], b"").stdout);
    assert!(
        console.contains("@ana: /align goal new") && console.contains("--strict"),
        "{console}"
    );
}

#[tokio::test]
async fn a_workspace_kept_with_db_is_there_the_next_run_with_its_clock() {
    let name = throughline::devdb::scratch_name("throughline_kept");
    let first = throughline(
        &["console", "--db", &name, "--start", "2026-11-19T09:30:00Z"],
        b"@ana: /align goal new \"Cut churn\" owner:@ana\n+3d\n",
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = throughline(&["console", "--db", &name], b"@ana: /align goal show G-1\n");
    let said = text(&second.stdout);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(
        said.contains("G-1 \"Cut churn\""),
        "the goal is kept: {said}"
    );
    assert!(
        said.contains("[Sun 2026-11-22 09:30] reply to @ana"),
        "the clock resumes three days on: {said}"
    );
    let bad = throughline(&["console", "--db", "Not A Name"], b"");
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("--db is a PostgreSQL URL or a database name"));

    let server = throughline::devdb::server_url().await.unwrap();
    throughline::devdb::drop_database(&server, &name)
        .await
        .unwrap();
}

/// Whether a database of that name exists on the local server.
async fn exists(name: &str) -> bool {
    let server = throughline::devdb::server_url().await.unwrap();
    let mut admin = PgConnection::connect(&server).await.unwrap();
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scratch_run_that_fails_or_panics_drops_its_database_and_says_why() {
    use throughline::devdb::with_scratch;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let failing = tx.clone();
    let failed = with_scratch("throughline_fails", |store| async move {
        let name: String = sqlx::query_scalar("SELECT current_database()::text")
            .fetch_one(&store.pool)
            .await?;
        failing.send(name).unwrap();
        anyhow::bail!("the run went wrong")
    })
    .await;
    assert_eq!(failed.unwrap_err().to_string(), "the run went wrong");
    let panicking = tokio::spawn(with_scratch("throughline_panics", |store| async move {
        let name: String = sqlx::query_scalar("SELECT current_database()::text")
            .fetch_one(&store.pool)
            .await?;
        tx.send(name).unwrap();
        panic!("a bug in the run")
    }))
    .await;
    let panic = panicking.expect_err("the panic reaches the caller");
    assert!(panic.is_panic());
    let made: Vec<String> = rx.try_iter().collect();
    assert_eq!(made.len(), 2, "both runs had a database: {made:?}");
    for name in made {
        assert!(name.starts_with("throughline_"), "{name}");
        assert!(!exists(&name).await, "{name} was dropped");
    }
}
