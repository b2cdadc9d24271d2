//! `make bench`: the read path at scale (docs/performance.md).
//!
//! - `journey` of a customer with 10,000 sessions: the first page, a deep page (the 200th, by its
//!   cursor), and the first page again right after a late event landed in an old session;
//! - `session_events` of a session with 100,000 events: the first page, a deep page (after the
//!   50,000th event), and a page right after a late event landed in the middle.
//!
//! - one customer holding 200,000 sessions (issue 24): the first page, a deep page, and a resend
//!   of a stored event (answered `duplicate`), which must not visit every session.
//!
//! Each figure is the median of 200 reads of 25 items. It prints a table and asserts nothing about
//! speed; under `cargo test` (no `--bench`) it builds small data sets and reads each page once, so
//! that `make test` keeps it working.

use journey_core::{Catalog, Config, Customer, Engine, IdType, PageRequest, Viewer};
use std::time::{Duration, Instant};

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "attributes": [{"name": "location", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string"}]}]}]}"#;

/// 2026-11-01T00:00:00Z; every event lies between it and the engine's `now`.
const START_MS: i64 = 1_793_491_200_000;

fn engine() -> Engine {
    let config = Config::from_json(
        r#"{"clock": "manual", "start": "2026-12-01T00:00:00Z", "allowedLateness": null, "ingestThreads": 1}"#,
    )
    .unwrap();
    Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap()
}

fn event(order: usize, millis: i64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(millis).unwrap();
    format!(
        r#"{{"eventName":"in_transit","createdDate":"{}","customer":{{"id":"dana","idType":"email"}},"session":{{"type":"delivery","externalId":"order-{order}"}},"attributes":{{"location":"stop {millis}"}}}}"#,
        time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    )
}

fn viewer() -> Viewer {
    Viewer::new(["journey:session:view", "journey:sessionType:view", "journey:event:view"], ["*"])
}

/// The median time of `reads` calls of `read`.
fn median(reads: usize, mut read: impl FnMut()) -> Duration {
    median_of(reads, || {
        let start = Instant::now();
        read();
        start.elapsed()
    })
}

/// The median of `reads` durations that `timed` measures itself.
fn median_of(reads: usize, mut timed: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..reads).map(|_| timed()).collect();
    times.sort();
    times[times.len() / 2]
}

/// Ingests `events` as NDJSON in batches of 10,000.
fn load(engine: &Engine, events: impl Iterator<Item = String>) {
    let events: Vec<String> = events.collect();
    for batch in events.chunks(10_000) {
        let outcome = engine.ingest_ndjson(batch.join("\n").as_bytes()).unwrap();
        assert_eq!(outcome.accepted, batch.len(), "every benchmark event must be accepted");
    }
}

struct Row {
    read: String,
    first: Duration,
    deep: Duration,
    after_late: Duration,
}

/// The median time of dana's first journey page, and of her 200th (or the deepest there is).
fn first_and_deep_pages(engine: &Engine, sessions: usize, reads: usize) -> (Duration, Duration) {
    let customer = Customer::new("dana", IdType::Email);
    let viewer = viewer();
    let page = |request: &PageRequest| engine.journey(&customer, &viewer, request).unwrap();
    let first = median(reads, || assert_eq!(page(&PageRequest::first(25)).entities.len(), 25));
    // The cursor of the 199th page leads to the 200th.
    let mut request = PageRequest::first(25);
    for _ in 0..(sessions / 25).min(200) - 1 {
        request = PageRequest::after(25, page(&request).next_cursor.expect("more pages"));
    }
    (first, median(reads, || assert!(!page(&request).entities.is_empty())))
}

fn journey_row(sessions: usize, reads: usize) -> Row {
    let engine = engine();
    load(&engine, (0..sessions).map(|n| event(n, START_MS + n as i64 * 60_000)));
    let (first, deep) = first_and_deep_pages(&engine, sessions, reads);
    let customer = Customer::new("dana", IdType::Email);
    let viewer = viewer();
    let page = |request: &PageRequest| engine.journey(&customer, &viewer, request).unwrap();
    let mut late = 0;
    let after_late = median_of(reads, || {
        // A late event in an old session moves it to the top of the journey.
        late += 1;
        engine.ingest_json(event(late, START_MS + sessions as i64 * 60_000 + late as i64).as_bytes()).unwrap();
        let start = Instant::now();
        assert_eq!(page(&PageRequest::first(25)).entities.len(), 25);
        start.elapsed()
    });
    Row { read: format!("journey, {sessions} sessions"), first, deep, after_late }
}

fn events_row(events: usize, reads: usize) -> Row {
    let engine = engine();
    load(&engine, (0..events).map(|n| event(0, START_MS + n as i64 * 1_000)));
    let session = engine.journey(&Customer::new("dana", IdType::Email), &viewer(), &PageRequest::first(1)).unwrap();
    let session_id = session.entities[0].id.to_string();
    let viewer = viewer();
    let page = |request: &PageRequest| engine.session_events(&session_id, &viewer, request).unwrap();
    let first = median(reads, || assert_eq!(page(&PageRequest::first(25)).entities.len(), 25));
    // A cursor half way: the last event of the page that ends at events / 2.
    let half = PageRequest::first(200);
    let mut request = half;
    for _ in 0..events / 2 / 200 - 1 {
        request = PageRequest::after(200, page(&request).next_cursor.expect("more pages"));
    }
    let cursor = page(&request).next_cursor.expect("more pages");
    let deep_request = PageRequest::after(25, cursor.clone());
    let deep = median(reads, || assert_eq!(page(&deep_request).entities.len(), 25));
    let mut late = 0;
    let after_late = median_of(reads, || {
        // A late event lands in the middle of the session, before the cursor.
        late += 1;
        engine.ingest_json(event(0, START_MS + (events / 4) as i64 * 1_000 + late as i64).as_bytes()).unwrap();
        let start = Instant::now();
        assert_eq!(page(&PageRequest::after(25, cursor.clone())).entities.len(), 25);
        start.elapsed()
    });
    Row { read: format!("session_events, {events} events"), first, deep, after_late }
}

/// One customer with `sessions` sessions: the first page, the 200th page, and a resend of a stored
/// event (the duplicate probe).
fn big_customer(sessions: usize, reads: usize) -> [(&'static str, Duration); 4] {
    let engine = engine();
    load(&engine, (0..sessions).map(|n| event(n, START_MS + n as i64 * 10)));
    let (first, deep) = first_and_deep_pages(&engine, sessions, reads);
    // The newest session's event, sent again (the session a scan of every session meets last).
    let resend = event(sessions - 1, START_MS + (sessions - 1) as i64 * 10);
    let duplicate = median(reads, || {
        assert_eq!(engine.ingest_json(resend.as_bytes()).unwrap().status(), "duplicate");
    });
    let messaging = messaging_first_page(sessions, reads);
    [
        ("journey: first page", first),
        ("journey: 200th page", deep),
        ("a resend of a stored event (`duplicate`)", duplicate),
        ("journey of web-messaging conversations: first page", messaging),
    ]
}

/// The first page of a customer whose `sessions` sessions are all web-messaging conversations,
/// whose place in the listing depends on the viewer's latest web event.
fn messaging_first_page(sessions: usize, reads: usize) -> Duration {
    let engine = engine();
    load(
        &engine,
        (0..sessions).map(|n| {
            let time = chrono::DateTime::from_timestamp_millis(START_MS + n as i64 * 10).unwrap();
            format!(
                r#"{{"eventName":"conversation_started","createdDate":"{}","customer":{{"id":"dana","idType":"email"}},"session":{{"type":"conversation","externalId":"c-{n}"}},"attributes":{{"channel":"webMessaging"}}}}"#,
                time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            )
        }),
    );
    let customer = Customer::new("dana", IdType::Email);
    let viewer = viewer();
    median(reads, || {
        assert_eq!(engine.journey(&customer, &viewer, &PageRequest::first(25)).unwrap().entities.len(), 25)
    })
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

fn main() {
    let benchmark = std::env::args().any(|a| a == "--bench");
    let (sessions, events, reads) = if benchmark { (10_000, 100_000, 200) } else { (500, 2_000, 1) };
    let rows = [journey_row(sessions, reads), events_row(events, reads)];
    println!("Read path: pages of 25, median of {reads} reads");
    println!("| read | first page | deep page | first page after a late event |");
    println!("|---|---:|---:|---:|");
    for row in rows {
        println!("| {} | {} | {} | {} |", row.read, micros(row.first), micros(row.deep), micros(row.after_late));
    }
    let (big_sessions, big_reads) = if benchmark { (200_000, 200) } else { (2_000, 1) };
    println!("\nOne customer with {big_sessions} sessions: median of {big_reads} calls");
    println!("| call | time |");
    println!("|---|---:|");
    for (call, time) in big_customer(big_sessions, big_reads) {
        println!("| {call} | {} |", micros(time));
    }
    if benchmark {
        println!("\nGoal (issue 13): every page under 100 µs.");
    }
}
