//! The event types open session types created (docs/decisions.md, "Open session types for app
//! events").
//!
//! An event of an open session type naming an event type the catalog does not declare creates an
//! **open event type** of that name at its first accepted event. Its index in the session type
//! comes after the declared ones: `declared + its place` in the session type's list here. Lists
//! only grow, in the order events created the names, so a journal replayed in order gives every
//! name the index it had. Views read names by index without a lock; finding a name's index takes
//! a read lock, and creating one the write lock.

use super::EventType;
use crate::base::append::AppendOnly;
use crate::base::shard::FastMap;
use std::sync::{PoisonError, RwLock};

/// Every open event type of one catalog, by session type.
#[derive(Debug, Default)]
pub(crate) struct OpenEventTypes {
    /// By session type index: its open event types, in the order they were created.
    lists: Vec<AppendOnly<EventType>>,
    /// By session type index: name → place in its list.
    places: RwLock<Vec<FastMap<Box<str>, usize>>>,
}

/// Why an open event type could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full {
    /// How many event types the catalog holds, declared and open.
    pub held: usize,
}

impl OpenEventTypes {
    /// No open event types, for a catalog of `session_types` types.
    pub fn new(session_types: usize) -> Self {
        OpenEventTypes {
            lists: (0..session_types).map(|_| AppendOnly::default()).collect(),
            places: RwLock::new(vec![FastMap::default(); session_types]),
        }
    }

    /// The open event type at `place` of `session_type`.
    pub fn get(&self, session_type: usize, place: usize) -> Option<&EventType> {
        self.lists.get(session_type)?.get(place)
    }

    /// How many open event types `session_type` has.
    pub fn len(&self, session_type: usize) -> usize {
        self.lists.get(session_type).map_or(0, AppendOnly::len)
    }

    /// How many open event types there are, across session types.
    pub fn total(&self) -> usize {
        self.lists.iter().map(AppendOnly::len).sum()
    }

    /// The place of the open event type `name` of `session_type`.
    pub fn find(&self, session_type: usize, name: &str) -> Option<usize> {
        let places = self.places.read().unwrap_or_else(PoisonError::into_inner);
        places.get(session_type)?.get(name).copied()
    }

    /// The place of `name`, creating it when `session_type` has none of that name and `room`
    /// says the catalog has room for one more (given how many it holds); the place and whether it
    /// was created. `created` runs after a creation, with the place, before anyone else can find
    /// the name.
    pub fn find_or_add(
        &self,
        session_type: usize,
        name: &str,
        room: impl FnOnce(usize) -> bool,
        created: impl FnOnce(usize),
    ) -> Result<(usize, bool), Full> {
        if let Some(place) = self.find(session_type, name) {
            return Ok((place, false));
        }
        let mut places = self.places.write().unwrap_or_else(PoisonError::into_inner);
        let held = self.total();
        let (Some(list), Some(by_name)) = (self.lists.get(session_type), places.get_mut(session_type)) else {
            return Err(Full { held });
        };
        // Another caller may have created it between the read and the write lock.
        if let Some(place) = by_name.get(name) {
            return Ok((*place, false));
        }
        if !room(held) {
            return Err(Full { held });
        }
        let place = list.push(open_event_type(name)).ok_or(Full { held })?;
        by_name.insert(Box::from(name), place);
        created(place);
        Ok((place, true))
    }

    /// The names of `session_type`'s open event types, in order.
    pub fn names(&self, session_type: usize) -> impl Iterator<Item = &str> {
        self.lists.get(session_type).into_iter().flat_map(AppendOnly::iter).map(|event_type| event_type.name.as_str())
    }

    /// Adds `name` to `session_type`'s list whatever the limit (names restored from a snapshot, a
    /// state move or an upgrade, which were accepted under the limit where they were made); its
    /// place, found or created.
    pub fn restore(&self, session_type: usize, name: &str) -> Option<usize> {
        self.find_or_add(session_type, name, |_| true, |_| {}).ok().map(|(place, _)| place)
    }
}

impl Clone for OpenEventTypes {
    /// A copy that grows on its own: two engines never share their open event types, since each
    /// numbers them in its own journal's order.
    fn clone(&self) -> Self {
        let places = self.places.read().unwrap_or_else(PoisonError::into_inner).clone();
        OpenEventTypes { lists: self.lists.clone(), places: RwLock::new(places) }
    }
}

/// An open event type: a name, no declared attributes, never the end of its session.
fn open_event_type(name: &str) -> EventType {
    EventType { name: name.to_owned(), attributes: Vec::new(), ends_session: false, projections: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_places_in_the_order_they_come_and_keep_them() {
        let open = OpenEventTypes::new(2);
        let created = std::cell::Cell::new(0);
        let add = |session_type: usize, name: &str, room: bool| {
            open.find_or_add(session_type, name, |held| room && held < 3, |_| created.set(created.get() + 1))
        };
        assert_eq!(add(1, "a", true), Ok((0, true)));
        assert_eq!(add(1, "b", true), Ok((1, true)));
        assert_eq!(add(1, "a", false), Ok((0, false)), "a name found needs no room");
        assert_eq!(add(0, "a", true), Ok((0, true)), "each session type has its own");
        assert_eq!(add(1, "c", true), Err(Full { held: 3 }));
        assert_eq!(created.get(), 3, "told of each creation, once");
        assert_eq!(open.names(1).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!((open.len(1), open.total(), open.get(1, 1).map(|e| e.name.as_str())), (2, 3, Some("b")));
        let copy = open.clone();
        copy.restore(1, "d");
        assert_eq!((copy.len(1), open.len(1)), (3, 2), "a copy grows on its own");
        assert_eq!(open.find_or_add(7, "x", |_| true, |_| {}), Err(Full { held: 3 }), "no such session type");
    }
}
