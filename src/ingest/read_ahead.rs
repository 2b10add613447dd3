//! An input file read and hashed (SHA-256), ahead on a thread of its own
//! when the thread pool leaves a core idle (`RAYON_NUM_THREADS=1` on a
//! larger machine): the copy out of the page cache and the hash of a
//! large history cost about as much as splitting it, and on the one
//! parsing thread they would delay every next record. With every core in
//! the pool, a thread more would only take turns with the pool's (and copy
//! every byte once more): the bytes are read and hashed in place. Ahead,
//! they come over in pieces through a bounded queue, so at most `QUEUED`
//! pieces of `PIECE` bytes are held besides the reader's own buffers; the
//! thread waits when the queue is full, and ends when the reader is
//! dropped. The JSON splitter reads so; the CSV block reader reads in
//! place, on a thread of its own when a core is idle (`blocks::BlockReader`),
//! so that its blocks need no copy.

use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// The size of a piece read at a time.
const PIECE: usize = 1 << 20;
/// Pieces read ahead at most: one block of the default size.
const QUEUED: usize = 16;

type Input = Box<dyn Read + Send>;

/// A file's bytes in order, and the SHA-256 of all of them.
pub(super) enum ReadAhead {
    Thread {
        pieces: Receiver<std::io::Result<Vec<u8>>>,
        /// Emptied pieces, back to the thread for reuse.
        spare: SyncSender<Vec<u8>>,
        /// The piece being taken from, and how much of it was.
        current: Vec<u8>,
        taken: usize,
        thread: JoinHandle<[u8; 32]>,
    },
    InPlace {
        input: Input,
        hasher: Box<Sha256>,
    },
}

impl ReadAhead {
    /// Starts reading `input`, ahead when a core is left idle by the pool.
    pub(super) fn new(input: Input) -> std::io::Result<ReadAhead> {
        ReadAhead::with_thread(input, core_left_idle())
    }

    /// Reads `input` where it is asked for (for a reader that is itself
    /// on a thread of its own).
    pub(super) fn in_place(input: Input) -> ReadAhead {
        ReadAhead::InPlace {
            input,
            hasher: Box::default(),
        }
    }

    fn with_thread(input: Input, ahead: bool) -> std::io::Result<ReadAhead> {
        if !ahead {
            return Ok(ReadAhead::in_place(input));
        }
        let (give, pieces) = sync_channel(QUEUED);
        let (spare, spares) = sync_channel::<Vec<u8>>(QUEUED + 2);
        let thread = std::thread::Builder::new()
            .name("sla-report-read".into())
            .spawn(move || read_ahead(input, &give, &spares))?;
        Ok(ReadAhead::Thread {
            pieces,
            spare,
            current: Vec::new(),
            taken: 0,
            thread,
        })
    }

    /// Appends up to `n` bytes to `buf`, fewer only at the end of the
    /// input; how many.
    pub(super) fn read_into(&mut self, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
        let start = buf.len();
        buf.reserve(n);
        match self {
            ReadAhead::InPlace { input, hasher } => {
                let got = read_up_to(input, buf, n)?;
                hasher.update(&buf[start..]);
                Ok(got)
            }
            ReadAhead::Thread {
                pieces,
                spare,
                current,
                taken,
                ..
            } => {
                let mut got = 0;
                while got < n {
                    if *taken == current.len() {
                        // the queue ends after the last piece, or an error
                        let Ok(next) = pieces.recv() else { break };
                        let used = std::mem::replace(current, next?);
                        *taken = 0;
                        let _ = spare.try_send(used);
                    }
                    let k = (n - got).min(current.len() - *taken);
                    buf.extend_from_slice(&current[*taken..*taken + k]);
                    *taken += k;
                    got += k;
                }
                Ok(got)
            }
        }
    }

    /// The SHA-256 of the whole input, in hex: called after `read_into`
    /// told its end.
    pub(super) fn sha256(self) -> String {
        match self {
            ReadAhead::InPlace { hasher, .. } => hex(&hasher.finalize()),
            ReadAhead::Thread { pieces, thread, .. } => {
                drop(pieces);
                match thread.join() {
                    Ok(digest) => hex(&digest),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        }
    }
}

/// Whether the thread pool leaves a core idle, so that reading ahead on a
/// thread of its own takes nothing from the parsing.
pub(super) fn core_left_idle() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores > rayon::current_num_threads()
}

/// Appends up to `n` bytes of `input` to `buf`, fewer only at its end;
/// how many.
fn read_up_to(input: &mut Input, buf: &mut Vec<u8>, n: usize) -> std::io::Result<usize> {
    let start = buf.len();
    while buf.len() - start < n {
        // `read_to_end` retries an interrupted read itself
        let want = (n - (buf.len() - start)) as u64;
        if input.take(want).read_to_end(buf)? == 0 {
            break;
        }
    }
    Ok(buf.len() - start)
}

/// The thread's side: reads `input` in pieces, hashes each and queues it,
/// until the end of the input, a read error (queued after the bytes read
/// before it) or a reader gone.
fn read_ahead(
    mut input: Input,
    give: &SyncSender<std::io::Result<Vec<u8>>>,
    spares: &Receiver<Vec<u8>>,
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    loop {
        let mut piece = spares
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(PIECE));
        piece.clear();
        let read = read_up_to(&mut input, &mut piece, PIECE);
        hasher.update(&piece);
        let end = !matches!(read, Ok(PIECE));
        if !piece.is_empty() && give.send(Ok(piece)).is_err() {
            break;
        }
        if let Err(e) = read {
            let _ = give.send(Err(e));
        }
        if end {
            break;
        }
    }
    hasher.finalize().into()
}

/// Bytes as lowercase hex (the form of every digest in run.json).
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_ahead_come_in_order_with_the_hash_of_the_whole() {
        let data: Vec<u8> = (0..3 * PIECE + 12_345)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        for (step, ahead) in [1, 64, PIECE - 1, PIECE, 2 * PIECE + 3, data.len() + 1]
            .into_iter()
            .flat_map(|step| [(step, true), (step, false)])
        {
            let cursor = Box::new(std::io::Cursor::new(data.clone()));
            let mut input = ReadAhead::with_thread(cursor, ahead).unwrap();
            let mut buf = Vec::new();
            loop {
                let before = buf.len();
                let got = input.read_into(&mut buf, step).unwrap();
                assert_eq!(got, buf.len() - before);
                if got < step {
                    break;
                }
            }
            assert!(buf == data, "step {step}, ahead {ahead}");
            let hash = input.sha256();
            assert_eq!(
                hash,
                hex(&Sha256::digest(&data)),
                "step {step}, ahead {ahead}"
            );
        }
        for ahead in [true, false] {
            let empty = ReadAhead::with_thread(Box::new(std::io::empty()), ahead).unwrap();
            assert_eq!(empty.sha256(), hex(&Sha256::digest(b"")));
        }
    }

    #[test]
    fn a_read_error_reaches_the_reader_after_the_bytes_before_it() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk gone"));
                }
                let k = buf.len().min(self.0);
                buf[..k].fill(b'x');
                self.0 -= k;
                Ok(k)
            }
        }
        for ahead in [true, false] {
            let mut input = ReadAhead::with_thread(Box::new(Failing(PIECE + 10)), ahead).unwrap();
            let mut buf = Vec::new();
            let err = input.read_into(&mut buf, PIECE + 11).unwrap_err();
            assert_eq!(err.to_string(), "disk gone");
            assert_eq!(buf.len(), PIECE + 10, "ahead {ahead}");
        }
    }
}
