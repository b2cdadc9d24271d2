//! State split into independently locked shards, so that threads working on different keys rarely
//! wait for each other. There is no engine-wide lock.

use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The hasher of every map in the engine: foldhash, seeded per process. SipHash (the std default)
/// was 5% of ingest time; foldhash is several times faster and still resists crafted collisions.
pub(crate) type FastHasher = foldhash::fast::RandomState;

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, FastHasher>;

/// Number of shards per map: enough that 2–16 ingest threads rarely meet on one lock.
const SHARDS: usize = 64;

/// One shard, alone on its cache lines so that two threads locking neighbouring shards do not
/// slow each other down (false sharing).
#[repr(align(128))]
#[derive(Default)]
struct Shard<T>(Mutex<T>);

/// `T` split into [`SHARDS`] mutex-guarded parts, chosen by the key's hash.
pub(crate) struct Sharded<T> {
    shards: Box<[Shard<T>]>,
    hasher: FastHasher,
}

impl<T: Default> Default for Sharded<T> {
    fn default() -> Self {
        Sharded { shards: (0..SHARDS).map(|_| Shard::default()).collect(), hasher: FastHasher::default() }
    }
}

impl<T> Sharded<T> {
    /// Locks the shard that owns `key`.
    ///
    /// A shard whose lock was poisoned by a panic is still used: every update inside a shard either
    /// completes or leaves it as it was before, so the data stays consistent, and one bug must not
    /// make every later call on that shard fail.
    pub fn lock<K: Hash + ?Sized>(&self, key: &K) -> MutexGuard<'_, T> {
        // The top bits pick the shard; the maps inside use their own seeds.
        let index = (self.hasher.hash_one(key) >> 58) as usize % SHARDS;
        self.shards[index].0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Calls `visit` on every shard in turn, each locked while it is visited.
    pub fn each(&self, mut visit: impl FnMut(&mut T)) {
        for shard in self.shards.iter() {
            visit(&mut shard.0.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_poisoned_by_a_panic_stays_usable() {
        let sharded: Sharded<Vec<u32>> = Sharded::default();
        sharded.lock("key").push(1);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = sharded.lock("key");
            panic!("a bug while holding the lock");
        }));
        assert!(result.is_err());
        sharded.lock("key").push(2);
        assert_eq!(*sharded.lock("key"), vec![1, 2]);
    }
}
