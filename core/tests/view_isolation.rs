//! The journey view's isolation rule (docs/decisions.md, "Journey view"): divisions isolate,
//! permissions only choose which cards are listed.
//!
//! - Nothing a viewer receives changes when data in a division it may not see is added or
//!   removed. Each case builds two engines from one random sequence of events: one gets every
//!   event, the other only the events in the viewer's divisions. Everything the viewer can ask
//!   for is then compared byte for byte: every page of the journey (cards, order, statuses,
//!   counts, attributes, cursors), every session's events, page by page, each session's card read
//!   on its own, and every error, including `NOT_FOUND` for the ids of sessions it may not see
//!   (which must read exactly like an id that never existed).
//! - A permission hides cards, not activity: a viewer without `journey:sessionType:view` receives
//!   exactly the conversation cards (statuses, order, contents) that the same viewer with it
//!   receives, so a messaging card it sees turns live when the customer browses in its division.
//!
//! Keys are chosen so that a session's events all share one division (a keyed session takes its
//! first event's division, so an event of another division joining it is part of that session,
//! not hidden data).
//!
//! Events come from three identifiers of one person and carry some of the others as
//! `identifiers`, so the journey goes over a profile: a viewer follows only the links made in
//! divisions it may see (docs/identity.md, "Divisions"), so a link made by a hidden event changes
//! nothing it receives either. The identity limits are the defaults, which these identifiers never
//! reach: a limit counts the whole person, hidden links too (docs/identity.md says why).

use journey_core::journey::permission;
use journey_core::{Catalog, Config, Customer, Duration, Engine, IdType, Page, PageRequest, Viewer};
use proptest::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "attributes": [{"name": "location", "type": "string"}],
   "endsOn": ["item_delivered"],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": true}]},
                  {"name": "item_delivered", "attributes": [{"name": "location", "type": "string"}]}]},
  {"name": "web", "kind": "web", "inactivityGap": "30s", "attributes": [{"name": "page", "type": "string"}],
   "status": {"idleAfter": "20s", "inactiveAfter": "60s"},
   "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string", "required": true}]}]}]}"#;

const DIVISIONS: [Option<&str>; 4] = [None, Some("east"), Some("west"), Some("north")];
const NOW: &str = "2026-11-21T12:00:00Z";
const CHANNELS: [&str; 3] = ["webMessaging", "voice", "webChat"];

/// One generated event.
#[derive(Debug, Clone)]
struct Spec {
    /// 0 custom, 1 web, 2 conversation.
    kind: usize,
    division: usize,
    key: usize,
    /// Seconds before `NOW`.
    ago: i64,
    /// Picks the event type and values.
    variant: usize,
    /// Whose event it is: a place in [`PEOPLE`].
    who: usize,
    /// Which of the other identifiers of [`PEOPLE`] it carries, as bits.
    carries: usize,
}

/// The identifiers of the one person the events come from; the journey is read for the first.
const PEOPLE: [(&str, &str); 3] = [("ck1", "cookie"), ("e1@x.com", "email"), ("+15550001", "phone")];

fn spec() -> impl Strategy<Value = Spec> {
    (0..3usize, 0..DIVISIONS.len(), 0..2usize, 0..240i64, 0..12usize, 0..PEOPLE.len(), 0..8usize).prop_map(
        |(kind, division, key, ago, variant, who, carries)| Spec { kind, division, key, ago, variant, who, carries },
    )
}

fn customer() -> Customer {
    Customer::new("ck1", IdType::Cookie)
}

/// The event's JSON. Keys carry the division, so a keyed session's events share one division.
fn event(spec: &Spec) -> Value {
    let division = DIVISIONS[spec.division];
    let time = chrono::DateTime::parse_from_rfc3339(NOW).unwrap() - chrono::Duration::seconds(spec.ago);
    let key = format!("{}-{}-{}", division.unwrap_or("none"), spec.who, spec.key);
    let (session, name, attributes) = match spec.kind {
        0 => {
            let name = if spec.variant == 0 { "item_delivered" } else { "in_transit" };
            (
                json!({"type": "delivery", "externalId": format!("order-{key}")}),
                name,
                json!({"location": format!("depot {}", spec.variant)}),
            )
        }
        1 => (json!({"type": "web"}), "page_viewed", json!({"page": format!("/{key}/{}", spec.variant)})),
        _ => {
            let conversation = json!({"type": "conversation", "externalId": format!("conv-{key}")});
            match spec.variant % 4 {
                0 => (conversation, "conversation_started", json!({"channel": CHANNELS[spec.variant % 3]})),
                1 => (
                    conversation,
                    "agent_connected",
                    json!({"agentId": format!("agent-{}", spec.variant), "queueId": "q1"}),
                ),
                2 => (conversation, "wrapup", json!({"code": "sold"})),
                _ => (conversation, "queue_joined", json!({"queueId": format!("q{}", spec.variant)})),
            }
        }
    };
    let mut event = json!({
        "eventName": name,
        "createdDate": time.to_rfc3339(),
        "customer": person(spec.who),
        "session": session,
        "attributes": attributes,
        "identifiers": (0..PEOPLE.len()).filter(|&p| p != spec.who && spec.carries & (1 << p) != 0).map(person).collect::<Vec<_>>(),
    });
    if let Some(division) = division {
        event["division"] = json!(division);
    }
    event
}

/// The identifier at `place` in [`PEOPLE`], as JSON.
fn person(place: usize) -> Value {
    let (id, id_type) = PEOPLE[place];
    json!({"id": id, "idType": id_type})
}

/// Whether the session `spec` goes into is in a division `viewer` may see.
fn in_viewers_divisions(viewer: &Viewer, spec: &Spec) -> bool {
    viewer.sees_division(DIVISIONS[spec.division])
}

fn viewer() -> impl Strategy<Value = Viewer> {
    (prop::sample::subsequence(vec!["east", "west", "north"], 0..=2), optional_permissions())
        .prop_map(|(divisions, optional)| viewer_with(divisions, optional))
}

/// Any subset of the permissions beyond listing and reading events.
fn optional_permissions() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(
        vec![
            permission::SESSION_TYPE_VIEW,
            permission::EVENT_TYPE_VIEW,
            permission::WRAPUP_CODE_VIEW,
            permission::QUEUE_SEARCH,
        ],
        0..=4,
    )
}

/// A viewer that may list sessions and read events, with `optional` permissions besides.
fn viewer_with(divisions: Vec<&'static str>, optional: Vec<&'static str>) -> Viewer {
    let mut permissions = vec![permission::SESSION_VIEW, permission::EVENT_VIEW];
    permissions.extend(optional);
    Viewer::new(permissions, divisions)
}

fn engine() -> Engine {
    let config = Config::from_json(&format!(r#"{{"clock": "manual", "start": "{NOW}"}}"#)).unwrap();
    Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap()
}

/// Every page `fetch` gives, following cursors, as JSON; an error is the last entry.
fn all_pages<T: serde::Serialize>(
    size: usize,
    fetch: impl Fn(&PageRequest) -> journey_core::Result<Page<T>>,
) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut page = PageRequest::first(size);
    loop {
        match fetch(&page) {
            Ok(result) => {
                let next = result.next_cursor.clone();
                pages.push(serde_json::to_value(&result).unwrap());
                match next {
                    Some(cursor) => page = PageRequest::after(size, cursor),
                    None => return pages,
                }
            }
            Err(e) => {
                pages.push(e.to_json());
                return pages;
            }
        }
    }
}

/// Everything `viewer` receives from the journey, page by page.
fn journey_pages(engine: &Engine, viewer: &Viewer, size: usize) -> Vec<Value> {
    all_pages(size, |page| engine.journey(&customer(), viewer, page))
}

/// Everything `viewer` receives reading session `id`'s events, page by page.
fn event_pages(engine: &Engine, id: Uuid, viewer: &Viewer, size: usize) -> Vec<Value> {
    all_pages(size, |page| engine.session_events(&id.to_string(), viewer, page))
}

/// What `viewer` receives reading session `id`'s card on its own: the card, or the error.
fn one_session(engine: &Engine, id: Uuid, viewer: &Viewer) -> Value {
    match engine.session(&id.to_string(), viewer) {
        Ok(card) => serde_json::to_value(card).unwrap(),
        Err(error) => error.to_json(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn data_in_other_divisions_changes_nothing_a_viewer_receives(
        specs in prop::collection::vec(spec(), 1..50),
        viewer in viewer(),
        size in 1..4usize,
        later in 0..90i64,
    ) {
        let (everything, visible_only) = (engine(), engine());
        let mut session_ids = vec![Uuid::from_u128(7)];
        for spec in &specs {
            let event = event(spec);
            let outcome = serde_json::to_value(everything.ingest_value(&event).unwrap()).unwrap();
            if let Some(id) = outcome.get("sessionId").and_then(Value::as_str) {
                session_ids.push(Uuid::parse_str(id).unwrap());
            }
            if in_viewers_divisions(&viewer, spec) {
                let mirrored = serde_json::to_value(visible_only.ingest_value(&event).unwrap()).unwrap();
                prop_assert_eq!(&mirrored, &outcome, "a visible event's outcome depends on hidden data");
            }
        }
        for engine in [&everything, &visible_only] {
            engine.advance(Duration::parse(&format!("{later}s")).unwrap()).unwrap();
        }
        let listed = journey_pages(&everything, &viewer, size);
        prop_assert_eq!(&listed, &journey_pages(&visible_only, &viewer, size));
        // Each identifier's profile as the viewer sees it: members and the id that names them.
        for (place, (name, _)) in PEOPLE.iter().enumerate() {
            let who: Customer = serde_json::from_value(person(place)).unwrap();
            let seen = |engine: &Engine| serde_json::to_value(engine.profile(&who, Some(&viewer)).unwrap()).unwrap();
            prop_assert_eq!(seen(&everything), seen(&visible_only), "{}'s profile", name);
        }
        // One session read on its own is exactly its card in the journey.
        for card in listed.iter().filter_map(|page| page["entities"].as_array()).flatten() {
            let id = card["id"].as_str().unwrap();
            prop_assert_eq!(&serde_json::to_value(everything.session(id, &viewer).unwrap()).unwrap(), card);
        }
        for id in session_ids {
            prop_assert_eq!(
                one_session(&everything, id, &viewer),
                one_session(&visible_only, id, &viewer),
                "session {}", id
            );
            prop_assert_eq!(
                event_pages(&everything, id, &viewer, size),
                event_pages(&visible_only, id, &viewer, size),
                "session {}", id
            );
        }
    }
}

/// The cards of `engine`'s only customer that `viewer` receives, in one page.
fn cards(engine: &Engine, viewer: &Viewer) -> Vec<Value> {
    let page = engine.journey(&customer(), viewer, &PageRequest::first(200)).unwrap();
    serde_json::to_value(page.entities).unwrap().as_array().unwrap().clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_session_type_permission_hides_cards_not_activity(
        specs in prop::collection::vec(spec(), 1..50),
        divisions in prop::sample::subsequence(vec!["east", "west", "north"], 0..=3),
        optional in optional_permissions(),
        later in 0..90i64,
    ) {
        let engine = engine();
        for spec in &specs {
            engine.ingest_value(&event(spec)).unwrap();
        }
        engine.advance(Duration::parse(&format!("{later}s")).unwrap()).unwrap();
        let others: Vec<_> = optional.into_iter().filter(|p| *p != permission::SESSION_TYPE_VIEW).collect();
        let mut with = others.clone();
        with.push(permission::SESSION_TYPE_VIEW);
        let conversations: Vec<Value> = cards(&engine, &viewer_with(divisions.clone(), with))
            .into_iter()
            .filter(|card| card["kind"] == "conversation")
            .collect();
        prop_assert_eq!(cards(&engine, &viewer_with(divisions, others)), conversations);
    }
}
