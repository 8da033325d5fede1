//! `/align` as a Discord command, defined once: the same table generates the registered
//! definition (subcommand groups mirror the nouns, typed options) and turns a received
//! interaction back into the command language, so Discord runs the very code Slack runs.

use serde_json::Value;
use serenity::builder::{CreateCommand, CreateCommandOption};
use serenity::model::application::CommandOptionType;
use serenity::model::channel::ChannelType;

/// What an option holds, and so how Discord asks for it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A key of one of these kinds (`G`, `I`, `W`), completed as the user types; `none`
    /// is offered too when `none` is true (work with no strategic home).
    Key {
        kinds: &'static str,
        none: bool,
    },
    Text {
        max: u16,
    },
    User,
    Integer {
        min: u64,
        max: u64,
    },
    Number,
    /// A fixed set of words.
    Choice(&'static [&'static str]),
    Channel,
    /// Free text that is one word of the command language (a date, a duration, a value).
    Word,
}

/// Where the option goes in the command text.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// As is: `G-3`, `<@123>`, `achieved`.
    Bare,
    /// `"free text"`.
    Quoted,
    /// `owner:<@123>`, `rank:2`, `why:"…"` (quoted when the kind is text).
    Named(&'static str),
}

#[derive(Debug)]
pub struct Opt {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: Kind,
    pub form: Form,
    pub required: bool,
}

#[derive(Debug)]
pub struct Sub {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [Opt],
}

#[derive(Debug)]
pub struct Group {
    pub name: &'static str,
    pub description: &'static str,
    pub subs: &'static [Sub],
}

const fn opt(name: &'static str, description: &'static str, kind: Kind, form: Form) -> Opt {
    Opt {
        name,
        description,
        kind,
        form,
        required: true,
    }
}

const fn optional(name: &'static str, description: &'static str, kind: Kind, form: Form) -> Opt {
    Opt {
        name,
        description,
        kind,
        form,
        required: false,
    }
}

const GOAL: Kind = Kind::Key {
    kinds: "G",
    none: false,
};
const INITIATIVE: Kind = Kind::Key {
    kinds: "I",
    none: false,
};
const WORK: Kind = Kind::Key {
    kinds: "W",
    none: false,
};
const TITLE: Opt = opt(
    "title",
    "What it is, in a few words",
    Kind::Text { max: 200 },
    Form::Quoted,
);
const NOTE: Opt = optional("note", "A note", Kind::Text { max: 500 }, Form::Quoted);
const DUE: Opt = optional(
    "due",
    "Due date, YYYY-MM-DD",
    Kind::Word,
    Form::Named("due:"),
);

pub const HELP_TOPICS: &[&str] = &[
    "status",
    "goal",
    "initiative",
    "work",
    "views",
    "alerts",
    "settings",
];

const fn key_sub(name: &'static str, description: &'static str, key: &'static [Opt]) -> Sub {
    Sub {
        name,
        description,
        options: key,
    }
}

pub const GROUPS: &[Group] = &[
    Group {
        name: "goal",
        description: "Goals: strategic priorities, each with exactly one owner",
        subs: &[
            Sub {
                name: "new",
                description: "Create a goal",
                options: &[
                    TITLE,
                    opt(
                        "owner",
                        "Who owns it (exactly one person)",
                        Kind::User,
                        Form::Named("owner:"),
                    ),
                    optional(
                        "rank",
                        "Priority, 1 is the top",
                        Kind::Integer { min: 1, max: 999 },
                        Form::Named("rank:"),
                    ),
                    DUE,
                ],
            },
            key_sub(
                "show",
                "Show a goal, its initiatives and health",
                &[opt("goal", "The goal", GOAL, Form::Bare)],
            ),
            key_sub("list", "List the goals by rank", &[]),
            key_sub(
                "owner",
                "Transfer ownership (owner or admin)",
                &[
                    opt("goal", "The goal", GOAL, Form::Bare),
                    opt("owner", "The new owner", Kind::User, Form::Bare),
                ],
            ),
            key_sub(
                "rank",
                "Change a goal's rank (owner or admin)",
                &[
                    opt("goal", "The goal", GOAL, Form::Bare),
                    opt(
                        "rank",
                        "Priority, 1 is the top",
                        Kind::Integer { min: 1, max: 999 },
                        Form::Bare,
                    ),
                ],
            ),
            key_sub(
                "close",
                "Close a goal with no open work left",
                &[
                    opt("goal", "The goal", GOAL, Form::Bare),
                    opt(
                        "outcome",
                        "How it ended",
                        Kind::Choice(&["achieved", "dropped"]),
                        Form::Bare,
                    ),
                    NOTE,
                ],
            ),
        ],
    },
    Group {
        name: "initiative",
        description: "Initiatives: bodies of work meant to move one goal",
        subs: &[
            Sub {
                name: "new",
                description: "Create an initiative under a goal",
                options: &[
                    opt("goal", "The goal it moves", GOAL, Form::Bare),
                    TITLE,
                    opt("lead", "Who leads it", Kind::User, Form::Named("lead:")),
                    optional(
                        "plan",
                        "Planned capacity in FTE, like 1.5",
                        Kind::Number,
                        Form::Named("plan:"),
                    ),
                    DUE,
                ],
            },
            key_sub(
                "show",
                "Show an initiative and its work",
                &[opt("initiative", "The initiative", INITIATIVE, Form::Bare)],
            ),
            key_sub(
                "pause",
                "Pause an initiative",
                &[opt("initiative", "The initiative", INITIATIVE, Form::Bare)],
            ),
            key_sub(
                "resume",
                "Resume a paused initiative",
                &[opt("initiative", "The initiative", INITIATIVE, Form::Bare)],
            ),
            key_sub(
                "close",
                "Close an initiative",
                &[
                    opt("initiative", "The initiative", INITIATIVE, Form::Bare),
                    optional(
                        "outcome",
                        "How it ended",
                        Kind::Choice(&["done", "dropped"]),
                        Form::Bare,
                    ),
                ],
            ),
        ],
    },
    Group {
        name: "work",
        description: "Work items, linked to their home when they are created",
        subs: &[
            Sub {
                name: "new",
                description: "Create a work item under an initiative or goal (or none)",
                options: &[
                    opt(
                        "home",
                        "The initiative or goal it serves, or none",
                        Kind::Key {
                            kinds: "IG",
                            none: true,
                        },
                        Form::Bare,
                    ),
                    TITLE,
                    optional("assignee", "Who does it", Kind::User, Form::Bare),
                    optional(
                        "url",
                        "A link to the ticket or document",
                        Kind::Word,
                        Form::Named("url:"),
                    ),
                    optional(
                        "why",
                        "Why it has no strategic home",
                        Kind::Text { max: 500 },
                        Form::Named("why:"),
                    ),
                ],
            },
            key_sub(
                "start",
                "Start a work item",
                &[opt("work", "The work item", WORK, Form::Bare), NOTE],
            ),
            key_sub(
                "block",
                "Mark a work item blocked",
                &[
                    opt("work", "The work item", WORK, Form::Bare),
                    opt(
                        "note",
                        "What blocks it",
                        Kind::Text { max: 500 },
                        Form::Quoted,
                    ),
                ],
            ),
            key_sub(
                "done",
                "Finish a work item",
                &[opt("work", "The work item", WORK, Form::Bare), NOTE],
            ),
            key_sub(
                "drop",
                "Drop a work item",
                &[opt("work", "The work item", WORK, Form::Bare), NOTE],
            ),
            key_sub(
                "link",
                "Give a work item its home",
                &[
                    opt("work", "The work item", WORK, Form::Bare),
                    opt(
                        "home",
                        "The initiative or goal it serves",
                        Kind::Key {
                            kinds: "IG",
                            none: false,
                        },
                        Form::Bare,
                    ),
                ],
            ),
            key_sub(
                "assign",
                "Assign a work item",
                &[
                    opt("work", "The work item", WORK, Form::Bare),
                    opt("assignee", "Who does it", Kind::User, Form::Bare),
                ],
            ),
            key_sub(
                "note",
                "Record progress (counts as activity)",
                &[
                    opt("work", "The work item", WORK, Form::Bare),
                    opt(
                        "note",
                        "The progress note",
                        Kind::Text { max: 500 },
                        Form::Quoted,
                    ),
                ],
            ),
        ],
    },
];

pub const SUBS: &[Sub] = &[
    key_sub(
        "status",
        "Top priorities: what is moving each, what is not",
        &[],
    ),
    key_sub("mine", "What you own, lead and do", &[]),
    key_sub("orphans", "Open work with no strategic home", &[]),
    key_sub("agenda", "This week's decisions needed", &[]),
    key_sub("digest", "Today's digest, now", &[]),
    key_sub(
        "capacity",
        "Planned against actual capacity",
        &[
            optional("goal", "Only this goal", GOAL, Form::Bare),
            optional("person", "Only this person", Kind::User, Form::Bare),
        ],
    ),
    key_sub(
        "history",
        "Every recorded change to a goal, initiative or work item",
        &[opt(
            "key",
            "The goal, initiative or work item",
            Kind::Key {
                kinds: "GIW",
                none: false,
            },
            Form::Bare,
        )],
    ),
    key_sub(
        "ack",
        "Acknowledge the alerts on your goal",
        &[opt("goal", "The goal", GOAL, Form::Bare)],
    ),
    key_sub(
        "snooze",
        "Mute direct messages about your goal for a while",
        &[
            opt("goal", "The goal", GOAL, Form::Bare),
            opt("for", "How long: 30m, 4h, 2d, 1w", Kind::Word, Form::Bare),
        ],
    ),
    key_sub(
        "settings",
        "Show every setting, or change one (admins)",
        &[
            optional(
                "name",
                "The setting to change",
                Kind::Choice(crate::command::exec::SETTING_NAMES),
                Form::Bare,
            ),
            optional("value", "Its new value", Kind::Word, Form::Bare),
            optional(
                "channel",
                "The leadership channel (for name: channel)",
                Kind::Channel,
                Form::Bare,
            ),
        ],
    ),
    key_sub(
        "help",
        "The command reference",
        &[optional(
            "topic",
            "One topic",
            Kind::Choice(HELP_TOPICS),
            Form::Bare,
        )],
    ),
];

fn option_type(kind: Kind) -> CommandOptionType {
    match kind {
        Kind::User => CommandOptionType::User,
        Kind::Integer { .. } => CommandOptionType::Integer,
        Kind::Number => CommandOptionType::Number,
        Kind::Channel => CommandOptionType::Channel,
        Kind::Key { .. } | Kind::Text { .. } | Kind::Choice(_) | Kind::Word => {
            CommandOptionType::String
        }
    }
}

fn build_option(o: &Opt) -> CreateCommandOption {
    let mut b =
        CreateCommandOption::new(option_type(o.kind), o.name, o.description).required(o.required);
    match o.kind {
        Kind::Key { .. } => b = b.set_autocomplete(true).max_length(20),
        Kind::Text { max } => b = b.max_length(max),
        Kind::Integer { min, max } => b = b.min_int_value(min).max_int_value(max),
        Kind::Choice(words) => {
            for w in words {
                b = b.add_string_choice(*w, *w);
            }
        }
        Kind::Word => b = b.max_length(100),
        Kind::Channel => b = b.channel_types(vec![ChannelType::Text]),
        Kind::User | Kind::Number => {}
    }
    b
}

fn build_sub(s: &Sub) -> CreateCommandOption {
    s.options.iter().fold(
        CreateCommandOption::new(CommandOptionType::SubCommand, s.name, s.description),
        |b, o| b.add_sub_option(build_option(o)),
    )
}

/// The `/align` command as Discord registers it.
pub fn align() -> CreateCommand {
    let mut c = CreateCommand::new("align")
        .description("Goals, initiatives and the work that moves them")
        .dm_permission(false);
    for g in GROUPS {
        c = c.add_option(g.subs.iter().fold(
            CreateCommandOption::new(CommandOptionType::SubCommandGroup, g.name, g.description),
            |b, s| b.add_sub_option(build_sub(s)),
        ));
    }
    for s in SUBS {
        c = c.add_option(build_sub(s));
    }
    c
}

/// Every command Throughline registers, as the JSON a bulk overwrite sends.
pub fn all_commands() -> Value {
    serde_json::to_value(vec![align()]).expect("command definitions serialize")
}

/// The subcommand an interaction invoked, with its spec and received options.
fn invoked(data: &Value) -> Option<(Vec<&'static str>, &'static Sub, &Vec<Value>)> {
    let first = data["options"].as_array()?.first()?;
    let name = first["name"].as_str()?;
    if first["type"] == 2 {
        let group = GROUPS.iter().find(|g| g.name == name)?;
        let inner = first["options"].as_array()?.first()?;
        let sub = group.subs.iter().find(|s| inner["name"] == s.name)?;
        Some((
            vec![group.name, sub.name],
            sub,
            inner["options"].as_array().unwrap_or(&EMPTY),
        ))
    } else {
        let sub = SUBS.iter().find(|s| s.name == name)?;
        Some((
            vec![sub.name],
            sub,
            first["options"].as_array().unwrap_or(&EMPTY),
        ))
    }
}

static EMPTY: Vec<Value> = Vec::new();

/// Keeps free text inside the command's quotes (the command language has no escapes).
fn quote(text: &str) -> String {
    let inner: String = text
        .chars()
        .map(|c| {
            if matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}') {
                '\''
            } else {
                c
            }
        })
        .collect();
    format!("\"{}\"", inner.trim())
}

fn render(o: &Opt, value: &Value) -> Option<String> {
    let raw = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if raw.is_empty() {
        return None;
    }
    let text = match o.kind {
        Kind::User => format!("<@{raw}>"),
        Kind::Channel => format!("#{raw}"),
        // An autocompleted choice is the key itself; a typed one may trail its title.
        Kind::Key { .. } => raw
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
        Kind::Text { .. } => quote(&raw),
        _ => raw.clone(),
    };
    Some(match o.form {
        Form::Bare => text,
        Form::Quoted if matches!(o.kind, Kind::Text { .. }) => text,
        Form::Quoted => quote(&raw),
        Form::Named(prefix) => format!("{prefix}{text}"),
    })
}

/// The command-language text an application command interaction stands for.
pub fn command_text(data: &Value) -> Option<String> {
    let (path, sub, received) = invoked(data)?;
    let mut words: Vec<String> = path.iter().map(|s| s.to_string()).collect();
    for o in sub.options {
        if let Some(v) = received.iter().find(|r| r["name"] == o.name)
            && let Some(text) = render(o, &v["value"])
        {
            words.push(text);
        }
    }
    Some(words.join(" "))
}

/// The option being typed in an autocomplete interaction: the key kinds it takes, whether
/// `none` is allowed, and what has been typed so far.
pub fn focused(data: &Value) -> Option<(&'static str, bool, String)> {
    let (_, sub, received) = invoked(data)?;
    let typed = received.iter().find(|r| r["focused"] == true)?;
    let spec = sub.options.iter().find(|o| typed["name"] == o.name)?;
    match spec.kind {
        Kind::Key { kinds, none } => Some((
            kinds,
            none,
            typed["value"].as_str().unwrap_or_default().to_string(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn typed_options_become_the_command_language() {
        let data = json!({ "name": "align", "options": [{ "type": 2, "name": "goal", "options": [
            { "type": 1, "name": "new", "options": [
                { "name": "owner", "type": 6, "value": "456" },
                { "name": "title", "type": 3, "value": "Cut \"churn\" to 3%" },
                { "name": "rank", "type": 4, "value": 2 },
            ]}
        ]}]});
        assert_eq!(
            command_text(&data).unwrap(),
            "goal new \"Cut 'churn' to 3%\" owner:<@456> rank:2"
        );
        let data = json!({ "name": "align", "options": [
            { "type": 1, "name": "settings", "options": [
                { "name": "name", "type": 3, "value": "channel" },
                { "name": "channel", "type": 7, "value": "789" },
            ]}
        ]});
        assert_eq!(command_text(&data).unwrap(), "settings channel #789");
        let data = json!({ "options": [{ "type": 2, "name": "work", "options": [
            { "type": 1, "name": "new", "options": [
                { "name": "home", "type": 3, "value": "none" },
                { "name": "title", "type": 3, "value": "Bug" },
                { "name": "why", "type": 3, "value": "urgent fix" },
            ]}
        ]}]});
        assert_eq!(
            command_text(&data).unwrap(),
            "work new none \"Bug\" why:\"urgent fix\""
        );
    }

    #[test]
    fn every_command_parses_as_the_language_expects() {
        // Each subcommand with its required options filled parses (or fails only on meaning).
        for (path, sub) in GROUPS
            .iter()
            .flat_map(|g| {
                g.subs
                    .iter()
                    .map(move |s| (format!("{} {}", g.name, s.name), s))
            })
            .chain(SUBS.iter().map(|s| (s.name.to_string(), s)))
        {
            let mut text = path.clone();
            for o in sub.options.iter().filter(|o| o.required) {
                let v = match o.kind {
                    Kind::Key { kinds, .. } => json!(format!("{}-1", &kinds[..1])),
                    Kind::User => json!("123"),
                    Kind::Integer { min, .. } => json!(min),
                    Kind::Choice(words) => json!(words[0]),
                    Kind::Word => json!("2d"),
                    _ => json!("x"),
                };
                text.push(' ');
                text.push_str(&render(o, &v).unwrap());
            }
            crate::command::parse(&text).unwrap_or_else(|e| panic!("{text}: {}", e.message));
        }
    }

    #[test]
    fn choices_match_the_language() {
        let topics: Vec<&str> = crate::command::help::topics().collect();
        assert_eq!(HELP_TOPICS, topics.as_slice());
    }
}
