//! sla-report: audits support first-response SLAs from helpdesk exports.
//!
//! Stages, one module each: [`policy`] (what is promised), [`calendar`]
//! (business-hours clock), [`ingest`] (CSV -> rows and rejects), [`replay`]
//! (one ticket -> its verdict), [`aggregate`] (verdicts -> summaries) and
//! [`report`] (output files). [`pipeline`] runs them in order.

pub mod aggregate;
pub(crate) mod analysis;
pub mod calendar;
pub mod cli;
pub mod digest;
pub(crate) mod evaluation;
pub mod explain;
pub mod ingest;
pub mod inspect;
pub mod labels;
pub mod model;
pub(crate) mod period;
pub mod pipeline;
pub mod policy;
pub mod profile;
pub mod replay;
pub(crate) mod report;
/// The languages of the page and the charts (`--lang`).
pub use report::lang;
pub mod sample;
pub mod terminal;
pub mod timestamp;
