//! Evaluation after every change and on the sweep, and the digest and agenda builders.

pub mod apply;
pub mod digest;
pub mod evidence;
pub mod index;
pub mod notices;
pub mod plan;
pub mod reconcile;
pub mod replies;

pub use plan::Trigger;
pub use reconcile::reconcile;
