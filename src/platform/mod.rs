//! Transports. Everything platform-specific stays inside its module.

pub mod console;
pub mod discord;
mod signed;
pub mod slack;
