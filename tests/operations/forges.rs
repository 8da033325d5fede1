//! Repository webhooks and the check-in API on the `serve` process itself: wired into its
//! router, and a delivery that comes while PostgreSQL refuses connections is refused whole,
//! then acted on when the forge delivers it again.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::org;
use crate::proxy::Proxy;

const HOOKS_KEY: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";

fn signed(secret: &str, delivery: &str, body: &str) -> Vec<(&'static str, String)> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    vec![
        ("content-type", "application/json".to_string()),
        ("x-github-event", "pull_request".to_string()),
        ("x-github-delivery", delivery.to_string()),
        (
            "x-hub-signature-256",
            format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
        ),
    ]
}

#[tokio::test]
async fn a_delivery_while_postgres_refuses_is_refused_whole_and_acted_on_when_delivered_again() {
    let (mut site, scratch) = org::site().await;
    site.slack.user("T1", "UADM", "adm", true);
    let (proxy, through) = Proxy::in_front_of(&site.database_url).await;
    site.database_url = through;
    let public = "https://align.example.com";
    let a = site
        .serve(&[("PUBLIC_URL", public), ("HOOKS_KEY", HOOKS_KEY)])
        .await;

    let command = |text: &str, n: u32| {
        org::slack_command(
            "UADM",
            text,
            &format!("trigger-{n}"),
            &format!("{}/response/{n}", site.slack.url),
        )
    };
    let (headers, form) = command("work new none \"Flaky login\" <@UADM>", 1);
    assert_eq!(a.post("/slack/commands", &headers, form).await.0, 200);
    let (headers, form) = command("connect github acme/api", 2);
    let (status, answer) = a.post("/slack/commands", &headers, form).await;
    assert_eq!(status, 200, "{answer}");
    let at = answer
        .find(&format!("{public}/hooks/github/"))
        .expect(&answer);
    let path: String = answer[at + public.len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect();
    let secret = answer
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .expect(&answer)
        .to_string();

    let pr = json!({
        "action": "opened", "number": 7,
        "pull_request": { "number": 7, "title": "Fix the flaky login", "body": "",
                          "html_url": "https://github.com/acme/api/pull/7",
                          "head": { "ref": "w-1-login" }, "base": { "ref": "main" },
                          "user": { "login": "adm", "type": "User" } },
        "repository": { "full_name": "acme/api", "default_branch": "main" },
        "sender": { "login": "adm", "type": "User" }
    })
    .to_string();
    proxy.refuse();
    let (status, _) = a
        .post(&path, &signed(&secret, "d-1", &pr), pr.clone())
        .await;
    assert_eq!(status, 503, "refused whole: {}", a.log());
    proxy.accept().await;
    let mut answered = (0, String::new());
    for _ in 0..100 {
        answered = a
            .post(&path, &signed(&secret, "d-1", &pr), pr.clone())
            .await;
        if answered.0 != 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answered.0, 200, "{answered:?}");
    assert!(answered.1.contains("recorded"), "{answered:?}");
    let mut db = scratch.store.pool.acquire().await.unwrap();
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE subject = 'W-1' AND action = 'code'")
            .fetch_one(&mut *db)
            .await
            .unwrap();
    assert_eq!(recorded, 1, "acted on once");
    drop(db);

    let (status, answer) = a
        .post("/api/v1/key-results/K-1/check-ins", &[], "{}".into())
        .await;
    assert_eq!(
        status, 401,
        "the check-in API is served and wants its token: {answer}"
    );
    a.signal("TERM");
    let (exit, log) = a.exit(Duration::from_secs(20)).await;
    assert!(exit.success(), "{log}");
    site.slack.drain("DUADM");
    scratch.drop().await.unwrap();
}
