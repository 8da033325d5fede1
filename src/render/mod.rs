//! Pure functions from messages to what each transport shows.

pub mod discord;
pub mod slack;
pub mod text;
