//! Counters for `stats()` (SPEC §7).
//!
//! Every ingest bumps a counter. A single atomic per counter would bounce one cache line between
//! the cores of a parallel ingest, so each thread adds to its own stripe and reads add the stripes up.

use crate::base::error::ViolationCode;
use serde::{Deserialize, Serialize};
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
    CustomEventsRedelivered,
    CallbackFailures,
    SessionsEvicted,
    EventsEvicted,
    ActionsEvicted,
    SegmentsAssigned,
    OutcomesAchieved,
    ActionMapsQualified,
    ActionMapsFired,
    ActionMapsCapped,
    IdentityLinks,
    IdentityBlocked,
    IdentityLimited,
    CustomersErased,
    EventsErased,
}

const COUNTERS: usize = 25;
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

/// A small number fixed per thread, to spread per-thread work over stripes.
pub(crate) fn stripe_index() -> usize {
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

    /// Adds the duplicates and rejections of a tally.
    pub fn add_tally(&self, tally: &Tally) {
        let stripe = self.stripe();
        stripe.counters[Counter::EventsDuplicate as usize].fetch_add(tally.duplicates, Ordering::Relaxed);
        stripe.counters[Counter::EventsRejected as usize].fetch_add(tally.rejected, Ordering::Relaxed);
        for (slot, n) in stripe.rejected_by_code.iter().zip(tally.rejected_by_code) {
            slot.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counters holding the totals of `stats` (a restored snapshot).
    pub fn restored(stats: &Stats) -> Counters {
        let counters = Counters::default();
        let stripe = &counters.stripes[0];
        for counter in Counter::ALL {
            stripe.counters[counter as usize].store(stats.get(counter), Ordering::Relaxed);
        }
        for code in ViolationCode::ALL {
            let n = stats.rejected_by_code.get(code.as_str()).copied().unwrap_or(0);
            stripe.rejected_by_code[code.index()].store(n, Ordering::Relaxed);
        }
        counters
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
        let mut stats = Stats { rejected_by_code, ..Stats::default() };
        for counter in Counter::ALL {
            *stats.field(counter) = self.total(counter);
        }
        stats
    }
}

impl Counter {
    const ALL: [Counter; COUNTERS] = [
        Counter::EventsAccepted,
        Counter::EventsDuplicate,
        Counter::EventsRejected,
        Counter::SessionsCreated,
        Counter::SessionsEnded,
        Counter::SessionsMerged,
        Counter::CustomEventsQueued,
        Counter::CustomEventsPersisted,
        Counter::CustomEventsDropped,
        Counter::CustomEventsOverwritten,
        Counter::CustomEventsRedelivered,
        Counter::CallbackFailures,
        Counter::SessionsEvicted,
        Counter::EventsEvicted,
        Counter::ActionsEvicted,
        Counter::SegmentsAssigned,
        Counter::OutcomesAchieved,
        Counter::ActionMapsQualified,
        Counter::ActionMapsFired,
        Counter::ActionMapsCapped,
        Counter::IdentityLinks,
        Counter::IdentityBlocked,
        Counter::IdentityLimited,
        Counter::CustomersErased,
        Counter::EventsErased,
    ];

    /// The counters orchestration added, which snapshots save apart from the header (whose
    /// layout is positional and fixed since format 1): see [`header_form`].
    pub const ORCHESTRATION: [Counter; 5] = [
        Counter::SegmentsAssigned,
        Counter::OutcomesAchieved,
        Counter::ActionMapsQualified,
        Counter::ActionMapsFired,
        Counter::ActionMapsCapped,
    ];

    /// The identity counters, which a snapshot saves in its identity part.
    pub const IDENTITY: [Counter; 3] = [Counter::IdentityLinks, Counter::IdentityBlocked, Counter::IdentityLimited];

    /// The erasure counters, which a snapshot saves in its erasure part (format 7 on).
    pub const ERASURE: [Counter; 2] = [Counter::CustomersErased, Counter::EventsErased];
}

/// The duplicates and rejections of one ingest call, counted together when the call commits
/// (and, in a durable engine, recorded as one `tally` record, whose input is its JSON form:
/// `{"eventsDuplicate", "eventsRejected", "rejectedByCode": {"CODE": n}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "TallyForm", try_from = "TallyForm")]
pub(crate) struct Tally {
    pub duplicates: u64,
    pub rejected: u64,
    /// Rejected events per code, each event once under each distinct code among its violations.
    pub rejected_by_code: [u64; CODES],
}

impl Tally {
    /// Counts one duplicate.
    pub fn duplicate(&mut self) {
        self.duplicates += 1;
    }

    /// Counts one rejected event with these violations.
    pub fn reject(&mut self, violations: &[crate::base::error::Violation]) {
        self.rejected += 1;
        let mut seen = [false; CODES];
        for code in violations.iter().map(|v| v.code) {
            if !std::mem::replace(&mut seen[code.index()], true) {
                self.rejected_by_code[code.index()] += 1;
            }
        }
    }

    /// Whether there is nothing to count.
    pub fn is_empty(&self) -> bool {
        self.duplicates == 0 && self.rejected == 0
    }
}

/// A [`Tally`] as JSON: the counts per code by name, the codes with none left out.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TallyForm {
    events_duplicate: u64,
    events_rejected: u64,
    rejected_by_code: std::collections::BTreeMap<String, u64>,
}

impl From<Tally> for TallyForm {
    fn from(tally: Tally) -> TallyForm {
        let rejected_by_code = ViolationCode::ALL
            .iter()
            .filter(|code| tally.rejected_by_code[code.index()] > 0)
            .map(|code| (code.as_str().to_owned(), tally.rejected_by_code[code.index()]))
            .collect();
        TallyForm { events_duplicate: tally.duplicates, events_rejected: tally.rejected, rejected_by_code }
    }
}

impl TryFrom<TallyForm> for Tally {
    type Error = String;

    fn try_from(form: TallyForm) -> Result<Tally, String> {
        let mut tally = Tally { duplicates: form.events_duplicate, rejected: form.events_rejected, ..Tally::default() };
        for (name, n) in form.rejected_by_code {
            let code = ViolationCode::ALL.iter().find(|c| c.as_str() == name).ok_or(format!("no code {name}"))?;
            tally.rejected_by_code[code.index()] = n;
        }
        Ok(tally)
    }
}

/// What the engine has done so far; the JSON form of `stats()`.
///
/// `rejectedByCode` counts each rejected event once under every distinct code among its violations,
/// so its sum can exceed `eventsRejected`. Codes never seen are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// Custom events dropped (agent not connected, not persisted at logout, or persisted longer than
    /// `persistedTtl`).
    pub custom_events_dropped: u64,
    /// Undelivered custom events replaced by a newer one of the same name.
    pub custom_events_overwritten: u64,
    /// Custom events returned by a poll more than once (SPEC §5.1).
    pub custom_events_redelivered: u64,
    /// Subscription callbacks that panicked or threw.
    pub callback_failures: u64,
    /// Sessions evicted by retention (SPEC §12).
    pub sessions_evicted: u64,
    /// Events evicted with their sessions.
    pub events_evicted: u64,
    /// Terminal web action states evicted by `actionRetention`.
    pub actions_evicted: u64,
    /// Segments assigned to sessions or customers (docs/orchestration.md).
    #[serde(default)]
    pub segments_assigned: u64,
    /// Outcomes achieved by sessions.
    #[serde(default)]
    pub outcomes_achieved: u64,
    /// Action maps that qualified in a session (once per session and map version).
    #[serde(default)]
    pub action_maps_qualified: u64,
    /// Action maps that fired: a web action offered, a custom event sent, a callback made.
    #[serde(default)]
    pub action_maps_fired: u64,
    /// Action maps stopped by a frequency cap or their schedule (their web action is recorded as
    /// `frequencyCapReached` or `qualifiedOutsideSchedule`).
    #[serde(default)]
    pub action_maps_capped: u64,
    /// Links made between identifiers: by events' `identifiers` and by `link` (docs/identity.md).
    #[serde(default)]
    pub identity_links: u64,
    /// Links refused because an identifier is a blocked value (`IDENTITY_BLOCKED`).
    #[serde(default)]
    pub identity_blocked: u64,
    /// Links refused because a profile would break a limit (`IDENTITY_LIMIT`).
    #[serde(default)]
    pub identity_limited: u64,
    /// Identifiers whose state `erase` removed: every member of an erased profile that the
    /// engine held anything about (docs/identity.md, "Erasure").
    #[serde(default)]
    pub customers_erased: u64,
    /// Events `erase` removed with their sessions.
    #[serde(default)]
    pub events_erased: u64,
}

impl Stats {
    /// This and `other` added counter by counter (`rejectedByCode` code by code): the stats of two
    /// engines that split a stream between them (SPEC §13).
    pub fn plus(&self, other: &Stats) -> Stats {
        let mut total = self.clone();
        for counter in Counter::ALL {
            *total.field(counter) += other.get(counter);
        }
        for (code, n) in &other.rejected_by_code {
            *total.rejected_by_code.entry(code.clone()).or_default() += n;
        }
        total
    }

    /// The field that holds `counter`.
    fn field(&mut self, counter: Counter) -> &mut u64 {
        match counter {
            Counter::EventsAccepted => &mut self.events_accepted,
            Counter::EventsDuplicate => &mut self.events_duplicate,
            Counter::EventsRejected => &mut self.events_rejected,
            Counter::SessionsCreated => &mut self.sessions_created,
            Counter::SessionsEnded => &mut self.sessions_ended,
            Counter::SessionsMerged => &mut self.sessions_merged,
            Counter::CustomEventsQueued => &mut self.custom_events_queued,
            Counter::CustomEventsPersisted => &mut self.custom_events_persisted,
            Counter::CustomEventsDropped => &mut self.custom_events_dropped,
            Counter::CustomEventsOverwritten => &mut self.custom_events_overwritten,
            Counter::CustomEventsRedelivered => &mut self.custom_events_redelivered,
            Counter::CallbackFailures => &mut self.callback_failures,
            Counter::SessionsEvicted => &mut self.sessions_evicted,
            Counter::EventsEvicted => &mut self.events_evicted,
            Counter::ActionsEvicted => &mut self.actions_evicted,
            Counter::SegmentsAssigned => &mut self.segments_assigned,
            Counter::OutcomesAchieved => &mut self.outcomes_achieved,
            Counter::ActionMapsQualified => &mut self.action_maps_qualified,
            Counter::ActionMapsFired => &mut self.action_maps_fired,
            Counter::ActionMapsCapped => &mut self.action_maps_capped,
            Counter::IdentityLinks => &mut self.identity_links,
            Counter::IdentityBlocked => &mut self.identity_blocked,
            Counter::IdentityLimited => &mut self.identity_limited,
            Counter::CustomersErased => &mut self.customers_erased,
            Counter::EventsErased => &mut self.events_erased,
        }
    }

    /// The orchestration counters, as a snapshot saves them.
    pub(crate) fn orchestration_counters(&self) -> [u64; 5] {
        Counter::ORCHESTRATION.map(|counter| self.get(counter))
    }

    /// Sets the orchestration counters a snapshot saved.
    pub(crate) fn set_orchestration_counters(&mut self, saved: [u64; 5]) {
        for (counter, n) in Counter::ORCHESTRATION.into_iter().zip(saved) {
            *self.field(counter) = n;
        }
    }

    /// The identity counters, as a snapshot saves them.
    pub(crate) fn identity_counters(&self) -> [u64; 3] {
        Counter::IDENTITY.map(|counter| self.get(counter))
    }

    /// Sets the identity counters a snapshot saved.
    pub(crate) fn set_identity_counters(&mut self, saved: [u64; 3]) {
        for (counter, n) in Counter::IDENTITY.into_iter().zip(saved) {
            *self.field(counter) = n;
        }
    }

    /// The erasure counters, as a snapshot saves them.
    pub(crate) fn erasure_counters(&self) -> [u64; 2] {
        Counter::ERASURE.map(|counter| self.get(counter))
    }

    /// Sets the erasure counters a snapshot saved.
    pub(crate) fn set_erasure_counters(&mut self, saved: [u64; 2]) {
        for (counter, n) in Counter::ERASURE.into_iter().zip(saved) {
            *self.field(counter) = n;
        }
    }

    /// The value of `counter`.
    fn get(&self, counter: Counter) -> u64 {
        *self.clone().field(counter)
    }
}

/// [`Stats`] in a snapshot header: the fifteen counters and the codes of format 1, in their
/// order. postcard writes a struct as its fields in order with no names, so a counter added to
/// `Stats` must not change this form (old headers must still read); newer counters are saved in
/// their own parts.
pub(crate) mod header_form {
    use super::Stats;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    type Form = (u64, u64, u64, BTreeMap<String, u64>, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64, u64);

    /// Writes the header form.
    pub fn serialize<S: Serializer>(stats: &Stats, out: S) -> Result<S::Ok, S::Error> {
        let s = stats.clone();
        let form: Form = (
            s.events_accepted,
            s.events_duplicate,
            s.events_rejected,
            s.rejected_by_code,
            s.sessions_created,
            s.sessions_ended,
            s.sessions_merged,
            s.custom_events_queued,
            s.custom_events_persisted,
            s.custom_events_dropped,
            s.custom_events_overwritten,
            s.custom_events_redelivered,
            s.callback_failures,
            s.sessions_evicted,
            s.events_evicted,
            s.actions_evicted,
        );
        form.serialize(out)
    }

    /// Reads the header form; the newer counters are zero until their part is read.
    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Stats, D::Error> {
        let (a, b, c, codes, d, e, f, g, h, i, j, k, l, m, n, o) = Form::deserialize(input)?;
        Ok(Stats {
            events_accepted: a,
            events_duplicate: b,
            events_rejected: c,
            rejected_by_code: codes,
            sessions_created: d,
            sessions_ended: e,
            sessions_merged: f,
            custom_events_queued: g,
            custom_events_persisted: h,
            custom_events_dropped: i,
            custom_events_overwritten: j,
            custom_events_redelivered: k,
            callback_failures: l,
            sessions_evicted: m,
            events_evicted: n,
            actions_evicted: o,
            ..Stats::default()
        })
    }
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
        let mut tally = Tally::default();
        let violation = |code| crate::base::error::Violation::new(code, "", "");
        tally.reject(&[
            violation(ViolationCode::TooLong),
            violation(ViolationCode::TooLong),
            violation(ViolationCode::LateEvent),
        ]);
        tally.duplicate();
        counters.add_tally(&tally);
        let stats = counters.snapshot();
        assert_eq!(stats.events_accepted, 4000);
        assert_eq!(stats.events_rejected, 1);
        assert_eq!(stats.events_duplicate, 1);
        assert_eq!(stats.rejected_by_code["TOO_LONG"], 1);
        assert_eq!(stats.rejected_by_code.len(), 2);
        assert_eq!(Counters::restored(&stats).snapshot(), stats);
        let json = serde_json::to_value(&tally).unwrap();
        assert_eq!(json["rejectedByCode"]["TOO_LONG"], 1);
        assert_eq!(serde_json::from_value::<Tally>(json).unwrap(), tally);
    }
}
