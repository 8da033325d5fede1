//! `throughline console` at a terminal: a prompt naming who types, line editing and history,
//! completion of verbs and keys, and every answer printed before the next prompt.

use std::sync::{Arc, Mutex};

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use tokio::sync::{mpsc, oneshot};

use super::{Console, ScriptError, transcript};
use crate::command::parse::{VERBS, sub_verbs};

/// Words of the console itself, besides commands.
const CONSOLE_WORDS: &[&str] = &["as", "help", "quit", "role", "leaves", "returns"];

const GREETING: &str = "Type commands as the person in the prompt: `goal new \"Cut churn\" owner:@ana`, \
`status`, `help`. `as @lee` types as someone else, `+1d` moves the clock, `quit` (or Ctrl-D) ends. \
Tab completes commands and keys; the arrows recall earlier lines.";

/// One typed line, and where to send the prompt for the next.
type Typed = (Result<String, ReadlineError>, oneshot::Sender<String>);

/// Runs the prompt until `quit` or end of input, as `who` (a handle, without `@`).
pub async fn run(console: &mut Console, who: &str) -> anyhow::Result<()> {
    let keys = Arc::new(Mutex::new(Vec::new()));
    refresh_keys(console, &keys).await;
    let mut who = who.to_string();
    let (lines, mut typed) = mpsc::channel::<Typed>(1);
    let reader = {
        let (keys, first) = (keys.clone(), format!("@{who}> "));
        std::thread::spawn(move || read_lines(keys, first, lines))
    };
    println!("{GREETING}");
    let mut n = 0;
    while let Some((line, next_prompt)) = typed.recv().await {
        n += 1;
        let go_on = match line {
            Ok(line) => handle(console, &mut who, n, line.trim()).await?,
            // Ctrl-C drops the line being typed, as a shell does.
            Err(ReadlineError::Interrupted) => true,
            Err(ReadlineError::Eof) => false,
            Err(e) => return Err(e.into()),
        };
        if !go_on {
            break;
        }
        refresh_keys(console, &keys).await;
        let _ = next_prompt.send(format!("@{who}> "));
    }
    // The reader stops when its prompt never comes.
    drop(typed);
    let _ = reader.join();
    Ok(())
}

/// Runs one typed line; false when it ends the session.
async fn handle(
    console: &mut Console,
    who: &mut String,
    n: usize,
    line: &str,
) -> anyhow::Result<bool> {
    match line {
        "quit" | "exit" => return Ok(false),
        "" => return Ok(true),
        _ => {}
    }
    if let Some(handle) = line.strip_prefix("as ") {
        match crate::command::parse::mention(handle.trim(), "as") {
            Ok(m) => *who = m.handle,
            Err(e) => eprintln!("error: {}", e.message),
        }
        return Ok(true);
    }
    match console.line(n, &as_script_line(who, line)).await {
        Ok(outputs) => {
            for o in outputs {
                println!("{}", transcript(&o));
            }
        }
        Err(e) => eprintln!("error: {}", e.downcast::<ScriptError>()?.message),
    }
    Ok(true)
}

/// What the person typed, as a script line: commands are theirs, other lines are the console's.
fn as_script_line(who: &str, line: &str) -> String {
    let first = line.split_whitespace().next().unwrap_or("");
    let command = line.strip_prefix("/align").map(str::trim_start);
    match command {
        Some(rest) => format!("@{who}: /align {rest}"),
        None if VERBS.contains(&first.to_ascii_lowercase().as_str()) => {
            format!("@{who}: /align {line}")
        }
        None => line.to_string(),
    }
}

/// The keys of the workspace, for completion.
async fn refresh_keys(console: &Console, keys: &Mutex<Vec<String>>) {
    if let Ok(found) = console
        .app
        .store
        .search_keys(console.ws, "GIWK", "", 500)
        .await
    {
        *keys.lock().unwrap_or_else(|e| e.into_inner()) =
            found.into_iter().map(|(k, _)| k).collect();
    }
}

/// The editor's thread: reads a line at each prompt it is given.
fn read_lines(keys: Arc<Mutex<Vec<String>>>, mut prompt: String, lines: mpsc::Sender<Typed>) {
    let Ok(mut editor) = Editor::<Completion, rustyline::history::DefaultHistory>::new() else {
        return;
    };
    editor.set_helper(Some(Completion { keys }));
    loop {
        let line = editor.readline(&prompt);
        if let Ok(l) = &line
            && !l.trim().is_empty()
        {
            let _ = editor.add_history_entry(l.as_str());
        }
        let end = matches!(line, Err(ReadlineError::Eof));
        let (tx, rx) = oneshot::channel();
        if lines.blocking_send((line, tx)).is_err() || end {
            return;
        }
        match rx.blocking_recv() {
            Ok(p) => prompt = p,
            Err(_) => return,
        }
    }
}

struct Completion {
    keys: Arc<Mutex<Vec<String>>>,
}

impl Completer for Completion {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Ok(complete(&line[..pos], &keys))
    }
}

impl Hinter for Completion {
    type Hint = String;
}
impl Highlighter for Completion {}
impl Validator for Completion {}
impl Helper for Completion {}

/// Where the word being typed starts, and what it may become: a command or a console word
/// first, then what may follow the command, or a key.
fn complete(before: &str, keys: &[String]) -> (usize, Vec<String>) {
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let typed = &before[start..];
    let words: Vec<&str> = before[..start]
        .split_whitespace()
        .filter(|w| *w != "/align")
        .collect();
    let lower = typed.to_ascii_lowercase();
    let matching = |options: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        options
            .filter(|o| o.to_ascii_lowercase().starts_with(&lower))
            .map(str::to_string)
            .collect()
    };
    let found = match words.as_slice() {
        [] => matching(&mut VERBS.iter().chain(CONSOLE_WORDS).copied()),
        [verb] if !sub_verbs(verb).is_empty() => matching(&mut sub_verbs(verb).iter().copied()),
        _ if typed.is_empty() => Vec::new(),
        _ => matching(&mut keys.iter().map(String::as_str)),
    };
    (start, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_then_what_follows_them_then_keys() {
        let keys = vec!["G-1".to_string(), "G-12".into(), "W-3".into()];
        assert_eq!(complete("sta", &keys), (0, vec!["status".to_string()]));
        assert_eq!(complete("/align go", &keys), (7, vec!["goal".to_string()]));
        assert_eq!(complete("goal sh", &keys), (5, vec!["show".to_string()]));
        assert_eq!(
            complete("goal show g-1", &keys),
            (10, vec!["G-1".to_string(), "G-12".into()])
        );
        assert_eq!(
            complete("work start W", &keys),
            (11, vec!["W-3".to_string()])
        );
        assert_eq!(complete("status ", &keys).1, Vec::<String>::new());
    }

    #[test]
    fn commands_are_typed_as_the_person_in_the_prompt() {
        assert_eq!(as_script_line("ana", "status"), "@ana: /align status");
        assert_eq!(
            as_script_line("ana", "/align goal list"),
            "@ana: /align goal list"
        );
        assert_eq!(as_script_line("ana", "+1d"), "+1d");
        assert_eq!(
            as_script_line("ana", "@lee: /align mine"),
            "@lee: /align mine"
        );
        assert_eq!(
            as_script_line("ana", "role @bob member"),
            "role @bob member"
        );
    }
}
