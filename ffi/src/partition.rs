//! Exact partitioning (SPEC §13, docs/scale-out.md) through the C ABI: route a batch so that one
//! engine per partition gives one engine's results, a producer's partition for a key, and the
//! partitions' stats summed.

use crate::error::{Failure, guard};
use crate::handles::JourneyCatalog;
use crate::status::JourneyStatus;
use crate::strings::{bytes, give_json, out_string, text};
use journey_core::partition::{Router, merge_stats, partition_for};
use journey_core::{Batch, JourneyError, Stats};
use std::ffi::c_char;

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
