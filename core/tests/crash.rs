//! The crash test (SPEC §11): a child process works on a durable store, printing each call's result
//! once the call has returned (so once it is durable); the parent kills it with SIGKILL at a random
//! moment, opens the store, and checks that:
//! - the recovered state is exactly the state after the first `k` operations, where `k` is the
//!   number acknowledged or one more (the call under way when the kill came may have been
//!   recorded): nothing acknowledged is lost and nothing is half-applied;
//! - every acknowledged result is what an in-memory engine gives for the same operations.
//!
//! Runs alternate between fresh stores and chains that reopen a crashed store and go on, and the
//! small `snapshotEvery` makes kills land during snapshots and journal rotation too.
//!
//! `JOURNEY_CRASH_KILLS` sets the number of kills (`make test`: 20; `make crash-test`: 250), and
//! `JOURNEY_CRASH_SEED` replays a failing run.

mod common;

use journey_core::{Catalog, Command, Config, Customer, Engine, IdType, PageRequest, Viewer};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const CHILD_DIR: &str = "JOURNEY_CRASH_CHILD_DIR";
const CHILD_START: &str = "JOURNEY_CRASH_CHILD_START";
/// Marks the child's result lines among the test harness's own output.
const ACK: &str = "ack\t";
const CUSTOMERS: usize = 5;
/// Runs on one store before it is replaced by a fresh one.
const CHAIN: usize = 4;

fn catalog() -> Catalog {
    Catalog::from_json(
        r#"{"sessionTypes": [
        {"name": "delivery", "kind": "custom", "attributes": [{"name": "location", "type": "string"}],
         "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true},
                                                              {"name": "n", "type": "integer"}]}]},
        {"name": "browsing", "kind": "web", "inactivityGap": "2m",
         "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "n", "type": "integer"}]}]}]}"#,
    )
    .unwrap()
}

fn config() -> Config {
    Config::from_json(
        r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "allowedLateness": "10m", "retention": "20m",
        "actionRetention": "10m", "store": {"snapshotEvery": 16384}}"#,
    )
    .unwrap()
}

/// Seconds after the start for operation `i`: the clock advances a minute every 8 operations.
fn seconds(i: usize) -> usize {
    (i / 8) * 60
}

fn at(i: usize, back: usize) -> String {
    let secs = 36_000 + seconds(i) - back;
    format!("2026-11-21T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// A custom event; its order belongs to one customer, but one event in seven comes from another
/// (`CUSTOMER_MISMATCH`).
fn custom_event(i: usize) -> Value {
    let order = (i / 3) % 11;
    let customer = if i.is_multiple_of(7) { order + 1 } else { order } % CUSTOMERS;
    json!({"eventName": "in_transit", "createdDate": at(i, 30), "customer": {"id": format!("c{customer}"), "idType": "email"},
        "session": {"type": "delivery", "externalId": format!("o{order}")},
        "attributes": {"location": format!("stop {i}"), "n": i}})
}

fn web_event(i: usize) -> Value {
    json!({"eventName": "page_viewed", "createdDate": at(i, 100 - i % 90), "customer": {"id": format!("c{}", i % CUSTOMERS), "idType": "email"},
        "session": {"type": "browsing"}, "attributes": {"n": i}})
}

/// The agent session of the current login (logins start at agent operations 0, 6, 12, … and end
/// at 5, 11, …, so one is active when this is asked). Session ids are random, so the engine is
/// asked: `start_agent_session` returns the active session's id and changes nothing.
fn agent_session(engine: &Engine) -> String {
    engine.start_agent_session("a1").unwrap().session_id.to_string()
}

fn action(m: usize) -> Value {
    let states = ["offered", "accepted", "started", "engaged", "completed"];
    json!({"actionId": Uuid::from_u128(0x5000 + (m / 5) as u128).to_string(), "actionState": states[m % 5],
        "actionMediaType": "webchat", "actionMapId": Uuid::from_u128(1).to_string(), "actionMapVersion": 1,
        "customerId": Uuid::from_u128(2).to_string(), "customerIdType": "cookie", "sessionId": Uuid::from_u128(3).to_string()})
}

/// Operation `i` on `engine`: one call, so that it is recorded whole or not at all.
fn operation(engine: &Engine, i: usize) -> Command {
    let m = i / 8;
    let (op, input) = match i % 8 {
        0..=2 => ("ingest", custom_event(i)),
        3 => ("ingest", web_event(i)),
        4 => ("ingest", if i >= 8 { custom_event(i - 8) } else { custom_event(i) }),
        5 => ("advance", json!("1m")),
        6 => match m % 6 {
            0 => ("startAgentSession", json!({"agentId": "a1"})),
            1 | 2 | 4 => (
                "sendCustomEvent",
                json!({"agentId": "a1", "eventName": format!("e{}", m % 4), "data": i.to_string(), "persistInMemory": m.is_multiple_of(2)}),
            ),
            3 => ("nextEvents", json!({"sessionId": agent_session(engine), "timeoutMs": 0, "max": 2})),
            _ => ("endAgentSession", json!({"sessionId": agent_session(engine)})),
        },
        _ => ("recordActionEvent", action(m)),
    };
    Command::new(op, input).unwrap()
}

/// One operation's result (or error) as JSON text. A login's id is random, so it is left out.
fn run(engine: &Engine, i: usize) -> String {
    match engine.call(&operation(engine, i)) {
        Ok(result) if result.get("sessionId").is_some() => json!({"sessionId": "(random)"}).to_string(),
        Ok(result) => result.to_string(),
        Err(error) => json!({"error": error.code()}).to_string(),
    }
}

/// What a state looks like from outside: the counters, and every customer's journey and events.
fn fingerprint(engine: &Engine) -> Value {
    let viewer = Viewer::new(
        ["journey:session:view", "journey:sessionType:view", "journey:event:view", "journey:eventType:view"],
        ["*"],
    );
    let journeys: Vec<Value> = (0..CUSTOMERS)
        .map(|c| {
            let customer = Customer::new(format!("c{c}"), IdType::Email);
            let page = engine.journey(&customer, &viewer, &PageRequest::first(200)).unwrap();
            let events: Vec<Value> = page
                .entities
                .iter()
                .map(|card| {
                    let events =
                        engine.session_events(&card.id.to_string(), &viewer, &PageRequest::first(200)).unwrap();
                    serde_json::to_value(events).unwrap()
                })
                .collect();
            json!({"journey": page, "events": events})
        })
        .collect();
    json!({"stats": engine.stats(), "journeys": journeys, "now": engine.now()})
}

/// The child: works on the store from operation `start` until it is killed.
#[test]
#[ignore = "the crash test's child process; crash_test runs it"]
fn crash_child() {
    let (Ok(dir), Ok(start)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_START)) else { return };
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    let mut out = std::io::stdout().lock();
    for i in start.parse::<usize>().unwrap().. {
        let result = run(&engine, i);
        writeln!(out, "{ACK}{i}\t{result}").unwrap();
        out.flush().unwrap();
    }
}

/// A small xorshift generator, so that a failing run can be replayed from its seed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Starts the child on `dir` from operation `start`, kills it after `delay` of work, and returns
/// the results it acknowledged, in order.
fn run_child_and_kill(dir: &Path, start: usize, delay: Duration) -> Vec<(usize, String)> {
    let mut child = Process::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .env(CHILD_START, start.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some((_, ack)) = line.split_once(ACK) {
                let (i, result) = ack.split_once('\t').unwrap();
                if lines.send((i.parse::<usize>().unwrap(), result.to_owned())).is_err() {
                    break;
                }
            }
        }
    });
    // Kill only once the child is working: wait for its first acknowledgement.
    let first = received.recv_timeout(Duration::from_secs(60)).expect("the child acknowledged nothing");
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    std::iter::once(first).chain(received.try_iter()).collect()
}

/// Opens the crashed store and finds how many operations it holds; panics unless that is the
/// acknowledged count or one more, with every acknowledged result matching a reference engine.
fn verify(dir: &Path, acked: &[(usize, String)], start: usize, seed: u64) -> usize {
    let last = acked.last().unwrap().0;
    assert!(acked.iter().enumerate().all(|(n, (i, _))| *i == start + n), "acknowledgements out of order from {start}");
    let recovered =
        Engine::open(dir, catalog(), config()).unwrap_or_else(|e| panic!("seed {seed}: recovery failed: {e}"));
    let state = fingerprint(&recovered);
    let reference = Engine::new(catalog(), config()).unwrap();
    let results: Vec<String> = (0..=last).map(|i| run(&reference, i)).collect();
    for (i, result) in acked {
        assert_eq!(
            &results[*i], result,
            "seed {seed}: operation {i} acknowledged a result the reference does not give"
        );
    }
    let next = last + 1;
    if fingerprint(&reference) != state {
        run(&reference, next);
        same(&fingerprint(&reference), &state, seed, next);
        return finish(recovered, next + 1);
    }
    // The state looks like `next` operations, but operation `next` may be one the fingerprint
    // cannot see (a poll, a web action): run it on a copy of the store. If the store already
    // holds it, the copy answers differently from the reference.
    let copy = copy_of(dir);
    let probe = Engine::open(&copy, catalog(), config()).unwrap();
    let (again, expected) = (run(&probe, next), run(&reference, next));
    drop(probe);
    std::fs::remove_dir_all(&copy).unwrap();
    if again == expected {
        return finish(recovered, next);
    }
    same(&fingerprint(&reference), &state, seed, next);
    finish(recovered, next + 1)
}

/// Panics, naming the first difference, unless the reference after `next + 1` operations looks
/// like the recovered store.
fn same(reference: &Value, recovered: &Value, seed: u64, next: usize) {
    if let Some(path) = first_difference(reference, recovered, String::new()) {
        panic!("seed {seed}: the store holds neither {next} nor {} operations; first difference at {path}", next + 1);
    }
}

/// The JSON pointer of the first place where two values differ, with both values.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().find_map(|(key, value)| match y.get(key) {
                Some(other) => first_difference(value, other, format!("{path}/{key}")),
                None => Some(format!("{path}/{key}: only in the reference")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| first_difference(v, w, format!("{path}/{i}")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: reference {a}, recovered {b}")),
    }
}

/// A copy of a store's files (not its lock).
fn copy_of(dir: &Path) -> std::path::PathBuf {
    let copy = common::temp_dir("crash-probe");
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "LOCK" {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    copy
}

/// How many sessions retention has evicted from the store in `dir`.
fn evicted_sessions(dir: &Path) -> u64 {
    Engine::open(dir, catalog(), config()).unwrap().stats().sessions_evicted
}

fn finish(engine: Engine, applied: usize) -> usize {
    engine.close().unwrap();
    applied
}

#[test]
fn crash_test() {
    let kills: usize = std::env::var("JOURNEY_CRASH_KILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(20);
    let seed = std::env::var("JOURNEY_CRASH_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    let mut random = Random(seed);
    let started = Instant::now();
    let (mut dir, mut applied, mut acknowledged, mut evictions) = (common::temp_dir("crash"), 0, 0, 0u64);
    for kill in 0..kills {
        if kill % CHAIN == 0 {
            std::fs::remove_dir_all(&dir).unwrap();
            dir = common::temp_dir("crash");
            applied = 0;
        }
        let delay = Duration::from_millis(1 + random.below(40));
        let acked = run_child_and_kill(&dir, applied, delay);
        acknowledged += acked.len();
        applied = verify(&dir, &acked, applied, seed);
        evictions = evictions.max(evicted_sessions(&dir));
    }
    std::fs::remove_dir_all(&dir).unwrap();
    eprintln!(
        "crash test: {kills} kills, {acknowledged} acknowledged calls checked, up to {evictions} sessions evicted in one store, seed {seed}, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
