//! Orchestration fixtures shared by the property, crash and partition tests: the catalog of
//! `tools/vectors/orchestration_firing.py` (a custom delivery stream and a web stream), a fixed set
//! of definitions covering every kind of rule evaluation has, and builders for the events that
//! make them fire.

use journey_core::{Catalog, Command, Engine};
use serde_json::{Value, json};
use uuid::Uuid;

/// The catalog of the orchestration vectors.
pub const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "displayName": "Delivery",
   "attributes": [{"name": "status", "type": "string"}],
   "eventTypes": [
     {"name": "status_changed", "attributes": [
       {"name": "status", "type": "enum", "values": ["on_time", "delayed", "delivered"], "required": true},
       {"name": "agent", "type": "string"}]},
     {"name": "item_delivered", "attributes": [{"name": "amount", "type": "decimal"}]}]},
  {"name": "website", "kind": "web", "displayName": "Website visit", "inactivityGap": "30m",
   "eventTypes": [{"name": "page_viewed", "attributes": [
     {"name": "url", "type": "string"}, {"name": "title", "type": "string"}]}]}]}"#;

/// The catalog, loaded.
pub fn catalog() -> Catalog {
    Catalog::from_json(CATALOG).unwrap()
}

/// A session segment: the returns page viewed twice.
pub const RETURNS: &str = "0a5e7c9d-0000-4000-8000-000000000002";
/// A session segment: a help page viewed.
pub const HELP: &str = "0a5e7c9d-0000-4000-8000-000000000003";
/// A session segment: the shop viewed.
pub const SHOP: &str = "0a5e7c9d-0000-4000-8000-000000000004";
/// A customer segment: a delivery was delayed (for two days).
pub const DELAYED: &str = "b1c2d3e4-0000-4000-8000-000000000001";
/// An outcome with a value: an item delivered, worth its `amount`.
pub const DELIVERED: &str = "c3d4e5f6-0000-4000-8000-000000000003";
/// Content offer on RETURNS, weight 2.
pub const OFFER: &str = "f1000000-0000-4000-8000-000000000001";
/// Web chat on RETURNS, weight 3, open on Saturdays 10:00 to 10:20 in London (the clock starts
/// at 10:00 on Saturday 2026-11-21, so it fires early and is outside its schedule later).
pub const CHAT: &str = "f1000000-0000-4000-8000-000000000002";
/// Content offer on HELP, weight 2 (ties with MESSAGING: the rotation picks).
pub const HELP_OFFER: &str = "f1000000-0000-4000-8000-000000000003";
/// Callback when a status `delivered` was seen in the session (an event condition).
pub const TELL: &str = "f1000000-0000-4000-8000-000000000004";
/// Custom event to the agent the event's `agent` attribute names, on DELAYED.
pub const NOTIFY: &str = "f1000000-0000-4000-8000-000000000005";
/// Content offer on SHOP, a minute after it qualifies.
pub const LATER: &str = "f1000000-0000-4000-8000-000000000006";
/// Callback at the customer's next session, on HELP.
pub const NEXT: &str = "f1000000-0000-4000-8000-000000000007";
/// Web messaging offer on HELP, weight 2, ignoring the frequency caps.
pub const MESSAGING: &str = "f1000000-0000-4000-8000-000000000008";
/// Callback on DELAYED (customer scope) and RETURNS (session scope).
pub const CALL_BACK: &str = "f1000000-0000-4000-8000-000000000009";

/// The agents `NOTIFY` sends to (an event names one of them, or none).
pub const AGENTS: [&str; 2] = ["agent-7", "agent-8"];
/// The pages visitors view.
pub const URLS: [&str; 6] = ["/shop", "/help/returns", "/returns/form", "/returns", "/home", "/help"];
/// Delivery statuses.
pub const STATUSES: [&str; 3] = ["on_time", "delayed", "delivered"];

fn url_segment(id: &str, name: &str, url: &str, count: u32) -> Value {
    json!({"id": id, "displayName": name, "isActive": true, "scope": "Session",
        "journey": {"patterns": [{
            "criteria": [{"key": "page.url", "values": [url], "operator": "containsAny", "shouldIgnoreCase": true}],
            "count": count, "streamType": "Web", "sessionType": "website", "eventName": "page_viewed"}]}})
}

fn web_map(id: &str, name: &str, segment: &str, media: &str, weight: u32) -> Value {
    let mut action = json!({"mediaType": media});
    if media == "contentOffer" {
        action["actionTemplate"] = json!({"name": name});
    }
    json!({"id": id, "displayName": name, "isActive": true, "triggerWithSegments": [segment],
        "activation": {"type": "immediate"}, "weight": weight, "ignoreFrequencyCap": false, "action": action})
}

/// The segments and the outcome, as `(op, input)` in the order they must be put.
pub fn segments_and_outcomes() -> Vec<(&'static str, Value)> {
    let delayed = json!({"id": DELAYED, "displayName": "Delivery delayed", "scope": "Customer",
        "assignmentExpirationDays": 2,
        "journey": {"patterns": [{"criteria": [{"key": "attributes.status.value", "values": ["delayed"]}],
            "count": 1, "streamType": "Custom", "sessionType": "delivery", "eventName": "status_changed"}]}});
    let delivered = json!({"id": DELIVERED, "displayName": "Order delivered", "isPositive": true,
        "journey": {"patterns": [{"criteria": [], "count": 1, "streamType": "Custom", "eventName": "item_delivered"}]},
        "associatedValueField": {"name": "attributes.amount.value", "dataType": "Number"}});
    vec![
        ("putSegment", url_segment(RETURNS, "Viewed the returns page twice", "/returns", 2)),
        ("putSegment", url_segment(HELP, "Viewed help", "/help", 1)),
        ("putSegment", url_segment(SHOP, "Viewed the shop", "/shop", 1)),
        ("putSegment", delayed),
        ("putOutcome", delivered),
    ]
}

/// The content offer and the custom event map alone (the crash test's).
pub fn offer_and_notify() -> Vec<(&'static str, Value)> {
    vec![("putActionMap", web_map(OFFER, "Returns guide", RETURNS, "contentOffer", 2)), ("putActionMap", notify())]
}

fn notify() -> Value {
    json!({"id": NOTIFY, "displayName": "Tell the courier's agent", "triggerWithSegments": [DELAYED],
        "action": {"mediaType": "customEvent", "agentIdFrom": "attributes.agent", "eventName": "deliveryDelayed",
            "data": {"message": "the parcel is late"}, "persistInMemory": true}})
}

/// Every action map but the custom event one: web actions with weights, caps and a schedule, a
/// delayed one, callbacks on an event condition, on segments of both scopes and at the next
/// session.
pub fn maps_without_custom_events() -> Vec<(&'static str, Value)> {
    let mut chat = web_map(CHAT, "Chat about returns", RETURNS, "webchat", 3);
    chat["schedule"] =
        json!({"timeZone": "Europe/London", "weekly": [{"day": "saturday", "from": "10:00", "to": "10:20"}]});
    let mut messaging = web_map(MESSAGING, "Message about help", HELP, "webMessagingOffer", 2);
    messaging["ignoreFrequencyCap"] = json!(true);
    let mut later = web_map(LATER, "Offer the shop guide a minute later", SHOP, "contentOffer", 1);
    later["activation"] = json!({"type": "delay", "delayInSeconds": 60});
    let tell = json!({"id": TELL, "displayName": "Tell the host it was delivered", "action": {"mediaType": "callback"},
        "triggerWithEventConditions": [{"key": "attributes.status", "values": ["delivered"], "streamType": "Custom",
            "eventName": "status_changed"}]});
    let next = json!({"id": NEXT, "displayName": "Welcome back", "triggerWithSegments": [HELP],
        "activation": {"type": "on-next-session"}, "action": {"mediaType": "callback"}});
    let call_back = json!({"id": CALL_BACK, "displayName": "Call the delayed back", "triggerWithSegments": [DELAYED, RETURNS],
        "action": {"mediaType": "callback"}});
    vec![
        ("putActionMap", web_map(OFFER, "Returns guide", RETURNS, "contentOffer", 2)),
        ("putActionMap", chat),
        ("putActionMap", web_map(HELP_OFFER, "Help guide", HELP, "contentOffer", 2)),
        ("putActionMap", messaging),
        ("putActionMap", later),
        ("putActionMap", tell),
        ("putActionMap", next),
        ("putActionMap", call_back),
    ]
}

/// Every definition: segments, the outcome, and every action map.
pub fn definitions() -> Vec<(&'static str, Value)> {
    let mut all = segments_and_outcomes();
    all.extend(maps_without_custom_events());
    all.push(("putActionMap", notify()));
    all
}

/// Puts `definitions` into `engine`, each through [`Engine::call`]; panics on a refusal.
pub fn put_all(engine: &Engine, definitions: &[(&str, Value)]) {
    for (op, input) in definitions {
        let command = Command::new(op, input.clone()).unwrap();
        engine.call(&command).unwrap_or_else(|e| panic!("{op} {input}: {e}"));
    }
}

/// Cookie visitor `n` (a UUID, so that it can be offered web actions).
pub fn cookie_id(n: usize) -> String {
    Uuid::from_u128(0x0f8f_ad5b_d9cb_469f_a165_7086_7728_9500 + n as u128).to_string()
}

/// Event id `n` (explicit, so that every run names the same events).
pub fn event_id(n: usize) -> String {
    Uuid::from_u128(0xe000_0000 + n as u128).to_string()
}

/// A page view by visitor `c` at `time`.
pub fn page(n: usize, c: usize, url: &str, time: &str) -> Value {
    json!({"id": event_id(n), "eventName": "page_viewed", "createdDate": time,
        "customer": {"id": cookie_id(c), "idType": "cookie"},
        "session": {"type": "website"}, "attributes": {"url": url}})
}

/// A delivery status of visitor `c`'s order, naming the courier's agent or none.
pub fn status(n: usize, c: usize, order: usize, value: &str, agent: Option<&str>, time: &str) -> Value {
    let mut attributes = json!({"status": value});
    if let Some(agent) = agent {
        attributes["agent"] = json!(agent);
    }
    json!({"id": event_id(n), "eventName": "status_changed", "createdDate": time,
        "customer": {"id": cookie_id(c), "idType": "cookie"},
        "session": {"type": "delivery", "externalId": format!("order-{c}-{order}")}, "attributes": attributes})
}

/// An item of visitor `c`'s order delivered, worth `amount`.
pub fn delivered(n: usize, c: usize, order: usize, amount: f64, time: &str) -> Value {
    json!({"id": event_id(n), "eventName": "item_delivered", "createdDate": time,
        "customer": {"id": cookie_id(c), "idType": "cookie"},
        "session": {"type": "delivery", "externalId": format!("order-{c}-{order}")}, "attributes": {"amount": amount}})
}

/// The host's moves of a web action a map recorded as `qualified`: the same action, in `state`.
pub fn action_move(qualified: &Value, state: &str) -> Value {
    let mut event = qualified.clone();
    let object = event.as_object_mut().unwrap();
    object.remove("createdDate");
    object.insert("actionState".into(), json!(state));
    event
}

/// The orchestration counters of a stats value.
pub fn orchestration_counters(stats: &Value) -> Value {
    let pick = ["segmentsAssigned", "outcomesAchieved", "actionMapsQualified", "actionMapsFired", "actionMapsCapped"];
    pick.iter().map(|key| (key.to_string(), stats[key].clone())).collect::<serde_json::Map<_, _>>().into()
}
