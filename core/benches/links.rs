//! `make bench`: what identity's links cost (docs/identity.md; docs/performance.md, "Identity").
//!
//! 1. Ingest: one stream of 500,000 events across 100,000 people (`workload`: web events of
//!    `cookie-N`, custom events of `customer-N@example.com`, alternating), once as it is and once
//!    with 10% of the web events carrying the person's e-mail as an identifier (a login: the
//!    cookie and the e-mail become one profile). It times `ingest_json` per event (wall and the
//!    calling thread's CPU) and `ingest_ndjson` (the batch path), the median of `RUNS` runs taken in
//!    turns, and prints events/s and the ratio to the stream without identifiers.
//! 2. The journey of one person with 50 identifiers (an e-mail and 49 cookies that logged in,
//!    200 sessions) against one identifier holding 200 sessions: a first page of 25 and every
//!    page, for a viewer of every division and for one of a list of divisions (who follows the
//!    links one by one).
//!
//! `make bench-smoke` (`JOURNEY_BENCH_SMOKE=1`) runs it on 2,000 events. Prints tables; asserts
//! nothing about speed (only that both streams are accepted whole and link as expected).

mod workload;

use journey_core::{Catalog, Customer, Engine, IdType, PageRequest, Viewer};
use std::time::{Duration, Instant};

/// Runs of each stream, taken in turns. The table gives the median: on a shared machine one lucky
/// run of either stream moves a best-of ratio by 20% and more, a median far less.
const RUNS: usize = 7;
/// One web event in this many carries an identifier: 1 in 5 web events is 10% of all events.
const LOGIN_EVERY: usize = 5;

fn events() -> usize {
    workload::events() / 2
}

/// Event `i`: web and custom events alternate; with `logins`, every fifth web event carries the
/// person's e-mail.
fn event(i: usize, logins: bool) -> String {
    if i % 2 == 1 {
        return workload::custom_event(i);
    }
    let mut event = workload::web_event(i);
    if logins && (i / 2).is_multiple_of(LOGIN_EVERY) {
        let person = i % workload::customers();
        let identifiers = format!(r#","identifiers":[{{"id":"customer-{person:07}@example.com","idType":"email"}}]"#);
        event.insert_str(event.len() - 1, &identifiers);
    }
    event
}

fn engine() -> Engine {
    Engine::new(Catalog::from_json(workload::CATALOG).unwrap(), workload::config("")).unwrap()
}

/// One run of each path: per-event wall and CPU time, batch wall time, and the links made.
#[derive(Clone, Copy)]
struct Run {
    per_event: Duration,
    per_event_cpu: Option<Duration>,
    batch: Duration,
    links: u64,
}

fn run(lines: &[String], ndjson: &[u8]) -> Run {
    let one_by_one = engine();
    let (started, cpu) = (Instant::now(), thread_cpu());
    for line in lines {
        let outcome = one_by_one.ingest_json(line.as_bytes()).unwrap();
        assert_eq!(outcome.status(), "accepted", "{line}");
    }
    let per_event = started.elapsed();
    let per_event_cpu = thread_cpu().zip(cpu).map(|(after, before)| after - before);
    let links = one_by_one.stats().identity_links;
    // Freed before the batch runs, so that the batch does not allocate around 500,000 events of
    // another engine (which slowed the stream with identifiers' batch by a fifth in a run).
    drop(one_by_one);
    let batched = engine();
    let started = Instant::now();
    let result = batched.ingest_ndjson(ndjson).unwrap();
    let batch = started.elapsed();
    assert_eq!(result.accepted, lines.len());
    assert_eq!(batched.stats().identity_links, links, "both paths link alike");
    Run { per_event, per_event_cpu, batch, links }
}

fn ingest_table() {
    let n = events();
    let streams: Vec<(Vec<String>, Vec<u8>)> = [false, true]
        .into_iter()
        .map(|logins| {
            let lines: Vec<String> = (0..n).map(|i| event(i, logins)).collect();
            let ndjson = lines.iter().flat_map(|l| l.bytes().chain([b'\n'])).collect();
            (lines, ndjson)
        })
        .collect();
    let runs = if workload::smoke() { 1 } else { RUNS };
    let mut taken: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (slot, (lines, ndjson)) in streams.iter().enumerate() {
            taken[slot].push(run(lines, ndjson));
        }
    }
    let [plain, linked] = taken.map(|runs| Summary::of(&runs));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("\nIngest with identifiers on 10% of events: {n} events, median of {runs} runs taken in turns\n");
    println!(
        "| stream | links made | `ingest_json` ev/s | ratio | CPU ns/event | CPU ratio | `ingest_ndjson` ev/s | ratio | ratio of the fastest runs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, r) in [("no identifiers", &plain), ("identifiers on 10%", &linked)] {
        let cpu_ns = r.per_event_cpu.map(|d| d.as_nanos() as f64 / n as f64);
        let base_cpu = plain.per_event_cpu.map(|d| d.as_nanos() as f64 / n as f64);
        println!(
            "| {name} | {} | {:.0} | {:.3} | {} | {} | {:.0} | {:.3} | {:.3} |",
            r.links,
            rate(r.per_event),
            plain.per_event.as_secs_f64() / r.per_event.as_secs_f64(),
            cpu_ns.map_or("n/a".into(), |ns| format!("{ns:.0}")),
            cpu_ns.zip(base_cpu).map_or("n/a".into(), |(ns, base)| format!("{:.3}", base / ns)),
            rate(r.batch),
            plain.batch.as_secs_f64() / r.batch.as_secs_f64(),
            plain.fastest_batch.as_secs_f64() / r.fastest_batch.as_secs_f64(),
        );
    }
}

/// The medians of one stream's runs, and its fastest batch.
struct Summary {
    per_event: Duration,
    per_event_cpu: Option<Duration>,
    batch: Duration,
    fastest_batch: Duration,
    links: u64,
}

impl Summary {
    fn of(runs: &[Run]) -> Summary {
        let batches: Vec<Duration> = runs.iter().map(|r| r.batch).collect();
        let cpu: Option<Vec<Duration>> = runs.iter().map(|r| r.per_event_cpu).collect();
        Summary {
            per_event: median(runs.iter().map(|r| r.per_event).collect()),
            per_event_cpu: cpu.map(median),
            batch: median(batches.clone()),
            fastest_batch: batches.into_iter().min().expect("at least one run"),
            links: runs[0].links,
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

/// An engine holding one person of 50 identifiers with `sessions` sessions in all, or (without
/// `linked`) one cookie holding as many sessions.
fn person(linked: bool, sessions: usize) -> (Engine, Customer) {
    let engine = engine();
    let email = Customer::new("dana@example.com", IdType::Email);
    let per_member = sessions / 50;
    for member in 0..50 {
        for s in 0..per_member {
            // Two hours apart: past the web inactivity gap, so each event is a session.
            let millis = 1_763_700_000_000i64 + (s * 50 + member) as i64 * 7_200_000;
            let at = chrono::DateTime::from_timestamp_millis(millis).unwrap().to_rfc3339();
            let cookie = if linked { format!("cookie-{member}") } else { "cookie-0".into() };
            let login =
                if linked && s == 0 { r#","identifiers":[{"id":"dana@example.com","idType":"email"}]"# } else { "" };
            let event = format!(
                r#"{{"eventName":"page_viewed","createdDate":"{at}","customer":{{"id":"{cookie}","idType":"cookie"}},"session":{{"type":"web"}},"attributes":{{"page":"/p/{s}"}}{login}}}"#
            );
            assert_eq!(engine.ingest_json(event.as_bytes()).unwrap().status(), "accepted");
        }
    }
    let customer = if linked { email } else { Customer::new("cookie-0", IdType::Cookie) };
    (engine, customer)
}

fn journey_table() {
    let sessions = if workload::smoke() { 50 } else { 200 };
    let calls = if workload::smoke() { 10 } else { 2_000 };
    let permissions = ["journey:session:view", "journey:sessionType:view"];
    let viewers = [
        ("every division", Viewer::new(permissions, ["*"])),
        ("a list of divisions", Viewer::new(permissions, ["east", "west"])),
    ];
    println!("\nThe journey of one person: 50 identifiers against one, {sessions} sessions, {calls} calls each\n");
    println!("| customer | viewer | cards listed | first page of 25, µs | every page, µs |");
    println!("|---|---|---:|---:|---:|");
    for (name, linked) in [("one identifier", false), ("a profile of 50 identifiers", true)] {
        let (engine, customer) = person(linked, sessions);
        for (viewer_name, viewer) in &viewers {
            let first =
                time(calls, || engine.journey(&customer, viewer, &PageRequest::first(25)).unwrap().entities.len());
            let mut cards = 0;
            let every = time(calls, || {
                cards = 0;
                let mut page = PageRequest::first(25);
                loop {
                    let read = engine.journey(&customer, viewer, &page).unwrap();
                    cards += read.entities.len();
                    match read.next_cursor {
                        Some(cursor) => page = PageRequest::after(25, cursor),
                        None => return cards,
                    }
                }
            });
            assert_eq!(cards, sessions, "{name}: every session is listed");
            println!("| {name} | {viewer_name} | {cards} | {:.1} | {:.1} |", micros(first), micros(every));
        }
    }
}

/// The mean time of `calls` calls of `f`.
fn time<T>(calls: usize, mut f: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..calls {
        std::hint::black_box(f());
    }
    started.elapsed() / calls as u32
}

fn micros(d: Duration) -> f64 {
    d.as_nanos() as f64 / 1_000.0
}

/// The calling thread's time on a CPU so far (Linux's schedstat); `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// `JOURNEY_BENCH_PROFILE=logins` (or `plain`) `target/release/deps/links-* --bench` under
/// valgrind's callgrind (`--toggle-collect='*Engine>::ingest_json'`), which counts instructions
/// and simulated cache misses where the machine has no hardware counters: the first
/// `JOURNEY_BENCH_PROFILE_EVENTS` events (default 100,000) of one stream ingested one at a time,
/// nothing else. Two such runs compare what links cost without the noise of a shared machine
/// (docs/performance.md, "Identity").
fn profile(stream: &str) {
    let logins = match stream {
        "logins" => true,
        "plain" => false,
        other => panic!("JOURNEY_BENCH_PROFILE is logins or plain, not {other}"),
    };
    let n = std::env::var("JOURNEY_BENCH_PROFILE_EVENTS").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let lines: Vec<String> = (0..n).map(|i| event(i, logins)).collect();
    let engine = engine();
    for line in &lines {
        assert_eq!(engine.ingest_json(line.as_bytes()).unwrap().status(), "accepted", "{line}");
    }
    eprintln!("{n} events, {} links", engine.stats().identity_links);
}

fn main() {
    if let Ok(stream) = std::env::var("JOURNEY_BENCH_PROFILE") {
        return profile(&stream);
    }
    if !workload::runs() {
        return;
    }
    ingest_table();
    journey_table();
}
