//! The contract's CSV outputs (CONTRACT.md section 6): UTF-8, `,`, LF,
//! header first, fields quoted only where needed.

use std::io::{self, Write};

use crate::aggregate::{percent_text, SummaryRow};
use crate::ingest::Dataset;
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

/// Appends a CSV field, quoted when it holds a delimiter, quote or line end
/// (the csv crate's `QuoteStyle::Necessary` with a LF terminator). One pass
/// however long the field: the quotes are found once, and the text between
/// them is copied whole.
fn push_field(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if !b.iter().any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n')) {
        buf.extend_from_slice(b);
        return;
    }
    buf.reserve(b.len() + 2);
    buf.push(b'"');
    let mut from = 0;
    for quote in memchr::memchr_iter(b'"', b) {
        // the text up to and with the quote, then the quote again
        buf.extend_from_slice(&b[from..=quote]);
        buf.push(b'"');
        from = quote + 1;
    }
    buf.extend_from_slice(&b[from..]);
    buf.push(b'"');
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
/// Each row is formatted by `push_field` and written whole: the csv crate's
/// writer would search the rest of a field for its next quote every time its
/// 8 KiB buffer fills, quadratic in one long record.
pub fn write_rejects<W: Write>(w: W, report: &Report<'_>) -> io::Result<()> {
    reject_rows(w, &report.evaluation.dataset)
}

/// rejects.csv's rows for the rejects of `ds`.
fn reject_rows<W: Write>(mut w: W, ds: &Dataset) -> io::Result<()> {
    let mut row = REJECTS_HEADER.join(",").into_bytes();
    row.push(b'\n');
    w.write_all(&row)?;
    for r in &ds.rejects {
        row.clear();
        push_field(&mut row, &ds.files[r.file].path);
        row.push(b',');
        push_int(&mut row, r.line);
        row.push(b',');
        row.extend_from_slice(r.reason.as_str().as_bytes());
        row.push(b',');
        push_field(&mut row, &r.record);
        row.push(b'\n');
        w.write_all(&row)?;
    }
    w.flush()
}

/// warnings.csv's columns.
pub const WARNINGS_HEADER: [&str; 6] = ["file", "line", "ticket_id", "kind", "expected", "found"];

/// warnings.csv (written when there are any): each row that was used but
/// disagreed, by file and line; `expected` is the priority the replay had in
/// effect (`from_priority`) or the export's (`export_priority`), `found`
/// what the row said.
pub fn write_warnings<W: Write>(mut w: W, report: &Report<'_>) -> io::Result<()> {
    let ev = report.evaluation;
    let ds = &ev.dataset;
    let mut row = WARNINGS_HEADER.join(",").into_bytes();
    row.push(b'\n');
    w.write_all(&row)?;
    for warning in &ev.warnings {
        row.clear();
        push_field(&mut row, &ds.files[warning.file as usize].path);
        row.push(b',');
        push_int(&mut row, warning.line);
        row.push(b',');
        push_field(&mut row, ds.id(&ds.tickets[warning.ticket as usize]));
        row.push(b',');
        row.extend_from_slice(warning.kind.as_str().as_bytes());
        row.push(b',');
        push_int(&mut row, u64::from(warning.expected));
        row.push(b',');
        push_int(&mut row, u64::from(warning.found));
        row.push(b'\n');
        w.write_all(&row)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{FileStats, Kind, Reason, Reject};

    /// A data set with one rejected record per text, from a file at `path`.
    fn rejected(path: &str, records: &[&str]) -> Dataset {
        let mut ds = Dataset::default();
        ds.files.push(FileStats {
            path: path.to_string(),
            kind: Kind::Tickets,
            sha256: String::new(),
            counts: Default::default(),
            warnings: 0,
            export_mismatches: 0,
            columns: Vec::new(),
            has_organization: false,
            delimiter: Some(b','),
            offsetless: 0,
        });
        ds.rejects = records
            .iter()
            .enumerate()
            .map(|(i, r)| Reject {
                file: 0,
                line: i as u64 + 2,
                reason: Reason::MalformedRow,
                field: None,
                record: r.to_string(),
            })
            .collect();
        ds
    }

    #[test]
    fn rejects_are_written_as_the_csv_crate_writes_them() {
        let records = [
            "",
            "a,b",
            "\"",
            "x\"\"y",
            "\"q\",\"\"\"",
            "cr\rlf\ncrlf\r\n",
            " spaced ;semi\t",
            "caf\u{e9} \u{fffd}",
            "end\"",
        ];
        for path in ["in/tickets.csv", "odd \"name\",1.csv"] {
            let ds = rejected(path, &records);
            let mut ours = Vec::new();
            reject_rows(&mut ours, &ds).unwrap();
            let mut theirs = writer(Vec::new());
            theirs.write_record(REJECTS_HEADER).unwrap();
            for r in &ds.rejects {
                let line = r.line.to_string();
                theirs
                    .write_record([path, line.as_str(), r.reason.as_str(), r.record.as_str()])
                    .unwrap();
            }
            let theirs = theirs.into_inner().unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }

    /// Counts the writes it is given.
    struct Writes(usize, Vec<u8>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += 1;
            self.1.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Regression: a 100 MB rejected record took 40 s to write, 4 times
    /// the time for each doubling: the csv crate's writer hands a field on
    /// in 8 KiB pieces and, for each, searches the rest of the field for
    /// its next quote. The row is now formatted in one pass (quotes found
    /// once) and written in one piece, so the writes do not grow with it.
    #[test]
    fn a_long_rejected_record_is_formatted_in_one_pass_and_written_whole() {
        let mut long = "\"".to_string();
        long.push_str(&"x".repeat(4 << 20));
        long.push_str("\",1,\"open");
        let ds = rejected("t.csv", &["short", &long, "last"]);
        let mut out = Writes(0, Vec::new());
        reject_rows(&mut out, &ds).unwrap();
        assert_eq!(out.0, 4, "the header, then one write a row");
        let text = String::from_utf8(out.1).unwrap();
        let row = text.lines().nth(2).unwrap();
        assert!(
            row.starts_with("t.csv,3,malformed_row,\"\"\"xxx"),
            "{}",
            &row[..40]
        );
        assert!(
            row.ends_with("x\"\",1,\"\"open\""),
            "{}",
            &row[row.len() - 40..]
        );
        assert_eq!(
            row.len(),
            "t.csv,3,malformed_row,".len() + long.len() + 2 + 3
        );
    }
}
