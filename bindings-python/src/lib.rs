//! The native module `libjourney._native`: `Catalog` and `Engine` over journey-core. It only converts
//! Python values to JSON values and back; all behaviour is in the core. The Python package
//! `journey` (python/journey/) re-exports it and adds the asyncio long poll.

mod convert;
mod error;
mod partition;
mod wake;

use convert::{batch_to_python, outcome_to_python, to_json, to_python, type_name};
use error::IntoPy;
use journey_core::{
    Batch, BatchResult, Command, CustomEventRequest, DEFAULT_TIMEOUT_MS, IngestFileOptions, JourneyQuery, Notification,
    Outcomes, Progress, SessionEventsQuery, query_from_value,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use serde_json::{Value, json};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use wake::{DropDetached, PyWaker};

/// Reads an optional config dict (`None` gives the defaults).
pub(crate) fn config(value: Option<&Bound<'_, PyAny>>) -> PyResult<journey_core::Config> {
    match value {
        None => Ok(journey_core::Config::default()),
        Some(dict) => journey_core::Config::from_value(&to_json(dict)?).py(),
    }
}

/// A batch as Python passes one: a list of dicts, or NDJSON as bytes or str. It owns what the
/// core's [`Batch`] borrows, so that a call can run without the GIL.
pub(crate) enum BatchInput<'py> {
    Values(Vec<Value>),
    Bytes(Bound<'py, PyBytes>),
    Text(String),
}

impl<'py> BatchInput<'py> {
    /// Reads `events` for the function `caller` (named in a `TypeError`).
    pub(crate) fn read(events: &Bound<'py, PyAny>, caller: &str) -> PyResult<BatchInput<'py>> {
        if let Ok(list) = events.cast::<PyList>() {
            Ok(BatchInput::Values(list.iter().map(|event| to_json(&event)).collect::<PyResult<Vec<Value>>>()?))
        } else if let Ok(bytes) = events.cast::<PyBytes>() {
            Ok(BatchInput::Bytes(bytes.clone()))
        } else if let Ok(string) = events.cast::<PyString>() {
            Ok(BatchInput::Text(string.to_cow()?.into_owned()))
        } else {
            Err(PyTypeError::new_err(format!(
                "{caller}() takes a list of dicts, or NDJSON bytes or str, not {}",
                type_name(events)
            )))
        }
    }

    pub(crate) fn batch(&self) -> Batch<'_> {
        match self {
            BatchInput::Values(values) => Batch::Values(values),
            BatchInput::Bytes(bytes) => Batch::Ndjson(bytes.as_bytes()),
            BatchInput::Text(text) => Batch::Ndjson(text.as_bytes()),
        }
    }
}

/// A validated catalog of session and event types (SPEC §1).
#[pyclass(frozen, module = "libjourney._native")]
struct Catalog {
    pub(crate) inner: journey_core::Catalog,
}

#[pymethods]
impl Catalog {
    /// Reads a catalog from JSON text, checked against the limits of `config`.
    #[staticmethod]
    #[pyo3(signature = (text, config=None))]
    fn from_json(text: &str, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let limits = self::config(config)?;
        Ok(Catalog { inner: journey_core::Catalog::from_json_with_limits(text, &limits).py()? })
    }

    /// Reads a catalog from a dict.
    #[staticmethod]
    #[pyo3(signature = (value, config=None))]
    fn from_dict(value: &Bound<'_, PyAny>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let limits = self::config(config)?;
        Ok(Catalog { inner: journey_core::Catalog::from_value_with_limits(&to_json(value)?, &limits).py()? })
    }

    /// Reads a catalog from a JSON file.
    #[staticmethod]
    #[pyo3(signature = (path, config=None))]
    fn from_file(path: PathBuf, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)?;
        Self::from_json(&text, config)
    }

    /// The names of the session types, the built-in `conversation` last.
    fn session_types(&self) -> Vec<String> {
        self.inner.session_types().iter().map(|t| t.name.clone()).collect()
    }

    fn __repr__(&self) -> String {
        format!("Catalog(session_types={:?})", self.session_types())
    }
}

/// An engine: ingest, the journey view, agent queues and web actions. Thread-safe.
#[pyclass(frozen, subclass, module = "libjourney._native")]
struct Engine {
    inner: DropDetached<Arc<journey_core::Engine>>,
}

#[pymethods]
impl Engine {
    /// An in-memory engine; with `store`, a durable engine over the store in that directory
    /// (what `Engine.open` does).
    #[new]
    #[pyo3(signature = (catalog, config=None, *, store=None))]
    fn new(
        py: Python<'_>,
        catalog: &Catalog,
        config: Option<&Bound<'_, PyAny>>,
        store: Option<PathBuf>,
    ) -> PyResult<Self> {
        let (catalog, config) = (catalog.inner.clone(), self::config(config)?);
        let engine = match store {
            None => journey_core::Engine::new(catalog, config),
            Some(dir) => py.detach(|| journey_core::Engine::open(dir, catalog, config)),
        };
        Ok(Engine { inner: DropDetached::new(Arc::new(engine.py()?)) })
    }

    /// Writes a snapshot and releases a durable engine's store; reads still work afterwards and
    /// changes raise `StoreIOError`. Closing twice, or an in-memory engine, does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let engine = self.inner.clone();
        py.detach(|| engine.close()).py()
    }

    /// Writes a snapshot of a durable engine now (it also does so by itself as its journal grows).
    fn snapshot(&self, py: Python<'_>) -> PyResult<()> {
        let engine = self.inner.clone();
        py.detach(|| engine.snapshot()).py()
    }

    /// Records `value` (any JSON value, at most 64 KiB as JSON: a consumer's offsets) as the
    /// engine's checkpoint, covering everything done before it. A store opened with
    /// `{"recoverTo": "checkpoint"}` recovers to the last one (docs/scale-out.md).
    fn checkpoint(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = to_json(value)?;
        let engine = self.inner.clone();
        py.detach(|| engine.checkpoint(&value)).py()
    }

    /// The value of the last `checkpoint`, or `None`.
    fn last_checkpoint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.last_checkpoint().unwrap_or(Value::Null))
    }

    /// What opening the store found (`created`, `snapshotSeq`, `recordsReplayed`,
    /// `tornBytesDropped`, `catalogUpgraded`, `recordsAfterCheckpointDropped`, `snapshotsFailed`,
    /// `lastSnapshotError`, `journalError`), or `None` for an
    /// in-memory engine.
    fn recovery<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.recovery().map(|r| to_python(py, &serde_json::to_value(r).unwrap_or_default())).transpose()
    }

    /// Ingests one event (a dict, or JSON `str` or `bytes`) and returns its outcome dict. A rejected
    /// event is an outcome (`{"status": "rejected", "violations": [...]}`); with `strict=True` it
    /// raises `ValidationError` instead. Releases the GIL while ingesting (a durable engine may
    /// wait for its journal's fsync).
    #[pyo3(signature = (event, *, strict=false))]
    fn ingest<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>, strict: bool) -> PyResult<Bound<'py, PyAny>> {
        let engine = &self.inner;
        let outcome = if let Ok(bytes) = event.cast::<PyBytes>() {
            let bytes = bytes.as_bytes();
            py.detach(|| engine.ingest_json(bytes))
        } else if let Ok(text) = event.cast::<PyString>() {
            let text = text.to_cow()?;
            py.detach(|| engine.ingest_json(text.as_bytes()))
        } else if event.is_instance_of::<pyo3::types::PyDict>() {
            let value = to_json(event)?;
            py.detach(|| engine.ingest_value(&value))
        } else {
            return Err(PyTypeError::new_err(format!("ingest() takes a dict, str or bytes, not {}", type_name(event))));
        }
        .py()?;
        let outcome = if strict { outcome.into_result().py()? } else { outcome };
        outcome_to_python(py, &outcome)
    }

    /// Ingests many events: a list of dicts, or NDJSON `bytes` or `str`. One outcome per event (per
    /// non-blank line), in order, plus totals. With `outcomes="rejected"`, only the rejections,
    /// each with its line (or 1-based position in the list), in the form `ingest_file` returns;
    /// with `outcomes="none"`, only the totals. Releases the GIL while ingesting, and prepares the
    /// events on the engine's threads (`ingestThreads`).
    #[pyo3(signature = (events, outcomes="all"))]
    fn ingest_batch<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        outcomes: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let outcomes = Outcomes::parse(outcomes).py()?;
        let engine = self.inner.clone();
        let events = BatchInput::read(events, "ingest_batch")?;
        let batch = events.batch();
        match interruptible(py, |stop| engine.ingest_batch(batch, outcomes, Some(stop)))? {
            BatchResult::All(batch) => batch_to_python(py, &batch),
            BatchResult::Summary(summary) => to_python(py, &serde_json::to_value(summary).unwrap_or_default()),
        }
    }

    /// Streams an NDJSON file (or a gzip of one) without loading it: returns totals and the first
    /// rejections with their line numbers. `progress`, when given, is called with the progress
    /// dict at most every 100 ms and once at the end; an exception it raises stops the ingest and
    /// propagates (the lines before it stay ingested), as Ctrl-C does. Releases the GIL while
    /// ingesting. `kept_rejections=None` keeps the core's default.
    #[pyo3(signature = (path, kept_rejections=None, progress=None))]
    fn ingest_file<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        kept_rejections: Option<usize>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let engine = self.inner.clone();
        let file = std::fs::File::open(&path)?; // a missing file is Python's own FileNotFoundError
        let mut options = IngestFileOptions::default();
        if let Some(kept) = kept_rejections {
            options.kept_rejections = kept;
        }
        let raised: std::sync::Mutex<Option<PyErr>> = std::sync::Mutex::new(None);
        let result = interruptible(py, |stop| {
            let mut report = |p: &Progress| tell(progress.as_ref(), p, &raised);
            let report: Option<&mut journey_core::ProgressFn<'_>> = progress.as_ref().map(|_| &mut report as _);
            engine.ingest_opened_file(file, &path, &options, report, Some(stop))
        });
        if let Some(error) = raised.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
            return Err(error);
        }
        to_python(py, &serde_json::to_value(result?).unwrap_or_default())
    }

    /// Runs one operation by its name and input, in the form of a shared test vector step:
    /// `engine.call("startAgentSession", {"agentId": "a1"})`. Returns the op's result as plain
    /// Python values. The typed methods do the same with less conversion; this serves generic
    /// callers. Releases the GIL while running. A `subscribe` here records what it receives under
    /// its `label`, read back with `call("deliveries", {"label": ...})`.
    #[pyo3(signature = (op, input=None))]
    fn call<'py>(&self, py: Python<'py>, op: &str, input: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let input = input.map(to_json).transpose()?.unwrap_or(Value::Null);
        let command = Command::new(op, input).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        to_python(py, &result)
    }

    /// A page of a customer's journey as `viewer` may see it.
    #[pyo3(signature = (customer, viewer, page=None))]
    fn journey<'py>(
        &self,
        py: Python<'py>,
        customer: &Bound<'py, PyAny>,
        viewer: &Bound<'py, PyAny>,
        page: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = json!({"customer": to_json(customer)?, "viewer": to_json(viewer)?, "page": page_json(page)?});
        let query: JourneyQuery = query_from_value(&input).py()?;
        to_python(py, &serde_json::to_value(self.inner.journey_query(&query).py()?).unwrap_or_default())
    }

    /// A page of one session's events in time order.
    #[pyo3(signature = (session_id, viewer, page=None))]
    fn session_events<'py>(
        &self,
        py: Python<'py>,
        session_id: &str,
        viewer: &Bound<'py, PyAny>,
        page: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = json!({"sessionId": session_id, "viewer": to_json(viewer)?, "page": page_json(page)?});
        let query: SessionEventsQuery = query_from_value(&input).py()?;
        to_python(py, &serde_json::to_value(self.inner.session_events_query(&query).py()?).unwrap_or_default())
    }

    /// The paths sessions take, as `viewer` may see them (docs/paths.md): `query` is a dict of
    /// `from`, `to`, `sessions`, `steps`, `anchor`, `depth`, `filters`, `groupBy` and
    /// `minCellSize`, each optional. Releases the GIL while it counts.
    #[pyo3(signature = (query, viewer))]
    fn paths<'py>(
        &self,
        py: Python<'py>,
        query: &Bound<'py, PyAny>,
        viewer: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = json!({"query": to_json(query)?, "viewer": to_json(viewer)?});
        let request: journey_core::paths::PathsRequest = query_from_value(&input).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.paths(&request.query, &request.viewer)).py()?;
        to_python(py, &serde_json::to_value(result).unwrap_or_default())
    }

    /// The counters, as a dict.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_json::to_value(self.inner.stats()).unwrap_or_default())
    }

    /// Moves a manual clock forward by a duration such as `"46s"`.
    fn advance(&self, duration: &str) -> PyResult<()> {
        self.inner.advance_by(duration).py()
    }

    /// Sets a manual clock to an RFC 3339 time.
    fn set_now(&self, timestamp: &str) -> PyResult<()> {
        self.inner.set_now(timestamp).py()
    }

    /// Moves an event clock to at least an RFC 3339 time: a partition's watermark
    /// (`partition.Frontier.watermark_before`, docs/scale-out.md).
    fn observe_watermark(&self, timestamp: &str) -> PyResult<()> {
        self.inner.observe_watermark(timestamp).py()
    }

    /// Logs an agent in (or returns the active session): `{"sessionId": ...}`.
    fn start_agent_session<'py>(&self, py: Python<'py>, agent_id: &str) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_json::to_value(self.inner.start_agent_session(agent_id).py()?).unwrap_or_default())
    }

    /// Logs an agent session out, waking its pollers.
    fn end_agent_session(&self, session_id: &str) -> PyResult<()> {
        self.inner.end_agent_session(session_id).py()
    }

    /// Sends a custom event to an agent: `{"delivery": ..., "overwritten": ...}`. With
    /// `customer`, the event is marked as about that customer: `erase` of their profile removes it
    /// from the agent's queue.
    #[pyo3(signature = (agent_id, event_name, data=None, persist_in_memory=None, customer=None))]
    fn send_custom_event<'py>(
        &self,
        py: Python<'py>,
        agent_id: &str,
        event_name: &str,
        data: Option<String>,
        persist_in_memory: Option<bool>,
        customer: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut request = CustomEventRequest::with_defaults(agent_id, event_name, data, persist_in_memory);
        if let Some(customer) = customer {
            let read = serde_json::from_value(to_json(customer)?);
            request.customer = Some(
                read.map_err(|e| journey_core::error::JourneyError::InvalidArgument(format!("customer: {e}"))).py()?,
            );
        }
        to_python(py, &serde_json::to_value(self.inner.send_custom_event(&request).py()?).unwrap_or_default())
    }

    /// The long poll. Blocks this thread, with the GIL released, until an event arrives, the session
    /// ends, or `timeout_ms` (clamped to 0..60000) passes. Delivery is at least once (SPEC §5.1):
    /// `ack` is the `sequence` of the last event fully received; without it, the poll acknowledges
    /// what the previous poll returned.
    #[pyo3(signature = (session_id, timeout_ms=None, max=None, ack=None))]
    fn next_events<'py>(
        &self,
        py: Python<'py>,
        session_id: &str,
        timeout_ms: Option<i64>,
        max: Option<usize>,
        ack: Option<u64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timeout_ms = timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        let future = self.inner.next_events_future(session_id, timeout_ms, max, ack).py()?;
        let result = interruptible(py, |stop| future.wait_interruptible(stop))?;
        to_python(py, &serde_json::to_value(result).unwrap_or_default())
    }

    /// A long poll that waits without a thread, for `next_events_async`.
    #[pyo3(signature = (session_id, timeout_ms=None, max=None, ack=None))]
    fn _poll(&self, session_id: &str, timeout_ms: Option<i64>, max: Option<usize>, ack: Option<u64>) -> PyResult<Poll> {
        let timeout_ms = timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        let future = self.inner.next_events_future(session_id, timeout_ms, max, ack).py()?;
        Ok(Poll { future: std::sync::Mutex::new(Some(DropDetached::new(Box::pin(future)))) })
    }

    /// Hands back the events from `from_sequence` on that a poll returned but whose answer never
    /// reached its caller: the next poll returns them again. Returns `{"released": n}`.
    fn release<'py>(&self, py: Python<'py>, session_id: &str, from_sequence: u64) -> PyResult<Bound<'py, PyAny>> {
        let engine = self.inner.clone();
        let released = py.detach(|| engine.release(session_id, from_sequence)).py()?;
        to_python(py, &serde_json::to_value(released).unwrap_or_default())
    }

    /// Takes `customers`' state out of this partition's engine, for another partition (the online
    /// router's move, docs/scale-out.md): returns the slice as opaque bytes for `move_in`.
    fn move_out<'py>(&self, py: Python<'py>, customers: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let input = json!({ "customers": to_json(customers)? });
        let input: journey_core::partition::MoveOutInput = serde_json::from_value(input)
            .map_err(|e| PyTypeError::new_err(format!("move_out() takes a list of customer dicts: {e}")))?;
        let engine = self.inner.clone();
        let slice = py.detach(|| engine.move_out(&input.customers)).py()?;
        Ok(PyBytes::new(py, &slice.to_bytes()))
    }

    /// Puts a slice another partition's `move_out` returned into this engine.
    fn move_in(&self, py: Python<'_>, slice: &[u8]) -> PyResult<()> {
        let slice = journey_core::partition::Slice::from_bytes(slice).py()?;
        let engine = self.inner.clone();
        py.detach(|| engine.move_in(slice)).py()
    }

    /// Records a web action event (a dict) and calls the matching subscribers. A JSON value that is
    /// not an object is the core's `InvalidArgumentError`, as in every language.
    fn record_action_event<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let record = self.inner.record_action_event(&to_json(event)?).py()?;
        to_python(py, &serde_json::to_value(record).unwrap_or_default())
    }

    /// Creates or replaces a segment (a dict in the form of Genesys' `JourneySegment`) and returns
    /// it as stored, with its `id`, `version`, `createdDate` and `modifiedDate`. A bad definition
    /// raises `InvalidArgumentError` naming the field by JSON pointer (docs/orchestration.md).
    fn put_segment<'py>(&self, py: Python<'py>, definition: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let definition = to_json(definition)?;
        let engine = self.inner.clone();
        to_python(py, &py.detach(|| engine.put_segment(&definition)).py()?)
    }

    /// Creates or replaces an outcome (Genesys' `Outcome` form), as `put_segment` does.
    fn put_outcome<'py>(&self, py: Python<'py>, definition: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let definition = to_json(definition)?;
        let engine = self.inner.clone();
        to_python(py, &py.detach(|| engine.put_outcome(&definition)).py()?)
    }

    /// Creates or replaces an action map (Genesys' `ActionMap` form), as `put_segment` does.
    fn put_action_map<'py>(&self, py: Python<'py>, definition: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let definition = to_json(definition)?;
        let engine = self.inner.clone();
        to_python(py, &py.detach(|| engine.put_action_map(&definition)).py()?)
    }

    /// Deletes a segment: `NotFoundError` when there is none, `InvalidArgumentError` while an
    /// action map triggers with it.
    fn delete_segment(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        let engine = self.inner.clone();
        py.detach(|| engine.delete_segment(id)).py()
    }

    /// Deletes an outcome: `NotFoundError` when there is none.
    fn delete_outcome(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        let engine = self.inner.clone();
        py.detach(|| engine.delete_outcome(id)).py()
    }

    /// Deletes an action map: `NotFoundError` when there is none.
    fn delete_action_map(&self, py: Python<'_>, id: &str) -> PyResult<()> {
        let engine = self.inner.clone();
        py.detach(|| engine.delete_action_map(id)).py()
    }

    /// The segments `customer` holds now: its sessions' and its own (docs/orchestration.md),
    /// in the order they were assigned (`call("segments", ...)` gives `{"entities": [...]}`).
    fn segments<'py>(&self, py: Python<'py>, customer: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::new("segments", json!({"customer": to_json(customer)?})).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        to_python(py, &result["entities"])
    }

    /// A partition's outbox: the custom events its action maps fired (with
    /// `orchestration.customEvents: "outbox"`) after sequence `after`, oldest first, at most `max`
    /// (1,000 when `None`). Forward each entry's `request` with `send_custom_event` to the agent's
    /// partition, then `acknowledge_outbox` (docs/orchestration.md, "Partitions").
    #[pyo3(signature = (after=None, max=None))]
    fn outbox<'py>(&self, py: Python<'py>, after: Option<u64>, max: Option<u64>) -> PyResult<Bound<'py, PyAny>> {
        let command = Command::new("outbox", json!({"after": after, "max": max})).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        to_python(py, &result["entries"])
    }

    /// Removes the outbox's entries up to sequence `through`, once the host has forwarded them;
    /// returns how many.
    fn acknowledge_outbox(&self, py: Python<'_>, through: u64) -> PyResult<u64> {
        let command = Command::new("acknowledgeOutbox", json!({"through": through})).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        Ok(result["acknowledged"].as_u64().unwrap_or_default())
    }

    /// Links `from_` and `to`, two identifiers of one person (docs/identity.md), under the
    /// identity rules: a refused link is `{"linked": False, "identityWarnings": [...]}`, not an
    /// error. With `division`, only viewers who may see it follow the link.
    #[pyo3(signature = (from_, to, division=None))]
    fn link<'py>(
        &self,
        py: Python<'py>,
        from_: &Bound<'py, PyAny>,
        to: &Bound<'py, PyAny>,
        division: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut input = json!({"from": to_json(from_)?, "to": to_json(to)?});
        if let Some(division) = division {
            input["division"] = json!(division);
        }
        let command = Command::new("link", input).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        to_python(py, &result)
    }

    /// Removes the link between two identifiers, whatever made it; `NotFound` when they are not
    /// linked directly.
    fn unlink<'py>(&self, py: Python<'py>, from_: &Bound<'py, PyAny>, to: &Bound<'py, PyAny>) -> PyResult<()> {
        let command = Command::new("unlink", json!({"from": to_json(from_)?, "to": to_json(to)?})).py()?;
        let engine = self.inner.clone();
        py.detach(|| engine.call(&command)).py().map(drop)
    }

    /// Undoes the links one event made; returns how many links lost it.
    fn unlink_event(&self, py: Python<'_>, event_id: &str) -> PyResult<u64> {
        let command = Command::new("unlinkEvent", json!({"eventId": event_id})).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        Ok(result["unlinked"].as_u64().unwrap_or_default())
    }

    /// The profile `customer` belongs to: `{"profileId", "members"}` (itself alone when
    /// unlinked). With `viewer`, the profile over the links in divisions it may see; without, the
    /// host's whole view.
    #[pyo3(signature = (customer, viewer=None))]
    fn profile<'py>(
        &self,
        py: Python<'py>,
        customer: &Bound<'py, PyAny>,
        viewer: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut query = json!({"customer": to_json(customer)?});
        if let Some(viewer) = viewer {
            query["viewer"] = to_json(viewer)?;
        }
        let command = Command::new("profile", query).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        to_python(py, &result)
    }

    /// Erases everything held about `customer`'s whole profile (docs/identity.md, "Erasure"):
    /// `{"customersErased", "eventsErased"}`, zeros for an unknown customer. In a durable store
    /// the bytes are gone from its files when it returns. With `erase_forget`, the erased events'
    /// ids are forgotten too, so that a resend is accepted as new.
    #[pyo3(signature = (customer, erase_forget=false))]
    fn erase<'py>(
        &self,
        py: Python<'py>,
        customer: &Bound<'py, PyAny>,
        erase_forget: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = json!({"customer": to_json(customer)?, "eraseForget": erase_forget});
        let command = Command::new("erase", input).py()?;
        let engine = self.inner.clone();
        let result = py.detach(|| engine.call(&command)).py()?;
        to_python(py, &result)
    }

    /// Why the action map did or did not fire in the session, condition by condition
    /// (docs/orchestration.md, "Explain and estimate").
    fn explain_action_map<'py>(
        &self,
        py: Python<'py>,
        action_map_id: &str,
        session_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let command =
            Command::new("explainActionMap", json!({"actionMapId": action_map_id, "sessionId": session_id})).py()?;
        let engine = self.inner.clone();
        to_python(py, &py.detach(|| engine.call(&command)).py()?)
    }

    /// How many stored sessions a draft action map (a dict in Genesys' `ActionMap` form) would
    /// qualify, between `from_` and `to` (RFC 3339) when given; nothing is stored or fired.
    #[pyo3(signature = (action_map, from_=None, to=None))]
    fn estimate_action_map<'py>(
        &self,
        py: Python<'py>,
        action_map: &Bound<'py, PyAny>,
        from_: Option<&str>,
        to: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = json!({"actionMap": to_json(action_map)?, "from": from_, "to": to});
        let command = Command::new("estimateActionMap", input).py()?;
        let engine = self.inner.clone();
        to_python(py, &py.detach(|| engine.call(&command)).py()?)
    }

    /// The segments as stored, in id order (`call("listSegments")` gives `{"entities": [...]}`).
    fn list_segments<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &Value::Array(self.inner.list_segments()))
    }

    /// The outcomes as stored, in id order.
    fn list_outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &Value::Array(self.inner.list_outcomes()))
    }

    /// The action maps as stored, in id order.
    fn list_action_maps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &Value::Array(self.inner.list_action_maps()))
    }

    /// Calls `callback(event)` for every notification matching `pattern`: a web action's state
    /// change (`webchat:offered`, `all:all`) or an action map's callback firing (`trigger:<mapId>`,
    /// `trigger:all`); returns a subscription id.
    fn on(&self, pattern: &str, callback: Bound<'_, PyAny>) -> PyResult<u64> {
        self.subscribe(pattern, false, callback)
    }

    /// Like `on`, for the first matching event only.
    fn once(&self, pattern: &str, callback: Bound<'_, PyAny>) -> PyResult<u64> {
        self.subscribe(pattern, true, callback)
    }

    /// Ends a subscription; an id that is gone does nothing.
    fn off(&self, subscription: u64) {
        self.inner.off(subscription)
    }
}

/// A long poll that waits without a thread (`libjourney.Engine.next_events_async` drives it from
/// asyncio): `step` polls the core's future, leaving `wake` to be called when it should be polled
/// again; `cancel` drops it, which takes nothing from the queue.
#[pyclass(module = "libjourney._native")]
struct Poll {
    future: std::sync::Mutex<Option<DropDetached<std::pin::Pin<Box<journey_core::NextEventsFuture>>>>>,
}

#[pymethods]
impl Poll {
    /// Polls once: the result dict when the poll is done, or `None` after leaving `wake`.
    fn step<'py>(&self, py: Python<'py>, wake: Py<PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let waker = std::task::Waker::from(Arc::new(PyWaker(wake)));
        let mut slot = self.future.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(future) = slot.as_mut() else {
            return Err(pyo3::exceptions::PyRuntimeError::new_err("the poll was cancelled or has finished"));
        };
        let polled = py.detach(|| future.as_mut().poll(&mut std::task::Context::from_waker(&waker)));
        match polled {
            std::task::Poll::Pending => Ok(None),
            std::task::Poll::Ready(result) => {
                let finished = slot.take();
                drop(slot); // before the future, whose drop releases the GIL
                drop(finished);
                to_python(py, &serde_json::to_value(result.py()?).unwrap_or_default()).map(Some)
            }
        }
    }

    /// Drops the poll: it has taken nothing, so nothing is lost.
    fn cancel(&self) {
        let cancelled = self.future.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        drop(cancelled); // after the lock, since its drop releases the GIL
    }
}

impl Engine {
    fn subscribe(&self, pattern: &str, once: bool, callback: Bound<'_, PyAny>) -> PyResult<u64> {
        if !callback.is_callable() {
            return Err(PyTypeError::new_err(format!("callback must be callable, not {}", type_name(&callback))));
        }
        let callback: Py<PyAny> = callback.unbind();
        let subscriber = Arc::new(move |event: &Notification| {
            Python::attach(|py| {
                let event =
                    to_python(py, &serde_json::to_value(event).unwrap_or_default()).map_err(|e| e.to_string())?;
                callback.call1(py, (event,)).map(drop).map_err(|error| {
                    // Like an exception in a thread or a __del__: reported, counted, not propagated.
                    let text = error.to_string();
                    error.write_unraisable(py, Some(callback.bind(py)));
                    text
                })
            })
        });
        self.inner.subscribe(pattern, once, subscriber).py()
    }
}

/// Runs a long call with the GIL released, checking for signals at least every 100 ms: Ctrl-C
/// stops it (what it did stays done) and raises the `KeyboardInterrupt`.
fn interruptible<T: Send>(
    py: Python<'_>,
    call: impl FnOnce(journey_core::Interrupt<'_>) -> journey_core::Result<T> + Send,
) -> PyResult<T> {
    let caught: std::sync::Mutex<Option<PyErr>> = std::sync::Mutex::new(None);
    let stop = journey_core::Interrupt::new(|| {
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(raised) => {
                *caught.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(raised);
                true
            }
        })
    });
    let result = py.detach(|| call(stop));
    match (result, caught.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)) {
        (Err(journey_core::JourneyError::Interrupted(_)), Some(raised)) => Err(raised),
        (result, _) => result.py(),
    }
}

/// Calls a Python progress callback with the progress dict: `false` (stop) when it raised, which
/// is kept in `raised` for the caller to re-raise.
fn tell(callback: Option<&Py<PyAny>>, progress: &Progress, raised: &std::sync::Mutex<Option<PyErr>>) -> bool {
    let Some(callback) = callback else { return true };
    Python::attach(|py| {
        let called = to_python(py, &serde_json::to_value(progress).unwrap_or_default())
            .and_then(|dict| callback.call1(py, (dict,)));
        match called {
            Ok(_) => true,
            Err(error) => {
                *raised.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error);
                false
            }
        }
    })
}

fn page_json(page: Option<&Bound<'_, PyAny>>) -> PyResult<Value> {
    match page {
        None => Ok(json!({})),
        Some(page) => to_json(page),
    }
}

/// The native part of the `libjourney` package.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Catalog>()?;
    module.add_class::<Engine>()?;
    module.add_class::<Poll>()?;
    partition::register(module)?;
    error::register(module)?;
    wake::register(module)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
