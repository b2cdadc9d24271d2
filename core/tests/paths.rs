//! `paths` (docs/paths.md): the tree of steps, anchors, depth, each filter type, groupBy,
//! minCellSize, permissions and divisions; and the properties that the counts at each level sum
//! to the level above minus its drop-offs, and that sessions outside a viewer's divisions change
//! nothing it sees.

use journey_core::paths::{PathNode, PathsQuery, PathsResult};
use journey_core::{Catalog, Config, Engine, Viewer};
use serde_json::{Value, json};

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom",
   "attributes": [{"name": "device", "type": "enum", "values": ["mobile", "desktop"]}],
   "eventTypes": [
     {"name": "order_placed", "attributes": [{"name": "price", "type": "decimal"}, {"name": "gift", "type": "boolean"},
        {"name": "items", "type": "integer"}, {"name": "note", "type": "string"},
        {"name": "device", "type": "enum", "values": ["mobile", "desktop"]}]},
     {"name": "item_shipped"}, {"name": "item_delivered"}, {"name": "returned"}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string"}]}]}
]}"#;

fn engine() -> Engine {
    let config = Config::from_json(r#"{"clock": "manual", "start": "2026-11-22T00:00:00Z", "allowedLateness": null}"#);
    Engine::new(Catalog::from_json(CATALOG).unwrap(), config.unwrap()).unwrap()
}

fn viewer(divisions: &[&str]) -> Viewer {
    serde_json::from_value(json!({"permissions": ["journey:session:view", "journey:sessionType:view",
        "journey:event:view", "journey:eventType:view"], "divisions": divisions}))
    .unwrap()
}

/// One delivery event at minute `minute` of 2026-11-21 10:00.
fn delivery(customer: &str, order: &str, name: &str, minute: u32, attributes: Value, division: Option<&str>) -> Value {
    let mut event = json!({"eventName": name, "createdDate": format!("2026-11-21T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60),
        "customer": {"id": customer, "idType": "email"}, "session": {"type": "delivery", "externalId": order},
        "attributes": attributes});
    if let Some(division) = division {
        event["division"] = json!(division);
    }
    event
}

/// Four deliveries: three placed, shipped and (two) delivered; one placed and returned.
fn bike_shop() -> Engine {
    let engine = engine();
    let events = [
        delivery(
            "ann",
            "o1",
            "order_placed",
            0,
            json!({"price": 100.0, "gift": true, "items": 1, "note": "red", "device": "mobile"}),
            None,
        ),
        delivery("ann", "o1", "item_shipped", 60, json!({}), None),
        delivery("ann", "o1", "item_delivered", 180, json!({}), None),
        delivery("bob", "o2", "order_placed", 5, json!({"price": 50.0, "items": 3, "device": "desktop"}), None),
        delivery("bob", "o2", "item_shipped", 125, json!({}), None),
        delivery("bob", "o2", "item_delivered", 200, json!({}), None),
        delivery("cy", "o3", "order_placed", 10, json!({"price": 2000.0, "items": 2, "device": "mobile"}), None),
        delivery("cy", "o3", "item_shipped", 30, json!({}), None),
        delivery("ann", "o4", "order_placed", 20, json!({"price": 10.0, "device": "mobile"}), None),
        delivery("ann", "o4", "returned", 50, json!({}), None),
    ];
    for event in events {
        assert_eq!(engine.ingest_value(&event).unwrap().status(), "accepted", "{event}");
    }
    engine
}

fn paths(engine: &Engine, query: Value) -> PathsResult {
    let query: PathsQuery = serde_json::from_value(query).unwrap();
    engine.paths(&query, &viewer(&["*"])).unwrap()
}

fn error(engine: &Engine, query: Value, viewer: &Viewer) -> String {
    let query: PathsQuery = serde_json::from_value(query).unwrap();
    engine.paths(&query, viewer).unwrap_err().code().to_owned()
}

/// `step:sessions` of each node, depth first, for compact assertions.
fn outline(nodes: &[PathNode]) -> Vec<String> {
    nodes
        .iter()
        .flat_map(|node| {
            let mut lines = vec![format!("{}:{}", node.step, node.sessions)];
            lines.extend(outline(&node.steps).into_iter().map(|line| format!("{}>{line}", node.step)));
            lines
        })
        .collect()
}

#[test]
fn the_tree_counts_sessions_customers_drop_offs_and_gaps() {
    let result = paths(&bike_shop(), json!({"sessions": {"types": ["delivery"]}}));
    let group = &result.groups[0];
    assert_eq!((group.group.clone(), group.sessions, group.customers), (None, 4, 3));
    assert_eq!(
        outline(&group.steps),
        [
            "order_placed:4",
            "order_placed>item_shipped:3",
            "order_placed>item_shipped>item_delivered:2",
            "order_placed>returned:1"
        ]
    );
    let placed = &group.steps[0];
    assert_eq!((placed.customers, placed.share, placed.drop_off, placed.median_ms), (3, 1.0, 0, None));
    let shipped = &placed.steps[0];
    // Gaps from placing to shipping: 60, 120 and 20 minutes.
    assert_eq!((shipped.median_ms, shipped.p90_ms), (Some(60 * 60_000), Some(120 * 60_000)));
    assert_eq!((shipped.drop_off, shipped.share), (1, 0.75));
}

#[test]
fn anchors_run_forwards_and_backwards_and_depth_cuts() {
    let engine = bike_shop();
    let forward = paths(&engine, json!({"anchor": {"event": "item_shipped"}}));
    assert_eq!(outline(&forward.groups[0].steps), ["item_shipped:3", "item_shipped>item_delivered:2"]);
    let backward = paths(&engine, json!({"anchor": {"event": "item_delivered", "direction": "backward"}}));
    assert_eq!(
        outline(&backward.groups[0].steps),
        ["item_delivered:2", "item_delivered>item_shipped:2", "item_delivered>item_shipped>order_placed:2"]
    );
    let shallow = paths(&engine, json!({"depth": 1}));
    let placed = &shallow.groups[0].steps[0];
    assert!(placed.steps.is_empty() && placed.drop_off == placed.sessions);
    let steps = paths(&engine, json!({"steps": ["delivery:order_placed", "item_delivered"]}));
    assert_eq!(outline(&steps.groups[0].steps), ["delivery:order_placed:4", "delivery:order_placed>item_delivered:2"]);
    let window = paths(&engine, json!({"from": "2026-11-21T10:15:00Z", "to": "2026-11-21T12:00:00Z"}));
    assert_eq!(outline(&window.groups[0].steps)[0], "item_shipped:2", "events outside the range are not steps");
}

#[test]
fn filters_of_each_type_keep_the_sessions_that_match() {
    let engine = bike_shop();
    let sessions =
        |filter: Value| paths(&engine, json!({"filters": [filter]})).groups.first().map_or(0, |g| g.sessions);
    assert_eq!(sessions(json!({"on": "event", "attribute": "price", "min": 100})), 2);
    assert_eq!(sessions(json!({"on": "event", "attribute": "price", "min": 20, "max": 100})), 2);
    assert_eq!(sessions(json!({"on": "event", "attribute": "items", "equals": 3})), 1);
    assert_eq!(sessions(json!({"on": "event", "attribute": "gift", "equals": true})), 1);
    assert_eq!(sessions(json!({"on": "event", "attribute": "note", "in": ["red", "blue"]})), 1);
    assert_eq!(sessions(json!({"on": "event", "attribute": "gift", "exists": false})), 3);
    assert_eq!(sessions(json!({"on": "session", "attribute": "device", "equals": "mobile"})), 3);
    assert_eq!(sessions(json!({"on": "session", "attribute": "device", "exists": true})), 4);
}

#[test]
fn group_by_splits_by_value_in_order() {
    let engine = bike_shop();
    let result = paths(&engine, json!({"groupBy": {"on": "session", "attribute": "device"}}));
    let groups: Vec<(Option<Value>, u64)> = result.groups.iter().map(|g| (g.group.clone(), g.sessions)).collect();
    assert_eq!(groups, [(Some(json!("desktop")), 1), (Some(json!("mobile")), 3)]);
    let by_gift = paths(&engine, json!({"groupBy": {"on": "event", "attribute": "gift"}}));
    let groups: Vec<(Option<Value>, u64)> = by_gift.groups.iter().map(|g| (g.group.clone(), g.sessions)).collect();
    assert_eq!(groups, [(Some(json!(true)), 1), (None, 3)], "null last");
}

#[test]
fn small_cells_are_hidden_on_request() {
    let result = paths(&bike_shop(), json!({"minCellSize": 2}));
    let group = &result.groups[0];
    assert_eq!(
        outline(&group.steps),
        ["order_placed:4", "order_placed>item_shipped:3", "order_placed>item_shipped>item_delivered:2"]
    );
    assert_eq!(group.hidden, 1, "the returned order");
}

#[test]
fn one_person_across_identifiers_counts_once_where_the_viewer_sees_the_link() {
    let engine = bike_shop();
    let query: PathsQuery = serde_json::from_value(json!({"sessions": {"types": ["delivery"]}})).unwrap();
    let counted = |engine: &Engine, divisions: &[&str]| {
        let group = engine.paths(&query, &viewer(divisions)).unwrap().groups[0].clone();
        (group.sessions, group.customers, group.steps[0].customers)
    };
    assert_eq!(counted(&engine, &["*"]), (4, 3, 3));
    // Cy places another order, from a phone that turns out to be Bob's: his login in the west
    // links the phone to his e-mail.
    let mut phone_order = delivery("cy", "o5", "order_placed", 40, json!({"price": 8.0}), None);
    phone_order["customer"] = json!({"id": "+15550100", "idType": "phone"});
    engine.ingest_value(&phone_order).unwrap();
    let mut login = delivery("bob", "o6", "item_shipped", 41, json!({}), Some("west"));
    login["identifiers"] = json!([{"id": "+15550100", "idType": "phone"}]);
    assert_eq!(engine.ingest_value(&login).unwrap().status(), "accepted");
    // Six sessions, and three people for a viewer of every division: Bob and his phone are one.
    assert_eq!(counted(&engine, &["*"]), (6, 3, 3));
    // A viewer outside the west does not see the link (nor Bob's west session): the phone is a
    // person of its own.
    assert_eq!(counted(&engine, &["north"]), (5, 4, 4));
}

#[test]
fn permissions_and_divisions_are_the_journey_views() {
    let engine = bike_shop();
    engine.ingest_value(&delivery("dee", "o9", "order_placed", 0, json!({"price": 5.0}), Some("south"))).unwrap();
    let north = viewer(&["north"]);
    let query: PathsQuery = serde_json::from_value(json!({})).unwrap();
    let everyone = engine.paths(&query, &viewer(&["*"])).unwrap();
    let seen = engine.paths(&query, &north).unwrap();
    assert_eq!(everyone.groups[0].steps[0].sessions, 5);
    assert_eq!(seen.groups[0].steps[0].sessions, 4, "the south session does not count");
    assert_eq!(seen.groups[0].customers, 3);
    let only = |permissions: &[&str]| -> Viewer {
        serde_json::from_value(json!({"permissions": permissions, "divisions": ["*"]})).unwrap()
    };
    assert_eq!(error(&engine, json!({}), &only(&["journey:event:view"])), "PERMISSION_DENIED");
    assert_eq!(error(&engine, json!({}), &only(&["journey:session:view"])), "PERMISSION_DENIED");
    let no_attributes = only(&["journey:session:view", "journey:sessionType:view", "journey:event:view"]);
    let filter = json!({"filters": [{"on": "event", "attribute": "gift", "equals": true}]});
    assert_eq!(error(&engine, filter, &no_attributes), "PERMISSION_DENIED");
    // Without journey:sessionType:view only conversations count, and there are none.
    let conversations_only = only(&["journey:session:view", "journey:event:view"]);
    assert_eq!(engine.paths(&query, &conversations_only).unwrap().groups, vec![]);
}

#[test]
fn queries_that_do_not_fit_the_catalog_are_named() {
    let engine = bike_shop();
    let all = viewer(&["*"]);
    for query in [
        json!({"steps": ["teleported"]}),
        json!({"depth": 11}),
        json!({"depth": 0}),
        json!({"anchor": {"event": "returned"}, "steps": ["order_placed"]}),
        json!({"sessions": {"types": ["boat"]}}),
        json!({"sessions": {"kinds": ["fax"]}}),
        json!({"filters": [{"on": "event", "attribute": "note", "min": 3}]}),
        json!({"filters": [{"on": "event", "attribute": "price", "equals": "cheap"}]}),
        json!({"filters": [{"on": "event", "attribute": "price"}]}),
        json!({"filters": [{"on": "session", "attribute": "colour", "exists": true}]}),
        json!({"from": "yesterday"}),
    ] {
        assert_eq!(error(&engine, query.clone(), &all), "INVALID_ARGUMENT", "{query}");
    }
    assert!(serde_json::from_value::<PathsQuery>(json!({"anchor": "middle"})).is_err());
    assert!(serde_json::from_value::<PathsQuery>(json!({"stepz": []})).is_err());
    let call = engine.call_json(r#"{"op": "paths", "input": {"viewer": {"permissions": [], "divisions": []}}}"#);
    assert_eq!(call.unwrap_err().code(), "PERMISSION_DENIED");
}

/// A small deterministic generator.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn random_events(seed: u64, count: usize, division: Option<&str>, prefix: &str) -> Vec<Value> {
    let mut rng = Random(seed);
    let names = ["order_placed", "item_shipped", "item_delivered", "returned"];
    (0..count)
        .map(|_| {
            let customer = format!("{prefix}{}", rng.below(30));
            let order = format!("{customer}-o{}", rng.below(3));
            let name = names[rng.below(4) as usize];
            let attributes = match name {
                "order_placed" => json!({"price": rng.below(3000) as f64}),
                _ => json!({}),
            };
            delivery(&customer, &order, name, rng.below(600) as u32, attributes, division)
        })
        .collect()
}

/// Every node's children count its sessions minus those that stop there.
fn check_sums(nodes: &[PathNode], parent: u64) -> u64 {
    let total: u64 = nodes.iter().map(|n| n.sessions).sum();
    assert!(total <= parent);
    for node in nodes {
        let below: u64 = node.steps.iter().map(|n| n.sessions).sum();
        assert_eq!(below, node.sessions - node.drop_off, "{} at {}", node.step, node.sessions);
        assert!(node.customers <= node.sessions && node.customers > 0);
        check_sums(&node.steps, node.sessions);
    }
    total
}

#[test]
fn counts_sum_level_by_level_and_other_divisions_change_nothing() {
    for seed in 0..20 {
        let queries = [
            json!({}),
            json!({"depth": 2}),
            json!({"anchor": {"event": "item_shipped", "direction": "backward"}, "depth": 3}),
            json!({"filters": [{"on": "event", "attribute": "price", "min": 1000}]}),
            json!({"groupBy": {"on": "event", "attribute": "price"}, "depth": 1}),
        ];
        let north = viewer(&["north"]);
        let visible = engine();
        for event in random_events(seed, 300, Some("north"), "n") {
            visible.ingest_value(&event).unwrap();
        }
        let before: Vec<PathsResult> = queries
            .iter()
            .map(|q| visible.paths(&serde_json::from_value(q.clone()).unwrap(), &north).unwrap())
            .collect();
        for result in &before {
            for group in &result.groups {
                assert_eq!(check_sums(&group.steps, group.sessions), group.sessions, "seed {seed}");
            }
        }
        // Other customers' sessions in another division: state the north viewer cannot see.
        for event in random_events(seed + 100, 300, Some("south"), "s") {
            visible.ingest_value(&event).unwrap();
        }
        for (query, expected) in queries.iter().zip(&before) {
            let after = visible.paths(&serde_json::from_value(query.clone()).unwrap(), &north).unwrap();
            assert_eq!(&after, expected, "seed {seed}: {query}");
        }
        assert!(before[0].groups[0].sessions > 20, "seed {seed} has paths");
    }
}

#[test]
fn group_by_an_attribute_with_a_value_per_session_is_refused() {
    let engine = engine();
    for n in 0..(journey_core::paths::MAX_GROUPS + 1) {
        let event = delivery(
            &format!("c{n}"),
            &format!("o{n}"),
            "order_placed",
            (n % 600) as u32,
            json!({"price": n as f64}),
            None,
        );
        engine.ingest_value(&event).unwrap();
    }
    let by_price = json!({"groupBy": {"on": "event", "attribute": "price"}});
    let query: PathsQuery = serde_json::from_value(by_price).unwrap();
    let refused = engine.paths(&query, &viewer(&["*"])).unwrap_err();
    assert_eq!(refused.code(), "INVALID_ARGUMENT");
    assert!(refused.to_string().contains("groupBy 'price'"), "{refused}");
    let narrowed = json!({"groupBy": {"on": "event", "attribute": "price"},
        "filters": [{"on": "event", "attribute": "price", "max": 99}]});
    assert_eq!(paths(&engine, narrowed).groups.len(), 100, "a filter first brings it under the limit");
}
