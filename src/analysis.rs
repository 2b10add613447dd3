//! Analysis outputs written by every `run` on top of the contract's files:
//! the policy comparison (attainment under all four reclassification modes),
//! the mode-sensitive tickets, the reclassification figures per month and
//! plan, and the summaries by `group` and `assignee`.
//!
//! Only tickets with an effective change can differ between modes (without
//! one, every mode has one segment from creation on the submitted priority
//! and gives the same verdict), so only those are replayed again; the other
//! modes' counts are the run's summary corrected by those tickets.

use std::collections::BTreeMap;

use polars::error::PolarsResult;
use rayon::prelude::*;

use crate::aggregate::{self, FactColumns, SummaryRow};
use crate::evaluation::Evaluation;
use crate::labels::Labels;
use crate::model::MonthKey;
use crate::model::Ticket;
use crate::model::{Outcome, Status};
use crate::policy::{Mode, Policy};
use crate::replay::{self, Reclass};

/// One ticket's verdict under one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub priority: u32,
    pub status: Status,
}

/// A ticket with at least one effective change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclassified {
    /// Index into `Dataset::tickets`.
    pub ticket: u32,
    /// In `Mode::ALL` order.
    pub verdicts: [Verdict; 4],
    pub reclass: Reclass,
    /// Business time from creation to the first effective change.
    pub first_business_s: i64,
}

impl Reclassified {
    pub fn mode_sensitive(&self) -> bool {
        self.verdicts
            .iter()
            .any(|v| v.status != self.verdicts[0].status)
    }
}

/// Counts of one (month, plan, priority) under one mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModeCounts {
    pub tickets: u64,
    pub met: u64,
    /// met + breached + open_breached.
    pub counted: u64,
}

impl ModeCounts {
    pub fn attainment_hundredths(&self) -> Option<u64> {
        aggregate::attainment_hundredths(self.met, self.counted)
    }

    fn add(&mut self, status: Status, sign: i64) {
        let step = |v: &mut u64| *v = v.wrapping_add_signed(sign);
        step(&mut self.tickets);
        if status == Status::Met {
            step(&mut self.met);
        }
        if status.counts_for_attainment() {
            step(&mut self.counted);
        }
    }
}

/// One row of policy_comparison.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonRow {
    pub month: MonthKey,
    pub plan: u32,
    /// The governing priority under each mode (the row of each mode's
    /// summary with this key).
    pub priority: u32,
    /// In `Mode::ALL` order.
    pub modes: [ModeCounts; 4],
}

/// One row of reclassification_summary.csv.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReclassRow {
    pub month: MonthKey,
    pub plan: u32,
    pub tickets: u64,
    pub reclassified: u64,
    pub downgrades: u64,
    pub upgrades: u64,
    /// Tickets submitted with the most urgent level.
    pub submitted_top: u64,
    /// Of those, tickets with at least one effective downgrade.
    pub top_downgraded: u64,
    /// Nearest-rank median over the reclassified tickets.
    pub median_first_business_s: Option<i64>,
    /// Effective changes by `changed_by`, in `ChangedBy::ALL` order.
    pub by: [u64; 3],
}

/// Everything the analysis outputs need.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// In input order.
    pub reclassified: Vec<Reclassified>,
    pub comparison: Vec<ComparisonRow>,
    pub reclass: Vec<ReclassRow>,
    /// `(group index, row)`, sorted by group name; `None` without the column.
    pub by_group: Option<Vec<(u32, SummaryRow)>>,
    pub by_assignee: Option<Vec<(u32, SummaryRow)>>,
    pub by_organization: Option<Vec<(u32, SummaryRow)>>,
    /// The tickets still open in time (`open`), the earliest deadline
    /// first, ties in input order (at_risk.csv).
    pub at_risk: Vec<u32>,
}

fn mode_index(mode: Mode) -> usize {
    Mode::ALL.iter().position(|&m| m == mode).expect("a mode")
}

/// Computes the analysis of an evaluated run.
pub fn analyze(policy: &Policy, ev: &Evaluation) -> PolarsResult<Analysis> {
    let Some(as_of) = ev.as_of else {
        return Ok(Analysis::default());
    };
    let ds = &ev.dataset;
    let run_mode = mode_index(ev.mode);
    let clocks = &ev.clocks;
    let (changes, offsets) = (&ev.changes, &ev.change_offsets);
    let reclassified: Vec<Reclassified> = ev
        .outcomes
        .par_iter()
        .enumerate()
        .filter(|(_, o)| o.reclassifications > 0)
        .map(|(i, o)| {
            let t = &ds.tickets[i];
            let mine = &changes[offsets[i] as usize..offsets[i + 1] as usize];
            let verdicts = std::array::from_fn(|k| {
                let out;
                let o = if k == run_mode {
                    o
                } else {
                    out = replay::evaluate(t, mine, policy, clocks, Mode::ALL[k], as_of);
                    &out
                };
                Verdict {
                    priority: o.governing,
                    status: o.status,
                }
            });
            let reclass = replay::reclass(t, mine);
            let first = reclass.first_at.unwrap_or(t.created);
            Reclassified {
                ticket: i as u32,
                verdicts,
                reclass,
                first_business_s: clocks.business.elapsed(t.created, first),
            }
        })
        .collect();
    // two independent passes over the reclassified tickets
    let (comparison, reclass) = rayon::join(
        || compare(ev, run_mode, &reclassified),
        || reclass_rows(policy, ev, &reclassified),
    );
    let breakdown = |labels: &Labels, label_of: fn(&Ticket) -> u32| {
        if !labels.present {
            return Ok(None);
        }
        let facts = FactColumns::of_tickets(&ds.tickets, &ev.months, &ev.outcomes);
        let ranks = labels.ranks();
        let mut by_rank = vec![0u32; ranks.len()];
        for (i, &r) in ranks.iter().enumerate() {
            by_rank[r as usize] = i as u32;
        }
        let key: Vec<u32> = ds
            .tickets
            .iter()
            .map(|t| ranks[label_of(t) as usize])
            .collect();
        let rows = aggregate::summarize_labelled(facts, Some(key))?;
        PolarsResult::Ok(Some(
            rows.into_iter()
                .map(|(rank, row)| (by_rank[rank as usize], row))
                .collect(),
        ))
    };
    let by_group = breakdown(&ds.groups, |t| t.group)?;
    let by_assignee = breakdown(&ds.assignees, |t| t.assignee)?;
    let by_organization = breakdown(&ds.organizations, |t| t.organization)?;
    Ok(Analysis {
        reclassified,
        comparison,
        reclass,
        by_group,
        by_assignee,
        by_organization,
        at_risk: at_risk(&ev.outcomes),
    })
}

/// The `open` tickets by deadline, ties in input order (a stable sort).
fn at_risk(outcomes: &[Outcome]) -> Vec<u32> {
    let mut open: Vec<(i64, u32)> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status == Status::Open)
        .filter_map(|(i, o)| o.measure.map(|m| (m.deadline, i as u32)))
        .collect();
    open.sort_unstable();
    open.into_iter().map(|(_, i)| i).collect()
}

/// Per (month, plan, priority), each mode's counts: the run's summary for
/// every mode, then each reclassified ticket moved from its run verdict to
/// its verdict under the other mode.
fn compare(ev: &Evaluation, run_mode: usize, reclassified: &[Reclassified]) -> Vec<ComparisonRow> {
    let mut rows: BTreeMap<(MonthKey, u32, u32), [ModeCounts; 4]> = BTreeMap::new();
    for r in &ev.summary {
        let counts = ModeCounts {
            tickets: r.tickets,
            met: r.count(Status::Met),
            counted: r.counted(),
        };
        rows.insert((r.month, r.plan, r.priority), [counts; 4]);
    }
    for r in reclassified {
        let i = r.ticket as usize;
        let (month, plan) = (ev.months[i], ev.dataset.tickets[i].plan as u32);
        let run = r.verdicts[run_mode];
        for (k, v) in r.verdicts.iter().enumerate() {
            if k == run_mode || *v == run {
                continue;
            }
            rows.get_mut(&(month, plan, run.priority))
                .expect("in the summary")[k]
                .add(run.status, -1);
            rows.entry((month, plan, v.priority)).or_default()[k].add(v.status, 1);
        }
    }
    rows.into_iter()
        .filter(|(_, modes)| modes.iter().any(|m| m.tickets > 0))
        .map(|((month, plan, priority), modes)| ComparisonRow {
            month,
            plan,
            priority,
            modes,
        })
        .collect()
}

/// Reclassification figures per (month, plan), sorted.
fn reclass_rows(
    policy: &Policy,
    ev: &Evaluation,
    reclassified: &[Reclassified],
) -> Vec<ReclassRow> {
    let top = policy.priorities.keys().next().copied().unwrap_or(1);
    let cells = reclass_cells(&ev.dataset.tickets, &ev.months, reclassified, top);
    let mut rows: Vec<ReclassRow> = cells
        .into_values()
        .map(|(mut row, mut firsts)| {
            firsts.sort_unstable();
            row.median_first_business_s = nearest_rank(&firsts, 1, 2);
            row
        })
        .collect();
    rows.sort_unstable_by_key(|r| (r.month, r.plan));
    rows
}

/// Per (month, plan) with tickets, its row without the median, and the
/// business times to the first change of its reclassified tickets.
type ReclassCells =
    hashbrown::HashMap<(MonthKey, u32), (ReclassRow, Vec<i64>), foldhash::fast::FixedState>;

/// The cells of `reclass_rows`: one per (month, plan) that has tickets, so
/// sized by the data, never by the months spanned times the policy's plans
/// (two tickets a century apart on a policy of 1024 plans once took 2.4
/// million rows).
fn reclass_cells(
    tickets: &[Ticket],
    months: &[MonthKey],
    reclassified: &[Reclassified],
    top: u32,
) -> ReclassCells {
    let mut cells = ReclassCells::default();
    for (t, &month) in tickets.iter().zip(months) {
        let (row, _) = cells.entry((month, t.plan as u32)).or_insert_with(|| {
            let row = ReclassRow {
                month,
                plan: t.plan as u32,
                ..ReclassRow::default()
            };
            (row, Vec::new())
        });
        row.tickets += 1;
        row.submitted_top += (t.submitted == top) as u64;
    }
    for r in reclassified {
        let i = r.ticket as usize;
        let t = &tickets[i];
        let (row, firsts) = cells
            .get_mut(&(months[i], t.plan as u32))
            .expect("every ticket has its cell");
        let c = &r.reclass;
        row.reclassified += 1;
        row.downgrades += c.downgrades as u64;
        row.upgrades += c.upgrades as u64;
        row.top_downgraded += (t.submitted == top && c.downgrades > 0) as u64;
        for (n, &by) in row.by.iter_mut().zip(&c.by) {
            *n += by as u64;
        }
        firsts.push(r.first_business_s);
    }
    cells
}

/// The value at rank ceil(num/den * n) of a sorted list.
pub fn nearest_rank(sorted: &[i64], num: usize, den: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (num * sorted.len()).div_ceil(den).max(1);
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_median() {
        assert_eq!(nearest_rank(&[], 1, 2), None);
        assert_eq!(nearest_rank(&[5], 1, 2), Some(5));
        assert_eq!(nearest_rank(&[1, 2], 1, 2), Some(1));
        assert_eq!(nearest_rank(&[1, 2, 3], 1, 2), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 1, 2), Some(2));
    }

    /// Regression: the cells were a dense table of every month from the
    /// first to the last times every plan of the policy.
    #[test]
    fn two_tickets_a_century_apart_on_1024_plans_make_two_reclass_cells() {
        let ticket = |plan: u16, created: i64| Ticket {
            id: 0,
            plan,
            excluded: false,
            submitted: 1,
            stage: 0,
            created,
            response: None,
            group: 0,
            assignee: 0,
            organization: 0,
        };
        let tickets = [ticket(0, -2_208_988_800), ticket(1023, 4_100_000_000)];
        let months = [
            crate::model::month_key(1900, 1),
            crate::model::month_key(2099, 12),
        ];
        let cells = reclass_cells(&tickets, &months, &[], 1);
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[&(months[1], 1023)].0.tickets, 1);
    }

    #[test]
    fn mode_counts_move_tickets_between_statuses() {
        let mut c = ModeCounts::default();
        c.add(Status::Met, 1);
        c.add(Status::Breached, 1);
        c.add(Status::Open, 1);
        assert_eq!((c.tickets, c.met, c.counted), (3, 1, 2));
        c.add(Status::Met, -1);
        assert_eq!((c.tickets, c.met, c.counted), (2, 0, 1));
        assert_eq!(c.attainment_hundredths(), Some(0));
    }
}
