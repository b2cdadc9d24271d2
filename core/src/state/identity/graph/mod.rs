//! The graph of links: adjacency, first-seen times and each linked identifier's profile.
//!
//! Only linked identifiers are in it: a customer with no link is its own profile and costs
//! nothing. A link unions two components; removing one splits its component by a breadth-first
//! search from both ends, at the cost of the component's size (which the rules' limits bound).

use super::link::{Link, LinkKey, Origin, Source};
use super::{Identifier, canonical_cmp};
use crate::base::shard::FastHasher;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use uuid::Uuid;

/// A connected component of linked identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The oldest member: the one first seen earliest, ties by canonical text.
    pub id: Identifier,
    /// Every member, in canonical order.
    pub members: Box<[Identifier]>,
}

type Map<K, V> = HashMap<K, V, FastHasher>;

/// The links an engine holds, and the profiles they make.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    links: Map<LinkKey, Link>,
    adjacency: Map<Identifier, Vec<Identifier>>,
    first_seen: Map<Identifier, i64>,
    profiles: Map<Identifier, Arc<Profile>>,
    by_event: Map<Uuid, Vec<LinkKey>>,
}

impl Graph {
    /// The profile `identifier` is a member of, or `None` when it has no link.
    pub fn profile_of(&self, identifier: &Identifier) -> Option<Arc<Profile>> {
        self.profiles.get(identifier).cloned()
    }

    /// The members of `identifier`'s profile: itself alone when it has no link.
    pub fn members_of(&self, identifier: &Identifier) -> Vec<Identifier> {
        match self.profiles.get(identifier) {
            Some(profile) => profile.members.to_vec(),
            None => vec![identifier.clone()],
        }
    }

    /// When the links first saw `identifier`, or `None` when it has no link.
    pub fn first_seen(&self, identifier: &Identifier) -> Option<i64> {
        self.first_seen.get(identifier).copied()
    }

    /// Every link, in no particular order.
    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.links.values()
    }

    /// How many links there are.
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    /// A graph holding `links` (a snapshot's), with its profiles rebuilt.
    pub fn from_links(links: impl IntoIterator<Item = Link>) -> Graph {
        let mut graph = Graph::default();
        for link in links {
            for source in link.sources {
                graph.add(link.key.clone(), source);
            }
        }
        graph
    }

    /// Adds `source` to the link `key` (making it if new) and unions the two ends' components.
    pub fn add(&mut self, key: LinkKey, source: Source) {
        if let Origin::Event(event) = source.origin {
            let keys = self.by_event.entry(event).or_default();
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
        }
        match self.links.get_mut(&key) {
            Some(link) => link.add(source),
            None => {
                self.adjacency.entry(key.a.clone()).or_default().push(key.b.clone());
                self.adjacency.entry(key.b.clone()).or_default().push(key.a.clone());
                self.links.insert(key.clone(), Link { key: key.clone(), sources: vec![source] });
            }
        }
        for (end, seen) in [(&key.a, source.seen_a), (&key.b, source.seen_b)] {
            let first = self.first_seen.entry(end.clone()).or_insert(seen);
            *first = (*first).min(seen);
        }
        self.union(&key.a, &key.b);
    }

    /// Removes the link `key` with every source; `false` when there is no such link.
    pub fn remove(&mut self, key: &LinkKey) -> bool {
        let Some(link) = self.links.remove(key) else { return false };
        for source in &link.sources {
            if let Origin::Event(event) = source.origin {
                self.forget_event_key(&event, key);
            }
        }
        for (end, other) in [(&key.a, &key.b), (&key.b, &key.a)] {
            if let Some(neighbours) = self.adjacency.get_mut(end) {
                neighbours.retain(|n| n != other);
                if neighbours.is_empty() {
                    self.adjacency.remove(end);
                }
            }
        }
        self.after_removal(key);
        true
    }

    /// Removes the sources the event `event` gave, and the links left with none; returns how many
    /// links lost a source.
    pub fn remove_event(&mut self, event: &Uuid) -> usize {
        let Some(keys) = self.by_event.remove(event) else { return 0 };
        for key in &keys {
            let Some(link) = self.links.get_mut(key) else { continue };
            link.sources.retain(|s| s.origin != Origin::Event(*event));
            if link.sources.is_empty() {
                self.remove(key);
            } else {
                self.after_removal(key);
            }
        }
        keys.len()
    }

    fn forget_event_key(&mut self, event: &Uuid, key: &LinkKey) {
        if let Some(keys) = self.by_event.get_mut(event) {
            keys.retain(|k| k != key);
            if keys.is_empty() {
                self.by_event.remove(event);
            }
        }
    }

    /// After a link or a source of it is removed: its ends' first-seen times come again from the
    /// links left, and their component is rebuilt (split in two when nothing else joins them).
    fn after_removal(&mut self, key: &LinkKey) {
        for end in [&key.a, &key.b] {
            match self.seen_from_links(end) {
                Some(seen) => self.first_seen.insert(end.clone(), seen),
                None => self.first_seen.remove(end),
            };
        }
        let first = self.component(&key.a);
        let joined = first.contains(&key.b);
        self.set_profile(first);
        if !joined {
            let second = self.component(&key.b);
            self.set_profile(second);
        }
    }

    /// The earliest time any link of `identifier` saw it.
    fn seen_from_links(&self, identifier: &Identifier) -> Option<i64> {
        let neighbours = self.adjacency.get(identifier)?;
        neighbours
            .iter()
            .filter_map(|n| LinkKey::new(identifier.clone(), n.clone()))
            .filter_map(|key| self.links.get(&key))
            .map(|link| link.seen(identifier))
            .min()
    }

    /// The identifiers reachable from `start` over the links (`start` alone when it has none).
    fn component(&self, start: &Identifier) -> HashSet<Identifier, FastHasher> {
        let mut seen: HashSet<Identifier, FastHasher> = HashSet::default();
        let mut queue = VecDeque::from([start.clone()]);
        seen.insert(start.clone());
        while let Some(next) = queue.pop_front() {
            for neighbour in self.adjacency.get(&next).into_iter().flatten() {
                if seen.insert(neighbour.clone()) {
                    queue.push_back(neighbour.clone());
                }
            }
        }
        seen
    }

    fn union(&mut self, a: &Identifier, b: &Identifier) {
        let members_of = |graph: &Graph, x: &Identifier| match graph.profiles.get(x) {
            Some(profile) => profile.members.to_vec(),
            None => vec![x.clone()],
        };
        let mut members = members_of(self, a);
        if !members.contains(b) {
            members.extend(members_of(self, b));
        }
        self.set_profile(members);
    }

    /// Points every member at one new profile; a member left alone has no link and leaves the graph.
    fn set_profile(&mut self, members: impl IntoIterator<Item = Identifier>) {
        let mut members: Vec<Identifier> = members.into_iter().collect();
        if members.len() < 2 {
            for alone in members {
                self.profiles.remove(&alone);
            }
            return;
        }
        members.sort_by(canonical_cmp);
        let id = self.oldest(&members).clone();
        let profile = Arc::new(Profile { id, members: members.into_boxed_slice() });
        for member in profile.members.iter() {
            self.profiles.insert(member.clone(), Arc::clone(&profile));
        }
    }

    /// The member first seen earliest, ties by canonical text (`members` is in canonical order).
    fn oldest<'m>(&self, members: &'m [Identifier]) -> &'m Identifier {
        let seen = |m: &Identifier| self.first_seen.get(m).copied().unwrap_or(i64::MAX);
        let mut oldest = &members[0];
        for member in &members[1..] {
            if seen(member) < seen(oldest) {
                oldest = member;
            }
        }
        oldest
    }
}

#[cfg(test)]
mod tests;
