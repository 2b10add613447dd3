//! The result of a run's evaluation: every accepted ticket replayed and
//! summarized. The pipeline makes it; the analysis and the reports read it.

use polars::prelude::PolarsResult;

use crate::aggregate::{self, FactColumns, Flow, FlowRow, SummaryRow};
use crate::ingest::Dataset;
use crate::model::Change;
use crate::model::MonthKey;
use crate::model::Outcome;
use crate::model::{Warning, WarningKind};
use crate::policy::{Mode, Policy};
use crate::replay::{self, Clocks, ReplaySink};

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

/// What one batch of replays reports besides the outcomes.
#[derive(Default)]
pub(crate) struct BatchSide {
    pub flows: Vec<Flow>,
    pub warnings: Vec<Warning>,
}

/// How every ticket of a run is replayed.
pub(crate) struct Replayer<'a> {
    pub policy: &'a Policy,
    pub clocks: &'a Clocks,
    pub mode: Mode,
    pub as_of: i64,
}

impl Replayer<'_> {
    /// Replays ticket `ticket` (`t`, created in `month`, with its changes
    /// `mine`), reporting its effective changes and warnings into `side`.
    pub fn replay(
        &self,
        ticket: u32,
        t: &crate::model::Ticket,
        mine: &[Change],
        month: MonthKey,
        side: &mut BatchSide,
    ) -> Outcome {
        let mut sink = BatchSink {
            side,
            month,
            plan: t.plan as u32,
            ticket,
        };
        replay::evaluate_into(
            t,
            mine,
            self.policy,
            self.clocks,
            self.mode,
            self.as_of,
            &mut sink,
        )
    }
}

struct BatchSink<'a> {
    side: &'a mut BatchSide,
    month: MonthKey,
    plan: u32,
    ticket: u32,
}

impl ReplaySink for BatchSink<'_> {
    fn effective(&mut self, from: u32, to: u32) {
        self.side.flows.push(Flow {
            month: self.month,
            plan: self.plan,
            from,
            to,
        });
    }
    fn mismatch(&mut self, change: &Change, in_effect: u32) {
        self.side.warnings.push(Warning {
            file: change.file,
            line: change.line,
            ticket: self.ticket,
            kind: WarningKind::FromPriority,
            expected: in_effect,
            found: change.from.unwrap_or(in_effect),
        });
    }
}
