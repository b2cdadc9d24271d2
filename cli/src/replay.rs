//! `journey replay`: NDJSON files through an engine, with a progress bar, then a summary.
//!
//! Each file is read in chunks of about [`CHUNK_BYTES`], each one [`Engine::ingest_stream`] call,
//! so memory stays bounded by `maxEventBytes` whatever the file's size, and under the replay's
//! default `store.sync: "batch"` every chunk is on disk when its call returns. A gzip file is read
//! as it is (by its first bytes, whatever its name). The summary adds up the core's
//! [`StreamSummary`] of each chunk; this module only shows it.
//!
//! Replaying a file is replaying history, so unless `--config` says otherwise the engine runs on
//! the event clock and fsyncs per chunk (docs/cli.md).

use crate::open::EngineArgs;
use crate::{Exit, stop};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use journey_core::stream::DEFAULT_KEPT_REJECTIONS;
use journey_core::{
    ClockMode, Config, Engine, IngestFileOptions, Interrupt, JourneyError, Outcome, Progress, StreamSource,
    StreamSummary, SyncMode,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What `journey replay --help` says after the options: the defaults that differ from the engine's.
pub const AFTER_HELP: &str = "\
Defaults of a replay, each used only when --config does not set it:
  \"clock\": \"event\"
      The engine's now is the latest event replayed, so an export's old events are not
      LATE_EVENT against today's wall clock.
  \"store\": {\"sync\": \"batch\"}
      With --store, the journal is fsynced once per chunk of about 4 MiB of events and at the
      end, not once per event. A crash, a kill or Ctrl-C loses nothing the summary or a
      progress line counted.

Exit status: 0 done; 1 error; 2 usage error; 3 lines were read and every one was rejected;
130 stopped by Ctrl-C (docs/cli.md).";

/// Decompressed bytes after which a file's chunk ends, at the next line end. Each chunk is one
/// ingest call, so with `store.sync: "batch"` one fsync, and the journal never buffers more.
pub const CHUNK_BYTES: u64 = 4 << 20;

/// How often a progress line is written when standard error is not a terminal (a log, a pipe).
const LOG_EVERY: Duration = Duration::from_secs(1);

/// Arguments of `journey replay`.
#[derive(clap::Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// NDJSON files, ingested in this order; `-` reads standard input. Gzip is recognised by its
    /// first bytes.
    #[arg(required = true, value_name = "EVENTS")]
    files: Vec<PathBuf>,
    /// Print the engine's stats and each file's summary (with its kept rejections) as one JSON
    /// object on standard output, instead of tables.
    #[arg(long)]
    json: bool,
    /// How many rejections to print after the summary, with file:line and every violation.
    #[arg(long, value_name = "N", default_value_t = 10)]
    show_rejections: usize,
}

/// One file's result: its name and what the core reported.
struct FileSummary {
    name: String,
    summary: StreamSummary,
}

/// Runs `journey replay`.
pub fn run(args: ReplayArgs) -> Result<Exit> {
    let engine = args.engine.open_with(replay_defaults)?;
    let stats_before = engine.stats();
    stop::on_ctrl_c();
    let started = Instant::now();
    let mut done = Vec::new();
    let mut failure = None;
    for path in &args.files {
        let (summary, result) = replay_one(&engine, path, &done, started);
        done.push(FileSummary { name: display_name(path), summary });
        if let Err(error) = result {
            failure = Some(error);
            break;
        }
    }
    let closed = engine.close();
    let interrupted = matches!(failure, Some(JourneyError::Interrupted(_)));
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&json_report(&engine, &done, interrupted))?),
        false => print_report(&done, started, args.show_rejections, interrupted),
    }
    closed?;
    let all = totals(done.iter().map(|f| &f.summary));
    warn_when_one_reason_dominates(&rejected_by_code(&stats_before, &engine.stats()), all[0]);
    match failure {
        None if all[0] > 0 && all[0] == all[3] => Ok(Exit::NothingAccepted),
        None => Ok(Exit::Done),
        Some(JourneyError::Interrupted(_)) => Ok(Exit::Interrupted),
        Some(error) => Err(error.into()),
    }
}

/// A replay's defaults for what `--config` leaves unset (`chosen` holds the keys it set): the
/// event clock, since a file is history and its events are old by the wall clock; and
/// `store.sync: "batch"`, since fsyncing each of millions of events makes a backfill take hours.
fn replay_defaults(config: &mut Config, chosen: &Map<String, Value>) {
    if !chosen.contains_key("clock") {
        config.clock = ClockMode::Event;
    }
    if chosen.get("store").and_then(|store| store.get("sync")).is_none() {
        config.store.sync = SyncMode::Batch;
    }
}

/// Rejections per violation code during this run: the engine's counts now less those at the start
/// (a store's stats include earlier runs).
fn rejected_by_code(before: &journey_core::Stats, after: &journey_core::Stats) -> BTreeMap<String, u64> {
    let earlier = |code: &str| before.rejected_by_code.get(code).copied().unwrap_or(0);
    after.rejected_by_code.iter().map(|(code, &n)| (code.clone(), n.saturating_sub(earlier(code)))).collect()
}

/// Warns on standard error when one violation code rejected more than half of the `lines` read: a
/// replay where most events fail for one reason is nearly always a setting, not bad data.
fn warn_when_one_reason_dominates(by_code: &BTreeMap<String, u64>, lines: u64) {
    let Some((code, &count)) = by_code.iter().max_by_key(|(_, n)| **n) else { return };
    if lines == 0 || count * 2 <= lines {
        return;
    }
    eprintln!("journey: warning: {} of {} lines were rejected with {code}", thousands(count), thousands(lines));
    eprintln!("journey: {}", hint(code));
}

/// What usually causes most of a replay's events to be rejected with `code`.
fn hint(code: &str) -> &'static str {
    match code {
        "LATE_EVENT" => {
            "events older than allowedLateness (1h by default) before the engine's now are refused; \
             the --config sets a clock other than \"event\", or the file is far out of time order: \
             set \"clock\": \"event\" or \"allowedLateness\" (null accepts any age) in --config \
             (docs/cli.md)"
        }
        "FUTURE_EVENT" => {
            "events more than maxClockSkew after the engine's now are refused: check the config's \
             clock and start, and the events' createdDate (docs/cli.md)"
        }
        _ => "the rejections listed with the summary say which field of which line (docs/cli.md)",
    }
}

/// Ingests one file (or standard input) chunk by chunk, showing a progress bar on a terminal and a
/// progress line now and then elsewhere. Returns what was ingested even when the ingest stopped
/// early.
fn replay_one(
    engine: &Engine,
    path: &Path,
    before: &[FileSummary],
    started: Instant,
) -> (StreamSummary, Result<(), JourneyError>) {
    let mut summary = StreamSummary::default();
    let name = display_name(path);
    let opened = open_input(path).and_then(|(raw, total_bytes)| Ok((Input::new(raw)?, total_bytes)));
    let (mut input, total_bytes) = match opened {
        Ok(opened) => opened,
        Err(error) => return (summary, Err(JourneyError::Io(format!("{name}: {error}")))),
    };
    let bar = progress_bar(total_bytes, &name);
    let earlier = totals(before.iter().map(|f| &f.summary));
    let mut log = ProgressLog::new(&name);
    let bytes_read = input.bytes_read.clone();
    let mut result = Ok(());
    // One call at least, so that an empty file is one empty ingest, as before chunks.
    loop {
        let file_so_far = totals(std::iter::once(&summary));
        let mut report = |progress: &Progress| {
            bar.set_position(bytes_read.load(Ordering::Relaxed));
            let so_far = [0, 1, 2, 3].map(|i| earlier[i] + file_so_far[i]);
            bar.set_message(progress_message(so_far, progress, started));
            true
        };
        let (chunk, lines_in_chunk) = input.chunk();
        let (chunk_summary, chunk_result) = ingest_chunk(engine, chunk, &name, summary.rejections.len(), &mut report);
        add_chunk(&mut summary, chunk_summary, input.lines_before);
        input.lines_before += lines_in_chunk.load(Ordering::Relaxed);
        if chunk_result.is_err() {
            result = chunk_result;
            break;
        }
        match input.at_end() {
            Ok(true) => break,
            // A line between chunks (the summary tells the end): whatever it counts is on disk
            // under `store.sync: "always"` or `"batch"`, since the chunk's ingest call returned.
            Ok(false) => log.tell(&summary, &bar),
            Err(error) => {
                result = Err(JourneyError::Io(format!("{name}: {error}")));
                break;
            }
        }
    }
    bar.finish_and_clear();
    (summary, result)
}

/// One chunk through one ingest call, keeping rejections while the file has kept fewer than the
/// core's default number.
fn ingest_chunk(
    engine: &Engine,
    chunk: Chunk<'_>,
    name: &str,
    kept_so_far: usize,
    report: &mut dyn FnMut(&Progress) -> bool,
) -> (StreamSummary, Result<(), JourneyError>) {
    let mut summary = StreamSummary::default();
    let options = IngestFileOptions { kept_rejections: DEFAULT_KEPT_REJECTIONS.saturating_sub(kept_so_far) };
    let source = StreamSource { input: chunk, total_bytes: 0, name };
    let interrupt = Interrupt::each_time(stop::requested);
    let result = engine.ingest_stream(source, &options, Some(report), Some(interrupt), &mut summary);
    (summary, result)
}

/// Adds a chunk's summary to its file's, numbering the chunk's rejections as lines of the file.
fn add_chunk(file: &mut StreamSummary, chunk: StreamSummary, lines_before: u64) {
    file.lines += chunk.lines;
    file.accepted += chunk.accepted;
    file.duplicates += chunk.duplicates;
    file.rejected += chunk.rejected;
    file.rejections_truncated |= chunk.rejections_truncated;
    file.rejections.extend(chunk.rejections.into_iter().map(|mut rejection| {
        rejection.line += lines_before;
        rejection
    }));
}

/// The progress bar's message: events/s since the start and the counts of every file so far.
fn progress_message(so_far: [u64; 4], chunk: &Progress, started: Instant) -> String {
    let [lines, accepted, duplicates, rejected] = so_far;
    let lines = lines + chunk.lines;
    let rate = lines as f64 / started.elapsed().as_secs_f64().max(1e-3);
    format!(
        "{} events/s · accepted {} · duplicates {} · rejected {}",
        thousands(rate as u64),
        thousands(accepted + chunk.accepted),
        thousands(duplicates + chunk.duplicates),
        thousands(rejected + chunk.rejected)
    )
}

/// Progress lines on standard error when it is not a terminal (where the bar is not drawn), so a
/// log shows how far a long replay got: after a chunk, at most every [`LOG_EVERY`], the first at once.
struct ProgressLog<'n> {
    name: &'n str,
    next: Option<Instant>,
}

impl<'n> ProgressLog<'n> {
    fn new(name: &'n str) -> Self {
        let on_terminal = std::io::stderr().is_terminal();
        ProgressLog { name, next: (!on_terminal).then(Instant::now) }
    }

    /// Writes the file's counts so far when a line is due.
    fn tell(&mut self, summary: &StreamSummary, bar: &ProgressBar) {
        let Some(next) = self.next else { return };
        let now = Instant::now();
        if now < next {
            return;
        }
        self.next = Some(now + LOG_EVERY);
        let [lines, accepted, duplicates, rejected] = totals(std::iter::once(summary));
        bar.suspend(|| {
            eprintln!(
                "journey: {}: {} lines: {} accepted, {} duplicates, {} rejected",
                self.name,
                thousands(lines),
                thousands(accepted),
                thousands(duplicates),
                thousands(rejected)
            )
        });
    }
}

/// A file's bytes, decompressed when they are gzip, handed out in chunks that end at line ends.
struct Input {
    reader: Box<dyn BufRead>,
    /// Bytes of the file as stored (compressed, for gzip) read so far, for the progress bar.
    bytes_read: Arc<AtomicU64>,
    /// Lines (blank ones included) in the chunks before, to number the next chunk's lines.
    lines_before: u64,
}

impl Input {
    /// Recognises gzip by its first bytes, as the core does.
    fn new(raw: Box<dyn Read>) -> std::io::Result<Input> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut buffered = BufReader::with_capacity(1 << 16, Counting { inner: raw, read: bytes_read.clone() });
        let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead> = match gzip {
            true => Box::new(BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(buffered))),
            false => Box::new(buffered),
        };
        Ok(Input { reader, bytes_read, lines_before: 0 })
    }

    /// Whether every byte was read.
    fn at_end(&mut self) -> std::io::Result<bool> {
        Ok(self.reader.fill_buf()?.is_empty())
    }

    /// The next chunk, and where it counts its lines as it is read.
    fn chunk(&mut self) -> (Chunk<'_>, Arc<AtomicU64>) {
        let lines = Arc::new(AtomicU64::new(0));
        (Chunk { reader: &mut self.reader, passed: 0, ended: false, lines: lines.clone() }, lines)
    }
}

/// The bytes of an [`Input`] up to the first line end after [`CHUNK_BYTES`], then the end.
struct Chunk<'r> {
    reader: &'r mut Box<dyn BufRead>,
    /// Bytes handed out so far.
    passed: u64,
    /// The chunk's last line end was handed out.
    ended: bool,
    /// Line ends handed out.
    lines: Arc<AtomicU64>,
}

impl Read for Chunk<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.ended || buffer.is_empty() {
            return Ok(0);
        }
        let available = self.reader.fill_buf()?;
        let mut take = available.len().min(buffer.len());
        // Past the chunk's size, the first line end in what is handed out ends the chunk.
        let from = usize::try_from(CHUNK_BYTES.saturating_sub(self.passed)).unwrap_or(usize::MAX).min(take);
        if let Some(end) = available[from..take].iter().position(|&b| b == b'\n') {
            take = from + end + 1;
            self.ended = true;
        }
        let line_ends = available[..take].iter().filter(|&&b| b == b'\n').count();
        buffer[..take].copy_from_slice(&available[..take]);
        self.reader.consume(take);
        self.passed += take as u64;
        self.lines.fetch_add(line_ends as u64, Ordering::Relaxed);
        Ok(take)
    }
}

/// A reader's bytes, counted as they are read.
struct Counting {
    inner: Box<dyn Read>,
    read: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.read.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

/// The bytes of `path`, or of standard input for `-`, and their size when known.
fn open_input(path: &Path) -> std::io::Result<(Box<dyn Read>, u64)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), 0));
    }
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    Ok((Box::new(file), size))
}

fn display_name(path: &Path) -> String {
    match path.as_os_str() == "-" {
        true => "(stdin)".to_string(),
        false => path.display().to_string(),
    }
}

/// A bar over the file's bytes, or a spinner when the size is unknown; drawn on standard error,
/// and only on a terminal.
fn progress_bar(total_bytes: u64, name: &str) -> ProgressBar {
    let (bar, template) = match total_bytes {
        0 => (ProgressBar::new_spinner(), "{spinner} {prefix} {bytes} read · {msg}"),
        total => (ProgressBar::new(total), "{prefix} [{bar:30}] {bytes}/{total_bytes} · {msg} · ETA {eta}"),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(ProgressStyle::with_template(template).expect("the templates are valid").progress_chars("=> "));
    bar.set_prefix(name.to_string());
    bar
}

/// Lines, accepted, duplicates and rejected, summed over `summaries`.
fn totals<'a>(summaries: impl Iterator<Item = &'a StreamSummary>) -> [u64; 4] {
    summaries.fold([0; 4], |[l, a, d, r], s| [l + s.lines, a + s.accepted, d + s.duplicates, r + s.rejected])
}

fn print_report(files: &[FileSummary], started: Instant, show_rejections: usize, interrupted: bool) {
    let width = files.iter().map(|f| f.name.len()).chain([5]).max().unwrap_or(5);
    println!("{:<width$}  {:>12}  {:>12}  {:>12}  {:>12}", "file", "lines", "accepted", "duplicates", "rejected");
    let row = |name: &str, [lines, accepted, duplicates, rejected]: [u64; 4]| {
        println!(
            "{name:<width$}  {:>12}  {:>12}  {:>12}  {:>12}",
            thousands(lines),
            thousands(accepted),
            thousands(duplicates),
            thousands(rejected)
        );
    };
    for file in files {
        row(&file.name, totals(std::iter::once(&file.summary)));
    }
    let all = totals(files.iter().map(|f| &f.summary));
    if files.len() > 1 {
        row("total", all);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "\n{} lines in {seconds:.2} s ({} events/s){}",
        thousands(all[0]),
        thousands((all[0] as f64 / seconds.max(1e-3)) as u64),
        if interrupted { "; interrupted by Ctrl-C: the lines above were ingested, the rest were not" } else { "" }
    );
    print_rejections(files, show_rejections, all[3]);
}

/// The first `show` rejections, each with file:line and every violation.
fn print_rejections(files: &[FileSummary], show: usize, rejected: u64) {
    let kept = files.iter().flat_map(|f| f.summary.rejections.iter().map(move |r| (&f.name, r)));
    let shown: Vec<_> = kept.take(show).collect();
    if shown.is_empty() {
        return;
    }
    println!("\nFirst {} of {} rejections:", shown.len(), thousands(rejected));
    for (name, rejection) in shown {
        let Outcome::Rejected { violations, .. } = &rejection.outcome else { continue };
        println!("{name}:{}", rejection.line);
        for violation in violations {
            let path = if violation.path.is_empty() { "(event)" } else { violation.path.as_str() };
            println!("    {} at {path}: {}", violation.code.as_str(), violation.message);
        }
    }
}

/// `{"stats": …, "files": [{"file": …, <summary>}], "interrupted": …}`.
fn json_report(engine: &Engine, files: &[FileSummary], interrupted: bool) -> serde_json::Value {
    let files: Vec<_> = files
        .iter()
        .map(|f| {
            let mut summary = serde_json::to_value(&f.summary).unwrap_or_default();
            summary["file"] = json!(f.name);
            summary
        })
        .collect();
    json!({"stats": engine.stats(), "files": files, "interrupted": interrupted})
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
