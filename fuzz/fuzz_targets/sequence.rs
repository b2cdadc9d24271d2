//! A structured sequence over every operation (`arbitrary`): ingest, clock moves, journey and
//! session_events with random viewers, agent sessions, sends, polls with ack and release, action
//! events, subscriptions, and close/reopen of a durable store. After each step:
//! - no panic, and every error is typed;
//! - the counters add up (accepted + duplicates + rejected = events ingested; cards add up to the
//!   accepted events);
//! - every agent-queue answer is exactly what a reference model of SPEC §5 and §5.1 gives
//!   (`journey_fuzz::agent_model`): each poll's events and their order, each send's delivery and
//!   `overwritten`, each `QUEUE_FULL`, each release's count, across reopens too; and the §5.1
//!   balance holds exactly: queued + persisted = acknowledged + overwritten + dropped at logout +
//!   still pending;
//! - no division leak: a restricted viewer's cards are all visible to it, and reading any session
//!   it was not listed gives `NOT_FOUND`;
//! - a reopened store reads exactly like the engine before it was closed;
//! - ingesting an event (journal record included) holds at most 2 MiB + 48 bytes per event byte.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use journey_core::journey::permission;
use journey_core::{CustomEventRequest, Customer, Engine, IdType, PageRequest, Viewer};
use journey_fuzz::agent_model::AgentModel;
use journey_fuzz::memory::{heap_allowance, peak_during};
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
    /// What each agent queue must hold and answer.
    agents: AgentModel,
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
            let event = event(*customer, *kind, *division, *key, *seconds_ago, *variant);
            let bytes = event.to_string().len();
            let (outcome, peak) = peak_during(|| engine.ingest_value(&event));
            outcome.unwrap();
            assert!(peak <= heap_allowance(bytes), "{peak} bytes of heap to ingest a {bytes}-byte event");
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
            run.agents.started(&agent(a), &session);
            run.sessions[(a % 3) as usize] = Some(session);
        }
        Step::End { agent: a } => {
            if let Some(session) = &run.sessions[(a % 3) as usize] {
                engine.end_agent_session(session).unwrap();
                run.agents.ended(session);
            }
        }
        Step::Send { agent: a, name, persist } => {
            let name = format!("n{}", name % 4);
            let request = CustomEventRequest::new(agent(a), name.clone(), "data", *persist);
            match engine.send_custom_event(&request) {
                Ok(sent) => run.agents.sent(&agent(a), &name, *persist, &sent),
                Err(error) => {
                    assert_eq!(error.code(), "QUEUE_FULL");
                    run.agents.refused_full(&agent(a), &name);
                }
            }
        }
        Step::Poll { agent: a, max, ack } => {
            if let Some(session) = &run.sessions[(a % 3) as usize] {
                let (max, ack) = (usize::from(*max % 4) + 1, ack.map(u64::from));
                let result = engine.next_events(session, 0, Some(max), ack).unwrap();
                run.agents.polled(session, max, ack, &result);
            }
        }
        Step::Release { agent: a, from } => {
            if let Some(session) = &run.sessions[(a % 3) as usize] {
                let released = engine.release(session, u64::from(*from)).unwrap().released;
                run.agents.released(session, u64::from(*from), released);
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
    let model = &run.agents;
    assert_eq!(stats.custom_events_dropped, model.dropped_at_logout + model.not_connected, "{stats:?}");
    assert_eq!(
        stats.custom_events_queued + stats.custom_events_persisted,
        model.acknowledged + stats.custom_events_overwritten + model.dropped_at_logout + model.pending(),
        "SPEC §5.1: queued + persisted = acknowledged + overwritten + dropped + pending: {stats:?} {model:?}"
    );
}

/// The steps of one input: decoded one after another until the bytes run out. (`Vec<Step>`'s own
/// decoding puts a continuation byte before each step and stops at the first even one, so half of
/// all inputs were empty and agent polls that return custom events were almost never reached.)
#[derive(Debug)]
struct Steps(Vec<Step>);

impl<'a> Arbitrary<'a> for Steps {
    fn arbitrary(input: &mut Unstructured<'a>) -> arbitrary::Result<Steps> {
        let mut steps = Vec::new();
        while !input.is_empty() && steps.len() < MAX_STEPS {
            steps.push(Step::arbitrary(input)?);
        }
        Ok(Steps(steps))
    }
}

/// Steps past this many are not read: a run reopens its store at most this often.
const MAX_STEPS: usize = 64;

fuzz_target!(|steps: Steps| {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("journey-fuzz-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::open(&dir, catalog(), durable_config()).unwrap();
    let mut run = Run {
        dir: dir.clone(),
        engine: Some(engine),
        ingested: 0,
        agents: AgentModel::new(8),
        sessions: vec![None; 3],
    };
    for s in &steps.0 {
        step(&mut run, s);
    }
    check_event_counts(run.engine());
    drop(run);
    let _ = std::fs::remove_dir_all(&dir);
});
