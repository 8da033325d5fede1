//! Transports. Everything platform-specific stays inside its module.

pub mod console;
pub mod slack;
