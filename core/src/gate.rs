//! Who may change engine state when.
//!
//! Ordinary state changes pass the gate *shared*; a retention sweep or a snapshot passes it
//! *exclusive*, so it sees (and changes) the whole state with no call halfway through.
//!
//! - An in-memory engine lets ordinary changes run in parallel (the store is sharded). Shared
//!   passage locks one stripe of a striped read-write lock, chosen per thread, so parallel ingest
//!   does not bounce one cache line between cores; exclusive passage locks every stripe.
//! - A durable engine runs every change under one mutex, the journal's order lock, so that the
//!   journal's order is exactly the order effects were applied (docs/durability.md). Shared and
//!   exclusive passage are then the same.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

const STRIPES: usize = 16;

/// One stripe, alone on its cache lines.
#[repr(align(128))]
#[derive(Default)]
pub(crate) struct Stripe(RwLock<()>);

/// The gate of one engine.
pub(crate) enum Gate {
    /// In memory: changes in parallel.
    Parallel(Box<[Stripe]>),
    /// Durable: one change at a time, in journal order.
    Ordered(Mutex<()>),
}

/// Passage through the gate; dropping it lets others through.
#[allow(dead_code)] // the guards are held for their Drop
pub(crate) enum Passage<'g> {
    /// One stripe, shared.
    Shared(RwLockReadGuard<'g, ()>),
    /// Every stripe.
    Exclusive(Vec<RwLockWriteGuard<'g, ()>>),
    /// The order lock.
    Ordered(MutexGuard<'g, ()>),
}

impl Gate {
    /// The gate of an in-memory engine.
    pub fn parallel() -> Gate {
        Gate::Parallel((0..STRIPES).map(|_| Stripe::default()).collect())
    }

    /// The gate of a durable engine.
    pub fn ordered() -> Gate {
        Gate::Ordered(Mutex::new(()))
    }

    /// Passage for one ordinary state change.
    pub fn shared(&self) -> Passage<'_> {
        match self {
            Gate::Parallel(stripes) => {
                let stripe = &stripes[crate::stats::stripe_index() % STRIPES];
                Passage::Shared(stripe.0.read().unwrap_or_else(PoisonError::into_inner))
            }
            Gate::Ordered(order) => Passage::Ordered(order.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }

    /// Passage with no other change under way, for sweeps and snapshots.
    pub fn exclusive(&self) -> Passage<'_> {
        match self {
            Gate::Parallel(stripes) => Passage::Exclusive(
                stripes.iter().map(|s| s.0.write().unwrap_or_else(PoisonError::into_inner)).collect(),
            ),
            Gate::Ordered(order) => Passage::Ordered(order.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn exclusive_passage_waits_for_shared_passages() {
        let gate = Gate::parallel();
        let released = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let shared = gate.shared();
            let handle = scope.spawn(|| {
                let _all = gate.exclusive();
                assert!(released.load(Ordering::SeqCst), "exclusive passage while a shared one was held");
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            released.store(true, Ordering::SeqCst);
            drop(shared);
            handle.join().unwrap();
        });
    }
}
