//! Blocks: a file read a block at a time (whole records only, so memory
//! stays bounded by the block size) and hashed on the way, its header, and
//! each block cut into chunks that parse in parallel.

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::records::{count_line_ends, read_header, Columns, Header};
use super::{IngestError, ReadOptions, Sizes};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The delimiter of a file: `;` when its header line has `;` and no `,`.
fn detect_delimiter(data: &[u8]) -> u8 {
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
    scan_records(&data[from..], delimiter, Quoting::FieldStart, |end| {
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

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A block of a file's records: whole records only, from `records_from`,
/// the first of which starts on line `line_after_header`.
pub(super) struct Body<'d> {
    pub(super) data: &'d [u8],
    pub(super) delimiter: u8,
    pub(super) columns: &'d Columns,
    pub(super) records_from: usize,
    pub(super) line_after_header: u64,
}

/// Reads a file block by block, hashing it on the way. Each block ends at
/// a record boundary (a partial record at its end waits for the next read),
/// so memory stays bounded by the block size, not the file size.
pub(super) struct BlockReader {
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
pub(super) struct Block {
    pub(super) data: Vec<u8>,
    pub(super) line: u64,
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

    /// The SHA-256 of every byte read, in hex.
    pub(super) fn sha256(self) -> String {
        hex(&self.hasher.finalize())
    }
}

/// The next block, telling `opts.on_bytes` how many bytes were read.
pub(super) fn next_reported(
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
    scan_records(data, delimiter, Quoting::FieldStart, |end| {
        if valid(end - 1) {
            last = Some(end);
        }
    });
    last
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
pub(super) fn scan_records(
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

/// A chunk of a block: its byte range, the line it starts on and how many
/// line ends it holds (an upper bound on its records, less one).
pub(super) type Chunk = (usize, usize, u64, u64);

/// Room for the records of a chunk of `len` bytes with `lines` line ends,
/// so that the per-row vectors rarely grow: at most one record a line, but
/// no more than a 32-byte record each (a chunk of blank lines must not
/// reserve a row per byte).
pub(super) fn row_capacity(lines: u64, len: usize) -> usize {
    (lines as usize + 1).min(len / 32 + 16)
}

/// The chunks of a body with the line each starts on.
pub(super) fn chunks_with_lines(body: &Body<'_>, chunk: usize) -> Vec<Chunk> {
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

/// An input file opened for reading: its first block parsed up to the
/// header.
pub(super) struct Opened {
    pub(super) reader: BlockReader,
    pub(super) first: Block,
    pub(super) header: Header,
    /// Offset in `first` where the records start, and their first line.
    pub(super) records_from: usize,
    pub(super) line_after_header: u64,
}

pub(super) fn open_input(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_scan_finds_only_real_record_ends() {
        let data = b"a,\"x\ny\",b\nc,d\r\ne,\"\"\"q\"\n";
        let mut ends = Vec::new();
        scan_records(data, b',', Quoting::FieldStart, |e| ends.push(e));
        assert_eq!(ends, vec![10, 14, 15, 23]);
        assert_eq!(last_record_boundary(b"a,b\r", b','), None);
        assert_eq!(last_record_boundary(b"a,b\r\nc", b','), Some(5));
        assert_eq!(last_record_boundary(b"a,\"b\nc", b','), None);
    }
}
