//! Throughline as it runs in production: the `throughline serve` binary as a process of its
//! own, serving Slack and Discord at once against both local fakes, stopped with SIGTERM,
//! killed with SIGKILL, and cut off from PostgreSQL.

#[path = "../discord/fake.rs"]
#[allow(dead_code)]
mod discord_fake;
#[path = "../slack/fake.rs"]
#[allow(dead_code)]
mod slack_fake;

mod org;
mod process;
mod proxy;

mod backup;
mod console;
mod crash;
mod deploy;
mod forges;
mod pacing;
mod probes;
mod startup;
mod stop;
