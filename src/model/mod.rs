//! The model every stage shares. It imports nothing of the crate: stages
//! import it, never the other way round.
//!
//! - [`local_time`]: wall time in a zone <-> UTC instants, with the DST
//!   rules;
//! - [`month`]: month keys and the month of an instant.

pub mod local_time;
pub mod month;

pub use month::{month_key, month_text, MonthKey};
