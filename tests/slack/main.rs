//! Slack end to end: the real router, signed requests, a fake Slack Web API.

mod fake;
mod harness;

mod buttons;
mod delivery;
mod founding;
mod manifest;
mod security;
mod teams;
