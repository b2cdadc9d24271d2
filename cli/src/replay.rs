//! `journey replay`: NDJSON files through an engine, with a progress bar, then a summary.
//!
//! Each file is one [`Engine::ingest_stream`] call, so memory stays bounded by `maxEventBytes`
//! whatever the file's size, and a gzip file is read as it is (by its first bytes, whatever its
//! name). The summary is the core's [`StreamSummary`] per file; this module only shows it.

use crate::open::EngineArgs;
use crate::{Exit, stop};
use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use journey_core::{
    Engine, IngestFileOptions, Interrupt, JourneyError, Outcome, Progress, StreamSource, StreamSummary,
};
use serde_json::json;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    let engine = args.engine.open()?;
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
    match failure {
        None => Ok(Exit::Done),
        Some(JourneyError::Interrupted(_)) => Ok(Exit::Interrupted),
        Some(error) => Err(error.into()),
    }
}

/// Ingests one file (or standard input), showing a progress bar on a terminal. Returns what was
/// ingested even when the ingest stopped early.
fn replay_one(
    engine: &Engine,
    path: &Path,
    before: &[FileSummary],
    started: Instant,
) -> (StreamSummary, Result<(), JourneyError>) {
    let mut summary = StreamSummary::default();
    let name = display_name(path);
    let (input, total_bytes): (Box<dyn Read>, u64) = match open_input(path) {
        Ok(opened) => opened,
        Err(error) => return (summary, Err(JourneyError::Io(format!("{name}: {error}")))),
    };
    let bar = progress_bar(total_bytes, &name);
    let earlier = totals(before.iter().map(|f| &f.summary));
    let mut report = |progress: &Progress| {
        bar.set_position(progress.bytes_read);
        let [lines, accepted, duplicates, rejected] = earlier;
        let lines = lines + progress.lines;
        let rate = lines as f64 / started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{} events/s · accepted {} · duplicates {} · rejected {}",
            thousands(rate as u64),
            thousands(accepted + progress.accepted),
            thousands(duplicates + progress.duplicates),
            thousands(rejected + progress.rejected)
        ));
        true
    };
    let source = StreamSource { input, total_bytes, name: &name };
    let interrupt = Interrupt::each_time(stop::requested);
    let result =
        engine.ingest_stream(source, &IngestFileOptions::default(), Some(&mut report), Some(interrupt), &mut summary);
    bar.finish_and_clear();
    (summary, result)
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
