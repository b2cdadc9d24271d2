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
