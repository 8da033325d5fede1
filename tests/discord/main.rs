//! Discord end to end: the real router, interactions signed with Ed25519, a fake Discord
//! REST API.

mod fake;
mod harness;
#[path = "../common/world.rs"]
mod world;

mod buttons;
mod commands;
mod delivery;
mod founding;
mod gateway;
mod guilds;
mod key_results;
mod security;
