//! Pure functions from messages to what each transport shows.

pub mod text;
