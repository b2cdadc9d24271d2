//! SPEC §13 in one process: N engines on threads, fed by the batch router, give exactly what one
//! engine gives (every outcome, every journey page, every session's events, the summed stats), on
//! generated adversarial streams: external ids shared across customers, event ids reused with the
//! same and with different content, resends, sessions ended and written to again, web sessions
//! bridged by late events, late and future events, and manual clock moves broadcast at their
//! positions. The negative control: routing by customer alone changes outcomes on the same streams.

use journey_core::partition::{Directory, Key, Router, keys_of_value, merge_outcomes, merge_stats};
use journey_core::{Catalog, Config, Customer, Duration, Engine, IdType, Outcome, PageRequest, Viewer};
use serde_json::{Value, json};
use uuid::Uuid;

const CATALOG: &str = r#"{"sessionTypes": [
  {"name": "delivery", "kind": "custom", "endsOn": ["item_delivered"],
   "attributes": [{"name": "stage", "type": "string"}],
   "eventTypes": [{"name": "order_placed", "attributes": [{"name": "stage", "type": "string"}]},
                  {"name": "item_delivered"}]},
  {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string"}]}]}]}"#;
const CONFIG: &str = r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "allowedLateness": "30m"}"#;
const START_MINUTES: i64 = 10 * 60;

/// One step of a stream: an event, or a move of the manual clock (broadcast to every partition).
#[derive(Clone, Debug)]
enum Step {
    Event(Value),
    Advance(i64),
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

/// An adversarial stream of `len` steps.
fn stream(seed: u64, len: usize) -> Vec<Step> {
    let mut rng = Random(seed);
    let mut clock = START_MINUTES;
    let mut sent: Vec<Value> = Vec::new();
    let ids: Vec<Uuid> = (0..6).map(|i| Uuid::from_u128(0xabc0 + i)).collect();
    let mut steps = Vec::with_capacity(len);
    for _ in 0..len {
        let roll = rng.below(100);
        if roll < 12 {
            let minutes = 1 + rng.below(20) as i64;
            clock += minutes;
            steps.push(Step::Advance(minutes));
            continue;
        }
        // Mostly around `now`, some late (past the 30 minutes allowed), a few in the future.
        let at = clock - rng.below(45) as i64 + if rng.below(20) == 0 { 10 } else { 0 };
        let customer = json!({"id": format!("c{}@example.com", rng.below(6)), "idType": "email"});
        if (12..=20).contains(&roll) && !sent.is_empty() {
            steps.push(Step::Event(sent[rng.below(sent.len() as u64) as usize].clone())); // a resend
            continue;
        }
        let mut event = match roll {
            12..=55 => {
                let name = if rng.below(4) == 0 { "item_delivered" } else { "order_placed" };
                // Mostly the order's own customer; now and then another one (CUSTOMER_MISMATCH).
                let order = rng.below(5);
                let customer = match rng.below(5) {
                    0 => customer,
                    _ => json!({"id": format!("c{order}@example.com"), "idType": "email"}),
                };
                let mut event = json!({"eventName": name, "createdDate": time(at), "customer": customer,
                    "session": {"type": "delivery", "externalId": format!("order-{order}")}});
                if name == "order_placed" {
                    event["attributes"] = json!({"stage": format!("s{}", rng.below(3))});
                }
                event
            }
            56..=75 => json!({"eventName": "conversation_started", "createdDate": time(at), "customer": customer,
                "session": {"type": "conversation", "externalId": format!("call-{}", rng.below(3))},
                "attributes": {"channel": "voice"}}),
            76..=95 => json!({"eventName": "page_viewed", "createdDate": time(at),
                "customer": {"id": format!("w{}", rng.below(3)), "idType": "cookie"},
                "session": {"type": "web"}, "attributes": {"page": format!("/p{}", rng.below(4))}}),
            _ => {
                json!({"eventName": "order_placed", "createdDate": time(at), "session": {"type": "delivery", "externalId": "x"}})
            }
        };
        // Explicit ids from a small pool: the same id with other content is a conflict.
        if rng.below(3) == 0 {
            event["id"] = json!(ids[rng.below(ids.len() as u64) as usize].to_string());
        }
        sent.push(event.clone());
        steps.push(Step::Event(event));
    }
    steps
}

fn engine() -> Engine {
    Engine::new(Catalog::from_json(CATALOG).unwrap(), Config::from_json(CONFIG).unwrap()).unwrap()
}

fn viewer() -> Viewer {
    Viewer::unrestricted()
}

/// What a stream gives: outcomes in order, and the engines that hold the state.
struct Run {
    outcomes: Vec<Outcome>,
    engines: Vec<Engine>,
    journey_engine: Box<dyn Fn(&Customer) -> usize>,
    directory: Directory,
}

fn one_engine(steps: &[Step]) -> Run {
    let engine = engine();
    let mut outcomes = Vec::new();
    for step in steps {
        match step {
            Step::Event(event) => outcomes.push(engine.ingest_value(event).unwrap()),
            Step::Advance(minutes) => engine.advance(Duration::from_millis(*minutes * 60_000)).unwrap(),
        }
    }
    Run { outcomes, engines: vec![engine], journey_engine: Box::new(|_| 0), directory: Directory::default() }
}

/// The stream through `n` engines on threads, routed by the keys `pick` keeps.
fn partitioned(steps: &[Step], n: usize, pick: fn(Vec<Key>) -> Vec<Key>) -> Run {
    let catalog = Catalog::from_json(CATALOG).unwrap();
    let events: Vec<(u64, &Value)> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, step)| match step {
            Step::Event(event) => Some((i as u64, event)),
            Step::Advance(_) => None,
        })
        .collect();
    let keys: Vec<Vec<Key>> = events.iter().map(|(_, event)| pick(keys_of_value(&catalog, event))).collect();
    let routing = Router::new(n, None).unwrap().route(&keys);
    let mut partition_at = vec![None; steps.len()];
    for ((position, _), partition) in events.iter().zip(&routing.partitions) {
        partition_at[*position as usize] = Some(partition.expect("nothing is quarantined without a cap"));
    }
    let engines: Vec<Engine> = (0..n).map(|_| engine()).collect();
    let parts: Vec<Vec<(u64, Outcome)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = engines
            .iter()
            .enumerate()
            .map(|(me, engine)| {
                let partition_at = &partition_at;
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    for (position, step) in steps.iter().enumerate() {
                        match step {
                            Step::Advance(minutes) => engine.advance(Duration::from_millis(*minutes * 60_000)).unwrap(),
                            Step::Event(event) if partition_at[position] == Some(me) => {
                                mine.push((position as u64, engine.ingest_value(event).unwrap()));
                            }
                            Step::Event(_) => {}
                        }
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let mut directory = Directory::default();
    for (partition, outcomes) in parts.iter().enumerate() {
        for (_, outcome) in outcomes {
            directory.record(partition, outcome);
        }
    }
    let outcomes = merge_outcomes(parts);
    Run { outcomes, engines, journey_engine: Box::new(move |c| routing.partition_of(c).unwrap()), directory }
}

fn all_keys(keys: Vec<Key>) -> Vec<Key> {
    keys
}

fn customer_only(keys: Vec<Key>) -> Vec<Key> {
    keys.into_iter().filter(|k| matches!(k, Key::Customer(..))).collect()
}

/// Everything a reader can see of a run, as JSON: outcomes, summed stats, every customer's journey
/// and every session's events, page by page (pages of 3, so cursors are compared too).
fn observe(run: &Run) -> Value {
    let customers: Vec<Customer> = (0..6)
        .map(|i| Customer::new(format!("c{i}@example.com"), IdType::Email))
        .chain((0..3).map(|i| Customer::new(format!("w{i}"), IdType::Cookie)))
        .collect();
    let journeys: Vec<Value> = customers
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
            pages(|page| engine.session_events(&id.to_string(), &viewer(), page))
        })
        .collect();
    let stats = merge_stats(run.engines.iter().map(Engine::stats));
    json!({"outcomes": run.outcomes, "stats": stats, "journeys": journeys, "events": events})
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
    for seed in 0..12 {
        let steps = stream(seed, 500);
        let expected = observe(&one_engine(&steps));
        // The streams are adversarial: every kind of stateful decision happens in each.
        let text = expected["outcomes"].to_string();
        for code in ["CUSTOMER_MISMATCH", "DUPLICATE_ID_CONFLICT", "SESSION_ENDED", "LATE_EVENT", "\"duplicate\""] {
            assert!(text.contains(code), "seed {seed} has no {code}");
        }
        for n in [2, 4, 16] {
            let got = observe(&partitioned(&steps, n, all_keys));
            assert!(got == expected, "seed {seed}, {n} partitions differ from one engine");
        }
    }
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
