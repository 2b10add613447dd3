//! Ingest: ticket and priority-change CSV files -> accepted rows, rejects with
//! file, line and reason, and per-file accounting (CONTRACT.md section 3).
//!
//! Records follow the `csv` crate's grammar (lenient quoting, LF / CRLF / lone CR
//! line ends); this module adds what an audit needs on top: the 1-based line
//! where each record starts, the raw record text for `rejects.csv`, and the
//! contract's reject reasons in its check order.
//!
//! A file is read in blocks of whole records (`blocks`), each block cut
//! into chunks whose records (`records`) are parsed in parallel (`tickets`,
//! `changes`); the checks that need other rows with the same ticket id run
//! per id shard (`ids`), and the chunks' few distinct names (`names`) are
//! numbered in input order, so any block and chunk sizes give the same data
//! set.

use std::fmt;

use rayon::prelude::*;

use crate::labels::Labels;

use crate::model::{Change, Ticket};
use crate::period::Period;
use crate::policy::Policy;
use crate::profile::{ExportPriority, Profile};
use crate::timestamp::{InputZone, TsError};

mod blocks;
mod changes;
mod customers;
mod encoding;
mod ids;
mod json;
mod names;
mod read_ahead;
mod records;
mod submitted;
mod survey;
mod tickets;

pub use customers::Customers;
pub use encoding::Encoding;
pub use ids::Ids;
pub use submitted::{Submission, SubmittedFrom};
// `inspect`'s entry points: the run's own column, record and row checks
pub(crate) use changes::{check_change, ChangeFields};
pub(crate) use survey::{compact_json, CsvInput, Input, JsonInput, JsonRow};
pub(crate) use tickets::{
    after, check_ticket, parse_priority, plan_of, stage_of, PlanFrom, TicketParsers,
};

/// Which kind of input a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tickets,
    Changes,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tickets => "tickets",
            Kind::Changes => "changes",
        }
    }
}

/// The contract's reject reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    MalformedRow,
    MissingField,
    BadTimestamp,
    NonexistentLocalTime,
    UnknownPlan,
    BadPriority,
    DuplicateTicketId,
    ResponseBeforeCreated,
    UnknownTicket,
    TicketRejected,
}

impl Reason {
    pub const ALL: [Reason; 10] = [
        Reason::MalformedRow,
        Reason::MissingField,
        Reason::BadTimestamp,
        Reason::NonexistentLocalTime,
        Reason::UnknownPlan,
        Reason::BadPriority,
        Reason::DuplicateTicketId,
        Reason::ResponseBeforeCreated,
        Reason::UnknownTicket,
        Reason::TicketRejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MalformedRow => "malformed_row",
            Reason::MissingField => "missing_field",
            Reason::BadTimestamp => "bad_timestamp",
            Reason::NonexistentLocalTime => "nonexistent_local_time",
            Reason::UnknownPlan => "unknown_plan",
            Reason::BadPriority => "bad_priority",
            Reason::DuplicateTicketId => "duplicate_ticket_id",
            Reason::ResponseBeforeCreated => "response_before_created",
            Reason::UnknownTicket => "unknown_ticket",
            Reason::TicketRejected => "ticket_rejected",
        }
    }
}

impl From<TsError> for Reason {
    fn from(e: TsError) -> Reason {
        match e {
            TsError::Bad | TsError::OutOfSpan => Reason::BadTimestamp,
            TsError::Nonexistent => Reason::NonexistentLocalTime,
        }
    }
}

/// The field a reject concerns, for the digest of the rejects (`None` for
/// a record that cannot be read at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldName {
    TicketId,
    CreatedAt,
    FirstResponse,
    Plan,
    Priority,
    ChangedAt,
    ToPriority,
    FromPriority,
}

impl FieldName {
    /// The contract's column name.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::TicketId => "ticket_id",
            FieldName::CreatedAt => "created_at",
            FieldName::FirstResponse => "first_response_at",
            FieldName::Plan => "plan",
            FieldName::Priority => "priority",
            FieldName::ChangedAt => "changed_at",
            FieldName::ToPriority => "to_priority",
            FieldName::FromPriority => "from_priority",
        }
    }

    /// Whether the field holds a timestamp (or a duration that becomes one).
    pub fn is_time(self) -> bool {
        matches!(
            self,
            FieldName::CreatedAt | FieldName::FirstResponse | FieldName::ChangedAt
        )
    }
}

/// Record counts of a file, or of a part of one: read = accepted +
/// rejected + skipped + outside + ignored (outside only with a period
/// selection, ignored only in an import's long history).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
    /// Tickets created outside the selected period, and their changes.
    pub outside: u64,
    /// History rows of other fields than the priority (EXPORTS.md rule 3).
    pub ignored: u64,
}

impl Counts {
    /// Adds the counts of another part of the files.
    pub fn merge(&mut self, other: &Counts) {
        self.read += other.read;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.skipped += other.skipped;
        self.outside += other.outside;
        self.ignored += other.ignored;
    }
}

/// Per-file accounting for run.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    /// The path as given on the command line.
    pub path: String,
    pub kind: Kind,
    pub sha256: String,
    pub counts: Counts,
    /// `from_priority` mismatches at or before `as_of` (filled by the replay).
    pub warnings: u64,
    /// Tickets whose history ends on another priority than the export's
    /// (an import's history files, EXPORTS.md rule 2).
    pub export_mismatches: u64,
    /// The header names that fed each field, with their column (CSV).
    pub columns: Vec<(FieldName, String, usize)>,
    /// A tickets file has an organization column (`--per-customer` needs
    /// it in every one).
    pub has_organization: bool,
    /// The CSV delimiter (`None` for JSON).
    pub delimiter: Option<u8>,
    /// Timestamps read without an offset (as wall time in the input zone).
    pub offsetless: u64,
}

impl FileStats {
    /// The trimmed value of `field` in a CSV record of this file (a reject's
    /// text), re-read from the record; `None` for JSON or a field the file
    /// has no column for.
    pub fn value_in(&self, record: &str, field: FieldName) -> Option<String> {
        let delimiter = self.delimiter?;
        let (_, _, column) = self.columns.iter().find(|(f, ..)| *f == field)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(record.as_bytes());
        let record = reader.records().next()?.ok()?;
        Some(record.get(*column)?.trim().to_string())
    }

    /// Nothing counted yet, no digest.
    fn new(path: &str, kind: Kind) -> FileStats {
        FileStats {
            path: path.to_string(),
            kind,
            sha256: String::new(),
            counts: Counts::default(),
            warnings: 0,
            export_mismatches: 0,
            columns: Vec::new(),
            has_organization: false,
            delimiter: None,
            offsetless: 0,
        }
    }
}

/// `stats.read` and the like: the reports and tests name a file's counts
/// as fields of its stats.
/// One rejected record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Index into `Dataset::files`.
    pub file: usize,
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
    pub reason: Reason,
    /// The field the reason concerns.
    pub field: Option<FieldName>,
    /// The raw record without its line end; invalid UTF-8 as U+FFFD.
    pub record: String,
}

/// Everything read from the input files.
#[derive(Debug, Default)]
pub struct Dataset {
    /// Accepted tickets in input order (files in the order given, then line).
    pub tickets: Vec<Ticket>,
    /// Accepted changes in input order (moved into `Evaluation::changes`,
    /// grouped by ticket, by the pipeline's replay).
    pub changes: Vec<Change>,
    /// Ticket files first, then change files, in command-line order.
    pub files: Vec<FileStats>,
    /// Ticket files first, then change files, each in line order.
    pub rejects: Vec<Reject>,
    /// Every ticket id seen (accepted, skipped or rejected).
    pub ids: Ids,
    /// Distinct `product_stage` texts, as written.
    pub stages: Vec<Box<str>>,
    /// Names of the optional ticket columns `group`, `assignee` and
    /// `organization`.
    pub groups: Labels,
    pub assignees: Labels,
    pub organizations: Labels,
    /// An import's tickets (same order as `tickets`): where each submitted
    /// priority came from. Empty for the native files.
    pub submissions: Vec<Submission>,
    /// An import's tickets whose history ends on another priority than the
    /// export's (moved into `Evaluation::warnings`).
    pub export_warnings: Vec<crate::model::Warning>,
    /// The latest timestamp of the rows outside the selected period (for the
    /// default `as_of`, which the period selection does not move).
    pub outside_latest: Option<i64>,
}

impl Dataset {
    /// A ticket's id.
    #[inline]
    pub fn id(&self, t: &Ticket) -> &str {
        self.ids.get(t.id)
    }

    /// The data set of the tickets `tickets` (indices, in input order)
    /// only, as if the files had held just them, for a report on some of
    /// the tickets: the same files and tables, no rejects (a rejected row
    /// belongs to no ticket) and no changes (moved into `Evaluation`).
    pub fn subset(&self, tickets: &[u32]) -> Dataset {
        let ids: Vec<u32> = tickets
            .iter()
            .map(|&i| self.tickets[i as usize].id)
            .collect();
        let (ids, new_ids) = self.ids.subset(&ids);
        Dataset {
            tickets: tickets
                .iter()
                .zip(new_ids)
                .map(|(&i, id)| Ticket {
                    id,
                    ..self.tickets[i as usize]
                })
                .collect(),
            changes: Vec::new(),
            files: self.files.clone(),
            rejects: Vec::new(),
            ids,
            stages: self.stages.clone(),
            groups: self.groups.clone(),
            assignees: self.assignees.clone(),
            organizations: self.organizations.clone(),
            submissions: if self.submissions.is_empty() {
                Vec::new()
            } else {
                tickets
                    .iter()
                    .map(|&i| self.submissions[i as usize])
                    .collect()
            },
            export_warnings: Vec::new(),
            outside_latest: self.outside_latest,
        }
    }

    /// A ticket's stage as written (empty when none).
    #[inline]
    pub fn stage(&self, t: &Ticket) -> &str {
        &self.stages[t.stage as usize]
    }
}

/// A fatal input error: one message naming the file.
#[derive(Debug)]
pub enum IngestError {
    Read {
        path: String,
        error: std::io::Error,
    },
    Empty {
        path: String,
    },
    HeaderNotUtf8 {
        path: String,
    },
    /// No column of the header feeds a required field.
    MissingColumn {
        path: String,
        /// The field (the profile key).
        field: &'static str,
        /// The header names that would have fed it.
        candidates: Vec<String>,
        /// The header's names.
        found: Vec<String>,
        /// The delimiter the header was split at.
        delimiter: Option<u8>,
    },
    /// A ticket file of an import without a plan column, and no
    /// `--customers` to look the organization up in.
    NoPlan {
        path: String,
        plan: Vec<String>,
        organization: Vec<String>,
        customers: bool,
    },
    Csv {
        path: String,
        message: String,
    },
    TooManyRows {
        path: String,
    },
    /// A history file of a shape the format does not read.
    HistoryShape {
        path: String,
        message: String,
    },
    /// A mistake in the `--customers` file.
    Customers {
        path: String,
        line: u64,
        message: String,
    },
    /// A record longer than `limit` bytes (`ReadOptions::max_record`)
    /// starts on `line`.
    RecordTooLong {
        path: String,
        line: u64,
        limit: usize,
    },
    /// A JSON file that cannot be split into records: not one of the
    /// shapes, broken between records, or truncated.
    Json {
        path: String,
        line: u64,
        message: String,
    },
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IngestError::Read { path, error } => write!(f, "{path}: cannot read: {error}"),
            IngestError::Empty { path } => write!(f, "{path}: empty file, missing header row"),
            IngestError::HeaderNotUtf8 { path } => {
                write!(f, "{path}:1: header row is not valid UTF-8")
            }
            IngestError::MissingColumn {
                path,
                field,
                candidates,
                found,
                delimiter,
            } => {
                if candidates.len() == 1 && candidates[0] == *field {
                    write!(f, "{path}:1: missing required column '{field}'")?;
                } else {
                    write!(
                        f,
                        "{path}:1: no column for {field}: expected {}",
                        quoted_list(candidates, "or"),
                    )?;
                }
                write!(f, "; the header has {}", quoted_list(found, "and"))?;
                if let Some(d) = delimiter {
                    write!(f, " (fields split at '{}'", char::from(*d))?;
                    let tabs = found.len() == 1 && found[0].contains('\t');
                    if tabs {
                        write!(
                            f,
                            "; a tab-separated file must be saved as CSV with ',' or ';'"
                        )?;
                    }
                    write!(f, ")")?;
                }
                write!(
                    f,
                    ". A helpdesk export? Read it with --format zendesk|freshdesk or --profile \
                     FILE; `sla-report inspect {path}` shows how it would be read"
                )
            }
            IngestError::NoPlan {
                path,
                plan,
                organization,
                customers,
            } => {
                write!(
                    f,
                    "{path}:1: no plan for the tickets: no column {}",
                    quoted_list(plan, "or")
                )?;
                if *customers {
                    write!(
                        f,
                        ", and no column {} to look up in --customers",
                        quoted_list(organization, "or")
                    )
                } else if organization.is_empty() {
                    write!(
                        f,
                        " (the profile has no tickets.organization for --customers)"
                    )
                } else {
                    write!(
                        f,
                        "; give --customers FILE (organization,plan) to look up column {}",
                        quoted_list(organization, "or")
                    )
                }
            }
            IngestError::Csv { path, message } => write!(f, "{path}: {message}"),
            IngestError::HistoryShape { path, message } => write!(f, "{path}: {message}"),
            IngestError::Customers {
                path,
                line,
                message,
            } => write!(f, "{path}:{line}: customers file: {message}"),
            IngestError::TooManyRows { path } => write!(
                f,
                "{path}: too many ticket rows: at most {} in all ticket files \
                 (and {} distinct ids, or 4 GiB of id text, per id shard)",
                ids::UNSEEN - 1,
                ids::ENTRY_MASK - 1
            ),
            IngestError::RecordTooLong { path, line, limit } => write!(
                f,
                "{path}:{line}: record longer than {limit} bytes \
                 (raise the limit with --max-record-size)"
            ),
            IngestError::Json {
                path,
                line,
                message,
            } => write!(f, "{path}:{line}: {message}"),
        }
    }
}

impl std::error::Error for IngestError {}

impl IngestError {
    /// A missing column's error with the delimiter its header was split at.
    pub(crate) fn split_at(mut self, d: u8) -> IngestError {
        if let IngestError::MissingColumn { delimiter, .. } = &mut self {
            *delimiter = Some(d);
        }
        self
    }
}

/// `'a', 'b' or 'c'` (at most 12 names, then how many more).
fn quoted_list(names: &[String], last: &str) -> String {
    if names.is_empty() {
        return "(none)".to_string();
    }
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("'{n}'")).collect();
    let mut text = match shown.len() {
        1 => shown[0].clone(),
        n => format!("{} {last} {}", shown[..n - 1].join(", "), shown[n - 1]),
    };
    if names.len() > shown.len() {
        text.push_str(&format!(" (and {} more)", names.len() - shown.len()));
    }
    text
}

/// Told the number of input bytes read so far, block by block (progress).
pub type OnBytes<'a> = &'a (dyn Fn(u64) + Sync);

/// How to read the files.
#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    pub policy: &'a Policy,
    /// How the files are shaped (`Profile::native` for the contract's).
    pub profile: &'a Profile,
    /// `--customers`: the plan of each organization.
    pub customers: Option<&'a Customers>,
    /// `--encoding` of the CSV files (JSON is UTF-8 by definition).
    pub encoding: Encoding,
    pub zone: InputZone,
    /// Tickets created after it are skipped (with their changes).
    pub as_of: Option<i64>,
    /// `Some(b',')` or `Some(b';')` forces the delimiter for every file.
    pub delimiter: Option<u8>,
    /// Tickets created outside it are counted as outside (with their changes).
    pub period: Option<&'a Period>,
    /// Called with each block's size as it is read.
    pub on_bytes: Option<OnBytes<'a>>,
    /// The longest record allowed, in bytes without its line end (a
    /// header, a row, or a quoted text over several lines); a longer one
    /// is fatal. It bounds memory whatever the input (`/dev/zero`).
    pub max_record: usize,
}

impl ReadOptions<'_> {
    /// The zone of the ticket files' offsetless timestamps: the profile's
    /// own for that kind (a fact of the source), else the input zone.
    pub(crate) fn ticket_zone(&self) -> InputZone {
        self.profile
            .tickets
            .timezone
            .map_or(self.zone, InputZone::new)
    }

    /// As `ticket_zone`, for the history files.
    pub(crate) fn change_zone(&self) -> InputZone {
        self.profile
            .changes
            .timezone
            .map_or(self.zone, InputZone::new)
    }
}

/// `ReadOptions::max_record` unless `--max-record-size` says otherwise:
/// far above any real export row, small enough for any machine.
pub const DEFAULT_MAX_RECORD: usize = 64 << 20;

/// How the files are cut for parallel work: blocks read at a time, and
/// chunks of a block parsed in parallel. Any sizes give the same result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub block: usize,
    pub chunk: usize,
}

impl Default for Sizes {
    fn default() -> Sizes {
        Sizes {
            block: 16 << 20,
            chunk: 1 << 20,
        }
    }
}

/// Reads every ticket file, then every change file, as one data set.
pub fn load(
    ticket_paths: &[String],
    change_paths: &[String],
    opts: &ReadOptions<'_>,
) -> Result<Dataset, IngestError> {
    load_with(ticket_paths, change_paths, opts, Sizes::default())
}

/// `load` with explicit block and chunk sizes.
pub fn load_with(
    ticket_paths: &[String],
    change_paths: &[String],
    opts: &ReadOptions<'_>,
    sizes: Sizes,
) -> Result<Dataset, IngestError> {
    let mut ds = Dataset::default();
    let mut merge = tickets::TicketMerge::default();
    for path in ticket_paths {
        tickets::load_tickets(path, opts, &mut ds, &mut merge, sizes)?;
    }
    for path in change_paths {
        changes::load_changes(path, opts, &mut ds, &merge.row_ticket, sizes)?;
    }
    if opts.profile.export_priority == ExportPriority::Current {
        submitted::settle(&mut ds, opts.policy.default_priority);
    }
    ds.ids.finish();
    Ok(ds)
}

/// The default `as_of`: the latest `created_at`, `first_response_at` or
/// `changed_at` of the accepted rows; `None` when nothing was accepted.
pub fn default_as_of(ds: &Dataset) -> Option<i64> {
    let tickets = ds
        .tickets
        .par_iter()
        .map(|t| t.response.map_or(t.created, |r| r.max(t.created)))
        .max();
    let changes = ds.changes.par_iter().map(|c| c.changed_at).max();
    tickets.max(changes).max(ds.outside_latest)
}

#[cfg(test)]
mod tests {
    use super::ids::{ENTRY_BITS, SHARDS};
    use super::*;
    use crate::timestamp;

    fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// Reading options for the tests: UTC, delimiter detected, no period.
    fn options(policy: &Policy, as_of: Option<i64>) -> ReadOptions<'_> {
        ReadOptions {
            policy,
            profile: Profile::native_ref(),
            customers: None,
            encoding: Encoding::Utf8,
            zone: InputZone::Utc,
            as_of,
            delimiter: None,
            period: None,
            on_bytes: None,
            max_record: DEFAULT_MAX_RECORD,
        }
    }

    /// Everything a load produced, as comparable text.
    fn summary(ds: &Dataset) -> Vec<String> {
        let mut out: Vec<String> = ds
            .tickets
            .iter()
            .map(|t| {
                format!(
                    "T {} {} {:?} {} {}",
                    ds.id(t),
                    t.created,
                    t.response,
                    t.submitted,
                    ds.stage(t)
                )
            })
            .collect();
        out.extend(
            ds.changes
                .iter()
                .map(|c| format!("C {} {} {}", c.ticket, c.changed_at, c.to)),
        );
        out.extend(
            ds.rejects
                .iter()
                .map(|r| format!("R {} {} {:?} {:?}", r.file, r.line, r.reason, r.record)),
        );
        out.extend(ds.files.iter().map(|f| {
            format!(
                "F {} {} {} {} {} {}",
                f.sha256,
                f.counts.read,
                f.counts.accepted,
                f.counts.rejected,
                f.counts.skipped,
                f.warnings
            )
        }));
        out
    }

    #[test]
    fn block_and_chunk_sizes_never_change_the_result() {
        let dir = std::env::temp_dir().join(format!("sla-ingest-sizes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut tickets =
            b"\xEF\xBB\xBFticket_id,created_at,first_response_at,plan,priority,product_stage\r\n"
                .to_vec();
        for i in 0..60 {
            let row = match i % 6 {
                0 => format!("A{i},2026-03-02T08:00Z,2026-03-02T09:00Z,Professional,1,\r\n"),
                1 => format!(
                    "\"A{i}\",2026-03-02T08:00Z,,Advanced,2,\"multi\nline \"\"stage\"\"\"\n\n"
                ),
                2 => format!("A{i},2026-03-02T08:00Z,,basic,3,x\r"),
                3 => format!("A{i},bad,,Professional,1,\n"),
                4 => format!("A{i},2026-03-02T08:00Z,,Professional,1,caf\u{e9}\r\n"),
                _ => format!("A{i},2026-03-02T08:00Z,,Professional\n"),
            };
            tickets.extend_from_slice(row.as_bytes());
        }
        tickets.extend_from_slice(b"BAD,2026-03-02T08:00Z,,Professional,1,\xE9t\xE9\n");
        tickets.extend_from_slice(
            b"A1,2026-03-02T08:00Z,,Professional,1,dup\nLAST,2026-03-02T08:00Z,,Basic,\"1\",\"open",
        );
        let mut changes = b"ticket_id,changed_at,to_priority\n".to_vec();
        for i in 0..40 {
            changes.extend_from_slice(
                format!("A{i},2026-03-02T08:30Z,{}\r\n\r\n", 1 + i % 3).as_bytes(),
            );
        }
        let t = write(&dir, "tickets.csv", &tickets);
        let c = write(&dir, "changes.csv", &changes);
        let policy = Policy::embedded();
        let opts = options(&policy, None);
        let paths = (vec![t], vec![c]);
        let reference = summary(&load(&paths.0, &paths.1, &opts).unwrap());
        assert!(reference.len() > 100);
        for block in [1, 2, 3, 7, 64, 1000] {
            for chunk in [1, 5, 33, 4096] {
                let ds = load_with(&paths.0, &paths.1, &opts, Sizes { block, chunk }).unwrap();
                assert_eq!(summary(&ds), reference, "block {block} chunk {chunk}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Regression: a record had no size bound (a 200 MB field took 1.2 GB,
    /// `/dev/zero` grew until the allocator aborted). A record longer than
    /// `max_record` bytes (without its line end) is fatal, naming the file
    /// and the line it starts on, the first such record in file order
    /// whatever the block and chunk sizes; one of exactly `max_record`
    /// bytes is read as usual.
    #[test]
    fn a_record_over_the_limit_is_fatal_with_its_line_whatever_the_sizes() {
        let dir = std::env::temp_dir().join(format!("sla-ingest-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let policy = Policy::embedded();
        let limit = 120;
        let opts = ReadOptions {
            max_record: limit,
            ..options(&policy, None)
        };
        let header = "ticket_id,created_at,plan,subject\n";
        let row = |id: &str, subject: &str| format!("{id},2026-03-02T08:00:00Z,Basic,{subject}\n");
        let fill = |row_len: usize, quoted: bool| {
            // a subject that makes the record `row_len` bytes long
            let fixed = row("X-0", "").len() - 1;
            let n = row_len - fixed - if quoted { 2 } else { 0 };
            let text = "y\n".repeat(n / 2) + &"y".repeat(n % 2);
            if quoted {
                format!("\"{text}\"")
            } else {
                "y".repeat(n)
            }
        };
        let exactly = row("X-1", &fill(limit, true));
        assert_eq!(exactly.len(), limit + 1);
        let mut text = format!("\r\n{header}{}\n{exactly}", row("A-1", "ok"));
        // the first record over the limit starts after the one at the limit
        let over_from = 5 + exactly.matches('\n').count() as u64;
        text.push_str(&row("X-2", &fill(limit + 1, true)));
        text.push_str(&row("X-3", &fill(limit * 3, false)));
        let path = write(&dir, "tickets.csv", text.as_bytes());
        let expect = format!(
            "{path}:{over_from}: record longer than {limit} bytes (raise the limit with \
             --max-record-size)"
        );
        let fine = format!("\r\n{header}{exactly}{}", row("A-1", "ok"));
        let fine = write(&dir, "fine.csv", fine.as_bytes());
        let open = format!(
            "{header}{}",
            &row("X-4", &fill(limit * 2, true))[..limit + 40]
        );
        let open = write(&dir, "open.csv", open.as_bytes());
        let long_header = format!("ticket_id,created_at,plan,{}\n", "h".repeat(limit));
        let long_header = write(&dir, "header.csv", long_header.as_bytes());
        for block in [1, 2, 7, 64, 150, 1000, 16 << 20] {
            for chunk in [1, 33, 4096] {
                let sizes = Sizes { block, chunk };
                let load = |path: &str| load_with(&[path.to_string()], &[], &opts, sizes);
                let at = format!("block {block} chunk {chunk}");
                assert_eq!(load(&path).unwrap_err().to_string(), expect, "{at}");
                let ds = load(&fine).unwrap_or_else(|e| panic!("{at}: {e}"));
                assert_eq!((ds.tickets.len(), ds.rejects.len()), (2, 0), "{at}");
                let err = load(&open).unwrap_err().to_string();
                assert!(
                    err.starts_with(&format!("{open}:2: record longer")),
                    "{at}: {err}"
                );
                let err = load(&long_header).unwrap_err().to_string();
                assert!(
                    err.starts_with(&format!("{long_header}:1: record longer")),
                    "{at}: {err}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Ids spread over every shard, blocks and chunks: duplicates, rows
    /// rejected before a good row with their id, skipped tickets and the
    /// changes of each must come out as a plain sequential reading of the
    /// rules says (the first row with an id decides; a rejected row only
    /// claims an id nobody had; a skipped ticket wins over rejected rows).
    #[test]
    fn id_checks_across_shards_match_a_sequential_reading() {
        use std::collections::HashMap;
        #[derive(Clone, Copy, PartialEq, Debug)]
        enum St {
            Rejected,
            Skipped,
            Accepted(u32),
        }
        let dir = std::env::temp_dir().join(format!("sla-ingest-ids-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let as_of = "2026-03-20T00:00:00Z";
        let mut tickets = b"ticket_id,created_at,first_response_at,plan\n".to_vec();
        let (mut state, mut accepted) = (HashMap::new(), 0u32);
        let mut expect_rejects = Vec::new();
        let mut expect_tickets = Vec::new();
        let mut line = 1u64;
        for k in 0..3000u64 {
            line += 1;
            if k % 97 == 5 {
                // blank lines: skipped, but counted
                tickets.extend_from_slice(b"\n\n");
                line += 2;
            }
            let id = format!("id-{}", next(400));
            let (row, reason) = match next(10) {
                0 => (
                    format!("{id},not-a-time,,Basic\n"),
                    Some(Reason::BadTimestamp),
                ),
                1 => (format!("{id},,,Basic,extra\n"), Some(Reason::MalformedRow)),
                2 => (
                    format!("{id},2026-03-02T10:00:00Z,2026-03-02T09:00:00Z,Basic\n"),
                    None,
                ),
                3 => (format!("{id},2026-03-25T10:00:00Z,,Basic\n"), None),
                _ => (format!("{id},2026-03-02T10:00:00Z,,Basic\n"), None),
            };
            tickets.extend_from_slice(row.as_bytes());
            let reason = match reason {
                Some(Reason::MalformedRow) => Some(Reason::MalformedRow),
                Some(r) => {
                    state.entry(id.clone()).or_insert(St::Rejected);
                    Some(r)
                }
                None if matches!(state.get(&id), Some(St::Skipped | St::Accepted(_))) => {
                    Some(Reason::DuplicateTicketId)
                }
                None if row.contains("09:00:00Z") => {
                    state.entry(id.clone()).or_insert(St::Rejected);
                    Some(Reason::ResponseBeforeCreated)
                }
                None if row.contains("03-25") => {
                    state.insert(id.clone(), St::Skipped);
                    None
                }
                None => {
                    state.insert(id.clone(), St::Accepted(accepted));
                    accepted += 1;
                    expect_tickets.push(id.clone());
                    None
                }
            };
            if let Some(r) = reason {
                expect_rejects.push((0, line, r));
            }
        }
        let mut changes = b"ticket_id,changed_at,to_priority\n".to_vec();
        let mut expect_changes = Vec::new();
        for line in 2..1002u64 {
            let id = format!("id-{}", next(420));
            changes.extend_from_slice(format!("{id},2026-03-02T11:00:00Z,2\n").as_bytes());
            match state.get(&id) {
                None => expect_rejects.push((1, line, Reason::UnknownTicket)),
                Some(St::Rejected) => expect_rejects.push((1, line, Reason::TicketRejected)),
                Some(St::Skipped) => {}
                Some(St::Accepted(t)) => expect_changes.push(*t),
            }
        }
        let t = write(&dir, "tickets.csv", &tickets);
        let c = write(&dir, "changes.csv", &changes);
        let policy = Policy::embedded();
        let opts = options(
            &policy,
            Some(timestamp::parse(as_of, InputZone::Utc).unwrap()),
        );
        for sizes in [
            Sizes::default(),
            Sizes {
                block: 4096,
                chunk: 300,
            },
        ] {
            let ds = load_with(
                std::slice::from_ref(&t),
                std::slice::from_ref(&c),
                &opts,
                sizes,
            )
            .unwrap();
            let got: Vec<&str> = ds.tickets.iter().map(|t| ds.id(t)).collect();
            assert_eq!(got, expect_tickets, "{sizes:?}");
            let got: Vec<(usize, u64, Reason)> = ds
                .rejects
                .iter()
                .map(|r| (r.file, r.line, r.reason))
                .collect();
            assert_eq!(got, expect_rejects, "{sizes:?}");
            let got: Vec<u32> = ds.changes.iter().map(|c| c.ticket).collect();
            assert_eq!(got, expect_changes, "{sizes:?}");
            let shards: std::collections::HashSet<u32> =
                ds.tickets.iter().map(|t| t.id >> ENTRY_BITS).collect();
            assert_eq!(shards.len(), SHARDS, "every shard holds accepted ids");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
