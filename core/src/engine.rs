//! The engine (SPEC §7): the one object a host creates. It ties the catalog, validation,
//! sessionization, the journey view, agent queues and web actions together, and is shared freely
//! between threads.
//!
//! ## Locking
//! State is split four ways, each into shards:
//! - `event_ids`: event id → hash of its content, to tell a resend from a conflicting reuse;
//! - `keyed_owners`: external id → customer, to refuse `CUSTOMER_MISMATCH`;
//! - `customers`: customer → all of that customer's sessions and events;
//! - `session_owners`: session id → customer, to find a session by id when reading.
//!
//! An ingest locks at most one shard of each, always in that order, so two ingests can never wait
//! for each other in a cycle; reads lock one at a time.

use crate::action::{ActionEvent, ActionRecord, Actions, Callback, SubscriptionId};
use crate::agent::{AgentQueues, AgentSession, CustomEventRequest, NextEvents, QueueLimits, SendResult};
use crate::catalog::{Catalog, SessionKind};
use crate::clock::Clock;
use crate::config::{ClockMode, Config};
use crate::duration::Duration;
use crate::error::{JourneyError, Result, Violation, ViolationCode};
use crate::event::{Customer, IdType, Identity};
use crate::journey::{self, EventView, Page, PageRequest, SessionCard, Viewer};
use crate::json::Json;
use crate::outcome::{BatchOutcome, Outcome};
use crate::session::{Applied, CustomerSessions};
use crate::shard::{FastMap, Sharded};
use crate::stats::{Counter, Counters, Stats};
use crate::time::{Millis, parse_rfc3339};
use crate::validate::{CheckedEvent, Validator};
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;
use std::sync::MutexGuard;
use uuid::Uuid;

/// The owners of custom sessions (`[0]`) and conversations (`[1]`), by external id. An owner is
/// kept as a fingerprint of its customer, so the check on every event follows no pointer.
type KeyedOwners = [FastMap<Box<str>, u64>; 2];

/// A 64-bit fingerprint of a customer, for [`KeyedOwners`].
fn fingerprint(id_type: IdType, id: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6f77_6e65_7273).hash_one((id_type, id))
}

/// One shard of customers, split by id type so that lookups by `&str` need no allocation.
#[derive(Default)]
struct CustomerShard {
    by_id_type: [FastMap<Box<str>, CustomerSessions>; IdType::ALL.len()],
}

impl CustomerShard {
    fn get(&self, id_type: IdType, id: &str) -> Option<&CustomerSessions> {
        self.by_id_type[id_type as usize].get(id)
    }

    fn get_or_create(&mut self, id_type: IdType, id: &str) -> &mut CustomerSessions {
        let map = &mut self.by_id_type[id_type as usize];
        if !map.contains_key(id) {
            map.insert(Box::from(id), CustomerSessions::new(Customer::new(id, id_type)));
        }
        map.get_mut(id).expect("inserted above")
    }
}

/// The input of `journey`: `{"customer", "viewer", "page"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyQuery {
    /// Whose journey.
    pub customer: Customer,
    /// Who is looking.
    pub viewer: Viewer,
    /// Which page.
    #[serde(default)]
    pub page: PageRequest,
}

/// The input of `session_events`: `{"sessionId", "viewer", "page"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionEventsQuery {
    /// The session, by any of its ids.
    pub session_id: String,
    /// Who is looking.
    pub viewer: Viewer,
    /// Which page.
    #[serde(default)]
    pub page: PageRequest,
}

/// Reads a query from its JSON form; `INVALID_ARGUMENT` names what is wrong.
pub fn query_from_value<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    T::deserialize(value).map_err(|e| JourneyError::invalid_argument(e.to_string()))
}

/// An embedded journey engine. `Send + Sync`: share it with `Arc` and call it from any thread.
pub struct Engine {
    catalog: Catalog,
    config: Config,
    clock: Clock,
    counters: Counters,
    /// Event id → 64-bit hash of the event's canonical content.
    event_ids: Sharded<FastMap<Uuid, u64>>,
    keyed_owners: Sharded<KeyedOwners>,
    customers: Sharded<CustomerShard>,
    session_owners: Sharded<FastMap<Uuid, Customer>>,
    agents: AgentQueues,
    actions: Actions,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.config).field("stats", &self.stats()).finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over `catalog`, checking the catalog against `config`'s limits.
    pub fn new(catalog: Catalog, config: Config) -> Result<Engine> {
        catalog.check_limits(&config)?;
        Ok(Engine {
            clock: Clock::new(config.clock, config.start),
            catalog,
            config,
            counters: Counters::default(),
            event_ids: Sharded::default(),
            keyed_owners: Sharded::default(),
            customers: Sharded::default(),
            session_owners: Sharded::default(),
            agents: AgentQueues::default(),
            actions: Actions::default(),
        })
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The config.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The engine's current time (`None` for an event clock before the first event).
    pub fn now(&self) -> Option<Millis> {
        self.clock.now()
    }

    /// Moves a manual clock forward; `INVALID_ARGUMENT` for other clocks.
    pub fn advance(&self, by: Duration) -> Result<()> {
        self.clock.advance(by.as_millis())
    }

    /// Moves a manual clock forward by a duration string such as `"46s"`.
    pub fn advance_by(&self, duration: &str) -> Result<()> {
        self.advance(Duration::parse(duration).map_err(JourneyError::InvalidArgument)?)
    }

    /// Sets a manual clock to an RFC 3339 time; `INVALID_ARGUMENT` for other clocks or bad text.
    pub fn set_now(&self, timestamp: &str) -> Result<()> {
        let millis = parse_rfc3339(timestamp)
            .ok_or_else(|| JourneyError::invalid_argument(format!("'{timestamp}' is not an RFC 3339 timestamp")))?;
        self.clock.set_now(millis)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// Ingests one event from raw JSON bytes.
    pub fn ingest_json(&self, bytes: &[u8]) -> Outcome {
        if bytes.len() > self.config.max_event_bytes {
            return self.reject(None, vec![too_large(bytes.len(), self.config.max_event_bytes)]);
        }
        match Json::parse(bytes) {
            Ok(event) => self.ingest_parsed(&event),
            Err(e) => self.reject(None, vec![Violation::new(ViolationCode::InvalidJson, "", e.to_string())]),
        }
    }

    /// Ingests one already-parsed event.
    pub fn ingest_value(&self, event: &serde_json::Value) -> Outcome {
        let size = serialized_size(event, self.config.max_event_bytes);
        if size > self.config.max_event_bytes {
            return self.reject(None, vec![too_large(size, self.config.max_event_bytes)]);
        }
        self.ingest_parsed(&Json::from_value(event))
    }

    /// Ingests NDJSON: one event per line, one outcome per non-blank line, in order.
    /// A bad line is a rejected outcome; it never fails the batch.
    pub fn ingest_ndjson(&self, bytes: &[u8]) -> BatchOutcome {
        let mut batch = BatchOutcome::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        for line in ndjson_lines(bytes) {
            batch.push(self.ingest_json(line));
        }
        batch
    }

    /// Ingests a JSON array of events. Each element gets its own outcome; only bytes that are not a
    /// JSON array at all fail, with `INVALID_JSON`.
    pub fn ingest_batch_json(&self, bytes: &[u8]) -> Result<BatchOutcome> {
        let elements: Vec<&serde_json::value::RawValue> = serde_json::from_slice(bytes)
            .map_err(|e| JourneyError::InvalidJson(format!("a batch must be a JSON array of events: {e}")))?;
        let mut batch = BatchOutcome::default();
        for element in elements {
            batch.push(self.ingest_json(element.get().as_bytes()));
        }
        Ok(batch)
    }

    /// Ingests already-parsed events, one outcome each, in order.
    pub fn ingest_values<'v>(&self, events: impl IntoIterator<Item = &'v serde_json::Value>) -> BatchOutcome {
        let mut batch = BatchOutcome::default();
        for event in events {
            batch.push(self.ingest_value(event));
        }
        batch
    }

    /// A page of `customer`'s journey as `viewer` may see it (SPEC §4).
    pub fn journey(&self, customer: &Customer, viewer: &Viewer, page: &PageRequest) -> Result<Page<SessionCard>> {
        journey::require_journey_permission(viewer)?;
        let shard = self.customer_shard(customer.id_type, &customer.id);
        match shard.get(customer.id_type, &customer.id) {
            Some(sessions) => journey::journey_page(&self.catalog, sessions, viewer, page, self.clock.now()),
            None => {
                page.size()?;
                Ok(Page { entities: Vec::new(), next_cursor: None })
            }
        }
    }

    /// `journey` with its §10 input form, `{"customer", "viewer", "page"?}`.
    pub fn journey_query(&self, query: &JourneyQuery) -> Result<Page<SessionCard>> {
        self.journey(&query.customer, &query.viewer, &query.page)
    }

    /// A page of one session's events in time order. `NOT_FOUND` for an unknown session or one in
    /// a division the viewer lacks.
    pub fn session_events(&self, session_id: &str, viewer: &Viewer, page: &PageRequest) -> Result<Page<EventView>> {
        journey::require_event_permission(viewer)?;
        let not_found = || JourneyError::NotFound(format!("no session '{session_id}'"));
        let id = Uuid::try_parse(session_id)
            .map_err(|_| JourneyError::invalid_argument(format!("'{session_id}' is not a session id (a UUID)")))?;
        let owner = self.session_owners.lock(&id).get(&id).cloned().ok_or_else(not_found)?;
        let shard = self.customer_shard(owner.id_type, &owner.id);
        let customer = shard.get(owner.id_type, &owner.id).ok_or_else(not_found)?;
        let session = customer.session(&id).filter(|s| journey::visible(s, viewer)).ok_or_else(not_found)?;
        journey::events_page(&self.catalog, customer, session, viewer, page)
    }

    /// `session_events` with its §10 input form, `{"sessionId", "viewer", "page"?}`.
    pub fn session_events_query(&self, query: &SessionEventsQuery) -> Result<Page<EventView>> {
        self.session_events(&query.session_id, &query.viewer, &query.page)
    }

    /// Starts an agent session, or returns the agent's active one (SPEC §5). Its queue begins with
    /// `AgentSessionStart`, then the events persisted for the agent, in the order they were sent.
    pub fn start_agent_session(&self, agent_id: &str) -> Result<AgentSession> {
        self.agents.start(agent_id, self.stamp(), self.queue_limits())
    }

    /// Ends an agent session. Pollers wake with `sessionEnded`; undelivered events sent with
    /// `persistInMemory` wait for the next login, the others are dropped and counted. Ending an
    /// ended session does nothing; an unknown id is `INVALID_SESSION`.
    pub fn end_agent_session(&self, session_id: &str) -> Result<()> {
        self.agents.end(session_id, &self.counters)
    }

    /// Sends a custom event to an agent: `queued`, `persisted` or `agentNotConnected`. Fails with
    /// `QUEUE_FULL` at `maxPendingPerAgent` (nothing queued is lost) and `INVALID_ARGUMENT` for an
    /// empty name or oversized data. Never waits for a poller.
    pub fn send_custom_event(&self, request: &CustomEventRequest) -> Result<SendResult> {
        self.agents.send(request, self.stamp(), self.queue_limits(), &self.counters)
    }

    /// The long poll: returns waiting events at once, or blocks the calling thread (only) until one
    /// is sent, the session ends, or `timeout_ms` (clamped to 0..60000) passes.
    pub fn next_events(&self, session_id: &str, timeout_ms: i64, max: Option<usize>) -> Result<NextEvents> {
        self.agents.next(session_id, timeout_ms, max)
    }

    /// Records a web action event (SPEC §6) and, when the state changed, calls the subscribers.
    pub fn record_action_event(&self, event: &serde_json::Value) -> Result<ActionRecord> {
        self.actions.record(event, self.stamp(), &self.counters)
    }

    /// Calls `callback` for every action event matching `pattern` (`webchat:offered`, `all:errored`…).
    pub fn on(
        &self,
        pattern: &str,
        callback: impl Fn(&ActionEvent) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Result<SubscriptionId> {
        self.actions.subscribe(pattern, false, std::sync::Arc::new(callback))
    }

    /// Like [`Engine::on`], for the first matching event only.
    pub fn once(
        &self,
        pattern: &str,
        callback: impl Fn(&ActionEvent) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Result<SubscriptionId> {
        self.actions.subscribe(pattern, true, std::sync::Arc::new(callback))
    }

    /// Subscribes an already shared callback (for bindings that keep their own handle).
    pub fn subscribe(&self, pattern: &str, once: bool, callback: Callback) -> Result<SubscriptionId> {
        self.actions.subscribe(pattern, once, callback)
    }

    /// Subscribes a recorder: the matching action events are kept under `label` (the newest
    /// [`crate::action::DELIVERIES_KEPT`]) and read with [`Engine::deliveries`]. This is how a caller
    /// with no callback to give, such as [`Engine::call`], subscribes.
    pub fn subscribe_labelled(&self, pattern: &str, label: &str, once: bool) -> Result<SubscriptionId> {
        self.actions.subscribe_labelled(pattern, label, once)
    }

    /// The action events a labelled subscription received, in order, in their JSON form.
    pub fn deliveries(&self, label: &str) -> Vec<serde_json::Value> {
        self.actions.deliveries(label)
    }

    /// Ends a subscription. Ending one that is gone, or a `once` that fired, does nothing.
    pub fn off(&self, subscription: SubscriptionId) {
        self.actions.unsubscribe(subscription)
    }

    /// The time stamped on agent and action events: the engine's `now`, or the wall clock for an
    /// event clock that has seen no event yet.
    fn stamp(&self) -> Millis {
        self.clock.now().unwrap_or_else(crate::time::wall_now)
    }

    fn queue_limits(&self) -> QueueLimits {
        QueueLimits {
            max_pending: self.config.max_pending_per_agent,
            max_data: self.config.max_custom_event_data,
            max_string: self.config.max_string_length,
        }
    }

    fn customer_shard(&self, id_type: IdType, id: &str) -> MutexGuard<'_, CustomerShard> {
        self.customers.lock(&(id_type, id))
    }

    /// A rejection, counted in the stats.
    pub(crate) fn reject(&self, event_id: Option<Uuid>, violations: Vec<Violation>) -> Outcome {
        self.counters.reject(violations.iter().map(|v| v.code));
        Outcome::rejected(event_id, violations)
    }

    /// The ingest pipeline: identity, duplicate check, validation, then the session store.
    fn ingest_parsed(&self, event: &Json<'_>) -> Outcome {
        let identity = Identity::of(event);
        let Some(event_id) = identity.id else {
            // The id is present but malformed: validation names it, and there is nothing to dedupe.
            let mut violations = Vec::new();
            self.validator().check(event, &mut violations);
            return self.reject(None, violations);
        };
        // Held until the event is stored, so that two copies of one event cannot both be accepted.
        let mut ids = self.event_ids.lock(&event_id);
        let mut violations = Vec::new();
        if let Some(&content_hash) = ids.get(&event_id) {
            if content_hash == identity.content_hash {
                return self.duplicate(event_id, event);
            }
            violations.push(Violation::new(
                ViolationCode::DuplicateIdConflict,
                "/id",
                format!("event {event_id} was already accepted with different content"),
            ));
        }
        let checked = match self.validator().check(event, &mut violations) {
            Some(checked) if violations.is_empty() => checked,
            _ => {
                debug_assert!(!violations.is_empty(), "an event was refused without a reason");
                return self.reject(Some(event_id), violations);
            }
        };
        match self.store(event_id, &checked) {
            Ok(applied) => {
                ids.insert(event_id, identity.content_hash);
                drop(ids);
                self.accepted(event_id, checked, applied)
            }
            Err(violation) => self.reject(Some(event_id), vec![violation]),
        }
    }

    fn validator(&self) -> Validator<'_> {
        Validator {
            catalog: &self.catalog,
            config: &self.config,
            now: self.clock.now(),
            check_future: self.clock.mode() != ClockMode::Event,
        }
    }

    /// Applies a valid event to its customer's sessions. A custom or conversation session belongs
    /// to the customer of its first event; another customer's event for it is `CUSTOMER_MISMATCH`.
    fn store(&self, event_id: Uuid, event: &CheckedEvent<'_, '_>) -> std::result::Result<Applied, Violation> {
        let kind = self.catalog.session_type(event.session_type).kind;
        let keyed = match (kind, event.external_id) {
            (SessionKind::Web, _) | (_, None) => None,
            (_, Some(external_id)) => Some(((kind == SessionKind::Conversation) as usize, external_id)),
        };
        let mut keyed_owners = keyed.map(|key| self.keyed_owners.lock(&key));
        let customer = fingerprint(event.id_type, event.customer_id);
        if let (Some(owners), Some((map, external_id))) = (keyed_owners.as_ref(), keyed)
            && let Some(&owner) = owners[map].get(external_id)
            && owner != customer
        {
            return Err(Violation::new(
                ViolationCode::CustomerMismatch,
                "/customer",
                format!("session '{external_id}' belongs to another customer"),
            ));
        }
        let applied = {
            let mut shard = self.customer_shard(event.id_type, event.customer_id);
            shard.get_or_create(event.id_type, event.customer_id).apply(&self.catalog, event_id, event)?
        };
        if applied.session_created {
            if let (Some(owners), Some((map, external_id))) = (keyed_owners.as_mut(), keyed) {
                owners[map].insert(Box::from(external_id), customer);
            }
            drop(keyed_owners);
            let owner = Customer::new(event.customer_id, event.id_type);
            self.session_owners.lock(&applied.session_id).insert(applied.session_id, owner);
        }
        Ok(applied)
    }

    fn accepted(&self, event_id: Uuid, event: CheckedEvent<'_, '_>, applied: Applied) -> Outcome {
        self.clock.observe_event(event.time);
        self.counters.add(Counter::EventsAccepted, 1);
        self.counters.add(Counter::SessionsCreated, applied.session_created as u64);
        self.counters.add(Counter::SessionsEnded, applied.session_ended as u64);
        self.counters.add(Counter::SessionsMerged, applied.sessions_merged as u64);
        Outcome::Accepted {
            event_id,
            session_id: applied.session_id,
            session_created: applied.session_created,
            event_count: applied.event_count,
            event_index: applied.event_index,
            warnings: event.warnings,
        }
    }

    /// A resend of a stored event. It has the same content, so the same customer and time: find
    /// the session that holds it now (a web session may since have merged into another).
    fn duplicate(&self, event_id: Uuid, event: &Json<'_>) -> Outcome {
        self.counters.add(Counter::EventsDuplicate, 1);
        let customer = event.get("customer");
        let id = customer.and_then(|c| c.get("id")).and_then(Json::as_str);
        let id_type = customer.and_then(|c| c.get("idType")).and_then(Json::as_str).and_then(IdType::parse);
        let time = event.get("createdDate").and_then(Json::as_str).and_then(parse_rfc3339);
        let session_id = id.zip(id_type).zip(time).and_then(|((id, id_type), time)| {
            let shard = self.customer_shard(id_type, id);
            shard.get(id_type, id)?.session_of_event(time, event_id).map(|s| s.id)
        });
        debug_assert!(session_id.is_some(), "a stored event must be found again");
        Outcome::Duplicate { event_id, session_id: session_id.unwrap_or_default() }
    }
}

fn too_large(size: usize, limit: usize) -> Violation {
    Violation::new(ViolationCode::EventTooLarge, "", format!("event is {size} bytes; at most {limit} are allowed"))
}

/// The lines of an NDJSON buffer, without line ends, skipping blank lines.
pub(crate) fn ndjson_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.map(move |end| {
        let line = &bytes[start.min(end)..end];
        start = end + 1;
        line
    })
    .filter_map(line_content)
}

/// The event text of one NDJSON line (without its `\n`): the line without a trailing `\r`, or
/// `None` for a blank line, which produces no outcome.
pub(crate) fn line_content(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    (!line.iter().all(u8::is_ascii_whitespace)).then_some(line)
}

/// The compact serialized size of `value`, counting no further than just past `limit`.
fn serialized_size(value: &serde_json::Value, limit: usize) -> usize {
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

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_and_sync() {
        assert_send_sync::<Engine>();
    }

    #[test]
    fn ndjson_lines_skip_blanks_and_carriage_returns() {
        let lines: Vec<&[u8]> = ndjson_lines(b"a\r\n\n  \nb\nc").collect();
        assert_eq!(lines, vec![&b"a"[..], b"b", b"c"]);
    }

    #[test]
    fn serialized_size_stops_past_the_limit() {
        let big = serde_json::Value::String("x".repeat(10_000));
        assert!(serialized_size(&big, 100) > 100);
        assert_eq!(serialized_size(&serde_json::json!({"a": 1}), 100), 7);
    }
}
