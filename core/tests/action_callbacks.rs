//! Web action subscriptions (SPEC §6): callback order, failures, and callbacks that call back into
//! the engine.

use journey_core::{Catalog, Config, Engine, Notification};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn engine() -> Arc<Engine> {
    let catalog = Catalog::from_json(r#"{"sessionTypes": []}"#).unwrap();
    Arc::new(
        Engine::new(catalog, Config::from_json(r#"{"clock": "manual", "start": "2026-11-21T10:00:00Z"}"#).unwrap())
            .unwrap(),
    )
}

fn action(n: u128, state: &str) -> Value {
    json!({
        "actionId": uuid::Uuid::from_u128(0xa000 + n).to_string(), "actionState": state, "actionMediaType": "webchat",
        "actionMapId": "11111111-2222-4333-8444-555555555555", "actionMapVersion": 1,
        "customerId": "0f8fad5b-d9cb-469f-a165-70867728950e", "customerIdType": "cookie",
        "sessionId": "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    })
}

type Log = Arc<Mutex<Vec<String>>>;

fn logger(log: &Log, name: &'static str) -> impl Fn(&Notification) -> Result<(), String> + Send + Sync + 'static {
    let log = log.clone();
    move |notification| {
        let event = notification.as_action().ok_or("an action pattern delivered a trigger")?;
        log.lock().unwrap().push(format!("{name}:{}", event.action_state.as_str()));
        Ok(())
    }
}

#[test]
fn callbacks_run_in_subscription_order_and_failures_are_counted() {
    let engine = engine();
    let log = Log::default();
    engine.on("all:all", logger(&log, "first")).unwrap();
    engine.on("webchat:all", |_| panic!("a broken subscriber")).unwrap();
    engine.on("webchat:offered", |_| Err("a subscriber that throws".to_owned())).unwrap();
    engine.on("all:all", logger(&log, "last")).unwrap();
    engine.record_action_event(&action(1, "offered")).unwrap();
    engine.record_action_event(&action(1, "accepted")).unwrap();
    assert_eq!(*log.lock().unwrap(), ["first:offered", "last:offered", "first:accepted", "last:accepted"]);
    assert_eq!(engine.stats().callback_failures, 3);
    // The engine still works after a panicking callback.
    assert!(!engine.record_action_event(&action(1, "started")).unwrap().duplicate);
}

#[test]
fn a_callback_may_call_back_into_the_engine() {
    let engine = engine();
    let log = Log::default();
    let inner = engine.clone();
    let inner_log = log.clone();
    engine
        .on("webchat:offered", move |notification| {
            // Record a follow-up, subscribe and unsubscribe, all from inside a callback.
            let event = notification.as_action().ok_or("an action pattern delivered a trigger")?;
            let id = event.action_id.as_u128() - 0xa000;
            inner.record_action_event(&action(id, "accepted")).map_err(|e| e.to_string())?;
            let sub = inner.once("webchat:started", logger(&inner_log, "added-inside")).map_err(|e| e.to_string())?;
            inner
                .on("webchat:completed", logger(&inner_log, "never"))
                .map(|id| inner.off(id))
                .map_err(|e| e.to_string())?;
            inner_log.lock().unwrap().push(format!("subscribed:{sub}"));
            Ok(())
        })
        .unwrap();
    engine.on("webchat:accepted", logger(&log, "accepted")).unwrap();
    engine.record_action_event(&action(7, "offered")).unwrap();
    // The nested record ran (and notified) inside the first callback; the subscription made inside
    // the callback sees only later events.
    assert_eq!(*log.lock().unwrap(), ["accepted:accepted", "subscribed:3"]);
    engine.record_action_event(&action(7, "started")).unwrap();
    engine.record_action_event(&action(7, "completed")).unwrap();
    assert_eq!(log.lock().unwrap().last().unwrap(), "added-inside:started");
    assert_eq!(engine.stats().callback_failures, 0);
}

#[test]
fn once_fires_once_even_when_threads_race() {
    let engine = engine();
    let log = Log::default();
    engine.once("webchat:offered", logger(&log, "once")).unwrap();
    std::thread::scope(|scope| {
        for n in 0..8 {
            let engine = engine.clone();
            scope.spawn(move || engine.record_action_event(&action(100 + n, "offered")).unwrap());
        }
    });
    assert_eq!(log.lock().unwrap().len(), 1);
}
