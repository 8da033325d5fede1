//! The command language as tables: what each line reads as, and what each mistake is told.

use chrono::{Duration, NaiveDate};

use super::parse::shorten;
use super::*;
use crate::domain::key_result::{Confidence, KrOutcome, Quantity, Shape, Unit};

fn key(text: &str) -> Key {
    text.parse().unwrap()
}

fn at(handle: &str) -> Mention {
    Mention {
        external_id: handle.into(),
        handle: handle.into(),
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn quantity(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

#[test]
fn lines_read_as_commands() {
    let (metric, percent) = Shape::metric(quantity("8%"), quantity("5%")).unwrap();
    let table: Vec<(&str, Command)> = vec![
        ("", Command::Help(None)),
        ("/align help goal", Command::Help(Some("goal".into()))),
        ("STATUS", Command::Status),
        (
            r#"goal new "Cut churn to 3%" owner:@ana rank:2 due:2027-03-31"#,
            Command::GoalNew {
                title: "Cut churn to 3%".into(),
                owner: at("ana"),
                rank: Some(2),
                due: Some(date("2027-03-31")),
            },
        ),
        (
            r#"goal new "Grow" owner:<@U42|ana>"#,
            Command::GoalNew {
                title: "Grow".into(),
                owner: Mention {
                    external_id: "U42".into(),
                    handle: "ana".into(),
                },
                rank: None,
                due: None,
            },
        ),
        ("goals list", Command::GoalList),
        (
            "goal owner G-2 @lee",
            Command::GoalOwner(key("G-2"), at("lee")),
        ),
        (
            r#"goal close G-1 dropped "market moved""#,
            Command::GoalClose {
                goal: key("G-1"),
                outcome: GoalStatus::Dropped,
                note: Some("market moved".into()),
            },
        ),
        (
            r#"init new G-1 "Win-back emails" lead:@lee plan:1.5"#,
            Command::InitiativeNew {
                goal: key("G-1"),
                title: "Win-back emails".into(),
                lead: at("lee"),
                plan: Some(1.5),
                due: None,
            },
        ),
        (
            "initiative close I-3 dropped",
            Command::InitiativeMove(key("I-3"), InitiativeMove::Close { dropped: true }),
        ),
        (
            r#"work new I-7 "New welcome flow" @lee url:https://example.com/7"#,
            Command::WorkNew {
                home: Home::Initiative(key("I-7")),
                title: "New welcome flow".into(),
                assignee: Some(at("lee")),
                url: Some("https://example.com/7".into()),
            },
        ),
        (
            r#"work new none "Fix the printer" why:"office chores""#,
            Command::WorkNew {
                home: Home::None {
                    why: Some("office chores".into()),
                },
                title: "Fix the printer".into(),
                assignee: None,
                url: None,
            },
        ),
        (
            r#"work block W-4 "waiting for legal""#,
            Command::WorkMove {
                work: key("W-4"),
                to: WorkMove::Block,
                note: Some("waiting for legal".into()),
            },
        ),
        (
            "work link W-4 G-2",
            Command::WorkLink {
                work: key("W-4"),
                home: key("G-2"),
            },
        ),
        (
            r#"kr new G-1 "Monthly churn" from:8% to:5% by:2027-03-31"#,
            Command::KrNew {
                goal: key("G-1"),
                title: "Monthly churn".into(),
                shape: metric,
                unit: percent,
                by: date("2027-03-31"),
                start: None,
            },
        ),
        (
            r#"kr new G-1 "Launch" by:2027-03-31"#,
            Command::KrNew {
                goal: key("G-1"),
                title: "Launch".into(),
                shape: Shape::Milestone,
                unit: Unit::Plain,
                by: date("2027-03-31"),
                start: None,
            },
        ),
        // A form's answer arrives quoted: the first word is the value, the rest the note.
        (
            r#"kr update K-2 "6.1% after the pricing change""#,
            Command::KrUpdate {
                kr: key("K-2"),
                value: quantity("6.1%"),
                note: Some("after the pricing change".into()),
                confidence: None,
            },
        ),
        (
            "kr update K-2 6.1% confidence:at-risk",
            Command::KrUpdate {
                kr: key("K-2"),
                value: quantity("6.1%"),
                note: None,
                confidence: Some(Confidence::parse("at-risk").unwrap()),
            },
        ),
        (
            "kr close K-2 missed",
            Command::KrClose {
                kr: key("K-2"),
                outcome: KrOutcome::Missed,
                note: None,
            },
        ),
        ("kr list", Command::KrList(None)),
        (
            "snooze G-1 2d",
            Command::Snooze(key("G-1"), Duration::days(2)),
        ),
        (
            "capacity @lee",
            Command::Capacity(CapacityScope::Person(at("lee"))),
        ),
        ("history K-1", Command::History(key("K-1"))),
    ];
    for (line, expected) in table {
        match parse(line) {
            Ok(got) => assert_eq!(got, expected, "{line}"),
            Err(e) => panic!("{line}: {}", e.message),
        }
    }
}

#[test]
fn mistakes_are_told_specifically() {
    let table: &[(&str, &str)] = &[
        ("gaol new", "unknown command 'gaol'"),
        (
            "goal",
            "goal needs one of: new, show, list, owner, rank, close.",
        ),
        (r#"goal new "Grow""#, "a goal needs exactly one owner."),
        (r#"goal new "Grow" owner:ana"#, "'ana' is not a person"),
        (r#"goal new "Grow" owner:@here"#, "'@here' is not a person"),
        (
            r#"goal new "Grow" owner:@ana rank:0"#,
            "rank must be a whole number",
        ),
        (
            r#"goal new "Grow" owner:@ana due:31/12"#,
            "bad date '31/12'",
        ),
        (
            "goal show I-1",
            "goal show expects goal key (G-n), but I-1 is an initiative.",
        ),
        (
            "work done G-1",
            "work done expects work item key (W-n), but G-1 is a goal.",
        ),
        ("goal close G-1 won", "'won' is not a way to close a goal"),
        (r#"work new "Title""#, "work new needs its home first"),
        (
            r#"work new W-2 "Title""#,
            "work new expects initiative key (I-n) or goal key (G-n), but W-2 is a work item.",
        ),
        ("work block W-1", "say what blocks it"),
        ("work note W-1", "work note needs the note text."),
        (r#"work new I-1 "T" url:ftp://x"#, "url must be a web link"),
        (
            r#"kr new G-1 "Churn" from:8% by:2027-01-01"#,
            "a metric needs both from: and to:.",
        ),
        (
            r#"kr new G-1 "Churn" from:8% to:5%"#,
            "a key result needs a due date.",
        ),
        ("kr update K-1", "kr update needs the new value."),
        ("kr close K-1", "not nothing"),
        ("snooze G-1 soon", "bad duration 'soon'"),
        ("snooze G-1 0d", "bad duration '0d'"),
    ];
    for (line, fragment) in table {
        match parse(line) {
            Ok(c) => panic!("{line} parsed as {c:?}"),
            Err(e) => assert!(
                e.message.contains(fragment),
                "{line}: {:?} does not say {fragment:?}",
                e.message
            ),
        }
    }
}

#[test]
fn a_command_names_its_verb_and_the_people_it_mentions() {
    let table: &[(&str, &str, &[&str], bool)] = &[
        ("status", "status", &[], true),
        (r#"goal new "Grow" owner:@ana"#, "goal new", &["ana"], false),
        (
            r#"init new G-1 "Win-back" lead:@lee"#,
            "initiative new",
            &["lee"],
            false,
        ),
        (r#"work new I-1 "Flow" @kim"#, "work new", &["kim"], false),
        (r#"work new I-1 "Flow""#, "work new", &[], false),
        // A name inside a note is text, not someone to look up.
        (r#"work note W-1 "ask @kim""#, "work note", &[], false),
        ("work done W-1", "work done", &[], false),
        ("capacity @lee", "capacity", &["lee"], true),
        ("settings", "settings", &[], true),
        ("settings stall_after 5d", "settings", &[], false),
    ];
    for (line, verb, named, reads) in table {
        let c = parse(line).unwrap_or_else(|e| panic!("{line}: {}", e.message));
        assert_eq!(c.verb(), *verb, "{line}");
        let got: Vec<&str> = c.mentions().iter().map(|m| m.handle.as_str()).collect();
        assert_eq!(got, *named, "{line}");
        assert_eq!(c.is_read_only(), *reads, "{line}");
    }
}

#[test]
fn text_that_would_surprise_a_reader_is_refused_by_name() {
    let long_url = format!("https://example.com/{}", "a".repeat(2_100));
    let huge = format!("goal new \"{}\" owner:@ana", "x".repeat(100_000));
    let long_handle = format!("goal new \"Grow\" owner:@{}", "a".repeat(81));
    let table: Vec<(String, &str)> = vec![
        (
            "goal new \"Grow\0th\" owner:@ana".into(),
            "control character (U+0000) at character 5",
        ),
        (
            "goal new \"Grow\u{1b}[31m\" owner:@ana".into(),
            "control character (U+001B)",
        ),
        (
            "goal new \"\u{202e}nrut\" owner:@ana".into(),
            "bidirectional override (U+202E)",
        ),
        (
            "goal new \"\u{200b}\u{200b}\" owner:@ana".into(),
            "goal new needs a title.",
        ),
        (
            "work note W-1 \"a\u{2066}b\"".into(),
            "bidirectional override",
        ),
        ("work block W-2 \"\"".into(), "say what blocks it"),
        (
            "work block W-2 \"  \u{200b} \"".into(),
            "say what blocks it",
        ),
        (
            "work note W-1 \"\"".into(),
            "work note needs the note text.",
        ),
        (
            format!("work new I-1 \"T\" url:{long_url}"),
            "the url is 2120 characters long; the limit is 2000.",
        ),
        (
            huge,
            "the command is 100022 characters long; the limit is 4000.",
        ),
        (long_handle, "a handle is at most 80 characters"),
        (
            "goal new \"Grow\" owner:@ana due:1999-12-31".into(),
            "1999-12-31 is out of range",
        ),
        (
            "goal new \"Grow\" owner:@ana due:0000-01-01".into(),
            "out of range",
        ),
        (
            "goal new \"Grow\" owner:@ana due:2099-01-01".into(),
            "ten years from today",
        ),
    ];
    for (line, fragment) in &table {
        match parse(line) {
            Ok(c) => panic!("{} parsed as {c:?}", shorten(line, 60)),
            Err(e) => {
                assert!(
                    e.message.contains(fragment),
                    "{}: {:?} does not say {fragment:?}",
                    shorten(line, 60),
                    e.message
                );
                assert!(
                    e.message.chars().count() < 300,
                    "the error quotes input short: {}",
                    e.message
                );
            }
        }
    }
}

#[test]
fn an_option_before_the_title_says_where_the_title_goes() {
    let e = parse("goal new owner:@ana \"Grow\"").unwrap_err();
    assert_eq!(e.message, "goal new needs a title.");
    assert!(
        e.hint
            .as_deref()
            .unwrap_or("")
            .contains("The title comes first"),
        "{:?}",
        e.hint
    );
}

#[test]
fn single_quotes_quote_and_keys_read_as_any_keyboard_types_them() {
    assert_eq!(
        parse("work note W-1 'API merged, Ana's part next'").unwrap(),
        Command::WorkNote(key("W-1"), "API merged, Ana's part next".into())
    );
    assert_eq!(
        parse("goal new 'Cut churn' owner:@ana").unwrap(),
        parse("goal new \"Cut churn\" owner:@ana").unwrap()
    );
    for typed in ["\u{ff37}-2", "W\u{2013}2", "W\u{ff0d}\u{ff12}"] {
        assert_eq!(
            parse(&format!("work start {typed}")).unwrap(),
            parse("work start W-2").unwrap(),
            "{typed}"
        );
    }
}
