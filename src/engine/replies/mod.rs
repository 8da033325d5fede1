//! The words of every reply to a command: pure functions from what a command found or changed
//! to a message, beside `notices` (the words of every notification). The adapters only render
//! them; none of them writes a sentence of its own.

mod capacity;
mod changes;
mod connections;
mod key_results;
mod mine;
mod refusals;
mod settings;
#[cfg(test)]
mod tests;
mod views;

pub use capacity::*;
pub use changes::*;
pub use connections::*;
pub use key_results::*;
pub use mine::*;
pub use refusals::*;
pub use settings::*;
pub use views::*;

use crate::domain::UserError;
use crate::message::{Message, Tone};

/// A command refused: what was wrong, and the way forward.
pub fn refused(e: &UserError) -> Message {
    let mut m = Message::new(Tone::Error, format!("Nothing changed: {}", e.message));
    if let Some(h) = &e.hint {
        m = m.lines("Try", vec![h.clone()]);
    }
    m
}

/// A request that failed on our side; nothing was changed. A database out of reach is said as
/// such, since only that is worth retrying soon.
pub fn failed(database_unreachable: bool) -> Message {
    Message::new(
        Tone::Error,
        if database_unreachable {
            "Throughline cannot reach its database right now, so nothing was done. Please try again in a minute."
        } else {
            "Something went wrong on our side; nothing was changed. Please try again."
        },
    )
}
