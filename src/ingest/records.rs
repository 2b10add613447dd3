//! Records: a byte range of a file cut into CSV records with their start
//! line and raw text, the header's columns, and `decode`, which checks a
//! record's width and UTF-8 and trims its fields.

use std::collections::HashMap;

use super::{IngestError, Reason};

/// One CSV record with where it stands: its first line, and the byte range
/// of its raw text (without the line end) in the data the reader was given.
pub(super) struct RawRecord {
    pub(super) line: u64,
    pub(super) raw: (usize, usize),
}

/// Splits a byte range of a file into records with their start line, raw
/// bytes and fields. Data without CR is split directly: a record without a
/// quote ends at its LF, blank lines are skipped and the delimiter
/// separates the fields, which is all the `csv` crate would do with it; a
/// record with a quote (a few in an export that quotes some names) is read
/// by `csv_core`, the `csv` crate's own parser. Data with a CR goes through
/// the `csv` crate.
pub(super) struct Records<'d> {
    data: &'d [u8],
    delimiter: u8,
    /// The longest record allowed (`ReadOptions::max_record`).
    max_record: usize,
    /// `None` when the data is split directly (see `Records::split`).
    csv: Option<CsvRecords<'d>>,
    /// Direct splitting: the offsets of every delimiter and LF, in order.
    splits: Splits<'d>,
    /// Direct splitting: the reader of the records with a quote, made at
    /// the first.
    quoted: Option<QuotedRecords>,
    /// Direct splitting: offset of the first quote at or after `pos`
    /// (`data.len()` when there is none).
    quote: usize,
    /// Direct splitting: offset of the next unread byte.
    pos: usize,
    /// Offset (in `data`) up to which lines are counted, and its line.
    counted_to: usize,
    line: u64,
    /// Whether `data` has any CR (else every line end is a LF).
    has_cr: bool,
}

/// Where the bytes of a record just read are.
enum Source {
    /// In the data, a record without quote (so without line end).
    Plain,
    /// In `QuotedRecords::fields`.
    Quoted,
    /// In `CsvRecords::record`.
    Csv,
}

/// `csv_core`'s reader for the records with a quote of directly split data,
/// and the fields of the last one it read.
struct QuotedRecords {
    reader: csv_core::Reader,
    /// The fields' text, unquoted, and the end of each in it.
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// The length of the last record's text in `fields`.
    len: usize,
}

impl QuotedRecords {
    fn new(delimiter: u8) -> QuotedRecords {
        let mut quoted = QuotedRecords {
            reader: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            fields: vec![0; 256],
            ends: vec![0; 16],
            len: 0,
        };
        // csv_core strips a BOM before its first record, which must not
        // happen to a record that merely starts with one (see `PAD`)
        quoted.read(PAD, &mut Vec::new());
        quoted
    }

    /// Reads the record at the start of `data` (no blank line before it),
    /// its fields' byte ranges into `ranges`; returns the bytes it took, its
    /// terminator included.
    fn read(&mut self, data: &[u8], ranges: &mut Vec<(usize, usize)>) -> usize {
        use csv_core::ReadRecordResult as R;
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (res, i, o, e) = self.reader.read_record(
                &data[nin..],
                &mut self.fields[nout..],
                &mut self.ends[nend..],
            );
            nin += i;
            nout += o;
            nend += e;
            match res {
                // at the end of the data: the next call, with nothing
                // left, ends the record
                R::InputEmpty => {}
                // the text is never longer than the data
                R::OutputFull => {
                    let n = self.fields.len();
                    self.fields.resize((2 * n).min(data.len()).max(n + 1), 0);
                }
                R::OutputEndsFull => self.ends.resize(2 * self.ends.len(), 0),
                R::Record | R::End => break,
            }
        }
        ranges.clear();
        let mut at = 0;
        for &end in &self.ends[..nend] {
            ranges.push((at, end));
            at = end;
        }
        self.len = nout;
        nin
    }
}

/// The `csv` crate's reader over a chunk, and its current record.
struct CsvRecords<'d> {
    /// Reads `PAD` then the data: the csv crate strips a BOM at the start
    /// of its input, which must not happen to a record that merely begins
    /// a chunk (nor to a second BOM at the start of a file); and it keeps
    /// two copies of its first record (as headers, even without headers),
    /// which must not be a record of many MiB.
    reader: csv::Reader<std::io::Chain<&'static [u8], &'d [u8]>>,
    record: csv::ByteRecord,
    /// Whether the record of `PAD` was read (and dropped).
    padded: bool,
}

/// A chunk length (far above the chunk size, and above the size from which
/// glibc always maps fresh zeroed pages) from which its record buffer is
/// sized at once.
const LONG_CHUNK: usize = 32 << 20;

/// A one-byte record read before every chunk (see `CsvRecords::reader`).
const PAD: &[u8] = b"-\n";

/// The offsets of every delimiter and LF of a byte slice, in order, from a
/// bit mask per 64 bytes: a field is about ten bytes, too short for a
/// `memchr2` search per field to pay for its setup.
#[derive(Clone)]
struct Splits<'d> {
    data: &'d [u8],
    delimiter: u8,
    /// Offset of the 64 bytes that `mask` covers.
    base: usize,
    /// The separators of those bytes not yet returned, one bit each.
    mask: u64,
}

impl<'d> Splits<'d> {
    fn new(data: &'d [u8], delimiter: u8) -> Splits<'d> {
        Splits {
            data,
            delimiter,
            base: 0,
            mask: separator_mask(data, delimiter),
        }
    }

    /// Goes on from offset `pos`: the separators before it are skipped.
    fn seek(&mut self, pos: usize) {
        self.base = pos - pos % 64;
        self.mask = match self.data.get(self.base..) {
            Some(rest) if !rest.is_empty() => {
                separator_mask(rest, self.delimiter) & (!0u64 << (pos % 64))
            }
            _ => 0,
        };
    }
}

impl Iterator for Splits<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 64;
            if self.base >= self.data.len() {
                return None;
            }
            self.mask = separator_mask(&self.data[self.base..], self.delimiter);
        }
        let at = self.base + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// Bit `i` set when `bytes[i]` (of the first 64) is `delimiter` or LF.
#[inline]
fn separator_mask(bytes: &[u8], delimiter: u8) -> u64 {
    let Some(block) = bytes.first_chunk::<64>() else {
        // the short tail: one byte at a time
        return bytes
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c == delimiter || c == b'\n')
            .fold(0, |m, (i, _)| m | 1 << i);
    };
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut mask = 0u64;
        // SAFETY: SSE2 is part of x86_64; each load reads 16 of the 64
        // bytes of `block` (unaligned loads).
        unsafe {
            let d = _mm_set1_epi8(delimiter as i8);
            let lf = _mm_set1_epi8(b'\n' as i8);
            for k in 0..4 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
                let hit = _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, lf));
                mask |= u64::from(_mm_movemask_epi8(hit) as u16) << (16 * k);
            }
        }
        mask
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block.iter().enumerate().fold(0, |m, (i, &c)| {
            m | u64::from(c == delimiter || c == b'\n') << i
        })
    }
}

/// Line ends in `bytes`: LF, CRLF (once) and lone CR. `next` is the byte
/// after the slice, to tell a CR that ends the slice from a CRLF.
pub(super) fn count_line_ends(bytes: &[u8], next: Option<u8>) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1).copied().or(next) != Some(b'\n'))
        .count() as u64;
    lf + lone_cr
}

impl<'d> Records<'d> {
    /// Records of `data` (a whole file without its BOM, or a chunk that
    /// starts at a record boundary on line `line`), none longer than
    /// `max_record` bytes.
    pub(super) fn new(data: &'d [u8], delimiter: u8, line: u64, max_record: usize) -> Records<'d> {
        Records::split(data, delimiter, line, max_record, true)
    }

    /// As `new`; `direct` false sends plain data through the csv crate too.
    fn split(
        data: &'d [u8],
        delimiter: u8,
        line: u64,
        max_record: usize,
        direct: bool,
    ) -> Records<'d> {
        // one scan for both, in the common case (no quote, or no CR
        // before the first quote)
        let (has_cr, quote) = match memchr::memchr2(b'\r', b'"', data) {
            None => (false, data.len()),
            Some(i) if data[i] == b'\r' => (true, data.len()),
            Some(i) => (memchr::memchr(b'\r', &data[i..]).is_some(), i),
        };
        // the delimiter (`,` or `;` from the command line, or detected) is
        // checked anyway: a line end, a quote or a non-ASCII delimiter would
        // change the grammar, so the csv crate would have to decide
        let direct =
            direct && !has_cr && delimiter.is_ascii() && !matches!(delimiter, b'\n' | b'\r' | b'"');
        let csv = (!direct).then(|| CsvRecords {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(std::io::Read::chain(PAD, data)),
            // A chunk this long holds a record of many MiB: room for its
            // text at once (zeroed pages of the allocator's own, touched
            // only as written), where the csv crate would double its
            // buffer again and again, writing zeros into each new half.
            record: if data.len() >= LONG_CHUNK {
                csv::ByteRecord::with_capacity(data.len(), 0)
            } else {
                csv::ByteRecord::new()
            },
            padded: false,
        });
        // with the csv crate the splits are never read: an empty haystack
        let split_data = if direct { data } else { &[] };
        Records {
            data,
            delimiter,
            max_record,
            csv,
            splits: Splits::new(split_data, delimiter),
            quoted: None,
            quote,
            pos: 0,
            counted_to: 0,
            line,
            has_cr,
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

    /// Passes over the next record if it is split directly (no quote, no
    /// blank line before it) and is one that its reader would only count:
    /// `width` fields, valid UTF-8, and a field `column` (untrimmed) that
    /// makes `other` true. Whether it did. Cheaper than `next_record`: the
    /// fields are not collected, nor the record's line told.
    pub(super) fn skip_record(
        &mut self,
        width: usize,
        column: usize,
        other: impl Fn(&[u8]) -> bool,
    ) -> bool {
        let data = self.data;
        let start = self.pos;
        if self.csv.is_some() || start == data.len() {
            return false;
        }
        let mut splits = self.splits.clone();
        let (mut fields, mut from, mut field) = (0, start, None);
        let end = loop {
            let at = splits.next().unwrap_or(data.len());
            if fields == column {
                field = Some(&data[from..at]);
            }
            fields += 1;
            if at == data.len() || data[at] == b'\n' {
                break at;
            }
            from = at + 1;
        };
        let record = &data[start..end];
        let skip = fields == width
            && end > start
            && self.quote > end
            && end - start <= self.max_record
            && field.is_some_and(other)
            && (record.is_ascii() || std::str::from_utf8(record).is_ok());
        if skip {
            self.splits = splits;
            self.count_lines_to(start);
            self.counted_to = end;
            self.pos = (end + 1).min(data.len());
        }
        skip
    }

    /// The next record, or `None` at the end: its place, its bytes, and in
    /// `fields` the byte range of each field within those bytes.
    pub(super) fn next_record(
        &mut self,
        fields: &mut Vec<(usize, usize)>,
    ) -> Result<Option<(RawRecord, &[u8])>, RecordError> {
        fields.clear();
        let (start, end, source) = match &mut self.csv {
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
                if self.quote < end {
                    // a record with a quote: csv_core reads it (the fields
                    // split above may be parts of a quoted one)
                    let delimiter = self.delimiter;
                    let quoted = self
                        .quoted
                        .get_or_insert_with(|| QuotedRecords::new(delimiter));
                    let after = start + quoted.read(&data[start..], fields);
                    self.pos = after;
                    self.splits.seek(after);
                    self.quote =
                        memchr::memchr(b'"', &data[after..]).map_or(data.len(), |i| after + i);
                    (start, self.raw_end(start, after), Source::Quoted)
                } else {
                    // the next quote is past the LF that ends the record
                    self.pos = (end + 1).min(data.len());
                    (start, end, Source::Plain)
                }
            }
            Some(csv) => {
                if !csv.padded {
                    // into a record of its own: the copies are of its
                    // buffer, however large `csv.record`'s
                    csv.reader
                        .read_byte_record(&mut csv::ByteRecord::new())
                        .map_err(RecordError::Csv)?;
                    csv.padded = true;
                }
                let before = csv.reader.position().byte() as usize;
                if !csv
                    .reader
                    .read_byte_record(&mut csv.record)
                    .map_err(RecordError::Csv)?
                {
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
                (start, self.raw_end(start, after), Source::Csv)
            }
        };
        self.count_lines_to(start);
        if end - start > self.max_record {
            return Err(RecordError::TooLong {
                line: self.line,
                limit: self.max_record,
            });
        }
        let bytes = match source {
            Source::Plain => {
                // the record holds no line end: counting resumes after it
                self.counted_to = end;
                &self.data[start..end]
            }
            Source::Quoted => {
                let quoted = self.quoted.as_ref().expect("a quoted record was read");
                &quoted.fields[..quoted.len]
            }
            Source::Csv => match &self.csv {
                Some(csv) => csv.record.as_slice(),
                None => unreachable!("a csv record without the csv reader"),
            },
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

impl Records<'_> {
    /// The end of the raw text of the record from `start` that a parser
    /// read up to `after`: without its terminator, unless a quote still
    /// open at the end of the data (only the file's last record can end so:
    /// chunks end at record boundaries) holds its last line ends as text.
    fn raw_end(&self, start: usize, after: usize) -> usize {
        let record = &self.data[start..after];
        let open = after == self.data.len()
            && matches!(record.last(), Some(b'\n' | b'\r'))
            && scan_records(record, self.delimiter, Quoting::FieldStart, |_| {}) == Quoting::Quoted;
        let mut end = after;
        if !open && end > start && self.data[end - 1] == b'\n' {
            end -= 1;
        }
        if !open && end > start && self.data[end - 1] == b'\r' {
            end -= 1;
        }
        end
    }
}

/// Why the records of a chunk cannot be read: fatal for the file.
#[derive(Debug)]
pub(super) enum RecordError {
    Csv(csv::Error),
    /// A record longer than `limit` bytes starts on `line`.
    TooLong {
        line: u64,
        limit: usize,
    },
}

impl RecordError {
    pub(super) fn in_file(self, path: &str) -> IngestError {
        let path = path.to_string();
        match self {
            RecordError::Csv(e) => IngestError::Csv {
                path,
                message: e.to_string(),
            },
            RecordError::TooLong { line, limit } => {
                IngestError::RecordTooLong { path, line, limit }
            }
        }
    }
}

/// Column positions of one file.
pub(super) struct Columns {
    pub(super) width: usize,
    index: HashMap<String, usize>,
    /// The names without a Zendesk type decoration (`Plan [list]`).
    undecorated: HashMap<String, usize>,
    /// The header's names as written (trimmed).
    pub(super) names: Vec<String>,
}

impl Columns {
    fn new(names: Vec<String>) -> Columns {
        let mut index = HashMap::new();
        let mut undecorated = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let key = name.to_lowercase();
            if let Some(plain) = strip_decoration(&key) {
                undecorated.entry(plain.to_string()).or_insert(i);
            }
            index.entry(key).or_insert(i);
        }
        Columns {
            width: names.len(),
            index,
            undecorated,
            names,
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The column of the first candidate name the header has (any case,
    /// trimmed); with `decorations`, `Plan [list]` is also `Plan`, and of
    /// `Plan [list]` and `Plan` the first column wins, as for any repeated
    /// name (CONTRACT.md section 3).
    pub(super) fn find(&self, candidates: &[String], decorations: bool) -> Option<usize> {
        candidates.iter().find_map(|c| {
            let key = c.trim().to_lowercase();
            let plain = self.get(&key);
            let decorated = decorations
                .then(|| self.undecorated.get(&key).copied())
                .flatten();
            match (plain, decorated) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        })
    }
}

impl Columns {
    /// The column of a required profile field, or the fatal error that
    /// names the field, its candidates and the header.
    pub(super) fn require(
        &self,
        field: &crate::profile::Field,
        decorations: bool,
        path: &str,
    ) -> Result<Option<usize>, IngestError> {
        self.find(&field.columns, decorations)
            .map(Some)
            .ok_or_else(|| IngestError::MissingColumn {
                path: path.to_string(),
                field: field.key,
                candidates: field.columns.clone(),
                found: self.names.clone(),
                delimiter: None,
            })
    }
}

/// `plan [list]` -> `plan`: a trailing bracketed word after a space.
fn strip_decoration(name: &str) -> Option<&str> {
    let open = name.strip_suffix(']')?.rfind(" [")?;
    let plain = name[..open].trim_end();
    (!plain.is_empty()).then_some(plain)
}

/// The header of a file: its delimiter and columns.
pub(super) struct Header {
    pub(super) delimiter: u8,
    pub(super) columns: Columns,
}

/// Parses the header record at the start of `data` (BOM and leading blank
/// lines already removed), which starts on `line`;
/// returns it with the offset and line where the records start.
pub(super) fn read_header(
    data: &[u8],
    line: u64,
    path: &str,
    delimiter: u8,
    max_record: usize,
) -> Result<(Header, usize, u64), IngestError> {
    let mut records = Records::new(data, delimiter, line, max_record);
    let mut fields = Vec::new();
    let Some((_, bytes)) = records
        .next_record(&mut fields)
        .map_err(|e| e.in_file(path))?
    else {
        return Err(IngestError::Empty {
            path: path.to_string(),
        });
    };
    let mut names = Vec::with_capacity(fields.len());
    for &(s, e) in &fields {
        let name = std::str::from_utf8(&bytes[s..e]).map_err(|_| IngestError::HeaderNotUtf8 {
            path: path.to_string(),
        })?;
        names.push(name.trim().to_string());
    }
    let columns = Columns::new(names);
    let records_from = records.offset();
    records.count_lines_to(records_from);
    Ok((Header { delimiter, columns }, records_from, records.line))
}

/// Validates a record (field count, UTF-8 in every field) given as its
/// bytes and the byte ranges of its fields, and trims those ranges in place;
/// `malformed_row` otherwise.
pub(super) fn decode<'r>(
    bytes: &'r [u8],
    ranges: &mut [(usize, usize)],
    width: usize,
) -> Result<&'r str, Reason> {
    // Unicode white space within ASCII: 0x09..=0x0D and the space
    let ws = |c: u8| c == b' ' || (0x09..=0x0D).contains(&c);
    if ranges.len() != width {
        return Err(Reason::MalformedRow);
    }
    if bytes.is_ascii() {
        // the common case: one pass over the bytes (ASCII is UTF-8), every
        // boundary is a character boundary
        // SAFETY: every byte is ASCII, so `bytes` is valid UTF-8.
        let all = unsafe { std::str::from_utf8_unchecked(bytes) };
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
    // a field that starts and ends with ASCII other than white space (most
    // fields of a record with a name like `Åre`) has nothing to trim
    let kept = |c: Option<&u8>| c.is_some_and(|&c| c.is_ascii() && !ws(c));
    for (s, e) in ranges.iter_mut() {
        if !all.is_char_boundary(*s) || !all.is_char_boundary(*e) {
            return Err(Reason::MalformedRow);
        }
        let text = &all[*s..*e];
        if kept(text.as_bytes().first()) && kept(text.as_bytes().last()) {
            continue;
        }
        let trimmed = text.trim();
        *s += trimmed.as_ptr() as usize - text.as_ptr() as usize;
        *e = *s + trimmed.len();
    }
    Ok(all)
}

/// Read access to a decoded record's trimmed fields.
pub(crate) struct Fields<'r> {
    pub(super) all: &'r str,
    pub(super) ranges: &'r [(usize, usize)],
}

impl<'r> Fields<'r> {
    /// The field of `column` ("" when the file has no such column).
    /// Inlined: called for every field of every row, from other modules.
    #[inline]
    pub(crate) fn get(&self, column: Option<usize>) -> &'r str {
        match column {
            None => "",
            Some(i) => {
                let (s, e) = self.ranges[i];
                &self.all[s..e]
            }
        }
    }
}

/// Where a scan of CSV text stands, as the csv crate reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Quoting {
    #[default]
    FieldStart,
    Unquoted,
    /// Inside a quoted field: line ends and delimiters are text.
    Quoted,
    /// A quote in a quoted field: it closes the field, or a second quote
    /// follows and it was a literal one.
    QuoteInQuoted,
}

/// Calls `at` with the offset after every record terminator of `data`,
/// read from quoting state `state` (`FieldStart` at a record boundary),
/// following the csv crate's quoting: a quote opens a quoted field only at
/// the start of a field. Returns the state after the last byte.
///
/// Only quotes and line ends change the state between fields (a delimiter
/// matters only as the byte before a quote), so the scan jumps from one to
/// the next: an export that quotes a few fields is scanned at `memchr`
/// speed, not byte by byte.
pub(super) fn scan_records(
    data: &[u8],
    delimiter: u8,
    mut state: Quoting,
    mut at: impl FnMut(usize),
) -> Quoting {
    use Quoting as S;
    if matches!(delimiter, b'"' | b'\n' | b'\r') {
        return scan_records_bytewise(data, delimiter, state, at);
    }
    let mut i = 0;
    while i < data.len() {
        match state {
            S::Quoted => match memchr::memchr(b'"', &data[i..]) {
                None => return S::Quoted,
                Some(k) => {
                    i += k + 1;
                    state = S::QuoteInQuoted;
                }
            },
            S::QuoteInQuoted => {
                let c = data[i];
                i += 1;
                state = if c == b'"' {
                    S::Quoted
                } else if c == b'\n' || c == b'\r' {
                    at(i);
                    S::FieldStart
                } else if c == delimiter {
                    S::FieldStart
                } else {
                    S::Unquoted
                };
            }
            S::FieldStart | S::Unquoted => match memchr::memchr3(b'"', b'\n', b'\r', &data[i..]) {
                None => {
                    if data[data.len() - 1] == delimiter {
                        return S::FieldStart;
                    }
                    return S::Unquoted;
                }
                Some(k) => {
                    let j = i + k;
                    state = if data[j] != b'"' {
                        at(j + 1);
                        S::FieldStart
                    } else if (k == 0 && state == S::FieldStart)
                        || (k > 0 && data[j - 1] == delimiter)
                    {
                        S::Quoted
                    } else {
                        S::Unquoted
                    };
                    i = j + 1;
                }
            },
        }
    }
    state
}

/// [`scan_records`] one byte at a time: for a delimiter that is itself a
/// quote or a line end, and the reference of the fast scan's test.
fn scan_records_bytewise(
    data: &[u8],
    delimiter: u8,
    mut state: Quoting,
    mut at: impl FnMut(usize),
) -> Quoting {
    use Quoting as S;
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
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `Plan [list]` before `Plan` lost to the later column,
    /// against the contract's "the first column wins".
    #[test]
    fn of_a_decorated_and_a_plain_name_the_first_column_wins() {
        let columns = |names: &[&str]| Columns::new(names.iter().map(|n| n.to_string()).collect());
        let plan = ["plan".to_string()];
        let c = columns(&["Id", "Plan [list]", "Plan", "Plan [txt]"]);
        assert_eq!(c.find(&plan, true), Some(1));
        assert_eq!(
            c.find(&plan, false),
            Some(2),
            "without decorations, only Plan"
        );
        let c = columns(&["Plan", "Plan [list]"]);
        assert_eq!(c.find(&plan, true), Some(0));
        let c = columns(&["Plan [txt]", "Plan [list]"]);
        assert_eq!(c.find(&plan, true), Some(0));
        assert_eq!(c.find(&plan, false), None);
        // candidates are still tried in the profile's order
        let c = columns(&["Ticket ID", "Id [int]"]);
        let ids = ["Id".to_string(), "Ticket ID".to_string()];
        assert_eq!(c.find(&ids, true), Some(1));
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
                let mut records = Records::split(line.as_bytes(), b',', 1, usize::MAX, direct);
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
        let mut records = Records::split(data, delimiter, 7, usize::MAX, direct);
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
        /// Data without CR split directly (quoted records by csv_core)
        /// gives the csv crate's records, fields, lines and offsets,
        /// whatever the bytes.
        #[test]
        fn direct_splitting_matches_the_csv_crate(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"a"[..], b"id-7", b" ", b",", b";", b"\n", b"\n\n", b"\t",
                    b"\0", b"\xC3\xA9", b"\xC3", b"\xFF", b"\xEF\xBB\xBF", b"\"", b"\"\"",
                    b",\"x,\ny\"", b"\xEF\xBB\xBF\"",
                ]),
                0..120,
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

        /// Records passed over by `skip_record` are those its caller would
        /// only count after `next_record`; the others come out the same,
        /// with the same lines.
        #[test]
        fn skipping_records_leaves_the_others_as_they_were(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"a"[..], b"ab", b" ", b",", b"\n", b"\n\n", b"\xC3\xA9", b"\xFF", b"\"",
                    b",\"x,\ny\"",
                ]),
                0..120,
            ),
            width in 1usize..4,
            column in 0usize..3,
        ) {
            let data: Vec<u8> = parts.concat();
            let other = |f: &[u8]| f.first() == Some(&b'a');
            let column = column.min(width - 1);
            let run = |skip: bool| {
                let mut records = Records::new(&data, b',', 7, usize::MAX);
                let (mut fields, mut kept, mut counted) = (Vec::new(), Vec::new(), 0);
                loop {
                    if skip && records.skip_record(width, column, other) {
                        counted += 1;
                        continue;
                    }
                    let Some((rec, bytes)) = records.next_record(&mut fields).unwrap() else {
                        break;
                    };
                    let only_counted = fields.len() == width
                        && other(&bytes[fields[column].0..fields[column].1])
                        && std::str::from_utf8(bytes).is_ok();
                    if only_counted {
                        counted += 1;
                    } else {
                        kept.push((rec.line, rec.raw, bytes.to_vec(), fields.clone()));
                    }
                }
                (kept, counted, records.line, records.offset())
            };
            proptest::prop_assert_eq!(run(true), run(false));
        }

        /// The separators found by the 64-byte masks are `memchr2`'s, at
        /// every length and alignment.
        #[test]
        fn the_masked_splits_are_the_delimiters_and_line_ends(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b',', b';', b'\n', b'\0', 0xFF]),
                0..300,
            ),
            skip in 0usize..64,
            semicolon in proptest::bool::ANY,
        ) {
            let data = &bytes[skip.min(bytes.len())..];
            let delimiter = if semicolon { b';' } else { b',' };
            let masked: Vec<usize> = Splits::new(data, delimiter).collect();
            let searched: Vec<usize> = memchr::memchr2_iter(delimiter, b'\n', data).collect();
            proptest::prop_assert_eq!(masked, searched);
        }

        /// The scan that jumps between quotes and line ends finds the record
        /// ends and the final state of the byte-by-byte scan, from any state.
        #[test]
        fn the_jumping_record_scan_matches_the_bytewise_one(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"a"[..], b"xy z", b",", b";", b"\"", b"\"\"", b"\n", b"\r", b"\r\n",
                    b"\xC3\xA9",
                ]),
                0..40,
            ),
            state in proptest::sample::select(vec![
                Quoting::FieldStart, Quoting::Unquoted, Quoting::Quoted, Quoting::QuoteInQuoted,
            ]),
            delimiter in proptest::sample::select(vec![b',', b';', b'a', b'"', b'\n']),
        ) {
            let data: Vec<u8> = parts.concat();
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let end_fast = scan_records(&data, delimiter, state, |e| fast.push(e));
            let end_slow = scan_records_bytewise(&data, delimiter, state, |e| slow.push(e));
            proptest::prop_assert_eq!((fast, end_fast), (slow, end_slow));
        }
    }

    /// Regression: a record whose quote is still open at the end of the
    /// data lost its last line end in rejects.csv, although inside the
    /// quote it is text of the record (as the csv crate and the oracle read
    /// it); a closed record still loses its terminator.
    #[test]
    fn a_quote_open_at_the_end_keeps_its_last_line_end() {
        for (data, last) in [
            (&b"a,\"b\nc\n"[..], &b"a,\"b\nc\n"[..]),
            (b"a,\"b\r\nc\r\n", b"a,\"b\r\nc\r\n"),
            (b"a,\"b\nc\r", b"a,\"b\nc\r"),
            (b"a,\"b\"\"\n", b"a,\"b\"\"\n"),
            (b"a,\"b\n\"\r\n", b"a,\"b\n\""),
            (b"a,\"b\"x\n", b"a,\"b\"x"),
            (b"a,b\"\n", b"a,b\""),
        ] {
            let records = split_all(data, b',', false);
            let (_, (s, e), _, _) = records.last().unwrap();
            assert_eq!(&data[*s..*e], last, "{:?}", String::from_utf8_lossy(data));
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
                let mut records = Records::split(line, b',', 1, usize::MAX, direct);
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
}
