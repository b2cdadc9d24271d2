//! The workload both ingest benchmarks use: 1,000,000 events across 100,000 customers, custom
//! events of about 300 bytes and web events, in the catalog below.

#![allow(dead_code)] // each benchmark uses part of it

/// Events in a data set.
pub const EVENTS: usize = 1_000_000;
/// Customers they are spread over.
pub const CUSTOMERS: usize = 100_000;

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

/// Event `i` of a data set; customers take turns so each has `EVENTS / CUSTOMERS` events in time order.
pub fn custom_event(i: usize) -> String {
    let customer = i % CUSTOMERS;
    let order = customer * 2 + (i / CUSTOMERS) % 2;
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
    let customer = i % CUSTOMERS;
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
    let millis = 1_763_700_000_000i64 + (i / CUSTOMERS) as i64 * 600_000 + (i % CUSTOMERS) as i64;
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
