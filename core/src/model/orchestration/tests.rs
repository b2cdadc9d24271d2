//! Definitions in the Genesys models' form load, and each kind of bad input is refused naming
//! its field.

use super::*;
use serde_json::{Value, json};

fn refused<T: serde::de::DeserializeOwned + read::Checked + std::fmt::Debug>(value: Value) -> String {
    let error = read_definition::<T>(&value).unwrap_err();
    assert_eq!(error.code(), "INVALID_ARGUMENT");
    error.to_string()
}

/// A segment as the Genesys API returns it (`JourneySegment`), descriptive fields and all.
fn genesys_segment() -> Value {
    json!({
        "id": "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e", "version": 3, "displayName": "Delivery delayed",
        "description": "A delivery that slipped", "color": "#008000", "isActive": true, "scope": "Session",
        "shouldDisplayToAgent": true, "context": {"patterns": []},
        "journey": {"patterns": [{"criteria": [{"key": "attributes.status.value", "values": ["delayed"],
            "shouldIgnoreCase": true, "operator": "equal"}], "count": 1, "streamType": "Custom",
            "sessionType": "delivery", "eventName": "in_transit"}]},
        "selfUri": "/api/v2/journey/segments/4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e",
        "createdDate": "2026-11-20T09:00:00.000Z", "modifiedDate": "2026-11-21T09:00:00.000Z"
    })
}

fn genesys_action_map() -> Value {
    json!({
        "displayName": "Offer chat on returns", "isActive": true, "version": 1,
        "triggerWithSegments": ["4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e"],
        "triggerWithOutcomeProbabilityConditions": [], "triggerWithOutcomePercentileConditions": [],
        "pageUrlConditions": [{"values": ["/returns"], "operator": "containsAny"}],
        "activation": {"type": "immediate"}, "weight": 2, "ignoreFrequencyCap": false,
        "action": {"mediaType": "webchat", "actionTargetId": "t-1", "isPacingEnabled": false,
            "props": {"webchatPrompt": "Need help with a return?"}},
        "startDate": "2026-11-01T00:00:00Z", "selfUri": "/api/v2/journey/actionmaps/x"
    })
}

#[test]
fn genesys_forms_load_with_defaults_and_keep_what_they_describe() {
    let segment: Segment = read_definition(&genesys_segment()).unwrap();
    assert_eq!(segment.color.as_deref(), Some("#008000"));
    let pattern = &segment.journey.patterns[0];
    assert_eq!(pattern.criteria[0].key, CriterionKey::EventAttribute("status".into()));
    assert_eq!((pattern.stream_type, pattern.count), (StreamType::Custom, 1));
    let map: ActionMap = read_definition(&genesys_action_map()).unwrap();
    assert_eq!((map.weight, map.activation.kind), (2, ActivationType::Immediate));
    assert!(map.action.media_type.is_web_action());
    assert_eq!(map.action.props, Some(json!({"webchatPrompt": "Need help with a return?"})));
    let outcome: Outcome = read_definition(&json!({"displayName": "Delivered",
        "journey": {"patterns": [{"criteria": [{"key": "eventName", "values": ["delivered"]}], "count": 1,
            "streamType": "Custom"}]},
        "associatedValueField": {"name": "attributes.amount.value", "dataType": "Number"}}))
    .unwrap();
    assert!(outcome.is_active && outcome.is_positive);
    assert_eq!(outcome.journey.patterns[0].criteria[0].operator, Operator::Equal);
    // What is read is written back in the same form (the key in libjourney's spelling).
    let again: Segment = read_definition(&serde_json::to_value(&segment).unwrap()).unwrap();
    assert_eq!(again, segment);
}

#[test]
fn what_would_change_firing_and_is_not_evaluated_is_refused_by_name() {
    let with = |mut value: Value, pointer: &str, replacement: Value| {
        *value.pointer_mut(pointer).unwrap() = replacement;
        value
    };
    let segment = genesys_segment();
    let cases: Vec<(String, &str)> = vec![
        (
            refused::<Segment>(with(segment.clone(), "/journey/patterns/0/streamType", json!("App"))),
            "/journey/patterns/0/streamType",
        ),
        (
            refused::<Segment>(with(segment.clone(), "/journey/patterns/0/criteria/0/operator", json!("like"))),
            "/journey/patterns/0/criteria/0/operator",
        ),
        (
            refused::<Segment>(with(segment.clone(), "/journey/patterns/0/criteria/0/key", json!("device.type"))),
            "/journey/patterns/0/criteria/0/key",
        ),
        (refused::<Segment>(with(segment.clone(), "/context", json!({"patterns": [{"criteria": []}]}))), "/context"),
        (refused::<Segment>(with(segment.clone(), "/scope", json!("Household"))), "/scope"),
        (refused::<Segment>(with(segment.clone(), "/journey/patterns/0/count", json!(0))), "/journey/patterns/0/count"),
        (
            refused::<Segment>(with(
                segment.clone(),
                "/journey/patterns/0/criteria/0/values",
                json!(["x".repeat(1001)]),
            )),
            "/journey/patterns/0/criteria/0/values/0",
        ),
        (refused::<Segment>(json!({"displayName": "x", "colour": "#fff"})), "/colour"),
    ];
    let map = genesys_action_map();
    let map_cases: Vec<(String, &str)> = vec![
        (refused::<ActionMap>(with(map.clone(), "/weight", json!(4))), "/weight"),
        (refused::<ActionMap>(with(map.clone(), "/activation", json!({"type": "on-next-visit"}))), "/activation/type"),
        (
            refused::<ActionMap>(with(map.clone(), "/activation", json!({"type": "delay"}))),
            "/activation/delayInSeconds",
        ),
        (refused::<ActionMap>(with(map.clone(), "/action/isPacingEnabled", json!(true))), "/action/isPacingEnabled"),
        (refused::<ActionMap>(with(map.clone(), "/action/mediaType", json!("architectFlow"))), "/action/mediaType"),
        (refused::<ActionMap>(with(map.clone(), "/action/mediaType", json!("fax"))), "/action/mediaType"),
        (
            refused::<ActionMap>(with(
                map.clone(),
                "/triggerWithOutcomeProbabilityConditions",
                json!([{"outcomeId": "o"}]),
            )),
            "/triggerWithOutcomeProbabilityConditions",
        ),
        (refused::<ActionMap>(with(map.clone(), "/startDate", json!("soon"))), "/startDate"),
        (
            refused::<ActionMap>(with(map.clone(), "/pageUrlConditions/0/operator", json!("greaterThan"))),
            "/pageUrlConditions/0/operator",
        ),
        (
            refused::<ActionMap>(json!({"displayName": "x", "triggerWithSegments": ["s"],
            "triggerWithEventConditions": [{"key": "eventName", "values": ["a"], "streamType": "Web"}],
            "action": {"mediaType": "callback"}})),
            "/triggerWithEventConditions",
        ),
        (
            refused::<ActionMap>(json!({"displayName": "x", "triggerWithSegments": ["s"],
            "schedule": {"timeZone": "Mars/Olympus Mons", "weekly": []}, "action": {"mediaType": "callback"}})),
            "/schedule/timeZone",
        ),
        (
            refused::<ActionMap>(json!({"displayName": "x", "triggerWithSegments": ["s"],
            "action": {"mediaType": "customEvent", "eventName": "Delayed"}})),
            "/action/agentId",
        ),
        (
            refused::<ActionMap>(json!({"displayName": "x", "triggerWithSegments": ["s"],
            "action": {"mediaType": "webchat", "eventName": "Delayed"}})),
            "/action/eventName",
        ),
    ];
    for (message, pointer) in cases.iter().chain(&map_cases) {
        let named = message.strip_prefix("invalid argument: ").is_some_and(|m| m.starts_with(&format!("{pointer}:")));
        assert!(named, "{message} should name {pointer}");
    }
}

#[test]
fn a_custom_event_action_names_its_agent_once() {
    let map: ActionMap = read_definition(&json!({"displayName": "Tell the agent", "triggerWithEventConditions": [
            {"key": "attributes.status", "values": ["delayed"], "streamType": "Custom", "eventName": "in_transit"}],
        "action": {"mediaType": "customEvent", "agentIdFrom": "attributes.courier", "eventName": "DeliveryDelayed",
            "data": {"why": "late"}, "persistInMemory": true}}))
    .unwrap();
    assert_eq!(map.action.agent_id_from, Some(CriterionKey::EventAttribute("courier".into())));
    assert_eq!(map.trigger_with_event_conditions[0].criterion().operator, Operator::Equal);
}

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "attributes": [{"name": "status", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "status", "type": "string"},
     {"name": "eta", "type": "datetime"}, {"name": "courier", "type": "string"}, {"name": "amount", "type": "decimal"}]}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed",
     "attributes": [{"name": "url", "type": "string"}, {"name": "views", "type": "integer"}]}]}]}"#;

#[test]
fn definitions_are_checked_against_the_catalog() {
    let catalog = crate::model::catalog::Catalog::from_json(CATALOG).unwrap();
    let segment: Segment = read_definition(&genesys_segment()).unwrap();
    check_segment(&catalog, &segment).unwrap();
    let pattern = |pattern: Value| -> Segment {
        read_definition(&json!({"displayName": "s", "journey": {"patterns": [pattern]}})).unwrap()
    };
    let fault = |pattern_json: Value| check_segment(&catalog, &pattern(pattern_json)).unwrap_err();
    let web = |criterion: Value| json!({"criteria": [criterion], "count": 2, "streamType": "Web"});
    check_segment(
        &catalog,
        &pattern(web(json!({"key": "page.url", "values": ["/returns"], "operator": "containsAny"}))),
    )
    .unwrap();
    check_segment(
        &catalog,
        &pattern(web(json!({"key": "attributes.views", "values": ["3"], "operator": "greaterThan"}))),
    )
    .unwrap();
    assert_eq!(
        fault(json!({"count": 1, "streamType": "Custom", "sessionType": "parcel"})).0,
        "/journey/patterns/0/sessionType"
    );
    assert_eq!(
        fault(json!({"count": 1, "streamType": "Web", "sessionType": "delivery"})).0,
        "/journey/patterns/0/sessionType"
    );
    assert_eq!(
        fault(json!({"count": 1, "streamType": "Custom", "eventName": "teleported"})).0,
        "/journey/patterns/0/eventName"
    );
    let custom = |criterion: Value| json!({"criteria": [criterion], "count": 1, "streamType": "Custom"});
    let cases = [
        (custom(json!({"key": "attributes.colour", "values": ["red"]})), "/journey/patterns/0/criteria/0/key"),
        (
            custom(json!({"key": "attributes.status", "values": ["a"], "operator": "lessThan"})),
            "/journey/patterns/0/criteria/0/operator",
        ),
        (
            custom(json!({"key": "attributes.eta", "values": ["tomorrow"], "operator": "lessThan"})),
            "/journey/patterns/0/criteria/0/values/0",
        ),
        (
            custom(json!({"key": "attributes.amount", "values": ["1"], "operator": "startsWith"})),
            "/journey/patterns/0/criteria/0/operator",
        ),
        (custom(json!({"key": "session.attributes.eta", "values": ["x"]})), "/journey/patterns/0/criteria/0/key"),
        (
            web(json!({"key": "eventName", "values": ["a"], "operator": "greaterThan"})),
            "/journey/patterns/0/criteria/0/operator",
        ),
    ];
    for (pattern_json, pointer) in cases {
        assert_eq!(fault(pattern_json.clone()).0, pointer, "{pattern_json}");
    }
    // The built-in conversation type is in every catalog.
    check_segment(&catalog, &pattern(json!({"count": 1, "streamType": "Conversation"}))).unwrap();
}

#[test]
fn outcome_values_and_custom_event_agents_name_real_attributes() {
    let catalog = crate::model::catalog::Catalog::from_json(CATALOG).unwrap();
    let outcome = |field: &str| -> Outcome {
        read_definition(&json!({"displayName": "paid", "associatedValueField": {"name": field, "dataType": "Number"},
            "journey": {"patterns": [{"count": 1, "streamType": "Custom", "eventName": "in_transit"}]}}))
        .unwrap()
    };
    check_outcome(&catalog, &outcome("attributes.amount.value")).unwrap();
    assert_eq!(check_outcome(&catalog, &outcome("attributes.status")).unwrap_err().0, "/associatedValueField/name");
    // A number attribute of events the patterns do not count does not do.
    let web_only: Outcome = read_definition(&json!({"displayName": "paid",
        "associatedValueField": {"name": "attributes.amount", "dataType": "Number"},
        "journey": {"patterns": [{"count": 1, "streamType": "Web"}]}}))
    .unwrap();
    assert_eq!(check_outcome(&catalog, &web_only).unwrap_err().0, "/associatedValueField/name");
    let map = |from: &str| -> ActionMap {
        read_definition(&json!({"displayName": "tell", "triggerWithEventConditions": [
            {"key": "attributes.status", "values": ["delayed"], "streamType": "Custom", "sessionType": "delivery"}],
            "action": {"mediaType": "customEvent", "agentIdFrom": from, "eventName": "Delayed"}}))
        .unwrap()
    };
    check_action_map(&catalog, &map("attributes.courier")).unwrap();
    assert_eq!(check_action_map(&catalog, &map("attributes.driver")).unwrap_err().0, "/action/agentIdFrom");
}

#[test]
fn nulls_read_as_absent_and_empty_or_idle_settings_are_refused() {
    // The Genesys SDKs' to_dict() writes unset fields as null.
    let mut exported = genesys_action_map();
    for field in ["weight", "activation", "triggerWithEventConditions", "isActive", "schedule", "endDate"] {
        exported[field] = Value::Null;
    }
    let map: ActionMap = read_definition(&exported).unwrap();
    assert_eq!((map.weight, map.is_active, map.schedule), (2, true, None));
    let callback = |extra: Value| {
        let mut map = json!({"displayName": "x", "triggerWithSegments": ["s"], "action": {"mediaType": "callback"}});
        map.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        map
    };
    let cases = [
        (
            refused::<ActionMap>(callback(json!({"activation": {"type": "immediate", "delayInSeconds": 5}}))),
            "/activation/delayInSeconds",
        ),
        (
            refused::<ActionMap>(callback(json!({"schedule": {"timeZone": "Europe/Paris", "weekly": []}}))),
            "/schedule/weekly",
        ),
        (
            refused::<ActionMap>(json!({"displayName": "x", "triggerWithSegments": ["s"],
            "action": {"mediaType": "customEvent", "agentId": "", "eventName": "E"}})),
            "/action/agentId",
        ),
        (refused::<Segment>(json!({"displayName": "x", "journey": {"patterns": []}})), "/journey/patterns"),
        (
            refused::<Segment>(json!({"displayName": "x", "scope": "Customer", "assignmentExpirationDays": 0,
            "journey": {"patterns": [{"count": 1, "streamType": "Web"}]}})),
            "/assignmentExpirationDays",
        ),
    ];
    for (message, pointer) in cases {
        let named = message.strip_prefix("invalid argument: ").is_some_and(|m| m.starts_with(&format!("{pointer}:")));
        assert!(named, "{message} should name {pointer}");
    }
}
