//! The ingest pipeline (SPEC §2–§3): raw bytes or a parsed value in, one [`Outcome`] per event out.
//!
//! Each event goes through two stages (docs/performance.md):
//! 1. **Stateless**, with no lock held and on any thread: size check, parse, identity (id and
//!    content digest), and every check of §2.2 that needs only the catalog and the config.
//! 2. **Stateful**, in the event's turn: the checks against `now`, then as one [`Engine::change`]
//!    the duplicate probe, the owner probe and the session insert in the
//!    [`crate::state::store::Store`]. An accepted event is the one kind of ingest a durable
//!    engine journals; duplicates and rejections change only counters, which a call adds up in a
//!    [`Tally`] and commits once, at its end.

use crate::base::error::{Result, Violation, ViolationCode};
use crate::base::interrupt::Interrupt;
use crate::base::json::Json;
use crate::engine::Engine;
use crate::engine::batch::Batch;
use crate::engine::change::Change;
use crate::engine::firing::Notices;
use crate::engine::journal::Seq;
use crate::model::config::SyncMode;
use crate::model::event::{Customer, Identity};
use crate::model::outcome::{BatchOutcome, Outcome};
use crate::model::validate::{CheckedEvent, Inspection};
use crate::state::orchestration::{Compiled, EventSide};
use crate::state::session::{Applied, Orchestrate};
use crate::state::stats::{Counter, Tally};
use crate::state::store::Stored;
use serde_json::Value;
use std::sync::Arc;

/// Where an event came from, so that a durable engine can journal it as it was sent.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    /// JSON text.
    Text(&'a [u8]),
    /// An already-parsed value.
    Value(&'a Value),
}

impl Engine {
    /// Ingests one event from raw JSON bytes. A rejected event is an outcome; `Err` is only a
    /// durable engine's `IO_ERROR`.
    pub fn ingest_json(&self, bytes: &[u8]) -> Result<Outcome> {
        self.ingest_call(None, |call| call.text(bytes))
    }

    /// Ingests one already-parsed event.
    pub fn ingest_value(&self, event: &Value) -> Result<Outcome> {
        self.ingest_call(None, |call| call.value(event))
    }

    /// Ingests NDJSON: one event per line, one outcome per non-blank line, in order.
    /// A bad line is a rejected outcome; it never fails the batch.
    pub fn ingest_ndjson(&self, bytes: &[u8]) -> Result<BatchOutcome> {
        self.batch_outcomes(Batch::Ndjson(bytes), None)
    }

    /// Ingests a JSON array of events. Each element gets its own outcome; only bytes that are not a
    /// JSON array at all fail, with `INVALID_JSON`.
    pub fn ingest_batch_json(&self, bytes: &[u8]) -> Result<BatchOutcome> {
        self.batch_outcomes(Batch::JsonArray(bytes), None)
    }

    /// Ingests already-parsed events, one outcome each, in order.
    pub fn ingest_values(&self, events: &[Value]) -> Result<BatchOutcome> {
        self.batch_outcomes(Batch::Values(events), None)
    }

    /// Runs one ingest call of one or many events, then commits its tally and makes its changes as
    /// durable as `store.sync` asks: every event at once under `always`, the call as a whole under
    /// `batch` (a single event is a batch of one).
    pub(crate) fn ingest_call<T>(
        &self,
        interrupt: Option<Interrupt<'_>>,
        body: impl FnOnce(&mut IngestCall<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        let mut call =
            IngestCall { engine: self, tally: Tally::default(), last: None, interrupt, notices: Notices::default() };
        let result = body(&mut call);
        let committed = call.commit();
        let value = result?;
        committed?;
        Ok(value)
    }
}

/// One ingest call in progress.
pub(crate) struct IngestCall<'e, 'f> {
    engine: &'e Engine,
    /// Asked between events whether to stop.
    interrupt: Option<Interrupt<'f>>,
    /// Duplicates and rejections so far.
    tally: Tally,
    /// The last record this call appended.
    last: Option<Seq>,
    /// What subscribers are told once this call's changes are durable (`store.sync: batch`).
    notices: Notices,
}

/// One event to ingest, as it arrived.
pub(crate) enum Input<'a> {
    /// JSON text.
    Text(&'a [u8]),
    /// An already-parsed value.
    Value(&'a Value),
    /// Refused before it could be read (a stream line longer than `maxEventBytes`).
    Refused(Violation),
}

/// Stage 1's first half for one input, which needs nothing but the input and the engine's
/// settings: the parsed event with its identity, or why it could not be read. Borrows only the
/// input, so a batch can read the next window while the current one is applied.
pub(crate) struct Parsed<'a>(std::result::Result<(Json<'a>, Identity, Source<'a>), Violation>);

impl Parsed<'_> {
    /// True when the input could be read (it may still fail validation).
    #[cfg(feature = "stages")]
    pub fn is_read(&self) -> bool {
        self.0.is_ok()
    }
}

/// Everything stage 1 found about one input.
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every input is `Read`: boxing it would cost an allocation per event"
)]
pub(crate) enum Prepared<'j, 'a> {
    /// It could not be read.
    Refused(&'j Violation),
    /// Read, identified and validated, short of the checks against `now`; with the event's half
    /// of matching it against the rules stage 1 was given, if any.
    Read {
        event: &'j Json<'a>,
        identity: Identity,
        source: Source<'a>,
        inspection: Inspection<'j, 'a>,
        event_side: Option<EventSide>,
    },
}

/// The rules stage 1 matched a window's events against (a batch's), to be compared in each
/// event's turn with the rules then in force: a definition put between the two makes the event
/// match again, in its turn.
pub(crate) type PreparedUnder<'r> = Option<&'r Arc<Compiled>>;

impl Engine {
    /// Reads one input: the size check, the parse and the identity (stage 1, any thread).
    pub(crate) fn parse<'a>(&self, input: Input<'a>) -> Parsed<'a> {
        let limit = self.config.max_event_bytes;
        let read = match input {
            Input::Refused(violation) => Err(violation),
            Input::Text(bytes) if bytes.len() > limit => Err(too_large(bytes.len(), limit)),
            Input::Text(bytes) => Json::parse(bytes)
                .map(|event| (event, Source::Text(bytes)))
                .map_err(|e| Violation::new(ViolationCode::InvalidJson, "", crate::base::text::bounded(e))),
            Input::Value(value) => match serialized_size(value, limit) {
                size if size > limit => Err(too_large(size, limit)),
                _ => Ok((Json::from_value(value), Source::Value(value))),
            },
        };
        Parsed(read.map(|(event, source)| {
            let identity = Identity::of(&event, &self.digest_key);
            (event, identity, source)
        }))
    }

    /// Validates a parsed event, all but the checks against `now`, and when `rules` are given
    /// runs the event's half of matching it against them (stage 1, any thread).
    pub(crate) fn prepare<'j, 'a>(&self, parsed: &'j Parsed<'a>, rules: PreparedUnder<'_>) -> Prepared<'j, 'a> {
        match &parsed.0 {
            Err(violation) => Prepared::Refused(violation),
            Ok((event, identity, source)) => {
                let inspection = self.validator().check(event);
                // An event of an open event type is numbered in its turn (docs/decisions.md, "Open
                // session types for app events"): it matches then, with its index.
                let event_side = rules
                    .zip(inspection.event().filter(|checked| checked.open_name.is_none()))
                    .map(|(rules, checked)| crate::state::session::event_side(rules, &self.catalog, checked));
                Prepared::Read { event, identity: *identity, source: *source, inspection, event_side }
            }
        }
    }
}

impl<'e> IngestCall<'e, '_> {
    /// Ingests one event given as JSON text.
    pub fn text(&mut self, bytes: &[u8]) -> Result<Outcome> {
        self.one(Input::Text(bytes))
    }

    /// Ingests one already-parsed event.
    pub fn value(&mut self, event: &Value) -> Result<Outcome> {
        self.one(Input::Value(event))
    }

    /// Both stages of one input, back to back on this thread: the sequential path.
    pub fn one(&mut self, input: Input<'_>) -> Result<Outcome> {
        let parsed = self.engine.parse(input);
        self.apply(self.engine.prepare(&parsed, None), None)
    }

    /// The engine the call ingests into.
    pub(crate) fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Fails with `INTERRUPTED` when the call's interrupt says to stop.
    fn check_interrupt(&mut self) -> Result<()> {
        self.interrupt.as_mut().map_or(Ok(()), Interrupt::check)
    }

    /// Stage 2 of one event, in its turn: the time checks against `now`, then the store.
    /// `prepared_under` is what stage 1 matched the event against.
    pub(crate) fn apply(&mut self, prepared: Prepared<'_, '_>, prepared_under: PreparedUnder<'_>) -> Result<Outcome> {
        self.check_interrupt()?;
        let (event, identity, source, inspection, event_side) = match prepared {
            Prepared::Refused(violation) => return Ok(self.refuse(violation.clone())),
            Prepared::Read { event, identity, source, inspection, event_side } => {
                (event, identity, source, inspection, event_side)
            }
        };
        let engine = self.engine;
        engine.expire()?;
        let now = engine.clock.now();
        let (mut checked, mut violations) = engine.time_check(now).finish(inspection);
        let Some(event_id) = identity.id else {
            // The id is present but malformed: validation named it, and there is nothing to dedupe.
            return Ok(self.rejected(None, violations));
        };
        let mut notices = Notices::default();
        let mut identity_warnings = Vec::new();
        let store = || {
            let rejected = |action_id| engine.actions.is_rejected(action_id);
            // Once the event will be placed, under its id's lock: an event of an open event type
            // is numbered (creating the type, so only an event that will be stored creates one),
            // then the rules are read. Read inside the change: a durable engine's definition ops
            // pass the same gate, so the rules an event is evaluated under are those in force at
            // its place in the journal, and replay evaluates it under the same.
            let mut ready = |checked: &mut CheckedEvent<'_, '_>| {
                engine.number_open_event_type(checked)?;
                let rules = engine.rules.current();
                let same_rules = prepared_under.is_some_and(|under| Arc::ptr_eq(under, &rules));
                Ok(Orchestrate {
                    rules,
                    now: now.unwrap_or(checked.time),
                    min_offer_gap: engine.min_offer_gap(),
                    rejected: &rejected,
                    event_side: event_side.as_deref().filter(|_| same_rules),
                })
            };
            let stored = engine.store.insert(
                &engine.catalog,
                event,
                (event_id, identity.digest),
                checked.as_mut(),
                &mut violations,
                &mut ready,
            );
            if let (Stored::Accepted(applied, decisions), Some(checked)) = (&stored, &checked) {
                engine.count_accepted(checked.time, applied);
                // Made only when links or decisions need it: most events need neither.
                let customer = || Customer::new(checked.customer_id, checked.id_type);
                if !checked.identifiers.is_empty() {
                    // Identifiers are seen at the engine's time, not the event's: a late event
                    // neither renames a profile nor slips under a limit's window.
                    let at = now.unwrap_or(checked.time);
                    identity_warnings =
                        engine.link_event(&customer(), &checked.identifiers, event_id, checked.division, at);
                }
                if !decisions.is_empty() {
                    notices = engine.carry_out(&customer(), decisions, None);
                }
            }
            Ok(stored)
        };
        let record = |stored: &Stored| matches!(stored, Stored::Accepted(..)).then_some(Change::Ingest(source));
        let (stored, seq) = engine.change(now, store, record)?;
        self.settle(seq)?;
        self.tell(notices);
        Ok(match (stored, checked) {
            (Stored::Accepted(applied, _), Some(checked)) => Outcome::Accepted {
                event_id,
                session_id: applied.session_id,
                session_created: applied.session_created,
                event_count: applied.event_count,
                event_index: applied.event_index,
                warnings: checked.warnings,
                identity_warnings,
            },
            (Stored::Duplicate(session_id), _) => {
                self.tally.duplicate();
                Outcome::Duplicate { event_id, session_id }
            }
            _ => self.rejected(Some(event_id), violations),
        })
    }

    /// Rejects an event that could not even be read, for one reason.
    fn refuse(&mut self, violation: Violation) -> Outcome {
        self.rejected(None, vec![violation])
    }

    fn rejected(&mut self, event_id: Option<uuid::Uuid>, violations: Vec<Violation>) -> Outcome {
        debug_assert!(!violations.is_empty(), "an event was refused without a reason");
        self.tally.reject(&violations);
        Outcome::rejected(event_id, violations)
    }

    /// Waits for an accepted event's record when every change must be durable before the next.
    fn settle(&mut self, seq: Option<Seq>) -> Result<()> {
        if seq.is_none() {
            return Ok(());
        }
        self.last = seq;
        match self.engine.journal.as_ref().map(|j| j.sync_mode()) {
            Some(SyncMode::Always) => self.engine.settle(seq),
            _ => Ok(()),
        }
    }

    /// Tells subscribers what an event fired once its change is as durable as a single call's
    /// would be: at once unless `store.sync` is `batch`, where the call as a whole settles at its
    /// end and they are told then (so a subscriber never hears of a firing a crash could undo).
    fn tell(&mut self, notices: Notices) {
        match self.engine.journal.as_ref().map(|j| j.sync_mode()) {
            Some(SyncMode::Batch) => self.notices.notifications.extend(notices.notifications),
            _ => self.engine.notify(notices),
        }
    }

    /// Counts the tally (journaled as one `tally` record) and waits as `store.sync` asks; then
    /// tells subscribers what waited for the call to settle.
    fn commit(self) -> Result<()> {
        let IngestCall { engine, tally, mut last, notices, .. } = self;
        if !tally.is_empty() {
            let count = || {
                engine.counters.add_tally(&tally);
                Ok(())
            };
            let (_, seq) = engine.change(engine.clock.now(), count, |_| Some(Change::Tally(&tally)))?;
            last = seq.or(last);
        }
        engine.settle(last)?;
        engine.notify(notices);
        Ok(())
    }
}

impl Engine {
    /// Gives an event of an open event type its index, creating the type when this event is the
    /// first of its name (docs/decisions.md, "Open session types for app events"). Runs in the
    /// event's turn, inside its change and under its id's lock, once the event will be placed:
    /// a duplicate or a conflict never gets here, so only an event that is stored creates a name,
    /// and a durable engine creates names in the order of its journal, so a replay numbers them
    /// alike. Past `maxEventTypes` the event is `UNKNOWN_EVENT_TYPE`, naming the limit. A new
    /// name recompiles the rules, since a definition may name it before it is seen, or count
    /// every event type of its stream.
    fn number_open_event_type(&self, event: &mut CheckedEvent<'_, '_>) -> std::result::Result<(), Violation> {
        let Some(name) = event.open_name else { return Ok(()) };
        let recompile = |index| self.rules.recompile_if_any(&self.catalog, &[(event.session_type, index)]);
        event.event_type = self.catalog.open_event_type(event.session_type, name, &self.config, recompile)?;
        Ok(())
    }

    /// Counts an accepted event and moves an event clock.
    fn count_accepted(&self, time: crate::base::time::Millis, applied: &Applied) {
        self.clock.observe_event(time);
        self.counters.add(Counter::EventsAccepted, 1);
        self.counters.add(Counter::SessionsCreated, applied.session_created as u64);
        self.counters.add(Counter::SessionsEnded, applied.session_ended as u64);
        self.counters.add(Counter::SessionsMerged, applied.sessions_merged as u64);
    }
}

fn too_large(size: usize, limit: usize) -> Violation {
    Violation::new(ViolationCode::EventTooLarge, "", format!("event is {size} bytes; at most {limit} are allowed"))
}

/// The compact serialized size of `value`, counting no further than just past `limit`.
fn serialized_size(value: &Value, limit: usize) -> usize {
    struct Counter {
        bytes: usize,
        limit: usize,
    }
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.bytes += buf.len();
            if self.bytes > self.limit { Err(std::io::Error::other("over the limit")) } else { Ok(buf.len()) }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter { bytes: 0, limit };
    let _ = serde_json::to_writer(&mut counter, value);
    counter.bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_size_stops_past_the_limit() {
        let big = Value::String("x".repeat(10_000));
        assert!(serialized_size(&big, 100) > 100);
        assert_eq!(serialized_size(&serde_json::json!({"a": 1}), 100), 7);
    }
}
