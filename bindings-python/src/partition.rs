//! `libjourney.partition` (SPEC §13, docs/scale-out.md): the router, the stats merge and the
//! event-clock frontier, each a conversion around `journey_core::partition`.

use crate::convert::{to_json, to_python};
use crate::error::IntoPy;
use crate::{BatchInput, Catalog};
use journey_core::partition;
use journey_core::time::format_millis;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use std::sync::Mutex;

/// Routes a batch to `partitions` partitions so that one engine per partition gives exactly one
/// engine's results (SPEC §13, docs/scale-out.md): each event's partition in input order (`None`
/// for an event of a component larger than `cap` events, which is quarantined and reported).
/// `events` as `Engine.ingest_batch` takes them. Releases the GIL while routing.
#[pyfunction]
#[pyo3(signature = (catalog, events, partitions, cap=None))]
fn route<'py>(
    py: Python<'py>,
    catalog: &Catalog,
    events: &Bound<'py, PyAny>,
    partitions: usize,
    cap: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let router = partition::Router::new(partitions, cap).py()?;
    let events = BatchInput::read(events, "route")?;
    let batch = events.batch();
    let routing = py.detach(|| router.route_batch(&catalog.inner, batch)).py()?;
    to_python(py, &serde_json::to_value(routing).unwrap_or_default())
}

/// The partition a component whose smallest key is `key` goes to (`c:<idType>:<id>` for a
/// customer that no event links to another), as `route` computes it.
#[pyfunction]
fn partition_for(key: &str, partitions: usize) -> PyResult<usize> {
    partition::partition_for(key, partitions).py()
}

/// The stats of partitioned engines summed counter by counter: one engine's stats.
#[pyfunction]
fn merge_stats<'py>(py: Python<'py>, stats: &Bound<'py, PyList>) -> PyResult<Bound<'py, PyAny>> {
    let parts = stats
        .iter()
        .map(|part| {
            serde_json::from_value::<journey_core::Stats>(to_json(&part)?)
                .map_err(|e| PyTypeError::new_err(format!("merge_stats() takes a list of stats dicts: {e}")))
        })
        .collect::<PyResult<Vec<_>>>()?;
    to_python(py, &serde_json::to_value(partition::merge_stats(parts)).unwrap_or_default())
}

/// One input step's outbox entries from every partition (a list of each partition's
/// `Engine.outbox()`), in the order one engine would have sent them: forward them in this order
/// (docs/orchestration.md, "Partitions").
#[pyfunction]
fn merge_outbox<'py>(py: Python<'py>, parts: &Bound<'py, PyList>) -> PyResult<Bound<'py, PyAny>> {
    let parts = parts
        .iter()
        .map(|part| {
            serde_json::from_value::<Vec<journey_core::OutboxEntry>>(to_json(&part)?)
                .map_err(|e| PyTypeError::new_err(format!("merge_outbox() takes a list of outbox entry lists: {e}")))
        })
        .collect::<PyResult<Vec<_>>>()?;
    to_python(py, &serde_json::to_value(partition::merge_outbox(parts)).unwrap_or_default())
}

/// Before which events of `events` a partition must take the watermark under `config` (a list
/// of bools, one per event as `Engine.ingest_batch` reads them): none unless the clock is
/// `event`; the events that might be late, or every one when retention is on.
#[pyfunction]
#[pyo3(signature = (config, events))]
fn watermark_needed(py: Python<'_>, config: &Bound<'_, PyAny>, events: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    let config = crate::config(Some(config))?;
    let events = BatchInput::read(events, "watermark_needed")?;
    let batch = events.batch();
    py.detach(|| partition::watermark_needed(&config, batch)).py()
}

/// What the partitions of an event clock have told each other, across processes: each reports
/// `{"partition", "accepted": [[position, time], ...], "next"}` (`record`); a partition about to
/// ingest an event `watermark_needed` flags waits until `passed(position)`, then takes
/// `watermark_before(position)` with `Engine.observe_watermark`. Never blocks.
#[pyclass(module = "libjourney._native")]
struct Frontier {
    inner: Mutex<partition::Frontier>,
}

#[pymethods]
impl Frontier {
    /// The frontier of `partitions` partitions; `first_positions` gives each one's first
    /// position (`None`: no events) when the input is known, as in a backfill. Without it, a
    /// stream's: nothing is known until each partition reports.
    #[new]
    #[pyo3(signature = (partitions, first_positions=None))]
    fn new(partitions: usize, first_positions: Option<Vec<Option<u64>>>) -> PyResult<Self> {
        let inner = partition::Frontier::of(partitions, first_positions.as_deref()).py()?;
        Ok(Frontier { inner: Mutex::new(inner) })
    }

    /// Takes one partition's report.
    fn record(&self, progress: &Bound<'_, PyAny>) -> PyResult<()> {
        let progress: partition::PartitionProgress = serde_json::from_value(to_json(progress)?)
            .map_err(|e| PyTypeError::new_err(format!("record() takes a PartitionProgress dict: {e}")))?;
        self.lock().record(&progress).py()
    }

    /// Whether every partition has passed every position before `position` (`None`: all done).
    #[pyo3(signature = (position=None))]
    fn passed(&self, position: Option<u64>) -> bool {
        self.lock().passed(position.unwrap_or(u64::MAX))
    }

    /// The largest event time any partition accepted before `position` (`None`: the end), as
    /// RFC 3339; `None` while nothing was accepted. `INVALID_ARGUMENT` before `passed(position)`.
    #[pyo3(signature = (position=None))]
    fn watermark_before(&self, position: Option<u64>) -> PyResult<Option<String>> {
        let watermark = self.lock().watermark_before(position.unwrap_or(u64::MAX)).py()?;
        Ok(watermark.map(format_millis))
    }
}

impl Frontier {
    fn lock(&self) -> std::sync::MutexGuard<'_, partition::Frontier> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Routes a stream one event at a time (docs/scale-out.md, "Online routing"): `route(event)`
/// gives the event's partition and the moves to make first (`source`'s `move_out(customers)`,
/// then `target`'s `move_in`). The partitions' engines share `digestKey`.
#[pyclass(module = "libjourney._native")]
struct OnlineRouter {
    catalog: journey_core::Catalog,
    inner: Mutex<partition::OnlineRouter>,
}

#[pymethods]
impl OnlineRouter {
    /// A router over `partitions` partitions for events of `catalog`.
    #[new]
    fn new(catalog: &Catalog, partitions: usize) -> PyResult<Self> {
        let inner = partition::OnlineRouter::new(partitions).py()?;
        Ok(OnlineRouter { catalog: catalog.inner.clone(), inner: Mutex::new(inner) })
    }

    /// Routes one event (a dict, or JSON as str or bytes): `{"partition", "moves": [...]}`.
    fn route<'py>(&self, py: Python<'py>, event: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let keys = if let Ok(bytes) = event.cast::<PyBytes>() {
            partition::keys(&self.catalog, bytes.as_bytes())
        } else if let Ok(text) = event.cast::<PyString>() {
            partition::keys(&self.catalog, text.to_cow()?.as_bytes())
        } else {
            partition::keys_of_value(&self.catalog, &to_json(event)?)
        };
        let route = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).route(&keys);
        to_python(py, &serde_json::to_value(route).unwrap_or_default())
    }

    /// The partition that holds `customer`'s journey now (`None`: no event named it).
    fn partition_of(&self, customer: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        let customer: journey_core::Customer = serde_json::from_value(to_json(customer)?)
            .map_err(|e| PyTypeError::new_err(format!("partition_of() takes a customer dict: {e}")))?;
        Ok(self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).partition_of(&customer))
    }
}

/// The key an operation other than ingest routes by, for `partition_for`: `a:<agentId>` for
/// `startAgentSession` and `sendCustomEvent`, `w:<actionId>` for `recordActionEvent`; `None` for
/// the others (docs/scale-out.md). Clock moves and the ops that change definitions (`putSegment`,
/// `deleteActionMap`, …) go to every partition at their position in the input.
#[pyfunction]
#[pyo3(signature = (op, input=None))]
fn command_key(op: &str, input: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let input = input.map(to_json).transpose()?.unwrap_or(serde_json::Value::Null);
    let command = journey_core::Command::new(op, input).py()?;
    Ok(partition::command_key(&command))
}

/// Whether a partition takes the event-clock watermark before the operation `op` with `input`,
/// under `config`: under an event clock, every operation but an ingest (whose events
/// `watermark_needed` flags), a clock move, `stats`, checkpoints, state moves, subscriptions and
/// the outbox does, so that what it stamps (an agent's events, a link's time) or shows (a journey's
/// status) is one engine's time there (docs/scale-out.md).
#[pyfunction]
#[pyo3(signature = (config, op, input=None))]
fn command_needs_watermark(config: &Bound<'_, PyAny>, op: &str, input: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    let config = crate::config(Some(config))?;
    let input = input.map(to_json).transpose()?.unwrap_or(serde_json::Value::Null);
    let command = journey_core::Command::new(op, input).py()?;
    Ok(partition::command_needs_watermark(&config, &command))
}

/// Adds the partition functions and classes to the native module.
pub(crate) fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Frontier>()?;
    module.add_class::<OnlineRouter>()?;
    module.add_function(wrap_pyfunction!(route, module)?)?;
    module.add_function(wrap_pyfunction!(partition_for, module)?)?;
    module.add_function(wrap_pyfunction!(merge_stats, module)?)?;
    module.add_function(wrap_pyfunction!(merge_outbox, module)?)?;
    module.add_function(wrap_pyfunction!(watermark_needed, module)?)?;
    module.add_function(wrap_pyfunction!(command_key, module)?)?;
    module.add_function(wrap_pyfunction!(command_needs_watermark, module)?)?;
    Ok(())
}
