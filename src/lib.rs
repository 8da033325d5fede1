//! Throughline: one model for goals and the work that proves them, with health that computes
//! itself and alerts that reach the one accountable person.

pub mod app;
pub mod bench;
pub mod clock;
pub mod command;
pub mod config;
pub mod demo;
pub mod devdb;
pub mod domain;
pub mod engine;
pub mod message;
pub mod notify;
pub mod observe;
pub mod platform;
pub mod schedule;
pub mod serve;
pub mod sim;
pub mod store;
