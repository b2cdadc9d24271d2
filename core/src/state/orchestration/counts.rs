//! The pattern counts of a session (or of a customer's customer-scoped segments), by pattern.
//!
//! A session that matched anything keeps a count per pattern it matched, usually one or two. A
//! `BTreeMap` holding them allocated a whole node (eleven keys' room, about 400 bytes) for the
//! first, and every lookup built an owned key, copying the definition's id. A vector kept in key
//! order is as small as its counts, is searched by borrowed keys, and serializes as the map it
//! replaced: the same entries in the same order, so snapshots and state moves keep their bytes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Which pattern a count is for: the definition's id and version (a replaced definition counts
/// afresh from its put) and the pattern's place in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct CountKey {
    pub definition: Box<str>,
    pub version: u64,
    pub pattern: u32,
}

impl CountKey {
    /// The key's parts, borrowed.
    pub fn of<'k>(definition: &'k str, version: u64, pattern: u32) -> CountKeyRef<'k> {
        CountKeyRef { definition, version, pattern }
    }

    /// This key, borrowed.
    pub fn as_ref(&self) -> CountKeyRef<'_> {
        CountKeyRef { definition: &self.definition, version: self.version, pattern: self.pattern }
    }
}

/// A [`CountKey`] by its borrowed parts: evaluation looks counts up (and increments the ones that
/// exist) on every event that matches, and a lookup by an owned key would copy the definition's
/// id each time. Orders as `CountKey` does (id, version, pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CountKeyRef<'k> {
    pub definition: &'k str,
    pub version: u64,
    pub pattern: u32,
}

impl CountKeyRef<'_> {
    /// The owned key, for a count seen for the first time.
    pub fn to_owned(self) -> CountKey {
        CountKey { definition: self.definition.into(), version: self.version, pattern: self.pattern }
    }
}

/// Counts by pattern, in [`CountKey`] order, at most one per key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Counts(Vec<(CountKey, u32)>);

impl Counts {
    fn place(&self, key: CountKeyRef<'_>) -> Result<usize, usize> {
        self.0.binary_search_by(|(held, _)| held.as_ref().cmp(&key))
    }

    /// The count of `key`'s pattern, if one was counted.
    pub fn get(&self, key: CountKeyRef<'_>) -> Option<u32> {
        self.place(key).ok().map(|at| self.0[at].1)
    }

    /// Adds `n` to `key`'s count, copying the key only the first time.
    pub fn add(&mut self, key: CountKeyRef<'_>, n: u32) {
        match self.place(key) {
            Ok(at) => self.0[at].1 += n,
            Err(at) => {
                // Grown one count at a time while few: most sessions count one or two patterns,
                // and a vector's first growth would make room for four.
                if self.0.len() == self.0.capacity() {
                    self.0.reserve_exact(self.0.len().max(1));
                }
                self.0.insert(at, (key.to_owned(), n));
            }
        }
    }

    /// Keeps only the counts whose key `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&CountKey) -> bool) {
        self.0.retain(|(key, _)| keep(key));
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every count, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&CountKey, &u32)> {
        self.0.iter().map(|(key, n)| (key, n))
    }

    /// Every count, in key order, taken out.
    pub fn into_counts(self) -> impl Iterator<Item = (CountKey, u32)> {
        self.0.into_iter()
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Counts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Counts, D::Error> {
        // Read as the map it is written as: in key order, the last of a repeated key kept.
        let map = BTreeMap::<CountKey, u32>::deserialize(deserializer)?;
        Ok(Counts(map.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(definition: &str, version: u64, pattern: u32) -> CountKey {
        CountKey { definition: definition.into(), version, pattern }
    }

    #[test]
    fn counts_as_the_map_it_replaced_and_serializes_as_it() {
        let keys = [key("b", 1, 0), key("a", 2, 1), key("a", 2, 0), key("a", 10, 0), key("b", 1, 0)];
        let (mut counts, mut map) = (Counts::default(), BTreeMap::new());
        for (n, k) in keys.iter().enumerate() {
            counts.add(k.as_ref(), n as u32 + 1);
            *map.entry(k.clone()).or_default() += n as u32 + 1;
        }
        let listed = |counts: &Counts| counts.iter().map(|(k, n)| (k.clone(), *n)).collect::<Vec<_>>();
        assert_eq!(listed(&counts), map.clone().into_iter().collect::<Vec<_>>());
        for k in &keys {
            assert_eq!(counts.get(k.as_ref()), map.get(k).copied());
        }
        assert_eq!(counts.get(CountKey::of("c", 1, 0)), None);
        let bytes = postcard::to_stdvec(&counts).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&map).unwrap());
        assert_eq!(postcard::from_bytes::<Counts>(&bytes).unwrap(), counts);
        counts.retain(|k| &*k.definition != "a");
        map.retain(|k, _| &*k.definition != "a");
        assert_eq!(listed(&counts), map.into_iter().collect::<Vec<_>>());
    }
}
