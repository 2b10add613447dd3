//! Names: the plan spellings, stages and labels of the ticket rows, kept
//! per chunk as a few distinct texts, then numbered in the data set's
//! tables in input order when the chunk is merged.

use std::collections::HashMap;

use super::ids::{entry, hash_id};
use super::Dataset;
use crate::policy::Policy;

/// The distinct texts of one column within one chunk, in first-seen order.
/// Rows hold a chunk-local index, translated to the data set's index when
/// the chunk is merged: the serial work is per distinct text, not per row.
#[derive(Default)]
pub(super) struct LocalNames {
    text: String,
    ends: Vec<u32>,
    index: hashbrown::HashTable<u32>,
    last: Option<u32>,
    /// The index of the empty text, kept apart: comparing two empty
    /// strings calls `memcmp` with a dangling pointer, which costs a
    /// hundred-cycle fault-suppression assist on AVX-512 machines.
    empty: Option<u32>,
}

impl LocalNames {
    fn get(&self, i: u32) -> &str {
        entry(&self.text, &self.ends, i)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The texts in first-seen order (index order).
    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|i| self.get(i))
    }

    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if name.is_empty() {
            return *self.empty.get_or_insert_with(|| {
                self.ends.push(self.text.len() as u32);
                self.ends.len() as u32 - 1
            });
        }
        if let Some(last) = self.last {
            if self.get(last) == name {
                return last;
            }
        }
        let (text, ends) = (&self.text, &self.ends);
        let get = |i: u32| entry(text, ends, i);
        let hash = hash_id(name.as_bytes());
        let i = match self
            .index
            .entry(hash, |&i| get(i) == name, |&i| hash_id(get(i).as_bytes()))
        {
            hashbrown::hash_table::Entry::Occupied(o) => *o.get(),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let i = ends.len() as u32;
                v.insert(i);
                self.text.push_str(name);
                self.ends.push(self.text.len() as u32);
                i
            }
        };
        self.last = Some(i);
        i
    }
}

/// The few spellings of plans met in a chunk, with what they mean: saves
/// the case-insensitive lookup on nearly every row.
#[derive(Default)]
pub(super) struct SpellingCache {
    seen: Vec<(Box<str>, Option<usize>)>,
}

impl SpellingCache {
    /// Inlined: one call per ticket row, from another module.
    #[inline]
    pub(super) fn get(
        &mut self,
        text: &str,
        lookup: impl Fn(&str) -> Option<usize>,
    ) -> Option<usize> {
        if let Some((_, v)) = self.seen.iter().find(|(t, _)| **t == *text) {
            return *v;
        }
        let v = lookup(text);
        if self.seen.len() < 16 {
            self.seen.push((text.into(), v));
        }
        v
    }
}

/// The stages and labels of one chunk's rows.
#[derive(Default)]
pub(super) struct ChunkNames {
    pub(super) stages: LocalNames,
    pub(super) groups: LocalNames,
    pub(super) assignees: LocalNames,
    pub(super) organizations: LocalNames,
}

/// Per chunk, the data set's indices of its local stages and labels.
pub(super) struct NameMaps {
    /// The stage's index and whether the policy excludes it.
    pub(super) stages: Vec<(u32, bool)>,
    pub(super) groups: Vec<u32>,
    pub(super) assignees: Vec<u32>,
    pub(super) organizations: Vec<u32>,
}

impl NameMaps {
    /// Numbers a chunk's names in the data set's tables; chunks must come
    /// in input order (first seen, first indexed).
    pub(super) fn new(
        names: &ChunkNames,
        stages: &mut StageIndex,
        ds: &mut Dataset,
        policy: &Policy,
    ) -> NameMaps {
        NameMaps {
            stages: names
                .stages
                .iter()
                .map(|stage| stages.intern(stage, ds, policy))
                .collect(),
            groups: names.groups.iter().map(|g| ds.groups.intern(g)).collect(),
            assignees: names
                .assignees
                .iter()
                .map(|a| ds.assignees.intern(a))
                .collect(),
            organizations: names
                .organizations
                .iter()
                .map(|o| ds.organizations.intern(o))
                .collect(),
        }
    }
}

/// Distinct stage texts, with whether the policy excludes each.
#[derive(Default)]
pub(super) struct StageIndex {
    index: HashMap<Box<str>, (u32, bool)>,
}

impl StageIndex {
    fn intern(&mut self, stage: &str, ds: &mut Dataset, policy: &Policy) -> (u32, bool) {
        if let Some(&v) = self.index.get(stage) {
            return v;
        }
        let v = (
            ds.stages.len() as u32,
            !stage.is_empty() && policy.is_excluded_stage(stage),
        );
        ds.stages.push(stage.into());
        self.index.insert(stage.into(), v);
        v
    }
}
