//! Scenario tests, in the product's language, against a real PostgreSQL (a fresh database each).

mod harness;

mod alerts;
mod backup;
mod bad_input;
mod bench;
mod founding;
mod key_results;
mod random_input;
mod replicas;
mod rules;
mod schema;
mod scope;
mod simulation;
mod wake;
mod working_time;
