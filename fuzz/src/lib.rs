//! What the fuzz targets share: a realistic catalog, engines, and the invariants checked after
//! every input (see `fuzz/README.md`).

pub mod agent_model;
pub mod memory;

/// Every target counts its heap, so that any of them can bound what one input costs.
#[global_allocator]
static HEAP: memory::Counting = memory::Counting;

use journey_core::journey::permission;
use journey_core::{Catalog, Config, Customer, Engine, IdType, PageRequest, Stats, Viewer};

/// The bike-delivery catalog of the examples, plus a web type and an enum with a list attribute,
/// so that inputs reach every attribute check.
pub const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "displayName": "Delivery", "endsOn": ["item_delivered"],
   "status": {"idleAfter": "45s", "inactiveAfter": "60s"},
   "attributes": [{"name": "location", "type": "string"}, {"name": "orderId", "type": "string"}],
   "eventTypes": [
     {"name": "product_purchased", "attributes": [{"name": "orderId", "type": "string", "required": true},
        {"name": "price", "type": "decimal", "min": 0}, {"name": "quantity", "type": "integer", "min": 1, "max": 99},
        {"name": "tags", "type": "enum", "values": ["gift", "express", "fragile"], "list": true},
        {"name": "paidAt", "type": "datetime"}, {"name": "payment", "type": "uuid"}, {"name": "member", "type": "boolean"}]},
     {"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true, "maxLength": 40}]},
     {"name": "item_delivered", "attributes": [{"name": "location", "type": "string"}, {"name": "signedBy", "type": "string"}]}]},
  {"name": "web", "kind": "web", "inactivityGap": "20m",
   "attributes": [{"name": "page", "type": "string"}],
   "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string", "required": true}]}]}]}"#;

/// The customers and divisions structured targets choose from.
pub const CUSTOMERS: [&str; 3] = ["c0", "c1", "c2"];
/// Divisions; `None` is "no division".
pub const DIVISIONS: [Option<&str>; 3] = [None, Some("east"), Some("west")];

/// A manual-clock engine over [`CATALOG`], small limits so that limits are reached.
pub fn engine() -> Engine {
    Engine::new(catalog(), config()).expect("the fuzz catalog and config are valid")
}

/// [`CATALOG`], loaded.
pub fn catalog() -> Catalog {
    Catalog::from_json(CATALOG).expect("the fuzz catalog is valid")
}

/// A manual clock at 2026-11-21T10:00Z, and small agent limits.
pub fn config() -> Config {
    Config::from_json(
        r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxPendingPerAgent": 8, "maxEventBytes": 4096}"#,
    )
    .expect("the fuzz config is valid")
}

/// [`config`] for a durable store that never fsyncs (the fuzzer reopens stores, it does not
/// crash them; `make crash-test` does that).
pub fn durable_config() -> Config {
    Config::from_json(
        r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxPendingPerAgent": 8, "maxEventBytes": 4096,
            "store": {"sync": "never"}}"#,
    )
    .expect("the fuzz config is valid")
}

/// Every permission, every division.
pub fn admin() -> Viewer {
    Viewer::new(
        [
            permission::SESSION_VIEW,
            permission::SESSION_TYPE_VIEW,
            permission::EVENT_VIEW,
            permission::EVENT_TYPE_VIEW,
            permission::WRAPUP_CODE_VIEW,
            permission::QUEUE_SEARCH,
        ],
        ["*"],
    )
}

/// The counters add up: every ingested event was accepted, a duplicate or rejected.
pub fn check_stats(stats: &Stats, ingested: u64) {
    assert_eq!(
        stats.events_accepted + stats.events_duplicate + stats.events_rejected,
        ingested,
        "accepted + duplicates + rejected must equal the events ingested: {stats:?}"
    );
    let cards: u64 = stats.sessions_created - stats.sessions_merged;
    assert!(cards <= stats.events_accepted, "more sessions than accepted events: {stats:?}");
}

/// The sum of `eventCount` over every customer's cards equals the accepted events.
pub fn check_event_counts(engine: &Engine) {
    let mut total = 0u64;
    for id in CUSTOMERS {
        for id_type in [IdType::Email, IdType::Cookie] {
            let customer = Customer::new(id, id_type);
            let mut page = PageRequest::first(200);
            loop {
                let cards = engine.journey(&customer, &admin(), &page).expect("admin may list");
                total += cards.entities.iter().map(|c| c.event_count as u64).sum::<u64>();
                match cards.next_cursor {
                    Some(cursor) => page = PageRequest::after(200, cursor),
                    None => break,
                }
            }
        }
    }
    assert_eq!(total, engine.stats().events_accepted, "cards do not add up to the accepted events");
}
