//! `Engine::ingest_file`: plain and gzip files, progress reports, stopping from the callback, and
//! the errors of a missing file. Bindings (C, Python, Node) call this one function.

use journey_core::{Catalog, Config, Engine, IngestFileOptions, Progress};
use std::io::Write;
use std::path::PathBuf;

fn engine() -> Engine {
    let catalog =
        Catalog::from_json(r#"{"sessionTypes": [{"name": "d", "kind": "custom", "eventTypes": [{"name": "e"}]}]}"#)
            .unwrap();
    let config = Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#).unwrap();
    Engine::new(catalog, config).unwrap()
}

/// `count` lines: good events, with every tenth line not JSON.
fn ndjson(count: usize) -> Vec<u8> {
    let mut text = String::new();
    for n in 0..count {
        if n % 10 == 9 {
            text.push_str("not json\n");
        } else {
            text.push_str(&format!(
                r#"{{"eventName":"e","createdDate":"2026-11-21T09:00:00Z","customer":{{"id":"c{n}","idType":"email"}},"session":{{"type":"d","externalId":"o{n}"}}}}"#
            ));
            text.push('\n');
        }
    }
    text.into_bytes()
}

fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("journey-ingest-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn a_plain_and_a_gzip_file_give_the_same_summary() {
    let text = ndjson(1000);
    let plain = engine().ingest_file(&file("plain.ndjson", &text), &IngestFileOptions::default(), None, None).unwrap();
    // The name says nothing: gzip is recognised by its first bytes.
    let packed = file("packed.ndjson", &gzip(&text));
    let unpacked = engine().ingest_file(&packed, &IngestFileOptions::default(), None, None).unwrap();
    assert_eq!((plain.lines, plain.accepted, plain.rejected), (1000, 900, 100));
    assert_eq!(unpacked, plain);
    assert_eq!(plain.rejections[0].line, 10);
}

#[test]
fn progress_is_reported_and_the_last_report_is_the_total() {
    let text = ndjson(20_000);
    let path = file("progress.ndjson", &text);
    let mut reports: Vec<Progress> = Vec::new();
    let mut report = |progress: &Progress| {
        reports.push(*progress);
        true
    };
    let options = IngestFileOptions { kept_rejections: 5 };
    let summary = engine().ingest_file(&path, &options, Some(&mut report), None).unwrap();
    let last = reports.last().expect("at least the final report");
    assert_eq!((last.lines, last.accepted, last.rejected), (summary.lines, summary.accepted, summary.rejected));
    assert_eq!((last.bytes_read, last.total_bytes), (text.len() as u64, text.len() as u64));
    assert!(reports.windows(2).all(|pair| pair[0].lines <= pair[1].lines), "progress never goes back");
    assert_eq!(summary.rejections.len(), 5, "keptRejections is honoured");
    assert!(summary.rejections_truncated);
}

#[test]
fn a_callback_that_says_stop_stops_between_lines_and_keeps_what_was_done() {
    let path = file("stop.ndjson", &gzip(&ndjson(200_000)));
    let engine = engine();
    let mut stop = |_: &Progress| false;
    let error = engine.ingest_file(&path, &IngestFileOptions::default(), Some(&mut stop), None).unwrap_err();
    assert_eq!(error.code(), "INTERRUPTED");
    let stats = engine.stats();
    // The first report comes at once, before the first line: nothing was ingested.
    assert_eq!(stats.events_accepted + stats.events_rejected, 0);
    // A callback that stops later keeps every line before it.
    let engine = self::engine();
    let mut calls = 0;
    let mut stop_second = |_: &Progress| {
        calls += 1;
        calls < 2
    };
    let error = engine.ingest_file(&path, &IngestFileOptions::default(), Some(&mut stop_second), None).unwrap_err();
    assert_eq!(error.code(), "INTERRUPTED");
    let ingested = engine.stats().events_accepted + engine.stats().events_rejected;
    assert!(ingested > 0 && ingested < 200_000, "{ingested} lines before the stop");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let error = engine()
        .ingest_file(std::path::Path::new("/nonexistent/events.ndjson"), &IngestFileOptions::default(), None, None)
        .unwrap_err();
    assert_eq!(error.code(), "IO_ERROR");
    assert!(error.to_string().contains("/nonexistent/events.ndjson"), "{error}");
}

#[test]
fn options_read_from_json_refuse_unknown_keys_and_default_the_rest() {
    let options: IngestFileOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(options, IngestFileOptions::default());
    assert_eq!(options.kept_rejections, journey_core::DEFAULT_KEPT_REJECTIONS);
    assert!(serde_json::from_str::<IngestFileOptions>(r#"{"keptRejection": 3}"#).is_err());
}
