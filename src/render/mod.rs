//! Pure functions from messages to what each transport shows.

pub mod slack;
pub mod text;
