//! A link between two identifiers, and what may ask for one.

use super::{Identifier, canonical_cmp};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use uuid::Uuid;

/// What asked for links: an accepted event that carried identifiers, or a host's `link` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// The event with this id carried the identifiers (undone by `unlinkEvent`).
    Event(Uuid),
    /// A host's `link` call.
    Manual,
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
