//! The result of a run's evaluation: every accepted ticket replayed and
//! summarized. The pipeline makes it; the analysis and the reports read it.

use polars::prelude::PolarsResult;

use crate::aggregate::{self, FactColumns, FlowRow, SummaryRow};
use crate::ingest::Dataset;
use crate::model::Change;
use crate::model::MonthKey;
use crate::model::Outcome;
use crate::model::Warning;
use crate::pipeline::{BatchSide, Replayer};
use crate::policy::{Mode, Policy};
use crate::replay::{self, Clocks};

/// Every accepted ticket replayed.
pub struct Evaluation {
    pub dataset: Dataset,
    pub as_of: Option<i64>,
    pub mode: Mode,
    /// The clocks the tickets were replayed on (for further replays).
    pub clocks: Clocks,
    /// Month of creation in the policy zone, per ticket.
    pub months: Vec<MonthKey>,
    /// Per ticket, in input order.
    pub outcomes: Vec<Outcome>,
    pub summary: Vec<SummaryRow>,
    pub flows: Vec<FlowRow>,
    /// The changes at or before `as_of`, grouped by ticket (sorted by
    /// `changed_at`, ties in input order): ticket i's are
    /// `changes[offsets[i]..offsets[i + 1]]`.
    pub changes: Vec<Change>,
    pub change_offsets: Vec<u32>,
    /// Rows that were used but disagree (warnings.csv), by file and line.
    pub warnings: Vec<Warning>,
}

impl Evaluation {
    /// The changes of ticket `i`.
    pub fn changes_of(&self, i: usize) -> &[Change] {
        &self.changes[self.change_offsets[i] as usize..self.change_offsets[i + 1] as usize]
    }

    /// The evaluation of the tickets `tickets` (indices, ascending: input
    /// order) alone, as a run on just them gives it: their outcomes, and
    /// their summary and reclassification flows by the run's aggregation.
    /// The effective changes are not kept per ticket, so the tickets with
    /// changes are replayed once more for them.
    pub fn subset(&self, policy: &Policy, tickets: &[u32]) -> PolarsResult<Evaluation> {
        debug_assert!(tickets.windows(2).all(|w| w[0] < w[1]));
        let dataset = self.dataset.subset(tickets);
        let months: Vec<MonthKey> = tickets.iter().map(|&i| self.months[i as usize]).collect();
        let outcomes: Vec<Outcome> = tickets.iter().map(|&i| self.outcomes[i as usize]).collect();
        let mut changes = Vec::new();
        let mut change_offsets = Vec::with_capacity(tickets.len() + 1);
        change_offsets.push(0);
        if !self.changes.is_empty() {
            for (k, &i) in tickets.iter().enumerate() {
                let mine = self.changes_of(i as usize);
                changes.extend(mine.iter().map(|c| Change {
                    ticket: k as u32,
                    ..*c
                }));
                change_offsets.push(changes.len() as u32);
            }
        } else {
            change_offsets.resize(tickets.len() + 1, 0);
        }
        let mut side = BatchSide::default();
        if let Some(as_of) = self.as_of {
            let replayer = Replayer {
                policy,
                clocks: &self.clocks,
                mode: self.mode,
                as_of,
            };
            for (k, t) in dataset.tickets.iter().enumerate() {
                let mine = &changes[change_offsets[k] as usize..change_offsets[k + 1] as usize];
                if !mine.is_empty() {
                    replayer.replay(k as u32, t, mine, months[k], &mut side);
                }
            }
        }
        let warnings = self
            .warnings
            .iter()
            .filter_map(|w| {
                let k = tickets.binary_search(&w.ticket).ok()?;
                Some(Warning {
                    ticket: k as u32,
                    ..*w
                })
            })
            .collect();
        let facts = FactColumns::of_tickets(&dataset.tickets, &months, &outcomes);
        Ok(Evaluation {
            summary: aggregate::summarize_columns(facts)?,
            flows: aggregate::count_flows(&side.flows)?,
            dataset,
            as_of: self.as_of,
            mode: self.mode,
            clocks: self.clocks.clone(),
            months,
            outcomes,
            changes,
            change_offsets,
            warnings,
        })
    }

    /// The response of ticket `i` that counts (at or before `as_of`).
    pub fn response(&self, i: usize) -> Option<i64> {
        self.as_of
            .and_then(|as_of| replay::response_by(&self.dataset.tickets[i], as_of))
    }
}
