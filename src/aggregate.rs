//! Aggregation: per-ticket outcomes -> summary rows per (month, plan,
//! priority) and reclassification counts per (month, plan, from, to)
//! (CONTRACT.md section 6). The group-bys run in polars; the rows come out
//! sorted, so the result does not depend on the thread count.

use polars::prelude::*;
use rayon::prelude::*;

use crate::model::MonthKey;
use crate::model::Status;

/// What the summary needs of one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    pub month: MonthKey,
    /// Plan index in policy order.
    pub plan: u32,
    /// The governing priority.
    pub priority: u32,
    pub status: Status,
    pub reclassified: bool,
    pub elapsed_s: Option<i64>,
}

impl Fact {
    /// The fact of ticket `t`, created in `month`, with outcome `o`.
    pub fn of(t: &crate::model::Ticket, month: MonthKey, o: &crate::model::Outcome) -> Fact {
        Fact {
            month,
            plan: t.plan as u32,
            priority: o.governing,
            status: o.status,
            reclassified: o.reclassifications > 0,
            elapsed_s: o.measure.map(|m| m.elapsed_s),
        }
    }
}

/// One row of summary.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub month: MonthKey,
    pub plan: u32,
    pub priority: u32,
    pub tickets: u64,
    /// Counts by status, in `Status::ALL` order.
    pub by_status: [u64; 6],
    pub reclassified: u64,
    pub median_elapsed_s: Option<i64>,
    pub p90_elapsed_s: Option<i64>,
}

impl SummaryRow {
    pub fn count(&self, status: Status) -> u64 {
        self.by_status[status as usize]
    }

    /// `100 * met / (met + breached + open_breached)` in hundredths,
    /// rounded half to even on the exact fraction; `None` when no ticket
    /// counts for attainment.
    pub fn attainment_hundredths(&self) -> Option<u64> {
        attainment_hundredths(self.count(Status::Met), self.counted())
    }

    /// The attainment denominator: tickets whose status counts for it
    /// (`Status::counts_for_attainment`).
    pub fn counted(&self) -> u64 {
        Status::ALL
            .into_iter()
            .filter(|s| s.counts_for_attainment())
            .map(|s| self.count(s))
            .sum()
    }
}

/// `round_half_even(10000 * met / den)`, `None` for den == 0.
pub fn attainment_hundredths(met: u64, den: u64) -> Option<u64> {
    if den == 0 {
        return None;
    }
    let num = 10_000u128 * met as u128;
    let den = den as u128;
    let (q, r) = (num / den, num % den);
    let up = match (2 * r).cmp(&den) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => q % 2 == 1,
        std::cmp::Ordering::Less => false,
    };
    Some((q + up as u128) as u64)
}

/// `87.50` from 8750 hundredths.
pub fn percent_text(hundredths: u64) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Rows per distinct combination of `keys`, by one polars group-by: the
/// key columns of the groups (in no particular order) and each group's
/// row count.
fn count_groups(df: &DataFrame, keys: &[&str]) -> PolarsResult<(Vec<Column>, Vec<u64>)> {
    let groups = df.group_by(keys.iter().copied())?;
    let counts = groups.get_groups().group_count();
    Ok((
        groups.keys(),
        counts.into_no_null_iter().map(u64::from).collect(),
    ))
}

/// Summary rows sorted by month, plan (policy order) and priority.
pub fn summarize(facts: &[Fact]) -> PolarsResult<Vec<SummaryRow>> {
    let mut cols = FactColumns::with_capacity(facts.len());
    for f in facts {
        cols.push(f);
    }
    summarize_columns(cols)
}

/// (month, plan, priority) packed into one sortable integer: the month in
/// the high bits (17 used), then 10 bits of plan index, then 32 bits of
/// priority; 4 bits stay free below (see `FactColumns::counts`).
pub fn pack_key(month: MonthKey, plan: u32, priority: u32) -> i64 {
    ((month as i64) << 42) | (((plan & 0x3FF) as i64) << 32) | priority as i64
}

/// The inverse of `pack_key`.
pub fn unpack_key(key: i64) -> (MonthKey, u32, u32) {
    (
        (key >> 42) as MonthKey,
        ((key >> 32) & 0x3FF) as u32,
        (key & 0xFFFF_FFFF) as u32,
    )
}

// every plan index of a validated policy fits the key's 10 bits
const _: () = assert!(crate::policy::MAX_PLANS <= 1 << 10);

/// The facts of every ticket as columns, compact for polars.
#[derive(Debug, Default)]
pub struct FactColumns {
    /// Per ticket: `pack_key(month, plan, governing priority) << 4 |
    /// status << 1 | reclassified`, one integer column, which polars groups
    /// fastest and with the least memory.
    pub counts: Vec<i64>,
    /// Keys and `elapsed_s` of the met and breached tickets only.
    pub measured_keys: Vec<i64>,
    pub measured_elapsed: Vec<i64>,
}

impl FactColumns {
    pub fn with_capacity(n: usize) -> FactColumns {
        FactColumns {
            counts: Vec::with_capacity(n),
            measured_keys: Vec::with_capacity(n),
            measured_elapsed: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, f: &Fact) {
        self.counts.push(count_key(f));
        if let Some((key, e)) = measured(f) {
            self.measured_keys.push(key);
            self.measured_elapsed.push(e);
        }
    }

    /// The facts of every ticket (`months` and `outcomes` per ticket), in
    /// ticket order, built on all threads.
    pub fn of_tickets(
        tickets: &[crate::model::Ticket],
        months: &[MonthKey],
        outcomes: &[crate::model::Outcome],
    ) -> FactColumns {
        use rayon::prelude::*;
        let facts = || {
            tickets
                .par_iter()
                .zip(months)
                .zip(outcomes)
                .map(|((t, &m), o)| Fact::of(t, m, o))
        };
        let mut counts = Vec::new();
        facts().map(|f| count_key(&f)).collect_into_vec(&mut counts);
        let (measured_keys, measured_elapsed) = facts().filter_map(|f| measured(&f)).unzip();
        FactColumns {
            counts,
            measured_keys,
            measured_elapsed,
        }
    }
}

/// A fact's entry of `FactColumns::counts`.
fn count_key(f: &Fact) -> i64 {
    pack_key(f.month, f.plan, f.priority) << 4 | (f.status as i64) << 1 | f.reclassified as i64
}

/// A measured fact's key and `elapsed_s`: met and breached tickets only.
fn measured(f: &Fact) -> Option<(i64, i64)> {
    match (f.status, f.elapsed_s) {
        (Status::Met | Status::Breached, Some(e)) => {
            Some((pack_key(f.month, f.plan, f.priority), e))
        }
        _ => None,
    }
}

/// `summarize` over columns: one group-by counts tickets per (group,
/// status, reclassified), a second takes the percentiles of the measured
/// tickets; both results are small and merged here.
pub fn summarize_columns(facts: FactColumns) -> PolarsResult<Vec<SummaryRow>> {
    Ok(summarize_labelled(facts, None)?
        .into_iter()
        .map(|(_, row)| row)
        .collect())
}

/// `summarize_columns` with one more key in front: `labels[i]` for ticket
/// i (e.g. its group); rows sorted by label, then as summary.csv.
pub fn summarize_labelled(
    facts: FactColumns,
    labels: Option<Vec<u32>>,
) -> PolarsResult<Vec<(u32, SummaryRow)>> {
    let n = facts.counts.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    // the measured tickets are the met and breached ones, in order
    let status_of = |c: i64| ((c >> 1) & 7) as u32;
    let measured_labels: Option<Vec<u32>> = labels.as_ref().map(|l| {
        l.iter()
            .zip(&facts.counts)
            .filter(|(_, &c)| {
                let s = status_of(c);
                s == Status::Met as u32 || s == Status::Breached as u32
            })
            .map(|(&l, _)| l)
            .collect()
    });
    let mut count_columns = vec![Column::new("key".into(), facts.counts)];
    let labelled = labels.is_some();
    if let Some(labels) = labels {
        count_columns.push(Column::new("label".into(), labels));
    }
    let count_keys: &[&str] = if labelled {
        &["key", "label"]
    } else {
        &["key"]
    };
    let (keys, ns) = count_groups(&DataFrame::new(n, count_columns)?, count_keys)?;
    let count_labels: Vec<u32> = match keys.get(1) {
        Some(c) => c.u32()?.into_no_null_iter().collect(),
        None => vec![0; ns.len()],
    };
    let mut rows: std::collections::BTreeMap<(u32, i64), SummaryRow> = Default::default();
    for ((packed, &k), &label) in keys[0]
        .i64()?
        .into_no_null_iter()
        .zip(&ns)
        .zip(&count_labels)
    {
        let (key, status, re) = (packed >> 4, status_of(packed), packed & 1 == 1);
        let (month, plan, priority) = unpack_key(key);
        let row = rows.entry((label, key)).or_insert_with(|| SummaryRow {
            month,
            plan,
            priority,
            tickets: 0,
            by_status: [0; 6],
            reclassified: 0,
            median_elapsed_s: None,
            p90_elapsed_s: None,
        });
        row.tickets += k;
        row.by_status[status as usize] += k;
        if re {
            row.reclassified += k;
        }
    }
    // nearest rank: the value at rank ceil(p * n) of each group's sorted
    // elapsed times, in integers. The groups are few (months x plans x
    // priorities): each measured ticket finds its group by binary search,
    // the times are laid out group by group, and each group selects its
    // two ranks (linear, no sort of all the times).
    let groups: Vec<(u32, i64)> = rows.keys().copied().collect();
    let group_of: Vec<u32> = {
        let keys = &facts.measured_keys;
        let find = |label: u32, key: i64| {
            let group = groups.binary_search(&(label, key));
            group.expect("a measured ticket is also counted, so its group exists") as u32
        };
        match &measured_labels {
            Some(labels) => labels
                .par_iter()
                .zip(keys.par_iter())
                .map(|(&l, &k)| find(l, k))
                .collect(),
            None => keys.par_iter().map(|&k| find(0, k)).collect(),
        }
    };
    let mut starts = vec![0usize; groups.len() + 1];
    for &g in &group_of {
        starts[g as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut times = vec![0i64; group_of.len()];
    let mut next = starts.clone();
    for (&g, &e) in group_of.iter().zip(&facts.measured_elapsed) {
        times[next[g as usize]] = e;
        next[g as usize] += 1;
    }
    let mut slices: Vec<&mut [i64]> = Vec::with_capacity(groups.len());
    let mut rest = times.as_mut_slice();
    for w in starts.windows(2) {
        let (group, tail) = rest.split_at_mut(w[1] - w[0]);
        slices.push(group);
        rest = tail;
    }
    let ranks: Vec<Option<(i64, i64)>> = slices
        .into_par_iter()
        .map(|group| {
            (!group.is_empty()).then(|| (nearest_rank(group, 1, 2), nearest_rank(group, 9, 10)))
        })
        .collect();
    for (row, ranked) in rows.values_mut().zip(ranks) {
        if let Some((median, p90)) = ranked {
            row.median_elapsed_s = Some(median);
            row.p90_elapsed_s = Some(p90);
        }
    }
    Ok(rows
        .into_iter()
        .map(|((label, _), row)| (label, row))
        .collect())
}

/// The value at rank ceil(num / den * n) (1-based) of a non-empty group,
/// as if it were sorted.
fn nearest_rank(group: &mut [i64], num: usize, den: usize) -> i64 {
    let rank = (group.len() * num).div_ceil(den).max(1);
    *group.select_nth_unstable(rank - 1).1
}

/// One effective change, keyed by the month of its ticket's creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub month: MonthKey,
    pub plan: u32,
    pub from: u32,
    pub to: u32,
}

/// One row of reclassifications.csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowRow {
    pub flow: Flow,
    pub changes: u64,
}

/// Effective changes counted per (month, plan, from, to), sorted.
pub fn count_flows(flows: &[Flow]) -> PolarsResult<Vec<FlowRow>> {
    if flows.is_empty() {
        return Ok(Vec::new());
    }
    let df = DataFrame::new(
        flows.len(),
        vec![
            Column::new(
                "month".into(),
                flows.iter().map(|f| f.month).collect::<Vec<i32>>(),
            ),
            Column::new(
                "plan".into(),
                flows.iter().map(|f| f.plan).collect::<Vec<u32>>(),
            ),
            Column::new(
                "from".into(),
                flows.iter().map(|f| f.from).collect::<Vec<u32>>(),
            ),
            Column::new(
                "to".into(),
                flows.iter().map(|f| f.to).collect::<Vec<u32>>(),
            ),
        ],
    )?;
    let (keys, counts) = count_groups(&df, &["month", "plan", "from", "to"])?;
    let months = keys[0].i32()?.into_no_null_iter();
    let plans = keys[1].u32()?.into_no_null_iter();
    let from = keys[2].u32()?.into_no_null_iter();
    let to = keys[3].u32()?.into_no_null_iter();
    let mut rows: Vec<FlowRow> = months
        .zip(plans)
        .zip(from)
        .zip(to)
        .zip(counts)
        .map(|((((month, plan), from), to), changes)| FlowRow {
            flow: Flow {
                month,
                plan,
                from,
                to,
            },
            changes,
        })
        .collect();
    rows.sort_unstable_by_key(|r| (r.flow.month, r.flow.plan, r.flow.from, r.flow.to));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(month: i32, plan: u32, priority: u32, status: Status, elapsed: Option<i64>) -> Fact {
        Fact {
            month,
            plan,
            priority,
            status,
            reclassified: false,
            elapsed_s: elapsed,
        }
    }

    #[test]
    fn attainment_rounds_half_to_even_on_the_exact_fraction() {
        assert_eq!(attainment_hundredths(0, 0), None);
        assert_eq!(attainment_hundredths(1, 1), Some(10_000));
        assert_eq!(attainment_hundredths(2, 3), Some(6_667));
        assert_eq!(attainment_hundredths(1, 3), Some(3_333));
        // 1/16 = 6.25% exactly; 1/32 = 3.125% -> 3.12 (half to even)
        assert_eq!(attainment_hundredths(1, 32), Some(312));
        // 3/32 = 9.375% -> 9.38
        assert_eq!(attainment_hundredths(3, 32), Some(938));
        assert_eq!(percent_text(312), "3.12");
        assert_eq!(percent_text(10_000), "100.00");
    }

    #[test]
    fn summary_groups_counts_and_takes_nearest_rank_percentiles() {
        let mut facts = Vec::new();
        // group (month 5, plan 1, P2): 10 met with elapsed 1..=10, 1 open
        for e in 1..=10 {
            facts.push(fact(5, 1, 2, Status::Met, Some(e * 100)));
        }
        facts.push(fact(5, 1, 2, Status::Open, None));
        // group (month 4, plan 2, P1): one breached, one no_target
        facts.push(fact(4, 2, 1, Status::Breached, Some(7)));
        facts.push(fact(4, 2, 1, Status::NoTarget, None));
        facts[0].reclassified = true;
        let rows = summarize(&facts).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].month, rows[0].plan, rows[0].priority), (4, 2, 1));
        assert_eq!(rows[0].tickets, 2);
        assert_eq!(rows[0].count(Status::Breached), 1);
        assert_eq!(rows[0].median_elapsed_s, Some(7));
        assert_eq!(rows[0].attainment_hundredths(), Some(0));
        let g = &rows[1];
        assert_eq!(g.tickets, 11);
        assert_eq!(g.count(Status::Met), 10);
        assert_eq!(g.count(Status::Open), 1);
        assert_eq!(g.reclassified, 1);
        // ranks ceil(0.5 * 10) = 5 and ceil(0.9 * 10) = 9
        assert_eq!(g.median_elapsed_s, Some(500));
        assert_eq!(g.p90_elapsed_s, Some(900));
    }

    #[test]
    fn percentiles_of_two_values_are_the_nearest_ranks() {
        let facts = vec![
            fact(1, 0, 1, Status::Met, Some(10)),
            fact(1, 0, 1, Status::Breached, Some(20)),
        ];
        let rows = summarize(&facts).unwrap();
        // ceil(0.5 * 2) = 1 -> 10; ceil(0.9 * 2) = 2 -> 20
        assert_eq!(rows[0].median_elapsed_s, Some(10));
        assert_eq!(rows[0].p90_elapsed_s, Some(20));
    }

    #[test]
    fn flows_are_counted_and_sorted() {
        let f = |month, from, to| Flow {
            month,
            plan: 0,
            from,
            to,
        };
        let rows = count_flows(&[f(2, 1, 3), f(1, 3, 1), f(2, 1, 3), f(1, 1, 2)]).unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.flow.month, r.flow.from, r.flow.to, r.changes))
            .collect();
        assert_eq!(got, vec![(1, 1, 2, 1), (1, 3, 1, 1), (2, 1, 3, 2)]);
    }
}
