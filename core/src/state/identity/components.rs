//! The profiles: connected components of the links, joined as links come (the smaller component's
//! members move into the larger, so growing one profile costs each identifier a move only when
//! its side is the smaller) and dropped whole when an undo decides their asks again.

use super::names::Id;
use crate::base::shard::FastHasher;
use std::cmp::Ordering;
use std::collections::HashMap;

type Map<K, V> = HashMap<K, V, FastHasher>;

/// One component as kept: its id, members (in the order they joined) and how many of each idType
/// (in [`crate::model::event::IdType::ALL`]'s order), which the limits read without a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    id: Id,
    members: Vec<Id>,
    counts: [usize; 5],
}

/// Which profile a [`Component`] is: a kept component, or an identifier with no link, alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ComponentKey {
    /// A component of two or more linked identifiers.
    Linked(u64),
    /// An identifier with no link.
    Alone(Id),
}

/// A profile as the rules read it, borrowed from the graph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Component<'g> {
    /// Which profile it is: two components are one profile when their keys are equal.
    pub key: ComponentKey,
    /// Its members, unordered.
    pub members: &'g [Id],
    /// How many members of each idType (in [`crate::model::event::IdType::ALL`]'s order).
    pub counts: [usize; 5],
}

/// Every component of two or more linked identifiers, by a handle each member points at.
#[derive(Debug, Default, Clone)]
pub(super) struct Components {
    of: Map<Id, u64>,
    parts: Map<u64, Part>,
    next: u64,
}

impl Components {
    /// `identifier`'s component as the rules read it, or `None` when it has no link.
    pub fn component(&self, identifier: Id) -> Option<Component<'_>> {
        let handle = *self.of.get(&identifier)?;
        let part = self.parts.get(&handle)?;
        Some(Component { key: ComponentKey::Linked(handle), members: &part.members, counts: part.counts })
    }

    /// The members of `identifier`'s component, or `None` when it has no link.
    pub fn members(&self, identifier: Id) -> Option<&[Id]> {
        self.part(identifier).map(|part| part.members.as_slice())
    }

    /// The id of `identifier`'s component, or `None` when it has no link.
    pub fn id(&self, identifier: Id) -> Option<Id> {
        self.part(identifier).map(|part| part.id)
    }

    fn part(&self, identifier: Id) -> Option<&Part> {
        self.of.get(&identifier).and_then(|handle| self.parts.get(handle))
    }

    /// Joins the components of `a` and `b` (a link between them was made). `older` orders
    /// identifiers by age (first seen, then canonical text): the joined component is named by its
    /// oldest member, which is one of the two components' ids, or `a` or `b`, whose times the new
    /// link may have lowered.
    pub fn join(&mut self, a: Id, b: Id, older: impl Fn(Id, Id) -> Ordering, slot: impl Fn(Id) -> usize) {
        if !self.of.contains_key(&a) && !self.of.contains_key(&b) {
            // Two identifiers with no link yet (a first login): one new component of both.
            let handle = self.next;
            self.next += 1;
            let mut counts = [0; 5];
            counts[slot(a)] += 1;
            counts[slot(b)] += 1;
            let id = if older(a, b).is_lt() { a } else { b };
            self.of.insert(a, handle);
            self.of.insert(b, handle);
            self.parts.insert(handle, Part { id, members: vec![a, b], counts });
            return;
        }
        let first = self.handle_of(a, &slot);
        let second = self.handle_of(b, &slot);
        let (keep, gone) = match (first, second) {
            (x, y) if x == y => (x, None),
            (x, y) if self.parts[&x].members.len() >= self.parts[&y].members.len() => (x, Some(y)),
            (x, y) => (y, Some(x)),
        };
        let gone = gone.and_then(|handle| self.parts.remove(&handle));
        if let Some(gone) = &gone {
            for member in &gone.members {
                if let Some(handle) = self.of.get_mut(member) {
                    *handle = keep;
                }
            }
        }
        let kept = self.parts.get_mut(&keep).expect("kept");
        for candidate in [Some(a), Some(b), gone.as_ref().map(|g| g.id)].into_iter().flatten() {
            if older(candidate, kept.id).is_lt() {
                kept.id = candidate;
            }
        }
        if let Some(gone) = gone {
            kept.members.extend(gone.members);
            kept.counts.iter_mut().zip(gone.counts).for_each(|(count, more)| *count += more);
        }
    }

    /// The handle of `identifier`'s component, making it one of its own when it has none.
    /// `slot` gives an identifier's idType's place in the counts.
    fn handle_of(&mut self, identifier: Id, slot: impl Fn(Id) -> usize) -> u64 {
        if let Some(&handle) = self.of.get(&identifier) {
            return handle;
        }
        let handle = self.next;
        self.next += 1;
        self.of.insert(identifier, handle);
        let mut counts = [0; 5];
        counts[slot(identifier)] = 1;
        self.parts.insert(handle, Part { id: identifier, members: vec![identifier], counts });
        handle
    }

    /// Drops the components of `identifiers` whole (an undo makes their links again).
    pub fn drop_components_of(&mut self, identifiers: impl IntoIterator<Item = Id>) {
        for identifier in identifiers {
            if let Some(handle) = self.of.remove(&identifier)
                && let Some(part) = self.parts.remove(&handle)
            {
                for member in &part.members {
                    self.of.remove(member);
                }
            }
        }
    }
}
