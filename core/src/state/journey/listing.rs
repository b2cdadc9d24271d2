//! The journey's order through the activity index equals a sort of every session: random long
//! journeys (custom, web and conversation sessions over several divisions, messaging channels,
//! late events, web sessions that merge), read by random viewers from every cursor, with events
//! added between reads so that the index is kept up to date rather than rebuilt.

use super::{card, sort_all, walk_index};
use crate::{Catalog, Config, Customer, Engine, IdType, Viewer};
use proptest::prelude::*;
use serde_json::json;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]},
  {"name": "web", "kind": "web", "inactivityGap": "30s", "eventTypes": [{"name": "page_viewed"}]}]}"#;
const DIVISIONS: [Option<&str>; 3] = [None, Some("east"), Some("west")];
const CHANNELS: [&str; 3] = ["webMessaging", "voice", "webChat"];

/// (kind, key, division, seconds after the start, variant)
type Spec = (usize, usize, usize, i64, usize);

fn event((kind, key, division, seconds, variant): Spec) -> serde_json::Value {
    let time = 1_795_000_000_000i64 + seconds * 1000;
    let (session, name, attributes) = match kind {
        0 => (json!({"type": "delivery", "externalId": format!("order-{key}-{division}")}), "in_transit", json!({})),
        1 => (json!({"type": "web"}), "page_viewed", json!({})),
        _ => {
            let conversation = json!({"type": "conversation", "externalId": format!("conv-{key}-{division}")});
            match variant % 2 {
                0 => (conversation, "conversation_started", json!({"channel": CHANNELS[variant % 3]})),
                _ => (conversation, "queue_joined", json!({"queueId": "q1"})),
            }
        }
    };
    let mut event = json!({"eventName": name, "createdDate": crate::base::time::format_millis(time),
        "customer": {"id": "dana", "idType": "email"}, "session": session, "attributes": attributes});
    if let Some(division) = DIVISIONS[division] {
        event["division"] = json!(division);
    }
    event
}

fn spec() -> impl Strategy<Value = Spec> {
    (0..3usize, 0..40usize, 0..DIVISIONS.len(), 0..20_000i64, 0..6usize)
}

fn viewers() -> Vec<Viewer> {
    let all = ["journey:session:view", "journey:sessionType:view"];
    vec![Viewer::new(all, ["*"]), Viewer::new(all, ["east"]), Viewer::new(["journey:session:view"], ["west", "east"])]
}

/// Every cursor of the full listing gives, through the index, the same next items as the sort.
fn check(engine: &Engine) -> Result<(), TestCaseError> {
    let customer = Customer::new("dana", IdType::Email);
    let mut shard = engine.store_for_tests().customer_shard(customer.id_type, &customer.id);
    let sessions = shard.get_mut(customer.id_type, &customer.id).expect("the customer has sessions");
    sessions.index_activity();
    let index = sessions.activity().expect("enough sessions to be indexed");
    for viewer in viewers() {
        let (all, web) = sort_all(sessions, &viewer, None, usize::MAX - 1);
        let (walked, walked_web) = walk_index(sessions, index, &viewer, None, all.len());
        prop_assert_eq!(walked_web, web);
        let keys = |listed: &[(super::ListingKey, &crate::state::session::Session)]| {
            listed.iter().map(|(key, s)| (*key, s.id, card::listable(s, &viewer))).collect::<Vec<_>>()
        };
        prop_assert_eq!(keys(&walked), keys(&all));
        for (position, (key, _)) in all.iter().enumerate() {
            let cursor = super::cursor_of(*key);
            let (sorted, _) = sort_all(sessions, &viewer, Some(cursor), 3);
            let (walked, _) = walk_index(sessions, index, &viewer, Some(cursor), 3);
            prop_assert_eq!(keys(&walked), keys(&sorted), "after position {}", position);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_index_lists_as_a_sort_does(
        first in prop::collection::vec(spec(), 150..250),
        then in prop::collection::vec(prop::collection::vec(spec(), 1..20), 1..5),
    ) {
        let config = Config::from_json(r#"{"clock": "manual", "start": "2026-11-20T00:00:00Z", "allowedLateness": null}"#).unwrap();
        let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap();
        for spec in first {
            engine.ingest_value(&event(spec)).unwrap();
        }
        check(&engine)?;
        for batch in then {
            for spec in batch {
                engine.ingest_value(&event(spec)).unwrap();
            }
            check(&engine)?;
        }
    }
}

/// Many web-messaging conversations, most of them older than the latest web event (so listed at
/// its time, by id), some at that very time, and some newer: the walk from every cursor equals the
/// sort.
#[test]
fn messaging_conversations_revived_by_a_web_event_list_as_a_sort_does() {
    let config =
        Config::from_json(r#"{"clock": "manual", "start": "2026-11-20T00:00:00Z", "allowedLateness": null}"#).unwrap();
    let engine = Engine::new(Catalog::from_json(CATALOG).unwrap(), config).unwrap();
    // Variant 0 starts a conversation on webMessaging; web events fall among the conversations,
    // on the same 40-second grid, so that some conversations tie with the latest web event.
    let conversations = (0..600).map(|key| (2, key, key % DIVISIONS.len(), (key as i64 * 40) % 5_000, 0));
    let web = (0..30).map(|n| (1, 0, n % DIVISIONS.len(), 3_000 + n as i64 * 40, 0));
    for spec in conversations.chain(web) {
        engine.ingest_value(&event(spec)).unwrap();
    }
    check(&engine).unwrap();
}
