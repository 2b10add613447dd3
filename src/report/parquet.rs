//! `--parquet`: tickets.parquet and summary.parquet for BI tools, written
//! with polars. The columns are those of tickets.csv and summary.csv, typed:
//! counts and seconds as integers, instants as UTC timestamps (milliseconds,
//! whole seconds in value), `attainment_pct` as a float, texts as plain
//! UTF-8 strings; null wherever the CSV is empty.

use std::io::{self, Write};

use polars::prelude::*;

use crate::model::month_text;
use crate::model::Status;
use crate::report::{ticket_columns, Report, TicketRow, Value};

fn to_io(e: PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

/// Writes `df` with, as its `ARROW:schema`, the Arrow schema at the oldest
/// compatibility level: texts as `LargeUtf8`, not the `Utf8View` that
/// polars' writer records on its own and that older readers (older pyarrow,
/// Spark, Power BI) reject. The column data is the same either way
/// (BYTE_ARRAY annotated UTF8): the key only tells Arrow readers which
/// Arrow types to read it into.
fn write_df<W: Write>(w: W, mut df: DataFrame) -> io::Result<()> {
    let schema = df.schema().to_arrow(CompatLevel::oldest());
    let key = polars_parquet::write::schema_to_metadata_key(&schema);
    let arrow_schema = KeyValueMetadata::from_static(vec![(
        key.key,
        key.value.expect("the Arrow schema key has a value"),
    )]);
    ParquetWriter::new(w)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(arrow_schema))
        .finish(&mut df)
        .map_err(to_io)?;
    Ok(())
}

/// Unix seconds as the milliseconds of a Parquet timestamp. Instants lie in
/// 1900..2099 (CONTRACT.md section 7), far from overflowing.
fn millis(t: i64) -> i64 {
    t.checked_mul(1000).expect("an instant within the span")
}

/// tickets.parquet: one row per accepted ticket, in input order, with the
/// columns of tickets.csv.
pub fn write_tickets<W: Write>(w: W, r: &Report<'_>) -> io::Result<()> {
    let (policy, ev) = (r.policy, r.evaluation);
    let ds = &ev.dataset;
    let n = ds.tickets.len();
    let row = |i: usize| TicketRow {
        dataset: ds,
        ticket: &ds.tickets[i],
        outcome: &ev.outcomes[i],
        month: ev.months[i],
        response: ev.response(i),
    };
    let columns = ticket_columns()
        .into_iter()
        .map(|c| {
            let name = c.name.into();
            match c.value {
                Value::Text(get) => {
                    Column::new(name, (0..n).map(|i| get(&row(i))).collect::<Vec<&str>>())
                }
                Value::Plan(get) => Column::new(
                    name,
                    (0..n)
                        .map(|i| policy.plans[get(&row(i))].name.as_str())
                        .collect::<Vec<&str>>(),
                ),
                Value::Stage(get) => Column::new(
                    name,
                    (0..n)
                        .map(|i| Some(&*ds.stages[get(&row(i))]).filter(|s| !s.is_empty()))
                        .collect::<Vec<Option<&str>>>(),
                ),
                Value::Month(get) => Column::new(
                    name,
                    (0..n)
                        .map(|i| month_text(get(&row(i))))
                        .collect::<Vec<String>>(),
                ),
                Value::Count(get) => {
                    Column::new(name, (0..n).map(|i| get(&row(i))).collect::<Vec<u32>>())
                }
                Value::Seconds(get) => Column::new(
                    name,
                    (0..n).map(|i| get(&row(i))).collect::<Vec<Option<i64>>>(),
                ),
                Value::Word(get) => Column::new(
                    name,
                    (0..n).map(|i| get(&row(i))).collect::<Vec<Option<&str>>>(),
                ),
                Value::Instant(get) => {
                    Int64Chunked::from_iter_options(name, (0..n).map(|i| get(&row(i)).map(millis)))
                        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
                        .into_column()
                }
            }
        })
        .collect();
    write_df(w, DataFrame::new(n, columns).map_err(to_io)?)
}

/// summary.parquet: summary.csv's rows and columns.
pub fn write_summary<W: Write>(w: W, report: &Report<'_>) -> io::Result<()> {
    let (policy, rows) = (report.policy, &report.evaluation.summary);
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
