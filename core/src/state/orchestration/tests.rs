//! Evaluation on its own: rules compiled from definitions, events described by their attributes,
//! and the decisions and state that result.

use super::*;
use crate::model::catalog::Catalog;
use crate::model::orchestration::{ActionMap, Outcome, Segment, read_definition};
use serde_json::{Map, Value, json};
use uuid::Uuid;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "attributes": [{"name": "status", "type": "string"}],
   "eventTypes": [{"name": "in_transit", "attributes": [{"name": "status", "type": "string"},
     {"name": "amount", "type": "decimal"}, {"name": "agent", "type": "string"}]},
     {"name": "delivered", "attributes": [{"name": "amount", "type": "decimal"}]}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed",
     "attributes": [{"name": "url", "type": "string"}, {"name": "views", "type": "integer"}]},
     {"name": "clicked", "attributes": []}]}]}"#;

const RETURNS: &str = "00000000-0000-4000-8000-000000000001";
const DELAYED: &str = "00000000-0000-4000-8000-000000000002";

/// An event of the test catalog: its attributes by name.
struct Attributes(Map<String, Value>);

impl Facts for Attributes {
    fn event_attribute(&self, _index: usize, name: &str) -> Option<Scalar<'_>> {
        self.attribute(name)
    }
    fn attribute(&self, name: &str) -> Option<Scalar<'_>> {
        self.0.get(name).and_then(Scalar::of_value)
    }
    fn session_attribute(&self, _slot: usize, name: &str) -> Option<Scalar<'static>> {
        self.0.get(name).and_then(Scalar::of_value)
    }
}

/// Rules from definitions, put in order (segments first, as maps name them).
struct Setup {
    catalog: Catalog,
    definitions: Definitions,
}

impl Setup {
    fn new() -> Setup {
        Setup { catalog: Catalog::from_json(CATALOG).unwrap(), definitions: Definitions::default() }
    }

    fn segment(mut self, definition: Value) -> Setup {
        let segment: Segment = read_definition(&definition).unwrap();
        self.definitions.put_segment(segment, &Limits::default(), 0).unwrap();
        self
    }

    fn outcome(mut self, definition: Value) -> Setup {
        let outcome: Outcome = read_definition(&definition).unwrap();
        self.definitions.put_outcome(outcome, &Limits::default(), 0).unwrap();
        self
    }

    fn map(mut self, definition: Value) -> Setup {
        let map: ActionMap = read_definition(&definition).unwrap();
        self.definitions.put_action_map(map, &Limits::default(), 0).unwrap();
        self
    }

    fn compile(self) -> Compiled {
        Compiled::new(self.definitions, &self.catalog)
    }
}

fn returns_segment(count: u32) -> Value {
    json!({"id": RETURNS, "displayName": "Viewed returns", "journey": {"patterns": [{"count": count,
        "streamType": "Web", "eventName": "page_viewed",
        "criteria": [{"key": "page.url", "values": ["/returns"], "operator": "containsAny"}]}]}})
}

fn web_map(id: &str, media: &str, weight: u8) -> Value {
    json!({"id": id, "displayName": format!("offer {id}"), "triggerWithSegments": [RETURNS], "weight": weight,
        "action": {"mediaType": media}})
}

/// One event, at `now` (its time too), in session `session`.
struct Run<'a> {
    rules: &'a Compiled,
    state: CustomerState,
    cookie: bool,
    rejected: Vec<Uuid>,
    talked: bool,
}

impl<'a> Run<'a> {
    fn new(rules: &'a Compiled) -> Run<'a> {
        Run { rules, state: CustomerState::default(), cookie: true, rejected: Vec::new(), talked: false }
    }

    fn event(&mut self, session: u128, event_type: (usize, usize), now: i64, attributes: Value) -> Decisions {
        let facts = Attributes(attributes.as_object().cloned().unwrap_or_default());
        let cookie = self.cookie;
        let event = Event {
            event_id: Uuid::from_u128(now as u128 + 1_000),
            time: now,
            session_id: Uuid::from_u128(session),
            session_type: event_type.0,
            event_type: event_type.1,
            session_start: 0,
            session_created: self.state.sessions.get(&Uuid::from_u128(session)).is_none(),
            cookie: &move || cookie,
            now,
            facts: &facts,
            event_side: None,
        };
        let rejected = self.rejected.clone();
        let talked = self.talked;
        let around = Surroundings {
            min_offer_gap: 60_000,
            rejected: &move |id| rejected.contains(&id),
            talked_to_agent: &move |_, _| talked,
        };
        evaluate(self.rules, &mut self.state, &event, &around)
    }

    fn page(&mut self, session: u128, now: i64, url: &str) -> Decisions {
        self.event(session, PAGE, now, json!({"url": url}))
    }
}

const PAGE: (usize, usize) = (1, 0);
const IN_TRANSIT: (usize, usize) = (0, 0);
const DELIVERED: (usize, usize) = (0, 1);

fn verdicts(decisions: &Decisions) -> Vec<(&str, Verdict)> {
    decisions.firings.iter().map(|f| (&*f.map_id, f.verdict)).collect()
}

#[test]
fn an_event_no_rule_names_does_nothing() {
    let rules = Setup::new().segment(returns_segment(1)).compile();
    assert!(may_act(&rules, PAGE.0, PAGE.1));
    assert!(!may_act(&rules, 1, 1), "clicked is named by no pattern");
    assert!(!may_act(&rules, IN_TRANSIT.0, IN_TRANSIT.1));
    let empty = Setup::new().compile();
    assert!(!may_act(&empty, PAGE.0, PAGE.1));
    let mapped = Setup::new().segment(returns_segment(1)).map(web_map(RETURNS, "webchat", 2)).compile();
    assert!(may_act(&mapped, 1, 1), "a session holding the segment may qualify the map at any event");
}

#[test]
fn a_session_segment_is_assigned_once_when_its_pattern_has_counted_enough() {
    let rules = Setup::new().segment(returns_segment(2)).compile();
    let mut run = Run::new(&rules);
    assert_eq!(run.page(1, 10, "/shop/returns").segments_assigned, 0);
    assert_eq!(run.page(1, 20, "/shop").segments_assigned, 0, "a page that does not match does not count");
    assert_eq!(run.page(1, 30, "/returns/form").segments_assigned, 1);
    assert_eq!(run.page(1, 40, "/returns").segments_assigned, 0, "assigned once per session");
    let session = &run.state.sessions[&Uuid::from_u128(1)];
    assert_eq!(session.segments.len(), 1);
    assert_eq!((&*session.segments[0].segment_id, session.segments[0].assigned), (RETURNS, 30));
    assert_eq!(run.page(2, 50, "/returns").segments_assigned, 0, "another session counts afresh");
}

#[test]
fn an_outcome_is_achieved_once_per_session_with_its_value() {
    let rules = Setup::new()
        .outcome(json!({"displayName": "Delivered", "journey": {"patterns": [{"count": 1, "streamType": "Custom",
            "eventName": "delivered"}]}, "associatedValueField": {"name": "attributes.amount.value", "dataType": "Number"}}))
        .compile();
    let mut run = Run::new(&rules);
    assert_eq!(run.event(1, IN_TRANSIT, 5, json!({"amount": 1.0})).outcomes_achieved, 0);
    assert_eq!(run.event(1, DELIVERED, 10, json!({"amount": 42.5})).outcomes_achieved, 1);
    assert_eq!(run.event(1, DELIVERED, 20, json!({"amount": 7.0})).outcomes_achieved, 0);
    let achieved = &run.state.sessions[&Uuid::from_u128(1)].outcomes;
    assert_eq!((achieved[0].achieved, achieved[0].value), (10, Some(42.5)));
}

#[test]
fn a_map_fires_once_per_session_with_a_deterministic_action_id() {
    let map = "00000000-0000-4000-8000-0000000000a1";
    let rules = Setup::new().segment(returns_segment(1)).map(web_map(map, "contentOffer", 2)).compile();
    let mut run = Run::new(&rules);
    let first = run.page(1, 10, "/returns");
    assert_eq!(verdicts(&first), [(map, Verdict::Fired)]);
    let action = first.firings[0].action_id.unwrap();
    assert_eq!(action, verdict::action_id(&rules.maps[0], Uuid::from_u128(1)));
    assert!(run.page(1, 20, "/returns").firings.is_empty(), "once per session");
    let other = run.page(2, 30, "/returns");
    assert_ne!(other.firings[0].action_id.unwrap(), action, "each session has its own action");
    let mut email = Run::new(&rules);
    email.cookie = false;
    assert!(email.page(1, 10, "/returns").firings.is_empty(), "a web action needs a browser (a cookie customer)");
}

#[test]
fn weights_choose_among_web_offers_and_equal_weights_rotate() {
    let (a, b, c) = (
        "00000000-0000-4000-8000-0000000000a1",
        "00000000-0000-4000-8000-0000000000b2",
        "00000000-0000-4000-8000-0000000000c3",
    );
    let rules = Setup::new()
        .segment(returns_segment(1))
        .map(web_map(a, "webchat", 2))
        .map(web_map(b, "contentOffer", 2))
        .map(web_map(c, "webMessagingOffer", 1))
        .map(json!({"displayName": "tell the host", "triggerWithSegments": [RETURNS], "weight": 1,
            "action": {"mediaType": "callback"}}))
        .compile();
    let mut run = Run::new(&rules);
    let fired = |d: &Decisions| d.firings.iter().filter(|f| f.verdict == Verdict::Fired).count();
    let first = run.page(1, 10, "/returns");
    assert_eq!(fired(&first), 2, "one web offer and the callback: {:?}", verdicts(&first));
    let winner = |d: &Decisions| {
        d.firings
            .iter()
            .find(|f| f.verdict == Verdict::Fired && f.map.action.media_type.is_web_action())
            .unwrap()
            .map_id
            .clone()
    };
    assert_eq!(&*winner(&first), a, "the first of the tied maps in id order");
    assert!(first.firings.iter().any(|f| &*f.map_id == c && f.verdict == Verdict::Outweighed));
    let second = run.page(2, 100_000, "/returns");
    assert_eq!(&*winner(&second), b, "the rotation moves on");
    assert_eq!(&*winner(&run.page(3, 200_000, "/returns")), a);
}

#[test]
fn frequency_caps_record_the_map_as_capped() {
    let (first, second) = ("00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000a2");
    let other_segment = json!({"id": DELAYED, "displayName": "Clicked", "journey": {"patterns": [{"count": 1,
        "streamType": "Web", "eventName": "clicked"}]}});
    let second_map = json!({"id": second, "displayName": "again", "triggerWithSegments": [DELAYED],
        "action": {"mediaType": "contentOffer"}});
    let rules = Setup::new()
        .segment(returns_segment(1))
        .segment(other_segment)
        .map(web_map(first, "contentOffer", 2))
        .map(second_map)
        .compile();
    // Within the minimum gap of an offer of the same media type.
    let mut run = Run::new(&rules);
    assert_eq!(verdicts(&run.page(1, 0, "/returns")), [(first, Verdict::Fired)]);
    assert_eq!(verdicts(&run.event(1, (1, 1), 59_999, json!({}))), [(second, Verdict::Capped)]);
    let mut run = Run::new(&rules);
    run.page(1, 0, "/returns");
    assert_eq!(verdicts(&run.event(1, (1, 1), 60_000, json!({}))), [(second, Verdict::Fired)]);
    // After the first offer was rejected.
    let mut run = Run::new(&rules);
    let offered = run.page(1, 0, "/returns").firings[0].action_id.unwrap();
    run.rejected.push(offered);
    assert_eq!(verdicts(&run.event(1, (1, 1), 120_000, json!({}))), [(second, Verdict::Capped)]);
    // A conversation with an agent caps chats, not content offers.
    let chat = Setup::new().segment(returns_segment(1)).map(web_map(first, "webchat", 2)).compile();
    let mut run = Run::new(&chat);
    run.talked = true;
    assert_eq!(verdicts(&run.page(1, 0, "/returns")), [(first, Verdict::Capped)]);
    let mut run = Run::new(&rules);
    run.talked = true;
    assert_eq!(verdicts(&run.page(1, 0, "/returns")), [(first, Verdict::Fired)]);
}

#[test]
fn a_closed_schedule_and_dates_stop_a_map() {
    let map = "00000000-0000-4000-8000-0000000000a1";
    let mut scheduled = web_map(map, "contentOffer", 2);
    // Paris business hours on Mondays; 2026-12-07 is a Monday, 08:30 UTC is 09:30 in Paris.
    scheduled["schedule"] =
        json!({"timeZone": "Europe/Paris", "weekly": [{"day": "monday", "from": "09:00", "to": "17:00"}]});
    let rules = Setup::new().segment(returns_segment(1)).map(scheduled).compile();
    let at = |text: &str| crate::base::time::parse_rfc3339(text).unwrap();
    let mut run = Run::new(&rules);
    assert_eq!(verdicts(&run.page(1, at("2026-12-07T08:30:00Z"), "/returns")), [(map, Verdict::Fired)]);
    assert_eq!(verdicts(&run.page(2, at("2026-12-07T07:59:00Z"), "/returns")), [(map, Verdict::OutsideSchedule)]);
    assert_eq!(verdicts(&run.page(3, at("2026-12-08T08:30:00Z"), "/returns")), [(map, Verdict::OutsideSchedule)]);
    let mut dated = web_map(map, "contentOffer", 2);
    dated["startDate"] = json!("2026-12-07T00:00:00Z");
    let rules = Setup::new().segment(returns_segment(1)).map(dated).compile();
    let mut run = Run::new(&rules);
    assert!(run.page(1, at("2026-12-06T23:00:00Z"), "/returns").firings.is_empty(), "before its start date");
    assert_eq!(verdicts(&run.page(1, at("2026-12-07T01:00:00Z"), "/returns")), [(map, Verdict::Fired)]);
}

#[test]
fn a_customer_segment_lasts_across_sessions_and_triggers_its_maps_in_each() {
    let map = "00000000-0000-4000-8000-0000000000a1";
    let delayed = json!({"id": DELAYED, "displayName": "Delayed", "scope": "Customer", "assignmentExpirationDays": 1,
        "journey": {"patterns": [{"count": 1, "streamType": "Custom",
            "criteria": [{"key": "attributes.status", "values": ["DELAYED"], "shouldIgnoreCase": true}]}]}});
    let notify = json!({"id": map, "displayName": "tell the agent", "triggerWithSegments": [DELAYED],
        "action": {"mediaType": "customEvent", "agentId": "agent-1", "eventName": "delayed"}});
    let rules = Setup::new().segment(delayed).map(notify).compile();
    let mut run = Run::new(&rules);
    let first = run.event(1, IN_TRANSIT, 10, json!({"status": "delayed"}));
    assert_eq!((first.segments_assigned, verdicts(&first)), (1, vec![(map, Verdict::Fired)]));
    assert_eq!(run.state.assignments[0].expires, Some(10 + 86_400_000));
    assert!(run.state.sessions[&Uuid::from_u128(1)].segments.is_empty(), "a customer assignment is the customer's");
    assert_eq!(verdicts(&run.page(2, 20, "/")), [(map, Verdict::Fired)], "the next session holds it too");
    assert!(run.page(3, 10 + 86_400_000, "/").firings.is_empty(), "expired");
}

#[test]
fn event_conditions_all_hold_on_the_session_so_far() {
    let map = "00000000-0000-4000-8000-0000000000a1";
    let rules = Setup::new()
        .map(json!({"id": map, "displayName": "both", "action": {"mediaType": "callback"},
            "triggerWithEventConditions": [
                {"key": "eventName", "values": ["in_transit"], "streamType": "Custom"},
                {"key": "attributes.amount", "values": ["100"], "operator": "greaterThan", "streamType": "Custom",
                 "eventName": "delivered"}]}))
        .compile();
    let mut run = Run::new(&rules);
    assert!(run.event(1, DELIVERED, 5, json!({"amount": 150})).firings.is_empty(), "one condition of two");
    assert_eq!(verdicts(&run.event(1, IN_TRANSIT, 6, json!({}))), [(map, Verdict::Fired)]);
    let mut run = Run::new(&rules);
    run.event(1, DELIVERED, 5, json!({"amount": 99}));
    assert!(run.event(1, IN_TRANSIT, 6, json!({})).firings.is_empty(), "99 is not greater than 100");
}

#[test]
fn a_held_segment_qualifies_its_map_at_the_first_page_its_url_conditions_accept() {
    let map = "00000000-0000-4000-8000-0000000000a1";
    let mut checkout = web_map(map, "webchat", 2);
    checkout["pageUrlConditions"] = json!([{"values": ["/checkout"], "operator": "startsWith"}]);
    let rules = Setup::new().segment(returns_segment(1)).map(checkout).compile();
    let mut run = Run::new(&rules);
    let assigned = run.page(1, 10, "/returns");
    assert_eq!((assigned.segments_assigned, assigned.firings.len()), (1, 0), "the page URL does not match yet");
    assert!(run.event(1, (1, 1), 20, json!({})).firings.is_empty(), "an event with no URL");
    assert_eq!(verdicts(&run.page(1, 30, "/checkout/pay")), [(map, Verdict::Fired)]);
    let mut quiet = Run::new(&rules);
    quiet.page(1, 10, "/shop");
    assert!(quiet.state.is_empty(), "a session that matched nothing leaves no state");
}

#[test]
fn rules_added_to_for_a_created_open_event_type_equal_rules_compiled_anew() {
    // Definitions for every event type of the web stream, for one open name not created yet,
    // and for a declared one; open names are created one by one, each added to the rules.
    let catalog = Catalog::from_json(
        r#"{"sessionTypes": [{"name": "app", "kind": "web", "open": true, "eventTypes": [{"name": "opened"}]}]}"#,
    )
    .unwrap();
    let config = crate::model::config::Config::from_json(r#"{"maxEventTypes": 100}"#).unwrap();
    let mut definitions = Definitions::default();
    let patterns = [
        json!({"count": 1, "streamType": "Web", "criteria": [{"key": "attributes.flag", "values": ["y"]}]}),
        json!({"count": 2, "streamType": "Web", "eventName": "n3", "criteria": []}),
        json!({"count": 1, "streamType": "Web", "eventName": "opened", "criteria": []}),
    ];
    for (n, pattern) in patterns.iter().enumerate() {
        let segment = json!({"id": Uuid::from_u128(n as u128 + 1).to_string(), "displayName": format!("s{n}"),
            "journey": {"patterns": [pattern]}});
        definitions.put_segment(read_definition(&segment).unwrap(), &Limits::default(), 0).unwrap();
    }
    let mut rules = Compiled::new(definitions.clone(), &catalog);
    for n in 0..5 {
        let mut created = None;
        catalog.open_event_type(0, &format!("n{n}"), &config, |index| created = Some(index)).unwrap();
        rules = rules.with_event_type(&catalog, (0, created.unwrap()));
    }
    let anew = Compiled::new(definitions, &catalog);
    let listed = |rules: &Compiled| -> Vec<String> {
        (0..catalog.event_type_count(0))
            .map(|e| {
                let counted: Vec<_> = rules.counted(0, e).iter().map(|c| (c.owner, c.pattern, &c.tests)).collect();
                format!("{e}: {counted:?}")
            })
            .collect()
    };
    assert_eq!(listed(&rules), listed(&anew));
    assert_eq!(rules.counted(0, 4).len(), 2, "n3 is counted by the segment of every type and its own");
}
