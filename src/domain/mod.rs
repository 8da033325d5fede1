//! Pure types and rules: no I/O, no clock reads (`now` is always an argument).

pub mod calendar;
pub mod capacity;
pub mod error;
pub mod evidence;
#[cfg(test)]
pub mod fixture;
pub mod health;
pub mod key;
pub mod key_result;
pub mod model;
pub mod settings;
pub mod signal;
pub mod words;

pub use error::UserError;
pub use key::{Key, KeyKind};
pub use model::*;
pub use settings::Settings;
pub use signal::{Condition, SignalKind};
