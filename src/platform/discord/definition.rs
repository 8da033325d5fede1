//! `/align` as a Discord command, defined once: the same table generates the registered
//! definition (subcommand groups mirror the nouns, typed options) and turns a received
//! interaction back into the command language, so Discord runs the very code Slack runs.

use serde_json::Value;
use serenity::builder::{CreateCommand, CreateCommandOption};
use serenity::model::application::CommandOptionType;
use serenity::model::channel::ChannelType;

use super::table::{Form, GROUPS, Kind, Opt, SUBS, Sub};

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
                    Kind::Word => match o.name {
                        "by" => json!("2027-03-31"),
                        "value" | "target" => json!("5"),
                        "repository" => json!("acme/api"),
                        _ => json!("2d"),
                    },
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
        assert_eq!(super::super::table::HELP_TOPICS, topics.as_slice());
    }
}
