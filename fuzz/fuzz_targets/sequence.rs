//! A structured sequence over every operation (`arbitrary`): ingest, clock moves, journey and
//! session_events with random viewers, agent sessions, sends, polls with ack and release, action
//! events, subscriptions, and close/reopen of a durable store. After each step:
//! - no panic, and every error is typed;
//! - the counters add up (accepted + duplicates + rejected = events ingested; cards add up to the
//!   accepted events);
//! - agent counters never claim more removals than arrivals (queued + persisted + sends refused as
//!   `agentNotConnected` >= overwritten + dropped);
//! - no division leak: a restricted viewer's cards are all visible to it, and reading any session
//!   it was not listed gives `NOT_FOUND`;
//! - a reopened store reads exactly like the engine before it was closed.
#![no_main]

use arbitrary::Arbitrary;
use journey_core::journey::permission;
use journey_core::{CustomEventRequest, Customer, Engine, IdType, PageRequest, Viewer};
use journey_fuzz::{CUSTOMERS, DIVISIONS, admin, catalog, check_event_counts, check_stats, durable_config};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(Arbitrary, Debug)]
enum Step {
    Ingest { customer: u8, kind: u8, division: u8, key: u8, seconds_ago: u16, variant: u8 },
    Advance { seconds: u16 },
    Journey { customer: u8, viewer: u8, page_size: u8 },
    SessionEvents { customer: u8, viewer: u8 },
    Start { agent: u8 },
    End { agent: u8 },
    Send { agent: u8, name: u8, persist: bool },
    Poll { agent: u8, max: u8, ack: Option<u8> },
    Release { agent: u8, from: u8 },
    Action { action: u8, state: u8 },
    Subscribe { state: u8, once: bool },
    Reopen,
}

struct Run {
    dir: PathBuf,
    engine: Option<Engine>,
    ingested: u64,
    /// Sends answered `agentNotConnected` (counted as dropped without being queued).
    not_connected: u64,
    sessions: Vec<Option<String>>,
}

impl Run {
    fn engine(&self) -> &Engine {
        self.engine.as_ref().unwrap()
    }
}

fn viewer(bits: u8) -> Viewer {
    let mut permissions = vec![permission::SESSION_VIEW, permission::EVENT_VIEW];
    if bits & 1 != 0 {
        permissions.push(permission::SESSION_TYPE_VIEW);
    }
    if bits & 2 != 0 {
        permissions.push(permission::EVENT_TYPE_VIEW);
    }
    let divisions: Vec<&str> = match bits >> 2 & 3 {
        0 => vec![],
        1 => vec!["east"],
        2 => vec!["west"],
        _ => vec!["*"],
    };
    Viewer::new(permissions, divisions)
}

fn customer(n: u8) -> Customer {
    Customer::new(CUSTOMERS[n as usize % CUSTOMERS.len()], IdType::Email)
}

fn event(customer: u8, kind: u8, division: u8, key: u8, seconds_ago: u16, variant: u8) -> Value {
    let time = 1_795_255_200_000i64 - i64::from(seconds_ago) * 1000; // 2026-11-21T10:00Z and before
    let date = journey_core::time::format_millis(time);
    let (session, name, attributes) = match kind % 3 {
        0 => (
            json!({"type": "delivery", "externalId": format!("o{}", key % 4)}),
            "in_transit",
            json!({"location": format!("l{variant}")}),
        ),
        1 => (json!({"type": "web"}), "page_viewed", json!({"page": format!("/p{variant}")})),
        _ => (
            json!({"type": "conversation", "externalId": format!("conv{}", key % 3)}),
            ["conversation_started", "agent_connected", "wrapup"][variant as usize % 3],
            [json!({"channel": "webMessaging"}), json!({"agentId": "a"}), json!({"code": "c"})][variant as usize % 3]
                .clone(),
        ),
    };
    let mut event = json!({"eventName": name, "createdDate": date, "session": session, "attributes": attributes,
        "customer": {"id": CUSTOMERS[customer as usize % CUSTOMERS.len()], "idType": "email"}});
    if let Some(division) = DIVISIONS[division as usize % DIVISIONS.len()] {
        event["division"] = json!(division);
    }
    event
}

/// Every card of every customer, and every session's events, for the admin: what must survive a
/// reopen.
fn fingerprint(engine: &Engine) -> Value {
    let journeys: Vec<Value> = (0..CUSTOMERS.len() as u8)
        .map(|c| {
            let page = engine.journey(&customer(c), &admin(), &PageRequest::first(200)).unwrap();
            let events: Vec<Value> = page
                .entities
                .iter()
                .map(|card| {
                    json!(engine.session_events(&card.id.to_string(), &admin(), &PageRequest::first(200)).unwrap())
                })
                .collect();
            json!({"journey": page, "events": events})
        })
        .collect();
    let mut stats = serde_json::to_value(engine.stats()).unwrap();
    stats.as_object_mut().unwrap().remove("customEventsRedelivered");
    json!({"stats": stats, "journeys": journeys, "now": engine.now()})
}

fn check_views(engine: &Engine, customer_index: u8, bits: u8) {
    let viewer = viewer(bits);
    let listed = engine.journey(&customer(customer_index), &viewer, &PageRequest::first(200)).unwrap();
    let all = engine.journey(&customer(customer_index), &admin(), &PageRequest::first(200)).unwrap();
    for card in &listed.entities {
        assert!(viewer.sees_division(card.division.as_deref()), "a card outside the viewer's divisions");
    }
    for card in &all.entities {
        let id = card.id.to_string();
        let read = engine.session_events(&id, &viewer, &PageRequest::first(5));
        let is_listed = listed.entities.iter().any(|c| c.id == card.id);
        assert_eq!(read.is_ok(), is_listed, "session_events and journey disagree on {id}");
        if let Err(error) = read {
            assert_eq!(error.code(), "NOT_FOUND");
            assert_eq!(error.to_string(), format!("not found: no session '{id}'"));
        }
    }
}

fn step(run: &mut Run, step: &Step) {
    let engine = run.engine();
    let agent = |n: &u8| format!("agent{}", n % 3);
    match step {
        Step::Ingest { customer, kind, division, key, seconds_ago, variant } => {
            engine.ingest_value(&event(*customer, *kind, *division, *key, *seconds_ago, *variant)).unwrap();
            run.ingested += 1;
        }
        Step::Advance { seconds } => engine.advance_by(&format!("{seconds}s")).unwrap(),
        Step::Journey { customer: c, viewer: bits, page_size } => {
            let page = PageRequest::first(usize::from(*page_size % 20) + 1);
            let _ = engine.journey(&customer(*c), &viewer(*bits), &page).unwrap();
            check_views(engine, *c, *bits);
        }
        Step::SessionEvents { customer, viewer } => check_views(engine, *customer, *viewer),
        Step::Start { agent: a } => {
            let session = engine.start_agent_session(&agent(a)).unwrap().session_id.to_string();
            run.sessions[(a % 3) as usize] = Some(session);
        }
        Step::End { agent: a } => {
            if let Some(session) = &run.sessions[(a % 3) as usize] {
                engine.end_agent_session(session).unwrap();
            }
        }
        Step::Send { agent: a, name, persist } => {
            let request = CustomEventRequest::new(agent(a), format!("n{}", name % 4), "data", *persist);
            match engine.send_custom_event(&request) {
                Ok(sent) => run.not_connected += u64::from(sent.delivery == journey_core::Delivery::AgentNotConnected),
                Err(error) => assert_eq!(error.code(), "QUEUE_FULL"),
            }
        }
        Step::Poll { agent: a, max, ack } => {
            if let Some(session) = &run.sessions[(a % 3) as usize] {
                let max = Some(usize::from(*max % 4) + 1);
                let _ = engine.next_events(session, 0, max, ack.map(u64::from)).unwrap();
            }
        }
        Step::Release { agent: a, from } => {
            if let Some(session) = &run.sessions[(a % 3) as usize] {
                let _ = engine.release(session, u64::from(*from));
            }
        }
        Step::Action { action, state } => {
            let states = ["offered", "accepted", "rejected", "started", "engaged", "completed", "errored", "qualified"];
            let event = json!({"actionId": uuid::Uuid::from_u128(u128::from(action % 4) + 1).to_string(),
                "actionState": states[*state as usize % states.len()], "actionMediaType": "webchat",
                "actionMapId": uuid::Uuid::from_u128(9).to_string(), "actionMapVersion": 1,
                "customerId": uuid::Uuid::from_u128(10).to_string(), "customerIdType": "cookie",
                "sessionId": uuid::Uuid::from_u128(11).to_string()});
            if let Err(error) = engine.record_action_event(&event) {
                assert!(
                    matches!(error.code(), "INVALID_TRANSITION" | "INVALID_ARGUMENT" | "UNKNOWN_ACTION"),
                    "{}",
                    error.code()
                );
            }
        }
        Step::Subscribe { state, once } => {
            let pattern = ["webchat:all", "all:offered", "all:all", "contentoffer:engaged"][*state as usize % 4];
            let _ = if *once { engine.once(pattern, |_| Ok(())) } else { engine.on(pattern, |_| Ok(())) }.unwrap();
        }
        Step::Reopen => {
            let before = fingerprint(engine);
            let engine = run.engine.take().unwrap();
            engine.close().unwrap();
            drop(engine);
            run.engine = Some(Engine::open(&run.dir, catalog(), durable_config()).unwrap());
            assert_eq!(fingerprint(run.engine()), before, "a reopened store reads differently");
        }
    }
    let stats = run.engine().stats();
    check_stats(&stats, run.ingested);
    assert!(
        stats.custom_events_queued + stats.custom_events_persisted + run.not_connected
            >= stats.custom_events_overwritten + stats.custom_events_dropped,
        "more agent events removed than arrived: {stats:?}"
    );
}

fuzz_target!(|steps: Vec<Step>| {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("journey-fuzz-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::open(&dir, catalog(), durable_config()).unwrap();
    let mut run =
        Run { dir: dir.clone(), engine: Some(engine), ingested: 0, not_connected: 0, sessions: vec![None; 3] };
    for s in steps.iter().take(64) {
        step(&mut run, s);
    }
    check_event_counts(run.engine());
    drop(run);
    let _ = std::fs::remove_dir_all(&dir);
});
