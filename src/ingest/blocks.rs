//! Blocks: a file read a block at a time (whole records only, so memory
//! stays bounded by the block size) and hashed on the way, its header, and
//! each block cut into chunks that parse in parallel.

use rayon::prelude::*;

use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use super::read_ahead::{self, ReadAhead};
use super::records::{count_line_ends, read_header, scan_records, Columns, Header, Quoting};
use super::{Encoding, IngestError, ReadOptions, Sizes};

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
/// so memory stays bounded by the block size and the longest record (at
/// most `max_record` bytes), not the file size.
struct Blocks {
    path: String,
    /// The file's bytes, hashed as they are read.
    input: ReadAhead,
    /// What was read after the last block: the start of its next record.
    carry: Vec<u8>,
    /// Whether a BOM at the start was looked for.
    started: bool,
    /// Whether the first block, the one with the header, was returned.
    emitted: bool,
    eof: bool,
    delimiter: Option<u8>,
    /// Line where the next block starts.
    line: u64,
    block: usize,
    /// The size of the chunks each block is cut into.
    chunk: usize,
    /// The longest record allowed, in bytes without its line end.
    max_record: usize,
    /// The search for the last record boundary in what was not returned yet.
    scan: BoundaryScan,
    read_bytes: u64,
    /// The bytes are decoded to UTF-8 as they are read (after hashing).
    encoding: Encoding,
    /// Whether the lines of the chunks are counted on the pool (not on
    /// the thread that reads ahead).
    parallel: bool,
}

/// One block: whole records, the first starting on `line`.
pub(super) struct Block {
    pub(super) data: Vec<u8>,
    pub(super) line: u64,
    /// Its chunks, cut as it is read (so the lines of each are counted
    /// once); `None` for the first block, whose records start after the
    /// header that the caller reads.
    pub(super) chunks: Option<Vec<Chunk>>,
}

/// A file's blocks, read and hashed ahead on a thread of their own when
/// the thread pool leaves a core idle (`RAYON_NUM_THREADS=1` on a larger
/// machine): reading, hashing and cutting each block into chunks then
/// leave the one parsing thread, which gets the block whole, without a
/// copy. With every core in the pool, the blocks are read where they are
/// asked for (the reader's half of each block's `rayon::join`, beside the
/// parsing). Ahead, the thread holds the block it reads and at most one
/// finished block, so memory stays bounded by the block size.
pub(super) struct BlockReader {
    source: Source,
    /// Bytes read so far, and the delimiter once known, as of the last
    /// block returned.
    read_bytes: u64,
    delimiter: Option<u8>,
}

enum Source {
    Here(Box<Blocks>),
    Ahead {
        blocks: Receiver<Sent>,
        /// Ends with the SHA-256 of the file, after its last block.
        thread: Option<JoinHandle<String>>,
        /// Whether the last block (or an error) came.
        ended: bool,
    },
}

/// A block (or the end, or the error) with the bytes read and the
/// delimiter after it.
type Sent = (Result<Option<Block>, IngestError>, u64, Option<u8>);

impl BlockReader {
    /// Reads `blocks`, ahead on a thread of its own or not.
    fn new(path: &str, mut blocks: Blocks, ahead: bool) -> Result<BlockReader, IngestError> {
        let delimiter = blocks.delimiter;
        // the thread counts the lines of its chunks itself
        blocks.parallel = !ahead;
        let source = if ahead {
            let (give, take) = sync_channel::<Sent>(0);
            let thread = std::thread::Builder::new()
                .name("sla-report-read".into())
                .spawn(move || {
                    loop {
                        let next = blocks.next_block();
                        let last = !matches!(next, Ok(Some(_)));
                        let sent = (next, blocks.read_bytes, blocks.delimiter);
                        // a reader gone (an error elsewhere) ends the thread
                        if give.send(sent).is_err() || last {
                            break;
                        }
                    }
                    blocks.sha256()
                })
                .map_err(|error| IngestError::Read {
                    path: path.to_string(),
                    error,
                })?;
            Source::Ahead {
                blocks: take,
                thread: Some(thread),
                ended: false,
            }
        } else {
            Source::Here(Box::new(blocks))
        };
        Ok(BlockReader {
            source,
            read_bytes: 0,
            delimiter,
        })
    }

    /// The delimiter, known once the first block was read.
    fn delimiter(&self) -> u8 {
        self.delimiter.unwrap_or(b',')
    }

    /// The next block, or `None` after the last.
    fn next_block(&mut self) -> Result<Option<Block>, IngestError> {
        let (next, read_bytes, delimiter) = match &mut self.source {
            Source::Here(blocks) => {
                let next = blocks.next_block();
                (next, blocks.read_bytes, blocks.delimiter)
            }
            Source::Ahead {
                blocks,
                thread,
                ended,
            } => match blocks.recv() {
                Ok(sent) => {
                    *ended = !matches!(sent.0, Ok(Some(_)));
                    sent
                }
                Err(_) if *ended => return Ok(None),
                // the thread ended before its last block: it panicked, and
                // the panic is this thread's
                Err(_) => match thread.take().map(JoinHandle::join) {
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    _ => unreachable!("the read-ahead thread ended without its last block"),
                },
            },
        };
        self.read_bytes = read_bytes;
        self.delimiter = delimiter;
        next
    }

    /// The SHA-256 of every byte read, in hex: called after the last
    /// block.
    pub(super) fn sha256(self) -> String {
        match self.source {
            Source::Here(blocks) => blocks.sha256(),
            Source::Ahead { blocks, thread, .. } => {
                drop(blocks);
                match thread.map(JoinHandle::join) {
                    Some(Ok(digest)) => digest,
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    None => unreachable!("the read-ahead thread was joined before its end"),
                }
            }
        }
    }
}

impl Blocks {
    fn open(
        path: &str,
        delimiter: Option<u8>,
        sizes: Sizes,
        max_record: usize,
        encoding: Encoding,
    ) -> Result<Blocks, IngestError> {
        let input = std::fs::File::open(path)
            .map(|file| ReadAhead::in_place(Box::new(file)))
            .map_err(|error| IngestError::Read {
                path: path.to_string(),
                error,
            })?;
        Ok(Blocks {
            path: path.to_string(),
            input,
            carry: Vec::new(),
            started: false,
            emitted: false,
            eof: false,
            delimiter,
            line: 1,
            block: sizes.block.max(1),
            chunk: sizes.chunk.max(1),
            max_record,
            scan: BoundaryScan::default(),
            read_bytes: 0,
            encoding,
            parallel: true,
        })
    }

    /// Appends up to `n` bytes of the file to `buf`; sets `eof` at the end.
    fn fill(&mut self, buf: &mut Vec<u8>, n: usize) -> Result<(), IngestError> {
        let start = buf.len();
        let got = self
            .input
            .read_into(buf, n)
            .map_err(|error| IngestError::Read {
                path: self.path.clone(),
                error,
            })?;
        self.eof = got < n;
        self.read_bytes += got as u64;
        self.encoding.decode_tail(buf, start);
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
            let mut fresh = data.len();
            self.fill(&mut data, self.block)?;
            if !self.started {
                // a whole BOM, or none: a small block must not make a file
                // "empty" or strip a second BOM
                if data.len() < UTF8_BOM.len() && !self.eof {
                    continue;
                }
                if data.starts_with(UTF8_BOM) {
                    data.drain(..UTF8_BOM.len());
                }
                self.started = true;
                fresh = 0;
            }
            if self.delimiter.is_none() {
                // detected on the first line, once its end (or the file's)
                // is read
                if !self.eof && memchr::memchr2(b'\n', b'\r', &data[fresh..]).is_none() {
                    self.check_open_record(&data)?;
                    continue;
                }
                self.delimiter = Some(detect_delimiter(&data));
            }
            if !self.emitted {
                self.skip_leading_blank_lines(&mut data);
            }
            if self.eof {
                continue;
            }
            if let Some(cut) = self.scan.advance(&data, self.delimiter()) {
                return Ok(Some(self.emit(data, Some(cut))));
            }
            self.check_open_record(&data)?;
        }
    }

    /// Before the header: drops the blank lines that lead the file,
    /// counting their lines, so that the first block holds the header
    /// whatever the read size (and a file of blank lines is not held
    /// whole). Never the last byte read: a CR may be half a CRLF.
    fn skip_leading_blank_lines(&mut self, data: &mut Vec<u8>) {
        let known = &data[..data.len().saturating_sub(1)];
        let lead = known
            .iter()
            .take_while(|&&c| c == b'\n' || c == b'\r')
            .count();
        if lead > 0 {
            self.line += count_line_ends(&data[..lead], data.get(lead).copied());
            data.drain(..lead);
            // nothing after blank lines was scanned: a data set starts
            // with its header
            self.scan = BoundaryScan::default();
        }
    }

    /// `data`, from a record boundary, holds no further boundary: it is one
    /// record not yet complete, starting on `self.line`. Fatal once it is
    /// surely longer than `max_record` (its last two bytes may be a CRLF),
    /// before it is read any further.
    fn check_open_record(&self, data: &[u8]) -> Result<(), IngestError> {
        if data.len() > self.max_record.saturating_add(2) {
            return Err(IngestError::RecordTooLong {
                path: self.path.clone(),
                line: self.line,
                limit: self.max_record,
            });
        }
        Ok(())
    }

    fn emit(&mut self, mut data: Vec<u8>, cut: Option<usize>) -> Block {
        if let Some(cut) = cut {
            self.carry = data[cut..].to_vec();
            data.truncate(cut);
            self.scan.rebase(cut);
        }
        let line = self.line;
        let chunks = if self.emitted {
            let chunks =
                chunks_with_lines(&data, 0, self.delimiter(), self.chunk, line, self.parallel);
            // the chunks cover the block, and none ends inside a CRLF
            self.line = chunks.last().map_or(line, |&(_, _, at, n)| at + n);
            Some(chunks)
        } else {
            self.line += count_line_ends(&data, None);
            None
        };
        self.emitted = true;
        Block { data, line, chunks }
    }

    /// The SHA-256 of every byte read, in hex.
    pub(super) fn sha256(self) -> String {
        self.input.sha256()
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

/// The search for the last record boundary in a buffer that starts at a
/// record boundary and grows at its end: each call goes on where the last
/// stopped, so a record read in many pieces is scanned once, not once a
/// piece. A line end only counts when what follows is known (a CR may be
/// half a CRLF), so the buffer's last byte waits for the next call.
#[derive(Debug, Default)]
struct BoundaryScan {
    /// Bytes before it are scanned.
    pos: usize,
    /// The quoting state at `pos`.
    state: Quoting,
    /// The offset after the last record boundary found.
    last: Option<usize>,
}

impl BoundaryScan {
    /// The offset after the last record boundary in `data` (the buffer of
    /// the earlier calls, grown), where the rest is a record not yet
    /// complete.
    fn advance(&mut self, data: &[u8], delimiter: u8) -> Option<usize> {
        let end = data.len().saturating_sub(1);
        if end > self.pos {
            let base = self.pos;
            let part = &data[base..end];
            // every byte scanned has its follower in `data`
            let valid = |i: usize| data[i] == b'\n' || data[i + 1] != b'\n';
            if self.state != Quoting::Quoted && memchr::memchr(b'"', part).is_none() {
                // no quote: every line end is a terminator
                if let Some(i) = memchr::memrchr2_iter(b'\n', b'\r', part)
                    .map(|i| base + i)
                    .find(|&i| valid(i))
                {
                    self.last = Some(i + 1);
                }
                self.state = match part[part.len() - 1] {
                    c if c == b'\n' || c == b'\r' || c == delimiter => Quoting::FieldStart,
                    _ => Quoting::Unquoted,
                };
            } else {
                let mut last = self.last;
                self.state = scan_records(part, delimiter, self.state, |e| {
                    if valid(base + e - 1) {
                        last = Some(base + e);
                    }
                });
                self.last = last;
            }
            self.pos = end;
        }
        self.last
    }

    /// After the buffer's first `cut` bytes (up to a boundary found) were
    /// taken away.
    fn rebase(&mut self, cut: usize) {
        self.pos -= cut;
        self.last = None;
    }
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

/// The chunks of a block's body with the line each starts on.
pub(super) fn body_chunks(body: &Body<'_>, block: &Block, chunk: usize) -> Vec<Chunk> {
    match &block.chunks {
        Some(chunks) => chunks.clone(),
        None => chunks_with_lines(
            body.data,
            body.records_from,
            body.delimiter,
            chunk.max(1),
            body.line_after_header,
            true,
        ),
    }
}

/// The chunks of `data[from..]`, which starts on `line`, with the line each
/// starts on.
fn chunks_with_lines(
    data: &[u8],
    from: usize,
    delimiter: u8,
    chunk: usize,
    mut line: u64,
    parallel: bool,
) -> Vec<Chunk> {
    let bounds = chunk_bounds(data, from, delimiter, chunk);
    let count = |&(s, e): &(usize, usize)| count_line_ends(&data[s..e], data.get(e).copied());
    let counts: Vec<u64> = if parallel {
        bounds.par_iter().map(count).collect()
    } else {
        bounds.iter().map(count).collect()
    };
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
) -> Result<Opened, IngestError> {
    let blocks = Blocks::open(path, opts.delimiter, sizes, opts.max_record, opts.encoding)?;
    let mut reader = BlockReader::new(path, blocks, read_ahead::core_left_idle())?;
    let first = next_reported(&mut reader, opts)?.unwrap_or(Block {
        data: Vec::new(),
        line: 1,
        chunks: None,
    });
    let (header, records_from, line_after_header) = read_header(
        &first.data,
        first.line,
        path,
        reader.delimiter(),
        opts.max_record,
    )?;
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
        let last = |data: &[u8]| BoundaryScan::default().advance(data, b',');
        assert_eq!(last(b"a,b\r"), None);
        assert_eq!(last(b"a,b\r\nc"), Some(5));
        assert_eq!(last(b"a,\"b\nc"), None);
        assert_eq!(last(b"a,b\n"), None, "the last byte waits for the next");
    }

    /// Every block, its lines and chunks, the bytes read after each, the
    /// delimiter, the error or the hash at the end, read ahead or not.
    fn read_all(path: &str, sizes: Sizes, ahead: bool) -> Vec<String> {
        let mut out = Vec::new();
        let blocks = Blocks::open(path, None, sizes, 40, Encoding::Utf8).unwrap();
        let mut reader = BlockReader::new(path, blocks, ahead).unwrap();
        loop {
            match reader.next_block() {
                Ok(Some(b)) => out.push(format!(
                    "{:?} {} {:?} {} {}",
                    b.data,
                    b.line,
                    b.chunks,
                    reader.read_bytes,
                    reader.delimiter()
                )),
                Ok(None) => break,
                Err(e) => {
                    out.push(e.to_string());
                    return out;
                }
            }
        }
        // asked again after the end: still the end
        assert!(reader.next_block().unwrap().is_none());
        out.push(reader.sha256());
        out
    }

    #[test]
    fn blocks_read_ahead_are_the_blocks_read_in_place() {
        let dir = std::env::temp_dir().join(format!("sla-blocks-ahead-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = "\u{FEFF}\n\nid;name\r\n1;\"a;\nb\"\n2;x\r\n\n3;\"\"\"q\"\n".repeat(40);
        let long = format!("id,name\n1,a\n2,{}\n3,c\n", "y".repeat(60));
        for (name, text) in [
            ("good", good.as_str()),
            ("long", long.as_str()),
            ("empty", ""),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            let path = path.to_str().unwrap();
            for (block, chunk) in [(1, 1), (7, 3), (64, 16), (1 << 20, 1 << 10)] {
                let sizes = Sizes { block, chunk };
                let here = read_all(path, sizes, false);
                assert_eq!(read_all(path, sizes, true), here, "{name} {block} {chunk}");
                let last = here.last().unwrap();
                // a record longer than `max_record` is fatal while it is
                // read, when a block is too small to hold it
                let fatal = name == "long" && block < 40;
                assert_eq!(
                    fatal,
                    last.contains("longer than"),
                    "{name} {block}: {last}"
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest::proptest! {
        /// A buffer scanned as it grows, piece by piece, gives the last
        /// boundary that one scan of the whole would (the buffer's last
        /// byte excepted).
        #[test]
        fn a_scan_resumed_piece_by_piece_finds_the_boundaries_of_one_scan(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"a"[..], b",", b";", b"\"", b"\"\"", b"\n", b"\r", b"\r\n", b" x",
                ]),
                0..40,
            ),
            cuts in proptest::collection::vec(0usize..12, 0..8),
        ) {
            let data: Vec<u8> = parts.concat();
            let mut reference = None;
            scan_records(&data, b',', Quoting::FieldStart, |e| {
                let i = e - 1;
                if e < data.len() && (data[i] == b'\n' || data[e] != b'\n') {
                    reference = Some(e);
                }
            });
            let mut scan = BoundaryScan::default();
            let mut len = 0;
            for cut in cuts {
                len = (len + cut).min(data.len());
                scan.advance(&data[..len], b',');
            }
            proptest::prop_assert_eq!(scan.advance(&data, b','), reference);
        }
    }
}
