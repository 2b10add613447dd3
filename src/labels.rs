//! Free-text labels of input rows: the optional ticket columns `group` and
//! `assignee`, interned: a ticket holds a small index, the names live once
//! in the data set.

use std::collections::HashMap;

/// Interned names of one optional ticket column. Index 0 is the empty name,
/// used for an empty field and for tickets from a file without the column.
#[derive(Debug, Clone)]
pub struct Labels {
    names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
    /// Whether any ticket file has the column.
    pub present: bool,
}

impl Default for Labels {
    fn default() -> Labels {
        Labels {
            names: vec!["".into()],
            index: HashMap::from([("".into(), 0)]),
            present: false,
        }
    }
}

impl Labels {
    /// The index of `name` (as given, already trimmed), adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if name.is_empty() {
            return 0;
        }
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }

    pub fn name(&self, index: u32) -> &str {
        &self.names[index as usize]
    }

    /// How many names, the empty one included.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.len() <= 1
    }

    /// Per index, its rank when the names are sorted by their UTF-8 bytes
    /// (the empty name first): sorting by rank sorts by name.
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut ranks = vec![0u32; order.len()];
        for (rank, &i) in order.iter().enumerate() {
            ranks[i as usize] = rank as u32;
        }
        ranks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_intern_once_and_rank_by_name() {
        let mut l = Labels::default();
        assert_eq!(l.intern("tier2"), 1);
        assert_eq!(l.intern("Tier1"), 2);
        assert_eq!(l.intern("tier2"), 1);
        assert_eq!(l.intern(""), 0);
        assert_eq!((l.name(2), l.len()), ("Tier1", 3));
        // "" < "Tier1" < "tier2" in byte order
        assert_eq!(l.ranks(), vec![0, 2, 1]);
    }
}
