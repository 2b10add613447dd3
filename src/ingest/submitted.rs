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

/// Replaces each ticket's export priority by its submitted one and drops
/// the history rows that only told it.
pub(super) fn settle(ds: &mut Dataset, default: u32) {
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
    for rows in order.chunk_by(|&a, &b| changes[a as usize].ticket == changes[b as usize].ticket) {
        let ticket = &mut ds.tickets[changes[rows[0] as usize].ticket as usize];
        let mut submitted = default;
        for &i in rows {
            let c = &changes[i as usize];
            if c.changed_at > ticket.created {
                break;
            }
            submitted = c.to;
            before_creation[i as usize] = true;
        }
        let last = &changes[rows[rows.len() - 1] as usize];
        if last.to != ticket.submitted {
            mismatches[last.file as usize] += 1;
        }
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
}
