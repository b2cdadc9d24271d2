//! The lowest layer (docs/architecture.md): the typed error, text and JSON helpers, time,
//! durations, shards, interrupts and an append-only list. Nothing here knows about catalogs, sessions or engines.

pub(crate) mod append;
pub mod duration;
pub mod error;
pub(crate) mod interrupt;
pub mod json;
pub(crate) mod shard;
pub(crate) mod text;
pub mod time;
