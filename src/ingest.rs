//! Ingest: ticket and priority-change CSV files -> accepted rows, rejects with
//! file, line and reason, and per-file accounting (CONTRACT.md section 3).
//!
//! Records are split by the `csv` crate (lenient quoting, LF / CRLF / lone CR
//! line ends); this module adds what an audit needs on top: the 1-based line
//! where each record starts, the raw record text for `rejects.csv`, and the
//! contract's reject reasons in its check order.

use std::collections::HashMap;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::labels::{ChangedBy, Labels};
use crate::period::Period;
use crate::policy::Policy;
use crate::timestamp::{self, InputZone, TsError};

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
            TsError::Bad => Reason::BadTimestamp,
            TsError::Nonexistent => Reason::NonexistentLocalTime,
        }
    }
}

/// Per-file accounting for run.json: read = accepted + rejected + skipped
/// + outside (the last only with a period selection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    /// The path as given on the command line.
    pub path: String,
    pub kind: Kind,
    pub sha256: String,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
    /// Tickets created outside the selected period, and their changes.
    pub outside: u64,
    /// `from_priority` mismatches at or before `as_of` (filled by the replay).
    pub warnings: u64,
}

/// One rejected record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Index into `Dataset::files`.
    pub file: usize,
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
    pub reason: Reason,
    /// The raw record without its line end; invalid UTF-8 as U+FFFD.
    pub record: String,
}

/// An accepted ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: Box<str>,
    pub created: i64,
    /// The first response, when the file has one (may lie after `as_of`).
    pub response: Option<i64>,
    /// Index into `Policy::plans`.
    pub plan: usize,
    pub submitted: u32,
    pub stage: Box<str>,
    pub excluded: bool,
    /// Index into `Dataset::groups` (0: empty or no `group` column).
    pub group: u32,
    /// Index into `Dataset::assignees` (0: empty or no `assignee` column).
    pub assignee: u32,
}

/// An accepted priority change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Index into `Dataset::tickets`.
    pub ticket: u32,
    pub changed_at: i64,
    pub to: u32,
    pub from: Option<u32>,
    /// Index into `Dataset::files`.
    pub file: u32,
    /// The `changed_by` column, classified.
    pub by: ChangedBy,
}

/// Everything read from the input files.
#[derive(Debug, Default)]
pub struct Dataset {
    /// Accepted tickets in input order (files in the order given, then line).
    pub tickets: Vec<Ticket>,
    /// Accepted changes in input order.
    pub changes: Vec<Change>,
    /// Ticket files first, then change files, in command-line order.
    pub files: Vec<FileStats>,
    /// Ticket files first, then change files, each in line order.
    pub rejects: Vec<Reject>,
    /// Names of the optional ticket columns `group` and `assignee`.
    pub groups: Labels,
    pub assignees: Labels,
    /// The latest timestamp of the rows outside the selected period (for the
    /// default `as_of`, which the period selection does not move).
    pub outside_latest: Option<i64>,
}

/// A fatal input error: one message naming the file.
#[derive(Debug)]
pub enum IngestError {
    Read { path: String, error: std::io::Error },
    Empty { path: String },
    HeaderNotUtf8 { path: String },
    MissingColumn { path: String, column: &'static str },
    Csv { path: String, message: String },
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IngestError::Read { path, error } => write!(f, "{path}: cannot read: {error}"),
            IngestError::Empty { path } => write!(f, "{path}: empty file, missing header row"),
            IngestError::HeaderNotUtf8 { path } => {
                write!(f, "{path}:1: header row is not valid UTF-8")
            }
            IngestError::MissingColumn { path, column } => {
                write!(f, "{path}:1: missing required column '{column}'")
            }
            IngestError::Csv { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for IngestError {}

/// How to read the files.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions<'a> {
    pub policy: &'a Policy,
    pub zone: InputZone,
    /// Tickets created after it are skipped (with their changes).
    pub as_of: Option<i64>,
    /// `Some(b',')` or `Some(b';')` forces the delimiter for every file.
    pub delimiter: Option<u8>,
    /// Tickets created outside it are counted as outside (with their changes).
    pub period: Option<&'a Period>,
}

/// What is known about a ticket id, for duplicates and for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdState {
    Accepted(u32),
    Skipped,
    /// Accepted but created outside the selected period.
    Outside,
    /// Only in rows rejected for a reason other than `malformed_row`.
    Rejected,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The delimiter of a file: `;` when its header line has `;` and no `,`.
pub fn detect_delimiter(data: &[u8]) -> u8 {
    let data = data.strip_prefix(UTF8_BOM).unwrap_or(data);
    let end = data
        .iter()
        .position(|&c| c == b'\n' || c == b'\r')
        .unwrap_or(data.len());
    let header = &data[..end];
    if header.contains(&b';') && !header.contains(&b',') {
        b';'
    } else {
        b','
    }
}

/// One CSV record with where it stands in its file.
struct RawRecord<'d> {
    line: u64,
    raw: &'d [u8],
}

/// Splits a file into records with their start line and raw bytes.
struct Records<'d> {
    data: &'d [u8],
    reader: csv::Reader<&'d [u8]>,
    record: csv::ByteRecord,
    /// Byte offset (in `data`) up to which lines are counted, and its line.
    counted_to: usize,
    line: u64,
}

impl<'d> Records<'d> {
    fn new(data: &'d [u8], delimiter: u8) -> Records<'d> {
        let data = data.strip_prefix(UTF8_BOM).unwrap_or(data);
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(data);
        Records {
            data,
            reader,
            record: csv::ByteRecord::new(),
            counted_to: 0,
            line: 1,
        }
    }

    /// Advances the line count over `data[counted_to..to]`.
    fn count_lines_to(&mut self, to: usize) {
        let bytes = &self.data[self.counted_to..to];
        let mut n = 0u64;
        for (i, &c) in bytes.iter().enumerate() {
            if c == b'\n' {
                n += 1;
            } else if c == b'\r' {
                // a CR followed by LF is one line end (the LF counts)
                let next = bytes
                    .get(i + 1)
                    .copied()
                    .or_else(|| self.data.get(to).copied());
                if next != Some(b'\n') {
                    n += 1;
                }
            }
        }
        self.line += n;
        self.counted_to = to;
    }

    /// The next record, or `None` at the end of the file.
    fn next_record(&mut self) -> Result<Option<RawRecord<'d>>, csv::Error> {
        let before = self.reader.position().byte() as usize;
        if !self.reader.read_byte_record(&mut self.record)? {
            return Ok(None);
        }
        let after = (self.reader.position().byte() as usize).min(self.data.len());
        // The reader's position before a record may stand before blank lines
        // that it skipped: the record starts at the first non-terminator byte.
        let mut start = before;
        while start < after && matches!(self.data[start], b'\n' | b'\r') {
            start += 1;
        }
        let mut end = after;
        if end > start && self.data[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && self.data[end - 1] == b'\r' {
            end -= 1;
        }
        self.count_lines_to(start);
        let line = self.line;
        Ok(Some(RawRecord {
            line,
            raw: &self.data[start..end],
        }))
    }
}

/// Column positions of one file.
struct Columns {
    width: usize,
    index: HashMap<String, usize>,
}

impl Columns {
    fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

fn open_file(path: &str, kind: Kind) -> Result<(Vec<u8>, FileStats), IngestError> {
    let data = std::fs::read(path).map_err(|error| IngestError::Read {
        path: path.to_string(),
        error,
    })?;
    let sha256 = hex(&Sha256::digest(&data));
    let stats = FileStats {
        path: path.to_string(),
        kind,
        sha256,
        read: 0,
        accepted: 0,
        rejected: 0,
        skipped: 0,
        outside: 0,
        warnings: 0,
    };
    Ok((data, stats))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn read_header(
    records: &mut Records<'_>,
    path: &str,
    required: &[&'static str],
) -> Result<Columns, IngestError> {
    let csv_err = |e: csv::Error| IngestError::Csv {
        path: path.to_string(),
        message: e.to_string(),
    };
    if records.next_record().map_err(csv_err)?.is_none() {
        return Err(IngestError::Empty {
            path: path.to_string(),
        });
    }
    let mut index = HashMap::new();
    let width = records.record.len();
    for (i, field) in records.record.iter().enumerate() {
        let name = std::str::from_utf8(field).map_err(|_| IngestError::HeaderNotUtf8 {
            path: path.to_string(),
        })?;
        index.entry(name.trim().to_lowercase()).or_insert(i);
    }
    for &column in required {
        if !index.contains_key(column) {
            return Err(IngestError::MissingColumn {
                path: path.to_string(),
                column,
            });
        }
    }
    Ok(Columns { width, index })
}

/// The trimmed UTF-8 fields of a record, or `malformed_row`.
fn decode(record: &csv::ByteRecord, width: usize) -> Result<Vec<&str>, Reason> {
    if record.len() != width {
        return Err(Reason::MalformedRow);
    }
    record
        .iter()
        .map(|f| {
            std::str::from_utf8(f)
                .map(str::trim)
                .map_err(|_| Reason::MalformedRow)
        })
        .collect()
}

fn field<'a>(values: &[&'a str], column: Option<usize>) -> &'a str {
    column.map_or("", |i| values[i])
}

struct TicketColumns {
    id: Option<usize>,
    created: Option<usize>,
    response: Option<usize>,
    plan: Option<usize>,
    priority: Option<usize>,
    stage: Option<usize>,
    group: Option<usize>,
    assignee: Option<usize>,
}

struct ChangeColumns {
    id: Option<usize>,
    changed_at: Option<usize>,
    to: Option<usize>,
    from: Option<usize>,
    by: Option<usize>,
}

/// A ticket row that passed the field checks.
struct ParsedTicket<'a> {
    id: &'a str,
    created: i64,
    response: Option<i64>,
    plan: usize,
    priority: u32,
    stage: &'a str,
}

fn parse_ticket<'a>(
    values: &[&'a str],
    cols: &TicketColumns,
    opts: &ReadOptions<'_>,
) -> Result<ParsedTicket<'a>, Reason> {
    let id = field(values, cols.id);
    let created_text = field(values, cols.created);
    let plan_text = field(values, cols.plan);
    if id.is_empty() || created_text.is_empty() || plan_text.is_empty() {
        return Err(Reason::MissingField);
    }
    let created = timestamp::parse(created_text, opts.zone)?;
    let response_text = field(values, cols.response);
    let response = if response_text.is_empty() {
        None
    } else {
        Some(timestamp::parse(response_text, opts.zone)?)
    };
    let plan = opts
        .policy
        .find_plan(plan_text)
        .ok_or(Reason::UnknownPlan)?;
    let priority_text = field(values, cols.priority);
    let priority = if priority_text.is_empty() {
        opts.policy.default_priority
    } else {
        opts.policy
            .parse_priority(priority_text)
            .ok_or(Reason::BadPriority)?
    };
    Ok(ParsedTicket {
        id,
        created,
        response,
        plan,
        priority,
        stage: field(values, cols.stage),
    })
}

/// Reads every ticket file, then every change file, as one data set.
pub fn load(
    ticket_paths: &[String],
    change_paths: &[String],
    opts: &ReadOptions<'_>,
) -> Result<Dataset, IngestError> {
    let mut ds = Dataset::default();
    let mut ids: HashMap<Box<str>, IdState> = HashMap::new();
    for path in ticket_paths {
        load_tickets(path, opts, &mut ds, &mut ids)?;
    }
    for path in change_paths {
        load_changes(path, opts, &mut ds, &ids)?;
    }
    Ok(ds)
}

fn delimiter_for(data: &[u8], opts: &ReadOptions<'_>) -> u8 {
    opts.delimiter.unwrap_or_else(|| detect_delimiter(data))
}

fn load_tickets(
    path: &str,
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    ids: &mut HashMap<Box<str>, IdState>,
) -> Result<(), IngestError> {
    let (data, mut stats) = open_file(path, Kind::Tickets)?;
    let file = ds.files.len();
    let mut records = Records::new(&data, delimiter_for(&data, opts));
    let columns = read_header(&mut records, path, &["ticket_id", "created_at", "plan"])?;
    let cols = TicketColumns {
        id: columns.get("ticket_id"),
        created: columns.get("created_at"),
        response: columns.get("first_response_at"),
        plan: columns.get("plan"),
        priority: columns.get("priority"),
        stage: columns.get("product_stage"),
        group: columns.get("group"),
        assignee: columns.get("assignee"),
    };
    ds.groups.present |= cols.group.is_some();
    ds.assignees.present |= cols.assignee.is_some();
    loop {
        let rec = match records.next_record() {
            Ok(Some(rec)) => rec,
            Ok(None) => break,
            Err(e) => {
                return Err(IngestError::Csv {
                    path: path.to_string(),
                    message: e.to_string(),
                })
            }
        };
        stats.read += 1;
        let reject = |reason: Reason| Reject {
            file,
            line: rec.line,
            reason,
            record: String::from_utf8_lossy(rec.raw).into_owned(),
        };
        let values = match decode(&records.record, columns.width) {
            Ok(values) => values,
            Err(reason) => {
                stats.rejected += 1;
                ds.rejects.push(reject(reason));
                continue;
            }
        };
        let outcome = parse_ticket(&values, &cols, opts).and_then(|t| {
            if matches!(
                ids.get(t.id),
                Some(IdState::Accepted(_) | IdState::Skipped | IdState::Outside)
            ) {
                return Err(Reason::DuplicateTicketId);
            }
            if t.response.is_some_and(|r| r < t.created) {
                return Err(Reason::ResponseBeforeCreated);
            }
            Ok(t)
        });
        match outcome {
            Err(reason) => {
                stats.rejected += 1;
                ds.rejects.push(reject(reason));
                let id = field(&values, cols.id);
                if !id.is_empty() && !ids.contains_key(id) {
                    ids.insert(id.into(), IdState::Rejected);
                }
            }
            Ok(t) if opts.as_of.is_some_and(|as_of| t.created > as_of) => {
                stats.skipped += 1;
                // a skipped ticket wins over rejected rows with its id
                ids.insert(t.id.into(), IdState::Skipped);
            }
            Ok(t)
                if opts
                    .period
                    .is_some_and(|p| !p.contains(opts.policy.timezone, t.created)) =>
            {
                stats.outside += 1;
                let latest = t.response.map_or(t.created, |r| r.max(t.created));
                ds.outside_latest = ds.outside_latest.max(Some(latest));
                ids.insert(t.id.into(), IdState::Outside);
            }
            Ok(t) => {
                stats.accepted += 1;
                let index = ds.tickets.len() as u32;
                ids.insert(t.id.into(), IdState::Accepted(index));
                ds.tickets.push(Ticket {
                    id: t.id.into(),
                    created: t.created,
                    response: t.response,
                    plan: t.plan,
                    submitted: t.priority,
                    stage: t.stage.into(),
                    excluded: !t.stage.is_empty() && opts.policy.is_excluded_stage(t.stage),
                    group: ds.groups.intern(field(&values, cols.group)),
                    assignee: ds.assignees.intern(field(&values, cols.assignee)),
                });
            }
        }
    }
    ds.files.push(stats);
    Ok(())
}

fn load_changes(
    path: &str,
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    ids: &HashMap<Box<str>, IdState>,
) -> Result<(), IngestError> {
    let (data, mut stats) = open_file(path, Kind::Changes)?;
    let file = ds.files.len();
    let mut records = Records::new(&data, delimiter_for(&data, opts));
    let columns = read_header(
        &mut records,
        path,
        &["ticket_id", "changed_at", "to_priority"],
    )?;
    let cols = ChangeColumns {
        id: columns.get("ticket_id"),
        changed_at: columns.get("changed_at"),
        to: columns.get("to_priority"),
        from: columns.get("from_priority"),
        by: columns.get("changed_by"),
    };
    loop {
        let rec = match records.next_record() {
            Ok(Some(rec)) => rec,
            Ok(None) => break,
            Err(e) => {
                return Err(IngestError::Csv {
                    path: path.to_string(),
                    message: e.to_string(),
                })
            }
        };
        stats.read += 1;
        let parsed = decode(&records.record, columns.width).and_then(|values| {
            let id = field(&values, cols.id);
            let changed_text = field(&values, cols.changed_at);
            let to_text = field(&values, cols.to);
            if id.is_empty() || changed_text.is_empty() || to_text.is_empty() {
                return Err(Reason::MissingField);
            }
            let changed_at = timestamp::parse(changed_text, opts.zone)?;
            let to = opts
                .policy
                .parse_priority(to_text)
                .ok_or(Reason::BadPriority)?;
            let from_text = field(&values, cols.from);
            let from = if from_text.is_empty() {
                None
            } else {
                Some(
                    opts.policy
                        .parse_priority(from_text)
                        .ok_or(Reason::BadPriority)?,
                )
            };
            let by = ChangedBy::parse(field(&values, cols.by));
            match ids.get(id) {
                Some(&state) => Ok((state, changed_at, to, from, by)),
                None => Err(Reason::UnknownTicket),
            }
        });
        match parsed {
            Ok((IdState::Accepted(ticket), changed_at, to, from, by)) => {
                stats.accepted += 1;
                ds.changes.push(Change {
                    ticket,
                    changed_at,
                    to,
                    from,
                    file: file as u32,
                    by,
                });
            }
            Ok((IdState::Skipped, ..)) => stats.skipped += 1,
            Ok((IdState::Outside, changed_at, ..)) => {
                stats.outside += 1;
                ds.outside_latest = ds.outside_latest.max(Some(changed_at));
            }
            Ok((IdState::Rejected, ..)) | Err(_) => {
                let reason = match parsed {
                    Err(reason) => reason,
                    _ => Reason::TicketRejected,
                };
                stats.rejected += 1;
                ds.rejects.push(Reject {
                    file,
                    line: rec.line,
                    reason,
                    record: String::from_utf8_lossy(rec.raw).into_owned(),
                });
            }
        }
    }
    ds.files.push(stats);
    Ok(())
}

/// The default `as_of`: the latest `created_at`, `first_response_at` or
/// `changed_at` of the accepted rows; `None` when nothing was accepted.
pub fn default_as_of(ds: &Dataset) -> Option<i64> {
    let tickets = ds
        .tickets
        .iter()
        .map(|t| t.response.map_or(t.created, |r| r.max(t.created)));
    let changes = ds.changes.iter().map(|c| c.changed_at);
    tickets.chain(changes).chain(ds.outside_latest).max()
}
