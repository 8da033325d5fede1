//! Plain-text rendering, for the console and for fallback text.

use super::{Message, Tone};

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
    for (i, s) in m.sections.iter().enumerate() {
        out.push('\n');
        if let Some(t) = &s.title {
            out.push_str(&format!("{t}:\n"));
        }
        // Untitled fields belong to the headline when they come first; after a list they
        // stand on their own rather than read as part of it.
        let indent = if s.title.is_some() || i == 0 {
            "  "
        } else {
            ""
        };
        for f in &s.fields {
            out.push_str(&format!("{indent}{}: {}\n", f.label, f.value));
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
    visible(&out)
}

/// Text a terminal shows as it is: control characters (but line breaks and tabs) become their visible pictures (an
/// escape sequence stored before input was checked cannot recolour or clear the screen), and
/// bidirectional overrides become U+FFFD, so a line reads in the order it holds.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{fffd}',
            _ => c,
        })
        .collect()
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

    #[test]
    fn what_a_terminal_would_interpret_is_shown_not_obeyed() {
        let m =
            Message::info("W-1 \"\u{1b}[2J\u{202e}evil\u{7}\"").lines("Note", vec!["a\tb".into()]);
        assert_eq!(
            render(&m),
            "W-1 \"\u{241b}[2J\u{fffd}evil\u{2407}\"\nNote:\n  - a\tb"
        );
    }

    #[test]
    fn fields_after_a_list_are_not_printed_as_part_of_it() {
        let m = Message::info("Capacity of G-1")
            .lines("Initiatives", vec!["I-1: planned 1 FTE".into()])
            .fields(vec![("To no goal", "0.5 FTE".into())]);
        assert_eq!(
            render(&m),
            "Capacity of G-1\nInitiatives:\n  - I-1: planned 1 FTE\nTo no goal: 0.5 FTE"
        );
    }
}
