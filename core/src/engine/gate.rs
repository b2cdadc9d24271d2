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

use crate::base::error::Result;
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::journal::Seq;
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
                let stripe = &stripes[crate::state::stats::stripe_index() % STRIPES];
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

impl Engine {
    /// One state change, decided at `now`. `apply` runs with the gate passed shared; in a durable
    /// engine, the [`Change`] that `record` makes of its result (none for a change that changed
    /// nothing) is appended in the same critical section, so the journal's order is the order
    /// effects were applied. A failed `apply` changed nothing and is not recorded. Returns the
    /// record's number, to [`Engine::settle`] on.
    pub(crate) fn change<'r, T>(
        &self,
        now: Option<Millis>,
        apply: impl FnOnce() -> Result<T>,
        record: impl FnOnce(&T) -> Option<Change<'r>>,
    ) -> Result<(T, Option<Seq>)> {
        let passage = self.gate.shared();
        self.change_through(passage, now, apply, record)
    }

    /// [`Engine::change`] with no other change under way: for retention sweeps.
    pub(crate) fn change_exclusive<'r, T>(
        &self,
        now: Option<Millis>,
        apply: impl FnOnce() -> Result<T>,
        record: impl FnOnce(&T) -> Option<Change<'r>>,
    ) -> Result<(T, Option<Seq>)> {
        let passage = self.gate.exclusive();
        self.change_through(passage, now, apply, record)
    }

    fn change_through<'r, T>(
        &self,
        _passage: Passage<'_>,
        now: Option<Millis>,
        apply: impl FnOnce() -> Result<T>,
        record: impl FnOnce(&T) -> Option<Change<'r>>,
    ) -> Result<(T, Option<Seq>)> {
        let Some(journal) = &self.journal else { return Ok((apply()?, None)) };
        journal.check()?;
        let value = apply()?;
        let seq = match record(&value) {
            Some(change) => Some(journal.append(now, &change)?),
            None => None,
        };
        Ok((value, seq))
    }

    /// [`Engine::change`], then [`Engine::settle`]: one call, one change.
    pub(crate) fn change_and_settle<'r, T>(
        &self,
        now: Option<Millis>,
        apply: impl FnOnce() -> Result<T>,
        record: impl FnOnce(&T) -> Option<Change<'r>>,
    ) -> Result<T> {
        let (value, seq) = self.change(now, apply, record)?;
        self.settle(seq)?;
        Ok(value)
    }

    /// Returns once a change is as durable as `store.sync` asks of a single call (docs/durability.md),
    /// then writes a snapshot if the journal has grown past `store.snapshotEvery` (whose failure
    /// is reported in `recovery()`, not here: the change itself succeeded).
    pub(crate) fn settle(&self, seq: Option<Seq>) -> Result<()> {
        let Some(journal) = &self.journal else { return Ok(()) };
        if let Some(seq) = seq
            && self.waits_for_sync()
        {
            journal.wait(seq)?;
        }
        journal.snapshot_when_due(self);
        Ok(())
    }

    /// [`Engine::settle`] for a future, which must not block its event loop on an fsync: `Ready`
    /// once the change is as durable as `store.sync` asks, `Pending` (with the waker left with the
    /// journal) until then. It writes no snapshot: the next call that settles does.
    pub(crate) fn poll_settled(
        &self,
        seq: Option<Seq>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<()>> {
        match (&self.journal, seq) {
            (Some(journal), Some(seq)) if self.waits_for_sync() => journal.poll_durable(seq, cx),
            _ => std::task::Poll::Ready(Ok(())),
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
