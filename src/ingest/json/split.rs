//! The splitter: a JSON history file cut into its records without a DOM.
//!
//! A small byte scanner (strings with escapes, nesting depth as a counter,
//! so no recursion and no stack to overflow) reads the file in blocks and
//! keeps only the record being read: memory is bounded by the block size
//! plus the longest record (`max_record`), whatever the file size.
//!
//! The shape is told apart by the first value:
//! - an object holding one of the known keys (`"audits"`) with an array
//!   value is a *page*: the records are that array's elements, the other
//!   keys' values are scanned and dropped; more pages may follow (pages
//!   fetched one by one and appended), nothing else;
//! - an array: the records are its elements;
//! - an object that ends on the line where it starts, without a known key:
//!   NDJSON, one record a line (blank lines allowed). A line is a record
//!   whatever it holds: one that is not JSON is the caller's
//!   `malformed_row`, and the next line is read as usual.
//!
//! Inside a page or an array the structure between records is checked
//! strictly: a broken one (`[{..} {..}]`, `[{..},]`) leaves no reliable way
//! to find the next record and is fatal. Within a record only strings and
//! brackets are followed; whether it is valid JSON is for the parser.
//!
//! A page or array that the file ends inside is fatal (truncated file):
//! what was cut off is not one record but an unknown rest of the history,
//! so no reject could account for it. An NDJSON file cut inside its last
//! line is the CSV case: that line is one (malformed) record.

use std::io::Read;

use crate::ingest::read_ahead::ReadAhead;
use crate::ingest::IngestError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes read at a time: the buffer's size when no record is open.
const BLOCK: usize = 1 << 20;

/// One record of a JSON history file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::ingest) struct JsonRecord {
    /// 1-based line where the record starts (LF, CRLF and lone CR end a
    /// line, as in the CSV reader).
    pub(in crate::ingest) line: u64,
    /// Its raw bytes, from its first byte to its last (an NDJSON record:
    /// its line without leading blanks and line end).
    pub(in crate::ingest) text: Vec<u8>,
}

/// How a file's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::ingest) enum Shape {
    /// `{"audits":[...], ...}`, one or several in a row.
    Page,
    /// `[...]`.
    Array,
    /// One record a line.
    Ndjson,
}

/// Line ends counted over a byte stream fed in pieces: a CR at the end of
/// one piece and an LF at the start of the next are one CRLF.
#[derive(Debug, Clone, Copy)]
struct Lines {
    line: u64,
    last_cr: bool,
}

impl Lines {
    fn feed(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else {
            return;
        };
        let mut ends = memchr::memchr_iter(b'\n', bytes).count() as u64;
        if self.last_cr && bytes[0] == b'\n' {
            ends -= 1;
        }
        ends += memchr::memchr_iter(b'\r', bytes)
            .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .count() as u64;
        self.last_cr = last == b'\r';
        self.line += ends;
    }
}

/// Where a value ends: after a closing bracket at depth 0, a closing quote,
/// or before a delimiter (a scalar).
#[derive(Debug, Clone, Copy, Default)]
struct Scan {
    depth: u64,
    string: bool,
    escape: bool,
    scalar: bool,
}

impl Scan {
    /// The scan of a value whose first byte, `first`, was consumed.
    fn start(first: u8) -> Scan {
        match first {
            b'{' | b'[' => Scan {
                depth: 1,
                ..Scan::default()
            },
            b'"' => Scan {
                string: true,
                ..Scan::default()
            },
            _ => Scan {
                scalar: true,
                ..Scan::default()
            },
        }
    }

    /// Scans `data[i..]`: `Ok(end)` when the value ends before `end`,
    /// `Err(data.len())` when it goes on after `data`.
    fn run(&mut self, data: &[u8], mut i: usize) -> Result<usize, usize> {
        if self.scalar {
            return match data[i..].iter().position(|&c| ends_scalar(c)) {
                Some(k) => Ok(i + k),
                None => Err(data.len()),
            };
        }
        loop {
            if self.string {
                if self.escape {
                    if i >= data.len() {
                        return Err(data.len());
                    }
                    self.escape = false;
                    i += 1;
                }
                match memchr::memchr2(b'"', b'\\', &data[i..]) {
                    None => return Err(data.len()),
                    Some(k) => {
                        i += k + 1;
                        if data[i - 1] == b'\\' {
                            self.escape = true;
                            continue;
                        }
                        self.string = false;
                        if self.depth == 0 {
                            return Ok(i);
                        }
                    }
                }
            }
            loop {
                let Some(&c) = data.get(i) else {
                    return Err(data.len());
                };
                i += 1;
                match c {
                    b'"' => {
                        self.string = true;
                        break;
                    }
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth -= 1;
                        if self.depth == 0 {
                            return Ok(i);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

fn ends_scalar(c: u8) -> bool {
    matches!(
        c,
        b',' | b']' | b'}' | b':' | b'"' | b'{' | b'[' | b' ' | b'\t' | b'\n' | b'\r'
    )
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// What follows a string at depth 1 of a probed object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Nothing,
    /// A known key.
    Key,
    /// A known key and its colon.
    Colon,
}

/// A top-level object read until it shows what it is: a page (a known key
/// with an array value) or, for the file's first value, an NDJSON record.
/// Tolerant: it only follows strings and brackets (and keys at depth 1).
#[derive(Debug, Clone, Copy)]
struct Probe {
    /// The file's first value (which may be an NDJSON record).
    first: bool,
    /// Line where the object starts.
    line: u64,
    depth: u64,
    string: bool,
    escape: bool,
    /// No line end since the object's start.
    one_line: bool,
    /// Its first line grew past `max_record` (and was not kept).
    overflow: bool,
    after: After,
}

/// The strict reading of a page object after its array of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    /// After a value: `,` or `}`.
    After,
    /// After `,`: a key.
    Key,
    InKey {
        escape: bool,
    },
    Colon,
    Value,
}

/// The strict reading of an array of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arr {
    /// After `[`: a record or `]`.
    First,
    /// After `,`: a record.
    Next,
    /// After a record: `,` or `]`.
    After,
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// A BOM and blanks before the first value.
    Start,
    /// Page files: between pages.
    Between,
    /// Array files: after the array.
    End,
    Probe(Probe),
    Obj(Obj),
    Arr(Arr),
    /// A record of a page or an array, kept from `keep`.
    Element(Scan),
    /// A value of another key of a page, dropped.
    Skip(Scan),
    /// NDJSON: between lines (`keep` is `None`) or in one.
    Line,
    Done,
}

enum Step {
    Record(JsonRecord),
    More,
    Done,
}

/// The records of a JSON history file, read in batches.
pub(in crate::ingest) struct JsonRecords {
    path: String,
    /// The file's bytes, read and hashed on a thread of its own.
    input: ReadAhead,
    read_bytes: u64,
    eof: bool,
    block: usize,
    max_record: usize,
    keys: Vec<Box<[u8]>>,
    /// The longest key.
    key_cap: usize,
    buf: Vec<u8>,
    /// Scanned up to here.
    pos: usize,
    /// Start of the bytes still needed: the open record.
    keep: Option<usize>,
    /// Line ends counted up to here.
    counted: usize,
    lines: Lines,
    phase: Phase,
    shape: Option<Shape>,
    /// Line where the open page or array starts.
    open_line: u64,
    /// Line where the open record starts.
    record_line: u64,
    /// The key being read at depth 1 of a page (up to `key_cap` + 1 bytes).
    key: Vec<u8>,
    /// The key whose value comes next is a known one.
    key_known: bool,
}

impl JsonRecords {
    /// Opens `path`; `keys` are the keys of a page that hold its records
    /// (`["audits"]`), `max_record` the longest record allowed in bytes.
    pub(in crate::ingest) fn open(
        path: &str,
        keys: &[&str],
        max_record: usize,
    ) -> Result<JsonRecords, IngestError> {
        let file = std::fs::File::open(path).map_err(|error| IngestError::Read {
            path: path.to_string(),
            error,
        })?;
        JsonRecords::from_reader(path, Box::new(file), keys, max_record, BLOCK)
    }

    /// The records of any reader, read `block` bytes at a time; `path`
    /// names it in errors.
    fn from_reader(
        path: &str,
        input: Box<dyn Read + Send>,
        keys: &[&str],
        max_record: usize,
        block: usize,
    ) -> Result<JsonRecords, IngestError> {
        let input = ReadAhead::new(input).map_err(|error| IngestError::Read {
            path: path.to_string(),
            error,
        })?;
        let keys: Vec<Box<[u8]>> = keys.iter().map(|k| k.as_bytes().into()).collect();
        Ok(JsonRecords {
            path: path.to_string(),
            input,
            read_bytes: 0,
            eof: false,
            block: block.max(1),
            max_record,
            key_cap: keys.iter().map(|k| k.len()).max().unwrap_or(0),
            keys,
            buf: Vec::new(),
            pos: 0,
            keep: None,
            counted: 0,
            lines: Lines {
                line: 1,
                last_cr: false,
            },
            phase: Phase::Start,
            shape: None,
            open_line: 1,
            record_line: 1,
            key: Vec::new(),
            key_known: false,
        })
    }

    /// The next records, about `bytes` bytes of them (at least one), or
    /// `None` after the last.
    pub(in crate::ingest) fn next_batch(
        &mut self,
        bytes: usize,
    ) -> Result<Option<Vec<JsonRecord>>, IngestError> {
        let mut out = Vec::new();
        let mut size = 0;
        loop {
            match self.advance()? {
                Step::Record(r) => {
                    size += r.text.len();
                    out.push(r);
                    if size >= bytes.max(1) {
                        break;
                    }
                }
                Step::More => self.refill()?,
                Step::Done => break,
            }
        }
        Ok(if out.is_empty() { None } else { Some(out) })
    }

    /// The file's shape, known once its first record was read.
    pub(in crate::ingest) fn shape(&self) -> Option<Shape> {
        self.shape
    }

    /// Bytes read so far (for progress).
    pub(in crate::ingest) fn read_bytes(&self) -> u64 {
        self.read_bytes
    }

    /// The SHA-256 of every byte read, in hex (the whole file once
    /// `next_batch` returned `None`).
    pub(in crate::ingest) fn sha256(self) -> String {
        self.input.sha256()
    }

    /// Drops what is no longer needed and reads the next block.
    fn refill(&mut self) -> Result<(), IngestError> {
        let drop = self.keep.unwrap_or(self.pos);
        if drop > self.counted {
            self.lines.feed(&self.buf[self.counted..drop]);
            self.counted = drop;
        }
        self.buf.drain(..drop);
        self.pos -= drop;
        self.counted -= drop;
        if let Some(k) = &mut self.keep {
            *k -= drop;
        }
        let n = self
            .input
            .read_into(&mut self.buf, self.block)
            .map_err(|error| IngestError::Read {
                path: self.path.clone(),
                error,
            })?;
        self.read_bytes += n as u64;
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// The line of `buf[at]` (at or after the last position asked).
    fn line_at(&mut self, at: usize) -> u64 {
        if at > self.counted {
            self.lines.feed(&self.buf[self.counted..at]);
            self.counted = at;
        }
        self.lines.line
    }

    fn error(&self, line: u64, message: String) -> IngestError {
        IngestError::Json {
            path: self.path.clone(),
            line,
            message,
        }
    }

    /// A fatal error about the byte at `at`.
    fn error_at(&mut self, at: usize, message: String) -> IngestError {
        let line = self.line_at(at);
        self.error(line, message)
    }

    fn too_long(&self, line: u64) -> IngestError {
        IngestError::RecordTooLong {
            path: self.path.clone(),
            line,
            limit: self.max_record,
        }
    }

    /// The shapes this file may have, for messages.
    fn expected(&self) -> String {
        let pages: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{{\"{}\":[...]}}", String::from_utf8_lossy(k)))
            .collect();
        let mut s = pages.join(" or ");
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str("an array of records, or NDJSON (one record a line)");
        s
    }

    /// A fatal error about the unexpected value or byte at `pos`; `message`
    /// is given what was found.
    fn unexpected(&mut self, message: impl FnOnce(&str) -> String) -> IngestError {
        // enough of the file to name the token (a read error shows less)
        while self.buf.len() - self.pos < 20 && !self.eof && self.refill().is_ok() {}
        let rest = &self.buf[self.pos..];
        let found = match rest.first() {
            None => "the end of the file".to_string(),
            Some(b'"') => "a string".to_string(),
            Some(&c) if ends_scalar(c) => format!("'{}'", c as char),
            Some(_) => {
                let n = rest.iter().take(20).position(|&c| ends_scalar(c));
                let token = &rest[..n.unwrap_or(rest.len().min(20))];
                format!("'{}'", String::from_utf8_lossy(token))
            }
        };
        let message = message(&found);
        self.error_at(self.pos, message)
    }

    /// Skips blanks; `false` when the buffer is exhausted.
    fn skip_space(&mut self) -> bool {
        while let Some(&c) = self.buf.get(self.pos) {
            if !is_space(c) {
                return true;
            }
            self.pos += 1;
        }
        false
    }

    /// Scans on until a record is complete, the buffer is exhausted, or
    /// the file ends.
    fn advance(&mut self) -> Result<Step, IngestError> {
        loop {
            let phase = std::mem::replace(&mut self.phase, Phase::Done);
            let (next, step) = match phase {
                Phase::Start => self.start()?,
                Phase::Between => self.between()?,
                Phase::End => self.end()?,
                Phase::Probe(p) => self.probe(p)?,
                Phase::Obj(o) => self.object(o)?,
                Phase::Arr(a) => self.array(a)?,
                Phase::Element(s) => self.element(s)?,
                Phase::Skip(s) => self.skip(s)?,
                Phase::Line => self.ndjson_line()?,
                Phase::Done => (Phase::Done, Some(Step::Done)),
            };
            self.phase = next;
            if let Some(step) = step {
                return Ok(step);
            }
        }
    }

    /// `More` when the file goes on, else what the end of the file means
    /// in `phase`.
    fn more_or(
        &mut self,
        phase: Phase,
        at_end: impl FnOnce(&mut Self) -> Result<(Phase, Option<Step>), IngestError>,
    ) -> Result<(Phase, Option<Step>), IngestError> {
        if self.eof {
            at_end(self)
        } else {
            Ok((phase, Some(Step::More)))
        }
    }

    fn truncated(&mut self) -> IngestError {
        let what = match self.shape {
            Some(Shape::Page) => "page",
            _ => "array",
        };
        let line = self.open_line;
        self.error(
            line,
            format!("the file ends inside the {what} that starts here (truncated file?)"),
        )
    }

    fn start(&mut self) -> Result<(Phase, Option<Step>), IngestError> {
        if self.buf.len() < UTF8_BOM.len() && !self.eof {
            return Ok((Phase::Start, Some(Step::More)));
        }
        if self.pos == 0 && self.buf.starts_with(UTF8_BOM) {
            self.pos = UTF8_BOM.len();
            self.counted = self.pos;
        }
        if !self.skip_space() {
            return self.more_or(Phase::Start, |s| {
                let line = s.line_at(s.pos);
                Err(s.error(line, format!("empty file: expected {}", s.expected())))
            });
        }
        let at = self.pos;
        match self.buf[at] {
            b'[' => {
                self.shape = Some(Shape::Array);
                self.open_line = self.line_at(at);
                self.pos += 1;
                Ok((Phase::Arr(Arr::First), None))
            }
            b'{' => {
                let line = self.line_at(at);
                self.keep = Some(at);
                self.pos += 1;
                Ok((Phase::Probe(Probe::new(true, line)), None))
            }
            _ => {
                let expected = self.expected();
                Err(self.unexpected(|found| format!("expected {expected}, found {found}")))
            }
        }
    }

    fn between(&mut self) -> Result<(Phase, Option<Step>), IngestError> {
        if !self.skip_space() {
            return self.more_or(Phase::Between, |_| Ok((Phase::Done, Some(Step::Done))));
        }
        let at = self.pos;
        if self.buf[at] == b'{' {
            let line = self.line_at(at);
            self.pos += 1;
            return Ok((Phase::Probe(Probe::new(false, line)), None));
        }
        Err(self.unexpected(|found| {
            format!(
                "unexpected {found} after the end of a page: expected another page or the end of \
                 the file"
            )
        }))
    }

    fn end(&mut self) -> Result<(Phase, Option<Step>), IngestError> {
        if !self.skip_space() {
            return self.more_or(Phase::End, |_| Ok((Phase::Done, Some(Step::Done))));
        }
        Err(self.unexpected(|found| {
            format!("unexpected {found} after the end of the array: expected the end of the file")
        }))
    }

    /// A byte of a string at depth 1: part of a possible key.
    fn capture(&mut self, c: u8) {
        if self.key_known {
            if self.key.len() < self.key_cap {
                self.key.push(c);
            } else {
                self.key_known = false;
            }
        }
    }

    /// Whether the key just read is a known one.
    fn key_matches(&self) -> bool {
        self.key_known && self.keys.iter().any(|k| **k == *self.key)
    }

    fn probe(&mut self, mut p: Probe) -> Result<(Phase, Option<Step>), IngestError> {
        while let Some(&c) = self.buf.get(self.pos) {
            self.pos += 1;
            if p.string {
                if p.escape {
                    p.escape = false;
                } else if c == b'\\' {
                    p.escape = true;
                } else if c == b'"' {
                    p.string = false;
                    if p.depth == 1 && self.key_matches() {
                        p.after = After::Key;
                    }
                    continue;
                } else if (c == b'\n' || c == b'\r') && p.first && p.one_line {
                    // a raw line end cannot be in a string: the first line
                    // is a broken NDJSON record
                    return self.read_as_ndjson(p);
                }
                if p.depth == 1 {
                    self.capture(c);
                }
                continue;
            }
            match c {
                b' ' | b'\t' => {}
                b'\n' | b'\r' => {
                    if p.one_line && p.first {
                        self.keep = None;
                    }
                    p.one_line = false;
                }
                b'"' => {
                    p.string = true;
                    p.after = After::Nothing;
                    if p.depth == 1 {
                        self.key.clear();
                        self.key_known = true;
                    }
                }
                b':' => {
                    p.after = if p.depth == 1 && p.after == After::Key {
                        After::Colon
                    } else {
                        After::Nothing
                    };
                }
                b'[' if p.depth == 1 && p.after == After::Colon => {
                    self.shape = Some(Shape::Page);
                    self.open_line = p.line;
                    self.keep = None;
                    return Ok((Phase::Arr(Arr::First), None));
                }
                b'{' | b'[' => {
                    p.depth += 1;
                    p.after = After::Nothing;
                }
                b'}' | b']' => {
                    p.depth -= 1;
                    p.after = After::Nothing;
                    if p.depth == 0 {
                        return self.probed_object(p);
                    }
                }
                _ => p.after = After::Nothing,
            }
        }
        if !self.eof {
            if let Some(k) = self.keep {
                if self.buf.len() - k > self.max_record {
                    // too long for an NDJSON record; a page needs none of it
                    self.keep = None;
                    p.overflow = true;
                }
            }
            return Ok((Phase::Probe(p), Some(Step::More)));
        }
        if p.first && p.one_line {
            return self.read_as_ndjson(p);
        }
        let line = p.line;
        Err(self.error(
            line,
            "the file ends inside the object that starts here (truncated file?)".to_string(),
        ))
    }

    /// A top-level object ended without a known key.
    fn probed_object(&mut self, p: Probe) -> Result<(Phase, Option<Step>), IngestError> {
        if p.first && p.one_line {
            return self.read_as_ndjson(p);
        }
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("\"{}\"", String::from_utf8_lossy(k)))
            .collect();
        let message = if p.first {
            format!(
                "an object over several lines without a {} array: expected {}",
                keys.join(" or "),
                self.expected()
            )
        } else {
            format!(
                "an object without a {} array after a page: expected another page or the end of \
                 the file",
                keys.join(" or ")
            )
        };
        Err(self.error(p.line, message))
    }

    /// The file is NDJSON: its first line is read again as a record.
    fn read_as_ndjson(&mut self, p: Probe) -> Result<(Phase, Option<Step>), IngestError> {
        match self.keep {
            Some(k) if !p.overflow => {
                self.shape = Some(Shape::Ndjson);
                self.pos = k;
                self.keep = None;
                Ok((Phase::Line, None))
            }
            _ => Err(self.too_long(p.line)),
        }
    }

    fn object(&mut self, mut o: Obj) -> Result<(Phase, Option<Step>), IngestError> {
        loop {
            if let Obj::InKey { mut escape } = o {
                let mut closed = false;
                while let Some(&c) = self.buf.get(self.pos) {
                    self.pos += 1;
                    if escape {
                        escape = false;
                    } else if c == b'\\' {
                        escape = true;
                    } else if c == b'"' {
                        closed = true;
                        break;
                    }
                    self.capture(c);
                }
                if !closed {
                    let phase = Phase::Obj(Obj::InKey { escape });
                    return self.more_or(phase, |s| Err(s.truncated()));
                }
                self.key_known = self.key_matches();
                o = Obj::Colon;
                continue;
            }
            if !self.skip_space() {
                return self.more_or(Phase::Obj(o), |s| Err(s.truncated()));
            }
            let at = self.pos;
            let c = self.buf[at];
            let expected = match (o, c) {
                (Obj::After, b',') => {
                    self.pos += 1;
                    o = Obj::Key;
                    continue;
                }
                (Obj::After, b'}') => {
                    self.pos += 1;
                    return Ok((Phase::Between, None));
                }
                (Obj::Key, b'"') => {
                    self.pos += 1;
                    self.key.clear();
                    self.key_known = true;
                    o = Obj::InKey { escape: false };
                    continue;
                }
                (Obj::Colon, b':') => {
                    self.pos += 1;
                    o = Obj::Value;
                    continue;
                }
                (Obj::Value, b'[') if self.key_known => {
                    self.pos += 1;
                    return Ok((Phase::Arr(Arr::First), None));
                }
                (Obj::Value, b',' | b']' | b'}' | b':') => "a value",
                (Obj::Value, c) => {
                    self.pos += 1;
                    return Ok((Phase::Skip(Scan::start(c)), None));
                }
                (Obj::After, _) => "',' or '}' after a value of the page",
                (Obj::Key, _) => "a key",
                (Obj::Colon, _) => "':' after a key",
                (Obj::InKey { .. }, _) => unreachable!("keys are read above"),
            };
            return Err(self.unexpected(|found| format!("expected {expected}, found {found}")));
        }
    }

    fn array(&mut self, mut a: Arr) -> Result<(Phase, Option<Step>), IngestError> {
        loop {
            if !self.skip_space() {
                return self.more_or(Phase::Arr(a), |s| Err(s.truncated()));
            }
            let at = self.pos;
            let c = self.buf[at];
            match (a, c) {
                (Arr::After, b',') => {
                    self.pos += 1;
                    a = Arr::Next;
                }
                (Arr::After | Arr::First, b']') => {
                    self.pos += 1;
                    let next = match self.shape {
                        Some(Shape::Page) => Phase::Obj(Obj::After),
                        _ => Phase::End,
                    };
                    return Ok((next, None));
                }
                (Arr::After, _) => {
                    return Err(self.unexpected(|found| {
                        format!("expected ',' or ']' after a record, found {found}")
                    }));
                }
                (_, b',' | b']' | b'}' | b':') => {
                    return Err(
                        self.unexpected(|found| format!("expected a record, found {found}"))
                    );
                }
                _ => {
                    self.record_line = self.line_at(at);
                    self.keep = Some(at);
                    self.pos += 1;
                    return Ok((Phase::Element(Scan::start(c)), None));
                }
            }
        }
    }

    fn element(&mut self, mut s: Scan) -> Result<(Phase, Option<Step>), IngestError> {
        let start = self.keep.expect("a record is open");
        match s.run(&self.buf, self.pos) {
            Ok(end) => {
                self.pos = end;
                if end - start > self.max_record {
                    return Err(self.too_long(self.record_line));
                }
                self.keep = None;
                let record = JsonRecord {
                    line: self.record_line,
                    text: self.buf[start..end].to_vec(),
                };
                Ok((Phase::Arr(Arr::After), Some(Step::Record(record))))
            }
            Err(end) => {
                self.pos = end;
                if end - start > self.max_record {
                    return Err(self.too_long(self.record_line));
                }
                self.more_or(Phase::Element(s), |s| Err(s.truncated()))
            }
        }
    }

    fn skip(&mut self, mut s: Scan) -> Result<(Phase, Option<Step>), IngestError> {
        match s.run(&self.buf, self.pos) {
            Ok(end) => {
                self.pos = end;
                Ok((Phase::Obj(Obj::After), None))
            }
            Err(end) => {
                self.pos = end;
                self.more_or(Phase::Skip(s), |s| Err(s.truncated()))
            }
        }
    }

    fn ndjson_line(&mut self) -> Result<(Phase, Option<Step>), IngestError> {
        let start = match self.keep {
            Some(k) => k,
            None => {
                while let Some(&c) = self.buf.get(self.pos) {
                    if !is_space(c) {
                        break;
                    }
                    self.pos += 1;
                }
                if self.pos >= self.buf.len() {
                    return self.more_or(Phase::Line, |_| Ok((Phase::Done, Some(Step::Done))));
                }
                self.record_line = self.line_at(self.pos);
                self.keep = Some(self.pos);
                self.pos
            }
        };
        let end = match memchr::memchr2(b'\n', b'\r', &self.buf[self.pos..]) {
            Some(k) => self.pos + k,
            None => {
                self.pos = self.buf.len();
                if self.pos - start > self.max_record {
                    return Err(self.too_long(self.record_line));
                }
                if !self.eof {
                    return Ok((Phase::Line, Some(Step::More)));
                }
                self.pos
            }
        };
        self.pos = end;
        if end - start > self.max_record {
            return Err(self.too_long(self.record_line));
        }
        self.keep = None;
        let record = JsonRecord {
            line: self.record_line,
            text: self.buf[start..end].to_vec(),
        };
        Ok((Phase::Line, Some(Step::Record(record))))
    }
}

impl Probe {
    fn new(first: bool, line: u64) -> Probe {
        Probe {
            first,
            line,
            depth: 1,
            string: false,
            escape: false,
            one_line: true,
            overflow: false,
            after: After::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_ahead::hex;
    use sha2::{Digest, Sha256};

    const AUDITS: &[u8] = include_bytes!("../../../tests/fixtures/zendesk/audits.json");
    const KEYS: &[&str] = &["audits", "activities_data"];

    fn reader(data: Vec<u8>, max_record: usize, block: usize) -> JsonRecords {
        let input = Box::new(std::io::Cursor::new(data));
        JsonRecords::from_reader("h.json", input, KEYS, max_record, block).unwrap()
    }

    /// Every record of `data` as (line, text), or the error's message.
    fn split_with(
        data: &[u8],
        max_record: usize,
        block: usize,
        batch: usize,
    ) -> Result<Vec<(u64, String)>, String> {
        let mut r = reader(data.to_vec(), max_record, block);
        let mut out = Vec::new();
        while let Some(records) = r.next_batch(batch).map_err(|e| e.to_string())? {
            assert!(!records.is_empty());
            out.extend(
                records
                    .into_iter()
                    .map(|r| (r.line, String::from_utf8_lossy(&r.text).into_owned())),
            );
        }
        Ok(out)
    }

    fn split(data: &[u8]) -> Result<Vec<(u64, String)>, String> {
        split_with(data, 1 << 20, 1 << 16, 1 << 20)
    }

    /// `split`, checked to give the same whatever the block and batch sizes.
    fn split_any(data: &[u8]) -> Result<Vec<(u64, String)>, String> {
        let reference = split(data);
        for block in [1, 2, 3, 5, 64, 1000] {
            for batch in [1, 7, 1 << 20] {
                let got = split_with(data, 1 << 20, block, batch);
                assert_eq!(got, reference, "block {block} batch {batch}");
            }
        }
        reference
    }

    fn lines(records: &[(u64, String)]) -> Vec<u64> {
        records.iter().map(|r| r.0).collect()
    }

    /// The line of each byte offset, counted the CSV reader's way.
    fn line_of(data: &[u8], at: usize) -> u64 {
        1 + crate::ingest::records::count_line_ends(&data[..at], data.get(at).copied())
    }

    #[test]
    fn a_pretty_printed_page_gives_its_audits_with_their_lines_with_any_line_ends() {
        let records = split_any(AUDITS).unwrap();
        assert_eq!(lines(&records), [3, 52, 65, 79, 91, 103, 115]);
        let page: serde_json::Value = serde_json::from_slice(AUDITS).unwrap();
        let audits = page["audits"].as_array().unwrap();
        assert_eq!(records.len(), audits.len());
        for ((_, text), audit) in records.iter().zip(audits) {
            let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(&parsed, audit);
        }
        let text = std::str::from_utf8(AUDITS).unwrap();
        for end in ["\r\n", "\r"] {
            let other = split_any(text.replace('\n', end).as_bytes()).unwrap();
            assert_eq!(lines(&other), lines(&records), "{end:?}");
        }
        let mut r = reader(AUDITS.to_vec(), 1 << 20, 100);
        while r.next_batch(1).unwrap().is_some() {}
        assert_eq!(r.shape(), Some(Shape::Page));
        assert_eq!(r.read_bytes(), AUDITS.len() as u64);
        assert_eq!(r.sha256(), hex(&Sha256::digest(AUDITS)));
    }

    #[test]
    fn an_array_and_ndjson_give_their_records_with_their_lines() {
        let array = b"[\r\n  {\"a\": \"x]}\\\"\"},\n  [1, {\"b\": []}],\r  \"s\", 12 ,null\n]\n";
        let got = split_any(array).unwrap();
        assert_eq!(
            got,
            [
                (2, "{\"a\": \"x]}\\\"\"}".to_string()),
                (3, "[1, {\"b\": []}]".to_string()),
                (4, "\"s\"".to_string()),
                (4, "12".to_string()),
                (4, "null".to_string()),
            ]
        );
        let ndjson = b"\n{\"id\":1}\r\n\r\n  {\"id\":2} \n{broken\r{\"id\":3}";
        let got = split_any(ndjson).unwrap();
        assert_eq!(
            got,
            [
                (2, "{\"id\":1}".to_string()),
                (4, "{\"id\":2} ".to_string()),
                (5, "{broken".to_string()),
                (6, "{\"id\":3}".to_string()),
            ]
        );
        let mut r = reader(ndjson.to_vec(), 100, 3);
        r.next_batch(1).unwrap();
        assert_eq!(r.shape(), Some(Shape::Ndjson));
    }

    #[test]
    fn a_page_skips_its_other_keys_and_may_be_followed_by_more_pages() {
        // a decoy "audits" as a value and as a nested key, an escaped key
        let page = br#"{"count": 2, "x": "audits", "users": [{"audits": [9]}], "aud\u0069ts": [8],
            "audits": [{"id": 1}, {"id": 2}], "next_page": "https://x.zendesk.com/api/v2/ticket_audits.json?cursor=a\"b"}
{"audits": [], "meta": {"has_more": false}} {"audits":[3]}
"#;
        let got = split_any(page).unwrap();
        assert_eq!(
            got,
            [
                (2, "{\"id\": 1}".to_string()),
                (2, "{\"id\": 2}".to_string()),
                (3, "3".to_string()),
            ]
        );
        // a one-line page is a page, not an NDJSON record
        let got = split_any(br#"{"activities_data":[{"ticket_id":1},{"ticket_id":2}]}"#).unwrap();
        assert_eq!(got.len(), 2);
        // other keys' values are not kept: no record limit applies to them
        let big = format!(
            "{{\"users\": [\"{}\"],\n \"audits\": [{{}}]}}",
            "u".repeat(5000)
        );
        assert_eq!(split_with(big.as_bytes(), 100, 64, 1).unwrap().len(), 1);
    }

    #[test]
    fn the_fixtures_split_at_their_documented_lines() {
        let ndjson = include_bytes!("../../../tests/fixtures/zendesk/audits.ndjson");
        assert_eq!(lines(&split_any(ndjson).unwrap()), [1, 2, 3, 5, 6, 7, 8]);
        let activities = include_bytes!("../../../tests/fixtures/freshdesk/activities.json");
        let got = split_any(activities).unwrap();
        assert_eq!(lines(&got), [3, 16, 25, 36, 46, 57, 69, 79]);
    }

    #[test]
    fn a_bom_before_json_is_skipped() {
        let with_bom = [UTF8_BOM, AUDITS].concat();
        assert_eq!(split_any(&with_bom), split_any(AUDITS));
        let got = split_any(b"\xEF\xBB\xBF{\"id\":1}\n{\"id\":2}\n").unwrap();
        assert_eq!(lines(&got), [1, 2]);
        let mut r = reader(with_bom.clone(), 1 << 20, 2);
        while r.next_batch(1).unwrap().is_some() {}
        assert_eq!(
            r.sha256(),
            hex(&Sha256::digest(&with_bom)),
            "the BOM is hashed"
        );
    }

    #[test]
    fn files_of_no_known_shape_are_fatal_naming_the_expected_ones() {
        let expected = "expected {\"audits\":[...]} or {\"activities_data\":[...]}, an array of \
                        records, or NDJSON (one record a line)";
        for (data, want) in [
            (&b""[..], format!("h.json:1: empty file: {expected}")),
            (
                b"\xEF\xBB\xBF \r\n\n",
                format!("h.json:3: empty file: {expected}"),
            ),
            (b"null", format!("h.json:1: {expected}, found 'null'")),
            (
                b"\n\"audits\"",
                format!("h.json:2: {expected}, found a string"),
            ),
            (b"42\n", format!("h.json:1: {expected}, found '42'")),
            (b"}", format!("h.json:1: {expected}, found '}}'")),
            (
                b"{\n  \"tickets\": [{\"id\": 1}]\n}\n",
                format!(
                    "h.json:1: an object over several lines without a \"audits\" or \
                     \"activities_data\" array: {expected}"
                ),
            ),
        ] {
            for block in [1, 2, 1000] {
                let got = split_with(data, 1 << 20, block, 1).unwrap_err();
                assert_eq!(got, want, "{data:?} block {block}");
            }
        }
    }

    #[test]
    fn garbage_or_broken_structure_around_records_is_fatal_with_its_line() {
        for (data, want) in [
            (&b"{\"audits\": [{\"id\": 1}]}\ngarbage"[..], "h.json:2: unexpected 'garbage' after the end of a page: expected another page or the end of the file"),
            (b"{\"audits\": []}\n{\"id\": 1}", "h.json:2: an object without a \"audits\" or \"activities_data\" array after a page: expected another page or the end of the file"),
            (b"[1]\n]", "h.json:2: unexpected ']' after the end of the array: expected the end of the file"),
            (b"{\"audits\": [\n{\"id\": 1}\n{\"id\": 2}]}", "h.json:3: expected ',' or ']' after a record, found '{'"),
            (b"[{\"id\": 1},\n]", "h.json:2: expected a record, found ']'"),
            (b"[,1]", "h.json:1: expected a record, found ','"),
            (b"{\"audits\": [1]\n\"next\": 1}", "h.json:2: expected ',' or '}' after a value of the page, found a string"),
            (b"{\"audits\": [1], next: 1}", "h.json:1: expected a key, found 'next'"),
            (b"{\"audits\": [1], \"next\" 1}", "h.json:1: expected ':' after a key, found '1'"),
            (b"{\"audits\": [1], \"next\": }", "h.json:1: expected a value, found '}'"),
        ] {
            for block in [1, 3, 1000] {
                assert_eq!(split_with(data, 1 << 20, block, 1).unwrap_err(), want, "block {block}");
            }
        }
    }

    /// A page or array cut anywhere is fatal (what was cut off is unknown);
    /// an NDJSON file cut in a line gives that line as a (bad) record.
    #[test]
    fn a_truncated_page_is_fatal_and_a_truncated_ndjson_line_is_a_record() {
        let end = AUDITS.iter().rposition(|&c| c == b'}').unwrap();
        // "{" alone could be a cut NDJSON line
        assert_eq!(split(b"{").unwrap(), [(1, "{".to_string())]);
        for cut in (0..end).filter(|&cut| cut != 1) {
            let got = split_with(&AUDITS[..cut], 1 << 20, 256, 1 << 20);
            let err = got.expect_err("truncated");
            let fine = err.starts_with("h.json:1: empty file")
                || err.starts_with("h.json:1: the file ends inside the object that starts here")
                || err.starts_with("h.json:1: the file ends inside the page that starts here");
            assert!(fine, "cut {cut}: {err}");
        }
        assert_eq!(
            split(b"[{\"a\": 1},\n {\"b\": \"x").unwrap_err(),
            "h.json:1: the file ends inside the array that starts here (truncated file?)"
        );
        let got = split_any(b"{\"id\": 1}\n{\"id\": 2, \"ev").unwrap();
        assert_eq!(got[1], (2, "{\"id\": 2, \"ev".to_string()));
        let got = split_any(b"{\"id\": 1, \"t").unwrap();
        assert_eq!(got, [(1, "{\"id\": 1, \"t".to_string())]);
    }

    #[test]
    fn a_broken_first_ndjson_line_is_a_record_when_a_line_end_cuts_a_string() {
        let got = split_any(b"{\"id\": \"1\n{\"id\": 2}\n").unwrap();
        assert_eq!(lines(&got), [1, 2]);
    }

    /// A record longer than the limit is fatal with the line it starts on,
    /// whatever the sizes; one of exactly the limit is read.
    #[test]
    fn a_record_over_the_limit_is_fatal_with_its_line() {
        let limit = 40;
        let exactly = format!("{{\"s\": \"{}\"}}", "x".repeat(limit - 9));
        assert_eq!(exactly.len(), limit);
        let over = format!("{{\"s\": \"{}\"}}", "x".repeat(limit - 8));
        for (data, line) in [
            (format!("[{exactly},\n{over}]"), 2),
            (format!("{{\"audits\":[\n\n{over}]}}"), 3),
            (format!("{exactly}\n\n{over}\n"), 3),
            (format!("{exactly}\n{}", "y".repeat(limit * 3)), 2),
        ] {
            for block in [1, 7, 1000] {
                let err = split_with(data.as_bytes(), limit, block, 1).unwrap_err();
                let want = format!(
                    "h.json:{line}: record longer than {limit} bytes (raise the limit with \
                     --max-record-size)"
                );
                assert_eq!(err, want, "{data} block {block}");
            }
        }
        for data in [format!("[{exactly}]"), format!("{exactly}\r\n")] {
            assert_eq!(split_with(data.as_bytes(), limit, 3, 1).unwrap().len(), 1);
        }
        // a one-line page longer than the limit is fine (records are short)
        let page = format!(
            "{{\"skip\": \"{}\", \"audits\": [1, 2]}}",
            "z".repeat(limit * 2)
        );
        assert_eq!(split_with(page.as_bytes(), limit, 5, 1).unwrap().len(), 2);
        let line = format!("{{\"skip\": \"{}\"}}", "z".repeat(limit * 2));
        assert!(split_with(line.as_bytes(), limit, 5, 1)
            .unwrap_err()
            .starts_with("h.json:1: record longer"));
    }

    /// Yields `head`, then `n` bytes `fill`, then `tail`, without holding them.
    struct Generated {
        head: Vec<u8>,
        fill: u8,
        n: usize,
        tail: Vec<u8>,
        at: usize,
    }

    impl Read for Generated {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let total = self.head.len() + self.n + self.tail.len();
            let mut k = 0;
            while k < out.len() && self.at < total {
                let i = self.at;
                out[k] = if i < self.head.len() {
                    self.head[i]
                } else if i < self.head.len() + self.n {
                    self.fill
                } else {
                    self.tail[i - self.head.len() - self.n]
                };
                k += 1;
                self.at += 1;
            }
            Ok(k)
        }
    }

    #[test]
    fn a_100_mb_string_is_too_long_for_a_small_limit_and_read_under_a_large_one() {
        let n = 100 << 20;
        let open = |max_record: usize| {
            let input = Generated {
                head: b"{\"audits\": [\n{\"ticket_id\": 1, \"events\": [{\"type\": \"Comment\", \"body\": \""
                    .to_vec(),
                fill: b'a',
                n,
                tail: b"\"}]}]}".to_vec(),
                at: 0,
            };
            JsonRecords::from_reader("big.json", Box::new(input), KEYS, max_record, BLOCK).unwrap()
        };
        let err = open(1 << 20).next_batch(1).unwrap_err().to_string();
        assert_eq!(
            err,
            "big.json:2: record longer than 1048576 bytes (raise the limit with --max-record-size)"
        );
        let mut r = open(128 << 20);
        let records = r.next_batch(1).unwrap().unwrap();
        assert_eq!(records.len(), 1);
        assert!(records[0].text.len() > n);
        assert_eq!(
            super::super::zendesk_audit(&records[0].text),
            super::super::Extracted::Ignored
        );
        assert!(r.next_batch(1).unwrap().is_none());
    }

    #[test]
    fn nesting_100000_deep_is_scanned_without_recursion() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let n = 100_000;
        for data in [
            format!("{{\"audits\": [{}]}}", deep(n)),
            format!("[{}, {{}}]", deep(n)),
            format!("{{\"skip\": {}, \"audits\": [{{}}]}}", deep(n)),
            format!("{{\"id\": {}}}\n{{}}", deep(n)),
        ] {
            let records = split_with(data.as_bytes(), 1 << 20, 4096, 1 << 20).unwrap();
            for (_, text) in records {
                let _ = super::super::zendesk_audit(text.as_bytes());
                let _ = super::super::compact(text.as_bytes());
            }
        }
        let got = split(format!("[{}", "[".repeat(n)).as_bytes()).map(|r| r.len());
        let want = "h.json:1: the file ends inside the array that starts here (truncated file?)";
        assert_eq!(got, Err(want.to_string()));
        // on one line: a broken NDJSON record
        let got = split(format!("{{\"a\": {}", "{\"a\": ".repeat(n)).as_bytes()).unwrap();
        assert_eq!(got.len(), 1);
        let malformed = super::super::zendesk_audit(got[0].1.as_bytes());
        assert_eq!(malformed, super::super::Extracted::Malformed);
    }

    /// One generated element: its text on one line, or pretty over several.
    fn element() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::sample::select(vec![
            "{\"id\": 1}",
            "{\"s\": \"a]}\\\"\\\\\"}",
            "{\"e\": [{\"x\": [1, 2]}, {}], \"n\": null}",
            "[1, \"]\"]",
            "\"str{\"",
            "-12.5e3",
            "true",
            "{\"audits\": [1]}",
            "{\"u\": \"\\u00e9\\n\"}",
        ])
        .prop_map(str::to_string)
    }

    proptest::proptest! {
        /// Records built into each shape, with random blanks and line ends,
        /// come back with their lines, whatever the block and batch sizes.
        #[test]
        fn generated_files_give_back_their_records_and_lines(
            shape in 0u8..3,
            elements in proptest::collection::vec(element(), 0..12),
            blanks in proptest::collection::vec(
                proptest::sample::select(vec!["", " ", "\n", "\r\n", "\r", "\t\n\n"]), 30),
            block in 1usize..40,
            batch in 1usize..100,
            bom: bool,
        ) {
            let mut data = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
            let mut starts = Vec::new();
            let mut blank = blanks.iter().cycle();
            let put = |data: &mut Vec<u8>, s: &str| data.extend_from_slice(s.as_bytes());
            match shape {
                0 | 1 => {
                    if shape == 0 {
                        put(&mut data, "{\"count\": 3,");
                        put(&mut data, blank.next().unwrap());
                        put(&mut data, "\"x\": {\"audits\": [7]}, \"audits\":");
                    }
                    put(&mut data, blank.next().unwrap());
                    put(&mut data, "[");
                    for (i, e) in elements.iter().enumerate() {
                        if i > 0 {
                            put(&mut data, blank.next().unwrap());
                            put(&mut data, ",");
                        }
                        put(&mut data, blank.next().unwrap());
                        starts.push(data.len());
                        put(&mut data, e);
                    }
                    put(&mut data, blank.next().unwrap());
                    put(&mut data, "]");
                    if shape == 0 {
                        put(&mut data, ", \"next_page\": null}");
                    }
                    put(&mut data, blank.next().unwrap());
                }
                _ => {
                    put(&mut data, blank.next().unwrap());
                    for (i, e) in elements.iter().enumerate() {
                        let e = if i == 0 { "{\"first\": 1}" } else { e.as_str() };
                        starts.push(data.len());
                        put(&mut data, e);
                        put(&mut data, ["\n", "\r\n", "\r"][i % 3]);
                        put(&mut data, blank.next().unwrap());
                    }
                }
            }
            let expect: Vec<(u64, String)> = starts
                .iter()
                .enumerate()
                .map(|(i, &at)| {
                    let text = if shape == 2 && i == 0 { "{\"first\": 1}" } else { &elements[i] };
                    (line_of(&data, at), text.to_string())
                })
                .collect();
            let got = split_with(&data, 1 << 20, block, batch);
            if shape == 2 && elements.is_empty() {
                proptest::prop_assert!(got.is_err(), "an empty file");
            } else {
                proptest::prop_assert_eq!(got, Ok(expect));
            }
        }

        /// Arbitrary bytes never panic the splitter or the extraction.
        #[test]
        fn random_bytes_never_panic(
            data in proptest::collection::vec(
                proptest::sample::select(b"{}[]\",:\\ \n\r\tax1\xEFuditsn".to_vec()), 0..200),
            block in 1usize..20,
            max_record in 1usize..50,
        ) {
            let data = [&b"{\"audits\":["[..], &data].concat();
            for data in [&data[11..], &data[..]] {
                let mut r = reader(data.to_vec(), max_record, block);
                while let Ok(Some(records)) = r.next_batch(3) {
                    for rec in records {
                        let _ = super::super::zendesk_audit(&rec.text);
                        let _ = super::super::freshdesk_activity(&rec.text);
                        let _ = super::super::compact(&rec.text);
                    }
                }
            }
        }
    }
}
