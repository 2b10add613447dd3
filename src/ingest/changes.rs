//! Priority-change files: the columns, the checks each row needs alone
//! (parsed per chunk in parallel), the look-up of each row's ticket (per id
//! shard in parallel), and the merge into the data set in input order.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::blocks::{
    chunks_with_lines, next_reported, open_input, row_capacity, Body, Chunk, Opened,
};
use super::ids::{
    hash_id, shard_of, IdRow, IdTable, OUTSIDE, PREFETCH_ROWS, REJECTED, SHARDS, SKIPPED, UNSEEN,
};
use super::records::{decode, Columns, Fields, Records};
use super::{Counts, Dataset, FileStats, IngestError, Kind, ReadOptions, Reason, Reject, Sizes};
use crate::model::{Change, ChangedBy};
use crate::timestamp;

/// The columns a change file must have.
const REQUIRED: &[&str] = &["ticket_id", "changed_at", "to_priority"];

struct ChangeColumns {
    id: Option<usize>,
    changed_at: Option<usize>,
    to: Option<usize>,
    from: Option<usize>,
    by: Option<usize>,
}

impl ChangeColumns {
    fn new(columns: &Columns) -> ChangeColumns {
        ChangeColumns {
            id: columns.get("ticket_id"),
            changed_at: columns.get("changed_at"),
            to: columns.get("to_priority"),
            from: columns.get("from_priority"),
            by: columns.get("changed_by"),
        }
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
    by_shard: Vec<Vec<IdRow<()>>>,
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
    let mut records = Records::new(chunk, body.delimiter, line, opts.max_record);
    let mut rows = Vec::with_capacity(row_capacity(lines, chunk.len()));
    let mut text = String::new();
    let mut by_shard = vec![Vec::new(); SHARDS];
    let mut ranges = Vec::with_capacity(body.columns.width);
    let mut dates = timestamp::Parser::default();
    while let Some((rec, bytes)) = records
        .next_record(&mut ranges)
        .map_err(|e| e.in_file(path))?
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
                verdict: (),
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
    let Opened {
        mut reader,
        first,
        header,
        records_from,
        line_after_header,
    } = open_input(path, opts, sizes, REQUIRED)?;
    let cols = ChangeColumns::new(&header.columns);
    let mut stats = FileStats::new(path, Kind::Changes);
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
        let counts = merge_changes(&parsed?, &b.data, file, ds);
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

/// Appends a block's change rows to the data set in input order, as
/// accepted changes or rejects, and counts them.
fn merge_changes(chunks: &[ChangeChunk], data: &[u8], file: usize, ds: &mut Dataset) -> Counts {
    let mut counts = Counts::default();
    let rows = chunks.iter().flat_map(|c| c.rows.iter().zip(&c.states));
    for (row, state) in rows {
        counts.read += 1;
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
            Ok((SKIPPED, _)) => counts.skipped += 1,
            Ok((OUTSIDE, (changed_at, ..))) => {
                counts.outside += 1;
                ds.outside_latest = ds.outside_latest.max(Some(changed_at));
            }
            Ok((ticket, (changed_at, to, from, by))) => {
                counts.accepted += 1;
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
                counts.rejected += 1;
                ds.rejects.push(Reject {
                    file,
                    line: row.line,
                    reason,
                    record: String::from_utf8_lossy(&data[row.raw.0..row.raw.1]).into_owned(),
                });
            }
        }
    }
    counts
}
