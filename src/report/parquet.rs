//! `--parquet`: tickets.parquet and summary.parquet for BI tools, written
//! with polars. The columns are those of tickets.csv and summary.csv, typed:
//! counts and seconds as integers (null where the CSV is empty), instants as
//! the CSV's UTC text, `attainment_pct` as a float.

use std::io::{self, Write};

use polars::prelude::*;

use crate::aggregate::SummaryRow;
use crate::evaluation::Evaluation;
use crate::model::month_text;
use crate::policy::Policy;
use crate::replay::Status;
use crate::timestamp;

fn to_io(e: PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

fn write_df<W: Write>(w: W, mut df: DataFrame) -> io::Result<()> {
    ParquetWriter::new(w)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut df)
        .map_err(to_io)?;
    Ok(())
}

/// tickets.parquet: one row per accepted ticket, in input order.
pub fn write_tickets<W: Write>(w: W, policy: &Policy, ev: &Evaluation) -> io::Result<()> {
    let ds = &ev.dataset;
    let tickets = &ds.tickets;
    let outcomes = &ev.outcomes;
    let n = tickets.len();
    let m = |f: fn(&crate::replay::Measure) -> i64| -> Vec<Option<i64>> {
        outcomes.iter().map(|o| o.measure.as_ref().map(f)).collect()
    };
    let columns = vec![
        Column::new(
            "ticket_id".into(),
            tickets.iter().map(|t| ds.id(t)).collect::<Vec<&str>>(),
        ),
        Column::new(
            "plan".into(),
            tickets
                .iter()
                .map(|t| policy.plans[t.plan()].name.as_str())
                .collect::<Vec<&str>>(),
        ),
        Column::new(
            "month".into(),
            ev.months
                .iter()
                .map(|&m| month_text(m))
                .collect::<Vec<String>>(),
        ),
        Column::new(
            "stage".into(),
            tickets.iter().map(|t| ds.stage(t)).collect::<Vec<&str>>(),
        ),
        Column::new(
            "submitted_priority".into(),
            tickets.iter().map(|t| t.submitted).collect::<Vec<u32>>(),
        ),
        Column::new(
            "priority".into(),
            outcomes.iter().map(|o| o.governing).collect::<Vec<u32>>(),
        ),
        Column::new(
            "reclassifications".into(),
            outcomes
                .iter()
                .map(|o| o.reclassifications)
                .collect::<Vec<u32>>(),
        ),
        Column::new(
            "clock".into(),
            outcomes
                .iter()
                .map(|o| o.measure.map(|m| m.clock.as_str()))
                .collect::<Vec<Option<&str>>>(),
        ),
        Column::new("target_s".into(), m(|m| i64::from(m.target_s))),
        Column::new(
            "first_response_at".into(),
            (0..n)
                .map(|i| ev.response(i).map(timestamp::format_utc))
                .collect::<Vec<Option<String>>>(),
        ),
        Column::new("elapsed_s".into(), m(|m| m.elapsed_s)),
        Column::new(
            "deadline".into(),
            outcomes
                .iter()
                .map(|o| {
                    o.measure
                        .and_then(|m| m.written_deadline())
                        .map(timestamp::format_utc)
                })
                .collect::<Vec<Option<String>>>(),
        ),
        Column::new(
            "status".into(),
            outcomes
                .iter()
                .map(|o| o.status.as_str())
                .collect::<Vec<&str>>(),
        ),
        Column::new("margin_s".into(), m(|m| m.margin_s())),
    ];
    write_df(w, DataFrame::new(n, columns).map_err(to_io)?)
}

/// summary.parquet: summary.csv's rows and columns.
pub fn write_summary<W: Write>(w: W, policy: &Policy, rows: &[SummaryRow]) -> io::Result<()> {
    let mut columns = vec![
        Column::new(
            "month".into(),
            rows.iter()
                .map(|r| month_text(r.month))
                .collect::<Vec<String>>(),
        ),
        Column::new(
            "plan".into(),
            rows.iter()
                .map(|r| policy.plans[r.plan as usize].name.as_str())
                .collect::<Vec<&str>>(),
        ),
        Column::new(
            "priority".into(),
            rows.iter().map(|r| r.priority).collect::<Vec<u32>>(),
        ),
        Column::new(
            "tickets".into(),
            rows.iter().map(|r| r.tickets).collect::<Vec<u64>>(),
        ),
    ];
    for s in Status::ALL {
        columns.push(Column::new(
            s.as_str().into(),
            rows.iter().map(|r| r.count(s)).collect::<Vec<u64>>(),
        ));
    }
    columns.push(Column::new(
        "reclassified".into(),
        rows.iter().map(|r| r.reclassified).collect::<Vec<u64>>(),
    ));
    columns.push(Column::new(
        "attainment_pct".into(),
        rows.iter()
            .map(|r| r.attainment_hundredths().map(|h| h as f64 / 100.0))
            .collect::<Vec<Option<f64>>>(),
    ));
    columns.push(Column::new(
        "median_elapsed_s".into(),
        rows.iter()
            .map(|r| r.median_elapsed_s)
            .collect::<Vec<Option<i64>>>(),
    ));
    columns.push(Column::new(
        "p90_elapsed_s".into(),
        rows.iter()
            .map(|r| r.p90_elapsed_s)
            .collect::<Vec<Option<i64>>>(),
    ));
    write_df(w, DataFrame::new(rows.len(), columns).map_err(to_io)?)
}
