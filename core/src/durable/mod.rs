//! A durable engine (SPEC §11): a journal of every change, snapshots, and recovery.
//!
//! The design, with its file formats and failure cases, is docs/durability.md. In short:
//! [`Engine::open`] locks the store directory, loads the newest snapshot, replays the journal after
//! it (each record at its recorded `now`, through the same code as a live call), applies the
//! caller's catalog and config, and attaches the journal so that every later change is recorded.

mod files;
mod journal;
mod record;
mod snapshot;

pub(crate) use journal::Seq;
pub(crate) use record::Record;

use crate::base::error::{JourneyError, Result};
use crate::engine::Engine;
use crate::engine::gate::Gate;
use crate::model::catalog::Catalog;
use crate::model::config::{Config, RecoverTo, SyncMode};
use journal::Journal;
use serde::Serialize;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
}

/// The journal and files of a durable engine.
pub(crate) struct Durable {
    pub journal: Journal,
    dir: PathBuf,
    recovery: Recovery,
    /// Held until the engine is closed or dropped.
    lock: std::sync::Mutex<Option<File>>,
    /// The record number of the last checkpoint (or of the snapshot recovered from, which is
    /// one): with `recoverTo: "checkpoint"`, snapshots are written only when it is the last record.
    checkpoint_seq: AtomicU64,
    /// After the journal failed: the state a reopen would recover, read back from the store, which
    /// every read serves from then on (see [`Engine::failed_view`]).
    failed_view: std::sync::OnceLock<Result<Box<Engine>>>,
    /// Snapshots that failed after the records they would cover were durable.
    snapshot_failures: std::sync::Mutex<SnapshotFailures>,
}

/// Snapshots that failed, for `recovery()`, and when to try again.
#[derive(Default)]
struct SnapshotFailures {
    count: u64,
    last_error: Option<String>,
    /// No automatic snapshot is tried before this: a full disk is not hammered on every call.
    retry_after: Option<std::time::Instant>,
}

/// How long after a failed automatic snapshot the next one is tried.
const SNAPSHOT_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

impl SnapshotFailures {
    /// Whether an automatic snapshot failed too recently to try again.
    fn waiting(&self) -> bool {
        self.retry_after.is_some_and(|at| std::time::Instant::now() < at)
    }

    fn record(&mut self, error: &JourneyError) {
        self.count += 1;
        self.last_error = Some(error.to_string());
        self.retry_after = Some(std::time::Instant::now() + SNAPSHOT_RETRY);
    }
}

impl Durable {
    /// Notes that record `seq` is a checkpoint.
    pub(crate) fn checkpointed(&self, seq: Seq) {
        self.checkpoint_seq.fetch_max(seq, Ordering::SeqCst);
    }

    /// Whether the journal ends with a checkpoint (or holds nothing since the last snapshot).
    fn at_checkpoint(&self) -> bool {
        self.journal.last_seq() == self.checkpoint_seq.load(Ordering::SeqCst)
    }
}

impl Engine {
    /// Opens the durable store in `dir`, creating it when the directory is empty or missing, or
    /// recovering the state it holds (SPEC §11). `STORE_LOCKED` when another engine has it open;
    /// `CORRUPT_STORE` when a snapshot or a record other than a torn tail is damaged;
    /// `INVALID_CATALOG` when `catalog` is not the stored catalog or an upgrade of it.
    pub fn open(dir: impl AsRef<Path>, catalog: Catalog, config: Config) -> Result<Engine> {
        let dir = dir.as_ref();
        catalog.check_limits(&config)?;
        let lock = files::lock(dir)?;
        files::remove_temporary(dir)?;
        let mut recovery = Recovery::default();
        let (mut engine, changed) = match files::list(dir, "snapshot", "snap")?.last() {
            None if !files::list(dir, "journal", "log")?.is_empty() => {
                let message = "journal files but no snapshot: a store always has one (was it deleted?)";
                return Err(JourneyError::corrupt(dir, 0, message));
            }
            None => {
                recovery.created = true;
                (Engine::new(catalog, config)?, true)
            }
            Some(&seq) => {
                let recover_to = config.store.recover_to;
                recover(dir, seq, recover_to, None, &mut recovery)?.reconfigured(catalog, config, &mut recovery)?
            }
        };
        engine.gate = Gate::ordered();
        let last_seq = recovery.snapshot_seq + recovery.records_replayed;
        // A new store, or a new catalog or config: the records to come are made under the new
        // ones, so the state before them is fixed in a snapshot made under them too.
        let base = if changed {
            snapshot::write(&engine, last_seq, &snapshot::path(dir, last_seq))?;
            let journal_path = journal::path(dir, last_seq);
            std::fs::write(&journal_path, b"").map_err(|e| JourneyError::io("creating", &journal_path, e))?;
            files::sync_dir(dir)?;
            remove_older(dir, last_seq)?;
            last_seq
        } else {
            recovery.snapshot_seq
        };
        let store = engine.config.store;
        let journal = Journal::open(&journal::path(dir, base), last_seq, store.sync, store.interval_ms)?;
        engine.durable = Some(Durable {
            journal,
            dir: dir.to_owned(),
            recovery,
            lock: std::sync::Mutex::new(Some(lock)),
            checkpoint_seq: AtomicU64::new(last_seq),
            failed_view: std::sync::OnceLock::new(),
            snapshot_failures: Default::default(),
        });
        Ok(engine)
    }

    /// What opening the store found, and how the store has fared since (failed snapshots, a failed
    /// journal); `None` for an in-memory engine.
    pub fn recovery(&self) -> Option<Recovery> {
        let durable = self.durable.as_ref()?;
        let failures = durable.snapshot_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Some(Recovery {
            snapshots_failed: failures.count,
            last_snapshot_error: failures.last_error.clone(),
            journal_error: durable.journal.failure(),
            ..durable.recovery.clone()
        })
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
        let Some(durable) = &self.durable else { return Ok(answer) };
        if !matches!(durable.journal.sync_mode(), SyncMode::Always | SyncMode::Batch) {
            return Ok(answer);
        }
        // Every effect the read saw was applied under the order lock, with its record appended in
        // the same critical section: once the lock is ours, their records are all appended.
        let last = {
            let _passage = self.gate.shared();
            durable.journal.last_seq()
        };
        match durable.journal.wait(last) {
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
        let Some(durable) = &self.durable else { return Ok(None) };
        let Some(durable_through) = durable.journal.failed_after() else { return Ok(None) };
        let view =
            durable.failed_view.get_or_init(|| read_back(&durable.dir, durable_through, self.config.store.recover_to));
        match view {
            Ok(engine) => Ok(Some(engine)),
            Err(error) => {
                Err(JourneyError::Io(format!("the journal failed, and reading the store back failed too: {error}")))
            }
        }
    }

    /// Writes a snapshot and releases the store, so that another engine may open it. Reads still
    /// work afterwards; changes fail with `IO_ERROR` (the store is closed). Closing twice, or an
    /// in-memory engine, does nothing. Dropping a durable engine without `close` loses nothing
    /// that was acknowledged: the next open replays the journal. With `recoverTo: "checkpoint"`
    /// the snapshot is written only when the last change was a checkpoint; the next open drops
    /// what came after the last one either way.
    pub fn close(&self) -> Result<()> {
        let Some(durable) = &self.durable else { return Ok(()) };
        let _passage = self.gate.exclusive();
        if durable.journal.is_closed() {
            return Ok(());
        }
        if self.snapshots_at_checkpoints() && !durable.at_checkpoint() {
            durable.journal.flush()?;
        } else {
            self.write_snapshot(durable)?;
        }
        durable.journal.close();
        durable.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        Ok(())
    }

    /// Writes a snapshot now, and drops the journal before it. An in-memory engine has nothing to
    /// write. With `recoverTo: "checkpoint"`, `INVALID_ARGUMENT` unless the last change was a
    /// checkpoint: a snapshot there would hold changes the next open must drop.
    pub fn snapshot(&self) -> Result<()> {
        let Some(durable) = &self.durable else { return Ok(()) };
        let _passage = self.gate.exclusive();
        durable.journal.check()?;
        if self.snapshots_at_checkpoints() && !durable.at_checkpoint() {
            return Err(JourneyError::invalid_argument(
                "this store recovers to checkpoints: a snapshot is written right after a checkpoint",
            ));
        }
        self.write_snapshot(durable)
    }

    /// Writes a snapshot; the caller holds the gate exclusively.
    fn write_snapshot(&self, durable: &Durable) -> Result<()> {
        durable.journal.flush()?;
        let seq = durable.journal.last_seq();
        let next = journal::path(&durable.dir, seq);
        if next == durable.journal.path() {
            // Nothing was recorded since the last snapshot: its journal is empty, and stays.
            return snapshot::write(self, seq, &snapshot::path(&durable.dir, seq));
        }
        // The journal that follows the snapshot exists before the snapshot is in place: once a
        // reopen starts from the snapshot, the records after it must be where it looks. If the
        // snapshot fails, the journal goes on in its current file, which a reopen still reads.
        let file = Journal::create_next(&next)?;
        if let Err(error) = snapshot::write(self, seq, &snapshot::path(&durable.dir, seq)) {
            let _ = std::fs::remove_file(&next);
            return Err(error);
        }
        durable.journal.continue_in(file, &next);
        files::sync_dir(&durable.dir)?;
        remove_older(&durable.dir, seq)
    }

    /// Writes a snapshot when the journal has passed `store.snapshotEvery` bytes (and, when the
    /// store recovers to checkpoints, the last change was one). Never an error: the call that got
    /// here was applied and its record is durable, so it must not answer as if it failed (a
    /// client would retry it, and apply it twice). A failure is counted in `recovery()`, and the
    /// snapshot is tried again a second later, at a later call.
    pub(crate) fn snapshot_when_due(&self) {
        let Some(durable) = &self.durable else { return };
        if durable.journal.bytes() < self.config.store.snapshot_every
            || (self.snapshots_at_checkpoints() && !durable.at_checkpoint())
            || durable.snapshot_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).waiting()
        {
            return;
        }
        match self.snapshot() {
            // Another change came between the check and the snapshot: the next checkpoint
            // writes it. A failed journal is reported by the next change.
            Ok(()) | Err(JourneyError::InvalidArgument(_)) => {}
            Err(_) if durable.journal.failed_after().is_some() => {}
            Err(error) => {
                durable.snapshot_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).record(&error)
            }
        }
    }

    /// Takes the caller's catalog and config after recovery: the config replaces the stored one
    /// (except a manual clock's `start`: the clock goes on from where it was); the catalog must be
    /// the stored one or an upgrade of it.
    /// Returns whether either changed.
    fn reconfigured(mut self, catalog: Catalog, config: Config, recovery: &mut Recovery) -> Result<(Engine, bool)> {
        let mut changed = false;
        if catalog != self.catalog {
            self = self.with_catalog(catalog)?;
            recovery.catalog_upgraded = true;
            changed = true;
        }
        if let Some(key) = config.digest_key
            && key != self.digest_key
        {
            return Err(JourneyError::InvalidConfig {
                key: "digestKey".into(),
                message: "differs from the store's: its stored digests would no longer compare".into(),
            });
        }
        let config = Config { start: self.config.start, ..config };
        if config != self.config {
            let clock = self.clock.state();
            self.clock = crate::state::clock::Clock::restored(config.clock, clock);
            self.config = config;
            changed = true;
        }
        Ok((self, changed))
    }
}

impl Engine {
    /// An engine holding a snapshot's state, under the catalog and config it was made with.
    fn restore(path: &Path, contents: snapshot::Contents) -> Result<Engine> {
        let header = contents.header;
        let stored = |what: &str, e: JourneyError| JourneyError::corrupt(path, 0, format!("the stored {what}: {e}"));
        let config = Config::from_json(&header.config).map_err(|e| stored("config", e))?;
        let catalog = Catalog::from_json_with_limits(&header.catalog, &config).map_err(|e| stored("catalog", e))?;
        let mut engine = Engine::new(catalog, config)?;
        engine.clock = crate::state::clock::Clock::restored(engine.config.clock, header.clock);
        engine.counters = crate::state::stats::Counters::restored(&header.stats);
        engine.digest_key = header.digest_key;
        engine.sweeps = crate::engine::retention::Sweeps::restored(header.sweeps);
        engine.last_checkpoint = crate::engine::checkpoint::LastCheckpoint::restored(contents.checkpoint);
        contents.customers.into_iter().for_each(|customer| engine.store.restore_customer(customer));
        contents.event_ids.into_iter().for_each(|(id, digest)| engine.store.restore_event_id(id, digest));
        contents.agents.into_iter().for_each(|agent| engine.agents.restore(&agent.id, agent.state));
        contents.actions.into_iter().for_each(|action| engine.actions.restore(action));
        Ok(engine)
    }

    /// The engine under an upgraded catalog: `INVALID_CATALOG` unless `catalog` only adds to the
    /// stored one.
    fn with_catalog(mut self, catalog: Catalog) -> Result<Engine> {
        let remap = crate::model::catalog::plan_upgrade(&self.catalog, &catalog)?;
        catalog.check_limits(&self.config)?;
        self.store.remap(&remap);
        self.catalog = catalog;
        Ok(self)
    }
}

/// The state a reopen would recover, for reads after the journal failed: the newest snapshot and
/// the journal after it through record `durable_through` (the file was cut back to it; a record
/// after it that is still there, because the cut failed, is left out all the same). Nothing in
/// the store is changed: it is still this engine's.
fn read_back(dir: &Path, durable_through: Seq, recover_to: RecoverTo) -> Result<Box<Engine>> {
    let Some(&seq) = files::list(dir, "snapshot", "snap")?.last() else {
        return Err(JourneyError::corrupt(dir, 0, "no snapshot to read back"));
    };
    let mut recovery = Recovery::default();
    recover(dir, seq, recover_to, Some(durable_through), &mut recovery).map(Box::new)
}

/// Rebuilds the engine from snapshot `seq` and replays the journal after it: all of it, or
/// through its last checkpoint record, cutting the rest. With `through`, only the records up to
/// that one are replayed, and the files are left as they are.
fn recover(
    dir: &Path,
    seq: u64,
    recover_to: RecoverTo,
    through: Option<Seq>,
    recovery: &mut Recovery,
) -> Result<Engine> {
    let path = snapshot::path(dir, seq);
    let contents = snapshot::read(&path)?;
    let engine = Engine::restore(&path, contents)?;
    recovery.snapshot_seq = seq;
    let journal_path = journal::path(dir, seq);
    if journal_path.exists() {
        let read = journal::read(&journal_path)?;
        let records = match through {
            Some(last) => &read.records[..read.records.partition_point(|record| record.seq <= last)],
            None => &read.records[..],
        };
        let keep = match recover_to {
            RecoverTo::End => records.len(),
            RecoverTo::Checkpoint => {
                records.iter().rposition(|record| record::is_checkpoint(read.command(record))).map_or(0, |i| i + 1)
            }
        };
        for record in &records[..keep] {
            if record.seq <= seq {
                continue;
            }
            if record.seq != seq + recovery.records_replayed + 1 {
                let message = format!("record {} follows record {}", record.seq, seq + recovery.records_replayed);
                return Err(JourneyError::corrupt(&journal_path, record.offset, message));
            }
            engine.clock.pin(record.now);
            let replayed = record::replay(&engine, &journal_path, &read, record);
            engine.clock.unpin();
            replayed?;
            recovery.records_replayed += 1;
        }
        if through.is_some() {
            return Ok(engine);
        }
        if let Some((offset, bytes)) = read.torn {
            cut(&journal_path, offset)?;
            recovery.torn_bytes_dropped = bytes;
        }
        if let Some(first_dropped) = read.records.get(keep) {
            cut(&journal_path, first_dropped.offset)?;
            recovery.records_after_checkpoint_dropped = (read.records.len() - keep) as u64;
        }
    }
    Ok(engine)
}

/// Truncates a journal at `offset`, where its torn tail starts.
fn cut(path: &Path, offset: u64) -> Result<()> {
    let file = File::options().write(true).open(path).map_err(|e| JourneyError::io("opening", path, e))?;
    file.set_len(offset).and_then(|()| file.sync_all()).map_err(|e| JourneyError::io("truncating", path, e))
}

/// Deletes the snapshots and journals older than snapshot `seq`.
fn remove_older(dir: &Path, seq: u64) -> Result<()> {
    for (prefix, ext) in [("snapshot", "snap"), ("journal", "log")] {
        for old in files::list(dir, prefix, ext)?.into_iter().filter(|&s| s < seq) {
            let path = files::numbered(dir, prefix, old, ext);
            std::fs::remove_file(&path).map_err(|e| JourneyError::io("removing", &path, e))?;
        }
    }
    Ok(())
}

/// A new, empty directory for a test.
#[cfg(test)]
pub(crate) fn test_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("journey-core-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}
