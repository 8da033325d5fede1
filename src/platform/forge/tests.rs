//! What each forge event reads as: the kinds of activity, and what says nothing about work.

use serde_json::json;

use super::{Translated, github, gitlab};
use crate::domain::evidence::Happened;

fn happened(t: Translated) -> Result<Happened, String> {
    match t {
        Translated::Activity(a) => Ok(a.happened),
        Translated::Ignored(why) => Err(format!("ignored: {why}")),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn github_events_read_as_activity_or_are_ignored() {
    let pr = json!({ "number": 88, "title": "W-1", "head": { "ref": "w-1" }, "base": { "ref": "main" },
                     "user": { "login": "lee", "type": "User" } });
    let repo = json!({ "full_name": "acme/api", "default_branch": "main" });
    let rows = [
        (
            "pull_request",
            json!({ "action": "synchronize", "pull_request": pr, "repository": repo }),
            Ok(Happened::Updated),
        ),
        (
            "pull_request",
            json!({ "action": "labeled", "pull_request": pr, "repository": repo }),
            Err("ignored: pull_request labeled".to_string()),
        ),
        (
            "pull_request_review",
            json!({ "action": "submitted", "pull_request": pr, "repository": repo }),
            Ok(Happened::Reviewed),
        ),
        (
            "pull_request_review_comment",
            json!({ "action": "created", "pull_request": pr, "repository": repo }),
            Ok(Happened::Commented),
        ),
        (
            "issue_comment",
            json!({ "action": "created", "issue": { "number": 88, "title": "W-1", "pull_request": { "url": "x" } }, "repository": repo }),
            Ok(Happened::Commented),
        ),
        (
            "issue_comment",
            json!({ "action": "created", "issue": { "number": 7, "title": "W-1" }, "repository": repo }),
            Err("ignored: issue_comment created".to_string()),
        ),
        (
            "push",
            json!({ "ref": "refs/tags/v1.0", "repository": repo }),
            Err("ignored: push of a tag".to_string()),
        ),
        (
            "push",
            json!({ "ref": "refs/heads/w-1", "deleted": true, "repository": repo }),
            Err("ignored: push deleting a branch".to_string()),
        ),
        (
            "star",
            json!({ "action": "created", "repository": repo }),
            Err("ignored: star created".to_string()),
        ),
    ];
    for (event, payload, want) in rows {
        assert_eq!(
            happened(github::translate(event, &payload)),
            want,
            "{event} {payload}"
        );
    }
    assert_eq!(github::translate("ping", &json!({})), Translated::Ping);
}

#[test]
fn a_bot_is_known_by_its_type_or_its_login() {
    let repo = json!({ "full_name": "acme/api", "default_branch": "main" });
    for user in [
        json!({ "login": "dependabot[bot]", "type": "Bot" }),
        json!({ "login": "renovate[bot]", "type": "User" }),
    ] {
        let p = json!({ "action": "opened", "repository": repo,
                        "pull_request": { "number": 1, "title": "Bump", "user": user, "head": { "ref": "x" }, "base": { "ref": "main" } } });
        let Translated::Activity(a) = github::translate("pull_request", &p) else {
            panic!()
        };
        assert!(a.author_is_bot, "{user}");
    }
}

#[test]
fn gitlab_events_read_as_activity_or_are_ignored() {
    let project = json!({ "path_with_namespace": "acme/api", "default_branch": "main" });
    let mr = |action: &str| {
        json!({ "object_attributes": { "iid": 3, "action": action, "title": "W-1",
        "source_branch": "w-1", "target_branch": "main" }, "project": project, "user": { "username": "lee" } })
    };
    let rows = [
        ("Merge Request Hook", mr("open"), Ok(Happened::Opened)),
        ("Merge Request Hook", mr("approved"), Ok(Happened::Reviewed)),
        ("Merge Request Hook", mr("close"), Ok(Happened::Closed)),
        (
            "Merge Request Hook",
            mr("unapproved"),
            Err("ignored: merge request unapproved".to_string()),
        ),
        (
            "Note Hook",
            json!({ "object_attributes": { "noteable_type": "MergeRequest", "note": "LGTM" },
            "merge_request": { "iid": 3, "title": "W-1", "source_branch": "w-1", "target_branch": "main" },
            "project": project, "user": { "username": "kim" } }),
            Ok(Happened::Commented),
        ),
        (
            "Note Hook",
            json!({ "object_attributes": { "noteable_type": "Issue" }, "project": project }),
            Err("ignored: Note Hook".to_string()),
        ),
        (
            "Push Hook",
            json!({ "ref": "refs/heads/w-1", "after": "0000000000000000000000000000000000000000", "project": project }),
            Err("ignored: push deleting a branch".to_string()),
        ),
        (
            "Tag Push Hook",
            json!({ "ref": "refs/tags/v1", "project": project }),
            Err("ignored: Tag Push Hook".to_string()),
        ),
    ];
    for (event, payload, want) in rows {
        assert_eq!(
            happened(gitlab::translate(event, &payload)),
            want,
            "{event} {payload}"
        );
    }
}
