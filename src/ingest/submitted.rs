//! The submitted priority of an import (EXPORTS.md rule 2). A helpdesk
//! exports each ticket's priority *now*; its history tells what the
//! customer submitted:
//! - a history row at or before `created_at` sets the submitted priority
//!   (the last such row in time order, ties in input order) and is not a
//!   change;
//! - a ticket with history rows but none at or before creation was
//!   submitted without a priority: the policy default;
//! - a ticket without history rows was submitted with its export priority.
//!
//! When the priority replayed to the end of the history differs from the
//! export's, the history wins and the last history row's file counts a
//! warning.

use rayon::prelude::*;

use super::Dataset;
use crate::model::{Warning, WarningKind};

/// Where an imported ticket's submitted priority came from, for `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmittedFrom {
    /// No history rows: the export's priority.
    Export,
    /// History rows only after creation: the policy default.
    Default,
    /// The last history row at or before creation: its file and instant.
    History { file: u32, at: i64 },
}

/// An imported ticket's priorities as the export and its history tell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Submission {
    pub from: SubmittedFrom,
    /// The export's priority (the priority now).
    pub export: u32,
    /// The priority the history ends on, when it has rows.
    pub history_end: Option<u32>,
}

/// Replaces each ticket's export priority by its submitted one and drops
/// the history rows that only told it.
pub(super) fn settle(ds: &mut Dataset, default: u32) {
    ds.submissions = ds
        .tickets
        .iter()
        .map(|t| Submission {
            from: SubmittedFrom::Export,
            export: t.submitted,
            history_end: None,
        })
        .collect();
    if ds.changes.is_empty() {
        return;
    }
    let changes = &ds.changes;
    // each ticket's rows in time order, ties in input order
    let mut order: Vec<u32> = (0..changes.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| {
        let c = &changes[i as usize];
        (c.ticket, c.changed_at, i)
    });
    let mut before_creation = vec![false; changes.len()];
    let mut mismatches = vec![0u64; ds.files.len()];
    let mut warnings = Vec::new();
    for rows in order.chunk_by(|&a, &b| changes[a as usize].ticket == changes[b as usize].ticket) {
        let index = changes[rows[0] as usize].ticket as usize;
        let ticket = &mut ds.tickets[index];
        let mut submitted = default;
        let mut from = SubmittedFrom::Default;
        for &i in rows {
            let c = &changes[i as usize];
            if c.changed_at > ticket.created {
                break;
            }
            submitted = c.to;
            from = SubmittedFrom::History {
                file: c.file,
                at: c.changed_at,
            };
            before_creation[i as usize] = true;
        }
        let last = &changes[rows[rows.len() - 1] as usize];
        if last.to != ticket.submitted {
            mismatches[last.file as usize] += 1;
            warnings.push(Warning {
                file: last.file,
                line: last.line,
                ticket: index as u32,
                kind: WarningKind::ExportPriority,
                expected: ticket.submitted,
                found: last.to,
            });
        }
        ds.submissions[index] = Submission {
            from,
            export: ticket.submitted,
            history_end: Some(last.to),
        };
        ticket.submitted = submitted;
    }
    let mut k = 0;
    ds.changes.retain(|_| {
        k += 1;
        !before_creation[k - 1]
    });
    for (file, n) in ds.files.iter_mut().zip(mismatches) {
        file.export_mismatches += n;
    }
    ds.export_warnings = warnings;
}
