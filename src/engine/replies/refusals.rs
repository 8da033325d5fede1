//! Why a command changed nothing: each refusal says what was wrong, what was expected and,
//! where there is one, the nearest valid thing.

use crate::domain::*;

/// "there is no G-9 in this workspace", with the nearest number that does exist.
pub fn no_such(key: Key, nearest: Option<i32>) -> UserError {
    let err = UserError::new(format!(
        "there is no {} {key} in this workspace.",
        key.kind.noun()
    ));
    match nearest {
        Some(n) => err.hint(format!("Did you mean {}-{n}?", key.kind.prefix())),
        None => err.hint(format!("There are no {}s yet.", key.kind.noun())),
    }
}

/// Only `who` (or an admin) may `what`; `actor` is neither.
pub fn not_allowed(actor: &Person, what: &str, who: &str) -> UserError {
    // Said once when only admins may: not "an admin or an admin".
    let who = if who == "an admin" {
        who.to_string()
    } else {
        format!("{who} or an admin")
    };
    UserError::new(format!("only {who} can {what}; you are {}.", actor.at()))
}

pub fn has_left(p: &Person, role: &str) -> UserError {
    UserError::new(format!(
        "{} has left the workspace and cannot be the {role}.",
        p.at()
    ))
}

pub fn goal_not_open(key: Key, status: GoalStatus) -> UserError {
    UserError::new(format!("{key} is {status}; only open goals can change."))
}

/// A goal or initiative cannot close while work under it is open.
pub fn still_has_open_work(key: Key, open: &[String]) -> UserError {
    let how = match key.kind {
        KeyKind::Goal => "Finish, drop or re-link it first (/align work done|drop|link).",
        _ => "Finish, drop or re-link it first.",
    };
    UserError::new(format!("{key} still has open work: {}.", open.join(", "))).hint(how)
}

pub fn already_owns(owner: &Person, key: Key) -> UserError {
    UserError::new(format!("{} already owns {key}.", owner.at()))
}

pub fn initiative_cannot_become(
    key: Key,
    from: InitiativeStatus,
    to: InitiativeStatus,
) -> UserError {
    UserError::new(format!("{key} is {from}; it cannot become {to}."))
}

pub fn initiative_not_a_home(key: Key, status: InitiativeStatus) -> UserError {
    UserError::new(format!(
        "{key} is {status}; link work to an active initiative or its goal."
    ))
}

pub fn work_closed(key: Key, status: WorkStatus) -> UserError {
    UserError::new(format!(
        "{key} is {status} already; closed work cannot move."
    ))
    .hint("Create a new work item for what is left.")
}

pub fn work_already(key: Key, status: WorkStatus) -> UserError {
    UserError::new(format!("{key} is already {status}."))
}

/// Closed work cannot be `verb`ed (linked, assigned).
pub fn only_open_work(key: Key, status: WorkStatus, verb: &str) -> UserError {
    UserError::new(format!("{key} is {status}; only open work can be {verb}."))
}

pub fn already_linked(key: Key, home: Key) -> UserError {
    UserError::new(format!("{key} is already linked to {home}."))
}

pub fn already_assigned(key: Key, to: &Person) -> UserError {
    UserError::new(format!("{key} is already assigned to {}.", to.at()))
}

pub fn no_history(key: Key) -> UserError {
    UserError::new(format!("{key} has no recorded history."))
}

pub fn work_not_closed(key: Key, status: WorkStatus) -> UserError {
    UserError::new(format!(
        "{key} is {status}; only done or dropped work can be reopened."
    ))
}
