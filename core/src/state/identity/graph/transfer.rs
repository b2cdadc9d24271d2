//! Asks on their way between partitions (docs/scale-out.md, "Why moving state is exact"): a
//! component's asks leave one graph with its sessions and enter another's.

use super::Graph;
use crate::state::identity::{Ask, Identifier, Origin};

impl Graph {
    /// Takes out the asks connected to `customers` through the identifiers asks share (a moving
    /// component's: the router joined every identifier an ask names into its component), with
    /// everything derived from them, in their order.
    pub fn take_asks(&mut self, customers: &[Identifier]) -> Vec<Ask> {
        let start: Vec<_> = customers.iter().filter_map(|customer| self.names.get(customer)).collect();
        let (identifiers, orders) = self.connected_asks(start);
        self.unmake(&identifiers);
        let mut taken = Vec::with_capacity(orders.len());
        for order in orders {
            let Some(held) = self.asks.remove(&order) else { continue };
            if let Origin::Event(event) = held.origin {
                self.by_event.remove(&event);
            }
            taken.push(self.saved(&held));
        }
        self.release_unnamed(identifiers);
        taken
    }

    /// An identifier of `asks` this graph already holds: asks of a component that is not this
    /// partition's to receive.
    pub fn first_held<'a>(&self, asks: &'a [Ask]) -> Option<&'a Identifier> {
        asks.iter().flat_map(Ask::named).find(|identifier| self.names.get(identifier).is_some())
    }

    /// Puts asks another graph took ([`Self::take_asks`]) after every ask here, keeping their
    /// order and decisions. Their component shared no identifier with this graph's, so how they
    /// interleave with its asks changes no decision an undo makes again.
    pub fn put_asks(&mut self, asks: Vec<Ask>) {
        for mut ask in asks {
            ask.order = self.next_order;
            self.next_order += 1;
            let held = self.hold(ask);
            self.keep(held);
        }
    }
}
