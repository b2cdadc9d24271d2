//! Property tests of orchestration (proptest; docs/orchestration.md, "Exactly once"): with fixed
//! definitions (session and customer segments, an outcome with a value, web maps with weights,
//! caps and a schedule, a delayed map, callbacks on an event condition, on segments and at the next
//! session, and a custom event to the agent an event names) and generated streams (cookie
//! visitors' page views, delivery statuses, items delivered, clock moves, offers the host rejects,
//! agent polls, and the host replacing and deleting maps), evaluation decides the same whether the
//! events arrive in batches, one by one, one by one into a durable engine that is reopened from its
//! journal, or into one that is reopened from a snapshot.

mod common;

use common::orchestration::{
    AGENTS, CALL_BACK, OFFER, STATUSES, URLS, action_move, catalog, cookie_id, definitions, delivered,
    maps_without_custom_events, page, put_all, status,
};
use journey_core::time::{format_millis, parse_rfc3339};
use journey_core::{Config, Customer, Duration, Engine, IdType, PageRequest, Viewer};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The clocks a run may have. Under the event clock the host cannot move time: events do, and
/// the first operation is an event at the start (so that definitions, agent logins and action
/// events are dated by the engine's clock, not the wall's); the start is a year earlier, a
/// Saturday too, so that no event is ahead of the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    Manual,
    Event,
}

impl Clock {
    fn config(self) -> &'static str {
        match self {
            Clock::Manual => r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z", "store": {"sync": "never"}}"#,
            Clock::Event => r#"{"clock": "event", "store": {"sync": "never"}}"#,
        }
    }

    fn start(self) -> i64 {
        let start = match self {
            Clock::Manual => "2026-11-21T10:00:00Z",
            Clock::Event => "2025-11-22T10:00:00Z",
        };
        parse_rfc3339(start).unwrap()
    }
}

/// A visitor none of the steps name, whose page views move an event clock.
const TICKER: usize = 99;
const CUSTOMERS: usize = 4;
/// Clock moves, in seconds: under the minimum offer gap, past the delayed map's minute, past the
/// web sessions' 30 minute inactivity gap, and past the customer segment's two days.
const ADVANCES: [i64; 8] = [5, 20, 45, 61, 300, 1_900, 7_200, 180_000];

/// One generated step.
#[derive(Debug, Clone)]
enum Step {
    /// Visitor `c` views `URLS[url]`, `back` seconds before now.
    Page { c: usize, url: usize, back: i64 },
    /// A status of visitor `c`'s order; `agent` indexes `AGENTS` (past its end: no agent named).
    Status { c: usize, order: usize, status: usize, agent: usize, back: i64 },
    /// An item of visitor `c`'s order is delivered, worth `cents / 100`.
    Delivered { c: usize, order: usize, cents: u32, back: i64 },
    /// The manual clock moves `ADVANCES[i]` seconds.
    Advance(usize),
    /// The host shows visitor `c`'s latest qualified offer, which the visitor rejects.
    Reject(usize),
    /// The host replaces the content offer on RETURNS (a new version, with the other weight).
    Replace,
    /// The host deletes the callback on DELAYED and RETURNS, or puts it back when deleted.
    Toggle,
    /// `agent-7` polls its queue.
    Poll,
}

/// How long before `now` an event happened, in seconds: mostly within two minutes, now and then
/// up to an hour (the allowed lateness), which can bridge two web sessions, and now and then
/// later than that (`LATE_EVENT`).
fn back() -> impl Strategy<Value = i64> {
    prop_oneof![8 => 0..120i64, 2 => 0..3_600i64, 1 => 3_600..4_000i64]
}

fn step() -> impl Strategy<Value = Step> {
    let c = 0..CUSTOMERS;
    prop_oneof![
        8 => (c.clone(), 0..URLS.len(), back()).prop_map(|(c, url, back)| Step::Page { c, url, back }),
        3 => (c.clone(), 0..2usize, 0..STATUSES.len(), 0..AGENTS.len() + 1, back())
            .prop_map(|(c, order, status, agent, back)| Step::Status { c, order, status, agent, back }),
        1 => (c.clone(), 0..2usize, 100..10_000u32, back())
            .prop_map(|(c, order, cents, back)| Step::Delivered { c, order, cents, back }),
        3 => (0..ADVANCES.len()).prop_map(Step::Advance),
        1 => c.prop_map(Step::Reject),
        1 => Just(Step::Replace),
        1 => Just(Step::Toggle),
        1 => Just(Step::Poll),
    ]
}

/// How a run delivers the steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// In memory, consecutive events in one `ingest_values` call.
    Batch,
    /// In memory, one `ingest_value` call per event.
    OneByOne,
    /// Durable, one call per event; dropped without `close` at `cut` and at the end, so each
    /// reopen replays the journal.
    Journal,
    /// Durable, one call per event; a snapshot at `snap`, dropped and reopened at `cut` (the
    /// snapshot and the journal after it), and closed (a snapshot) and reopened at the end.
    Snapshot,
}

/// Everything a host can observe of a run.
#[derive(Debug, PartialEq)]
struct Observed {
    /// The definitions held (replaced and deleted by the host on the way).
    definitions: Value,
    cards: Value,
    segments: Value,
    stats: Value,
    /// Web action state changes and callback firings, in the order subscribers were told.
    notifications: Value,
    /// What `agent-7`'s polls returned.
    polled: Value,
    /// The agents' queues at the end (each agent logs in and takes everything).
    queues: Value,
    /// Each action's last state told, recorded again: a duplicate where the action is in it.
    probes: Value,
}

/// One run's engine and what its subscribers were told.
struct Host {
    mode: Mode,
    clock: Clock,
    dir: Option<common::TempDir>,
    engine: Option<Engine>,
    told: Arc<Mutex<Vec<Value>>>,
    polled: Vec<Value>,
    batch: Vec<Value>,
    /// The ticker's page views so far.
    ticks: usize,
}

impl Host {
    fn new(mode: Mode, clock: Clock) -> Host {
        let durable = matches!(mode, Mode::Journal | Mode::Snapshot);
        let dir = durable.then(|| common::temp_dir("orchestration-properties"));
        let told = Arc::default();
        let mut host = Host { mode, clock, dir, engine: None, told, polled: Vec::new(), batch: Vec::new(), ticks: 0 };
        host.open();
        if clock == Clock::Event {
            host.tick(clock.start());
        }
        put_all(host.engine(), &definitions());
        host.engine().start_agent_session(AGENTS[0]).unwrap();
        host
    }

    fn engine(&self) -> &Engine {
        self.engine.as_ref().unwrap()
    }

    /// Opens the engine (again, for a durable one) and subscribes to everything it tells.
    fn open(&mut self) {
        let config = Config::from_json(self.clock.config()).unwrap();
        let engine = match &self.dir {
            Some(dir) => Engine::open(dir, catalog(), config).unwrap(),
            None => Engine::new(catalog(), config).unwrap(),
        };
        for pattern in ["all:all", "trigger:all"] {
            let told = self.told.clone();
            let record = move |n: &journey_core::action::Notification| {
                told.lock().unwrap().push(serde_json::to_value(n).unwrap());
                Ok(())
            };
            engine.on(pattern, record).unwrap();
        }
        self.engine = Some(engine);
    }

    /// Drops the engine, after a `close` (a snapshot) when asked, and opens its store again.
    fn reopen(&mut self, close: bool) {
        let engine = self.engine.take().unwrap();
        if close {
            engine.close().unwrap();
        }
        drop(engine);
        self.open();
    }

    fn ingest(&mut self, event: Value) {
        if self.mode == Mode::Batch {
            self.batch.push(event);
        } else {
            self.engine().ingest_value(&event).unwrap();
        }
    }

    /// Moves an event clock to `now` with a page view of the ticker.
    fn tick(&mut self, now: i64) {
        self.ticks += 1;
        let tick = page(usize::MAX - self.ticks, TICKER, "/", &format_millis(now));
        assert_eq!(self.engine().ingest_value(&tick).unwrap().status(), "accepted");
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            self.engine().ingest_values(&batch).unwrap();
        }
    }

    /// Visitor `c`'s latest offer still `qualified`, shown and rejected.
    fn reject(&mut self, c: usize) {
        let told = self.told.lock().unwrap().clone();
        let last_state =
            |id: &Value| told.iter().rev().find(|n| &n["actionId"] == id).map(|n| n["actionState"].clone());
        let offer = told.iter().rev().find(|n| {
            n["customerId"] == cookie_id(c)
                && n["actionState"] == "qualified"
                && last_state(&n["actionId"]) == Some(json!("qualified"))
        });
        if let Some(offer) = offer {
            for state in ["offered", "rejected"] {
                self.engine().record_action_event(&action_move(offer, state)).unwrap();
            }
        }
    }

    /// Puts the content offer again at its stored version, with the other weight.
    fn replace_offer(&mut self) {
        let stored = self.engine().list_action_maps().into_iter().find(|m| m["id"] == OFFER).unwrap();
        let (_, mut offer) = maps_without_custom_events().into_iter().find(|(_, m)| m["id"] == OFFER).unwrap();
        offer["version"] = stored["version"].clone();
        offer["weight"] = json!(if stored["weight"] == 2 { 1 } else { 2 });
        self.engine().put_action_map(&offer).unwrap();
    }

    /// Deletes the callback map, or puts it back (a new definition, at version 1).
    fn toggle_callback(&mut self) {
        if self.engine().delete_action_map(CALL_BACK).is_err() {
            let (_, map) = maps_without_custom_events().into_iter().find(|(_, m)| m["id"] == CALL_BACK).unwrap();
            self.engine().put_action_map(&map).unwrap();
        }
    }

    fn poll(&mut self) {
        let session = self.engine().start_agent_session(AGENTS[0]).unwrap().session_id.to_string();
        let taken = self.engine().next_events(&session, 0, Some(50), None).unwrap();
        self.polled.push(serde_json::to_value(taken).unwrap());
    }

    /// Everything observable, then each action's state probed (the probes come last: they may
    /// change an action a run lost).
    fn observe(&mut self) -> Observed {
        let engine = self.engine();
        let viewer = Viewer::unrestricted();
        let customers: Vec<Customer> = (0..CUSTOMERS).map(|c| Customer::new(cookie_id(c), IdType::Cookie)).collect();
        let cards: Vec<Value> = customers
            .iter()
            .map(|c| serde_json::to_value(engine.journey(c, &viewer, &PageRequest::first(200)).unwrap()).unwrap())
            .collect();
        let segments: Vec<Value> =
            customers.iter().map(|c| serde_json::to_value(engine.segments(c).unwrap()).unwrap()).collect();
        let stats = serde_json::to_value(engine.stats()).unwrap();
        let definitions = json!([engine.list_segments(), engine.list_outcomes(), engine.list_action_maps()]);
        let notifications = Value::Array(self.told.lock().unwrap().clone());
        let queues: Vec<Value> = AGENTS
            .iter()
            .map(|agent| {
                let session = engine.start_agent_session(agent).unwrap().session_id.to_string();
                serde_json::to_value(engine.next_events(&session, 0, Some(100), None).unwrap()).unwrap()
            })
            .collect();
        let mut last: std::collections::BTreeMap<String, Value> = Default::default();
        for told in notifications.as_array().unwrap().iter().filter(|n| n.get("actionId").is_some()) {
            last.insert(told["actionId"].as_str().unwrap().to_owned(), told.clone());
        }
        let probes: Vec<Value> = last
            .values()
            .map(|told| match engine.record_action_event(&action_move(told, told["actionState"].as_str().unwrap())) {
                Ok(record) => serde_json::to_value(record).unwrap(),
                Err(error) => error.to_json(),
            })
            .collect();
        Observed {
            definitions,
            cards: Value::Array(cards),
            segments: Value::Array(segments),
            stats,
            notifications,
            polled: Value::Array(self.polled.clone()),
            queues: Value::Array(queues),
            probes: Value::Array(probes),
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        // The engine first: its directory goes with `dir`, after this.
        drop(self.engine.take());
    }
}

/// The steps through a host in `mode`, then a last minute (delays still waiting fire), observed.
fn run(mode: Mode, steps: &[Step], cut: usize, snap: usize) -> Observed {
    run_with(Clock::Manual, mode, steps, cut, snap)
}

fn run_with(clock: Clock, mode: Mode, steps: &[Step], cut: usize, snap: usize) -> Observed {
    let mut host = Host::new(mode, clock);
    let mut now = clock.start();
    let at = |now: i64, back: i64| format_millis(now - back * 1000);
    for (n, step) in steps.iter().enumerate() {
        if mode == Mode::Snapshot && n == snap {
            host.engine().snapshot().unwrap();
        }
        if matches!(mode, Mode::Journal | Mode::Snapshot) && n == cut {
            host.reopen(false);
        }
        match *step {
            Step::Page { c, url, back } => host.ingest(page(n, c, URLS[url], &at(now, back))),
            Step::Status { c, order, status: s, agent, back } => {
                host.ingest(status(n, c, order, STATUSES[s], AGENTS.get(agent).copied(), &at(now, back)))
            }
            Step::Delivered { c, order, cents, back } => {
                host.ingest(delivered(n, c, order, f64::from(cents) / 100.0, &at(now, back)))
            }
            Step::Advance(i) => {
                host.flush();
                now += ADVANCES[i] * 1000;
                match clock {
                    Clock::Manual => host.engine().advance(Duration::from_millis(ADVANCES[i] * 1000)).unwrap(),
                    Clock::Event => host.tick(now),
                }
            }
            Step::Reject(c) => {
                host.flush();
                host.reject(c);
            }
            Step::Replace => {
                host.flush();
                host.replace_offer();
            }
            Step::Toggle => {
                host.flush();
                host.toggle_callback();
            }
            Step::Poll => {
                host.flush();
                host.poll();
            }
        }
    }
    host.flush();
    match mode {
        Mode::Journal => host.reopen(false),
        Mode::Snapshot => host.reopen(true),
        Mode::Batch | Mode::OneByOne => {}
    }
    match clock {
        Clock::Manual => host.engine().advance(Duration::from_millis(61_000)).unwrap(),
        Clock::Event => host.tick(now + 61_000),
    }
    host.observe()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Batches, single events, a journal replay and a snapshot give the same cards (segment
    /// assignments and outcome achievements), `segments(customer)`, stats, web action states and
    /// callbacks told (with their dates), agent queues, and action states kept.
    #[test]
    fn evaluation_is_the_same_however_the_events_arrive(
        steps in prop::collection::vec(step(), 1..70),
        cut in any::<prop::sample::Index>(),
        snap in any::<prop::sample::Index>(),
    ) {
        let (cut, snap) = (cut.index(steps.len()), snap.index(steps.len()));
        let expected = run(Mode::Batch, &steps, cut, snap);
        for mode in [Mode::OneByOne, Mode::Journal, Mode::Snapshot] {
            let got = run(mode, &steps, cut, snap);
            prop_assert_eq!(&got.definitions, &expected.definitions, "{:?}: definitions", mode);
            prop_assert_eq!(&got.cards, &expected.cards, "{:?}: cards", mode);
            prop_assert_eq!(&got.segments, &expected.segments, "{:?}: segments", mode);
            prop_assert_eq!(&got.stats, &expected.stats, "{:?}: stats", mode);
            prop_assert_eq!(&got.notifications, &expected.notifications, "{:?}: notifications", mode);
            prop_assert_eq!(&got.polled, &expected.polled, "{:?}: polls", mode);
            prop_assert_eq!(&got.queues, &expected.queues, "{:?}: queues", mode);
            prop_assert_eq!(&got.probes, &expected.probes, "{:?}: probes", mode);
        }
    }

    /// The same under an event clock, which events move (each ticks delayed activations due
    /// before it is evaluated, in a batch too), and which replay moves as the events did.
    #[test]
    fn evaluation_is_the_same_however_the_events_arrive_under_an_event_clock(
        steps in prop::collection::vec(step(), 1..70),
        cut in any::<prop::sample::Index>(),
        snap in any::<prop::sample::Index>(),
    ) {
        let (cut, snap) = (cut.index(steps.len()), snap.index(steps.len()));
        let expected = run_with(Clock::Event, Mode::Batch, &steps, cut, snap);
        for mode in [Mode::OneByOne, Mode::Journal, Mode::Snapshot] {
            let got = run_with(Clock::Event, mode, &steps, cut, snap);
            prop_assert_eq!(&got, &expected, "{:?}", mode);
        }
    }
}

/// The generated streams make every kind of decision: a fixed stream that the generator could
/// give fires web actions of each media type, caps one, finds one outside its schedule, fires a
/// delay after a reopen, sends a custom event, calls back, and achieves an outcome with a value.
#[test]
fn a_stream_makes_every_kind_of_decision_in_every_mode() {
    use Step::*;
    let steps = vec![
        Page { c: 0, url: 3, back: 30 },
        Page { c: 0, url: 2, back: 10 }, // returns twice: the chat outweighs the offer, a callback
        Page { c: 1, url: 5, back: 5 },  // help: the help guide and messaging tie, the guide fires
        Page { c: 1, url: 1, back: 0 },
        Page { c: 2, url: 0, back: 0 }, // the shop: a delay waits
        Status { c: 3, order: 0, status: 1, agent: 0, back: 10 }, // delayed: a custom event, a callback
        Status { c: 3, order: 0, status: 2, agent: 1, back: 0 }, // delivered: a callback
        Delivered { c: 3, order: 0, cents: 4250, back: 0 }, // an outcome worth 42.5
        Poll,
        Reject(1),
        Page { c: 1, url: 0, back: 0 }, // a delayed offer in a session that rejected one
        Advance(3),                     // the delays come due: one fires, one is capped
        Advance(4),
        Advance(5),                     // the sessions lapse
        Page { c: 1, url: 4, back: 0 }, // the next session: a callback
        Page { c: 0, url: 3, back: 0 },
        Page { c: 0, url: 2, back: 0 }, // the chat is outside its schedule now
        Page { c: 1, url: 5, back: 0 }, // the rotation's turn for messaging
    ];
    let expected = run(Mode::Batch, &steps, 5, 3);
    let stats = &expected.stats;
    for counter in ["segmentsAssigned", "outcomesAchieved", "actionMapsFired", "actionMapsCapped", "customEventsQueued"]
    {
        assert!(stats[counter].as_u64().unwrap() > 0, "{counter} is 0: {stats}");
    }
    let told = expected.notifications.to_string();
    for seen in
        ["webchat", "contentoffer", "webmessaging", "frequencyCapReached", "qualifiedOutsideSchedule", "firedDate"]
    {
        assert!(told.contains(seen), "nothing told is {seen}: {told}");
    }
    assert!(expected.cards.to_string().contains("\"value\":42.5"), "{}", expected.cards);
    assert!(expected.polled.to_string().contains("deliveryDelayed"), "{}", expected.polled);
    for mode in [Mode::OneByOne, Mode::Journal, Mode::Snapshot] {
        assert_eq!(run(mode, &steps, 5, 3), expected, "{mode:?}");
    }
}
