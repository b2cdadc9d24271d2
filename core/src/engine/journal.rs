//! What the engine needs from durability (docs/architecture.md, "The `Change` seam").
//!
//! A durable engine holds a [`Journal`]: the gate appends each [`Change`] to it in the critical
//! section that applied it, a call settles on its record, and reads show only durable changes.
//! `durable/` implements it with files on disk (docs/durability.md); an in-memory engine has none.
//! The engine never names `durable`.

use crate::base::error::Result;
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::change::Change;
use crate::engine::gate::Gate;
use crate::model::config::SyncMode;
use serde::Serialize;
use std::task::{Context, Poll};

/// A journal record's number: records are numbered from 1 in the order their changes were applied.
pub(crate) type Seq = u64;

/// What opening a store found, for the host's logs (`Engine::recovery`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Recovery {
    /// Whether the store was created by this open.
    pub created: bool,
    /// The record number of the snapshot recovery started from.
    pub snapshot_seq: u64,
    /// Journal records replayed after the snapshot.
    pub records_replayed: u64,
    /// Bytes of a torn record cut from the end of the journal (a crash mid-write).
    pub torn_bytes_dropped: u64,
    /// Whether the caller's catalog added types to the stored one.
    pub catalog_upgraded: bool,
    /// Records after the last checkpoint, dropped because the store recovers to checkpoints
    /// (`store.recoverTo: "checkpoint"`).
    pub records_after_checkpoint_dropped: u64,
    /// Automatic snapshots that failed since the store was opened (a full disk, say). The calls
    /// that triggered them succeeded, their records being durable; the snapshot is tried again.
    pub snapshots_failed: u64,
    /// Why the last snapshot failed, naming the file and the OS error; `null` when none has.
    pub last_snapshot_error: Option<String>,
    /// Why the journal failed, when it has: the engine then refuses changes with `IO_ERROR` and
    /// serves reads from what was durable, until the store is opened again.
    pub journal_error: Option<String>,
    /// Erasures found in the journal after the snapshot (a crash before their rewrite was done),
    /// applied again and rewritten out of the store's files before the open returned
    /// (docs/identity.md, "Erasure").
    pub erasures_completed: u64,
}

/// Durability, as the engine uses it. Every method is called with the engine's gate passed (shared
/// or exclusive, as its doc says), except the waits, which hold nothing.
pub(crate) trait Journal: Send + Sync {
    /// Fails (`IO_ERROR`) once the journal cannot take records: it failed, or the store is closed.
    fn check(&self) -> Result<()>;

    /// Appends the change made at `now` and returns its number. The caller holds the gate, so
    /// records are numbered in the order their effects were applied. An erasure's record leaves
    /// its rewrite of the store to do ([`Journal::complete_erasure`]), and recovery to a
    /// checkpoint never drops it.
    fn append(&self, now: Option<Millis>, change: &Change<'_>) -> Result<Seq>;

    /// How durable a call's change is when the call returns (`store.sync`).
    fn sync_mode(&self) -> SyncMode;

    /// The number of the last record appended.
    fn last_seq(&self) -> Seq;

    /// Returns once record `seq` is durable (joining a group commit).
    fn wait(&self, seq: Seq) -> Result<()>;

    /// [`Journal::wait`] for a future: `Ready` once record `seq` is durable, else `Pending` with
    /// the waker left to be woken when it is.
    fn poll_durable(&self, seq: Seq, cx: &mut Context<'_>) -> Poll<Result<()>>;

    /// `STORE_LOCKED` when a newer owner (a higher `store.epoch`) has opened the store since this
    /// engine did: a checkpoint of a stale owner must not be made.
    fn check_fence(&self) -> Result<()>;

    /// Notes that record `seq` is a checkpoint.
    fn checkpointed(&self, seq: Seq);

    /// After the journal failed, the state a reopen would recover, for reads; `None` while it works.
    fn failed_view(&self, engine: &Engine) -> Result<Option<&Engine>>;

    /// What opening the store found, and how it has fared since.
    fn recovery(&self) -> Recovery;

    /// Writes a snapshot of `engine` when one is due; never fails (a failure is counted in
    /// [`Journal::recovery`]). Called after a call settled, with no gate held.
    fn snapshot_when_due(&self, engine: &Engine);

    /// Writes a snapshot of `engine` now; the caller holds the gate exclusively.
    fn snapshot(&self, engine: &Engine) -> Result<()>;

    /// Whether an erasure may be made now: with `recoverTo: "checkpoint"` only right after a
    /// checkpoint, as a snapshot (the erasure writes one at once).
    fn check_erasure(&self) -> Result<()>;

    /// Writes a snapshot and deletes every older snapshot and journal file when an erasure waits
    /// for it; the caller holds the gate exclusively. A failure leaves the erasure waiting: the
    /// next automatic snapshot, `close` or open completes it.
    fn complete_erasure(&self, engine: &Engine) -> Result<()>;

    /// Writes a last snapshot (when allowed) and releases the store; the caller holds the gate
    /// exclusively. Closing twice does nothing.
    fn close(&self, engine: &Engine) -> Result<()>;
}

impl Engine {
    /// The engine with `journal` attached: from now on every change is appended to it, one at a
    /// time under the gate's order lock, so the journal's order is the order effects were applied.
    pub(crate) fn with_journal(mut self, journal: Box<dyn Journal>) -> Engine {
        self.gate = Gate::ordered();
        self.journal = Some(journal);
        self
    }

    /// Whether a call's change must be durable before the call returns (`store.sync` `always` or
    /// `batch`); `false` in memory.
    pub(crate) fn waits_for_sync(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| matches!(j.sync_mode(), SyncMode::Always | SyncMode::Batch))
    }

    /// What opening the store found, and how the store has fared since (failed snapshots, a failed
    /// journal); `None` for an in-memory engine.
    pub fn recovery(&self) -> Option<Recovery> {
        self.journal.as_ref().map(|journal| journal.recovery())
    }

    /// Runs `read` so that it shows only durable changes. On a durable engine whose calls wait
    /// for their fsync (`store.sync` `always` or `batch`), an effect is applied in memory a moment
    /// before its record is durable; a read that saw it waits for that record (joining the group
    /// commit) before it answers, and if the write fails, reads again from what was durable. So
    /// no reader ever acts on a change whose call then answers `IO_ERROR`. After the journal
    /// failed, every read is served by [`Engine::failed_view`]. (`interval` and `never` trade
    /// this, like the calls' own durability, for speed: their reads do not wait.)
    pub(crate) fn read_durably<T>(&self, read: impl Fn(&Engine) -> Result<T>) -> Result<T> {
        if let Some(view) = self.failed_view()? {
            return read(view);
        }
        let answer = read(self)?;
        let Some(journal) = self.journal.as_ref().filter(|_| self.waits_for_sync()) else { return Ok(answer) };
        // Every effect the read saw was applied under the order lock, with its record appended in
        // the same critical section: once the lock is ours, their records are all appended.
        let last = self.gate.after_appends(|| journal.last_seq());
        match journal.wait(last) {
            Ok(()) => Ok(answer),
            Err(error) => match self.failed_view()? {
                Some(view) => read(view),
                None => Err(error),
            },
        }
    }

    /// After the journal failed, the engine to read from instead of this one: the state a reopen
    /// would recover, read back from the store once. So the effect of a call whose record did not
    /// become durable (it answered `IO_ERROR`) is never seen, and what readers see is what they
    /// will see after a restart. `None` while the journal works (or the engine is in memory);
    /// `IO_ERROR` when the store cannot be read back either.
    pub(crate) fn failed_view(&self) -> Result<Option<&Engine>> {
        match &self.journal {
            Some(journal) => journal.failed_view(self),
            None => Ok(None),
        }
    }

    /// Writes a snapshot and releases the store, so that another engine may open it. Reads still
    /// work afterwards; changes fail with `IO_ERROR` (the store is closed). Closing twice, or an
    /// in-memory engine, does nothing. Dropping a durable engine without `close` loses nothing
    /// that was acknowledged: the next open replays the journal. With `recoverTo: "checkpoint"`
    /// the snapshot is written only when the last change was a checkpoint; the next open drops
    /// what came after the last one either way.
    pub fn close(&self) -> Result<()> {
        let Some(journal) = &self.journal else { return Ok(()) };
        let _passage = self.gate.snapshot();
        journal.close(self)
    }

    /// Writes a snapshot now, and drops the journal before it. An in-memory engine has nothing to
    /// write. With `recoverTo: "checkpoint"`, `INVALID_ARGUMENT` unless the last change was a
    /// checkpoint: a snapshot there would hold changes the next open must drop.
    pub fn snapshot(&self) -> Result<()> {
        let Some(journal) = &self.journal else { return Ok(()) };
        let _passage = self.gate.snapshot();
        journal.snapshot(self)
    }
}
