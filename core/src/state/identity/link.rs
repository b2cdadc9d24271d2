//! A link between two identifiers, and what made it.

use super::{Identifier, canonical_cmp};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use uuid::Uuid;

/// What made a link: an accepted event that carried the identifier, or a host's `link` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// The event with this id carried the link (undone by `unlinkEvent`).
    Event(Uuid),
    /// A host's `link` call.
    Manual,
}

/// One reason a link exists, with the times it saw its two ends (in milliseconds since the epoch).
///
/// The times are kept per source, not per identifier, so that removing a source removes exactly
/// what it contributed to an identifier's first-seen time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// What made the link.
    pub origin: Origin,
    /// When this source saw the link's first end, `a`.
    pub seen_a: i64,
    /// When this source saw the link's second end, `b`.
    pub seen_b: i64,
}

/// The two ends of a link in canonical order, so that `a–b` and `b–a` are one link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkKey {
    /// The end whose canonical text sorts first.
    pub a: Identifier,
    /// The other end.
    pub b: Identifier,
}

impl LinkKey {
    /// The key of the link between `x` and `y`, or `None` for a link of an identifier to itself.
    pub fn new(x: Identifier, y: Identifier) -> Option<LinkKey> {
        match canonical_cmp(&x, &y) {
            Ordering::Less => Some(LinkKey { a: x, b: y }),
            Ordering::Greater => Some(LinkKey { a: y, b: x }),
            Ordering::Equal => None,
        }
    }
}

/// A link and every source that made it: it exists while one source is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The two ends.
    pub key: LinkKey,
    /// What made it, in the order the sources came; never empty.
    pub sources: Vec<Source>,
}

impl Link {
    /// When the link's sources first saw `end` (one of its ends).
    pub fn seen(&self, end: &Identifier) -> i64 {
        let of = |s: &Source| if end == &self.key.a { s.seen_a } else { s.seen_b };
        self.sources.iter().map(of).min().unwrap_or(i64::MAX)
    }

    /// Adds a source; a second source of the same origin keeps the earlier times, so that
    /// repeating a link changes nothing.
    pub(crate) fn add(&mut self, source: Source) {
        match self.sources.iter_mut().find(|s| s.origin == source.origin) {
            Some(same) => {
                same.seen_a = same.seen_a.min(source.seen_a);
                same.seen_b = same.seen_b.min(source.seen_b);
            }
            None => self.sources.push(source),
        }
    }
}
