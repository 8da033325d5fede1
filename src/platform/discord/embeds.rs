//! Messages as Discord embeds coloured by health, with buttons and menus. Everything stays
//! inside Discord's limits, truncated with a marker rather than refused; every message
//! carries `allowed_mentions` so user text pings no one, and text is escaped so that a title
//! cannot format, hide (spoilers), mask a link or show a mention.

use serde_json::{Value, json};

use crate::message::{Action, Ask, Message, Tone};

/// Discord's limits on what we send.
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 4096;
const FIELDS_MAX: usize = 25;
const FIELD_NAME_MAX: usize = 256;
const FIELD_VALUE_MAX: usize = 1024;
const EMBED_TOTAL_MAX: usize = 6000;
const LABEL_MAX: usize = 80;
const CUSTOM_ID_MAX: usize = 100;
const ROWS_MAX: usize = 5;
const BUTTONS_PER_ROW: usize = 5;
const OPTIONS_MAX: usize = 25;
/// The flag that shows a reply to its reader only.
pub const EPHEMERAL: u64 = 64;

pub fn colour(tone: Tone) -> u32 {
    match tone {
        Tone::Green => 0x2EB67D,
        Tone::Amber => 0xF0A020,
        Tone::Red => 0xE01E5A,
        Tone::Neutral => 0x5865F2,
        Tone::Error => 0x747F8D,
    }
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The characters Discord markdown gives a meaning to, each shown as itself instead. Links
/// stay clickable: a masked link needs `[`, so `:` and `(` are left alone.
const MARKDOWN: &[char] = &['\\', '*', '_', '~', '`', '|', '[', ']', '<', '>', '#'];

/// `text` as Discord shows it literally, cut to `max` characters (escapes count toward it,
/// and an escape is never cut in half).
fn literal(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if MARKDOWN.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    let mut cut = truncate(&out, max);
    if cut.ends_with('…') {
        cut.pop();
        let escapes = cut.chars().rev().take_while(|c| *c == '\\').count();
        if escapes % 2 == 1 {
            cut.pop();
        }
        cut.push('…');
    }
    cut
}

fn len(s: &str) -> usize {
    s.chars().count()
}

pub fn embed(m: &Message) -> Value {
    let title = match m.tone {
        Tone::Error => format!("⚠️ {}", literal(&m.headline, TITLE_MAX - 3)),
        _ => literal(&m.headline, TITLE_MAX),
    };
    let mut description = Vec::new();
    let mut fields = Vec::new();
    for s in &m.sections {
        for f in &s.fields {
            fields.push((
                literal(&f.label, FIELD_NAME_MAX),
                literal(&f.value, FIELD_VALUE_MAX),
            ));
        }
        if !s.lines.is_empty() {
            let mut part = String::new();
            if let Some(t) = &s.title {
                part.push_str(&format!("**{}**\n", literal(t, TITLE_MAX)));
            }
            let lines: Vec<String> = s
                .lines
                .iter()
                .map(|l| format!("• {}", literal(l, DESCRIPTION_MAX)))
                .collect();
            part.push_str(&lines.join("\n"));
            description.push(part);
        }
    }
    fields.truncate(FIELDS_MAX);
    // Every character of the embed counts toward the total: fields give way to the text.
    let mut budget = EMBED_TOTAL_MAX - len(&title);
    let description = truncate(&description.join("\n\n"), DESCRIPTION_MAX.min(budget));
    budget -= len(&description);
    let fields: Vec<Value> = fields
        .into_iter()
        .take_while(|(name, value)| {
            let cost = len(name) + len(value);
            let fits = cost <= budget;
            budget = budget.saturating_sub(cost);
            fits
        })
        .map(|(name, value)| json!({ "name": name, "value": value, "inline": true }))
        .collect();
    let mut e = json!({ "title": title, "color": colour(m.tone) });
    if !description.is_empty() {
        e["description"] = json!(description);
    }
    if !fields.is_empty() {
        e["fields"] = json!(fields);
    }
    e
}

/// What a component does when used, carried in its `custom_id`. The guild rides along
/// because clicks in a DM arrive without one.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// Run the command.
    Run { guild: String, command: String },
    /// Ask for a note first (a modal), then run.
    AskText {
        guild: String,
        command: String,
        prompt: String,
    },
    /// Ask for a person first (a user menu), then run.
    AskPerson { guild: String, command: String },
    /// A menu whose chosen value is the command.
    Menu { guild: String },
}

fn bare(command: &str) -> &str {
    command.strip_prefix("/align ").unwrap_or(command)
}

impl Control {
    pub fn custom_id(&self) -> String {
        match self {
            Control::Run { guild, command } => format!("{guild}|r|{}", bare(command)),
            Control::AskText {
                guild,
                command,
                prompt,
            } => truncate(
                &format!("{guild}|t|{}|{prompt}", bare(command)),
                CUSTOM_ID_MAX,
            ),
            Control::AskPerson { guild, command } => format!("{guild}|p|{}", bare(command)),
            Control::Menu { guild } => format!("{guild}|m"),
        }
    }

    pub fn parse(id: &str) -> Option<Control> {
        let mut parts = id.splitn(4, '|');
        let guild = parts.next()?.to_string();
        let kind = parts.next()?;
        let command = parts.next().map(str::to_string);
        Some(match (kind, command) {
            ("r", Some(command)) => Control::Run { guild, command },
            ("t", Some(command)) => Control::AskText {
                guild,
                command,
                prompt: parts.next().unwrap_or("Note").to_string(),
            },
            ("p", Some(command)) => Control::AskPerson { guild, command },
            ("m", None) => Control::Menu { guild },
            _ => return None,
        })
    }
}

fn control(a: &Action, guild: &str) -> Control {
    let (guild, command) = (guild.to_string(), a.command.clone());
    match &a.ask {
        Ask::Nothing => Control::Run { guild, command },
        Ask::Text(prompt) => Control::AskText {
            guild,
            command,
            prompt: prompt.clone(),
        },
        Ask::Person(_) => Control::AskPerson { guild, command },
    }
}

/// Buttons in rows of five, and one select menu per group of similar actions.
pub fn components(m: &Message, guild: &str) -> Vec<Value> {
    let mut buttons = Vec::new();
    let mut rows = Vec::new();
    let mut menus: Vec<&str> = Vec::new();
    for a in &m.actions {
        match &a.menu {
            None => {
                let id = control(a, guild).custom_id();
                // A command too long to carry is still offered in the text, just not as a button.
                if len(&id) <= CUSTOM_ID_MAX {
                    buttons.push(json!({ "type": 2, "style": 2, "label": truncate(&a.label, LABEL_MAX), "custom_id": id }));
                }
            }
            Some(menu) if !menus.contains(&menu.as_str()) => {
                menus.push(menu);
                let options: Vec<Value> = m
                    .actions
                    .iter()
                    .filter(|o| o.menu.as_deref() == Some(menu) && len(&o.command) <= 100)
                    .take(OPTIONS_MAX)
                    .map(|o| json!({ "label": truncate(&o.label, 100), "value": o.command }))
                    .collect();
                rows.push(json!({ "type": 1, "components": [{
                    "type": 3,
                    "custom_id": Control::Menu { guild: guild.to_string() }.custom_id(),
                    "placeholder": truncate(menu, 150),
                    "options": options,
                }]}));
            }
            Some(_) => {}
        }
    }
    let mut out: Vec<Value> = buttons
        .chunks(BUTTONS_PER_ROW)
        .map(|row| json!({ "type": 1, "components": row }))
        .collect();
    out.extend(rows);
    out.truncate(ROWS_MAX);
    out
}

/// A message that pings no one.
pub fn message(m: &Message, guild: &str) -> Value {
    json!({
        "embeds": [embed(m)],
        "components": components(m, guild),
        "allowed_mentions": { "parse": [] },
    })
}

/// An interaction's reply (type 4); personal views are shown to their reader only.
pub fn reply(m: &Message, guild: &str, ephemeral: bool) -> Value {
    let mut data = message(m, guild);
    if ephemeral {
        data["flags"] = json!(EPHEMERAL);
    }
    json!({ "type": 4, "data": data })
}

/// A modal that asks for a note before a command runs.
pub fn ask_modal(custom_id: &str, title: &str, prompt: &str) -> Value {
    json!({ "type": 9, "data": {
        "custom_id": custom_id,
        "title": truncate(title, 45),
        "components": [{ "type": 1, "components": [{
            "type": 4, "custom_id": "answer", "style": 2, "label": truncate(prompt, 45),
            "required": true, "max_length": 500,
        }]}],
    }})
}

/// An ephemeral reply with a user menu, for actions that need a person.
pub fn ask_person(custom_id: &str, prompt: &str) -> Value {
    json!({ "type": 4, "data": {
        "flags": EPHEMERAL,
        "content": truncate(prompt, 2000),
        "allowed_mentions": { "parse": [] },
        "components": [{ "type": 1, "components": [{
            "type": 5, "custom_id": custom_id, "placeholder": "Choose a person",
        }]}],
    }})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Section;

    #[test]
    fn embeds_stay_within_discord_limits() {
        let long = "x".repeat(5000);
        let mut m = Message::new(Tone::Amber, long.clone()).lines("Work", vec![long.clone(); 3]);
        m = m.section(Section {
            title: None,
            lines: Vec::new(),
            fields: (0..40)
                .map(|i| crate::message::Field {
                    label: format!("f{i}"),
                    value: long.clone(),
                })
                .collect(),
        });
        let e = embed(&m);
        assert_eq!(e["color"], 0xF0A020);
        let title = e["title"].as_str().unwrap();
        assert_eq!(len(title), TITLE_MAX);
        assert!(title.ends_with('…'));
        let total = len(title)
            + len(e["description"].as_str().unwrap())
            + e["fields"].as_array().map_or(0, |f| {
                f.iter()
                    .map(|f| len(f["name"].as_str().unwrap()) + len(f["value"].as_str().unwrap()))
                    .sum()
            });
        assert!(total <= EMBED_TOTAL_MAX, "{total}");
    }

    #[test]
    fn text_shows_as_typed_never_as_markdown() {
        let typed = "**Q4** [click](https://evil.example) <@123> ||secret|| # big `x` 100%";
        let m = Message::new(Tone::Green, typed).lines("Why", vec![typed.into()]);
        let e = embed(&m);
        let shown =
            r"\*\*Q4\*\* \[click\](https://evil.example) \<@123\> \|\|secret\|\| \# big \`x\` 100%";
        assert_eq!(e["title"], shown);
        assert_eq!(e["description"], format!("**Why**\n• {shown}"));
        // Cut short, an escape is never left half: no lone backslash before the marker.
        let cut = literal(&"*".repeat(10), 6);
        assert_eq!(cut, r"\*\*…");
    }

    #[test]
    fn controls_round_trip_through_custom_ids() {
        for c in [
            Control::Run {
                guild: "1".into(),
                command: "ack G-1".into(),
            },
            Control::AskText {
                guild: "1".into(),
                command: "work block W-2".into(),
                prompt: "What blocks it".into(),
            },
            Control::AskPerson {
                guild: "1".into(),
                command: "goal owner G-1".into(),
            },
            Control::Menu { guild: "1".into() },
        ] {
            assert_eq!(Control::parse(&c.custom_id()), Some(c));
        }
        let m = Message::info("x").action("Ack", "/align ack G-1");
        let c = components(&m, "42");
        assert_eq!(c[0]["components"][0]["custom_id"], "42|r|ack G-1");
    }
}
