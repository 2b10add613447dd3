//! What `inspect` counts while it reads a file, in bounded memory, and how
//! it prints it: a column's distinct values, a timestamp field's forms,
//! the records a run would reject.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use crate::ingest::Reason;
use crate::terminal::escape;
use crate::timestamp::{self, InputZone, TsError};

/// Distinct values kept per column: beyond it, new values are only counted
/// (a column of ids must not hold the file in memory).
pub(super) const MAX_DISTINCT: usize = 10_000;
/// Values printed per column, the unmapped first.
pub(super) const SHOWN_VALUES: usize = 20;
/// Unreadable values, malformed rows and sample rows printed per file.
pub(super) const SHOWN_ROWS: usize = 5;
pub(super) const SAMPLE_ROWS: usize = 3;

/// `'text'`, escaped for the terminal.
pub(super) fn quoted(text: &str) -> String {
    format!("'{}'", escape(text))
}

/// `'a', 'b', 'c'`.
pub(super) fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quoted(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The distinct values of one column and how often each occurs, in first
/// seen order (the first `MAX_DISTINCT` of them).
#[derive(Default)]
pub(super) struct Values {
    counts: HashMap<String, u64>,
    /// Rows whose value came after the distinct values were full.
    pub(super) overflow_rows: u64,
    pub(super) rows: u64,
}

/// What a value maps to: the text after the arrow, and whether the run
/// rejects it (those are printed first).
pub(super) struct Mapped {
    pub(super) to: String,
    pub(super) unmapped: bool,
}

impl Values {
    pub(super) fn add(&mut self, text: &str) {
        self.rows += 1;
        if let Some(n) = self.counts.get_mut(text) {
            *n += 1;
        } else if self.counts.len() < MAX_DISTINCT {
            self.counts.insert(text.to_string(), 1);
        } else {
            self.overflow_rows += 1;
        }
    }

    /// The values, the unmapped first, each group by count (most first),
    /// then by text; at most `SHOWN_VALUES`, then how many more.
    pub(super) fn render(&self, out: &mut String, title: &str, map: impl Fn(&str) -> Mapped) {
        let distinct = self.counts.len();
        let more = if self.overflow_rows > 0 {
            format!("more than {distinct}")
        } else {
            distinct.to_string()
        };
        let _ = writeln!(out, "  {title}: {} values, {more} distinct", self.rows);
        let mut rows: Vec<(&str, u64, Mapped)> = self
            .counts
            .iter()
            .map(|(text, &n)| (text.as_str(), n, map(text)))
            .collect();
        rows.sort_by(|a, b| {
            (!a.2.unmapped, std::cmp::Reverse(a.1), a.0).cmp(&(
                !b.2.unmapped,
                std::cmp::Reverse(b.1),
                b.0,
            ))
        });
        let shown: Vec<(String, String, &Mapped)> = rows
            .iter()
            .take(SHOWN_VALUES)
            .map(|(text, n, m)| {
                let text = if text.is_empty() {
                    "(empty)".to_string()
                } else {
                    quoted(text)
                };
                (n.to_string(), text, m)
            })
            .collect();
        let wn = shown.iter().map(|s| s.0.len()).max().unwrap_or(0);
        let wt = shown.iter().map(|s| s.1.chars().count()).max().unwrap_or(0);
        for (n, text, m) in &shown {
            let _ = writeln!(out, "    {n:>wn$}  {text:<wt$}  -> {}", m.to);
        }
        let hidden: Vec<&(&str, u64, Mapped)> = rows.iter().skip(SHOWN_VALUES).collect();
        if !hidden.is_empty() || self.overflow_rows > 0 {
            let unmapped = hidden.iter().filter(|r| r.2.unmapped).count();
            let hidden_rows: u64 = hidden.iter().map(|r| r.1).sum::<u64>() + self.overflow_rows;
            let values = if self.overflow_rows > 0 {
                format!("{} and more values not kept", hidden.len())
            } else {
                format!("{} more values", hidden.len())
            };
            let _ = writeln!(
                out,
                "    and {values} ({unmapped} of them unmapped) in {hidden_rows} rows"
            );
        }
    }
}

/// How the values of one timestamp field were read.
pub(super) struct Forms {
    /// The forms in the order tried, and the values each read.
    names: Vec<String>,
    counts: Vec<u64>,
    /// Values read whose instant depends on the zone (written without an
    /// offset).
    pub(super) offsetless: u64,
    pub(super) empty: u64,
    /// Values that no form reads, by reason.
    failed: BTreeMap<Reason, u64>,
    /// The first of those: line and value.
    examples: Vec<(u64, String, Reason)>,
}

/// A zone far from UTC without daylight saving: a value read the same in
/// it and in UTC carries its own offset.
const PROBE: InputZone = InputZone::Zone(chrono_tz::Tz::Etc__GMTMinus14);

impl Forms {
    pub(super) fn new(names: Vec<String>) -> Forms {
        Forms {
            counts: vec![0; names.len()],
            names,
            offsetless: 0,
            empty: 0,
            failed: BTreeMap::new(),
            examples: Vec::new(),
        }
    }

    /// Counts one value, read by `read` (the run's function: the index of
    /// the form that read it and the instant) in `zone`; returns the
    /// instant.
    pub(super) fn add(
        &mut self,
        line: u64,
        text: &str,
        zone: InputZone,
        mut read: impl FnMut(&str, InputZone) -> Result<(usize, i64), TsError>,
    ) -> Option<i64> {
        if text.is_empty() {
            self.empty += 1;
            return None;
        }
        match read(text, zone) {
            Ok((form, t)) => {
                self.counts[form] += 1;
                if read(text, InputZone::Utc).ok() != read(text, PROBE).ok() {
                    self.offsetless += 1;
                }
                Some(t)
            }
            Err(e) => {
                let reason = Reason::from(e);
                *self.failed.entry(reason).or_default() += 1;
                if self.examples.len() < SHOWN_ROWS {
                    self.examples.push((line, text.to_string(), reason));
                }
                None
            }
        }
    }

    /// One field's lines; `zone` names where offsetless values are read
    /// (`None`: the forms have no zone, such as a duration).
    pub(super) fn render(&self, out: &mut String, title: &str, path: &str, zone: Option<&str>) {
        let read: u64 = self.counts.iter().sum();
        let failed: u64 = self.failed.values().sum();
        let _ = writeln!(
            out,
            "  {title}: {} values, {read} read, {failed} read by no form, {} empty",
            read + failed,
            self.empty
        );
        let w = self
            .counts
            .iter()
            .map(|n| n.to_string().len())
            .max()
            .unwrap_or(0);
        for (name, n) in self.names.iter().zip(&self.counts) {
            let _ = writeln!(out, "    {n:>w$}  {}", quoted(name));
        }
        if let Some(zone) = zone {
            let _ = writeln!(
                out,
                "    offsetless: {} of the values read, as wall time in {}",
                self.offsetless,
                escape(zone)
            );
        }
        if failed > 0 {
            let reasons: Vec<String> = self
                .failed
                .iter()
                .map(|(r, n)| format!("{n} {}", r.as_str()))
                .collect();
            let _ = writeln!(out, "    read by no form: {}", reasons.join(", "));
            for (line, text, reason) in &self.examples {
                let _ = writeln!(
                    out,
                    "      {}:{line}: {} ({})",
                    escape(path),
                    quoted(text),
                    reason.as_str()
                );
            }
            if failed > self.examples.len() as u64 {
                let _ = writeln!(
                    out,
                    "      and {} more",
                    failed - self.examples.len() as u64
                );
            }
        }
    }
}

/// What a run's row checks make of the records (each record alone: ids
/// across rows and the history are the run's).
#[derive(Default)]
pub(super) struct Verdicts {
    pub(super) records: u64,
    pub(super) accepted: u64,
    /// History rows of other fields (EXPORTS.md rule 3).
    pub(super) ignored: u64,
    rejected: BTreeMap<Reason, u64>,
    /// The first malformed records' lines.
    malformed: Vec<u64>,
}

impl Verdicts {
    pub(super) fn reject(&mut self, line: u64, reason: Reason) {
        *self.rejected.entry(reason).or_default() += 1;
        if reason == Reason::MalformedRow && self.malformed.len() < SHOWN_ROWS {
            self.malformed.push(line);
        }
    }

    /// `ignored` names the records ignored, when a kind has them.
    pub(super) fn render(&self, out: &mut String, path: &str, ignored: Option<&str>) {
        let rejected: u64 = self.rejected.values().sum();
        let mut line = format!(
            "rows: {} records; the run's checks of each row alone accept {}, reject {rejected}",
            self.records, self.accepted
        );
        if let Some(what) = ignored {
            let _ = write!(line, ", ignore {} ({what})", self.ignored);
        }
        out.push_str(&line);
        out.push('\n');
        if rejected > 0 {
            let reasons: Vec<String> = self
                .rejected
                .iter()
                .map(|(r, n)| format!("{n} {}", r.as_str()))
                .collect();
            let _ = writeln!(out, "  rejected: {}", reasons.join(", "));
        }
        if !self.malformed.is_empty() {
            let lines: Vec<String> = self
                .malformed
                .iter()
                .map(|l| format!("{}:{l}", escape(path)))
                .collect();
            let _ = writeln!(
                out,
                "  malformed (wrong field count or not UTF-8), first at {}",
                lines.join(", ")
            );
        }
    }
}

/// Rows as a table with a header, columns padded to their widest cell.
pub(super) fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::from(" ");
        for (cell, w) in cells.iter().zip(&widths) {
            let _ = write!(text, " {cell:<w$} ");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// An instant as the outputs write it; `-` for none.
pub(super) fn utc(t: Option<i64>) -> String {
    t.map_or_else(|| "-".to_string(), timestamp::format_utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_the_unmapped_first_then_by_count_and_bound_the_list() {
        let mut v = Values::default();
        for text in ["b", "a", "a", "x", "c", "a", "b", ""] {
            v.add(text);
        }
        for i in 0..30 {
            v.add(&format!("n{i:02}"));
        }
        let mut out = String::new();
        v.render(&mut out, "priority", |t| Mapped {
            to: format!("<{t}>"),
            unmapped: t == "x" || t == "n29",
        });
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "  priority: 38 values, 35 distinct");
        assert_eq!(lines[1], "    1  'n29'    -> <n29>");
        assert_eq!(lines[2], "    1  'x'      -> <x>");
        assert_eq!(lines[3], "    3  'a'      -> <a>");
        assert_eq!(lines[4], "    2  'b'      -> <b>");
        assert_eq!(lines[5], "    1  (empty)  -> <>");
        assert_eq!(lines.len(), 1 + SHOWN_VALUES + 1);
        assert_eq!(
            lines[lines.len() - 1],
            "    and 15 more values (0 of them unmapped) in 15 rows"
        );
    }

    #[test]
    fn distinct_values_are_bounded_and_the_rest_counted() {
        let mut v = Values::default();
        for i in 0..MAX_DISTINCT + 5 {
            v.add(&i.to_string());
        }
        v.add("0");
        assert_eq!(
            (v.counts.len(), v.overflow_rows, v.rows),
            (MAX_DISTINCT, 5, 10_006)
        );
        assert_eq!(v.counts["0"], 2);
    }

    #[test]
    fn data_in_the_output_is_escaped() {
        let mut v = Values::default();
        v.add("\u{1b}]0;pwned\u{7}");
        let mut out = String::new();
        v.render(&mut out, "stage", |_| Mapped {
            to: "ok".into(),
            unmapped: false,
        });
        assert!(out.contains("'\\u{1b}]0;pwned\\u{7}'"), "{out}");
        assert!(!out.contains('\u{1b}'));
    }
}
