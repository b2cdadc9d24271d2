//! The journal: an append-only file of checksummed records, and group commit.
//!
//! Record framing (docs/durability.md):
//! `magic u32 | length u32 | crc32c(length ‖ payload) u32 | payload`, all little-endian, where the
//! payload is `seq u64 | now i64 | command JSON`.
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
use crate::base::error::{JourneyError, Result};
use crate::base::time::Millis;
use crate::model::config::SyncMode;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration as StdDuration;

/// Marks the start of every record ("JRN1").
pub(crate) const RECORD_MAGIC: u32 = u32::from_le_bytes(*b"JRN1");
/// Bytes before a record's payload: magic, length, checksum.
pub(crate) const HEADER_BYTES: usize = 12;
/// Bytes of a payload before the command JSON: seq and now.
const PAYLOAD_PREFIX: usize = 16;
/// The `now` of a record decided before the engine had a time (an event clock with no event).
const NO_TIME: i64 = i64::MIN;
/// Buffered bytes after which a `never`-synced journal writes (without fsync) anyway.
const NEVER_WRITE_AT: usize = 1 << 20;
/// The largest record payload read back: a record is one command, whose event is at most 64 MiB.
const MAX_PAYLOAD: usize = 256 << 20;

/// A record's sequence number: its position in the total order of recorded changes.
pub(crate) use crate::engine::journal::Seq;

/// One record read back from a journal file; its command stays in the file's bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordRead {
    /// Byte offset of the record in its file.
    pub offset: u64,
    pub seq: Seq,
    pub now: Option<Millis>,
    /// Where the command's JSON text is in the file.
    command: std::ops::Range<usize>,
}

/// What reading a journal file found.
#[derive(Debug, Default)]
pub(crate) struct JournalRead {
    /// The whole file.
    bytes: Vec<u8>,
    pub records: Vec<RecordRead>,
    /// Where a torn tail starts and how many bytes it has, when the file ends in one.
    pub torn: Option<(u64, u64)>,
}

impl JournalRead {
    /// A record's command, as JSON text.
    pub fn command(&self, record: &RecordRead) -> &[u8] {
        &self.bytes[record.command.clone()]
    }
}

/// Appends one framed record holding `seq`, `now` and the JSON that `write_command` writes.
pub(crate) fn frame(out: &mut Vec<u8>, seq: Seq, now: Option<Millis>, write_command: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER_BYTES]);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&now.unwrap_or(NO_TIME).to_le_bytes());
    write_command(out);
    let length = (out.len() - start - HEADER_BYTES) as u32;
    let crc = crc32c::crc32c_append(crc32c::crc32c(&length.to_le_bytes()), &out[start + HEADER_BYTES..]);
    out[start..start + 4].copy_from_slice(&RECORD_MAGIC.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&length.to_le_bytes());
    out[start + 8..start + 12].copy_from_slice(&crc.to_le_bytes());
}

/// Reads the record at `offset` of `bytes`; `None` when no whole, valid record starts there.
fn record_at(bytes: &[u8], offset: usize) -> Option<(RecordRead, usize)> {
    let header = bytes.get(offset..offset + HEADER_BYTES)?;
    let word = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().expect("4 bytes"));
    let (magic, length, crc) = (word(0), word(4) as usize, word(8));
    if magic != RECORD_MAGIC || !(PAYLOAD_PREFIX..=MAX_PAYLOAD).contains(&length) {
        return None;
    }
    let payload = bytes.get(offset + HEADER_BYTES..offset + HEADER_BYTES + length)?;
    if crc32c::crc32c_append(crc32c::crc32c(&(length as u32).to_le_bytes()), payload) != crc {
        return None;
    }
    let seq = u64::from_le_bytes(payload[0..8].try_into().expect("8 bytes"));
    let now = i64::from_le_bytes(payload[8..16].try_into().expect("8 bytes"));
    let start = offset + HEADER_BYTES + PAYLOAD_PREFIX;
    let record = RecordRead {
        offset: offset as u64,
        seq,
        now: (now != NO_TIME).then_some(now),
        command: start..offset + HEADER_BYTES + length,
    };
    Some((record, offset + HEADER_BYTES + length))
}

/// Reads every record of a journal file. A bad record followed by no valid one is a torn tail (a
/// crash mid-write); a bad record with a valid one anywhere after it is `CORRUPT_STORE`.
pub(crate) fn read(path: &Path) -> Result<JournalRead> {
    let file = std::fs::read(path).map_err(|e| JourneyError::io("reading", path, e))?;
    let mut read = JournalRead::default();
    let mut offset = 0;
    let bytes = &file[..];
    while offset < bytes.len() {
        match record_at(bytes, offset) {
            Some((record, next)) => {
                if let Some(last) = read.records.last()
                    && record.seq <= last.seq
                {
                    return Err(JourneyError::corrupt(path, offset as u64, "records out of order"));
                }
                read.records.push(record);
                offset = next;
            }
            None => {
                if let Some(later) = (offset + 1..bytes.len()).find(|&at| record_at(bytes, at).is_some()) {
                    let message = format!("a damaged record, with a valid record after it at byte {later}");
                    return Err(JourneyError::corrupt(path, offset as u64, message));
                }
                read.torn = Some((offset as u64, (bytes.len() - offset) as u64));
                break;
            }
        }
    }
    read.bytes = file;
    Ok(read)
}

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
    pub fn append(&self, now: Option<Millis>, write_command: impl FnOnce(&mut Vec<u8>)) -> Result<Seq> {
        let mut state = self.shared.lock();
        state.check()?;
        let seq = state.next_seq;
        let before = state.buffer.len();
        frame(&mut state.buffer, seq, now, write_command);
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
pub(crate) fn path(dir: &Path, seq: Seq) -> PathBuf {
    files::numbered(dir, "journal", seq, "log")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(records: &[(Seq, Option<Millis>, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (seq, now, json) in records {
            frame(&mut out, *seq, *now, |out| out.extend_from_slice(json.as_bytes()));
        }
        out
    }

    fn read_bytes(bytes: &[u8]) -> Result<JournalRead> {
        let dir = crate::durable::test_dir();
        let path = dir.join("j.log");
        std::fs::write(&path, bytes).unwrap();
        read(&path)
    }

    #[test]
    fn records_round_trip() {
        let bytes = framed(&[(1, Some(5), r#"{"op":"stats"}"#), (2, None, "{}")]);
        let read = read_bytes(&bytes).unwrap();
        assert_eq!(read.records.len(), 2);
        assert_eq!((read.records[0].seq, read.records[0].now), (1, Some(5)));
        assert_eq!(read.records[1].now, None);
        assert_eq!(read.command(&read.records[1]), b"{}");
        assert_eq!(read.torn, None);
    }

    #[test]
    fn a_torn_tail_is_cut_at_every_length() {
        let whole = framed(&[(1, Some(1), r#"{"op":"a"}"#), (2, Some(2), r#"{"op":"bb"}"#)]);
        let first_len = framed(&[(1, Some(1), r#"{"op":"a"}"#)]).len();
        for cut in first_len..whole.len() {
            let read = read_bytes(&whole[..cut]).unwrap();
            assert_eq!(read.records.len(), 1, "cut at {cut}");
            assert_eq!(read.torn, (cut > first_len).then_some((first_len as u64, (cut - first_len) as u64)));
        }
    }

    #[test]
    fn damage_before_a_valid_record_is_corruption() {
        let mut bytes = framed(&[(1, Some(1), r#"{"op":"a"}"#), (2, Some(2), r#"{"op":"b"}"#)]);
        bytes[HEADER_BYTES + 3] ^= 0x40;
        let err = read_bytes(&bytes).unwrap_err();
        assert_eq!(err.code(), "CORRUPT_STORE");
        assert!(matches!(err, JourneyError::CorruptStore { offset: 0, .. }), "{err}");
    }

    #[test]
    fn concurrent_waiters_share_fsyncs_and_all_become_durable() {
        let dir = crate::durable::test_dir();
        let path = dir.join("j.log");
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
        let read = read(&path).unwrap();
        assert_eq!(read.records.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=200).collect::<Vec<_>>());
    }
}
