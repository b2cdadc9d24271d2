//! The workload both ingest benchmarks use: 1,000,000 events across 100,000 customers, custom
//! events of about 300 bytes and web events, in the catalog below; 2,000 across 200 in
//! `make bench-smoke`.

#![allow(dead_code)] // each benchmark uses part of it

/// `make bench-smoke` sets `JOURNEY_BENCH_SMOKE=1`: every benchmark runs its code once on tiny
/// inputs (in a debug build, timing nothing that matters), so that none can break unseen.
pub fn smoke() -> bool {
    std::env::var_os("JOURNEY_BENCH_SMOKE").is_some_and(|v| v == "1")
}

/// Whether a benchmark runs: under `cargo bench` (which passes `--bench`) or in
/// `make bench-smoke`. `cargo test --all-targets` runs the binaries with neither, and a debug run
/// of the full sizes would only waste minutes of the test run.
pub fn runs() -> bool {
    smoke() || std::env::args().any(|a| a == "--bench")
}

/// Events in a data set.
pub fn events() -> usize {
    if smoke() { 2_000 } else { 1_000_000 }
}

/// Customers they are spread over.
pub fn customers() -> usize {
    if smoke() { 200 } else { 100_000 }
}

/// The workload's config: a manual clock after every event, no lateness limit; `extra` is more
/// keys, starting with a comma.
pub fn config(extra: &str) -> journey_core::Config {
    let text = format!(r#"{{"clock": "manual", "start": "2026-12-01T00:00:00Z", "allowedLateness": null{extra}}}"#);
    journey_core::Config::from_json(&text).unwrap()
}

/// The catalog of the workload.
pub const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "endsOn": ["item_delivered"],
   "attributes": [{"name": "location", "type": "string"}, {"name": "orderId", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true},
                     {"name": "orderId", "type": "string"}, {"name": "price", "type": "decimal", "min": 0}]},
                  {"name": "item_delivered"}]},
  {"name": "web", "kind": "web", "attributes": [{"name": "page", "type": "string"}],
   "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string", "required": true},
                     {"name": "url", "type": "string"}]}]}]}"#;

/// Event `i` of a data set; customers take turns so each has `events() / customers()` events in time order.
pub fn custom_event(i: usize) -> String {
    let customers = customers();
    let customer = i % customers;
    let order = customer * 2 + (i / customers) % 2;
    format!(
        r#"{{"id":"{}","eventName":"in_transit","createdDate":"{}","customer":{{"id":"customer-{customer:07}@example.com","idType":"email"}},"session":{{"type":"delivery","externalId":"order-{order:08}"}},"attributes":{{"location":"Depot {}, aisle {}","orderId":"order-{order:08}","price":{}.5}}}}"#,
        uuid::Uuid::from_u128(0xabcd_0000_0000_4000_8000_0000_0000_0000 | i as u128),
        timestamp(i),
        i % 97,
        i % 13,
        100 + i % 2000
    )
}

pub fn web_event(i: usize) -> String {
    let customer = i % customers();
    format!(
        r#"{{"id":"{}","eventName":"page_viewed","createdDate":"{}","customer":{{"id":"cookie-{customer:07}","idType":"cookie"}},"session":{{"type":"web"}},"attributes":{{"page":"/products/{}","url":"https://shop.example.com/products/{}?ref=home"}}}}"#,
        uuid::Uuid::from_u128(0xbcde_0000_0000_4000_8000_0000_0000_0000 | i as u128),
        timestamp(i),
        i % 5000,
        i % 5000
    )
}

/// Ten minutes apart per customer round, so web events of a customer share sessions of two.
pub fn timestamp(i: usize) -> String {
    let customers = customers();
    let millis = 1_763_700_000_000i64 + (i / customers) as i64 * 600_000 + (i % customers) as i64;
    chrono::DateTime::from_timestamp_millis(millis).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn ndjson(make: impl Fn(usize) -> String, range: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = Vec::with_capacity(range.len() * 320);
    for i in range {
        out.extend_from_slice(make(i).as_bytes());
        out.push(b'\n');
    }
    out
}
