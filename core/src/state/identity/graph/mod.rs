//! The graph: every ask, the links the asks made, each identifier's first-seen time, and the
//! profiles (components) the links make.
//!
//! Only identifiers named by an ask are in it: a customer that never asked for a link and was
//! never asked for is its own profile and costs nothing.
//!
//! An undo (`unlink`, `unlinkEvent`) changes the asks, then decides again every ask connected to
//! them through the identifiers asks share, in their order, under the rules: an ask that a limit
//! refused because of the undone link is linked now, as an engine that never saw that link would
//! have linked it. Asks that share no identifier with them cannot have been decided differently
//! (the rules read only the profiles of the identifiers an ask names), so they are left alone.

use super::ask::Ask;
use super::components::{Component, Components};
use super::link::{LinkKey, Origin};
use super::rules::{Decision, Profiles, Rules};
use super::{Identifier, canonical_cmp};
use crate::base::shard::FastHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use uuid::Uuid;

mod erase;

type Map<K, V> = HashMap<K, V, FastHasher>;

/// A profile as read: its id and members in canonical order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The oldest member: the one first seen earliest, ties by canonical text.
    pub id: Identifier,
    /// Every member, in canonical order.
    pub members: Vec<Identifier>,
}

/// A request to link, before the rules decide it.
#[derive(Debug, Clone)]
pub(crate) struct AskInput<'a> {
    /// What makes it.
    pub origin: Origin,
    /// The identifier the others are linked to.
    pub customer: &'a Identifier,
    /// The identifiers to link to it, as sent.
    pub identifiers: &'a [Identifier],
    /// The division of the event that asks, or of the host's link.
    pub division: Option<&'a str>,
}

/// The asks an engine took, and the links and profiles they make.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    asks: BTreeMap<u64, Ask>,
    next_order: u64,
    /// The asks naming each identifier, as customer or asked.
    asks_of: Map<Identifier, Vec<u64>>,
    /// The ask of each event that made one.
    by_event: Map<Uuid, u64>,
    /// Each link, with the asks that made it, in order.
    links: Map<LinkKey, Vec<u64>>,
    adjacency: Map<Identifier, Vec<Identifier>>,
    first_seen: Map<Identifier, i64>,
    components: Components,
}

impl Graph {
    /// The profile `identifier` is a member of, or `None` when it has no link.
    pub fn profile_of(&self, identifier: &Identifier) -> Option<Profile> {
        let members = self.components.members(identifier)?;
        let mut members = members.to_vec();
        members.sort_by(canonical_cmp);
        Some(Profile { id: self.components.id(identifier)?.clone(), members })
    }

    /// The members of `identifier`'s profile in canonical order: itself alone when it has no link.
    #[cfg(test)]
    pub fn members_of(&self, identifier: &Identifier) -> Vec<Identifier> {
        self.profile_of(identifier).map_or_else(|| vec![identifier.clone()], |profile| profile.members)
    }

    /// `identifier`'s profile without copying: its id, its members unordered, and how many of
    /// each idType it holds; `identifier` alone, as its own id, when it has no link.
    pub fn component<'g>(&'g self, identifier: &'g Identifier) -> Component<'g> {
        match (self.components.id(identifier), self.components.members(identifier), self.components.counts(identifier))
        {
            (Some(id), Some(members), Some(counts)) => Component { id, members, counts },
            _ => {
                let mut counts = [0; 5];
                counts[crate::model::config::slot(identifier.id_type)] = 1;
                Component { id: identifier, members: std::slice::from_ref(identifier), counts }
            }
        }
    }

    /// The members of `identifier`'s profile as a viewer sees it: reached over links one of whose
    /// asks is in a division `sees` accepts, in canonical order, with the oldest of them, first
    /// seen by those asks alone (so that nothing hidden names the profile).
    pub fn visible_profile(&self, identifier: &Identifier, sees: impl Fn(Option<&str>) -> bool) -> Profile {
        let mut seen: Map<&Identifier, i64> = Map::default();
        let mut reached: HashSet<&Identifier, FastHasher> = HashSet::default();
        let mut queue = VecDeque::from([identifier]);
        reached.insert(identifier);
        while let Some(next) = queue.pop_front() {
            for neighbour in self.adjacency.get(next).into_iter().flatten() {
                let Some(at) = self.visible_since(next, neighbour, &sees) else { continue };
                for end in [next, neighbour] {
                    let first = seen.entry(end).or_insert(at);
                    *first = (*first).min(at);
                }
                if reached.insert(neighbour) {
                    queue.push_back(neighbour);
                }
            }
        }
        let mut members: Vec<Identifier> = reached.into_iter().cloned().collect();
        members.sort_by(canonical_cmp);
        let first = |m: &Identifier| seen.get(m).copied().unwrap_or(i64::MAX);
        let id = members.iter().min_by(|x, y| first(x).cmp(&first(y)).then_with(|| canonical_cmp(x, y)));
        Profile { id: id.expect("the identifier itself").clone(), members }
    }

    /// Every profile of two or more members as a viewer sees it (over links one of whose asks is
    /// in a division `sees` accepts), each in canonical order: who counts as one person in counts
    /// over many customers (`paths`).
    pub fn visible_profiles(&self, sees: impl Fn(Option<&str>) -> bool) -> Vec<Vec<Identifier>> {
        let mut placed: HashSet<&Identifier, FastHasher> = HashSet::default();
        let mut profiles = Vec::new();
        for start in self.adjacency.keys() {
            if placed.contains(start) {
                continue;
            }
            let profile = self.visible_profile(start, &sees);
            for member in &profile.members {
                if let Some((key, _)) = self.adjacency.get_key_value(member) {
                    placed.insert(key);
                }
            }
            if profile.members.len() > 1 {
                profiles.push(profile.members);
            }
        }
        profiles
    }

    /// The earliest time an ask in a division `sees` accepts made the link `x`–`y`; `None` when no
    /// such ask made it.
    fn visible_since(&self, x: &Identifier, y: &Identifier, sees: &impl Fn(Option<&str>) -> bool) -> Option<i64> {
        let key = LinkKey::new(x.clone(), y.clone())?;
        let asks = self.links.get(&key)?.iter().filter_map(|order| self.asks.get(order));
        asks.filter(|ask| sees(ask.division.as_deref())).map(|ask| ask.at).min()
    }

    /// When the links first saw `identifier`, or `None` when it has no link.
    pub fn first_seen(&self, identifier: &Identifier) -> Option<i64> {
        self.first_seen.get(identifier).copied()
    }

    /// Every ask, in order.
    pub fn asks(&self) -> impl Iterator<Item = &Ask> {
        self.asks.values()
    }

    /// How many asks there are.
    pub fn ask_count(&self) -> usize {
        self.asks.len()
    }

    /// The order the next ask gets.
    pub fn next_order(&self) -> u64 {
        self.next_order
    }

    /// A graph holding `asks` (a snapshot's) as they were decided, with its links and profiles
    /// rebuilt; `next_order` continues their numbering.
    pub fn from_asks(asks: impl IntoIterator<Item = Ask>, next_order: u64) -> Graph {
        let mut graph = Graph { next_order, ..Graph::default() };
        for ask in asks {
            graph.keep(ask);
        }
        graph
    }

    /// Decides `input` under `rules`, keeps it and makes the links the rules allow.
    pub fn ask(&mut self, rules: &Rules<'_>, input: AskInput<'_>) -> Decision {
        let decision = rules.decide(self, input.customer, input.identifiers);
        if !decision.asked.is_empty() {
            let order = self.next_order;
            self.next_order += 1;
            let (asked, linked) = decision.asked.iter().cloned().unzip();
            self.keep(Ask {
                order,
                origin: input.origin,
                customer: input.customer.clone(),
                asked,
                linked,
                at: rules.now,
                division: input.division.map(str::to_owned),
            });
        }
        decision
    }

    /// Records `ask` and makes the links it decided.
    fn keep(&mut self, ask: Ask) {
        for identifier in ask.named() {
            slot(&mut self.asks_of, identifier).push(ask.order);
        }
        if let Origin::Event(event) = ask.origin {
            self.by_event.insert(event, ask.order);
        }
        self.make_links(&ask);
        self.asks.insert(ask.order, ask);
    }

    fn make_links(&mut self, ask: &Ask) {
        for to in ask.linked() {
            let Some(key) = LinkKey::new(ask.customer.clone(), to.clone()) else { continue };
            match self.links.get_mut(&key) {
                Some(asks) => asks.push(ask.order),
                None => {
                    slot(&mut self.adjacency, &key.a).push(key.b.clone());
                    slot(&mut self.adjacency, &key.b).push(key.a.clone());
                    self.links.insert(key.clone(), vec![ask.order]);
                }
            }
            for end in [&key.a, &key.b] {
                match self.first_seen.get_mut(end) {
                    Some(first) => *first = (*first).min(ask.at),
                    None => drop(self.first_seen.insert(end.clone(), ask.at)),
                }
            }
            let first_seen = &self.first_seen;
            self.components.join(&key.a, &key.b, |m| first_seen.get(m).copied().unwrap_or(i64::MAX));
        }
    }

    /// Removes the link `key`, whatever asked for it, and decides the asks around it again
    /// (`rules_at` gives the rules at an ask's time); `false` when there is no such link.
    pub fn unlink<'r>(&mut self, key: &LinkKey, rules_at: impl Fn(i64) -> Rules<'r>) -> bool {
        if !self.links.contains_key(key) {
            return false;
        }
        // Every ask of the pair goes, those a limit refused too: a later undo deciding them again
        // must not link what the host said are two people.
        let mut orders: Vec<u64> =
            [&key.a, &key.b].iter().flat_map(|end| self.asks_of.get(*end).into_iter().flatten()).copied().collect();
        orders.sort_unstable();
        orders.dedup();
        for order in orders {
            let Some(ask) = self.asks.get_mut(&order) else { continue };
            let other = match &ask.customer {
                customer if customer == &key.a => &key.b,
                customer if customer == &key.b => &key.a,
                _ => continue,
            };
            if let Some(place) = ask.asked.iter().position(|identifier| identifier == other) {
                ask.asked.remove(place);
                ask.linked.remove(place);
            }
        }
        self.decide_again([key.a.clone(), key.b.clone()], rules_at);
        true
    }

    /// Removes the ask of the event `event` and decides the asks around it again; returns how many
    /// links it had made, or `None` when the event made no ask.
    pub fn unlink_event<'r>(&mut self, event: &Uuid, rules_at: impl Fn(i64) -> Rules<'r>) -> Option<usize> {
        let order = self.by_event.remove(event)?;
        let ask = self.asks.remove(&order)?;
        let made = ask.linked().count();
        self.decide_again(ask.named().cloned().collect::<Vec<_>>(), rules_at);
        Some(made)
    }

    /// Removes the asks of `events` (retention evicted them: docs/identity.md, "Retention"; an
    /// event that made no ask is passed over) and decides the asks around them again; a host's
    /// links stay. Returns how many were removed.
    pub fn expire_event_asks<'r>(&mut self, events: &[Uuid], rules_at: impl Fn(i64) -> Rules<'r>) -> usize {
        let mut named = Vec::new();
        let mut removed = 0;
        for event in events {
            let Some(ask) = self.by_event.remove(event).and_then(|order| self.asks.remove(&order)) else { continue };
            named.extend(ask.named().cloned());
            removed += 1;
        }
        if !named.is_empty() {
            self.decide_again(named, rules_at);
        }
        removed
    }

    /// Unmakes every link among the identifiers connected to `start` through shared asks, then
    /// decides their asks again in order. Every link touching those identifiers was made by one of
    /// those asks, so the rest of the graph is untouched and the result is what deciding every ask
    /// again would give.
    pub(super) fn decide_again<'r>(
        &mut self,
        start: impl IntoIterator<Item = Identifier>,
        rules_at: impl Fn(i64) -> Rules<'r>,
    ) {
        let (identifiers, orders) = self.connected_asks(start);
        self.unmake(&identifiers);
        for order in orders {
            let Some(mut ask) = self.asks.remove(&order) else { continue };
            let decision = rules_at(ask.at).decide(self, &ask.customer, &ask.asked);
            ask.linked = ask.asked.iter().map(|a| decision.linked(a)).collect();
            if ask.asked.is_empty() {
                if let Origin::Event(event) = ask.origin {
                    self.by_event.remove(&event);
                }
                continue;
            }
            self.keep(ask);
        }
    }

    /// Forgets everything derived about `identifiers` (their links, first-seen times, profiles and
    /// the asks naming them), which must be closed under shared asks ([`Self::connected_asks`]):
    /// no link joins them to an identifier outside.
    fn unmake(&mut self, identifiers: &[Identifier]) {
        self.components.drop_components_of(identifiers);
        for identifier in identifiers {
            self.first_seen.remove(identifier);
            self.asks_of.remove(identifier);
            for neighbour in self.adjacency.remove(identifier).into_iter().flatten() {
                if let Some(key) = LinkKey::new(identifier.clone(), neighbour) {
                    self.links.remove(&key);
                }
            }
        }
    }

    /// The identifiers reachable from `start` through asks that name them together, and those asks.
    fn connected_asks(&self, start: impl IntoIterator<Item = Identifier>) -> (Vec<Identifier>, BTreeSet<u64>) {
        let mut reached: HashSet<Identifier, FastHasher> = HashSet::default();
        let mut queue: VecDeque<Identifier> = VecDeque::new();
        for identifier in start {
            if reached.insert(identifier.clone()) {
                queue.push_back(identifier);
            }
        }
        let mut orders = BTreeSet::new();
        while let Some(next) = queue.pop_front() {
            for order in self.asks_of.get(&next).into_iter().flatten() {
                if !orders.insert(*order) {
                    continue;
                }
                let Some(ask) = self.asks.get(order) else { continue };
                for named in ask.named() {
                    if reached.insert(named.clone()) {
                        queue.push_back(named.clone());
                    }
                }
            }
        }
        (reached.into_iter().collect(), orders)
    }
}

mod forget;
impl Profiles for Graph {
    fn component<'g>(&'g self, identifier: &'g Identifier) -> Component<'g> {
        Graph::component(self, identifier)
    }

    fn first_seen(&self, identifier: &Identifier) -> Option<i64> {
        Graph::first_seen(self, identifier)
    }
}

/// The value of `key` in `map`, made when missing: the identifier is copied only then.
fn slot<'m, V: Default>(map: &'m mut Map<Identifier, V>, key: &Identifier) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.clone(), V::default());
    }
    map.get_mut(key).expect("just made")
}

#[cfg(test)]
mod tests;
mod transfer;
