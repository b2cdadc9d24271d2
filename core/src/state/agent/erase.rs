//! Erasure in the agent queues (docs/identity.md, "Erasure"): the custom events the host marked
//! with a customer (`sendCustomEvent`'s `customer`) leave every queue and the persisted events
//! when that customer's profile is erased. Unmarked events are the host's to know about.

use super::agent_state::{AgentState, Pending};
use super::queue::AgentQueues;
use crate::model::event::Customer;
use std::collections::HashSet;
use std::sync::atomic::Ordering;

impl AgentQueues {
    /// Removes every waiting custom event (queued, returned but not acknowledged, or persisted)
    /// marked with one of `members`; returns the members that had one.
    pub fn forget_marked(&self, members: &HashSet<&Customer>) -> HashSet<Customer> {
        let mut found = HashSet::new();
        let mut persisted = 0;
        self.agents.each(|shard| {
            for agent in shard.values() {
                persisted += agent.lock().forget_marked(members, &mut found);
            }
        });
        self.persisted_total.fetch_sub(persisted, Ordering::Relaxed);
        found
    }

    /// Calls `visit` on the customer of every marked event waiting.
    pub fn each_marked(&self, mut visit: impl FnMut(&Customer)) {
        self.each(|_, state| state.marked().for_each(&mut visit));
    }
}

impl AgentState {
    /// Removes the events marked with one of `members`, noting whose in `found`; returns how many
    /// of them were persisted.
    fn forget_marked(&mut self, members: &HashSet<&Customer>, found: &mut HashSet<Customer>) -> usize {
        let mut erased = |event: &Pending| match &event.customer {
            Some(customer) if members.contains(customer) => {
                found.insert(customer.clone());
                false
            }
            _ => true,
        };
        if let Some(queue) = self.session.as_mut() {
            queue.events.retain(&mut erased);
        }
        let before = self.persisted.len();
        self.persisted.retain(&mut erased);
        before - self.persisted.len()
    }

    /// The customers of the marked events waiting.
    fn marked(&self) -> impl Iterator<Item = &Customer> {
        let queued = self.session.iter().flat_map(|queue| queue.events.iter());
        queued.chain(self.persisted.iter()).filter_map(|event| event.customer.as_ref())
    }
}
