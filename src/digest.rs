//! What a run tells its user on stderr when it ends: the counts of tickets
//! and changes apart, and a digest of the rejects (per reason and column,
//! the count, one example value with its file and line, and for timestamps
//! the forms that are read), loud when nothing or almost nothing was
//! accepted. Text only; the CLI prints it.

use std::fmt::Write as _;

use crate::ingest::{Dataset, FieldName, FileStats, Kind, Reason, Reject};
use crate::profile::{JsonShape, Profile};

/// How many accepted ticket rows out of those read make a run suspicious
/// (below 1 in 10).
const FEW: u64 = 10;

/// Counts of one input kind over all its files.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    files: usize,
    read: u64,
    accepted: u64,
    rejected: u64,
    skipped: u64,
    outside: u64,
    ignored: u64,
}

fn totals(ds: &Dataset, kind: Kind) -> Totals {
    let mut t = Totals::default();
    for f in ds.files.iter().filter(|f| f.kind == kind) {
        t.files += 1;
        t.read += f.counts.read;
        t.accepted += f.counts.accepted;
        t.rejected += f.counts.rejected;
        t.skipped += f.counts.skipped;
        t.outside += f.counts.outside;
        t.ignored += f.counts.ignored;
    }
    t
}

/// `1 row`, `2 rows`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The end-of-run lines: tickets, changes, and where the report went.
pub fn summary(ds: &Dataset, out: &str) -> String {
    let mut o = String::new();
    let t = totals(ds, Kind::Tickets);
    let mut line = format!(
        "sla-report: tickets: {} read, {} evaluated",
        count(t.read, "row", "rows"),
        t.accepted
    );
    for (n, what) in [
        (t.rejected, "rejected"),
        (t.skipped, "created after --as-of"),
        (t.outside, "outside the period"),
    ] {
        if n > 0 {
            let _ = write!(line, ", {n} {what}");
        }
    }
    let _ = writeln!(o, "{line}");
    let c = totals(ds, Kind::Changes);
    if c.files == 0 {
        let _ = writeln!(o, "sla-report: changes: no changes file was read");
    } else {
        let mut line = format!(
            "sla-report: changes: {} read, {} applied",
            count(c.read, "row", "rows"),
            c.accepted
        );
        for (n, what) in [
            (c.rejected, "rejected"),
            (c.skipped, "of tickets created after --as-of"),
            (c.outside, "of tickets outside the period"),
            (c.ignored, "of other fields ignored"),
        ] {
            if n > 0 {
                let _ = write!(line, ", {n} {what}");
            }
        }
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(o, "sla-report: report written to {out}");
    o
}

/// The loud lines for a run that accepted nothing or almost nothing, and
/// the digest of the rejects; empty when there is nothing to say.
pub fn rejects(ds: &Dataset, profile: &Profile) -> String {
    let mut o = String::new();
    let t = totals(ds, Kind::Tickets);
    if t.read > 0 && t.accepted == 0 {
        if t.outside > 0 && t.outside + t.skipped == t.read - t.rejected && t.rejected == 0 {
            let _ = writeln!(
                o,
                "sla-report: warning: no ticket lies in the selected period ({} outside it): \
                 the report is empty",
                t.outside
            );
        } else {
            let _ = writeln!(
                o,
                "sla-report: warning: NO ticket was accepted ({} of {} rejected): the report is empty",
                t.rejected, t.read
            );
        }
    } else if t.read > 0 && t.accepted * FEW < t.read && t.rejected * FEW > t.read {
        let _ = writeln!(
            o,
            "sla-report: warning: only {} of {} ticket rows were accepted",
            t.accepted, t.read
        );
    }
    if ds.rejects.is_empty() {
        return o;
    }
    let _ = writeln!(
        o,
        "sla-report: {} rejected (each in rejects.csv with its file, line and reason):",
        count(ds.rejects.len() as u64, "record", "records")
    );
    for group in groups(&ds.rejects) {
        let first = group.first;
        let file = &ds.files[first.file];
        let mut line = format!("  {:>7}  {}", group.count, first.reason.as_str());
        if let Some(field) = first.field {
            let column = column_of(file, field);
            let _ = write!(line, " in {column}");
            if let Some(value) = value_of(file, first, field) {
                let _ = write!(line, ", e.g. {value:?} at {}:{}", file.path, first.line);
            } else {
                let _ = write!(line, ", e.g. at {}:{}", file.path, first.line);
            }
        } else {
            let _ = write!(line, ", e.g. at {}:{}", file.path, first.line);
        }
        let _ = writeln!(o, "{line}");
        if let Some(hint) = hint(first, file, profile) {
            let _ = writeln!(o, "           {hint}");
        }
    }
    o
}

/// Rejects of one reason, file and field, in order of first appearance
/// within the reason order.
struct Group<'a> {
    first: &'a Reject,
    count: u64,
}

/// What a group of rejects shares.
type GroupKey = (Reason, usize, Option<FieldName>);

fn groups(rejects: &[Reject]) -> Vec<Group<'_>> {
    let mut keyed: Vec<(GroupKey, Group<'_>)> = Vec::new();
    let mut index: std::collections::HashMap<GroupKey, usize> = std::collections::HashMap::new();
    for r in rejects {
        let key = (r.reason, r.file, r.field);
        match index.get(&key) {
            Some(&i) => keyed[i].1.count += 1,
            None => {
                index.insert(key, keyed.len());
                keyed.push((key, Group { first: r, count: 1 }));
            }
        }
    }
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, g)| g).collect()
}

/// `column 'Created at' (created_at)`, or the contract's name alone.
fn column_of(file: &FileStats, field: FieldName) -> String {
    match file.columns.iter().find(|(f, ..)| *f == field) {
        Some((_, name, _)) if name.eq_ignore_ascii_case(field.as_str()) => {
            format!("column '{name}'")
        }
        Some((_, name, _)) => format!("column '{name}' ({})", field.as_str()),
        None => field.as_str().to_string(),
    }
}

/// The rejected value of a CSV record's field, cut to 60 characters.
fn value_of(file: &FileStats, reject: &Reject, field: FieldName) -> Option<String> {
    let value = file.value_in(&reject.record, field)?;
    // a long value is cut at a character boundary
    let cut: String = value.chars().take(60).collect();
    Some(if cut.len() < value.len() {
        format!("{cut}...")
    } else {
        cut
    })
}

/// What to do about a reason, when the digest can tell.
fn hint(reject: &Reject, file: &FileStats, profile: &Profile) -> Option<String> {
    match (reject.reason, reject.field) {
        (Reason::BadTimestamp, Some(field)) if field.is_time() => {
            let forms = match file.kind {
                Kind::Tickets => profile.tickets.timestamps.names(),
                Kind::Changes => match (file.delimiter, &profile.changes.json) {
                    (None, Some((_, forms))) => forms.names(),
                    _ => profile
                        .changes
                        .csv
                        .as_ref()
                        .map(|c| c.timestamps.names())
                        .unwrap_or_default(),
                },
            };
            let forms: Vec<String> = forms
                .iter()
                .map(|f| match *f {
                    "iso" => "YYYY-MM-DD HH:MM[:SS] with an optional Z or +HH:MM (T or a space \
                              between date and time)"
                        .to_string(),
                    other => format!("{other:?}"),
                })
                .collect();
            Some(format!(
                "timestamps are read as: {}; another form needs an import profile \
                 (`sla-report profile native`, key timestamps)",
                forms.join(", or ")
            ))
        }
        (Reason::MalformedRow, _) if reject.record.contains('\u{FFFD}') => Some(
            "the record is not valid UTF-8: a file saved by Excel on Windows is \
             windows-1252, read it with --encoding windows-1252"
                .to_string(),
        ),
        (Reason::MalformedRow, _) if file.delimiter.is_none() => {
            let shape = match profile.changes.json {
                Some((JsonShape::ZendeskAudits, _)) => "a Zendesk audit (an object with `events`)",
                Some((JsonShape::FreshdeskActivities, _)) => {
                    "a Freshdesk activity (an object with `activity`)"
                }
                None => "a record of the history's JSON shape",
            };
            Some(format!(
                "a JSON record that is not {shape}, or not valid JSON: check that this is the \
                 history export the format expects"
            ))
        }
        (Reason::MalformedRow, _) => Some(
            "a record with another number of fields than the header (or invalid UTF-8)".to_string(),
        ),
        _ => None,
    }
}
