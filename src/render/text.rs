//! Plain-text rendering, for the console and for fallback text.

use crate::message::{Message, Tone};

fn badge(tone: Tone) -> &'static str {
    match tone {
        Tone::Green => "[GREEN] ",
        Tone::Amber => "[AMBER] ",
        Tone::Red => "[RED] ",
        Tone::Neutral => "",
        Tone::Error => "[ERROR] ",
    }
}

pub fn render(m: &Message) -> String {
    let mut out = format!("{}{}", badge(m.tone), m.headline);
    for s in &m.sections {
        out.push('\n');
        if let Some(t) = &s.title {
            out.push_str(&format!("{t}:\n"));
        }
        for f in &s.fields {
            out.push_str(&format!("  {}: {}\n", f.label, f.value));
        }
        for l in &s.lines {
            out.push_str(&format!("  - {l}\n"));
        }
        while out.ends_with('\n') {
            out.pop();
        }
    }
    if !m.actions.is_empty() {
        let actions: Vec<String> = m
            .actions
            .iter()
            .map(|a| format!("{} ({})", a.label, a.typed()))
            .collect();
        out.push_str(&format!("\nActions: {}", actions.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_headline_sections_and_actions() {
        let m = Message::new(Tone::Amber, "G-1 \"Cut churn\" turned amber")
            .fields(vec![("Owner", "@ana".into())])
            .lines("Why", vec!["I-1 is short of capacity".into()])
            .lines("Empty", vec![])
            .action("Acknowledge", "/align ack G-1");
        assert_eq!(
            render(&m),
            "[AMBER] G-1 \"Cut churn\" turned amber\n  Owner: @ana\nWhy:\n  - I-1 is short of capacity\nActions: Acknowledge (/align ack G-1)"
        );
    }
}
