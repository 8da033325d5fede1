//! GitLab webhooks: the `X-Gitlab-Token` check and the payloads Throughline reads (merge
//! request, push and note (comment) hooks).

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::{Translated, commit_messages, str_at};
use crate::domain::evidence::{Activity, Happened};

pub const EVENT: &str = "x-gitlab-event";
/// GitLab's delivery id: `Idempotency-Key` (newer GitLab), else the event's UUID.
pub const DELIVERY: &[&str] = &["idempotency-key", "x-gitlab-event-uuid"];
const TOKEN: &str = "x-gitlab-token";

/// GitLab sends the secret token itself; it is compared in constant time.
pub fn verified(secret: &str, headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(TOKEN)
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(secret.as_bytes())))
}

/// GitLab marks no bots in its payloads; dependency bots are known by their names.
fn is_bot(username: &str) -> bool {
    let u = username.to_ascii_lowercase();
    u.ends_with("[bot]")
        || u.ends_with("-bot")
        || u.contains("dependabot")
        || u.contains("renovate")
}

pub fn translate(event: &str, p: &Value) -> Translated {
    let repository = str_at(p, &["project", "path_with_namespace"]);
    let default_branch = str_at(p, &["project", "default_branch"]);
    let (happened, mr) = match event {
        "Push Hook" => return push(p, repository, default_branch),
        "Merge Request Hook" => {
            let happened = match p["object_attributes"]["action"]
                .as_str()
                .unwrap_or_default()
            {
                "open" | "reopen" => Happened::Opened,
                "update" => Happened::Updated,
                "approved" | "approval" => Happened::Reviewed,
                "merge" => Happened::Merged,
                "close" => Happened::Closed,
                other => return Translated::Ignored(format!("merge request {other}")),
            };
            (happened, &p["object_attributes"])
        }
        "Note Hook" if p["object_attributes"]["noteable_type"] == "MergeRequest" => {
            (Happened::Commented, &p["merge_request"])
        }
        other => return Translated::Ignored(other.to_string()),
    };
    let Some(number) = mr["iid"].as_i64() else {
        return Translated::Malformed("a merge request without an iid".into());
    };
    let author = str_at(p, &["user", "username"]);
    Translated::Activity(Box::new(Activity {
        happened,
        repository,
        default_branch,
        number: Some(number),
        url: mr["url"].as_str().map(String::from),
        title: mr["title"].as_str().unwrap_or_default().to_string(),
        body: mr["description"].as_str().unwrap_or_default().to_string(),
        branch: mr["source_branch"].as_str().unwrap_or_default().to_string(),
        target: mr["target_branch"].as_str().unwrap_or_default().to_string(),
        commits: Vec::new(),
        author_is_bot: is_bot(&author),
        author,
    }))
}

fn push(p: &Value, repository: String, default_branch: String) -> Translated {
    let Some(branch) = p["ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("refs/heads/"))
    else {
        return Translated::Ignored("push of a tag".into());
    };
    if p["after"]
        .as_str()
        .is_some_and(|a| a.chars().all(|c| c == '0'))
    {
        return Translated::Ignored("push deleting a branch".into());
    }
    let commits = commit_messages(p);
    let author = p["user_username"].as_str().unwrap_or_default().to_string();
    Translated::Activity(Box::new(Activity {
        happened: Happened::Pushed,
        repository,
        default_branch,
        number: None,
        url: p["commits"][0]["url"].as_str().map(String::from),
        title: String::new(),
        body: String::new(),
        branch: branch.to_string(),
        target: branch.to_string(),
        commits,
        author_is_bot: is_bot(&author),
        author,
    }))
}
