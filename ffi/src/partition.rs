//! Exact partitioning (SPEC §13, docs/scale-out.md) through the C ABI: route a batch so that one
//! engine per partition gives one engine's results, a producer's partition for a key, the
//! partitions' stats summed, their outboxes merged, the event-clock frontier, and the online router
//! of a stream. Taking
//! the watermark is `journey_observe_watermark` (in `view.rs`, with the other clock calls) and
//! checkpoints are `journey_checkpoint` (`checkpoint.rs`); moving state (`moveOut`, `moveIn`) goes
//! through `journey_call`.

use crate::error::{Failure, guard};
use crate::handles::{JourneyCatalog, JourneyConfig, clear, give};
use crate::status::JourneyStatus;
use crate::strings::{bytes, give_json, give_json_text, out_string, text};
use journey_core::partition::{
    Frontier, OnlineRouter, PartitionProgress, Router, command_key, command_needs_watermark, merge_outbox, merge_stats,
    partition_for, watermark_needed,
};
use journey_core::{Batch, JourneyError, OutboxEntry, Stats};
use std::ffi::c_char;
use std::sync::Mutex;

/// Routes NDJSON events (one per line, as `journey_ingest_ndjson` reads them) to `partitions`
/// partitions, so that one engine per partition, each fed its events in input order, gives exactly
/// one engine's results.
///
/// `*routing` receives `{"partitions":[n|null,…],"quarantined":[{"representative","events",
/// "keys"}]}`: each non-blank line's partition in input order, `null` for a line of a component
/// larger than `cap` events, which is quarantined and reported. Free it with `journey_string_free`.
///
/// @param catalog A catalog from journey_catalog_new(): it tells custom and conversation types
///        (whose external ids are keys) from web types.
/// @param data One event per line (need not be NUL-terminated).
/// @param len The number of bytes at `data`.
/// @param partitions The number of partitions, 1 to 65536.
/// @param cap Quarantine components of more than this many events; 0 never quarantines.
/// @param routing Receives the routing as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (partitions out of range),
///         `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `catalog` is a live catalog; `data` points to `len` bytes (or is NULL with `len` 0); `routing`
/// is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_route(
    catalog: *const JourneyCatalog,
    data: *const c_char,
    len: usize,
    partitions: u32,
    cap: u64,
    routing: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(routing, "routing")?;
        let catalog = catalog.as_ref().ok_or(Failure::Null("catalog"))?;
        let cap = (cap > 0).then(|| usize::try_from(cap).unwrap_or(usize::MAX));
        let router = Router::new(partitions as usize, cap)?;
        give_json(slot, &router.route_batch(&catalog.0, Batch::Ndjson(bytes(data, len, "data")?))?);
        Ok(())
    })
}

/// The partition a component whose smallest key is `key` goes to, as `journey_route` computes it:
/// for a customer that no event links to another, `c:<idType>:<id>`.
///
/// @param key The key as NUL-terminated UTF-8 text.
/// @param partitions The number of partitions, 1 to 65536.
/// @param partition Receives the partition.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT`, `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `key` is a NUL-terminated string; `partition` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_partition_for(
    key: *const c_char,
    partitions: u32,
    partition: *mut u32,
) -> JourneyStatus {
    guard(|| unsafe {
        let out = partition.as_mut().ok_or(Failure::Null("partition"))?;
        *out = partition_for(text(key, "key")?, partitions as usize)? as u32;
        Ok(())
    })
}

/// Sums the stats of partitioned engines counter by counter: one engine's stats.
///
/// @param stats A JSON array of stats objects (as journey_stats() gives them), NUL-terminated.
/// @param total Receives the summed stats as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON` (not an array of stats),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `stats` is a NUL-terminated string; `total` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_merge_stats(stats: *const c_char, total: *mut *mut c_char) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(total, "total")?;
        let parts: Vec<Stats> = serde_json::from_str(text(stats, "stats")?)
            .map_err(|e| JourneyError::InvalidJson(format!("stats must be a JSON array of stats objects: {e}")))?;
        give_json(slot, &merge_stats(parts));
        Ok(())
    })
}

/// One input step's outbox entries from every partition, in the order one engine would have sent
/// them: forward them in this order (docs/orchestration.md, "Partitions").
///
/// @param parts A JSON array with one array per partition of the entries its `outbox` op returned,
///        NUL-terminated.
/// @param merged Receives the entries as one JSON array; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON` (not an array of outbox entry arrays),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `parts` is a NUL-terminated string; `merged` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_merge_outbox(parts: *const c_char, merged: *mut *mut c_char) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(merged, "merged")?;
        let parts: Vec<Vec<OutboxEntry>> = serde_json::from_str(text(parts, "parts")?).map_err(|e| {
            JourneyError::InvalidJson(format!("parts must be a JSON array of outbox entry arrays: {e}"))
        })?;
        give_json(slot, &merge_outbox(parts));
        Ok(())
    })
}

/// The key an operation other than ingest routes by: `a:<agentId>` for `startAgentSession` and
/// `sendCustomEvent` (its partition is `journey_partition_for` of it), `c:cookie:<customerId>` for
/// `recordActionEvent` (send it to the partition the router put that customer in).
///
/// @param command_json The operation as `journey_call` takes it, `{"op","input"}`, NUL-terminated.
/// @param key Receives the key, or NULL for an operation that has none (ingest, reads, the ops
///        that name an agent session, which go where the session was started, and clock moves and
///        the ops that change definitions, which go to every partition at their position in the
///        input); free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON`, `JOURNEY_INVALID_ARGUMENT` (not an operation),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `command_json` is a NUL-terminated string; `key` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_command_key(command_json: *const c_char, key: *mut *mut c_char) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(key, "key")?;
        let command = journey_core::Command::from_json(text(command_json, "command_json")?)?;
        if let Some(found) = command_key(&command) {
            // A key is UTF-8 text from a parsed JSON string: it makes a C string as JSON text does,
            // unless it holds a NUL, which no agent id or UUID of an operation should.
            if found.contains('\0') {
                return Err(JourneyError::InvalidArgument("an agent id with a NUL character".into()).into());
            }
            give_json_text(slot, found);
        }
        Ok(())
    })
}

/// Whether a partition takes the event-clock watermark before an operation, under `config`:
/// under an event clock, every operation but an ingest (whose events journey_watermark_needed()
/// flags), a clock move, `stats`, checkpoints, state moves, subscriptions and the outbox does, so
/// that what it stamps (an agent's events, a link's time) or shows (a journey's status) is one
/// engine's time there (docs/scale-out.md).
///
/// @param config A config from journey_config_new().
/// @param command_json The operation as `journey_call` takes it, `{"op","input"}`, NUL-terminated.
/// @param needed Receives 1 when it does, 0 when it does not.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON`, `JOURNEY_INVALID_ARGUMENT` (not an operation),
///         `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `config` is a live config; `command_json` is a NUL-terminated string; `needed` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_command_needs_watermark(
    config: *const JourneyConfig,
    command_json: *const c_char,
    needed: *mut i32,
) -> JourneyStatus {
    guard(|| unsafe {
        let needed = needed.as_mut().ok_or(Failure::Null("needed"))?;
        *needed = 0;
        let config = config.as_ref().ok_or(Failure::Null("config"))?;
        let command = journey_core::Command::from_json(text(command_json, "command_json")?)?;
        *needed = i32::from(command_needs_watermark(&config.0, &command));
        Ok(())
    })
}

/// Flags the NDJSON events (as `journey_ingest_ndjson` reads them) before which a partition must
/// take the event-clock watermark under `config`: none unless the clock is `event`; those that
/// might be late, or every one when retention is on (docs/scale-out.md).
///
/// @param config A config from journey_config_new().
/// @param data One event per line (need not be NUL-terminated).
/// @param len The number of bytes at `data`.
/// @param needed Receives a JSON array of booleans, one per non-blank line; free it with
///        journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `config` is a live config; `data` points to `len` bytes (or is NULL with `len` 0); `needed` is
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_watermark_needed(
    config: *const JourneyConfig,
    data: *const c_char,
    len: usize,
    needed: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(needed, "needed")?;
        let config = config.as_ref().ok_or(Failure::Null("config"))?;
        give_json(slot, &watermark_needed(&config.0, Batch::Ndjson(bytes(data, len, "data")?))?);
        Ok(())
    })
}

/// What the partitions of an event clock have told each other (docs/scale-out.md). Opaque. Safe
/// to use from many threads at once.
pub struct JourneyFrontier(Mutex<Frontier>);

impl JourneyFrontier {
    fn lock(&self) -> std::sync::MutexGuard<'_, Frontier> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Makes a frontier of `partitions` partitions.
///
/// @param partitions The number of partitions, 1 to 65536.
/// @param first_positions Each partition's first position when the input is known (a backfill),
///        `-1` for a partition with no events; NULL for a stream's, where nothing is known until
///        each partition reports.
/// @param frontier Receives the frontier; free it with journey_frontier_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT`, `JOURNEY_NULL_ARGUMENT`.
///
/// # Safety
/// `first_positions` is NULL or points to `partitions` values; `frontier` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_frontier_new(
    partitions: u32,
    first_positions: *const i64,
    frontier: *mut *mut JourneyFrontier,
) -> JourneyStatus {
    guard(|| unsafe {
        clear(frontier);
        // The count is checked before `first_positions` is read as that many values.
        let stream = Frontier::of(partitions as usize, None)?;
        let inner = match first_positions.is_null() {
            true => stream,
            false => {
                let first = std::slice::from_raw_parts(first_positions, partitions as usize);
                let first: Vec<Option<u64>> = first.iter().map(|&p| u64::try_from(p).ok()).collect();
                Frontier::of(partitions as usize, Some(&first))?
            }
        };
        give(frontier, JourneyFrontier(Mutex::new(inner)))
    })
}

/// Takes one partition's report, `{"partition","accepted":[[position,"<RFC 3339>"],…],"next"}`.
///
/// @param frontier A frontier from journey_frontier_new().
/// @param progress The report as NUL-terminated JSON.
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_JSON` (not a report), `JOURNEY_INVALID_ARGUMENT`
///         (partition out of range, a bad time), `JOURNEY_NULL_ARGUMENT`, `JOURNEY_INVALID_UTF8`.
///
/// Thread-safe.
///
/// # Safety
/// `frontier` is a live frontier; `progress` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_frontier_record(
    frontier: *const JourneyFrontier,
    progress: *const c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let frontier = frontier.as_ref().ok_or(Failure::Null("frontier"))?;
        let progress: PartitionProgress = serde_json::from_str(text(progress, "progress")?)
            .map_err(|e| JourneyError::InvalidJson(format!("progress must be a PartitionProgress object: {e}")))?;
        frontier.lock().record(&progress)?;
        Ok(())
    })
}

/// Whether every partition has passed every position before `position` (`UINT64_MAX`: the end).
///
/// @param frontier A frontier from journey_frontier_new().
/// @param position The position.
/// @param passed Receives the answer.
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `frontier` is a live frontier; `passed` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_frontier_passed(
    frontier: *const JourneyFrontier,
    position: u64,
    passed: *mut bool,
) -> JourneyStatus {
    guard(|| unsafe {
        let frontier = frontier.as_ref().ok_or(Failure::Null("frontier"))?;
        *passed.as_mut().ok_or(Failure::Null("passed"))? = frontier.lock().passed(position);
        Ok(())
    })
}

/// The largest event time any partition accepted before `position` (`UINT64_MAX`: the end), as
/// RFC 3339 for `journey_call`'s `observeWatermark`; NULL while nothing was accepted.
///
/// @param frontier A frontier from journey_frontier_new().
/// @param position The position.
/// @param watermark Receives the time, or NULL; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT` (not every partition passed `position` yet),
///         `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `frontier` is a live frontier; `watermark` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_frontier_watermark_before(
    frontier: *const JourneyFrontier,
    position: u64,
    watermark: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(watermark, "watermark")?;
        let frontier = frontier.as_ref().ok_or(Failure::Null("frontier"))?;
        if let Some(time) = frontier.lock().watermark_before(position)? {
            // An RFC 3339 time has no NUL: it makes a C string as JSON text does.
            give_json_text(slot, journey_core::time::format_millis(time));
        }
        Ok(())
    })
}

/// Frees a frontier. NULL does nothing.
///
/// @param frontier A frontier from journey_frontier_new(), or NULL.
///
/// # Safety
/// `frontier` is NULL or a frontier from `journey_frontier_new` that is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_frontier_free(frontier: *mut JourneyFrontier) {
    if !frontier.is_null() {
        // SAFETY: made by Box::into_raw in `give`, freed once.
        drop(unsafe { Box::from_raw(frontier) });
    }
}

/// Routes a stream one event at a time (docs/scale-out.md, "Online routing"). Opaque. Safe to
/// use from many threads at once (calls are serialized).
pub struct JourneyOnlineRouter {
    catalog: journey_core::Catalog,
    router: Mutex<OnlineRouter>,
}

/// Makes an online router over `partitions` partitions for events of `catalog` (which is only
/// read; it stays yours).
///
/// @param catalog A catalog from journey_catalog_new().
/// @param partitions The number of partitions, 1 to 65536.
/// @param router Receives the router; free it with journey_online_router_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_INVALID_ARGUMENT`, `JOURNEY_NULL_ARGUMENT`.
///
/// # Safety
/// `catalog` is a live catalog; `router` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_online_router_new(
    catalog: *const JourneyCatalog,
    partitions: u32,
    router: *mut *mut JourneyOnlineRouter,
) -> JourneyStatus {
    guard(|| unsafe {
        clear(router);
        let catalog = catalog.as_ref().ok_or(Failure::Null("catalog"))?;
        let inner = OnlineRouter::new(partitions as usize)?;
        give(router, JourneyOnlineRouter { catalog: catalog.0.clone(), router: Mutex::new(inner) })
    })
}

/// Routes one event: `*route` receives `{"partition":n,"moves":[{"source","target","customers"}]}`.
/// Before ingesting the event into `partition`'s engine, make each move in order:
/// `journey_call(source_engine, {"op":"moveOut","input":{"customers":…}})` gives
/// `{"slice":"<hex>"}`, then `journey_call(target_engine, {"op":"moveIn","input":{"slice":…}})`.
/// The partitions' engines share the config's `digestKey`.
///
/// @param router A router from journey_online_router_new().
/// @param event The event as JSON (need not be NUL-terminated).
/// @param len The number of bytes at `event`.
/// @param route Receives the route as JSON; free it with journey_string_free().
///
/// @return `JOURNEY_OK`, `JOURNEY_NULL_ARGUMENT`.
///
/// Thread-safe.
///
/// # Safety
/// `router` is a live router; `event` points to `len` bytes; `route` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_online_router_route(
    router: *const JourneyOnlineRouter,
    event: *const c_char,
    len: usize,
    route: *mut *mut c_char,
) -> JourneyStatus {
    guard(|| unsafe {
        let slot = out_string(route, "route")?;
        let router = router.as_ref().ok_or(Failure::Null("router"))?;
        let event = bytes(event, len, "event")?;
        let routed =
            router.router.lock().unwrap_or_else(std::sync::PoisonError::into_inner).route_event(&router.catalog, event);
        give_json(slot, &routed);
        Ok(())
    })
}

/// Frees an online router. NULL does nothing.
///
/// @param router A router from journey_online_router_new(), or NULL.
///
/// # Safety
/// `router` is NULL or a router from `journey_online_router_new` that is not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn journey_online_router_free(router: *mut JourneyOnlineRouter) {
    if !router.is_null() {
        // SAFETY: made by Box::into_raw in `give`, freed once.
        drop(unsafe { Box::from_raw(router) });
    }
}
