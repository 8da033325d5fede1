//! Turns command text into a [`Command`], with errors that say what was expected.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::error::{UserError, did_you_mean};
use super::lexer::{Token, tokenize};
use super::{CapacityScope, Command, Home, InitiativeMove, Mention, WorkMove};
use crate::domain::evidence::Forge;
use crate::domain::key_result::{Confidence, KrOutcome, Quantity, Shape, Unit};
use crate::domain::{GoalStatus, Key, KeyKind};

pub use crate::domain::error::shorten;

pub const MAX_TITLE: usize = 200;
pub const MAX_NOTE: usize = 1000;
pub const MAX_HANDLE: usize = 80;
/// A title, a note and every option fit in this many characters with room to spare.
pub const MAX_COMMAND: usize = 4000;
pub const MAX_URL: usize = 2000;

pub const VERBS: &[&str] = &[
    "help",
    "status",
    "goal",
    "initiative",
    "work",
    "mine",
    "orphans",
    "agenda",
    "digest",
    "capacity",
    "history",
    "kr",
    "settings",
    "ack",
    "snooze",
    "connect",
    "connections",
    "disconnect",
];
const GOAL_VERBS: &[&str] = &["new", "show", "list", "owner", "rank", "close"];
const INITIATIVE_VERBS: &[&str] = &["new", "show", "pause", "resume", "close"];
const KR_VERBS: &[&str] = &[
    "new", "update", "done", "show", "list", "target", "close", "token",
];
const WORK_VERBS: &[&str] = &[
    "new", "start", "block", "done", "drop", "link", "assign", "note", "show", "reopen",
];

/// What may follow a command's first word (`goal` → `new`, `show`, …); nothing for most.
pub fn sub_verbs(verb: &str) -> &'static [&'static str] {
    match verb {
        "goal" | "goals" => GOAL_VERBS,
        "initiative" | "init" => INITIATIVE_VERBS,
        "kr" | "krs" => KR_VERBS,
        "work" => WORK_VERBS,
        _ => &[],
    }
}

pub fn parse(text: &str) -> Result<Command, UserError> {
    let text = text.trim();
    let n = text.chars().count();
    if n > MAX_COMMAND {
        return Err(UserError::new(format!(
            "the command is {n} characters long; the limit is {MAX_COMMAND}."
        ))
        .hint("Put long text in a linked document, and its link in url:…"));
    }
    let text = text.strip_prefix("/align").unwrap_or(text);
    let mut args = Args::new(tokenize(text)?);
    let Some(verb) = args.next_word() else {
        return Ok(Command::Help(None));
    };
    let command = match verb.to_ascii_lowercase().as_str() {
        "help" | "?" => Command::Help(args.next_word().map(|w| w.to_ascii_lowercase())),
        "status" => Command::Status,
        "goal" | "goals" => goal(&mut args)?,
        "initiative" | "init" => initiative(&mut args)?,
        "work" => work(&mut args)?,
        "mine" => Command::Mine,
        "orphans" => Command::Orphans,
        "agenda" => Command::Agenda,
        "digest" => Command::Digest,
        "capacity" => capacity(&mut args)?,
        "history" => Command::History(args.key(
            &[
                KeyKind::Goal,
                KeyKind::Initiative,
                KeyKind::Work,
                KeyKind::KeyResult,
            ],
            "history",
        )?),
        "kr" | "krs" => key_result(&mut args)?,
        "settings" => settings(&mut args)?,
        "ack" => Command::Ack(args.key(&[KeyKind::Goal], "ack")?),
        "connect" => connect(&mut args)?,
        "connections" => Command::Connections,
        "disconnect" => Command::Disconnect(args.next_word().ok_or_else(|| {
            UserError::new("disconnect needs the connection: its id or its repository.")
                .hint("/align connections lists them.")
        })?),
        "snooze" => {
            let goal = args.key(&[KeyKind::Goal], "snooze")?;
            let word = args.next_word().ok_or_else(|| {
                UserError::new("snooze needs a duration.")
                    .hint(format!("For example: /align snooze {goal} 2d"))
            })?;
            Command::Snooze(goal, parse_duration(&word)?)
        }
        other => {
            return Err(
                UserError::new(format!("unknown command '{}'.", shorten(other, 40))).hint(
                    did_you_mean(other, VERBS.iter().copied(), "/align ")
                        .unwrap_or_else(|| "Type /align help to see every command.".into()),
                ),
            );
        }
    };
    args.finish()?;
    Ok(command)
}

fn sub_verb(args: &mut Args, noun: &str, verbs: &[&str]) -> Result<String, UserError> {
    let usage = format!("Type /align help {noun} for the forms.");
    let Some(verb) = args.next_word() else {
        return Err(
            UserError::new(format!("{noun} needs one of: {}.", verbs.join(", "))).hint(usage),
        );
    };
    let verb = verb.to_ascii_lowercase();
    if verbs.contains(&verb.as_str()) {
        return Ok(verb);
    }
    let hint =
        did_you_mean(&verb, verbs.iter().copied(), &format!("/align {noun} ")).unwrap_or(usage);
    Err(UserError::new(format!(
        "unknown {noun} command '{}'; expected one of: {}.",
        shorten(&verb, 40),
        verbs.join(", ")
    ))
    .hint(hint))
}

fn goal(args: &mut Args) -> Result<Command, UserError> {
    Ok(match sub_verb(args, "goal", GOAL_VERBS)?.as_str() {
        "new" => {
            let title = args.title(
                "goal new",
                "/align goal new \"Cut churn to 3%\" owner:@ana rank:1",
            )?;
            let mut opts = args.options(&["owner", "rank", "due"])?;
            let owner = opts.remove("owner").ok_or_else(|| {
                UserError::new("a goal needs exactly one owner.")
                    .hint("Add owner:@someone, e.g. owner:@ana.")
            })?;
            Command::GoalNew {
                title,
                owner: mention(&owner, "owner")?,
                rank: opts.remove("rank").map(|r| parse_rank(&r)).transpose()?,
                due: opts.remove("due").map(|d| parse_date(&d)).transpose()?,
            }
        }
        "show" => Command::GoalShow(args.key(&[KeyKind::Goal], "goal show")?),
        "list" => Command::GoalList,
        "owner" => {
            let goal = args.key(&[KeyKind::Goal], "goal owner")?;
            let who = args.positional_mention("goal owner", "the new owner")?;
            Command::GoalOwner(goal, who)
        }
        "rank" => {
            let goal = args.key(&[KeyKind::Goal], "goal rank")?;
            let word = args.next_word().ok_or_else(|| {
                UserError::new("goal rank needs the new rank.")
                    .hint(format!("For example: /align goal rank {goal} 2"))
            })?;
            Command::GoalRank(goal, parse_rank(&word)?)
        }
        _ => {
            let goal = args.key(&[KeyKind::Goal], "goal close")?;
            let outcome = match args.next_word().map(|w| w.to_ascii_lowercase()).as_deref() {
                Some("achieved") => GoalStatus::Achieved,
                Some("dropped") => GoalStatus::Dropped,
                Some(other) => {
                    return Err(UserError::new(format!(
                        "'{other}' is not a way to close a goal; expected achieved or dropped."
                    ))
                    .hint(format!(
                        "For example: /align goal close {goal} achieved \"shipped in Q3\""
                    )));
                }
                None => {
                    return Err(UserError::new(
                        "goal close needs an outcome: achieved or dropped.",
                    )
                    .hint(format!("For example: /align goal close {goal} achieved")));
                }
            };
            Command::GoalClose {
                goal,
                outcome,
                note: args.note()?,
            }
        }
    })
}

fn key_result(args: &mut Args) -> Result<Command, UserError> {
    const K: &[KeyKind] = &[KeyKind::KeyResult];
    Ok(match sub_verb(args, "kr", KR_VERBS)?.as_str() {
        "new" => {
            let goal = args.key(&[KeyKind::Goal], "kr new")?;
            let title = args.title(
                "kr new",
                "/align kr new G-1 \"Monthly churn\" from:8% to:5% by:2027-03-31",
            )?;
            let mut opts = args.options(&["from", "to", "band", "by", "start"])?;
            let by = opts.remove("by").ok_or_else(|| {
                UserError::new("a key result needs a due date.")
                    .hint("Add by:YYYY-MM-DD, e.g. by:2027-03-31.")
            })?;
            let (from, to, band) = (opts.remove("from"), opts.remove("to"), opts.remove("band"));
            let (shape, unit) = match (from, to, band) {
                (Some(from), Some(to), None) => {
                    Shape::metric(Quantity::parse(&from)?, Quantity::parse(&to)?)?
                }
                (None, None, Some(band)) => Shape::band(&band)?,
                (None, None, None) => (Shape::Milestone, Unit::Plain),
                (_, _, Some(_)) => {
                    return Err(UserError::new("a band key result has no from: or to:.")
                        .hint("Give either from: and to: (a metric) or band:LOW..HIGH."));
                }
                _ => {
                    return Err(UserError::new("a metric needs both from: and to:.")
                        .hint("For example: from:8% to:5%."));
                }
            };
            Command::KrNew {
                goal,
                title,
                shape,
                unit,
                by: parse_date(&by)?,
                start: opts.remove("start").map(|d| parse_date(&d)).transpose()?,
            }
        }
        "update" => {
            let kr = args.key(K, "kr update")?;
            // A form's answer arrives quoted: its first word is the value, the rest a note.
            let (word, typed_note) = match args.peek().cloned() {
                Some(Token::Quoted(q)) => {
                    args.pos += 1;
                    let q = q.trim().to_string();
                    match q.split_once(char::is_whitespace) {
                        Some((v, rest)) => (Some(v.to_string()), Some(rest.trim().to_string())),
                        None => (Some(q), None),
                    }
                }
                _ => (args.next_word(), None),
            };
            let word = word.filter(|w| !w.is_empty()).ok_or_else(|| {
                UserError::new("kr update needs the new value.")
                    .hint(format!("For example: /align kr update {kr} 6.1%"))
            })?;
            let value = Quantity::parse(&word)?;
            let note = match typed_note {
                Some(n) => Some(checked(&n, "note", MAX_NOTE)?),
                None => args.note()?,
            };
            let mut opts = args.options(&["confidence"])?;
            Command::KrUpdate {
                kr,
                value,
                note,
                confidence: opts
                    .remove("confidence")
                    .map(|c| Confidence::parse(&c))
                    .transpose()?,
            }
        }
        "done" => Command::KrDone {
            kr: args.key(K, "kr done")?,
            note: args.note()?,
        },
        "show" => Command::KrShow(args.key(K, "kr show")?),
        "token" => Command::KrToken(args.key(K, "kr token")?),
        "list" => Command::KrList(match args.peek() {
            Some(_) => Some(args.key(&[KeyKind::Goal], "kr list")?),
            None => None,
        }),
        "target" => {
            let kr = args.key(K, "kr target")?;
            let word = args.next_word().ok_or_else(|| {
                UserError::new("kr target needs the new target.").hint(format!(
                    "For example: /align kr target {kr} 4.5% \"why it changed\""
                ))
            })?;
            let target = Quantity::parse(&word)?;
            let why = args.note()?.ok_or_else(|| {
                UserError::new("a new target needs its reason, in quotes.").hint(format!(
                    "For example: /align kr target {kr} {target} \"the board asked for more\""
                ))
            })?;
            Command::KrTarget { kr, target, why }
        }
        _ => {
            let kr = args.key(K, "kr close")?;
            let outcome = match args.next_word().map(|w| w.to_ascii_lowercase()).as_deref() {
                Some("achieved") => KrOutcome::Achieved,
                Some("missed") => KrOutcome::Missed,
                Some("dropped") => KrOutcome::Dropped,
                other => {
                    let said = other.map_or_else(|| "nothing".to_string(), |o| format!("'{o}'"));
                    return Err(UserError::new(format!(
                        "kr close needs an outcome: achieved, missed or dropped, not {said}."
                    ))
                    .hint(format!("For example: /align kr close {kr} achieved")));
                }
            };
            Command::KrClose {
                kr,
                outcome,
                note: args.note()?,
            }
        }
    })
}

fn initiative(args: &mut Args) -> Result<Command, UserError> {
    let verb = sub_verb(args, "initiative", INITIATIVE_VERBS)?;
    if verb == "new" {
        let goal = args.key(&[KeyKind::Goal], "initiative new")?;
        let title = args.title(
            "initiative new",
            &format!("/align initiative new {goal} \"Onboarding revamp\" lead:@lee"),
        )?;
        let mut opts = args.options(&["lead", "plan", "due"])?;
        let lead = opts.remove("lead").ok_or_else(|| {
            UserError::new("an initiative needs exactly one lead.")
                .hint("Add lead:@someone, e.g. lead:@lee.")
        })?;
        return Ok(Command::InitiativeNew {
            goal,
            title,
            lead: mention(&lead, "lead")?,
            plan: opts.remove("plan").map(|p| parse_plan(&p)).transpose()?,
            due: opts.remove("due").map(|d| parse_date(&d)).transpose()?,
        });
    }
    let key = args.key(&[KeyKind::Initiative], &format!("initiative {verb}"))?;
    Ok(match verb.as_str() {
        "show" => Command::InitiativeShow(key),
        "pause" => Command::InitiativeMove(key, InitiativeMove::Pause),
        "resume" => Command::InitiativeMove(key, InitiativeMove::Resume),
        _ => {
            let dropped = match args.next_word().map(|w| w.to_ascii_lowercase()).as_deref() {
                None | Some("done") => false,
                Some("dropped") => true,
                Some(other) => {
                    return Err(UserError::new(format!(
                        "'{other}' is not a way to close an initiative; expected done or dropped."
                    )));
                }
            };
            Command::InitiativeMove(key, InitiativeMove::Close { dropped })
        }
    })
}

fn work(args: &mut Args) -> Result<Command, UserError> {
    let verb = sub_verb(args, "work", WORK_VERBS)?;
    if verb == "new" {
        return work_new(args);
    }
    let key = args.key(&[KeyKind::Work], &format!("work {verb}"))?;
    Ok(match verb.as_str() {
        "link" => Command::WorkLink {
            work: key,
            home: args.key(&[KeyKind::Initiative, KeyKind::Goal], "work link")?,
        },
        "assign" => Command::WorkAssign(
            key,
            args.positional_mention("work assign", "the new assignee")?,
        ),
        "show" => Command::WorkShow(key),
        "reopen" => Command::WorkReopen(key),
        "note" => {
            let note = args.note()?.ok_or_else(|| {
                UserError::new("work note needs the note text.").hint(format!(
                    "For example: /align work note {key} \"API merged\""
                ))
            })?;
            Command::WorkNote(key, note)
        }
        _ => {
            let to = match verb.as_str() {
                "start" => WorkMove::Start,
                "block" => WorkMove::Block,
                "done" => WorkMove::Done,
                _ => WorkMove::Drop,
            };
            let note = args.note()?;
            if to == WorkMove::Block && note.is_none() {
                return Err(
                    UserError::new("say what blocks it, so someone can help.").hint(format!(
                        "For example: /align work block {key} \"waiting for legal review\""
                    )),
                );
            }
            Command::WorkMove {
                work: key,
                to,
                note,
            }
        }
    })
}

fn work_new(args: &mut Args) -> Result<Command, UserError> {
    let home_word = args.next_word().ok_or_else(|| {
        UserError::new("work new needs its home first: an initiative (I-7), a goal (G-3) or none.")
            .hint("Every piece of work is linked to its goal when it is created: /align work new I-7 \"Title\" @lee")
    })?;
    let explicit_none = home_word.eq_ignore_ascii_case("none");
    let home_key = if explicit_none {
        None
    } else {
        Some(expect_key(&home_word, &[KeyKind::Initiative, KeyKind::Goal], "work new").map_err(|e| {
            e.hint("Give an initiative (I-7), a goal (G-3), or none for work with no strategic home.")
        })?)
    };
    let title = args.title("work new", "/align work new I-7 \"New welcome flow\" @lee")?;
    let assignee = args.optional_mention()?;
    let allowed: &[&str] = if explicit_none {
        &["url", "why"]
    } else {
        &["url"]
    };
    let mut opts = args.options(allowed)?;
    let url = opts.remove("url").map(|u| parse_url(&u)).transpose()?;
    let home = match home_key {
        Some(k) if k.kind == KeyKind::Initiative => Home::Initiative(k),
        Some(k) => Home::Goal(k),
        None => Home::None {
            why: opts
                .remove("why")
                .map(|w| checked(&w, "why", MAX_NOTE))
                .transpose()?,
        },
    };
    Ok(Command::WorkNew {
        home,
        title,
        assignee,
        url,
    })
}

/// `connect github acme/api`, `connect gitlab group/sub/project`, or the repository's URL.
fn connect(args: &mut Args) -> Result<Command, UserError> {
    let example = "For example: /align connect github acme/api";
    let forge_word = args.next_word().ok_or_else(|| {
        UserError::new("connect needs where the repository lives (github or gitlab) and its name.")
            .hint(example)
    })?;
    let forge = Forge::parse(&forge_word).ok_or_else(|| {
        UserError::new(format!(
            "connect takes github or gitlab, not '{}'.",
            shorten(&forge_word, 40)
        ))
        .hint(
            did_you_mean(&forge_word.to_ascii_lowercase(), ["github", "gitlab"], "")
                .unwrap_or_else(|| example.into()),
        )
    })?;
    let typed = args.next_word().ok_or_else(|| {
        UserError::new(format!(
            "connect {} needs the repository's name.",
            forge.as_str()
        ))
        .hint(example)
    })?;
    Ok(Command::Connect {
        forge,
        repository: repository(forge, &typed)?,
    })
}

/// A repository's path (`acme/api`; GitLab allows subgroups), also taken from its URL.
pub fn repository(forge: Forge, typed: &str) -> Result<String, UserError> {
    let host = match forge {
        Forge::GitHub => "github.com/",
        Forge::GitLab => "gitlab.com/",
    };
    let path = typed
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches(host)
        .trim_end_matches('/')
        .trim_end_matches(".git");
    let parts: Vec<&str> = path.split('/').collect();
    let segment_ok = |p: &&str| {
        !p.is_empty()
            && p.len() <= 100
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let count_ok = match forge {
        Forge::GitHub => parts.len() == 2,
        Forge::GitLab => (2..=20).contains(&parts.len()),
    };
    if count_ok && parts.iter().all(segment_ok) {
        return Ok(path.to_string());
    }
    let form = match forge {
        Forge::GitHub => "owner/name, like acme/api",
        Forge::GitLab => "group/project, like acme/api or acme/backend/api",
    };
    Err(UserError::new(format!(
        "'{}' is not a {forge} repository: expected {form} (letters, digits, -, _ and .).",
        shorten(typed, 60)
    )))
}

fn capacity(args: &mut Args) -> Result<Command, UserError> {
    let Some(token) = args.peek().cloned() else {
        return Ok(Command::Capacity(CapacityScope::Workspace));
    };
    args.pos += 1;
    let text = token.shown();
    if let Token::Word(w) = &token {
        if let Ok(k) = w.parse::<Key>()
            && k.kind == KeyKind::Goal
        {
            return Ok(Command::Capacity(CapacityScope::Goal(k)));
        }
        if let Ok(m) = mention(w, "capacity") {
            return Ok(Command::Capacity(CapacityScope::Person(m)));
        }
    }
    Err(UserError::new(format!(
        "capacity takes a goal key or a person, not '{}'.",
        shorten(&text, 40)
    ))
    .hint("For example: /align capacity, /align capacity G-1 or /align capacity @lee"))
}

fn settings(args: &mut Args) -> Result<Command, UserError> {
    let Some(name) = args.next_word() else {
        return Ok(Command::Settings(None));
    };
    let value = match args.peek().cloned() {
        Some(Token::Word(w)) | Some(Token::Quoted(w)) => {
            args.pos += 1;
            // A schedule is several words: take the rest of the line as the value.
            let mut parts = vec![w];
            while let Some(Token::Word(more) | Token::Quoted(more)) = args.peek().cloned() {
                args.pos += 1;
                parts.push(more);
            }
            parts.join(" ")
        }
        _ => {
            return Err(UserError::new(format!("settings {name} needs a value."))
                .hint("Type /align settings to see every setting and its value."));
        }
    };
    Ok(Command::Settings(Some((name.to_ascii_lowercase(), value))))
}

/// The remaining tokens of a command, read left to right.
struct Args {
    tokens: Vec<Token>,
    pos: usize,
}

impl Args {
    fn new(tokens: Vec<Token>) -> Self {
        Args { tokens, pos: 0 }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next_word(&mut self) -> Option<String> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let w = w.clone();
                self.pos += 1;
                Some(w)
            }
            _ => None,
        }
    }

    fn key(&mut self, kinds: &[KeyKind], context: &str) -> Result<Key, UserError> {
        let expected = expected_keys(kinds);
        match self.peek().cloned() {
            Some(Token::Word(w)) => {
                self.pos += 1;
                expect_key(&w, kinds, context)
            }
            Some(other) => Err(UserError::new(format!(
                "{context} expects {expected}, not {}.",
                other.shown()
            ))),
            None => Err(
                UserError::new(format!("{context} needs {expected}.")).hint(format!(
                    "For example: /align {context} {}-1",
                    kinds[0].prefix()
                )),
            ),
        }
    }

    /// A title: one quoted string, or the bare words up to the first option or mention.
    fn title(&mut self, context: &str, example: &str) -> Result<String, UserError> {
        let raw = match self.peek().cloned() {
            Some(Token::Quoted(q)) => {
                self.pos += 1;
                q
            }
            _ => {
                let mut words = Vec::new();
                while let Some(Token::Word(w)) = self.peek().cloned() {
                    if w.starts_with('@') || w.starts_with("<@") {
                        break;
                    }
                    self.pos += 1;
                    words.push(w);
                }
                words.join(" ")
            }
        };
        if is_blank(&raw) {
            let e = UserError::new(format!("{context} needs a title."));
            return Err(match self.peek() {
                Some(Token::Option { name, .. }) => e.hint(format!(
                    "The title comes first, then options like {name}:…; for example: {example}"
                )),
                _ => e.hint(format!("For example: {example}")),
            });
        }
        checked(&raw, "title", MAX_TITLE)
    }

    fn note(&mut self) -> Result<Option<String>, UserError> {
        match self.peek().cloned() {
            // An empty note is no note: the command says what it needs, if it needs one.
            Some(Token::Quoted(q)) => {
                self.pos += 1;
                if is_blank(&q) {
                    return Ok(None);
                }
                Some(checked(&q, "note", MAX_NOTE)).transpose()
            }
            Some(Token::Word(_)) => {
                let mut words = Vec::new();
                while let Some(Token::Word(w)) = self.peek().cloned() {
                    self.pos += 1;
                    words.push(w);
                }
                Some(checked(&words.join(" "), "note", MAX_NOTE)).transpose()
            }
            _ => Ok(None),
        }
    }

    fn optional_mention(&mut self) -> Result<Option<Mention>, UserError> {
        match self.peek().cloned() {
            Some(Token::Word(w))
                if w.starts_with('@') || w.starts_with("<@") || w.starts_with("<!") =>
            {
                self.pos += 1;
                mention(&w, "assignee").map(Some)
            }
            _ => Ok(None),
        }
    }

    fn positional_mention(&mut self, context: &str, what: &str) -> Result<Mention, UserError> {
        match self.peek().cloned() {
            Some(Token::Word(w)) => {
                self.pos += 1;
                mention(&w, what)
            }
            Some(other) => Err(UserError::new(format!(
                "{what} must be a person like @ana, not {}.",
                other.shown()
            ))),
            None => Err(UserError::new(format!(
                "{context} needs {what}, e.g. @ana."
            ))),
        }
    }

    /// Reads the `name:value` options that follow; each at most once, each one of `allowed`.
    fn options(&mut self, allowed: &[&str]) -> Result<BTreeMap<String, String>, UserError> {
        let mut found = BTreeMap::new();
        while let Some(Token::Option { name, value }) = self.peek().cloned() {
            self.pos += 1;
            if !allowed.contains(&name.as_str()) {
                let hint = did_you_mean(&name, allowed.iter().copied(), "")
                    .map(|h| h.replace('?', ":?"))
                    .unwrap_or_else(|| {
                        format!(
                            "Options here: {}.",
                            allowed
                                .iter()
                                .map(|a| format!("{a}:"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        )
                    });
                return Err(UserError::new(format!("unknown option '{name}:'.")).hint(hint));
            }
            if value.trim().is_empty() {
                return Err(UserError::new(format!("{name}: has no value.")));
            }
            if found.insert(name.clone(), value).is_some() {
                return Err(UserError::new(format!(
                    "{name}: is given twice; give it once."
                )));
            }
        }
        Ok(found)
    }

    fn finish(&self) -> Result<(), UserError> {
        match self.peek() {
            None => Ok(()),
            Some(t) => {
                let rest: Vec<String> = self.tokens[self.pos..].iter().map(Token::shown).collect();
                let hint = match t {
                    Token::Option { .. } => "Options go after the title, each once.".to_string(),
                    _ => "Put titles and notes in double quotes.".to_string(),
                };
                Err(UserError::new(format!(
                    "unexpected '{}' at the end of the command.",
                    shorten(&rest.join(" "), 60)
                ))
                .hint(hint))
            }
        }
    }
}

fn expected_keys(kinds: &[KeyKind]) -> String {
    kinds
        .iter()
        .map(|k| format!("{} key ({}-n)", k.noun(), k.prefix()))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A key as phones and other keyboards type it: full-width letters and digits, and any dash.
fn plain_key(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' => '-',
            _ => c,
        })
        .collect()
}

fn expect_key(word: &str, kinds: &[KeyKind], context: &str) -> Result<Key, UserError> {
    let expected = expected_keys(kinds);
    match plain_key(word).parse::<Key>() {
        Ok(k) if kinds.contains(&k.kind) => Ok(k),
        Ok(k) => Err(UserError::new(format!(
            "{context} expects {expected}, but {k} is {} {}.",
            if k.kind == KeyKind::Initiative {
                "an"
            } else {
                "a"
            },
            k.kind.noun()
        ))),
        Err(_) => Err(UserError::new(format!(
            "'{}' is not a key; {context} expects {expected}.",
            shorten(word, 40)
        ))),
    }
}

/// `@ana` (console), `<@U123>` or `<@U123|ana>` (Slack), `<@123>` or `<@!123>` (Discord).
pub fn mention(text: &str, what: &str) -> Result<Mention, UserError> {
    let not_person = || {
        UserError::new(format!(
            "{what} must be a person, like @ana; '{}' is not a person.",
            shorten(text, 40)
        ))
    };
    if let Some(inner) = text.strip_prefix("<@").and_then(|t| t.strip_suffix('>')) {
        let inner = inner.trim_start_matches('!');
        if inner.starts_with('&') {
            return Err(not_person());
        }
        let (id, name) = inner.split_once('|').unwrap_or((inner, inner));
        if id.is_empty() || id.len() > MAX_HANDLE || !id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(not_person());
        }
        // The platform's name for them, as far as a handle can hold it.
        let name: String = name
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_HANDLE)
            .collect();
        return Ok(Mention {
            external_id: id.to_string(),
            handle: name,
        });
    }
    let Some(handle) = text.strip_prefix('@') else {
        return Err(not_person().hint("Mention people with @, e.g. owner:@ana."));
    };
    if handle.chars().count() > MAX_HANDLE {
        return Err(UserError::new(format!(
            "a handle is at most {MAX_HANDLE} characters; '{}' is {}.",
            shorten(text, 40),
            handle.chars().count()
        )));
    }
    let valid = !handle.is_empty()
        && handle
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid
        || matches!(
            handle.to_ascii_lowercase().as_str(),
            "here" | "channel" | "everyone"
        )
    {
        return Err(not_person());
    }
    Ok(Mention {
        external_id: handle.to_string(),
        handle: handle.to_string(),
    })
}

/// Text to be stored, as typed: at most `max` characters, something visible, no control
/// characters (notes may break lines) and no bidirectional overrides, which make text read
/// differently from what it holds.
pub fn checked(text: &str, what: &str, max: usize) -> Result<String, UserError> {
    let text = text.trim();
    let lines_allowed = matches!(what, "note" | "why");
    for (i, c) in text.chars().enumerate() {
        let at = i + 1;
        if c.is_control() && !(lines_allowed && matches!(c, '\n' | '\t')) {
            return Err(UserError::new(format!(
                "the {what} holds a control character (U+{:04X}) at character {at}.",
                c as u32
            ))
            .hint("Type it again without it; paste as plain text."));
        }
        if matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            return Err(UserError::new(format!(
                "the {what} holds a bidirectional override (U+{:04X}) at character {at}, which makes text read differently from what it holds.",
                c as u32
            ))
            .hint("Type it again without it."));
        }
    }
    if is_blank(text) {
        return Err(UserError::new(format!(
            "the {what} is empty, or only spaces and invisible characters."
        )));
    }
    let n = text.chars().count();
    if n > max {
        return Err(UserError::new(format!(
            "the {what} is {n} characters long; the limit is {max}."
        ))
        .hint("Shorten it; put details in a note or a link."));
    }
    Ok(text.to_string())
}

/// Nothing a reader would see: spaces, zero-width characters, soft hyphens.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{00ad}' | '\u{180e}'
            )
    })
}

fn parse_rank(s: &str) -> Result<i32, UserError> {
    match s.parse::<i32>() {
        Ok(n) if (1..=999).contains(&n) => Ok(n),
        _ => Err(UserError::new(format!(
            "rank must be a whole number from 1 (top) to 999, not '{}'.",
            shorten(s, 40)
        ))),
    }
}

fn parse_plan(s: &str) -> Result<f64, UserError> {
    match s.parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=1000.0).contains(&n) => Ok(n),
        _ => Err(UserError::new(format!(
            "plan is the planned capacity in FTE, like 1.5; '{}' is not.",
            shorten(s, 40)
        ))),
    }
}

/// A date from 2000 to ten years from today.
pub fn parse_date(s: &str) -> Result<NaiveDate, UserError> {
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        UserError::new(format!(
            "bad date '{}': expected YYYY-MM-DD, e.g. 2026-12-31.",
            shorten(s, 40)
        ))
    })?;
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
    let last = chrono::Utc::now()
        .date_naive()
        .checked_add_months(chrono::Months::new(120))
        .unwrap_or(NaiveDate::MAX);
    if date < first || date > last {
        return Err(UserError::new(format!(
            "{date} is out of range: dates go from {first} to {last} (ten years from today)."
        )));
    }
    Ok(date)
}

fn parse_url(s: &str) -> Result<String, UserError> {
    let s = s.trim_start_matches('<').trim_end_matches('>');
    let s = s.split('|').next().unwrap_or(s);
    let web = s.starts_with("https://") || s.starts_with("http://");
    if web && s.chars().count() > MAX_URL {
        return Err(UserError::new(format!(
            "the url is {} characters long; the limit is {MAX_URL}.",
            s.chars().count()
        ))
        .hint("Link to a shorter address for the same page."));
    }
    if web && s.len() > 8 && !s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Ok(s.to_string())
    } else {
        Err(UserError::new(format!(
            "url must be a web link starting with https://, not '{}'.",
            shorten(s, 60)
        )))
    }
}

/// `30m`, `4h`, `2d`, `1w`.
pub fn parse_duration(s: &str) -> Result<Duration, UserError> {
    let bad = || {
        UserError::new(format!(
            "bad duration '{}': expected a number and a unit, like 30m, 4h, 2d or 1w.",
            shorten(s, 40)
        ))
    };
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = digits.parse().map_err(|_| bad())?;
    if n <= 0 || n > 10_000 {
        return Err(bad());
    }
    match unit.to_ascii_lowercase().as_str() {
        "m" | "min" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        "w" => Ok(Duration::weeks(n)),
        _ => Err(bad()),
    }
}
