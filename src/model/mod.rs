//! The model every stage shares. It imports nothing of the crate: stages
//! import it, never the other way round.
//!
//! - [`ticket`]: accepted tickets and priority changes, and the warnings
//!   about rows that were used;
//! - [`outcome`]: a ticket's status and measure, and the clock kinds;
//! - [`instant`]: the span of instants the tool reads;
//! - [`local_time`]: wall time in a zone <-> UTC instants, with the DST
//!   rules;
//! - [`month`]: month keys and the month of an instant.

pub mod instant;
pub mod local_time;
pub mod month;
pub mod outcome;
pub mod ticket;

pub use month::{month_key, month_text, MonthKey};
pub use outcome::{ClockKind, Measure, Outcome, Status};
pub use ticket::{Change, ChangedBy, Ticket, Warning, WarningKind};
