//! Ticket files: the columns, the checks each row needs alone (parsed per
//! chunk in parallel), the checks across rows with the same id (per id
//! shard in parallel), and the merge into the data set in input order.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::blocks::{body_chunks, next_reported, open_input, row_capacity, Body, Chunk, Opened};
use super::ids::{
    hash_id, shard_of, IdRow, IdTable, Span, ENTRY_BITS, ENTRY_MASK, OUTSIDE, PREFETCH_ROWS,
    REJECTED, SHARDS, SKIPPED, UNSEEN,
};
use super::names::{ChunkNames, NameMaps, SpellingCache, StageIndex};
use super::records::{decode, Columns, Fields, Records};
use super::{
    Counts, Dataset, FieldName, FileStats, IngestError, Kind, ReadOptions, Reason, Reject, Sizes,
};
use crate::model::instant::in_span;
use crate::model::Ticket;
use crate::profile::{Field, PriorityValue, Response};
use crate::timestamp::{self, TsError};

/// Where each ticket's plan comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanFrom {
    /// A column, through the profile's plan map, then the policy's names.
    Column(usize),
    /// The organization column, looked up in `--customers`.
    Customers(usize),
    Constant(u16),
}

/// The columns of one ticket file, as the profile finds them in its header.
pub(crate) struct TicketColumns {
    id: Option<usize>,
    created: Option<usize>,
    response: Option<usize>,
    pub(crate) plan: PlanFrom,
    priority: Option<usize>,
    stage: Option<usize>,
    group: Option<usize>,
    assignee: Option<usize>,
    /// The customer (also the `--customers` key when it gives the plan).
    organization: Option<usize>,
}

impl TicketColumns {
    /// The profile's fields in the header; a required field without a
    /// column is fatal (ticket_id, created_at, then the plan).
    pub(super) fn new(
        columns: &Columns,
        opts: &ReadOptions<'_>,
        path: &str,
    ) -> Result<TicketColumns, IngestError> {
        let profile = opts.profile;
        let spec = &profile.tickets;
        let find = |f: Option<&Field>| {
            f.and_then(|f| columns.find(&f.columns, profile.header_decorations))
        };
        let need = |f: &Field| columns.require(f, profile.header_decorations, path);
        let id = need(&spec.ticket_id)?;
        let created = need(&spec.created_at)?;
        let plan = match (spec.plan_constant, find(spec.plan.as_ref())) {
            (Some(plan), _) => PlanFrom::Constant(plan),
            (None, Some(column)) => PlanFrom::Column(column),
            (None, None) => match (opts.customers, find(spec.organization.as_ref())) {
                (Some(_), Some(column)) => PlanFrom::Customers(column),
                _ if profile.is_native() => {
                    need(
                        spec.plan
                            .as_ref()
                            .expect("the native profile has a plan column"),
                    )?;
                    unreachable!("the plan column was not found")
                }
                (customers, _) => {
                    let names =
                        |f: Option<&Field>| f.map(|f| f.columns.clone()).unwrap_or_default();
                    return Err(IngestError::NoPlan {
                        path: path.to_string(),
                        plan: names(spec.plan.as_ref()),
                        organization: names(spec.organization.as_ref()),
                        customers: customers.is_some(),
                    });
                }
            },
        };
        Ok(TicketColumns {
            id,
            created,
            response: find(spec.response.as_ref().map(Response::field)),
            plan,
            priority: find(spec.priority.as_ref()),
            stage: find(spec.product_stage.as_ref()),
            group: find(spec.group.as_ref()),
            assignee: find(spec.assignee.as_ref()),
            organization: find(spec.organization.as_ref()),
        })
    }
}

impl TicketColumns {
    /// The header names that feed the fields a reject can concern.
    fn named(&self, columns: &Columns) -> Vec<(FieldName, String, usize)> {
        let plan = match self.plan {
            PlanFrom::Column(c) | PlanFrom::Customers(c) => Some(c),
            PlanFrom::Constant(_) => None,
        };
        [
            (FieldName::TicketId, self.id),
            (FieldName::CreatedAt, self.created),
            (FieldName::FirstResponse, self.response),
            (FieldName::Plan, plan),
            (FieldName::Priority, self.priority),
        ]
        .into_iter()
        .filter_map(|(field, c)| c.map(|c| (field, columns.names[c].clone(), c)))
        .collect()
    }
}

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
    organization: u32,
    verdict: Verdict,
}

/// One ticket record after the per-row checks, in input order.
struct TicketRow {
    line: u64,
    raw: (usize, usize),
    parsed: Result<ParsedTicket, (Reason, Option<FieldName>, Option<Span>)>,
}

/// The rows of one chunk and the texts their spans and indices point into.
struct TicketChunk {
    rows: Vec<TicketRow>,
    text: String,
    parsers: TicketParsers,
    names: ChunkNames,
    /// Per id shard, the rows that carry an id, in order; a rejected row's
    /// verdict is `None`.
    by_shard: Vec<Vec<IdRow<Option<Verdict>>>>,
    /// Per row, set by the id check: the ticket id (shard and entry) of a
    /// row to accept, or `DUPLICATE`.
    slots: Vec<AtomicU32>,
}

/// `TicketChunk::slots` value of a row whose id an earlier row took.
const DUPLICATE: u32 = u32::MAX;

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

/// The state the row checks keep along a column: each timestamp parser
/// remembers its column's last date, the cache the plan spellings met.
#[derive(Default)]
pub(crate) struct TicketParsers {
    created: timestamp::Parser,
    responses: timestamp::Parser,
    plans: SpellingCache,
}

/// A ticket row after the checks that need no other row, its texts
/// borrowed from the record (the stage as the profile's stage map names it).
pub(crate) struct CheckedTicket<'r> {
    pub(crate) id: &'r str,
    pub(crate) created: i64,
    pub(crate) response: Option<i64>,
    pub(crate) plan: u16,
    pub(crate) priority: u32,
    pub(crate) stage: &'r str,
    group: &'r str,
    assignee: &'r str,
    organization: &'r str,
    verdict: Verdict,
}

impl CheckedTicket<'_> {
    /// The reject reason decided from the row alone after its fields were
    /// read (a response before creation), if any.
    pub(crate) fn rejected(&self) -> Option<Reason> {
        (self.verdict == Verdict::ResponseBeforeCreated).then_some(Reason::ResponseBeforeCreated)
    }
}

/// The contract's checks of a ticket row that need no other row, in its
/// order: the fields, the timestamps, the plan, the priority, then whether
/// the response precedes creation, lies after `as_of` or outside the
/// period. Inlined: the run calls it for every ticket row.
#[inline]
pub(crate) fn check_ticket<'r>(
    values: &Fields<'r>,
    cols: &TicketColumns,
    opts: &ReadOptions<'r>,
    parsers: &mut TicketParsers,
) -> Result<CheckedTicket<'r>, (Reason, FieldName)> {
    let profile = opts.profile;
    let spec = &profile.tickets;
    let id = values.get(cols.id);
    let created_text = values.get(cols.created);
    // an empty organization is an unknown plan, not a missing field
    let plan_text = match cols.plan {
        PlanFrom::Column(c) => Some(values.get(Some(c))),
        PlanFrom::Customers(_) | PlanFrom::Constant(_) => None,
    };
    let missing = |field| (Reason::MissingField, field);
    if id.is_empty() {
        return Err(missing(FieldName::TicketId));
    }
    if created_text.is_empty() {
        return Err(missing(FieldName::CreatedAt));
    }
    if plan_text == Some("") {
        return Err(missing(FieldName::Plan));
    }
    let zone = opts.ticket_zone();
    let created = spec
        .timestamps
        .parse(created_text, zone, &mut parsers.created)
        .map_err(|e| (Reason::from(e), FieldName::CreatedAt))?;
    let response_text = values.get(cols.response);
    let response = if response_text.is_empty() {
        None
    } else {
        Some(
            match &spec.response {
                Some(Response::After(_, unit)) => after(created, response_text, *unit),
                _ => spec
                    .timestamps
                    .parse(response_text, zone, &mut parsers.responses),
            }
            .map_err(|e| (Reason::from(e), FieldName::FirstResponse))?,
        )
    };
    let unknown_plan = (Reason::UnknownPlan, FieldName::Plan);
    let plan = match cols.plan {
        PlanFrom::Constant(plan) => plan,
        PlanFrom::Column(_) => parsers
            .plans
            .get(plan_text.unwrap_or_default(), |t| plan_of(t, opts))
            .ok_or(unknown_plan)? as u16,
        PlanFrom::Customers(c) => opts
            .customers
            .and_then(|customers| customers.plan(values.get(Some(c))))
            .ok_or(unknown_plan)?,
    };
    let priority = parse_priority(values.get(cols.priority), opts)
        .ok_or((Reason::BadPriority, FieldName::Priority))?;
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
    Ok(CheckedTicket {
        id,
        created,
        response,
        plan,
        priority,
        stage: stage_of(values.get(cols.stage), opts),
        group: values.get(cols.group),
        assignee: values.get(cols.assignee),
        organization: values.get(cols.organization),
        verdict,
    })
}

fn parse_ticket(
    values: &Fields<'_>,
    cols: &TicketColumns,
    opts: &ReadOptions<'_>,
    chunk: &mut TicketChunk,
) -> Result<ParsedTicket, (Reason, FieldName)> {
    let t = check_ticket(values, cols, opts, &mut chunk.parsers)?;
    Ok(ParsedTicket {
        id: chunk.push_text(t.id),
        created: t.created,
        response: t.response,
        plan: t.plan,
        priority: t.priority,
        stage: chunk.names.stages.intern(t.stage),
        group: chunk.names.groups.intern(t.group),
        assignee: chunk.names.assignees.intern(t.assignee),
        organization: chunk.names.organizations.intern(t.organization),
        verdict: t.verdict,
    })
}

/// A plan column's text as the profile reads it: through its plan map,
/// then the policy's keys, names and aliases.
#[inline]
pub(crate) fn plan_of(text: &str, opts: &ReadOptions<'_>) -> Option<usize> {
    opts.profile
        .plan
        .get(text)
        .map(usize::from)
        .or_else(|| opts.policy.find_plan(text))
}

/// A stage as the profile's stage map names it (unmapped texts as
/// written).
#[inline]
pub(crate) fn stage_of<'r>(text: &'r str, opts: &ReadOptions<'r>) -> &'r str {
    match opts.profile.stage.get(text) {
        Some(i) => opts.profile.stage_names[i as usize].as_str(),
        None => text,
    }
}

/// A priority as the profile reads it: through its value map, or the
/// policy's own words when it has none; empty is the policy default.
pub(crate) fn parse_priority(text: &str, opts: &ReadOptions<'_>) -> Option<u32> {
    if text.is_empty() {
        return Some(opts.policy.default_priority);
    }
    match &opts.profile.priority {
        None => opts.policy.parse_priority(text),
        Some(map) => map.get(text).map(|v| match v {
            PriorityValue::Level(level) => level,
            PriorityValue::Default => opts.policy.default_priority,
        }),
    }
}

/// `created + duration` on the calendar clock: a decimal count of `unit`
/// seconds (minutes, hours), or `H:MM[:SS]` when `unit` is `None`; the
/// fraction of a second is truncated, as the contract truncates timestamps.
pub(crate) fn after(created: i64, text: &str, unit: Option<i64>) -> Result<i64, TsError> {
    let seconds = match unit {
        Some(unit) => decimal_seconds(text, unit),
        None => clock_seconds(text),
    }
    .ok_or(TsError::Bad)?;
    let t = created.checked_add(seconds).ok_or(TsError::OutOfSpan)?;
    if in_span(t) {
        Ok(t)
    } else {
        Err(TsError::OutOfSpan)
    }
}

/// `digits[.digits]` times `unit`, in whole seconds.
fn decimal_seconds(text: &str, unit: i64) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || text.ends_with('.') {
        return None;
    }
    // 12 digits of whole units lie far outside the span whatever the unit
    if whole.len() > 12 {
        return Some(i64::MAX / 2);
    }
    let mut seconds = whole.parse::<i64>().ok()?.checked_mul(unit)?;
    // exact: the fraction's digits, scaled by the unit, then truncated
    let digits = &fraction[..fraction.len().min(12)];
    if !digits.is_empty() {
        let scale = 10i64.pow(digits.len() as u32);
        seconds = seconds.checked_add(digits.parse::<i64>().ok()? * unit / scale)?;
    }
    Some(seconds)
}

/// `H:MM` or `H:MM:SS` (any number of hours) in seconds.
fn clock_seconds(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let hours = parts.next()?;
    let minutes = parts.next()?;
    let seconds = parts.next().unwrap_or("00");
    let two = |s: &str| {
        (s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    if parts.next().is_some()
        || hours.is_empty()
        || hours.len() > 12
        || !hours.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let (m, s) = (two(minutes)?, two(seconds)?);
    if m > 59 || s > 59 {
        return None;
    }
    Some(hours.parse::<i64>().ok()? * 3600 + m * 60 + s)
}

fn parse_ticket_chunk(
    body: &Body<'_>,
    (start, end, line, lines): Chunk,
    cols: &TicketColumns,
    opts: &ReadOptions<'_>,
    path: &str,
) -> Result<TicketChunk, IngestError> {
    let chunk = &body.data[start..end];
    let mut records = Records::new(chunk, body.delimiter, line, opts.max_record);
    let lines = row_capacity(lines, chunk.len());
    let mut out = TicketChunk {
        rows: Vec::with_capacity(lines),
        text: String::with_capacity(lines * 12),
        parsers: TicketParsers::default(),
        names: ChunkNames::default(),
        by_shard: vec![Vec::new(); SHARDS],
        slots: Vec::new(),
    };
    let mut ranges = Vec::with_capacity(body.columns.width);
    while let Some((rec, bytes)) = records
        .next_record(&mut ranges)
        .map_err(|e| e.in_file(path))?
    {
        let raw = (start + rec.raw.0, start + rec.raw.1);
        let parsed = match decode(bytes, &mut ranges, body.columns.width) {
            Err(reason) => Err((reason, None, None)),
            Ok(all) => {
                let values = Fields {
                    all,
                    ranges: &ranges,
                };
                parse_ticket(&values, cols, opts, &mut out).map_err(|(reason, field)| {
                    let id = values.get(cols.id);
                    (
                        reason,
                        Some(field),
                        (!id.is_empty()).then(|| out.push_text(id)),
                    )
                })
            }
        };
        let id = match &parsed {
            Ok(t) => Some((t.id, Some(t.verdict))),
            Err((_, _, id)) => id.map(|span| (span, None)),
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

/// What the ticket files' merge keeps between blocks and files.
#[derive(Default)]
pub(super) struct TicketMerge {
    stages: StageIndex,
    /// Per ticket row (all ticket files, in order), the index of its
    /// accepted ticket; an id's state names its accepted row by position.
    pub(super) row_ticket: Vec<u32>,
}

/// One ticket file: each block is parsed in parallel chunks, its ids are
/// checked in parallel shards, then its rows are merged in parallel chunks,
/// while the next block is read.
pub(super) fn load_tickets(
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
    } = open_input(path, opts, sizes)?;
    let cols = TicketColumns::new(&header.columns, opts, path)
        .map_err(|e| e.split_at(header.delimiter))?;
    ds.groups.present |= cols.group.is_some();
    ds.assignees.present |= cols.assignee.is_some();
    ds.organizations.present |= cols.organization.is_some();
    let mut stats = FileStats::new(path, Kind::Tickets);
    stats.columns = cols.named(&header.columns);
    stats.has_organization = cols.organization.is_some();
    stats.delimiter = Some(header.delimiter);
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
                let chunks = body_chunks(&body, &block, sizes.chunk)
                    .par_iter()
                    .map(|&c| parse_ticket_chunk(&body, c, &cols, opts, path))
                    .collect::<Vec<_>>()
                    .into_iter()
                    // the first error in file order, not the first one found
                    .collect::<Result<Vec<_>, _>>()?;
                merge_tickets(&chunks, &body, file, path, opts, ds, merge, &mut stats)?;
                stats.offsetless += chunks
                    .iter()
                    .map(|c| c.parsers.created.offsetless + c.parsers.responses.offsetless)
                    .sum::<u64>();
                Ok(chunks.iter().map(|c| c.text.len()).sum())
            },
            || next_reported(&mut reader, opts),
        );
        let text = merged?;
        let next = next?;
        // reserve once for the whole file, estimated from the first block
        if first_block && next.is_some() && !block.data.is_empty() {
            let scale = size as f64 / block.data.len() as f64 * 1.02;
            let rows = stats.counts.read as f64 * scale;
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
    counts: Counts,
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
        .map(|chunk| NameMaps::new(&chunk.names, &mut merge.stages, ds, opts.policy))
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
        stats.counts.merge(&tally.counts);
        ds.outside_latest = ds.outside_latest.max(tally.outside_latest);
    }
    Ok(())
}

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
                table.prefetch(ahead.hash);
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
    let counts = &mut tally.counts;
    for (r, row) in chunk.rows.iter().enumerate() {
        counts.read += 1;
        let reason = match &row.parsed {
            Err((reason, field, _)) => Some((*reason, *field)),
            Ok(_) if chunk.slots[r].load(Ordering::Relaxed) == DUPLICATE => {
                Some((Reason::DuplicateTicketId, Some(FieldName::TicketId)))
            }
            Ok(t) => match t.verdict {
                Verdict::ResponseBeforeCreated => Some((
                    Reason::ResponseBeforeCreated,
                    Some(FieldName::FirstResponse),
                )),
                Verdict::Skip => {
                    counts.skipped += 1;
                    None
                }
                Verdict::Outside => {
                    counts.outside += 1;
                    let latest = t.response.map_or(t.created, |r| r.max(t.created));
                    tally.outside_latest = tally.outside_latest.max(Some(latest));
                    None
                }
                Verdict::Accept => {
                    counts.accepted += 1;
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
                        organization: names.organizations[t.organization as usize],
                    });
                    None
                }
            },
        };
        if let Some((reason, field)) = reason {
            counts.rejected += 1;
            tally.rejects.push(Reject {
                file,
                line: row.line,
                reason,
                field,
                record: String::from_utf8_lossy(&body.data[row.raw.0..row.raw.1]).into_owned(),
            });
        }
    }
    (tickets, tally)
}
