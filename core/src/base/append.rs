//! A list that only grows at its end, read without a lock.
//!
//! The open event types of a catalog (docs/decisions.md, "Open session types for app events") are
//! read by every view of an event and added to rarely, at most `maxEventTypes` times: readers must
//! not wait for a lock, and an item once added must stay where it is, so that a reader may hold a
//! reference to it while the list grows. Items live in buckets that double in size; a bucket, once
//! made, never moves, and each of its slots is written once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Slots in the first bucket; bucket `b` has `FIRST << b`.
const FIRST: usize = 8;
/// Buckets: room for `FIRST * (2^BUCKETS - 1)` items, far past any limit a config allows.
const BUCKETS: usize = 32;

/// An append-only list: `push` takes a lock, `get` does not.
pub(crate) struct AppendOnly<T> {
    buckets: [OnceLock<Box<[OnceLock<T>]>>; BUCKETS],
    /// How many items are readable; stored after the item is written.
    len: AtomicUsize,
    /// Taken by `push`, so that two callers never write the same slot.
    adding: Mutex<()>,
}

impl<T> Default for AppendOnly<T> {
    fn default() -> Self {
        AppendOnly {
            buckets: std::array::from_fn(|_| OnceLock::new()),
            len: AtomicUsize::new(0),
            adding: Mutex::new(()),
        }
    }
}

/// The bucket and the slot in it of item `index`.
fn place(index: usize) -> (usize, usize) {
    let group = index / FIRST + 1;
    let bucket = (usize::BITS - 1 - group.leading_zeros()) as usize;
    (bucket, index - FIRST * ((1 << bucket) - 1))
}

impl<T> AppendOnly<T> {
    /// How many items the list holds.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// The item at `index`, if the list holds one there.
    pub fn get(&self, index: usize) -> Option<&T> {
        if index >= self.len() {
            return None;
        }
        let (bucket, slot) = place(index);
        self.buckets.get(bucket)?.get()?.get(slot)?.get()
    }

    /// Adds `item` at the end and returns its index; `None` when every bucket is full (which no
    /// limit a config allows can reach).
    pub fn push(&self, item: T) -> Option<usize> {
        let _adding = self.adding.lock().unwrap_or_else(PoisonError::into_inner);
        let index = self.len.load(Ordering::Relaxed);
        let (bucket, slot) = place(index);
        let slots = self.buckets.get(bucket)?.get_or_init(|| (0..FIRST << bucket).map(|_| OnceLock::new()).collect());
        // Only this caller, under the lock, writes slot `index`.
        slots[slot].set(item).ok()?;
        self.len.store(index + 1, Ordering::Release);
        Some(index)
    }

    /// Every item, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        (0..self.len()).filter_map(|index| self.get(index))
    }
}

impl<T: Clone> Clone for AppendOnly<T> {
    fn clone(&self) -> Self {
        let copy = AppendOnly::default();
        self.iter().cloned().for_each(|item| _ = copy.push(item));
        copy
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for AppendOnly<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_keep_their_index_across_buckets() {
        let list = AppendOnly::default();
        for i in 0..1000 {
            assert_eq!(list.push(i), Some(i));
        }
        assert_eq!(list.len(), 1000);
        assert!((0..1000).all(|i| list.get(i) == Some(&i)));
        assert_eq!(list.get(1000), None);
        assert_eq!(list.clone().iter().copied().collect::<Vec<_>>(), (0..1000).collect::<Vec<_>>());
        assert_eq!([place(0), place(7), place(8), place(23), place(24)], [(0, 0), (0, 7), (1, 0), (1, 15), (2, 0)]);
    }

    #[test]
    fn a_reference_survives_later_pushes_from_other_threads() {
        let list = AppendOnly::default();
        list.push(String::from("first"));
        let first = list.get(0).unwrap();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let list = &list;
                scope.spawn(move || (0..100).for_each(|i| _ = list.push(format!("{t}-{i}"))));
            }
        });
        assert_eq!(first, "first");
        assert_eq!(list.len(), 401);
        assert_eq!(list.iter().count(), 401);
    }
}
