//! Exact partitioning (SPEC §13, docs/scale-out.md): the keys an event's outcome depends on
//! ([`keys`]), a batch router that puts every event of a connected component of keys on one
//! partition ([`Router`]), and the merge of the partitions' results ([`merge_outcomes`],
//! [`merge_stats`], [`Directory`]).
//!
//! The host runs one engine per partition, feeds each its events in input order (with clock moves
//! and definition changes broadcast at their positions, [`command_broadcast`]), and merges: the
//! result equals one engine's exactly.

mod keys;
mod merge;
mod online;
mod router;
mod watermark;

pub use crate::engine::transfer::{MoveInInput, MoveOutInput, Slice};
pub use keys::{Key, command_broadcast, command_key, keys, keys_of_value};
pub use merge::{Directory, merge_outbox, merge_outcomes, merge_stats};
pub use online::{Move, OnlineRoute, OnlineRouter};
pub use router::{MAX_PARTITIONS, QUARANTINE_SAMPLE, Quarantined, Router, Routing, partition_for};
pub use watermark::{Frontier, PartitionProgress, Watermark, command_needs_watermark, upper_bounds, watermark_needed};
