//! `journey replay` as a user runs it: the real binary, real files, standard input, gzip, a
//! durable store, and Ctrl-C.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const CATALOG: &str = r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
  "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]}]}]}"#;
const CONFIG: &str = r#"{"clock": "manual", "start": "2026-12-01T00:00:00Z", "allowedLateness": null}"#;

/// A fresh directory holding the catalog and the config.
fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("journey-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("catalog.json"), CATALOG).unwrap();
    std::fs::write(dir.join("config.json"), CONFIG).unwrap();
    dir
}

/// Event `i`: customer `i % 7`, order `i % 11`, a distinct id.
fn event(i: usize) -> String {
    format!(
        r#"{{"id":"00000000-0000-4000-8000-{i:012}","eventName":"in_transit","createdDate":"2026-11-30T10:{:02}:00Z","customer":{{"id":"c{}","idType":"email"}},"session":{{"type":"delivery","externalId":"order-{}-{}"}},"attributes":{{"location":"depot {i}"}}}}"#,
        i % 60,
        i % 7,
        i % 7,
        i % 11
    )
}

fn journey(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_journey"));
    command.current_dir(dir).args(["replay", "--catalog", "catalog.json", "--config", "config.json"]);
    command
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Three good events, a resend, a line that is not JSON and an event without its customer.
fn mixed_file(dir: &Path) -> PathBuf {
    let lines = [
        event(0),
        event(1),
        String::new(),
        event(2),
        event(1),
        "{not json".into(),
        event(3).replace(r#""customer":{"id":"c3","idType":"email"},"#, ""),
    ];
    let path = dir.join("events.ndjson");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn prints_a_summary_and_each_rejection_with_its_file_and_line() {
    let dir = workspace("summary");
    mixed_file(&dir);
    let output = journey(&dir).arg("events.ndjson").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let out = text(&output);
    let row = out.lines().find(|l| l.starts_with("events.ndjson")).unwrap();
    let numbers: Vec<&str> = row.split_whitespace().skip(1).collect();
    assert_eq!(numbers, ["6", "3", "1", "2"], "lines, accepted, duplicates, rejected: {out}");
    assert!(out.contains("First 2 of 2 rejections:"), "{out}");
    // Blank lines count in line numbers: the bad JSON is on line 6, the event without a customer on 7.
    assert!(out.contains("events.ndjson:6\n    INVALID_JSON at (event): "), "{out}");
    assert!(out.contains("events.ndjson:7\n    MISSING_CUSTOMER at /customer: customer is required"), "{out}");
}

#[test]
fn json_gives_the_stats_and_every_file_summary() {
    let dir = workspace("json");
    mixed_file(&dir);
    std::fs::write(dir.join("more.ndjson"), event(4) + "\n" + &event(0) + "\n").unwrap();
    let output = journey(&dir).args(["--json", "events.ndjson", "more.ndjson"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["stats"]["eventsAccepted"], 4);
    assert_eq!(report["stats"]["eventsDuplicate"], 2);
    assert_eq!(report["stats"]["eventsRejected"], 2);
    assert_eq!(report["stats"]["rejectedByCode"]["INVALID_JSON"], 1);
    assert_eq!(report["files"][0]["file"], "events.ndjson");
    assert_eq!(report["files"][0]["rejections"][0]["line"], 6);
    assert_eq!(report["files"][1]["accepted"], 1);
    assert_eq!(report["files"][1]["duplicates"], 1);
    assert_eq!(report["interrupted"], false);
}

#[test]
fn reads_standard_input_and_gzip() {
    let dir = workspace("stdin");
    let text_lines: String = (0..500).map(|i| event(i) + "\n").collect();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(text_lines.as_bytes()).unwrap();
    let compressed = gzip.finish().unwrap();
    // The same events through a .gz file and through a gzip stream on standard input.
    std::fs::write(dir.join("events.ndjson.gz"), &compressed).unwrap();
    let from_file = journey(&dir).args(["--json", "events.ndjson.gz"]).output().unwrap();
    let mut child = journey(&dir).args(["--json", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&compressed).unwrap();
    let from_stdin = child.wait_with_output().unwrap();
    for output in [from_file, from_stdin] {
        assert!(output.status.success(), "{output:?}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["stats"]["eventsAccepted"], 500, "{report}");
    }
}

#[test]
fn a_store_keeps_what_was_replayed() {
    let dir = workspace("store");
    mixed_file(&dir);
    let first = journey(&dir).args(["--store", "store", "--json", "events.ndjson"]).output().unwrap();
    assert!(first.status.success(), "{first:?}");
    // The second replay of the same file into the same store finds every event already there.
    let again = journey(&dir).args(["--store", "store", "--json", "events.ndjson"]).output().unwrap();
    let report: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["files"][0]["accepted"], 0, "{report}");
    assert_eq!(report["files"][0]["duplicates"], 4);
    assert_eq!(report["stats"]["eventsAccepted"], 3, "the store's stats are the first run's and the second's");
}

#[test]
fn bad_arguments_are_named_and_fail() {
    let dir = workspace("bad");
    let missing = journey(&dir).arg("nowhere.ndjson").output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere.ndjson"), "{missing:?}");
    std::fs::write(dir.join("catalog.json"), "{\"sessionTypes\": 3}").unwrap();
    let bad_catalog = journey(&dir).arg("-").output().unwrap();
    assert_eq!(bad_catalog.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_catalog.stderr).contains("catalog.json: not a valid catalog"));
    let no_files = Command::new(env!("CARGO_BIN_EXE_journey")).args(["replay", "--catalog", "x"]).output().unwrap();
    assert_eq!(no_files.status.code(), Some(2), "a usage error");
}

/// Ctrl-C stops between two events: exit status 130, the summary so far, and a store holding
/// exactly the events the summary counts.
#[test]
fn ctrl_c_stops_cleanly_and_prints_the_summary_so_far() {
    let dir = workspace("ctrl-c");
    let total = 20_000;
    let lines: String = (0..total).map(|i| event(i) + "\n").collect();
    std::fs::write(dir.join("events.ndjson"), lines).unwrap();
    // `store.sync: always` makes every accepted event reach the journal at once, so that the test
    // can see the replay has started (and installed its Ctrl-C handler) before it presses Ctrl-C.
    // A replay's default is `batch`; a config that sets `sync` wins.
    let always = CONFIG.replace('}', r#", "store": {"sync": "always"}}"#);
    std::fs::write(dir.join("config.json"), always).unwrap();
    let child =
        journey(&dir).args(["--store", "store", "--json", "events.ndjson"]).stdout(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while journal_bytes(&dir.join("store")) < 64 {
        assert!(Instant::now() < deadline, "the replay never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["interrupted"], true);
    let accepted = report["files"][0]["accepted"].as_u64().unwrap();
    assert!(accepted >= 1 && accepted < total as u64, "stopped part way: {accepted}");
    // What the store kept is exactly what was reported.
    std::fs::write(dir.join("empty.ndjson"), "").unwrap();
    let reopened = journey(&dir).args(["--store", "store", "--json", "empty.ndjson"]).output().unwrap();
    let stats: Value = serde_json::from_slice(&reopened.stdout).unwrap();
    assert_eq!(stats["stats"]["eventsAccepted"].as_u64(), Some(accepted));
}

/// Bytes in the store's journal files so far.
fn journal_bytes(store: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(store) else { return 0 };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("journal"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// `journey replay` with no `--config`: the replay's own defaults.
fn replay_with_defaults(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_journey"));
    command.current_dir(dir).args(["replay", "--catalog", "catalog.json"]);
    command
}

/// `count` events of `event`'s shape, `day` days apart from 2020-01-01 on.
fn old_events(count: usize) -> String {
    (0..count).map(|i| event(i).replace("2026-11-30T10:", &format!("2020-01-{:02}T10:", 1 + i % 28)) + "\n").collect()
}

/// Without `--config` a replay runs on the event clock: an export's events, years older than the
/// wall clock and days apart, are accepted (they were all `LATE_EVENT` on the wall clock).
#[test]
fn an_export_of_old_events_is_accepted_without_a_config() {
    let dir = workspace("old");
    // In time order, a day apart: each is later than the last, so none is late on the event clock.
    let lines: String =
        (0..28).map(|i| event(i).replace("2026-11-30T10:", &format!("2020-01-{:02}T10:", 1 + i)) + "\n").collect();
    std::fs::write(dir.join("events.ndjson"), lines).unwrap();
    let output = replay_with_defaults(&dir).args(["--json", "events.ndjson"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files"][0]["accepted"], 28, "{report}");
    assert_eq!(report["stats"]["eventsRejected"], 0, "{report}");
}

/// A file where every line is rejected exits 3 and warns, naming the reason; a config that sets a
/// clock still wins over the replay's event clock.
#[test]
fn a_replay_that_accepts_nothing_exits_3_and_names_the_reason() {
    let dir = workspace("nothing");
    std::fs::write(dir.join("config.json"), r#"{"clock": "manual", "start": "2026-12-01T00:00:00Z"}"#).unwrap();
    std::fs::write(dir.join("events.ndjson"), old_events(40)).unwrap();
    let output = journey(&dir).arg("events.ndjson").output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: 40 of 40 lines were rejected with LATE_EVENT"), "{stderr}");
    assert!(stderr.contains("allowedLateness"), "the warning says what to change: {stderr}");
    // One accepted line is success again, whatever the rest did.
    let mut lines = old_events(40);
    lines.push_str(&event(99).replace("2026-11-30T10:", "2026-11-30T23:"));
    std::fs::write(dir.join("events.ndjson"), lines).unwrap();
    let one = journey(&dir).arg("events.ndjson").output().unwrap();
    assert_eq!(one.status.code(), Some(0), "{one:?}");
    assert!(String::from_utf8_lossy(&one.stderr).contains("40 of 41 lines were rejected with LATE_EVENT"));
}

#[test]
fn help_states_the_replay_defaults() {
    let output = Command::new(env!("CARGO_BIN_EXE_journey")).args(["replay", "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = text(&output);
    assert!(help.contains(r#""store": {"sync": "batch"}"#), "{help}");
    assert!(help.contains("fsynced once per chunk"), "{help}");
    assert!(help.contains(r#""clock": "event""#), "{help}");
}

/// 60,000 events: about 16 MB, so four chunks of 4 MiB.
fn large_file(dir: &Path, total: usize) {
    let lines: String = (0..total).map(|i| event(i) + "\n").collect();
    std::fs::write(dir.join("events.ndjson"), lines).unwrap();
}

/// Starts a replay with the defaults into `store` and returns it with the accepted count of its
/// first progress line (the store holds at least that much from then on).
fn replay_until_progress(dir: &Path) -> (std::process::Child, u64) {
    let mut child = replay_with_defaults(dir)
        .args(["--store", "store", "--json", "events.ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let line = stderr
        .lines()
        .map_while(Result::ok)
        .find(|line| line.starts_with("journey: events.ndjson: "))
        .expect("a progress line between chunks");
    let accepted = line.split(": ").nth(2).and_then(|counts| counts.split(' ').next()).unwrap();
    (child, accepted.replace(',', "").parse().unwrap())
}

/// The events accepted in the store at `dir/store`, reopened.
fn accepted_in_store(dir: &Path) -> u64 {
    std::fs::write(dir.join("empty.ndjson"), "").unwrap();
    let reopened = replay_with_defaults(dir).args(["--store", "store", "--json", "empty.ndjson"]).output().unwrap();
    assert!(reopened.status.success(), "{reopened:?}");
    let report: Value = serde_json::from_slice(&reopened.stdout).unwrap();
    report["stats"]["eventsAccepted"].as_u64().unwrap()
}

/// Under the replay's default `store.sync: "batch"`, a SIGKILL loses nothing a progress line
/// counted: each one is written after its chunk was fsynced.
#[test]
fn a_killed_replay_keeps_everything_its_progress_counted() {
    let dir = workspace("kill");
    let total = 60_000;
    large_file(&dir, total);
    let (mut child, counted) = replay_until_progress(&dir);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(counted > 0 && counted < total as u64, "a chunk and not the file: {counted}");
    let kept = accepted_in_store(&dir);
    assert!(kept >= counted, "the store lost acknowledged events: {kept} < {counted}");
}

/// Ctrl-C under the default `batch`: the summary it prints counts exactly what the store holds;
/// so does the summary of the replay of the rest, run to its end.
#[test]
fn ctrl_c_under_batch_prints_what_the_store_holds() {
    let dir = workspace("ctrl-c-batch");
    let total = 60_000;
    large_file(&dir, total);
    let (child, _) = replay_until_progress(&dir);
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let accepted = report["files"][0]["accepted"].as_u64().unwrap();
    assert_eq!(accepted_in_store(&dir), accepted);
    let rest = replay_with_defaults(&dir).args(["--store", "store", "--json", "events.ndjson"]).output().unwrap();
    assert!(rest.status.success(), "{rest:?}");
    let report: Value = serde_json::from_slice(&rest.stdout).unwrap();
    assert_eq!(report["files"][0]["accepted"].as_u64().unwrap() + accepted, total as u64, "{report}");
    assert_eq!(accepted_in_store(&dir), total as u64);
}

/// A file is ingested in chunks; a rejection past the first chunk still names its line in the
/// file, plain or gzip.
#[test]
fn rejections_past_the_first_chunk_keep_their_line_numbers() {
    let dir = workspace("lines");
    let mut lines: Vec<String> = (0..30_000).map(event).collect();
    lines[24_999] = "{not json".into();
    lines.insert(10, String::new());
    let text = lines.join("\n") + "\n";
    std::fs::write(dir.join("events.ndjson"), &text).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(text.as_bytes()).unwrap();
    std::fs::write(dir.join("events.ndjson.gz"), gzip.finish().unwrap()).unwrap();
    for file in ["events.ndjson", "events.ndjson.gz"] {
        let output = journey(&dir).args(["--json", file]).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["files"][0]["lines"], 30_000, "{file}");
        assert_eq!(report["files"][0]["accepted"], 29_999, "{file}");
        // Event 25,000 is on line 25,001: the blank line at 11 counts.
        assert_eq!(report["files"][0]["rejections"][0]["line"], 25_001, "{file}");
    }
}
