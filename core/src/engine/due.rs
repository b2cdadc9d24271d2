//! Which customers have delayed activations waiting, by due time (docs/orchestration.md,
//! "Firing"). Every call that may move time checks one atomic (the earliest due time) the way it
//! checks whether a retention sweep is due; only when one is due does it lock the index and visit
//! the customers. An entry can outlive what it points at (the customer was evicted or moved to
//! another partition, or the activation was withdrawn): visiting such a customer finds nothing to
//! fire, which is why entries are never removed but by their visit.

use crate::base::time::Millis;
use crate::model::event::Customer;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Customers by the due time of their earliest delayed activation.
#[derive(Debug)]
pub(crate) struct DueIndex {
    entries: Mutex<BTreeSet<(Millis, Customer)>>,
    /// The earliest entry's time (`Millis::MAX` when there is none).
    earliest: AtomicI64,
}

impl Default for DueIndex {
    fn default() -> DueIndex {
        DueIndex { entries: Mutex::default(), earliest: AtomicI64::new(Millis::MAX) }
    }
}

impl DueIndex {
    /// Notes that `customer` has an activation due at `due`.
    pub fn add(&self, due: Millis, customer: Customer) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert((due, customer));
        self.earliest.fetch_min(due, Ordering::AcqRel);
    }

    /// Removes the entries of `members` (erasure), so the index no longer names them.
    pub fn remove(&self, members: &std::collections::HashSet<&Customer>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|(_, customer)| !members.contains(customer));
        self.earliest.store(entries.first().map_or(Millis::MAX, |(due, _)| *due), Ordering::Release);
    }

    /// Whether something may be due at `now` (one atomic load).
    pub fn any_due(&self, now: Millis) -> bool {
        self.earliest.load(Ordering::Acquire) <= now
    }

    /// Takes the customers with an entry due at `now` or before, each once, in due order, with
    /// their earliest due time.
    pub fn take_through(&self, now: Millis) -> Vec<(Millis, Customer)> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let later = entries.split_off(&(now.saturating_add(1), Customer::new("", crate::model::event::IdType::Cookie)));
        let due = std::mem::replace(&mut *entries, later);
        self.earliest.store(entries.first().map_or(Millis::MAX, |(due, _)| *due), Ordering::Release);
        let mut seen = std::collections::HashSet::with_capacity(due.len());
        due.into_iter().filter(|(_, customer)| seen.insert(customer.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::IdType;

    #[test]
    fn customers_come_out_once_in_due_order_and_later_entries_stay() {
        let index = DueIndex::default();
        assert!(!index.any_due(Millis::MAX - 1));
        let (a, b) = (Customer::new("a", IdType::Email), Customer::new("b", IdType::Cookie));
        index.add(30, a.clone());
        index.add(10, b.clone());
        index.add(20, a.clone());
        assert!(!index.any_due(9) && index.any_due(10));
        assert_eq!(index.take_through(20), [(10, b.clone()), (20, a.clone())]);
        assert!(!index.any_due(29) && index.any_due(30));
        assert_eq!(index.take_through(30), [(30, a)]);
        assert!(index.take_through(Millis::MAX).is_empty());
    }
}
