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
use super::components::{Component, ComponentKey, Components};
use super::link::{LinkKey, Origin};
use super::names::{Id, Names};
use super::rules::{Decision, Profiles, Rules};
use super::{Identifier, canonical_cmp};
use crate::base::shard::FastHasher;
use crate::model::config::slot;
use std::cmp::Ordering;
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

/// An ask as the graph keeps it: its identifiers by number ([`Names`]).
#[derive(Debug, Clone)]
struct Held {
    order: u64,
    origin: Origin,
    customer: Id,
    /// The identifiers asked for, each with whether the rules linked it.
    asked: Vec<(Id, bool)>,
    at: i64,
    division: Option<Box<str>>,
}

impl Held {
    /// Every identifier it names: the customer and each asked identifier.
    fn named(&self) -> impl Iterator<Item = Id> + '_ {
        std::iter::once(self.customer).chain(self.asked.iter().map(|(id, _)| *id))
    }

    /// The identifiers it linked to its customer.
    fn linked(&self) -> impl Iterator<Item = Id> + '_ {
        self.asked.iter().filter(|(_, linked)| *linked).map(|(id, _)| *id)
    }
}

/// What the graph keeps about one identifier, at its number.
#[derive(Debug, Default, Clone)]
struct Node {
    /// Its own number (so that a profile of it alone can be lent as a slice of one).
    id: Option<Id>,
    /// The asks naming it, as customer or asked.
    asks: Vec<u64>,
    /// The identifiers it is linked to.
    neighbours: Vec<Id>,
    /// When the links first saw it; `None` while it has no link.
    first_seen: Option<i64>,
}

/// The asks an engine took, and the links and profiles they make.
///
/// Each identifier's text is kept once ([`Names`]); everything else refers to it by number, so
/// that an event that asks costs lookups and pushes rather than copies of its identifiers.
#[derive(Debug, Default, Clone)]
pub(crate) struct Graph {
    names: Names,
    /// By identifier number.
    nodes: Vec<Node>,
    asks: BTreeMap<u64, Held>,
    next_order: u64,
    /// The ask of each event that made one.
    by_event: Map<Uuid, u64>,
    /// Each link (its ends' numbers, the smaller first), with the asks that made it, in order.
    links: Map<(Id, Id), Vec<u64>>,
    components: Components,
}

impl Graph {
    /// The profile `identifier` is a member of, or `None` when it has no link.
    pub fn profile_of(&self, identifier: &Identifier) -> Option<Profile> {
        let id = self.names.get(identifier)?;
        let members = self.components.members(id)?;
        Some(Profile { id: self.names.name(self.components.id(id)?).clone(), members: self.sorted(members) })
    }

    /// The members of `identifier`'s profile in canonical order: itself alone when it has no link.
    #[cfg(test)]
    pub fn members_of(&self, identifier: &Identifier) -> Vec<Identifier> {
        self.profile_of(identifier).map_or_else(|| vec![identifier.clone()], |profile| profile.members)
    }

    /// The identifier numbered `id`.
    #[cfg(test)]
    pub fn identifier(&self, id: Id) -> &Identifier {
        self.names.name(id)
    }

    /// The identifiers numbered `ids`, in canonical order.
    fn sorted(&self, ids: &[Id]) -> Vec<Identifier> {
        let mut members: Vec<Identifier> = ids.iter().map(|&id| self.names.name(id).clone()).collect();
        members.sort_by(canonical_cmp);
        members
    }

    /// The members of `identifier`'s profile as a viewer sees it: reached over links one of whose
    /// asks is in a division `sees` accepts, in canonical order, with the oldest of them, first
    /// seen by those asks alone (so that nothing hidden names the profile).
    pub fn visible_profile(&self, identifier: &Identifier, sees: impl Fn(Option<&str>) -> bool) -> Profile {
        match self.names.get(identifier) {
            Some(start) => {
                let (members, oldest) = self.visible_component(start, &sees);
                Profile { id: self.names.name(oldest).clone(), members: self.sorted(&members) }
            }
            None => Profile { id: identifier.clone(), members: vec![identifier.clone()] },
        }
    }

    /// The numbers of the identifiers reached from `start` over links a viewer sees, and the
    /// oldest of them by those links' asks.
    fn visible_component(&self, start: Id, sees: &impl Fn(Option<&str>) -> bool) -> (Vec<Id>, Id) {
        let mut seen: Map<Id, i64> = Map::default();
        let mut reached: HashSet<Id, FastHasher> = HashSet::default();
        let mut queue = VecDeque::from([start]);
        reached.insert(start);
        while let Some(next) = queue.pop_front() {
            for &neighbour in &self.nodes[next.index()].neighbours {
                let Some(at) = self.visible_since(next, neighbour, sees) else { continue };
                for end in [next, neighbour] {
                    let first = seen.entry(end).or_insert(at);
                    *first = (*first).min(at);
                }
                if reached.insert(neighbour) {
                    queue.push_back(neighbour);
                }
            }
        }
        let members: Vec<Id> = reached.into_iter().collect();
        let first = |m: &Id| seen.get(m).copied().unwrap_or(i64::MAX);
        let oldest = members.iter().min_by(|x, y| first(x).cmp(&first(y)).then_with(|| self.canonical_cmp(**x, **y)));
        let oldest = *oldest.expect("the identifier itself");
        (members, oldest)
    }

    /// Every profile of two or more members as a viewer sees it (over links one of whose asks is
    /// in a division `sees` accepts), each in canonical order: who counts as one person in counts
    /// over many customers (`paths`).
    pub fn visible_profiles(&self, sees: impl Fn(Option<&str>) -> bool) -> Vec<Vec<Identifier>> {
        let mut placed: HashSet<Id, FastHasher> = HashSet::default();
        let mut profiles = Vec::new();
        for start in self.nodes.iter().filter(|node| !node.neighbours.is_empty()).filter_map(|node| node.id) {
            if placed.contains(&start) {
                continue;
            }
            let (members, _) = self.visible_component(start, &sees);
            placed.extend(members.iter().copied());
            if members.len() > 1 {
                profiles.push(self.sorted(&members));
            }
        }
        profiles
    }

    /// The earliest time an ask in a division `sees` accepts made the link `x`–`y`; `None` when no
    /// such ask made it.
    fn visible_since(&self, x: Id, y: Id, sees: &impl Fn(Option<&str>) -> bool) -> Option<i64> {
        let asks = self.links.get(&pair(x, y)?)?.iter().filter_map(|order| self.asks.get(order));
        asks.filter(|ask| sees(ask.division.as_deref())).map(|ask| ask.at).min()
    }

    /// Orders two identifiers by their canonical text.
    fn canonical_cmp(&self, x: Id, y: Id) -> Ordering {
        canonical_cmp(self.names.name(x), self.names.name(y))
    }

    /// When the links first saw `identifier`, or `None` when it has no link.
    #[cfg(test)]
    pub fn first_seen(&self, identifier: &Identifier) -> Option<i64> {
        self.names.get(identifier).and_then(|id| self.nodes[id.index()].first_seen)
    }

    /// Every ask, in order, as snapshots and slices save them.
    pub fn asks(&self) -> impl Iterator<Item = Ask> + '_ {
        self.asks.values().map(|held| self.saved(held))
    }

    /// `held` with its identifiers written out.
    fn saved(&self, held: &Held) -> Ask {
        let (asked, linked) = held.asked.iter().map(|&(id, linked)| (self.names.name(id).clone(), linked)).unzip();
        Ask {
            order: held.order,
            origin: held.origin,
            customer: self.names.name(held.customer).clone(),
            asked,
            linked,
            at: held.at,
            division: held.division.as_deref().map(str::to_owned),
        }
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
            let held = graph.hold(ask);
            graph.keep(held);
        }
        graph
    }

    /// `ask` as the graph keeps it, its identifiers numbered.
    fn hold(&mut self, ask: Ask) -> Held {
        let customer = self.intern(&ask.customer);
        let asked = ask.asked.iter().zip(ask.linked).map(|(identifier, linked)| (self.intern(identifier), linked));
        let asked = asked.collect();
        Held {
            order: ask.order,
            origin: ask.origin,
            customer,
            asked,
            at: ask.at,
            division: ask.division.map(Box::from),
        }
    }

    /// The number of `identifier`, given one (with an empty node) when it has none.
    fn intern(&mut self, identifier: &Identifier) -> Id {
        let id = self.names.intern(identifier);
        if self.nodes.len() < self.names.len() {
            self.nodes.resize_with(self.names.len(), Node::default);
        }
        self.nodes[id.index()].id = Some(id);
        id
    }

    /// Gives back the numbers of `ids` that no ask names any more: their text leaves memory.
    fn release_unnamed(&mut self, ids: impl IntoIterator<Item = Id>) {
        for id in ids {
            let node = &mut self.nodes[id.index()];
            if node.asks.is_empty() && node.id.is_some() {
                *node = Node::default();
                self.names.release(id);
            }
        }
    }

    /// Decides `input` under `rules`, keeps it and makes the links the rules allow.
    pub fn ask(&mut self, rules: &Rules<'_>, input: AskInput<'_>) -> Decision {
        let screened = rules.screen(input.customer, input.identifiers);
        if screened.candidates.is_empty() {
            return Decision { asked: Vec::new(), warnings: screened.warnings };
        }
        let customer = self.intern(input.customer);
        let asked: Vec<Id> = screened.candidates.iter().map(|identifier| self.intern(identifier)).collect();
        let decision = rules.limit(self, customer, &asked, screened.warnings);
        let order = self.next_order;
        self.next_order += 1;
        self.keep(Held {
            order,
            origin: input.origin,
            customer,
            asked: decision.asked.clone(),
            at: rules.now,
            division: input.division.map(Box::from),
        });
        decision
    }

    /// Records `held` and makes the links it decided.
    fn keep(&mut self, held: Held) {
        for id in held.named() {
            self.nodes[id.index()].asks.push(held.order);
        }
        if let Origin::Event(event) = held.origin {
            self.by_event.insert(event, held.order);
        }
        self.make_links(&held);
        self.asks.insert(held.order, held);
    }

    fn make_links(&mut self, held: &Held) {
        for to in held.linked() {
            let Some((a, b)) = pair(held.customer, to) else { continue };
            match self.links.get_mut(&(a, b)) {
                Some(asks) => asks.push(held.order),
                None => {
                    self.nodes[a.index()].neighbours.push(b);
                    self.nodes[b.index()].neighbours.push(a);
                    self.links.insert((a, b), vec![held.order]);
                }
            }
            for end in [a, b] {
                let first = &mut self.nodes[end.index()].first_seen;
                *first = Some(first.map_or(held.at, |t| t.min(held.at)));
            }
            let (nodes, names) = (&self.nodes, &self.names);
            let seen = |id: Id| nodes[id.index()].first_seen.unwrap_or(i64::MAX);
            let older = |x: Id, y: Id| seen(x).cmp(&seen(y)).then_with(|| canonical_cmp(names.name(x), names.name(y)));
            self.components.join(a, b, older, |id| slot(names.name(id).id_type));
        }
    }

    /// Removes the link `key`, whatever asked for it, and decides the asks around it again
    /// (`rules_at` gives the rules at an ask's time); `false` when there is no such link.
    pub fn unlink<'r>(&mut self, key: &LinkKey, rules_at: impl Fn(i64) -> Rules<'r>) -> bool {
        let (Some(a), Some(b)) = (self.names.get(&key.a), self.names.get(&key.b)) else { return false };
        if !pair(a, b).is_some_and(|link| self.links.contains_key(&link)) {
            return false;
        }
        // Every ask of the pair goes, those a limit refused too: a later undo deciding them again
        // must not link what the host said are two people.
        let mut orders: Vec<u64> = [a, b].iter().flat_map(|end| &self.nodes[end.index()].asks).copied().collect();
        orders.sort_unstable();
        orders.dedup();
        for order in orders {
            let Some(held) = self.asks.get_mut(&order) else { continue };
            let other = match held.customer {
                customer if customer == a => b,
                customer if customer == b => a,
                _ => continue,
            };
            held.asked.retain(|(id, _)| *id != other);
        }
        self.decide_again([a, b], rules_at);
        true
    }

    /// Removes the ask of the event `event` and decides the asks around it again; returns how many
    /// links it had made, or `None` when the event made no ask.
    pub fn unlink_event<'r>(&mut self, event: &Uuid, rules_at: impl Fn(i64) -> Rules<'r>) -> Option<usize> {
        let order = self.by_event.remove(event)?;
        let held = self.asks.remove(&order)?;
        let made = held.linked().count();
        self.decide_again(held.named().collect::<Vec<_>>(), rules_at);
        Some(made)
    }

    /// Removes the asks of `events` (retention evicted them: docs/identity.md, "Retention"; an
    /// event that made no ask is passed over) and decides the asks around them again; a host's
    /// links stay. Returns how many were removed.
    pub fn expire_event_asks<'r>(&mut self, events: &[Uuid], rules_at: impl Fn(i64) -> Rules<'r>) -> usize {
        let mut named = Vec::new();
        let mut removed = 0;
        for event in events {
            let Some(held) = self.by_event.remove(event).and_then(|order| self.asks.remove(&order)) else { continue };
            named.extend(held.named());
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
    /// again would give. Identifiers no ask names afterwards leave the graph.
    fn decide_again<'r>(&mut self, start: impl IntoIterator<Item = Id>, rules_at: impl Fn(i64) -> Rules<'r>) {
        let (identifiers, orders) = self.connected_asks(start);
        self.unmake(&identifiers);
        for order in orders {
            let Some(mut held) = self.asks.remove(&order) else { continue };
            let asked: Vec<Id> = held.asked.iter().map(|(id, _)| *id).collect();
            let decision = rules_at(held.at).decide(self, held.customer, &asked);
            for (id, linked) in &mut held.asked {
                *linked = decision.linked(*id);
            }
            if held.asked.is_empty() {
                if let Origin::Event(event) = held.origin {
                    self.by_event.remove(&event);
                }
                continue;
            }
            self.keep(held);
        }
        self.release_unnamed(identifiers);
    }

    /// Forgets everything derived about `identifiers` (their links, first-seen times, profiles and
    /// the asks naming them), which must be closed under shared asks ([`Self::connected_asks`]):
    /// no link joins them to an identifier outside.
    fn unmake(&mut self, identifiers: &[Id]) {
        self.components.drop_components_of(identifiers.iter().copied());
        for &id in identifiers {
            let node = &mut self.nodes[id.index()];
            node.first_seen = None;
            node.asks.clear();
            for neighbour in std::mem::take(&mut node.neighbours) {
                if let Some(link) = pair(id, neighbour) {
                    self.links.remove(&link);
                }
            }
        }
    }

    /// The identifiers reachable from `start` through asks that name them together, and those asks.
    fn connected_asks(&self, start: impl IntoIterator<Item = Id>) -> (Vec<Id>, BTreeSet<u64>) {
        let mut reached: HashSet<Id, FastHasher> = HashSet::default();
        let mut queue: VecDeque<Id> = VecDeque::new();
        for id in start {
            if reached.insert(id) {
                queue.push_back(id);
            }
        }
        let mut orders = BTreeSet::new();
        while let Some(next) = queue.pop_front() {
            for order in &self.nodes[next.index()].asks {
                if !orders.insert(*order) {
                    continue;
                }
                let Some(held) = self.asks.get(order) else { continue };
                for named in held.named() {
                    if reached.insert(named) {
                        queue.push_back(named);
                    }
                }
            }
        }
        (reached.into_iter().collect(), orders)
    }
}

mod forget;
impl Profiles for Graph {
    fn component(&self, identifier: Id) -> Component<'_> {
        self.components.component(identifier).unwrap_or_else(|| {
            let mut counts = [0; 5];
            counts[slot(self.names.name(identifier).id_type)] = 1;
            let node = &self.nodes[identifier.index()];
            let members = node.id.as_slice();
            Component { key: ComponentKey::Alone(identifier), members, counts }
        })
    }

    fn first_seen(&self, identifier: Id) -> Option<i64> {
        self.nodes[identifier.index()].first_seen
    }

    fn identifier(&self, identifier: Id) -> &Identifier {
        self.names.name(identifier)
    }
}

/// The key of the link between `x` and `y` (the smaller number first), or `None` for a link of an
/// identifier to itself.
fn pair(x: Id, y: Id) -> Option<(Id, Id)> {
    match x.cmp(&y) {
        Ordering::Less => Some((x, y)),
        Ordering::Greater => Some((y, x)),
        Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests;
mod transfer;
