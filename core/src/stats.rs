//! Counters for `stats()` (SPEC §7).
//!
//! Every ingest bumps a counter. A single atomic per counter would bounce one cache line between
//! the cores of a parallel ingest, so each thread adds to its own stripe and reads add the stripes up.

use crate::error::ViolationCode;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// One counter of [`Stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    EventsAccepted,
    EventsDuplicate,
    EventsRejected,
    SessionsCreated,
    SessionsEnded,
    SessionsMerged,
    CustomEventsQueued,
    CustomEventsPersisted,
    CustomEventsDropped,
    CustomEventsOverwritten,
    CallbackFailures,
}

const COUNTERS: usize = 11;
const CODES: usize = ViolationCode::ALL.len();
const STRIPES: usize = 16;

#[repr(align(128))]
#[derive(Default)]
struct Stripe {
    counters: [AtomicU64; COUNTERS],
    rejected_by_code: [AtomicU64; CODES],
}

/// The engine's counters, striped by thread.
pub(crate) struct Counters {
    stripes: Box<[Stripe]>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters { stripes: (0..STRIPES).map(|_| Stripe::default()).collect() }
    }
}

fn stripe_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
    }
    INDEX.with(|i| *i)
}

impl Counters {
    fn stripe(&self) -> &Stripe {
        &self.stripes[stripe_index()]
    }

    /// Adds `n` to `counter`.
    pub fn add(&self, counter: Counter, n: u64) {
        if n > 0 {
            self.stripe().counters[counter as usize].fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts one rejected event under each distinct code among `codes`.
    pub fn reject(&self, codes: impl IntoIterator<Item = ViolationCode>) {
        let stripe = self.stripe();
        stripe.counters[Counter::EventsRejected as usize].fetch_add(1, Ordering::Relaxed);
        let mut seen = [false; CODES];
        for code in codes {
            if !std::mem::replace(&mut seen[code.index()], true) {
                stripe.rejected_by_code[code.index()].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn total(&self, counter: Counter) -> u64 {
        self.stripes.iter().map(|s| s.counters[counter as usize].load(Ordering::Relaxed)).sum()
    }

    /// A snapshot of every counter.
    pub fn snapshot(&self) -> Stats {
        let rejected_by_code = ViolationCode::ALL
            .iter()
            .map(|code| {
                (
                    code.as_str(),
                    self.stripes.iter().map(|s| s.rejected_by_code[code.index()].load(Ordering::Relaxed)).sum(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .map(|(code, n)| (code.to_owned(), n))
            .collect();
        Stats {
            events_accepted: self.total(Counter::EventsAccepted),
            events_duplicate: self.total(Counter::EventsDuplicate),
            events_rejected: self.total(Counter::EventsRejected),
            rejected_by_code,
            sessions_created: self.total(Counter::SessionsCreated),
            sessions_ended: self.total(Counter::SessionsEnded),
            sessions_merged: self.total(Counter::SessionsMerged),
            custom_events_queued: self.total(Counter::CustomEventsQueued),
            custom_events_persisted: self.total(Counter::CustomEventsPersisted),
            custom_events_dropped: self.total(Counter::CustomEventsDropped),
            custom_events_overwritten: self.total(Counter::CustomEventsOverwritten),
            callback_failures: self.total(Counter::CallbackFailures),
        }
    }
}

/// What the engine has done so far; the JSON form of `stats()`.
///
/// `rejectedByCode` counts each rejected event once under every distinct code among its violations,
/// so its sum can exceed `eventsRejected`. Codes never seen are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Events stored.
    pub events_accepted: u64,
    /// Resends of stored events.
    pub events_duplicate: u64,
    /// Events refused.
    pub events_rejected: u64,
    /// Refused events per violation code.
    pub rejected_by_code: BTreeMap<String, u64>,
    /// Sessions created.
    pub sessions_created: u64,
    /// Sessions ended by an event.
    pub sessions_ended: u64,
    /// Web sessions merged into an earlier one.
    pub sessions_merged: u64,
    /// Custom events put on a connected agent's queue.
    pub custom_events_queued: u64,
    /// Custom events kept for an agent who is not logged in.
    pub custom_events_persisted: u64,
    /// Custom events dropped (agent not connected, or not persisted at logout).
    pub custom_events_dropped: u64,
    /// Undelivered custom events replaced by a newer one of the same name.
    pub custom_events_overwritten: u64,
    /// Subscription callbacks that panicked or threw.
    pub callback_failures: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_add_up_across_threads() {
        let counters = Counters::default();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| (0..1000).for_each(|_| counters.add(Counter::EventsAccepted, 1)));
            }
        });
        counters.reject([ViolationCode::TooLong, ViolationCode::TooLong, ViolationCode::LateEvent]);
        let stats = counters.snapshot();
        assert_eq!(stats.events_accepted, 4000);
        assert_eq!(stats.events_rejected, 1);
        assert_eq!(stats.rejected_by_code["TOO_LONG"], 1);
        assert_eq!(stats.rejected_by_code.len(), 2);
    }
}
