//! Evidence of work from where the work happens (pull requests, pushes), as the rules read it,
//! and which work items it names. Pure: the forge adapters translate payloads into `Activity`.

use std::collections::BTreeSet;
use std::fmt;

/// Where a repository lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    GitHub,
    GitLab,
}

impl Forge {
    pub fn as_str(self) -> &'static str {
        match self {
            Forge::GitHub => "github",
            Forge::GitLab => "gitlab",
        }
    }

    pub fn parse(text: &str) -> Option<Forge> {
        match text.to_ascii_lowercase().as_str() {
            "github" => Some(Forge::GitHub),
            "gitlab" => Some(Forge::GitLab),
            _ => None,
        }
    }
}

impl fmt::Display for Forge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Forge::GitHub => "GitHub",
            Forge::GitLab => "GitLab",
        })
    }
}

/// What happened in a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happened {
    /// A pull (merge) request was opened or reopened.
    Opened,
    /// New commits, a new title or description, or a new target.
    Updated,
    Reviewed,
    Commented,
    /// Merged into `target`.
    Merged,
    /// Closed without merging.
    Closed,
    /// Commits pushed to a branch.
    Pushed,
}

impl Happened {
    pub fn verb(self) -> &'static str {
        match self {
            Happened::Opened => "opened",
            Happened::Updated => "updated",
            Happened::Reviewed => "reviewed",
            Happened::Commented => "commented on",
            Happened::Merged => "merged",
            Happened::Closed => "closed",
            Happened::Pushed => "pushed to",
        }
    }
}

/// One delivery, in the forge's neutral terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub happened: Happened,
    /// `acme/api`, `group/sub/project`.
    pub repository: String,
    pub default_branch: String,
    /// The pull request's number (GitLab's `iid`), none for a push.
    pub number: Option<i64>,
    pub url: Option<String>,
    pub title: String,
    pub body: String,
    /// The pull request's source branch, or the branch pushed to.
    pub branch: String,
    /// The branch a pull request merges into; for a push, the branch pushed to.
    pub target: String,
    /// Messages of the commits pushed.
    pub commits: Vec<String>,
    pub author: String,
    /// Dependabot, Renovate and the like: only their titles link.
    pub author_is_bot: bool,
}

impl Activity {
    /// `acme/api#88`, or `acme/api@main` for a push.
    pub fn reference(&self) -> String {
        match self.number {
            Some(n) => format!("{}#{n}", self.repository),
            None => format!("{}@{}", self.repository, self.branch),
        }
    }

    pub fn is_pull_request(&self) -> bool {
        self.number.is_some()
    }

    /// A merge into the repository's default branch: what may close work.
    pub fn merged_into_default(&self) -> bool {
        self.happened == Happened::Merged && self.target == self.default_branch
    }
}

/// The work items an activity names: those it is activity on, and those its merge closes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub active: BTreeSet<i32>,
    pub closes: BTreeSet<i32>,
}

/// Reads the work keys an activity names. Keys count in a branch name, a title, a commit
/// message of a push, and a description only after a closing word ("closes W-42"): a bare
/// key in a description names nothing. A bot's activity counts only through its title.
pub fn links(a: &Activity) -> Links {
    let mut out = Links::default();
    out.active.extend(keys_in(&a.title));
    let closing = closing_keys(&a.title)
        .into_iter()
        .chain(closing_keys(&a.body));
    if a.author_is_bot {
        out.closes.extend(closing_keys(&a.title));
    } else {
        out.active.extend(keys_in(&a.branch));
        for m in &a.commits {
            out.active.extend(keys_in(m));
        }
        out.closes.extend(closing);
    }
    out.active.extend(out.closes.iter().copied());
    if !a.merged_into_default() {
        out.closes.clear();
    }
    out
}

/// Every `W-42` in `text`, any case, standing as a word of its own (`W-42` in `fix/w-42-x`
/// counts; `XW-42` and `W-42a` do not).
pub fn keys_in(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 2 < chars.len() {
        let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
        if starts_word && matches!(chars[i], 'w' | 'W') && chars[i + 1] == '-' {
            let digits: String = chars[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let end = i + 2 + digits.len();
            let ends_word = chars.get(end).is_none_or(|c| !c.is_alphanumeric());
            if !digits.is_empty() && ends_word {
                if let Ok(n) = digits.parse() {
                    found.push(n);
                }
                i = end;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The words that close work, in any tense: close, closes, closed, closing; fix…; resolve…;
/// complete….
const CLOSING: &[&str] = &[
    "close",
    "closes",
    "closed",
    "closing",
    "fix",
    "fixes",
    "fixed",
    "fixing",
    "resolve",
    "resolves",
    "resolved",
    "resolving",
    "complete",
    "completes",
    "completed",
    "completing",
];

/// Keys that follow a closing word: `Closes W-3`, `fixes: w-4`, `Resolves W-5, W-6`.
pub fn closing_keys(text: &str) -> Vec<i32> {
    let mut found = Vec::new();
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut closing = false;
    for w in words {
        let bare = w.trim_end_matches(':').to_ascii_lowercase();
        if CLOSING.contains(&bare.as_str()) {
            closing = true;
            continue;
        }
        let keys = keys_in(w);
        if closing && !keys.is_empty() {
            found.extend(keys);
            // "Closes W-1, W-2" and "closes W-1 and W-2" close both.
            continue;
        }
        if closing && (w.eq_ignore_ascii_case("and") || w == "&") {
            continue;
        }
        closing = false;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(happened: Happened) -> Activity {
        Activity {
            happened,
            repository: "acme/api".into(),
            default_branch: "main".into(),
            number: Some(88),
            url: Some("https://github.com/acme/api/pull/88".into()),
            title: String::new(),
            body: String::new(),
            branch: "feature".into(),
            target: "main".into(),
            commits: Vec::new(),
            author: "kim".into(),
            author_is_bot: false,
        }
    }

    #[test]
    fn keys_are_found_as_words_in_any_case() {
        let rows: &[(&str, &[i32])] = &[
            ("W-3", &[3]),
            ("fix/w-42-login", &[42]),
            ("W-1 and w-2", &[1, 2]),
            ("[W-7] Add export", &[7]),
            ("XW-3 W-3a W- W-x", &[]),
            ("KW-3", &[]),
            ("W-99999999999", &[]),
        ];
        for (text, want) in rows {
            assert_eq!(keys_in(text), *want, "{text}");
        }
    }

    #[test]
    fn closing_words_in_any_tense_close_the_keys_after_them() {
        let rows: &[(&str, &[i32])] = &[
            ("Closes W-3", &[3]),
            ("fixed w-4.", &[4]),
            ("This resolves: W-5, W-6 and W-7", &[5, 6, 7]),
            ("Completing W-8", &[8]),
            ("See W-3", &[]),
            ("Closes the gap; W-3 is related", &[]),
            ("W-3 closes", &[]),
        ];
        for (text, want) in rows {
            assert_eq!(closing_keys(text), *want, "{text}");
        }
    }

    #[test]
    fn what_links_and_what_closes() {
        let mut a = activity(Happened::Opened);
        a.branch = "w-3-export".into();
        a.title = "Export (W-4)".into();
        a.body = "Touches W-9 as well. Fixes W-5".into();
        let l = links(&a);
        assert_eq!(
            l.active,
            BTreeSet::from([3, 4, 5]),
            "a bare W-9 in a body names nothing"
        );
        assert!(l.closes.is_empty(), "only a merge closes");

        a.happened = Happened::Merged;
        assert_eq!(links(&a).closes, BTreeSet::from([5]));
        a.target = "release".into();
        assert!(
            links(&a).closes.is_empty(),
            "a merge elsewhere closes nothing"
        );

        let mut bot = activity(Happened::Merged);
        bot.author_is_bot = true;
        bot.branch = "dependabot/w-3".into();
        bot.body = "Closes W-6".into();
        bot.title = "Bump serde (W-7)".into();
        let l = links(&bot);
        assert_eq!(
            l.active,
            BTreeSet::from([7]),
            "a bot counts through its title only"
        );
        assert!(l.closes.is_empty());

        let mut push = activity(Happened::Pushed);
        push.number = None;
        push.branch = "main".into();
        push.commits = vec!["Retry the export W-3".into(), "tidy".into()];
        assert_eq!(links(&push).active, BTreeSet::from([3]));
    }
}
