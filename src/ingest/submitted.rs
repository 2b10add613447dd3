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
use crate::model::{Change, Warning, WarningKind};

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
    // each ticket's rows in input order, the tickets in index order (a
    // counting sort): `starts[t]..starts[t + 1]` are ticket t's
    let mut starts = vec![0u32; ds.tickets.len() + 1];
    for c in changes {
        starts[c.ticket as usize] += 1;
    }
    let mut total = 0;
    for s in starts.iter_mut() {
        total += *s;
        *s = total;
    }
    let mut order = vec![0u32; changes.len()];
    for (i, c) in changes.iter().enumerate().rev() {
        let start = &mut starts[c.ticket as usize];
        *start -= 1;
        order[*start as usize] = i as u32;
    }
    let rows_of = |t: usize| &order[starts[t] as usize..starts[t + 1] as usize];
    ds.submissions = ds
        .tickets
        .par_iter_mut()
        .enumerate()
        .map(|(index, ticket)| {
            let export = ticket.submitted;
            let Some((last, told)) = last_rows(rows_of(index), changes, ticket.created) else {
                return Submission {
                    from: SubmittedFrom::Export,
                    export,
                    history_end: None,
                };
            };
            let (submitted, from) = match told {
                Some(c) => (
                    c.to,
                    SubmittedFrom::History {
                        file: c.file,
                        at: c.changed_at,
                    },
                ),
                None => (default, SubmittedFrom::Default),
            };
            ticket.submitted = submitted;
            Submission {
                from,
                export,
                history_end: Some(last.to),
            }
        })
        .collect();
    // the history ends on another priority than the export's: the last
    // row's file counts it
    let (submissions, tickets) = (&ds.submissions, &ds.tickets);
    let warnings: Vec<Warning> = (0..submissions.len())
        .into_par_iter()
        .filter_map(|index| {
            let s = &submissions[index];
            if s.history_end? == s.export {
                return None;
            }
            let (last, _) = last_rows(rows_of(index), changes, tickets[index].created)?;
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
    // a row at or before creation told the submitted priority: it is no
    // change
    ds.changes
        .retain(|c| c.changed_at > tickets[c.ticket as usize].created);
}

/// Of one ticket's history rows (indices into `changes`, in input order):
/// the last in time order, and the last at or before `created`, ties in
/// input order both (so a later row of the same instant wins); `None`
/// without rows.
fn last_rows<'c>(
    rows: &[u32],
    changes: &'c [Change],
    created: i64,
) -> Option<(&'c Change, Option<&'c Change>)> {
    let mut last = &changes[*rows.first()? as usize];
    let mut told: Option<&Change> = None;
    for &i in rows {
        let c = &changes[i as usize];
        if c.changed_at >= last.changed_at {
            last = c;
        }
        if c.changed_at <= created && told.is_none_or(|t| c.changed_at >= t.changed_at) {
            told = Some(c);
        }
    }
    Some((last, told))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChangedBy;
    use proptest::prelude::*;

    proptest! {
        // the rows found in one pass are those of the rows sorted by time,
        // ties in input order: the last one, and the last one at or before
        // creation
        #[test]
        fn the_last_rows_are_those_of_the_rows_in_time_order(
            times in proptest::collection::vec(0i64..6, 1..12),
            created in -1i64..7,
        ) {
            let changes: Vec<Change> = times
                .iter()
                .enumerate()
                .map(|(k, &at)| Change {
                    ticket: 0,
                    changed_at: at,
                    to: k as u32,
                    from: None,
                    file: 0,
                    line: k as u64 + 2,
                    by: ChangedBy::Other,
                })
                .collect();
            let rows: Vec<u32> = (0..changes.len() as u32).collect();
            let mut sorted = rows.clone();
            sorted.sort_by_key(|&i| (changes[i as usize].changed_at, i));
            let want_last = *sorted.last().unwrap();
            let want_told = sorted
                .iter()
                .rfind(|&&i| changes[i as usize].changed_at <= created)
                .map(|&i| i as u64 + 2);
            let (last, told) = last_rows(&rows, &changes, created).unwrap();
            prop_assert_eq!(last.to, want_last);
            prop_assert_eq!(told.map(|c| c.line), want_told);
        }
    }

    #[test]
    fn a_ticket_without_rows_has_no_last_rows() {
        assert!(last_rows(&[], &[], 0).is_none());
    }
}
