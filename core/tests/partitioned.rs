//! SPEC §13 in one process: N engines on threads, fed by the batch router, give exactly what one
//! engine gives (every outcome, every journey page, every session's events, the summed stats), on
//! generated adversarial streams: external ids shared across customers, event ids reused with the
//! same and with different content, resends, sessions ended and written to again, web sessions
//! bridged by late events, late and future events, events far ahead of the rest, and manual clock
//! moves broadcast at their positions; and the same streams under an event clock, where partitions
//! take the shared watermark. The negative controls: routing by customer alone, and partitions
//! keeping their own event clocks, change outcomes on every stream.

mod common;

use journey_core::partition::{
    Directory, Key, OnlineRouter, Router, Watermark, command_broadcast, command_key, command_needs_watermark,
    keys_of_value, merge_outcomes, merge_stats, partition_for, watermark_needed,
};
use journey_core::time::{format_millis, parse_rfc3339};
use journey_core::{Batch, Catalog, Command, Config, Customer, Duration, Engine, IdType, Outcome, PageRequest, Viewer};
use serde_json::{Value, json};
use uuid::Uuid;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "endsOn": ["item_delivered"],
   "attributes": [{"name": "stage", "type": "string"}],
   "eventTypes": [{"name": "order_placed", "attributes": [{"name": "stage", "type": "string"}]},
                  {"name": "item_delivered"}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string"}]}]}]}"#;
const CONFIG: &str = r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "allowedLateness": "30m",
  "identity": {"limits": {"email": 1}}}"#;
const START_MINUTES: i64 = 10 * 60;

/// One step of a stream: an event, a move of the manual clock (broadcast to every partition), or
/// a host's identity op (docs/identity.md).
#[derive(Clone, Debug)]
enum Step {
    Event(Value),
    Advance(i64),
    /// `link({from, to})`, routed as an event with both identifiers as keys.
    Link(Customer, Customer),
    /// `unlink({from, to})`, sent where `from` is.
    Unlink(Customer, Customer),
    /// `unlinkEvent` of the event at this step, sent where that event went.
    UnlinkEvent(usize),
    /// `erase({customer, eraseForget})`, sent where `command_key` routes it: the customer's
    /// partition.
    Erase(Customer, bool),
}

/// A small deterministic generator (an LCG), so that every run checks the same streams.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn time(minutes: i64) -> String {
    format!("2026-11-21T{:02}:{:02}:00Z", minutes.div_euclid(60) % 24, minutes.rem_euclid(60))
}

/// Customers come in groups of three that share orders, calls and event ids; now and then an
/// event links two groups. So a stream has many components of several customers each.
const GROUPS: u64 = 10;
/// Web visitors, each alone unless an event id links them.
const COOKIES: u64 = 6;

/// An adversarial stream of `len` steps.
fn stream(seed: u64, len: usize) -> Vec<Step> {
    stream_with(seed, len, false)
}

/// An adversarial stream whose visitors also log in (events carrying an owner's e-mail as an
/// identifier, a second one refused by `limits.email: 1`) and whose host links, unlinks and undoes
/// logins (docs/identity.md). Without `identity`, the same stream as before identity.
fn identity_stream(seed: u64, len: usize) -> Vec<Step> {
    stream_with(seed, len, true)
}

fn stream_with(seed: u64, len: usize, identity: bool) -> Vec<Step> {
    let mut rng = Random(seed);
    let mut clock = START_MINUTES;
    let mut sent: Vec<Value> = Vec::new();
    // The events an erasure may have taken, to be sent again.
    let mut erased: Vec<Value> = Vec::new();
    let mut steps = Vec::with_capacity(len);
    for _ in 0..len {
        if identity && let Some(op) = identity_op(&mut rng, &steps) {
            if let Step::Erase(customer, _) = &op {
                erased.extend(events_of_person(&sent, customer));
            }
            steps.push(op);
            continue;
        }
        if !erased.is_empty() && rng.below(12) == 0 {
            steps.push(Step::Event(resend_of_erased(&mut rng, &erased)));
            continue;
        }
        let roll = rng.below(100);
        if roll < 12 {
            let minutes = 1 + rng.below(20) as i64;
            clock += minutes;
            steps.push(Step::Advance(minutes));
            continue;
        }
        if (12..=20).contains(&roll) && !sent.is_empty() {
            steps.push(Step::Event(sent[rng.below(sent.len() as u64) as usize].clone())); // a resend
            continue;
        }
        // Mostly around `now`, some late (past the 30 minutes allowed), a few in the future, and now
        // and then one far ahead, which moves an event clock past everyone else's events.
        let jump = if rng.below(50) == 0 { 90 + rng.below(60) as i64 } else { 0 };
        let at = clock - rng.below(45) as i64 + if rng.below(20) == 0 { 10 } else { 0 } + jump;
        let group = rng.below(GROUPS);
        // Mostly the group's owner; now and then another member (CUSTOMER_MISMATCH on its orders).
        let member = if rng.below(5) == 0 { rng.below(3) } else { 0 };
        let customer = json!({"id": format!("c{}@example.com", group * 3 + member), "idType": "email"});
        // Once in a while an event names another group's order, which joins the two groups.
        let order_group = if rng.below(100) == 0 { rng.below(GROUPS) } else { group };
        let mut event = match roll {
            21..=55 => {
                let name = if rng.below(4) == 0 { "item_delivered" } else { "order_placed" };
                let mut event = json!({"eventName": name, "createdDate": time(at), "customer": customer,
                    "session": {"type": "delivery", "externalId": format!("order-{order_group}-{}", rng.below(2))}});
                if name == "order_placed" {
                    event["attributes"] = json!({"stage": format!("s{}", rng.below(3))});
                }
                event
            }
            56..=70 => json!({"eventName": "conversation_started", "createdDate": time(at), "customer": customer,
                "session": {"type": "conversation", "externalId": format!("call-{group}")},
                "attributes": {"channel": "voice"}}),
            71..=95 => {
                // A visitor's ids come from its own pool, so visitors stay apart.
                let cookie = rng.below(COOKIES);
                let mut event = json!({"eventName": "page_viewed", "createdDate": time(at),
                    "customer": {"id": format!("w{cookie}"), "idType": "cookie"},
                    "session": {"type": "web"}, "attributes": {"page": format!("/p{}", rng.below(4))}});
                if rng.below(3) == 0 {
                    event["id"] = json!(pool_id(GROUPS + cookie, rng.below(3)));
                }
                // Now and then the visitor logs in: mostly as its own group's owner, once in a
                // while as another group's (a second e-mail, which the limit refuses).
                if identity && rng.below(6) == 0 {
                    let group = if rng.below(10) == 0 { rng.below(GROUPS) } else { cookie % GROUPS };
                    event["identifiers"] = json!([{"id": format!("c{}@example.com", group * 3), "idType": "email"}]);
                }
                event
            }
            // Unreadable: no customer (its own external id, so it links nothing).
            _ => json!({"eventName": "order_placed", "createdDate": time(at),
                "session": {"type": "delivery", "externalId": format!("x-{group}")}}),
        };
        // Explicit ids from the group's small pool: the same id with other content is a conflict.
        if (21..=70).contains(&roll) && rng.below(3) == 0 {
            event["id"] = json!(pool_id(group, rng.below(3)));
        }
        sent.push(event.clone());
        steps.push(Step::Event(event));
    }
    steps
}

/// Now and then a host's identity op: a link of a visitor to a group's owner (joining their
/// components), an unlink of such a pair, or an undo of an earlier login's links.
fn identity_op(rng: &mut Random, steps: &[Step]) -> Option<Step> {
    let visitor = |rng: &mut Random| Customer::new(format!("w{}", rng.below(COOKIES)), IdType::Cookie);
    let owner = |rng: &mut Random| Customer::new(format!("c{}@example.com", rng.below(GROUPS) * 3), IdType::Email);
    match rng.below(100) {
        0 => Some(Step::Link(visitor(rng), owner(rng))),
        1 => Some(Step::Unlink(owner(rng), visitor(rng))),
        2 => {
            let logins: Vec<usize> = (0..steps.len())
                .filter(
                    |&i| matches!(&steps[i], Step::Event(e) if e.get("identifiers").is_some() && e.get("id").is_some()),
                )
                .collect();
            (!logins.is_empty()).then(|| Step::UnlinkEvent(logins[rng.below(logins.len() as u64) as usize]))
        }
        // An erasure of a visitor or an owner (its whole profile); one in three forgets the ids.
        3 | 4 => {
            let customer = if rng.below(2) == 0 { visitor(rng) } else { owner(rng) };
            Some(Step::Erase(customer, rng.below(3) == 0))
        }
        _ => None,
    }
}

/// The events sent so far that an erasure of `customer` takes, near enough: those of the
/// customer, of the identifiers its events carried and of the customers whose events carried it.
/// (The stream does not know the profile; the resends only need to hit erased events often.)
fn events_of_person(sent: &[Value], customer: &Customer) -> Vec<Value> {
    let named = |event: &Value, who: &Customer| {
        let as_customer = |value: &Value| value["id"] == who.id.as_str() && value["idType"] == who.id_type.as_str();
        as_customer(&event["customer"]) || event["identifiers"].as_array().is_some_and(|l| l.iter().any(as_customer))
    };
    let mut person = vec![customer.clone()];
    for event in sent.iter().filter(|event| named(event, customer)) {
        let others = std::iter::once(&event["customer"]).chain(event["identifiers"].as_array().into_iter().flatten());
        person.extend(others.filter_map(|value| serde_json::from_value::<Customer>(value.clone()).ok()));
    }
    person.sort_by(|a, b| (a.id_type.as_str(), &a.id).cmp(&(b.id_type.as_str(), &b.id)));
    person.dedup();
    sent.iter().filter(|event| person.iter().any(|who| named(event, who))).cloned().collect()
}

/// An erased event sent again: mostly as it was (a `duplicate` while its id is kept), sometimes
/// with the same explicit id and other content (`DUPLICATE_ID_CONFLICT`).
fn resend_of_erased(rng: &mut Random, erased: &[Value]) -> Value {
    let mut event = erased[rng.below(erased.len() as u64) as usize].clone();
    if event.get("id").is_some() && rng.below(4) == 0 {
        event["attributes"] = match event["eventName"].as_str() {
            Some("page_viewed") => json!({"page": "/changed"}),
            Some("order_placed") => json!({"stage": "changed"}),
            _ => json!({"channel": "chat"}),
        };
    }
    event
}

/// The event at step `i`.
fn event_at(steps: &[Step], i: usize) -> &Value {
    match &steps[i] {
        Step::Event(event) => event,
        _ => unreachable!("an unlinkEvent names an event's step"),
    }
}

/// The customer of the event at step `i`.
fn customer_at(steps: &[Step], i: usize) -> Customer {
    serde_json::from_value(event_at(steps, i)["customer"].clone()).unwrap()
}

/// Runs a host's identity op on `engine`: its result, or its error, as JSON.
fn identity_call(engine: &Engine, steps: &[Step], step: &Step) -> Value {
    let result = match step {
        Step::Link(from, to) => {
            let input = journey_core::identity::LinkInput { from: from.clone(), to: to.clone(), division: None };
            engine.link(&input).map(|r| serde_json::to_value(r).unwrap())
        }
        Step::Unlink(from, to) => engine.unlink(from, to).map(|()| json!({})),
        Step::UnlinkEvent(i) => {
            let id = Uuid::parse_str(event_at(steps, *i)["id"].as_str().unwrap()).unwrap();
            engine.unlink_event(id).map(|r| serde_json::to_value(r).unwrap())
        }
        Step::Erase(customer, forget) => {
            let input = journey_core::erase::ErasureInput { customer: customer.clone(), erase_forget: *forget };
            engine.erase(&input).map(|r| serde_json::to_value(r).unwrap())
        }
        Step::Event(_) | Step::Advance(_) => unreachable!("not an identity op"),
    };
    result.unwrap_or_else(|e| e.to_json())
}

/// Id `n` of pool `pool`.
fn pool_id(pool: u64, n: u64) -> String {
    Uuid::from_u128(0xabc0_0000 + pool as u128 * 16 + n as u128).to_string()
}

/// Every customer a stream names.
fn customers() -> Vec<Customer> {
    (0..GROUPS * 3)
        .map(|i| Customer::new(format!("c{i}@example.com"), IdType::Email))
        .chain((0..COOKIES).map(|i| Customer::new(format!("w{i}"), IdType::Cookie)))
        .collect()
}

fn engine() -> Engine {
    engine_with(CONFIG)
}

fn engine_with(config: &str) -> Engine {
    Engine::new(Catalog::from_json(CATALOG).unwrap(), Config::from_json(config).unwrap()).unwrap()
}

/// An event clock: `now` is the largest accepted event time.
const EVENT_CLOCK: &str = r#"{"clock": "event", "allowedLateness": "30m"}"#;

fn viewer() -> Viewer {
    Viewer::unrestricted()
}

/// What a stream gives: outcomes in order, and the engines that hold the state.
struct Run {
    outcomes: Vec<Outcome>,
    /// The identity ops' results, in order.
    ops: Vec<Value>,
    engines: Vec<Engine>,
    journey_engine: Box<dyn Fn(&Customer) -> usize>,
    directory: Directory,
}

fn one_engine(steps: &[Step]) -> Run {
    let engine = engine();
    let (mut outcomes, mut ops) = (Vec::new(), Vec::new());
    for step in steps {
        match step {
            Step::Event(event) => outcomes.push(engine.ingest_value(event).unwrap()),
            Step::Advance(minutes) => engine.advance(Duration::from_millis(*minutes * 60_000)).unwrap(),
            op => ops.push(identity_call(&engine, steps, op)),
        }
    }
    Run { outcomes, ops, engines: vec![engine], journey_engine: Box::new(|_| 0), directory: Directory::default() }
}

/// The keys the routers route a step by: an event's, and a host's link as an event of both
/// identifiers (docs/identity.md, "Scale-out"); `None` for the steps they do not route.
fn routed_keys(catalog: &Catalog, step: &Step) -> Option<Vec<Key>> {
    match step {
        Step::Event(event) => Some(keys_of_value(catalog, event)),
        Step::Link(from, to) => {
            Some(vec![Key::Customer(from.id_type, from.id.clone()), Key::Customer(to.id_type, to.id.clone())])
        }
        Step::Advance(_) | Step::Unlink(..) | Step::UnlinkEvent(_) | Step::Erase(..) => None,
    }
}

/// The partition an erasure goes to: `command_key` gives the customer's key, whose partition is
/// the one the router put the customer's events in (`known`), or, for a customer no event named,
/// where that key hashes (it holds nothing of the customer: every partition would answer zeros).
fn erase_partition(customer: &Customer, forget: bool, known: Option<usize>, n: usize) -> usize {
    let input = json!({"customer": customer, "eraseForget": forget});
    let key = journey_core::partition::command_key(&Command::new("erase", input).unwrap()).expect("erase has a key");
    assert_eq!(key, Key::Customer(customer.id_type, customer.id.clone()).canonical());
    known.unwrap_or_else(|| partition_for(&key, n).unwrap())
}

/// What one partition's thread gives back: its outcomes and its identity ops' answers, each with
/// its position in the stream.
type Part = (Vec<(u64, Outcome)>, Vec<(usize, Value)>);

/// The stream through `n` engines on threads, routed by the keys `pick` keeps.
fn partitioned(steps: &[Step], n: usize, pick: fn(&Step, Vec<Key>) -> Vec<Key>) -> Run {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let routed: Vec<(usize, Vec<Key>)> =
        steps.iter().enumerate().filter_map(|(i, step)| Some((i, pick(step, routed_keys(&catalog, step)?)))).collect();
    let keys: Vec<Vec<Key>> = routed.iter().map(|(_, keys)| keys.clone()).collect();
    let routing = Router::new(n, None).unwrap().route(&keys);
    let mut partition_at = vec![None; steps.len()];
    for ((position, _), partition) in routed.iter().zip(&routing.partitions) {
        partition_at[*position] = Some(partition.expect("nothing is quarantined without a cap"));
    }
    // An unlink goes where `from` is (anywhere when no step named it: it finds no link), an undo
    // of an event's links where the event went.
    for (i, step) in steps.iter().enumerate() {
        partition_at[i] = match step {
            Step::Unlink(from, _) => Some(routing.partition_of(from).unwrap_or(0)),
            Step::UnlinkEvent(event) => partition_at[*event],
            Step::Erase(customer, forget) => {
                Some(erase_partition(customer, *forget, routing.partition_of(customer), n))
            }
            _ => partition_at[i],
        };
    }
    let engines: Vec<Engine> = (0..n).map(|_| engine()).collect();
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let workers: Vec<_> = engines
            .iter()
            .enumerate()
            .map(|(me, engine)| {
                let partition_at = &partition_at;
                scope.spawn(move || {
                    let (mut mine, mut ops) = (Vec::new(), Vec::new());
                    for (position, step) in steps.iter().enumerate() {
                        match step {
                            Step::Advance(minutes) => engine.advance(Duration::from_millis(*minutes * 60_000)).unwrap(),
                            _ if partition_at[position] != Some(me) => {}
                            Step::Event(event) => mine.push((position as u64, engine.ingest_value(event).unwrap())),
                            op => ops.push((position, identity_call(engine, steps, op))),
                        }
                    }
                    (mine, ops)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let (parts, op_parts): (Vec<_>, Vec<_>) = parts.into_iter().unzip();
    let mut directory = Directory::default();
    for (partition, outcomes) in parts.iter().enumerate() {
        for (_, outcome) in outcomes {
            directory.record(partition, outcome);
        }
    }
    let outcomes = merge_outcomes(parts);
    let mut ops: Vec<(usize, Value)> = op_parts.into_iter().flatten().collect();
    ops.sort_by_key(|(position, _)| *position);
    let ops = ops.into_iter().map(|(_, result)| result).collect();
    Run { outcomes, ops, engines, journey_engine: Box::new(move |c| routing.partition_of(c).unwrap()), directory }
}

/// How many of `n` partitions the router gives events to.
fn partitions_used(steps: &[Step], n: usize) -> usize {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let keys: Vec<Vec<Key>> = steps.iter().filter_map(|step| routed_keys(&catalog, step)).collect();
    let mut used: Vec<usize> = Router::new(n, None).unwrap().route(&keys).partitions.into_iter().flatten().collect();
    used.sort();
    used.dedup();
    used.len()
}

fn all_keys(_: &Step, keys: Vec<Key>) -> Vec<Key> {
    keys
}

fn customer_only(_: &Step, keys: Vec<Key>) -> Vec<Key> {
    keys.into_iter().filter(|k| matches!(k, Key::Customer(..))).collect()
}

/// The keys as routed before natural ids were keys: an event without an `id` has no id key.
fn explicit_ids_only(step: &Step, keys: Vec<Key>) -> Vec<Key> {
    match step {
        Step::Event(event) if event.get("id").is_none() => {
            keys.into_iter().filter(|k| !matches!(k, Key::EventId(_))).collect()
        }
        _ => keys,
    }
}

/// The natural id of `event`: the id one engine gives an event sent without one.
fn natural_id_of(event: &Value) -> Uuid {
    journey_core::event::natural_id(&journey_core::json::Json::from_value(event))
}

/// A stream where hosts reuse natural ids: events sent without an id, later events of other
/// customers sending one of those natural ids as their explicit `id` (one engine answers
/// `DUPLICATE_ID_CONFLICT`), and resends, both as sent and with the natural id written in.
fn natural_id_stream(seed: u64, len: usize) -> Vec<Step> {
    let mut rng = Random(seed);
    let mut clock = START_MINUTES;
    let mut idless: Vec<Value> = Vec::new();
    let mut steps = Vec::with_capacity(len);
    let customer = |rng: &mut Random| match rng.below(3) {
        0 => json!({"id": format!("w{}", rng.below(COOKIES)), "idType": "cookie"}),
        _ => json!({"id": format!("c{}@example.com", rng.below(GROUPS * 3)), "idType": "email"}),
    };
    for _ in 0..len {
        let roll = rng.below(100);
        if roll < 8 {
            let minutes = 1 + rng.below(10) as i64;
            clock += minutes;
            steps.push(Step::Advance(minutes));
            continue;
        }
        if roll < 30 && !idless.is_empty() {
            let earlier = idless[rng.below(idless.len() as u64) as usize].clone();
            let event = match rng.below(3) {
                // Another customer's event carrying the earlier event's natural id.
                0 | 1 => {
                    let page = rng.below(4);
                    json!({"id": natural_id_of(&earlier).to_string(), "eventName": "page_viewed",
                        "createdDate": time(clock), "customer": customer(&mut rng),
                        "session": {"type": "web"}, "attributes": {"page": format!("/p{page}")}})
                }
                // The earlier event again, with its natural id written in.
                _ => {
                    let mut again = earlier.clone();
                    again["id"] = json!(natural_id_of(&earlier).to_string());
                    again
                }
            };
            steps.push(Step::Event(event));
            continue;
        }
        if roll < 40 && !idless.is_empty() {
            steps.push(Step::Event(idless[rng.below(idless.len() as u64) as usize].clone())); // a resend
            continue;
        }
        let who = customer(&mut rng);
        let event = if who["idType"] == "cookie" || rng.below(2) == 0 {
            json!({"eventName": "page_viewed", "createdDate": time(clock - rng.below(5) as i64), "customer": who,
                "session": {"type": "web"}, "attributes": {"page": format!("/p{}", rng.below(4))}})
        } else {
            json!({"eventName": "order_placed", "createdDate": time(clock - rng.below(5) as i64), "customer": who,
                "session": {"type": "delivery", "externalId": format!("order-{}-{}", who["id"].as_str().unwrap(), rng.below(2))}})
        };
        idless.push(event.clone());
        steps.push(Step::Event(event));
    }
    steps
}

/// Everything a reader can see of a run, as JSON: outcomes, summed stats, every customer's journey
/// and every session's events, page by page (pages of 3, so cursors are compared too).
fn observe(run: &Run) -> Value {
    let journeys: Vec<Value> = customers()
        .iter()
        .map(|c| pages(|page| run.engines[(run.journey_engine)(c)].journey(c, &viewer(), page)))
        .collect();
    let mut sessions: Vec<Uuid> = run
        .outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Accepted { session_id, .. } => Some(*session_id),
            _ => None,
        })
        .collect();
    sessions.sort();
    sessions.dedup();
    let events: Vec<Value> = sessions
        .iter()
        .map(|id| {
            let engine = &run.engines[run.directory.partition_of(id).unwrap_or(0)];
            // An erased session is gone: its events read `NOT_FOUND`, in one engine as in many.
            match engine.session(&id.to_string(), &viewer()) {
                Ok(_) => pages(|page| engine.session_events(&id.to_string(), &viewer(), page)),
                Err(error) => error.to_json(),
            }
        })
        .collect();
    let stats = merge_stats(run.engines.iter().map(Engine::stats));
    let profiles: Vec<Value> = customers()
        .iter()
        .map(|c| serde_json::to_value(run.engines[(run.journey_engine)(c)].profile(c, None).unwrap()).unwrap())
        .collect();
    json!({"outcomes": run.outcomes, "ops": run.ops, "stats": stats, "journeys": journeys, "events": events,
        "profiles": profiles})
}

fn pages<T: serde::Serialize>(fetch: impl Fn(&PageRequest) -> journey_core::Result<journey_core::Page<T>>) -> Value {
    let mut all = Vec::new();
    let mut page = PageRequest::first(3);
    loop {
        let next = fetch(&page).unwrap();
        let cursor = next.next_cursor.clone();
        all.push(serde_json::to_value(next).unwrap());
        match cursor {
            Some(cursor) => page = PageRequest::after(3, cursor),
            None => return Value::Array(all),
        }
    }
}

#[test]
fn partitioned_engines_equal_one_engine() {
    let mut identity_text = String::new();
    let mut erasures_seen = [0; 4];
    for seed in 0..12 {
        let steps = identity_stream(seed, 500);
        let expected = observe(&one_engine(&steps));
        // The streams are adversarial: every kind of stateful decision happens in each.
        let text = expected["outcomes"].to_string();
        for code in ["CUSTOMER_MISMATCH", "DUPLICATE_ID_CONFLICT", "SESSION_ENDED", "LATE_EVENT", "\"duplicate\""] {
            assert!(text.contains(code), "seed {seed} has no {code}");
        }
        identity_text.push_str(&format!("{text}{}", expected["ops"]));
        let seen = erasures_exercised(&steps, &expected);
        erasures_seen.iter_mut().zip(seen).for_each(|(total, n)| *total += n);
        // And they split: many components, so the partitions share the work.
        assert!(partitions_used(&steps, 16) >= 4, "seed {seed} is one component");
        for n in [2, 4, 16] {
            let got = observe(&partitioned(&steps, n, all_keys));
            if let Some(path) = first_difference(&expected, &got, String::new()) {
                panic!("seed {seed}, {n} partitions differ from one engine at {path}");
            }
        }
    }
    // Identity is exercised: links made and refused by the limit, by events and by the host,
    // unlinks that found a link and undos that undid one.
    for found in ["IDENTITY_LIMIT", "\"linked\":true", "\"linked\":false", "\"unlinked\":1", "{}", "NOT_FOUND"] {
        assert!(identity_text.contains(found), "no stream has {found}");
    }
    // Erasure is exercised: profiles erased with and without `eraseForget`, erased events sent
    // again (a `duplicate` with no session), and erased cookies coming back afresh.
    let [erased, forgot, resent, back] = erasures_seen;
    assert!(identity_text.contains("\"customersErased\":0"), "no stream erases an unknown customer");
    assert!(forgot > 0 && forgot < erased, "eraseForget on some erasures, not all: {forgot} of {erased}");
    assert!(erased >= 50 && resent >= 70 && back >= 20, "erasures {erased}, resends {resent}, cookies back {back}");
}

/// What a stream's erasures did in one engine: how many erased events, how many of those with
/// `eraseForget`, how many resends answered `duplicate` with no session (an erased event's), and
/// how many erased cookies were accepted again afterwards.
fn erasures_exercised(steps: &[Step], expected: &Value) -> [usize; 4] {
    let (outcomes, ops) = (expected["outcomes"].as_array().unwrap(), expected["ops"].as_array().unwrap());
    let (mut outcome, mut op, mut erased_cookies) = (0, 0, Vec::new());
    let (mut erased, mut forgot, mut resent, mut back) = (0, 0, 0, 0);
    for step in steps {
        match step {
            Step::Advance(_) => {}
            Step::Event(event) => {
                let answer = &outcomes[outcome];
                outcome += 1;
                resent += (answer["status"] == "duplicate" && answer["sessionId"] == Uuid::nil().to_string()) as usize;
                if answer["status"] == "accepted"
                    && let Some(at) = erased_cookies.iter().position(|cookie| event["customer"]["id"] == *cookie)
                {
                    erased_cookies.swap_remove(at);
                    back += 1;
                }
            }
            Step::Erase(customer, forget) => {
                if ops[op]["eventsErased"].as_u64().unwrap() > 0 {
                    erased += 1;
                    forgot += *forget as usize;
                    if customer.id_type == IdType::Cookie {
                        erased_cookies.push(customer.id.clone());
                    }
                }
                op += 1;
            }
            _ => op += 1,
        }
    }
    [erased, forgot, resent, back]
}

#[test]
fn routing_by_customer_alone_is_not_exact() {
    let mut differing = 0;
    for seed in 0..12 {
        let steps = stream(seed, 500);
        let expected = observe(&one_engine(&steps));
        let got = observe(&partitioned(&steps, 4, customer_only));
        differing += (got["outcomes"] != expected["outcomes"]) as usize;
    }
    assert_eq!(differing, 12, "every adversarial stream is routed wrongly by customer alone");
}

#[test]
fn natural_ids_are_routing_keys_so_a_reused_natural_id_conflicts_as_in_one_engine() {
    let mut conflicts = 0;
    for seed in 0..6 {
        let steps = natural_id_stream(seed, 300);
        let expected = observe(&one_engine(&steps));
        conflicts += expected["outcomes"].to_string().matches("DUPLICATE_ID_CONFLICT").count();
        for n in [2, 3, 5] {
            let got = observe(&partitioned(&steps, n, all_keys));
            if let Some(path) = first_difference(&expected, &got, String::new()) {
                panic!("seed {seed}, {n} partitions (batch router) differ from one engine at {path}");
            }
            let (got, _) = online(&steps, n, true);
            if let Some(path) = first_difference(&expected, &observe(&got), String::new()) {
                panic!("seed {seed}, {n} partitions (online router) differ from one engine at {path}");
            }
        }
    }
    assert!(conflicts >= 30, "the streams reuse natural ids: {conflicts} conflicts");
}

#[test]
fn routing_without_natural_ids_is_not_exact() {
    // The negative control: the same streams routed as before natural ids were keys differ.
    let mut differing = 0;
    for seed in 0..6 {
        let steps = natural_id_stream(seed, 300);
        let expected = observe(&one_engine(&steps));
        for n in [2, 3, 5] {
            let got = observe(&partitioned(&steps, n, explicit_ids_only));
            differing += (got["outcomes"] != expected["outcomes"]) as usize;
        }
    }
    assert!(differing >= 15, "only {differing} of 18 runs differ without natural ids as keys");
}

/// The partitions' shared digest key: state moves between them.
const SHARED_KEY: &str = r#", "digestKey": "5f3c0e2a9b8d7c6e1f2a3b4c5d6e7f80""#;

/// The stream through `n` engines fed by the online router, one event at a time; with `moves`,
/// the state the router moves goes from engine to engine before each event, as a host does.
fn online(steps: &[Step], n: usize, moves: bool) -> (Run, usize) {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let config = format!("{}{SHARED_KEY}}}", &CONFIG[..CONFIG.len() - 1]);
    let engines: Vec<Engine> = (0..n).map(|_| engine_with(&config)).collect();
    let mut router = OnlineRouter::new(n).unwrap();
    let (mut outcomes, mut ops, mut moved) = (Vec::new(), Vec::new(), 0);
    for step in steps {
        if let Step::Advance(minutes) = step {
            engines.iter().for_each(|e| e.advance(Duration::from_millis(*minutes * 60_000)).unwrap());
            continue;
        }
        let partition = match routed_keys(&catalog, step) {
            Some(keys) => {
                let route = router.route(&keys);
                for step in route.moves.iter().filter(|_| moves) {
                    let slice = engines[step.source].move_out(&step.customers).unwrap();
                    moved += slice.event_count();
                    engines[step.target].move_in(slice).unwrap();
                }
                route.partition
            }
            None => match step {
                Step::Unlink(from, _) => router.partition_of(from).unwrap_or(0),
                Step::UnlinkEvent(event) => router.partition_of(&customer_at(steps, *event)).unwrap_or(0),
                Step::Erase(customer, forget) => erase_partition(customer, *forget, router.partition_of(customer), n),
                _ => unreachable!("every other step is routed"),
            },
        };
        match step {
            Step::Event(event) => outcomes.push(engines[partition].ingest_value(event).unwrap()),
            op => ops.push(identity_call(&engines[partition], steps, op)),
        }
    }
    // Sessions moved with their customers: each is where a read finds it.
    let mut directory = Directory::default();
    for (p, engine) in engines.iter().enumerate() {
        for outcome in &outcomes {
            if let Outcome::Accepted { session_id, .. } = outcome
                && engine.session(&session_id.to_string(), &viewer()).is_ok()
            {
                directory.record(p, outcome);
            }
        }
    }
    let journey_engine = Box::new(move |c: &Customer| router.partition_of(c).unwrap_or(0));
    (Run { outcomes, ops, engines, journey_engine, directory }, moved)
}

#[test]
fn the_online_router_moving_state_equals_one_engine() {
    let mut moved_events = 0;
    for seed in 0..12 {
        let steps = identity_stream(seed, 500);
        let expected = observe(&one_engine(&steps));
        for n in [2, 4, 16] {
            let (run, moved) = online(&steps, n, true);
            moved_events += moved;
            let got = observe(&run);
            if let Some(path) = first_difference(&expected, &got, String::new()) {
                panic!("seed {seed}, {n} partitions online differ from one engine at {path}");
            }
        }
    }
    assert!(moved_events > 100, "the streams make the router move state ({moved_events} events moved)");
}

#[test]
fn the_online_router_without_moving_state_is_not_exact() {
    let mut differing = 0;
    for seed in 0..12 {
        let steps = stream(seed, 500);
        let expected = observe(&one_engine(&steps));
        let (run, _) = online(&steps, 4, false);
        differing += (observe(&run)["outcomes"] != expected["outcomes"]) as usize;
    }
    // Two of the twelve streams link components only where no later outcome depends on it.
    assert!(differing >= 10, "components linked late need their state moved: {differing} of 12 differ");
}

/// The events of a stream alone (an event clock takes no clock moves).
fn events_only(steps: &[Step]) -> Vec<Value> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Event(event) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

/// One engine with an event clock: outcomes, stats, and every customer's journey.
fn one_event_clock_engine(events: &[Value]) -> Value {
    one_event_clock_engine_with(events, EVENT_CLOCK)
}

fn one_event_clock_engine_with(events: &[Value], config: &str) -> Value {
    let engine = engine_with(config);
    let outcomes: Vec<Outcome> = events.iter().map(|e| engine.ingest_value(e).unwrap()).collect();
    event_clock_view(&outcomes, &[engine], |_| 0)
}

/// The events through `n` engines with event clocks on threads. With `watermark`, each partition
/// takes the shared watermark before every event that might be late, and the final one before it
/// is read; without, each keeps its own clock (the negative control).
fn partitioned_event_clocks(events: &[Value], n: usize, watermark: bool) -> Value {
    partitioned_event_clocks_with(events, n, watermark, EVENT_CLOCK, EVENT_CLOCK)
}

/// As [`partitioned_event_clocks`], the engines configured by `config`, the events that need the
/// watermark read from `needs` (the same config, or another for a negative control).
fn partitioned_event_clocks_with(events: &[Value], n: usize, watermark: bool, config: &str, needs: &str) -> Value {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let keys: Vec<Vec<Key>> = events.iter().map(|e| keys_of_value(&catalog, e)).collect();
    let routing = Router::new(n, None).unwrap().route(&keys);
    let times: Vec<Option<i64>> = events.iter().map(|e| e["createdDate"].as_str().and_then(parse_rfc3339)).collect();
    let needed = watermark_needed(&Config::from_json(needs).unwrap(), Batch::Values(events)).unwrap();
    let mine: Vec<Vec<u64>> = (0..n)
        .map(|p| (0..events.len() as u64).filter(|&i| routing.partitions[i as usize] == Some(p)).collect())
        .collect();
    let shared = Watermark::new(&mine.iter().map(|positions| positions.first().copied()).collect::<Vec<_>>());
    let engines: Vec<Engine> = (0..n).map(|_| engine_with(config)).collect();
    let parts: Vec<Vec<(u64, Outcome)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = engines
            .iter()
            .enumerate()
            .map(|(me, engine)| {
                let (mine, shared, times, needed) = (&mine[me], &shared, &times, &needed);
                scope.spawn(move || {
                    let mut outcomes = Vec::new();
                    for (k, &position) in mine.iter().enumerate() {
                        let i = position as usize;
                        if watermark
                            && needed[i]
                            && let Some(w) = shared.before(position)
                        {
                            engine.observe_watermark(&format_millis(w)).unwrap();
                        }
                        let outcome = engine.ingest_value(&events[i]).unwrap();
                        let accepted = matches!(outcome, Outcome::Accepted { .. }).then_some(times[i]).flatten();
                        shared.processed(me, position, accepted, mine.get(k + 1).copied());
                        outcomes.push((position, outcome));
                    }
                    if mine.is_empty() {
                        shared.processed(me, u64::MAX, None, None);
                    }
                    if watermark && let Some(w) = shared.before(u64::MAX) {
                        engine.observe_watermark(&format_millis(w)).unwrap();
                    }
                    outcomes
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let outcomes = merge_outcomes(parts);
    event_clock_view(&outcomes, &engines, |c| routing.partition_of(c).unwrap())
}

fn event_clock_view(outcomes: &[Outcome], engines: &[Engine], home: impl Fn(&Customer) -> usize) -> Value {
    let journeys: Vec<Value> =
        customers().into_iter().map(|c| pages(|page| engines[home(&c)].journey(&c, &viewer(), page))).collect();
    let profiles: Vec<Value> =
        customers().iter().map(|c| serde_json::to_value(engines[home(c)].profile(c, None).unwrap()).unwrap()).collect();
    json!({"outcomes": outcomes, "stats": merge_stats(engines.iter().map(Engine::stats)), "journeys": journeys,
        "profiles": profiles})
}

#[test]
fn event_clock_partitions_with_the_watermark_equal_one_engine() {
    for seed in 0..8 {
        let events = events_only(&identity_stream(seed, 500));
        let expected = one_event_clock_engine(&events);
        assert!(expected["outcomes"].to_string().contains("LATE_EVENT"), "seed {seed} has late events");
        for n in [2, 4, 16] {
            let got = partitioned_event_clocks(&events, n, true);
            assert!(got == expected, "seed {seed}, {n} partitions with the watermark differ from one engine");
        }
    }
}

#[test]
fn event_clock_partitions_with_their_own_clocks_are_not_exact() {
    let differing = (0..8)
        .filter(|&seed| {
            let events = events_only(&stream(seed, 500));
            partitioned_event_clocks(&events, 4, false)["outcomes"] != one_event_clock_engine(&events)["outcomes"]
        })
        .count();
    assert_eq!(differing, 8, "each partition's own event clock changes outcomes on every stream");
}

/// An event clock with retention: sessions evicted an hour after their last activity, so a customer
/// back after an hour starts a new session.
const EVENT_CLOCK_RETENTION: &str = r#"{"clock": "event", "allowedLateness": "30m", "retention": "1h",
  "identity": {"limits": {"email": 1}}}"#;

/// Events a few seconds apart, of many customers each coming back about once an hour, so that
/// sessions reach their retention while their customers return around it, to the second.
fn retention_stream(seed: u64, len: usize) -> Vec<Value> {
    let mut rng = Random(seed);
    let start = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
    let mut at = start;
    (0..len)
        .map(|i| {
            at += 1_000 * (1 + rng.below(40) as i64);
            let late = if rng.below(10) == 0 { 1_000 * rng.below(600) as i64 } else { 0 };
            let who = rng.below(len as u64 / 3);
            let mut event = json!({"eventName": "order_placed", "createdDate": format_millis(at - late),
                "customer": {"id": format!("r{who}@example.com"), "idType": "email"},
                "session": {"type": "delivery", "externalId": format!("order-r{who}")}});
            if i % 7 == 0 {
                event["session"] = json!({"type": "web"});
                event["eventName"] = json!("page_viewed");
            }
            event
        })
        .collect()
}

#[test]
fn event_clock_partitions_with_retention_evict_as_one_engine() {
    let mut evicted = 0;
    for seed in 0..6 {
        let events = retention_stream(seed, 600);
        let expected = one_event_clock_engine_with(&events, EVENT_CLOCK_RETENTION);
        evicted += expected["stats"]["sessionsEvicted"].as_u64().unwrap();
        for n in [2, 3, 5] {
            let got = partitioned_event_clocks_with(&events, n, true, EVENT_CLOCK_RETENTION, EVENT_CLOCK_RETENTION);
            if let Some(path) = first_difference(&expected, &got, String::new()) {
                panic!("seed {seed}, {n} partitions with retention differ from one engine at {path}");
            }
        }
    }
    assert!(evicted >= 50, "the streams evict sessions: {evicted}");
}

#[test]
fn event_clock_partitions_with_retention_but_a_watermark_only_for_lateness_are_not_exact() {
    // The negative control: the watermark taken only before events that might be late, as
    // without retention, leaves each partition sweeping by a clock of its own.
    let differing = (0..6)
        .filter(|&seed| {
            let events = retention_stream(seed, 600);
            let expected = one_event_clock_engine_with(&events, EVENT_CLOCK_RETENTION);
            let got = partitioned_event_clocks_with(&events, 3, true, EVENT_CLOCK_RETENTION, EVENT_CLOCK);
            got["outcomes"] != expected["outcomes"]
        })
        .count();
    assert!(differing >= 4, "only {differing} of 6 streams differ");
}

/// A stream under an event clock with agents: events of customers seconds apart, and custom
/// events sent to agents who are not logged in (so they wait, stamped with the clock, for the
/// agent's login at the end). It starts with an event: before any, one engine stamps the wall
/// clock, as a partition does, and no two runs agree on it.
fn agent_clock_stream(seed: u64, len: usize) -> Vec<Value> {
    let mut rng = Random(seed);
    let mut at = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
    (0..len)
        .map(|i| {
            if rng.below(4) == 0 && i > 0 {
                let agent = rng.below(4);
                let input = json!({"agentId": format!("agent-{agent}"), "eventName": "note",
                    "data": format!("n{i}"), "persistInMemory": true});
                return json!({"op": "sendCustomEvent", "input": input});
            }
            at += 1_000 * (1 + rng.below(30) as i64);
            let late = if rng.below(8) == 0 { 1_000 * rng.below(900) as i64 } else { 0 };
            let who = rng.below(20);
            json!({"op": "ingest", "input": {"eventName": "page_viewed", "createdDate": format_millis(at - late),
                "customer": {"id": format!("c{who}@example.com"), "idType": "email"}, "session": {"type": "web"}}})
        })
        .collect()
}

/// What the agents see at the end of a run: each logs in and polls once; ids (random per login)
/// left out.
fn agents_at_the_end(engine_of: impl Fn(&str) -> usize, engines: &[Engine]) -> Value {
    let polls: Vec<Value> = (0..4)
        .map(|agent| {
            let agent = format!("agent-{agent}");
            let engine = &engines[engine_of(&agent)];
            let session = engine.start_agent_session(&agent).unwrap();
            let mut poll =
                serde_json::to_value(engine.next_events(&session.session_id.to_string(), 0, Some(100), None).unwrap())
                    .unwrap();
            for event in poll["events"].as_array_mut().into_iter().flatten() {
                event.as_object_mut().unwrap().retain(|key, _| key != "id" && key != "sessionId");
            }
            poll
        })
        .collect();
    json!(polls)
}

fn one_engine_with_agents(steps: &[Value]) -> Value {
    let engine = engine_with(EVENT_CLOCK);
    let answers: Vec<Value> = steps
        .iter()
        .map(|step| engine.call(&Command::new(step["op"].as_str().unwrap(), step["input"].clone()).unwrap()).unwrap())
        .collect();
    json!({"answers": answers, "agents": agents_at_the_end(|_| 0, std::slice::from_ref(&engine))})
}

/// The steps through `n` event-clock engines on threads: events where the router puts them,
/// agent operations on the agent's partition (`command_key`). Each partition takes the watermark
/// before the events that need it and, with `for_commands`, before every operation
/// `command_needs_watermark` names; and the final one at the end.
fn partitioned_with_agents(steps: &[Value], n: usize, for_commands: bool) -> Value {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let config = Config::from_json(EVENT_CLOCK).unwrap();
    let commands: Vec<Command> =
        steps.iter().map(|s| Command::new(s["op"].as_str().unwrap(), s["input"].clone()).unwrap()).collect();
    let events: Vec<(usize, Value)> =
        steps.iter().enumerate().filter(|(_, s)| s["op"] == "ingest").map(|(i, s)| (i, s["input"].clone())).collect();
    let routing = Router::new(n, None)
        .unwrap()
        .route(&events.iter().map(|(_, e)| keys_of_value(&catalog, e)).collect::<Vec<_>>());
    let values: Vec<Value> = events.iter().map(|(_, e)| e.clone()).collect();
    let needed_events = watermark_needed(&config, Batch::Values(&values)).unwrap();
    let (mut partition, mut needed) = (vec![0; steps.len()], vec![false; steps.len()]);
    for (k, (i, _)) in events.iter().enumerate() {
        partition[*i] = routing.partitions[k].unwrap();
        needed[*i] = needed_events[k];
    }
    let agent_partition = |agent: &str| partition_for(&format!("a:{agent}"), n).unwrap();
    for (i, command) in commands.iter().enumerate() {
        if let Some(key) = command_key(command) {
            partition[i] = partition_for(&key, n).unwrap();
            needed[i] = for_commands && command_needs_watermark(&config, command);
        }
    }
    let mine: Vec<Vec<u64>> =
        (0..n).map(|p| (0..steps.len() as u64).filter(|&i| partition[i as usize] == p).collect()).collect();
    let shared = Watermark::new(&mine.iter().map(|positions| positions.first().copied()).collect::<Vec<_>>());
    let engines: Vec<Engine> = (0..n).map(|_| engine_with(EVENT_CLOCK)).collect();
    let parts: Vec<Vec<(usize, Value)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = engines
            .iter()
            .enumerate()
            .map(|(me, engine)| {
                let (mine, shared, needed, commands) = (&mine[me], &shared, &needed, &commands);
                scope.spawn(move || {
                    let mut answers = Vec::new();
                    for (k, &position) in mine.iter().enumerate() {
                        let i = position as usize;
                        if needed[i]
                            && let Some(w) = shared.before(position)
                        {
                            engine.observe_watermark(&format_millis(w)).unwrap();
                        }
                        let answer = engine.call(&commands[i]).unwrap();
                        let accepted = (answer["status"] == "accepted")
                            .then(|| steps[i]["input"]["createdDate"].as_str().and_then(parse_rfc3339))
                            .flatten();
                        shared.processed(me, position, accepted, mine.get(k + 1).copied());
                        answers.push((i, answer));
                    }
                    if mine.is_empty() {
                        shared.processed(me, u64::MAX, None, None);
                    }
                    if let Some(w) = shared.before(u64::MAX) {
                        engine.observe_watermark(&format_millis(w)).unwrap();
                    }
                    answers
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut answers: Vec<(usize, Value)> = parts.into_iter().flatten().collect();
    answers.sort_by_key(|(i, _)| *i);
    let answers: Vec<Value> = answers.into_iter().map(|(_, answer)| answer).collect();
    json!({"answers": answers, "agents": agents_at_the_end(agent_partition, &engines)})
}

#[test]
fn agent_events_under_an_event_clock_are_stamped_as_in_one_engine() {
    for seed in 0..6 {
        let steps = agent_clock_stream(seed, 300);
        let expected = one_engine_with_agents(&steps);
        for n in [2, 3, 5] {
            let got = partitioned_with_agents(&steps, n, true);
            if let Some(path) = first_difference(&expected, &got, String::new()) {
                panic!("seed {seed}, {n} partitions differ from one engine at {path}");
            }
        }
    }
}

#[test]
fn agent_events_stamped_by_each_partitions_own_clock_are_not_exact() {
    // The negative control: operations run without the watermark stamp each partition's clock.
    let differing = (0..6)
        .filter(|&seed| {
            let steps = agent_clock_stream(seed, 300);
            partitioned_with_agents(&steps, 3, false)["agents"] != one_engine_with_agents(&steps)["agents"]
        })
        .count();
    assert!(differing >= 4, "only {differing} of 6 streams differ");
}

/// A partition's watermark is journaled: a durable partition reopened has the same `now`, and only
/// an event clock takes one.
#[test]
fn a_durable_partition_recovers_its_watermark() {
    let dir = std::env::temp_dir().join(format!("journey-watermark-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let open =
        || Engine::open(&dir, Catalog::from_json(CATALOG).unwrap(), Config::from_json(EVENT_CLOCK).unwrap()).unwrap();
    let durable = open();
    assert_eq!(durable.now(), None);
    durable.observe_watermark("2026-11-21T11:00:00Z").unwrap();
    durable.observe_watermark("2026-11-21T10:00:00Z").unwrap(); // a watermark never moves back
    drop(durable);
    let reopened = open();
    assert_eq!(reopened.now(), parse_rfc3339("2026-11-21T11:00:00Z"));
    assert_eq!(reopened.observe_watermark("yesterday").unwrap_err().code(), "INVALID_ARGUMENT");
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(engine().observe_watermark("2026-11-21T11:00:00Z").unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn moved_state_is_durable_and_a_slice_goes_only_where_it_fits() {
    let config = || Config::from_json(&format!("{}{SHARED_KEY}}}", &CONFIG[..CONFIG.len() - 1])).unwrap();
    let root = std::env::temp_dir().join(format!("journey-move-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let open = |name: &str| Engine::open(root.join(name), Catalog::from_json(CATALOG).unwrap(), config()).unwrap();
    let dana = Customer::new("dana@example.com", IdType::Email);
    let journey = |engine: &Engine| pages(|page| engine.journey(&dana, &viewer(), page));
    let events: Vec<Value> = events_only(&stream(3, 200))
        .into_iter()
        .filter(|e| e["customer"]["id"] == "c0@example.com")
        .map(|mut e| {
            e["customer"]["id"] = json!("dana@example.com");
            e
        })
        .collect();
    let (from, to) = (open("from"), open("to"));
    events.iter().for_each(|e| drop(from.ingest_value(e).unwrap()));
    let before = journey(&from);
    let slice = from.move_out(std::slice::from_ref(&dana)).unwrap();
    assert!(slice.event_count() > 0);
    let bytes = slice.to_bytes();
    to.move_in(slice).unwrap();
    assert_eq!(journey(&to), before);
    drop((from, to)); // a crash: the journals hold the move
    let (from, to) = (open("from"), open("to"));
    assert_eq!(journey(&to), before, "the move survives a restart");
    assert_eq!(journey(&from)[0]["entities"], json!([]), "and the old partition forgot it");
    // The same slice again collides; an engine with another digest key refuses it; bytes that
    // are not a slice are refused.
    let again = to.move_in(journey_core::partition::Slice::from_bytes(&bytes).unwrap()).unwrap_err();
    assert!(again.code() == "INVALID_ARGUMENT" && again.to_string().contains("customer"), "{again}");
    let stranger = engine();
    let refused = stranger.move_in(journey_core::partition::Slice::from_bytes(&bytes).unwrap()).unwrap_err();
    assert!(refused.to_string().contains("digestKey"), "{refused}");
    assert_eq!(journey_core::partition::Slice::from_bytes(b"\x01garbage").err().unwrap().code(), "INVALID_ARGUMENT");
    assert_eq!(journey_core::partition::Slice::from_hex("zz").err().unwrap().code(), "INVALID_ARGUMENT");
    drop((from, to));
    let other_key = Config::from_json(r#"{"digestKey": "00000000000000000000000000000001"}"#).unwrap();
    let reopened = Engine::open(root.join("to"), Catalog::from_json(CATALOG).unwrap(), other_key);
    assert_eq!(reopened.err().unwrap().code(), "INVALID_CONFIG", "a store keeps its digest key");
    let _ = std::fs::remove_dir_all(&root);
}

/// An erased person's events stay `duplicate` after their component moves: the slice carries the
/// erased events' ids (every one the source keeps; they name no one), and the target keeps them.
/// Without them the target would accept the resend and bring the person back, where one engine
/// answers `duplicate`. Ids dropped with `eraseForget` are not carried: a resend is new there too.
/// The target is durable: its journal's `moveIn` record brings the ids back on reopening.
#[test]
fn an_erased_events_resend_is_a_duplicate_after_its_component_moves() {
    let config = format!("{}{SHARED_KEY}}}", &CONFIG[..CONFIG.len() - 1]);
    let dir = std::env::temp_dir().join(format!("journey-erased-move-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let open =
        || Engine::open(&dir, Catalog::from_json(CATALOG).unwrap(), Config::from_json(&config).unwrap()).unwrap();
    let (source, target) = (engine_with(&config), open());
    let (kept, forgotten) = (Customer::new("w1", IdType::Cookie), Customer::new("w2", IdType::Cookie));
    let page = |cookie: &Customer, path: &str, minute: i64| {
        json!({"eventName": "page_viewed", "createdDate": time(START_MINUTES + minute),
            "customer": cookie, "session": {"type": "web"}, "attributes": {"page": path}})
    };
    let mut explicit = page(&kept, "/a", 0);
    explicit["id"] = json!(pool_id(99, 0)); // a routing key of the component
    let natural = page(&kept, "/b", 1); // its natural id is its content's: its customer routes it
    let mut other = page(&forgotten, "/c", 2);
    other["id"] = json!(pool_id(99, 1));
    for event in [&explicit, &natural, &other] {
        assert!(matches!(source.ingest_value(event).unwrap(), Outcome::Accepted { .. }));
    }
    let erase = |customer: &Customer, forget: bool| {
        let input = journey_core::erase::ErasureInput { customer: customer.clone(), erase_forget: forget };
        source.erase(&input).unwrap()
    };
    assert_eq!((erase(&kept, false).events_erased, erase(&forgotten, true).events_erased), (2, 1));
    let slice = source.move_out(&[kept.clone(), forgotten.clone()]).unwrap();
    assert_eq!((slice.event_count(), slice.erased_id_count()), (0, 2), "no events, the two kept ids");
    target.move_in(journey_core::partition::Slice::from_bytes(&slice.to_bytes()).unwrap()).unwrap();
    drop(target); // a crash: the journal holds the move
    let target = open();
    let status = |engine: &Engine, event: &Value| serde_json::to_value(engine.ingest_value(event).unwrap()).unwrap();
    for engine in [&source, &target] {
        for event in [&explicit, &natural] {
            let answer = status(engine, event);
            assert_eq!(
                (&answer["status"], &answer["sessionId"]),
                (&json!("duplicate"), &json!(Uuid::nil())),
                "{answer}"
            );
        }
        let mut changed = explicit.clone();
        changed["attributes"]["page"] = json!("/changed");
        assert_eq!(status(engine, &changed)["violations"][0]["code"], "DUPLICATE_ID_CONFLICT");
        // A new event of the erased cookie starts afresh; the forgotten id is new again.
        assert_eq!(status(engine, &page(&kept, "/new", 3))["status"], "accepted");
        assert_eq!(status(engine, &other)["status"], "accepted");
        assert_eq!(engine.profile(&kept, None).unwrap().members, std::slice::from_ref(&kept));
    }
    drop(target);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The definition ops a stream interleaves, by position: creates, a replace, a refused stale
/// replace, a refused and an accepted delete, and a put the catalog refuses.
fn definition_commands() -> Vec<(usize, Value)> {
    let segment = |version: Option<u64>, stage: &str| {
        let mut segment = json!({"id": "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e", "displayName": "Staged",
            "journey": {"patterns": [{"count": 2, "streamType": "Custom", "sessionType": "delivery",
                "eventName": "order_placed", "criteria": [{"key": "attributes.stage", "values": [stage]}]}]}});
        if let Some(version) = version {
            segment["version"] = json!(version);
        }
        json!({"op": "putSegment", "input": segment})
    };
    let map = json!({"op": "putActionMap", "input": {"id": "7e1c2d3a-9b8f-4c6d-8e5f-0a1b2c3d4e5f",
        "displayName": "Call back", "triggerWithSegments": ["4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e"],
        "action": {"mediaType": "callback"}}});
    let outcome = json!({"op": "putOutcome", "input": {"displayName": "Browsed",
        "journey": {"patterns": [{"count": 1, "streamType": "Web", "eventName": "page_viewed"}]}}});
    let unknown = json!({"op": "putOutcome", "input": {"displayName": "Nope",
        "journey": {"patterns": [{"count": 1, "streamType": "Web", "eventName": "checkout"}]}}});
    let delete = |op: &str, id: &str| json!({"op": op, "input": {"id": id}});
    vec![
        (5, segment(None, "s0")),
        (40, outcome),
        (80, map),
        (120, segment(Some(1), "s1")),
        (160, segment(Some(1), "s2")),
        (200, delete("deleteSegment", "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e")),
        (240, unknown),
        (280, delete("deleteActionMap", "7e1c2d3a-9b8f-4c6d-8e5f-0a1b2c3d4e5f")),
    ]
}

/// What `engine` holds: its three lists.
fn definitions_of(engine: &Engine) -> Value {
    let list = |op: &str| engine.call(&Command::new(op, Value::Null).unwrap()).unwrap();
    json!([list("listSegments"), list("listOutcomes"), list("listActionMaps")])
}

#[test]
fn definition_ops_broadcast_leave_every_partition_holding_one_engines_definitions() {
    let steps = stream(3, 300);
    let commands = definition_commands();
    // What the definition ops answer, and what is held at the end, on one engine.
    let one = engine();
    let mut expected_answers = Vec::new();
    let apply = |engine: &Engine, command: &Value| engine.call(&Command::from_value(command).unwrap());
    for (position, step) in steps.iter().enumerate() {
        for (_, command) in commands.iter().filter(|(at, _)| *at == position) {
            expected_answers.push(apply(&one, command).map_err(|e| e.to_json()));
        }
        match step {
            Step::Event(event) => drop(one.ingest_value(event).unwrap()),
            Step::Advance(minutes) => one.advance(Duration::from_millis(*minutes * 60_000)).unwrap(),
            _ => unreachable!("a stream without identity"),
        }
    }
    let expected = definitions_of(&one);
    // The segment a map used was kept, at its second version; the map was deleted.
    assert_eq!(expected[0]["entities"][0]["version"], 2);
    assert_eq!(expected[0]["entities"][0]["modifiedDate"], "2026-11-21T12:07:00.000Z", "dated by the clock");
    assert_eq!(expected[1]["entities"].as_array().unwrap().len(), 1);
    assert_eq!(expected[2]["entities"], json!([]));
    let refused = expected_answers.iter().filter(|answer| answer.is_err()).count();
    assert_eq!(refused, 3, "a stale version, a segment a map uses, an unknown event: {expected_answers:?}");
    // The same through 4 partitions: events routed, every definition op sent to all of them.
    let n = 4;
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let keys: Vec<Vec<Key>> = events_only(&steps).iter().map(|e| keys_of_value(&catalog, e)).collect();
    let mut routed = Router::new(n, None).unwrap().route(&keys).partitions.into_iter();
    let engines: Vec<Engine> = (0..n).map(|_| engine()).collect();
    let mut answers = vec![Vec::new(); n];
    for (position, step) in steps.iter().enumerate() {
        for (_, command) in commands.iter().filter(|(at, _)| *at == position) {
            assert!(command_broadcast(&Command::from_value(command).unwrap()), "{command}");
            for (p, engine) in engines.iter().enumerate() {
                answers[p].push(apply(engine, command).map_err(|e| e.to_json()));
            }
        }
        match step {
            Step::Event(event) => {
                let partition = routed.next().unwrap().unwrap();
                drop(engines[partition].ingest_value(event).unwrap());
            }
            Step::Advance(minutes) => {
                engines.iter().for_each(|e| e.advance(Duration::from_millis(*minutes * 60_000)).unwrap());
            }
            _ => unreachable!("a stream without identity"),
        }
    }
    for (p, engine) in engines.iter().enumerate() {
        assert_eq!(answers[p], expected_answers, "partition {p} answered the definition ops otherwise");
        assert_eq!(definitions_of(engine), expected, "partition {p} holds other definitions");
    }
}

/// One step of an orchestration stream: an event, a manual clock move or a definition op (both
/// broadcast), the host showing a customer's latest offer, which the visitor rejects, or an
/// agent (of `common::orchestration::AGENTS`) logging in, polling or logging out.
#[derive(Clone, Debug)]
enum MapStep {
    Event(Value),
    Advance(i64),
    Define(Command),
    Reject(usize),
    Login(usize),
    Poll(usize),
    Logout(usize),
}

/// Cookie visitors in an orchestration stream.
const VISITORS: usize = 12;

/// What an orchestration stream holds beside events, clock moves and definitions.
#[derive(Clone, Copy)]
struct Extras {
    /// The host rejects offers.
    rejects: bool,
    /// Maps send custom events (at once, and a minute later) to agents who log in, poll and log
    /// out.
    agents: bool,
    /// Now and then a visitor's delivery event names another visitor's order, which links the two
    /// visitors' components (the online router then moves state).
    cross: bool,
}

/// A map `id` sending custom event `name` to a fixed agent a minute after a visitor holds
/// `segment`.
fn notify_later(id: &str, segment: &str, name: &str) -> Value {
    json!({"id": id, "displayName": format!("Tell agent-8 {name}"),
        "triggerWithSegments": [segment], "activation": {"type": "delay", "delayInSeconds": 60},
        "action": {"mediaType": "customEvent", "agentId": common::orchestration::AGENTS[1],
            "eventName": name, "data": "see the visitor"}})
}

/// An orchestration stream of `len` steps over the vectors' catalog: page views and delivery
/// events of cookie visitors (now and then late), clock moves, and the definitions put at their
/// positions: segments (session and customer scope) and the outcome first, the maps (web actions
/// with weights, caps and a schedule, a delayed one, callbacks) a few events later, then a
/// replaced map and a deleted one; and what `extras` adds.
fn map_stream(seed: u64, len: usize, extras: Extras) -> Vec<MapStep> {
    use common::orchestration as o;
    let mut rng = Random(seed);
    let mut now = parse_rfc3339("2026-11-21T10:00:00Z").unwrap();
    let define = |(op, input): (&str, Value)| MapStep::Define(Command::new(op, input).unwrap());
    let mut steps: Vec<MapStep> = o::segments_and_outcomes().into_iter().map(define).collect();
    let (_, mut replaced) = o::maps_without_custom_events().into_iter().find(|(_, map)| map["id"] == o::OFFER).unwrap();
    replaced["version"] = json!(1);
    replaced["weight"] = json!(3);
    for n in 0..len {
        match n {
            8 => steps.extend(o::maps_without_custom_events().into_iter().map(define)),
            9 if extras.agents => {
                let notify = o::definitions().into_iter().find(|(_, map)| map["id"] == o::NOTIFY).unwrap();
                steps.push(define(notify));
                let returns = notify_later("f1000000-0000-4000-8000-00000000000a", o::RETURNS, "returnsLater");
                let help = notify_later("f1000000-0000-4000-8000-00000000000b", o::HELP, "helpLater");
                steps.extend([define(("putActionMap", returns)), define(("putActionMap", help))]);
            }
            150 => steps.push(define(("putActionMap", replaced.clone()))),
            250 => steps.push(define(("deleteActionMap", json!({"id": o::CALL_BACK})))),
            _ => {}
        }
        let roll = rng.below(100);
        let c = rng.below(VISITORS as u64) as usize;
        let back = if rng.below(10) == 0 { rng.below(3_000) } else { rng.below(120) } as i64;
        let time = format_millis(now - back * 1000);
        let order = rng.below(2) as usize;
        let agent = rng.below(o::AGENTS.len() as u64) as usize;
        steps.push(match roll {
            0..10 => {
                let seconds = [20, 45, 61, 300, 1_900][rng.below(5) as usize];
                now += seconds * 1000;
                MapStep::Advance(seconds)
            }
            10..60 => MapStep::Event(o::page(n, c, o::URLS[rng.below(o::URLS.len() as u64) as usize], &time)),
            60..82 => {
                let status = o::STATUSES[rng.below(3) as usize];
                let courier = extras.agents.then_some(o::AGENTS[agent]);
                let mut event = o::status(n, c, order, status, courier, &time);
                if extras.cross && rng.below(6) == 0 {
                    let other = (c + 1 + rng.below(VISITORS as u64 - 1) as usize) % VISITORS;
                    event["session"]["externalId"] = json!(format!("order-{other}-{order}"));
                }
                MapStep::Event(event)
            }
            82..90 => MapStep::Event(o::delivered(n, c, order, (1 + rng.below(9_999)) as f64 / 100.0, &time)),
            90..93 if extras.agents => MapStep::Login(agent),
            93..97 if extras.agents => MapStep::Poll(agent),
            97..100 if extras.agents => MapStep::Logout(agent),
            _ if extras.rejects => MapStep::Reject(c),
            _ => MapStep::Event(o::page(n, c, "/returns", &time)),
        });
    }
    steps
}

/// The partition of an agent operation or a web action event: `a:` keys hash, `c:` keys go where
/// the router put the customer (docs/orchestration.md, "Partitions").
fn partition_of_command(command: &Command, placement: &Placement, n: usize) -> usize {
    let key = journey_core::partition::command_key(command).expect("agent and action ops have a key");
    match key.strip_prefix("c:cookie:") {
        Some(id) => placement.customer(&Customer::new(id, IdType::Cookie)),
        None => journey_core::partition::partition_for(&key, n).unwrap(),
    }
}

/// Where a map run's events go: the batch router's answer for the whole input, or the online
/// router's, event by event, moving a component's state (sessions, orchestration state, web
/// actions) when an event links it to another.
enum Placement {
    Batch { routing: journey_core::partition::Routing, next: usize },
    Online { router: OnlineRouter, moved: usize },
}

impl Placement {
    /// The partition of the next event, whose keys are `keys`, once any state it needs is moved.
    fn event(&mut self, keys: &[Key], engines: &[Engine]) -> usize {
        match self {
            Placement::Batch { routing, next } => {
                *next += 1;
                routing.partitions[*next - 1].expect("nothing is quarantined without a cap")
            }
            Placement::Online { router, moved } => {
                let route = router.route(keys);
                for step in &route.moves {
                    let slice = engines[step.source].move_out(&step.customers).unwrap();
                    *moved += slice.event_count();
                    engines[step.target].move_in(slice).unwrap();
                }
                route.partition
            }
        }
    }

    /// The partition holding `customer`.
    fn customer(&self, customer: &Customer) -> usize {
        match self {
            Placement::Batch { routing, .. } => routing.partition_of(customer).unwrap(),
            Placement::Online { router, .. } => router.partition_of(customer).unwrap_or(0),
        }
    }
}

/// Forwards every partition's outbox entries to their agents' partitions, in the order one engine
/// sent them, and acknowledges them.
fn forward_outboxes(engines: &[Engine], placement: &Placement) {
    let parts: Vec<Vec<journey_core::OutboxEntry>> =
        engines.iter().map(|engine| engine.outbox(&Default::default()).unwrap()).collect();
    let waiting: Vec<Option<u64>> = parts.iter().map(|part| part.last().map(|entry| entry.sequence)).collect();
    for entry in journey_core::partition::merge_outbox(parts) {
        let command = Command::SendCustomEvent(entry.request);
        engines[partition_of_command(&command, placement, engines.len())].call(&command).unwrap();
    }
    for (engine, last) in engines.iter().zip(waiting) {
        if let Some(last) = last {
            assert!(engine.acknowledge_outbox(last).unwrap() > 0);
        }
    }
}

/// What the host of `n` partitions (one engine when `n` is 1) sees of a map stream: the answers to
/// the definition ops (each partition's), the summed stats, for every visitor its journey (with
/// its segment assignments and outcome achievements), its `segments`, and the web action changes
/// and callbacks it was told of, in order; and every agent poll's answer. The host sends each
/// agent op and action event where `command_key` routes it; partitions keep a map's custom events
/// in their outboxes, which the host forwards after each step.
fn run_maps(steps: &[MapStep], n: usize) -> Value {
    run_maps_placed(steps, n, false)
}

/// [`run_maps`], the events placed by the online router (moving state) with `online`.
fn run_maps_placed(steps: &[MapStep], n: usize, online: bool) -> Value {
    use common::orchestration as o;
    let catalog = o::catalog();
    let delivery = if n == 1 { "send" } else { "outbox" };
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T10:00:00Z",
        "orchestration": {"customEvents": delivery}, "digestKey": "0123456789abcdef0123456789abcdef"}))
    .unwrap();
    let keys: Vec<Vec<Key>> = steps
        .iter()
        .filter_map(|step| match step {
            MapStep::Event(event) => Some(keys_of_value(&catalog, event)),
            _ => None,
        })
        .collect();
    let mut placement = match online {
        false => Placement::Batch { routing: Router::new(n, None).unwrap().route(&keys), next: 0 },
        true => Placement::Online { router: OnlineRouter::new(n).unwrap(), moved: 0 },
    };
    let mut keys = keys.into_iter();
    let engines: Vec<Engine> = (0..n).map(|_| Engine::new(o::catalog(), config.clone()).unwrap()).collect();
    // One log for the host: the partitions work one step at a time, so it is in step order.
    let told: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
    for engine in &engines {
        for pattern in ["all:all", "trigger:all"] {
            let told = told.clone();
            let record = move |n: &journey_core::action::Notification| {
                told.lock().unwrap().push(serde_json::to_value(n).unwrap());
                Ok(())
            };
            engine.on(pattern, record).unwrap();
        }
    }
    let mut answers = Vec::new();
    let mut polls = Vec::new();
    let mut agent_sessions: std::collections::HashMap<usize, String> = Default::default();
    let agent_op = |op: &str, input: Value, placement: &Placement| {
        let command = Command::new(op, input).unwrap();
        engines[partition_of_command(&command, placement, n)].call(&command).unwrap()
    };
    for step in steps {
        match step {
            MapStep::Event(event) => {
                let partition = placement.event(&keys.next().unwrap(), &engines);
                engines[partition].ingest_value(event).unwrap();
            }
            MapStep::Advance(seconds) => {
                engines.iter().for_each(|e| e.advance(Duration::from_millis(seconds * 1000)).unwrap());
            }
            MapStep::Define(command) => {
                assert!(command_broadcast(command), "{command:?}");
                let answered: Vec<Value> =
                    engines.iter().map(|e| e.call(command).unwrap_or_else(|e| e.to_json())).collect();
                assert!(answered.iter().all(|a| *a == answered[0]), "the partitions answered {command:?} otherwise");
                answers.push(answered[0].clone());
            }
            MapStep::Reject(c) => {
                let log = told.lock().unwrap().clone();
                let last_state =
                    |id: &Value| log.iter().rev().find(|t| &t["actionId"] == id).map(|t| &t["actionState"]);
                let offer = log.iter().rev().find(|t| {
                    t["customerId"] == o::cookie_id(*c)
                        && t["actionState"] == "qualified"
                        && last_state(&t["actionId"]) == Some(&json!("qualified"))
                });
                for state in ["offered", "rejected"].iter().filter(|_| offer.is_some()) {
                    let command = Command::new("recordActionEvent", o::action_move(offer.unwrap(), state)).unwrap();
                    engines[partition_of_command(&command, &placement, n)].call(&command).unwrap();
                }
            }
            MapStep::Login(a) => {
                let session = agent_op("startAgentSession", json!({"agentId": o::AGENTS[*a]}), &placement);
                agent_sessions.insert(*a, session["sessionId"].as_str().unwrap().to_owned());
            }
            MapStep::Poll(a) => {
                if let Some(session) = agent_sessions.get(a) {
                    // The session id is random: the agent names the poll.
                    let command = Command::new("nextEvents", json!({"sessionId": session, "timeoutMs": 0})).unwrap();
                    let home = journey_core::partition::partition_for(&format!("a:{}", o::AGENTS[*a]), n).unwrap();
                    polls.push(json!({"agent": o::AGENTS[*a], "answer": engines[home].call(&command).unwrap()}));
                }
            }
            MapStep::Logout(a) => {
                if let Some(session) = agent_sessions.remove(a) {
                    let command = Command::new("endAgentSession", json!({"sessionId": session})).unwrap();
                    let home = journey_core::partition::partition_for(&format!("a:{}", o::AGENTS[*a]), n).unwrap();
                    engines[home].call(&command).unwrap();
                }
            }
        }
        if n > 1 {
            forward_outboxes(&engines, &placement);
        }
    }
    let log = told.lock().unwrap().clone();
    let visitors: Vec<Value> = (0..VISITORS)
        .map(|c| {
            let customer = Customer::new(o::cookie_id(c), IdType::Cookie);
            let engine = &engines[placement.customer(&customer)];
            let id = json!(customer.id);
            let told: Vec<&Value> = log.iter().filter(|t| t["customerId"] == id || t["customer"]["id"] == id).collect();
            json!({"journey": pages(|page| engine.journey(&customer, &viewer(), page)),
                "segments": engine.segments(&customer).unwrap(), "told": told})
        })
        .collect();
    let stats = merge_stats(engines.iter().map(Engine::stats));
    let moved = match placement {
        Placement::Online { moved, .. } => moved,
        Placement::Batch { .. } => 0,
    };
    json!({"definitions": answers, "stats": stats, "visitors": visitors, "polls": polls, "moved": moved})
}

/// Checks that `n` partitions give what one engine gives on `steps`.
fn assert_partitions_equal_one_engine(seed: u64, steps: &[MapStep], expected: &Value) {
    for n in [2, 4] {
        let got = run_maps(steps, n);
        if let Some(path) = first_difference(expected, &got, String::new()) {
            panic!("seed {seed}, {n} partitions differ from one engine at {path}");
        }
    }
}

/// docs/orchestration.md, "Partitions": with definitions broadcast at their positions, a stream
/// whose maps use session and customer segments, with web action and callback actions, gives in
/// 2 and 4 partitions what one engine gives: every visitor's cards (segment assignments and
/// outcome achievements), `segments`, web action changes and callbacks, and the summed stats.
#[test]
fn partitions_fire_the_maps_one_engine_fires() {
    for seed in 0..4 {
        let steps = map_stream(seed, 400, Extras { rejects: false, agents: false, cross: false });
        let expected = run_maps(&steps, 1);
        // The stream fires maps of every kind, across partitions.
        let stats = &expected["stats"];
        for counter in ["segmentsAssigned", "outcomesAchieved", "actionMapsFired", "actionMapsCapped"] {
            assert!(stats[counter].as_u64().unwrap() > 0, "seed {seed}: {counter} is 0");
        }
        let told = expected["visitors"].to_string();
        for seen in ["contentoffer", "webchat", "webmessaging", "firedDate", "\"actionMapVersion\":2"] {
            assert!(told.contains(seen), "seed {seed}: nothing told has {seen}");
        }
        assert!(partitions_used_by(&steps, 4) == 4, "seed {seed}: the visitors spread over 4 partitions");
        assert_partitions_equal_one_engine(seed, &steps, &expected);
    }
}

/// The host's action events on map-fired offers (a visitor rejecting an offer), sent where
/// `partition::command_key` routes them, reach the partition that holds the visitor's
/// orchestration state: there the `rejected` cap stops the visitor's next offers of that media
/// type in the session, as it does in one engine.
#[test]
fn rejections_routed_by_command_key_cap_as_in_one_engine() {
    for seed in 0..4 {
        let steps = map_stream(seed, 400, Extras { rejects: true, agents: false, cross: false });
        let expected = run_maps(&steps, 1);
        assert!(expected["visitors"].to_string().contains("\"rejected\""), "seed {seed} rejects no offer");
        assert_partitions_equal_one_engine(seed, &steps, &expected);
    }
}

/// A map's custom events, kept in the partitions' outboxes and forwarded by the host after each
/// step (a clock move's from every partition in `merge_outbox`'s order), reach the agents as one
/// engine sends them: every poll's events (names, data, sequences, times), and the summed queue
/// counters (queued, persisted for an agent logged out, dropped for one never logged in,
/// overwritten by name).
#[test]
fn map_custom_events_forwarded_from_outboxes_reach_agents_as_in_one_engine() {
    let mut seen = String::new();
    let mut stats = Vec::new();
    for seed in 0..4 {
        let steps = map_stream(seed, 500, Extras { rejects: true, agents: true, cross: false });
        let expected = run_maps(&steps, 1);
        seen += &expected["polls"].to_string();
        stats.push(serde_json::from_value(expected["stats"].clone()).unwrap());
        assert_partitions_equal_one_engine(seed, &steps, &expected);
    }
    // Over the seeds, the streams send every kind of custom event every way.
    for name in ["deliveryDelayed", "returnsLater", "helpLater"] {
        assert!(seen.contains(name), "no poll returned {name}");
    }
    let stats = serde_json::to_value(merge_stats(stats)).unwrap();
    for counter in ["customEventsQueued", "customEventsPersisted", "customEventsDropped", "customEventsOverwritten"] {
        assert!(stats[counter].as_u64().unwrap() > 0, "{counter} is 0 over the seeds");
    }
}

/// docs/scale-out.md, "Online routing": with the online router, which moves a component's state
/// when an event links it to another (here a visitor's delivery event naming another visitor's
/// order), a map stream with rejected offers and agents gives in 2 and 4 partitions what one
/// engine gives: the moves carry each visitor's sessions, orchestration state and web actions, so
/// the caps and the widget's later events find them where the visitor went.
#[test]
fn map_runs_with_the_online_router_moving_state_equal_one_engine() {
    let mut moved = 0;
    for seed in 0..4 {
        let steps = map_stream(seed, 500, Extras { rejects: true, agents: true, cross: true });
        let mut expected = run_maps(&steps, 1);
        expected.as_object_mut().unwrap().remove("moved");
        for n in [2, 4] {
            let mut got = run_maps_placed(&steps, n, true);
            moved += got.as_object_mut().unwrap().remove("moved").unwrap().as_u64().unwrap();
            if let Some(path) = first_difference(&expected, &got, String::new()) {
                panic!("seed {seed}, {n} partitions online differ from one engine at {path}");
            }
        }
    }
    assert!(moved > 50, "the streams make the router move state ({moved} events moved)");
}

/// The web chat states a visitor's second page view gets, on one engine or with the visitor's
/// state moved to a second engine between the rejection of its first offer and that view.
fn chat_states_after_a_rejection(moved: bool) -> Vec<Value> {
    use common::orchestration as o;
    let config = Config::from_value(&json!({"clock": "manual", "start": "2026-11-21T10:00:00Z",
        "digestKey": "0123456789abcdef0123456789abcdef"}))
    .unwrap();
    let engines = [Engine::new(o::catalog(), config.clone()).unwrap(), Engine::new(o::catalog(), config).unwrap()];
    let told: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
    for engine in &engines {
        let told = told.clone();
        engine
            .on("webchat:all", move |n: &journey_core::action::Notification| {
                told.lock().unwrap().push(serde_json::to_value(n).unwrap());
                Ok(())
            })
            .unwrap();
        for (n, page) in ["/bikes", "/helmets"].iter().enumerate() {
            let map = json!({"id": format!("f1000000-0000-4000-8000-0000000000b{n}"), "displayName": format!("Chat on {page}"),
                "triggerWithEventConditions": [{"key": "page.url", "values": [page], "streamType": "Web",
                    "sessionType": "website", "eventName": "page_viewed"}], "action": {"mediaType": "webchat"}});
            engine.put_action_map(&map).unwrap();
        }
    }
    let visitor = o::cookie_id(0);
    engines[0].ingest_value(&o::page(1, 0, "/bikes", "2026-11-21T09:59:00Z")).unwrap();
    let offer = told.lock().unwrap()[0].clone();
    for state in ["offered", "rejected"] {
        engines[0].record_action_event(&o::action_move(&offer, state)).unwrap();
    }
    let second = if moved {
        let slice = engines[0].move_out(&[Customer::new(visitor.clone(), IdType::Cookie)]).unwrap();
        engines[1].move_in(slice).unwrap();
        &engines[1]
    } else {
        &engines[0]
    };
    told.lock().unwrap().clear();
    // Two minutes later: past the least gap between offers, so only the rejection can cap it.
    second.advance(Duration::from_millis(120_000)).unwrap();
    second.ingest_value(&o::page(2, 0, "/helmets", "2026-11-21T10:01:30Z")).unwrap();
    told.lock().unwrap().iter().map(|n| n["actionState"].clone()).collect()
}

/// A visitor who rejected a web chat is not offered another in the session (a frequency cap), and
/// that holds when a state move takes the visitor to another partition in between: its web
/// actions move with it.
#[test]
fn a_moved_visitors_rejected_offer_still_caps_the_next() {
    let one = chat_states_after_a_rejection(false);
    assert_eq!(one, [json!("qualified"), json!("frequencyCapReached")]);
    assert_eq!(chat_states_after_a_rejection(true), one);
}

/// How many of `n` partitions a map stream's events go to.
fn partitions_used_by(steps: &[MapStep], n: usize) -> usize {
    let catalog = common::orchestration::catalog();
    let keys: Vec<Vec<Key>> = steps
        .iter()
        .filter_map(|step| match step {
            MapStep::Event(event) => Some(keys_of_value(&catalog, event)),
            _ => None,
        })
        .collect();
    let mut used: Vec<usize> = Router::new(n, None).unwrap().route(&keys).partitions.into_iter().flatten().collect();
    used.sort();
    used.dedup();
    used.len()
}

/// The JSON pointer of the first place where two values differ, with both values.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            x.iter().find_map(|(key, value)| match y.get(key) {
                Some(other) => first_difference(value, other, format!("{path}/{key}")),
                None => Some(format!("{path}/{key}: only in one engine")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| first_difference(v, w, format!("{path}/{i}")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: one engine {a}, partitions {b}")),
    }
}
