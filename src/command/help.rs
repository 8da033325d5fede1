//! `/align help [topic]`: the command reference, one topic per noun.

use crate::message::Message;

const TOPICS: &[(&str, &str, &[&str])] = &[
    (
        "status",
        "What is moving each top priority, and what is not",
        &["/align status"],
    ),
    (
        "goal",
        "Goals: strategic priorities, each with exactly one owner",
        &[
            "/align goal new \"<title>\" owner:@user [rank:N] [due:YYYY-MM-DD]",
            "/align goal show G-3",
            "/align goal list",
            "/align goal owner G-3 @user   (owner or admin: transfer ownership)",
            "/align goal rank G-3 N        (owner or admin)",
            "/align goal close G-3 achieved|dropped [\"note\"]   (owner or admin; no open work left)",
        ],
    ),
    (
        "kr",
        "Key results: the outcomes a goal is measured by, owned by the goal's owner",
        &[
            "/align kr new G-3 \"<title>\" from:8% to:5% by:YYYY-MM-DD [start:YYYY-MM-DD]   (a metric)",
            "/align kr new G-3 \"<title>\" by:YYYY-MM-DD   (a milestone)",
            "/align kr new G-3 \"<title>\" band:99.5%..100% by:YYYY-MM-DD   (keep within a band)",
            "/align kr update K-2 6.1% [\"note\"] [confidence:on-track|at-risk|off-track]   (owner, admin or a lead under the goal)",
            "/align kr done K-4 [\"note\"]   (a milestone)",
            "/align kr show K-2 | kr list [G-3]",
            "/align kr token K-2   a write token for the check-in API (admins; shown once)",
            "/align kr target K-2 4.5% \"why the target changed\"   (owner or admin)",
            "/align kr close K-2 achieved|missed|dropped [\"note\"]   (owner or admin)",
            "Values: 42, 1.5k, 8%, $1.2m, €300k, EUR 300k; the unit is fixed when the key result is made",
        ],
    ),
    (
        "initiative",
        "Initiatives: bodies of work meant to move one goal, each with one lead",
        &[
            "/align initiative new G-3 \"<title>\" lead:@user [plan:1.5] [due:YYYY-MM-DD]",
            "/align initiative show I-7",
            "/align initiative pause I-7 | resume I-7 | close I-7 [done|dropped]",
        ],
    ),
    (
        "work",
        "Work items: linked to their home when they are created",
        &[
            "/align work new I-7|G-3 \"<title>\" [@assignee] [url:<link>]",
            "/align work new none \"<title>\" [@assignee] [why:\"...\"]   (no strategic home: surfaced at once)",
            "/align work start|done|drop W-12 [\"note\"]",
            "/align work block W-12 \"what blocks it\"",
            "/align work link W-12 I-7|G-3",
            "/align work assign W-12 @user",
            "/align work note W-12 \"progress note\"   (records activity)",
            "/align work show W-12          where it stands, with its pull requests and pushes",
            "/align work reopen W-12        back to doing (undo a done or a merge that closed it)",
        ],
    ),
    (
        "views",
        "Views",
        &[
            "/align mine                  what you own, lead and do, and what you were told this week",
            "/align orphans               open work with no strategic home",
            "/align capacity [G-3|@user]  planned vs actual FTE",
            "/align history G-3|I-7|W-12|K-2  every recorded change",
            "/align digest                today's digest, now",
            "/align agenda                this week's decisions needed",
        ],
    ),
    (
        "alerts",
        "Alerts",
        &[
            "/align ack G-3               acknowledge the alerts on your goal",
            "/align snooze G-3 2d         mute direct messages about your goal (30m, 4h, 2d, 1w)",
        ],
    ),
    (
        "connect",
        "Repositories: pull requests and pushes that name W-12 count as work on it (admins)",
        &[
            "/align connect github acme/api | connect gitlab group/project   (the webhook URL and secret, once)",
            "/align connections             each repository with its last delivery and last error",
            "/align disconnect acme/api     (or its id)",
        ],
    ),
    (
        "settings",
        "Settings",
        &[
            "/align settings               show every setting",
            "/align settings <name> <value>   (admins)",
            "/align settings workdays Mon-Fri | hours 09:00-18:00 | holiday 2026-12-25 | settle 30m",
            "/align settings timezone @you Europe/Paris   (your own time zone; admins: anyone's)",
        ],
    ),
];

/// The topic names `help` knows.
pub fn topics() -> impl Iterator<Item = &'static str> {
    TOPICS.iter().map(|(name, _, _)| *name)
}

pub fn help(topic: Option<&str>) -> Message {
    let topic = topic.map(|t| match t {
        "goals" => "goal",
        "krs" | "key" | "keyresult" | "keyresults" => "kr",
        "initiatives" | "init" => "initiative",
        "mine" | "orphans" | "capacity" | "history" | "agenda" | "digest" => "views",
        "ack" | "snooze" => "alerts",
        "connections" | "disconnect" | "github" | "gitlab" => "connect",
        other => other,
    });
    match topic.and_then(|t| TOPICS.iter().find(|(name, _, _)| *name == t)) {
        Some((_, title, lines)) => {
            Message::info(*title).lines("Forms", lines.iter().map(|l| l.to_string()).collect())
        }
        None => {
            let mut m =
                Message::info("Throughline links every piece of work to the goal it serves.");
            if let Some(t) = topic {
                m = Message::info(format!(
                    "No help topic '{t}'. Topics: status, goal, kr, initiative, work, views, alerts, connect, settings."
                ));
            }
            for (_, title, lines) in TOPICS {
                m = m.lines(*title, lines.iter().map(|l| l.to_string()).collect());
            }
            m
        }
    }
}
