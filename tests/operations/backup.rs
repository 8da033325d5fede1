//! `throughline export` and `throughline import`, as an operator runs them.

use std::io::Write;
use std::process::{Command, Stdio};

use throughline::devdb::Scratch;

use crate::org;

fn throughline(database_url: &str, args: &[&str], stdin: &[u8]) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn export_then_import_on_another_database_restores_the_workspace() {
    let (_site, from) = org::site().await;
    org::queue_dms(&from.store, 2).await;
    let (ok, _, listed) = throughline(&from.url(), &["export"], b"");
    assert!(!ok);
    assert!(
        listed.contains("--workspace") && listed.contains("slack T1"),
        "{listed}"
    );
    let ws: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE platform = 'slack'")
        .fetch_one(&from.store.pool)
        .await
        .unwrap();
    let (ok, file, err) = throughline(
        &from.url(),
        &["export", "--workspace", &ws.to_string()],
        b"",
    );
    assert!(ok, "{err}");

    let to = Scratch::new("throughline_restore", 2).await.unwrap();
    let (ok, said, err) = throughline(&to.url(), &["import"], file.as_bytes());
    assert!(ok, "{err}");
    assert!(
        said.contains("2 people") && said.contains("2 work items"),
        "{said}"
    );
    let restored: i64 = sqlx::query_scalar("SELECT id FROM workspaces")
        .fetch_one(&to.store.pool)
        .await
        .unwrap();
    let (ok, again, err) = throughline(
        &to.url(),
        &["export", "--workspace", &restored.to_string()],
        b"",
    );
    assert!(ok, "{err}");
    assert_eq!(
        again, file,
        "the restored workspace exports to the same file"
    );

    let (ok, _, err) = throughline(&to.url(), &["import"], b"{\"not\": \"a backup\"}");
    assert!(!ok);
    assert!(err.contains("not a Throughline workspace export"), "{err}");
    to.drop().await.unwrap();
    from.drop().await.unwrap();
}
