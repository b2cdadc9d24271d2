//! The crash test (SPEC §11): a child process works on a durable store, printing each call's result
//! once the call has returned (so once it is durable); the parent kills it with SIGKILL at a random
//! moment, opens the store, and checks that:
//! - the recovered state is exactly the state after the first `k` operations, where `k` is the
//!   number acknowledged or one more (the call under way when the kill came may have been
//!   recorded): nothing acknowledged is lost and nothing is half-applied;
//! - every acknowledged result is what an in-memory engine gives for the same operations;
//! - orchestration fired exactly once (docs/orchestration.md, "Exactly once"): the first operations
//!   put a segment, a content offer map and custom event maps (immediate and delayed), and cookie
//!   visitors' page views and delivery events make them fire. Every web action the child was told
//!   of before the kill is in the recovered store in the state told, every custom event the maps
//!   sent is in the agent's queue once, everything is as the in-memory engine has it, and
//!   `actionMapsFired` is the count of the firings found in the recovered store.
//!
//! Runs alternate between fresh stores and chains that reopen a crashed store and go on, and the
//! small `snapshotEvery` makes kills land during snapshots and journal rotation too. Every other
//! chain runs as a partition would (`orchestration.customEvents: "outbox"`): the custom events the
//! maps fire are then in the store's outbox, each once, numbered as the reference numbers them.
//!
//! `JOURNEY_CRASH_KILLS` sets the number of kills (`make test`: 20; `make crash-test`: 250), and
//! `JOURNEY_CRASH_SEED` replays a failing run.

mod common;

use common::orchestration::cookie_id;
use journey_core::{Catalog, Command, Config, Customer, Engine, IdType, PageRequest, Viewer};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::{Arc, Mutex, mpsc};
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

/// Whether this chain's maps keep their custom events in the outbox, as a partition's do. Set by
/// the parent at each chain and by the child from [`CHILD_OUTBOX`]: the two processes run one test
/// each, so the flag is never shared between tests.
static OUTBOX: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
const CHILD_OUTBOX: &str = "JOURNEY_CRASH_CHILD_OUTBOX";

fn outbox_mode() -> bool {
    OUTBOX.load(std::sync::atomic::Ordering::Relaxed)
}

fn config() -> Config {
    let delivery = if outbox_mode() { "outbox" } else { "send" };
    Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T10:00:00Z", "allowedLateness": "10m",
        "retention": "20m", "actionRetention": "10m", "store": {"snapshotEvery": 16384},
        "orchestration": {"customEvents": delivery}}))
    .unwrap()
}

/// The content offer map and its segment (every page view of a session).
const OFFER: &str = "f1000000-0000-4000-8000-0000000000c1";
const BROWSED: &str = "0a5e7c9d-0000-4000-8000-0000000000c2";
/// The agent the custom event maps send to: never logged in, so what they send waits for it.
const COURIER: &str = "courier";
/// The custom event maps: map `k` sends `fired-k` to the courier when an event's `n` is
/// `TRIGGERS[k]` (each such event is accepted once, so each map fires at most once per store);
/// odd maps a minute after the event, at the next clock move.
const TRIGGERS: [usize; 5] = [1, 9, 17, 25, 33];
/// The operations that put the definitions, before the workload's.
const DEFINITIONS: usize = 2 + TRIGGERS.len();

fn notify_map(k: usize) -> String {
    format!("f1000000-0000-4000-8000-0000000000{:02x}", 0xd0 + k)
}

/// Definition `d`, as the `(op, input)` that puts it.
fn definition(d: usize) -> (&'static str, Value) {
    match d {
        0 => (
            "putSegment",
            json!({"id": BROWSED, "displayName": "Browsed", "scope": "Session",
            "journey": {"patterns": [{"criteria": [], "count": 1, "streamType": "Web", "sessionType": "browsing",
                "eventName": "page_viewed"}]}}),
        ),
        1 => (
            "putActionMap",
            json!({"id": OFFER, "displayName": "Offer the guide", "triggerWithSegments": [BROWSED],
            "weight": 2, "action": {"mediaType": "contentOffer", "actionTemplate": {"name": "Guide"}}}),
        ),
        _ => {
            let k = d - 2;
            let activation = if !k.is_multiple_of(2) {
                json!({"type": "delay", "delayInSeconds": 60})
            } else {
                json!({"type": "immediate"})
            };
            (
                "putActionMap",
                json!({"id": notify_map(k), "displayName": format!("Tell the courier {k}"),
                "triggerWithEventConditions": [{"key": "attributes.n", "values": [TRIGGERS[k].to_string()],
                    "streamType": "Custom", "eventName": "in_transit"}],
                "activation": activation,
                "action": {"mediaType": "customEvent", "agentId": COURIER, "eventName": format!("fired-{k}"),
                    "data": format!("event {}", TRIGGERS[k]), "persistInMemory": true}}),
            )
        }
    }
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

/// A page view: by an email customer in even blocks of 8 operations, by a cookie visitor (whom the
/// content offer map makes an offer) in odd ones.
fn web_event(i: usize) -> Value {
    let customer = if (i / 8).is_multiple_of(2) {
        json!({"id": format!("c{}", i % CUSTOMERS), "idType": "email"})
    } else {
        json!({"id": cookie_id(i % CUSTOMERS), "idType": "cookie"})
    };
    json!({"eventName": "page_viewed", "createdDate": at(i, 100 - i % 90), "customer": customer,
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

/// Operation `i` on `engine`: one call, so that it is recorded whole or not at all. The first
/// put the definitions; the workload follows.
fn operation(engine: &Engine, i: usize) -> Command {
    if i < DEFINITIONS {
        let (op, input) = definition(i);
        return Command::new(op, input).unwrap();
    }
    let i = i - DEFINITIONS;
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

/// Every customer the operations name: email customers and cookie visitors.
fn customers() -> impl Iterator<Item = Customer> {
    let emails = (0..CUSTOMERS).map(|c| Customer::new(format!("c{c}"), IdType::Email));
    emails.chain((0..CUSTOMERS).map(|c| Customer::new(cookie_id(c), IdType::Cookie)))
}

/// What a state looks like from outside: the counters, and every customer's journey (with its
/// segment assignments), events and segments.
fn fingerprint(engine: &Engine) -> Value {
    let viewer = Viewer::new(
        ["journey:session:view", "journey:sessionType:view", "journey:event:view", "journey:eventType:view"],
        ["*"],
    );
    let journeys: Vec<Value> = customers()
        .map(|customer| {
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
            let segments = engine.segments(&customer).unwrap();
            json!({"journey": page, "events": events, "segments": segments})
        })
        .collect();
    let outbox = engine.outbox(&Default::default()).unwrap();
    json!({"stats": engine.stats(), "journeys": journeys, "now": engine.now(), "outbox": outbox})
}

/// The child: works on the store from operation `start` until it is killed. With each result it
/// reports the web action changes it was told of during the call (told once the call's change was
/// durable).
#[test]
#[ignore = "the crash test's child process; crash_test runs it"]
fn crash_child() {
    let (Ok(dir), Ok(start)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_START)) else { return };
    OUTBOX.store(std::env::var(CHILD_OUTBOX).is_ok(), std::sync::atomic::Ordering::Relaxed);
    let engine = Engine::open(&dir, catalog(), config()).unwrap();
    let told = subscribe(&engine);
    let mut out = std::io::stdout().lock();
    for i in start.parse::<usize>().unwrap().. {
        let result = run(&engine, i);
        let told = Value::from(std::mem::take(&mut *told.lock().unwrap()));
        writeln!(out, "{ACK}{i}\t{result}\t{told}").unwrap();
        out.flush().unwrap();
    }
}

/// Subscribes to every web action change `engine` makes; returns where they are kept.
fn subscribe(engine: &Engine) -> Arc<Mutex<Vec<Value>>> {
    let told: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = told.clone();
    let record = move |n: &journey_core::action::Notification| {
        sink.lock().unwrap().push(serde_json::to_value(n).unwrap());
        Ok(())
    };
    engine.on("all:all", record).unwrap();
    told
}

/// One operation the child acknowledged: its result, and the web action changes it was told of.
struct Ack {
    i: usize,
    result: String,
    told: Vec<Value>,
}

/// An in-memory engine given the operations from the first, with what each answered and told.
struct Reference {
    engine: Engine,
    told: Arc<Mutex<Vec<Value>>>,
    results: Vec<String>,
    told_by: Vec<Vec<Value>>,
}

impl Reference {
    /// A reference after `n` operations.
    fn after(n: usize) -> Reference {
        let engine = Engine::new(catalog(), config()).unwrap();
        let told = subscribe(&engine);
        let mut reference = Reference { engine, told, results: Vec::new(), told_by: Vec::new() };
        (0..n).for_each(|_| drop(reference.step()));
        reference
    }

    /// Runs the next operation; returns its result.
    fn step(&mut self) -> String {
        let result = run(&self.engine, self.results.len());
        self.results.push(result.clone());
        self.told_by.push(std::mem::take(&mut *self.told.lock().unwrap()));
        result
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
/// what it acknowledged, in order.
fn run_child_and_kill(dir: &Path, start: usize, delay: Duration) -> Vec<Ack> {
    let mut child = Process::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .env(CHILD_START, start.to_string())
        .envs(outbox_mode().then_some((CHILD_OUTBOX, "1")))
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
                let mut fields = ack.splitn(3, '\t');
                let (Some(i), Some(result), Some(told)) = (fields.next(), fields.next(), fields.next()) else { break };
                let told: Vec<Value> = serde_json::from_str(told).unwrap();
                let ack = Ack { i: i.parse().unwrap(), result: result.to_owned(), told };
                if lines.send(ack).is_err() {
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
/// acknowledged count or one more, with every acknowledged result (and web action change told)
/// matching a reference engine, and the firings found in the store exactly the reference's.
fn verify(dir: &Path, acked: &[Ack], start: usize, seed: u64) -> usize {
    let last = acked.last().unwrap().i;
    assert!(acked.iter().enumerate().all(|(n, ack)| ack.i == start + n), "acknowledgements out of order from {start}");
    let recovered =
        Engine::open(dir, catalog(), config()).unwrap_or_else(|e| panic!("seed {seed}: recovery failed: {e}"));
    let state = fingerprint(&recovered);
    let mut reference = Reference::after(last + 1);
    for Ack { i, result, told } in acked {
        assert_eq!(
            &reference.results[*i], result,
            "seed {seed}: operation {i} acknowledged a result the reference does not give"
        );
        assert_eq!(
            &reference.told_by[*i], told,
            "seed {seed}: operation {i} told of web actions the reference does not"
        );
    }
    let next = last + 1;
    let applied = if fingerprint(&reference.engine) != state {
        reference.step();
        same(&fingerprint(&reference.engine), &state, seed, next);
        next + 1
    } else {
        // The state looks like `next` operations, but operation `next` may be one the fingerprint
        // cannot see (a poll, a web action): run it on a copy of the store. If the store already
        // holds it, the copy answers differently from the reference.
        let copy = copy_of(dir);
        let probe = Engine::open(&copy, catalog(), config()).unwrap();
        let (again, expected) = (run(&probe, next), reference.step());
        drop(probe);
        if again == expected {
            next
        } else {
            same(&fingerprint(&reference.engine), &state, seed, next);
            next + 1
        }
    };
    check_firings(dir, acked, applied, seed);
    finish(recovered, applied)
}

/// What orchestration left in an engine: its counters, each content offer's state (probed by
/// recording again the last state `told` of it: a duplicate when the action is in that state),
/// and the custom events the maps sent the courier: waiting in its queue (it logs in and takes
/// them), or in outbox mode, the outbox's requests. Changes the engine.
#[derive(Debug, PartialEq)]
struct Firings {
    fired: u64,
    capped: u64,
    offers: std::collections::BTreeMap<String, Value>,
    courier: Vec<Value>,
}

fn firings(engine: &Engine, told: &[Value]) -> Firings {
    let stats = engine.stats();
    let session = engine.start_agent_session(COURIER).unwrap().session_id.to_string();
    let taken = serde_json::to_value(engine.next_events(&session, 0, Some(1000), None).unwrap()).unwrap();
    let queued = taken["events"].as_array().into_iter().flatten().filter(|e| e["type"] == "CustomEvent").cloned();
    let outbox = engine.outbox(&Default::default()).unwrap().into_iter();
    let courier: Vec<Value> = match outbox_mode() {
        true => outbox.map(|entry| serde_json::to_value(entry.request).unwrap()).collect(),
        false => queued.collect(),
    };
    let mut last = std::collections::BTreeMap::new();
    for n in told.iter().filter(|n| n["actionMapId"] == OFFER) {
        last.insert(n["actionId"].as_str().unwrap().to_owned(), n.clone());
    }
    let offers = last
        .into_iter()
        .map(|(id, n)| {
            let mut again = n.clone();
            again.as_object_mut().unwrap().remove("createdDate");
            let probed = match engine.record_action_event(&again) {
                Ok(record) => serde_json::to_value(record).unwrap(),
                Err(error) => error.to_json(),
            };
            (id, probed)
        })
        .collect();
    Firings { fired: stats.action_maps_fired, capped: stats.action_maps_capped, offers, courier }
}

/// Checks, on a copy of the recovered store, that the firings of the first `applied` operations
/// are there exactly once: each acknowledged content offer in the state the child was told of,
/// each custom event the maps sent (by the last acknowledged operation, and in all) in the
/// courier's queue once, everything as the reference has it, and `actionMapsFired` the count of
/// the offers and custom events found.
fn check_firings(dir: &Path, acked: &[Ack], applied: usize, seed: u64) {
    let expected = Reference::after(applied);
    let told = expected.told_by.concat();
    let copy = copy_of(dir);
    let store = Engine::open(&copy, catalog(), config()).unwrap();
    let found = firings(&store, &told);
    drop(store);
    assert_eq!(found, firings(&expected.engine, &told), "seed {seed}: the store's firings after {applied} operations");
    for n in acked.iter().flat_map(|ack| &ack.told).filter(|n| n["actionMapId"] == OFFER) {
        let probed = &found.offers[n["actionId"].as_str().unwrap()];
        assert!(
            probed["duplicate"] == true && probed["actionState"] == n["actionState"],
            "seed {seed}: an acknowledged offer {n} is in the store as {probed}"
        );
    }
    let names: Vec<&str> = found.courier.iter().map(|e| e["eventName"].as_str().unwrap()).collect();
    let once: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(once.len(), names.len(), "seed {seed}: a custom event sent twice: {names:?}");
    let sent = firings(&Reference::after(acked.last().unwrap().i + 1).engine, &[]).courier;
    for event in &sent {
        assert!(
            once.contains(event["eventName"].as_str().unwrap()),
            "seed {seed}: the acknowledged {event} is not in the store"
        );
    }
    let offers =
        |state: &str| found.offers.values().filter(|p| p["duplicate"] == true && p["actionState"] == state).count();
    assert_eq!(found.fired, (offers("qualified") + found.courier.len()) as u64, "seed {seed}: actionMapsFired");
    assert_eq!(found.capped, offers("frequencyCapReached") as u64, "seed {seed}: actionMapsCapped");
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
fn copy_of(dir: &Path) -> common::TempDir {
    let copy = common::temp_dir("crash-probe");
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "LOCK" {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    copy
}

/// The counters of the store in `dir`.
fn store_stats(dir: &Path) -> journey_core::Stats {
    Engine::open(dir, catalog(), config()).unwrap().stats()
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
    let (mut dir, mut applied, mut acknowledged) = (common::temp_dir("crash"), 0, 0);
    let (mut evictions, mut fired, mut forwarded) = (0u64, 0u64, 0usize);
    for kill in 0..kills {
        if kill % CHAIN == 0 {
            dir = common::temp_dir("crash");
            applied = 0;
            OUTBOX.store((kill / CHAIN) % 2 == 1, std::sync::atomic::Ordering::Relaxed);
        }
        let delay = Duration::from_millis(1 + random.below(40));
        let acked = run_child_and_kill(&dir, applied, delay);
        acknowledged += acked.len();
        applied = verify(&dir, &acked, applied, seed);
        let stats = store_stats(&dir);
        evictions = evictions.max(stats.sessions_evicted);
        fired = fired.max(stats.action_maps_fired);
        if outbox_mode() {
            forwarded = forwarded
                .max(Engine::open(&dir, catalog(), config()).unwrap().outbox(&Default::default()).unwrap().len());
        }
    }
    eprintln!(
        "crash test: {kills} kills, {acknowledged} acknowledged calls checked, up to {evictions} sessions evicted, {fired} action maps fired and {forwarded} custom events in the outbox in one store, seed {seed}, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Chains of kills reach the operations that fire maps (the first custom event map fires at
    // operation 8, the first offer at 18).
    assert!(kills < 2 * CHAIN || fired > 0, "seed {seed}: no action map fired");
}
