//! Repositories as evidence of work: `/align connect` in Slack, then GitHub and GitLab webhooks
//! signed exactly as they sign them, with payloads shaped as their documentation shows.

use chrono::Duration;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::founding::founding;
use crate::harness::*;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/forges/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A connection as `/align connect` handed it to the admin: where to send, and the secret.
struct Connected {
    url: String,
    secret: String,
}

async fn connect(s: &S, forge: &str, repository: &str) -> Connected {
    let r = s
        .slash("UANA", &format!("connect {forge} {repository}"))
        .await;
    let shown = r.to_string();
    assert_eq!(
        r["response_type"], "ephemeral",
        "the secret is shown to the admin alone"
    );
    let prefix = format!("{}/hooks/{forge}/", s.base);
    let at = shown.find(&prefix).unwrap_or_else(|| panic!("{shown}"));
    let id: String = shown[at + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    let secret = shown
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 64)
        .unwrap_or_else(|| panic!("a 64-character secret in {shown}"))
        .to_string();
    assert!(!id.is_empty() && !secret.contains(&id));
    let stored = s
        .scalar(&format!(
            "SELECT count(*) FROM connections c, events e
             WHERE position('{secret}' in encode(c.secret_ciphertext, 'escape')) > 0
                OR e.after::text LIKE '%{secret}%'"
        ))
        .await;
    assert_eq!(stored, 0, "the secret is stored encrypted only");
    Connected {
        url: format!("{prefix}{id}"),
        secret,
    }
}

fn github_signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends `payload` as GitHub sends an `event` delivery.
async fn github(
    s: &S,
    c: &Connected,
    event: &str,
    delivery: &str,
    payload: &Value,
) -> (StatusCode, String) {
    let body = payload.to_string();
    let headers = [
        ("x-github-event", event.to_string()),
        ("x-github-delivery", delivery.to_string()),
        ("x-hub-signature-256", github_signature(&c.secret, &body)),
        ("user-agent", "GitHub-Hookshot/044aadd".to_string()),
    ];
    s.hook(&c.url, &headers, &body).await
}

async fn gitlab(
    s: &S,
    c: &Connected,
    event: &str,
    uuid: &str,
    payload: &Value,
) -> (StatusCode, String) {
    let headers = [
        ("x-gitlab-event", event.to_string()),
        ("x-gitlab-token", c.secret.clone()),
        ("x-gitlab-event-uuid", uuid.to_string()),
        ("idempotency-key", uuid.to_string()),
    ];
    s.hook(&c.url, &headers, &payload.to_string()).await
}

fn pull_request(action: &str, branch: &str, title: &str, body: &str) -> Value {
    let mut p = fixture("github_pull_request");
    p["action"] = json!(action);
    p["pull_request"]["head"]["ref"] = json!(branch);
    p["pull_request"]["title"] = json!(title);
    p["pull_request"]["body"] = json!(body);
    p
}

fn merged(base: &str, branch: &str, title: &str, body: &str, number: i64) -> Value {
    let mut p = pull_request("closed", branch, title, body);
    p["number"] = json!(number);
    p["pull_request"]["number"] = json!(number);
    p["pull_request"]["html_url"] = json!(format!("https://github.com/acme/api/pull/{number}"));
    p["pull_request"]["merged"] = json!(true);
    p["pull_request"]["state"] = json!("closed");
    p["pull_request"]["base"]["ref"] = json!(base);
    p
}

async fn open_stall(s: &S, item: &str) -> i64 {
    s.scalar(&format!(
        "SELECT count(*) FROM signals WHERE kind = 'stalled' AND subject = '{item}' AND resolved_at IS NULL"
    ))
    .await
}

/// Drains what the stall of the control item told people: not what these tests are about.
fn drain_all(s: &S) {
    for ch in ["DUANA", "DULEE", "DUBEA", "DUCTO", "#leadership"] {
        s.fake.drain(ch);
    }
}

#[tokio::test]
async fn a_pull_request_or_a_push_naming_the_item_keeps_it_from_stalling_and_posts_nothing() {
    let s = founding().await; // Thursday 19 Nov; Lee is doing W-1
    s.slash("UBEA", "work new I-1 \"Pricing page\" <@UBEA>")
        .await;
    s.slash("UBEA", "work start W-2").await;
    let c = connect(&s, "github", "acme/api").await;
    let (status, body) = github(&s, &c, "ping", "d-ping", &fixture("github_ping")).await;
    assert_eq!(
        (status, body.contains("pong")),
        (StatusCode::OK, true),
        "{body}"
    );

    s.advance(Duration::days(2)).await; // Saturday
    s.fake.take("#leadership", &["Daily digest"]);
    let pr = pull_request("opened", "w-1-welcome-flow", "New welcome flow", "");
    let (status, body) = github(&s, &c, "pull_request", "d-1", &pr).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.fake.assert_nothing_unread();

    s.advance(Duration::days(3)).await; // Tuesday 24 Nov, 09:30
    assert_eq!(
        open_stall(&s, "W-2").await,
        1,
        "the item no code named stalls"
    );
    assert_eq!(
        open_stall(&s, "W-1").await,
        0,
        "the pull request counts as work on W-1"
    );

    // A push whose commit names it counts too, and so does the branch of the push.
    let mut push = fixture("github_push");
    push["commits"][0]["message"] = json!("Retry the welcome email for W-2");
    let (status, _) = github(&s, &c, "push", "d-2", &push).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(open_stall(&s, "W-2").await, 0, "a push resolves the stall");
    drain_all(&s);

    let shown = s.slash("ULEE", "work show W-1").await.to_string();
    assert!(shown.contains("PR acme/api#88 opened 3d ago"), "{shown}");
    assert!(
        shown.contains("https://github.com/acme/api/pull/88"),
        "{shown}"
    );
    let history = s.slash("ULEE", "history W-2").await.to_string();
    assert!(history.contains("acme/api@feature"), "{history}");
    s.fake.assert_nothing_unread();
    s.finish().await;
}

#[tokio::test]
async fn a_merge_that_closes_the_item_into_the_default_branch_finishes_it_and_tells_its_assignee_once()
 {
    let s = founding().await;
    let c = connect(&s, "github", "acme/api").await;
    let status = || s.text("SELECT status FROM work_items WHERE number = 1");

    let elsewhere = merged("release", "feature", "Welcome flow", "Closes W-1", 90);
    github(&s, &c, "pull_request", "d-1", &elsewhere).await;
    assert_eq!(
        status().await,
        "doing",
        "a merge into another branch closes nothing"
    );
    let bare = merged("main", "feature", "Welcome flow", "Part of W-1", 91);
    github(&s, &c, "pull_request", "d-2", &bare).await;
    assert_eq!(
        status().await,
        "doing",
        "a bare key in the body names nothing"
    );
    s.fake.assert_nothing_unread();

    let closing = merged("main", "feature", "Welcome flow", "Closes W-1", 92);
    let (code, body) = github(&s, &c, "pull_request", "d-3", &closing).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(status().await, "done");
    let dm = s
        .fake
        .take_dm("ULEE", &["W-1", "acme/api#92 was merged"])
        .to_string();
    assert!(
        dm.contains("/align work reopen W-1"),
        "the undo comes with it: {dm}"
    );

    // The same delivery again, and GitHub's redelivery of it under a new id: nothing more.
    let (code, body) = github(&s, &c, "pull_request", "d-3", &closing).await;
    assert_eq!(
        (code, body.contains("already processed")),
        (StatusCode::OK, true),
        "{body}"
    );
    github(&s, &c, "pull_request", "d-3-redelivered", &closing).await;
    s.fake.assert_nothing_unread();
    let source = s
        .text("SELECT after->>'source' FROM events WHERE subject = 'W-1' AND action = 'status' ORDER BY at DESC, id DESC LIMIT 1")
        .await;
    assert_eq!(source, "acme/api#92", "the source is recorded");

    let reopened = s.slash("ULEE", "work reopen W-1").await.to_string();
    assert!(reopened.contains("is now doing (was done)"), "{reopened}");
    s.finish().await;
}

#[tokio::test]
async fn bad_signatures_unknown_connections_and_other_repositories_change_nothing() {
    let s = founding().await;
    let c = connect(&s, "github", "acme/api").await;
    let events = || s.scalar("SELECT count(*) FROM events");
    let seen = || s.scalar("SELECT count(*) FROM inbound_seen");
    let (before, seen_before) = (events().await, seen().await);
    let pr = pull_request("opened", "w-1", "Welcome", "");
    let body = pr.to_string();
    let wrong = Connected {
        url: c.url.clone(),
        secret: "not the secret".into(),
    };
    let (code, _) = github(&s, &wrong, "pull_request", "x-1", &pr).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "a wrong secret");
    let unsigned = [
        ("x-github-event", "pull_request".to_string()),
        ("x-github-delivery", "x-2".to_string()),
    ];
    let (code, _) = s.hook(&c.url, &unsigned, &body).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "no signature");
    let mut sha1_only = unsigned.to_vec();
    sha1_only.push(("x-hub-signature", "sha1=0123456789abcdef".to_string()));
    let (code, _) = s.hook(&c.url, &sha1_only, &body).await;
    assert_eq!(
        code,
        StatusCode::UNAUTHORIZED,
        "the legacy SHA-1 header is not enough"
    );
    let mut tampered = pr.clone();
    tampered["pull_request"]["title"] = json!("Closes W-1");
    let signed_other = [
        ("x-github-event", "pull_request".to_string()),
        ("x-github-delivery", "x-3".to_string()),
        ("x-hub-signature-256", github_signature(&c.secret, &body)),
    ];
    let (code, _) = s.hook(&c.url, &signed_other, &tampered.to_string()).await;
    assert_eq!(
        code,
        StatusCode::UNAUTHORIZED,
        "a body changed after signing"
    );
    let unknown = Connected {
        url: format!("{}/hooks/github/0123456789abcdef01234567", s.base),
        secret: c.secret.clone(),
    };
    let (code, _) = github(&s, &unknown, "pull_request", "x-4", &pr).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "an unknown connection");
    let as_gitlab = Connected {
        url: c.url.replace("/github/", "/gitlab/"),
        secret: c.secret.clone(),
    };
    let (code, _) = gitlab(
        &s,
        &as_gitlab,
        "Merge Request Hook",
        "x-5",
        &fixture("gitlab_merge_request"),
    )
    .await;
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "a GitHub connection is not a GitLab one"
    );
    assert_eq!(events().await, before, "nothing was recorded");
    assert_eq!(seen().await, seen_before, "no delivery id was taken");

    let mut other = pr.clone();
    other["repository"]["full_name"] = json!("acme/web");
    let (code, body) = github(&s, &c, "pull_request", "x-6", &other).await;
    assert_eq!(code, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        events().await,
        before,
        "another repository's activity is ignored"
    );
    let listed = s.slash("UANA", "connections").await.to_string();
    assert!(
        listed.contains("a delivery came from acme/web, not acme/api"),
        "{listed}"
    );

    let gl = connect(&s, "gitlab", "acme/backend/api").await;
    let mismatch = Connected {
        url: gl.url.clone(),
        secret: "wrong token".into(),
    };
    let (code, _) = gitlab(
        &s,
        &mismatch,
        "Merge Request Hook",
        "x-7",
        &fixture("gitlab_merge_request"),
    )
    .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "a GitLab token mismatch");

    let gone = s.slash("UANA", "disconnect acme/api").await.to_string();
    assert!(gone.contains("Disconnected acme/api"), "{gone}");
    let (code, _) = github(&s, &c, "pull_request", "x-8", &pr).await;
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "a disconnected repository is refused"
    );
    let refused = s.slash("ULEE", "connect github acme/web").await.to_string();
    assert!(
        refused.contains("only an admin can connect a repository"),
        "{refused}"
    );
    s.finish().await;
}

#[tokio::test]
async fn gitlab_merge_requests_and_pushes_count_and_a_merge_closes() {
    let s = founding().await;
    let c = connect(&s, "gitlab", "acme/backend/api").await;
    let mut push = fixture("gitlab_push");
    push["ref"] = json!("refs/heads/w-1-welcome");
    let (code, body) = gitlab(&s, &c, "Push Hook", "g-1", &push).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    let shown = s.slash("ULEE", "work show W-1").await.to_string();
    assert!(
        shown.contains("Push to acme/backend/api@w-1-welcome 0m ago"),
        "{shown}"
    );

    let mut mr = fixture("gitlab_merge_request");
    mr["object_attributes"]["action"] = json!("merge");
    mr["object_attributes"]["state"] = json!("merged");
    mr["object_attributes"]["description"] = json!("Fixes W-1, and W-7");
    let (code, body) = gitlab(&s, &c, "Merge Request Hook", "g-2", &mr).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(
        s.text("SELECT status FROM work_items WHERE number = 1")
            .await,
        "done"
    );
    s.fake
        .take_dm("ULEE", &["W-1", "acme/backend/api#12 was merged"]);
    let (code, _) = gitlab(&s, &c, "Merge Request Hook", "g-2", &mr).await;
    assert_eq!(code, StatusCode::OK);
    let listed = s.slash("UANA", "connections").await.to_string();
    assert!(
        listed.contains("1 key named no work item here"),
        "W-7 does not exist: {listed}"
    );
    s.fake.assert_nothing_unread();
    s.finish().await;
}

#[tokio::test]
async fn the_digest_counts_merged_pull_requests_that_name_no_work_item() {
    let s = founding().await;
    let c = connect(&s, "github", "acme/api").await;
    for n in [101, 102] {
        let pr = merged("main", "bump-deps", "Bump dependencies", "", n);
        github(&s, &c, "pull_request", &format!("m-{n}"), &pr).await;
    }
    // Delivered twice, counted once.
    let pr = merged("main", "bump-deps", "Bump dependencies", "", 102);
    github(&s, &c, "pull_request", "m-102-again", &pr).await;
    s.fake.assert_nothing_unread();
    s.advance(Duration::days(1)).await;
    let digest = s.fake.take("#leadership", &["Daily digest"]).to_string();
    assert!(
        digest.contains("acme/api: 2 merged pull requests this week named no work item"),
        "{digest}"
    );
    drain_all(&s);
    s.finish().await;
}

#[tokio::test]
async fn with_start_on_pr_a_pull_request_opened_on_an_item_in_todo_starts_it() {
    let s = founding().await;
    s.slash("ULEE", "work new I-1 \"Welcome email\" <@ULEE>")
        .await;
    let c = connect(&s, "github", "acme/api").await;
    let status = || s.text("SELECT status FROM work_items WHERE number = 2");
    let pr = pull_request("opened", "w-2-email", "Welcome email", "");
    github(&s, &c, "pull_request", "s-1", &pr).await;
    assert_eq!(status().await, "todo", "off by default: activity only");
    let set = s.slash("UANA", "settings start_on_pr on").await.to_string();
    assert!(set.contains("Setting start_on_pr is now on"), "{set}");
    github(&s, &c, "pull_request", "s-2", &pr).await;
    assert_eq!(status().await, "doing");
    s.fake.assert_nothing_unread();
    s.finish().await;
}
