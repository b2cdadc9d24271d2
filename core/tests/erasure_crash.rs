//! The erasure crash test (docs/identity.md, "Erasure"): a child process erases people from a
//! durable store one after another, printing each erasure once `erase` has returned; the parent
//! kills it with SIGKILL at a random moment (during an erasure's journal write, its snapshot, the
//! deletion of the old files, or the recovery of an earlier crash), then checks, after a recovery,
//! that no file of the store holds any byte of a person whose erasure was acknowledged (nor of the
//! one under way, if the recovered store erased it), and that everyone not erased is intact.
//!
//! Some rounds start the next child on the crashed store without recovering it first, so that
//! kills also land in a recovery that re-applies a tombstone and rewrites the store.
//! `JOURNEY_ERASE_CRASH_KILLS` sets the number of kills (default 12), `JOURNEY_ERASE_CRASH_SEED`
//! replays a run.

mod common;

use common::people::{events_of, identifiers, people_on_disk};
use journey_core::{Catalog, Command, Config, Engine};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::Duration;

const CHILD_DIR: &str = "JOURNEY_ERASE_CRASH_DIR";
const CHILD_START: &str = "JOURNEY_ERASE_CRASH_START";
const ACK: &str = "erased\t";
const PEOPLE: usize = 300;
const EVENTS: usize = 5;

fn catalog() -> Catalog {
    Catalog::from_json(
        r#"{"sessionTypes": [{"name": "delivery", "kind": "custom",
            "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string"}]}]}]}"#,
    )
    .unwrap()
}

fn config() -> Config {
    Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T12:00:00Z", "store": {"sync": "batch"}}))
        .unwrap()
}

fn call(engine: &Engine, op: &str, input: Value) -> Value {
    engine.call(&Command::new(op, input).unwrap()).unwrap_or_else(|e| panic!("{op}: {e}"))
}

/// The child: erases people from `start` on, in order, until it is killed.
#[test]
#[ignore = "the erasure crash test's child process; erasure_crash runs it"]
fn erase_crash_child() {
    let (Ok(dir), Ok(start)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_START)) else { return };
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    let mut out = std::io::stdout().lock();
    for p in start.parse::<usize>().unwrap()..PEOPLE {
        let erased = call(&engine, "erase", json!({"customer": identifiers(p)[p % 3]}));
        writeln!(out, "{ACK}{p}\t{erased}").unwrap();
        out.flush().unwrap();
    }
    std::thread::sleep(Duration::from_secs(60));
}

/// Starts the child on `dir` from person `start`, kills it after `delay` (counted from its first
/// acknowledgement, or from its start when `early`), and returns the people it acknowledged.
fn run_child_and_kill(dir: &Path, start: usize, delay: Duration, early: bool) -> Vec<usize> {
    let mut child = Process::new(std::env::current_exe().unwrap())
        .args(["erase_crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .env(CHILD_START, start.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let whole = json!({"customersErased": 3, "eventsErased": EVENTS}).to_string();
        // The first may have been erased already, by the recovery of the erasure under way when
        // the previous child was killed.
        let none = json!({"customersErased": 0, "eventsErased": 0}).to_string();
        let mut n = 0;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some((_, ack)) = line.split_once(ACK) {
                n += 1;
                let (p, result) = ack.split_once('\t').unwrap();
                assert!(result == whole || (n == 1 && result == none), "person {p}: {result}");
                if lines.send(p.parse::<usize>().unwrap()).is_err() {
                    break;
                }
            }
        }
    });
    let mut acked = Vec::new();
    if !early {
        acked.push(received.recv_timeout(Duration::from_secs(60)).expect("the child erased no one"));
    }
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    acked.extend(received.try_iter());
    acked
}

/// Recovers the store and checks it: returns the people it holds erased (a prefix of everyone).
fn verify(dir: &Path, acked: &BTreeSet<usize>, seed: u64) -> (usize, u64) {
    let engine = Engine::open(dir, catalog(), config()).unwrap_or_else(|e| panic!("seed {seed}: recovery failed: {e}"));
    let completed = engine.recovery().unwrap().erasures_completed;
    let viewer = json!({"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["*"]});
    let erased: Vec<bool> = (0..PEOPLE)
        .map(|p| {
            let page = call(&engine, "journey", json!({"customer": identifiers(p)[0], "viewer": viewer}));
            page["entities"].as_array().unwrap().is_empty()
        })
        .collect();
    drop(engine);
    let held = erased.iter().take_while(|e| **e).count();
    assert!(erased[held..].iter().all(|e| !e), "seed {seed}: erasures out of order: {erased:?}");
    assert!(acked.iter().all(|p| *p < held), "seed {seed}: an acknowledged erasure was lost ({held} held)");
    assert!(held <= acked.last().map_or(1, |p| p + 2), "seed {seed}: more erased than was asked");
    let on_disk = people_on_disk(dir, 0..PEOPLE);
    let leaked: Vec<usize> = on_disk.iter().copied().filter(|p| *p < held).collect();
    assert!(leaked.is_empty(), "seed {seed}: the store's files still hold erased people {leaked:?}");
    assert_eq!(on_disk.len(), PEOPLE - held, "seed {seed}: someone not erased lost bytes");
    (held, completed)
}

#[test]
fn erasure_crash() {
    let kills: usize = std::env::var("JOURNEY_ERASE_CRASH_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(12);
    let seed: u64 = std::env::var("JOURNEY_ERASE_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    let mut random = seed;
    let mut below = |n: u64| {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random % n
    };
    let dir = common::temp_dir("erase-crash");
    {
        let engine = Engine::open(&dir, catalog(), config()).unwrap();
        let all: Vec<Value> = (0..PEOPLE).flat_map(|p| events_of(p, EVENTS)).collect();
        for batch in all.chunks(1_000) {
            assert_eq!(call(&engine, "ingestBatch", Value::Array(batch.to_vec()))["accepted"], batch.len());
        }
        engine.close().unwrap();
    }
    let (mut acked, mut next, mut completed, mut unrecovered) = (BTreeSet::new(), 0, 0, false);
    for kill in 0..kills {
        if next >= PEOPLE - 20 {
            break;
        }
        let early = unrecovered && below(2) == 0;
        let delay = Duration::from_millis(below(if early { 120 } else { 60 }));
        acked.extend(run_child_and_kill(&dir, next, delay, early));
        // Every third round leaves the crash to the next child's recovery, killed or not.
        unrecovered = kill % 3 == 1;
        if unrecovered {
            next = acked.last().map_or(next, |p| p + 1).max(next);
            continue;
        }
        let (held, found) = verify(&dir, &acked, seed);
        (next, completed) = (held, completed + found);
    }
    let (_, found) = verify(&dir, &acked, seed);
    completed += found;
    eprintln!(
        "erasure crash test: {kills} kills, {} erasures acknowledged, {completed} completed by recovery, seed {seed}",
        acked.len()
    );
}
