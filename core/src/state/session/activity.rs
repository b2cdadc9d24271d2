//! A long journey's sessions in listing order (docs/performance.md, "Read path").
//!
//! The journey lists a customer's sessions newest activity first, ties by id (SPEC §4). Sorting
//! every session on each read cost 270 µs for a customer with 10,000 sessions, so a customer with
//! more than [`INDEXED_FROM`] sessions keeps them ordered by their own latest event time, updated
//! as each event lands. A page then walks the order from its cursor: O(log n + page) instead of
//! O(n log n).
//!
//! One thing the order cannot hold: a web-messaging or web-chat conversation's activity also counts
//! the latest web event the *viewer* may see (§3.4), which depends on the viewer. Those sessions are
//! kept aside, ordered twice: by their own latest event and by id. For a read whose latest web event
//! is `w`, those active after `w` keep their own time, so they are a prefix of the first order; all
//! the others are listed at `w` itself, ties by id, so they are the second order without that
//! prefix ([`ActivityIndex::messaging_from`]). The walk merges them in (sorting every conversation
//! on each read cost 220 ms for a customer with 200,000). The index is not stored in snapshots; it
//! is rebuilt on the first read that needs it, and dropped (to be rebuilt) when web sessions merge
//! or sessions are evicted.

use super::{CustomerSessions, Session};
use crate::base::shard::FastMap;
use crate::base::time::Millis;
use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::ops::Bound;
use uuid::Uuid;

/// Customers with more sessions than this keep an index; below it a sort is as fast.
pub(crate) const INDEXED_FROM: usize = 64;

/// A position in the listing order: newest first, ties by id.
pub(crate) type ListingKey = (Reverse<Millis>, Uuid);

/// The sessions of one customer in listing order.
#[derive(Debug, Clone, Default)]
pub(crate) struct ActivityIndex {
    /// Every session except messaging conversations, by its latest event time.
    order: BTreeSet<ListingKey>,
    /// The time each session is filed under in `order`.
    filed: FastMap<Uuid, Millis>,
    /// Web-messaging and web-chat conversations, whose activity depends on the viewer, by id.
    messaging: BTreeSet<Uuid>,
    /// The same conversations by their own latest event time.
    messaging_by_time: BTreeSet<ListingKey>,
    /// Web sessions by latest event time, to find the latest one a viewer may see.
    web: BTreeSet<ListingKey>,
}

impl ActivityIndex {
    /// The index of `sessions`.
    pub fn of(sessions: &CustomerSessions) -> ActivityIndex {
        let mut index = ActivityIndex::default();
        for session in sessions.iter() {
            index.file(session);
        }
        index
    }

    /// Files `session` where it belongs now, moving it from where it was.
    pub fn file(&mut self, session: &Session) {
        let time = session.last_time();
        if let Some(old) = self.filed.insert(session.id, time) {
            self.order.remove(&(Reverse(old), session.id));
            self.web.remove(&(Reverse(old), session.id));
            self.messaging.remove(&session.id);
            self.messaging_by_time.remove(&(Reverse(old), session.id));
        }
        if is_messaging(session) {
            self.messaging.insert(session.id);
            self.messaging_by_time.insert((Reverse(time), session.id));
        } else {
            self.order.insert((Reverse(time), session.id));
        }
        if session.kind.is_web_visit() {
            self.web.insert((Reverse(time), session.id));
        }
    }

    /// Sessions other than messaging conversations, in listing order, from just after `after`.
    pub fn from(&self, after: Option<ListingKey>) -> impl Iterator<Item = Uuid> + '_ {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.order.range((start, Bound::Unbounded)).map(|(_, id)| *id)
    }

    /// Messaging conversations in listing order for a read whose latest web event is
    /// `latest_web`, from just after `after`: those active after it by their own time, then the
    /// others, all listed at `latest_web`, by id. O(log n) to start, plus one step per
    /// conversation listed, and one per conversation active after `latest_web` skipped in the
    /// second part.
    pub fn messaging_from(
        &self,
        latest_web: Option<Millis>,
        after: Option<ListingKey>,
    ) -> impl Iterator<Item = Uuid> + '_ {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let newer = self
            .messaging_by_time
            .range((start, Bound::Unbounded))
            .take_while(move |(Reverse(time), _)| latest_web.is_none_or(|web| *time > web))
            .map(|(_, id)| *id);
        // Listed at `latest_web`: after the cursor when it is older than that, or the same time
        // and a smaller id.
        let revived_from = latest_web.and_then(|web| match after {
            None => Some((web, Bound::Unbounded)),
            Some((Reverse(time), _)) if time > web => Some((web, Bound::Unbounded)),
            Some((Reverse(time), id)) if time == web => Some((web, Bound::Excluded(id))),
            Some(_) => None,
        });
        let revived = revived_from.into_iter().flat_map(move |(web, start)| {
            self.messaging.range((start, Bound::Unbounded)).copied().filter(move |id| self.filed[id] <= web)
        });
        newer.chain(revived)
    }

    /// Web sessions, newest first.
    pub fn web_newest_first(&self) -> impl Iterator<Item = (Millis, Uuid)> + '_ {
        self.web.iter().map(|(Reverse(time), id)| (*time, *id))
    }
}

/// Whether a session's activity follows the customer's web events (§3.4).
pub(crate) fn is_messaging(session: &Session) -> bool {
    session
        .conversation
        .as_deref()
        .and_then(|c| c.channel_name())
        .is_some_and(|c| matches!(c, "webMessaging" | "webChat"))
}
