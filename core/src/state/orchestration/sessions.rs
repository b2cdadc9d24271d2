//! A customer's per-session orchestration states, by session id.
//!
//! Evaluation looks the event's session up on every event of a customer that holds anything, and
//! a customer has few sessions with state (usually one): a vector kept in id order does that with
//! a short binary search and no tree nodes to allocate. It serializes as the map it replaced, the
//! same entries in the same order, so snapshots and state moves keep their form.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Session states (`S`) in session id order, at most one per id.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SessionStates<S>(Vec<(Uuid, S)>);

impl<S> Default for SessionStates<S> {
    fn default() -> Self {
        SessionStates(Vec::new())
    }
}

impl<S> SessionStates<S> {
    fn place(&self, id: &Uuid) -> Result<usize, usize> {
        self.0.binary_search_by(|(key, _)| key.cmp(id))
    }

    /// The state of session `id`, if it has one.
    pub fn get(&self, id: &Uuid) -> Option<&S> {
        self.place(id).ok().map(|at| &self.0[at].1)
    }

    /// The state of session `id`, made empty if it had none.
    pub fn entry_or_default(&mut self, id: Uuid) -> &mut S
    where
        S: Default,
    {
        let at = match self.place(&id) {
            Ok(at) => at,
            Err(at) => {
                // Grown one state at a time while few: a customer rarely has more than one session
                // with a state, and a vector's first growth would make room for four.
                if self.0.len() == self.0.capacity() {
                    self.0.reserve_exact(self.0.len().max(1));
                }
                self.0.insert(at, (id, S::default()));
                at
            }
        };
        &mut self.0[at].1
    }

    /// Takes the state of session `id` out.
    pub fn remove(&mut self, id: &Uuid) -> Option<S> {
        self.place(id).ok().map(|at| self.0.remove(at).1)
    }

    /// Whether no session has a state.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every session's state, in session id order.
    pub fn iter(&self) -> impl Iterator<Item = (&Uuid, &S)> {
        self.0.iter().map(|(id, state)| (id, state))
    }
}

impl<S> std::ops::Index<&Uuid> for SessionStates<S> {
    type Output = S;

    fn index(&self, id: &Uuid) -> &S {
        self.get(id).expect("no state for the session")
    }
}

impl<S: Serialize> Serialize for SessionStates<S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de, S: Deserialize<'de>> Deserialize<'de> for SessionStates<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SessionStates<S>, D::Error> {
        // Read as the map it is written as: in id order, the last of a repeated id kept.
        let map = BTreeMap::<Uuid, S>::deserialize(deserializer)?;
        Ok(SessionStates(map.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session state with something in it, as evaluation's holds counts and lists.
    type State = (Vec<u32>, Option<String>);

    #[test]
    fn serializes_as_the_map_it_replaced() {
        let ids = [Uuid::from_u128(3), Uuid::from_u128(1), Uuid::from_u128(2)];
        let mut states = SessionStates::default();
        let mut map = BTreeMap::new();
        for (n, id) in ids.iter().enumerate() {
            let state: State = (vec![n as u32; n], Some(id.to_string()));
            *states.entry_or_default(*id) = state.clone();
            map.insert(*id, state);
        }
        let bytes = postcard::to_stdvec(&states).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&map).unwrap());
        assert_eq!(serde_json::to_string(&states).unwrap(), serde_json::to_string(&map).unwrap());
        assert_eq!(postcard::from_bytes::<SessionStates<State>>(&bytes).unwrap(), states);
    }

    #[test]
    fn keeps_id_order_and_one_state_per_id() {
        let mut states = SessionStates::<State>::default();
        for id in [5u128, 1, 3, 1] {
            states.entry_or_default(Uuid::from_u128(id)).0.push(1);
        }
        let order: Vec<(u128, usize)> = states.iter().map(|(id, state)| (id.as_u128(), state.0.len())).collect();
        assert_eq!(order, [(1, 2), (3, 1), (5, 1)]);
        assert!(states.remove(&Uuid::from_u128(3)).is_some());
        assert!(states.get(&Uuid::from_u128(3)).is_none());
        assert!(states.get(&Uuid::from_u128(5)).is_some());
    }
}
