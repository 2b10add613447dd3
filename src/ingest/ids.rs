//! Ticket ids: the text of every id seen, its state while the files are
//! read, and the hash index that finds an id's entry.

/// Ticket ids seen in the ticket files, spread over `SHARDS` tables by a
/// few bits of their hash: rows with different ids never depend on each
/// other, so the duplicate checks run per shard on all cores.
#[derive(Debug)]
pub struct Ids {
    pub(super) shards: Vec<IdTable>,
}

const SHARD_BITS: u32 = 4;
pub(super) const SHARDS: usize = 1 << SHARD_BITS;
/// A ticket's id is `shard << ENTRY_BITS | entry`.
pub(super) const ENTRY_BITS: u32 = 32 - SHARD_BITS;
pub(super) const ENTRY_MASK: u32 = (1 << ENTRY_BITS) - 1;

/// The shard of an id's hash: bits that neither the table's bucket index
/// (low bits) nor the tags (high bits) use.
pub(super) fn shard_of(hash: u64) -> usize {
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
    pub(super) fn reserve(&mut self, entries: usize, bytes: usize) {
        for shard in &mut self.shards {
            shard.reserve(entries / SHARDS, bytes / SHARDS);
        }
    }

    /// A table of the ids `ids` (of this table) only, read-only (no lookup
    /// index), and their ids there, in the same order: for a data set of
    /// some of the tickets. Each id stays in its shard, so every shard
    /// holds at most what it held.
    pub fn subset(&self, ids: &[u32]) -> (Ids, Vec<u32>) {
        let mut subset = Ids::default();
        let new = ids
            .iter()
            .map(|&id| {
                let shard = (id >> ENTRY_BITS) as usize;
                let table = &mut subset.shards[shard];
                table.bytes.push_str(self.get(id));
                let entry = table.ends.len() as u32;
                let end = u32::try_from(table.bytes.len()).expect("at most the shard's text");
                table.ends.push(end);
                (shard as u32) << ENTRY_BITS | entry
            })
            .collect();
        (subset, new)
    }

    pub(super) fn finish(&mut self) {
        for shard in &mut self.shards {
            shard.finish();
        }
    }
}

/// One shard of ticket ids, stored back to back.
#[derive(Debug, Default)]
pub(super) struct IdTable {
    /// The ids, back to back (text: reading one back needs no UTF-8 check).
    bytes: String,
    /// End offset of entry i in `bytes`.
    ends: Vec<u32>,
    /// Per entry: the accepted ticket's row position, `UNSEEN`, `SKIPPED`,
    /// `OUTSIDE` or `REJECTED`.
    pub(super) state: Vec<u32>,
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
pub(super) fn entry<'a>(text: &'a str, ends: &[u32], i: u32) -> &'a str {
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
pub(super) const UNSEEN: u32 = u32::MAX - 3;
pub(super) const OUTSIDE: u32 = u32::MAX - 2;
pub(super) const SKIPPED: u32 = u32::MAX - 1;
pub(super) const REJECTED: u32 = u32::MAX;

pub(super) fn hash_id(id: &[u8]) -> u64 {
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

    /// Asks the CPU to fetch the slot where a lookup of `hash` starts.
    #[inline]
    pub(super) fn prefetch(&self, hash: u64) {
        self.index.prefetch(hash);
    }

    pub(super) fn find(&self, id: &str, hash: u64) -> Option<u32> {
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
    pub(super) fn intern(&mut self, id: &str, hash: u64) -> u32 {
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

/// A range of a chunk's text arena.
pub(super) type Span = (u32, u32);

/// What the work per id shard needs of a row that carries an id, kept
/// apart from the row: a shard's rows are about one in sixteen, and
/// reading each from the rows would miss the cache nearly every time.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdRow<V> {
    /// `hash_id` of the id.
    pub(super) hash: u64,
    /// The id, in the chunk's text arena.
    pub(super) id: Span,
    /// Index into the chunk's rows.
    pub(super) row: u32,
    /// What the shard's work needs of the row besides its id: a ticket
    /// row's verdict, nothing for a change row.
    pub(super) verdict: V,
}

/// How many rows ahead the id checks and lookups prefetch their slot.
pub(super) const PREFETCH_ROWS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

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
}
