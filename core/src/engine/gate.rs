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
//!   exclusive passage are then the same, but for a snapshot's: while a snapshot holds the lock,
//!   no change is halfway through, so a read that must know every change it saw is appended
//!   ([`Gate::after_appends`]) need not wait for the snapshot to end.

use crate::base::error::Result;
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::journal::Seq;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

const STRIPES: usize = 16;

/// One stripe, alone on its cache lines.
#[repr(align(128))]
#[derive(Default)]
pub(crate) struct Stripe(RwLock<()>);

/// The gate of one engine.
pub(crate) enum Gate {
    /// In memory: changes in parallel.
    Parallel(Box<[Stripe]>),
    /// Durable: one change at a time, in journal order; `snapshot` is true while a snapshot
    /// holds the lock.
    Ordered { order: Mutex<()>, snapshot: AtomicBool },
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
    /// The order lock, held by a snapshot.
    Snapshot(SnapshotPassage<'g>),
}

/// The order lock held by a snapshot: the gate says so until it is released.
pub(crate) struct SnapshotPassage<'g> {
    _order: MutexGuard<'g, ()>,
    snapshot: &'g AtomicBool,
}

impl Drop for SnapshotPassage<'_> {
    fn drop(&mut self) {
        // Before the guard (a field) is dropped: the flag is never set while another holds the lock.
        self.snapshot.store(false, Ordering::SeqCst);
    }
}

impl Gate {
    /// The gate of an in-memory engine.
    pub fn parallel() -> Gate {
        Gate::Parallel((0..STRIPES).map(|_| Stripe::default()).collect())
    }

    /// The gate of a durable engine.
    pub fn ordered() -> Gate {
        Gate::Ordered { order: Mutex::new(()), snapshot: AtomicBool::new(false) }
    }

    /// Passage for one ordinary state change.
    pub fn shared(&self) -> Passage<'_> {
        match self {
            Gate::Parallel(stripes) => {
                let stripe = &stripes[crate::state::stats::stripe_index() % STRIPES];
                Passage::Shared(stripe.0.read().unwrap_or_else(PoisonError::into_inner))
            }
            Gate::Ordered { order, .. } => Passage::Ordered(order.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }

    /// Passage with no other change under way, for sweeps and snapshots.
    pub fn exclusive(&self) -> Passage<'_> {
        match self {
            Gate::Parallel(stripes) => Passage::Exclusive(
                stripes.iter().map(|s| s.0.write().unwrap_or_else(PoisonError::into_inner)).collect(),
            ),
            Gate::Ordered { order, .. } => Passage::Ordered(order.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }

    /// Exclusive passage for a snapshot, which changes nothing: reads that wait for the records
    /// of what they saw ([`Gate::after_appends`]) go on meanwhile.
    pub fn snapshot(&self) -> Passage<'_> {
        match self {
            Gate::Parallel(_) => self.exclusive(),
            Gate::Ordered { order, snapshot } => {
                let guard = order.lock().unwrap_or_else(PoisonError::into_inner);
                snapshot.store(true, Ordering::SeqCst);
                Passage::Snapshot(SnapshotPassage { _order: guard, snapshot })
            }
        }
    }

    /// Runs `last` once every change that was applied before this call has appended its record:
    /// for a read, which must know the last record of what it saw. A change appends its record in
    /// the critical section that applied it, so holding the lock once is enough; while a snapshot
    /// holds it, no change is halfway through, so `last` runs at once instead of waiting for the
    /// snapshot to end.
    pub fn after_appends<T>(&self, last: impl FnOnce() -> T) -> T {
        let Gate::Ordered { order, snapshot } = self else {
            let _passage = self.shared();
            return last();
        };
        let _guard = match order.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) if snapshot.load(Ordering::SeqCst) => return last(),
            Err(TryLockError::WouldBlock) => order.lock().unwrap_or_else(PoisonError::into_inner),
        };
        last()
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

    /// A durable read's wait for the records of what it saw: it waits for a change under way (its
    /// record may not be appended yet), and not for a snapshot (no change is under way).
    #[test]
    fn a_read_waits_for_a_change_but_not_for_a_snapshot() {
        let gate = &Gate::ordered();
        let wait = std::time::Duration::from_millis(200);
        std::thread::scope(|scope| {
            let snapshot = gate.snapshot();
            let (told, answered) = std::sync::mpsc::channel();
            scope.spawn(move || told.send(gate.after_appends(|| 1)).unwrap());
            assert_eq!(answered.recv_timeout(wait * 10), Ok(1), "the read waited for a snapshot");
            drop(snapshot);
            let change = gate.shared();
            let (told, answered) = std::sync::mpsc::channel();
            scope.spawn(move || told.send(gate.after_appends(|| 2)).unwrap());
            assert!(answered.recv_timeout(wait).is_err(), "the read did not wait for a change under way");
            drop(change);
            assert_eq!(answered.recv_timeout(wait * 10), Ok(2));
            let sweep = gate.exclusive();
            let (told, answered) = std::sync::mpsc::channel();
            scope.spawn(move || told.send(gate.after_appends(|| 3)).unwrap());
            assert!(answered.recv_timeout(wait).is_err(), "a sweep or an erasure is a change: the read waits");
            drop(sweep);
            assert_eq!(answered.recv_timeout(wait * 10), Ok(3));
        });
    }

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
