//! The model every stage shares. It imports nothing of the crate: stages
//! import it, never the other way round.
//!
//! - [`local_time`]: wall time in a zone <-> UTC instants, with the DST
//!   rules.

pub mod local_time;
