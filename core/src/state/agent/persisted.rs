//! Events kept for agents who are not logged in (`persistInMemory`): their count across every
//! agent, held under `maxPersistedTotal`, and their expiry after `persistedTtl`.

use super::queue::{AgentQueues, QueueLimits};
use crate::base::error::JourneyError;
use crate::base::time::Millis;
use std::sync::atomic::Ordering;

impl AgentQueues {
    /// Counts one more persisted event, unless `maxPersistedTotal` are already waiting.
    pub(super) fn reserve_persisted(&self, limits: QueueLimits) -> bool {
        let room = |total: usize| (total < limits.max_persisted_total).then_some(total + 1);
        self.persisted_total.fetch_update(Ordering::Relaxed, Ordering::Relaxed, room).is_ok()
    }

    /// Persisted events waiting across every agent.
    #[cfg(test)]
    pub fn persisted_total(&self) -> usize {
        self.persisted_total.load(Ordering::Relaxed)
    }

    /// Drops every persisted event sent before `before` (older than `persistedTtl`) and forgets the
    /// agents left with nothing (never logged in, nothing waiting); returns how many events were
    /// dropped. Run by a retention sweep, with no other change under way.
    pub fn expire_persisted(&self, before: Millis) -> usize {
        let mut expired = 0;
        self.agents.each(|shard| {
            shard.retain(|_, agent| {
                let mut state = agent.lock();
                expired += state.expire_persisted(before);
                !state.is_forgettable()
            })
        });
        self.persisted_total.fetch_sub(expired, Ordering::Relaxed);
        expired
    }
}

/// `QUEUE_FULL` for a persisted send past `maxPersistedTotal`.
pub(super) fn persisted_full(limits: QueueLimits) -> JourneyError {
    JourneyError::QueueFull(format!(
        "{} events already wait for agents who are not logged in (maxPersistedTotal)",
        limits.max_persisted_total
    ))
}
