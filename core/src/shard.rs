//! State split into independently locked shards, so that threads working on different keys rarely
//! wait for each other. There is no engine-wide lock.

use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Number of shards per map: enough that 2–16 ingest threads rarely meet on one lock.
const SHARDS: usize = 64;

/// `T` split into [`SHARDS`] mutex-guarded parts, chosen by the key's hash.
pub(crate) struct Sharded<T> {
    shards: Box<[Mutex<T>]>,
    hasher: RandomState,
}

impl<T: Default> Default for Sharded<T> {
    fn default() -> Self {
        Sharded {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl<T> Sharded<T> {
    /// Locks the shard that owns `key`.
    ///
    /// A shard whose lock was poisoned by a panic is still used: every update inside a shard either
    /// completes or leaves it as it was before, so the data stays consistent, and one bug must not
    /// make every later call on that shard fail.
    pub fn lock<K: Hash + ?Sized>(&self, key: &K) -> MutexGuard<'_, T> {
        let index = self.hasher.hash_one(key) as usize % SHARDS;
        self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Visits every shard in turn (for totals; never used on the ingest path).
    pub fn for_each(&self, mut visit: impl FnMut(&T)) {
        for shard in self.shards.iter() {
            visit(&shard.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }
}
