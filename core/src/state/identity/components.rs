//! The profiles: connected components of the links, joined as links come (the smaller component's
//! members move into the larger, so growing one profile costs each identifier a move only when
//! its side is the smaller) and dropped whole when an undo decides their asks again.

use super::{Identifier, canonical_cmp};
use crate::base::shard::FastHasher;
use crate::model::config::slot;
use std::collections::HashMap;

type Map<K, V> = HashMap<K, V, FastHasher>;

/// One component as kept: its id, members (in the order they joined) and how many of each idType
/// (in [`crate::model::event::IdType::ALL`]'s order), which the limits read without a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    id: Identifier,
    members: Vec<Identifier>,
    counts: [usize; 5],
}

/// A profile as the rules read it, borrowed from the graph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Component<'g> {
    /// Its id.
    pub id: &'g Identifier,
    /// Its members, unordered.
    pub members: &'g [Identifier],
    /// How many members of each idType (in [`crate::model::event::IdType::ALL`]'s order).
    pub counts: [usize; 5],
}

/// Every component of two or more linked identifiers, by a handle each member points at.
#[derive(Debug, Default)]
pub(super) struct Components {
    of: Map<Identifier, u64>,
    parts: Map<u64, Part>,
    next: u64,
}

impl Components {
    /// The members of `identifier`'s component, or `None` when it has no link.
    pub fn members(&self, identifier: &Identifier) -> Option<&[Identifier]> {
        self.part(identifier).map(|part| part.members.as_slice())
    }

    /// How many members of each idType `identifier`'s component holds, or `None` when it has no
    /// link.
    pub fn counts(&self, identifier: &Identifier) -> Option<[usize; 5]> {
        self.part(identifier).map(|part| part.counts)
    }

    /// The id of `identifier`'s component, or `None` when it has no link.
    pub fn id(&self, identifier: &Identifier) -> Option<&Identifier> {
        self.part(identifier).map(|part| &part.id)
    }

    fn part(&self, identifier: &Identifier) -> Option<&Part> {
        self.of.get(identifier).and_then(|handle| self.parts.get(handle))
    }

    /// Joins the components of `a` and `b` (a link between them was made). `seen` gives each
    /// identifier's first-seen time: the joined component is named by its oldest member, which is
    /// one of the two components' ids, or `a` or `b`, whose times the new link may have lowered.
    pub fn join(&mut self, a: &Identifier, b: &Identifier, seen: impl Fn(&Identifier) -> i64) {
        let first = self.handle_of(a);
        let second = self.handle_of(b);
        let (keep, gone) = match (first, second) {
            (x, y) if x == y => (x, None),
            (x, y) if self.parts[&x].members.len() >= self.parts[&y].members.len() => (x, Some(y)),
            (x, y) => (y, Some(x)),
        };
        let older = |x: &Identifier, y: &Identifier| seen(x).cmp(&seen(y)).then_with(|| canonical_cmp(x, y)).is_lt();
        let gone = gone.and_then(|handle| self.parts.remove(&handle));
        if let Some(gone) = &gone {
            for member in &gone.members {
                if let Some(handle) = self.of.get_mut(member) {
                    *handle = keep;
                }
            }
        }
        let kept = self.parts.get_mut(&keep).expect("kept");
        let mut oldest = kept.id.clone();
        for candidate in [Some(a), Some(b), gone.as_ref().map(|g| &g.id)].into_iter().flatten() {
            if older(candidate, &oldest) {
                oldest = candidate.clone();
            }
        }
        kept.id = oldest;
        if let Some(gone) = gone {
            kept.members.extend(gone.members);
            kept.counts.iter_mut().zip(gone.counts).for_each(|(count, more)| *count += more);
        }
    }

    /// The handle of `identifier`'s component, making it one of its own when it has none.
    fn handle_of(&mut self, identifier: &Identifier) -> u64 {
        if let Some(&handle) = self.of.get(identifier) {
            return handle;
        }
        let handle = self.next;
        self.next += 1;
        self.of.insert(identifier.clone(), handle);
        let mut counts = [0; 5];
        counts[slot(identifier.id_type)] = 1;
        self.parts.insert(handle, Part { id: identifier.clone(), members: vec![identifier.clone()], counts });
        handle
    }

    /// Drops the components of `identifiers` whole (an undo makes their links again).
    pub fn drop_components_of<'i>(&mut self, identifiers: impl IntoIterator<Item = &'i Identifier>) {
        for identifier in identifiers {
            if let Some(handle) = self.of.remove(identifier)
                && let Some(part) = self.parts.remove(&handle)
            {
                for member in &part.members {
                    self.of.remove(member);
                }
            }
        }
    }
}
