//! The live journal: an append-only file of checksummed records ([`JournalFile`]), and group
//! commit. The record format, and reading a journal file back, are in `frame`.
//!
//! Appending copies a record into an in-memory buffer, under the engine's order lock. A caller that
//! needs its record on disk then calls [`JournalFile::wait`]: the first waiter to find no flush under way
//! writes the whole buffer and fsyncs it, and every caller whose record it covered returns. So one
//! fsync serves every caller that arrived while the previous one ran.
//!
//! A future cannot wait that way: it runs on an event loop (asyncio's, Node's, a server's async
//! workers), which must never block on an fsync. [`JournalFile::poll_durable`] leaves its waker with
//! the journal and asks the journal's sync thread (started on first use) to flush; every flush,
//! whoever leads it, wakes the futures it made durable.

use super::files;
use super::frame::frame;
use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::model::config::SyncMode;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration as StdDuration;

/// Buffered bytes after which a `never`-synced journal writes (without fsync) anyway.
const NEVER_WRITE_AT: usize = 1 << 20;

/// A record's sequence number: its position in the total order of recorded changes.
pub(crate) use crate::engine::journal::Seq;

/// The open journal of a durable engine.
pub(crate) struct JournalFile {
    shared: Arc<Shared>,
    /// The thread that fsyncs an `interval` journal.
    flusher: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The thread that flushes for futures ([`JournalFile::poll_durable`]), started on first use.
    syncer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

struct Shared {
    sync: SyncMode,
    state: Mutex<State>,
    /// Signalled when a flush ends (and when the flusher should stop).
    flushed: Condvar,
    /// Signalled when a future wants a flush (and when the sync thread should stop).
    sync_wanted: Condvar,
}

struct State {
    /// Shared with a flush under way, which writes with no lock held.
    file: Arc<File>,
    path: PathBuf,
    /// Records appended but not yet written.
    buffer: Vec<u8>,
    /// The buffer a flush wrote, kept for its capacity: the next flush swaps it in, so a busy
    /// journal does not regrow its buffer from nothing after every flush.
    spare: Vec<u8>,
    /// The next record's sequence number.
    next_seq: Seq,
    /// Every record up to this one is written and fsynced.
    synced: Seq,
    /// The file's length when the last fsync succeeded: where it is cut back to when a write or
    /// fsync fails, so that no record whose call failed is recovered later.
    synced_bytes: u64,
    /// A flush is writing; others wait for it instead of starting their own.
    flushing: bool,
    /// Why the journal stopped taking records, after a failed write or fsync.
    failed: Option<String>,
    /// Bytes in the current file, written or buffered.
    bytes: u64,
    closing: bool,
    /// Futures waiting for a record to be durable: the record and the waker.
    durable_wakers: Vec<(Seq, Waker)>,
}

impl JournalFile {
    /// Opens `path` for appending, continuing after record `last_seq`.
    pub fn open(path: &Path, last_seq: Seq, sync: SyncMode, interval_ms: u64) -> Result<JournalFile> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| JourneyError::io("opening journal", path, e))?;
        let bytes = file.metadata().map_err(|e| JourneyError::io("reading journal size", path, e))?.len();
        let state = State {
            file: Arc::new(file),
            path: path.to_owned(),
            buffer: Vec::with_capacity(1 << 16),
            spare: Vec::with_capacity(1 << 16),
            next_seq: last_seq + 1,
            synced: last_seq,
            synced_bytes: bytes,
            flushing: false,
            failed: None,
            bytes,
            closing: false,
            durable_wakers: Vec::new(),
        };
        let shared =
            Arc::new(Shared { sync, state: Mutex::new(state), flushed: Condvar::new(), sync_wanted: Condvar::new() });
        let flusher = (sync == SyncMode::Interval)
            .then(|| spawn_flusher(shared.clone(), StdDuration::from_millis(interval_ms)))
            .transpose()?;
        Ok(JournalFile { shared, flusher: Mutex::new(flusher), syncer: Mutex::new(None) })
    }

    /// The sync mode.
    pub fn sync_mode(&self) -> SyncMode {
        self.shared.sync
    }

    /// Appends one record. The caller holds the engine's order lock, so records are numbered and
    /// placed in the order their effects were applied. `Err` once the journal has failed.
    pub fn append(&self, now: Option<Millis>, write_change: impl FnOnce(&mut Vec<u8>)) -> Result<Seq> {
        let mut state = self.shared.lock();
        state.check()?;
        let seq = state.next_seq;
        let before = state.buffer.len();
        frame(&mut state.buffer, seq, now, write_change);
        state.bytes += (state.buffer.len() - before) as u64;
        state.next_seq += 1;
        if self.shared.sync == SyncMode::Never && state.buffer.len() >= NEVER_WRITE_AT {
            let written = (&*state.file).write_all(&state.buffer);
            state.buffer.clear();
            if let Err(e) = written {
                let error = JourneyError::io("writing journal", &state.path.clone(), e);
                return Err(state.fail(error, self.shared.sync));
            }
        }
        Ok(seq)
    }

    /// Fails unless the journal can still take records.
    pub fn check(&self) -> Result<()> {
        self.shared.lock().check()
    }

    /// Returns once record `seq` is written and fsynced (group commit).
    pub fn wait(&self, seq: Seq) -> Result<()> {
        self.shared.flush_through(seq)
    }

    /// [`JournalFile::wait`] for a future: `Ready` once record `seq` is written and fsynced (or the
    /// journal failed); otherwise leaves the waker, has the sync thread flush, and is `Pending`.
    pub fn poll_durable(&self, seq: Seq, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let mut state = self.shared.lock();
        if state.synced >= seq {
            return Poll::Ready(Ok(()));
        }
        if let Err(error) = state.check() {
            return Poll::Ready(Err(error));
        }
        state.durable_wakers.push((seq, cx.waker().clone()));
        drop(state);
        self.shared.sync_wanted.notify_one();
        self.start_syncer();
        Poll::Pending
    }

    fn start_syncer(&self) {
        let mut syncer = self.syncer.lock().unwrap_or_else(PoisonError::into_inner);
        if syncer.is_none() {
            let shared = self.shared.clone();
            // If the thread cannot start, the next blocking caller's flush still wakes the futures.
            *syncer = std::thread::Builder::new().name("journey-journal-sync".into()).spawn(move || sync(&shared)).ok();
        }
    }

    /// Writes and fsyncs every record appended so far.
    pub fn flush(&self) -> Result<()> {
        let last = self.shared.lock().next_seq - 1;
        self.shared.flush_through(last)
    }

    /// After a failed write or fsync, the last record that was durable before it (the journal was
    /// cut back to it); `None` while the journal works.
    pub fn failed_after(&self) -> Option<Seq> {
        let state = self.shared.lock();
        // Under `never` nothing is fsynced as it goes, and the file is not cut: whatever it holds
        // whole is what a reopen recovers.
        let durable = if self.shared.sync == SyncMode::Never { Seq::MAX } else { state.synced };
        state.failed.is_some().then_some(durable)
    }

    /// Why the journal failed, if it has.
    pub fn failure(&self) -> Option<String> {
        self.shared.lock().failed.clone()
    }

    /// The number of the last record appended.
    pub fn last_seq(&self) -> Seq {
        self.shared.lock().next_seq - 1
    }

    /// Bytes in the current journal file.
    pub fn bytes(&self) -> u64 {
        self.shared.lock().bytes
    }

    /// The file records are appended to now.
    pub fn path(&self) -> PathBuf {
        self.shared.lock().path.clone()
    }

    /// Creates the empty file that [`JournalFile::continue_in`] will move to.
    pub fn create_next(path: &Path) -> Result<File> {
        File::options()
            .create(true)
            .truncate(true)
            .write(true)
            .open(path)
            .map_err(|e| JourneyError::io("creating journal", path, e))
    }

    /// Continues in `file`, new and empty, at `path` (after a snapshot). Everything appended must
    /// be flushed.
    pub fn continue_in(&self, file: File, path: &Path) {
        let mut state = self.shared.lock();
        debug_assert!(state.buffer.is_empty(), "rotated with records not flushed");
        state.file = Arc::new(file);
        state.path = path.to_owned();
        state.bytes = 0;
        state.synced_bytes = 0;
    }
}

impl JournalFile {
    /// Stops taking records (every later change fails: the store is closed) and stops the flush
    /// thread. Everything appended must have been flushed.
    pub fn close(&self) {
        let waiting = {
            let mut state = self.shared.lock();
            state.closing = true;
            std::mem::take(&mut state.durable_wakers)
        };
        // A future still waiting is told: its next poll sees the journal closed.
        waiting.into_iter().for_each(|(_, waker)| waker.wake());
        self.shared.flushed.notify_all();
        self.shared.sync_wanted.notify_all();
        for thread in [&self.flusher, &self.syncer] {
            if let Some(thread) = thread.lock().unwrap_or_else(PoisonError::into_inner).take() {
                let _ = thread.join();
            }
        }
    }

    /// Whether [`JournalFile::close`] ran.
    pub fn is_closed(&self) -> bool {
        self.shared.lock().closing
    }
}

impl Drop for JournalFile {
    /// Writes and fsyncs what is buffered (an engine dropped without `close`, under `interval` or
    /// `never`, loses nothing a crash would not), then stops the flush thread.
    fn drop(&mut self) {
        let _ = self.flush();
        self.close();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Group commit: waits for a flush that covers `seq`, leading one when none is under way.
    fn flush_through(&self, seq: Seq) -> Result<()> {
        let mut state = self.lock();
        loop {
            if state.synced >= seq {
                return Ok(());
            }
            state.check()?;
            if !state.flushing {
                break;
            }
            state = self.flushed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        state.flushing = true;
        let spare = std::mem::take(&mut state.spare);
        let mut buffer = std::mem::replace(&mut state.buffer, spare);
        let through = state.next_seq - 1;
        // Everything appended so far is written once this flush's buffer is.
        let length_through = state.bytes;
        let (file, path) = (state.file.clone(), state.path.clone());
        drop(state);
        // Written and fsynced with no lock held: appends go on into the spare buffer meanwhile.
        let written = (&*file).write_all(&buffer).and_then(|()| file.sync_data());
        let mut state = self.lock();
        state.flushing = false;
        buffer.clear();
        state.spare = buffer;
        let result = match written {
            Ok(()) => {
                state.synced = state.synced.max(through);
                state.synced_bytes = state.synced_bytes.max(length_through);
                Ok(())
            }
            Err(e) => Err(state.fail(JourneyError::io("writing journal", &path, e), self.sync)),
        };
        let woken = state.take_durable_wakers();
        drop(state);
        self.flushed.notify_all();
        woken.into_iter().for_each(Waker::wake);
        result
    }
}

impl State {
    /// The wakers of the futures a flush just answered: made durable, or stopped with the journal.
    fn take_durable_wakers(&mut self) -> Vec<Waker> {
        let (synced, stopped) = (self.synced, self.failed.is_some() || self.closing);
        let mut woken = Vec::new();
        self.durable_wakers.retain(|(seq, waker)| {
            let answered = stopped || *seq <= synced;
            if answered {
                woken.push(waker.clone());
            }
            !answered
        });
        woken
    }

    fn check(&self) -> Result<()> {
        match &self.failed {
            _ if self.closing => Err(JourneyError::Io("the store is closed; open it again to change it".into())),
            None => Ok(()),
            Some(why) => Err(JourneyError::Io(format!("the journal failed earlier ({why}); reopen the store"))),
        }
    }

    /// Marks the journal failed: a failed fsync cannot be retried safely (the kernel may have
    /// dropped the pages), so no later change may claim to be durable. The file is cut back to
    /// its last durable record, so that a reopen recovers exactly what was acknowledged: a record
    /// written whole before its fsync failed belongs to a call that answered an error.
    fn fail(&mut self, error: JourneyError, sync: SyncMode) -> JourneyError {
        if self.failed.is_some() {
            return error;
        }
        let mut why = error.to_string();
        // Under `never`, writes are not fsynced as they go: what the file holds is all there is.
        if sync != SyncMode::Never {
            let cut = self.file.set_len(self.synced_bytes).and_then(|()| self.file.sync_data());
            if let Err(e) = cut {
                why = format!("{why}; cutting it back to its last durable record also failed ({e})");
            }
        }
        self.failed = Some(why);
        error
    }
}

/// Starts the thread that flushes an `interval` journal every `period`.
fn spawn_flusher(shared: Arc<Shared>, period: StdDuration) -> Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("journey-journal-flush".into())
        .spawn(move || {
            loop {
                let state = shared.lock();
                let (state, _) = shared.flushed.wait_timeout(state, period).unwrap_or_else(PoisonError::into_inner);
                if state.closing {
                    return;
                }
                let last = state.next_seq - 1;
                drop(state);
                // A failure is kept in the state, and the next change reports it.
                let _ = shared.flush_through(last);
            }
        })
        .map_err(|e| JourneyError::Io(format!("starting the journal flush thread: {e}")))
}

/// The sync thread: flushes whenever a future waits for a record to be durable, until closed.
fn sync(shared: &Shared) {
    loop {
        let mut state = shared.lock();
        while state.durable_wakers.is_empty() && !state.closing {
            state = shared.sync_wanted.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        if state.closing {
            return;
        }
        let last = state.durable_wakers.iter().map(|(seq, _)| *seq).max().unwrap_or(state.synced);
        drop(state);
        // The flush wakes the futures it covers. One that does not flush at all (the journal
        // failed or closed meanwhile) wakes none: those are woken here, and see the error.
        if shared.flush_through(last).is_err() {
            let woken = shared.lock().take_durable_wakers();
            woken.into_iter().for_each(Waker::wake);
        }
    }
}

/// The journal file that follows snapshot `seq` in `dir`.
pub(crate) fn path(dir: &Path, at: files::At) -> PathBuf {
    files::numbered(dir, "journal", at, "log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_waiters_share_fsyncs_and_all_become_durable() {
        let dir = crate::durable::test_dir();
        let path = dir.path().join("j.log");
        let journal = JournalFile::open(&path, 0, SyncMode::Always, 1000).unwrap();
        let order = Mutex::new(());
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        let seq = {
                            let _order = order.lock().unwrap();
                            journal.append(Some(1), |out| out.extend_from_slice(b"{}")).unwrap()
                        };
                        journal.wait(seq).unwrap();
                    }
                });
            }
        });
        let read = super::super::frame::read(&path).unwrap();
        assert_eq!(read.records.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=200).collect::<Vec<_>>());
    }
}
