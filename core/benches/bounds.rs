//! `make bench`: the hostile inputs of issue 11, timed and sized. Each row is one input that took
//! minutes or gigabytes before the fix; the table prints the time and the bytes of the result (or
//! of what the engine kept), so a regression shows as a number, not as a hung test.
//!
//! Uses only the public API that existed before the fix, so the same file measures the old tree
//! (the "before" column of the issue's note came from running it there).
//!
//! Rows:
//! - a catalog with one enum of 100,000 values;
//! - a catalog of 100,000 event types and 100,000 `endsOn` names, at the default limit (refused)
//!   and with `maxEventTypes` raised (loaded);
//! - 100,000 events of one session arriving newest first, and in order, for comparison;
//! - 10,000 events naming the last of 70,000 event types;
//! - one 64 KiB event of 16,000 bad list items; a 554-byte event against a 2,000-value enum;
//! - 200 lines of 64 KiB bad events through `ingest_ndjson`, and 300 through the streaming reader;
//! - 1,000 agent ids that never log in, sent 1,000 persisted custom events of 1 KiB each (issue 24):
//!   the result is the bytes of `data` kept waiting (`maxPersistedTotal` refuses the rest).
//!
//! `make bench-smoke` (JOURNEY_BENCH_SMOKE=1) divides the counts of the slow rows (events and
//! lines) by 100, so the code runs in seconds in a debug build.

use journey_core::{Catalog, Config, CustomEventRequest, Engine};
use serde_json::{Value, json};
use std::time::Instant;

fn main() {
    println!("{:<62} {:>10} {:>14}", "input", "seconds", "result bytes");
    enum_of_100k_values();
    many_event_types();
    out_of_order_session();
    lookup_among_70k_types();
    violation_amplification();
    persisted_for_agents_never_seen();
}

/// `n`, or `n / 100` in `make bench-smoke`.
fn scaled(n: usize) -> usize {
    match std::env::var_os("JOURNEY_BENCH_SMOKE").is_some_and(|v| v == "1") {
        true => n / 100,
        false => n,
    }
}

fn row(what: &str, seconds: f64, bytes: usize) {
    println!("{what:<62} {seconds:>10.3} {bytes:>14}");
}

fn timed<T>(run: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let result = run();
    (result, start.elapsed().as_secs_f64())
}

fn config(text: &str) -> Config {
    Config::from_json(text).unwrap()
}

fn event(name: &str, ty: &str, external_id: &str, time: &str, attributes: Value) -> Value {
    json!({"eventName": name, "createdDate": time, "customer": {"id": "c1", "idType": "email"},
           "session": {"type": ty, "externalId": external_id}, "attributes": attributes})
}

fn enum_of_100k_values() {
    let values: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
    let catalog = json!({"sessionTypes": [{"name": "s", "kind": "custom", "eventTypes": [{"name": "e",
        "attributes": [{"name": "a", "type": "enum", "values": values}]}]}]});
    let (result, seconds) = timed(|| Catalog::from_value(&catalog));
    row("catalog: one enum of 100,000 values", seconds, usize::from(result.is_ok()));
}

fn many_event_types_catalog(count: usize, ends_on: bool) -> Value {
    let event_types: Vec<Value> = (0..count).map(|i| json!({"name": format!("e{i}")})).collect();
    let names: Vec<String> = if ends_on { (0..count).map(|i| format!("e{i}")).collect() } else { Vec::new() };
    json!({"sessionTypes": [{"name": "big", "kind": "custom", "endsOn": names, "eventTypes": event_types}]})
}

fn many_event_types() {
    let catalog = many_event_types_catalog(100_000, true);
    let (result, seconds) = timed(|| Catalog::from_value(&catalog));
    let refused = result.err().map_or(0, |e| e.to_json().to_string().len());
    row("catalog: 100k event types + 100k endsOn, default limit", seconds, refused);
    let raised = config(r#"{"maxEventTypes": 100000}"#);
    let (result, seconds) = timed(|| Catalog::from_value_with_limits(&catalog, &raised));
    row("catalog: the same with maxEventTypes 100,000 (loads)", seconds, usize::from(result.is_ok()));
}

fn out_of_order_session() {
    let catalog =
        Catalog::from_json(r#"{"sessionTypes": [{"name": "d", "kind": "custom", "eventTypes": [{"name": "e"}]}]}"#)
            .unwrap();
    let base = chrono::DateTime::parse_from_rfc3339("2026-11-21T00:00:00Z").unwrap();
    let count = scaled(100_000);
    let events: Vec<Value> = (0..count as i64)
        .map(|n| event("e", "d", "o1", &(base + chrono::Duration::milliseconds(n)).to_rfc3339(), json!({})))
        .collect();
    for (order, reversed) in [("in order", false), ("newest first", true)] {
        let label = format!("{}k events of one session, {order}", count / 1000);
        let engine = Engine::new(
            catalog.clone(),
            config(r#"{"clock": "manual", "start": "2026-11-22T00:00:00Z", "allowedLateness": null}"#),
        )
        .unwrap();
        let order: Box<dyn Iterator<Item = &Value>> =
            if reversed { Box::new(events.iter().rev()) } else { Box::new(events.iter()) };
        let ((), seconds) =
            timed(|| order.for_each(|e| assert_eq!(engine.ingest_value(e).unwrap().status(), "accepted")));
        row(&label, seconds, 0);
    }
}

fn lookup_among_70k_types() {
    let limits = config(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxEventTypes": 70000}"#);
    let catalog = Catalog::from_value_with_limits(&many_event_types_catalog(70_000, false), &limits).unwrap();
    let engine = Engine::new(catalog, limits).unwrap();
    let events: Vec<Value> = (0..scaled(10_000))
        .map(|n| event("e69999", "big", &format!("o{n}"), "2026-11-21T10:00:00Z", json!({})))
        .collect();
    let ((), seconds) =
        timed(|| events.iter().for_each(|e| assert_eq!(engine.ingest_value(e).unwrap().status(), "accepted")));
    row(&format!("{} events naming the last of 70,000 event types", events.len()), seconds, 0);
}

fn violation_amplification() {
    let survey = r#"{"sessionTypes": [{"name": "survey", "kind": "custom", "eventTypes": [{"name": "answered",
      "attributes": [{"name": "scores", "type": "integer", "list": true}]}]}]}"#;
    let manual = || config(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#);
    let engine = Engine::new(Catalog::from_json(survey).unwrap(), manual()).unwrap();
    let bad = event("answered", "survey", "s1", "2026-11-21T10:00:00Z", json!({"scores": vec![json!("x"); 16_000]}));
    let (outcome, seconds) = timed(|| engine.ingest_value(&bad).unwrap());
    row("one 64 KiB event of 16,000 bad list items", seconds, outcome.to_json().to_string().len());

    let values: Vec<String> = (0..2000).map(|i| format!("value{i}")).collect();
    let catalog = json!({"sessionTypes": [{"name": "survey", "kind": "custom", "eventTypes": [{"name": "answered",
        "attributes": [{"name": "answer", "type": "enum", "values": values, "list": true}]}]}]});
    let engine = Engine::new(Catalog::from_value(&catalog).unwrap(), manual()).unwrap();
    let small = event("answered", "survey", "s1", "2026-11-21T10:00:00Z", json!({"answer": vec![json!("nope"); 50]}));
    let (outcome, seconds) = timed(|| engine.ingest_value(&small).unwrap());
    let label = format!("a {}-byte event against a 2,000-value enum", small.to_string().len());
    row(&label, seconds, outcome.to_json().to_string().len());

    let engine = Engine::new(Catalog::from_json(survey).unwrap(), manual()).unwrap();
    let lines = |count: usize| {
        let mut text = Vec::new();
        for n in 0..count {
            let line = event(
                "answered",
                "survey",
                &format!("s{n}"),
                "2026-11-21T10:00:00Z",
                json!({"scores": vec![json!(true); 12_000]}),
            );
            serde_json::to_writer(&mut text, &line).unwrap();
            text.push(b'\n');
        }
        text
    };
    let text = lines(scaled(200));
    let (batch, seconds) = timed(|| engine.ingest_ndjson(&text).unwrap());
    let mib = text.len() as f64 / (1 << 20) as f64;
    let label = format!("ingest_ndjson: {} bad lines, {mib:.1} MiB", scaled(200));
    row(&label, seconds, serde_json::to_vec(&batch).unwrap().len());
    let text = lines(scaled(300));
    let (summary, seconds) = timed(|| engine.ingest_ndjson_reader(&text[..], 1000).unwrap());
    let label = format!("streaming reader: {} bad lines, 1,000 rejections kept", scaled(300));
    row(&label, seconds, serde_json::to_vec(&summary).unwrap().len());
}

fn persisted_for_agents_never_seen() {
    let catalog = Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap();
    let engine = Engine::new(catalog, config(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#)).unwrap();
    let data = "x".repeat(1024);
    let ((), seconds) = timed(|| {
        for n in 0..scaled(1_000_000) {
            let request = CustomEventRequest::new(format!("ghost-{}", n % 1000), format!("e{n}"), data.clone(), true);
            let _ = engine.send_custom_event(&request); // past the limit: QUEUE_FULL
        }
    });
    let kept = engine.stats().custom_events_persisted as usize * data.len();
    let label = format!("1,000 agents never seen x {} persisted events of 1 KiB", scaled(1_000_000) / 1000);
    row(&label, seconds, kept);
}
