//! Evaluation after every change and on the sweep, and the digest and agenda builders.

pub mod digest;
pub mod episodes;
pub mod index;
pub mod notices;
pub mod reconcile;

pub use reconcile::{Trigger, reconcile};
