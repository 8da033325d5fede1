//! The `/align` command table: every subcommand and option, in the order the command
//! language writes them (required options first, as Discord also demands).

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
const KEY_RESULT: Kind = Kind::Key {
    kinds: "K",
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
    "kr",
    "initiative",
    "work",
    "views",
    "alerts",
    "connect",
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
        name: "kr",
        description: "Key results: the outcomes a goal is measured by",
        subs: &[
            Sub {
                name: "new",
                description: "Add a key result to a goal (owner or admin)",
                options: &[
                    opt("goal", "The goal it measures", GOAL, Form::Bare),
                    TITLE,
                    opt("by", "Due date, YYYY-MM-DD", Kind::Word, Form::Named("by:")),
                    optional(
                        "from",
                        "A metric's start value: 8%, $1.2m, 42",
                        Kind::Word,
                        Form::Named("from:"),
                    ),
                    optional("to", "A metric's target", Kind::Word, Form::Named("to:")),
                    optional(
                        "band",
                        "Keep within LOW..HIGH, e.g. 99.5%..100%",
                        Kind::Word,
                        Form::Named("band:"),
                    ),
                    optional(
                        "start",
                        "When the period starts, YYYY-MM-DD (default today)",
                        Kind::Word,
                        Form::Named("start:"),
                    ),
                ],
            },
            key_sub(
                "update",
                "Check in a key result's value",
                &[
                    opt("kr", "The key result", KEY_RESULT, Form::Bare),
                    opt(
                        "value",
                        "Its value now, in its unit",
                        Kind::Word,
                        Form::Bare,
                    ),
                    NOTE,
                    optional(
                        "confidence",
                        "How it looks to you",
                        Kind::Choice(&["on-track", "at-risk", "off-track"]),
                        Form::Named("confidence:"),
                    ),
                ],
            ),
            key_sub(
                "done",
                "Mark a milestone done",
                &[opt("kr", "The milestone", KEY_RESULT, Form::Bare), NOTE],
            ),
            key_sub(
                "show",
                "Show a key result and where it stands",
                &[opt("kr", "The key result", KEY_RESULT, Form::Bare)],
            ),
            key_sub(
                "token",
                "A write token for the check-in API (admins; shown once)",
                &[opt("kr", "The key result", KEY_RESULT, Form::Bare)],
            ),
            key_sub(
                "list",
                "List key results, of every goal or of one",
                &[optional("goal", "Only this goal's", GOAL, Form::Bare)],
            ),
            key_sub(
                "target",
                "Change a metric's target, saying why (owner or admin)",
                &[
                    opt("kr", "The key result", KEY_RESULT, Form::Bare),
                    opt("target", "The new target", Kind::Word, Form::Bare),
                    opt(
                        "why",
                        "Why it changed",
                        Kind::Text { max: 500 },
                        Form::Quoted,
                    ),
                ],
            ),
            key_sub(
                "close",
                "Close a key result (owner or admin)",
                &[
                    opt("kr", "The key result", KEY_RESULT, Form::Bare),
                    opt(
                        "outcome",
                        "How it ended",
                        Kind::Choice(&["achieved", "missed", "dropped"]),
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
                "show",
                "A work item, with its pull requests and pushes",
                &[opt("work", "The work item", WORK, Form::Bare)],
            ),
            key_sub(
                "reopen",
                "Back to doing (undo a done, or a merge that closed it)",
                &[opt("work", "The work item", WORK, Form::Bare)],
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
        "Every recorded change to a goal, initiative, work item or key result",
        &[opt(
            "key",
            "The goal, initiative, work item or key result",
            Kind::Key {
                kinds: "GIWK",
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
        "connect",
        "Connect a repository: its webhook URL and secret, once (admins)",
        &[
            opt(
                "forge",
                "Where it lives",
                Kind::Choice(&["github", "gitlab"]),
                Form::Bare,
            ),
            opt(
                "repository",
                "owner/name, like acme/api",
                Kind::Word,
                Form::Bare,
            ),
        ],
    ),
    key_sub(
        "connections",
        "Connected repositories, their last delivery and last error",
        &[],
    ),
    key_sub(
        "disconnect",
        "Disconnect a repository (admins)",
        &[opt(
            "repository",
            "The repository, or the connection's id",
            Kind::Word,
            Form::Bare,
        )],
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
