//! Slack end to end: the real router, signed requests, a fake Slack Web API.

mod fake;
mod fake_socket;
mod harness;
#[path = "../common/world.rs"]
mod world;

mod alerts;
mod buttons;
mod checkins;
mod delivery;
mod forges;
mod founding;
mod key_results;
mod manifest;
mod security;
mod socket;
mod teams;
