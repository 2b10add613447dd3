//! The contract's CSV outputs (CONTRACT.md section 6): UTF-8, `,`, LF,
//! header first, fields quoted only where needed.

use std::io::{self, Write};

use crate::aggregate::{percent_text, SummaryRow};
use crate::model::{month_text, MonthKey};
use rayon::prelude::*;

use crate::model::Status;
use crate::policy::Policy;
use crate::report::{each_ticket_column, ticket_columns, Report, TicketRow, Value};
use crate::timestamp;

pub const SUMMARY_HEADER: [&str; 14] = [
    "month",
    "plan",
    "priority",
    "tickets",
    "met",
    "breached",
    "open",
    "open_breached",
    "no_target",
    "excluded",
    "reclassified",
    "attainment_pct",
    "median_elapsed_s",
    "p90_elapsed_s",
];

pub const RECLASSIFICATIONS_HEADER: [&str; 5] =
    ["month", "plan", "from_priority", "to_priority", "changes"];

pub const REJECTS_HEADER: [&str; 4] = ["file", "line", "reason", "record"];

pub(crate) fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w)
}

pub(crate) fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

pub(crate) fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// Appends a CSV field, quoted when it holds a delimiter, quote or line end.
fn push_field(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if b.iter().any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n')) {
        buf.push(b'"');
        for &c in b {
            if c == b'"' {
                buf.push(b'"');
            }
            buf.push(c);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(b);
    }
}

fn push_int(buf: &mut Vec<u8>, v: impl itoa::Integer) {
    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Rows formatted per parallel work item.
const ROWS_PER_BLOCK: usize = 1 << 15;

/// tickets.csv: one row per accepted ticket, in input order. Blocks of rows
/// are formatted in parallel and written in order.
pub fn write_tickets<W: Write + Send>(mut w: W, r: &Report<'_>) -> io::Result<()> {
    let (policy, ev) = (r.policy, r.evaluation);
    let ds = &ev.dataset;
    let names: Vec<&str> = ticket_columns().iter().map(|c| c.name).collect();
    let mut header = names.join(",");
    header.push('\n');
    w.write_all(header.as_bytes())?;
    let n = ev.outcomes.len();
    let blocks: Vec<usize> = (0..n).step_by(ROWS_PER_BLOCK).collect();
    // a few blocks per thread at a time keep memory bounded; the buffers
    // are reused from group to group
    let per_group = rayon::current_num_threads().max(1) * 4;
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); per_group];
    // double buffering: one group is written while the next is formatted
    let mut ready: Vec<Vec<u8>> = vec![Vec::new(); per_group];
    let mut ready_len = 0;
    let months = month_texts(&ev.months);
    // plan and stage fields, formatted once per distinct text
    let field = |text: &str| {
        let mut b = Vec::new();
        push_field(&mut b, text);
        b
    };
    let plans: Vec<Vec<u8>> = policy.plans.iter().map(|p| field(&p.name)).collect();
    let stages: Vec<Vec<u8>> = ds.stages.iter().map(|s| field(s)).collect();
    for group in blocks.chunks(per_group) {
        let format = |bufs: &mut Vec<Vec<u8>>| {
            bufs.par_iter_mut()
                .zip(group.par_iter())
                .for_each(|(buf, &start)| {
                    let end = (start + ROWS_PER_BLOCK).min(n);
                    buf.clear();
                    // one for all instant columns: a row's instants lie a
                    // few days apart, and its eight days hold them all
                    let mut utc = timestamp::UtcWriter::default();
                    for i in start..end {
                        let row = TicketRow {
                            dataset: ds,
                            ticket: &ds.tickets[i],
                            outcome: &ev.outcomes[i],
                            month: ev.months[i],
                            response: ev.response(i),
                        };
                        each_ticket_column(|column| {
                            match column.value {
                                Value::Text(get) => push_field(buf, get(&row)),
                                Value::Plan(get) => buf.extend_from_slice(&plans[get(&row)]),
                                Value::Stage(get) => buf.extend_from_slice(&stages[get(&row)]),
                                Value::Month(get) => {
                                    buf.extend_from_slice(month_bytes(&months, get(&row)))
                                }
                                Value::Count(get) => push_int(buf, get(&row)),
                                Value::Seconds(get) => {
                                    if let Some(v) = get(&row) {
                                        push_int(buf, v);
                                    }
                                }
                                Value::Word(get) => {
                                    if let Some(word) = get(&row) {
                                        buf.extend_from_slice(word.as_bytes());
                                    }
                                }
                                Value::Instant(get) => {
                                    if let Some(t) = get(&row) {
                                        utc.push(buf, t);
                                    }
                                }
                            }
                            buf.push(b',');
                        });
                        // the last field's separator ends the row
                        *buf.last_mut().expect("a row has fields") = b'\n';
                    }
                });
        };
        let to_write = &ready[..ready_len];
        let out = &mut w;
        let (written, ()) = rayon::join(
            || to_write.iter().try_for_each(|buf| out.write_all(buf)),
            || format(&mut bufs),
        );
        written?;
        std::mem::swap(&mut bufs, &mut ready);
        ready_len = group.len();
    }
    for buf in &ready[..ready_len] {
        w.write_all(buf)?;
    }
    w.flush()
}

/// The `YYYY-MM` texts of the months from the first to the last in use.
fn month_texts(months: &[MonthKey]) -> (MonthKey, Vec<String>) {
    let first = months.par_iter().copied().min().unwrap_or(0);
    let last = months.par_iter().copied().max().unwrap_or(0);
    (first, (first..=last).map(month_text).collect())
}

fn month_bytes((first, texts): &(MonthKey, Vec<String>), m: MonthKey) -> &[u8] {
    texts[(m - first) as usize].as_bytes()
}

/// summary.csv.
pub fn write_summary<W: Write>(w: W, r: &Report<'_>) -> io::Result<()> {
    let mut out = writer(w);
    out.write_record(SUMMARY_HEADER).map_err(to_io)?;
    for row in &r.evaluation.summary {
        out.write_record(summary_record(r.policy, row))
            .map_err(to_io)?;
    }
    out.flush()
}

/// The fields of one summary.csv row (`SUMMARY_HEADER` order).
pub fn summary_record(policy: &Policy, r: &SummaryRow) -> Vec<String> {
    let mut rec = vec![
        month_text(r.month),
        policy.plans[r.plan as usize].name.clone(),
        r.priority.to_string(),
        r.tickets.to_string(),
    ];
    rec.extend(Status::ALL.iter().map(|&s| r.count(s).to_string()));
    rec.push(r.reclassified.to_string());
    rec.push(opt(r.attainment_hundredths().map(percent_text)));
    rec.push(opt(r.median_elapsed_s));
    rec.push(opt(r.p90_elapsed_s));
    rec
}

/// reclassifications.csv.
pub fn write_reclassifications<W: Write>(w: W, report: &Report<'_>) -> io::Result<()> {
    let (policy, rows) = (report.policy, &report.evaluation.flows);
    let mut out = writer(w);
    out.write_record(RECLASSIFICATIONS_HEADER).map_err(to_io)?;
    for r in rows {
        out.write_record([
            month_text(r.flow.month),
            policy.plans[r.flow.plan as usize].name.clone(),
            r.flow.from.to_string(),
            r.flow.to.to_string(),
            r.changes.to_string(),
        ])
        .map_err(to_io)?;
    }
    out.flush()
}

/// rejects.csv: ticket files first, then change files, each in line order.
pub fn write_rejects<W: Write>(w: W, report: &Report<'_>) -> io::Result<()> {
    let ds = &report.evaluation.dataset;
    let mut out = writer(w);
    out.write_record(REJECTS_HEADER).map_err(to_io)?;
    for r in &ds.rejects {
        out.write_record([
            ds.files[r.file].path.as_str(),
            &r.line.to_string(),
            r.reason.as_str(),
            &r.record,
        ])
        .map_err(to_io)?;
    }
    out.flush()
}
