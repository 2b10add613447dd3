//! The result of a run's evaluation: every accepted ticket replayed and
//! summarized. The pipeline makes it; the analysis and the reports read it.

use crate::aggregate::{FlowRow, SummaryRow};
use crate::ingest::Dataset;
use crate::model::Change;
use crate::model::MonthKey;
use crate::model::Outcome;
use crate::model::Warning;
use crate::policy::Mode;
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
    /// The response of ticket `i` that counts (at or before `as_of`).
    pub fn response(&self, i: usize) -> Option<i64> {
        self.as_of
            .and_then(|as_of| replay::response_by(&self.dataset.tickets[i], as_of))
    }
}
