//! Checkpoints: a host's own marker in a durable engine's journal (docs/scale-out.md, "Kafka").
//!
//! A stream consumer must know, after a crash, exactly which of its input the engine's state
//! already holds: otherwise it either skips input or replays some of it, and a replayed event is
//! then a duplicate (stats differ from one engine's). `checkpoint(value)` records the host's
//! value (a consumer's offsets) in the journal, in order with the changes before it, and
//! `store.recoverTo: "checkpoint"` makes opening the store recover to the last checkpoint and
//! drop what came after it. State and value then always agree: the consumer resumes from the
//! offsets it reads back with `last_checkpoint`.

use crate::base::error::{JourneyError, Result};
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::command::Command;
use crate::model::config::RecoverTo;
use serde_json::Value;
use std::sync::Mutex;

/// Largest checkpoint value, in bytes of JSON: offsets of a few thousand partitions.
pub const MAX_CHECKPOINT_BYTES: usize = 65_536;

/// The last checkpoint's value, as JSON text.
#[derive(Debug, Default)]
pub(crate) struct LastCheckpoint(Mutex<Option<Box<str>>>);

impl LastCheckpoint {
    /// The value, as JSON text.
    pub fn text(&self) -> Option<Box<str>> {
        self.lock().clone()
    }

    /// Restores the value a snapshot holds.
    pub fn restored(text: Option<String>) -> LastCheckpoint {
        LastCheckpoint(Mutex::new(text.map(String::into_boxed_str)))
    }

    fn set(&self, text: String) {
        *self.lock() = Some(text.into_boxed_str());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Box<str>>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Engine {
    /// Records `value` (any JSON, at most [`MAX_CHECKPOINT_BYTES`]) as the engine's checkpoint:
    /// everything done before this call is covered by it. A durable engine journals it; with
    /// `store.recoverTo: "checkpoint"` it is also where snapshots are written and what opening
    /// the store recovers to. `INVALID_ARGUMENT` when the value is too large; `STORE_LOCKED`
    /// ("fenced") when a newer owner, with a higher `store.epoch`, has opened the store since
    /// (docs/durability.md, "Fencing a stale owner").
    pub fn checkpoint(&self, value: &Value) -> Result<()> {
        let text = value.to_string();
        if text.len() > MAX_CHECKPOINT_BYTES {
            return Err(JourneyError::invalid_argument(format!(
                "a checkpoint of {} bytes is over the {MAX_CHECKPOINT_BYTES}-byte limit",
                text.len()
            )));
        }
        if let Some(journal) = &self.journal {
            journal.check_fence()?;
        }
        let record = |_: &()| Some(Change::Call(Command::Checkpoint(value.clone())));
        let set = || {
            self.last_checkpoint.set(text);
            Ok(())
        };
        let ((), seq) = self.change(self.clock.now(), set, record)?;
        if let (Some(journal), Some(seq)) = (&self.journal, seq) {
            journal.checkpointed(seq);
        }
        self.settle(seq)
    }

    /// The value of the last `checkpoint`, or `None` when there was none.
    pub fn last_checkpoint(&self) -> Option<Value> {
        // The text was written from a `Value`, so it reads back.
        let value =
            |engine: &Engine| Ok(engine.last_checkpoint.text().and_then(|text| serde_json::from_str(&text).ok()));
        self.read_durably(value).unwrap_or_else(|_| value(self).unwrap_or_default())
    }

    /// Whether this engine's snapshots must fall on checkpoints.
    pub(crate) fn snapshots_at_checkpoints(&self) -> bool {
        self.config.store.recover_to == RecoverTo::Checkpoint
    }
}
