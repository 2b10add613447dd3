//! Ingest: ticket and priority-change CSV files -> accepted rows, rejects with
//! file, line and reason, and per-file accounting (CONTRACT.md section 3).
//!
//! Records are split by the `csv` crate (lenient quoting, LF / CRLF / lone CR
//! line ends); this module adds what an audit needs on top: the 1-based line
//! where each record starts, the raw record text for `rejects.csv`, and the
//! contract's reject reasons in its check order.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
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
            TsError::Bad | TsError::OutOfSpan => Reason::BadTimestamp,
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

/// An accepted ticket. Compact: ids and stages live in `Dataset` tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// Index into `Dataset::ids` (see `Dataset::id`).
    pub id: u32,
    /// Index into `Policy::plans`.
    pub plan: u16,
    pub excluded: bool,
    pub submitted: u32,
    /// Index into `Dataset::stages` (see `Dataset::stage`).
    pub stage: u32,
    pub created: i64,
    /// The first response, when the file has one (may lie after `as_of`).
    pub response: Option<i64>,
    /// Index into `Dataset::groups` (0: empty or no `group` column).
    pub group: u32,
    /// Index into `Dataset::assignees` (0: empty or no `assignee` column).
    pub assignee: u32,
}

impl Ticket {
    /// Plan index in policy order.
    #[inline]
    pub fn plan(&self) -> usize {
        self.plan as usize
    }
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

/// Ticket ids seen in the ticket files, spread over `SHARDS` tables by a
/// few bits of their hash: rows with different ids never depend on each
/// other, so the duplicate checks run per shard on all cores.
#[derive(Debug)]
pub struct Ids {
    shards: Vec<IdTable>,
}

const SHARD_BITS: u32 = 4;
const SHARDS: usize = 1 << SHARD_BITS;
/// A ticket's id is `shard << ENTRY_BITS | entry`.
const ENTRY_BITS: u32 = 32 - SHARD_BITS;
const ENTRY_MASK: u32 = (1 << ENTRY_BITS) - 1;

/// The shard of an id's hash: bits that neither the table's bucket index
/// (low bits) nor the tags (high bits) use.
fn shard_of(hash: u64) -> usize {
    (hash >> 24) as usize & (SHARDS - 1)
}

impl Default for Ids {
    fn default() -> Ids {
        Ids {
            shards: (0..SHARDS).map(|_| IdTable::default()).collect(),
        }
    }
}

impl Ids {
    /// The text of ticket id `id`.
    pub fn get(&self, id: u32) -> &str {
        self.shards[(id >> ENTRY_BITS) as usize].get(id & ENTRY_MASK)
    }

    /// Room for about `entries` more ids of `bytes` bytes in all.
    fn reserve(&mut self, entries: usize, bytes: usize) {
        for shard in &mut self.shards {
            shard.reserve(entries / SHARDS, bytes / SHARDS);
        }
    }

    fn finish(&mut self) {
        for shard in &mut self.shards {
            shard.finish();
        }
    }
}

/// One shard of ticket ids, stored back to back.
#[derive(Debug, Default)]
struct IdTable {
    /// The ids, back to back (text: reading one back needs no UTF-8 check).
    bytes: String,
    /// End offset of entry i in `bytes`.
    ends: Vec<u32>,
    /// Per entry: the accepted ticket's row position, `UNSEEN`, `SKIPPED`,
    /// `OUTSIDE` or `REJECTED`.
    state: Vec<u32>,
    /// The lookup index. Dropped once the files are read.
    index: IdIndex,
}

/// An open-addressing index of a shard's entries: each slot holds an
/// entry and the high 32 bits of its id's hash (the tag), or nothing.
/// The tag settles almost every probe without touching the id's bytes (a
/// cache miss each at millions of ids). A slot's place depends on the hash
/// only, so the slot of a row's id can be prefetched rows ahead
/// (`IdIndex::prefetch`): at millions of ids nearly every probe misses the
/// cache, and the readers issue them in a known order.
#[derive(Debug, Default)]
struct IdIndex {
    /// `tag << 32 | entry + 1`; 0 is an empty slot. Length 0 or a power of 2.
    slots: Vec<u64>,
    len: usize,
}

/// The bits of an id's hash that place its slot: neither the shard's bits
/// (24..28, the same for the whole shard) nor the tag's (32..).
fn slot_bits(hash: u64) -> usize {
    ((hash & 0xFF_FFFF) | (hash >> 4 & 0xFFF_FFFF & !0xFF_FFFF)) as usize
}

impl IdIndex {
    /// Slots for `entries` entries at most 3/4 full.
    fn capacity_for(entries: usize) -> usize {
        (entries.max(1) * 4).div_ceil(3).next_power_of_two().max(16)
    }

    /// Room for `more` entries; `hash_of` gives an entry's hash when the
    /// slots must be rebuilt.
    fn reserve(&mut self, more: usize, hash_of: impl Fn(u32) -> u64) {
        // at most 3/4 full already: the common case, on every new id
        if (self.len + more) * 4 <= self.slots.len() * 3 {
            return;
        }
        let need = Self::capacity_for(self.len + more);
        let old = std::mem::replace(&mut self.slots, vec![0; need]);
        let mask = need - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let e = (slot as u32).wrapping_sub(1);
            let mut i = slot_bits(hash_of(e)) & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Asks the CPU to fetch the slot where a probe for `hash` starts.
    #[inline]
    fn prefetch(&self, hash: u64) {
        if self.slots.is_empty() {
            return;
        }
        let slot = &self.slots[slot_bits(hash) & (self.slots.len() - 1)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: prefetching is a hint; any address is allowed, and this
        // one is in bounds.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>((slot as *const u64).cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// The entry whose tag is `hash`'s and for which `is` holds, or the
    /// empty slot where it would go (`Err`).
    #[inline]
    fn probe(&self, hash: u64, is: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let t = tag(hash) as u64;
        let mut i = slot_bits(hash) & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return Err(i);
            }
            let e = (slot as u32).wrapping_sub(1);
            if slot >> 32 == t && is(e) {
                return Ok(e);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Entry `i` of a text arena whose entry k ends at `ends[k]` (ids, and
/// the per-chunk names).
fn entry<'a>(text: &'a str, ends: &[u32], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// Id states besides an accepted row's position: interned but not yet
/// decided; accepted but created outside the selected period; created after
/// `as_of`; only in rows rejected for a reason other than `malformed_row`.
const UNSEEN: u32 = u32::MAX - 3;
const OUTSIDE: u32 = u32::MAX - 2;
const SKIPPED: u32 = u32::MAX - 1;
const REJECTED: u32 = u32::MAX;

fn hash_id(id: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    // a fixed seed: the table's layout never reaches an output, but runs
    // should behave the same
    foldhash::fast::FixedState::with_seed(0x05EE_D1D5).hash_one(id)
}

impl IdTable {
    /// The text of entry `i`.
    fn get(&self, i: u32) -> &str {
        entry(&self.bytes, &self.ends, i)
    }

    /// Room for `entries` more ids of `bytes` bytes in all.
    fn reserve(&mut self, entries: usize, bytes: usize) {
        self.bytes.reserve(bytes);
        self.ends.reserve(entries);
        self.state.reserve(entries);
        self.reserve_index(entries);
    }

    /// Room in the lookup index for `entries` more ids.
    fn reserve_index(&mut self, entries: usize) {
        let (b, e) = (&self.bytes, &self.ends);
        self.index
            .reserve(entries, |x| hash_id(entry(b, e, x).as_bytes()));
    }

    fn find(&self, id: &str, hash: u64) -> Option<u32> {
        if self.index.slots.is_empty() {
            return None;
        }
        self.index.probe(hash, |e| self.get(e) == id).ok()
    }

    /// Frees the lookup index and the per-id states, needed only while the
    /// files are read.
    fn finish(&mut self) {
        self.index = IdIndex::default();
        self.state = Vec::new();
    }

    /// The entry of `id`, added with state `UNSEEN` when new: one lookup.
    /// `ENTRY_MASK` when the shard is full (`ENTRY_MASK` entries, or 4 GiB
    /// of id text).
    fn intern(&mut self, id: &str, hash: u64) -> u32 {
        // the text and per-entry vectors grow as they are pushed to
        self.reserve_index(1);
        let slot = match self.index.probe(hash, |x| self.get(x) == id) {
            Ok(found) => return found,
            Err(slot) => slot,
        };
        let e = self.ends.len() as u32;
        let Ok(end) = u32::try_from(self.bytes.len() + id.len()) else {
            return ENTRY_MASK;
        };
        if e >= ENTRY_MASK {
            return ENTRY_MASK;
        }
        self.index.slots[slot] = (tag(hash) as u64) << 32 | (e as u64 + 1);
        self.index.len += 1;
        self.bytes.push_str(id);
        self.ends.push(end);
        self.state.push(UNSEEN);
        e
    }
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
    /// Names of the optional ticket columns `group` and `assignee`.
    pub groups: Labels,
    pub assignees: Labels,
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

    /// A ticket's stage as written (empty when none).
    #[inline]
    pub fn stage(&self, t: &Ticket) -> &str {
        &self.stages[t.stage as usize]
    }
}

/// A fatal input error: one message naming the file.
#[derive(Debug)]
pub enum IngestError {
    Read { path: String, error: std::io::Error },
    Empty { path: String },
    HeaderNotUtf8 { path: String },
    MissingColumn { path: String, column: &'static str },
    Csv { path: String, message: String },
    TooManyRows { path: String },
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
            IngestError::TooManyRows { path } => write!(
                f,
                "{path}: too many ticket rows: at most {} in all ticket files \
                 (and {} distinct ids, or 4 GiB of id text, per id shard)",
                UNSEEN - 1,
                ENTRY_MASK - 1
            ),
        }
    }
}

impl std::error::Error for IngestError {}

/// Told the number of input bytes read so far, block by block (progress).
pub type OnBytes<'a> = &'a (dyn Fn(u64) + Sync);

/// How to read the files.
#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    pub policy: &'a Policy,
    pub zone: InputZone,
    /// Tickets created after it are skipped (with their changes).
    pub as_of: Option<i64>,
    /// `Some(b',')` or `Some(b';')` forces the delimiter for every file.
    pub delimiter: Option<u8>,
    /// Tickets created outside it are counted as outside (with their changes).
    pub period: Option<&'a Period>,
    /// Called with each block's size as it is read.
    pub on_bytes: Option<OnBytes<'a>>,
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

/// One CSV record with where it stands: its first line, and the byte range
/// of its raw text (without the line end) in the data the reader was given.
struct RawRecord {
    line: u64,
    raw: (usize, usize),
}

/// Splits a byte range of a file into records with their start line, raw
/// bytes and fields. Data with neither CR nor a quote is split directly: each
/// LF ends a record, blank lines are skipped and the delimiter separates the
/// fields, which is all the `csv` crate would do with it. Anything else goes
/// through the `csv` crate.
struct Records<'d> {
    data: &'d [u8],
    /// `None` when plain data is split directly (see `Records::split`).
    csv: Option<CsvRecords<'d>>,
    /// Plain data: the offsets of every delimiter and LF, in order.
    splits: memchr::Memchr2<'d>,
    /// Plain data: offset of the next unread byte.
    pos: usize,
    /// Offset (in `data`) up to which lines are counted, and its line.
    counted_to: usize,
    line: u64,
    /// Whether `data` has any CR (else every line end is a LF).
    has_cr: bool,
    /// Whether `data` has neither CR nor a quote: then no record spans a
    /// line end, and only the bytes between records need counting.
    plain: bool,
}

/// The `csv` crate's reader over a chunk, and its current record.
struct CsvRecords<'d> {
    /// Reads `PAD` then the data: the csv crate strips a BOM at the start
    /// of its input, which must not happen to a record that merely begins
    /// a chunk (nor to a second BOM at the start of a file).
    reader: csv::Reader<std::io::Chain<&'static [u8], &'d [u8]>>,
    record: csv::ByteRecord,
}

/// A blank line read before every chunk (see `CsvRecords::reader`).
const PAD: &[u8] = b"\n";

/// Line ends in `bytes`: LF, CRLF (once) and lone CR. `next` is the byte
/// after the slice, to tell a CR that ends the slice from a CRLF.
fn count_line_ends(bytes: &[u8], next: Option<u8>) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1).copied().or(next) != Some(b'\n'))
        .count() as u64;
    lf + lone_cr
}

impl<'d> Records<'d> {
    /// Records of `data` (a whole file without its BOM, or a chunk that
    /// starts at a record boundary on line `line`).
    fn new(data: &'d [u8], delimiter: u8, line: u64) -> Records<'d> {
        Records::split(data, delimiter, line, true)
    }

    /// As `new`; `direct` false sends plain data through the csv crate too.
    fn split(data: &'d [u8], delimiter: u8, line: u64, direct: bool) -> Records<'d> {
        // one scan in the common case (neither CR nor quote)
        let (plain, has_cr) = match memchr::memchr2(b'\r', b'"', data) {
            None => (true, false),
            Some(i) => (false, memchr::memchr(b'\r', &data[i..]).is_some()),
        };
        // the delimiter (`,` or `;` from the command line, or detected) is
        // checked anyway: a LF or non-ASCII delimiter would change the
        // grammar, so the csv crate would have to decide
        let direct = direct && plain && delimiter.is_ascii() && delimiter != b'\n';
        let csv = (!direct).then(|| CsvRecords {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(std::io::Read::chain(PAD, data)),
            record: csv::ByteRecord::new(),
        });
        // with the csv crate the splits are never read: an empty haystack
        let split_data = if direct { data } else { &[] };
        Records {
            data,
            csv,
            splits: memchr::memchr2_iter(delimiter, b'\n', split_data),
            pos: 0,
            counted_to: 0,
            line,
            has_cr,
            plain,
        }
    }

    fn count_lines_to(&mut self, to: usize) {
        let gap = &self.data[self.counted_to..to];
        self.line += if self.has_cr {
            count_line_ends(gap, self.data.get(to).copied())
        } else {
            // the common case: LF only; a plain loop beats iterator setup
            // on the short gap between two records
            gap.iter().filter(|&&c| c == b'\n').count() as u64
        };
        self.counted_to = to;
    }

    /// Offset in `data` after the last record read.
    fn offset(&self) -> usize {
        match &self.csv {
            None => self.pos,
            Some(csv) => {
                let pos = csv.reader.position().byte() as usize;
                pos.saturating_sub(PAD.len()).min(self.data.len())
            }
        }
    }

    /// The next record, or `None` at the end: its place, its bytes, and in
    /// `fields` the byte range of each field within those bytes.
    fn next_record(
        &mut self,
        fields: &mut Vec<(usize, usize)>,
    ) -> Result<Option<(RawRecord, &[u8])>, csv::Error> {
        fields.clear();
        let (start, end) = match &mut self.csv {
            None => {
                let data = self.data;
                let mut start = self.pos;
                let mut from = start;
                let end = loop {
                    match self.splits.next() {
                        None if start == data.len() => {
                            self.pos = start;
                            return Ok(None);
                        }
                        None => {
                            fields.push((from - start, data.len() - start));
                            break data.len();
                        }
                        // a blank line: no record
                        Some(at) if at == start && data[at] == b'\n' => {
                            start += 1;
                            from = start;
                        }
                        Some(at) => {
                            fields.push((from - start, at - start));
                            if data[at] == b'\n' {
                                break at;
                            }
                            from = at + 1;
                        }
                    }
                };
                self.pos = (end + 1).min(data.len());
                (start, end)
            }
            Some(csv) => {
                let before = csv.reader.position().byte() as usize;
                if !csv.reader.read_byte_record(&mut csv.record)? {
                    return Ok(None);
                }
                let after = csv.reader.position().byte() as usize;
                let clamp = |p: usize| p.saturating_sub(PAD.len()).min(self.data.len());
                let (before, after) = (clamp(before), clamp(after));
                let mut at = 0;
                for field in csv.record.iter() {
                    fields.push((at, at + field.len()));
                    at += field.len();
                }
                // The reader's position before a record may stand before
                // blank lines that it skipped: the record starts at the
                // first non-terminator byte.
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
                (start, end)
            }
        };
        self.count_lines_to(start);
        if self.plain {
            // the record holds no line end: counting resumes after it
            self.counted_to = end;
        }
        let bytes = match &self.csv {
            None => &self.data[start..end],
            Some(csv) => csv.record.as_slice(),
        };
        Ok(Some((
            RawRecord {
                line: self.line,
                raw: (start, end),
            },
            bytes,
        )))
    }
}

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

/// Splits `data[from..]` (whole records) into chunks of about `chunk`
/// bytes that start and end at record boundaries. Without any quote
/// character every line end is a boundary; otherwise `scan_records` finds
/// them.
fn chunk_bounds(data: &[u8], from: usize, delimiter: u8, chunk: usize) -> Vec<(usize, usize)> {
    let mut bounds = Vec::new();
    let mut start = from;
    if memchr::memchr(b'"', &data[from..]).is_none() {
        while start < data.len() {
            let target = (start + chunk).min(data.len());
            let end = match memchr::memchr2(b'\n', b'\r', &data[target..]) {
                None => data.len(),
                Some(i) => {
                    let mut e = target + i + 1;
                    if data[e - 1] == b'\r' && data.get(e) == Some(&b'\n') {
                        e += 1;
                    }
                    e
                }
            };
            bounds.push((start, end));
            start = end;
        }
        return bounds;
    }
    scan_records(&data[from..], delimiter, |end| {
        let end = from + end;
        // never between the CR and LF of a CRLF
        let crlf = data[end - 1] == b'\r' && data.get(end) == Some(&b'\n');
        if end - start >= chunk && !crlf {
            bounds.push((start, end));
            start = end;
        }
    });
    if start < data.len() {
        bounds.push((start, data.len()));
    }
    bounds
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

fn new_stats(path: &str, kind: Kind, sha256: String) -> FileStats {
    FileStats {
        path: path.to_string(),
        kind,
        sha256,
        read: 0,
        accepted: 0,
        rejected: 0,
        skipped: 0,
        outside: 0,
        warnings: 0,
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The header of a file: its delimiter and columns.
struct Header {
    delimiter: u8,
    columns: Columns,
}

/// A block of a file's records: whole records only, from `records_from`,
/// the first of which starts on line `line_after_header`.
struct Body<'d> {
    data: &'d [u8],
    delimiter: u8,
    columns: &'d Columns,
    records_from: usize,
    line_after_header: u64,
}

/// Parses the header record at the start of `data` (BOM already removed);
/// returns it with the offset and line where the records start.
fn read_header(
    data: &[u8],
    path: &str,
    delimiter: u8,
    required: &[&'static str],
) -> Result<(Header, usize, u64), IngestError> {
    let mut records = Records::new(data, delimiter, 1);
    let csv_err = |e: csv::Error| IngestError::Csv {
        path: path.to_string(),
        message: e.to_string(),
    };
    let mut fields = Vec::new();
    let Some((_, bytes)) = records.next_record(&mut fields).map_err(csv_err)? else {
        return Err(IngestError::Empty {
            path: path.to_string(),
        });
    };
    let mut index = HashMap::new();
    let width = fields.len();
    for (i, &(s, e)) in fields.iter().enumerate() {
        let name = std::str::from_utf8(&bytes[s..e]).map_err(|_| IngestError::HeaderNotUtf8 {
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
    let records_from = records.offset();
    records.count_lines_to(records_from);
    Ok((
        Header {
            delimiter,
            columns: Columns { width, index },
        },
        records_from,
        records.line,
    ))
}

/// Reads a file block by block, hashing it on the way. Each block ends at
/// a record boundary (a partial record at its end waits for the next read),
/// so memory stays bounded by the block size, not the file size.
struct BlockReader {
    path: String,
    file: std::fs::File,
    hasher: Sha256,
    carry: Vec<u8>,
    started: bool,
    eof: bool,
    delimiter: Option<u8>,
    /// Line where the next block starts.
    line: u64,
    block: usize,
    read_bytes: u64,
}

/// One block: whole records, the first starting on `line`.
struct Block {
    data: Vec<u8>,
    line: u64,
}

impl BlockReader {
    fn open(path: &str, delimiter: Option<u8>, block: usize) -> Result<BlockReader, IngestError> {
        let file = std::fs::File::open(path).map_err(|error| IngestError::Read {
            path: path.to_string(),
            error,
        })?;
        Ok(BlockReader {
            path: path.to_string(),
            file,
            hasher: Sha256::new(),
            carry: Vec::new(),
            started: false,
            eof: false,
            delimiter,
            line: 1,
            block: block.max(1),
            read_bytes: 0,
        })
    }

    /// Appends up to `n` bytes of the file to `buf`; sets `eof` at the end.
    fn fill(&mut self, buf: &mut Vec<u8>, n: usize) -> Result<(), IngestError> {
        use std::io::Read;
        let start = buf.len();
        buf.reserve(n);
        let mut got = 0;
        while got < n {
            let before = buf.len();
            let res = (&mut self.file).take((n - got) as u64).read_to_end(buf);
            match res {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(k) => got += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    buf.truncate(before);
                }
                Err(error) => {
                    return Err(IngestError::Read {
                        path: self.path.clone(),
                        error,
                    })
                }
            }
        }
        self.hasher.update(&buf[start..]);
        self.read_bytes += (buf.len() - start) as u64;
        Ok(())
    }

    /// The delimiter, known once the first block was read.
    fn delimiter(&self) -> u8 {
        self.delimiter.unwrap_or(b',')
    }

    /// The next block, or `None` after the last.
    fn next_block(&mut self) -> Result<Option<Block>, IngestError> {
        let mut data = std::mem::take(&mut self.carry);
        loop {
            if self.eof {
                if data.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.emit(data, None)));
            }
            self.fill(&mut data, self.block)?;
            if !self.started {
                // Wait for a whole BOM and a whole header record (after any
                // blank lines) before cutting: a small block must not make
                // a file "empty" or strip a second BOM.
                let body = data.strip_prefix(UTF8_BOM).unwrap_or(&data);
                let lead = body
                    .iter()
                    .take_while(|&&c| c == b'\n' || c == b'\r')
                    .count();
                let delimiter = self.delimiter.unwrap_or_else(|| detect_delimiter(body));
                let header_whole = data.len() >= UTF8_BOM.len()
                    && last_record_boundary(body, delimiter).is_some_and(|end| end > lead);
                if !header_whole && !self.eof {
                    continue;
                }
                if data.starts_with(UTF8_BOM) {
                    data.drain(..UTF8_BOM.len());
                }
                self.started = true;
                if self.delimiter.is_none() {
                    self.delimiter = Some(detect_delimiter(&data));
                }
            }
            if self.eof {
                continue;
            }
            if let Some(cut) = last_record_boundary(&data, self.delimiter()) {
                return Ok(Some(self.emit(data, Some(cut))));
            }
        }
    }

    fn emit(&mut self, mut data: Vec<u8>, cut: Option<usize>) -> Block {
        if let Some(cut) = cut {
            self.carry = data[cut..].to_vec();
            data.truncate(cut);
        }
        let line = self.line;
        self.line += count_line_ends(&data, None);
        Block { data, line }
    }

    fn sha256(self) -> String {
        hex(&self.hasher.finalize())
    }
}

/// The next block, telling `opts.on_bytes` how many bytes were read.
fn next_reported(
    reader: &mut BlockReader,
    opts: &ReadOptions<'_>,
) -> Result<Option<Block>, IngestError> {
    let before = reader.read_bytes;
    let block = reader.next_block()?;
    if let Some(on_bytes) = opts.on_bytes {
        on_bytes(reader.read_bytes - before);
    }
    Ok(block)
}

/// The offset after the last record boundary in `data` (which starts at a
/// record boundary), where the rest is a record not yet complete. A line
/// end only counts when what follows is known (a CR may be half a CRLF).
fn last_record_boundary(data: &[u8], delimiter: u8) -> Option<usize> {
    let valid = |i: usize| match data[i] {
        b'\n' => true,
        b'\r' => i + 1 < data.len() && data[i + 1] != b'\n',
        _ => false,
    };
    if memchr::memchr(b'"', data).is_none() {
        return memchr::memrchr2_iter(b'\n', b'\r', data)
            .find(|&i| valid(i))
            .map(|i| i + 1);
    }
    let mut last = None;
    scan_records(data, delimiter, |end| {
        if valid(end - 1) {
            last = Some(end);
        }
    });
    last
}

/// Calls `at` with the offset after every record terminator of `data`
/// (which starts at a record boundary), following the csv crate's quoting:
/// a quote opens a quoted field only at the start of a field.
fn scan_records(data: &[u8], delimiter: u8, mut at: impl FnMut(usize)) {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::FieldStart;
    for (i, &c) in data.iter().enumerate() {
        state = match state {
            S::Quoted => {
                if c == b'"' {
                    S::QuoteInQuoted
                } else {
                    S::Quoted
                }
            }
            S::FieldStart | S::Unquoted | S::QuoteInQuoted => {
                if c == b'\n' || c == b'\r' {
                    at(i + 1);
                    S::FieldStart
                } else if c == delimiter {
                    S::FieldStart
                } else if c == b'"' {
                    match state {
                        S::FieldStart | S::QuoteInQuoted => S::Quoted,
                        _ => S::Unquoted,
                    }
                } else {
                    S::Unquoted
                }
            }
        };
    }
}

/// A chunk of a block: its byte range, the line it starts on and how many
/// line ends it holds (an upper bound on its records, less one).
type Chunk = (usize, usize, u64, u64);

/// Room for the records of a chunk of `len` bytes with `lines` line ends,
/// so that the per-row vectors rarely grow: at most one record a line, but
/// no more than a 32-byte record each (a chunk of blank lines must not
/// reserve a row per byte).
fn row_capacity(lines: u64, len: usize) -> usize {
    (lines as usize + 1).min(len / 32 + 16)
}

/// The chunks of a body with the line each starts on.
fn chunks_with_lines(body: &Body<'_>, chunk: usize) -> Vec<Chunk> {
    let bounds = chunk_bounds(body.data, body.records_from, body.delimiter, chunk.max(1));
    let counts: Vec<u64> = bounds
        .par_iter()
        .map(|&(s, e)| count_line_ends(&body.data[s..e], body.data.get(e).copied()))
        .collect();
    let mut line = body.line_after_header;
    bounds
        .iter()
        .zip(counts)
        .map(|(&(s, e), n)| {
            let at = line;
            line += n;
            (s, e, at, n)
        })
        .collect()
}

/// Validates a record (field count, UTF-8 in every field) given as its
/// bytes and the byte ranges of its fields, and trims those ranges in place;
/// `malformed_row` otherwise.
fn decode<'r>(
    bytes: &'r [u8],
    ranges: &mut [(usize, usize)],
    width: usize,
) -> Result<&'r str, Reason> {
    if ranges.len() != width {
        return Err(Reason::MalformedRow);
    }
    if bytes.is_ascii() {
        // the common case: one pass over the bytes (ASCII is UTF-8), every
        // boundary is a character boundary, and Unicode white space within
        // ASCII is 0x09..=0x0D and the space
        // SAFETY: every byte is ASCII, so `bytes` is valid UTF-8.
        let all = unsafe { std::str::from_utf8_unchecked(bytes) };
        let ws = |c: u8| c == b' ' || (0x09..=0x0D).contains(&c);
        for (s, e) in ranges.iter_mut() {
            while *s < *e && ws(bytes[*s]) {
                *s += 1;
            }
            while *e > *s && ws(bytes[*e - 1]) {
                *e -= 1;
            }
        }
        return Ok(all);
    }
    // One validation for the whole record; a field boundary inside a
    // multi-byte character means a field on its own is invalid.
    let all = std::str::from_utf8(bytes).map_err(|_| Reason::MalformedRow)?;
    for (s, e) in ranges.iter_mut() {
        if !all.is_char_boundary(*s) || !all.is_char_boundary(*e) {
            return Err(Reason::MalformedRow);
        }
        let text = &all[*s..*e];
        let trimmed = text.trim();
        *s += trimmed.as_ptr() as usize - text.as_ptr() as usize;
        *e = *s + trimmed.len();
    }
    Ok(all)
}

/// Read access to a decoded record's trimmed fields.
struct Fields<'r> {
    all: &'r str,
    ranges: &'r [(usize, usize)],
}

impl<'r> Fields<'r> {
    /// The field of `column` ("" when the file has no such column).
    fn get(&self, column: Option<usize>) -> &'r str {
        match column {
            None => "",
            Some(i) => {
                let (s, e) = self.ranges[i];
                &self.all[s..e]
            }
        }
    }
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

/// A range of a chunk's text arena.
type Span = (u32, u32);

/// What a well-formed ticket row becomes if its id is not a duplicate:
/// decided from the row alone (the contract's check order after the
/// duplicate check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    ResponseBeforeCreated,
    /// Created after `as_of`.
    Skip,
    /// Created outside the selected period.
    Outside,
}

/// A ticket row after the checks that need no other row; its id is a span
/// of the chunk's text arena and its stage and labels are chunk-local
/// indices (no allocation per row).
struct ParsedTicket {
    id: Span,
    created: i64,
    response: Option<i64>,
    plan: u16,
    priority: u32,
    stage: u32,
    group: u32,
    assignee: u32,
    verdict: Verdict,
}

/// One ticket record after the per-row checks, in input order.
struct TicketRow {
    line: u64,
    raw: (usize, usize),
    parsed: Result<ParsedTicket, (Reason, Option<Span>)>,
}

/// What the work per id shard needs of a row that carries an id, kept
/// apart from the row: a shard's rows are about one in sixteen, and
/// reading each from the rows would miss the cache nearly every time.
#[derive(Debug, Clone, Copy)]
struct IdRow {
    /// `hash_id` of the id.
    hash: u64,
    /// The id, in the chunk's text arena.
    id: Span,
    /// Index into the chunk's rows.
    row: u32,
    /// A ticket row's verdict; `None` for a rejected ticket row, and for
    /// change rows (only well-formed ones are looked up).
    verdict: Option<Verdict>,
}

/// The distinct texts of one column within one chunk, in first-seen order.
/// Rows hold a chunk-local index, translated to the data set's index when
/// the chunk is merged: the serial work is per distinct text, not per row.
#[derive(Default)]
struct LocalNames {
    text: String,
    ends: Vec<u32>,
    index: hashbrown::HashTable<u32>,
    last: Option<u32>,
    /// The index of the empty text, kept apart: comparing two empty
    /// strings calls `memcmp` with a dangling pointer, which costs a
    /// hundred-cycle fault-suppression assist on AVX-512 machines.
    empty: Option<u32>,
}

impl LocalNames {
    fn get(&self, i: u32) -> &str {
        entry(&self.text, &self.ends, i)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn intern(&mut self, name: &str) -> u32 {
        if name.is_empty() {
            return *self.empty.get_or_insert_with(|| {
                self.ends.push(self.text.len() as u32);
                self.ends.len() as u32 - 1
            });
        }
        if let Some(last) = self.last {
            if self.get(last) == name {
                return last;
            }
        }
        let (text, ends) = (&self.text, &self.ends);
        let get = |i: u32| entry(text, ends, i);
        let hash = hash_id(name.as_bytes());
        let i = match self
            .index
            .entry(hash, |&i| get(i) == name, |&i| hash_id(get(i).as_bytes()))
        {
            hashbrown::hash_table::Entry::Occupied(o) => *o.get(),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let i = ends.len() as u32;
                v.insert(i);
                self.text.push_str(name);
                self.ends.push(self.text.len() as u32);
                i
            }
        };
        self.last = Some(i);
        i
    }
}

/// The rows of one chunk and the texts their spans and indices point into.
struct TicketChunk {
    rows: Vec<TicketRow>,
    text: String,
    /// Timestamp parsers per column: each remembers its column's last date.
    created: timestamp::Parser,
    responses: timestamp::Parser,
    plans: SpellingCache,
    stages: LocalNames,
    groups: LocalNames,
    assignees: LocalNames,
    /// Per id shard, the rows that carry an id, in order.
    by_shard: Vec<Vec<IdRow>>,
    /// Per row, set by the id check: the ticket id (shard and entry) of a
    /// row to accept, or `DUPLICATE`.
    slots: Vec<AtomicU32>,
}

/// `TicketChunk::slots` value of a row whose id an earlier row took.
const DUPLICATE: u32 = u32::MAX;

/// The few spellings of plans met in a chunk, with what they mean: saves
/// the case-insensitive lookup on nearly every row.
#[derive(Default)]
struct SpellingCache {
    seen: Vec<(Box<str>, Option<usize>)>,
}

impl SpellingCache {
    fn get(&mut self, text: &str, lookup: impl Fn(&str) -> Option<usize>) -> Option<usize> {
        if let Some((_, v)) = self.seen.iter().find(|(t, _)| **t == *text) {
            return *v;
        }
        let v = lookup(text);
        if self.seen.len() < 16 {
            self.seen.push((text.into(), v));
        }
        v
    }
}

impl TicketChunk {
    fn push_text(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }

    fn text(&self, (start, len): Span) -> &str {
        &self.text[start as usize..(start + len) as usize]
    }
}

fn parse_ticket(
    values: &Fields<'_>,
    cols: &TicketColumns,
    opts: &ReadOptions<'_>,
    chunk: &mut TicketChunk,
) -> Result<ParsedTicket, Reason> {
    let id = values.get(cols.id);
    let created_text = values.get(cols.created);
    let plan_text = values.get(cols.plan);
    if id.is_empty() || created_text.is_empty() || plan_text.is_empty() {
        return Err(Reason::MissingField);
    }
    let created = chunk.created.parse(created_text, opts.zone)?;
    let response_text = values.get(cols.response);
    let response = if response_text.is_empty() {
        None
    } else {
        Some(chunk.responses.parse(response_text, opts.zone)?)
    };
    let plan = chunk
        .plans
        .get(plan_text, |t| opts.policy.find_plan(t))
        .ok_or(Reason::UnknownPlan)?;
    let priority_text = values.get(cols.priority);
    let priority = if priority_text.is_empty() {
        opts.policy.default_priority
    } else {
        opts.policy
            .parse_priority(priority_text)
            .ok_or(Reason::BadPriority)?
    };
    let verdict = if response.is_some_and(|r| r < created) {
        Verdict::ResponseBeforeCreated
    } else if opts.as_of.is_some_and(|as_of| created > as_of) {
        Verdict::Skip
    } else if opts
        .period
        .is_some_and(|p| !p.contains(opts.policy.timezone, created))
    {
        Verdict::Outside
    } else {
        Verdict::Accept
    };
    Ok(ParsedTicket {
        id: chunk.push_text(id),
        created,
        response,
        plan: plan as u16,
        priority,
        stage: chunk.stages.intern(values.get(cols.stage)),
        group: chunk.groups.intern(values.get(cols.group)),
        assignee: chunk.assignees.intern(values.get(cols.assignee)),
        verdict,
    })
}

fn csv_error(path: &str, e: csv::Error) -> IngestError {
    IngestError::Csv {
        path: path.to_string(),
        message: e.to_string(),
    }
}

fn parse_ticket_chunk(
    body: &Body<'_>,
    (start, end, line, lines): Chunk,
    cols: &TicketColumns,
    opts: &ReadOptions<'_>,
    path: &str,
) -> Result<TicketChunk, IngestError> {
    let chunk = &body.data[start..end];
    let mut records = Records::new(chunk, body.delimiter, line);
    let lines = row_capacity(lines, chunk.len());
    let mut out = TicketChunk {
        rows: Vec::with_capacity(lines),
        text: String::with_capacity(lines * 12),
        created: timestamp::Parser::default(),
        responses: timestamp::Parser::default(),
        plans: SpellingCache::default(),
        stages: LocalNames::default(),
        groups: LocalNames::default(),
        assignees: LocalNames::default(),
        by_shard: vec![Vec::new(); SHARDS],
        slots: Vec::new(),
    };
    let mut ranges = Vec::with_capacity(body.columns.width);
    while let Some((rec, bytes)) = records
        .next_record(&mut ranges)
        .map_err(|e| csv_error(path, e))?
    {
        let raw = (start + rec.raw.0, start + rec.raw.1);
        let parsed = match decode(bytes, &mut ranges, body.columns.width) {
            Err(reason) => Err((reason, None)),
            Ok(all) => {
                let values = Fields {
                    all,
                    ranges: &ranges,
                };
                parse_ticket(&values, cols, opts, &mut out).map_err(|reason| {
                    let id = values.get(cols.id);
                    (reason, (!id.is_empty()).then(|| out.push_text(id)))
                })
            }
        };
        let id = match &parsed {
            Ok(t) => Some((t.id, Some(t.verdict))),
            Err((_, id)) => id.map(|span| (span, None)),
        };
        if let Some((id, verdict)) = id {
            let hash = hash_id(out.text(id).as_bytes());
            out.by_shard[shard_of(hash)].push(IdRow {
                hash,
                id,
                row: out.rows.len() as u32,
                verdict,
            });
        }
        out.rows.push(TicketRow {
            line: rec.line,
            raw,
            parsed,
        });
    }
    out.slots = out.rows.iter().map(|_| AtomicU32::new(0)).collect();
    Ok(out)
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
    let mut merge = TicketMerge::default();
    for path in ticket_paths {
        load_tickets(path, opts, &mut ds, &mut merge, sizes)?;
    }
    for path in change_paths {
        load_changes(path, opts, &mut ds, &merge.row_ticket, sizes)?;
    }
    ds.ids.finish();
    Ok(ds)
}

/// An input file opened for reading: its first block parsed up to the
/// header.
struct Opened {
    reader: BlockReader,
    first: Block,
    header: Header,
    /// Offset in `first` where the records start, and their first line.
    records_from: usize,
    line_after_header: u64,
}

fn open_input(
    path: &str,
    opts: &ReadOptions<'_>,
    sizes: Sizes,
    required: &[&'static str],
) -> Result<Opened, IngestError> {
    let mut reader = BlockReader::open(path, opts.delimiter, sizes.block)?;
    let first = next_reported(&mut reader, opts)?.unwrap_or(Block {
        data: Vec::new(),
        line: 1,
    });
    let (header, records_from, line_after_header) =
        read_header(&first.data, path, reader.delimiter(), required)?;
    Ok(Opened {
        reader,
        first,
        header,
        records_from,
        line_after_header,
    })
}

/// What the ticket files' merge keeps between blocks and files.
#[derive(Default)]
struct TicketMerge {
    stages: StageIndex,
    /// Per ticket row (all ticket files, in order), the index of its
    /// accepted ticket; an id's state names its accepted row by position.
    row_ticket: Vec<u32>,
}

/// One ticket file: each block is parsed in parallel chunks, its ids are
/// checked in parallel shards, then its rows are merged in parallel chunks,
/// while the next block is read.
fn load_tickets(
    path: &str,
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    merge: &mut TicketMerge,
    sizes: Sizes,
) -> Result<(), IngestError> {
    let file = ds.files.len();
    let Opened {
        mut reader,
        first,
        header,
        records_from,
        line_after_header,
    } = open_input(path, opts, sizes, &["ticket_id", "created_at", "plan"])?;
    let columns = &header.columns;
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
    let mut stats = new_stats(path, Kind::Tickets, String::new());
    let size = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
    let mut pending = Some((first, records_from, line_after_header));
    let mut first_block = true;
    while let Some((block, from, line)) = pending.take() {
        let (merged, next) = rayon::join(
            || -> Result<usize, IngestError> {
                let body = Body {
                    data: &block.data,
                    delimiter: header.delimiter,
                    columns: &header.columns,
                    records_from: from,
                    line_after_header: line,
                };
                let chunks = chunks_with_lines(&body, sizes.chunk)
                    .par_iter()
                    .map(|&c| parse_ticket_chunk(&body, c, &cols, opts, path))
                    .collect::<Result<Vec<_>, _>>()?;
                merge_tickets(&chunks, &body, file, path, opts, ds, merge, &mut stats)?;
                Ok(chunks.iter().map(|c| c.text.len()).sum())
            },
            || next_reported(&mut reader, opts),
        );
        let text = merged?;
        let next = next?;
        // reserve once for the whole file, estimated from the first block
        if first_block && next.is_some() && !block.data.is_empty() {
            let scale = size as f64 / block.data.len() as f64 * 1.02;
            let rows = stats.read as f64 * scale;
            ds.tickets.reserve(rows as usize);
            merge.row_ticket.reserve(rows as usize);
            ds.ids
                .reserve(rows as usize, (text as f64 * scale) as usize);
        }
        first_block = false;
        pending = next.map(|b| {
            let line = b.line;
            (b, 0, line)
        });
    }
    stats.sha256 = reader.sha256();
    ds.files.push(stats);
    Ok(())
}

/// The counts and rejects of one merged chunk.
#[derive(Default)]
struct ChunkTally {
    read: u64,
    accepted: u64,
    rejected: u64,
    skipped: u64,
    outside: u64,
    outside_latest: Option<i64>,
    rejects: Vec<Reject>,
}

/// Merges one block's parsed chunks into the data set, in input order:
/// 1. per id shard, in parallel, the checks that need earlier rows with the
///    same id (duplicates; what a later row with the id may do);
/// 2. the chunks' few distinct stages and labels, in order, into the data
///    set's tables;
/// 3. per chunk, in parallel, the accepted tickets and the rejects.
#[allow(clippy::too_many_arguments)]
fn merge_tickets(
    chunks: &[TicketChunk],
    body: &Body<'_>,
    file: usize,
    path: &str,
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    merge: &mut TicketMerge,
    stats: &mut FileStats,
) -> Result<(), IngestError> {
    // 1. each row's position among all ticket rows names it in id states
    let mut row_base = Vec::with_capacity(chunks.len());
    let mut rows = merge.row_ticket.len() as u64;
    for chunk in chunks {
        row_base.push(rows as u32);
        rows += chunk.rows.len() as u64;
    }
    if rows >= u64::from(UNSEEN) {
        return Err(IngestError::TooManyRows {
            path: path.to_string(),
        });
    }
    let per_shard: Vec<Option<Vec<u32>>> = ds
        .ids
        .shards
        .par_iter_mut()
        .enumerate()
        .map(|(shard, table)| check_ids(table, shard, chunks, &row_base))
        .collect();
    let mut accepted = vec![0u32; chunks.len()];
    for counts in per_shard {
        let counts = counts.ok_or_else(|| IngestError::TooManyRows {
            path: path.to_string(),
        })?;
        for (a, c) in accepted.iter_mut().zip(counts) {
            *a += c;
        }
    }
    // 2. distinct names, in input order (first seen, first indexed)
    let names: Vec<NameMaps> = chunks
        .iter()
        .map(|chunk| NameMaps {
            stages: (0..chunk.stages.len() as u32)
                .map(|i| merge.stages.intern(chunk.stages.get(i), ds, opts.policy))
                .collect(),
            groups: (0..chunk.groups.len() as u32)
                .map(|i| ds.groups.intern(chunk.groups.get(i)))
                .collect(),
            assignees: (0..chunk.assignees.len() as u32)
                .map(|i| ds.assignees.intern(chunk.assignees.get(i)))
                .collect(),
        })
        .collect();
    // 3. the rows: tickets and row positions in place, rejects per chunk
    let mut ticket_base = Vec::with_capacity(chunks.len());
    let mut n = ds.tickets.len();
    for &a in &accepted {
        ticket_base.push(n as u32);
        n += a as usize;
    }
    let from = merge.row_ticket.len();
    merge.row_ticket.resize(rows as usize, u32::MAX);
    let mut row_slices = Vec::with_capacity(chunks.len());
    let mut rest = &mut merge.row_ticket[from..];
    for chunk in chunks {
        let (head, tail) = rest.split_at_mut(chunk.rows.len());
        row_slices.push(head);
        rest = tail;
    }
    let merged: Vec<(Vec<Ticket>, ChunkTally)> = chunks
        .par_iter()
        .zip(row_slices)
        .zip(names.par_iter().zip(ticket_base.par_iter()))
        .map(|((chunk, row_ticket), (names, &base))| {
            merge_chunk(chunk, body, file, names, base, row_ticket)
        })
        .collect();
    // the chunks' tickets, appended on all threads: the first touch of the
    // data set's pages is most of the cost
    let mut starts = Vec::with_capacity(merged.len() + 1);
    starts.push(0);
    for (tickets, _) in &merged {
        starts.push(starts[starts.len() - 1] + tickets.len());
    }
    let total = starts[starts.len() - 1];
    ds.tickets.par_extend((0..total).into_par_iter().map(|k| {
        let c = starts.partition_point(|&s| s <= k) - 1;
        merged[c].0[k - starts[c]]
    }));
    for (_, tally) in merged {
        ds.rejects.extend(tally.rejects);
        stats.read += tally.read;
        stats.accepted += tally.accepted;
        stats.rejected += tally.rejected;
        stats.skipped += tally.skipped;
        stats.outside += tally.outside;
        ds.outside_latest = ds.outside_latest.max(tally.outside_latest);
    }
    Ok(())
}

/// Per chunk, the data set's indices of its local stages and labels.
struct NameMaps {
    stages: Vec<(u32, bool)>,
    groups: Vec<u32>,
    assignees: Vec<u32>,
}

/// How many rows ahead the id checks and lookups prefetch their slot.
const PREFETCH_ROWS: usize = 8;

/// The id checks of one shard over a block's chunks, in input order: sets
/// each row's slot (its ticket id, or `DUPLICATE`) and the ids' states;
/// returns the rows to accept per chunk, `None` when the shard is full.
fn check_ids(
    table: &mut IdTable,
    shard: usize,
    chunks: &[TicketChunk],
    row_base: &[u32],
) -> Option<Vec<u32>> {
    let mut accepted = vec![0u32; chunks.len()];
    for (c, chunk) in chunks.iter().enumerate() {
        let rows = &chunk.by_shard[shard];
        for (k, id_row) in rows.iter().enumerate() {
            if let Some(ahead) = rows.get(k + PREFETCH_ROWS) {
                table.index.prefetch(ahead.hash);
            }
            let r = id_row.row;
            let e = table.intern(chunk.text(id_row.id), id_row.hash);
            if e >= ENTRY_MASK {
                return None;
            }
            let state = &mut table.state[e as usize];
            let seen = *state;
            let Some(verdict) = id_row.verdict else {
                // a rejected row only claims an id nobody had
                if seen == UNSEEN {
                    *state = REJECTED;
                }
                continue;
            };
            if seen != UNSEEN && seen != REJECTED {
                chunk.slots[r as usize].store(DUPLICATE, Ordering::Relaxed);
                continue;
            }
            match verdict {
                Verdict::ResponseBeforeCreated => {
                    if seen == UNSEEN {
                        *state = REJECTED;
                    }
                }
                // a skipped ticket wins over rejected rows with its id
                Verdict::Skip => *state = SKIPPED,
                // like a skipped ticket: its id is taken, its changes are outside
                Verdict::Outside => *state = OUTSIDE,
                Verdict::Accept => {
                    *state = row_base[c] + r;
                    let id = ((shard as u32) << ENTRY_BITS) | e;
                    chunk.slots[r as usize].store(id, Ordering::Relaxed);
                    accepted[c] += 1;
                }
            }
        }
    }
    Some(accepted)
}

/// One chunk's rows after the id checks: its accepted tickets (the first
/// numbered `base`), each row's ticket in `row_ticket`, and its tally.
fn merge_chunk(
    chunk: &TicketChunk,
    body: &Body<'_>,
    file: usize,
    names: &NameMaps,
    base: u32,
    row_ticket: &mut [u32],
) -> (Vec<Ticket>, ChunkTally) {
    let mut tickets = Vec::new();
    let mut tally = ChunkTally::default();
    for (r, row) in chunk.rows.iter().enumerate() {
        tally.read += 1;
        let reason = match &row.parsed {
            Err((reason, _)) => Some(*reason),
            Ok(_) if chunk.slots[r].load(Ordering::Relaxed) == DUPLICATE => {
                Some(Reason::DuplicateTicketId)
            }
            Ok(t) => match t.verdict {
                Verdict::ResponseBeforeCreated => Some(Reason::ResponseBeforeCreated),
                Verdict::Skip => {
                    tally.skipped += 1;
                    None
                }
                Verdict::Outside => {
                    tally.outside += 1;
                    let latest = t.response.map_or(t.created, |r| r.max(t.created));
                    tally.outside_latest = tally.outside_latest.max(Some(latest));
                    None
                }
                Verdict::Accept => {
                    tally.accepted += 1;
                    row_ticket[r] = base + tickets.len() as u32;
                    let (stage, excluded) = names.stages[t.stage as usize];
                    tickets.push(Ticket {
                        id: chunk.slots[r].load(Ordering::Relaxed),
                        plan: t.plan,
                        excluded,
                        submitted: t.priority,
                        stage,
                        created: t.created,
                        response: t.response,
                        group: names.groups[t.group as usize],
                        assignee: names.assignees[t.assignee as usize],
                    });
                    None
                }
            },
        };
        if let Some(reason) = reason {
            tally.rejected += 1;
            tally.rejects.push(Reject {
                file,
                line: row.line,
                reason,
                record: String::from_utf8_lossy(&body.data[row.raw.0..row.raw.1]).into_owned(),
            });
        }
    }
    (tickets, tally)
}

/// Distinct stage texts, with whether the policy excludes each.
#[derive(Default)]
struct StageIndex {
    index: HashMap<Box<str>, (u32, bool)>,
}

impl StageIndex {
    fn intern(&mut self, stage: &str, ds: &mut Dataset, policy: &Policy) -> (u32, bool) {
        if let Some(&v) = self.index.get(stage) {
            return v;
        }
        let v = (
            ds.stages.len() as u32,
            !stage.is_empty() && policy.is_excluded_stage(stage),
        );
        ds.stages.push(stage.into());
        self.index.insert(stage.into(), v);
        v
    }
}

/// One change record after its checks, in input order.
struct ChangeRow {
    line: u64,
    raw: (usize, usize),
    /// Without the ticket's state, which the shards' lookup puts in
    /// `ChangeChunk::states`.
    parsed: Result<(i64, u32, Option<u32>, ChangedBy), Reason>,
}

/// The rows of one chunk of a change file.
struct ChangeChunk {
    rows: Vec<ChangeRow>,
    text: String,
    /// Per id shard, the well-formed rows, in order.
    by_shard: Vec<Vec<IdRow>>,
    /// Per row, set by the lookup: its ticket's id state (`UNSEEN` when
    /// the id is unknown), an accepted ticket as its `Dataset::tickets`
    /// index.
    states: Vec<AtomicU32>,
}

fn parse_change_chunk(
    body: &Body<'_>,
    (start, end, line, lines): Chunk,
    cols: &ChangeColumns,
    opts: &ReadOptions<'_>,
    path: &str,
) -> Result<ChangeChunk, IngestError> {
    let chunk = &body.data[start..end];
    let mut records = Records::new(chunk, body.delimiter, line);
    let mut rows = Vec::with_capacity(row_capacity(lines, chunk.len()));
    let mut text = String::new();
    let mut by_shard = vec![Vec::new(); SHARDS];
    let mut ranges = Vec::with_capacity(body.columns.width);
    let mut dates = timestamp::Parser::default();
    while let Some((rec, bytes)) = records
        .next_record(&mut ranges)
        .map_err(|e| csv_error(path, e))?
    {
        let raw = (start + rec.raw.0, start + rec.raw.1);
        let mut id_span = (0, 0);
        let parsed = decode(bytes, &mut ranges, body.columns.width).and_then(|all| {
            let values = Fields {
                all,
                ranges: &ranges,
            };
            let id = values.get(cols.id);
            let changed_text = values.get(cols.changed_at);
            let to_text = values.get(cols.to);
            if id.is_empty() || changed_text.is_empty() || to_text.is_empty() {
                return Err(Reason::MissingField);
            }
            let changed_at = dates.parse(changed_text, opts.zone)?;
            let to = opts
                .policy
                .parse_priority(to_text)
                .ok_or(Reason::BadPriority)?;
            let from_text = values.get(cols.from);
            let from = if from_text.is_empty() {
                None
            } else {
                Some(
                    opts.policy
                        .parse_priority(from_text)
                        .ok_or(Reason::BadPriority)?,
                )
            };
            let by = ChangedBy::parse(values.get(cols.by));
            id_span = (text.len() as u32, id.len() as u32);
            text.push_str(id);
            Ok((changed_at, to, from, by))
        });
        if parsed.is_ok() {
            let (s, n) = id_span;
            let hash = hash_id(&text.as_bytes()[s as usize..(s + n) as usize]);
            by_shard[shard_of(hash)].push(IdRow {
                hash,
                id: id_span,
                row: rows.len() as u32,
                verdict: None,
            });
        }
        rows.push(ChangeRow {
            line: rec.line,
            raw,
            parsed,
        });
    }
    let states = rows.iter().map(|_| AtomicU32::new(UNSEEN)).collect();
    Ok(ChangeChunk {
        rows,
        text,
        by_shard,
        states,
    })
}

/// The id lookups of one shard over a block's change chunks: each
/// well-formed row's ticket state, an accepted ticket as its index.
fn look_up_changes(table: &IdTable, shard: usize, chunks: &[ChangeChunk], row_ticket: &[u32]) {
    for chunk in chunks {
        let rows = &chunk.by_shard[shard];
        for (k, id_row) in rows.iter().enumerate() {
            if let Some(ahead) = rows.get(k + PREFETCH_ROWS) {
                table.index.prefetch(ahead.hash);
            }
            let (s, n) = id_row.id;
            let id = &chunk.text[s as usize..(s + n) as usize];
            let state = match table.find(id, id_row.hash) {
                None => UNSEEN,
                Some(e) => match table.state[e as usize] {
                    raw @ (UNSEEN | SKIPPED | OUTSIDE | REJECTED) => raw,
                    row => row_ticket[row as usize],
                },
            };
            chunk.states[id_row.row as usize].store(state, Ordering::Relaxed);
        }
    }
}

fn load_changes(
    path: &str,
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    row_ticket: &[u32],
    sizes: Sizes,
) -> Result<(), IngestError> {
    let file = ds.files.len();
    let Opened {
        mut reader,
        first,
        header,
        records_from,
        line_after_header,
    } = open_input(
        path,
        opts,
        sizes,
        &["ticket_id", "changed_at", "to_priority"],
    )?;
    let columns = &header.columns;
    let cols = ChangeColumns {
        id: columns.get("ticket_id"),
        changed_at: columns.get("changed_at"),
        to: columns.get("to_priority"),
        from: columns.get("from_priority"),
        by: columns.get("changed_by"),
    };
    let mut stats = new_stats(path, Kind::Changes, String::new());
    let mut block = Some((first, records_from, line_after_header));
    while let Some((b, from, line)) = block.take() {
        let body = Body {
            data: &b.data,
            delimiter: header.delimiter,
            columns: &header.columns,
            records_from: from,
            line_after_header: line,
        };
        let chunks = chunks_with_lines(&body, sizes.chunk);
        let ids = &ds.ids;
        let (parsed, next) = rayon::join(
            || -> Result<Vec<ChangeChunk>, IngestError> {
                let parsed = chunks
                    .par_iter()
                    .map(|&c| parse_change_chunk(&body, c, &cols, opts, path))
                    .collect::<Result<Vec<ChangeChunk>, _>>()?;
                // per shard: each thread's lookups stay in one shard's tables
                ids.shards
                    .par_iter()
                    .enumerate()
                    .for_each(|(shard, table)| look_up_changes(table, shard, &parsed, row_ticket));
                Ok(parsed)
            },
            || next_reported(&mut reader, opts),
        );
        let parsed = parsed?;
        let rows = parsed.iter().flat_map(|c| c.rows.iter().zip(&c.states));
        for (row, state) in rows {
            stats.read += 1;
            // the ticket's state: UNSEEN (unknown id), REJECTED, SKIPPED,
            // OUTSIDE, or the accepted ticket's index
            let parsed = row
                .parsed
                .and_then(|p| match state.load(Ordering::Relaxed) {
                    UNSEEN => Err(Reason::UnknownTicket),
                    REJECTED => Err(Reason::TicketRejected),
                    state => Ok((state, p)),
                });
            match parsed {
                Ok((SKIPPED, _)) => stats.skipped += 1,
                Ok((OUTSIDE, (changed_at, ..))) => {
                    stats.outside += 1;
                    ds.outside_latest = ds.outside_latest.max(Some(changed_at));
                }
                Ok((ticket, (changed_at, to, from, by))) => {
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
                Err(reason) => {
                    stats.rejected += 1;
                    ds.rejects.push(Reject {
                        file,
                        line: row.line,
                        reason,
                        record: String::from_utf8_lossy(&b.data[row.raw.0..row.raw.1]).into_owned(),
                    });
                }
            }
        }
        block = next?.map(|n| {
            let line = n.line;
            (n, 0, line)
        });
    }
    stats.sha256 = reader.sha256();
    ds.files.push(stats);
    Ok(())
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
    use super::*;

    fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// Everything a load produced, as comparable text.
    /// Reading options for the tests: UTC, delimiter detected, no period.
    fn options(policy: &Policy, as_of: Option<i64>) -> ReadOptions<'_> {
        ReadOptions {
            policy,
            zone: InputZone::Utc,
            as_of,
            delimiter: None,
            period: None,
            on_bytes: None,
        }
    }

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
                f.sha256, f.read, f.accepted, f.rejected, f.skipped, f.warnings
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

    /// Ids spread over every shard, blocks and chunks: duplicates, rows
    /// rejected before a good row with their id, skipped tickets and the
    /// changes of each must come out as a plain sequential reading of the
    /// rules says (the first row with an id decides; a rejected row only
    /// claims an id nobody had; a skipped ticket wins over rejected rows).
    #[test]
    fn the_id_index_tells_ids_apart_whatever_their_hashes() {
        let ids: Vec<String> = (0..3000).map(|i| format!("T-{i}")).collect();
        // The table, from empty through many rebuilds: each id once, found
        // again, and absent ids not found.
        let mut table = IdTable::default();
        for round in 0..2 {
            for (i, id) in ids.iter().enumerate() {
                let h = hash_id(id.as_bytes());
                assert_eq!(table.intern(id, h), i as u32, "round {round}");
                assert_eq!(table.find(id, h), Some(i as u32));
            }
        }
        assert_eq!(table.find("T-3000", hash_id(b"T-3000")), None);
        assert_eq!(table.index.len, ids.len());
        assert!(
            table.index.slots.len() * 3 >= ids.len() * 4,
            "over 3/4 full"
        );
        // The index alone, with hashes chosen to collide: equal hashes (same
        // slot, same tag), and equal slots with different tags.
        let hash = |i: usize| match i % 2 {
            0 => 0xDEAD_BEEF_0000_0001,
            _ => ((i as u64) << 32) | 0x0000_0001,
        };
        let mut index = IdIndex::default();
        for i in 0..ids.len() {
            index.reserve(1, |e| hash(e as usize));
            let slot = index
                .probe(hash(i), |e| ids[e as usize] == ids[i])
                .expect_err("not added yet");
            index.slots[slot] = (tag(hash(i)) as u64) << 32 | (i as u64 + 1);
            index.len += 1;
        }
        for i in 0..ids.len() {
            assert_eq!(
                index.probe(hash(i), |e| ids[e as usize] == ids[i]),
                Ok(i as u32)
            );
        }
        assert!(index.probe(hash(0), |_| false).is_err());
    }

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

    #[test]
    fn decoding_trims_like_str_trim_on_ascii_and_unicode_records() {
        for (fields, expect) in [
            (vec![" a\x0B", "\tb \x0C", "\x1Fc"], vec!["a", "b", "\x1Fc"]),
            (
                vec!["\u{a0}x\u{3000}", " caf\u{e9} ", "\x0B"],
                vec!["x", "caf\u{e9}", ""],
            ),
        ] {
            let line = fields.join(",");
            for direct in [true, false] {
                let mut records = Records::split(line.as_bytes(), b',', 1, direct);
                assert_eq!(records.csv.is_none(), direct);
                let mut ranges = Vec::new();
                let (_, bytes) = records.next_record(&mut ranges).unwrap().unwrap();
                let all = decode(bytes, &mut ranges, fields.len()).unwrap();
                let values = Fields {
                    all,
                    ranges: &ranges,
                };
                let got: Vec<&str> = (0..fields.len()).map(|i| values.get(Some(i))).collect();
                assert_eq!(got, expect);
                let trimmed: Vec<&str> = fields.iter().map(|f| f.trim()).collect();
                assert_eq!(got, trimmed);
            }
        }
    }

    /// A record as (line, raw range, fields, offset after).
    type Split = (u64, (usize, usize), Vec<Vec<u8>>, usize);

    /// Every record of `data`.
    fn split_all(data: &[u8], delimiter: u8, direct: bool) -> Vec<Split> {
        let mut records = Records::split(data, delimiter, 7, direct);
        assert_eq!(records.csv.is_none(), direct);
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some((rec, bytes)) = records.next_record(&mut fields).unwrap() {
            let texts = fields.iter().map(|&(s, e)| bytes[s..e].to_vec()).collect();
            out.push((rec.line, rec.raw, texts, 0));
            let after = records.offset();
            out.last_mut().unwrap().3 = after;
        }
        out
    }

    proptest::proptest! {
        /// Plain data (no CR, no quote) split directly gives the csv crate's
        /// records, fields, lines and offsets, whatever the bytes.
        #[test]
        fn direct_splitting_matches_the_csv_crate(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"a"[..], b"id-7", b" ", b",", b";", b"\n", b"\n\n", b"\t",
                    b"\0", b"\xC3\xA9", b"\xC3", b"\xFF", b"\xEF\xBB\xBF",
                ]),
                0..40,
            ),
            semicolon in proptest::bool::ANY,
        ) {
            let data: Vec<u8> = parts.concat();
            let delimiter = if semicolon { b';' } else { b',' };
            proptest::prop_assert_eq!(
                split_all(&data, delimiter, true),
                split_all(&data, delimiter, false)
            );
        }
    }

    #[test]
    fn decoding_checks_width_and_utf8_on_both_paths() {
        for direct in [true, false] {
            for (line, width, ok) in [
                (&b"a,b,c"[..], 3, true),
                (b"a,b", 3, false),
                (b"a,b,c,", 3, false),
                (b"a,\xC3\xA9,c", 3, true),
                (b"a,\xC3,\xA9", 3, false),
                (b"a,\xFF,c", 3, false),
            ] {
                let mut records = Records::split(line, b',', 1, direct);
                let mut ranges = Vec::new();
                let (_, bytes) = records.next_record(&mut ranges).unwrap().unwrap();
                assert_eq!(
                    decode(bytes, &mut ranges, width).is_ok(),
                    ok,
                    "{line:?} {direct}"
                );
            }
        }
    }

    #[test]
    fn quoted_scan_finds_only_real_record_ends() {
        let data = b"a,\"x\ny\",b\nc,d\r\ne,\"\"\"q\"\n";
        let mut ends = Vec::new();
        scan_records(data, b',', |e| ends.push(e));
        assert_eq!(ends, vec![10, 14, 15, 23]);
        assert_eq!(last_record_boundary(b"a,b\r", b','), None);
        assert_eq!(last_record_boundary(b"a,b\r\nc", b','), Some(5));
        assert_eq!(last_record_boundary(b"a,\"b\nc", b','), None);
    }
}
