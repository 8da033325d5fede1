//! Random lines, built from the command language and from random Unicode, through the parser
//! and through the console: whatever is typed gets an answer, never a panic and never "Something
//! went wrong" (an internal error).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use throughline::command::parse;
use throughline::platform::console::ScriptError;

use crate::harness::*;

const WORDS: &[&str] = &[
    "goal",
    "new",
    "show",
    "list",
    "owner",
    "rank",
    "close",
    "initiative",
    "init",
    "pause",
    "resume",
    "work",
    "start",
    "block",
    "done",
    "drop",
    "link",
    "assign",
    "note",
    "kr",
    "update",
    "target",
    "status",
    "mine",
    "orphans",
    "agenda",
    "digest",
    "capacity",
    "history",
    "settings",
    "ack",
    "snooze",
    "help",
    "none",
    "achieved",
    "dropped",
    "G-1",
    "G-2",
    "I-1",
    "W-1",
    "W-3",
    "K-1",
    "G-0",
    "W-99999999999",
    "K-",
    "g-1",
    "Ｗ-1",
    "W–1",
    "@ana",
    "@lee",
    "@here",
    "@",
    "<@U1|ana>",
    "<@!123>",
    "<@&9>",
    "owner:@ana",
    "lead:@lee",
    "rank:1",
    "rank:99999999999",
    "plan:1.5",
    "plan:1e308",
    "plan:-0",
    "due:2027-01-31",
    "due:9999-99-99",
    "due:1999-01-01",
    "by:2027-03-01",
    "start:2026-10-01",
    "from:8%",
    "to:5%",
    "band:99%..100%",
    "6.1%",
    "$1.2m",
    "€300k",
    "1e400",
    "-0",
    "confidence:at-risk",
    "url:https://x.io/a",
    "url:ftp://x",
    "why:\"no home\"",
    "\"Cut churn\"",
    "'Ana's plan'",
    "\u{201c}curly\u{201d}",
    "\"",
    "'",
    "2d",
    "0m",
    "10000w",
    "timezone",
    "Asia/Tokio",
    "channel",
    "#leadership",
    "# x",
    "digest",
    "0 9 * * 1-5",
    "30 2",
    "stall_after",
    "3d",
    "workdays",
    "Sun-Thu",
    "x:y:z",
    ":",
    "::",
];

/// A character anywhere in Unicode's scalar values, weighted towards the troublesome ones.
fn random_char(rng: &mut StdRng) -> char {
    const TROUBLE: &[char] = &[
        '\0', '\u{1b}', '\n', '\r', '\t', '\u{202e}', '\u{2066}', '\u{200b}', '\u{feff}',
        '\u{0301}', '\u{fffd}', '"', '\'', ':', '@', '<', '>', '|', '\\', '%', '-', '\u{2013}',
        '\u{ff37}',
    ];
    if rng.gen_bool(0.5) {
        return *TROUBLE.choose(rng).unwrap();
    }
    loop {
        if let Some(c) = char::from_u32(rng.gen_range(0..=0x10ffff)) {
            return c;
        }
    }
}

/// Random text to put where a command takes text: any characters but the closing quote.
fn random_text(rng: &mut StdRng) -> String {
    (0..rng.gen_range(0..40))
        .map(|_| random_char(rng))
        .filter(|c| !matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}'))
        .collect()
}

/// A well-formed command with random text, a random handle or a random setting in it: what
/// reaches the database.
fn random_command(rng: &mut StdRng) -> String {
    let text = random_text(rng);
    let handle: String = (0..rng.gen_range(1..90))
        .map(|_| random_char(rng))
        .collect();
    match rng.gen_range(0..9) {
        0 => format!("goal new \"{text}\" owner:@ana"),
        1 => format!("initiative new G-1 \"{text}\" lead:@lee"),
        2 => format!("work new I-1 \"{text}\" @lee"),
        3 => format!("work note W-1 \"{text}\""),
        4 => format!("work block W-1 \"{text}\""),
        5 => format!("kr update K-1 6% \"{text}\""),
        6 => format!("goal new \"Grow\" owner:@{handle}"),
        7 => format!("settings channel #{handle}"),
        _ => format!("work new none \"Loose\" @lee why:\"{text}\""),
    }
}

/// A line of grammar words, random characters, or both.
fn random_line(rng: &mut StdRng) -> String {
    let mut parts = Vec::new();
    for _ in 0..rng.gen_range(0..9) {
        let part = match rng.gen_range(0..4) {
            0 => (0..rng.gen_range(1..12))
                .map(|_| random_char(rng))
                .collect(),
            _ => WORDS.choose(rng).unwrap().to_string(),
        };
        parts.push(part);
    }
    parts.join(if rng.gen_bool(0.9) { " " } else { "" })
}

#[test]
fn the_parser_answers_every_random_line() {
    let mut rng = StdRng::seed_from_u64(14);
    for _ in 0..50_000 {
        let line = if rng.gen_bool(0.5) {
            random_line(&mut rng)
        } else {
            random_command(&mut rng)
        };
        // A panic fails the test; any answer, command or error, is fine.
        if let Err(e) = parse::parse(&line) {
            assert!(!e.message.is_empty(), "an empty error for {line:?}");
        }
    }
}

#[tokio::test]
async fn the_console_answers_every_random_line_without_an_internal_error() {
    let mut rng = StdRng::seed_from_u64(15);
    let mut t = T::new().await;
    for line in [
        "@ana: /align goal new \"Cut churn\" owner:@ana",
        "@ana: /align initiative new G-1 \"Onboarding\" lead:@lee plan:1",
        "@lee: /align work new I-1 \"Welcome flow\" @lee",
        "@ana: /align kr new G-1 \"Churn\" from:8% to:5% start:2026-10-01 by:2027-01-31",
    ] {
        t.run(line).await;
    }
    for n in 0..400 {
        let who = ["ana", "lee", "bea"].choose(&mut rng).unwrap();
        let line = match rng.gen_range(0..10) {
            0..=3 => format!("@{who}: /align {}", random_command(&mut rng)),
            4..=7 => format!("@{who}: /align {}", random_line(&mut rng)),
            _ => random_line(&mut rng),
        };
        match t.console.line(n, &line).await {
            Ok(outputs) => {
                for o in outputs {
                    assert!(
                        !o.text.contains("Something went wrong"),
                        "{line:?} gave an internal error: {}",
                        o.text
                    );
                }
            }
            Err(e) => assert!(
                e.is::<ScriptError>(),
                "{line:?} failed other than as a script line: {e:#}"
            ),
        }
    }
    t.ignore_all();
    t.finish().await;
}
