//! JSON priority histories: Zendesk's Ticket Audits (a response page
//! `{"audits":[...]}` or NDJSON of audits) and Freshdesk's ticket-activities
//! export `{"activities_data":[...]}` (EXPORTS.md sections 3 and 4).
//!
//! `split` streams a file into records with their lines, in batches for
//! parallel parsing; `history` reads one record into a history row.

mod history;
mod split;

pub(super) use history::{compact, freshdesk_activity, zendesk_audit, Extracted, HistoryRow};
pub(super) use split::{JsonRecord, JsonRecords, Shape};

/// The keys of a Zendesk audits page that hold its records.
pub(super) const ZENDESK_KEYS: &[&str] = &["audits"];
/// The keys of a Freshdesk activities export that hold its records.
pub(super) const FRESHDESK_KEYS: &[&str] = &["activities_data"];
