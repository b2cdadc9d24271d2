//! The native addon of the `libjourney` npm package: `Catalog` and `Engine` over journey-core.
//! It only converts JS values to JSON values and back, and core errors to JS errors with `.code`;
//! all behaviour is in the core.

#![deny(clippy::all)]

mod error;
mod ingest_file;
pub mod partition;
mod poll;
mod subscribers;

use error::{JsResult, type_error};
use journey_core::{
    Batch, Command, CustomEventRequest, JourneyError, JourneyQuery, Outcomes, SessionEventsQuery, query_from_value,
};
use napi::JsValue;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Value, json};
use std::sync::Arc;

fn config(env: &Env, value: Option<Unknown<'_>>) -> Result<journey_core::Config> {
    journey_core::Config::from_value(&optional_json(env, value)?).js(env)
}

/// A validated catalog of session and event types.
#[napi]
pub struct Catalog {
    pub(crate) inner: journey_core::Catalog,
}

#[napi]
impl Catalog {
    /// Reads a catalog from JSON text, checked against the limits of `config`.
    #[napi(factory, ts_args_type = "text: string, config?: Config")]
    pub fn from_json(env: &Env, text: Unknown<'_>, config: Option<Unknown<'_>>) -> Result<Catalog> {
        let text = self::text(env, text, "text")?;
        let limits = self::config(env, config)?;
        Ok(Catalog { inner: journey_core::Catalog::from_json_with_limits(&text, &limits).js(env)? })
    }

    /// Reads a catalog from an object.
    #[napi(factory, ts_args_type = "catalog: CatalogDefinition, config?: Config")]
    pub fn from_object(env: &Env, catalog: Unknown<'_>, config: Option<Unknown<'_>>) -> Result<Catalog> {
        let catalog = json_value(env, catalog)?;
        let limits = self::config(env, config)?;
        Ok(Catalog { inner: journey_core::Catalog::from_value_with_limits(&catalog, &limits).js(env)? })
    }

    /// The names of the session types, the built-in `conversation` last.
    #[napi]
    pub fn session_types(&self) -> Vec<String> {
        self.inner.session_types().iter().map(|t| t.name.clone()).collect()
    }
}

/// An engine: ingest, the journey view, agent queues and web actions.
#[napi]
pub struct Engine {
    inner: Arc<journey_core::Engine>,
}

#[napi]
impl Engine {
    /// An engine that keeps everything in memory.
    #[napi(constructor, ts_args_type = "catalog: Catalog, config?: Config")]
    pub fn new(env: &Env, catalog: &Catalog, config: Option<Unknown<'_>>) -> Result<Self> {
        let engine = journey_core::Engine::new(catalog.inner.clone(), self::config(env, config)?).js(env)?;
        Ok(Engine { inner: Arc::new(engine) })
    }

    /// Opens the durable store in the directory `path`, creating it or recovering what it holds.
    /// Throws with `.code` `STORE_LOCKED` when another engine has it open, `CORRUPT_STORE` when it
    /// is damaged (`.file` and `.offset` say where), and `INVALID_CATALOG` when `catalog` is not the
    /// stored one or an addition to it.
    #[napi(factory, ts_args_type = "path: string, catalog: Catalog, config?: Config")]
    pub fn open(env: &Env, path: Unknown<'_>, catalog: &Catalog, config: Option<Unknown<'_>>) -> Result<Self> {
        let path = text(env, path, "path")?;
        let engine = journey_core::Engine::open(path, catalog.inner.clone(), self::config(env, config)?).js(env)?;
        Ok(Engine { inner: Arc::new(engine) })
    }

    /// Writes a snapshot and releases a durable engine's store; reads still work afterwards and
    /// changes throw `IO_ERROR`. Closing twice, or an in-memory engine, does nothing.
    #[napi]
    pub fn close(&self, env: &Env) -> Result<()> {
        self.inner.close().js(env)
    }

    /// Writes a snapshot of a durable engine now (it also does so by itself as its journal grows).
    #[napi]
    pub fn snapshot(&self, env: &Env) -> Result<()> {
        self.inner.snapshot().js(env)
    }

    /// Records `value` (any JSON value, at most 64 KiB as JSON: a consumer's offsets) as the
    /// engine's checkpoint, covering everything done before it. A store opened with
    /// `{recoverTo: 'checkpoint'}` recovers to the last one (docs/scale-out.md).
    #[napi(ts_args_type = "value: unknown")]
    pub fn checkpoint(&self, env: &Env, value: Value) -> Result<()> {
        self.inner.checkpoint(&value).js(env)
    }

    /// The value of the last `checkpoint`, or `null`.
    #[napi(ts_return_type = "unknown")]
    pub fn last_checkpoint(&self) -> Value {
        self.inner.last_checkpoint().unwrap_or(Value::Null)
    }

    /// What opening the store found, or `null` for an in-memory engine.
    #[napi(ts_return_type = "Recovery | null")]
    pub fn recovery(&self) -> Value {
        self.inner.recovery().map(|r| serde_json::to_value(r).unwrap_or_default()).unwrap_or(Value::Null)
    }

    /// Ingests one event (an object, or JSON as a string or Buffer). A rejected event is an outcome;
    /// with `options.strict` it throws instead (`.code` is the first violation's, `.violations` has
    /// them all), for scripts that want one bad event to stop them.
    #[napi(ts_args_type = "event: JourneyEvent | string | Buffer, options?: IngestOptions", ts_return_type = "Outcome")]
    pub fn ingest<'env>(
        &self,
        env: &'env Env,
        event: Unknown<'_>,
        options: Option<Object<'_>>,
    ) -> Result<Unknown<'env>> {
        let strict = option::<bool>(&options, "strict")?.unwrap_or(false);
        // A Buffer is read where it is, not copied.
        let (owned, js_buffer);
        let bytes: &[u8] = match event.get_type()? {
            ValueType::String => {
                owned = text(env, event, "event")?;
                owned.as_bytes()
            }
            ValueType::Object if event.is_buffer()? => {
                js_buffer = buffer(env, event)?;
                &js_buffer
            }
            ValueType::Object if !event.is_array()? => {
                owned = json_stringify(env, event)?;
                owned.as_bytes()
            }
            other => {
                return Err(type_error(
                    env,
                    &format!("ingest() takes an object, a string or a Buffer, not {}", type_label(other, &event)?),
                ));
            }
        };
        // An event may fire an action map: its subscribers are called on this thread, now.
        let outcome = subscribers::while_on_js_thread(env, || self.inner.ingest_json(bytes)).js(env)?;
        let outcome = if strict { outcome.into_result().js(env)? } else { outcome };
        json_parse(env, outcome.to_json_string())
    }

    /// Streams an NDJSON file (or a gzip of one) without loading it, on a worker of libuv's pool;
    /// resolves with totals and the first rejections with their line numbers.
    /// `options.onProgress` is called on the event loop at most every 100 ms and once at the end;
    /// `options.signal` stops the ingest before its next line (the Promise rejects with an
    /// `AbortError`; the lines before stay ingested). Options left out take the core's defaults.
    #[napi(ts_args_type = "path: string, options?: IngestFileOptions", ts_return_type = "Promise<StreamSummary>")]
    pub fn ingest_file(
        &self,
        env: &Env,
        path: Unknown<'_>,
        options: Option<Object<'_>>,
    ) -> Result<AsyncTask<ingest_file::IngestFile>> {
        let path = std::path::PathBuf::from(text(env, path, "path")?);
        // Only what the caller gave goes to the core, which supplies the defaults.
        let mut core_options = json!({});
        if let Some(kept) = option::<i64>(&options, "keptRejections")? {
            core_options["keptRejections"] = json!(kept);
        }
        let core_options = query_from_value(&core_options).js(env)?;
        let (on_progress, signal) = (option(&options, "onProgress")?, option::<Object<'_>>(&options, "signal")?);
        let task = ingest_file::IngestFile::new(env, self.inner.clone(), path, core_options, on_progress, signal)?;
        Ok(AsyncTask::new(task))
    }

    /// Ingests an array of events, or NDJSON as a Buffer or string: one outcome per event, in order.
    /// With `{ outcomes: 'rejected' }`, only the rejections, each with its line (or 1-based
    /// position in the array), in the form `ingestFile` returns; with `'none'`, only the totals.
    /// The events are prepared on the engine's threads (`ingestThreads`).
    #[napi(
        ts_generic_types = "O extends Outcomes = 'all'",
        ts_args_type = "events: JourneyEvent[] | string | Buffer, options?: IngestBatchOptions<O>",
        ts_return_type = "O extends 'all' ? BatchOutcome : StreamSummary"
    )]
    pub fn ingest_batch<'env>(
        &self,
        env: &'env Env,
        events: Unknown<'_>,
        options: Option<Object<'_>>,
    ) -> Result<Unknown<'env>> {
        let outcomes = match option::<String>(&options, "outcomes")? {
            Some(text) => Outcomes::parse(&text).js(env)?,
            None => Outcomes::default(),
        };
        let events = BatchInput::read(env, events, "ingestBatch")?;
        let result = subscribers::while_on_js_thread(env, || self.inner.ingest_batch(events.batch(), outcomes, None));
        json_parse(env, result.js(env)?.to_json_string())
    }

    /// Runs one operation by its name and input, in the form of a shared test vector step:
    /// `await engine.call('startAgentSession', { agentId: 'a1' })`. The typed methods do the same
    /// with less conversion; this serves generic callers. A `nextEvents` waits as `nextEvents` does,
    /// with no thread. A `subscribe` here records what it receives under its `label`, read back with
    /// `call('deliveries', { label })`.
    #[napi(ts_args_type = "op: string, input?: Json", ts_return_type = "Promise<any>")]
    pub fn call<'env>(&self, env: &'env Env, op: Unknown<'_>, input: Option<Unknown<'_>>) -> Result<Object<'env>> {
        let op = text(env, op, "op")?;
        let input = optional_json(env, input)?;
        let engine = self.inner.clone();
        // A bad op or input rejects the Promise like any other libjourney error (a value with no
        // JSON form, above, is a TypeError thrown at once, as Node's own functions do).
        let command = match Command::new(&op, input) {
            Ok(command) => command,
            Err(error) => return rejected(env, error),
        };
        if let Command::NextEvents(request) = &command {
            return match engine.next_events_future(&request.session_id, request.timeout_ms, request.max, request.ack) {
                Ok(future) => poll::start(env, future, None),
                Err(error) => rejected(env, error),
            };
        }
        let (deferred, promise) = env.create_deferred()?;
        let result = engine.call(&command);
        deferred.resolve(move |env| result.js(&env).map(JsonObject));
        Ok(promise)
    }

    /// A page of a customer's journey as `viewer` may see it.
    #[napi(ts_args_type = "customer: Customer, viewer: Viewer, page?: PageRequest", ts_return_type = "SessionCardPage")]
    pub fn journey(
        &self,
        env: &Env,
        customer: Unknown<'_>,
        viewer: Unknown<'_>,
        page: Option<Unknown<'_>>,
    ) -> Result<Value> {
        let query: JourneyQuery = view_query(env, json!({"customer": json_value(env, customer)?}), viewer, page)?;
        to_json(self.inner.journey_query(&query)).js(env)
    }

    /// A page of one session's events in time order.
    #[napi(ts_args_type = "sessionId: string, viewer: Viewer, page?: PageRequest", ts_return_type = "SessionEventPage")]
    pub fn session_events(
        &self,
        env: &Env,
        session_id: Unknown<'_>,
        viewer: Unknown<'_>,
        page: Option<Unknown<'_>>,
    ) -> Result<Value> {
        let session_id = text(env, session_id, "sessionId")?;
        let query: SessionEventsQuery = view_query(env, json!({"sessionId": session_id}), viewer, page)?;
        to_json(self.inner.session_events_query(&query)).js(env)
    }

    /// The paths sessions take, as `viewer` may see them (docs/paths.md).
    #[napi(ts_args_type = "query: PathsQuery, viewer: Viewer", ts_return_type = "PathsResult")]
    pub fn paths(&self, env: &Env, query: Unknown<'_>, viewer: Unknown<'_>) -> Result<Value> {
        let input = json!({"query": json_value(env, query)?, "viewer": json_value(env, viewer)?});
        let request: journey_core::paths::PathsRequest = query_from_value(&input).js(env)?;
        to_json(self.inner.paths(&request.query, &request.viewer)).js(env)
    }

    /// The counters.
    #[napi(ts_return_type = "Stats")]
    pub fn stats(&self) -> Value {
        serde_json::to_value(self.inner.stats()).unwrap_or_default()
    }

    /// Moves a manual clock forward by a duration such as `"46s"`.
    #[napi(ts_args_type = "duration: string")]
    pub fn advance(&self, env: &Env, duration: Unknown<'_>) -> Result<()> {
        let duration = text(env, duration, "duration")?;
        // A clock move may fire delayed activations: their subscribers are called now.
        subscribers::while_on_js_thread(env, || self.inner.advance_by(&duration)).js(env)
    }

    /// Sets a manual clock to an RFC 3339 time.
    #[napi(ts_args_type = "timestamp: string")]
    pub fn set_now(&self, env: &Env, timestamp: Unknown<'_>) -> Result<()> {
        let timestamp = text(env, timestamp, "timestamp")?;
        subscribers::while_on_js_thread(env, || self.inner.set_now(&timestamp)).js(env)
    }

    /// Moves an event clock to at least an RFC 3339 time: a partition's watermark
    /// (`Frontier.watermarkBefore`, docs/scale-out.md).
    #[napi(ts_args_type = "timestamp: string")]
    pub fn observe_watermark(&self, env: &Env, timestamp: Unknown<'_>) -> Result<()> {
        let timestamp = text(env, timestamp, "timestamp")?;
        subscribers::while_on_js_thread(env, || self.inner.observe_watermark(&timestamp)).js(env)
    }

    /// Takes `customers`' state out of this partition's engine, for another partition (the online
    /// router's move, docs/scale-out.md): returns the slice as an opaque Buffer for `moveIn`.
    #[napi(ts_args_type = "customers: Customer[]")]
    pub fn move_out(&self, env: &Env, customers: Unknown<'_>) -> Result<Buffer> {
        let input: journey_core::partition::MoveOutInput =
            serde_json::from_value(json!({ "customers": json_value(env, customers)? }))
                .map_err(|e| type_error(env, &format!("moveOut() takes an array of customer objects: {e}")))?;
        Ok(self.inner.move_out(&input.customers).js(env)?.to_bytes().into())
    }

    /// Puts a slice another partition's `moveOut` returned into this engine.
    #[napi]
    pub fn move_in(&self, env: &Env, slice: Buffer) -> Result<()> {
        let slice = journey_core::partition::Slice::from_bytes(&slice).js(env)?;
        self.inner.move_in(slice).js(env)
    }

    /// Logs an agent in (or returns the active session).
    #[napi(ts_args_type = "agentId: string", ts_return_type = "AgentSession")]
    pub fn start_agent_session(&self, env: &Env, agent_id: Unknown<'_>) -> Result<Value> {
        to_json(self.inner.start_agent_session(&text(env, agent_id, "agentId")?)).js(env)
    }

    /// Logs an agent session out, waking its pollers.
    #[napi(ts_args_type = "sessionId: string")]
    pub fn end_agent_session(&self, env: &Env, session_id: Unknown<'_>) -> Result<()> {
        self.inner.end_agent_session(&text(env, session_id, "sessionId")?).js(env)
    }

    /// Sends a custom event to an agent. With `customer`, the event is marked as about that
    /// customer: `erase` of their profile removes it from the agent's queue.
    #[napi(
        ts_args_type = "agentId: string, eventName: string, data?: string, persistInMemory?: boolean, customer?: Customer",
        ts_return_type = "SendResult"
    )]
    pub fn send_custom_event(
        &self,
        env: &Env,
        agent_id: Unknown<'_>,
        event_name: Unknown<'_>,
        data: Option<String>,
        persist_in_memory: Option<bool>,
        customer: Option<Unknown<'_>>,
    ) -> Result<Value> {
        let (agent_id, event_name) = (text(env, agent_id, "agentId")?, text(env, event_name, "eventName")?);
        let mut request = CustomEventRequest::with_defaults(agent_id, event_name, data, persist_in_memory);
        if let Some(customer) = customer {
            let read = serde_json::from_value(json_value(env, customer)?);
            request.customer = Some(read.map_err(|e| JourneyError::InvalidArgument(format!("customer: {e}"))).js(env)?);
        }
        to_json(self.inner.send_custom_event(&request)).js(env)
    }

    /// The long poll, as a Promise. No thread waits for it: the core wakes it on the event loop
    /// when an event arrives, the session ends or the timeout passes, so any number of polls can
    /// wait at once. `options.signal` (an `AbortSignal`) cancels it, losing nothing.
    #[napi(
        ts_args_type = "sessionId: string, options?: NextEventsOptions",
        ts_return_type = "Promise<NextEventsResult>"
    )]
    pub fn next_events<'env>(
        &self,
        env: &'env Env,
        session_id: Unknown<'_>,
        options: Option<Object<'_>>,
    ) -> Result<Object<'env>> {
        let session_id = text(env, session_id, "sessionId")?;
        let number = |name: &str| option::<i64>(&options, name);
        let not_negative = |value: i64, name: &str| {
            u64::try_from(value).map_err(|_| type_error(env, &format!("{name} must not be negative")))
        };
        let timeout_ms = number("timeoutMs")?.unwrap_or(journey_core::DEFAULT_TIMEOUT_MS);
        let max = number("max")?.map(|max| not_negative(max, "max")).transpose()?.map(|max| max as usize);
        let ack = number("ack")?.map(|ack| not_negative(ack, "ack")).transpose()?;
        let signal = option::<Object<'_>>(&options, "signal")?;
        let future = self.inner.next_events_future(&session_id, timeout_ms, max, ack).js(env)?;
        poll::start(env, future, signal)
    }

    /// Hands back the events from `fromSequence` on that a poll returned but whose answer never
    /// reached its caller: the next poll returns them again (SPEC §5.1).
    #[napi(ts_args_type = "sessionId: string, fromSequence: number", ts_return_type = "Released")]
    pub fn release(&self, env: &Env, session_id: Unknown<'_>, from_sequence: i64) -> Result<Value> {
        let session_id = text(env, session_id, "sessionId")?;
        let from = u64::try_from(from_sequence).map_err(|_| type_error(env, "fromSequence must not be negative"))?;
        to_json(self.inner.release(&session_id, from)).js(env)
    }

    /// Records a web action event and calls the matching subscribers before returning.
    #[napi(ts_args_type = "event: ActionEvent", ts_return_type = "ActionRecord")]
    pub fn record_action_event(&self, env: &Env, event: Unknown<'_>) -> Result<Value> {
        let event = json_value(env, event)?;
        let record = subscribers::while_on_js_thread(env, || self.inner.record_action_event(&event));
        to_json(record).js(env)
    }

    /// Creates or replaces a segment (an object in the form of Genesys' `JourneySegment`) and
    /// returns it as stored, with its `id`, `version`, `createdDate` and `modifiedDate`. A bad
    /// definition throws with `.code` `INVALID_ARGUMENT`, its message naming the field by JSON
    /// pointer (docs/orchestration.md).
    #[napi(ts_args_type = "definition: JourneySegment", ts_return_type = "JourneySegment")]
    pub fn put_segment(&self, env: &Env, definition: Unknown<'_>) -> Result<Value> {
        self.inner.put_segment(&json_value(env, definition)?).js(env)
    }

    /// Creates or replaces an outcome (Genesys' `Outcome` form), as `putSegment` does.
    #[napi(ts_args_type = "definition: JourneyOutcome", ts_return_type = "JourneyOutcome")]
    pub fn put_outcome(&self, env: &Env, definition: Unknown<'_>) -> Result<Value> {
        self.inner.put_outcome(&json_value(env, definition)?).js(env)
    }

    /// Creates or replaces an action map (Genesys' `ActionMap` form), as `putSegment` does.
    #[napi(ts_args_type = "definition: ActionMap", ts_return_type = "ActionMap")]
    pub fn put_action_map(&self, env: &Env, definition: Unknown<'_>) -> Result<Value> {
        self.inner.put_action_map(&json_value(env, definition)?).js(env)
    }

    /// Deletes a segment: `NOT_FOUND` when there is none, `INVALID_ARGUMENT` while an action map
    /// triggers with it.
    #[napi(ts_args_type = "id: string")]
    pub fn delete_segment(&self, env: &Env, id: Unknown<'_>) -> Result<()> {
        self.inner.delete_segment(&text(env, id, "id")?).js(env)
    }

    /// Deletes an outcome: `NOT_FOUND` when there is none.
    #[napi(ts_args_type = "id: string")]
    pub fn delete_outcome(&self, env: &Env, id: Unknown<'_>) -> Result<()> {
        self.inner.delete_outcome(&text(env, id, "id")?).js(env)
    }

    /// Deletes an action map: `NOT_FOUND` when there is none.
    #[napi(ts_args_type = "id: string")]
    pub fn delete_action_map(&self, env: &Env, id: Unknown<'_>) -> Result<()> {
        self.inner.delete_action_map(&text(env, id, "id")?).js(env)
    }

    /// The segments `customer` holds now: its sessions' and its own (docs/orchestration.md), in
    /// the order they were assigned (`call('segments', …)` gives `{ entities }`).
    #[napi(ts_args_type = "customer: Customer", ts_return_type = "CustomerSegment[]")]
    pub fn segments(&self, env: &Env, customer: Unknown<'_>) -> Result<Value> {
        let command = Command::new("segments", json!({"customer": json_value(env, customer)?})).js(env)?;
        let mut result = self.inner.call(&command).js(env)?;
        Ok(result["entities"].take())
    }

    /// Links two identifiers of one person (docs/identity.md), under the identity rules: a refused
    /// link is `{ linked: false, identityWarnings }`, not an error.
    #[napi(ts_args_type = "input: LinkInput", ts_return_type = "LinkResult")]
    pub fn link(&self, env: &Env, input: Unknown<'_>) -> Result<Value> {
        let command = Command::new("link", json_value(env, input)?).js(env)?;
        self.inner.call(&command).js(env)
    }

    /// Removes the link between two identifiers, whatever made it; `NOT_FOUND` when they are not
    /// linked directly.
    #[napi(ts_args_type = "input: UnlinkInput")]
    pub fn unlink(&self, env: &Env, input: Unknown<'_>) -> Result<()> {
        let command = Command::new("unlink", json_value(env, input)?).js(env)?;
        self.inner.call(&command).js(env).map(drop)
    }

    /// Undoes the links one event made; returns how many links lost it.
    #[napi(ts_args_type = "eventId: string", ts_return_type = "number")]
    pub fn unlink_event(&self, env: &Env, event_id: Unknown<'_>) -> Result<Value> {
        let command = Command::new("unlinkEvent", json!({"eventId": json_value(env, event_id)?})).js(env)?;
        let mut result = self.inner.call(&command).js(env)?;
        Ok(result["unlinked"].take())
    }

    /// The profile `customer` belongs to: `{ profileId, members }` (itself alone when unlinked).
    /// With `viewer`, the profile over the links in divisions it may see; without, the host's
    /// whole view.
    #[napi(ts_args_type = "customer: Customer, viewer?: Viewer", ts_return_type = "ProfileView")]
    pub fn profile(&self, env: &Env, customer: Unknown<'_>, viewer: Option<Unknown<'_>>) -> Result<Value> {
        let mut query = json!({"customer": json_value(env, customer)?});
        if let Some(viewer) = viewer {
            query["viewer"] = json_value(env, viewer)?;
        }
        let command = Command::new("profile", query).js(env)?;
        self.inner.call(&command).js(env)
    }

    /// Erases everything held about `input.customer`'s whole profile (docs/identity.md,
    /// "Erasure"): `{ customersErased, eventsErased }`, zeros for an unknown customer. In a
    /// durable store the bytes are gone from its files when it returns. With `eraseForget`, the
    /// erased events' ids are forgotten too, so that a resend is accepted as new.
    #[napi(ts_args_type = "input: ErasureInput", ts_return_type = "ErasureResult")]
    pub fn erase(&self, env: &Env, input: Unknown<'_>) -> Result<Value> {
        let command = Command::new("erase", json_value(env, input)?).js(env)?;
        self.inner.call(&command).js(env)
    }

    /// Why the action map did or did not fire in the session, condition by condition
    /// (docs/orchestration.md, "Explain and estimate").
    #[napi(ts_args_type = "query: ExplainQuery", ts_return_type = "MapExplanation")]
    pub fn explain_action_map(&self, env: &Env, query: Unknown<'_>) -> Result<Value> {
        let command = Command::new("explainActionMap", json_value(env, query)?).js(env)?;
        self.inner.call(&command).js(env)
    }

    /// How many stored sessions a draft action map would qualify (`{ actionMap, from?, to? }`);
    /// nothing is stored or fired.
    #[napi(ts_args_type = "query: EstimateQuery", ts_return_type = "Estimate")]
    pub fn estimate_action_map(&self, env: &Env, query: Unknown<'_>) -> Result<Value> {
        let command = Command::new("estimateActionMap", json_value(env, query)?).js(env)?;
        self.inner.call(&command).js(env)
    }

    /// A partition's outbox: the custom events its action maps fired (with
    /// `orchestration.customEvents: "outbox"`) after `query.after`, oldest first, at most
    /// `query.max` (1,000 when absent). Forward each entry's `request` with `sendCustomEvent` to
    /// the agent's partition, then `acknowledgeOutbox` (docs/orchestration.md, "Partitions").
    /// `call('outbox', …)` gives `{ entries }`.
    #[napi(ts_args_type = "query?: OutboxQuery", ts_return_type = "OutboxEntry[]")]
    pub fn outbox(&self, env: &Env, query: Option<Unknown<'_>>) -> Result<Value> {
        let input = match query {
            Some(query) => json_value(env, query)?,
            None => json!({}),
        };
        let command = Command::new("outbox", input).js(env)?;
        let mut result = self.inner.call(&command).js(env)?;
        Ok(result["entries"].take())
    }

    /// Removes the outbox's entries up to sequence `through`, once the host has forwarded them;
    /// returns how many.
    #[napi(ts_args_type = "through: number", ts_return_type = "number")]
    pub fn acknowledge_outbox(&self, env: &Env, through: Unknown<'_>) -> Result<Value> {
        let command = Command::new("acknowledgeOutbox", json!({"through": json_value(env, through)?})).js(env)?;
        let mut result = self.inner.call(&command).js(env)?;
        Ok(result["acknowledged"].take())
    }

    /// The segments as stored, in id order (`call('listSegments')` gives `{ entities }`).
    #[napi(ts_return_type = "JourneySegment[]")]
    pub fn list_segments(&self) -> Value {
        Value::Array(self.inner.list_segments())
    }

    /// The outcomes as stored, in id order.
    #[napi(ts_return_type = "JourneyOutcome[]")]
    pub fn list_outcomes(&self) -> Value {
        Value::Array(self.inner.list_outcomes())
    }

    /// The action maps as stored, in id order.
    #[napi(ts_return_type = "ActionMap[]")]
    pub fn list_action_maps(&self) -> Value {
        Value::Array(self.inner.list_action_maps())
    }

    /// Calls `callback(event)` for every notification matching `pattern`: a web action's state
    /// change (`webchat:offered`, `all:all`) or an action map's callback firing (`trigger:<mapId>`,
    /// `trigger:all`); returns a subscription id.
    #[napi(
        ts_generic_types = "P extends string",
        ts_args_type = "pattern: P, callback: (event: P extends `trigger:${string}` ? TriggerDelivered : ActionEventDelivered) => void"
    )]
    pub fn on(&self, env: &Env, pattern: Unknown<'_>, callback: Unknown<'_>) -> Result<u32> {
        let pattern = text(env, pattern, "pattern")?;
        subscribers::subscribe(env, &self.inner, &pattern, false, function(env, callback, "callback")?)
    }

    /// Like `on`, for the first matching event only.
    #[napi(
        ts_generic_types = "P extends string",
        ts_args_type = "pattern: P, callback: (event: P extends `trigger:${string}` ? TriggerDelivered : ActionEventDelivered) => void"
    )]
    pub fn once(&self, env: &Env, pattern: Unknown<'_>, callback: Unknown<'_>) -> Result<u32> {
        let pattern = text(env, pattern, "pattern")?;
        subscribers::subscribe(env, &self.inner, &pattern, true, function(env, callback, "callback")?)
    }

    /// Ends a subscription; an id that is gone does nothing.
    #[napi]
    pub fn off(&self, subscription: u32) {
        subscribers::unsubscribe(&self.inner, subscription)
    }
}

/// A batch as JS passes one: NDJSON as a string or a Buffer, or an array of events (turned into
/// JSON text once, which the core splits into elements).
pub(crate) enum BatchInput {
    Ndjson(String),
    Bytes(Buffer),
    Array(String),
}

impl BatchInput {
    /// Reads `events` for the method `caller` (named in a `TypeError`).
    pub(crate) fn read(env: &Env, events: Unknown<'_>, caller: &str) -> Result<BatchInput> {
        match events.get_type()? {
            ValueType::String => Ok(BatchInput::Ndjson(text(env, events, "events")?)),
            ValueType::Object if events.is_buffer()? => Ok(BatchInput::Bytes(buffer(env, events)?)),
            ValueType::Object if events.is_array()? => Ok(BatchInput::Array(json_stringify(env, events)?)),
            other => Err(type_error(
                env,
                &format!("{caller}() takes an array, a string or a Buffer, not {}", type_label(other, &events)?),
            )),
        }
    }

    pub(crate) fn batch(&self) -> Batch<'_> {
        match self {
            BatchInput::Ndjson(text) => Batch::Ndjson(text.as_bytes()),
            BatchInput::Bytes(bytes) => Batch::Ndjson(bytes),
            BatchInput::Array(text) => Batch::JsonArray(text.as_bytes()),
        }
    }
}

/// How many JS callbacks the live subscriptions of this thread hold: a diagnostic for tests, which
/// check that fired `once` subscriptions and ended ones release their functions.
#[napi(js_name = "subscriptionCallbackCount")]
pub fn subscription_callback_count() -> u32 {
    subscribers::callback_count() as u32
}

impl Drop for Engine {
    /// Runs when JS collects the engine (on the JS thread): its subscriptions' functions go with it.
    fn drop(&mut self) {
        subscribers::forget_engine(&self.inner);
    }
}

/// A JSON object handed to JS (what a long poll's promise resolves with).
pub struct JsonObject(Value);

impl TypeName for JsonObject {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for JsonObject {
    unsafe fn to_napi_value(env: napi::sys::napi_env, value: Self) -> Result<napi::sys::napi_value> {
        // SAFETY: forwarded from napi's own call with a live env.
        unsafe { Value::to_napi_value(env, value.0) }
    }
}

fn to_json<T: serde::Serialize>(
    result: std::result::Result<T, JourneyError>,
) -> std::result::Result<Value, JourneyError> {
    result.map(|value| serde_json::to_value(value).unwrap_or_default())
}

/// Results and inputs cross the boundary as JSON text, parsed and written by V8's own `JSON`:
/// building a JS object property by property through N-API costs several times more.
fn json_parse<'env>(env: &'env Env, text: String) -> Result<Unknown<'env>> {
    let json: Object<'env> = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<'env, String, Unknown<'env>> = json.get_named_property("parse")?;
    parse.call(text)
}

/// A JS value as JSON, through `JSON.stringify` and the core's reader: a cyclic object throws
/// `TypeError`, one nested past 128 levels `INVALID_JSON`, exactly as text would. (napi's own
/// conversion recursed without limit: a cyclic object crashed the process with a stack overflow.)
/// `undefined` is `null`; values with no JSON form follow `JSON.stringify` (`NaN` is `null`).
pub(crate) fn json_value(env: &Env, value: Unknown<'_>) -> Result<Value> {
    if value.get_type()? == ValueType::Undefined {
        return Ok(Value::Null);
    }
    journey_core::parse_input(&json_stringify(env, value)?).js(env)
}

/// A Promise already rejected with `error` (its `.code` set, as every libjourney error).
fn rejected<'env>(env: &'env Env, error: journey_core::JourneyError) -> Result<Object<'env>> {
    let (deferred, promise) = env.create_deferred()?;
    deferred.resolve(move |env| Err::<Value, _>(error).js(&env).map(JsonObject));
    Ok(promise)
}

/// An optional argument as JSON; absent is `null`.
pub(crate) fn optional_json(env: &Env, value: Option<Unknown<'_>>) -> Result<Value> {
    value.map_or(Ok(Value::Null), |value| json_value(env, value))
}

/// A `journey` or `session_events` query: `fields` plus the viewer, and the page when one is given
/// (`null` and `undefined` leave it out, so the core's default page applies).
fn view_query<T: serde::de::DeserializeOwned>(
    env: &Env,
    mut fields: Value,
    viewer: Unknown<'_>,
    page: Option<Unknown<'_>>,
) -> Result<T> {
    fields["viewer"] = json_value(env, viewer)?;
    match optional_json(env, page)? {
        Value::Null => {}
        page => fields["page"] = page,
    }
    query_from_value(&fields).js(env)
}

/// `JSON.stringify(value)`; a value with no JSON form (a function, a symbol) is a `TypeError`.
pub(crate) fn json_stringify(env: &Env, value: Unknown<'_>) -> Result<String> {
    let json: Object<'_> = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<'_, Unknown<'_>, Unknown<'_>> = json.get_named_property("stringify")?;
    let text = stringify.call(value)?;
    match text.get_type()? {
        // SAFETY: the value belongs to the current call's env.
        ValueType::String => unsafe { String::from_napi_value(env.raw(), text.raw()) },
        _ => Err(type_error(env, "the value has no JSON form")),
    }
}

pub(crate) fn buffer(env: &Env, value: Unknown<'_>) -> Result<Buffer> {
    // SAFETY: checked to be a Buffer, in the current call's env.
    unsafe { Buffer::from_napi_value(env.raw(), value.raw()) }
}

/// A string argument; anything else is a `TypeError` naming the argument.
/// The property `name` of an options object that may itself be left out.
pub(crate) fn option<'o, T: FromNapiValue + ValidateNapiValue>(
    options: &Option<Object<'o>>,
    name: &str,
) -> Result<Option<T>> {
    match options {
        // `null` is absent, as in the JSON form the option comes from (`max: null` is the default).
        Some(options) => options.get::<Option<T>>(name).map(Option::flatten),
        None => Ok(None),
    }
}

pub(crate) fn text(env: &Env, value: Unknown<'_>, name: &str) -> Result<String> {
    match value.get_type()? {
        // SAFETY: the value belongs to the current call's env.
        ValueType::String => unsafe { String::from_napi_value(env.raw(), value.raw()) },
        other => Err(type_error(env, &format!("{name} must be a string, not {}", type_label(other, &value)?))),
    }
}

/// A function argument; anything else is a `TypeError`.
fn function<'a>(env: &Env, value: Unknown<'a>, name: &str) -> Result<Function<'a, Value, Unknown<'static>>> {
    match value.get_type()? {
        // SAFETY: the value belongs to the current call's env.
        ValueType::Function => unsafe { Function::from_napi_value(env.raw(), value.raw()) },
        other => Err(type_error(env, &format!("{name} must be a function, not {}", type_label(other, &value)?))),
    }
}

pub(crate) fn type_label(value_type: ValueType, value: &Unknown<'_>) -> Result<&'static str> {
    if value_type == ValueType::Object && value.is_array()? {
        return Ok("an array");
    }
    Ok(match value_type {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        _ => "a value of another type",
    })
}
