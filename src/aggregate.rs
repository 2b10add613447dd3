//! Aggregation: per-ticket outcomes -> summary rows per (month, plan,
//! priority) and reclassification counts per (month, plan, from, to)
//! (CONTRACT.md section 6). The group-bys run in polars; the rows come out
//! sorted, so the result does not depend on the thread count.

use polars::prelude::*;

use crate::replay::Status;

/// A month as `year * 12 + (month - 1)`, so that it sorts and groups as an
/// integer.
pub type MonthKey = i32;

pub fn month_key(year: i32, month: u32) -> MonthKey {
    year * 12 + month as i32 - 1
}

/// `YYYY-MM` of a month key.
pub fn month_text(key: MonthKey) -> String {
    format!("{:04}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1)
}

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
        attainment_hundredths(
            self.count(Status::Met),
            self.count(Status::Met)
                + self.count(Status::Breached)
                + self.count(Status::OpenBreached),
        )
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

fn u64_column(df: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    let s = df.column(name)?.cast(&DataType::UInt64)?;
    Ok(s.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Summary rows sorted by month, plan (policy order) and priority.
pub fn summarize(facts: &[Fact]) -> PolarsResult<Vec<SummaryRow>> {
    Ok(summarize_by(facts, None)?
        .into_iter()
        .map(|(_, row)| row)
        .collect())
}

/// Summary rows with one more key in front (`key[i]` of fact i; 0 for all
/// when `None`), sorted by key, month, plan and priority.
pub fn summarize_by(facts: &[Fact], key: Option<&[u32]>) -> PolarsResult<Vec<(u32, SummaryRow)>> {
    if facts.is_empty() {
        return Ok(Vec::new());
    }
    let mut columns = vec![
        Column::new(
            "month".into(),
            facts.iter().map(|f| f.month).collect::<Vec<i32>>(),
        ),
        Column::new(
            "plan".into(),
            facts.iter().map(|f| f.plan).collect::<Vec<u32>>(),
        ),
        Column::new(
            "priority".into(),
            facts.iter().map(|f| f.priority).collect::<Vec<u32>>(),
        ),
        Column::new(
            "status".into(),
            facts.iter().map(|f| f.status as u32).collect::<Vec<u32>>(),
        ),
        Column::new(
            "reclassified".into(),
            facts.iter().map(|f| f.reclassified).collect::<Vec<bool>>(),
        ),
        Column::new(
            "elapsed".into(),
            facts
                .iter()
                .map(|f| f.elapsed_s)
                .collect::<Vec<Option<i64>>>(),
        ),
    ];
    let mut keys = vec!["month", "plan", "priority"];
    if let Some(key) = key {
        columns.push(Column::new("key".into(), key.to_vec()));
        keys.insert(0, "key");
    }
    let df = DataFrame::new(facts.len(), columns)?;
    let mut aggs = vec![len().alias("tickets")];
    for status in Status::ALL {
        aggs.push(
            col("status")
                .eq(lit(status as u32))
                .sum()
                .alias(status.as_str()),
        );
    }
    aggs.push(col("reclassified").sum().alias("reclassified_n"));
    // nearest rank, the value at rank ceil(p * n): polars' "equiprobable"
    aggs.push(
        col("elapsed")
            .quantile(lit(0.5), QuantileMethod::Equiprobable)
            .alias("median"),
    );
    aggs.push(
        col("elapsed")
            .quantile(lit(0.9), QuantileMethod::Equiprobable)
            .alias("p90"),
    );
    let out = df
        .lazy()
        .group_by(keys.iter().map(|&k| col(k)).collect::<Vec<_>>())
        .agg(aggs)
        .sort(keys, SortMultipleOptions::default())
        .collect()?;
    let key: Vec<u32> = match key {
        Some(_) => out.column("key")?.u32()?.into_no_null_iter().collect(),
        None => vec![0; out.height()],
    };

    let months: Vec<i32> = out.column("month")?.i32()?.into_no_null_iter().collect();
    let plans: Vec<u32> = out.column("plan")?.u32()?.into_no_null_iter().collect();
    let priorities: Vec<u32> = out.column("priority")?.u32()?.into_no_null_iter().collect();
    let tickets = u64_column(&out, "tickets")?;
    let statuses = Status::ALL
        .iter()
        .map(|s| u64_column(&out, s.as_str()))
        .collect::<PolarsResult<Vec<_>>>()?;
    let reclassified = u64_column(&out, "reclassified_n")?;
    let median: Vec<Option<f64>> = out.column("median")?.f64()?.iter().collect();
    let p90: Vec<Option<f64>> = out.column("p90")?.f64()?.iter().collect();

    Ok((0..out.height())
        .map(|i| {
            let row = SummaryRow {
                month: months[i],
                plan: plans[i],
                priority: priorities[i],
                tickets: tickets[i],
                by_status: std::array::from_fn(|k| statuses[k][i]),
                reclassified: reclassified[i],
                // exact: elapsed values are far below 2^53
                median_elapsed_s: median[i].map(|v| v as i64),
                p90_elapsed_s: p90[i].map(|v| v as i64),
            };
            (key[i], row)
        })
        .collect())
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
    let out = df
        .lazy()
        .group_by([col("month"), col("plan"), col("from"), col("to")])
        .agg([len().alias("changes")])
        .sort(
            ["month", "plan", "from", "to"],
            SortMultipleOptions::default(),
        )
        .collect()?;
    let months: Vec<i32> = out.column("month")?.i32()?.into_no_null_iter().collect();
    let plans: Vec<u32> = out.column("plan")?.u32()?.into_no_null_iter().collect();
    let from: Vec<u32> = out.column("from")?.u32()?.into_no_null_iter().collect();
    let to: Vec<u32> = out.column("to")?.u32()?.into_no_null_iter().collect();
    let changes = u64_column(&out, "changes")?;
    Ok((0..out.height())
        .map(|i| FlowRow {
            flow: Flow {
                month: months[i],
                plan: plans[i],
                from: from[i],
                to: to[i],
            },
            changes: changes[i],
        })
        .collect())
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
        assert_eq!(month_text(month_key(2026, 3)), "2026-03");
    }
}
