//! The online router: routing a stream one event at a time (docs/scale-out.md, "Online routing").
//!
//! The batch router sees a whole batch before it routes any of it; a stream's router does not
//! know which components later events will join. It gives each new component a partition (the
//! hash of its smallest key, as the batch router would for a component of one event), and when an
//! event links components that sit on different partitions, it keeps the one with the most events
//! where it is and moves the others to it: the host takes their customers' state out of the old
//! partitions' engines and puts it into the new one ([`crate::Engine::move_out`],
//! [`crate::Engine::move_in`]) before it ingests the event. Every event of a component then meets
//! the component's whole state, as in one engine.

use super::keys::{Key, keys};
use super::router::{Components, check_partitions, hash_to};
use crate::base::error::Result;
use crate::base::shard::FastMap;
use crate::model::catalog::Catalog;
use crate::model::event::Customer;
use serde::Serialize;

/// Routes a stream's events one at a time over `partitions` partitions.
pub struct OnlineRouter {
    partitions: usize,
    components: Components,
    /// Per component root: its partition, its customers, its events so far.
    placed: FastMap<usize, Placement>,
    /// Events with no key go round the partitions.
    keyless: usize,
}

struct Placement {
    partition: usize,
    customers: Vec<Customer>,
    events: u64,
}

/// Where one event goes, and what must move first: `{"partition", "moves": [{"source",
/// "target", "customers"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OnlineRoute {
    /// The event's partition.
    pub partition: usize,
    /// State to move before the event is ingested, in this order.
    pub moves: Vec<Move>,
}

/// A component's state that moves between partitions: `move_out(customers)` on `source`, then
/// `move_in` of the slice on `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Move {
    /// The partition it leaves.
    pub source: usize,
    /// The partition it joins.
    pub target: usize,
    /// Its customers.
    pub customers: Vec<Customer>,
}

impl OnlineRouter {
    /// A router over `partitions` partitions (1 to [`super::MAX_PARTITIONS`]).
    pub fn new(partitions: usize) -> Result<OnlineRouter> {
        check_partitions(partitions)?;
        Ok(OnlineRouter { partitions, components: Components::default(), placed: FastMap::default(), keyless: 0 })
    }

    /// The partition that holds `customer`'s journey now; `None` for a customer no event named.
    pub fn partition_of(&self, customer: &Customer) -> Option<usize> {
        let node = self.components.node_of(&Key::Customer(customer.id_type, customer.id.clone()))?;
        self.placed.get(&self.components.find_const(node)).map(|placement| placement.partition)
    }

    /// Routes one event given as JSON text, its keys read as [`super::keys`] reads them.
    pub fn route_event(&mut self, catalog: &Catalog, event: &[u8]) -> OnlineRoute {
        self.route(&keys(catalog, event))
    }

    /// Routes one event given as its keys.
    pub fn route(&mut self, keys: &[Key]) -> OnlineRoute {
        let Some(smallest) = keys.iter().min_by(|a, b| a.canonical_cmp(b)) else {
            self.keyless += 1;
            return OnlineRoute { partition: (self.keyless - 1) % self.partitions, moves: Vec::new() };
        };
        // A customer seen for the first time joins its component's list; one seen before is in a
        // list already.
        let new_customers: Vec<Customer> = keys
            .iter()
            .filter(|key| !self.components.contains(key))
            .filter_map(|key| match key {
                Key::Customer(id_type, id) => Some(Customer::new(id.clone(), *id_type)),
                _ => None,
            })
            .collect();
        let nodes: Vec<usize> = keys.iter().map(|key| self.components.node(key)).collect();
        let mut roots: Vec<usize> = nodes.iter().map(|&node| self.components.find(node)).collect();
        roots.sort_unstable();
        roots.dedup();
        let mut placed: Vec<Placement> = roots.iter().filter_map(|root| self.placed.remove(root)).collect();
        // The component with the most events stays (the first of equals, by root); the others
        // join it. A component new with this event goes where its smallest key hashes.
        let stays = (0..placed.len()).rev().max_by_key(|&i| placed[i].events);
        let mut joined = match stays {
            Some(i) => placed.swap_remove(i),
            None => Placement {
                partition: hash_to(&smallest.canonical(), self.partitions),
                customers: Vec::new(),
                events: 0,
            },
        };
        let partition = joined.partition;
        let mut moves = Vec::new();
        for placement in placed {
            if placement.partition != partition && !placement.customers.is_empty() {
                moves.push(Move {
                    source: placement.partition,
                    target: partition,
                    customers: placement.customers.clone(),
                });
            }
            joined.customers.extend(placement.customers);
            joined.events += placement.events;
        }
        joined.customers.extend(new_customers);
        joined.events += 1;
        let mut root = self.components.find(nodes[0]);
        for pair in nodes.windows(2) {
            root = self.components.union(pair[0], pair[1]);
        }
        self.placed.insert(root, joined);
        OnlineRoute { partition, moves }
    }
}
