//! The engine: the one object a host creates. It ties the catalog, the session store, the journey
//! view, agent queues and web actions together, and is shared freely between threads.
//!
//! This file holds the `Engine` struct and the facade: the clock, agent sessions and polls, and the
//! journey reads. The files beside it add the engine's other methods, one concern each: `ingest`
//! (with `batch` and `stream`), `actions`, `paths`, `polls` (the long poll as a future), `command`
//! (the op table and `Engine::call`), `retention`, `checkpoint`, `transfer` (state moves between
//! partitions), `orchestration` (the definition ops), `image` (what a snapshot saves), and
//! `journal` (durability: `recovery`, `close`, `snapshot`, durable reads). Every state change
//! passes through `Engine::change` (in `gate`) with the `Change` (`change`) a durable engine's
//! journal records; only `Engine::open` is in `durable/` (docs/architecture.md).

mod actions;
pub mod assignments;
pub mod batch;
pub(crate) mod change;
pub mod checkpoint;
pub mod command;
mod due;
pub mod erase;
pub mod explain;
mod firing;
pub(crate) mod gate;
pub mod identity;
pub(crate) mod image;
pub(crate) mod ingest;
pub(crate) mod journal;
mod orchestration;
mod outbox;
mod paths;
mod polls;
pub(crate) mod retention;
pub mod stream;
pub(crate) mod transfer;

pub use journal::Recovery;
pub use polls::NextEventsFuture;

use crate::base::duration::Duration;
use crate::base::error::{JourneyError, Result};
use crate::base::text::clip;
use crate::base::time::{Millis, parse_rfc3339};
use crate::engine::change::Change;
use crate::engine::command::{AgentSessionInput, Command};
use crate::engine::gate::Gate;
use crate::engine::journal::Journal;
use crate::engine::retention::Sweeps;
use crate::model::catalog::Catalog;
use crate::model::config::{ClockMode, Config};
use crate::model::event::{Customer, DigestKey};
use crate::model::validate::{FutureCheck, TimeCheck, Validator};
use crate::state::action::Actions;
use crate::state::agent::{
    self, AgentQueues, AgentSession, AgentState, CustomEventRequest, NextEvents, QueueLimits, Ready, ReleaseRequest,
    Released, SendResult, Taken,
};
use crate::state::clock::Clock;
use crate::state::journey::{
    self, EventView, JourneyQuery, Page, PageRequest, SessionCard, SessionEventsQuery, Viewer,
};
use crate::state::session::CustomerSessions;
use crate::state::stats::{Counters, Stats};
use crate::state::store::Store;
use uuid::Uuid;

/// An embedded journey engine. `Send + Sync`: share it with `Arc` and call it from any thread.
///
/// Its fields are private to `engine/`: the state modules never see the engine, and `durable/`
/// and `partition/` use its methods (docs/architecture.md).
pub struct Engine {
    catalog: Catalog,
    config: Config,
    clock: Clock,
    counters: Counters,
    store: Store,
    agents: AgentQueues,
    actions: Actions,
    /// Customers with delayed activations waiting, by due time.
    due: due::DueIndex,
    /// Keys the content digests that tell a resend from a conflicting reuse of an event id.
    digest_key: DigestKey,
    gate: Gate,
    /// When the last retention sweep ran.
    sweeps: Sweeps,
    /// The host's last `checkpoint` value.
    last_checkpoint: crate::engine::checkpoint::LastCheckpoint,
    /// The segments, outcomes and action maps, with their compiled form (docs/orchestration.md).
    rules: crate::state::orchestration::Rules,
    /// The links between identifiers, and the profiles they make (docs/identity.md).
    identity: crate::engine::identity::Identity,
    /// Whether events' `identifiers` are read: false only while replaying a store written before
    /// identity (docs/durability.md), whose engine ignored the key.
    reads_identifiers: bool,
    /// The custom events this partition's maps fired, until the host forwards them
    /// (`orchestration.customEvents: "outbox"`).
    outbox: crate::state::agent::Outbox,
    /// The journal and store of a durable engine (`Engine::open`); `None` in memory.
    journal: Option<Box<dyn Journal>>,
    /// The threads of batch ingest's first stage, made on first use (`None`: ingest on the
    /// caller's thread alone).
    ingest_pool: std::sync::OnceLock<Option<crate::engine::batch::IngestPool>>,
    /// How batches are cut into windows.
    batch_shape: crate::engine::batch::BatchShape,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .field("stats", &self.counters.snapshot())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An in-memory engine over `catalog`, checking the catalog against `config`'s limits.
    pub fn new(catalog: Catalog, config: Config) -> Result<Engine> {
        catalog.check_limits(&config)?;
        let clock = Clock::new(config.clock, config.start);
        let digest_key = config.digest_key.unwrap_or_else(DigestKey::random);
        Ok(Engine {
            sweeps: Sweeps::starting_at(clock.now(), &config),
            last_checkpoint: Default::default(),
            clock,
            catalog,
            config,
            counters: Counters::default(),
            store: Store::default(),
            agents: AgentQueues::default(),
            actions: Actions::default(),
            rules: Default::default(),
            outbox: Default::default(),
            identity: Default::default(),
            reads_identifiers: true,
            due: Default::default(),
            digest_key,
            gate: Gate::parallel(),
            journal: None,
            ingest_pool: std::sync::OnceLock::new(),
            batch_shape: crate::engine::batch::BatchShape::default(),
        })
    }

    /// The session store, for the state modules' own tests, which build it through an engine.
    #[cfg(test)]
    pub(crate) fn store_for_tests(&self) -> &Store {
        &self.store
    }

    /// Puts back one action as a snapshot saved it, for the snapshot format's own tests.
    #[cfg(test)]
    pub(crate) fn restore_action_for_test(&self, action: crate::state::action::Saved) {
        self.actions.restore(action);
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
        let record = |_: &()| Some(Change::Call(Command::Advance(by.to_string())));
        self.change_and_settle(self.clock.now(), || self.clock.advance(by.as_millis()), record)?;
        self.expire()
    }

    /// Moves a manual clock forward by a duration string such as `"46s"`.
    pub fn advance_by(&self, duration: &str) -> Result<()> {
        self.advance(Duration::parse(duration).map_err(JourneyError::InvalidArgument)?)
    }

    /// Sets a manual clock to an RFC 3339 time; `INVALID_ARGUMENT` for other clocks or bad text.
    pub fn set_now(&self, timestamp: &str) -> Result<()> {
        let millis = timestamp_argument(timestamp)?;
        let record = |_: &()| Some(Change::Call(Command::SetNow(timestamp.to_owned())));
        self.change_and_settle(self.clock.now(), || self.clock.set_now(millis), record)?;
        self.expire()
    }

    /// Moves an event clock to at least an RFC 3339 time: a partition's watermark, the largest
    /// event time accepted by any partition before its next event (SPEC §13, docs/scale-out.md).
    /// Journaled, so a durable partition recovers it. `INVALID_ARGUMENT` for other clocks or bad
    /// text.
    pub fn observe_watermark(&self, timestamp: &str) -> Result<()> {
        let millis = timestamp_argument(timestamp)?;
        let record = |_: &()| Some(Change::Call(Command::ObserveWatermark(timestamp.to_owned())));
        self.change_and_settle(self.clock.now(), || self.clock.raise_to(millis), record)?;
        self.expire()
    }

    /// A snapshot of the counters. A durable engine counts only durable changes (docs/durability.md,
    /// "When the disk fails"; if its store cannot be read back after a failure, its own).
    pub fn stats(&self) -> Stats {
        self.read_durably(|engine| Ok(engine.counters.snapshot())).unwrap_or_else(|_| self.counters.snapshot())
    }

    /// A page of `customer`'s journey as `viewer` may see it (docs/decisions.md, "Journey view").
    pub fn journey(&self, customer: &Customer, viewer: &Viewer, page: &PageRequest) -> Result<Page<SessionCard>> {
        self.read_durably(|engine| engine.journey_page_of(customer, viewer, page))
    }

    fn journey_page_of(&self, customer: &Customer, viewer: &Viewer, page: &PageRequest) -> Result<Page<SessionCard>> {
        journey::require_journey_permission(viewer)?;
        self.expire()?;
        let paging = journey::JourneyPaging::read(page)?;
        let now = self.clock.now();
        let members = self.members_of(customer, viewer);
        if let [alone] = members.as_slice() {
            let mut shard = self.store.customer_shard(alone.id_type, &alone.id);
            let listed = match shard.get_mut(alone.id_type, &alone.id) {
                Some(sessions) => {
                    sessions.index_activity();
                    paging.cards(&self.catalog, sessions, viewer, now)
                }
                None => Vec::new(),
            };
            return Ok(paging.page(listed));
        }
        Ok(paging.page(self.profile_cards(&members, &paging, viewer, now)))
    }

    /// The cards of a profile's page (docs/identity.md): every member the viewer may reach is
    /// asked for its places after the cursor, one shard at a time, the page is cut from them
    /// all, and only its cards are built, each member's under its shard's lock again.
    fn profile_cards(
        &self,
        members: &[Customer],
        paging: &journey::JourneyPaging,
        viewer: &Viewer,
        now: Option<crate::base::time::Millis>,
    ) -> Vec<journey::Listed> {
        let mut places = Vec::new();
        for (member, identifier) in members.iter().enumerate() {
            let mut shard = self.store.customer_shard(identifier.id_type, &identifier.id);
            if let Some(sessions) = shard.get_mut(identifier.id_type, &identifier.id) {
                sessions.index_activity();
                places.extend(paging.places(sessions, viewer).into_iter().map(|(key, id)| (key, (member, id))));
            }
        }
        paging.keep_page(&mut places);
        let mut listed = Vec::with_capacity(places.len());
        for (member, identifier) in members.iter().enumerate() {
            let kept: Vec<_> =
                places.iter().filter(|(_, (m, _))| *m == member).map(|(key, (_, id))| (*key, *id)).collect();
            if kept.is_empty() {
                continue;
            }
            let shard = self.store.customer_shard(identifier.id_type, &identifier.id);
            if let Some(sessions) = shard.get(identifier.id_type, &identifier.id) {
                listed.extend(paging.cards_of(&self.catalog, sessions, &kept, viewer, now));
            }
        }
        listed
    }

    /// `journey` with its §10 input form, `{"customer", "viewer", "page"?}`.
    pub fn journey_query(&self, query: &JourneyQuery) -> Result<Page<SessionCard>> {
        self.journey(&query.customer, &query.viewer, &query.page)
    }

    /// A page of one session's events in time order. `NOT_FOUND` for an unknown session or one in
    /// a division the viewer lacks.
    pub fn session_events(&self, session_id: &str, viewer: &Viewer, page: &PageRequest) -> Result<Page<EventView>> {
        self.read_durably(|engine| engine.events_page_of(session_id, viewer, page))
    }

    fn events_page_of(&self, session_id: &str, viewer: &Viewer, page: &PageRequest) -> Result<Page<EventView>> {
        journey::require_event_permission(viewer)?;
        self.read_session(session_id, viewer, |customer, session| {
            journey::events_page(&self.catalog, customer, session, viewer, page)
        })?
    }

    /// One session's card, exactly as `journey` lists it to `viewer` (Genesys's
    /// `GET /journey/sessions/{id}`). `NOT_FOUND` for an unknown session or one the viewer may not
    /// see, worded alike.
    pub fn session(&self, session_id: &str, viewer: &Viewer) -> Result<SessionCard> {
        self.read_durably(|engine| engine.card_of(session_id, viewer))
    }

    fn card_of(&self, session_id: &str, viewer: &Viewer) -> Result<SessionCard> {
        journey::require_journey_permission(viewer)?;
        let now = self.clock.now();
        self.read_session(session_id, viewer, |customer, session| {
            journey::session_card(&self.catalog, customer, session, viewer, now)
        })
    }

    /// Reads a session the viewer may see; `NOT_FOUND` otherwise, whether it exists or not.
    fn read_session<T>(
        &self,
        session_id: &str,
        viewer: &Viewer,
        read: impl FnOnce(&CustomerSessions, &crate::state::session::Session) -> T,
    ) -> Result<T> {
        let not_found = || JourneyError::NotFound(format!("no session '{}'", clip(session_id)));
        let id = Uuid::try_parse(session_id).map_err(|_| {
            JourneyError::invalid_argument(format!("'{}' is not a session id (a UUID)", clip(session_id)))
        })?;
        self.expire()?;
        self.store
            .with_session(&id, |customer, session| journey::visible(session, viewer).then(|| read(customer, session)))
            .flatten()
            .ok_or_else(not_found)
    }

    /// `session_events` with its §10 input form, `{"sessionId", "viewer", "page"?}`.
    pub fn session_events_query(&self, query: &SessionEventsQuery) -> Result<Page<EventView>> {
        self.session_events(&query.session_id, &query.viewer, &query.page)
    }

    /// Starts an agent session, or returns the agent's active one (SPEC §5). Its queue begins with
    /// `AgentSessionStart`, then the events persisted for the agent, in the order they were sent.
    ///
    /// A new session's id is random (UUIDv4), so no id is ever given out twice, not even by engines
    /// that restart from the same store or from nothing: a stale client polling an old id gets
    /// `INVALID_SESSION`, never a new login's events. (The one exception to SPEC §0's "same ids":
    /// docs/decisions.md.)
    pub fn start_agent_session(&self, agent_id: &str) -> Result<AgentSession> {
        self.start_agent_session_as(agent_id, |_| Uuid::new_v4())
    }

    /// Starts an agent session whose id, when it is new, `new_id` gives; replay passes the
    /// recorded one. The record names the id, so replay gives the same.
    pub(crate) fn start_agent_session_as(
        &self,
        agent_id: &str,
        new_id: impl FnOnce(&AgentState) -> Uuid,
    ) -> Result<AgentSession> {
        let now = self.stamp();
        let record =
            |started: &AgentSession| Some(Change::AgentSessionStarted { agent_id, session_id: started.session_id });
        let start = || self.agents.start(agent_id, now, self.limits(), &self.counters, new_id);
        self.change_and_settle(Some(now), start, record)
    }

    /// The agent an agent session (active or recently ended) belongs to; `INVALID_SESSION` for an
    /// id never given out. For a host that lets each agent touch only its own sessions.
    pub fn agent_session_owner(&self, session_id: &str) -> Result<String> {
        if let Some(view) = self.failed_view()? {
            return view.agent_session_owner(session_id);
        }
        self.agents.owner(session_id).map(String::from)
    }

    /// The agent's active session, without starting one (CXone's "join").
    pub fn active_agent_session(&self, agent_id: &str) -> Option<AgentSession> {
        match self.failed_view() {
            Ok(Some(view)) => view.active_agent_session(agent_id),
            _ => self.agents.active(agent_id),
        }
    }

    /// Ends an agent session. Pollers wake with `sessionEnded`; undelivered events sent with
    /// `persistInMemory` wait for the next login, the others are dropped and counted. Ending an
    /// ended session does nothing; an unknown id is `INVALID_SESSION`.
    pub fn end_agent_session(&self, session_id: &str) -> Result<()> {
        let record = |_: &()| {
            Some(Change::Call(Command::EndAgentSession(AgentSessionInput { session_id: session_id.to_owned() })))
        };
        self.change_and_settle(self.clock.now(), || self.agents.end(session_id, &self.counters), record)
    }

    /// Sends a custom event to an agent: `queued`, `persisted` or `agentNotConnected`. Fails with
    /// `QUEUE_FULL` at `maxPendingPerAgent`, or for a persisted event at `maxPersistedTotal`
    /// (nothing queued is lost), and `INVALID_ARGUMENT` for an empty name or oversized data. Never
    /// waits for a poller.
    pub fn send_custom_event(&self, request: &CustomEventRequest) -> Result<SendResult> {
        self.expire()?; // sweeps expired persisted events even when nothing is ingested
        let now = self.stamp();
        let record = |_: &SendResult| Some(Change::Call(Command::SendCustomEvent(request.clone())));
        self.change_and_settle(Some(now), || self.agents.send(request, now, self.limits(), &self.counters), record)
    }

    /// The long poll (SPEC §5, §5.1). First acknowledges: `ack`, the sequence of the last event
    /// the caller fully received, or without it what the previous poll returned. Then returns the
    /// events that remain at once, or blocks the calling thread (only) until one is sent, the
    /// session ends, or `timeout_ms` (clamped to 0..60000) passes. Returned events stay pending until
    /// acknowledged; see [`Engine::release`] for a caller that never received an answer.
    pub fn next_events(
        &self,
        session_id: &str,
        timeout_ms: i64,
        max: Option<usize>,
        ack: Option<u64>,
    ) -> Result<NextEvents> {
        let max = agent::max_events(max)?;
        let (result, seq) = self.take_next_events(session_id, agent::deadline(timeout_ms), max, ack)?;
        self.settle(seq)?;
        Ok(result)
    }

    /// The poll of [`Engine::next_events`] up to its journal record, without waiting for the
    /// record to be durable: returns what the poll answers and the record to settle on. For a
    /// future, which must not wait for an fsync on its event loop.
    pub(crate) fn take_next_events(
        &self,
        session_id: &str,
        deadline: std::time::Instant,
        max: usize,
        ack: Option<u64>,
    ) -> Result<(NextEvents, Option<crate::engine::journal::Seq>)> {
        let mut last_record = None;
        loop {
            // Waiting holds no gate; taking is a change, journaled with what it acknowledged and took.
            let ready = self.agents.wait_ready(session_id, deadline, ack)?;
            let now = Some(self.stamp());
            match ready {
                Ready::SessionEnded => return Ok((NextEvents::SessionEnded, last_record)),
                Ready::Timeout => {
                    let acknowledge = || self.agents.acknowledge(session_id, ack);
                    let record =
                        |through: &Option<u64>| through.map(|t| Change::Acknowledged { session_id, through: t });
                    let (_, seq) = self.change(now, acknowledge, record)?;
                    return Ok((NextEvents::Timeout, seq.or(last_record)));
                }
                Ready::Events => {}
            }
            let take = || self.agents.take(session_id, max, ack, &self.counters);
            let record = |taken: &Taken| match &taken.result {
                NextEvents::Events { events } => {
                    Some(Change::taken(session_id, taken.acknowledged_through, events.len()))
                }
                _ => None,
            };
            let (taken, seq) = self.change(now, take, record)?;
            last_record = seq.or(last_record);
            if taken.result != NextEvents::Timeout {
                return Ok((taken.result, last_record));
            }
        }
    }

    /// Hands back the events from `from_sequence` on that a poll returned but whose caller never
    /// received the answer (a cancelled task, an aborted request, a client that went away): the
    /// next poll returns them again, with their sequences, counted in `customEventsRedelivered`.
    /// Bindings call it when a poll is cancelled; applications rarely need it.
    pub fn release(&self, session_id: &str, from_sequence: u64) -> Result<Released> {
        let (released, seq) = self.release_unsettled(session_id, from_sequence)?;
        self.settle(seq)?;
        Ok(Released { released })
    }

    /// [`Engine::release`] up to its journal record, without waiting for it to be durable: a
    /// poll dropped while its taking became durable hands its events back so, since a drop must
    /// not block on an fsync.
    pub(crate) fn release_unsettled(
        &self,
        session_id: &str,
        from_sequence: u64,
    ) -> Result<(usize, Option<crate::engine::journal::Seq>)> {
        let release = || self.agents.release(session_id, from_sequence);
        let record = |released: &usize| {
            let request = ReleaseRequest { session_id: session_id.to_owned(), from_sequence };
            (*released > 0).then_some(Change::Call(Command::Release(request)))
        };
        self.change(Some(self.stamp()), release, record)
    }

    /// The time stamped on agent and action events: the engine's `now`, or the wall clock for an
    /// event clock that has seen no event yet.
    pub(crate) fn stamp(&self) -> Millis {
        self.clock.now().unwrap_or_else(crate::base::time::wall_now)
    }

    fn limits(&self) -> QueueLimits {
        QueueLimits {
            max_pending: self.config.max_pending_per_agent,
            max_data: self.config.max_custom_event_data,
            max_string: self.config.max_string_length,
            max_persisted_total: self.config.max_persisted_total,
            persisted_ttl: self.config.persisted_ttl.as_millis(),
        }
    }

    /// Checks events against the catalog and config at `now`.
    pub(crate) fn validator(&self) -> Validator<'_> {
        Validator { catalog: &self.catalog, config: &self.config, reads_identifiers: self.reads_identifiers }
    }

    /// The time checks of an event whose turn comes at `now`.
    pub(crate) fn time_check(&self, now: Option<Millis>) -> TimeCheck<'_> {
        TimeCheck {
            config: &self.config,
            now,
            future: match self.clock.mode() {
                _ if self.clock.is_pinned() => FutureCheck::Skip,
                ClockMode::Event => FutureCheck::Wall(crate::base::time::wall_now()),
                ClockMode::Wall | ClockMode::Manual => FutureCheck::Now,
            },
        }
    }
}

/// An RFC 3339 argument as milliseconds; `INVALID_ARGUMENT` naming it otherwise.
fn timestamp_argument(timestamp: &str) -> Result<Millis> {
    parse_rfc3339(timestamp)
        .ok_or_else(|| JourneyError::invalid_argument(format!("'{}' is not an RFC 3339 timestamp", clip(timestamp))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_and_sync() {
        assert_send_sync::<Engine>();
    }
}
