//! Identifiers as small numbers: the graph keeps each identifier's text once and refers to it
//! everywhere else by an [`Id`], so that an ask costs lookups and pushes, not copies of strings
//! (docs/performance.md, "Identity").
//!
//! A number is given back when no ask names its identifier any more (an undo, a cookie past its
//! TTL, an erasure), so that the text leaves memory with the last ask, and the number is reused.

use super::Identifier;
use crate::base::shard::FastHasher;
use std::collections::HashMap;

/// The number of an identifier the graph holds. Numbers are reused once given back, so one is
/// meaningful only while an ask names its identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Id(u32);

impl Id {
    /// Its place in per-identifier vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Every identifier the graph holds, by number and by text.
#[derive(Debug, Default, Clone)]
pub(crate) struct Names {
    ids: HashMap<Identifier, Id, FastHasher>,
    /// By number; `None` for a number given back and not reused yet.
    names: Vec<Option<Identifier>>,
    /// Numbers given back.
    free: Vec<Id>,
}

impl Names {
    /// The number of `identifier`, when the graph holds it.
    pub fn get(&self, identifier: &Identifier) -> Option<Id> {
        self.ids.get(identifier).copied()
    }

    /// The number of `identifier`, given one when it has none.
    pub fn intern(&mut self, identifier: &Identifier) -> Id {
        if let Some(&id) = self.ids.get(identifier) {
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => {
                self.names[id.index()] = Some(identifier.clone());
                id
            }
            None => {
                let id = Id(u32::try_from(self.names.len()).expect("fewer than 2^32 identifiers"));
                self.names.push(Some(identifier.clone()));
                id
            }
        };
        self.ids.insert(identifier.clone(), id);
        id
    }

    /// The identifier numbered `id`. Every number the graph keeps names one: a number given back
    /// is no longer kept anywhere.
    pub fn name(&self, id: Id) -> &Identifier {
        self.names[id.index()].as_ref().expect("a number the graph keeps names an identifier")
    }

    /// Gives `id` back: its identifier's text leaves memory.
    pub fn release(&mut self, id: Id) {
        if let Some(identifier) = self.names.get_mut(id.index()).and_then(Option::take) {
            self.ids.remove(&identifier);
            self.free.push(id);
        }
    }

    /// How many numbers have been given out (held or given back): the length per-identifier
    /// vectors need.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Every identifier held, with its number, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (Id, &Identifier)> {
        self.ids.iter().map(|(identifier, id)| (*id, identifier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::IdType;

    #[test]
    fn numbers_are_given_back_with_their_text_and_reused() {
        let mut names = Names::default();
        let (a, b) = (Identifier::new("a", IdType::Email), Identifier::new("b", IdType::Cookie));
        let first = names.intern(&a);
        assert_eq!(names.intern(&a), first);
        let second = names.intern(&b);
        assert_ne!(first, second);
        assert_eq!(names.name(second), &b);
        names.release(first);
        assert_eq!(names.get(&a), None);
        assert_eq!(names.iter().count(), 1);
        let c = Identifier::new("c", IdType::Phone);
        assert_eq!(names.intern(&c), first, "the number given back is reused");
        assert_eq!((names.name(first), names.len()), (&c, 2));
    }
}
