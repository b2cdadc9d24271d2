//! A durable engine (docs/durability.md): a journal of every change, snapshots, and recovery.
//!
//! The design, with its file formats and failure cases, is docs/durability.md. In short:
//! [`Engine::open`] locks the store directory, loads the newest snapshot, replays the journal after
//! it (each record at its recorded `now`, through the same code as a live call), applies the
//! caller's catalog and config, and attaches the journal so that every later change is recorded.

mod files;
mod frame;
mod journal;
mod snapshot;

use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::engine::Engine;
use crate::engine::change::{Change, Replayed, is_checkpoint, is_erasure};
use crate::engine::journal::{Journal, Recovery, Seq};
use crate::model::catalog::Catalog;
use crate::model::config::{Config, RecoverTo, SyncMode};
use files::At;
use journal::JournalFile;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The journal and files of a durable engine.
pub(crate) struct Durable {
    journal: JournalFile,
    dir: PathBuf,
    /// This owner's epoch (`store.epoch`, or the store's own): its files are named with it, and
    /// a newer one in `DIR/EPOCH` fences it.
    epoch: u64,
    recovery: Recovery,
    /// Held until the engine is closed or dropped.
    lock: std::sync::Mutex<Option<File>>,
    /// The record number of the last checkpoint (or of the snapshot recovered from, which is
    /// one): with `recoverTo: "checkpoint"`, snapshots are written only when it is the last record.
    checkpoint_seq: AtomicU64,
    /// After the journal failed: the state a reopen would recover, read back from the store, which
    /// every read serves from then on (see `Engine::failed_view`).
    failed_view: std::sync::OnceLock<Result<Box<Engine>>>,
    /// Snapshots that failed after the records they would cover were durable.
    snapshot_failures: std::sync::Mutex<SnapshotFailures>,
    /// An erasure's record is in the journal and the store's files still hold what it erased,
    /// until the next snapshot rewrites them (docs/identity.md, "Erasure").
    erasure_pending: std::sync::atomic::AtomicBool,
    /// `store.recoverTo` is `"checkpoint"`.
    recover_to_checkpoint: bool,
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

impl Journal for Durable {
    fn check(&self) -> Result<()> {
        self.journal.check()
    }

    fn append(&self, now: Option<Millis>, change: &Change<'_>) -> Result<Seq> {
        let seq = self.journal.append(now, |out| change.write_json(out))?;
        if let Change::Erased(_) = change {
            // Noted under the order lock, with the record: a snapshot that comes before the
            // erasure's own rewrite completes it, and recovery to a checkpoint never drops it.
            self.erasure_pending.store(true, Ordering::SeqCst);
            self.checkpointed(seq);
        }
        Ok(seq)
    }

    fn sync_mode(&self) -> SyncMode {
        self.journal.sync_mode()
    }

    fn last_seq(&self) -> Seq {
        self.journal.last_seq()
    }

    fn wait(&self, seq: Seq) -> Result<()> {
        self.journal.wait(seq)
    }

    fn poll_durable(&self, seq: Seq, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<()>> {
        self.journal.poll_durable(seq, cx)
    }

    fn check_fence(&self) -> Result<()> {
        files::check_fence(&self.dir, self.epoch)
    }

    fn checkpointed(&self, seq: Seq) {
        self.checkpoint_seq.fetch_max(seq, Ordering::SeqCst);
    }

    fn failed_view(&self, engine: &Engine) -> Result<Option<&Engine>> {
        let Some(durable_through) = self.journal.failed_after() else { return Ok(None) };
        let recover_to = engine.config().store.recover_to;
        let view = self.failed_view.get_or_init(|| read_back(&self.dir, self.epoch, durable_through, recover_to));
        match view {
            Ok(engine) => Ok(Some(engine)),
            Err(error) => {
                Err(JourneyError::Io(format!("the journal failed, and reading the store back failed too: {error}")))
            }
        }
    }

    fn recovery(&self) -> Recovery {
        let failures = self.snapshot_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Recovery {
            snapshots_failed: failures.count,
            last_snapshot_error: failures.last_error.clone(),
            journal_error: self.journal.failure(),
            ..self.recovery.clone()
        }
    }

    /// Never an error: the call that got here was applied and its record is durable, so it must
    /// not answer as if it failed (a client would retry it, and apply it twice). A failure is
    /// counted in `recovery()`, and the snapshot is tried again a second later, at a later call.
    fn snapshot_when_due(&self, engine: &Engine) {
        let erasure = self.erasure_pending.load(Ordering::SeqCst);
        if (self.journal.bytes() < engine.config().store.snapshot_every && !erasure)
            || (engine.snapshots_at_checkpoints() && !self.at_checkpoint())
            || self.snapshot_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).waiting()
        {
            return;
        }
        match engine.snapshot() {
            // Another change came between the check and the snapshot: the next checkpoint
            // writes it. A failed journal is reported by the next change.
            Ok(()) | Err(JourneyError::InvalidArgument(_)) => {}
            Err(_) if self.journal.failed_after().is_some() => {}
            Err(error) => {
                self.snapshot_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).record(&error)
            }
        }
    }

    fn snapshot(&self, engine: &Engine) -> Result<()> {
        self.journal.check()?;
        if engine.snapshots_at_checkpoints() && !self.at_checkpoint() {
            return Err(JourneyError::invalid_argument(
                "this store recovers to checkpoints: a snapshot is written right after a checkpoint",
            ));
        }
        self.write_snapshot(engine)
    }

    fn check_erasure(&self) -> Result<()> {
        self.journal.check()?;
        if self.recover_to_checkpoint && !self.at_checkpoint() {
            return Err(JourneyError::invalid_argument(
                "this store recovers to checkpoints: erase right after a checkpoint (an erasure writes a snapshot at once)",
            ));
        }
        Ok(())
    }

    fn complete_erasure(&self, engine: &Engine) -> Result<()> {
        if !self.erasure_pending.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.journal.check()?;
        self.write_snapshot(engine)
    }

    fn close(&self, engine: &Engine) -> Result<()> {
        if self.journal.is_closed() {
            return Ok(());
        }
        // A stale owner (a newer epoch opened the store) closes without a snapshot: its files are
        // nobody's any more, and it must still let go of them.
        let fenced = files::check_fence(&self.dir, self.epoch).is_err();
        if fenced || (engine.snapshots_at_checkpoints() && !self.at_checkpoint()) {
            self.journal.flush()?;
        } else {
            self.write_snapshot(engine)?;
        }
        self.journal.close();
        self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        Ok(())
    }
}

impl Durable {
    /// Whether the journal ends with a checkpoint (or holds nothing since the last snapshot).
    fn at_checkpoint(&self) -> bool {
        self.journal.last_seq() == self.checkpoint_seq.load(Ordering::SeqCst)
    }

    /// The position of files written after record `seq` by this owner.
    fn at(&self, seq: Seq) -> At {
        At { epoch: self.epoch, seq }
    }

    /// Writes a snapshot of `engine`; the caller holds the gate exclusively. `STORE_LOCKED` when a
    /// newer owner has opened the store.
    fn write_snapshot(&self, engine: &Engine) -> Result<()> {
        files::check_fence(&self.dir, self.epoch)?;
        self.journal.flush()?;
        let seq = self.journal.last_seq();
        let next = journal::path(&self.dir, self.at(seq));
        if next == self.journal.path() {
            // Nothing was recorded since the last snapshot: its journal is empty, and stays. (An
            // erasure's record is in the last snapshot, which deleted the files before it.)
            snapshot::write(engine, seq, &snapshot::path(&self.dir, self.at(seq)))?;
            self.erasure_pending.store(false, Ordering::SeqCst);
            return Ok(());
        }
        // The journal that follows the snapshot exists before the snapshot is in place: once a
        // reopen starts from the snapshot, the records after it must be where it looks. If the
        // snapshot fails, the journal goes on in its current file, which a reopen still reads.
        let file = JournalFile::create_next(&next)?;
        if let Err(error) = snapshot::write(engine, seq, &snapshot::path(&self.dir, self.at(seq))) {
            let _ = std::fs::remove_file(&next);
            return Err(error);
        }
        self.journal.continue_in(file, &next);
        files::sync_dir(&self.dir)?;
        // Every record so far is in the snapshot: an erasure's rewrite is done once the older
        // files are gone from the directory. Only files before this one go: a newer owner's
        // come after it, whatever their numbers.
        remove_older(&self.dir, self.at(seq))?;
        files::sync_dir(&self.dir)?;
        self.erasure_pending.store(false, Ordering::SeqCst);
        Ok(())
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
        let epoch = claim_epoch(dir, config.store.epoch, newest_snapshot(dir)?)?;
        let mut recovery = Recovery::default();
        let (engine, changed) = match recover_newest(dir, epoch, config.store.recover_to, &mut recovery)? {
            None if !files::list(dir, "journal", "log")?.is_empty() => {
                let message = "journal files but no snapshot: a store always has one (was it deleted?)";
                return Err(JourneyError::corrupt(dir, 0, message));
            }
            None => {
                recovery.created = true;
                (Engine::new(catalog, config)?, true)
            }
            Some((recovered, older_owner)) => {
                let (engine, upgraded, changed) = recovered.reconfigured(catalog, config)?;
                recovery.catalog_upgraded = upgraded;
                (engine, changed || older_owner)
            }
        };
        let last_seq = recovery.snapshot_seq + recovery.records_replayed;
        let at = |seq| At { epoch, seq };
        // A new store, or a new catalog or config: the records to come are made under the new
        // ones, so the state before them is fixed in a snapshot made under them too. An erasure
        // replayed from the journal is rewritten out of the files before the store opens. A new
        // owner starts its own files, so it never appends to an older owner's journal.
        let base = if changed || recovery.erasures_completed > 0 {
            snapshot::write(&engine, last_seq, &snapshot::path(dir, at(last_seq)))?;
            let journal_path = journal::path(dir, at(last_seq));
            std::fs::write(&journal_path, b"").map_err(|e| JourneyError::io("creating", &journal_path, e))?;
            files::sync_dir(dir)?;
            remove_older(dir, at(last_seq))?;
            last_seq
        } else {
            // Files older than the snapshot recovered from are not needed; a crash between a
            // snapshot's rename and their deletion left them, and they may hold what an erasure
            // removed.
            remove_older(dir, at(recovery.snapshot_seq))?;
            files::sync_dir(dir)?;
            recovery.snapshot_seq
        };
        let store = engine.config().store;
        let journal = JournalFile::open(&journal::path(dir, at(base)), last_seq, store.sync, store.interval_ms)?;
        Ok(engine.with_journal(Box::new(Durable {
            journal,
            dir: dir.to_owned(),
            epoch,
            recovery,
            lock: std::sync::Mutex::new(Some(lock)),
            checkpoint_seq: AtomicU64::new(last_seq),
            failed_view: std::sync::OnceLock::new(),
            snapshot_failures: Default::default(),
            erasure_pending: Default::default(),
            recover_to_checkpoint: store.recover_to == RecoverTo::Checkpoint,
        })))
    }
}

impl Engine {
    /// Opens an existing store under the catalog and config it holds (its newest snapshot's), for
    /// a tool that works on a store without being told its settings (`journey erase`).
    /// `STORE_LOCKED` when another engine has it open; `INVALID_ARGUMENT` when `dir` holds no
    /// store.
    pub fn open_stored(dir: impl AsRef<Path>) -> Result<Engine> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(JourneyError::invalid_argument(format!("{}: no such directory", dir.display())));
        }
        let (catalog, config) = {
            let _lock = files::lock(dir)?;
            let Some(&at) = files::list(dir, "snapshot", "snap")?.last() else {
                return Err(JourneyError::invalid_argument(format!("{}: holds no store", dir.display())));
            };
            snapshot::read_settings(&snapshot::path(dir, at))?
        };
        let stored = |what: &str, e: JourneyError| JourneyError::corrupt(dir, 0, format!("the stored {what}: {e}"));
        let config = Config::from_json(&config).map_err(|e| stored("config", e))?;
        let catalog = Catalog::from_json_with_limits(&catalog, &config).map_err(|e| stored("catalog", e))?;
        Engine::open(dir, catalog, config)
    }
}

/// The state a reopen would recover, for reads after the journal failed: the newest snapshot and
/// the journal after it through record `durable_through` (the file was cut back to it; a record
/// after it that is still there, because the cut failed, is left out all the same). Nothing in
/// the store is changed: it is still this engine's.
fn read_back(dir: &Path, epoch: u64, durable_through: Seq, recover_to: RecoverTo) -> Result<Box<Engine>> {
    // This owner's newest snapshot: a newer owner's files are not what this one's journal follows.
    let Some(&at) = files::list(dir, "snapshot", "snap")?.iter().rev().find(|at| at.epoch == epoch) else {
        return Err(JourneyError::corrupt(dir, 0, "no snapshot to read back"));
    };
    let mut recovery = Recovery::default();
    recover(dir, at, recover_to, Files::ReadThrough(durable_through), &mut recovery).map(Box::new)
}

/// The epoch this open owns the store under: `wanted` (`store.epoch`), or the store's own when
/// none is given. The store's epoch is the one in `DIR/EPOCH` or the newest snapshot's, whichever
/// is higher; `STORE_LOCKED` ("fenced") when `wanted` is below it. A higher `wanted` is written to
/// `DIR/EPOCH` before the store is read, so every check an older owner makes from then on fails.
fn claim_epoch(dir: &Path, wanted: Option<u64>, newest: Option<At>) -> Result<u64> {
    let written = files::read_epoch(dir)?;
    let store_epoch = written.max(newest.map_or(0, |at| at.epoch));
    match wanted {
        None => Ok(store_epoch),
        Some(epoch) if epoch < store_epoch => Err(files::fenced(dir, store_epoch, epoch)),
        Some(epoch) => {
            if epoch > written {
                files::raise_epoch(dir, epoch)?;
            }
            Ok(epoch)
        }
    }
}

/// The newest snapshot's position, in (epoch, number) order.
fn newest_snapshot(dir: &Path) -> Result<Option<At>> {
    Ok(files::list(dir, "snapshot", "snap")?.last().copied())
}

/// How many times an open reads an older owner's files again when they changed under it.
const OLDER_OWNER_READS: usize = 5;

/// Recovers the state of the newest snapshot and its journal (`None`: the store has no snapshot),
/// and whether they are an older owner's (an epoch below `epoch`). An older owner's files are
/// read, never changed, and may change under the read: that owner may be writing a snapshot and
/// deleting the files before it. A journal gone before the read, or a read that failed while the
/// newest snapshot changed, is read again from the newest snapshot then.
fn recover_newest(
    dir: &Path,
    epoch: u64,
    recover_to: RecoverTo,
    recovery: &mut Recovery,
) -> Result<Option<(Engine, bool)>> {
    let mut attempt = 0;
    loop {
        let Some(at) = newest_snapshot(dir)? else { return Ok(None) };
        if at.epoch >= epoch {
            return recover(dir, at, recover_to, Files::Cut, recovery).map(|engine| Some((engine, false)));
        }
        attempt += 1;
        let mut this_read = Recovery::default();
        let moved_on = |dir: &Path| newest_snapshot(dir).ok().flatten() != Some(at);
        if !journal::path(dir, at).exists() && attempt < OLDER_OWNER_READS {
            continue; // deleted after a newer snapshot of the older owner's: read that one
        }
        match recover(dir, at, recover_to, Files::Leave, &mut this_read) {
            Ok(engine) => {
                *recovery = this_read;
                return Ok(Some((engine, true)));
            }
            Err(_) if attempt < OLDER_OWNER_READS && moved_on(dir) => continue,
            Err(error) => return Err(error),
        }
    }
}

/// What recovery may do to the journal it replays.
#[derive(Clone, Copy)]
enum Files {
    /// Cut a torn tail and the records after the last checkpoint off the file: it is this
    /// owner's from now on.
    Cut,
    /// Leave the file as it is (an older owner's, which it may still be writing): what follows
    /// the last checkpoint, or a torn tail, is only left out of the replay.
    Leave,
    /// Replay only the records through this one and leave the file as it is (reads after the
    /// journal failed).
    ReadThrough(Seq),
}

/// Rebuilds the engine from the snapshot at `at` and replays the journal after it: all of it, or
/// through its last checkpoint record, cutting the rest when `files` allows (see [`Files`]).
fn recover(dir: &Path, at: At, recover_to: RecoverTo, files: Files, recovery: &mut Recovery) -> Result<Engine> {
    let seq = at.seq;
    let path = snapshot::path(dir, at);
    let (_, image) = snapshot::read(&path)?;
    let stored = |what: &str, e: JourneyError| JourneyError::corrupt(&path, 0, format!("the stored {what}: {e}"));
    let engine = Engine::from_image(image, stored)?;
    recovery.snapshot_seq = seq;
    let journal_path = journal::path(dir, at);
    if journal_path.exists() {
        let read = frame::read(&journal_path)?;
        let records = match files {
            Files::ReadThrough(last) => &read.records[..read.records.partition_point(|record| record.seq <= last)],
            Files::Cut | Files::Leave => &read.records[..],
        };
        let keep = match recover_to {
            RecoverTo::End => records.len(),
            RecoverTo::Checkpoint => {
                // An erasure is kept as a checkpoint is: what it erased must not come back.
                let kept = |record: &frame::RecordRead| {
                    let change = read.change(record);
                    is_checkpoint(change) || is_erasure(change)
                };
                records.iter().rposition(kept).map_or(0, |i| i + 1)
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
            replay(&engine, &journal_path, read.change(record), record)?;
            recovery.records_replayed += 1;
            recovery.erasures_completed += is_erasure(read.change(record)) as u64;
        }
        if matches!(files, Files::ReadThrough(_)) {
            return Ok(engine);
        }
        let cut_files = matches!(files, Files::Cut);
        if let Some((offset, bytes)) = read.torn {
            if cut_files {
                cut(&journal_path, offset)?;
            }
            recovery.torn_bytes_dropped = bytes;
        }
        if let Some(first_dropped) = read.records.get(keep) {
            if cut_files {
                cut(&journal_path, first_dropped.offset)?;
            }
            recovery.records_after_checkpoint_dropped = (read.records.len() - keep) as u64;
        }
    }
    Ok(engine)
}

/// Applies one record to an engine being recovered. A record that does not apply as it did when it
/// was made is `CORRUPT_STORE`: replay must give the state the journal describes, or say that it
/// cannot.
fn replay(engine: &Engine, file: &Path, change: &[u8], record: &frame::RecordRead) -> Result<()> {
    let corrupt =
        |message: String| JourneyError::corrupt(file, record.offset, format!("record {}: {message}", record.seq));
    let change = Replayed::parse(change).map_err(corrupt)?;
    engine.apply_change(record.now, &change)?.map_err(corrupt)
}

/// Truncates a journal at `offset`, where its torn tail starts.
fn cut(path: &Path, offset: u64) -> Result<()> {
    let file = File::options().write(true).open(path).map_err(|e| JourneyError::io("opening", path, e))?;
    file.set_len(offset).and_then(|()| file.sync_all()).map_err(|e| JourneyError::io("truncating", path, e))
}

/// Deletes the snapshots and journals before the snapshot at `at`, in (epoch, number) order.
fn remove_older(dir: &Path, at: At) -> Result<()> {
    for (prefix, ext) in [("snapshot", "snap"), ("journal", "log")] {
        for old in files::list(dir, prefix, ext)?.into_iter().filter(|&old| old < at) {
            let path = files::numbered(dir, prefix, old, ext);
            match std::fs::remove_file(&path) {
                // An older owner that goes on writing deletes its own old files too.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                removed => removed.map_err(|e| JourneyError::io("removing", &path, e))?,
            }
        }
    }
    Ok(())
}

/// A new, empty directory for a test, removed when dropped.
#[cfg(test)]
pub(crate) fn test_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("journey-core-test-").tempdir().expect("a temporary directory")
}
