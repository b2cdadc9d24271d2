//! Holds the input forms of `journey_core::forms` to the parsers that read them (see that
//! module's documentation for why they are written twice).
//!
//! For each form: a full example is valid against the form's schema and accepted by the parser;
//! for every property the form declares, anywhere in the example, the example with that property
//! given a value of a type the schema refuses is refused by the parser too; and a key the form
//! does not declare is refused by both, or (for an event, whose other keys are ignored) by neither.
//! Every declared property must be reached by the example, so a new one cannot go unchecked.

use crate::definitions;
use journey_core::{ActionEvent, Catalog, Config, Engine};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A parser under test: whether it accepts an input.
type Accepts = dyn Fn(&Value) -> bool;

fn catalog_example() -> Value {
    json!({"sessionTypes": [
        {
            "name": "delivery", "kind": "custom", "displayName": "Delivery",
            "status": {"idleAfter": "30s", "inactiveAfter": "2m"},
            "endsOn": ["delivered"],
            "attributes": [{"name": "order", "type": "string", "required": false, "list": false, "maxLength": 20}],
            "eventTypes": [{"name": "delivered", "attributes": [
                {"name": "count", "type": "integer", "min": 0, "max": 10},
                {"name": "weight", "type": "decimal", "min": 0.5, "max": 9.5},
                {"name": "size", "type": "enum", "values": ["s", "m"]},
                {"name": "fragile", "type": "boolean"},
                {"name": "at", "type": "datetime"},
                {"name": "refs", "type": "uuid", "list": true}
            ]}]
        },
        {"name": "website", "kind": "web", "inactivityGap": "10m", "eventTypes": [{"name": "pageview"}]},
        {"name": "app", "kind": "web", "open": true, "eventTypes": []}
    ]})
}

fn config_example() -> Value {
    json!({
        "clock": "manual", "start": "2026-01-01T00:10:00Z", "unknownAttributes": "drop",
        "allowedLateness": "2h", "maxClockSkew": "1m", "maxEventTypes": 30, "maxAttributesPerEvent": 40,
        "maxStringLength": 500, "maxEventBytes": 10000, "maxPendingPerAgent": 10, "maxCustomEventData": 1000,
        "maxPersistedTotal": 5000, "persistedTtl": "12h",
        "retention": "30d", "actionRetention": "1h", "ingestThreads": 2, "digestKey": "000102030405060708090a0b0c0d0e0f",
        "store": {"sync": "batch", "intervalMs": 500, "snapshotEvery": 1000000, "recoverTo": "checkpoint", "epoch": 3},
        "orchestration": {"maxSegments": 20, "maxOutcomes": 0, "maxActionMaps": 10, "minOfferGap": "90s", "customEvents": "outbox"},
        "identity": {
            "blockedValues": {"cookie": ["x"], "email": ["test@example\\.com"], "phone": [], "externalContact": [], "externalId": ["0+"]},
            "limits": {"cookie": {"max": 50, "within": "30d"}, "email": 1, "phone": 2, "externalContact": 1, "externalId": null},
            "priority": ["externalId", "email"],
            "cookieTtl": "30d"
        }
    })
}

fn event_example() -> Value {
    json!({
        "id": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "eventName": "delivered",
        "createdDate": "2026-01-01T00:00:00Z", "customer": {"id": "c1", "idType": "email"},
        "session": {"type": "delivery", "externalId": "o1"}, "division": "north",
        "attributes": {"count": 3, "size": "m"},
        "identifiers": [{"id": "c-1", "idType": "cookie"}]
    })
}

fn action_event_example() -> Value {
    json!({
        "actionId": "3f0c2a9e-1b44-4d8e-9a6b-000000000001", "actionState": "errored",
        "actionMediaType": "webchat", "actionMapId": "11111111-2222-4333-8444-555555555555",
        "actionMapVersion": 1, "customerId": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "customerIdType": "cookie", "sessionId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "errorCode": 500, "errorMessage": "the chat server is down", "createdDate": "2026-01-01T00:00:00Z"
    })
}

fn accepts_event(event: &Value) -> bool {
    let catalog = Catalog::from_value(&catalog_example()).expect("the example catalog");
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-01-01T00:10:00Z"})).expect("config");
    let engine = Engine::new(catalog, config).expect("engine");
    let outcome = engine.ingest_value(event).expect("an event is an outcome, accepted or not").to_json();
    outcome["status"] == "accepted"
}

/// Each form, its example, and its parser.
fn cases() -> Vec<(&'static str, Value, Box<Accepts>)> {
    vec![
        ("Config", config_example(), Box::new(|v| Config::from_value(v).is_ok())),
        ("CatalogDefinition", catalog_example(), Box::new(|v| Catalog::from_value(v).is_ok())),
        ("JourneyEvent", event_example(), Box::new(accepts_event)),
        ("ActionEvent", action_event_example(), Box::new(|v| ActionEvent::from_value(v, 0).is_ok())),
    ]
}

#[test]
fn every_input_form_is_what_its_parser_reads() {
    let definitions = definitions();
    let mut declared = BTreeSet::new();
    let mut reached = BTreeSet::new();
    for (name, example, accepts) in cases() {
        let schema = reference(name);
        assert!(valid(&definitions, &schema, &example), "the {name} example does not match its schema");
        assert!(accepts(&example), "the parser refuses the {name} example");
        collect_declared(&definitions, name, &mut declared);
        let mut checks = Vec::new();
        each_property(&definitions, &schema, &example, &mut Vec::new(), &mut reached, &mut checks);
        for (path, property_schema, object_schema) in checks {
            let wrong = wrong_value(&definitions, &property_schema)
                .unwrap_or_else(|| panic!("no value of the wrong type for {name} at {path:?}"));
            let broken = replaced(&example, &path, wrong.clone());
            assert!(!accepts(&broken), "{name}: the parser accepts {wrong} at {path:?}, which the form refuses");
            if valid(&definitions, &property_schema, &Value::Null) {
                let null = alone(&example, &path, &object_schema, Value::Null);
                assert!(accepts(&null), "{name}: the form allows null at {path:?}; the parser refuses it");
            }
            let mut extra = example.clone();
            let object = pointer_mut(&mut extra, &path[..path.len() - 1]).as_object_mut().expect("an object");
            object.insert("undeclaredKey".into(), json!(1));
            // The form may be stricter than its parser (a customer's other keys are ignored in
            // an event), never looser: what the types allow, the parser must accept.
            let open = object_schema.get("additionalProperties") != Some(&Value::Bool(false));
            assert!(
                !open || accepts(&extra),
                "{name}: the form allows an undeclared key beside {path:?}; the parser refuses it"
            );
        }
    }
    let missed: Vec<_> = declared.difference(&reached).collect();
    assert!(missed.is_empty(), "properties no example reaches, so unchecked: {missed:?}");
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/$defs/{name}")})
}

/// `schema`, with a `$ref` followed.
fn resolve<'s>(definitions: &'s Map<String, Value>, schema: &'s Value) -> &'s Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/$defs/");
            resolve(definitions, definitions.get(name).unwrap_or_else(|| panic!("no definition {name}")))
        }
        None => schema,
    }
}

/// Whether `value` matches `schema`, for the parts of JSON Schema that schemars emits here
/// (formats and numeric bounds are left to the parsers).
fn valid(definitions: &Map<String, Value>, schema: &Value, value: &Value) -> bool {
    let schema = resolve(definitions, schema);
    let Some(schema) = schema.as_object() else { return true };
    if let Some(constant) = schema.get("const") {
        return constant == value;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        return options.contains(value);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return options.iter().any(|option| valid(definitions, option, value));
        }
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t],
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
        _ => return true,
    };
    types.iter().any(|t| match (*t, value) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("array", Value::Array(items)) => {
            items.iter().all(|item| schema.get("items").is_none_or(|s| valid(definitions, s, item)))
        }
        ("object", Value::Object(map)) => valid_object(definitions, schema, map),
        _ => false,
    })
}

fn valid_object(definitions: &Map<String, Value>, schema: &Map<String, Value>, map: &Map<String, Value>) -> bool {
    let empty = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    required.into_iter().all(|key| map.contains_key(key))
        && map.iter().all(|(key, value)| match properties.get(key) {
            Some(property) => valid(definitions, property, value),
            None => match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => false,
                Some(other @ Value::Object(_)) => valid(definitions, other, value),
                _ => true,
            },
        })
}

/// A value the schema refuses, if one of a few of different types is.
fn wrong_value(definitions: &Map<String, Value>, schema: &Value) -> Option<Value> {
    [json!(true), json!("not valid"), json!(1.5), json!([1]), json!({"x": 1})]
        .into_iter()
        .find(|candidate| !valid(definitions, schema, candidate))
}

/// Every declared property (`Definition.property`) of `name` and of the definitions it refers to.
fn collect_declared(definitions: &Map<String, Value>, name: &str, out: &mut BTreeSet<String>) {
    let mut seen = BTreeSet::new();
    let mut pending = vec![name.to_owned()];
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = &definitions[&name];
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            out.extend(properties.keys().map(|property| format!("{name}.{property}")));
        }
        find_references(schema, &mut pending);
    }
}

fn find_references(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                out.push(reference.trim_start_matches("#/$defs/").to_owned());
            }
            map.values().for_each(|v| find_references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| find_references(v, out)),
        _ => {}
    }
}

/// A property to break: where it is, its schema, and the schema of the object holding it.
type Check = (Vec<String>, Value, Map<String, Value>);

/// Walks `value` along `schema`, noting every property of a named object (and which it is).
fn each_property(
    definitions: &Map<String, Value>,
    schema: &Value,
    value: &Value,
    path: &mut Vec<String>,
    reached: &mut BTreeSet<String>,
    checks: &mut Vec<Check>,
) {
    let name = schema.get("$ref").and_then(Value::as_str).map(|r| r.trim_start_matches("#/$defs/").to_owned());
    let resolved = resolve(definitions, schema);
    // A named union (a limit that is a number or an object) is walked through the option the
    // value matches.
    if resolved.get("anyOf").or_else(|| resolved.get("oneOf")).is_some() && resolved.get("properties").is_none() {
        let option = inner(definitions, resolved, value);
        if &option != resolved {
            return each_property(definitions, &option, value, path, reached, checks);
        }
    }
    match value {
        Value::Object(map) => {
            let Some(properties) = resolved.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, item) in map {
                let Some(property) = properties.get(key) else { continue };
                if let Some(name) = &name {
                    reached.insert(format!("{name}.{key}"));
                }
                path.push(key.clone());
                checks.push((path.clone(), property.clone(), resolved.as_object().cloned().unwrap_or_default()));
                each_property(definitions, &inner(definitions, property, item), item, path, reached, checks);
                path.pop();
            }
        }
        Value::Array(items) => {
            let Some(item_schema) = resolved.get("items") else { return };
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                each_property(definitions, item_schema, item, path, reached, checks);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The option of a union schema that `value` matches (a nullable field is `anyOf [T, null]`).
fn inner(definitions: &Map<String, Value>, schema: &Value, value: &Value) -> Value {
    for key in ["oneOf", "anyOf"] {
        let options = schema.get(key).and_then(Value::as_array).into_iter().flatten();
        if let Some(option) = options.into_iter().find(|o| valid(definitions, o, value)) {
            return option.clone();
        }
    }
    schema.clone()
}

fn pointer_mut<'v>(value: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(value, |value, key| match value {
        Value::Array(items) => &mut items[key.parse::<usize>().expect("an index")],
        other => &mut other[key.as_str()],
    })
}

fn replaced(example: &Value, path: &[String], wrong: Value) -> Value {
    let mut copy = example.clone();
    *pointer_mut(&mut copy, path) = wrong;
    copy
}

/// The example with the property at `path` set to `value` and its optional siblings left out, so
/// that a rule between fields (`retention` needs `allowedLateness`) does not decide the outcome.
fn alone(example: &Value, path: &[String], object_schema: &Map<String, Value>, value: Value) -> Value {
    let mut copy = replaced(example, path, value);
    let required: Vec<&str> = object_schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let (key, parent) = path.split_last().expect("a property path");
    if let Some(object) = pointer_mut(&mut copy, parent).as_object_mut() {
        object.retain(|k, _| k == key || required.contains(&k.as_str()));
    }
    copy
}
