//! Exact partitioning (SPEC §13, docs/scale-out.md): the routers, the stats merge and the
//! event-clock frontier, each a conversion around `journey_core::partition`.

use crate::error::{JsResult, type_error};
use crate::{BatchInput, Catalog, json_parse, json_stringify, json_value, option};
use journey_core::partition;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Mutex;

/// Routes a batch to `partitions` partitions so that one engine per partition gives exactly one
/// engine's results (SPEC §13, docs/scale-out.md): each event's partition in input order (`null`
/// for an event of a component larger than `options.cap` events, which is quarantined and
/// reported). `events` as `ingestBatch` takes them.
#[napi(
    ts_args_type = "catalog: Catalog, events: JourneyEvent[] | string | Buffer, partitions: number, options?: RouteOptions",
    ts_return_type = "Routing"
)]
pub fn route<'env>(
    env: &'env Env,
    catalog: &Catalog,
    events: Unknown<'_>,
    partitions: u32,
    options: Option<Object<'_>>,
) -> Result<Unknown<'env>> {
    let cap = option::<i64>(&options, "cap")?.map(|cap| usize::try_from(cap).unwrap_or(0));
    let router = partition::Router::new(partitions as usize, cap).js(env)?;
    let events = BatchInput::read(env, events, "route")?;
    let routing = router.route_batch(&catalog.inner, events.batch()).js(env)?;
    json_parse(env, serde_json::to_string(&routing).unwrap_or_default())
}

/// The partition a component whose smallest key is `key` goes to (`c:<idType>:<id>` for a
/// customer that no event links to another), as `route` computes it.
#[napi]
pub fn partition_for(env: &Env, key: String, partitions: u32) -> Result<u32> {
    partition::partition_for(&key, partitions as usize).js(env).map(|p| p as u32)
}

/// The stats of partitioned engines summed counter by counter: one engine's stats.
#[napi(ts_args_type = "stats: Stats[]", ts_return_type = "Stats")]
pub fn merge_stats<'env>(env: &'env Env, stats: Unknown<'_>) -> Result<Unknown<'env>> {
    let parts: Vec<journey_core::Stats> = serde_json::from_str(&json_stringify(env, stats)?)
        .map_err(|e| type_error(env, &format!("mergeStats() takes an array of stats objects: {e}")))?;
    json_parse(env, serde_json::to_string(&partition::merge_stats(parts)).unwrap_or_default())
}

/// One input step's outbox entries from every partition (an array of each partition's
/// `engine.outbox()`), in the order one engine would have sent them: forward them in this order
/// (docs/orchestration.md, "Partitions").
#[napi(ts_args_type = "parts: OutboxEntry[][]", ts_return_type = "OutboxEntry[]")]
pub fn merge_outbox<'env>(env: &'env Env, parts: Unknown<'_>) -> Result<Unknown<'env>> {
    let parts: Vec<Vec<journey_core::OutboxEntry>> = serde_json::from_str(&json_stringify(env, parts)?)
        .map_err(|e| type_error(env, &format!("mergeOutbox() takes an array of outbox entry arrays: {e}")))?;
    json_parse(env, serde_json::to_string(&partition::merge_outbox(parts)).unwrap_or_default())
}

/// Before which events of `events` a partition must take the watermark under `config` (one
/// boolean per event as `ingestBatch` reads them): none unless the clock is `event`; the events
/// that might be late, or every one when retention is on.
#[napi(ts_args_type = "config: Config, events: JourneyEvent[] | string | Buffer")]
pub fn watermark_needed(env: &Env, config: Unknown<'_>, events: Unknown<'_>) -> Result<Vec<bool>> {
    let config = crate::config(env, Some(config))?;
    let events = BatchInput::read(env, events, "watermarkNeeded")?;
    partition::watermark_needed(&config, events.batch()).js(env)
}

/// What the partitions of an event clock have told each other, across processes: each reports
/// `{partition, accepted: [[position, time], ...], next}` (`record`); a partition about to ingest
/// an event `watermarkNeeded` flags waits until `passed(position)`, then takes
/// `watermarkBefore(position)` with `engine.observeWatermark`. Never blocks.
#[napi]
pub struct Frontier {
    inner: Mutex<partition::Frontier>,
}

#[napi]
impl Frontier {
    /// The frontier of `partitions` partitions; `firstPositions` gives each one's first position
    /// (`null`: no events) when the input is known, as in a backfill. Without it, a stream's.
    #[napi(constructor, ts_args_type = "partitions: number, firstPositions?: (number | null)[]")]
    pub fn new(env: &Env, partitions: u32, first_positions: Option<Vec<Option<i64>>>) -> Result<Self> {
        let first: Option<Vec<Option<u64>>> =
            first_positions.map(|first| first.iter().map(|p| p.map(|p| p.max(0) as u64)).collect());
        let inner = partition::Frontier::of(partitions as usize, first.as_deref()).js(env)?;
        Ok(Frontier { inner: Mutex::new(inner) })
    }

    /// Takes one partition's report.
    #[napi(ts_args_type = "progress: PartitionProgress")]
    pub fn record(&self, env: &Env, progress: Unknown<'_>) -> Result<()> {
        let progress: partition::PartitionProgress = serde_json::from_str(&json_stringify(env, progress)?)
            .map_err(|e| type_error(env, &format!("record() takes a PartitionProgress object: {e}")))?;
        self.lock().record(&progress).js(env)
    }

    /// Whether every partition has passed every position before `position` (absent: all done).
    #[napi]
    pub fn passed(&self, position: Option<i64>) -> bool {
        self.lock().passed(position.map_or(u64::MAX, |p| p.max(0) as u64))
    }

    /// The largest event time any partition accepted before `position` (absent: the end), or
    /// `null`; throws `INVALID_ARGUMENT` before `passed(position)`.
    #[napi]
    pub fn watermark_before(&self, env: &Env, position: Option<i64>) -> Result<Option<String>> {
        let watermark = self.lock().watermark_before(position.map_or(u64::MAX, |p| p.max(0) as u64)).js(env)?;
        Ok(watermark.map(journey_core::time::format_millis))
    }
}

impl Frontier {
    fn lock(&self) -> std::sync::MutexGuard<'_, partition::Frontier> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Routes a stream one event at a time (docs/scale-out.md, "Online routing"): `route(event)` gives
/// the event's partition and the moves to make first (`source`'s `moveOut(customers)`, then
/// `target`'s `moveIn`). The partitions' engines share `digestKey`.
#[napi]
pub struct OnlineRouter {
    catalog: journey_core::Catalog,
    inner: Mutex<partition::OnlineRouter>,
}

#[napi]
impl OnlineRouter {
    /// A router over `partitions` partitions for events of `catalog`.
    #[napi(constructor)]
    pub fn new(env: &Env, catalog: &Catalog, partitions: u32) -> Result<Self> {
        let inner = partition::OnlineRouter::new(partitions as usize).js(env)?;
        Ok(OnlineRouter { catalog: catalog.inner.clone(), inner: Mutex::new(inner) })
    }

    /// Routes one event (an object, or JSON as a string or Buffer).
    #[napi(ts_args_type = "event: JourneyEvent | string | Buffer", ts_return_type = "OnlineRoute")]
    pub fn route<'env>(&self, env: &'env Env, event: Unknown<'_>) -> Result<Unknown<'env>> {
        let keys = match event.get_type()? {
            ValueType::String => partition::keys(&self.catalog, crate::text(env, event, "event")?.as_bytes()),
            ValueType::Object if event.is_buffer()? => partition::keys(&self.catalog, &crate::buffer(env, event)?),
            _ => partition::keys_of_value(&self.catalog, &json_value(env, event)?),
        };
        let route = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).route(&keys);
        json_parse(env, serde_json::to_string(&route).unwrap_or_default())
    }

    /// The partition that holds `customer`'s journey now (`null`: no event named it).
    #[napi(ts_args_type = "customer: Customer")]
    pub fn partition_of(&self, env: &Env, customer: Unknown<'_>) -> Result<Option<u32>> {
        let customer: journey_core::Customer = serde_json::from_value(json_value(env, customer)?)
            .map_err(|e| type_error(env, &format!("partitionOf() takes a customer object: {e}")))?;
        let partition = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).partition_of(&customer);
        Ok(partition.map(|p| p as u32))
    }
}

/// The key an operation other than ingest routes by, for `partitionFor`: `a:<agentId>` for
/// `startAgentSession` and `sendCustomEvent`, `w:<actionId>` for `recordActionEvent`; `null` for
/// the others (docs/scale-out.md). Clock moves and the ops that change definitions (`putSegment`,
/// `deleteActionMap`, …) go to every partition at their position in the input.
#[napi(ts_args_type = "op: string, input?: unknown")]
pub fn command_key(env: &Env, op: String, input: Option<Unknown<'_>>) -> Result<Option<String>> {
    let input = crate::optional_json(env, input)?;
    let command = journey_core::Command::new(&op, input).js(env)?;
    Ok(partition::command_key(&command))
}

/// Whether a partition takes the event-clock watermark before the operation `op` with `input`,
/// under `config`: under an event clock, every operation but an ingest (whose events
/// `watermarkNeeded` flags), a clock move, `stats`, checkpoints, state moves, subscriptions and
/// the outbox does, so that what it stamps (an agent's events, a link's time) or shows (a journey's
/// status) is one engine's time there (docs/scale-out.md).
#[napi(ts_args_type = "config: Config, op: string, input?: unknown")]
pub fn command_needs_watermark(env: &Env, config: Unknown<'_>, op: String, input: Option<Unknown<'_>>) -> Result<bool> {
    let config = crate::config(env, Some(config))?;
    let input = crate::optional_json(env, input)?;
    let command = journey_core::Command::new(&op, input).js(env)?;
    Ok(partition::command_needs_watermark(&config, &command))
}
