//! Streaming NDJSON ingest: a file of any size, read line by line with memory bounded by
//! `maxEventBytes`, so a host can replay a 100 GB export without loading it.
//!
//! The result keeps totals and only the first rejections (with their line numbers): returning one
//! outcome per line would make the result as large as the input.

use crate::base::error::{JourneyError, Result};
use crate::base::error::{Violation, ViolationCode};
use crate::base::interrupt::Interrupt;
use crate::engine::Engine;
use crate::engine::batch::{Tagged, Windows};
use crate::engine::ingest::{IngestCall, Input};
use crate::model::input::line_content;
use crate::model::outcome::Outcome;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Rejections kept in a [`StreamSummary`] unless the caller asks for another number.
pub const DEFAULT_KEPT_REJECTIONS: usize = 1000;
/// Most bytes of kept rejections (their violations' paths and messages) in one summary, whatever
/// number the caller asks for: 1,000 rejections of 64 KiB lines once held 1.3 GB.
pub const KEPT_REJECTION_BYTES: usize = 1 << 20;

/// How often a progress callback is told at most (and once more at the end).
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The options of `ingest_file`, the same in every language: `{"keptRejections": 1000}`.
/// Bindings take them from here rather than restating the default.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "IngestFileSettings"))]
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngestFileOptions {
    /// How many rejections (with their line numbers) the summary keeps; the rest are counted.
    #[serde(default = "default_kept_rejections")]
    pub kept_rejections: usize,
}

fn default_kept_rejections() -> usize {
    DEFAULT_KEPT_REJECTIONS
}

impl Default for IngestFileOptions {
    fn default() -> Self {
        IngestFileOptions { kept_rejections: DEFAULT_KEPT_REJECTIONS }
    }
}

/// How far a file ingest has got: `{"bytesRead","totalBytes","lines","accepted","duplicates","rejected"}`.
/// `bytesRead` counts bytes of the file as stored (compressed, for a `.gz`), so that with
/// `totalBytes` it gives the fraction done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "IngestProgress"))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Bytes of the file read so far.
    pub bytes_read: u64,
    /// The file's size.
    pub total_bytes: u64,
    /// Non-blank lines read.
    pub lines: u64,
    /// Events accepted.
    pub accepted: u64,
    /// Duplicates.
    pub duplicates: u64,
    /// Events rejected.
    pub rejected: u64,
}

/// A progress callback: told how a file ingest is going at most every [`PROGRESS_EVERY`] and once
/// at the end. Returning `false` stops the ingest between two lines (`INTERRUPTED`; the lines
/// before stay ingested).
pub type ProgressFn<'f> = dyn FnMut(&Progress) -> bool + 'f;

/// One rejected line of a stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LineRejection {
    /// 1-based line number in the input.
    pub line: u64,
    /// The rejected outcome.
    pub outcome: Outcome,
}

/// What a streaming ingest did: `{"lines","accepted","duplicates","rejected","rejections","rejectionsTruncated"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct StreamSummary {
    /// Non-blank lines read.
    pub lines: u64,
    /// Events accepted.
    pub accepted: u64,
    /// Duplicates.
    pub duplicates: u64,
    /// Events rejected.
    pub rejected: u64,
    /// The first rejections, in input order.
    pub rejections: Vec<LineRejection>,
    /// True when there were more rejections than were kept.
    pub rejections_truncated: bool,
    /// Bytes of the kept rejections (see [`KEPT_REJECTION_BYTES`]).
    #[serde(skip)]
    kept_bytes: usize,
}

impl StreamSummary {
    /// Counts one line's outcome, and keeps a rejection while both the number and the bytes kept
    /// are under their bounds.
    pub(crate) fn count(&mut self, rejection: LineRejection, kept_rejections: usize, max_kept_bytes: usize) {
        self.lines += 1;
        match rejection.outcome {
            Outcome::Accepted { .. } => self.accepted += 1,
            Outcome::Duplicate { .. } => self.duplicates += 1,
            Outcome::Rejected { .. } => {
                self.rejected += 1;
                let bytes = rejection.outcome.heap_bytes();
                if self.rejections.len() < kept_rejections && self.kept_bytes + bytes <= max_kept_bytes {
                    self.kept_bytes += bytes;
                    self.rejections.push(rejection);
                } else {
                    self.rejections_truncated = true;
                }
            }
        }
    }
}

impl Engine {
    /// Ingests NDJSON from `reader`, one line at a time. Blank lines (of any length) are skipped.
    /// A line longer than `maxEventBytes` is read past, not stored, and rejected with
    /// `EVENT_TOO_LARGE`. Keeps the first `kept_rejections` rejections, and at most
    /// [`KEPT_REJECTION_BYTES`] of them. The whole stream is one ingest call: under
    /// `store.sync = "batch"` it is fsynced once, at the end. Fails with `IO_ERROR` when reading
    /// fails, after ingesting every line before it.
    pub fn ingest_ndjson_reader(&self, reader: impl BufRead, kept_rejections: usize) -> Result<StreamSummary> {
        let mut summary = StreamSummary::default();
        self.ingest_call(None, |call| self.stream(call, reader, kept_rejections, None, &mut summary))?;
        Ok(summary)
    }

    /// Ingests the NDJSON file at `path`, streaming it with memory bounded by `maxEventBytes`, as
    /// [`Engine::ingest_ndjson_reader`] does. A gzip file (recognised by its first bytes, whatever
    /// its name) is decompressed as it is read. `progress`, when given, is told how far the ingest
    /// has got at most every 100 ms and once at the end, and may stop it. `interrupt` is a
    /// binding's Ctrl-C. Fails with `IO_ERROR` when the file cannot be opened or read (after
    /// ingesting every line before the failure).
    pub fn ingest_file(
        &self,
        path: &Path,
        options: &IngestFileOptions,
        progress: Option<&mut ProgressFn<'_>>,
        interrupt: Option<Interrupt<'_>>,
    ) -> Result<StreamSummary> {
        let file = File::open(path).map_err(|e| file_error(path, e))?;
        self.ingest_opened_file(file, path, options, progress, interrupt)
    }

    /// [`Engine::ingest_file`] of a file the caller opened (Python opens it, so that a missing
    /// file is its own `FileNotFoundError`); `path` names it in errors.
    pub fn ingest_opened_file(
        &self,
        file: File,
        path: &Path,
        options: &IngestFileOptions,
        progress: Option<&mut ProgressFn<'_>>,
        interrupt: Option<Interrupt<'_>>,
    ) -> Result<StreamSummary> {
        let total_bytes = file.metadata().map_err(|e| file_error(path, e))?.len();
        let mut summary = StreamSummary::default();
        let source = StreamSource { input: file, total_bytes, name: &path.display().to_string() };
        self.ingest_stream(source, options, progress, interrupt, &mut summary)?;
        Ok(summary)
    }

    /// Ingests NDJSON from any byte stream (standard input, a pipe, a socket, a file), plain or
    /// gzip, as [`Engine::ingest_file`] does. The caller owns `summary`, which the ingest adds to,
    /// so that when it stops early (an interrupt, a progress callback that says stop, a failed
    /// read) the counts and the kept rejections of the lines before are still there, and a
    /// command-line tool can print them.
    pub fn ingest_stream(
        &self,
        source: StreamSource<'_, impl Read>,
        options: &IngestFileOptions,
        progress: Option<&mut ProgressFn<'_>>,
        interrupt: Option<Interrupt<'_>>,
        summary: &mut StreamSummary,
    ) -> Result<()> {
        let StreamSource { input, total_bytes, name } = source;
        let read_error = |e: io::Error| JourneyError::Io(format!("{}: {e}", crate::base::text::clip(name)));
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut raw = BufReader::with_capacity(1 << 16, Counting { inner: input, read: bytes_read.clone() });
        let gzip = raw.fill_buf().map_err(read_error)?.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead + '_> = match gzip {
            true => Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(raw))),
            false => Box::new(raw),
        };
        let mut watch = progress.map(|report| Watch { report, total_bytes, bytes_read, next: Instant::now() });
        self.ingest_call(interrupt, |call| self.stream(call, reader, options.kept_rejections, watch.as_mut(), summary))
    }

    fn stream(
        &self,
        call: &mut IngestCall<'_, '_>,
        reader: impl BufRead,
        kept_rejections: usize,
        mut watch: Option<&mut Watch<'_, '_>>,
        summary: &mut StreamSummary,
    ) -> Result<()> {
        let window_events = self.batch_shape.window_events;
        let lines = Lines { reader, limit: self.config().max_event_bytes, window_events, number: 0, failed: None };
        // Asked before the first line and after each one, so at once and then between lines.
        if let Some(watch) = watch.as_deref_mut() {
            watch.check(summary)?;
        }
        call.windows(lines, &mut |line, outcome| {
            summary.count(LineRejection { line, outcome }, kept_rejections, KEPT_REJECTION_BYTES);
            watch.as_deref_mut().map_or(Ok(()), |watch| watch.check(summary))
        })?;
        if let Some(watch) = watch {
            watch.tell(summary);
        }
        Ok(())
    }
}

/// The windows of an NDJSON stream: its non-blank lines, each tagged with its line number.
struct Lines<R> {
    reader: R,
    /// `maxEventBytes`: a longer line is read past and refused.
    limit: usize,
    /// Most lines in one window.
    window_events: usize,
    /// Lines read so far, blank ones included.
    number: u64,
    /// A read failure, reported after the lines before it.
    failed: Option<JourneyError>,
}

/// One window's lines: their text, one after another, and where each one is.
#[derive(Default)]
struct LineBuffer {
    text: Vec<u8>,
    /// Each line's range in `text` (empty for an oversized line), its number, and whether it was
    /// longer than `maxEventBytes`.
    lines: Vec<(std::ops::Range<usize>, u64, bool)>,
}

/// Most bytes of text in one window of a stream, besides its last line.
const WINDOW_BYTES: usize = 4 << 20;

impl<'a, R: BufRead> Windows<'a> for Lines<R> {
    type Buffer = LineBuffer;

    fn next<'b>(&mut self, buffer: &'b mut LineBuffer) -> Result<Option<Vec<Tagged<'b>>>>
    where
        'a: 'b,
    {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        buffer.text.clear();
        buffer.lines.clear();
        let mut line = Vec::new();
        while buffer.lines.len() < self.window_events && buffer.text.len() < WINDOW_BYTES {
            line.clear();
            let read = match read_line(&mut self.reader, &mut line, self.limit) {
                Ok(read) => read,
                Err(e) => {
                    self.failed = Some(JourneyError::Io(format!("reading line {}: {e}", self.number + 1)));
                    break;
                }
            };
            if read.read == 0 {
                break;
            }
            self.number += 1;
            if read.blank {
                continue;
            }
            let start = buffer.text.len();
            if !read.oversized {
                buffer.text.extend_from_slice(line_content(&line).unwrap_or_default());
            }
            buffer.lines.push((start..buffer.text.len(), self.number, read.oversized));
        }
        if buffer.lines.is_empty() {
            return self.failed.take().map_or(Ok(None), Err);
        }
        let limit = self.limit;
        let text = &buffer.text;
        let inputs = buffer.lines.iter().map(|(range, number, oversized)| match oversized {
            true => (Input::Refused(oversized_line(limit)), *number),
            false => (Input::Text(&text[range.clone()]), *number),
        });
        Ok(Some(inputs.collect()))
    }
}

fn oversized_line(limit: usize) -> Violation {
    Violation::new(ViolationCode::EventTooLarge, "", format!("line is longer than {limit} bytes (maxEventBytes)"))
}

/// `IO_ERROR` for the file at `path`, naming it.
fn file_error(path: &Path, error: io::Error) -> JourneyError {
    JourneyError::Io(format!("{}: {error}", crate::base::text::clip(&path.display().to_string())))
}

/// A stream of NDJSON for [`Engine::ingest_stream`]: its bytes, its size when known (for
/// [`Progress::total_bytes`]; 0 when it is not, as for a pipe), and a name for errors.
pub struct StreamSource<'n, R> {
    /// The bytes, plain or gzip.
    pub input: R,
    /// The size in bytes as stored, or 0 when unknown.
    pub total_bytes: u64,
    /// What to call it in an `IO_ERROR`: a path, or `-` for standard input.
    pub name: &'n str,
}

/// A stream's bytes as they are read, counted for [`Progress::bytes_read`].
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.read.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

/// A progress callback and when it is next due.
struct Watch<'r, 'f> {
    report: &'r mut ProgressFn<'f>,
    total_bytes: u64,
    bytes_read: Arc<AtomicU64>,
    next: Instant,
}

impl Watch<'_, '_> {
    fn progress(&self, summary: &StreamSummary) -> Progress {
        Progress {
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            total_bytes: self.total_bytes,
            lines: summary.lines,
            accepted: summary.accepted,
            duplicates: summary.duplicates,
            rejected: summary.rejected,
        }
    }

    /// Tells the callback how far the ingest got when it is due; `INTERRUPTED` when it says stop.
    fn check(&mut self, summary: &StreamSummary) -> Result<()> {
        let now = Instant::now();
        if now < self.next {
            return Ok(());
        }
        self.next = now + PROGRESS_EVERY;
        let progress = self.progress(summary);
        match (self.report)(&progress) {
            true => Ok(()),
            false => Err(JourneyError::Interrupted("stopped by its progress callback".into())),
        }
    }

    /// The last report, at the end (whatever the callback answers, there is nothing left to stop).
    fn tell(&mut self, summary: &StreamSummary) {
        let progress = self.progress(summary);
        let _ = (self.report)(&progress);
    }
}

/// What [`read_line`] read.
struct LineRead {
    /// Bytes read, `\n` included; 0 at the end of the input.
    read: usize,
    /// Bytes past the limit were dropped.
    oversized: bool,
    /// Every byte read was ASCII whitespace (dropped ones included).
    blank: bool,
}

/// Reads one line (with its `\n`) into `line`, keeping at most `limit + 2` bytes of it (room for the
/// event and `\r\n`); the rest of a longer line is read and dropped.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>, limit: usize) -> io::Result<LineRead> {
    let mut read = 0;
    let mut oversized = false;
    let mut blank = true;
    loop {
        let available = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(LineRead { read, oversized, blank });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        blank = blank && chunk.iter().all(u8::is_ascii_whitespace);
        let room = (limit + 2).saturating_sub(line.len());
        if chunk.len() > room {
            oversized = true;
        } else {
            line.extend_from_slice(chunk);
        }
        let used = chunk.len();
        reader.consume(used);
        read += used;
        if done {
            // A kept line may still be a byte or two over the limit; `ingest_json` refuses it.
            return Ok(LineRead { read, oversized, blank });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, Config};

    fn engine(max_event_bytes: usize) -> Engine {
        let catalog =
            Catalog::from_json(r#"{"sessionTypes": [{"name": "d", "kind": "custom", "eventTypes": [{"name": "e"}]}]}"#)
                .unwrap();
        let config = Config { max_event_bytes, allowed_lateness: None, ..Config::default() };
        Engine::new(catalog, config).unwrap()
    }

    fn event(n: usize) -> String {
        format!(
            r#"{{"eventName":"e","createdDate":"2026-11-21T10:00:00Z","customer":{{"id":"c{n}","idType":"email"}},"session":{{"type":"d","externalId":"o{n}"}}}}"#
        )
    }

    #[test]
    fn counts_lines_and_keeps_the_first_rejections() {
        let text = format!("{}\n\n{}\r\nnot json\n{}\n{{}}\n", event(1), event(2), event(1));
        let summary = engine(4096).ingest_ndjson_reader(text.as_bytes(), 1).unwrap();
        assert_eq!((summary.lines, summary.accepted, summary.duplicates, summary.rejected), (5, 2, 1, 2));
        assert_eq!(summary.rejections.len(), 1);
        assert_eq!(summary.rejections[0].line, 4);
        assert!(summary.rejections_truncated);
    }

    #[test]
    fn an_oversized_line_is_skipped_without_being_stored() {
        let long = format!(r#"{{"pad":"{}"}}"#, "x".repeat(10_000));
        let text = format!("{}\n{long}\n{}", event(1), event(2));
        // A tiny read buffer makes the long line arrive in many pieces.
        let reader = io::BufReader::with_capacity(64, text.as_bytes());
        let summary = engine(event(1).len()).ingest_ndjson_reader(reader, 10).unwrap();
        assert_eq!((summary.accepted, summary.rejected), (2, 1));
        assert_eq!(summary.rejections[0].line, 2);
        assert_eq!(summary.rejections[0].outcome.to_json()["violations"][0]["code"], "EVENT_TOO_LARGE");
    }
}
