//! GitHub webhooks: the `X-Hub-Signature-256` check and the payloads Throughline reads
//! (`pull_request`, `pull_request_review`, `pull_request_review_comment`, `issue_comment` on a
//! pull request, `push`, and `ping`).

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{Translated, commit_messages, str_at};
use crate::domain::evidence::{Activity, Happened};

pub const EVENT: &str = "x-github-event";
pub const DELIVERY: &str = "x-github-delivery";
const SIGNATURE: &str = "x-hub-signature-256";

/// HMAC-SHA256 of the raw body under the connection's secret, compared in constant time. The
/// legacy SHA-1 header is not enough.
pub fn verified(secret: &str, headers: &axum::http::HeaderMap, body: &[u8]) -> bool {
    let Some(hex_sig) = headers
        .get(SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
    else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn is_bot(user: &Value) -> bool {
    user["type"] == "Bot" || user["login"].as_str().is_some_and(|l| l.ends_with("[bot]"))
}

pub fn translate(event: &str, p: &Value) -> Translated {
    let repository = str_at(p, &["repository", "full_name"]);
    let default_branch = str_at(p, &["repository", "default_branch"]);
    let action = p["action"].as_str().unwrap_or_default();
    let (happened, pr) = match event {
        "ping" => return Translated::Ping,
        "push" => return push(p, repository, default_branch),
        "pull_request" => {
            let happened = match action {
                "opened" | "reopened" => Happened::Opened,
                "synchronize" | "edited" | "ready_for_review" => Happened::Updated,
                "closed" if p["pull_request"]["merged"] == true => Happened::Merged,
                "closed" => Happened::Closed,
                other => return Translated::Ignored(format!("pull_request {other}")),
            };
            (happened, &p["pull_request"])
        }
        "pull_request_review" if action == "submitted" => (Happened::Reviewed, &p["pull_request"]),
        "pull_request_review_comment" if action == "created" => {
            (Happened::Commented, &p["pull_request"])
        }
        // A comment on a pull request arrives as one on its issue, without the branches.
        "issue_comment" if action == "created" && p["issue"]["pull_request"].is_object() => {
            (Happened::Commented, &p["issue"])
        }
        other => return Translated::Ignored(format!("{other} {action}").trim().to_string()),
    };
    let Some(number) = pr["number"].as_i64() else {
        return Translated::Malformed("a pull request without a number".into());
    };
    Translated::Activity(Box::new(Activity {
        happened,
        repository,
        default_branch,
        number: Some(number),
        url: pr["html_url"].as_str().map(String::from),
        title: pr["title"].as_str().unwrap_or_default().to_string(),
        body: pr["body"].as_str().unwrap_or_default().to_string(),
        branch: str_at(pr, &["head", "ref"]),
        target: str_at(pr, &["base", "ref"]),
        commits: Vec::new(),
        author: pr["user"]["login"].as_str().unwrap_or_default().to_string(),
        author_is_bot: is_bot(&pr["user"]),
    }))
}

fn push(p: &Value, repository: String, default_branch: String) -> Translated {
    let Some(branch) = p["ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("refs/heads/"))
    else {
        return Translated::Ignored("push of a tag".into());
    };
    if p["deleted"] == true {
        return Translated::Ignored("push deleting a branch".into());
    }
    let commits = commit_messages(p);
    Translated::Activity(Box::new(Activity {
        happened: Happened::Pushed,
        repository,
        default_branch,
        number: None,
        url: p["compare"]
            .as_str()
            .or_else(|| p["head_commit"]["url"].as_str())
            .map(String::from),
        title: String::new(),
        body: String::new(),
        branch: branch.to_string(),
        target: branch.to_string(),
        commits,
        author: p["sender"]["login"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        author_is_bot: is_bot(&p["sender"]),
    }))
}
