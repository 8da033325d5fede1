//! Messages as Slack Block Kit, with readable fallback text. Every piece of text that is not
//! the bot's own passes through [`escape`], so a title like `<!channel>` pings no one.

use serde_json::{Value, json};

use crate::message::text;
use crate::message::{Action, Ask, Message, Tone};

/// Slack's limits on what we send.
const MAX_BLOCKS: usize = 50;
const MAX_TEXT: usize = 3000;
const MAX_FIELDS: usize = 10;
const MAX_BUTTONS: usize = 25;
const MAX_OPTION_TEXT: usize = 75;
const MAX_OPTION_VALUE: usize = 150;

/// Escapes the three characters Slack treats as control sequences in mrkdwn.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn emoji(tone: Tone) -> &'static str {
    match tone {
        Tone::Green => ":large_green_circle: ",
        Tone::Amber => ":large_orange_circle: ",
        Tone::Red => ":red_circle: ",
        Tone::Neutral => "",
        Tone::Error => ":warning: ",
    }
}

fn mrkdwn(text: String) -> Value {
    json!({ "type": "mrkdwn", "text": truncate(&text, MAX_TEXT) })
}

fn plain(text: &str, max: usize) -> Value {
    json!({ "type": "plain_text", "text": truncate(text, max), "emoji": true })
}

/// The plain-text fallback Slack shows in notifications and screen readers.
pub fn fallback(m: &Message) -> String {
    truncate(&escape(&text::render(m)), MAX_TEXT)
}

/// The action a button carries, so the click can run it (or ask for what it needs first).
pub fn button_value(a: &Action) -> String {
    serde_json::to_string(a).expect("an action always serializes")
}

pub fn blocks(m: &Message) -> Vec<Value> {
    let mut out = vec![json!({
        "type": "section",
        "text": mrkdwn(format!("{}*{}*", emoji(m.tone), escape(&m.headline))),
    })];
    for s in &m.sections {
        if !s.fields.is_empty() {
            for chunk in s.fields.chunks(MAX_FIELDS) {
                let fields: Vec<Value> = chunk
                    .iter()
                    .map(|f| mrkdwn(format!("*{}*\n{}", escape(&f.label), escape(&f.value))))
                    .collect();
                out.push(json!({ "type": "section", "fields": fields }));
            }
        }
        if !s.lines.is_empty() {
            let mut body = String::new();
            if let Some(t) = &s.title {
                body.push_str(&format!("*{}*\n", escape(t)));
            }
            let lines: Vec<String> = s.lines.iter().map(|l| format!("• {}", escape(l))).collect();
            body.push_str(&lines.join("\n"));
            out.push(json!({ "type": "section", "text": mrkdwn(body) }));
        }
    }
    out.truncate(MAX_BLOCKS - 2);
    if let Some(actions) = actions_block(&m.actions) {
        out.push(actions);
    }
    out
}

fn actions_block(actions: &[Action]) -> Option<Value> {
    let mut elements: Vec<Value> = Vec::new();
    let mut menus: Vec<&str> = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        match &a.menu {
            None => elements.push(json!({
                "type": "button",
                "action_id": format!("act:{i}"),
                "text": plain(&a.label, 75),
                "value": truncate(&button_value(a), 2000),
            })),
            Some(menu) if !menus.contains(&menu.as_str()) => {
                menus.push(menu);
                let options: Vec<Value> = actions
                    .iter()
                    .filter(|o| o.menu.as_deref() == Some(menu))
                    .filter(|o| o.command.len() <= MAX_OPTION_VALUE)
                    .take(100)
                    .map(
                        |o| json!({ "text": plain(&o.label, MAX_OPTION_TEXT), "value": o.command }),
                    )
                    .collect();
                elements.push(json!({
                    "type": "static_select",
                    "action_id": format!("menu:{i}"),
                    "placeholder": plain(menu, 150),
                    "options": options,
                }));
            }
            Some(_) => {}
        }
    }
    elements.truncate(MAX_BUTTONS);
    (!elements.is_empty()).then(|| json!({ "type": "actions", "elements": elements }))
}

/// A chat message body: blocks plus fallback text, never with link or name parsing.
pub fn chat_message(m: &Message) -> Value {
    json!({ "text": fallback(m), "blocks": blocks(m), "unfurl_links": false })
}

/// The App Home tab: the person's own picture.
pub fn home_view(m: &Message) -> Value {
    let mut blocks = vec![json!({ "type": "header", "text": plain("Throughline", 150) })];
    blocks.extend(self::blocks(m));
    blocks.push(json!({
        "type": "context",
        "elements": [mrkdwn("Type `/align help` for every command.".into())],
    }));
    json!({ "type": "home", "blocks": blocks })
}

/// A modal that asks for the one thing an action needs (a note, a person).
pub fn ask_modal(a: &Action) -> Value {
    let (label, element) = match &a.ask {
        Ask::Person(prompt) => (
            prompt.as_str(),
            json!({ "type": "users_select", "action_id": "answer" }),
        ),
        Ask::Text(prompt) => (
            prompt.as_str(),
            json!({ "type": "plain_text_input", "action_id": "answer", "max_length": 500 }),
        ),
        Ask::Nothing => (
            "Note",
            json!({ "type": "plain_text_input", "action_id": "answer", "max_length": 500 }),
        ),
    };
    modal(
        "ask",
        &button_value(a),
        &a.label,
        vec![input("answer", label, element, false)],
    )
}

fn modal(callback_id: &str, metadata: &str, title: &str, blocks: Vec<Value>) -> Value {
    json!({
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": truncate(metadata, 3000),
        "title": plain(title, 24),
        "submit": plain("Submit", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    })
}

fn input(block_id: &str, label: &str, element: Value, optional: bool) -> Value {
    json!({
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, 2000),
        "element": element,
    })
}

/// `/align goal new` with no arguments: a form with the same fields as the command.
pub fn goal_modal() -> Value {
    modal(
        "goal_new",
        "",
        "New goal",
        vec![
            input(
                "title",
                "Title",
                json!({ "type": "plain_text_input", "action_id": "title", "max_length": 200 }),
                false,
            ),
            input(
                "owner",
                "Owner (exactly one)",
                json!({ "type": "users_select", "action_id": "owner" }),
                false,
            ),
            input(
                "rank",
                "Rank (1 is the top priority)",
                json!({ "type": "number_input", "action_id": "rank", "is_decimal_allowed": false, "min_value": "1" }),
                true,
            ),
            input(
                "due",
                "Due",
                json!({ "type": "datepicker", "action_id": "due" }),
                true,
            ),
        ],
    )
}

/// `/align work new` with no arguments: every piece of work names its home at birth.
pub fn work_modal() -> Value {
    modal(
        "work_new",
        "",
        "New work",
        vec![
            input(
                "title",
                "Title",
                json!({ "type": "plain_text_input", "action_id": "title", "max_length": 200 }),
                false,
            ),
            input(
                "home",
                "Home: an initiative (I-7), a goal (G-3), or none",
                json!({ "type": "plain_text_input", "action_id": "home", "max_length": 20 }),
                false,
            ),
            input(
                "assignee",
                "Assignee",
                json!({ "type": "users_select", "action_id": "assignee" }),
                true,
            ),
        ],
    )
}

/// What a modal shows once its command has run.
pub fn result_modal(m: &Message) -> Value {
    json!({
        "type": "modal",
        "title": plain("Throughline", 24),
        "close": plain("Close", 24),
        "blocks": blocks(m),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_ping_anyone() {
        let m = Message::new(
            Tone::Red,
            "G-1 \"<!channel> <@U999> & <script>\" turned red",
        )
        .lines("Why", vec!["<!subteam^S1> asked".into()]);
        let body = chat_message(&m).to_string();
        assert!(!body.contains("<!channel>"), "{body}");
        assert!(!body.contains("<@U999>"), "{body}");
        assert!(!body.contains("<!subteam"), "{body}");
        assert!(
            body.contains("&lt;!channel&gt; &lt;@U999&gt; &amp; &lt;script&gt;"),
            "{body}"
        );
    }

    #[test]
    fn menus_gather_their_options_and_buttons_carry_their_action() {
        let m = Message::info("W-2 has no home")
            .menu_item(
                "Link to a goal",
                "G-1 Cut churn",
                "/align work link W-2 G-1",
            )
            .menu_item("Link to a goal", "G-2 Grow", "/align work link W-2 G-2")
            .asking(
                "Blocked",
                "/align work block W-2",
                Ask::Text("What blocks it".into()),
            );
        let b = blocks(&m);
        let elements = b.last().unwrap()["elements"].as_array().unwrap().clone();
        assert_eq!(elements.len(), 2);
        assert_eq!(elements[0]["type"], "static_select");
        assert_eq!(
            elements[0]["options"][1]["value"],
            "/align work link W-2 G-2"
        );
        let carried: Action = serde_json::from_str(elements[1]["value"].as_str().unwrap()).unwrap();
        assert_eq!(
            carried.with_answer("waiting on legal"),
            "/align work block W-2 \"waiting on legal\""
        );
    }

    #[test]
    fn long_text_is_truncated_with_a_marker() {
        let m = Message::info("x".repeat(5000));
        let text = blocks(&m)[0]["text"]["text"].as_str().unwrap().to_string();
        assert_eq!(text.chars().count(), MAX_TEXT);
        assert!(text.ends_with('…'));
    }
}
