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
/// the history rows that only told it. Each ticket is settled on its own,
/// so the tickets are settled in parallel.
pub(super) fn settle(ds: &mut Dataset, default: u32) {
    let changes = &ds.changes;
    // each ticket's rows in time order, ties in input order, the tickets in
    // index order; `starts[t]..starts[t + 1]` are ticket t's
    let mut order: Vec<u32> = (0..changes.len() as u32).collect();
    order.par_sort_unstable_by_key(|&i| {
        let c = &changes[i as usize];
        (c.ticket, c.changed_at, i)
    });
    let mut starts = vec![0u32; ds.tickets.len() + 1];
    for c in changes {
        starts[c.ticket as usize + 1] += 1;
    }
    for t in 1..starts.len() {
        starts[t] += starts[t - 1];
    }
    let rows_of = |t: usize| &order[starts[t] as usize..starts[t + 1] as usize];
    ds.submissions = ds
        .tickets
        .par_iter_mut()
        .enumerate()
        .map(|(index, ticket)| {
            let export = ticket.submitted;
            let rows = rows_of(index);
            let Some(&last) = rows.last() else {
                return Submission {
                    from: SubmittedFrom::Export,
                    export,
                    history_end: None,
                };
            };
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
            }
            ticket.submitted = submitted;
            Submission {
                from,
                export,
                history_end: Some(changes[last as usize].to),
            }
        })
        .collect();
    // the history ends on another priority than the export's: the last
    // row's file counts it
    let submissions = &ds.submissions;
    let warnings: Vec<Warning> = (0..submissions.len())
        .into_par_iter()
        .filter_map(|index| {
            let s = &submissions[index];
            if s.history_end? == s.export {
                return None;
            }
            let last = &changes[*rows_of(index).last()? as usize];
            Some(Warning {
                file: last.file,
                line: last.line,
                ticket: index as u32,
                kind: WarningKind::ExportPriority,
                expected: s.export,
                found: last.to,
            })
        })
        .collect();
    for w in &warnings {
        ds.files[w.file as usize].export_mismatches += 1;
    }
    ds.export_warnings = warnings;
    // a row at or before creation told the submitted priority, it is no
    // change (a ticket's rows are in time order, so these are the rows the
    // loop above read before it stopped)
    let tickets = &ds.tickets;
    ds.changes
        .retain(|c| c.changed_at > tickets[c.ticket as usize].created);
}
