//! Last-writer-wins slots: the value written by the latest event, by event time, ties by event id.
//!
//! Because the winner depends only on `(time, id)`, a late event never overwrites a newer value and
//! the result does not depend on arrival order.

use crate::base::time::Millis;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A value and the `(time, event id)` that wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Lww<T> {
    slot: Option<(Millis, Uuid, T)>,
}

impl<T> Default for Lww<T> {
    fn default() -> Self {
        Lww { slot: None }
    }
}

impl<T> Lww<T> {
    /// Keeps `make()` when `(time, id)` is newer than the current writer. `make` runs only then.
    pub fn offer(&mut self, time: Millis, id: Uuid, make: impl FnOnce() -> T) {
        if self.slot.as_ref().is_none_or(|(t, i, _)| (time, id) > (*t, *i)) {
            self.slot = Some((time, id, make()));
        }
    }

    /// Offers another slot's value (used when two sessions merge).
    pub fn merge(&mut self, other: Lww<T>) {
        if let Some((time, id, value)) = other.slot {
            self.offer(time, id, || value);
        }
    }

    /// The current value.
    pub fn get(&self) -> Option<&T> {
        self.slot.as_ref().map(|(_, _, v)| v)
    }

    /// The current value with the time and id of the event that wrote it.
    pub fn writer(&self) -> Option<(Millis, Uuid, &T)> {
        self.slot.as_ref().map(|(t, i, v)| (*t, *i, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_write_wins_regardless_of_order() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let mut slot = Lww::default();
        slot.offer(20, a, || "new");
        slot.offer(10, b, || "late");
        assert_eq!(slot.get(), Some(&"new"));
        slot.offer(20, b, || "tie, larger id");
        assert_eq!(slot.get(), Some(&"tie, larger id"));
    }
}
