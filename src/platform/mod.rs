//! Transports. Everything platform-specific stays inside its module.

pub mod api;
pub mod console;
pub mod discord;
pub mod forge;
mod signed;
pub mod slack;
