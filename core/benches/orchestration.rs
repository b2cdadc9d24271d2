//! `make bench`: what orchestration costs ingest (docs/orchestration.md, "Cost"; docs/performance.md,
//! "Orchestration").
//!
//! One event stream, ingested into engines holding 0, 10, 100 and 500 definitions (each count split
//! 40% segments, 20% outcomes, 40% action maps; half the maps trigger with segments, half with event
//! conditions), in memory:
//! - a catalog of 5 session types × 20 event types: two web session types (a shop and a help
//!   centre) and three custom ones (deliveries, orders, accounts);
//! - 500,000 events across 50,000 customers in time order: 60% web events of cookie customers with
//!   UUID ids (half of them page views, of 500 pages), 40% custom events of e-mail customers, every
//!   custom event carrying a reason (100 values), an amount and a region (a session attribute);
//! - definitions whose patterns name a spread of event types (a third of the web ones the page
//!   view, the realistic favourite: `page.url containsAny "/p/0123"`) and of values (a page, a
//!   reason, an amount over a threshold, a region with a reason), so that most events match
//!   nothing and a few percent match something; the table says how many of each.
//!
//! It times `ingest_batch` (NDJSON bytes, totals only: the fast path, on the engine's default
//! threads) and `ingest_json` per event, best of `RUNS` runs taken in turns, and prints each as
//! events/s and as a ratio to the engine with no definitions, with the segments assigned, outcomes
//! achieved and maps qualified and fired (from stats) so that the reader sees the definitions work.
//! A second table times `explainActionMap` and `estimateActionMap` over 1,000,000 stored events;
//! when the core does not know those ops yet it says so in one line and skips it.
//!
//! `make bench-smoke` (`JOURNEY_BENCH_SMOKE=1`) runs it on 2,000 events across 200 customers.
//! Prints tables; asserts nothing about speed (only that both ingest paths decide the same).

mod workload;

use journey_core::{Batch, BatchResult, Catalog, Command, Config, Engine, Outcome, Outcomes, Stats};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const RUNS: usize = 5;
/// The definitions loaded, in the table's rows.
const DEFINITIONS: [usize; 4] = [0, 10, 100, 500];
/// Pages a web event views; a web definition names one.
const PAGES: u64 = 500;
/// Reasons a custom event gives; a custom definition names one.
const REASONS: u64 = 100;
/// Regions, a session attribute of custom sessions.
const REGIONS: u64 = 10;

fn events() -> usize {
    if workload::smoke() { 2_000 } else { 500_000 }
}

fn customers() -> usize {
    if workload::smoke() { 200 } else { 50_000 }
}

/// The explain and estimate table's store: the same stream, twice as long (20 events a customer).
fn stored_events() -> usize {
    if workload::smoke() { 2_000 } else { 1_000_000 }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Web,
    Custom,
}

/// The catalog's session types: name, stream, event types (the first is each one's commonest).
const SESSION_TYPES: [(&str, Stream, [&str; 20]); 5] = [
    (
        "website",
        Stream::Web,
        [
            "page_viewed",
            "product_viewed",
            "search_performed",
            "cart_item_added",
            "cart_item_removed",
            "checkout_started",
            "checkout_completed",
            "coupon_applied",
            "wishlist_added",
            "video_played",
            "form_started",
            "form_submitted",
            "chat_opened",
            "logged_in",
            "logged_out",
            "signed_up",
            "newsletter_joined",
            "review_posted",
            "share_clicked",
            "error_shown",
        ],
    ),
    (
        "helpcenter",
        Stream::Web,
        [
            "article_viewed",
            "search_performed",
            "article_rated",
            "contact_opened",
            "faq_expanded",
            "video_played",
            "ticket_started",
            "ticket_submitted",
            "attachment_added",
            "bot_opened",
            "bot_answered",
            "bot_escalated",
            "callback_requested",
            "language_changed",
            "feedback_given",
            "guide_downloaded",
            "status_checked",
            "return_started",
            "return_labelled",
            "error_shown",
        ],
    ),
    (
        "delivery",
        Stream::Custom,
        [
            "status_changed",
            "label_created",
            "picked_up",
            "in_transit",
            "hub_scanned",
            "out_for_delivery",
            "attempt_failed",
            "rescheduled",
            "address_changed",
            "held_at_depot",
            "customs_held",
            "customs_cleared",
            "damaged",
            "lost",
            "returned_to_sender",
            "signature_taken",
            "photo_taken",
            "rated",
            "tip_added",
            "item_delivered",
        ],
    ),
    (
        "order",
        Stream::Custom,
        [
            "order_updated",
            "order_placed",
            "payment_authorized",
            "payment_failed",
            "payment_captured",
            "item_backordered",
            "item_allocated",
            "invoice_sent",
            "order_split",
            "order_cancelled",
            "refund_requested",
            "refund_approved",
            "refund_paid",
            "exchange_requested",
            "exchange_shipped",
            "warranty_claimed",
            "warranty_resolved",
            "review_requested",
            "loyalty_points_added",
            "order_closed",
        ],
    ),
    (
        "account",
        Stream::Custom,
        [
            "profile_updated",
            "account_opened",
            "email_verified",
            "password_reset",
            "mfa_enabled",
            "address_added",
            "card_added",
            "card_expired",
            "plan_upgraded",
            "plan_downgraded",
            "subscription_renewed",
            "subscription_cancelled",
            "consent_given",
            "consent_withdrawn",
            "data_exported",
            "device_added",
            "locked_out",
            "unlocked",
            "referral_sent",
            "account_closed",
        ],
    ),
];

/// The engines' config: the workload's manual clock, 100 event types allowed (the default is 20),
/// batches on `threads` threads (0: the machine's cores).
fn config(threads: usize) -> Config {
    workload::config(&format!(r#", "maxEventTypes": 100, "ingestThreads": {threads}"#))
}

fn catalog() -> Catalog {
    let types: Vec<Value> = SESSION_TYPES
        .iter()
        .map(|(name, stream, event_types)| match stream {
            Stream::Web => {
                let attributes = json!([{"name": "url", "type": "string"}, {"name": "title", "type": "string"}]);
                let event_types: Vec<Value> =
                    event_types.iter().map(|e| json!({"name": e, "attributes": attributes})).collect();
                json!({"name": name, "kind": "web", "eventTypes": event_types})
            }
            Stream::Custom => {
                let attributes = json!([{"name": "reason", "type": "string"}, {"name": "amount", "type": "decimal"},
                    {"name": "channel", "type": "string"}, {"name": "region", "type": "string"}]);
                let event_types: Vec<Value> =
                    event_types.iter().map(|e| json!({"name": e, "attributes": attributes})).collect();
                json!({"name": name, "kind": "custom", "attributes": [{"name": "region", "type": "string"}],
                       "eventTypes": event_types})
            }
        })
        .collect();
    Catalog::from_value_with_limits(&json!({ "sessionTypes": types }), &config(0)).unwrap()
}

/// A well-mixed 64-bit hash of `x` (splitmix64), for choices that look random and replay exactly.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Event `i` of the stream, before it is text. Customers take turns, ten minutes apart a round, so
/// a cookie customer's web events make one session and an e-mail customer opens a new delivery,
/// order or account session every fifth event.
struct Event {
    i: usize,
    customer: usize,
    session_type: usize,
    event_type: usize,
    page: u64,
    reason: u64,
    amount: u64,
    region: u64,
}

fn event(i: usize) -> Event {
    let customer = i % customers();
    let h = mix(i as u64);
    let web = customer % 5 < 3;
    let session_type = match (web, customer % 4 == 3) {
        (true, false) => 0,
        (true, true) => 1,
        (false, _) => 2 + customer % 3,
    };
    // Page views are half of web events and status updates 30% of custom ones; the rest spread.
    let commonest = if web { 50 } else { 30 };
    let event_type = if h % 100 < commonest { 0 } else { 1 + (h >> 8) as usize % 19 };
    Event {
        i,
        customer,
        session_type,
        event_type,
        page: (h >> 16) % PAGES,
        reason: (h >> 24) % REASONS,
        amount: (h >> 32) % 2000,
        region: customer as u64 % REGIONS,
    }
}

fn cookie(customer: usize) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x0f8f_ad5b_d9cb_469f_a165_0000_0000_0000 | customer as u128)
}

fn line(e: &Event) -> String {
    let (session_type, stream, names) = SESSION_TYPES[e.session_type];
    let id = uuid::Uuid::from_u128(0xabcd_0000_0000_4000_8000_0000_0000_0000 | e.i as u128);
    let time = workload_time(e.i);
    let name = names[e.event_type];
    match stream {
        Stream::Web => format!(
            r#"{{"id":"{id}","eventName":"{name}","createdDate":"{time}","customer":{{"id":"{}","idType":"cookie"}},"session":{{"type":"{session_type}"}},"attributes":{{"url":"https://shop.example.com/p/{:04}?ref=home","title":"Product {}"}}}}"#,
            cookie(e.customer),
            e.page,
            e.page
        ),
        Stream::Custom => {
            let round = e.i / customers();
            let channel = ["web", "phone", "store", "app"][e.i % 4];
            format!(
                r#"{{"id":"{id}","eventName":"{name}","createdDate":"{time}","customer":{{"id":"customer-{:07}@example.com","idType":"email"}},"session":{{"type":"{session_type}","externalId":"{session_type}-{:07}-{}"}},"attributes":{{"reason":"r{:03}","amount":{}.5,"channel":"{channel}","region":"eu-{}"}}}}"#,
                e.customer,
                e.customer,
                round / 5,
                e.reason,
                e.amount,
                e.region
            )
        }
    }
}

/// The workload's times (`workload::timestamp`) with this benchmark's customer count.
fn workload_time(i: usize) -> String {
    let customers = customers();
    let millis = 1_763_700_000_000i64 + (i / customers) as i64 * 600_000 + (i % customers) as i64;
    chrono::DateTime::from_timestamp_millis(millis).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn ndjson(range: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(range.len() * 300);
    for i in range {
        out.extend_from_slice(line(&event(i)).as_bytes());
        out.push(b'\n');
    }
    out
}

/// What a pattern (or an event condition) tests, and what the bench itself checks it against.
#[derive(Clone, Copy)]
enum Test {
    /// `page.url containsAny "/p/0123"`: one page of 500.
    Page(u64),
    /// `attributes.reason equal "r042"`: one reason of 100.
    Reason(u64),
    /// `attributes.amount greaterThan N`.
    AmountOver(u64),
    /// `session.attributes.region equal "eu-3"` and a reason.
    RegionAndReason(u64, u64),
}

/// A pattern: the event type it counts, what must hold, and how many events it needs.
#[derive(Clone, Copy)]
struct Pattern {
    session_type: usize,
    event_type: usize,
    test: Test,
    count: u32,
}

impl Pattern {
    /// Definition `g`'s pattern: 60% on web events (a third of those on the commonest, the page
    /// or article view), 40% on custom events, with a value chosen by hash.
    fn of(g: usize) -> Pattern {
        let h = mix(0x5eed_0000 + g as u64);
        let web = g % 5 < 3;
        let session_type = match (web, g % 4 == 3) {
            (true, false) => 0,
            (true, true) => 1,
            (false, _) => 2 + g % 3,
        };
        let event_type = if web && h.is_multiple_of(3) { 0 } else { (h >> 8) as usize % 20 };
        let test = match (web, g % 4) {
            (true, _) => Test::Page((h >> 16) % PAGES),
            (false, 0 | 1) => Test::Reason((h >> 16) % REASONS),
            (false, 2) => Test::AmountOver(1_900 + (h >> 16) % 100),
            (false, _) => Test::RegionAndReason((h >> 24) % REGIONS, (h >> 16) % REASONS),
        };
        Pattern { session_type, event_type, test, count: if g % 4 == 3 { 2 } else { 1 } }
    }

    fn stream(&self) -> Stream {
        SESSION_TYPES[self.session_type].1
    }

    fn criteria(&self) -> Vec<Value> {
        match self.test {
            Test::Page(page) => {
                vec![json!({"key": "page.url", "values": [format!("/p/{page:04}")], "operator": "containsAny"})]
            }
            Test::Reason(reason) => vec![json!({"key": "attributes.reason.value", "values": [format!("r{reason:03}")],
                "operator": "equal", "shouldIgnoreCase": false})],
            Test::AmountOver(amount) => {
                vec![json!({"key": "attributes.amount", "values": [amount.to_string()], "operator": "greaterThan"})]
            }
            Test::RegionAndReason(region, reason) => vec![
                json!({"key": "session.attributes.region", "values": [format!("eu-{region}")]}),
                json!({"key": "attributes.reason", "values": [format!("r{reason:03}")]}),
            ],
        }
    }

    fn json(&self) -> Value {
        let (session_type, stream, names) = SESSION_TYPES[self.session_type];
        json!({"criteria": self.criteria(), "count": self.count,
               "streamType": if stream == Stream::Web { "Web" } else { "Custom" },
               "sessionType": session_type, "eventName": names[self.event_type]})
    }

    /// The pattern as one event condition of a map (a condition is one criterion).
    fn condition(&self) -> Value {
        let mut condition = self.criteria()[0].clone();
        if let Test::RegionAndReason(_, reason) = self.test {
            condition = json!({"key": "attributes.reason", "values": [format!("r{reason:03}")]});
        }
        let pattern = self.json();
        for key in ["streamType", "sessionType", "eventName"] {
            condition[key] = pattern[key].clone();
        }
        condition
    }

    fn names(&self, e: &Event) -> bool {
        e.session_type == self.session_type && e.event_type == self.event_type
    }

    fn holds(&self, e: &Event) -> bool {
        self.names(e)
            && match self.test {
                Test::Page(page) => e.page == page,
                Test::Reason(reason) => e.reason == reason,
                Test::AmountOver(amount) => e.amount as f64 + 0.5 > amount as f64,
                Test::RegionAndReason(region, reason) => e.region == region && e.reason == reason,
            }
    }
}

fn id(kind: u128, n: usize) -> String {
    uuid::Uuid::from_u128(0x5e90_0000_0000_4000_8000_0000_0000_0000 | kind << 64 | n as u128).to_string()
}

/// `n` definitions in Genesys' JSON forms, with the patterns and conditions they count.
struct Definitions {
    segments: Vec<Value>,
    outcomes: Vec<Value>,
    maps: Vec<Value>,
    /// Every pattern and event condition, for the share of events they name and match.
    patterns: Vec<Pattern>,
}

fn definitions(n: usize) -> Definitions {
    let (segment_count, outcome_count) = (n * 2 / 5, n / 5);
    let mut patterns = Vec::new();
    let mut streams = Vec::new();
    let segments: Vec<Value> = (0..segment_count)
        .map(|s| {
            let pattern = Pattern::of(s);
            patterns.push(pattern);
            streams.push(pattern.stream());
            let mut segment = json!({"id": id(1, s), "displayName": format!("Segment {s}"), "isActive": true,
                "scope": "Session", "journey": {"patterns": [pattern.json()]}});
            if s % 5 == 4 {
                segment["scope"] = json!("Customer");
                segment["assignmentExpirationDays"] = json!(30);
            }
            segment
        })
        .collect();
    let outcomes: Vec<Value> = (0..outcome_count)
        .map(|o| {
            let pattern = Pattern::of(segment_count + o);
            patterns.push(pattern);
            let mut outcome = json!({"id": id(2, o), "displayName": format!("Outcome {o}"), "isActive": true,
                "isPositive": true, "journey": {"patterns": [pattern.json()]}});
            if pattern.stream() == Stream::Custom {
                outcome["associatedValueField"] = json!({"name": "attributes.amount.value", "dataType": "Number"});
            }
            outcome
        })
        .collect();
    let maps: Vec<Value> = (0..n - segment_count - outcome_count)
        .map(|m| {
            let g = segment_count + outcome_count + m;
            let mut map = json!({"id": id(3, m), "displayName": format!("Action map {m}"), "isActive": true,
                "activation": {"type": "immediate"}, "weight": 1 + m % 3, "ignoreFrequencyCap": false});
            let stream = if m % 2 == 0 && segment_count > 0 {
                let segment = (m / 2 * 7) % segment_count;
                map["triggerWithSegments"] = json!([id(1, segment)]);
                streams[segment]
            } else {
                let pattern = Pattern::of(g);
                patterns.push(pattern);
                map["triggerWithEventConditions"] = json!([pattern.condition()]);
                pattern.stream()
            };
            map["action"] = match (stream, m % 3) {
                (Stream::Web, 0) => json!({"mediaType": "contentOffer", "actionTemplate": {"name": "Guide"}}),
                (Stream::Web, 1) => json!({"mediaType": "webchat"}),
                (Stream::Web, _) => json!({"mediaType": "webMessagingOffer"}),
                (Stream::Custom, 0) => json!({"mediaType": "customEvent", "agentId": format!("agent-{}", m % 50),
                    "eventName": "orchestrated", "data": {"map": m}, "persistInMemory": false}),
                (Stream::Custom, _) => json!({"mediaType": "callback"}),
            };
            map
        })
        .collect();
    Definitions { segments, outcomes, maps, patterns }
}

/// An engine holding `definitions`, its batches on `threads` threads (0: the machine's cores).
fn engine(definitions: &Definitions, threads: usize) -> Engine {
    let engine = Engine::new(catalog(), config(threads)).unwrap();
    for segment in &definitions.segments {
        engine.put_segment(segment).unwrap_or_else(|e| panic!("{segment}: {e}"));
    }
    for outcome in &definitions.outcomes {
        engine.put_outcome(outcome).unwrap_or_else(|e| panic!("{outcome}: {e}"));
    }
    for map in &definitions.maps {
        engine.put_action_map(map).unwrap_or_else(|e| panic!("{map}: {e}"));
    }
    engine
}

/// What the definitions did, from stats.
fn work(stats: &Stats) -> [u64; 4] {
    [stats.segments_assigned, stats.outcomes_achieved, stats.action_maps_qualified, stats.action_maps_fired]
}

struct Row {
    definitions: usize,
    split: [usize; 3],
    /// Events whose type some pattern or condition names, and events one holds on (shares).
    named: f64,
    matched: f64,
    /// Patterns and conditions an event's type lists, on average: how many tests an event runs.
    tested: f64,
    batch: f64,
    single: f64,
    /// Per event, events/s of the thread's CPU time.
    single_cpu: Option<f64>,
    work: [u64; 4],
}

/// Times one ingest of the stream into a new engine: events/s of wall time, and of the calling
/// thread's time on a CPU (which other processes on the machine do not inflate). The engine is
/// dropped after the clock stops.
fn timed(definitions: &Definitions, ingest: impl FnOnce(&Engine) -> usize) -> (f64, Option<f64>, [u64; 4]) {
    let engine = engine(definitions, 0);
    let cpu = thread_cpu();
    let start = Instant::now();
    let accepted = ingest(&engine);
    let rate = accepted as f64 / start.elapsed().as_secs_f64();
    let cpu_rate = cpu.zip(thread_cpu()).map(|(before, after)| accepted as f64 / (after - before).as_secs_f64());
    let stats = engine.stats();
    assert_eq!(stats.events_accepted as usize, events(), "every benchmark event must be accepted");
    drop(engine);
    (rate, cpu_rate, work(&stats))
}

/// The calling thread's time on a CPU so far (Linux's schedstat); `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split(' ').next()?.parse().ok().map(Duration::from_nanos)
}

/// The process's time on a CPU so far, every thread's (Linux's /proc/self/stat, in clock ticks
/// of 10 ms); `None` elsewhere.
fn process_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) in parentheses: utime and stime
    // are the 12th and 13th.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn main() {
    // `cargo test --all-targets` runs this binary without `--bench`; a debug run would only waste time.
    if !workload::runs() {
        println!("orchestration benchmark: run it with `make bench`");
        return;
    }
    if let Some(n) = std::env::var("JOURNEY_BENCH_PROFILE").ok().and_then(|n| n.parse().ok()) {
        // `JOURNEY_BENCH_PROFILE=500 target/release/deps/orchestration-* --bench` under `perf record`:
        // the stream ingested one event at a time (one thread, so each sample is the event's own
        // work) into engines holding that many definitions, nothing else.
        let set = definitions(n);
        let all = ndjson(0..events());
        // `JOURNEY_BENCH_PROFILE_RUNS=1`: fewer runs, for a slow profiler (valgrind's callgrind,
        // which counts instructions where the machine has no hardware counters).
        let runs = std::env::var("JOURNEY_BENCH_PROFILE_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(RUNS);
        if std::env::var("JOURNEY_BENCH_PROFILE_PATH").is_ok_and(|path| path == "batch") {
            // `JOURNEY_BENCH_PROFILE_PATH=batch`: the stream as one `ingest_batch` call instead,
            // each run's wall time per event on stderr (stage 2 runs on this thread, stage 1 on
            // the engine's pool).
            for _ in 0..runs {
                let engine = engine(&set, 0);
                let (start, caller, process) = (Instant::now(), thread_cpu(), process_cpu());
                engine.ingest_batch(Batch::Ndjson(&all), Outcomes::None, None).unwrap();
                let per_event = |d: Duration| format!("{:.0}", d.as_nanos() as f64 / events() as f64);
                let since = |before: Option<Duration>, now: Option<Duration>| {
                    before.zip(now).map_or("n/a".into(), |(before, now)| per_event(now - before))
                };
                eprintln!(
                    "{n} definitions, batch: {} ns an event; CPU: this thread (stage 2) {} ns, every thread {} ns",
                    per_event(start.elapsed()),
                    since(caller, thread_cpu()),
                    since(process, process_cpu()),
                );
            }
            return;
        }
        // Each run's CPU time per event, on stderr: a quick comparison of two builds.
        for _ in 0..runs {
            let engine = engine(&set, 1);
            let cpu = thread_cpu();
            let accepted = all.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| engine.ingest_json(l).unwrap());
            assert_eq!(accepted.filter(|o| matches!(o, Outcome::Accepted { .. })).count(), events());
            if let Some((before, after)) = cpu.zip(thread_cpu()) {
                eprintln!(
                    "{n} definitions: {:.0} ns of CPU an event",
                    (after - before).as_nanos() as f64 / events() as f64
                );
            }
        }
        return;
    }
    let all = ndjson(0..events());
    let lines: Vec<&[u8]> = all.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let stream: Vec<Event> = (0..events()).map(event).collect();
    let sets: Vec<Definitions> = DEFINITIONS.iter().map(|n| definitions(*n)).collect();
    let mut rows: Vec<Row> = sets
        .iter()
        .zip(DEFINITIONS)
        .map(|(set, n)| {
            let share = |test: &dyn Fn(&Pattern, &Event) -> bool| {
                let hits = stream.iter().filter(|e| set.patterns.iter().any(|p| test(p, e))).count();
                hits as f64 / stream.len() as f64
            };
            Row {
                definitions: n,
                split: [set.segments.len(), set.outcomes.len(), set.maps.len()],
                named: share(&|p, e| p.names(e)),
                matched: share(&|p, e| p.holds(e)),
                tested: stream.iter().map(|e| set.patterns.iter().filter(|p| p.names(e)).count()).sum::<usize>() as f64
                    / stream.len() as f64,
                batch: 0.0,
                single: 0.0,
                single_cpu: None,
                work: [0; 4],
            }
        })
        .collect();
    println!(
        "\nlibjourney orchestration: {} events across {} customers ({:.0} B a line), in memory, best of {RUNS} runs taken in turns (load average before: {})",
        events(),
        customers(),
        all.len() as f64 / events() as f64,
        std::fs::read_to_string("/proc/loadavg").map_or("unknown".into(), |l| l
            .split(' ')
            .take(3)
            .collect::<Vec<_>>()
            .join(" "))
    );
    for _ in 0..RUNS {
        for (row, set) in rows.iter_mut().zip(&sets) {
            let (batch, _, work) =
                timed(set, |engine| match engine.ingest_batch(Batch::Ndjson(&all), Outcomes::None, None).unwrap() {
                    BatchResult::Summary(summary) => summary.accepted as usize,
                    BatchResult::All(outcomes) => outcomes.accepted,
                });
            let (single, single_cpu, same) = timed(set, |engine| {
                lines.iter().filter(|l| matches!(engine.ingest_json(l).unwrap(), Outcome::Accepted { .. })).count()
            });
            assert_eq!(work, same, "a batch and one event at a time decide the same");
            row.batch = row.batch.max(batch);
            row.single = row.single.max(single);
            row.single_cpu = single_cpu.map(|rate| row.single_cpu.unwrap_or(0.0).max(rate));
            row.work = work;
        }
    }
    print_ingest(&rows);
    explain_and_estimate(&sets[sets.len() - 1]);
}

fn print_ingest(rows: &[Row]) {
    let (batch0, single0) = (rows[0].batch, rows[0].single);
    println!("\nWhat the definitions are and did (the same for both ingest paths):\n");
    println!(
        "| definitions | segments / outcomes / maps | events of a type a pattern names | patterns tested per event | events a pattern matches | segments assigned | outcomes achieved | maps qualified | maps fired |"
    );
    println!(
        "|------------:|---------------------------:|---------------------------------:|--------------------------:|-------------------------:|------------------:|------------------:|---------------:|-----------:|"
    );
    for r in rows {
        println!(
            "| {:>11} | {:>26} | {:>31.1}% | {:>25.1} | {:>23.2}% | {:>17} | {:>17} | {:>14} | {:>10} |",
            r.definitions,
            format!("{} / {} / {}", r.split[0], r.split[1], r.split[2]),
            100.0 * r.named,
            r.tested,
            100.0 * r.matched,
            thousands(r.work[0] as f64),
            thousands(r.work[1] as f64),
            thousands(r.work[2] as f64),
            thousands(r.work[3] as f64),
        );
    }
    println!("\nIngest throughput, and its ratio to no definitions:\n");
    println!(
        "| definitions | `ingest_batch` ev/s | ratio | `ingest_json` per event ev/s | ratio | per event, ev/s of CPU time | ratio | CPU ns added per event |"
    );
    println!(
        "|------------:|--------------------:|------:|-----------------------------:|------:|----------------------------:|------:|-----------------------:|"
    );
    let cpu0 = rows[0].single_cpu;
    for r in rows {
        let cpu = |f: &dyn Fn(f64, f64) -> String| match (r.single_cpu, cpu0) {
            (Some(rate), Some(rate0)) => f(rate, rate0),
            _ => "n/a".into(),
        };
        println!(
            "| {:>11} | {:>19} | {:>5.3} | {:>28} | {:>5.3} | {:>27} | {:>5} | {:>22} |",
            r.definitions,
            thousands(r.batch),
            r.batch / batch0,
            thousands(r.single),
            r.single / single0,
            cpu(&|rate, _| thousands(rate)),
            cpu(&|rate, rate0| format!("{:.3}", rate / rate0)),
            cpu(&|rate, rate0| format!("{:.0}", 1e9 / rate - 1e9 / rate0)),
        );
    }
    let last = &rows[rows.len() - 1];
    println!(
        "\nGoal: 500 definitions cost at most 10% of ingest throughput (ratio >= 0.900): `ingest_batch` {:.3}, per event {:.3} (of CPU time: {}).",
        last.batch / batch0,
        last.single / single0,
        last.single_cpu.zip(cpu0).map_or("n/a".into(), |(rate, rate0)| format!("{:.3}", rate / rate0))
    );
}

/// The explain and estimate ops over a store of `stored_events()`, with `set` loaded. Until the core
/// knows the ops (`Command::new` refuses an unknown op), one line says the table is skipped.
fn explain_and_estimate(set: &Definitions) {
    let explain_probe = Command::new("explainActionMap", json!({"actionMapId": id(3, 0), "sessionId": id(0, 0)}));
    let estimate_probe = Command::new("estimateActionMap", json!({"actionMap": set.maps[0]}));
    let missing: Vec<&str> = [("explainActionMap", &explain_probe), ("estimateActionMap", &estimate_probe)]
        .into_iter()
        .filter_map(|(op, probe)| probe.is_err().then_some(op))
        .collect();
    if !missing.is_empty() {
        println!("\nexplain and estimate: table skipped, the core has no {} op yet", missing.join(" or "));
        return;
    }
    let stored = stored_events();
    let engine = engine(set, 0);
    // All but the last window of totals only; the last with its outcomes, for session ids to explain.
    let tail = stored - stored.min(2_000);
    engine.ingest_batch(Batch::Ndjson(&ndjson(0..tail)), Outcomes::None, None).unwrap();
    let last = engine.ingest_ndjson(&ndjson(tail..stored)).unwrap();
    let mut sessions: Vec<uuid::Uuid> = last
        .outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Accepted { session_id, .. } => Some(*session_id),
            _ => None,
        })
        .collect();
    sessions.sort_unstable();
    sessions.dedup();
    assert_eq!(engine.stats().events_accepted as usize, stored, "every stored event must be accepted");
    // A map triggered by segments and one by an event condition (maps alternate).
    // Maps alternate: the first triggers with a segment, the second with an event condition.
    let maps: Vec<(&str, &Value)> = set.maps.iter().take(2).map(|map| (trigger(map), map)).collect();
    let loaded = set.segments.len() + set.outcomes.len() + set.maps.len();
    println!("\nexplain and estimate over {stored} stored events, {loaded} definitions loaded\n");
    println!("| op | map | calls | per call | result |");
    println!("|---|---|---:|---:|---|");
    for (trigger, map) in &maps {
        let map_id = map["id"].as_str().unwrap();
        let mut total = Duration::ZERO;
        let mut stopped_by = std::collections::BTreeMap::<String, usize>::new();
        for session in &sessions {
            let command =
                Command::new("explainActionMap", json!({"actionMapId": map_id, "sessionId": session})).unwrap();
            let start = Instant::now();
            let result = engine.call(&command).unwrap_or_else(|e| panic!("explainActionMap: {e}"));
            total += start.elapsed();
            let reason = result["stoppedBy"].as_str().unwrap_or("nothing (fired)").to_owned();
            *stopped_by.entry(reason).or_default() += 1;
        }
        let per_call = total / sessions.len().max(1) as u32;
        let stopped: Vec<String> = stopped_by.iter().map(|(reason, n)| format!("{reason} {n}")).collect();
        println!(
            "| `explainActionMap` | {trigger} | {} sessions | {:.1} µs | stopped by: {} |",
            sessions.len(),
            per_call.as_secs_f64() * 1e6,
            stopped.join(", ")
        );
    }
    // Drafts, as a host estimates a map before putting it: without an id.
    let mut drafts: Vec<(String, Value)> =
        maps.iter().map(|(trigger, map)| (trigger.to_string(), draft(map))).collect();
    let segments: Vec<Value> = set.segments.iter().take(20).map(|s| s["id"].clone()).collect();
    let mut wide = draft(maps[0].1);
    wide["triggerWithSegments"] = Value::Array(segments.clone());
    drafts.push((format!("by any of {} segments", segments.len()), wide));
    for (trigger, map) in &drafts {
        let command = Command::new("estimateActionMap", json!({ "actionMap": map })).unwrap();
        let mut best = Duration::MAX;
        let mut result = Value::Null;
        for _ in 0..RUNS {
            let start = Instant::now();
            result = engine.call(&command).unwrap_or_else(|e| panic!("estimateActionMap: {e}"));
            best = best.min(start.elapsed());
        }
        println!(
            "| `estimateActionMap` | {trigger} | best of {RUNS} | {:.0} ms | {} of {} sessions qualify |",
            best.as_secs_f64() * 1e3,
            thousands(result["qualifiedSessionCount"].as_f64().unwrap_or(f64::NAN)),
            thousands(result["totalSessionCount"].as_f64().unwrap_or(f64::NAN))
        );
    }
    println!("\nGoal: an estimate over 1,000,000 stored events in under 1 s.");
}

fn trigger(map: &Value) -> &'static str {
    if map.get("triggerWithSegments").is_some() { "by a segment" } else { "by an event condition" }
}

/// A stored map as a draft: the same, without its id.
fn draft(map: &Value) -> Value {
    let mut draft = map.clone();
    draft.as_object_mut().unwrap().remove("id");
    draft["displayName"] = json!(format!("Draft of {}", map["displayName"].as_str().unwrap_or_default()));
    draft
}

fn thousands(rate: f64) -> String {
    let digits = format!("{:.0}", rate);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
