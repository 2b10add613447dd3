//! The SHA-256 of an input file, computed on a thread of its own while the
//! file is parsed: hashing a large history costs about as much as reading
//! it, and on the reading thread it would delay every next block. The
//! bytes are handed over in pieces through a bounded queue, so the hash
//! holds at most `QUEUED` pieces of `PIECE` bytes besides the reader's
//! own buffers, and a reader ahead of it waits.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use super::blocks::hex;

/// The size of a piece handed to the hashing thread.
const PIECE: usize = 1 << 20;
/// Pieces queued for it at most: one block of the default size.
const QUEUED: usize = 16;

/// A SHA-256 fed in order from the reading thread.
pub(super) enum Hashing {
    Thread {
        pieces: SyncSender<Vec<u8>>,
        /// Emptied pieces, back from the hashing thread for reuse.
        spare: Receiver<Vec<u8>>,
        thread: JoinHandle<[u8; 32]>,
    },
    /// No thread could be started: hashed on the reading thread.
    Inline(Sha256),
}

impl Hashing {
    pub(super) fn new() -> Hashing {
        let (pieces, queue) = sync_channel::<Vec<u8>>(QUEUED);
        let (give_back, spare) = sync_channel::<Vec<u8>>(QUEUED + 2);
        let thread = std::thread::Builder::new()
            .name("sla-report-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for mut piece in queue {
                    hasher.update(&piece);
                    piece.clear();
                    // the reader may be gone or have spare pieces enough
                    let _ = give_back.try_send(piece);
                }
                hasher.finalize().into()
            });
        match thread {
            Ok(thread) => Hashing::Thread {
                pieces,
                spare,
                thread,
            },
            Err(_) => Hashing::Inline(Sha256::new()),
        }
    }

    /// Hashes `bytes` after everything given before.
    pub(super) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hashing::Inline(hasher) => hasher.update(bytes),
            Hashing::Thread { pieces, spare, .. } => {
                for part in bytes.chunks(PIECE) {
                    let mut piece = spare
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(PIECE));
                    piece.extend_from_slice(part);
                    // the queue ends only with the thread, by its panic
                    if pieces.send(piece).is_err() {
                        break;
                    }
                }
            }
        }
    }

    /// The SHA-256 of every byte given, in hex.
    pub(super) fn finish(self) -> String {
        match self {
            Hashing::Inline(hasher) => hex(&hasher.finalize()),
            Hashing::Thread { pieces, thread, .. } => {
                // the end of the input: the thread hashes what is queued
                drop(pieces);
                match thread.join() {
                    Ok(digest) => hex(&digest),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_hashed_on_the_thread_give_the_hash_of_the_whole() {
        let data: Vec<u8> = (0..3 * PIECE + 12_345)
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        for split in [0, 1, 64, PIECE - 1, PIECE, 2 * PIECE + 3, data.len()] {
            let mut hashing = Hashing::new();
            hashing.update(&data[..split]);
            hashing.update(&[]);
            hashing.update(&data[split..]);
            assert_eq!(
                hashing.finish(),
                hex(&Sha256::digest(&data)),
                "split {split}"
            );
        }
        assert_eq!(Hashing::new().finish(), hex(&Sha256::digest(b"")));
    }
}
