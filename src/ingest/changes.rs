//! Priority-change files: the columns, the checks each row needs alone
//! (parsed per chunk in parallel), the look-up of each row's ticket (per id
//! shard in parallel), and the merge into the data set in input order.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::blocks::{body_chunks, next_reported, open_input, row_capacity, Body, Chunk, Opened};
use super::ids::{
    hash_id, shard_of, IdRow, IdTable, OUTSIDE, PREFETCH_ROWS, REJECTED, SHARDS, SKIPPED, UNSEEN,
};
use super::json::{self, Extracted, HistoryRow, JsonRecords};
use super::records::{decode, Columns, Fields, Records};
use super::tickets::parse_priority;
use super::{
    Counts, Dataset, FieldName, FileStats, IngestError, Kind, ReadOptions, Reason, Reject, Sizes,
};
use crate::model::{Change, ChangedBy};
use crate::profile::{CsvHistory, Field, JsonShape, TimeFormats};
use crate::timestamp;

/// The columns of one CSV change file, as the profile finds them.
pub(crate) struct ChangeColumns {
    id: Option<usize>,
    changed_at: Option<usize>,
    to: Option<usize>,
    from: Option<usize>,
    by: Option<usize>,
    /// Long field-change rows: the field column and the names that count.
    field: Option<(usize, Vec<String>)>,
}

impl ChangeColumns {
    pub(super) fn new(
        columns: &Columns,
        spec: &CsvHistory,
        decorations: bool,
        path: &str,
    ) -> Result<ChangeColumns, IngestError> {
        let find = |f: Option<&Field>| f.and_then(|f| columns.find(&f.columns, decorations));
        let need = |f: &Field| columns.require(f, decorations, path);
        let field = match &spec.filter {
            None => None,
            Some(filter) => Some((
                need(&filter.field)?.unwrap_or_default(),
                filter.values.clone(),
            )),
        };
        Ok(ChangeColumns {
            id: need(&spec.ticket_id)?,
            changed_at: need(&spec.changed_at)?,
            to: need(&spec.to_priority)?,
            from: find(spec.from_priority.as_ref()),
            by: find(spec.changed_by.as_ref()),
            field,
        })
    }
}

impl ChangeColumns {
    /// The header names that feed the fields a reject can concern.
    fn named(&self, columns: &Columns) -> Vec<(FieldName, String, usize)> {
        [
            (FieldName::TicketId, self.id),
            (FieldName::ChangedAt, self.changed_at),
            (FieldName::ToPriority, self.to),
            (FieldName::FromPriority, self.from),
        ]
        .into_iter()
        .filter_map(|(field, c)| c.map(|c| (field, columns.names[c].clone(), c)))
        .collect()
    }
}

/// A history row's texts, from a CSV record or a JSON one.
pub(crate) struct ChangeFields<'r> {
    pub(crate) id: &'r str,
    pub(crate) changed_at: &'r str,
    pub(crate) to: &'r str,
    pub(crate) from: &'r str,
    pub(crate) by: &'r str,
}

impl<'r> ChangeFields<'r> {
    /// A CSV record's history row; `None` for a row of another field than
    /// the priority (EXPORTS.md rule 3).
    #[inline]
    pub(crate) fn of_record(values: &Fields<'r>, cols: &ChangeColumns) -> Option<ChangeFields<'r>> {
        if let Some((column, names)) = &cols.field {
            let field = values.get(Some(*column));
            if !names.iter().any(|n| n.eq_ignore_ascii_case(field)) {
                return None;
            }
        }
        Some(ChangeFields {
            id: values.get(cols.id),
            changed_at: values.get(cols.changed_at),
            to: values.get(cols.to),
            from: values.get(cols.from),
            by: values.get(cols.by),
        })
    }

    /// A JSON record's history row.
    pub(super) fn of_json(h: &'r HistoryRow) -> ChangeFields<'r> {
        ChangeFields {
            id: &h.id,
            changed_at: &h.changed_at,
            to: &h.to,
            from: h.from.as_deref().unwrap_or(""),
            by: &h.by,
        }
    }
}

/// Why a change record is rejected, and the field it concerns.
type RowReject = (Reason, Option<FieldName>);

/// What an accepted change row carries, before its ticket is looked up.
pub(crate) type ParsedChange = (i64, u32, Option<u32>, ChangedBy);

/// The contract's checks of a change row that need no other row, in its
/// order: the fields, the timestamp, the priorities (to, then from). An
/// import reads an empty `to` as the policy default (EXPORTS.md rule 4);
/// the native files require it.
pub(crate) fn check_change(
    row: &ChangeFields<'_>,
    timestamps: &TimeFormats,
    dates: &mut timestamp::Parser,
    opts: &ReadOptions<'_>,
) -> Result<ParsedChange, (Reason, FieldName)> {
    let native = opts.profile.is_native();
    let missing = |field| Err((Reason::MissingField, field));
    if row.id.is_empty() {
        return missing(FieldName::TicketId);
    }
    if row.changed_at.is_empty() {
        return missing(FieldName::ChangedAt);
    }
    if native && row.to.is_empty() {
        return missing(FieldName::ToPriority);
    }
    let changed_at = timestamps
        .parse(row.changed_at, opts.change_zone(), dates)
        .map_err(|e| (Reason::from(e), FieldName::ChangedAt))?;
    let to = parse_priority(row.to, opts).ok_or((Reason::BadPriority, FieldName::ToPriority))?;
    let from = if row.from.is_empty() {
        None
    } else {
        Some(parse_priority(row.from, opts).ok_or((Reason::BadPriority, FieldName::FromPriority))?)
    };
    Ok((changed_at, to, from, ChangedBy::parse(row.by)))
}

/// One change record after its checks, in input order.
struct ChangeRow {
    line: u64,
    /// The record's bytes in its block (a JSON record: its index in the
    /// batch, twice).
    raw: (usize, usize),
    /// Without the ticket's state, which the shards' lookup puts in
    /// `ChangeChunk::states` (rows of another field are only counted, in
    /// `ChangeChunk::ignored`).
    parsed: Result<ParsedChange, RowReject>,
}

/// The rows of one chunk of a change file.
struct ChangeChunk {
    rows: Vec<ChangeRow>,
    /// Timestamps read without an offset.
    offsetless: u64,
    /// Rows of another field (EXPORTS.md rule 3: neither accepted nor
    /// rejected): only counted, as most rows of a long history are.
    ignored: u64,
    text: String,
    /// Per id shard, the well-formed rows, in order.
    by_shard: Vec<Vec<IdRow<()>>>,
    /// Per row, set by the lookup: its ticket's id state (`UNSEEN` when
    /// the id is unknown), an accepted ticket as its `Dataset::tickets`
    /// index.
    states: Vec<AtomicU32>,
}

impl ChangeChunk {
    fn with_capacity(rows: usize) -> ChangeChunk {
        ChangeChunk {
            rows: Vec::with_capacity(rows),
            offsetless: 0,
            ignored: 0,
            text: String::new(),
            by_shard: vec![Vec::new(); SHARDS],
            states: Vec::new(),
        }
    }

    /// Adds a record after its own checks: an accepted row with its
    /// ticket id, a row to ignore, or a reject.
    fn push(
        &mut self,
        line: u64,
        raw: (usize, usize),
        parsed: Result<Option<(&str, ParsedChange)>, RowReject>,
    ) {
        let parsed = match parsed {
            Ok(None) => {
                self.ignored += 1;
                return;
            }
            Ok(Some((id, change))) => {
                let id_span = (self.text.len() as u32, id.len() as u32);
                self.text.push_str(id);
                let hash = hash_id(id.as_bytes());
                self.by_shard[shard_of(hash)].push(IdRow {
                    hash,
                    id: id_span,
                    row: self.rows.len() as u32,
                    verdict: (),
                });
                Ok(change)
            }
            Err(reason) => Err(reason),
        };
        self.rows.push(ChangeRow { line, raw, parsed });
    }

    /// Ready for the lookups: one state slot per row.
    fn finish(mut self) -> ChangeChunk {
        self.states = self.rows.iter().map(|_| AtomicU32::new(UNSEEN)).collect();
        self
    }
}

fn parse_change_chunk(
    body: &Body<'_>,
    (start, end, line, lines): Chunk,
    (cols, spec): (&ChangeColumns, &CsvHistory),
    opts: &ReadOptions<'_>,
    path: &str,
) -> Result<ChangeChunk, IngestError> {
    let chunk = &body.data[start..end];
    let mut records = Records::new(chunk, body.delimiter, line, opts.max_record);
    let mut out = ChangeChunk::with_capacity(row_capacity(lines, chunk.len()));
    let mut ranges = Vec::with_capacity(body.columns.width);
    let mut dates = timestamp::Parser::default();
    let timestamps = &spec.timestamps;
    loop {
        if let Some((column, names)) = &cols.field {
            if records.skip_record(body.columns.width, *column, |f| other_name(f, names)) {
                out.ignored += 1;
                continue;
            }
        }
        let Some((rec, bytes)) = records
            .next_record(&mut ranges)
            .map_err(|e| e.in_file(path))?
        else {
            break;
        };
        let raw = (start + rec.raw.0, start + rec.raw.1);
        if let Some((column, names)) = &cols.field {
            if other_field(bytes, &ranges, body.columns.width, *column, names) {
                out.push(rec.line, raw, Ok(None));
                continue;
            }
        }
        let parsed = decode(bytes, &mut ranges, body.columns.width)
            .map_err(|reason| (reason, None))
            .and_then(|all| {
                let values = Fields {
                    all,
                    ranges: &ranges,
                };
                let Some(row) = ChangeFields::of_record(&values, cols) else {
                    return Ok(None);
                };
                let change = check_change(&row, timestamps, &mut dates, opts)
                    .map_err(|(reason, field)| (reason, Some(field)))?;
                Ok(Some((row.id, change)))
            });
        out.push(rec.line, raw, parsed);
    }
    out.offsetless = dates.offsetless;
    Ok(out.finish())
}

/// Whether a record is a well-formed row of another field than those that
/// count, told without decoding it (most rows of a long history are): the
/// right width, valid UTF-8, and an ASCII field text that is none of
/// `names`. ASCII text trims the same as Unicode text; any other record
/// goes through `decode` and the full checks.
fn other_field(
    bytes: &[u8],
    ranges: &[(usize, usize)],
    width: usize,
    column: usize,
    names: &[String],
) -> bool {
    if ranges.len() != width {
        return false;
    }
    let (s, e) = ranges[column];
    other_name(&bytes[s..e], names) && (bytes.is_ascii() || std::str::from_utf8(bytes).is_ok())
}

/// Whether an untrimmed field text is surely none of `names`: ASCII (which
/// trims the same as Unicode text) and, trimmed, none of them.
#[inline]
fn other_name(field: &[u8], names: &[String]) -> bool {
    // white space as `decode` trims it (Unicode's, within ASCII)
    let ws = |c: &u8| *c == b' ' || (0x09..=0x0D).contains(c);
    let trimmed = |field: &[u8]| {
        let from = field.iter().position(|c| !ws(c)).unwrap_or(field.len());
        let to = field.iter().rposition(|c| !ws(c)).map_or(from, |i| i + 1);
        (from, to)
    };
    // the common case: nothing to trim
    let (from, to) = match (field.first(), field.last()) {
        (Some(a), Some(b)) if !ws(a) && !ws(b) => (0, field.len()),
        _ => trimmed(field),
    };
    let field = &field[from..to];
    field.is_ascii()
        && !names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(field))
}

/// The id lookups of one shard over a block's change chunks: each
/// well-formed row's ticket state, an accepted ticket as its index.
fn look_up_changes(table: &IdTable, shard: usize, chunks: &[ChangeChunk], row_ticket: &[u32]) {
    for chunk in chunks {
        let rows = &chunk.by_shard[shard];
        for (k, id_row) in rows.iter().enumerate() {
            if let Some(ahead) = rows.get(k + PREFETCH_ROWS) {
                table.prefetch(ahead.hash);
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

/// One change file: each block is parsed in parallel chunks and its rows'
/// tickets looked up in parallel shards while the next block is read, then
/// its rows are merged in order.
pub(super) fn load_changes(
    path: &str,
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    row_ticket: &[u32],
    sizes: Sizes,
) -> Result<(), IngestError> {
    let file = ds.files.len();
    if starts_like_json(path)? {
        let Some((json, timestamps)) = &opts.profile.changes.json else {
            return Err(shape_error(path, "JSON", opts));
        };
        return load_json_changes(path, (*json, timestamps), opts, ds, row_ticket, sizes);
    }
    let Some(spec) = &opts.profile.changes.csv else {
        return Err(shape_error(path, "CSV", opts));
    };
    let Opened {
        mut reader,
        first,
        header,
        records_from,
        line_after_header,
    } = open_input(path, opts, sizes)?;
    let cols = ChangeColumns::new(&header.columns, spec, opts.profile.header_decorations, path)
        .map_err(|e| e.split_at(header.delimiter))?;
    let mut stats = FileStats::new(path, Kind::Changes);
    stats.columns = cols.named(&header.columns);
    stats.delimiter = Some(header.delimiter);
    let mut block = Some((first, records_from, line_after_header));
    while let Some((b, from, line)) = block.take() {
        let body = Body {
            data: &b.data,
            delimiter: header.delimiter,
            columns: &header.columns,
            records_from: from,
            line_after_header: line,
        };
        let chunks = body_chunks(&body, &b, sizes.chunk);
        let ids = &ds.ids;
        let (parsed, next) = rayon::join(
            || -> Result<Vec<ChangeChunk>, IngestError> {
                let parsed = chunks
                    .par_iter()
                    .map(|&c| parse_change_chunk(&body, c, (&cols, spec), opts, path))
                    .collect::<Vec<_>>()
                    .into_iter()
                    // the first error in file order, not the first one found
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
        let record =
            |row: &ChangeRow| String::from_utf8_lossy(&b.data[row.raw.0..row.raw.1]).into_owned();
        let parsed = parsed?;
        stats.offsetless += parsed.iter().map(|c| c.offsetless).sum::<u64>();
        let counts = merge_changes(&parsed, file, ds, record);
        stats.counts.merge(&counts);
        block = next?.map(|n| {
            let line = n.line;
            (n, 0, line)
        });
    }
    stats.sha256 = reader.sha256();
    ds.files.push(stats);
    Ok(())
}

/// A history file of a shape (`what`: "JSON" or "CSV") that the profile
/// does not read.
pub(super) fn shape_error(path: &str, what: &str, opts: &ReadOptions<'_>) -> IngestError {
    IngestError::HistoryShape {
        path: path.to_string(),
        message: format!(
            "a {what} history, which format {} does not read (see `sla-report profile {}`)",
            opts.profile.name, opts.profile.name
        ),
    }
}

/// Whether a history file is JSON, from its first 4 KiB.
pub(super) fn starts_like_json(path: &str) -> Result<bool, IngestError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|error| IngestError::Read {
            path: path.to_string(),
            error,
        })?;
    Ok(looks_like_json(&head))
}

/// The first token (after a BOM and white space) opens a JSON object or
/// array, or is a JSON literal (`null`, `true`, `false`) on its own: no CSV
/// header starts so, and a literal is for the JSON reader to name (an API
/// answering `null`), not a one-column CSV header missing every column.
fn looks_like_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(start) = head.iter().position(|c| !c.is_ascii_whitespace()) else {
        return false;
    };
    let head = &head[start..];
    if matches!(head[0], b'{' | b'[') {
        return true;
    }
    [&b"null"[..], b"true", b"false"].iter().any(|word| {
        head.strip_prefix(*word)
            .is_some_and(|rest| rest.first().is_none_or(u8::is_ascii_whitespace))
    })
}

/// One JSON history file: batches of records, each cut into chunks
/// parsed in parallel, their tickets looked up in parallel shards, then
/// merged in order. A record's position is the line where it starts; a
/// reject keeps its compact JSON text.
fn load_json_changes(
    path: &str,
    (shape, timestamps): (JsonShape, &TimeFormats),
    opts: &ReadOptions<'_>,
    ds: &mut Dataset,
    row_ticket: &[u32],
    sizes: Sizes,
) -> Result<(), IngestError> {
    let file = ds.files.len();
    let (keys, extract): (_, fn(&[u8]) -> Extracted) = match shape {
        JsonShape::ZendeskAudits => (json::ZENDESK_KEYS, json::zendesk_audit),
        JsonShape::FreshdeskActivities => (json::FRESHDESK_KEYS, json::freshdesk_activity),
    };
    let mut reader = JsonRecords::open(path, keys, opts.max_record)?;
    let mut stats = FileStats::new(path, Kind::Changes);
    let mut read = 0;
    while let Some(batch) = reader.next_batch(sizes.block)? {
        if let Some(on_bytes) = opts.on_bytes {
            on_bytes(reader.read_bytes() - read);
            read = reader.read_bytes();
        }
        // chunks of about `sizes.chunk` bytes of records
        let mut bounds = vec![0];
        let mut bytes = 0;
        for (k, rec) in batch.iter().enumerate() {
            bytes += rec.text.len();
            if bytes >= sizes.chunk {
                bounds.push(k + 1);
                bytes = 0;
            }
        }
        if *bounds.last().unwrap_or(&0) != batch.len() {
            bounds.push(batch.len());
        }
        let chunks: Vec<ChangeChunk> = bounds
            .par_windows(2)
            .map(|w| {
                let mut out = ChangeChunk::with_capacity(w[1] - w[0]);
                let mut dates = timestamp::Parser::default();
                for (k, rec) in (w[0]..w[1]).zip(&batch[w[0]..w[1]]) {
                    match extract(&rec.text) {
                        Extracted::Ignored => out.push(rec.line, (k, k), Ok(None)),
                        Extracted::Malformed => {
                            out.push(rec.line, (k, k), Err((Reason::MalformedRow, None)))
                        }
                        Extracted::Row(h) => {
                            let row = ChangeFields::of_json(&h);
                            let parsed = check_change(&row, timestamps, &mut dates, opts)
                                .map(|c| Some((row.id, c)))
                                .map_err(|(reason, field)| (reason, Some(field)));
                            out.push(rec.line, (k, k), parsed);
                        }
                    }
                }
                out.offsetless = dates.offsetless;
                out.finish()
            })
            .collect();
        ds.ids
            .shards
            .par_iter()
            .enumerate()
            .for_each(|(shard, table)| look_up_changes(table, shard, &chunks, row_ticket));
        let record = |row: &ChangeRow| json::compact(&batch[row.raw.0].text);
        stats.offsetless += chunks.iter().map(|c| c.offsetless).sum::<u64>();
        let counts = merge_changes(&chunks, file, ds, record);
        stats.counts.merge(&counts);
    }
    stats.sha256 = reader.sha256();
    ds.files.push(stats);
    Ok(())
}

/// Appends a block's change rows to the data set in input order, as
/// accepted changes or rejects, and counts them.
fn merge_changes(
    chunks: &[ChangeChunk],
    file: usize,
    ds: &mut Dataset,
    record: impl Fn(&ChangeRow) -> String,
) -> Counts {
    let mut counts = Counts::default();
    for c in chunks {
        counts.read += c.ignored;
        counts.ignored += c.ignored;
    }
    let rows = chunks.iter().flat_map(|c| c.rows.iter().zip(&c.states));
    for (row, state) in rows {
        counts.read += 1;
        // the ticket's state: UNSEEN (unknown id), REJECTED, SKIPPED,
        // OUTSIDE, or the accepted ticket's index
        let parsed = match row.parsed {
            Ok(p) => match state.load(Ordering::Relaxed) {
                UNSEEN => Err((Reason::UnknownTicket, Some(FieldName::TicketId))),
                REJECTED => Err((Reason::TicketRejected, Some(FieldName::TicketId))),
                state => Ok((state, p)),
            },
            Err(e) => Err(e),
        };
        match parsed {
            Ok((SKIPPED, _)) => counts.skipped += 1,
            Ok((OUTSIDE, (changed_at, ..))) => {
                counts.outside += 1;
                ds.outside_latest = ds.outside_latest.max(Some(changed_at));
            }
            Ok((ticket, (changed_at, to, from, by))) => {
                counts.accepted += 1;
                ds.changes.push(Change {
                    line: row.line,
                    ticket,
                    changed_at,
                    to,
                    from,
                    file: file as u32,
                    by,
                });
            }
            Err((reason, field)) => {
                counts.rejected += 1;
                ds.rejects.push(Reject {
                    file,
                    line: row.line,
                    reason,
                    field,
                    record: record(row),
                });
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::{looks_like_json, other_field};

    /// Fields of a record as `Records` splits it at commas.
    fn split(record: &[u8]) -> Vec<(usize, usize)> {
        let mut ranges = Vec::new();
        let mut from = 0;
        for (i, &c) in record.iter().enumerate() {
            if c == b',' {
                ranges.push((from, i));
                from = i + 1;
            }
        }
        ranges.push((from, record.len()));
        ranges
    }

    #[test]
    fn only_a_well_formed_row_of_another_field_is_told_apart_without_decoding() {
        let names = ["priority".to_string()];
        let other = |record: &[u8]| other_field(record, &split(record), 3, 0, &names);
        assert!(other(b"status,101,open"));
        assert!(other(b" assignee_id ,101,\xC3\xA9"));
        // these go through decode and the full checks
        assert!(!other(b"priority,101,high"));
        assert!(!other(b" PRIORITY\x0B,101,high"), "decode trims 0x0B too");
        assert!(!other(b"\xC2\xA0priority,101,high"), "Unicode white space");
        assert!(!other(b"status,101"), "malformed: the width");
        assert!(!other(b"status,101,\xFF"), "malformed: not UTF-8");
    }

    #[test]
    fn a_history_is_json_when_it_opens_a_value_or_is_a_json_literal() {
        for text in [
            "{\"audits\":[]}",
            "\u{feff} \n[",
            "null",
            "null\n",
            "\u{feff}  true \r\n",
            "false",
        ] {
            assert!(looks_like_json(text.as_bytes()), "{text:?}");
        }
        for text in [
            "",
            " \n",
            "ticket_id,changed_at,to_priority\n",
            "\"ticket_id\",changed_at",
            "nullable,ticket_id\n",
            "null,ticket_id,changed_at\n",
            "123",
        ] {
            assert!(!looks_like_json(text.as_bytes()), "{text:?}");
        }
    }
}
