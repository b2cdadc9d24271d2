//! Web action events (any bytes, as JSON) recorded while callbacks re-enter the engine: a callback
//! records another event, subscribes and unsubscribes. Never a panic or a deadlock; every error is
//! typed and at most 2 KiB; a delivered event is one that was recorded.
#![no_main]

use journey_core::{Engine, parse_input};
use journey_fuzz::engine;
use libfuzzer_sys::fuzz_target;
use std::cell::Cell;
use std::sync::{Arc, Mutex, Weak};

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let engine = Arc::new(engine());
    let weak: Weak<Engine> = Arc::downgrade(&engine);
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    engine
        .on("all:all", move |event| {
            *counter.lock().unwrap() += 1;
            let Some(engine) = weak.upgrade() else { return Ok(()) };
            // Re-entry, a few levels deep: record the next state of the same action, subscribe
            // once, unsubscribe.
            DEPTH.with(|depth| {
                if depth.get() < 3 {
                    depth.set(depth.get() + 1);
                    let mut next = serde_json::to_value(event).unwrap();
                    next["actionState"] = "accepted".into();
                    let _ = engine.record_action_event(&next);
                    if let Ok(id) = engine.once("webchat:all", |_| Ok(())) {
                        engine.off(id);
                    }
                    depth.set(depth.get() - 1);
                }
            });
            Ok(())
        })
        .expect("'all:all' is a pattern");
    for line in text.lines().take(32) {
        match parse_input(line) {
            Ok(value) => {
                if let Err(error) = engine.record_action_event(&value) {
                    let code = error.code();
                    assert!(
                        matches!(code, "INVALID_ARGUMENT" | "INVALID_TRANSITION" | "UNKNOWN_ACTION" | "INVALID_JSON"),
                        "{code}"
                    );
                    let bytes = error.to_json().to_string().len();
                    assert!(bytes <= 2048, "a {bytes}-byte error for a {}-byte event", line.len());
                }
            }
            Err(error) => assert_eq!(error.code(), "INVALID_JSON"),
        }
    }
    assert_eq!(engine.stats().callback_failures, 0, "no callback failed");
    let _ = *seen.lock().unwrap();
});
