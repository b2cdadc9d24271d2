//! The event ids of erased people (docs/identity.md, "Erasure"): kept after `erase` so that a
//! resend of an old export is answered `duplicate` instead of bringing the person back, until
//! retention would have evicted the events, or dropped at once with `eraseForget`.
//!
//! An entry is the event's id (a UUID the host's systems made, which says nothing about the
//! person by itself), the keyed digest of its content (as the live dedupe index keeps it, so that
//! a reuse of the id with other content is still a conflict), and the last activity of the session
//! that held it, which is when retention would have evicted it. Nothing of the event's content is
//! kept.
//!
//! With partitions, a state move copies every kept id to the partition the component moves to
//! (`Engine::move_out`, docs/scale-out.md "Online routing"): an entry does not say whose it was.

use crate::base::shard::FastMap;
use crate::base::time::Millis;
use crate::model::event::Digest;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock};
use uuid::Uuid;

/// One erased event, as a snapshot saves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasedId {
    /// The event's id.
    pub id: Uuid,
    /// The keyed digest of its content.
    pub digest: Digest,
    /// The last activity of the session that held it: retention forgets the id once its cutoff
    /// passes this, as it would have evicted the session.
    pub until: Millis,
}

/// The erased events' ids. Read on every ingest whose id the live index does not hold, so the
/// common case (no erasure ever) costs one relaxed load.
#[derive(Debug, Default)]
pub(crate) struct ErasedIds {
    ids: RwLock<FastMap<Uuid, (Digest, Millis)>>,
    any: AtomicBool,
}

impl ErasedIds {
    /// The digest of an erased event with id `id`, if there is one.
    pub fn digest(&self, id: &Uuid) -> Option<Digest> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        self.ids.read().unwrap_or_else(PoisonError::into_inner).get(id).map(|(digest, _)| *digest)
    }

    /// Keeps erased events' ids.
    pub fn keep(&self, erased: impl IntoIterator<Item = ErasedId>) {
        let mut ids = self.ids.write().unwrap_or_else(PoisonError::into_inner);
        ids.extend(erased.into_iter().map(|e| (e.id, (e.digest, e.until))));
        self.any.store(!ids.is_empty(), Ordering::Relaxed);
    }

    /// Forgets the ids whose sessions retention would have evicted before `cutoff`; returns how
    /// many.
    pub fn expire_before(&self, cutoff: Millis) -> usize {
        let mut ids = self.ids.write().unwrap_or_else(PoisonError::into_inner);
        let before = ids.len();
        ids.retain(|_, (_, until)| *until >= cutoff);
        self.any.store(!ids.is_empty(), Ordering::Relaxed);
        before - ids.len()
    }

    /// Every kept id, in no particular order.
    pub fn saved(&self) -> Vec<ErasedId> {
        let ids = self.ids.read().unwrap_or_else(PoisonError::into_inner);
        ids.iter().map(|(id, (digest, until))| ErasedId { id: *id, digest: *digest, until: *until }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kept_until_their_sessions_would_have_been_evicted() {
        let erased = ErasedIds::default();
        assert_eq!(erased.digest(&Uuid::from_u128(1)), None);
        erased.keep([
            ErasedId { id: Uuid::from_u128(1), digest: 11, until: 100 },
            ErasedId { id: Uuid::from_u128(2), digest: 22, until: 200 },
        ]);
        assert_eq!(erased.digest(&Uuid::from_u128(2)), Some(22));
        assert_eq!(erased.expire_before(150), 1);
        assert_eq!((erased.digest(&Uuid::from_u128(1)), erased.digest(&Uuid::from_u128(2))), (None, Some(22)));
        assert_eq!(erased.expire_before(201), 1);
        assert!(erased.saved().is_empty());
    }
}
